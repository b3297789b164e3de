#!/bin/bash
# systemd units as PID 1 sees them, in a busybox tree with no inittab (tests/integration/
# fixtures/units): ordering and Requires=/After=, Requires= vs Wants= on a failed unit, a
# Type=notify service gating its After= dependent (ctinit's systemd-notify applet), conditions
# (a skip is not a failure), Restart=on-failure with RestartSec= (and a clean exit that is not
# restarted), socket activation with LISTEN_FDS/LISTEN_PID, the online systemctl verbs
# (status, is-active, stop with dependents, start of a unit that is not enabled with its
# RuntimeDirectory=, reload with $MAINPID, restart, list-units, is-enabled, enable --now), and
# the stop on SIGTERM: reverse order, ExecStop= with $MAINPID, a TERM-ignoring unit killed after
# its TimeoutStopSec=, exit 0; the watchdog (WatchdogSec=, WATCHDOG=1 from systemd-notify,
# Restart=on-watchdog). A second boot checks `systemctl exit 7`.
source "$(dirname "$0")/lib.sh"
it_init "$@"

PORT=$((20000 + RANDOM % 20000))
it_tree units
sed -i "s/@PORT@/$PORT/" "$TREE/etc/systemd/system/sock.socket"
mkdir -p "$TREE/srv/jail/bin" "$TREE/srv/jail/data"  # RootDirectory= of jail.service
cp "$TREE/bin/busybox" "$TREE/srv/jail/bin/" && ln -s busybox "$TREE/srv/jail/bin/sh"
start_ctinit
wait_for_log 'Entering runlevel: ' 20
# No systemd in the tree: the built-in default.target is multi-user.target, runlevel 3.
ct_check "units only (no inittab): boots the default target's level 3" \
  log_has 'Entering runlevel: 3'
ct_check "log: systemd units loaded" grep -qE 'systemd units: [0-9]+ loaded \(1 sockets\)' "$NS_LOG"
ct_wait_until 10 eval 'has_marker after-n-start && [[ $(marker_count crash-start) -ge 3 ]]'
sc() { in_ns /usr/bin/systemctl "$@"; }

# --- ordering, Requires=/Wants= ---
ct_check "a (oneshot, RemainAfterExit) ran" has_marker a-start
ct_check "b (Requires=+After= a) started after a finished" before a-start b-start
ct_check "fail.service ran and failed" has_marker fail-ran
ct_check "req.service (Requires=+After= the failed unit) was not started" no_marker_re req-start
ct_check "want.service (Wants= the failed and a missing unit) started anyway" has_marker want-start
ct_check "the failing script's output went to the log, tagged with its identifier" \
  grep -qE '^fail\[[0-9]+\]: cannot read /etc/fail.conf$' "$NS_LOG"
ct_check "... and is repeated with the failure, under the unit's name" \
  grep -qF 'fail.service: | cannot read /etc/fail.conf' "$NS_LOG"
ct_check "log: req failed because its dependency failed" \
  grep -qE 'req.service: failed: dependency fail.service failed' "$NS_LOG"

# --- SyslogIdentifier=: journal output (the default) tagged "IDENT[PID]: line", other
# outputs (inherit, tty) untagged ---
ct_wait_until 5 eval 'has_marker tagged-start && has_marker raw-start && has_marker mixed-start'
tpid=$(marker_field tagged-start 6 | cut -d= -f2)
ct_check "SyslogIdentifier=foo: stdout as 'foo[$tpid]: hello'" grep -qx "foo\[$tpid\]: hello" "$NS_LOG"
ct_check "... stderr too: 'foo[$tpid]: oops'" grep -qx "foo\[$tpid\]: oops" "$NS_LOG"
ct_check "... a last line without newline is written at EOF" \
  grep -qx "foo\[$tpid\]: partial" "$NS_LOG"
ct_check "StandardOutput=inherit: untagged" \
  eval 'grep -qx raw-hello "$NS_LOG" && grep -qx raw-oops "$NS_LOG" && ! grep -q nottagged "$NS_LOG"'
mpid=$(marker_field mixed-start 6 | cut -d= -f2)
ct_check "StandardOutput=tty, StandardError=journal: only stderr tagged" \
  eval 'grep -qx mix-out "$NS_LOG" && grep -qx "mix\[$mpid\]: mix-err" "$NS_LOG"'

# --- RootDirectory= ---
ct_check "jail.service ran chrooted in /srv/jail, in its WorkingDirectory /data" \
  eval '[[ "$(cat "$TREE/srv/jail/data/where" 2>/dev/null | tr "\n" " ")" == "/data jailed " ]]'

# --- notify readiness ---
ct_check "notify: n.service sent READY=1 and its dependent started" \
  eval 'has_marker n-ready && has_marker after-n-start'
