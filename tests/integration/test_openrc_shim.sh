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

# --- OpenRC 0.63's helpers (issue 12): save_options/get_options like Gentoo's mysql ---
cmd_count() { # live processes of the namespace whose command line matches the ERE $1
  local n=0 p
  for p in $(ns_host_pids); do
    if tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null | grep -Eq -- "$1" && [[ "$(_proc_state "$p")" != Z ]]; then
      n=$((n + 1))
    fi
  done
  echo "$n"
}
testd_count() { cmd_count "testd $1( |\$)"; }
mkdir -p "$TREE/opt/mysqlish/bin"
cp "$TREE/usr/bin/testd" "$TREE/opt/mysqlish/bin/testd"
printf 'basedir=/opt/mysqlish\npidfile=/run/mysqlish.pid\n' >"$TREE/etc/mysqlish.cnf"
ct_check "mysqlish start (save_options after start-stop-daemon)" run /etc/init.d/mysqlish start
ct_check "mysqlish: server running" alive mysqlish
ct_check "mysqlish: save_options stored the pidfile in /run/openrc/options/mysqlish/" \
  eval '[[ "$(cat "$TREE/run/openrc/options/mysqlish/pidfile")" == /run/mysqlish.pid ]]'
ct_check "mysqlish checkdaemon (service_started_daemon)" run /etc/init.d/mysqlish checkdaemon
ct_check "service_started_daemon: by exec, by service + exec + index, and not another exec" \
  eval 'grep -qx "daemon-1 yes" "$OUT/mysqlish.log" && grep -qx "daemon-2 yes" "$OUT/mysqlish.log" && grep -qx "daemon-3 no" "$OUT/mysqlish.log"'
# The configuration changes while the server runs: stop() must use what start() saved.
printf 'basedir=/opt/other\npidfile=/run/other.pid\n' >"$TREE/etc/mysqlish.cnf"
mpid=$(pid_in mysqlish)
ct_check "mysqlish stop (get_options)" run /etc/init.d/mysqlish stop
ct_check "mysqlish: stop() read the saved values" \
  grep -qx 'stop pidfile=/run/mysqlish.pid basedir=/opt/mysqlish' "$OUT/mysqlish.log"
ct_check "mysqlish: server gone after stop" eval '! ns_pid_alive "$mpid" || [[ $(ns_state "$mpid") == Z ]]'
ct_check "mysqlish: options cleared once stopped" test ! -e "$TREE/run/openrc/options/mysqlish"
printf 'basedir=/opt/mysqlish\npidfile=/run/mysqlish.pid\n' >"$TREE/etc/mysqlish.cnf"
ct_check "mysqlish start again" run /etc/init.d/mysqlish start
m1=$(pid_in mysqlish)
ct_check "mysqlish restart" run /etc/init.d/mysqlish restart
m2=$(pid_in mysqlish)
ct_check "mysqlish: restart replaced the server ($m1 -> $m2)" \
  eval '[[ "$m1" != "$m2" ]] && alive mysqlish && { ! ns_pid_alive "$m1" || [[ $(ns_state "$m1") == Z ]]; }'
ct_check "mysqlish: exactly one server after restart (no orphan)" test "$(testd_count mysqlish)" -eq 1
ct_check "mysqlish final stop" run /etc/init.d/mysqlish stop
ct_check "mysqlish: no server left" test "$(testd_count mysqlish)" -eq 0

# --- mountinfo / fstabinfo / RC_* ---
printf '%s\n' '# test fstab' '/dev/sda2 /boot ext2 noauto,noatime 1 2' \
  'server:/export /data nfs4 _netdev,rw 0 0' >"$TREE/etc/fstab"
