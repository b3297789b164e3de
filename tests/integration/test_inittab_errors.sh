#!/bin/bash
# Malformed inittab: every bad line is logged with file and line number and skipped, the good
# entries still run. Missing inittab: a clear message, PID 1 stays up and still stops on SIGTERM.
source "$(dirname "$0")/lib.sh"
it_init "$@"

# "/etc/inittab:4", "/etc/inittab[4]", "/etc/inittab line 4", "/etc/inittab, line 4"
line_logged() { grep -qE "/etc/inittab(:|\[| line |, line )$1([^0-9]|\$)" "$NS_LOG"; }

it_tree inittab_errors
start_ctinit
wait_for_log 'Entering runlevel: 3' 20
ct_wait_until 10 eval 'has_marker g1 && has_marker g2 && has_marker g3 && has_marker gr-start'
sleep 1
declare -A why=([4]="id longer than 4 characters" [5]="unknown action" [6]="missing fields"
  [7]="duplicate id" [8]="empty id" [10]="empty process field")
for l in 4 5 6 7 8 10; do
  ct_check "bad line $l (${why[$l]}) logged with /etc/inittab + line number" line_logged "$l"
done
for l in 2 3 9 11 12; do
  ct_check "good line $l not reported as an error" eval '! line_logged '"$l"
done
ct_check "good entries g1, g2 ran" eval 'has_marker g1 && has_marker g2'
ct_check "action field is case-insensitive (ONCE, sysvinit strcasecmp): g3 ran" has_marker g3
ct_check "good respawn entry gr (after all bad lines) runs" ns_pid_alive "$(pid_of gr)"
ct_check "no bad entry ran (duplicate id, long id, unknown action, empty id)" no_marker_re 'bad-.*'
ct_check "g1 ran once (the duplicate line did not replace or add to it)" test "$(marker_count g1)" -eq 1
ns_kill

# --- no /etc/inittab at all -------------------------------------------------------------------
it_tree no_inittab
rm -f "$TREE/etc/inittab"
start_ctinit
ct_wait_until 10 grep -q 'inittab' "$NS_LOG"
sleep 2
ct_check "missing inittab: the log names /etc/inittab" log_has '/etc/inittab'
ct_check "missing inittab: PID 1 stays up" kill -0 "$NS_PID"
send_signal SIGTERM
wait_exit 20
rc=$?
ct_check "missing inittab: SIGTERM stops PID 1 (within 20 s)" test "$NS_TIMED_OUT" -eq 0
ct_check "missing inittab: exit status 0 (got $NS_RC)" test "$rc" -eq 0
it_finish