ct_check "notify: the dependent started about 1 s after n.service (not at once)" \
  awk -v a="$(marker_field n-start 2)" -v b="$(marker_field after-n-start 2)" 'BEGIN { exit !(b - a >= 0.9) }'
out=$(sc status n.service 2>&1)
ct_check "systemctl status n: active (running) and its STATUS= text ($out)" \
  eval '[[ "$out" == *"Active: active (running)"* && "$out" == *"Status: \"serving\""* ]]'

# --- conditions ---
ct_check "cond.service skipped by ConditionPathExists=/nope" no_marker_re cond-start
ct_check "after-cond (Requires=+After= the skipped unit) ran: a skip is not a failure" \
  has_marker after-cond-start
ct_check "systemctl is-active cond.service: inactive, exit 3" \
  eval '[[ "$(sc is-active cond.service)" == inactive ]] && ! sc is-active -q cond.service'

# --- restart policies ---
ct_check "crash.service: restarted twice after exit 1 (3 starts, got $(marker_count crash-start))" \
  test "$(marker_count crash-start)" -eq 3
ct_check "crash.service: the restarts waited RestartSec=200ms" \
  awk -v a="$(grep '^crash-start' "$OUT/markers" | sed -n 1p | cut -d' ' -f2)" \
    -v b="$(grep '^crash-start' "$OUT/markers" | sed -n 2p | cut -d' ' -f2)" 'BEGIN { exit !(b - a >= 0.15) }'
ct_check "crash.service now active" eval '[[ "$(sc is-active crash.service)" == active ]]'
sleep 0.5
ct_check "clean.service (exit 0, Restart=on-failure) ran once" test "$(marker_count clean-start)" -eq 1
ct_check "clean.service is inactive, not failed" \
  eval '[[ "$(sc is-active clean.service)" == inactive ]] && ! sc is-failed -q clean.service'
ct_check "fail.service is failed (systemctl is-failed: exit 0)" sc is-failed -q fail.service

# --- watchdog ---
ct_wait_until 15 eval '[[ $(marker_count dog-start) -ge 2 ]]'
ct_check "dog.service: WatchdogSec=2 passed as WATCHDOG_USEC=2000000, WATCHDOG_PID = its own pid" \
  eval 'read -r usec wpid self < "$OUT/dog.env" && [[ $usec == 2000000 && $wpid == "$self" ]]'
ct_check "dog.service: the run that stopped sending WATCHDOG=1 got the watchdog's SIGABRT" \
  grep -qE 'dog.service: watchdog timeout \(limit 2.000 s\)! Sending signal 6' "$NS_LOG"
ct_check "dog.service: ... and was restarted by Restart=on-watchdog (2 starts)" \
  test "$(marker_count dog-start)" -eq 2

# --- socket activation ---
ct_check "sock.service not started before a connection" no_marker_re sock-start
ct_check "nothing but ctinit listens: a connection to 127.0.0.1:$PORT is accepted by the kernel" \
  eval 'echo hi | in_ns /bin/nc -w 2 127.0.0.1 '"$PORT"' >/dev/null 2>&1; true'
ct_wait_until 5 has_marker sock-start
ct_check "the connection started sock.service" has_marker sock-start
ct_check "it got LISTEN_FDS=1 and LISTEN_FDNAMES=sock.socket" \
  eval '[[ "$(marker_field sock-start 6)" == fds=1 && "$(marker_field sock-start 9)" == names=sock.socket ]]'
ct_check "LISTEN_PID is its own pid ($(marker_field sock-start 7) vs $(marker_field sock-start 8))" \
  test "$(marker_field sock-start 7 | cut -d= -f2)" = "$(marker_field sock-start 8 | cut -d= -f2)"
ct_check "fd 3 is the listening socket" has_marker sock-fd3

# --- systemctl online ---
out=$(sc list-units 2>&1)
ct_check "systemctl list-units shows b.service active running" \
  eval '[[ "$out" == *"b.service"*"loaded"*"active"*"running"* ]]'
ct_check "systemctl is-enabled b.service: enabled" eval '[[ "$(sc is-enabled b.service)" == enabled ]]'
bpid=$(cat "$OUT/b.pid")
ct_check "systemctl reload b: ExecReload= ran with \$MAINPID" \
  eval 'sc reload b.service && grep -q "^b-reload .* $bpid\$" "$OUT/markers"' 
