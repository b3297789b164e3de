#include "openrc-shim/applets/retry.h"

#include <signal.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>

namespace ctinit::openrc {
namespace {

struct SignalName {
  const char* name;
  int number;
};

constexpr SignalName kSignals[] = {
    {"HUP", SIGHUP},       {"INT", SIGINT},   {"QUIT", SIGQUIT},   {"ILL", SIGILL},
    {"TRAP", SIGTRAP},     {"ABRT", SIGABRT}, {"BUS", SIGBUS},     {"FPE", SIGFPE},
    {"KILL", SIGKILL},     {"USR1", SIGUSR1}, {"SEGV", SIGSEGV},   {"USR2", SIGUSR2},
    {"PIPE", SIGPIPE},     {"ALRM", SIGALRM}, {"TERM", SIGTERM},   {"CHLD", SIGCHLD},
    {"CONT", SIGCONT},     {"STOP", SIGSTOP}, {"TSTP", SIGTSTP},   {"TTIN", SIGTTIN},
    {"TTOU", SIGTTOU},     {"URG", SIGURG},   {"XCPU", SIGXCPU},   {"XFSZ", SIGXFSZ},
    {"VTALRM", SIGVTALRM}, {"PROF", SIGPROF}, {"WINCH", SIGWINCH}, {"IO", SIGIO},
    {"PWR", SIGPWR},       {"SYS", SIGSYS},   {"NULL", 0},
};

// sscanf("%d")-like: optional blanks and sign, then digits; the rest is ignored.
std::optional<long> LeadingNumber(std::string_view s) {
  size_t i = 0;
  while (i < s.size() && std::isspace(static_cast<unsigned char>(s[i]))) ++i;
  bool neg = false;
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) neg = s[i++] == '-';
  if (i >= s.size() || !std::isdigit(static_cast<unsigned char>(s[i]))) return std::nullopt;
  long v = 0;
  for (; i < s.size() && std::isdigit(static_cast<unsigned char>(s[i])); ++i) {
    v = v * 10 + (s[i] - '0');
    if (v > 1000000000) v = 1000000000;
  }
  return neg ? -v : v;
}

}  // namespace

std::optional<int> ParseSignal(std::string_view text, std::string* error) noexcept {
  try {
    if (text.empty()) {
      if (error) *error = "`' is not a valid signal";
      return std::nullopt;
    }
    if (auto n = LeadingNumber(text); n && std::isdigit(static_cast<unsigned char>(text[0]))) {
      if (*n >= 0 && *n < NSIG) return static_cast<int>(*n);
      if (error) *error = "`" + std::string(text) + "' is not a valid signal";
      return std::nullopt;
    }
    std::string_view bare = text.substr(0, 3) == "SIG" ? text.substr(3) : text;
    for (const auto& s : kSignals) {
      if (text == s.name || bare == s.name) return s.number;
    }
    if (error) *error = "`" + std::string(text) + "' is not a valid signal";
  } catch (...) {
  }
  return std::nullopt;
}

std::optional<RetrySchedule> ParseRetry(const std::optional<std::string>& text, int signal,
                                        std::string* error) noexcept {
  try {
    RetrySchedule out;
    if (!text || text->find('/') == std::string::npos) {
      int seconds = 5;
      if (text) {
        auto n = LeadingNumber(*text);
        if (!n) {
          if (error) *error = "invalid timeout value in schedule '" + *text + "'";
          return std::nullopt;
        }
        seconds = static_cast<int>(*n);
      }
      out.push_back({RetryStep::Kind::kSignal, signal});
      out.push_back({RetryStep::Kind::kTimeout, seconds});
      return out;
    }
    std::optional<size_t> forever;
    std::string_view rest = *text;
    for (;;) {
      size_t slash = rest.find('/');
      std::string_view item = rest.substr(0, slash);
      if (item.size() >= 20) {
        if (error) *error = "invalid schedule item, far too long";
        return std::nullopt;
      }
      if (item == "forever") {
        if (forever) {
          if (error) *error = "invalid schedule, `forever' appears more than once";
          return std::nullopt;
        }
        forever = out.size();
        out.push_back({RetryStep::Kind::kForever, 0});
      } else if (!item.empty() && std::isdigit(static_cast<unsigned char>(item[0]))) {
        out.push_back({RetryStep::Kind::kTimeout, static_cast<int>(*LeadingNumber(item))});
      } else {
        std::string_view name = !item.empty() && item[0] == '-' ? item.substr(1) : item;
        auto sig = ParseSignal(name, nullptr);
        if (!sig) {
          if (error) *error = "invalid schedule item `" + std::string(item) + "'";
          return std::nullopt;
        }
        out.push_back({RetryStep::Kind::kSignal, *sig});
      }
      if (slash == std::string_view::npos) break;
      rest = rest.substr(slash + 1);
    }
    if (forever) out.push_back({RetryStep::Kind::kGoto, static_cast<int>(*forever)});
    return out;
  } catch (...) {
    if (error) *error = "out of memory";
  }
  return std::nullopt;
}

StopPlan ToStopPlan(const RetrySchedule& schedule) noexcept {
  StopPlan plan;
  bool have_signal = false, have_stop_signal = false;
  // Each wait is at most 1e9 s (LeadingNumber), but three of them overflowed an int (issue 11
  // case 9): the total saturates at kMaxStopSeconds, which is as good as for ever.
  long long total = 0;
  for (const auto& s : schedule) {
    if (s.kind == RetryStep::Kind::kForever || s.kind == RetryStep::Kind::kGoto) {
      plan.timeout_seconds = 0;
      return plan;
    }
    if (s.kind == RetryStep::Kind::kSignal) {
      // Signal 0 (NULL, "-0") only tests for the processes, it stops nothing; PID 1's supervise
      // verb refuses it as a stop signal (found by tests/fuzz/fuzz_supervise). Its waits count.
      if (!have_stop_signal && s.value != 0) {
        plan.signal = s.value;
        have_stop_signal = true;
      }
      have_signal = true;
    } else if (s.kind == RetryStep::Kind::kTimeout && have_signal) {
      // A negative bare timeout ("-9": sscanf's number) waits nothing, as in OpenRC.
      total = std::min<long long>(total + std::max(s.value, 0), kMaxStopSeconds);
    }
  }
  plan.timeout_seconds = static_cast<int>(total);
  return plan;
}

}  // namespace ctinit::openrc
