#include "inittab/inittab.h"

#include <dirent.h>
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <optional>
#include <set>
#include <system_error>
#include <vector>

namespace ctinit::inittab {

namespace {

constexpr size_t kLineBuffer = 256;  // sysvinit's fgets() buffer: at most 254 chars + '\n'
constexpr size_t kMaxId = 4;         // sizeof(utmp.ut_id)
constexpr size_t kMaxLevels = 11;    // RUNLEVEL_LENGTH - 1
constexpr size_t kMaxProcess = 256;  // PROCESS_LENGTH / 2
constexpr size_t kMaxAction = 32;    // ACTION_LENGTH - 1
constexpr std::string_view kAllLevels = "0123456789";
constexpr std::string_view kPowerLevels = "S0123456789";

enum class Action {
  kRespawn,
  kWait,
  kOnce,
  kBoot,
  kBootWait,
  kPowerFail,
  kPowerFailNow,
  kPowerWait,
  kPowerOkWait,
  kCtrlAltDel,
  kOff,
  kOnDemand,
  kInitDefault,
  kSysInit,
  kKbRequest
};

struct ActionInfo {
  std::string_view name;
  Action action;
  Trigger trigger;
  Kind kind;
  bool blocking;
};

// sysvinit's actions[] table, with the translation into the model.
constexpr ActionInfo kActions[] = {
    {"respawn", Action::kRespawn, Trigger::kRunlevel, Kind::kLongRun, false},
    {"wait", Action::kWait, Trigger::kRunlevel, Kind::kTask, true},
    {"once", Action::kOnce, Trigger::kRunlevel, Kind::kTask, false},
    {"boot", Action::kBoot, Trigger::kBoot, Kind::kTask, false},
    {"bootwait", Action::kBootWait, Trigger::kBoot, Kind::kTask, true},
    {"powerfail", Action::kPowerFail, Trigger::kPowerFail, Kind::kTask, false},
    {"powerfailnow", Action::kPowerFailNow, Trigger::kPowerFailNow, Kind::kTask, true},
    {"powerwait", Action::kPowerWait, Trigger::kPowerWait, Kind::kTask, true},
    {"powerokwait", Action::kPowerOkWait, Trigger::kPowerOkWait, Kind::kTask, true},
    {"ctrlaltdel", Action::kCtrlAltDel, Trigger::kCtrlAltDel, Kind::kTask, true},
    {"off", Action::kOff, Trigger::kRunlevel, Kind::kTask, false},
    {"ondemand", Action::kOnDemand, Trigger::kRunlevel, Kind::kLongRun, false},
    {"initdefault", Action::kInitDefault, Trigger::kRunlevel, Kind::kTask, false},
    {"sysinit", Action::kSysInit, Trigger::kSysInit, Kind::kTask, true},
    {"kbrequest", Action::kKbRequest, Trigger::kKbRequest, Kind::kTask, false},
};

bool IsPower(Action a) {
  return a == Action::kPowerWait || a == Action::kPowerFail || a == Action::kPowerOkWait ||
         a == Action::kPowerFailNow || a == Action::kCtrlAltDel;
}

char Lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

bool EqualsNoCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (Lower(a[i]) != Lower(b[i])) return false;
  }
  return true;
}

const ActionInfo* FindAction(std::string_view name) {
  for (const ActionInfo& info : kActions) {
    if (EqualsNoCase(name, info.name)) return &info;
  }
  return nullptr;
}

// Text from the file, made safe for a log line: control bytes become \xNN.
std::string Printable(std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (char c : s) {
    auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f) {
      out += "\\x";
      out += kHex[u >> 4];
      out += kHex[u & 0xf];
    } else {
      out += c;
    }
  }
  return out;
}

std::string Normalize(std::string_view field) {
  std::string out;
  for (char c : field) {
    char n = (c >= '0' && c <= '9') || c == 'S' ? c : '\0';
    if (c == 'a' || c == 'b' || c == 'c' || c == 'A' || c == 'B' || c == 'C') n = Lower(c);
    if (n != '\0' && out.find(n) == std::string::npos) out += n;
  }
  return out;
}

