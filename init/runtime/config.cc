#include "init/runtime/config.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <csignal>
#include <set>
#include <system_error>

#include "init/base/text.h"
#include "init/runtime/config_env.h"
#include "init/runtime/container_runtime.h"

namespace ctinit {
namespace {

using std::chrono::milliseconds;

constexpr milliseconds kDefaultFinalGrace{2000};
constexpr milliseconds kSmallestDefaultBudget = SmallestDefaultShutdownBudget();
constexpr std::size_t kMaxFileSize = 1 << 20;

struct NamedSignal {
  std::string_view name;
  int sig;
};
// Canonical names first; SignalName() uses the first match.
constexpr NamedSignal kSignalNames[] = {
    {"HUP", SIGHUP},   {"INT", SIGINT},       {"QUIT", SIGQUIT}, {"ILL", SIGILL},
    {"TRAP", SIGTRAP}, {"ABRT", SIGABRT},     {"BUS", SIGBUS},   {"FPE", SIGFPE},
    {"KILL", SIGKILL}, {"USR1", SIGUSR1},     {"SEGV", SIGSEGV}, {"USR2", SIGUSR2},
    {"PIPE", SIGPIPE}, {"ALRM", SIGALRM},     {"TERM", SIGTERM}, {"STKFLT", SIGSTKFLT},
    {"CHLD", SIGCHLD}, {"CONT", SIGCONT},     {"STOP", SIGSTOP}, {"TSTP", SIGTSTP},
    {"TTIN", SIGTTIN}, {"TTOU", SIGTTOU},     {"URG", SIGURG},   {"XCPU", SIGXCPU},
    {"XFSZ", SIGXFSZ}, {"VTALRM", SIGVTALRM}, {"PROF", SIGPROF}, {"WINCH", SIGWINCH},
    {"IO", SIGIO},     {"PWR", SIGPWR},       {"SYS", SIGSYS},   {"IOT", SIGABRT},
    {"POLL", SIGPOLL}, {"CLD", SIGCHLD},
};
constexpr int kFaultSignals[] = {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT, SIGTRAP, SIGSYS};

template <typename T>
struct Named {
  std::string_view name;
  T value;
};

constexpr Named<log::Level> kLogLevels[] = {{"quiet", log::Level::kQuiet},
                                            {"normal", log::Level::kNormal},
                                            {"verbose", log::Level::kVerbose},
                                            {"debug", log::Level::kDebug}};
constexpr Named<RebootMode> kRebootModes[] = {{"auto", RebootMode::kAuto},
                                              {"restart", RebootMode::kRestart},
                                              {"exit", RebootMode::kExit},
                                              {"syscall", RebootMode::kSyscall}};

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::optional<int> ParseInt(std::string_view s) {
  int n = 0;
  if (s.empty() || !std::isdigit(static_cast<unsigned char>(s[0]))) return std::nullopt;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
  if (ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
  return n;
}

bool IsFaultSignal(int sig) {
  return std::find(std::begin(kFaultSignals), std::end(kFaultSignals), sig) !=
         std::end(kFaultSignals);
}

// `name` is lower case without "sig": "term", "rtmin+3", "rtmax-1".
std::optional<int> SignalByName(std::string_view name) {
  if (name.substr(0, 5) == "rtmin" || name.substr(0, 5) == "rtmax") {
    bool min = name[4] == 'n';
    std::string_view rest = name.substr(5);
    std::optional<int> n = 0;
    if (!rest.empty()) n = rest[0] == (min ? '+' : '-') ? ParseInt(rest.substr(1)) : std::nullopt;
    if (!n || *n > SIGRTMAX - SIGRTMIN) return std::nullopt;
    return min ? SIGRTMIN + *n : SIGRTMAX - *n;
  }
  for (const auto& [n, sig] : kSignalNames) {
    if (Lower(n) == name) return sig;
  }
  return std::nullopt;
}

// Applies the layers (the file, then each environment variable) over a Config. Reports problems
// as "<source>:<line>:<column>: <message>", where the source is the file's path or the
// variable's name.
class Loader {
 public:
  Loader(const std::string& path, std::vector<std::string>* errors,
         const std::vector<std::string>& front_end_keys)
      : source_(path), errors_(errors), front_end_keys_(front_end_keys) {}

  void Error(const YAML::Mark& mark, const std::string& msg) {
    if (errors_ == nullptr) return;
    errors_->push_back(Where(mark) + ": " + msg);
  }

  std::string Where(const YAML::Mark& mark) const {
    if (mark.is_null()) return source_;
    return source_ + ":" + std::to_string(mark.line + 1) + ":" + std::to_string(mark.column + 1);
  }

  // One layer. Finish() once after the last.
  void Apply(const YAML::Node& root, Config* c) {
    if (root.IsNull()) return;  // empty file
    if (!root.IsMap()) return Error(root.Mark(), "the top level must be a mapping of keys");
    for (const auto& [key, value, name] : Entries(root, "top level")) {
      if (name == "log_level") {
        Lookup(value, name, kLogLevels, &c->log_level);
      } else if (name == "fifo") {
        if (auto s = Scalar(value, name); s && (s->empty() || (*s)[0] != '/')) {
          Error(value.Mark(), "'" + name + "' must be an absolute path, got '" + *s + "'");
        } else if (s) {
          c->fifo = *s;
        }
      } else if (name == "default_runlevel") {
        auto s = Scalar(value, name);
        if (s && s->size() == 1 && std::string_view("12345789Ss").find((*s)[0]) != s->npos) {
          c->default_runlevel = (*s)[0] == 's' ? 'S' : (*s)[0];
        } else if (s) {
          Error(value.Mark(), "'default_runlevel' must be one of 1-5, 7-9, S; got '" + *s + "'");
        }
      } else if (name == "shutdown") {
        if (!value.IsMap()) {
          Error(value.Mark(), "'shutdown' must be a mapping (budget, final_grace, kill_wait)");
          continue;
        }
        for (const auto& [k, v, sub] : Entries(value, "shutdown")) {
          if (sub == "budget") {
            std::chrono::milliseconds budget{};
            if (Duration(v, "shutdown.budget", &budget)) c->shutdown_budget = budget;
          } else if (sub == "final_grace") {
            // Given in an earlier layer and bad in this one: the earlier value stands.
            if (Duration(v, "shutdown.final_grace", &c->final_grace)) {
              grace_given_ = true;
              grace_where_ = Where(v.Mark());
            }
          } else if (sub == "kill_wait") {
            Duration(v, "shutdown.kill_wait", &c->kill_wait);
          } else {
            Error(k.Mark(),
                  "unknown key 'shutdown." + sub + "' (known: budget, final_grace, kill_wait)");
          }
        }
      } else if (name == "reboot") {
        Lookup(value, name, kRebootModes, &c->reboot);
      } else if (name == "reboot_exit_code") {
        auto s = Scalar(value, name);
        auto n = s ? ParseInt(*s) : std::nullopt;
        if (n && *n <= 255) {
          c->reboot_exit_code = *n;
        } else if (s) {
          Error(value.Mark(), "'reboot_exit_code' must be an integer 0-255, got '" + *s + "'");
        }
      } else if (name == "signals") {
        Signals(value, &c->signals);
      } else if (std::find(front_end_keys_.begin(), front_end_keys_.end(), name) !=
                 front_end_keys_.end()) {
        c->front_ends[name] = ToSetting(value);
      } else {
        std::string known =
            "log_level, fifo, default_runlevel, shutdown, reboot, reboot_exit_code, signals";
        for (const auto& k : front_end_keys_) known += ", " + k;
        Error(key.Mark(), "unknown key '" + name + "' (known: " + known + ")");
      }
    }
  }

  // The environment layer (config_env.h): each variable as a one-key document of its own, so
  // that the file's rules check it and its messages name it.
  void ApplyEnvironment(const std::vector<EnvironmentSetting>& settings, Config* c) {
    for (const auto& s : settings) {
      source_ = s.variable;
      const std::string& top = s.path[0];
      if (std::find(front_end_keys_.begin(), front_end_keys_.end(), top) != front_end_keys_.end()) {
        Setting value = EnvironmentValue(s.variable, s.value);
        if (s.path.size() == 2) {
          Setting wrapper;
          wrapper.where = s.variable;
          wrapper.is_map = true;
          wrapper.map.emplace_back(s.path[1], std::move(value));
          value = std::move(wrapper);
        }
        Overlay(&c->front_ends[top], value);
        continue;
      }
      YAML::Node value(s.value);
      if (top == "signals") value = SignalsNode(s);
      YAML::Node root;
      if (s.path.size() == 2) {
        root[top][s.path[1]] = value;
      } else {
        root[top] = value;
      }
      Apply(root, c);
    }
  }

  void Finish(Config* c) {
    // Without a budget: the smallest runtime default, so the file works under every runtime.
    auto budget = c->shutdown_budget.value_or(kSmallestDefaultBudget);
    if (grace_given_ && c->final_grace > budget) {
      if (errors_ != nullptr)
        errors_->push_back(grace_where_ +
                           ": 'shutdown.final_grace' is larger than 'shutdown.budget'");
      grace_given_ = false;
    }
    if (!grace_given_) c->final_grace = std::min(kDefaultFinalGrace, budget);
  }

  std::optional<bool> Bool(const YAML::Node& v, const std::string& name) {
    auto s = Scalar(v, name);
    if (s && (*s == "true" || *s == "yes")) return true;
    if (s && (*s == "false" || *s == "no")) return false;
    if (s) Error(v.Mark(), "'" + name + "' must be true or false; got '" + *s + "'");
    return std::nullopt;
  }

  std::optional<std::vector<std::string>> List(const YAML::Node& v, const std::string& name) {
    if (!v.IsSequence()) {
      Error(v.Mark(), "'" + name + "' must be a list");
      return std::nullopt;
    }
    std::vector<std::string> out;
    for (const auto& e : v)
      if (auto s = Scalar(e, name + " entry")) out.push_back(*s);
    return out;
  }

  // A front end's key, handed over as written (init/model/front_end.h).
  Setting ToSetting(const YAML::Node& v) {
    Setting out;
    out.where = Where(v.Mark());
    if (v.IsScalar()) {
      out.scalar = v.Scalar();
    } else if (v.IsSequence()) {
      out.is_list = true;
      for (const auto& e : v) out.list.push_back(ToSetting(e));
    } else if (v.IsMap()) {
      out.is_map = true;
      for (const auto& [k, sub, name] : Entries(v, "a mapping"))
        out.map.emplace_back(name, ToSetting(sub));
    }
    return out;
  }

 private:
  // CTINIT_SIGNALS="SIGINT=halt,SIGPWR=reboot" as the file's mapping; anything else stays a
  // scalar, which Signals() refuses with the file's message.
  static YAML::Node SignalsNode(const EnvironmentSetting& s) {
    Setting parsed = EnvironmentValue(s.variable, s.value);
    if (text::Trim(s.value).empty()) return YAML::Node(YAML::NodeType::Map);
    if (!parsed.is_map) return YAML::Node(s.value);
    YAML::Node map(YAML::NodeType::Map);
    for (const auto& [k, v] : parsed.map) map[k] = *v.scalar;
    return map;
  }

  // A mapping over a mapping merges per key (the file's other keys stay); anything else
  // replaces.
  static void Overlay(Setting* into, const Setting& value) {
    if (!into->is_map || !value.is_map) {
      *into = value;
      return;
    }
    for (const auto& item : value.map) {
      // Not a structured binding: clang 14 (the fuzz build) cannot capture one in a lambda.
      const std::string& key = item.first;
      auto it = std::find_if(into->map.begin(), into->map.end(),
                             [&](const auto& entry) { return entry.first == key; });
      if (it == into->map.end()) {
        into->map.push_back(item);
      } else {
        Overlay(&it->second, item.second);
      }
    }
  }

  struct Entry {
    YAML::Node key, value;
    std::string name;
  };

  // The entries of a mapping with scalar, unique keys; reports the others.
  std::vector<Entry> Entries(const YAML::Node& map, const std::string& where) {
    std::vector<Entry> out;
    std::set<std::string> seen;
    for (const auto& kv : map) {
      if (!kv.first.IsScalar()) {
        Error(kv.first.Mark(), "keys in " + where + " must be plain strings");
      } else if (!seen.insert(kv.first.Scalar()).second) {
        Error(kv.first.Mark(), "duplicate key '" + kv.first.Scalar() + "' in " + where);
      } else {
        out.push_back({kv.first, kv.second, kv.first.Scalar()});
      }
    }
    return out;
  }

  std::optional<std::string> Scalar(const YAML::Node& value, const std::string& name) {
    if (value.IsScalar()) return value.Scalar();
    const char* got = value.IsMap() ? "a mapping" : value.IsSequence() ? "a list" : "nothing";
    Error(value.Mark(), "'" + name + "' needs a single value, got " + got);
    return std::nullopt;
  }

  template <typename T, std::size_t N>
  void Lookup(const YAML::Node& value, const std::string& name, const Named<T> (&table)[N],
              T* out) {
    auto s = Scalar(value, name);
    if (!s) return;
    std::string known;
    for (const auto& [n, v] : table) {
      if (n == *s) {
        *out = v;
        return;
      }
      known += known.empty() ? std::string(n) : " | " + std::string(n);
    }
    Error(value.Mark(), "'" + name + "' must be " + known + ", got '" + *s + "'");
  }

  bool Duration(const YAML::Node& value, const std::string& name, milliseconds* out) {
    auto s = Scalar(value, name);
    if (!s) return false;
    if (auto d = ParseDuration(*s)) {
      *out = *d;
      return true;
    }
    Error(value.Mark(), "'" + name + "' must be a duration like 8s, 500ms, 1.5s or 1min (at most " +
                            "24h, not negative), got '" + *s + "'");
    return false;
  }

  void Signals(const YAML::Node& value, std::map<int, SignalRule>* out) {
    if (!value.IsMap()) {
      return Error(value.Mark(), "'signals' must be a mapping of signal: action");
    }
    std::map<int, std::string> seen;
    for (const auto& [k, v, name] : Entries(value, "signals")) {
      auto sig = ParseSignal(name);
      if (!sig || IsFaultSignal(*sig)) {
        Error(k.Mark(), "cannot map signal '" + name +
                            "': unknown, or one of SIGKILL/SIGSTOP (uncatchable), SIGCHLD "
                            "(reaper), 32/33 (libc), SIGSEGV/BUS/FPE/ILL/ABRT/TRAP/SYS (faults)");
        continue;
      }
      if (auto [it, fresh] = seen.emplace(*sig, name); !fresh) {
        Error(k.Mark(), "signal '" + name + "' is the same as '" + it->second + "'");
        continue;
      }
      auto text = Scalar(v, "signals." + name);
      if (!text) continue;
      if (auto rule = ParseSignalRule(*text)) {
        (*out)[*sig] = *rule;
      } else {
        Error(v.Mark(), "unknown action '" + *text + "' for " + name +
                            " (known: halt, poweroff, reboot, ctrlaltdel, reload, kbrequest, "
                            "reopen-fifo, close-fifo, powerfail, runlevel <0-9|S|a|b|c>, ignore, "
                            "exit)");
      }
    }
  }

  std::string source_;  // the file's path, or the variable being applied
  std::vector<std::string>* errors_;
  const std::vector<std::string>& front_end_keys_;
  bool grace_given_ = false;  // final_grace set explicitly by some layer
  std::string grace_where_;
};

Config Fallback(const std::string& path, std::vector<std::string>* errors, const char* what) {
  try {
    if (errors != nullptr) errors->push_back(path + ": " + what + "; using defaults");
    return DefaultConfig();
  } catch (...) {
    return Config{};  // no allocation: short strings, empty map
  }
}

// Reads `path` into *text. A missing file is an empty one; any other problem is one message
// and false (the file's layer is then empty: all defaults).
bool ReadConfigFile(const std::string& path, std::string* text, std::vector<std::string>* errors) {
  struct Fd {
    int fd;
    ~Fd() {
      if (fd >= 0) ::close(fd);
    }
  } guard{::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY)};
  int fd = guard.fd;
  if (fd < 0 && errno == ENOENT) return true;
  std::string problem;
  struct stat st {};
  if (fd < 0) {
    problem = "cannot open: " + std::generic_category().message(errno);
  } else if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    problem = "not a regular file";
  } else {
    char buf[8192];
    ssize_t n;
    while (text->size() <= kMaxFileSize && (n = ::read(fd, buf, sizeof buf)) != 0) {
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) {
        problem = "cannot read: " + std::generic_category().message(errno);
        break;
      }
      text->append(buf, static_cast<std::size_t>(n));
    }
    if (text->size() > kMaxFileSize) problem = "larger than 1 MiB";
  }
  if (problem.empty()) return true;
  if (errors != nullptr) errors->push_back(path + ": " + problem + "; using defaults");
  return false;
}

}  // namespace

