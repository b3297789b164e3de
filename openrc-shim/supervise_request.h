// A supervise-daemon request (the `supervise NAME key=value...` control verb, control.h) as a
// service: the openrc-shim applet supervise-daemon sends its options as key=value words, and
// PID 1 gets this translation through Options::supervise_request (main.cc wires it), so that
// init/ knows no OpenRC option.
//
// Words: arg= (each one argv word, in order), env=K=V, uid=, gid=, groups=G1,G2, user=, home=,
// dir=, umask= (octal), stdin=, stdout=, stderr= (files; the two outputs appended), pidfile=,
// respawn_delay_ms=, respawn_max=, respawn_period_ms= (0: no period), stop_signal=,
// stop_timeout_ms= (0: `--retry forever`, the longest wait), origin=, ambient_capabilities= and
// capability_bounding_set= (masks, "0x400": ProcessContext's), no_new_privs=yes,
// readiness=notify (up once the daemon sends READY=1 on $NOTIFY_SOCKET). Numbers are
// clamped (waits to an hour, periods to a year, respawn_max to a million); a uid/gid of (uid_t)-1
// is refused.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "init/model/service.h"

namespace ctinit::openrc {

// The service "supervise:NAME": a manual long-run that gives up after respawn_max starts within
// respawn_period, with exactly the environment the request passes. nullopt and *err ("bad
// option \"x\"", "nothing to run (no arg=)") when the words are wrong.
std::optional<ServiceSpec> SuperviseRequestToService(const std::string& name,
                                                     const std::vector<std::string>& options,
                                                     std::string* err);

}  // namespace ctinit::openrc