ct_check "mounts start" run /etc/init.d/mounts start
for want in proc-mounted=yes nosuch-mounted=no proc-fstype=proc 'proc-by-regex=/proc ' \
  'fstab-points=/boot /data ' fstab-boot-options=noauto,noatime fstab-nfs=/data \
  'fstab-mountargs=-o noauto,noatime -t ext2 /dev/sda2 /boot' proc-netfs=no \
  'RC_CACHEDIR=/var/cache/rc RC_LIBEXECDIR=/lib/rc RC_SVCDIR=/run/openrc' \
  'RC_BOOTLEVEL=boot RC_DEFAULTLEVEL=default RC_GOT_FUNCTIONS=yes' 'colours=[]' \
  'ulimit-n=512 ulimit-c=0'; do
  ct_check "mounts: $want" grep -qxF -- "$want" "$OUT/mounts"
done
ct_check "mounts: RC_UNAME=Linux RC_VERSION=0.63" grep -q 'RC_UNAME=Linux RC_VERSION=0.63$' "$OUT/mounts"
ct_check "mounts: rc_runlevel names a runlevel" grep -Eq '^rc_runlevel=[a-z]+$' "$OUT/mounts"
# `openrc-run SCRIPT depend`: depend() and what rc.conf adds (rc_<svc>_<type>), with keyword
# -containers expanded as rc-functions.sh does.
printf 'rc_mounts_use="fancy"\nrc_mounts_keyword="-containers -shutdown"\n' >>"$TREE/etc/rc.conf"
dep=$(say /sbin/openrc-run /etc/init.d/mounts depend)
ct_check "depend: rc.conf's rc_mounts_use is printed ($(tr '\n' ';' <<<"$dep"))" grep -qx 'use fancy' <<<"$dep"
ct_check "depend: keyword -containers expands to the Linux container keywords" \
  grep -q '^keyword -docker -podman -lxc -openvz -rkt -systemd-nspawn -uml -vserver -wsl -shutdown' <<<"$dep"
sed -i '/^rc_mounts_/d' "$TREE/etc/rc.conf"
ct_check "install-applets linked mountinfo, fstabinfo, kill_all, save_options… in /lib/rc/bin" \
  eval 'for a in mountinfo fstabinfo kill_all save_options get_options service_get_value service_set_value rc-depend rc-abort; do [[ "$(readlink "$TREE/lib/rc/bin/$a")" == /sbin/ctinit ]] || exit 1; done'
dep=$(say /lib/rc/bin/rc-depend needer)
ct_check "rc-depend needer: its need, traced, then itself ($dep)" test "$dep" = "bgd needer"
dep=$(say /lib/rc/bin/rc-depend -t needsme bgd)
ct_check "rc-depend -t needsme bgd: who needs bgd ($dep)" test "$dep" = "needer bgd"
out=$(say /lib/rc/bin/rc-depend nosuch)
ct_check "rc-depend of an unknown service: OpenRC's words, exit 1 ($out)" \
  eval '[[ "$out" == *"no dependency info for service \`nosuch'"'"'"* ]] && ! in_ns /lib/rc/bin/rc-depend nosuch >/dev/null 2>&1'
out=$(say /lib/rc/bin/rc-abort)
ct_check "rc-abort without an openrc process: one clear line, exit 1 ($out)" \
  eval '[[ "$out" == *"rc-abort: not supported under ctinit"* ]] && ! in_ns /lib/rc/bin/rc-abort >/dev/null 2>&1'
ct_check "kill_all --dry-run spares PID 1 and its caller's session" \
  eval 'o=$(in_ns /lib/rc/bin/kill_all --dry-run 2>&1) && ! grep -q "to process 1$" <<<"$o"'

# --- input_file, output_logger, no_new_privs ---
echo hello >"$TREE/etc/logged.in"
ct_check "logged start" run /etc/init.d/logged start
ct_check "logged: the daemon read input_file and its output reached output_logger" \
  eval 'ct_wait_until 5 grep -qx "echod read: hello" "$OUT/logged.out"'
ct_check "logged: no_new_privs reached the daemon" grep -Eq '^NoNewPrivs:[[:space:]]+1$' "$OUT/logged.out"
ct_check "logged stop" run /etc/init.d/logged stop