std::string_view SignalActionName(SignalAction action) {
  const SignalActionRow* row = FindSignalAction(action);
  return row ? row->name : "unknown";
}

std::string SignalRuleName(const SignalRule& rule) {
  std::string name(SignalActionName(rule.action));
  if (rule.action == SignalAction::kRunlevel) name += std::string(" ") + rule.level;
  return name;
}

std::optional<SignalRule> ParseSignalRule(std::string_view text) {
  std::string s = Lower(text);
  std::vector<std::string> words;
  for (std::size_t i = 0; i < s.size();) {
    std::size_t end = std::min(s.find_first_of(" \t", i), s.size());
    if (end > i) words.push_back(s.substr(i, end - i));
    i = end + 1;
  }
  if (words.empty() || words.size() > 2) return std::nullopt;
  for (const auto& row : SignalActionTable()) {
    const SignalAction action = row.action;
    if (row.name != words[0]) continue;
    if (action != SignalAction::kRunlevel) {
      if (words.size() != 1) return std::nullopt;
      return SignalRule{action};
    }
    if (words.size() != 2 || words[1].size() != 1) return std::nullopt;
    char level = words[1][0];
    if (std::string_view("0123456789sabc").find(level) == std::string_view::npos) {
      return std::nullopt;
    }
    return SignalRule{action, level == 's' ? 'S' : level};
  }
  return std::nullopt;
}