// sysvinit's get_init_default(): highest (signed) char of the field, upper-cased.
std::optional<char> HighestLevel(std::string_view field) {
  int lvl = -1;
  for (char c : field) lvl = std::max(lvl, static_cast<int>(static_cast<signed char>(c)));
  if (lvl <= 0) return std::nullopt;
  if (lvl >= 'a' && lvl <= 'z') lvl = lvl - 'a' + 'A';
  return static_cast<char>(lvl);
}

bool IsBlankOrComment(std::string_view line) {
  size_t i = line.find_first_not_of(" \t");
  return i == std::string_view::npos || line[i] == '#' || line.substr(i) == "\r";
}

// busybox's `tty:ignored:action:command`: an empty id with one of its actions, or one of the
// actions only busybox has.
bool LooksLikeBusybox(std::string_view id, std::string_view action) {
  for (std::string_view a : {"askfirst", "shutdown", "restart"}) {
    if (EqualsNoCase(action, a)) return true;
  }
  if (!id.empty()) return false;
  for (std::string_view a : {"sysinit", "wait", "once", "respawn", "ctrlaltdel"}) {
    if (EqualsNoCase(action, a)) return true;
  }
  return false;
}

// Accumulates entries across /etc/inittab and the inittab.d files, in sysvinit's list order.
class Builder {
 public:
  // One physical line (no '\n'), number `line_no` of `file`.
  void AddLine(std::string_view line, const std::string& file, int line_no);
  // Appends `~~:S:wait:/sbin/sulogin` if no entry so far has S in its levels.
  void AddSuloginIfNeeded();
  // Adds a line-0 hint if `file` had busybox-style lines.
  void EndFile(const std::string& file);
  void AddDiagnostic(const std::string& file, int line, std::string message) {
    set_.diagnostics.push_back(Diagnostic{file, line, std::move(message)});
  }
  ServiceSet Finish();

 private:
  void AddEntry(std::string_view id, std::string_view levels, const ActionInfo& info,
                std::string_view process, const std::string& file, int line_no,
                const std::string& origin);

  ServiceSet set_;
  std::vector<ServiceSpec> events_;   // the ISPOWER entries, kept in front
  std::vector<ServiceSpec> regular_;  // everything else, in file order
  std::set<std::string, std::less<>> ids_;
  int tilde_entries_ = 0;
  bool has_single_user_ = false;
  bool initdefault_seen_ = false;
  bool busybox_lines_ = false;
};

void Builder::AddLine(std::string_view line, const std::string& file, int line_no) {
  if (IsBlankOrComment(line)) return;
  if (line.size() >= kLineBuffer - 1) {
    AddDiagnostic(file, line_no,
                  "Possibly too long (a line holds at most 254 characters); line ignored");
    return;
  }
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  if (size_t nul = line.find('\0'); nul != std::string_view::npos) line = line.substr(0, nul);

  // strsep(":") x3, then the rest: a missing field is nullopt, an empty one is "".
  std::optional<std::string_view> fields[4];
  std::optional<std::string_view> rest = line;
  for (int f = 0; f < 4 && rest; ++f) {
    size_t colon = f < 3 ? rest->find(':') : std::string_view::npos;
    fields[f] = rest->substr(0, colon);
    rest = colon == std::string_view::npos
               ? std::nullopt
               : std::optional<std::string_view>(rest->substr(colon + 1));
  }
  const auto& [id, levels, action, process] = fields;

  std::string err;
  if (!id || id->empty()) err = "missing id field";
  if (!levels) err = "missing runlevel field";
  if (!process) err = "missing process field";
  if (!action || action->empty()) err = "missing action field";
  if (id && id->size() > kMaxId) err = "id field too long (max 4 characters)";
  if (levels && levels->size() > kMaxLevels) err = "rlevel field too long (max 11 characters)";
  if (process && process->size() > kMaxProcess) err = "process field too long (max 256 characters)";
  if (action && action->size() > kMaxAction) err = "action field too long";
  if (LooksLikeBusybox(id.value_or(""), action.value_or(""))) busybox_lines_ = true;
  if (!err.empty()) {
    AddDiagnostic(file, line_no, err);
    return;
  }
  const ActionInfo* info = FindAction(*action);
  if (info == nullptr) {
    AddDiagnostic(file, line_no, Printable(*action) + ": unknown action field");
    return;
  }
  if (*id != "~~" && ids_.count(*id) != 0) {
    AddDiagnostic(file, line_no, "duplicate ID field \"" + Printable(*id) + "\"");
    return;
  }
  AddEntry(*id, *levels, *info, *process, file, line_no, file + ":" + std::to_string(line_no));
}

