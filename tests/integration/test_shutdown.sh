#!/bin/bash
# SIGTERM (and SIGPWR, LXC's halt signal) to PID 1 from the host: level-0 entries run, everything
# is stopped, exit 0 well inside the budget; an orphan that ignores SIGTERM is SIGKILLed in the
# final sweep and the summary line counts it.
source "$(dirname "$0")/lib.sh"
it_init "$@"

# contract: "shutdown complete in S.SSS s" (then ", N processes needed SIGKILL") on one line
SUMMARY_RE='shutdown complete in [0-9]+\.[0-9]{3} s\b.*, [0-9]+ process(es)? needed SIGKILL'

boot_and_stop() {
  local sig=$1
  it_tree shutdown
  start_ctinit
  wait_for_log 'Entering runlevel: 3' 20
  ct_wait_until 15 eval 'has_marker s3-start && has_marker st-start && has_marker dz-daemon'
  ct_check "$sig: services up (s3, st, orphaned daemon dz)" \
    eval 'has_marker s3-start && has_marker st-start && has_marker dz-daemon'
  # (its starter script exits once the pid file is written)
  ct_wait_until 5 eval '[[ "$(ns_ppid "$(pid_of dz)")" == 1 ]]'
  ct_check "$sig: daemon dz is an orphan (parent is PID 1)" test "$(ns_ppid "$(pid_of dz)")" = 1
  sleep 0.5
  send_signal "$sig"
  wait_exit 30
  local rc=$?
  ct_check "$sig: PID 1 exited (within 30 s)" test "$NS_TIMED_OUT" -eq 0
  ct_check "$sig: exit status 0 (got $NS_RC)" test "$rc" -eq 0
  ct_check "$sig: took ${NS_EXIT_SECS}s, < 12 s (8 s budget + slack)" \
    awk -v t="$NS_EXIT_SECS" 'BEGIN { exit !(t < 12) }'
  ct_check "$sig: log 'received $sig: halt'" log_has "received $sig: halt"
  ct_check "$sig: level-0 entry ran" has_marker l0
  ct_check "$sig: level-0 entry ran before the final sweep (orphan dz still alive then)" \
    test "$(marker_field l0 6)" = dz-alive
  ct_check "$sig: level-6 entry did not run" no_marker_re l6
  ct_check "$sig: stubborn service st got SIGTERM before SIGKILL" has_marker st-TERM
  ct_check "$sig: summary line matches /$SUMMARY_RE/" grep -qE "$SUMMARY_RE" "$NS_LOG"
  local n
  n=$(grep -oE "$SUMMARY_RE" "$NS_LOG" | tail -1 | sed -E 's/.*, ([0-9]+) process.*/\1/')
  ct_check "$sig: summary counts >= 1 process needing SIGKILL (orphan ignoring TERM; got '${n:-none}')" \
    test "${n:-0}" -ge 1
}

boot_and_stop SIGTERM
boot_and_stop SIGPWR
it_finish
