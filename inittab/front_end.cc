#include "inittab/front_end.h"

#include <unistd.h>

#include "init/base/files.h"
#include "inittab/getty_terminal.h"
#include "inittab/inittab.h"

namespace ctinit::inittab {

namespace {

using files::Under;

// An absolute path, or nullopt with one message.
std::optional<std::string> AbsolutePath(const Setting& s, const std::string& name,
                                        std::vector<std::string>* errors) {
  auto v = SettingScalar(s, name, errors);
  if (v && (v->empty() || (*v)[0] != '/')) {
    SettingError(s, "'" + name + "' must be an absolute path, got '" + *v + "'", errors);
    return std::nullopt;
  }
  return v;
}

}  // namespace

InittabFrontEnd::InittabFrontEnd(std::string root, std::optional<std::string> path_override)
    : root_(std::move(root)), path_override_(std::move(path_override)) {
  if (path_override_) path_ = *path_override_;
}

void InittabFrontEnd::Configure(const Settings& settings, std::vector<std::string>* errors) {
  path_ = "/etc/inittab";
  dir_ = "/etc/inittab.d";
  if (auto it = settings.find("inittab"); it != settings.end())
    if (auto p = AbsolutePath(it->second, "inittab", errors)) path_ = *p;
  if (auto it = settings.find("inittab_d"); it != settings.end())
    if (auto p = AbsolutePath(it->second, "inittab_d", errors)) dir_ = *p;
  if (path_override_) path_ = *path_override_;
}

FrontEnd::Presence InittabFrontEnd::Detect() const {
  return ::access(Under(root_, path_).c_str(), F_OK) == 0 ? Presence::kPresent : Presence::kAbsent;
}

void InittabFrontEnd::Load(const LoadContext& /*context*/, ServiceSet* set) {
  ServiceSet own = inittab::Load(Under(root_, path_), Under(root_, dir_));
  DropGettysWithoutTerminal(&own, [this](const std::string& dev_path) {
    return ::access(Under(root_, dev_path).c_str(), F_OK) == 0;
  });
  for (auto& s : own.services) set->services.push_back(std::move(s));
  for (auto& d : own.diagnostics) set->diagnostics.push_back(std::move(d));
  for (auto& i : own.inactive) set->inactive.push_back(std::move(i));
  if (own.default_level && !set->default_level) set->default_level = own.default_level;
}

}  // namespace ctinit::inittab
