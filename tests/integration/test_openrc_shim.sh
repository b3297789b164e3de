#!/bin/bash
# The OpenRC shim without OpenRC: a busybox tree with OpenRC-style scripts
# (tests/fixtures/openrc-shim), `ctinit install-applets`, and the scripts run by hand inside a
# pid namespace (ctinit is PID 1 in app mode only so that exited daemons are reaped; the scripts
# are not run by it): command_background + pidfile, custom start()/stop(), start_pre/stop_post,
# extra_started_commands, conf.d, command_user, a retry schedule on a TERM-ignoring daemon,
# checkpath, required_files, a `need` started by hand, rc-status, rc-update, rc-service.
source "$(dirname "$0")/lib.sh"
it_init "$@"

SHIM_FIXTURE=$IT_DIR/../fixtures/openrc-shim
it_tree
cp -a "$SHIM_FIXTURE/." "$TREE/"
rm -f "$TREE/README.md"
printf 'svc:x:1234:1235:svc:/var/empty:/bin/false\n' >>"$TREE/etc/passwd"
printf 'svcgrp:x:1235:\n' >>"$TREE/etc/group"
mkdir -p "$TREE/etc/runlevels/default"
chmod 1777 "$OUT" # daemons running as the fixture user write their pid there

start_ctinit -- /bin/sleep 100000
ct_wait_until 10 ns_pid_alive 1 || ct_die "ctinit did not come up"

run() { in_ns "$@" >>"$OUT/run.log" 2>&1; } # command output goes to run.log
say() { in_ns "$@" 2>&1; }                   # captured by the caller
pid_in() { awk '{ print $2 }' "$OUT/testd-$1.pid" 2>/dev/null; }
alive() { local p; p=$(pid_in "$1"); [[ -n "$p" ]] && ns_pid_alive "$p" && [[ $(ns_state "$p") != Z ]]; }
started_link() { [[ "$(readlink "$TREE/run/openrc/started/$1")" == "/etc/init.d/$1" ]]; }

# --- installing the applets ---
ct_check "install-applets succeeds" run /sbin/ctinit install-applets
for a in openrc-run runscript start-stop-daemon supervise-daemon rc-service rc-status rc-update; do
  ct_check "/sbin/$a -> ctinit" test "$(readlink "$TREE/sbin/$a")" = /sbin/ctinit
done
for a in start-stop-daemon supervise-daemon checkpath; do
  ct_check "/lib/rc/bin/$a -> ctinit (ahead of busybox's /bin/$a in scripts' PATH)" \
    test "$(readlink "$TREE/lib/rc/bin/$a")" = /sbin/ctinit
done
ct_check "install-applets again: nothing to do, exit 0" run /sbin/ctinit install-applets
ln -sf busybox "$TREE/bin/rc-status"
out=$(say /sbin/ctinit install-applets /bin)
ct_check "install-applets leaves an existing non-ctinit file alone (says so)" \
  eval '[[ "$out" == *"/bin/rc-status exists and is not ctinit; left alone"* && "$(readlink "$TREE/bin/rc-status")" == busybox ]]'
ct_check "the warning says what a script calling it gets, and how to take it over" \
  eval '[[ "$out" == *"scripts that call it by this path get that program (--replace"* ]]'
rm -f "$TREE"/bin/{openrc-run,runscript,start-stop-daemon,supervise-daemon,rc-service,rc-update,systemctl,systemd-notify}
out=$(say /sbin/ctinit install-applets --replace /bin)
ct_check "install-applets --replace moves the other program aside and links ctinit ($out)" \
  eval '[[ "$(readlink "$TREE/bin/rc-status")" == /sbin/ctinit && "$(readlink "$TREE/bin/rc-status.ctinit-orig")" == busybox ]]'
rm -f "$TREE"/bin/{openrc-run,runscript,start-stop-daemon,supervise-daemon,rc-service,rc-update,systemctl,systemd-notify} "$TREE"/bin/rc-status{,.ctinit-orig}

# --- command_background + pidfile, conf.d, start_pre / stop_post, extra_started_commands ---
out=$(say /etc/init.d/bgd reload)
ct_check "reload refused while stopped: exit 1 and OpenRC's message ($out)" \
  eval '! in_ns /etc/init.d/bgd reload >/dev/null 2>&1 && [[ "$out" == *"bgd: cannot \`reload'"'"' as it has not been started"* ]]'
out=$(say /etc/init.d/bgd start)
ct_check "bgd start prints ' * Starting bgd ... [ ok ]' ($out)" eval '[[ "$out" == *" * Starting bgd ... [ ok ]"* ]]'
ct_check "bgd: daemon running" alive bgd
ct_check "bgd: pidfile written by --make-pidfile holds the daemon's pid" \
  eval '[[ "$(cat "$TREE/run/bgd.pid")" == "$(pid_in bgd)" ]]'