std::optional<int> ParseSignal(std::string_view text) {
  std::string s = Lower(text);
  std::string_view name = s;
  if (name.substr(0, 3) == "sig") name.remove_prefix(3);
  std::optional<int> sig = name.size() == s.size() ? ParseInt(s) : std::nullopt;  // not "SIG15"
  if (!sig) sig = SignalByName(name);
  if (!sig || *sig < 1 || *sig > SIGRTMAX || (*sig >= 32 && *sig < SIGRTMIN)) return std::nullopt;
  if (*sig == SIGKILL || *sig == SIGSTOP || *sig == SIGCHLD) return std::nullopt;
  return sig;
}

std::string SignalName(int sig) {
  for (const auto& [name, value] : kSignalNames) {
    if (value == sig) return "SIG" + std::string(name);
  }
  if (sig == SIGRTMIN) return "SIGRTMIN";
  if (sig > SIGRTMIN && sig <= SIGRTMAX) return "SIGRTMIN+" + std::to_string(sig - SIGRTMIN);
  return std::to_string(sig);
}

std::optional<milliseconds> ParseDuration(std::string_view text) {
  std::size_t num_end = text.find_first_not_of("0123456789.");
  std::string_view num = text.substr(0, num_end);
  std::string_view unit = num_end == text.npos ? "" : text.substr(num_end);
  unit.remove_prefix(std::min(unit.find_first_not_of(' '), unit.size()));
  if (num.find_first_of("0123456789") == num.npos || num.find('.') != num.rfind('.')) {
    return std::nullopt;
  }
  double value = 0;
  auto [end, ec] = std::from_chars(num.data(), num.data() + num.size(), value);
  if (ec != std::errc() || end != num.data() + num.size()) return std::nullopt;
  double scale = 0;
  if (unit.empty() || unit == "s") scale = 1000;
  if (unit == "ms") scale = 1;
  if (unit == "m" || unit == "min") scale = 60'000;
  if (unit == "h") scale = 3'600'000;
  double ms = value * scale;
  if (scale == 0 || !std::isfinite(ms) || ms > 86'400'000) return std::nullopt;
  return milliseconds(std::llround(ms));
}

