// Scalar value parsers (see values.h). Word splitting, Exec lines and environments are in
// values_exec.cc.
#include "unit-compat/values.h"

#include <signal.h>

#include <array>
#include <cctype>
#include <cstring>

#include "init/base/text.h"
#include "unit-compat/values_internal.h"

namespace ctinit::units {

namespace {

using namespace internal;  // NOLINT: the shared helpers of the value parsers

bool IEquals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i])))
      return false;
  return true;
}

struct Multiplier {
  std::string_view suffix;
  Usec usec;
};
constexpr Usec kMin = 60 * kUsecPerSec, kHour = 60 * kMin, kDay = 24 * kHour;
constexpr Usec kMonth = 2629800 * kUsecPerSec, kYear = 31557600 * kUsecPerSec;
// Same order as systemd's table: a prefix match is taken, so longer names come first.
constexpr std::array<Multiplier, 27> kTimeUnits = {{
    {"seconds", kUsecPerSec},
    {"second", kUsecPerSec},
    {"sec", kUsecPerSec},
    {"s", kUsecPerSec},
    {"minutes", kMin},
    {"minute", kMin},
    {"min", kMin},
    {"months", kMonth},
    {"month", kMonth},
    {"M", kMonth},
    {"msec", kUsecPerMsec},
    {"ms", kUsecPerMsec},
    {"m", kMin},
    {"hours", kHour},
    {"hour", kHour},
    {"hr", kHour},
    {"h", kHour},
    {"days", kDay},
    {"day", kDay},
    {"d", kDay},
    {"weeks", 7 * kDay},
    {"week", 7 * kDay},
    {"w", 7 * kDay},
    {"years", kYear},
    {"year", kYear},
    {"y", kYear},
    {"usec", 1},
}};

// Returns the number of characters consumed by a unit at `s` (0 if none) and sets *mul.
size_t ExtractTimeUnit(std::string_view s, Usec* mul) {
  for (const auto& u : kTimeUnits)
    if (s.starts_with(u.suffix)) {
      *mul = u.usec;
      return u.suffix.size();
    }
  for (std::string_view us : {"us", "μs"})
    if (s.starts_with(us)) {
      *mul = 1;
      return us.size();
    }
  return 0;
}

}  // namespace

std::optional<Usec> ParseTimeSpan(std::string_view text, Usec default_unit, std::string* err) {
  std::string_view p = text;
  auto skip_blanks = [](std::string_view& s) {
    while (!s.empty() && kBlanks.find(s.front()) != std::string_view::npos) s.remove_prefix(1);
  };
  skip_blanks(p);
  if (p.starts_with("infinity")) {
    std::string_view rest = p.substr(8);
    skip_blanks(rest);
    if (rest.empty()) return kUsecInfinity;
    SetErr(err, "invalid time span \"" + std::string(text) + "\"");
    return std::nullopt;
  }
  Usec total = 0;
  bool something = false;
  auto fail = [&](const char* why) -> std::optional<Usec> {
    SetErr(err, std::string(why) + " time span \"" + std::string(text) + "\"");
    return std::nullopt;
  };
  for (;;) {
    skip_blanks(p);
    if (p.empty()) {
      if (!something) return fail("empty");
      break;
    }
    if (p.front() == '-') return fail("negative");
    size_t n = 0;
    while (n < p.size() && IsDigit(p[n])) ++n;
    bool fraction = n < p.size() && p[n] == '.';
    if (n == 0 && !fraction) return fail("invalid");
    auto whole = n ? ParseU64(p.substr(0, n)) : std::optional<uint64_t>(0);
    if (!whole) return fail("out of range");
    std::string_view frac_digits;
    std::string_view rest = p.substr(n);
    if (fraction) {
      size_t f = 1;
      while (f < rest.size() && IsDigit(rest[f])) ++f;
      frac_digits = rest.substr(1, f - 1);
      rest = rest.substr(f);
    }
    std::string_view after_blanks = rest;
    skip_blanks(after_blanks);
    Usec mul = default_unit;
    size_t unit_len = ExtractTimeUnit(after_blanks, &mul);
    // No unit and not the end: only fine if blanks follow ("1 2" is 3 s, "1.2.3" is invalid).
    if (unit_len == 0 && after_blanks.size() == rest.size() && !rest.empty())
      return fail("invalid");
    p = unit_len ? after_blanks.substr(unit_len) : after_blanks;
    if (*whole >= kUsecInfinity / mul) return fail("out of range");
    Usec k = *whole * mul;
    if (k >= kUsecInfinity - total) return fail("out of range");
    total += k;
    something = true;
    if (fraction) {
      if (frac_digits.empty()) return fail("invalid");
      Usec m = mul / 10;
      for (char c : frac_digits) {
        total += static_cast<Usec>(c - '0') * m;
        m /= 10;
      }
    }
  }
  return total;
}

