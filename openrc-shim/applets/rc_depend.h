// The shim's rc-depend and rc-abort applets (OpenRC 0.63 src/rc-depend, src/rc-abort).
//
// rc-depend [-t TYPE[,TYPE…]] [-T|--notrace] [-a|--starting] [-o|--stopping] [-s|--strict]
//           [-u|--update] SERVICE…
//   prints, space-separated on one line, the services SERVICE depends on (types ineed and iuse
//   by default), traced: each dependency's own dependencies first, then the service itself
//   (unless it is $RC_SVCNAME, the calling script, or a virtual name), each name once — the
//   order of librc's rc_deptree_depends(). Types: ineed iuse iwant iafter ibefore iprovide and
//   their reverses needsme usesme wantsme (iafter/ibefore are each other's reverse),
//   providedby, keyword. A virtual (provided) name stands for its providers. With a runlevel
//   ($RC_RUNLEVEL, else the current one), dependencies of the weak types are followed only to
//   services of that runlevel or the boot runlevel, or started, as librc's valid_service().
//   OpenRC reads its cached deptree; the shim has none, so it runs depend() of every script in
//   /etc/init.d (depend.h, as gendepends.sh does) — `-u` has nothing to update. `-T` lists the
//   direct names (then the service itself), as its help says (OpenRC 0.63's -T leaves tracing
//   on: it masks its options with the trace bit instead of clearing it). `-a`, `-o`
//   and `-s` are accepted and change nothing (they matter for rc_deptree_order, not here);
//   `-F FILE` (a deptree file) is refused. "no dependency info for service `x'" for an unknown
//   name; no known name: "no services specified", exit 1.
//
// rc-abort: OpenRC's sends SIGUSR1 to $RC_PID, the `openrc` process changing the runlevel. If
//   RC_PID names a live process called `openrc`, so does the shim's; otherwise (ctinit changes
//   runlevels itself and has no such process) it says "rc-abort: not supported under ctinit:
//   no openrc process (RC_PID) is changing the runlevel" and exits 1.
// Nothing here throws.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "openrc-shim/depend.h"

namespace ctinit::openrc {

// service -> deptree type ("ineed", "needsme", …) -> names, with the reverse types filled in.
using DepTree = std::map<std::string, std::map<std::string, std::vector<std::string>>>;

DepTree BuildDepTree(const std::map<std::string, OpenrcDeps>& services);

// Whether `service`, reached through a `type` dependency, is followed (valid_service()).
using FollowService = std::function<bool(const std::string& service, const std::string& type)>;

// rc_deptree_depends() over `tree`: see above. `caller` is $RC_SVCNAME ("" when unset).
// *unknown gets the names of `services` the tree does not know.
std::vector<std::string> TraceDepends(const DepTree& tree, const std::vector<std::string>& services,
                                      const std::vector<std::string>& types, bool trace,
                                      const std::string& caller, const FollowService& follow,
                                      std::vector<std::string>* unknown);

// `initdir` and `root` for tests (root prefixes /etc/runlevels and the svcdir).
int RcDependMain(const std::vector<std::string>& args, const std::string& initdir = "/etc/init.d",
                 const std::string& root = "/") noexcept;

int RcAbortMain(const std::vector<std::string>& args) noexcept;

}  // namespace ctinit::openrc
