#include "unit-compat/front_end.h"

#include <sys/stat.h>

#include <algorithm>
#include <filesystem>
#include <set>

#include "init/base/files.h"
#include "init/base/log.h"
#include "init/base/text.h"
#include "unit-compat/generators.h"
#include "unit-compat/sysv_generator.h"
#include "unit-compat/unit_set.h"

namespace ctinit::units {

namespace {

using files::Under;

// Units-only image: units for the init scripts nobody runs (sysv_generator.h), found through
// the late generator dir at the end of the search path.
void GenerateForInitScripts(const std::string& root, UnitSetOptions* opt, ServiceSet* set) {
  SysvGeneratorOptions g;
  g.root = root;
  g.unit_search_path = opt->enable.search_path;
  SysvGeneration out = GenerateSysvUnits(g);
  auto& path = opt->enable.search_path;
  if (std::find(path.begin(), path.end(), g.dest) == path.end()) path.push_back(g.dest);
  for (auto& d : out.diagnostics) set->diagnostics.push_back(std::move(d));
  if (!out.generated.empty())
    log::Info("systemd units: {} generated for /etc/init.d scripts without a unit: {}",
              out.generated.size(), text::Join(out.generated, " "));
}

}  // namespace

bool HasUnits(const std::string& root) noexcept {
  try {
    for (const auto& dir : ManagerSearchPath()) {
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

void UnitsFrontEnd::Configure(const Settings& settings, std::vector<std::string>* errors) {
  *this = UnitsFrontEnd(root_, self_exe_);
  auto it = settings.find("units");
  if (it == settings.end()) return;
  const std::vector<std::string> known = {
      "mode", "skip", "skip_also", "strict", "init_scripts_win", "tag_output", "sysv_scripts"};
  for (const auto& [key, value] : SettingEntries(it->second, "units", known, errors)) {
    const std::string name = "units." + key;
    if (key == "mode") {
      if (auto m = SettingChoice(*value, name, {"auto", "off"}, errors)) enabled_ = *m == "auto";
    } else if (key == "skip") {
      if (auto l = SettingList(*value, name, errors)) skip_ = *l;
    } else if (key == "skip_also") {
      if (auto l = SettingList(*value, name, errors)) skip_also_ = *l;
    } else if (auto b = SettingBool(*value, name, errors)) {
      (key == "strict"             ? strict_
       : key == "init_scripts_win" ? init_scripts_win_
       : key == "sysv_scripts"     ? sysv_scripts_
                                   : tag_output_) = *b;
    }
  }
}

FrontEnd::Presence UnitsFrontEnd::Detect() const {
  return enabled_ && HasUnits(root_) ? Presence::kPresent : Presence::kAbsent;
}

std::vector<FrontEnd::BeforeLoadCommand> UnitsFrontEnd::BeforeLoad() const {
  if (!enabled_ || self_exe_.empty()) return {};
  bool work = false;
  for (const auto& dir : GeneratorDirs()) work = work || !files::ListDir(Under(root_, dir)).empty();
  for (const char* dir : {kGeneratorDir, kGeneratorEarlyDir, kGeneratorLateDir})
    work = work || files::Exists(Under(root_, dir));
  if (!work) return {};  // no fork at every boot of an image without generators
  BeforeLoadCommand run{"run-generators", {self_exe_, "run-generators"}, std::chrono::seconds(15)};
  if (root_ != "/" && !root_.empty()) {
    run.argv.push_back("--root");
    run.argv.push_back(root_);
  }
  return {run};
}

void UnitsFrontEnd::Load(const LoadContext& context, ServiceSet* set) {
  const std::string& root = root_;
  try {
    if (!enabled_) return;  // the image's units were looked for by Detect()
    UnitSetOptions opt;
    opt.root = root;
    opt.enable.search_path = ManagerSearchPath();
    opt.manager_env = context.environment;
    opt.runtime_conditions = true;
    opt.strict = strict_;
    if (skip_) opt.enable.skip = *skip_;
    for (const auto& p : skip_also_) opt.enable.skip.push_back(p);
    if (!context.init_scripts_run && sysv_scripts_) GenerateForInitScripts(root, &opt, set);
    UnitSet us = LoadUnitSet(opt);

    std::set<std::string> shadowed;
    if (context.init_scripts_run && init_scripts_win_) {
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
      if (!tag_output_) s.log_tag.clear();
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
  } catch (const std::exception& e) {
    set->diagnostics.push_back({root, 0, std::string("systemd units: ") + e.what()});
  }
}

}  // namespace ctinit::units