void Builder::AddEntry(std::string_view id, std::string_view levels, const ActionInfo& info,
                       std::string_view process, const std::string& file, int line_no,
                       const std::string& origin) {
  ids_.emplace(id);
  // What sysvinit stores in ch->rlevel, for the single-user check.
  std::string_view stored = levels;
  if (stored.empty()) stored = IsPower(info.action) ? kPowerLevels : kAllLevels;
  if (info.action == Action::kSysInit) stored = "#";
  if (info.action == Action::kBoot || info.action == Action::kBootWait) stored = "*";
  if (stored.find('S') != std::string_view::npos) has_single_user_ = true;

  if (info.action == Action::kOff) return;
  if (info.action == Action::kInitDefault) {
    if (initdefault_seen_) return;
    initdefault_seen_ = true;
    std::optional<char> lvl = HighestLevel(levels);
    if (!lvl) return;
    if ((*lvl >= '0' && *lvl <= '9') || *lvl == 'S') {
      set_.default_level = *lvl;
    } else {
      AddDiagnostic(file, line_no,
                    "Initdefault level '" + Printable(std::string_view(&*lvl, 1)) + "' is invalid");
    }
    return;
  }

  ServiceSpec spec;
  spec.name = std::string(id);
  if (id == "~~" && ++tilde_entries_ > 1) spec.name += ":" + std::to_string(tilde_entries_);
  spec.origin = origin;
  spec.trigger = info.trigger;
  spec.kind = info.kind;
  spec.blocking = info.blocking;
  spec.action_label = std::string(info.name);
  spec.report_states = false;  // sysvinit says nothing about its entries
  if (info.trigger != Trigger::kSysInit && info.trigger != Trigger::kBoot) {
    spec.levels = levels.empty() ? std::string(stored) : Normalize(levels);
  }
  bool no_shell = false;
  if (!process.empty() && process.front() == '+') {
    spec.utmp = false;
    process.remove_prefix(1);
  }
  if (!process.empty() && process.front() == '@') {
    no_shell = true;
    process.remove_prefix(1);
  }
  spec.command = SysvCommand(std::string(process), no_shell);
  if (spec.command.argv.empty()) {
    AddDiagnostic(file, line_no, "process field has no command");
    return;
  }
  (IsPower(info.action) ? events_ : regular_).push_back(std::move(spec));
}

void Builder::AddSuloginIfNeeded() {
  if (has_single_user_) return;
  AddEntry("~~", "S", *FindAction("wait"), "/sbin/sulogin", "<builtin>", 0, "<builtin>");
}

void Builder::EndFile(const std::string& file) {
  if (busybox_lines_) {
    AddDiagnostic(file, 0,
                  "this looks like a busybox inittab (tty:ignored:action:command); ctinit reads "
                  "sysvinit's id:runlevels:action:process format, see inittab(5)");
  }
  busybox_lines_ = false;
}

ServiceSet Builder::Finish() {
  set_.services = std::move(events_);
  for (ServiceSpec& s : regular_) set_.services.push_back(std::move(s));
  return std::move(set_);
}

