#!/usr/bin/env bash
# e2e: a Gentoo-like image with OpenRC 0.63 and Gentoo's own init.d scripts under Docker, in both
# of ctinit's OpenRC modes (issue 12).
#
#   bash tests/e2e/test_docker_gentoo.sh /path/to/ctinit
#
# Image: the gentoo-openrc rootfs (tests/lib/rootfs.sh: Debian 12 minbase + sysvinit-core's
# tools + OpenRC 0.63 built from tests/fixtures/upstream + Gentoo's inittab + every script of
# tests/fixtures/gentoo-openrc, with Debian's real daemon or a stand-in behind each — see
# tests/e2e/fixtures/gentoo/README.md), ctinit at /sbin/ctinit, the inittab's agetty lines
# commented out as contrib/gentoo/Dockerfile does, and every corpus script added to the default
# runlevel with OpenRC's rc-update, and unbound told not to use IPv6 (a --network none container
# has IPv6 disabled on lo: unbound's default `localhost` interface fails on ::1). Two images:
#   inittab  Gentoo's /etc/inittab: ctinit's inittab front end runs `openrc sysinit`, `openrc
#            boot`, `openrc default`, and on `docker stop` `openrc shutdown` and halt.sh
#   native   no /etc/inittab: ctinit reads /etc/runlevels itself and runs every script with
#            OpenRC 0.63's openrc-run
#
# Checks, per mode (PASS/FAIL lines; exit 1 if any failed):
#   b   "Entering runlevel: 3"; OpenRC 0.63 is the OpenRC that runs (banner / native mode line)
#   s   one check per corpus script: `rc-status default` reports it started
#   o   the stand-ins' log: containerd < docker, net.lo < named, php-fpm started in that order
#   h   docker stop -t 35 → exit 0 within ctinit's budget (CTINIT_SHUTDOWN_BUDGET=30s: 20
#       scripts stopped one after another by `openrc shutdown` need more than the 8 s default);
#       every stop script ran to its end (none failed, aborted by the budget or killed), 0
#       processes needed SIGKILL; every stand-in daemon exited on its signal, in reverse order
#       (docker < containerd, named[, php-fpm] < net.lo)
# php-fpm in inittab mode: OpenRC 0.63 cannot exec its `#!/sbin/runscript` (gentoo-checks.sh).
# Then the per-script table (script, real or stand-in, mode, result) for docs/openrc.md.
# Runs a private dockerd (tests/lib/docker.sh); exit 77 without root/docker (FAIL under CI=true).
# For a look at where time goes: GENTOO_MODES="native" runs one mode only, GENTOO_LOG_LEVEL=verbose
# makes ctinit log every child it starts; the full container log has Docker's timestamps.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=../lib/docker.sh
source "$here/../lib/docker.sh"
# shellcheck source=fixtures/gentoo/gentoo-checks.sh
source "$here/fixtures/gentoo/gentoo-checks.sh"

BUDGET=30     # ctinit's shutdown budget for this image (seconds)
STOP_BOUND=32 # docker stop -t 35: SIGKILL (137) after 35 s
BOOT_BOUND=${CT_BOOT_BOUND:-90}
MODES=${GENTOO_MODES:-inittab native}
LOG_LEVEL=${GENTOO_LOG_LEVEL:-info}

bin=$(ct_ctinit_bin "${1:-}")
rootfs_require gentoo-openrc
docker_start_private

# The image for MODE (inittab or native).
build_image() {
  local mode=$1 extra drop_inittab=":"
  [[ $mode == native ]] && drop_inittab="rm -f /etc/inittab"
  extra=$(mktemp -d "$CTINIT_CACHE/tmp/gentoo-fixtures.XXXXXX")
  # shellcheck disable=SC2016 # runs inside the image
  docker_image_ctinit gentoo-openrc "$bin" "ctinit-test/gentoo-openrc-$mode" "$extra" "
    sed -i '/^[^#].*agetty/ s/^/#/' /etc/inittab
    $drop_inittab
    printf 'server:\\n\\tdo-ip6: no\\n' >/etc/unbound/unbound.conf.d/docker-no-ipv6.conf
    /sbin/openrc --version | grep -q ' 0.63\$'
    $(gentoo_register_cmds | tr '\n' ';')
    : >$GENTOO_STANDIN_LOG
  "
  rm -rf "$extra"
}

