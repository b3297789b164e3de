#!/bin/bash
# e2e: the Gentoo-like image (OpenRC 0.63, Gentoo's own init.d scripts) as an LXC system
# container with ctinit as init, in both of ctinit's OpenRC modes (issue 12, LXC part).
#
#   bash tests/e2e/test_lxc_gentoo.sh /path/to/ctinit
#
# The gentoo-openrc rootfs (tests/lib/rootfs.sh, tests/e2e/fixtures/gentoo/README.md), ctinit at
# /sbin/ctinit, the inittab's agetty lines commented out (a container has no tty1-6) and every
# corpus script added to the default runlevel with OpenRC's rc-update. Under LXC rc_sys is LXC.
#   inittab  Gentoo's /etc/inittab → `openrc sysinit`, `openrc boot`, `openrc default`
#   native   no /etc/inittab: ctinit reads /etc/runlevels and runs OpenRC 0.63's openrc-run
# Checks, per mode (PASS/FAIL lines; exit 1 if any failed):
#   b   RUNNING, PID 1 is ctinit; OpenRC 0.63 runs with rc_sys LXC
#   s   one check per corpus script: `rc-status default` reports it started
#   h   `lxc-stop -t 30` (SIGPWR): exit 0 in < 28 s (ctinit's budget: 25 s, lxc.environment),
#       STOPPED; every stop script ran to its end, 0 processes needed SIGKILL (inittab mode:
#       halt.sh's `halt -dhn` ends the container through reboot(2), LXC allows it); every stand-in
#       daemon exited on its signal, in reverse order (docker < containerd, named[, php-fpm] <
#       net.lo); the start order (containerd < docker, net.lo < named[, php-fpm])
# php-fpm in inittab mode: OpenRC 0.63 cannot exec its `#!/sbin/runscript` (gentoo-checks.sh).
# Exit 77 without root/lxc (FAIL under CI=true).
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
source "$HERE/../lib/common.sh"
source "$HERE/../lib/lxc.sh"
source "$HERE/../lib/rootfs.sh"
source "$HERE/fixtures/gentoo/gentoo-checks.sh"

HALT_BOUND=28

lxc_require
rootfs_require gentoo-openrc
CTINIT=$(ct_ctinit_bin "${1:-}") || exit $?
SRC=$(rootfs_path gentoo-openrc) || ct_die "could not build the gentoo-openrc rootfs"

all_started() {
  local status s
  status=$(lxc_attach rc-status -C default 2>&1)
  for s in $GENTOO_SCRIPTS; do gentoo_started "$status" "$s" || return 1; done
}

check_mode() {
  local mode=$1 status exe t0 rc t_halt t
  lxc_new "ctinit-gentoo-$mode" "$SRC"
  lxc_install_ctinit "$CTINIT"
  echo "lxc.environment = CTINIT_SHUTDOWN_BUDGET=25s" >>"$LXC_PATH/$LXC_NAME/config"
  sed -i '/^[^#].*agetty/ s/^/#/' "$LXC_ROOTFS/etc/inittab"
  [[ $mode == native ]] && rm -f "$LXC_ROOTFS/etc/inittab"
  : >"$LXC_ROOTFS$GENTOO_STANDIN_LOG"
  if ! chroot "$LXC_ROOTFS" /bin/sh -ec "$(gentoo_register_cmds | tr '\n' ';')" >"$LXC_PATH/rc-update.log" 2>&1; then
    cat "$LXC_PATH/rc-update.log"
    ct_die "rc-update in the rootfs copy failed"
  fi
  ct_log "lxc ($mode): starting"
  lxc_start
  ct_check "$mode b1 lxc-start reaches RUNNING" test "$(lxc_state)" = RUNNING
  exe=$(lxc_attach readlink /proc/1/exe 2>&1)
  ct_check "$mode b2 PID 1 runs ctinit (/proc/1/exe -> $exe)" eval '[[ "$exe" == */sbin/ctinit ]]'
  ct_wait_until 90 all_started || true
  if [[ $mode == inittab ]]; then
    ct_check "$mode b3 'openrc sysinit' ran OpenRC 0.63 ([LXC])" \
      eval 'grep -E "OpenRC .*0\.63.* is starting up" "$LXC_CONSOLE_LOG" | grep -qF "[LXC]"'
  else
    ct_check "$mode b3 native mode with the image's openrc-run (OpenRC 0.63), rc_sys LXC" \
      grep -qF "(rc_sys LXC, the image's openrc-run)" "$LXC_CONSOLE_LOG"
  fi
  status=$(lxc_attach rc-status -C default 2>&1)
  sed 's/^/    rc-status| /' <<<"$status"
  local log="" net_users="named php-fpm"
  [[ $mode == inittab ]] && log=$(cat "$LXC_CONSOLE_LOG") && net_users=named
  gentoo_check_started "$mode s" "$status" "$log"
  gentoo_table "$mode" "$status"

  t0=$(ct_now)
  _lxc 60 lxc-stop -t 30
  rc=$?
  t_halt=$(ct_elapsed "$t0" "$(ct_now)")
  ct_log "lxc-stop took ${t_halt}s, rc $rc"
  ct_check "$mode h1 lxc-stop -t 30 exits 0 (got $rc) in < ${HALT_BOUND}s (${t_halt}s)" \
    eval '((rc == 0)) && ct_lt "$t_halt" "$HALT_BOUND"'
  ct_check "$mode h2 container STOPPED" test "$(lxc_state)" = STOPPED
  t=$(cat "$LXC_ROOTFS$GENTOO_STANDIN_LOG" 2>/dev/null || true)
  sed 's/^/    stand-ins| /' <<<"$t"
  gentoo_check_stand_in_log "$mode o" "$t" "$net_users"
  local halted=""
  [[ $mode == inittab ]] && halted=yes
  gentoo_check_stop_messages "$mode h3" "$(cat "$LXC_CONSOLE_LOG")" $halted
  echo "    --- $mode: console log ---"
  sed 's/^/    | /' "$LXC_CONSOLE_LOG"
  # The next mode gets a fresh lxcpath (lxc_new); this one goes now.
  _lxc_cleanup
  LXC_PATH=""
}

check_mode inittab
check_mode native
ct_summary