std::optional<bool> ParseBoolean(std::string_view t) {
  for (std::string_view s : {"1", "yes", "y", "true", "t", "on"})
    if (IEquals(t, s)) return true;
  for (std::string_view s : {"0", "no", "n", "false", "f", "off"})
    if (IEquals(t, s)) return false;
  return std::nullopt;
}

namespace {

struct Named {
  int value;
  std::string_view name;
};
constexpr Named kExitNames[] = {
    {0, "SUCCESS"},
    {1, "FAILURE"},
    {2, "INVALIDARGUMENT"},
    {3, "NOTIMPLEMENTED"},
    {4, "NOPERMISSION"},
    {5, "NOTINSTALLED"},
    {6, "NOTCONFIGURED"},
    {7, "NOTRUNNING"},
    {64, "USAGE"},
    {65, "DATAERR"},
    {66, "NOINPUT"},
    {67, "NOUSER"},
    {68, "NOHOST"},
    {69, "UNAVAILABLE"},
    {70, "SOFTWARE"},
    {71, "OSERR"},
    {72, "OSFILE"},
    {73, "CANTCREAT"},
    {74, "IOERR"},
    {75, "TEMPFAIL"},
    {76, "PROTOCOL"},
    {77, "NOPERM"},
    {78, "CONFIG"},
    {200, "CHDIR"},
    {201, "NICE"},
    {202, "FDS"},
    {203, "EXEC"},
    {204, "MEMORY"},
    {205, "LIMITS"},
    {206, "OOM_ADJUST"},
    {207, "SIGNAL_MASK"},
    {208, "STDIN"},
    {209, "STDOUT"},
    {210, "CHROOT"},
    {211, "IOPRIO"},
    {212, "TIMERSLACK"},
    {213, "SECUREBITS"},
    {214, "SETSCHEDULER"},
    {215, "CPUAFFINITY"},
    {216, "GROUP"},
    {217, "USER"},
    {218, "CAPABILITIES"},
    {219, "CGROUP"},
    {220, "SETSID"},
    {221, "CONFIRM"},
    {222, "STDERR"},
    {224, "PAM"},
    {225, "NETWORK"},
    {226, "NAMESPACE"},
    {227, "NO_NEW_PRIVILEGES"},
    {228, "SECCOMP"},
    {229, "SELINUX_CONTEXT"},
    {230, "PERSONALITY"},
    {231, "APPARMOR"},
    {232, "ADDRESS_FAMILIES"},
    {233, "RUNTIME_DIRECTORY"},
    {235, "CHOWN"},
    {236, "SMACK_PROCESS_LABEL"},
    {237, "KEYRING"},
    {238, "STATE_DIRECTORY"},
    {239, "CACHE_DIRECTORY"},
    {240, "LOGS_DIRECTORY"},
    {241, "CONFIGURATION_DIRECTORY"},
    {242, "NUMA_POLICY"},
    {243, "CREDENTIALS"},
    {245, "BPF"},
};

constexpr Named kSignalNames[] = {
    {SIGHUP, "HUP"},   {SIGINT, "INT"},       {SIGQUIT, "QUIT"}, {SIGILL, "ILL"},
    {SIGTRAP, "TRAP"}, {SIGABRT, "ABRT"},     {SIGBUS, "BUS"},   {SIGFPE, "FPE"},
    {SIGKILL, "KILL"}, {SIGUSR1, "USR1"},     {SIGSEGV, "SEGV"}, {SIGUSR2, "USR2"},
    {SIGPIPE, "PIPE"}, {SIGALRM, "ALRM"},     {SIGTERM, "TERM"}, {SIGSTKFLT, "STKFLT"},
    {SIGCHLD, "CHLD"}, {SIGCONT, "CONT"},     {SIGSTOP, "STOP"}, {SIGTSTP, "TSTP"},
    {SIGTTIN, "TTIN"}, {SIGTTOU, "TTOU"},     {SIGURG, "URG"},   {SIGXCPU, "XCPU"},
    {SIGXFSZ, "XFSZ"}, {SIGVTALRM, "VTALRM"}, {SIGPROF, "PROF"}, {SIGWINCH, "WINCH"},
    {SIGIO, "IO"},     {SIGPWR, "PWR"},       {SIGSYS, "SYS"},
};

// safe_atoi-like: optional sign, decimal digits, nothing else.
}  // namespace