svc_log() { dkt 30 cp "$1:$GENTOO_STANDIN_LOG" - 2>/dev/null | tar -xOf - 2>/dev/null; }

status_of() { dkt 20 exec "$1" rc-status -C default 2>&1 || true; }

all_started() {
  local status s
  status=$(status_of "$1")
  for s in $GENTOO_SCRIPTS; do gentoo_started "$status" "$s" || return 1; done
}

check_mode() {
  local mode=$1 img C status t
  img=$(build_image "$mode")
  ct_log "$mode: image $img"
  C=$(docker_run_d -e CTINIT_SHUTDOWN_BUDGET=${BUDGET}s -e CTINIT_LOG_LEVEL="$LOG_LEVEL" "$img" /sbin/ctinit)
  if docker_wait_log "$C" "Entering runlevel: 3" "$BOOT_BOUND"; then
    ct_pass "$mode b1 'Entering runlevel: 3'"
  else
    ct_fail "$mode b1 'Entering runlevel: 3'" "not within ${BOOT_BOUND}s"
  fi
  if [[ $mode == inittab ]]; then
    ct_check "$mode b2 'openrc sysinit' ran OpenRC 0.63 ([DOCKER])" \
      eval 'docker_logs "$C" | grep -E "OpenRC .*0\.63.* is starting up" | grep -qF "[DOCKER]"'
  else
    ct_check "$mode b2 native mode with the image's openrc-run (OpenRC 0.63), rc_sys DOCKER" \
      eval 'docker_logs "$C" | grep "OpenRC native mode:" | grep -qF "(rc_sys DOCKER, the image'"'"'s openrc-run)"'
  fi
  ct_wait_until 60 all_started "$C" || true
  status=$(status_of "$C")
  sed 's/^/    rc-status| /' <<<"$status"
  local log="" net_users="named php-fpm"
  [[ $mode == inittab ]] && log=$(docker_logs "$C") && net_users=named
  gentoo_check_started "$mode s" "$status" "$log"
  gentoo_table "$mode" "$status"
  docker_stop_timed "$C" -t 35
  echo "    docker stop took ${CT_STOP_SECONDS}s, exit code $CT_STOP_EXIT"
  if [[ "$CT_STOP_EXIT" == 0 ]] && ct_lt "$CT_STOP_SECONDS" "$STOP_BOUND"; then
    ct_pass "$mode h1 docker stop → exit 0 in < ${STOP_BOUND}s" "${CT_STOP_SECONDS}s"
  else
    ct_fail "$mode h1 docker stop → exit 0 in < ${STOP_BOUND}s" "exit $CT_STOP_EXIT after ${CT_STOP_SECONDS}s"
  fi
  t=$(svc_log "$C" || true)
  sed 's/^/    stand-ins| /' <<<"$t"
  gentoo_check_stand_in_log "$mode o" "$t" "$net_users"
  gentoo_check_stop_messages "$mode h2" "$(docker_logs "$C")"
  echo "    --- $mode: full container log ---"
  dk logs -t "$C" 2>&1 | sed 's/^/    | /'
  dk rm -f "$C" >/dev/null 2>&1 || true
}

t_start=$(ct_now)
[[ " $MODES " == *" inittab "* ]] &&
  ct_run_check "inittab mode: Gentoo's inittab → openrc sysinit/boot/default" check_mode inittab
[[ " $MODES " == *" native "* ]] &&
  ct_run_check "native mode: ctinit reads /etc/runlevels, OpenRC 0.63's openrc-run" check_mode native
ct_log "checks took $(ct_elapsed "$t_start" "$(ct_now)") s"
ct_summary
