#!/bin/bash
# e2e: ctinit as init of an LXC system container holding a stock Debian bookworm sysvinit rootfs
# (tests/lib/rootfs.sh debian-sysvinit, /etc/inittab untouched; lxc_debian_fixups as LXC's own
# debian template does). An added init.d script (rcS start = boot counter, rc0/rc6 stop before
# sendsigs = stop marker, with `runlevel`'s answer) shows what the rc scripts did.
#   boot      `lxc-attach -- runlevel` answers "N 2"
#   halt      `lxc-stop -t 30` (SIGPWR, or SIGRTMIN+3 if init blocks it) stops cleanly in < 15 s,
#             the rc 0 scripts ran
#   reboot    `lxc-stop -r -t 30` (SIGINT -> inittab ctrlaltdel -> shutdown -r) brings the
#             container back RUNNING with a new init and a new boot; the rc 6 scripts ran
#   cleanup   `lxc-stop -k`
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
source "$HERE/../lib/common.sh"
source "$HERE/../lib/lxc.sh"
source "$HERE/../lib/rootfs.sh"

lxc_require
CTINIT=$(ct_ctinit_bin "${1:-}") || exit $?
SRC=$(rootfs_path debian-sysvinit) || ct_die "could not build the debian-sysvinit rootfs"

lxc_new ctinit-e2e "$SRC"
lxc_install_ctinit "$CTINIT"
lxc_debian_fixups
MARK_DIR=$LXC_ROOTFS/var/lib/ctinit-e2e
cat >"$LXC_ROOTFS/etc/init.d/ctinit-e2e" <<'SCRIPT'
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
  stop) echo "stop $up rl=$(runlevel 2>&1)" >>/var/lib/ctinit-e2e/stops ;;
esac
exit 0
SCRIPT
chmod 0755 "$LXC_ROOTFS/etc/init.d/ctinit-e2e"
if ! chroot "$LXC_ROOTFS" /usr/sbin/update-rc.d ctinit-e2e defaults >"$LXC_PATH/update-rc.d.log" 2>&1; then
  cat "$LXC_PATH/update-rc.d.log"
  ct_die "update-rc.d ctinit-e2e defaults failed in the rootfs copy"
fi
ls "$LXC_ROOTFS"/etc/rc{S,0,6}.d/*ctinit-e2e >/dev/null 2>&1 || ct_die "update-rc.d made no rcS/rc0/rc6 links"

boots() { if [[ -f "$MARK_DIR/boots" ]]; then wc -l <"$MARK_DIR/boots"; else echo 0; fi; }
stops() { if [[ -f "$MARK_DIR/stops" ]]; then wc -l <"$MARK_DIR/stops"; else echo 0; fi; }
RL=""
runlevel_is() { RL=$(lxc_attach runlevel 2>&1); [[ "$RL" == "$1" ]]; }
fail_dump() { lxc_dump_logs; }

# --- boot + halt --------------------------------------------------------------------------------
ct_log "lxc: starting"
lxc_start
ct_check "boot 1: lxc-start reaches RUNNING" test "$(lxc_state)" = RUNNING
ct_wait_until 60 runlevel_is "N 2"
ct_check "boot 1: lxc-attach -- runlevel says 'N 2' (got '$RL')" test "$RL" = "N 2"
ct_check "boot 1: rcS ran the added script once (boots=$(boots))" test "$(boots)" -eq 1
# Debian's rcS mounts a tmpfs on /run (mountkernfs.sh) after init made /run/initctl; init has to
# notice and make a new one, or telinit/shutdown inside the container cannot reach it.
ct_wait_until 15 eval 'lxc_attach test -p /run/initctl'
ct_check "boot 1: /run/initctl is a FIFO after rcS put a tmpfs on /run" lxc_attach test -p /run/initctl
exe=$(lxc_attach readlink /proc/1/exe 2>&1)
ct_check "boot 1: the container's PID 1 runs ctinit (/proc/1/exe -> $exe)" \
  eval '[[ "$exe" == */sbin/ctinit ]]'