# --- capabilities= and notify=fd:N (start-stop-daemon) ---
# CAP_NET_BIND_SERVICE is bit 10 (0x400), CAP_SYS_MODULE bit 16 (0x10000).
cap_field() { awk -v f="$1:" '$1 == f { print $2 }' "$OUT/capd-$2.out" 2>/dev/null; }
ct_check "capd start (start-stop-daemon --capabilities --notify fd:3)" run /etc/init.d/capd start
ct_check "capd: the start waited for the daemon's ready line (written a second after its start)" \
  grep -qx 'ssd written' "$OUT/capd-ssd.out"
ct_check "capd: the daemon (user svc) has cap_net_bind_service ambient ($(cap_field CapAmb ssd))" \
  eval '[[ "$(cap_field CapAmb ssd)" == 0000000000000400 ]]'
ct_check "capd: cap_sys_module left its bounding set" \
  eval '(( (0x$(cap_field CapBnd ssd) & 0x10000) == 0 && (0x$(cap_field CapBnd ssd) & 0x400) != 0 ))'
ct_check "capd stop" run /etc/init.d/capd stop
ct_check "readyssd start (start-stop-daemon --notify socket:ready)" run /etc/init.d/readyssd start
ct_check "readyssd: the start waited for READY=1 (sent a second after the daemon's start)" \
  grep -qx 'NAME=ssd NOTIFY_SOCKET=/run/openrc/supervise-readyssd.sock' "$OUT/readyd-ssd.out"
ct_check "readyssd: the notify socket is removed once READY=1 arrived" \
  test ! -e "$TREE/run/openrc/supervise-readyssd.sock"
ct_check "readyssd stop" run /etc/init.d/readyssd stop
printf '#!/sbin/openrc-run\ncommand=/usr/bin/capd\ncommand_args=bad\ncommand_background=yes\npidfile=/run/capbad.pid\ncapabilities="^cap_nonesuch"\n' >"$TREE/etc/init.d/capbad"
chmod +x "$TREE/etc/init.d/capbad"
out=$(say /etc/init.d/capbad start)
ct_check "capbad: an unknown capability is refused in one line, not started ($out)" \
  eval '[[ "$out" == *"Could not parse iab: unknown capability \`cap_nonesuch'"'"'"* ]] && [[ ! -e "$OUT/capd-bad.out" ]]'

# --- start_inactive (sh/start-stop-daemon.sh): inactive while and after the start; a failed
# start is stopped again ---
printf '#!/sbin/openrc-run\ncommand=/bin/sleep\ncommand_args=100000\ncommand_background=yes\npidfile=/run/inact.pid\nstart_inactive=yes\n' >"$TREE/etc/init.d/inact"
printf '#!/sbin/openrc-run\ncommand=/nonexistent/daemon\ncommand_background=yes\npidfile=/run/inactbad.pid\nstart_inactive=yes\n' >"$TREE/etc/init.d/inactbad"
chmod +x "$TREE/etc/init.d/inact" "$TREE/etc/init.d/inactbad"
out=$(say /etc/init.d/inact start)
ct_check "inact: start_inactive=yes leaves it inactive, as OpenRC ($out)" \
  eval '[[ -L "$TREE/run/openrc/inactive/inact" && ! -L "$TREE/run/openrc/started/inact" && "$out" == *"has started, but is inactive"* ]]'
ct_check "inact stop" run /etc/init.d/inact stop
ct_check "inact: stopped (no state link left)" eval '[[ ! -L "$TREE/run/openrc/inactive/inact" ]]'
say /etc/init.d/inactbad start >/dev/null || true
ct_check "inactbad: a failed start_inactive start is stopped again, not left inactive" \
  eval '[[ ! -L "$TREE/run/openrc/inactive/inactbad" && ! -L "$TREE/run/openrc/started/inactbad" ]]'

