// /run in OpenRC native mode: what OpenRC's init.sh does before the first sysinit service, for
// the images that need it.
//
// `openrc sysinit` runs init.sh first, which mounts a tmpfs on /run when /run is not a mount
// point yet (mode=0755,nosuid,nodev,nr_inodes=800k,size=20%,strictatime); only then do the
// sysinit services run and OpenRC's state (/run/openrc) get written. Debian's sysinit runlevel
// also holds LSB scripts (mountkernfs.sh) that mount that tmpfs themselves when nobody did: in
// native mode they would do it while other sysinit services run, hiding /run/openrc and the pid
// files written before. So when the sysinit runlevel runs LSB scripts, ctinit mounts /run as
// init.sh would, before it prepares /run/openrc; then mountkernfs.sh finds /run mounted and
// leaves it (Debian's domount skips a mount point that is mounted). PID 1's FIFO and sockets in
// /run are re-created by its mount watch, as after any mount over /run.
//
// Differences from init.sh, on purpose: nothing is mounted when something is already mounted
// below /run (a runtime's /run/secrets or a bind-mounted socket would be hidden), or when the
// image's sysinit runs no LSB script (Gentoo's images: ctinit keeps /run as the runtime gave
// it). A failed mount (Docker without CAP_SYS_ADMIN) is one log line; the boot goes on.
#pragma once

#include <string>
#include <string_view>

namespace ctinit::openrc {

// Whether /run should get a tmpfs, from /proc/self/mountinfo's text; when not, *why says so
// ("/run is a mount point already", "mounts below /run: /run/secrets").
bool ShouldMountRun(std::string_view mountinfo, std::string* why);

// True when the sysinit runlevel of the image at `root` lists an LSB script (lsb_header.h).
bool SysinitRunsLsbScripts(const std::string& root);

// At `root` "/" only: mounts the tmpfs when ShouldMountRun() says so; one log line either way
// when something was to be decided. Never throws.
void MountRunForSysinit() noexcept;

}  // namespace ctinit::openrc
