#!/bin/bash
# e2e: ctinit as init of an incus system container holding a stock Debian bookworm sysvinit rootfs
# (tests/lib/rootfs.sh debian-sysvinit imported as an incus image; /etc/inittab untouched;
# incus_debian_fixups as LXC's debian template does; ctinit made init through raw.lxc
# lxc.init.cmd). An added init.d script (rcS start = boot counter, rc0/rc6 stop before sendsigs =
# stop marker with `runlevel`'s answer; it sleeps /etc/ctinit-e2e-slow seconds when that file
# exists) shows what the rc scripts did. Needs root and incus (scripts/install-deps.sh).
#   boot       `incus exec -- runlevel` answers "N 2"; PID 1 is ctinit
#   gettys     incus has no /dev/tty1..6 (lxc.tty.max = 0): one "getty on /dev/ttyN disabled"
#              line each, no getty process, no respawn line
#   restart    `incus restart` sends SIGPWR (a halt: rc 0 ran, not rc 6), incus starts it again
#   reboot     `incus exec -- reboot`: rc 6 ran, the container is back with a new boot
#   shutdown   `incus exec -- shutdown -h now`: rc 0 ran, the container is Stopped
#   stop       `incus stop`: exit 0, Stopped, rc 0 ran, "shutdown budget 50 s (incus/LXC default)"
#   slow stop  a 12 s stop script completes under plain `incus stop` (Docker's 8 s budget would
#              have killed it at 5.5 s)
#   --timeout  `incus stop --timeout 5` with the 12 s stop script: incus returns an error after
#              5 s but kills nothing; the script finishes and the container stops by itself
#   Times are printed, not asserted (a loaded machine is slow).
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
source "$HERE/../lib/common.sh"
source "$HERE/../lib/incus.sh"

incus_require
CTINIT=$(ct_ctinit_bin "${1:-}") || exit $?
incus_start_daemon
IMAGE=$(incus_image_rootfs debian-sysvinit)
C=ctinit-e2e
incus_launch "$C" "$IMAGE" "$CTINIT"
incus_debian_fixups
MARK_DIR=$INCUS_ROOTFS/var/lib/ctinit-e2e
cat >"$INCUS_ROOTFS/etc/init.d/ctinit-e2e" <<'SCRIPT'
#!/bin/sh
### BEGIN INIT INFO
# Provides:          ctinit-e2e
# Required-Start:
# Required-Stop:     sendsigs
# Default-Start:     S
# Default-Stop:      0 6
# Short-Description: ctinit e2e markers: boot counter (start), rc0/rc6 marker (stop)
### END INIT INFO
mkdir -p /var/lib/ctinit-e2e
up=$(cut -d' ' -f1 /proc/uptime)
case "$1" in
  start) echo "start $up rl=$(runlevel 2>&1)" >>/var/lib/ctinit-e2e/boots ;;
  stop)
    echo "stop $up rl=$(runlevel 2>&1)" >>/var/lib/ctinit-e2e/stops
    if [ -f /etc/ctinit-e2e-slow ]; then
      echo "slow-begin" >>/var/lib/ctinit-e2e/slow
      sleep "$(cat /etc/ctinit-e2e-slow)"
      echo "slow-done" >>/var/lib/ctinit-e2e/slow
    fi
    ;;
esac
exit 0
SCRIPT
chmod 0755 "$INCUS_ROOTFS/etc/init.d/ctinit-e2e"
chroot "$INCUS_ROOTFS" /usr/sbin/update-rc.d ctinit-e2e defaults >/dev/null 2>&1 ||
  ct_die "update-rc.d ctinit-e2e defaults failed in the container's rootfs"