# --- supervise-daemon health checks: healthcheck() fails once -> unhealthy(), restart ---
if [[ -S "$TREE/run/ctinit/control" ]]; then
  ct_check "healthy start" run /etc/init.d/healthy start
  ct_check "healthy: daemon running" eval 'ct_wait_until 5 alive healthy'
  h1=$(pid_in healthy)
  ct_check "healthy: the first healthcheck failed and unhealthy() ran" \
    eval 'ct_wait_until 10 test -s "$OUT/healthy.unhealthy"'
  ct_check "healthy: unhealthy() saw the first daemon ($h1)" grep -qx "unhealthy $h1" "$OUT/healthy.unhealthy"
  healthy_restarted() { local p; p=$(pid_in healthy); [[ -n "$p" && "$p" != "$h1" ]] && alive healthy; }
  ct_check "healthy: the daemon was restarted (a new pid)" ct_wait_until 10 healthy_restarted
  h2=$(pid_in healthy)
  ct_check "healthy: the first daemon is gone" eval '! ns_pid_alive "$h1" || [[ $(ns_state "$h1") == Z ]]'
  ct_check "healthy: checks go on and pass on the new daemon ($h2)" \
    eval 'ct_wait_until 10 grep -qx "check $h2" "$OUT/healthy.checks"'
  ct_check "healthy: unhealthy() ran once only" test "$(wc -l <"$OUT/healthy.unhealthy")" -eq 1
  ct_check "healthy: still started" started_link healthy
  ct_check "healthy stop" run /etc/init.d/healthy stop
  ct_check "healthy: daemon gone" eval 'ct_wait_until 5 test "$(testd_count healthy)" -eq 0'
  monitor_gone() { test "$(cmd_count 'supervise-daemon healthy ')" -eq 0; }
  ct_check "healthy: the health monitor is gone too" ct_wait_until 5 monitor_gone

  # capabilities= and no_new_privs= through ctinit's supervisor
  ct_check "capsup start (supervise-daemon --capabilities --no-new-privs)" run /etc/init.d/capsup start
  ct_check "capsup: the daemon (user svc) has cap_net_bind_service ambient" \
    eval 'ct_wait_until 5 test "$(cap_field CapAmb sup)" = 0000000000000400'
  ct_check "capsup: cap_sys_module left its bounding set, no_new_privs is set" \
    eval '(( (0x$(cap_field CapBnd sup) & 0x10000) == 0 )) && [[ "$(cap_field NoNewPrivs sup)" == 1 ]]'
  ct_check "capsup stop" run /etc/init.d/capsup stop
  ct_check "readysup start (supervise-daemon --notify socket:ready)" run /etc/init.d/readysup start
  ct_check "readysup: the start returned only after READY=1 (ctinit's own NOTIFY_SOCKET)" \
    grep -q '^NAME=sup NOTIFY_SOCKET=/' "$OUT/readyd-sup.out"
  ct_check "readysup: started" started_link readysup
  ct_check "readysup stop" run /etc/init.d/readysup stop
  ct_check "loggedsup start (supervise-daemon --stdout-logger --stderr-logger)" \
    run /etc/init.d/loggedsup start
  ct_check "loggedsup: stdout reached output_logger" \
    eval 'ct_wait_until 5 grep -qx out-line "$OUT/loggedsup.out"'
  ct_check "loggedsup: stderr reached error_logger" \
    eval 'ct_wait_until 5 grep -qx E:err-line "$OUT/loggedsup.err"'
  ct_check "loggedsup: running, and no run-with-loggers process is left (it exec'd the daemon)" \
    eval '[[ "$(say /sbin/ctinit supervise-daemon loggedsup --status | head -n 1)" == "running "* ]] && test "$(cmd_count run-with-loggers)" -eq 0'
  ct_check "loggedsup stop" run /etc/init.d/loggedsup stop

  # supervisor=runit / s6: ctinit supervises what the external tree would run
  ct_check "runitd start (supervisor=runit)" run /etc/init.d/runitd start
  ct_check "runitd: /etc/sv/runitd/run runs in its directory" \
    eval 'ct_wait_until 5 grep -qx "runitd pwd=/etc/sv/runitd" "$OUT/runitd.out" && ct_wait_until 5 alive runitd'
  ct_check "runitd: status says started" in_ns /etc/init.d/runitd status
  r1=$(pid_in runitd)
  in_ns kill "$r1"
  runit_respawned() { local p; p=$(pid_in runitd); [[ -n "$p" && "$p" != "$r1" ]] && alive runitd; }
  ct_check "runitd: killed, it runs again (runsv's restart)" ct_wait_until 5 runit_respawned
  ct_check "runitd stop" run /etc/init.d/runitd stop
  ct_check "runitd: gone after stop" eval 'ct_wait_until 5 test "$(testd_count runitd)" -eq 0'
  ct_check "s6d start (supervisor=s6)" run /etc/init.d/s6d start
  ct_check "s6d: command command_args command_args_foreground runs" \
    eval 'ct_wait_until 5 alive s6d && test "$(cmd_count "testd s6d plain")" -eq 1'
  ct_check "s6d stop" run /etc/init.d/s6d stop
  ct_check "s6d: gone after stop" eval 'ct_wait_until 5 test "$(testd_count s6d)" -eq 0'
  out=$(say sh -c 'printf "#!/sbin/openrc-run\nsupervisor=runit\nrunit_service=/etc/sv/none\n" >/etc/init.d/runitbad; chmod +x /etc/init.d/runitbad; /etc/init.d/runitbad start')
  ct_check "runitbad: a missing service directory fails the start ($out)" \
    eval '[[ "$out" == *"Runit service /etc/sv/none not found"* ]]'