std::optional<int> ParseExitStatus(std::string_view text) {
  for (const auto& n : kExitNames)
    if (text == n.name) return n.value;
  auto v = ParseU64(text);
  if (!v || *v > 255) return std::nullopt;
  return static_cast<int>(*v);
}

std::optional<int> ParseSignal(std::string_view s) {
  if (auto n = ParseInt(s)) {
    if (*n >= 1 && *n < _NSIG) return static_cast<int>(*n);
    return std::nullopt;
  }
  if (s.starts_with("SIG")) s.remove_prefix(3);
  for (const auto& n : kSignalNames)
    if (s == n.name) return n.value;
  const int rtmin = SIGRTMIN, rtmax = SIGRTMAX;
  if (s.starts_with("RTMIN")) {
    std::string_view p = s.substr(5);
    if (p.empty()) return rtmin;
    if (p[0] != '+') return std::nullopt;
    auto n = ParseInt(p);
    if (!n || *n < 0 || *n > rtmax - rtmin) return std::nullopt;
    return rtmin + static_cast<int>(*n);
  }
  if (s.starts_with("RTMAX")) {
    std::string_view p = s.substr(5);
    if (p.empty()) return rtmax;
    if (p[0] != '-') return std::nullopt;
    auto n = ParseInt(p);
    if (!n || *n > 0 || *n < rtmin - rtmax) return std::nullopt;
    return rtmax + static_cast<int>(*n);
  }
  return std::nullopt;
}

std::string SignalName(int signo) {
  for (const auto& n : kSignalNames)
    if (n.value == signo) return "SIG" + std::string(n.name);
  if (signo >= SIGRTMIN && signo <= SIGRTMAX)
    return signo == SIGRTMIN ? "SIGRTMIN" : "SIGRTMIN+" + std::to_string(signo - SIGRTMIN);
  return std::to_string(signo);
}

void ParseExitStatusSet(std::string_view value, ExitStatusSet* set,
                        std::vector<std::string>* warnings) {
  if (text::Trim(value).empty()) {
    *set = {};
    return;
  }
  size_t pos = 0;
  std::string word;
  while (ExtractFirstWord(value, pos, &word, 0) > 0) {
    // Numbers are exit statuses first, as in systemd.
    if (auto st = ParseExitStatus(word)) {
      set->status.insert(*st);
    } else if (auto sig = ParseSignal(word)) {
      set->signals.insert(*sig);
    } else if (warnings) {
      warnings->push_back("failed to parse exit status or signal \"" + word + "\", ignoring");
    }
  }
}

