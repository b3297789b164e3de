#!/usr/bin/env bash
# e2e: OpenRC-style services in an image WITHOUT OpenRC, under Docker (issue 3, e2e part (c)):
# a busybox tree, ctinit at /sbin/ctinit with its applets installed (`ctinit install-applets`:
# openrc-run, start-stop-daemon, supervise-daemon, rc-service, rc-status, rc-update, checkpath),
# /sbin/telinit -> ctinit, and the scripts of tests/e2e/fixtures/openrc-native (the same graph as
# test_docker_openrc_native.sh, see tests/lib/openrc.sh) plus fixtures/openrc-crash, registered
# with the shim's rc-update. No inittab: native mode, every start/stop through the shim.
#
#   bash tests/e2e/test_docker_openrc_shim.sh /path/to/ctinit
#
# Extra services (default runlevel): supervisor=supervise-daemon daemons that crash,
#   n-respawn  crashes twice, respawn_delay=1 respawn_max=5 respawn_period=60: respawned by ctinit
#   n-giveup   always crashes, respawn_max=2 respawn_period=60: OpenRC's supervise-daemon runs it
#              three times (two respawns), gives up and marks it stopped + failed
#
# Runs a private dockerd (tests/lib/docker.sh); exit 77 without root/docker/busybox-static (FAIL
# under CI=true). Checks (PASS/FAIL lines; exit 1 if any failed):
#   n  native mode through ctinit's shim, rc_sys DOCKER, masked/missing need reported
#   b  boot 1: the waves (tests/lib/openrc.sh orc_check_boot)
#   o  the shim's rc-status / rc-service agree (started, masked one not)
#   x  the crashing supervise-daemon service is respawned (3 runs, respawn_delay apart) and up
#   g  the other one is given up after 2 respawns; rc-status says failed, `status` stopped (3)
#   u  `telinit u`
#   r  `telinit 6`: stops in reverse order with RC_REBOOT=YES, boot 2 starts everything again
#   s  docker stop: exit 0 in < 8 s, stops in reverse order, RC_GOINGDOWN=YES, no RC_REBOOT
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=../lib/docker.sh
source "$here/../lib/docker.sh"
# shellcheck source=../lib/openrc.sh
source "$here/../lib/openrc.sh"

STOP_BOUND=8
BOOT_BOUND=${CT_BOOT_BOUND:-60}

bin=$(ct_ctinit_bin "${1:-}")
rootfs_require busybox
docker_start_private