fi

# --- Gentoo's own scripts: they load, describe themselves and state their dependencies ---
# Their required_files (openrc-run checks them before describe and depend too, as OpenRC does).
GENTOO=$IT_DIR/../fixtures/gentoo-openrc
cp -a "$GENTOO/init.d/." "$TREE/etc/init.d/"
cp -a "$GENTOO/conf.d/." "$TREE/etc/conf.d/"
mkdir -p "$TREE/etc/syslog-ng" "$TREE/etc/unbound"
touch "$TREE/etc/rsyslog.conf" "$TREE/etc/syslog-ng/syslog-ng.conf" "$TREE/etc/unbound/unbound.conf"
# "NAME: not found" for a NAME without '/': a helper the script calls by name is missing. The
# daemons' own programs (called by absolute path: unbound-checkconf) are not in this tree.
missing_helper() { grep -Eq '(^|: )[^/: ]+: not found'; }
stray_lines() { grep -Ev '^$|^(need|use|want|after|before|provide|keyword|config) |: /[^:]*: not found$'; }
for s in "$GENTOO"/init.d/*; do
  svc=${s##*/}
  chmod +x "$TREE/etc/init.d/$svc"
  out=$(say /sbin/openrc-run "/etc/init.d/$svc" describe)
  # Gentoo's /bin/sh is bash; a script using bash's own expansions cannot run with busybox sh
  # (the shim uses bash when the image has it; this tree has none).
  if [[ "$out" == *"bad substitution"* && ! -x "$TREE/bin/bash" ]]; then
    ct_log "gentoo $svc: needs bash (${out//$'\n'/ }); not checked in this busybox tree"
    continue
  fi
  ct_check "gentoo $svc: describe exits 0 and calls no missing helper" \
    eval 'in_ns /sbin/openrc-run "/etc/init.d/$svc" describe >/dev/null 2>&1 && ! missing_helper <<<"$out"'
  dep=$(say /sbin/openrc-run "/etc/init.d/$svc" depend)
  ct_check "gentoo $svc: depend exits 0, only dependency lines ($(tr '\n' ';' <<<"$dep"))" \
    eval 'in_ns /sbin/openrc-run "/etc/init.d/$svc" depend >/dev/null 2>&1 && ! stray_lines <<<"$dep"'
done

ns_kill
it_finish
