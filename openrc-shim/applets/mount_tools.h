// The shim's mountinfo and fstabinfo (OpenRC 0.63 src/mountinfo, src/fstabinfo: what they do,
// re-implemented). Scripts use them to ask about mounts: `mountinfo -q /data` (is it a mount
// point?), `mountinfo --fstype /var` , `fstabinfo --options /boot`, rc-functions.sh's
// is_net_fs. They read the same files as OpenRC; `MountFiles` lets tests point them elsewhere.
//
// mountinfo [options] [MOUNTPOINT…]        (reads /proc/mounts, and /etc/fstab for -e/-E)
//   Lists the mounts (mount point, or with -s/--fstype the type, -t/--node the device,
//   -i/--options the options) that pass every filter, newest first; exit 0 if at least one
//   passed, 1 if none. -q/--quiet (or EINFO_QUIET=yes): nothing printed, only the exit code.
//   Filters, each an extended regex: -f/--fstype-regex, -F/--skip-fstype-regex,
//   -n/--node-regex, -N/--skip-node-regex, -o/--options-regex, -O/--skip-options-regex;
//   -p/--point-regex and -P/--skip-point-regex apply to what is printed (as in OpenRC).
//   MOUNTPOINT…: only those mount points (each must start with '/': "`x' is not a mount point",
//   exit 1; symlinks resolved when they exist). The "rootfs" entry is never listed.
//   -e/--netdev, -E/--nonetdev: only mounts whose /etc/fstab entry has (has not) `_netdev`;
//   they replace the regex filters for mounts that have an fstab entry (or when MOUNTPOINTs are
//   given, then a mount without fstab entry never matches).
//   A bad regex: "mountinfo: invalid regex …", exit 1.
//
// fstabinfo [options] [MOUNTPOINT…]        (reads /etc/fstab; none: "/etc/fstab does not exist", 1)
//   Without MOUNTPOINT and filters: every mount point of fstab ("fstabinfo: empty fstab", 1,
//   when it has none). Output per mount point: the mount point; -b/--blockdevice the device;
//   -o/--options the options; -m/--mountargs "-o OPTS -t TYPE DEV POINT"; -p/--passno POINT
//   its pass number (OpenRC's quirk kept: this is no filter, so without operands every entry's
//   pass number follows; `-p /x /x` prints one). Filters: -t/--fstype T1,T2 (entries of those
//   types), -p/--passno =N, <N, >N (entries with that pass number; <, > skip pass 0; "none" points
//   skipped); MOUNTPOINTs after a filter narrow its result. -M/--mount, -R/--remount run `mount -o
//   OPTS -t TYPE DEV POINT` (remount: `-o remount`), adding mount's exit codes to the result. A
//   mount point not in fstab makes the exit 1; nothing selected: exit 1. EINFO_QUIET from the
//   caller is ignored (only -q silences), as OpenRC.
// Nothing here throws.
#pragma once

#include <string>
#include <vector>

namespace ctinit::openrc {

struct MountFiles {
  std::string proc_mounts = "/proc/mounts";
  std::string fstab = "/etc/fstab";
};

// One line of a mount table: /proc/mounts or fstab (fields 1-4 and 6).
struct MountEntry {
  std::string node, point, fstype, options;
  int passno = 0;
};

// The entries of `text`; comments ('#') and blank lines skipped. `decode` turns fstab's octal
// escapes (\040 for a blank) into characters, as getmntent(3) does for /etc/fstab (OpenRC reads
// /proc/mounts without decoding, so mountinfo does not).
std::vector<MountEntry> ParseMountTable(const std::string& text, bool decode);

int MountinfoMain(const std::vector<std::string>& args, const MountFiles& files = {}) noexcept;
int FstabinfoMain(const std::vector<std::string>& args, const MountFiles& files = {}) noexcept;

}  // namespace ctinit::openrc