Config DefaultConfig() {
  Config c;
  using A = SignalAction;
  c.signals = {
      {SIGTERM, {A::kHalt}},          {SIGPWR, {A::kHalt}},         {SIGRTMIN + 3, {A::kHalt}},
      {SIGRTMIN + 4, {A::kPowerOff}}, {SIGRTMIN + 5, {A::kReboot}}, {SIGINT, {A::kCtrlAltDel}},
      {SIGHUP, {A::kReload}},         {SIGWINCH, {A::kKbRequest}},  {SIGUSR1, {A::kReopenFifo}},
      {SIGUSR2, {A::kCloseFifo}},
  };
  for (int sig : {SIGQUIT, SIGPIPE, SIGALRM, SIGSTKFLT, SIGTSTP, SIGTTIN, SIGTTOU, SIGXCPU, SIGXFSZ,
                  SIGVTALRM, SIGPROF, SIGIO}) {
    c.signals[sig] = {A::kIgnore};
  }
  for (int sig = SIGRTMIN; sig <= SIGRTMAX; ++sig) c.signals.insert({sig, {A::kIgnore}});
  return c;
}

Config ParseConfig(std::string_view yaml, const std::string& path, std::vector<std::string>* errors,
                   const std::vector<std::string>& front_end_keys) noexcept {
  return ParseConfigWithEnvironment(yaml, path, {}, errors, front_end_keys);
}

