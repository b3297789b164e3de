#include "init/runtime/config_env.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>

#include "init/base/log.h"
#include "init/base/text.h"

extern char** environ;

namespace ctinit {
namespace {

constexpr std::string_view kPrefix = "CTINIT_";

// ctinit's own top-level keys (config.h); `shutdown` is the one whose value is a mapping of
// sub-keys. The front ends' keys may all be mappings: only their readers know.
struct TopKey {
  std::string name;
  bool has_sub_keys;
};
const std::vector<TopKey> kOwnKeys = {
    {"log_level", false}, {"fifo", false},   {"default_runlevel", false},
    {"shutdown", true},   {"reboot", false}, {"reboot_exit_code", false},
    {"signals", false},
};

std::string Upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// The key path `name` (without the prefix) stands for, or an empty path.
std::vector<std::string> KeyPath(std::string_view name, const std::vector<TopKey>& keys) {
  const TopKey* best = nullptr;
  std::string best_upper;
  for (const auto& key : keys) {
    std::string upper = EnvironmentName(key.name).substr(kPrefix.size());
    bool exact = name == upper;
    bool sub = key.has_sub_keys && name.size() > upper.size() + 1 &&
               name.substr(0, upper.size() + 1) == upper + "_";
    if ((exact || sub) && upper.size() > best_upper.size()) {
      best = &key;
      best_upper = upper;
    }
  }
  if (best == nullptr) return {};
  if (name.size() == best_upper.size()) return {best->name};
  return {best->name, Lower(name.substr(best_upper.size() + 1))};
}

// "a=b" → {"a", "b"}; false when there is no '=' or nothing before it.
bool SplitItem(std::string_view item, std::string* key, std::string* value) {
  std::size_t eq = item.find('=');
  if (eq == std::string_view::npos) return false;
  *key = std::string(text::Trim(item.substr(0, eq)));
  *value = std::string(text::Trim(item.substr(eq + 1)));
  return !key->empty();
}

std::vector<std::string>& Taken() {
  static std::vector<std::string> taken;
  return taken;
}

}  // namespace

std::string EnvironmentName(std::string_view key_path) {
  std::string name = Upper(key_path);
  std::replace(name.begin(), name.end(), '.', '_');
  return std::string(kPrefix) + name;
}

std::vector<EnvironmentSetting> SettingsFromEnvironment(
    const std::vector<std::string>& environment, const std::vector<std::string>& front_end_keys,
    std::vector<std::string>* unknown) {
  std::vector<TopKey> keys = kOwnKeys;
  for (const auto& k : front_end_keys) keys.push_back({k, true});
  std::vector<EnvironmentSetting> out;
  for (const auto& entry : environment) {
    std::string_view e = entry;
    std::size_t eq = e.find('=');
    if (e.substr(0, kPrefix.size()) != kPrefix || eq == std::string_view::npos) continue;
    std::string variable(e.substr(0, eq));
    auto path = KeyPath(e.substr(kPrefix.size(), eq - kPrefix.size()), keys);
    if (path.empty()) {
      if (unknown != nullptr) unknown->push_back(variable);
      continue;
    }
    out.push_back({variable, std::move(path), std::string(e.substr(eq + 1))});
  }
  return out;
}

Setting EnvironmentValue(const std::string& variable, std::string_view value) {
  Setting s;
  s.where = variable;
  s.scalar = std::string(value);
  s.is_list = true;
  std::string items(value);
  std::replace_if(
      items.begin(), items.end(),
      [](char c) { return c == ',' || std::isspace(static_cast<unsigned char>(c)); }, ' ');
  for (const auto& item : text::Split(items, ' ')) {
    if (item.empty()) continue;
    Setting e;
    e.where = variable;
    e.scalar = std::string(item);
    s.list.push_back(std::move(e));
  }
  // A mapping only when every comma-separated item is KEY=VALUE (a value may hold spaces:
  // "SIGUSR2=runlevel 1").
  bool all_pairs = true;
  std::vector<std::pair<std::string, Setting>> map;
  for (const auto& item : text::Split(std::string(value), ',')) {
    if (text::Trim(item).empty()) continue;
    std::string k, v;
    if (!SplitItem(item, &k, &v)) {
      all_pairs = false;
      break;
    }
    Setting e;
    e.where = variable;
    e.scalar = v;
    map.emplace_back(k, std::move(e));
  }
  if (all_pairs && !map.empty()) {
    s.is_map = true;
    s.map = std::move(map);
  }
  return s;
}

void TakeConfigEnvironment(const std::vector<std::string>& front_end_keys) {
  std::vector<std::string> all;
  for (char** e = environ; e != nullptr && *e != nullptr; ++e) all.emplace_back(*e);
  std::vector<std::string> unknown;
  auto settings = SettingsFromEnvironment(all, front_end_keys, &unknown);
  Taken().clear();
  for (const auto& s : settings) {
    Taken().push_back(s.variable + "=" + s.value);
    ::unsetenv(s.variable.c_str());
  }
  if (!unknown.empty()) {
    log::Warn(
        "ignoring {} (not a setting: ctinit reads CTINIT_ + a key of ctinit.yaml, see "
        "ctinit --help)",
        text::Join(unknown, ", "));
  }
}

const std::vector<std::string>& TakenConfigEnvironment() { return Taken(); }

}  // namespace ctinit
