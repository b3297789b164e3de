#!/usr/bin/env bash
# e2e: ctinit's OpenRC native mode under Docker with the image's real OpenRC (issue 3, e2e part
# (b)): no /etc/inittab, so ctinit reads /etc/runlevels itself, orders the services in parallel
# waves and runs each start/stop through Debian's /sbin/openrc-run.
#
#   bash tests/e2e/test_docker_openrc_native.sh /path/to/ctinit
#
# Image: the debian-openrc rootfs (Debian 12 + sysvinit-core + openrc 0.45) with /etc/inittab
# removed, ctinit at /sbin/ctinit, and tests/e2e/fixtures/openrc-native: Gentoo-style scripts
# registered with OpenRC's own rc-update (tests/lib/openrc.sh has the graph):
#   sysinit  n-sysinit (boot counter)
#   boot     n-boot1, n-boot2 (independent, 0.8 s each), localmount (keyword -docker …: masked)
#   default  n-a (command_background + pidfile, start-stop-daemon), n-p1, n-p2 (independent, 1 s),
#            n-b (need n-a), n-d (supervise-daemon, need n-a), n-c (need n-p1, after n-b),
#            n-net (need net localmount: one absent, one masked), n-local (after *),
#            n-nodocker (keyword -docker: masked)
# LSB scripts run as Debian's OpenRC runs them (`script start|stop`, ordered by the LSB header):
# Debian's own in sysinit/default/off, and n-lsb in default (Required-Start: $remote_fs n-a).
#
# Runs a private dockerd (tests/lib/docker.sh); exit 77 without root/docker (FAIL under CI=true).
# Checks (PASS/FAIL lines; exit 1 if any failed):
#   n  native mode: ctinit says so (the image's openrc-run, rc_sys DOCKER), the masked services
#      and the missing need are reported, "Entering runlevel: 3"
#   b  boot 1 (tests/lib/openrc.sh orc_check_boot): every service started, masked ones never ran,
#      stages in order, parallel waves, dependents after their dependencies, `after *` last,
#      service_started and the RC_* environment
#   o  OpenRC's own state: `rc-status default` / `rc-status boot` show the services started and
#      n-nodocker not started, `rc-service n-b status` exits 0, softlevel = default
#   l  the LSB scripts: n-lsb started with plain `start` after n-a, `rc-status` shows it and
#      Debian's sysinit scripts (mountkernfs.sh …) started; at docker stop `n-lsb stop` ran
#      before n-a's stop
#   u  `telinit u` inside: exit 0, accepted, nothing changes
#   r  `telinit 6` (a reboot, in place under Docker): the stops of boot 1 ran in reverse order
#      with RC_RUNLEVEL=shutdown RC_REBOOT=YES, then boot 2 started everything again
#   s  docker stop: exit 0 in < 8 s; the stops of boot 2 in reverse order with
#      RC_RUNLEVEL=shutdown RC_GOINGDOWN=YES and no RC_REBOOT; "shutdown complete in"
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=../lib/docker.sh
source "$here/../lib/docker.sh"
# shellcheck source=../lib/openrc.sh
source "$here/../lib/openrc.sh"

STOP_BOUND=8 # seconds; docker's own timeout is 10 s (then SIGKILL → 137)
BOOT_BOUND=${CT_BOOT_BOUND:-60}

bin=$(ct_ctinit_bin "${1:-}")
rootfs_require debian-openrc
docker_start_private