build_image() {
  local extra
  extra=$(mktemp -d "$CTINIT_CACHE/tmp/openrc-shim.XXXXXX")
  cp -a "$here/fixtures/openrc-native/." "$here/fixtures/openrc-crash/." "$extra/"
  img=$(docker_image_ctinit busybox "$bin" ctinit-test/busybox-ctinit-openrc-shim "$extra" "
    test ! -e /etc/inittab && test ! -e /lib/rc/sh/openrc-run.sh
    /sbin/ctinit install-applets
    ln -s ctinit /sbin/telinit
    test \"\$(readlink /sbin/openrc-run)\" = /sbin/ctinit
    $(orc_register_cmds | tr '\n' ';')
    rc-update add n-respawn default && rc-update add n-giveup default
    test -L /etc/runlevels/default/n-nodocker && test -L /etc/runlevels/boot/localmount
    rm -f $ORC_SVC_LOG /run/n-*.pid
    rm -rf /var/lib/ctinit-e2e /run/openrc
  ")
  rm -rf "$extra"
}
build_image
ct_log "image $img ($("$bin" --version 2>&1 | head -n1 || true))"

svc_log() { orc_docker_svc_log "$@"; }
boot_done() { orc_docker_boot_done "$@"; }
runs_of() { awk -v n="$2" -v b="b=$3" '$2 == n && $3 == "run" && $NF == b' <<<"$1"; }
rc_status_has() { grep -Eq "^ *$2 +\[ *$3" <<<"$1"; }

# ---------------------------------------------------------------------------------------------
check_native() {
  local ok=1
  if docker_wait_log "$C" "Entering runlevel: 3" "$BOOT_BOUND"; then
    ct_pass "n1 'Entering runlevel: 3'"
  else
    ct_fail "n1 'Entering runlevel: 3'" "not within ${BOOT_BOUND}s"
    ok=0
  fi
  if docker_logs "$C" | grep 'OpenRC native mode:' | grep -qF "(rc_sys DOCKER, ctinit's openrc-run shim)"; then
    ct_pass "n2 native mode through ctinit's openrc-run shim, rc_sys DOCKER" \
      "$(docker_logs "$C" | grep -m1 -o 'OpenRC native mode:.*')"
  else
    ct_fail "n2 native mode through ctinit's openrc-run shim, rc_sys DOCKER"
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
  status=$(dkt 20 exec "$C" rc-status default 2>&1 || true)
  sed 's/^/    rc-status| /' <<<"$status"
  for s in $ORC_DEFAULT; do rc_status_has "$status" "$s" started || bad+=" $s"; done
  if [[ -z "$bad" ]] && grep -q '^Runlevel: default' <<<"$status" &&
    ! rc_status_has "$status" n-nodocker started; then
    ct_pass "o1 the shim's 'rc-status default': $ORC_DEFAULT started, n-nodocker not"
  else
    ct_fail "o1 the shim's 'rc-status default': $ORC_DEFAULT started, n-nodocker not" "not started:${bad:- (none)}"
  fi
  status=$(dkt 20 exec "$C" rc-status boot 2>&1 || true)
  bad=""
  for s in $ORC_BOOT; do rc_status_has "$status" "$s" started || bad+=" $s"; done
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

n_respawn_up() { [[ $(runs_of "$(svc_log "$C")" n-respawn 1 | wc -l) -ge 3 ]]; }

check_respawn() {
  local t runs pid alive=no rc=0 status gaps
  ct_wait_until 20 n_respawn_up || true
  sleep 1.5 # a 4th run would come within respawn_delay + 0.2 s
  t=$(svc_log "$C" || true)
  runs=$(runs_of "$t" n-respawn 1)
  sed 's/^/    runs| /' <<<"$runs"
  if [[ $(wc -l <<<"$runs") -eq 3 ]]; then
    ct_pass "x1 n-respawn ran 3 times: 2 crashes respawned by ctinit, the 3rd run stays up"
  else
    ct_fail "x1 n-respawn ran 3 times: 2 crashes respawned by ctinit, the 3rd run stays up" "$(wc -l <<<"$runs") runs"
  fi
  pid=$(awk 'END { sub("pid=", "", $5); print $5 }' <<<"$runs")
  [[ -n "$pid" ]] && dkt 10 exec "$C" kill -0 "$pid" 2>/dev/null && alive=yes
  if [[ $alive == yes && $(dkt 10 exec "$C" cat /run/n-respawn.pid 2>/dev/null) == "$pid" ]]; then
    ct_pass "x2 the 3rd run (pid $pid) is alive and is in n-respawn's pidfile"
  else
    ct_fail "x2 the 3rd run (pid ${pid:-?}) is alive and is in n-respawn's pidfile" "alive=$alive"
  fi
  # respawn_delay=1: each run began at least ~1 s after the one before (crash after 0.2 s).
  gaps=$(awk 'NR > 1 { printf "%.2f ", $1 - prev } { prev = $1 }' <<<"$runs")
  if awk -v g="$gaps" 'BEGIN { n = split(g, a, " "); if (n != 2) exit 1; for (i = 1; i <= n; i++) if (a[i] < 1.1) exit 1 }'; then
    ct_pass "x3 respawn_delay=1 honoured between the runs" "gaps: $gaps s (0.2 s run + 1 s delay)"
  else
    ct_fail "x3 respawn_delay=1 honoured between the runs" "gaps: $gaps s"
  fi
  if [[ $(docker_log_count "$C" "respawned supervise:n-respawn") -ge 2 ]]; then
    ct_pass "x4 ctinit logged both respawns"
  else
    ct_fail "x4 ctinit logged both respawns"
    docker_dump "$C" 40
  fi
  status=$(dkt 20 exec "$C" rc-status default 2>&1 || true)
  dkt 20 exec "$C" rc-service n-respawn status >/dev/null 2>&1 || rc=$?
  if rc_status_has "$status" n-respawn started && ((rc == 0)); then
    ct_pass "x5 rc-status: n-respawn started; 'rc-service n-respawn status' exits 0"
  else
    ct_fail "x5 rc-status: n-respawn started; 'rc-service n-respawn status' exits 0" "status exit $rc"
    grep n-respawn <<<"$status" | sed 's/^/    | /' || true
  fi
}

check_giveup() {
  local t runs status rc=0 failed=no
  if docker_wait_log "$C" "supervise:n-giveup" 5 && ct_wait_until 20 docker_log_has "$C" "giving up"; then
    ct_pass "g1 ctinit gave n-giveup up" "$(docker_logs "$C" | grep -m1 'giving up')"
  else
    ct_fail "g1 ctinit gave n-giveup up"
    docker_dump "$C" 40
  fi
  sleep 1.5 # no run may follow the give-up
  t=$(svc_log "$C" || true)
  runs=$(runs_of "$t" n-giveup 1)
  sed 's/^/    runs| /' <<<"$runs"
  if [[ $(wc -l <<<"$runs") -eq 3 ]]; then
    ct_pass "g2 n-giveup ran exactly 3 times (respawn_max=2: two respawns, as OpenRC counts)"
  else
    ct_fail "g2 n-giveup ran exactly 3 times (respawn_max=2: two respawns, as OpenRC counts)" "$(wc -l <<<"$runs") runs"
  fi
  status=$(dkt 20 exec "$C" rc-status default 2>&1 || true)
  grep n-giveup <<<"$status" | sed 's/^/    rc-status| /' || true
  dkt 20 exec "$C" rc-service n-giveup status >/dev/null 2>&1 || rc=$?
  dkt 10 exec "$C" test -L /run/openrc/failed/n-giveup && failed=yes
  if rc_status_has "$status" n-giveup failed && ((rc == 3)) && [[ $failed == yes ]]; then
    ct_pass "g3 OpenRC's state after the give-up: rc-status 'failed', status exit 3 (stopped), failed/n-giveup"
  else
    ct_fail "g3 OpenRC's state after the give-up: rc-status 'failed', status exit 3 (stopped), failed/n-giveup" \
      "status exit $rc, failed link: $failed"
  fi
}

check_telinit_u() {
  local rc=0 out status bad="" s
  out=$(dkt 20 exec "$C" /sbin/telinit u 2>&1) || rc=$?
  if ((rc == 0)); then ct_pass "u1 'telinit u' (ctinit's telinit) exits 0"; else
    ct_fail "u1 'telinit u' (ctinit's telinit) exits 0" "exit $rc: $out"; fi
  if docker_wait_log "$C" "re-exec requested" 10; then ct_pass "u2 ctinit accepted the re-exec request"; else
    ct_fail "u2 ctinit accepted the re-exec request"; fi
  sleep 1
  status=$(dkt 20 exec "$C" rc-status default 2>&1 || true)
  for s in $ORC_DEFAULT; do rc_status_has "$status" "$s" started || bad+=" $s"; done
  if docker_running "$C" && [[ -z "$bad" ]]; then
    ct_pass "u3 after 'telinit u': running, services still started"
  else
    ct_fail "u3 after 'telinit u': running, services still started" "not started:${bad:- (none)}"
  fi
}

t_start=$(ct_now)
C=$(docker_run_d "$img" /sbin/ctinit)
ct_run_check "n native mode (shim)" check_native
ct_run_check "b boot 1: waves" check_boot1
ct_run_check "o OpenRC state (shim)" check_state
ct_run_check "x supervise-daemon respawn" check_respawn
ct_run_check "g supervise-daemon give-up" check_giveup
ct_run_check "u telinit u" check_telinit_u
ct_run_check "r telinit 6: reboot in place" orc_docker_check_reboot
ct_run_check "s docker stop" orc_docker_check_halt
if [[ -n "$C" ]]; then
  echo "    --- full container log ---"
  docker_logs "$C" | sed 's/^/    | /'
  dk rm -f "$C" >/dev/null 2>&1 || true
fi
ct_log "checks took $(ct_elapsed "$t_start" "$(ct_now)") s"
ct_summary
