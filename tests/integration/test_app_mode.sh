#!/bin/bash
# App mode: `ctinit -- CMD ARGS` boots, runs CMD as the main process and exits with its status
# (128+N when CMD is killed by signal N), stopping the rest.
source "$(dirname "$0")/lib.sh"
it_init "$@"

run_app() { # run_app EXPECTED_RC DESCRIPTION CMD...
  local want=$1 desc=$2
  shift 2
  it_tree app
  start_ctinit -- "$@"
  wait_exit 30
  local rc=$?
  ct_check "$desc: PID 1 exited within 30 s" test "$NS_TIMED_OUT" -eq 0
  ct_check "$desc: exit status $want (got $rc)" test "$rc" -eq "$want"
}

run_app 3 "sh -c 'exit 3'" /bin/sh -c '/bin/mark app; exit 3'
ct_check "exit 3: sysinit ran before the app" before si app
ct_check "exit 3: a shutdown ran (log 'shutdown complete in')" log_has 'shutdown complete in'
run_app 0 "/bin/true" /bin/true
run_app 137 "killed by SIGKILL" /bin/sh -c 'kill -KILL $$'
run_app 138 "killed by SIGUSR1" /bin/sh -c 'kill -USR1 $$'
run_app 143 "killed by SIGTERM" /bin/sh -c 'kill -TERM $$'
# A long-running app: the respawn service runs beside it until it exits.
it_tree app
start_ctinit -- /bin/sh -c '/bin/mark app-start; sleep 3; /bin/mark app-end; exit 7'
ct_wait_until 15 has_marker app-start
ct_wait_until 10 has_marker r-start
ct_check "long app: the inittab respawn entry runs beside the app" ns_pid_alive "$(pid_of r)"
wait_exit 30
rc=$?
read -r up _ </proc/uptime
ct_check "long app: exit status 7 (got $rc)" test "$rc" -eq 7
# marker times are /proc/uptime values (one clock for host and namespace)
lag=$(awk -v a="$(marker_field app-end 2)" -v b="$up" 'BEGIN { printf "%.2f", b - a }')
ct_check "long app: PID 1 exited ${lag}s after the app ended (< 10 s: 8 s budget + slack)" \
  awk -v t="$lag" 'BEGIN { exit !(t >= 0 && t < 10) }'
it_finish
