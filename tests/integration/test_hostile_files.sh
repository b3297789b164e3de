#!/bin/bash
# Files a service controls never block PID 1 (issue 11, case 2). The real binary as PID 1 of a
# busybox tree with three hostile units: a Type=forking daemon whose PIDFile= is a FIFO, a
# service with StandardOutput=append: a FIFO nobody reads yet, and one whose EnvironmentFile= is
# a FIFO. PID 1 must refuse the pid file and the environment file at once, start the FIFO
# writer without waiting for its open(), keep answering systemctl and telinit, and exit 0 on
# SIGTERM. On a PID 1 that opens these files blocking, the boot hangs and every check fails.
source "$(dirname "$0")/lib.sh"
it_init "$@"
IN_NS_TIMEOUT=5

it_tree
mkdir -p "$TREE/usr/bin" "$TREE/run/hostile"
ln -s /sbin/ctinit "$TREE/usr/bin/systemctl"
mkfifo "$TREE/run/hostile/out.fifo" "$TREE/run/hostile/env.fifo"

# The daemon replaces its pid file by a FIFO (its directory is its own in real life).
it_unit fifo-pid <<'U'
Type=forking
PIDFile=/run/hostile/daemon.pid
TimeoutStartSec=2
ExecStart=/bin/sh -c 'mkfifo /run/hostile/daemon.pid; sleep 100000 & /bin/mark fifo-pid-start'
U
it_unit fifo-out <<'U'
StandardOutput=append:/run/hostile/out.fifo
ExecStart=/bin/sh -c '/bin/mark fifo-out-start; echo through-the-fifo; exec sleep 100000'
U
it_unit fifo-env <<'U'
EnvironmentFile=/run/hostile/env.fifo
ExecStart=/bin/mark fifo-env-start
U
it_unit alive <<'U'
ExecStart=/bin/sh -c '/bin/mark alive-start; exec sleep 100000'
U

start_ctinit
sc() { in_ns /usr/bin/systemctl "$@"; }
ct_check "boots to runlevel 3 (the EnvironmentFile= FIFO did not hold the load)" \
  wait_for_log 'Entering runlevel: 3' 10
ct_check "alive.service started" ct_wait_until 5 has_marker alive-start
ct_check "fifo-env.service refused: its environment file is not a regular file" \
  grep -qE 'cannot read environment file /run/hostile/env.fifo: not a regular file' "$NS_LOG"
ct_check "... and did not run" no_marker_re fifo-env-start

ct_check "fifo-pid.service: the launcher ran" ct_wait_until 5 has_marker fifo-pid-start
ct_check "... its FIFO pid file was refused (logged once)" \
  ct_wait_until 5 eval '[[ $(log_count "pid file /run/hostile/daemon.pid: not a regular file") -eq 1 ]]'
ct_check "... and it failed after TimeoutStartSec=2, PID 1 still answering" \
  ct_wait_until 6 eval '[[ "$(sc is-active fifo-pid.service)" == failed ]]'

out=$(sc status fifo-out.service 2>&1)
ct_check "systemctl status fifo-out.service answers while its child waits in open() ($out)" \
  eval '[[ "$out" == *"Active: active"* ]]'
ct_check "fifo-out.service has not got past its open() yet" no_marker_re fifo-out-start
ct_check "telinit q is answered (re-reads the units, the FIFOs included)" \
  eval 'in_ns /sbin/ctinit telinit q && wait_for_log "Re-reading the service definitions" 5'
ct_check "systemctl still answers after the reload" \
  eval '[[ "$(sc is-active alive.service)" == active ]]'
got=$(timeout 5 head -n 1 "$TREE/run/hostile/out.fifo" 2>/dev/null)
ct_check "a reader on the FIFO lets fifo-out.service through (read: '$got')" \
  eval '[[ "$got" == through-the-fifo ]] && has_marker fifo-out-start'

send_signal TERM
wait_exit 20
rc=$?
ct_check "SIGTERM: exit 0 (got $NS_RC) within 20 s" eval '[[ $NS_TIMED_OUT -eq 0 && $rc -eq 0 ]]'
it_finish
