#!/bin/bash
# Boot order: sysinit -> boot/bootwait -> runlevel entries in file order; a running `wait` entry
# blocks the entries after it, `once` does not; initdefault is honoured and a runlevel on the
# command line overrides it.
source "$(dirname "$0")/lib.sh"
it_init "$@"

ran_once() { [[ $(marker_count "$1") -eq 1 ]]; }
marker_rl_is() { [[ "$(marker_field "$1" 4)" == "rl=$2" ]]; }

# --- boot 1: default runlevel from initdefault (3) -------------------------------------------
it_tree boot_order
start_ctinit -v  # verbose: the log names every spawn, in order
wait_for_log 'Entering runlevel: 3' 20
# w4 is the last wait entry of level 3 (o1 takes 2 s and is not waited for).
ct_wait_until 20 has_marker w4-end
ct_wait_until 10 has_marker o1-end
ct_wait_until 10 has_marker r3-start

ct_check "log: 'ctinit 0.1.0 booting'" log_has 'ctinit 0.1.0 booting'
ct_check "log: 'Entering runlevel: 3' (initdefault honoured)" log_has 'Entering runlevel: 3'
ct_check "sysinit ran (si-start before si-end)" before si-start si-end
ct_check "sysinit finished before bootwait started" before si-end bw-start
ct_check "sysinit finished before boot started" before si-end bt-start
ct_check "bootwait finished before the first runlevel entry (w1)" before bw-end w1-start
ct_check "wait entry w1 finished before the next entry (o1) started" before w1-end o1-start
# o1 and w2 are spawned one right after the other, so their own markers may land in either
# order; ctinit's log of the spawns is the order it started them in.
spawned_before() {
  local a b
  a=$(grep -n "started $1 (pid" "$NS_LOG" | head -n1 | cut -d: -f1)
  b=$(grep -n "started $2 (pid" "$NS_LOG" | head -n1 | cut -d: -f1)
  [[ -n "$a" && -n "$b" && "$a" -lt "$b" ]]
}
ct_check "o1 started before w2 (file order)" spawned_before o1 w2
ct_check "once entry o1 is not waited for: w2 started while o1 was running" before w2-start o1-end
ct_check "wait entry w2 finished before w4 (level 34) started" before w2-end w4-start
ct_check "respawn entry r3 started after the wait entries before it" before w2-end r3-start
for m in si-start bw-start bt-start w1-start o1-start w2-start w4-start; do
  ct_check "$m ran exactly once" ran_once "$m"
done
ct_check "level-2 entries (n2 wait, s2 respawn) did not run in level 3" no_marker_re 'n2-.*|s2-.*'
ct_check "process field with shell metacharacters runs via /bin/sh -c" has_marker shellcmd
ct_check "children see RUNLEVEL=3 (sysvinit environment)" file_is "$OUT/shell-env" rl=3
ct_check "level-3 wait entry w1 ran with RUNLEVEL=3" marker_rl_is w1-start 3
ct_check "respawn entry r3 is running" ns_pid_alive "$(pid_of r3)"
ct_check "/var/run/runlevel says 3" file_is "$TREE/run/runlevel" 3
ns_kill

# --- boot 2: runlevel 2 on the command line overrides initdefault ---------------------------
it_tree boot_order
start_ctinit 2
wait_for_log 'Entering runlevel: 2' 20
ct_wait_until 15 has_marker s2-start
ct_wait_until 5 has_marker n2-end
sleep 1
ct_check "cmdline '2': log 'Entering runlevel: 2'" log_has 'Entering runlevel: 2'
ct_check "cmdline '2': no 'Entering runlevel: 3'" log_lacks 'Entering runlevel: 3'
ct_check "cmdline '2': sysinit finished before bootwait" before si-end bw-start
ct_check "cmdline '2': bootwait finished before n2" before bw-end n2-start
ct_check "cmdline '2': level-2 wait entry n2 ran" has_marker n2-end
ct_check "cmdline '2': level-2 respawn entry s2 running" ns_pid_alive "$(pid_of s2)"
ct_check "cmdline '2': level-3/34 entries (w1 o1 w2 w4 r3) did not run" no_marker_re '(w1|o1|w2|w4|r3)-.*'
ct_check "cmdline '2': /var/run/runlevel says 2" file_is "$TREE/run/runlevel" 2
ns_kill

it_finish
