#!/bin/bash
# e2e: ctinit as init of an LXC system container with Debian's real OpenRC, in native mode
# (issue 3, LXC part): the debian-openrc rootfs without /etc/inittab and with the services of
# tests/e2e/fixtures/openrc-native registered by OpenRC's own rc-update (graph: tests/lib/openrc.sh).
# Under LXC rc_sys is LXC: localmount (keyword -lxc) is masked, n-nodocker (keyword -docker only)
# is not, and starts like the other default services.
#
#   bash tests/e2e/test_lxc_openrc.sh /path/to/ctinit
#
# Checks (PASS/FAIL lines; exit 1 if any failed):
#   boot 1     RUNNING, PID 1 is ctinit in native mode with rc_sys LXC, the start waves
#              (orc_check_boot b), `rc-status default` shows the services started
#   reboot     `lxc-stop -r -t 30` (SIGINT: no ctrlaltdel service, so a reboot): the stop scripts
#              ran in reverse order with RC_REBOOT=YES (orc_check_stop r), LXC started a new init,
#              boot 2 started everything again
#   halt       `lxc-stop -t 30` (SIGPWR, or SIGRTMIN+3): exit 0 in < 15 s, STOPPED, the stop scripts
#              of boot 2 ran in reverse order with RC_GOINGDOWN=YES and no RC_REBOOT (orc_check_stop h)
# Exit 77 without root/lxc (FAIL under CI=true).
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
source "$HERE/../lib/common.sh"
source "$HERE/../lib/lxc.sh"
source "$HERE/../lib/rootfs.sh"
source "$HERE/../lib/openrc.sh"

# Under LXC the -docker service is not masked.
ORC_DEFAULT="$ORC_DEFAULT n-nodocker"
ORC_MASKED="localmount"

lxc_require
CTINIT=$(ct_ctinit_bin "${1:-}") || exit $?
SRC=$(rootfs_path debian-openrc) || ct_die "could not build the debian-openrc rootfs"

lxc_new ctinit-openrc "$SRC"
lxc_install_ctinit "$CTINIT"
cp -a "$HERE/fixtures/openrc-native/." "$LXC_ROOTFS/"
rm -f "$LXC_ROOTFS/etc/inittab" "$LXC_ROOTFS$ORC_SVC_LOG"
rm -rf "$LXC_ROOTFS/var/lib/ctinit-e2e"
if ! chroot "$LXC_ROOTFS" /bin/sh -ec "$(orc_register_cmds | tr '\n' ';')" >"$LXC_PATH/rc-update.log" 2>&1; then
  cat "$LXC_PATH/rc-update.log"
  ct_die "rc-update in the rootfs copy failed"
fi
[[ -L "$LXC_ROOTFS/etc/runlevels/default/n-local" ]] || ct_die "rc-update made no runlevel links"

LOG=$LXC_ROOTFS$ORC_SVC_LOG
svc_log() { cat "$LOG" 2>/dev/null || true; }
boot_done() { [[ -n $(orc_line "$(orc_boot_text "$(svc_log)" "$1")" n-local start) ]]; }
boots() { cat "$LXC_ROOTFS/var/lib/ctinit-e2e/boot" 2>/dev/null || echo 0; }

# --- boot 1 -----------------------------------------------------------------------------------
ct_log "lxc: starting"
lxc_start
ct_check "boot 1: lxc-start reaches RUNNING" test "$(lxc_state)" = RUNNING
ct_wait_until 60 boot_done 1
exe=$(lxc_attach readlink /proc/1/exe 2>&1)
ct_check "boot 1: PID 1 runs ctinit (/proc/1/exe -> $exe)" eval '[[ "$exe" == */sbin/ctinit ]]'
ct_check "boot 1: native mode with the image's openrc-run, rc_sys LXC" \
  grep -qF "OpenRC native mode: " "$LXC_CONSOLE_LOG"
ct_check "boot 1: ctinit saw rc_sys LXC and the image's openrc-run" \
  grep -qF "(rc_sys LXC, the image's openrc-run)" "$LXC_CONSOLE_LOG"
ct_check "boot 1: localmount reported masked for LXC" \
  grep -qF '"localmount" is masked for LXC (keyword -lxc); not started' "$LXC_CONSOLE_LOG"
