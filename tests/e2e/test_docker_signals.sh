#!/usr/bin/env bash
# e2e: signals that Docker (and other runtimes) send to ctinit as PID 1 of a stock Debian
# bookworm sysvinit image (same image as test_docker_sysvinit.sh: stock inittab and rc scripts +
# the ctinit-probe service, which logs "ctinit-probe: start|stop RUNLEVEL=…").
#
#   bash tests/e2e/test_docker_signals.sh /path/to/ctinit
#
# The docker.io client/daemon (20.10, API 1.41) has no `docker stop --signal`: a stop with
# another signal is `docker run --stop-signal SIG` + `docker stop` (how an image's STOPSIGNAL
# works), and a bare signal is `docker kill -s SIG`.
#   pwr    docker kill -s SIGPWR (LXC's halt signal)  → halt: exit 0 by itself, rc 0 ran
#   rtmin3 --stop-signal 37 (SIGRTMIN+3, systemd's / podman's) + docker stop → exit 0 in < 8 s
#   int    docker kill -s SIGINT → inittab ctrlaltdel (`shutdown -t1 -a -r now`) → runlevel 6 →
#          under Docker the boot restarts in place: still running, rc 6 ran, second boot logged
#   hup    docker kill -s SIGHUP → inittab reloaded (an appended respawn entry starts), still
#          running, still runlevel 2
#   stop   SIGTSTP/SIGTTIN/SIGTTOU/SIGQUIT neither stop nor kill PID 1; docker stop still exits 0
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=../lib/docker.sh
source "$here/../lib/docker.sh"

docker_e2e_begin "${1:-}"

STOP_BOUND=8

runlevel_is() { [[ $(dkt 10 exec "$1" runlevel 2>&1) == "$2" ]]; }
log_count_ge() { (($(docker_log_count "$1" "$2") >= $3)); }

# PID 1's scheduler state letter from the host's /proc (R, S, T = stopped, Z, …).
pid1_state() {
  local pid
  pid=$(docker_host_pid "$1")
  [[ -n "$pid" && "$pid" != 0 ]] || { echo gone; return 0; }
  awk '/^State:/ { print $2 }' "/proc/$pid/status" 2>/dev/null || echo gone
}

# ---------------------------------------------------------------------------------------------
check_pwr() {
  local c t0 secs code
  c=$(docker_boot pwr "$img" /sbin/ctinit) || return 0
  t0=$(ct_now)
  dk kill -s SIGPWR "$c" >/dev/null
  if docker_wait_exit "$c" 15; then
    secs=$(ct_elapsed "$t0" "$(ct_now)")
    code=$(docker_exit_code "$c")
    echo "    exited ${secs}s after SIGPWR with code $code"
    if [[ "$code" == 0 ]] && ct_lt "$secs" "$STOP_BOUND"; then
      ct_pass "pwr1 SIGPWR → container exits 0 by itself in < ${STOP_BOUND}s"
    else
      ct_fail "pwr1 SIGPWR → container exits 0 by itself in < ${STOP_BOUND}s" "code $code after ${secs}s"
      docker_dump "$c"
    fi
  else
    ct_fail "pwr1 SIGPWR → container exits 0 by itself in < ${STOP_BOUND}s" "still running 15 s later"
    docker_dump "$c"
  fi
  ct_check "pwr2 log 'received SIGPWR: halt'" docker_log_has "$c" "received SIGPWR: halt"
  ct_check "pwr3 rc 0 ran (ctinit-probe stop)" docker_log_has "$c" "ctinit-probe: stop"
  dk rm -f "$c" >/dev/null
}

# ---------------------------------------------------------------------------------------------
check_rtmin3() {
  local c
  c=$(docker_boot rtmin3 --stop-signal 37 "$img" /sbin/ctinit) || return 0
  docker_check_stop "rtmin3-1 --stop-signal 37 + docker stop → exit 0 in < ${STOP_BOUND}s" "$c" "$STOP_BOUND"
  ct_check "rtmin3-2 log 'received SIGRTMIN+3: halt'" docker_log_has "$c" "received SIGRTMIN+3: halt"
  ct_check "rtmin3-3 rc 0 ran (ctinit-probe stop)" docker_log_has "$c" "ctinit-probe: stop"
  dk rm -f "$c" >/dev/null
}

