// Stop schedules for the shim's start-stop-daemon and supervise-daemon (`--retry`, the `retry`
// variable of OpenRC scripts) and signal names.
//
// Rules (as OpenRC's schedules.c parses them; OpenRC 0.63 man/start-stop-daemon.8):
//  * No schedule at all: [signal, wait 5 s], where `signal` is --signal or SIGTERM.
//  * A schedule without '/' is a timeout in seconds: "30" = [signal, wait 30 s]. It must start
//    with a number ("30x" is accepted as 30, as sscanf does; "x" is an error).
//  * Otherwise '/'-separated items, each
//      a number          wait up to that many seconds for the processes to go
//      a signal          SIGTERM, TERM, 15 (optionally with a leading '-': "-KILL")
//      forever           repeat the items after it for ever (allowed once)
//    e.g. TERM/60/KILL/5, SIGPWR/40, HUP/forever/TERM/5. An item is at most 19 characters;
//    an item starting with a digit is always a wait ("-9" is SIGKILL, "9" is 9 seconds).
//  * Running it: a signal item sends the signal to every matching process (none left on the first
//    signal: "no matching processes found"); a wait item polls every 20 ms until none is left
//    (success) or the time is up; a wait of 0 ends the schedule. Processes left at the end:
//    failure ("N process(es) refused to stop").
//  * Signal names: HUP INT QUIT ILL TRAP ABRT BUS FPE KILL USR1 SEGV USR2 PIPE ALRM TERM CHLD
//    CONT STOP TSTP TTIN TTOU URG XCPU XFSZ VTALRM PROF WINCH IO PWR SYS, with or without "SIG";
//    a number below NSIG; "NULL" is 0.
// Nothing here throws; errors are returned as text.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ctinit::openrc {

struct RetryStep {
  enum class Kind { kSignal, kTimeout, kForever, kGoto };
  Kind kind = Kind::kSignal;
  int value = 0;  // signal number, seconds, or (kGoto) the index of the step to continue at
  bool operator==(const RetryStep&) const = default;
};

using RetrySchedule = std::vector<RetryStep>;

// The signal named by `text`; nullopt (and *error, e.g. "`FOO' is not a valid signal") if none.
std::optional<int> ParseSignal(std::string_view text, std::string* error) noexcept;

// Parses `text` (nullopt = no --retry given) into steps; a `forever` item is followed at the end
// by a kGoto step back to it. nullopt and *error when the schedule is invalid.
std::optional<RetrySchedule> ParseRetry(const std::optional<std::string>& text, int signal,
                                        std::string* error) noexcept;

// The first signal other than 0 (SIGTERM if none) and the total of the waits before the first
// forever (for ctinit's supervise verb, which takes one stop signal and one timeout). `forever`
// counts as no timeout. The total saturates at kMaxStopSeconds (about 31 years; it still fits in
// milliseconds).
inline constexpr int kMaxStopSeconds = 1000000000;
struct StopPlan {
  int signal = 15;
  int timeout_seconds = 5;  // 0 = wait for ever
};
StopPlan ToStopPlan(const RetrySchedule& schedule) noexcept;

}  // namespace ctinit::openrc
