#!/usr/bin/env bash
# e2e: ctinit as PID 1 of a stock Debian bookworm sysvinit image under Docker.
#
#   bash tests/e2e/test_docker_sysvinit.sh /path/to/ctinit
#
# Image: debootstrap minbase + sysvinit-core (tests/lib/rootfs.sh), ctinit at /sbin/ctinit, stock
# /etc/inittab and rc scripts; one added service /etc/init.d/ctinit-probe (update-rc.d defaults:
# S01 in rc2-5, K01 in rc0/6) that prints "ctinit-probe: start|stop …" to the container log.
# Runs a private dockerd (tests/lib/docker.sh); exit 77 without root/docker (FAIL under CI=true).
# Checks (each prints PASS/FAIL lines; the script exits 1 if any failed):
#   a  boots to runlevel 2 (log + `runlevel` = "N 2", rc 2 ran)
#   b  docker stop → exit 0 in < 8 s, rc 0 ran (probe K01 + stock halt script)
#   c  `shutdown -h now` inside → the container exits 0 by itself
#   d  `telinit 3` → `runlevel` = "2 3"
#   e  a respawn entry ignoring SIGTERM does not make docker stop time out, rc 0 still completes
#   f  1000 orphans are reaped (no Z in ps)
#   g  docker run --init (docker-init/tini PID 1, ctinit its child and a subreaper) boots and
#      stops with exit 0, rc 0 completes
#   h  app mode: `ctinit -- CMD` exits with CMD's code, 128+N when CMD is killed by signal N
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=../lib/docker.sh
source "$here/../lib/docker.sh"

docker_e2e_begin "${1:-}"

STOP_BOUND=8 # seconds; docker's own timeout is 10 s (then SIGKILL → 137)
runlevel_is() { [[ $(dkt 10 exec "$1" runlevel 2>&1) == "$2" ]]; }

# ---------------------------------------------------------------------------------------------
check_boot_and_stop() {
  local c rl ok=1
  c=$(docker_run_d "$img" /sbin/ctinit)
  if docker_wait_log "$c" "Entering runlevel: 2" "$CT_BOOT_BOUND"; then
    ct_pass "a1 log shows 'Entering runlevel: 2'"
  else
    ct_fail "a1 log shows 'Entering runlevel: 2'" "not within ${CT_BOOT_BOUND}s"
    ok=0
  fi
  if ct_wait_until 10 runlevel_is "$c" "N 2"; then
    ct_pass "a2 'docker exec C runlevel' prints 'N 2'"
  else
    rl=$(dkt 10 exec "$c" runlevel 2>&1 || true)
    ct_fail "a2 'docker exec C runlevel' prints 'N 2'" "got '$rl'"
    ok=0
  fi
  if docker_wait_log "$c" "ctinit-probe: start" 10; then
    ct_pass "a3 rc 2 ran the S scripts (ctinit-probe start)"
  else
    ct_fail "a3 rc 2 ran the S scripts (ctinit-probe start)"
    ok=0
  fi
  ((ok)) || docker_dump "$c"
  if ! docker_running "$c"; then
    ct_fail "b docker stop" "container not running before the stop"
    docker_dump "$c"
    return 0
  fi

  docker_stop_timed "$c"
  ok=1
  echo "    docker stop took ${CT_STOP_SECONDS}s, exit code $CT_STOP_EXIT"
  if [[ "$CT_STOP_EXIT" == 0 ]]; then ct_pass "b1 docker stop → exit code 0"; else
    ct_fail "b1 docker stop → exit code 0" "got $CT_STOP_EXIT"; ok=0; fi
  if ct_lt "$CT_STOP_SECONDS" "$STOP_BOUND"; then ct_pass "b2 docker stop < ${STOP_BOUND}s" "${CT_STOP_SECONDS}s"; else
    ct_fail "b2 docker stop < ${STOP_BOUND}s" "${CT_STOP_SECONDS}s"; ok=0; fi
  if docker_log_has "$c" "ctinit-probe: stop"; then ct_pass "b3 rc 0 ran K01ctinit-probe"; else
    ct_fail "b3 rc 0 ran K01ctinit-probe" "no 'ctinit-probe: stop' in the log"; ok=0; fi
  if docker_log_has "$c" "Will now halt"; then ct_pass "b4 rc 0 ran the stock K05halt ('Will now halt')"; else
    ct_fail "b4 rc 0 ran the stock K05halt ('Will now halt')"; ok=0; fi
  if docker_log_has "$c" "received SIGTERM: halt"; then ct_pass "b5 log 'received SIGTERM: halt'"; else
    ct_fail "b5 log 'received SIGTERM: halt'"; ok=0; fi
  if docker_log_has "$c" "shutdown complete in"; then ct_pass "b6 log 'shutdown complete in'"; else
    ct_fail "b6 log 'shutdown complete in'"; ok=0; fi
  ((ok)) || docker_dump "$c" 80
  dk rm -f "$c" >/dev/null
}

