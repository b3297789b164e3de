// Reading one /etc/init.d script the way systemd-sysv-generator does (load_sysv() and the
// facility table of sysv-generator.c, systemd 252): what a unit for it needs to say. Pure: the
// script's text in, a SysvScript out; nothing here reads files or throws but std::bad_alloc.
//
// The text is read line by line, each line stripped of blanks at both ends.
//   - "### BEGIN INIT INFO" ... "### END INIT INFO": the LSB header (has_lsb). Inside it, on the
//     comment lines ("#" then blanks, keys case-insensitive):
//       Provides:            facilities (below); a service name is an alias of the unit, a
//                            target ($x) is one the unit is ordered before and wants;
//       Required-Start:, Should-Start:, X-Start-After:   ordered after (After=);
//       X-Start-Before:      ordered before (Before=);
//       Short-Description:   the description; Description: the long one, continued on the
//                            following "#<tab>" / "#  " lines, used when there is no short one.
//     Required-Stop:, Default-Start:, Default-Stop: and the rest are not read (systemd enables a
//     script through its S links in /etc/rcN.d, sysv_generator.h).
//   - Outside it, Red Hat chkconfig comments: "# description:" (continued by a trailing "\"),
//     used when there is no Short-Description; "# pidfile: /abs/path" (a relative path is
//     ignored).
//   - Lines that are not comments are scanned for a usage message: a line containing "usage"
//     (any case), or the continuation of such a line ending in "\", that lists reload
//     ("{reload|", "|reload|", "|reload}", "{reload}", "{reload\"", "|reload\"") means the
//     script can reload.
//
// Facilities (Provides:, Required-Start: & co.), with the leading '$' ignored for the table:
//   local_fs, syslog   nothing (always there before a script runs)
//   network            network-online.target (an After= of it also Wants= it: it must be
//                      pulled in; as a Provides: also Before=/Wants= network.target)
//   named              nss-lookup.target        portmap   rpcbind.target
//   remote_fs          remote-fs.target         time      time-sync.target
//   any other $name    name.target
//   the script's own name (without ".sh")   nothing
//   any other name     a service: name mangled as systemd does (SysvUnitName()).
// The description gets the prefix "LSB: " (LSB header) or "SYSV: " (chkconfig only).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ctinit::units {

struct SysvScript {
  bool has_lsb = false;
  std::string description;              // "LSB: ..." / "SYSV: ..." or ""
  std::vector<std::string> aliases;     // service names from Provides: (not the own name)
  std::vector<std::string> after;       // unit names, in header order
  std::vector<std::string> before;      //
  std::vector<std::string> wants;       //
  bool reload = false;                  // the usage message lists reload
  std::optional<std::string> pid_file;  // chkconfig "# pidfile:"
};

// `file_name` is the script's name in /etc/init.d ("exim4", "hwclock.sh").
SysvScript ParseSysvScript(std::string_view text, std::string_view file_name);

// The unit name for a script or a Provides:/Required-Start: name: ".sh" dropped, then as
// systemd's unit_name_mangle(): a name that already ends in a unit type suffix stays as it is,
// otherwise characters outside [A-Za-z0-9:_.\-] are escaped as \xNN and ".service" is added.
// "exim4" -> "exim4.service", "hwclock.sh" -> "hwclock.service", "rc.local" ->
// "rc.local.service". nullopt for a name that cannot be a unit (empty, too long).
std::optional<std::string> SysvUnitName(std::string_view name);

}  // namespace ctinit::units