std::optional<Restart> ParseRestart(std::string_view t) {
  constexpr NamedValue<Restart> kNames[] = {{"no", Restart::kNo},
                                            {"on-success", Restart::kOnSuccess},
                                            {"on-failure", Restart::kOnFailure},
                                            {"on-abnormal", Restart::kOnAbnormal},
                                            {"on-watchdog", Restart::kOnWatchdog},
                                            {"on-abort", Restart::kOnAbort},
                                            {"always", Restart::kAlways}};
  return LookUpName(kNames, t);
}

std::optional<KillMode> ParseKillMode(std::string_view t) {
  constexpr NamedValue<KillMode> kNames[] = {{"control-group", KillMode::kControlGroup},
                                             {"process", KillMode::kProcess},
                                             {"mixed", KillMode::kMixed},
                                             {"none", KillMode::kNone}};
  return LookUpName(kNames, t);
}

std::optional<ServiceSpec::NotifyAccess> ParseNotifyAccess(std::string_view t) {
  using NA = ServiceSpec::NotifyAccess;
  constexpr NamedValue<NA> kNames[] = {
      {"none", NA::kNone}, {"main", NA::kMain}, {"exec", NA::kExec}, {"all", NA::kAll}};
  return LookUpName(kNames, t);
}

std::optional<ServiceType> ParseServiceType(std::string_view t) {
  using T = ServiceType;
  constexpr NamedValue<T> kNames[] = {{"simple", T::kSimple},
                                      {"exec", T::kExec},
                                      {"forking", T::kForking},
                                      {"oneshot", T::kOneshot},
                                      {"dbus", T::kDbus},
                                      {"notify", T::kNotify},
                                      {"notify-reload", T::kNotifyReload},
                                      {"idle", T::kIdle}};
  return LookUpName(kNames, t);
}

std::optional<mode_t> ParseFileMode(std::string_view s) {
  if (s.empty() || s.size() > 5) return std::nullopt;
  mode_t m = 0;
  for (char c : s) {
    if (c < '0' || c > '7') return std::nullopt;
    m = m * 8 + static_cast<mode_t>(c - '0');
  }
  if (m > 07777) return std::nullopt;
  return m;
}

std::optional<OutputSpec> ParseOutput(std::string_view t, std::string* err) {
  using O = OutputSpec;
  constexpr NamedValue<O::Kind> kPlain[] = {
      {"inherit", O::kInherit},
      {"null", O::kNull},
      {"tty", O::kTty},
      {"journal", O::kJournal},
      {"kmsg", O::kKmsg},
      {"journal+console", O::kJournalConsole},
      {"kmsg+console", O::kKmsgConsole},
      {"socket", O::kSocket},
      // syslog targets were removed in systemd 246 and are mapped to the journal, as it does.
      {"syslog", O::kJournal},
      {"syslog+console", O::kJournalConsole}};
  if (auto k = LookUpName(kPlain, t)) return O{*k, ""};
  constexpr std::pair<std::string_view, O::Kind> kWithPath[] = {
      {"file:", O::kFile}, {"append:", O::kAppend}, {"truncate:", O::kTruncate}};
  for (const auto& [prefix, k] : kWithPath)
    if (t.starts_with(prefix)) {
      std::string_view path = t.substr(prefix.size());
      if (path.empty() || path[0] != '/') {
        SetErr(err, "path in \"" + std::string(t) + "\" is not absolute");
        return std::nullopt;
      }
      return O{k, std::string(path)};
    }
  if (t == "fd") return O{O::kFd, ""};
  if (t.starts_with("fd:")) return O{O::kFd, std::string(t.substr(3))};
  SetErr(err, "invalid output \"" + std::string(t) + "\"");
  return std::nullopt;
}

}  // namespace ctinit::units