t0=$(ct_now)
_lxc 60 lxc-stop -t 30
rc=$?
t_halt=$(ct_elapsed "$t0" "$(ct_now)")
ct_log "lxc-stop took ${t_halt}s, rc $rc"
ct_check "halt: lxc-stop -t 30 exits 0 (got $rc)" test "$rc" -eq 0
ct_check "halt: took ${t_halt}s < 15 s (no timeout/SIGKILL fallback)" \
  awk -v t="$t_halt" 'BEGIN { exit !(t < 15) }'
ct_check "halt: container STOPPED" test "$(lxc_state)" = STOPPED
ct_check "halt: rc 0 ran the added script's stop (stops=$(stops))" test "$(stops)" -eq 1
ct_check "halt: \`runlevel\` inside rc 0 said '<prev> 0' ($(tail -n1 "$MARK_DIR/stops" 2>/dev/null))" \
  grep -qE '^stop .* rl=[N0-9S] 0$' "$MARK_DIR/stops"
ct_check "halt: init logged the halt request (SIGPWR or SIGRTMIN+3)" \
  grep -qE 'received SIG(PWR|RTMIN\+3): halt' "$LXC_CONSOLE_LOG"
# Informational: Debian's rc0 ends in /etc/init.d/halt -> reboot(2) -> the kernel kills init.
ct_log "halt: summary line: $(grep -F 'shutdown complete in' "$LXC_CONSOLE_LOG" | tail -n1 || true)"

# --- boot + reboot ------------------------------------------------------------------------------
lxc_start
ct_wait_until 60 runlevel_is "N 2"
ct_check "boot 2: runlevel says 'N 2' (got '$RL')" test "$RL" = "N 2"
ct_check "boot 2: boots=2 (got $(boots))" test "$(boots)" -eq 2
pid2=$(lxc_pid)
stops_before=$(stops)
t0=$(ct_now)
_lxc 60 lxc-stop -r -t 30
rc=$?
t_reboot=$(ct_elapsed "$t0" "$(ct_now)")
ct_log "lxc-stop -r took ${t_reboot}s, rc $rc"
ct_check "reboot: lxc-stop -r -t 30 exits 0 (got $rc)" test "$rc" -eq 0
lxc_wait_state RUNNING 30
ct_check "reboot: container RUNNING again" test "$(lxc_state)" = RUNNING
pid3=$(lxc_pid)
ct_check "reboot: a new init process (host pid $pid2 -> ${pid3:-none})" \
  eval '[[ -n "$pid3" && "$pid3" != "$pid2" ]]'
# (no new init = no reboot: do not wait a minute for a boot that cannot come)
[[ -n "$pid3" && "$pid3" != "$pid2" ]] && ct_wait_until 60 eval '[[ $(boots) -ge 3 ]]'
ct_check "reboot: a new boot ran rcS (boots=3, got $(boots))" test "$(boots)" -eq 3
ct_wait_until 60 runlevel_is "N 2"
ct_check "reboot: runlevel after the reboot says 'N 2' (got '$RL')" test "$RL" = "N 2"
ct_check "reboot: rc 6 ran the added script's stop (stops $stops_before -> $(stops))" \
  test "$(stops)" -eq $((stops_before + 1))
ct_check "reboot: \`runlevel\` inside rc 6 said '<prev> 6' ($(tail -n1 "$MARK_DIR/stops" 2>/dev/null))" \
  eval 'tail -n1 "$MARK_DIR/stops" | grep -qE "^stop .* rl=[N0-9S] 6\$"'
ct_check "reboot: init logged 'received SIGINT'" grep -qF 'received SIGINT' "$LXC_CONSOLE_LOG"

# --- cleanup --------------------------------------------------------------------------------------
_lxc 40 lxc-stop -k
ct_check "lxc-stop -k: container STOPPED" test "$(lxc_state)" = STOPPED
ct_log "timings: halt ${t_halt}s, reboot ${t_reboot}s"
if ! ct_summary; then
  fail_dump
  exit 1
fi
exit 0
