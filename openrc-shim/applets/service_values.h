// The shim's value helpers, OpenRC 0.63's src/value applets (/lib/rc/bin): a script keeps
// small values for itself between its start and its stop in <RC_SVCDIR>/options/<RC_SVCNAME>/.
//
//   service_set_value OPTION [VALUE]    save_options OPTION [VALUE]
//       write VALUE (as is, no newline) to options/<svc>/OPTION, creating options/<svc>/;
//       without VALUE the option is removed. Exit 0, or 1 when it cannot be written.
//   service_get_value OPTION            get_options OPTION
//       print the stored value (no newline added); exit 1 (nothing printed) when there is none.
//   The service is always $RC_SVCNAME ("<applet>: no service specified", 1, when unset); no
//   OPTION: "<applet>: no option specified", 1. The pairs are the same applet under two names
//   (Gentoo's mysql script uses save_options/get_options, OpenRC's own sh/ uses the others).
// The values go when the service is marked stopped (service_state.h Mark), so a stop() reads
// what its start() saved and the next start begins empty.
// Nothing here throws.
#pragma once

#include <string>
#include <vector>

namespace ctinit::openrc {

// `applet` is one of the four names; `args` the words after it. `svcdir` overrides
// $RC_SVCDIR (tests); empty = SvcDirFromEnv(). Returns the exit code.
int ServiceValueMain(const std::string& applet, const std::vector<std::string>& args,
                     const std::string& svcdir = "") noexcept;

bool IsServiceValueApplet(const std::string& name) noexcept;

}  // namespace ctinit::openrc