build_image() {
  local extra
  extra=$(mktemp -d "$CTINIT_CACHE/tmp/openrc-native.XXXXXX")
  cp -a "$here/fixtures/openrc-native/." "$extra/"
  img=$(docker_image_ctinit debian-openrc "$bin" ctinit-test/debian-openrc-ctinit-native "$extra" "
    rm -f /etc/inittab
    test -x /sbin/openrc-run
    $(orc_register_cmds | tr '\n' ';')
    rc-update add n-fail default
    ln -s /etc/init.d/n-lsb /etc/runlevels/default/n-lsb
    test -L /etc/runlevels/default/n-nodocker && test -L /etc/runlevels/boot/localmount
    rm -f $ORC_SVC_LOG
    rm -rf /var/lib/ctinit-e2e
  ")
  rm -rf "$extra"
}
build_image
ct_log "image $img ($("$bin" --version 2>&1 | head -n1 || true))"

svc_log() { orc_docker_svc_log "$@"; }
boot_done() { orc_docker_boot_done "$@"; }
runlevel_is() { [[ $(dkt 10 exec "$1" runlevel 2>&1) == "$2" ]]; }

# A failed start is reported with the service's name and what its script printed.
check_failure() {
  ct_check "f1 n-fail: ctinit logs 'n-fail: failed'" docker_log_has "$1" "n-fail: failed"
  ct_check "f2 n-fail: the script's message is repeated with the failure" \
    docker_log_has "$1" "n-fail: | "
  local log
  log=$(docker_logs "$1")
  ct_check "f3 n-fail: ... and it is the script's own line" \
    eval 'grep -F "n-fail: | " <<<"$log" | grep -qF "cannot read /etc/n-fail.conf"'
}

# ---------------------------------------------------------------------------------------------
check_native() {
  local ok=1
  if docker_wait_log "$C" "Entering runlevel: 3" "$BOOT_BOUND"; then
    ct_pass "n1 'Entering runlevel: 3' (no inittab: OpenRC default → 3)"
  else
    ct_fail "n1 'Entering runlevel: 3' (no inittab: OpenRC default → 3)" "not within ${BOOT_BOUND}s"
    ok=0
  fi
  if docker_log_has "$C" "OpenRC native mode:" && docker_logs "$C" | grep 'OpenRC native mode:' |
    grep -qF "(rc_sys DOCKER, the image's openrc-run)"; then
    ct_pass "n2 ctinit booted in native mode with the image's openrc-run, rc_sys DOCKER" \
      "$(docker_logs "$C" | grep -m1 -o 'OpenRC native mode:.*')"
  else
    ct_fail "n2 ctinit booted in native mode with the image's openrc-run, rc_sys DOCKER"
    ok=0
  fi
  if docker_log_has "$C" '"n-nodocker" is masked for DOCKER (keyword -docker); not started' &&
    docker_log_has "$C" '"localmount" is masked for DOCKER (keyword -docker); not started'; then
    ct_pass "n3 the masked services are reported (n-nodocker, localmount)"
  else
    ct_fail "n3 the masked services are reported (n-nodocker, localmount)"
    ok=0
  fi
  if docker_log_has "$C" 'n-net needs non-existent service "net"; starting it anyway'; then
    ct_pass "n4 the missing need is reported and does not stop n-net"
  else
    ct_fail "n4 the missing need is reported and does not stop n-net"
    ok=0
  fi
  ((ok)) || docker_dump "$C" 80
}

check_boot1() {
  local t
  ct_wait_until 30 boot_done "$C" 1 || true
  t=$(orc_boot_text "$(svc_log "$C" || true)" 1)
  orc_dump "$t"
  orc_check_boot b "$t" DOCKER
}

check_state() {
  local status s bad="" soft rc=0
  status=$(dkt 20 exec "$C" rc-status -C default 2>&1 || true)
  sed 's/^/    rc-status| /' <<<"$status"
  for s in $ORC_DEFAULT; do grep -Eq "^ *$s +\[ *started" <<<"$status" || bad+=" $s"; done
  if [[ -z "$bad" ]] && grep -q '^Runlevel: default' <<<"$status" &&
    ! grep -Eq '^ *n-nodocker +\[ *started' <<<"$status"; then
    ct_pass "o1 'rc-status default': $ORC_DEFAULT started, n-nodocker not"
  else
    ct_fail "o1 'rc-status default': $ORC_DEFAULT started, n-nodocker not" "not started:${bad:- (none)}"
  fi
  status=$(dkt 20 exec "$C" rc-status -C boot 2>&1 || true)
  bad=""
  for s in $ORC_BOOT; do grep -Eq "^ *$s +\[ *started" <<<"$status" || bad+=" $s"; done
  if [[ -z "$bad" ]]; then ct_pass "o2 'rc-status boot': $ORC_BOOT started"; else
    ct_fail "o2 'rc-status boot': $ORC_BOOT started" "not started:$bad"
    sed 's/^/    rc-status| /' <<<"$status"
  fi
  dkt 20 exec "$C" rc-service n-b status >/dev/null 2>&1 || rc=$?
  if ((rc == 0)); then ct_pass "o3 'rc-service n-b status' exits 0 (started)"; else
    ct_fail "o3 'rc-service n-b status' exits 0 (started)" "exit $rc"; fi
  soft=$(dkt 10 exec "$C" cat /run/openrc/softlevel 2>&1 || true)
  if [[ "$soft" == default ]]; then ct_pass "o4 /run/openrc/softlevel = default"; else
    ct_fail "o4 /run/openrc/softlevel = default" "got '$soft'"; fi
}

check_lsb() {
  local t status
  t=$(orc_boot_text "$(svc_log "$C" || true)" 1)
  if [[ -n $(orc_line "$t" n-lsb start) ]] && grep -q ' n-lsb start args=start b=1$' <<<"$t" &&
    orc_before "$t" n-a start n-lsb start-begin; then
    ct_pass "l1 n-lsb ran as 'n-lsb start' after n-a started (its Required-Start)"
  else
    ct_fail "l1 n-lsb ran as 'n-lsb start' after n-a started (its Required-Start)" \
      "$(grep -E ' (n-a|n-lsb) ' <<<"$t" | tr '\n' ';')"
  fi
  status=$(dkt 20 exec "$C" rc-status -C default 2>&1 || true)
  if grep -Eq '^ *n-lsb +\[ *started' <<<"$status"; then
    ct_pass "l2 'rc-status default' shows n-lsb started"
  else
    ct_fail "l2 'rc-status default' shows n-lsb started"
  fi
  status=$(dkt 20 exec "$C" rc-status -C sysinit 2>&1 || true)
  sed 's/^/    rc-status sysinit| /' <<<"$status"
  # hostname.sh fails under Docker ("you must be root to change the host name"), as it does
  # with Debian's own OpenRC: it ran, and OpenRC's state says so.
  if grep -Eq '^ *mountkernfs.sh +\[ *started' <<<"$status" &&
    grep -Eq '^ *checkroot.sh +\[ *started' <<<"$status" &&
    grep -Eq '^ *hostname.sh +\[ *failed' <<<"$status" &&
    docker_log_has "$C" "hostname.sh: | hostname: you must be root to change the host name"; then
    ct_pass "l3 Debian's sysinit LSB scripts ran (mountkernfs.sh, checkroot.sh started; hostname.sh failed, as under OpenRC)"
  else
    ct_fail "l3 Debian's sysinit LSB scripts ran (mountkernfs.sh, checkroot.sh started; hostname.sh failed, as under OpenRC)"
  fi
}

check_lsb_stop() {
  local t
  t=$(orc_boot_text "$(svc_log "$C" || true)" 2)
  if grep -q ' n-lsb stop args=stop b=2$' <<<"$t" && orc_before "$t" n-lsb stop n-a stop-begin; then
    ct_pass "l4 docker stop: 'n-lsb stop' ran, before n-a's stop (reverse order)"
  else
    ct_fail "l4 docker stop: 'n-lsb stop' ran, before n-a's stop (reverse order)" \
      "$(grep -E ' (n-a|n-lsb) ' <<<"$t" | tr '\n' ';')"
  fi
}

check_telinit_u() {
  local rc=0 out status bad="" s
  out=$(dkt 20 exec "$C" /sbin/telinit u 2>&1) || rc=$?
  if ((rc == 0)); then ct_pass "u1 'telinit u' inside exits 0"; else
    ct_fail "u1 'telinit u' inside exits 0" "exit $rc: $out"; fi
  if docker_wait_log "$C" "re-exec requested" 10; then
    ct_pass "u2 ctinit accepted the re-exec request"
  else
    ct_fail "u2 ctinit accepted the re-exec request"
  fi
  sleep 1
  status=$(dkt 20 exec "$C" rc-status -C default 2>&1 || true)
  for s in $ORC_DEFAULT; do grep -Eq "^ *$s +\[ *started" <<<"$status" || bad+=" $s"; done
  if docker_running "$C" && runlevel_is "$C" "N 3" && [[ -z "$bad" ]]; then
    ct_pass "u3 after 'telinit u': running, runlevel 'N 3', services still started"
  else
    ct_fail "u3 after 'telinit u': running, runlevel 'N 3', services still started" "not started:${bad:- (none)}"
  fi
}

t_start=$(ct_now)
C=$(docker_run_d "$img" /sbin/ctinit)
ct_run_check "n native mode" check_native
ct_run_check "b boot 1: waves" check_boot1
ct_run_check "o OpenRC state" check_state
ct_run_check "f a failed start" check_failure "$C"
ct_run_check "l LSB scripts" check_lsb
ct_run_check "u telinit u" check_telinit_u
ct_run_check "r telinit 6: reboot in place" orc_docker_check_reboot
ct_run_check "s docker stop" orc_docker_check_halt
ct_run_check "l LSB script stopped" check_lsb_stop
if [[ -n "$C" ]]; then
  echo "    --- full container log ---"
  docker_logs "$C" | sed 's/^/    | /'
  dk rm -f "$C" >/dev/null 2>&1 || true
fi
ct_log "checks took $(ct_elapsed "$t_start" "$(ct_now)") s"
ct_summary