ct_check "bgd: conf.d variable reached command_args" grep -q 'bgd plain from-confd' "$OUT/testd-bgd.pid"
ct_check "bgd: state symlink /run/openrc/started/bgd -> /etc/init.d/bgd" started_link bgd
# ctinit booted the (empty) OpenRC runlevel "default" in native mode: softlevel says so.
ct_check "bgd: start_pre ran with RC_CMD=start RC_SVCNAME=bgd RC_RUNLEVEL=default" \
  grep -q '^start_pre RC_CMD=start RC_SVCNAME=bgd RC_RUNLEVEL=default$' "$OUT/hooks"
ct_check "bgd: daemon's parent is PID 1 (detached)" test "$(ns_ppid "$(pid_in bgd)")" = 1
out=$(say /etc/init.d/bgd start)
ct_check "second start: 'WARNING: bgd has already been started', exit 0" \
  eval '[[ "$out" == *"WARNING: bgd has already been started"* ]] && in_ns /etc/init.d/bgd start >/dev/null 2>&1'
ct_check "status of a started service: exit 0" in_ns /etc/init.d/bgd status
ct_check "reload allowed while started" run /etc/init.d/bgd reload
ct_check "reload ran" grep -qx reload "$OUT/hooks"
ct_check "service_get_value sees what ssd_start saved" \
  eval '[[ "$(cat "$TREE/run/openrc/options/bgd/pidfile")" == /run/bgd.pid ]]'
bgpid=$(pid_in bgd)
out=$(say /etc/init.d/bgd stop)
ct_check "bgd stop prints ' * Stopping bgd ... [ ok ]' ($out)" eval '[[ "$out" == *" * Stopping bgd ... [ ok ]"* ]]'
ct_check "bgd: daemon gone after stop" eval '! ns_pid_alive "$bgpid" || [[ $(ns_state "$bgpid") == Z ]]'
ct_check "bgd: stop_post ran" grep -q '^stop_post RC_CMD=stop$' "$OUT/hooks"
ct_check "bgd: no state link left, options cleared" \
  eval '[[ ! -L "$TREE/run/openrc/started/bgd" && ! -e "$TREE/run/openrc/options/bgd" ]]'
in_ns /etc/init.d/bgd status >/dev/null 2>&1
ct_check "status of a stopped service: exit 3" test $? -eq 3
out=$(say /etc/init.d/bgd stop)
ct_check "stop when stopped: 'WARNING: bgd is already stopped'" eval '[[ "$out" == *"WARNING: bgd is already stopped"* ]]'
ct_check "restart from stopped starts it" run /etc/init.d/bgd restart
ct_check "bgd running after restart" alive bgd
ct_check "zap: marked stopped" eval 'run /etc/init.d/bgd zap && [[ ! -L "$TREE/run/openrc/started/bgd" ]]'
run /sbin/start-stop-daemon --stop --pidfile /run/bgd.pid

# --- custom start()/stop() with start-stop-daemon from PATH ---
ct_check "custom start" run /etc/init.d/custom start
ct_check "custom: daemon running" alive custom
ct_check "custom: started link" started_link custom
ct_check "custom: the script's start-stop-daemon was the shim's (busybox sh prefers its own applet)" \
  grep -qx 'exec=/usr/bin/testd' "$TREE/run/openrc/daemons/custom/001"
cpid=$(pid_in custom)
out=$(say /sbin/start-stop-daemon --start --pidfile /run/custom.pid --exec /usr/bin/testd -- custom plain)
ct_check "s-s-d --start while running: 'is already running' ($out)" \
  eval '[[ "$out" == *"start-stop-daemon: /usr/bin/testd is already running"* ]]'
ct_check "custom stop" run /etc/init.d/custom stop
ct_check "custom: daemon gone" eval '! ns_pid_alive "$cpid" || [[ $(ns_state "$cpid") == Z ]]'

# --- command_user ---
ct_check "userd start" run /etc/init.d/userd start
upid=$(pid_in userd)
ct_check "userd runs as uid 1234 gid 1235 (from the chroot's passwd/group)" \
  eval 'grep -q "^Uid:.1234" "$(_ns_proc)/$upid/status" && grep -q "^Gid:.1235" "$(_ns_proc)/$upid/status"'
ct_check "userd stop" run /etc/init.d/userd stop

