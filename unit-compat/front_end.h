// The systemd-unit front end as PID 1 uses it (init/main.cc): the image's units added to the
// services of the other front end (inittab or OpenRC), so that one graph holds both.
//
// Load() (Config::units_mode "auto"; nothing for "off"):
//   * LoadUnitSet() (unit_set.h) over "/" with ctinit's environment, conditions checked when
//     each start begins, the configured skip list and strict mode;
//   * when the other front end runs init scripts (`init_scripts` true: the inittab exists, or
//     OpenRC native mode), a unit NAME.service whose /etc/init.d/NAME exists is left to that
//     script (Config::units_init_scripts_win): Debian's nginx package ships both, and rc
//     already starts the script. It is listed inactive ("left to /etc/init.d/nginx");
//   * the units come after the other front end's services (so an inittab's blocking rc entries
//     run first), their sockets and diagnostics are added, units left out are listed inactive,
//     and default.target gives the default level when the other front end named none;
//   * Config::units_tag_output false: the units' log_tag is cleared (journal output untagged).
// Nothing here throws.
#pragma once

#include <string>
#include <vector>

#include "init/runtime/config.h"
#include "init/model/service.h"

namespace ctinit::units {

// True when the image has unit files at all (a search directory with a .service in it).
bool HasUnits(const std::string& root = "/") noexcept;

// Adds the units to *set; returns how many services were added.
size_t AddUnits(const Config& config, bool init_scripts, const std::vector<std::string>& env,
                ServiceSet* set, const std::string& root = "/") noexcept;

}  // namespace ctinit::units
