// The OpenRC dependency graph of one start set, ordered into parallel waves.
//
// Input: every service in the dependency tree (`services`, normally all of init.d whose
// ExtractDepends() was `loaded`), the names to start (`start`: the services of the runlevel
// stack — e.g. sysinit, or boot, or default plus its stacked levels), and rc_sys.
//
// Rules (after OpenRC 0.63 src/librc/librc-depend.c rc_deptree_update(), rc_deptree_order(),
// valid_service(), get_provided()):
//  * Masks. A service whose keywords contain "-<rc_sys lower-case>" or "no<rc_sys lower-case>"
//    is removed from the tree (it is listed in `masked`), and — as OpenRC's phase 2 does — every
//    dependency edge of every kind on its name *and on each virtual name it provides* is deleted.
//    So `need localmount` with localmount masked (`keyword -docker`) is simply satisfied.
//  * Virtual names. A name that is not a service but is `provide`d resolves to its providers that
//    are in `start`; if none are, to the first provider by name (only to pull in for need/want;
//    for use/after/before only providers that are being started count). A name that is both a
//    service and provided is the service (with a diagnostic, as OpenRC complains).
//  * Pull-in. need and want targets are added to the start set even when not in the runlevel,
//    recursively; use/after/before targets only order services that are started anyway.
//  * Missing `need` target (neither a service nor provided, not deleted by a mask): OpenRC marks
//    the dependent "broken" and refuses to start it. By default ctinit instead warns ("<svc> needs
//    non-existent service <x>; starting it anyway") and starts it — in a container `net` or
//    `localmount` are routinely absent and that must not fail the boot. With `strict_need` the
//    dependent and everything that needs it (transitively) are left out and listed in `broken`.
//    Missing want/use/after/before targets are ignored silently.
//  * Ordering. x in need/want/use/after of s: x starts before s; x in before of s: s before x.
//    `after *`: s after every other started service that has no `after *` itself and that s is
//    not explicitly ordered before; `before *` symmetrically.
//  * Cycles are broken deterministically: the cycle reached from the first (by name) blocked
//    service is found, its weakest edge (star < before < after < use < want < need; ties: the
//    first in cycle order) is dropped, and a diagnostic names the whole cycle.
//  * Waves: wave 0 = services with no ordering predecessor; wave n+1 = services whose
//    predecessors are all in waves <= n. Each wave is sorted by name. `stop_waves` is the exact
//    reverse (a service stops only after everything that started after it has stopped).
//
// Nothing here throws; diagnostics carry file "openrc" and line 0.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "init/model/service.h"
#include "openrc-shim/depend.h"

namespace ctinit::openrc {

struct GraphInput {
  std::map<std::string, OpenrcDeps> services{};  // the whole dependency tree
  std::vector<std::string> start{};              // what the runlevel stack asks for
  std::string rc_sys{};                          // "" or e.g. "DOCKER"
  bool strict_need = false;
};

struct Graph {
  std::vector<std::vector<std::string>> start_waves;
  std::vector<std::vector<std::string>> stop_waves;
  // For each started service, the services that must have started before it (after resolution,
  // mask deletion and cycle breaking), sorted.
  std::map<std::string, std::vector<std::string>> start_after;
  std::vector<std::string> masked;  // removed by a keyword mask, sorted
  std::vector<std::string> broken;  // strict_need only: not started because of a missing need
  std::vector<Diagnostic> diagnostics;
};

Graph BuildGraph(const GraphInput& input) noexcept;

}  // namespace ctinit::openrc
