// One init script -> what its generated unit says (see sysv_script.h).
#include "unit-compat/sysv_script.h"

#include <algorithm>
#include <cstdio>

#include "init/base/text.h"
#include "unit-compat/specifiers.h"
#include "unit-compat/values.h"

namespace ctinit::units {

namespace {

bool StartsWithNoCase(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() &&
         text::Lower(s.substr(0, prefix.size())) == text::Lower(prefix);
}

bool ContainsNoCase(std::string_view s, std::string_view what) {
  return text::Lower(s).find(text::Lower(what)) != std::string::npos;
}

bool UsageListsReload(std::string_view line) {
  for (const char* form :
       {"{reload|", "{reload}", "{reload\"", "|reload|", "|reload}", "|reload\""})
    if (ContainsNoCase(line, form)) return true;
  return false;
}

std::string WithoutSh(std::string_view name) {
  if (name.ends_with(".sh")) name.remove_suffix(3);
  return std::string(name);
}

// A facility -> a unit name; "" when it stands for nothing (see the table in sysv_script.h).
std::string Facility(std::string_view word, std::string_view own_name) {
  struct Known {
    std::string_view facility, unit;
  };
  constexpr Known kTable[] = {{"local_fs", ""},
                              {"network", "network-online.target"},
                              {"named", "nss-lookup.target"},
                              {"portmap", "rpcbind.target"},
                              {"remote_fs", "remote-fs.target"},
                              {"syslog", ""},
                              {"time", "time-sync.target"}};
  bool dollar = !word.empty() && word[0] == '$';
  std::string_view bare = dollar ? word.substr(1) : word;
  for (const auto& k : kTable)
    if (k.facility == bare) return std::string(k.unit);
  if (dollar)
    return ParseUnitName(std::string(bare) + ".target") ? std::string(bare) + ".target" : "";
  if (bare == WithoutSh(own_name)) return "";
  return SysvUnitName(bare).value_or("");
}

void AddOnce(std::vector<std::string>* list, const std::string& name) {
  if (std::find(list->begin(), list->end(), name) == list->end()) list->push_back(name);
}

std::vector<std::string> HeaderWords(std::string_view value) {
  auto words = SplitWords(value, kExtractUnquote | kExtractRelax);
  return words ? *words : std::vector<std::string>{};
}

class Reader {
 public:
  Reader(std::string_view file_name, SysvScript* out) : name_(file_name), out_(out) {}
  void Line(std::string_view raw);
  void Finish();

 private:
  enum class State { kNormal, kDescription, kLsb, kLsbDescription, kUsageContinuation };
  void UsageLine(std::string_view line);
  void NormalComment(std::string_view t);
  void LsbComment(std::string_view line, std::string_view t);
  void Provides(std::string_view value);
  void Dependencies(std::string_view value, bool before);

