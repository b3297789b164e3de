#include "unit-compat/front_end.h"

#include <sys/stat.h>

#include <filesystem>
#include <set>

#include "init/base/log.h"
#include "unit-compat/unit_set.h"

namespace ctinit::units {

namespace {

std::string Under(const std::string& root, const std::string& path) {
  if (root.empty() || root == "/") return path;
  return root + path;
}

}  // namespace

bool HasUnits(const std::string& root) noexcept {
  try {
    for (const auto& dir : DefaultSearchPath()) {
      std::error_code ec;
      for (const auto& e : std::filesystem::directory_iterator(Under(root, dir), ec)) {
        auto n = e.path().filename().string();
        if (n.ends_with(".service") || n.ends_with(".socket")) return true;
      }
    }
  } catch (...) {
  }
  return false;
}

size_t AddUnits(const Config& config, bool init_scripts, const std::vector<std::string>& env,
                ServiceSet* set, const std::string& root) noexcept {
  try {
    if (config.units_mode == "off" || !HasUnits(root)) return 0;
    UnitSetOptions opt;
    opt.root = root;
    opt.manager_env = env;
    opt.runtime_conditions = true;
    opt.strict = config.units_strict;
    if (config.units_skip) opt.enable.skip = *config.units_skip;
    for (const auto& p : config.units_skip_also) opt.enable.skip.push_back(p);
    UnitSet us = LoadUnitSet(opt);

    std::set<std::string> shadowed;
    if (init_scripts && config.units_init_scripts_win) {
      for (const auto& s : us.set.services) {
        if (!s.name.ends_with(".service")) continue;
        std::string script = "/etc/init.d/" + s.name.substr(0, s.name.size() - 8);
        struct stat st {};
        if (::stat(Under(root, script).c_str(), &st) == 0 && S_ISREG(st.st_mode)) {
          shadowed.insert(s.name);
          set->inactive.push_back({s.name, "left to " + script});
        }
      }
    }
    size_t added = 0;
    for (auto& s : us.set.services) {
      if (shadowed.count(s.name)) continue;
      if (!config.units_tag_output) s.log_tag.clear();
      set->services.push_back(std::move(s));
      ++added;
    }
    for (auto& sock : us.set.sockets)
      if (!shadowed.count(sock.service)) set->sockets.push_back(std::move(sock));
    for (auto& d : us.set.diagnostics) set->diagnostics.push_back(std::move(d));
    for (auto& [name, why] : us.left_out) set->inactive.push_back({name, why});
    if (!set->default_level) set->default_level = us.set.default_level;
    if (added)
      log::Info("systemd units: {} loaded ({} sockets){}", added, us.set.sockets.size(),
                shadowed.empty()
                    ? std::string()
                    : ", " + std::to_string(shadowed.size()) + " left to their init scripts");
    return added;
  } catch (const std::exception& e) {
    set->diagnostics.push_back({root, 0, std::string("systemd units: ") + e.what()});
  }
  return 0;
}

}  // namespace ctinit::units
