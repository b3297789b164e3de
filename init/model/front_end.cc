#include "init/model/front_end.h"

#include <algorithm>

namespace ctinit {

void SettingError(const Setting& s, const std::string& message, std::vector<std::string>* errors) {
  if (errors) errors->push_back(s.where.empty() ? message : s.where + ": " + message);
}

std::optional<std::string> SettingScalar(const Setting& s, const std::string& name,
                                         std::vector<std::string>* errors) {
  if (!s.scalar) {
    const char* got = s.is_map ? "a mapping" : s.is_list ? "a list" : "nothing";
    SettingError(s, "'" + name + "' needs a single value, got " + got, errors);
    return std::nullopt;
  }
  return s.scalar;
}

std::optional<bool> SettingBool(const Setting& s, const std::string& name,
                                std::vector<std::string>* errors) {
  auto v = SettingScalar(s, name, errors);
  if (v && (*v == "true" || *v == "yes")) return true;
  if (v && (*v == "false" || *v == "no")) return false;
  if (v) SettingError(s, "'" + name + "' must be true or false; got '" + *v + "'", errors);
  return std::nullopt;
}

std::optional<std::vector<std::string>> SettingList(const Setting& s, const std::string& name,
                                                    std::vector<std::string>* errors) {
  if (!s.is_list) {
    SettingError(s, "'" + name + "' must be a list", errors);
    return std::nullopt;
  }
  std::vector<std::string> out;
  for (const auto& e : s.list)
    if (auto v = SettingScalar(e, name + " entry", errors)) out.push_back(*v);
  return out;
}

namespace {

std::string JoinChoices(const std::vector<std::string>& choices, const char* last) {
  std::string out;
  for (size_t i = 0; i < choices.size(); ++i) {
    if (i) out += i + 1 == choices.size() ? last : ", ";
    out += choices[i];
  }
  return out;
}

}  // namespace

std::optional<std::string> SettingChoice(const Setting& s, const std::string& name,
                                         const std::vector<std::string>& choices,
                                         std::vector<std::string>* errors) {
  auto v = SettingScalar(s, name, errors);
  if (!v) return std::nullopt;
  if (std::find(choices.begin(), choices.end(), *v) != choices.end()) return v;
  SettingError(s, "'" + name + "' must be " + JoinChoices(choices, " or ") + "; got '" + *v + "'",
               errors);
  return std::nullopt;
}

std::vector<std::pair<std::string, const Setting*>> SettingEntries(
    const Setting& s, const std::string& name, const std::vector<std::string>& known,
    std::vector<std::string>* errors) {
  std::vector<std::pair<std::string, const Setting*>> out;
  if (!s.is_map) {
    SettingError(s, "'" + name + "' must be a mapping (" + JoinChoices(known, ", ") + ")", errors);
    return out;
  }
  for (const auto& [key, value] : s.map) {
    if (std::find(known.begin(), known.end(), key) == known.end()) {
      SettingError(
          value, "unknown key '" + name + "." + key + "' (known: " + JoinChoices(known, ", ") + ")",
          errors);
      continue;
    }
    out.emplace_back(key, &value);
  }
  return out;
}

}  // namespace ctinit