// Feeds `text` line by line; with `first_entry_only`, stops after the first non-comment line.
void AddText(Builder& b, std::string_view text, const std::string& file, bool first_entry_only) {
  int line_no = 0;
  while (!text.empty()) {
    size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
    b.AddLine(line, file, ++line_no);
    if (first_entry_only && !IsBlankOrComment(line)) break;
  }
  b.EndFile(file);
}

std::string ErrnoText(int err) { return std::generic_category().message(err); }

// Reads a whole file; on failure returns the diagnostic text.
bool ReadFile(const std::string& path, std::string* out, std::string* err) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    *err = "cannot open: " + ErrnoText(errno);
    return false;
  }
  char buf[65536];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      *err = "cannot read: " + ErrnoText(errno);
      ::close(fd);
      return false;
    }
    if (n == 0) break;
    out->append(buf, static_cast<size_t>(n));
  }
  ::close(fd);
  return true;
}

// Names in `dir` that sysvinit reads: length >= 5 and ending in ".tab"; sorted.
std::vector<std::string> TabFiles(const std::string& dir) {
  std::vector<std::string> names;
  DIR* d = ::opendir(dir.c_str());
  if (d == nullptr) return names;
  while (const dirent* e = ::readdir(d)) {
    std::string_view name = e->d_name;
    if (name.size() >= 5 && name.substr(name.size() - 4) == ".tab") names.emplace_back(name);
  }
  ::closedir(d);
  std::sort(names.begin(), names.end());
  return names;
}

ServiceSet InternalError(const std::string& file) {
  ServiceSet set;
  set.diagnostics.push_back(Diagnostic{file, 0, "internal error while reading the inittab"});
  return set;
}

}  // namespace

ServiceSet Parse(std::string_view text, const std::string& file) {
  try {
    Builder b;
    AddText(b, text, file, false);
    b.AddSuloginIfNeeded();
    return b.Finish();
  } catch (...) {  // only std::bad_alloc can get here
    return InternalError(file);
  }
}

ServiceSet Load(const std::string& inittab_path, const std::string& inittab_d_dir) {
  try {
    Builder b;
    std::string text, err;
    if (!ReadFile(inittab_path, &text, &err)) {
      b.AddDiagnostic(inittab_path, 0, err);
      return b.Finish();
    }
    AddText(b, text, inittab_path, false);
    b.AddSuloginIfNeeded();
    if (inittab_d_dir.empty()) return b.Finish();
    for (const std::string& name : TabFiles(inittab_d_dir)) {
      std::string path = inittab_d_dir + "/" + name, tab;
      if (!ReadFile(path, &tab, &err)) {
        b.AddDiagnostic(path, 0, err);
        continue;
      }
      AddText(b, tab, path, true);
    }
    return b.Finish();
  } catch (...) {  // only std::bad_alloc can get here
    return InternalError(inittab_path);
  }
}

Command SysvCommand(const std::string& text, bool no_shell) {
  // The characters that make sysvinit hand the field to a shell, and its word limit.
  constexpr std::string_view kShellChars = "~`!$^&*()=|\\{}[];\"'<>?";
  constexpr size_t kMaxArgs = 14;
  Command c;
  c.text = text;
  if (!no_shell && text.find_first_of(kShellChars) != std::string::npos) {
    // "exec" so that the service's process is the command itself, not a shell around it: the
    // supervisor waits for and signals that pid (sysvinit and busybox do the same).
    c.argv = {"/bin/sh", "-c", "exec " + text};
    return c;
  }
  size_t i = 0;
  while (i < text.size() && c.argv.size() < kMaxArgs) {
    while (i < text.size() && (text[i] == ' ' || text[i] == '\t')) ++i;
    if (i >= text.size() || text[i] == '#') break;
    size_t j = i;
    while (j < text.size() && text[j] != ' ' && text[j] != '\t') ++j;
    c.argv.push_back(text.substr(i, j - i));
    i = j;
  }
  return c;
}

}  // namespace ctinit::inittab