  std::string_view name_;
  SysvScript* out_;
  State state_ = State::kNormal;
  std::string short_description_, long_description_, chkconfig_description_;
};

void Reader::Line(std::string_view raw) {
  std::string_view line = text::Trim(raw);
  if (line.empty() || line[0] != '#') return UsageLine(line);
  if (state_ == State::kNormal && line == "### BEGIN INIT INFO") {
    state_ = State::kLsb;
    out_->has_lsb = true;
    return;
  }
  if ((state_ == State::kLsb || state_ == State::kLsbDescription) && line == "### END INIT INFO") {
    state_ = State::kNormal;
    return;
  }
  std::string_view t = line.substr(1);
  t.remove_prefix(std::min(t.find_first_not_of(" \t"), t.size()));
  if (state_ == State::kNormal || state_ == State::kDescription)
    NormalComment(t);
  else if (state_ == State::kLsb || state_ == State::kLsbDescription)
    LsbComment(line, t);
}

void Reader::UsageLine(std::string_view line) {
  if (state_ != State::kUsageContinuation &&
      !(state_ == State::kNormal && ContainsNoCase(line, "usage")))
    return;
  if (UsageListsReload(line)) {
    out_->reload = true;
    state_ = State::kNormal;
  } else {
    state_ = line.ends_with('\\') ? State::kUsageContinuation : State::kNormal;
  }
}

// chkconfig's "# description:" (with "\" continuations) and "# pidfile:".
void Reader::NormalComment(std::string_view t) {
  bool continued = t.ends_with('\\');
  if (continued) t.remove_suffix(1);
  if (state_ == State::kDescription) {
    if (!continued) state_ = State::kNormal;
    std::string_view part = text::Trim(t);
    if (!part.empty())
      chkconfig_description_ += (chkconfig_description_.empty() ? "" : " ") + std::string(part);
    return;
  }
  if (StartsWithNoCase(t, "description:")) {
    if (continued) state_ = State::kDescription;
    chkconfig_description_ = std::string(text::Trim(t.substr(12)));
  } else if (StartsWithNoCase(t, "pidfile:")) {
    std::string_view path = text::Trim(t.substr(8));
    if (!path.empty() && path[0] == '/') out_->pid_file = std::string(path);
  }
}

// `line` is the whole stripped line, `t` its text after "#" and blanks.
void Reader::LsbComment(std::string_view line, std::string_view t) {
  auto value = [&](size_t key_length) { return t.substr(key_length); };
  if (StartsWithNoCase(t, "Provides:")) {
    state_ = State::kLsb;
    Provides(value(9));
  } else if (StartsWithNoCase(t, "Required-Start:") || StartsWithNoCase(t, "Should-Start:") ||
             StartsWithNoCase(t, "X-Start-After:")) {
    state_ = State::kLsb;
    Dependencies(t.substr(t.find(':') + 1), false);
  } else if (StartsWithNoCase(t, "X-Start-Before:")) {
    state_ = State::kLsb;
    Dependencies(value(15), true);
  } else if (StartsWithNoCase(t, "Description:")) {
    state_ = State::kLsbDescription;
    long_description_ = std::string(text::Trim(value(12)));
  } else if (StartsWithNoCase(t, "Short-Description:")) {
    state_ = State::kLsb;
    short_description_ = std::string(text::Trim(value(18)));
  } else if (state_ == State::kLsbDescription) {
    if (line.starts_with("#\t") || line.starts_with("#  ")) {  // a continuation line
      std::string_view part = text::Trim(t);
      if (!part.empty())
        long_description_ += (long_description_.empty() ? "" : " ") + std::string(part);
    } else {
      state_ = State::kLsb;
    }
  }
}

void Reader::Provides(std::string_view value) {
  for (const auto& word : HeaderWords(value)) {
    std::string unit = Facility(word, name_);
    if (unit.empty()) continue;
    if (unit.ends_with(".service")) {
      AddOnce(&out_->aliases, unit);
    } else if (unit.ends_with(".target")) {
      // A target a script provides is pulled in by it (one way: the target does not start it).
      AddOnce(&out_->before, unit);
      AddOnce(&out_->wants, unit);
      if (unit == "network-online.target") {
        AddOnce(&out_->before, "network.target");
        AddOnce(&out_->wants, "network.target");
      }
    }
  }
}

void Reader::Dependencies(std::string_view value, bool before) {
  for (const auto& word : HeaderWords(value)) {
    std::string unit = Facility(word, name_);
    if (unit.empty()) continue;
    if (unit == "network-online.target" && !before) {
      AddOnce(&out_->after, unit);  // nothing else pulls it in
      AddOnce(&out_->wants, unit);
    } else {
      AddOnce(before ? &out_->before : &out_->after, unit);
    }
  }
}

void Reader::Finish() {
  const std::string& d = !short_description_.empty()       ? short_description_
                         : !chkconfig_description_.empty() ? chkconfig_description_
                                                           : long_description_;
  if (!d.empty()) out_->description = (out_->has_lsb ? "LSB: " : "SYSV: ") + d;
}

}  // namespace

SysvScript ParseSysvScript(std::string_view text, std::string_view file_name) {
  SysvScript out;
  Reader reader(file_name, &out);
  while (!text.empty()) {
    size_t nl = text.find('\n');
    reader.Line(text.substr(0, nl));
    text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
  }
  reader.Finish();
  return out;
}

std::optional<std::string> SysvUnitName(std::string_view name) {
  std::string base = WithoutSh(name);
  if (base.empty() || base.size() > 200) return std::nullopt;
  if (ParseUnitName(base)) return base;
  std::string out;
  for (char c : base) {
    bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                 c == ':' || c == '-' || c == '_' || c == '.' || c == '\\' || c == '@';
    if (plain) {
      out += c;
    } else if (c == '/') {
      out += '-';
    } else {
      char hex[8];
      std::snprintf(hex, sizeof hex, "\\x%02x", static_cast<unsigned char>(c));
      out += hex;
    }
  }
  out += ".service";
  if (!ParseUnitName(out)) return std::nullopt;
  return out;
}

}  // namespace ctinit::units