# --- retry schedule on a daemon that ignores TERM ---
ct_check "stubborn start" run /etc/init.d/stubborn start
spid=$(pid_in stubborn)
t0=$(ct_now)
ct_check "stubborn stop succeeds (TERM ignored, then KILL)" run /etc/init.d/stubborn stop
t1=$(ct_now)
ct_check "stubborn: gone" eval '! ns_pid_alive "$spid" || [[ $(ns_state "$spid") == Z ]]'
ct_check "stubborn: the stop waited the 1 s TERM step ($(ct_elapsed "$t0" "$t1") s)" ct_lt 0.9 "$(ct_elapsed "$t0" "$t1")"
ct_check "stubborn: and did not wait much longer ($(ct_elapsed "$t0" "$t1") s)" ct_lt "$(ct_elapsed "$t0" "$t1")" 3.5
echo 99999 >"$TREE/run/stale.pid"
ct_check "s-s-d --stop on a stale pidfile: exit 0, 'no matching processes found', pidfile removed" \
  eval 'o=$(in_ns /sbin/start-stop-daemon --stop --pidfile /run/stale.pid 2>&1) && [[ "$o" == *"no matching processes found"* && ! -e "$TREE/run/stale.pid" ]]'
ct_check "s-s-d --stop --oknodo with nothing running: exit 1" \
  eval '! in_ns /sbin/start-stop-daemon --stop --oknodo --exec /usr/bin/nothing-like-this >/dev/null 2>&1'

# --- supervisor=supervise-daemon: a client of ctinit's control socket ---
if [[ -S "$TREE/run/ctinit/control" ]]; then
  ct_check "supd start through ctinit's control socket" run /etc/init.d/supd start
  ct_check "supd: supervised daemon running" eval 'ct_wait_until 5 alive supd'
  ct_check "supd: status 0 while supervised" in_ns /etc/init.d/supd status
  ct_check "supd stop" run /etc/init.d/supd stop
else
  # This ctinit has no control socket: the start must fail cleanly and say why.
  out=$(say /etc/init.d/supd start)
  ct_check "supd without ctinit's control socket: 'cannot reach ctinit' and 'ERROR: supd failed to start' ($out)" \
    eval '[[ "$out" == *"cannot reach ctinit"* && "$out" == *"ERROR: supd failed to start"* ]]'
  ct_check "supd: not marked started" test ! -L "$TREE/run/openrc/started/supd"
fi

# --- checkpath ---
ct_check "paths start (checkpath)" run /etc/init.d/paths start
ct_check "checkpath -d made /run/paths-dir 0750 owned 1234:1235" \
  eval '[[ "$(stat -c "%a %u %g %F" "$TREE/run/paths-dir")" == "750 1234 1235 directory" ]]'
ct_check "checkpath -f made state 0600" eval '[[ "$(stat -c %a "$TREE/run/paths-dir/state")" == 600 ]]'

# --- required_files ---
out=$(say /etc/init.d/badreq start)
ct_check "badreq: start fails with the required_files message" \
  eval '[[ "$out" == *"badreq: \`/etc/does-not-exist'"'"' is not readable"* && "$out" == *"ERROR: badreq failed to start"* ]]'
ct_check "badreq: start_pre did not run" eval '! grep -q "badreq start_pre" "$OUT/hooks"'
ct_check "badreq: not marked started" eval '[[ ! -L "$TREE/run/openrc/started/badreq" && ! -L "$TREE/run/openrc/starting/badreq" ]]'

# --- need started by hand ---
ct_check "needer start" run /etc/init.d/needer start
ct_check "needer: its need bgd was started first" eval 'started_link bgd && alive bgd && grep -q "needer saw bgd started" "$OUT/hooks"'

# --- rc-status / rc-update / rc-service ---
ct_check "rc-update add bgd default" run rc-update add bgd default
ct_check "rc-update wrote /etc/runlevels/default/bgd -> /etc/init.d/bgd" \
  test "$(readlink "$TREE/etc/runlevels/default/bgd")" = /etc/init.d/bgd
ct_check "rc-update add custom (current level, no softlevel: default)" run rc-update add custom
echo default >"$TREE/run/openrc/softlevel"
st=$(say rc-status)
ct_check "rc-status: 'Runlevel: default'" eval '[[ "$st" == *"Runlevel: default"* ]]'
ct_check "rc-status: bgd started" eval 'grep -Eq "^ bgd +\[  started  \]" <<<"$st"'
ct_check "rc-status: custom stopped" eval 'grep -Eq "^ custom +\[  stopped  \]" <<<"$st"'
ct_check "rc-status: needer under manual" eval 'grep -Eq "^ needer +\[  started  \]" <<<"$st"'
ct_check "rc-status -r: default" eval '[[ "$(say rc-status -r)" == default ]]'
ct_check "rc-update del custom" run rc-update del custom default
ct_check "rc-update del removed the link" test ! -L "$TREE/etc/runlevels/default/custom"
ct_check "rc-update show lists bgd in default" eval 'say rc-update show | grep -Eq "^ +bgd \| default$"'
ct_check "rc-service bgd stop" run rc-service bgd stop
ct_check "rc-service: bgd no longer started" test ! -L "$TREE/run/openrc/started/bgd"
ct_check "rc-service -e bgd" in_ns rc-service -e bgd
ct_check "rc-service of an unknown service fails" eval '! in_ns rc-service nosuch start >/dev/null 2>&1'
run /etc/init.d/needer stop

ns_kill
it_finish
