#!/bin/bash
# Runlevel changes over /run/initctl with the binary's own telinit mode: entries not in the new
# level get SIGTERM (their whole process group), SIGKILL after the telinit -t delay; entries in
# both levels keep running; `telinit q` applies inittab edits; `telinit a` starts ondemand entries.
source "$(dirname "$0")/lib.sh"
it_init "$@"

gone() { ! ns_pid_alive "$1"; }
same_pid_running() { [[ "$(pid_of "$1")" == "$2" ]] && ns_pid_alive "$2" && [[ $(start_count "$1") -eq 1 ]]; }

it_tree runlevel
start_ctinit
wait_for_log 'Entering runlevel: 2' 20
ct_wait_until 15 eval 'has_marker a2-start && has_marker t2-start && has_marker c23-start'
ct_check "level 2: a2, t2, c23 started" eval 'has_marker a2-start && has_marker t2-start && has_marker c23-start'
ct_check "level 2: b3, w3 and ondemand od not started" no_marker_re 'b3-start|w3|od-start'
a2=$(pid_of a2) a2child=$(cat "$OUT/a2.child" 2>/dev/null) t2=$(pid_of t2) c23=$(pid_of c23)
ct_log "pids: a2=$a2 (child $a2child) t2=$t2 c23=$c23"

# --- telinit -t 1 3 ------------------------------------------------------------------------
t0=$(ct_now)
in_ns /sbin/ctinit telinit -t 1 3
rc=$?
ct_check "'ctinit telinit -t 1 3' exits 0 (got $rc)" test "$rc" -eq 0
wait_for_log 'Switching to runlevel: 3' 10
ct_check "log: 'Switching to runlevel: 3'" log_has 'Switching to runlevel: 3'
ct_wait_until_fast 10 gone "$t2"
t_t2=$(ct_elapsed "$t0" "$(ct_now)")
ct_wait_until 5 eval 'gone "$a2" && gone "$a2child"'
ct_check "a2 (not in level 3) was stopped" gone "$a2"
ct_check "a2's background child (same process group) was stopped too" gone "$a2child"
ct_check "t2 got SIGTERM first (trap ran)" has_marker t2-TERM
ct_check "t2 (ignores SIGTERM) was killed ${t_t2}s after telinit: in [0.8, 2.5] (telinit -t 1)" \
  awk -v t="$t_t2" 'BEGIN { exit !(t >= 0.8 && t <= 2.5) }'
ct_check "t2 was not restarted in level 3" test "$(start_count t2)" -eq 1
ct_wait_until 10 eval 'has_marker b3-start && has_marker w3'
ct_check "level 3: wait entry w3 ran" has_marker w3
ct_check "level 3: b3 started (RUNLEVEL=3 PREVLEVEL=2 in its environment)" \
  eval '[[ "$(marker_field b3-start 4) $(marker_field b3-start 5)" == "rl=3 prev=2" ]]'
ct_check "c23 (in levels 2 and 3) kept running, not restarted" same_pid_running c23 "$c23"
ct_check "/var/run/runlevel says 3" file_is "$TREE/run/runlevel" 3
ct_check "ondemand od still not started" no_marker_re 'od-start'

# --- telinit q after editing the inittab ----------------------------------------------------
b3=$(pid_of b3)
sed -i -e '/^c23:/d' "$TREE/etc/inittab"
echo 'd3:3:respawn:/bin/srv d3' >>"$TREE/etc/inittab"
in_ns /sbin/ctinit telinit q
rc=$?
ct_check "'ctinit telinit q' exits 0 (got $rc)" test "$rc" -eq 0
ct_wait_until 10 eval 'gone "$c23" && has_marker d3-start'
ct_check "telinit q: removed entry c23 was stopped" gone "$c23"
ct_check "telinit q: new entry d3 was started" eval 'has_marker d3-start && ns_pid_alive "$(pid_of d3)"'
ct_check "telinit q: unchanged entry b3 kept running" same_pid_running b3 "$b3"
ct_check "telinit q: no runlevel switch logged" test "$(log_count 'Switching to runlevel')" -eq 1

# --- telinit a: ondemand entries ------------------------------------------------------------
in_ns /sbin/ctinit telinit a
rc=$?
ct_check "'ctinit telinit a' exits 0 (got $rc)" test "$rc" -eq 0
ct_wait_until 10 has_marker od-start
ct_check "telinit a: ondemand entry od started" eval 'has_marker od-start && ns_pid_alive "$(pid_of od)"'
ct_check "telinit a: runlevel unchanged (still 3)" file_is "$TREE/run/runlevel" 3
ct_check "telinit a: b3 and d3 kept running" eval 'same_pid_running b3 "$b3" && ns_pid_alive "$(pid_of d3)"'

# --- back to 2 with the default delay: level-3-only entries stop, level-2 entries come back --
in_ns /sbin/ctinit telinit 2
ct_wait_until 10 eval 'gone "$b3" && [[ $(start_count a2) -ge 2 ]]'
ct_check "telinit 2: b3 stopped" gone "$b3"
ct_check "telinit 2: a2 started again" test "$(start_count a2)" -eq 2
ct_check "telinit 2: ondemand od survives a runlevel change (not to S)" ns_pid_alive "$(pid_of od)"
ct_check "PID 1 still running" kill -0 "$NS_PID"
ns_kill
it_finish
