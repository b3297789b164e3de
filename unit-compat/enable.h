// Enablement: which units a boot starts, and in which runlevels (systemd.special(7),
// systemd.target(5), systemctl(1) "enable").
//
// Runlevels and targets (as systemd's runlevelN.target aliases):
//   0 poweroff.target   1, S rescue.target   2, 3, 4 multi-user.target   5 graphical.target
//   6 reboot.target
// The root for level N is runlevelN.target as the image defines it (normally an alias of the
// target above; an image that points runlevel3.target elsewhere is honoured), or the target above
// when there is no such file; S uses level 1's. default.target (resolved through its alias
// symlink) gives the default level: the level whose root it is (3 for multi-user, 5 for
// graphical, 1 for rescue; 3 when it is some other target, which is then also a root for 2-5).
//
// A unit is started in level N when the root for N pulls it in, transitively:
//   - Wants=, Requires=, BindsTo= (specifiers expanded), and the entries of the NAME.wants/ and
//     NAME.requires/ directories for every name of the unit (aliases included) in every search
//     dir; for an instance also the template's directories;
//   - a service with DefaultDependencies=yes (the default) also pulls in sysinit.target
//     (systemd's implicit Requires=/After=sysinit.target, After=basic.target).
// Requisite= does not pull in (nor does After=, OnFailure=, ...).
// Every unit in sysinit.target's closure is marked `sysinit`.
//
// Special targets an image lacks (a Debian image with packages installed but not the systemd
// package has /etc/systemd/system/multi-user.target.wants/ but no multi-user.target) are built
// in: default.target -> multi-user.target, graphical Requires multi-user, multi-user Requires
// basic, basic Requires sysinit and Wants sockets/timers/paths/slices, sysinit Wants local-fs and
// swap, rescue Requires sysinit, with the After= of the real ones; the targets packages order
// themselves against (network-pre, network, network-online, nss-lookup, nss-user-lookup,
// remote-fs-pre, remote-fs, local-fs-pre, time-set, time-sync, rpcbind), reached at once (the
// container runtime did that set-up). Any other target that is not found is an empty target
// whose .wants/ directories are still followed. syslog.socket is built in too (rsyslog.service
// and syslog-ng.service Require= it; it ships in the systemd package): a datagram socket on
// /dev/log, mode 0666, for syslog.service (the Alias= the syslog daemon's unit makes), since
// there is no journald to forward /dev/log to systemd's /run/systemd/journal/syslog.
//
// Not started, one diagnostic each (naming where the unit was pulled in from):
//   - units matching the skip list (glob patterns, fnmatch(3), on the requested name and the
//     canonical name; DefaultSkipList() below; replaceable by configuration). Their own
//     dependencies are not followed;
//   - unit types ctinit does not run: mount, swap, device, path, timer, automount, slice, scope;
//   - units that are not found, masked, or fail to load (load errors are reported too). A unit
//     whose Requires=/BindsTo= names such a unit cannot start in systemd either: it is left out
//     (and so, transitively, are units requiring it).
// Every other .service, .socket and .target file in the search path (not templates) is listed
// too, with no levels: it starts only on request (systemctl start, socket activation). Units
// reached that way report no diagnostics (nobody asked for them) but are in left_out.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "init/model/service.h"
#include "unit-compat/load.h"

namespace ctinit::units {

// "poweroff.target" for '0', ... ; "" for a character that is not a level.
std::string RunlevelTarget(char level);
// Levels whose standard target is `target`: "234" for multi-user.target, "1S" for rescue.target.
std::string TargetRunlevels(std::string_view target);

// Units that make no sense in a container:
//   systemd-*            journald, udevd, logind, networkd, resolved, timesyncd, tmpfiles, ...
//                        (the container runtime or ctinit does their job, or there is no kernel
//                        interface for them in a container)
//   udev*, dbus-org.freedesktop.*   udev; D-Bus activation aliases of systemd daemons
//   getty@*, serial-getty@*, container-getty@*, console-getty.service, autovt@*,
//   getty-static.service  logins on terminals the container does not have
//   rescue.service, emergency.service, debug-shell.service   sulogin/shell on the console
//   plymouth*, kmod-static-nodes.service, modprobe@*, keyboard-setup.service,
//   console-setup.service, setvtrgb.service, cryptdisks*, lvm2-*, blk-availability.service,
//   ifupdown-pre.service, networking.service, NetworkManager*, wpa_supplicant*, ModemManager*,
//   e2scrub*, fstrim*, apparmor.service, hwclock.service   kernel, boot, hardware and network
//                        set-up that belongs to the host or the container runtime
std::vector<std::string> DefaultSkipList();
// The first pattern matching `name`, or nullopt.
std::optional<std::string> MatchSkipList(std::string_view name,
                                         const std::vector<std::string>& patterns);

// A dependency name with where it was written (for diagnostics).
struct UnitRef {
  std::string name;
  std::string file;  // a fragment/drop-in or a .wants/.requires symlink
  int line = 0;
};

struct EnabledUnit {
  std::string name;               // canonical id
  LoadedUnit unit;                // kLoaded (or a built-in / empty target)
  std::string levels;             // subset of "0123456S" in that order; "" = on request only
  bool sysinit = false;           // in sysinit.target's closure
  std::vector<UnitRef> wants;     // Wants= and .wants/ (pull-in only)
  std::vector<UnitRef> required;  // Requires=, BindsTo=, .requires/, implicit sysinit.target
  std::vector<std::string> requisite;
  bool builtin = false;  // a special target or syslog.socket the image lacks (see above)
};

struct EnableOptions {
  std::vector<std::string> search_path = DefaultSearchPath();
  std::vector<std::string> skip = DefaultSkipList();
};

struct Enablement {
  std::vector<EnabledUnit> units;  // discovery order (default target's closure first)
  std::string default_target;      // canonical id, e.g. "graphical.target"
  std::optional<char> default_level;
  std::vector<Diagnostic> diagnostics;
  std::map<std::string, std::string> left_out;  // name -> why (skipped/unsupported/missing)
  const EnabledUnit* Find(std::string_view name) const;
};

// Never throws; problems are diagnostics.
Enablement ComputeEnablement(const std::string& root, const EnableOptions& options = {}) noexcept;

}  // namespace ctinit::units
