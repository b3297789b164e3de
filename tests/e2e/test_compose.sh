#!/usr/bin/env bash
# e2e: ctinit under docker-compose (Debian's docker-compose 1.29) as compose users run it: the
# stop_signal values people set, stop_grace_period with CTINIT_SHUTDOWN_BUDGET, `init: true`,
# `restart: unless-stopped` and `docker-compose restart`. contrib/compose/compose.yaml is the
# documented version of the file this test writes.
#
#   bash tests/e2e/test_compose.sh /path/to/ctinit
#
# Image: the Debian sysvinit image of test_docker_sysvinit.sh (stock inittab and rc scripts, the
# ctinit-probe service: "ctinit-probe: start|stop RUNLEVEL=…") plus /etc/init.d/ctinit-slow,
# whose stop sleeps $SLOW_STOP_SECONDS (0 unless the service's environment sets it). One
# `docker-compose up -d` starts every service at once (network_mode: none: the private dockerd
# has no bridge), then:
#   restart  `docker-compose restart term` → stopped with exit 0, back up, rc 2 ran again
#   stop     one `docker-compose stop` of everything; per service: State.ExitCode 0, rc 0 ran
#            (ctinit-probe stop), the signal's log line, and the time from the stop to
#            State.FinishedAt printed (not asserted: bench/compose-stop.sh is for timings)
#     term     stop_signal SIGTERM (default) → halt; restart: unless-stopped
#     pwr      stop_signal SIGPWR → halt
#     rtmin3   stop_signal SIGRTMIN+3 → halt
#     int      stop_signal SIGINT + CTINIT_SIGNALS="SIGINT=halt" (by default SIGINT is
#              ctrlaltdel: a reboot in place, and the stop would end in SIGKILL)
#     grace    stop_grace_period 30s + CTINIT_SHUTDOWN_BUDGET=25s: a 12 s stop script completes
#     init     init: true → docker-init is PID 1, ctinit its child boots as subreaper
# Runs a private dockerd (tests/lib/docker.sh); exit 77 without root/docker/docker-compose.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=../lib/docker.sh
source "$here/../lib/docker.sh"

ct_require_cmd docker-compose
docker_e2e_begin "${1:-}"

SLOW_STOP=12
# Six containers boot at once on vfs: the first can need more than docker.sh's 30 s on a loaded
# 2-core machine (measured: rc S still running after 30 s, all up within 66 s).
UP_BOUND=${CT_BOOT_BOUND_COMPOSE:-90}
project=ctinitcompose
dir=$(mktemp -d "$CTINIT_CACHE/tmp/compose.XXXXXX")
# shellcheck disable=SC2016 # expanded when the hook runs
ct_on_exit 'rm -rf "$dir"'

# The probe image + a service whose stop takes $SLOW_STOP_SECONDS.
compose_image() {
  local extra ref
  extra=$(mktemp -d "$CTINIT_CACHE/tmp/slow.XXXXXX")
  mkdir -p "$extra/etc/init.d"
  cat >"$extra/etc/init.d/ctinit-slow" <<'SLOW'
#!/bin/sh
### BEGIN INIT INFO
# Provides:          ctinit-slow
# Required-Start:
# Required-Stop:
# Default-Start:     2 3 4 5
# Default-Stop:      0 6
# Short-Description: ctinit e2e: a stop that takes $SLOW_STOP_SECONDS
### END INIT INFO
s=${SLOW_STOP_SECONDS:-0}
case "$1" in
  start) echo "ctinit-slow: start (stop takes $s s)" ;;
  stop) sleep "$s"; echo "ctinit-slow: stop done after $s s" ;;
  status) exit 0 ;;
  *) exit 3 ;;
esac
exit 0
SLOW
  chmod 0755 "$extra/etc/init.d/ctinit-slow"
  ref=$(docker_derive "$img" ctinit-test/compose "$extra" 'update-rc.d ctinit-slow defaults')
  rm -rf "$extra"
  dk tag "$ref" ctinit-test/compose:latest
}

write_compose_file() {
  cat >"$dir/compose.yaml" <<'YAML'
version: "2.4"
x-ctinit: &ctinit
  image: ctinit-test/compose:latest
  network_mode: none
  labels: [ctinit-test=1]
services:
  term:
    <<: *ctinit
    restart: unless-stopped
  pwr:
    <<: *ctinit
    stop_signal: SIGPWR
  rtmin3:
    <<: *ctinit
    stop_signal: SIGRTMIN+3
  int:
    <<: *ctinit
    stop_signal: SIGINT
    environment:
      CTINIT_SIGNALS: SIGINT=halt
  grace:
    <<: *ctinit
    stop_grace_period: 30s
    environment:
      CTINIT_SHUTDOWN_BUDGET: 25s
      SLOW_STOP_SECONDS: "12"
  init:
    <<: *ctinit
    init: true
YAML
}

