#!/bin/bash
# Runlevel 6 without reboot(2) (no container=lxc here): by default ctinit boots again in place
# (PID 1 stays, sysinit runs again); with `reboot: exit` it exits with reboot_exit_code after the
# same clean stop.
source "$(dirname "$0")/lib.sh"
it_init "$@"

it_tree reboot
start_ctinit
ct_wait_until 15 has_marker r-start
pid1=$NS_PID
in_ns /sbin/ctinit telinit 6
ct_check "restart in place: rc 6 ran" ct_wait_until 15 has_marker rc6
ct_check "restart in place: sysinit ran a second time" ct_wait_until 15 \
  eval '[[ $(marker_count si) -eq 2 ]]'
ct_check "restart in place: the log says it boots again" wait_for_log 'booting \(restart in place\)' 10
ct_check "restart in place: the respawn entry runs again" ct_wait_until 15 \
  eval '[[ $(marker_count r-start) -ge 2 ]]'
ct_check "restart in place: same PID 1 (host pid $pid1)" test "$NS_PID" = "$pid1"
ct_check "restart in place: /var/run/runlevel is back at 3" \
  eval '[[ "$(cat "$TREE/var/run/runlevel" 2>/dev/null)" == 3 ]]'
send_signal TERM
wait_exit 30
rc=$?
ct_check "restart in place: a later SIGTERM still stops it with 0 (got $rc)" test "$rc" -eq 0

it_tree reboot
mkdir -p "$TREE/etc/ctinit"
printf 'reboot: exit\nreboot_exit_code: 42\n' >"$TREE/etc/ctinit/ctinit.yaml"
start_ctinit
ct_wait_until 15 has_marker r-start
in_ns /sbin/ctinit telinit 6
wait_exit 30
rc=$?
ct_check "reboot: exit → exits with reboot_exit_code 42 (got $rc)" test "$rc" -eq 42
ct_check "reboot: exit → rc 6 ran first" has_marker rc6
ct_check "reboot: exit → sysinit ran only once" eval '[[ $(marker_count si) -eq 1 ]]'

# A halt that arrives while a reboot is under way wins: `docker stop` during a reboot must stop.
it_tree reboot
echo 'l6s:6:wait:/bin/sleep 2' >>"$TREE/etc/inittab"
start_ctinit
ct_wait_until 15 has_marker r-start
in_ns /sbin/ctinit telinit 6
wait_for_log 'Switching to runlevel: 6' 10
send_signal TERM
wait_exit 30
rc=$?
ct_check "halt during reboot: exits 0 (got $rc)" test "$rc" -eq 0
ct_check "halt during reboot: no second boot (sysinit ran once)" eval '[[ $(marker_count si) -eq 1 ]]'

# A process put into the container from outside (like docker exec) is not ctinit's child, so its
# end sends no SIGCHLD; the final sweep must still notice it is gone and not wait out its grace.
it_tree reboot
start_ctinit
ct_wait_until 15 has_marker r-start
IN_NS_TIMEOUT=60 in_ns /bin/sleep 50 &
exec_pid=$!
ct_wait_until 10 eval 'ns_ps | grep -q "sleep 50"'
send_signal TERM
wait_exit 30
rc=$?
took=$(grep -oE 'shutdown complete in [0-9.]+' "$NS_LOG" | awk '{ print $4 }')
ct_check "exec'd process: exits 0 (got $rc)" test "$rc" -eq 0
ct_check "exec'd process: the sweep did not wait out final_grace (took ${took:-?} s < 1.5 s)" \
  awk -v t="${took:-99}" 'BEGIN { exit !(t < 1.5) }'
wait "$exec_pid" 2>/dev/null || true
it_finish