ct_check "systemctl stop a.service: exit 0" sc stop a.service
ct_check "... stopped b first (Requires= a): b-stop before a-stop" before b-stop a-stop
ct_check "... b's ExecStop= saw MAINPID=$bpid" eval 'grep -q "^b-stop .*MAINPID=$bpid" "$OUT/markers"'
ct_check "systemctl is-active b.service: inactive" eval '[[ "$(sc is-active b.service)" == inactive ]]'
ct_check "systemctl start b.service: exit 0" sc start b.service
ct_wait_until 5 eval '[[ $(marker_count b-start) -eq 2 ]]'
ct_check "... it started a again first (a-start 2, b-start 2, in that order)" \
  eval '[[ $(marker_count a-start) -eq 2 && $(marker_count b-start) -eq 2 ]] &&
        [[ $(grep -n "^a-start" "$OUT/markers" | tail -1 | cut -d: -f1) -lt $(grep -n "^b-start" "$OUT/markers" | tail -1 | cut -d: -f1) ]]'
ct_check "systemctl restart b.service: exit 0" sc restart b.service
ct_wait_until 5 eval '[[ $(marker_count b-start) -eq 3 ]]'
ct_check "... it was stopped (ExecStop) and started again" \
  eval '[[ $(marker_count b-stop) -eq 2 && $(marker_count b-start) -eq 3 ]]'
ct_check "systemctl start manual.service (not enabled)" sc start manual
ct_wait_until 5 has_marker manual-start
ct_check "... it runs, with its RuntimeDirectory /run/manual" \
  eval 'has_marker manual-start && [[ -d "$TREE/run/manual" ]]'
ct_check "systemctl stop manual: RuntimeDirectory removed" \
  eval 'sc stop manual && [[ ! -e "$TREE/run/manual" ]]'
out=$(sc start nosuch.service 2>&1)
rc=$?
ct_check "systemctl start of an unknown unit: exit 5, 'not found' ($rc: $out)" \
  eval '[[ $rc -eq 5 && "$out" == *"not found"* ]]'
out=$(sc start req.service 2>&1)
rc=$?
ct_check "systemctl start req.service (its requirement fails again): exit 1, 'Job for' ($rc)" \
  eval '[[ $rc -eq 1 && "$out" == *"Job for req.service failed"* ]]'
ct_check "systemctl disable manual.service (offline file operation, while online)" \
  eval 'sc disable manual.service >/dev/null 2>&1 || true; sc enable --now manual.service'
ct_wait_until 5 eval '[[ $(marker_count manual-start) -eq 2 ]]'
ct_check "... enable --now started it" eval '[[ $(marker_count manual-start) -eq 2 ]]'
ct_check "... and made the link" test -L "$TREE/etc/systemd/system/multi-user.target.wants/manual.service"

# The second run keeps sending WATCHDOG=1: at least 3 s (> WatchdogSec=2) after its start it
# is still the same run.
t2=$(grep '^dog-start' "$OUT/markers" | sed -n 2p | cut -d' ' -f2)
sleep "$(awk -v t="${t2:-0}" -v now="$(cut -d' ' -f1 /proc/uptime)" \
  'BEGIN { d = 3.2 - (now - t); print (d > 0 ? d : 0) }')"
ct_check "dog.service: the run that keeps sending WATCHDOG=1 is not killed (still 2 starts, active)" \
  eval '[[ $(marker_count dog-start) -eq 2 && "$(sc is-active dog.service)" == active ]]'

# --- shutdown ---
send_signal TERM
wait_exit 20
rc=$?
ct_check "SIGTERM: exit 0 (got $NS_RC) within 20 s" eval '[[ $NS_TIMED_OUT -eq 0 && $rc -eq 0 ]]'
ct_check "SIGTERM: b stopped before a (reverse order)" \
  eval '[[ $(grep -n "^b-stop" "$OUT/markers" | tail -1 | cut -d: -f1) -lt $(grep -n "^a-stop" "$OUT/markers" | tail -1 | cut -d: -f1) ]]'
ct_check "SIGTERM: stubborn.service got SIGTERM, then SIGKILL after TimeoutStopSec=1" \
  eval 'has_marker stubborn-TERM && log_has "Sending SIGKILL to stubborn.service"'
ct_check "SIGTERM: took under 8 s (the unit's 1 s stop timeout, not systemd's 90 s)" \
  awk -v t="$NS_EXIT_SECS" 'BEGIN { exit !(t < 8) }'

# --- systemctl exit N ---
it_tree units
sed -i "s/@PORT@/$((PORT + 1))/" "$TREE/etc/systemd/system/sock.socket"
start_ctinit
wait_for_log 'Entering runlevel: 3' 20
ct_wait_until 10 has_marker after-n-start
ct_check "systemctl exit 7: accepted" in_ns /usr/bin/systemctl exit 7
wait_exit 20
ct_check "systemctl exit 7: ctinit exited 7 (got $NS_RC)" test "$NS_RC" = 7

it_finish