# ---------------------------------------------------------------------------------------------
check_int() {
  local c ok=1 rl
  c=$(docker_boot int "$img" /sbin/ctinit) || return 0
  docker_wait_log "$c" "ctinit-probe: start" 10 || true
  dk kill -s SIGINT "$c" >/dev/null
  ct_check "int1 log 'received SIGINT'" docker_wait_log "$c" "received SIGINT" 10
  if docker_wait_log "$c" "ctinit-probe: stop RUNLEVEL=6" 20; then
    ct_pass "int2 ctrlaltdel → shutdown -r → rc 6 ran (ctinit-probe stop RUNLEVEL=6)"
  else
    ct_fail "int2 ctrlaltdel → shutdown -r → rc 6 ran (ctinit-probe stop RUNLEVEL=6)"
    ok=0
  fi
  if ct_wait_until 30 log_count_ge "$c" "ctinit-probe: start" 2; then
    ct_pass "int3 second boot: rc 2 ran again (2× ctinit-probe start)"
  else
    ct_fail "int3 second boot: rc 2 ran again (2× ctinit-probe start)" \
      "$(docker_log_count "$c" "ctinit-probe: start")× after 30 s"
    ok=0
  fi
  if ct_wait_until 10 log_count_ge "$c" "Entering runlevel: 2" 2; then
    ct_pass "int4 second boot: 'Entering runlevel: 2' logged twice"
  else
    ct_fail "int4 second boot: 'Entering runlevel: 2' logged twice" \
      "$(docker_log_count "$c" "Entering runlevel: 2")×"
    ok=0
  fi
  if docker_running "$c"; then
    ct_pass "int5 container keeps running across the reboot (PID 1 stays)"
  else
    ct_fail "int5 container keeps running across the reboot (PID 1 stays)" \
      "exited with $(docker_exit_code "$c")"
    ok=0
  fi
  rl=$(dkt 10 exec "$c" runlevel 2>&1 || true)
  echo "    runlevel after the reboot: '$rl'"
  ((ok)) || docker_dump "$c" 80
  if docker_running "$c"; then
    docker_check_stop "int6 docker stop after the reboot → exit 0 in < ${STOP_BOUND}s" "$c" "$STOP_BOUND" 30
  fi
  dk rm -f "$c" >/dev/null
}

# ---------------------------------------------------------------------------------------------
check_hup() {
  local c procs=""
  c=$(docker_boot hup "$img" /sbin/ctinit) || return 0
  ct_wait_until 10 runlevel_is "$c" "N 2" || true
  dkt 10 exec "$c" sh -c "echo 'zy:2345:respawn:/bin/sleep 4242' >>/etc/inittab"
  dk kill -s SIGHUP "$c" >/dev/null
  ct_check "hup1 log 'received SIGHUP'" docker_wait_log "$c" "received SIGHUP" 10
  _sleeper() { procs=$(dkt 10 exec "$c" ps -eo pid,ppid,args 2>&1) && grep -q 'sleep 4242' <<<"$procs"; }
  if ct_wait_until 10 _sleeper; then
    ct_pass "hup2 SIGHUP reloads inittab: the appended respawn entry runs"
  else
    ct_fail "hup2 SIGHUP reloads inittab: the appended respawn entry runs" "no 'sleep 4242' in ps"
    sed 's/^/    | /' <<<"$procs"
  fi
  sleep 1
  ct_check "hup3 container keeps running after SIGHUP" docker_running "$c"
  ct_check "hup4 still runlevel 'N 2' after SIGHUP" runlevel_is "$c" "N 2"
  dk rm -f "$c" >/dev/null
}

# ---------------------------------------------------------------------------------------------
check_job_control_signals() {
  local c sig st
  c=$(docker_boot stop "$img" /sbin/ctinit) || return 0
  for sig in SIGTSTP SIGTTIN SIGTTOU SIGQUIT; do
    dk kill -s "$sig" "$c" >/dev/null
    sleep 1
    st=$(pid1_state "$c")
    if docker_running "$c" && [[ "$st" != T && "$st" != t && "$st" != gone ]]; then
      ct_pass "sig-$sig PID 1 neither stopped nor killed" "state $st"
    else
      ct_fail "sig-$sig PID 1 neither stopped nor killed" "state $st, running=$(docker_running "$c" && echo yes || echo no)"
    fi
  done
  if docker_running "$c"; then
    docker_check_stop "sig-after docker stop still → exit 0 in < ${STOP_BOUND}s" "$c" "$STOP_BOUND"
  else
    ct_fail "sig-after docker stop still → exit 0 in < ${STOP_BOUND}s" "container already gone"
    docker_dump "$c"
  fi
  dk rm -f "$c" >/dev/null
}

ct_run_check "pwr SIGPWR halts" check_pwr
ct_run_check "rtmin3 SIGRTMIN+3 halts" check_rtmin3
ct_run_check "int SIGINT reboots in place" check_int
ct_run_check "hup SIGHUP reloads" check_hup
ct_run_check "stop job-control signals and SIGQUIT ignored" check_job_control_signals
ct_summary
