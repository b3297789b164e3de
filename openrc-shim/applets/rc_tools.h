// The shim's rc-service, rc-status and rc-update applets (OpenRC 0.63 man/rc-service.8,
// rc-status.8, rc-update.8; runlevels and state as src/librc/librc.c keeps them). `root` prefixes
// /etc and the state dir
// (/run/openrc) so tests can use a temporary tree; the applets pass "/".
//
// rc-update [-s|--stack] [-a|--all] [-u] add|del|delete|show [SVC] [LEVEL…]
//   add SVC [LEVEL…]   link /etc/runlevels/LEVEL/SVC -> /etc/init.d/SVC (LEVEL defaults to the
//                      current runlevel, or "default" when there is none). " * service SVC added
//                      to runlevel LEVEL"; already there: a warning; SVC not in init.d: error, 1.
//                      A missing level directory is created for the names OpenRC reserves
//                      (sysinit boot default single shutdown nonetwork), else an error.
//   del SVC [LEVEL…]   remove the link ("service SVC removed from runlevel LEVEL"); -a: from
//                      every level. Not there: error, exit 1.
//   -s add LEVEL TARGET   stack: /etc/runlevels/TARGET/LEVEL -> ../LEVEL ("runlevel LEVEL added
//                      to runlevel TARGET"); -s del removes it.
//   show [LEVEL…] (also no arguments)   " %20s | level level…" for each service in a level;
//                      -v (or --verbose) also lists services in no level.
//   -u: nothing to do (the shim has no cached deptree); exit 0.
// rc-status [-a|-l|-r|-s|-u|-m|-c] [LEVEL]
//   default: "Runlevel: LEVEL" and " SVC … [  state  ]" for each service of the current level
//   (and of LEVEL's stacked levels), then "Dynamic Runlevel: manual" with started/starting/
//   inactive services that are in no level of the stack. -a: every level, then the manual ones.
//   -l: the runlevel names. -r: the current runlevel. -s: every service in init.d with its state.
//   -u: services in no runlevel. -m: the manual ones only. -c: crashed services (exit 1 if none).
// rc-service [-e|-l|-r|-i|-I|-N|-s|-S|-c|-D|-q|-v] SVC [CMD…]
//   resolves SVC (started/ link, inactive/ link, /etc/init.d, /usr/local/etc/init.d) and runs it
//   through this binary's openrc-run applet; -e exists (exit 0/1), -l list init.d, -r print the
//   path, -i if it exists, -I/-N/-s/-S/-c only if inactive/not started/started/stopped/crashed
//   (else exit 0 silently… as OpenRC: exit 1 for -s/-S/-N/-I/-c), -D no dependencies.
//   Unknown SVC: " * service `SVC' does not exist", 1.
// Nothing here throws.
#pragma once

#include <string>
#include <vector>

namespace ctinit::openrc {

int RcUpdateMain(const std::vector<std::string>& args, const std::string& root = "/") noexcept;
int RcStatusMain(const std::vector<std::string>& args, const std::string& root = "/") noexcept;
int RcServiceMain(const std::vector<std::string>& args, const std::string& root = "/") noexcept;

// The script for SVC as rc-service resolves it, "" if none.
std::string ResolveService(const std::string& svc, const std::string& root) noexcept;

}  // namespace ctinit::openrc