count() { if [[ -f "$MARK_DIR/$1" ]]; then grep -c "${2:-.}" "$MARK_DIR/$1"; else echo 0; fi; }
boots() { count boots; }
stops() { count stops; }
last_stop() { tail -n1 "$MARK_DIR/stops" 2>/dev/null; }
console() { incus_console_log "$C"; } # this run's console (incus starts it anew on each start)
RL=""
runlevel_is() { RL=$(incus_exec "$C" runlevel 2>&1); [[ "$RL" == "$1" ]]; }
fail_dump() {
  echo "----- console of $C (tail) -----"
  console | tail -n 80
  echo "-----"
}
TIMES=()

# boot_and_wait LABEL BOOTS: start (unless running), wait for "N 2" and the BOOTS-th rcS run.
boot_and_wait() {
  local label=$1 want=$2
  # A stop just before may still be settling under load (incus briefly reports STOPPING, or no
  # state at all, after it first said STOPPED): start only from a settled state.
  ct_wait_until 60 eval '[[ $(incus_state "$C") =~ ^(RUNNING|STOPPED)$ ]]'
  [[ "$(incus_state "$C")" == RUNNING ]] || incus_start "$C"
  ct_wait_until 60 eval '[[ $(boots) -ge $want ]]'
  ct_wait_until 60 runlevel_is "N 2"
  ct_check "$label: runlevel says 'N 2' (got '$RL'), boots=$want (got $(boots))" \
    eval '[[ "$RL" == "N 2" && $(boots) -eq $want ]]'
}

# timed NAME CMD...: run CMD, set T (seconds) and RC, remember the time for the summary.
timed() {
  local name=$1 t0
  shift
  t0=$(ct_now)
  "$@"
  RC=$?
  T=$(ct_elapsed "$t0" "$(ct_now)")
  TIMES+=("$name ${T}s (rc $RC)")
  ct_log "$name took ${T}s, rc $RC"
}

# --- boot 1, the tty-less gettys -----------------------------------------------------------------
t0=$(ct_now)
boot_and_wait "boot 1" 1
TIMES+=("boot to 'N 2' $(ct_elapsed "$t0" "$(ct_now)")s")
exe=$(incus_exec "$C" readlink /proc/1/exe 2>&1)
ct_check "boot 1: the container's PID 1 runs ctinit (/proc/1/exe -> $exe)" \
  eval '[[ "$exe" == */sbin/ctinit ]]'
# A getty without its terminal ended at once and was respawned after 10 s (the old behaviour):
# look 11 s after the gettys would have started (runlevel 2).
sleep 11
gettys_off=$(console | grep -cE 'getty on /dev/tty[1-6] disabled')
ct_check "gettys: one 'getty on /dev/ttyN disabled' line per tty1-6 (got $gettys_off)" \
  test "$gettys_off" -eq 6
ct_check "gettys: no 'respawned' line in the console" \
  eval '! console | grep -q "respawned"'
ct_check "gettys: no getty process" eval '! incus_exec "$C" pgrep getty >/dev/null'

# --- incus restart: SIGPWR, a halt, then incus starts the container again ----------------------
pid1=$(incus_pid "$C")
timed "incus restart" inc 120 restart "$C"
ct_check "restart: incus restart exits 0 (got $RC)" test "$RC" -eq 0
boot_and_wait "restart" 2
pid2=$(incus_pid "$C")
ct_check "restart: a new init (host pid $pid1 -> ${pid2:-none})" eval '[[ -n "$pid2" && "$pid2" != "$pid1" ]]'
ct_check "restart: rc 0 ran, not rc 6: incus restart is a halt (SIGPWR) ($(last_stop))" \
  eval 'last_stop | grep -qE "^stop .* rl=[N0-9S] 0\$"'

# --- reboot inside: rc 6, then reboot(2) and incus starts it again -------------------------------
t0=$(ct_now)
incus_exec "$C" reboot # (its session may end with the container: the exit code says nothing)
ct_wait_until 60 eval '[[ $(boots) -ge 3 ]]'
TIMES+=("exec reboot -> rcS ran again $(ct_elapsed "$t0" "$(ct_now)")s")
boot_and_wait "reboot" 3
ct_check "reboot: rc 6 ran ($(last_stop))" eval 'last_stop | grep -qE "^stop .* rl=[N0-9S] 6\$"'