# ---------------------------------------------------------------------------------------------
check_shutdown_h_now() {
  local c rc=0
  c=$(docker_boot c "$img" /sbin/ctinit) || return 0
  dkt 20 exec "$c" /sbin/shutdown -h now || rc=$?
  echo "    'shutdown -h now' returned $rc"
  if docker_wait_exit "$c" 20; then
    local code
    code=$(docker_exit_code "$c")
    if [[ "$code" == 0 ]]; then ct_pass "c1 shutdown -h now → container exits with 0"; else
      ct_fail "c1 shutdown -h now → container exits with 0" "exit code $code"; docker_dump "$c"; fi
    if docker_log_has "$c" "ctinit-probe: stop"; then ct_pass "c2 shutdown ran rc 0 (ctinit-probe stop)"; else
      ct_fail "c2 shutdown ran rc 0 (ctinit-probe stop)"; docker_dump "$c"; fi
  else
    ct_fail "c1 shutdown -h now → container exits with 0" "still running after 20 s"
    docker_dump "$c"
  fi
  dk rm -f "$c" >/dev/null
}

# ---------------------------------------------------------------------------------------------
check_telinit() {
  local c rc=0 rl
  c=$(docker_boot d "$img" /sbin/ctinit) || return 0
  ct_wait_until 10 runlevel_is "$c" "N 2" || true
  dkt 20 exec "$c" telinit 3 || rc=$?
  # shellcheck disable=SC2016 # expanded inside the container
  echo "    'telinit 3' returned $rc ($(dkt 10 exec "$c" sh -c 'readlink -f "$(command -v telinit)"' 2>&1))"
  if ct_wait_until 15 runlevel_is "$c" "2 3"; then
    ct_pass "d1 telinit 3 → runlevel prints '2 3'"
  else
    rl=$(dkt 10 exec "$c" runlevel 2>&1 || true)
    ct_fail "d1 telinit 3 → runlevel prints '2 3'" "got '$rl'"
    docker_dump "$c"
  fi
  if docker_log_has "$c" "Switching to runlevel: 3"; then ct_pass "d2 log 'Switching to runlevel: 3'"; else
    ct_fail "d2 log 'Switching to runlevel: 3'"; fi
  dk rm -f "$c" >/dev/null
}

# ---------------------------------------------------------------------------------------------
check_term_ignoring_respawn() {
  local c tab procs
  tab=$(mktemp "$CT_DOCKER_RUN_DIR/inittab.XXXXXX") # removed with the private dockerd
  cp "$(rootfs_path debian-sysvinit)/etc/inittab" "$tab"
  # shellcheck disable=SC2016
  echo 'zz:2345:respawn:/bin/sh -c '\''trap "" TERM; while :; do sleep 1; done'\' >>"$tab"
  chmod 0644 "$tab"
  c=$(docker_boot e -v "$tab:/etc/inittab:ro" "$img" /sbin/ctinit) || return 0
  procs=""
  _zz_running() { procs=$(dkt 10 exec "$c" ps -eo pid,ppid,args 2>&1) && grep -q 'trap "" TERM' <<<"$procs"; }
  if ct_wait_until 10 _zz_running; then
    ct_pass "e1 the SIGTERM-ignoring respawn entry runs"
  else
    ct_fail "e1 the SIGTERM-ignoring respawn entry runs" "not in ps"
    sed 's/^/    | /' <<<"$procs"
  fi
  docker_check_stop "e2 docker stop → exit 0 before Docker's 10 s timeout" "$c" 10
  docker_logs "$c" | grep -F "shutdown complete" | sed 's/^/    log: /' || true
  # sysvinit TERMs the processes of entries not in the new level and KILLs them 3 s later,
  # before it starts l0; so rc 0 (whose sendsigs waits for every process) still completes.
  if docker_log_has "$c" "Will now halt"; then
    ct_pass "e3 rc 0 still ran to completion (stock K05halt: 'Will now halt')"
  else
    ct_fail "e3 rc 0 still ran to completion (stock K05halt: 'Will now halt')"
    docker_logs "$c" | sed -n '/received SIGTERM/,$p' | sed 's/^/    | /'
  fi
  dk rm -f "$c" >/dev/null
}

# ---------------------------------------------------------------------------------------------
check_orphans() {
  local c rc=0 ps_out zombies
  c=$(docker_boot f "$img" /sbin/ctinit) || return 0
  # shellcheck disable=SC2016
  dkt 180 exec "$c" sh -c 'for i in $(seq 1000); do (sleep 0.1 &) ; done' || rc=$?
  echo "    orphan loop returned $rc"
  _no_zombies() {
    ps_out=$(dkt 10 exec "$c" ps -eo pid,ppid,stat,args 2>&1) || return 1
    zombies=$(awk 'NR > 1 && $3 ~ /^Z/' <<<"$ps_out")
    [[ -z "$zombies" ]]
  }
  sleep 2
  if ct_wait_until 5 _no_zombies; then
    ct_pass "f1 1000 orphans reaped: no Z in ps"
  else
    ct_fail "f1 1000 orphans reaped: no Z in ps" "$(wc -l <<<"$zombies") zombie(s) after ~7 s"
    head -n 20 <<<"$zombies" | sed 's/^/    | /'
  fi
  if docker_running "$c"; then ct_pass "f2 PID 1 still running after the orphan storm"; else
    ct_fail "f2 PID 1 still running after the orphan storm"; docker_dump "$c"; fi
  dk rm -f "$c" >/dev/null
}