t=$(orc_boot_text "$(svc_log)" 1)
orc_check_boot b "$t" LXC
status=$(lxc_attach rc-status -C default 2>&1)
bad=""
for s in $ORC_DEFAULT; do grep -Eq "^ *$s +\[ *started" <<<"$status" || bad+=" $s"; done
ct_check "boot 1: 'rc-status default' shows $ORC_DEFAULT started${bad:+ (not:$bad)}" test -z "$bad"
# Debian's sysinit LSB scripts run (Debian's OpenRC runs them); /run got its tmpfs first, as
# OpenRC's init.sh mounts it, so mountkernfs.sh left it and /run/openrc stayed visible.
ct_check "boot 1: ctinit mounted a tmpfs on /run before sysinit (as init.sh)" \
  grep -qF "mounted a tmpfs on /run, as OpenRC's init.sh does" "$LXC_CONSOLE_LOG"
mounts=$(lxc_attach cat /proc/self/mountinfo 2>&1)
ct_check "boot 1: /run is one tmpfs (not mounted twice)" \
  eval '[[ $(awk '"'"'$5 == "/run"'"'"' <<<"$mounts" | wc -l) -eq 1 ]] && awk '"'"'$5 == "/run"'"'"' <<<"$mounts" | grep -q " - tmpfs "'
status=$(lxc_attach rc-status -C sysinit 2>&1)
ct_check "boot 1: 'rc-status sysinit' shows mountkernfs.sh and mountall.sh started" \
  eval 'grep -Eq "^ *mountkernfs.sh +\[ *started" <<<"$status" && grep -Eq "^ *mountall.sh +\[ *started" <<<"$status"'

# --- reboot -----------------------------------------------------------------------------------
pid1=$(lxc_pid)
t0=$(ct_now)
_lxc 60 lxc-stop -r -t 30
rc=$?
t_reboot=$(ct_elapsed "$t0" "$(ct_now)")
ct_log "lxc-stop -r took ${t_reboot}s, rc $rc"
ct_check "reboot: lxc-stop -r -t 30 exits 0 (got $rc)" test "$rc" -eq 0
lxc_wait_state RUNNING 30
pid2=$(lxc_pid)
ct_check "reboot: a new init process (host pid $pid1 -> ${pid2:-none})" \
  eval '[[ -n "$pid2" && "$pid2" != "$pid1" ]]'
[[ -n "$pid2" && "$pid2" != "$pid1" ]] && ct_wait_until 60 boot_done 2
ct_check "reboot: init logged 'received SIGINT'" grep -qF 'received SIGINT' "$LXC_CONSOLE_LOG"
all=$(svc_log)
orc_check_stop r "$(orc_boot_text "$all" 1)" YES
orc_check_boot rb "$(orc_boot_text "$all" 2)" LXC

# --- halt -------------------------------------------------------------------------------------
t0=$(ct_now)
_lxc 60 lxc-stop -t 30
rc=$?
t_halt=$(ct_elapsed "$t0" "$(ct_now)")
ct_log "lxc-stop took ${t_halt}s, rc $rc"
ct_check "halt: lxc-stop -t 30 exits 0 (got $rc)" test "$rc" -eq 0
ct_check "halt: took ${t_halt}s < 15 s (no timeout/SIGKILL fallback)" \
  awk -v t="$t_halt" 'BEGIN { exit !(t < 15) }'
ct_check "halt: container STOPPED" test "$(lxc_state)" = STOPPED
ct_check "halt: init logged the halt request (SIGPWR or SIGRTMIN+3)" \
  grep -qE 'received SIG(PWR|RTMIN\+3): halt' "$LXC_CONSOLE_LOG"
t=$(orc_boot_text "$(svc_log)" 2)
orc_dump "$(grep ' stop' <<<"$t" || true)"
orc_check_stop h "$t" unset
ct_check "halt: ctinit's summary says runlevel 0" \
  eval 'grep -F "shutdown complete in" "$LXC_CONSOLE_LOG" | tail -n1 | grep -qF "(runlevel 0)"'
ct_log "timings: reboot ${t_reboot}s, halt ${t_halt}s; boots=$(boots)"

if ! ct_summary; then
  lxc_dump_logs
  exit 1
fi
exit 0