# --- shutdown -h now inside ----------------------------------------------------------------------
# shellcheck disable=SC2034 # (read in the eval below)
stops_before=$(stops)
t0=$(ct_now)
incus_exec "$C" shutdown -h now
incus_wait_state "$C" STOPPED 60
stopped=$?
TIMES+=("exec shutdown -h now -> Stopped $(ct_elapsed "$t0" "$(ct_now)")s")
ct_check "shutdown -h now: container Stopped" test "$stopped" -eq 0
ct_check "shutdown -h now: rc 0 ran ($(last_stop))" \
  eval '[[ $(stops) -eq $((stops_before + 1)) ]] && last_stop | grep -qE "^stop .* rl=[N0-9S] 0\$"'

# --- incus stop ----------------------------------------------------------------------------------
boot_and_wait "boot 4" 4
timed "incus stop" inc 120 stop "$C"
ct_check "stop: incus stop exits 0 (got $RC)" test "$RC" -eq 0
ct_check "stop: container Stopped" test "$(incus_state "$C")" = STOPPED
ct_check "stop: rc 0 ran ($(last_stop))" eval 'last_stop | grep -qE "^stop .* rl=[N0-9S] 0\$"'
ct_check "stop: init logged 'received SIGPWR: halt'" eval 'console | grep -q "received SIGPWR: halt"'
ct_check "stop: the budget is incus's: 'shutdown budget 50 s (incus/LXC default)'" \
  eval 'console | grep -qF "shutdown budget 50 s (incus/LXC default)"'

# --- a 12 s stop script completes under plain incus stop -----------------------------------------
boot_and_wait "boot 5" 5
incus_exec "$C" sh -c 'echo 12 >/etc/ctinit-e2e-slow'
timed "incus stop, 12 s stop script" inc 120 stop "$C"
ct_check "slow stop: incus stop exits 0 (got $RC)" test "$RC" -eq 0
ct_check "slow stop: took ${T}s >= 12 s (the script was not cut short)" ct_lt 12 "$T"
ct_check "slow stop: the stop script finished (slow-done: $(count slow slow-done))" \
  test "$(count slow slow-done)" -eq 1
ct_check "slow stop: container Stopped" test "$(incus_state "$C")" = STOPPED

# --- incus stop --timeout 5 with the 12 s script: incus gives up waiting, it does not kill -------
boot_and_wait "boot 6" 6
t0=$(ct_now)
timed "incus stop --timeout 5, 12 s stop script" inc 60 stop --timeout 5 "$C"
ct_check "stop --timeout 5: incus returns an error (rc $RC) after 5 s (took ${T}s)" \
  eval '[[ $RC -ne 0 ]] && ct_lt 4.5 "$T" && ct_lt "$T" 10'
ct_check "stop --timeout 5: the stop script had begun (slow-begin: $(count slow slow-begin))" \
  test "$(count slow slow-begin)" -eq 2
# incus left the container stopping: ctinit's own (50 s) budget lets the script finish.
incus_wait_state "$C" STOPPED 30
TIMES+=("stop --timeout 5 -> Stopped by itself $(ct_elapsed "$t0" "$(ct_now)")s")
ct_check "stop --timeout 5: the container stopped by itself after the script (Stopped)" \
  test "$(incus_state "$C")" = STOPPED
ct_check "stop --timeout 5: the stop script finished (slow-done: $(count slow slow-done))" \
  test "$(count slow slow-done)" -eq 2
[[ "$(incus_state "$C")" == STOPPED ]] || inc 60 stop --force "$C" >/dev/null 2>&1

ct_log "times (not asserted):"
for t in "${TIMES[@]}"; do ct_log "  $t"; done
if ! ct_summary; then
  fail_dump
  exit 1
fi
exit 0