# ---------------------------------------------------------------------------------------------
check_under_tini() {
  local c procs tab ct_pid orphan_ppid
  # Stock inittab + one entry whose child orphans a grandchild: with ctinit as a subreaper the
  # orphan is re-parented to ctinit, not to docker-init (PID 1).
  tab=$(mktemp "$CT_DOCKER_RUN_DIR/inittab.XXXXXX")
  cp "$(rootfs_path debian-sysvinit)/etc/inittab" "$tab"
  echo "zo:2345:once:/bin/sh -c '(exec sleep 4343 &)'" >>"$tab"
  chmod 0644 "$tab"
  c=$(docker_boot g --init -v "$tab:/etc/inittab:ro" "$img" /sbin/ctinit) || return 0
  ct_pass "g0 ctinit under docker run --init boots to runlevel 2"
  procs=""
  _orphan_there() { procs=$(dkt 10 exec "$c" ps -eo pid,ppid,args 2>&1) && grep -q 'sleep 4343' <<<"$procs"; }
  ct_wait_until 10 _orphan_there || true
  sed 's/^/    | /' <<<"$procs"
  ct_pid=$(awk '$3 == "/sbin/ctinit" { print $1; exit }' <<<"$procs")
  if [[ -n "$ct_pid" ]] && grep -Eq '^ *1 +0 +/sbin/docker-init' <<<"$procs" &&
    awk -v p="$ct_pid" '$1 == p && $2 == 1 { f = 1 } END { exit !f }' <<<"$procs"; then
    ct_pass "g1 docker-init is PID 1 and ctinit its child" "ctinit pid $ct_pid"
  else
    ct_fail "g1 docker-init is PID 1 and ctinit its child"
  fi
  orphan_ppid=$(awk '$3 == "sleep" && $4 == "4343" { print $2; exit }' <<<"$procs")
  if [[ -n "$ct_pid" && "$orphan_ppid" == "$ct_pid" ]]; then
    ct_pass "g2 ctinit is a subreaper: an orphaned grandchild is re-parented to it"
  else
    ct_fail "g2 ctinit is a subreaper: an orphaned grandchild is re-parented to it" \
      "orphan's ppid '${orphan_ppid}', ctinit pid '${ct_pid}'"
  fi
  docker_check_stop "g3 docker stop under --init → exit 0 in < ${STOP_BOUND}s" "$c" "$STOP_BOUND"
  # Not being PID 1, ctinit is a target of Debian's sendsigs (killall5 spares only PID 1 and its
  # own session); rc 0 must still run to its end, the stock K05halt.
  if docker_log_has "$c" "Will now halt"; then
    ct_pass "g4 rc 0 ran to completion under --init (stock K05halt: 'Will now halt')"
  else
    ct_fail "g4 rc 0 ran to completion under --init (stock K05halt: 'Will now halt')"
    docker_logs "$c" | sed -n '/received SIGTERM/,$p' | sed 's/^/    | /'
  fi
  dk rm -f "$c" >/dev/null
}

# ---------------------------------------------------------------------------------------------
check_app_mode() {
  local c code want cmd label
  # shellcheck disable=SC2016
  for spec in "7|exit 7|h1 ctinit -- sh -c 'exit 7' → exit 7" \
    '138|kill -USR1 $$|h2 app killed by SIGUSR1 → exit 138' \
    '137|kill -KILL $$|h3 app killed by SIGKILL → exit 137'; do
    IFS='|' read -r want cmd label <<<"$spec"
    c=$(docker_run_d "$img" /sbin/ctinit -- sh -c "$cmd")
    if ! docker_wait_exit "$c" 40; then
      ct_fail "$label" "still running after 40 s"
      docker_dump "$c"
    else
      code=$(docker_exit_code "$c")
      if [[ "$code" == "$want" ]]; then ct_pass "$label"; else
        ct_fail "$label" "exit code $code"; docker_dump "$c"; fi
    fi
    dk rm -f "$c" >/dev/null
  done
}

ct_run_check "a+b boot to runlevel 2, docker stop" check_boot_and_stop
ct_run_check "c shutdown -h now" check_shutdown_h_now
ct_run_check "d telinit 3" check_telinit
ct_run_check "e SIGTERM-ignoring respawn entry" check_term_ignoring_respawn
ct_run_check "f orphan reaping" check_orphans
ct_run_check "g under docker --init" check_under_tini
ct_run_check "h app mode exit codes" check_app_mode
ct_summary