Config ParseConfigWithEnvironment(std::string_view yaml, const std::string& path,
                                  const std::vector<std::string>& environment,
                                  std::vector<std::string>* errors,
                                  const std::vector<std::string>& front_end_keys) noexcept {
  try {
    Loader loader(path, errors, front_end_keys);
    YAML::Node root;
    try {
      root = YAML::Load(std::string(yaml));
    } catch (const YAML::Exception& e) {
      loader.Error(e.mark, e.msg + "; using all defaults");
      root = YAML::Node();
    }
    Config c = DefaultConfig();
    loader.Apply(root, &c);
    loader.ApplyEnvironment(SettingsFromEnvironment(environment, front_end_keys, nullptr), &c);
    loader.Finish(&c);
    return c;
  } catch (const std::exception& e) {
    return Fallback(path, errors, e.what());
  } catch (...) {
    return Fallback(path, errors, "unexpected error");
  }
}

Config LoadConfig(const std::string& path, std::vector<std::string>* errors,
                  const std::vector<std::string>& front_end_keys) noexcept {
  try {
    std::string text;
    if (!ReadConfigFile(path, &text, errors)) text.clear();
    return ParseConfigWithEnvironment(text, path, TakenConfigEnvironment(), errors, front_end_keys);
  } catch (const std::exception& e) {
    return Fallback(path, errors, e.what());
  } catch (...) {
    return Fallback(path, errors, "unexpected error");
  }
}

std::vector<int> SignalsToIgnore(const Config& config) {
  std::vector<int> out;
  for (const auto& [sig, rule] : config.signals) {
    if (rule.action == SignalAction::kIgnore) out.push_back(sig);
  }
  return out;
}

std::vector<int> SignalsToHandle(const Config& config) {
  std::vector<int> out;
  for (const auto& [sig, rule] : config.signals) {
    if (rule.action != SignalAction::kIgnore) out.push_back(sig);
  }
  return out;
}

}  // namespace ctinit