dc() { timeout --kill-after=5 120 docker-compose -p "$project" -f "$dir/compose.yaml" "$@"; }
cid() { dc ps -q "$1"; }
SERVICES=(term pwr rtmin3 int grace init)

# ---------------------------------------------------------------------------------------------
check_up() {
  local s c
  for s in "${SERVICES[@]}"; do
    c=$(cid "$s")
    if [[ -n "$c" ]] && docker_wait_log "$c" "Entering runlevel: 2" "$UP_BOUND"; then
      ct_pass "up-$s boots to runlevel 2"
    else
      ct_fail "up-$s boots to runlevel 2"
      [[ -z "$c" ]] || docker_dump "$c" 30
    fi
  done
  c=$(cid init)
  ct_check "up-init ctinit runs as docker-init's subreaper" \
    docker_log_has "$c" "not PID 1: subreaper mode"
  ct_check "up-grace the slow service started" docker_log_has "$(cid grace)" "ctinit-slow: start (stop takes $SLOW_STOP s)"
}

check_restart() {
  local c t0
  c=$(cid term)
  t0=$(ct_now)
  dc restart term >/dev/null 2>&1 || true
  echo "    docker-compose restart term took $(ct_elapsed "$t0" "$(ct_now)")s"
  ct_check "restart1 rc 0 ran at the stop (ctinit-probe stop RUNLEVEL=0)" \
    docker_log_has "$c" "ctinit-probe: stop RUNLEVEL=0"
  ct_check "restart2 the stop was a clean halt (ctinit's 'received SIGTERM: halt')" \
    docker_log_has "$c" "received SIGTERM: halt"
  if ct_wait_until 30 _probe_started_twice "$c"; then
    ct_pass "restart3 back up: rc 2 ran again (2× ctinit-probe start)"
  else
    ct_fail "restart3 back up: rc 2 ran again (2× ctinit-probe start)"
    docker_dump "$c" 40
  fi
  ct_check "restart4 running after the restart" docker_running "$c"
}
_probe_started_twice() { (($(docker_log_count "$1" "ctinit-probe: start") >= 2)); }

# Seconds from $1 (epoch, fractional) to the container's State.FinishedAt.
finished_after() {
  local fin
  fin=$(dk inspect -f '{{.State.FinishedAt}}' "$2")
  ct_elapsed "$1" "$(date -d "$fin" +%s.%N)"
}

check_stop() {
  local t0 s c code secs ids=()
  for s in "${SERVICES[@]}"; do ids+=("$(cid "$s")"); done
  t0=$(ct_now)
  dc stop >/dev/null 2>&1 || true
  echo "    docker-compose stop (all ${#SERVICES[@]} at once) took $(ct_elapsed "$t0" "$(ct_now)")s"
  for i in "${!SERVICES[@]}"; do
    s=${SERVICES[i]} c=${ids[i]}
    code=$(docker_exit_code "$c")
    secs=$(finished_after "$t0" "$c")
    echo "    $s: exit code $code, stopped ${secs}s after docker-compose stop"
    if [[ "$code" == 0 ]]; then ct_pass "stop-$s exit code 0" "${secs}s"; else
      ct_fail "stop-$s exit code 0" "exit $code after ${secs}s"
      docker_dump "$c" 40
    fi
    ct_check "stop-$s rc 0 ran (ctinit-probe stop RUNLEVEL=0)" \
      docker_log_has "$c" "ctinit-probe: stop RUNLEVEL=0"
  done
  ct_check "stop-pwr log 'received SIGPWR: halt'" docker_log_has "${ids[1]}" "received SIGPWR: halt"
  ct_check "stop-rtmin3 log 'received SIGRTMIN+3: halt'" \
    docker_log_has "${ids[2]}" "received SIGRTMIN+3: halt"
  ct_check "stop-int CTINIT_SIGNALS made SIGINT a halt" \
    docker_log_has "${ids[3]}" "received SIGINT: halt"
  ct_check "stop-grace the ${SLOW_STOP} s stop script completed" \
    docker_log_has "${ids[4]}" "ctinit-slow: stop done after $SLOW_STOP s"
  ct_check "stop-init log 'received SIGTERM: halt' (forwarded by docker-init)" \
    docker_log_has "${ids[5]}" "received SIGTERM: halt"
}

compose_image
write_compose_file
t_up=$(ct_now)
dc up -d >/dev/null 2>&1 || { dc up -d || true; }
ct_log "docker-compose up -d: $(ct_elapsed "$t_up" "$(ct_now)")s"
ct_run_check "up every service boots" check_up
ct_run_check "restart docker-compose restart (restart: unless-stopped)" check_restart
ct_run_check "stop docker-compose stop: each stop_signal ends in a clean halt" check_stop
dc down -t 1 >/dev/null 2>&1 || true
ct_summary
