#!/usr/bin/env bash
# bench/compose-stop.sh — `docker-compose stop` wall time and exit code, ctinit next to sysvinit
# on the same Debian bookworm sysvinit image, for the stop_signal values compose files use.
# Prints a markdown table on stdout.
#
#   bash bench/compose-stop.sh [/path/to/ctinit]     (default: build/ctinit)
#
# One `docker-compose up -d` starts every row (network_mode: none); after boot each service is
# stopped alone (`docker-compose stop SERVICE`, its stop_grace_period = the default 10 s), so the
# times do not share the machine. Rows: stop_signal SIGTERM, SIGPWR, SIGRTMIN+3, and SIGINT (for
# ctinit with CTINIT_SIGNALS="SIGINT=halt", as contrib/compose/compose.yaml shows), each under
# /sbin/init (sysvinit) and /sbin/ctinit. sysvinit ignores SIGTERM and SIGRTMIN+3 and runs its
# powerwait entry on SIGPWR (a script Debian 12 does not ship): those rows end in Docker's
# SIGKILL after 10 s, exit 137.
# Needs root, docker.io and docker-compose (private dockerd, see tests/lib/docker.sh); exit 77
# when missing.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=../tests/lib/docker.sh
source "$here/../tests/lib/docker.sh"

bin=${1:-$here/../build/ctinit}
[[ -x "$bin" ]] || ct_die "bench: no ctinit binary at $bin"
bin=$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")
ct_require_cmd docker-compose

rootfs_require debian-sysvinit
docker_start_private
img=$(docker_image_ctinit debian-sysvinit "$bin")
dk tag "$img" ctinit-bench/compose:latest
dir=$(mktemp -d "$CTINIT_CACHE/tmp/compose-bench.XXXXXX")
# shellcheck disable=SC2016 # expanded when the hook runs
ct_on_exit 'rm -rf "$dir"'

signals=(SIGTERM SIGPWR SIGRTMIN+3 SIGINT)
service() { # PID1 SIGNAL → a compose service name
  local s=${2,,}
  printf '%s-%s' "$1" "${s//+/-}"
}
{
  echo 'version: "2.4"'
  echo 'services:'
  for pid1 in sysvinit ctinit; do
    for sig in "${signals[@]}"; do
      echo "  $(service "$pid1" "$sig"):"
      echo "    image: ctinit-bench/compose:latest"
      echo "    network_mode: none"
      echo "    labels: [ctinit-test=1]"
      echo "    stop_signal: $sig"
      if [[ $pid1 == sysvinit ]]; then echo "    command: /sbin/init"; else
        echo "    command: /sbin/ctinit"
        [[ $sig != SIGINT ]] || echo "    environment: {CTINIT_SIGNALS: SIGINT=halt}"
      fi
    done
  done
} >"$dir/compose.yaml"

dc() { timeout --kill-after=5 120 docker-compose -p ctinitbench -f "$dir/compose.yaml" "$@"; }
dc up -d >/dev/null 2>&1 || dc up -d
_runlevel_is_2() { [[ $(dkt 10 exec "$1" runlevel 2>/dev/null) == "N 2" ]]; }
notes=()
for pid1 in sysvinit ctinit; do
  for sig in "${signals[@]}"; do
    c=$(dc ps -q "$(service "$pid1" "$sig")")
    ct_wait_until 30 _runlevel_is_2 "$c" || notes+=("$pid1 $sig: runlevel never showed 'N 2'")
  done
done
sleep 2 # boot stragglers

declare -A secs codes
for pid1 in sysvinit ctinit; do
  for sig in "${signals[@]}"; do
    s=$(service "$pid1" "$sig")
    c=$(dc ps -q "$s")
    ct_log "bench: docker-compose stop $s"
    t0=$(ct_now)
    dc stop "$s" >/dev/null 2>&1 || true
    secs[$pid1 $sig]=$(ct_elapsed "$t0" "$(ct_now)")
    codes[$pid1 $sig]=$(docker_exit_code "$c")
  done
done
dc down -t 1 >/dev/null 2>&1 || true

echo
echo "docker-compose stop (stop_grace_period 10 s), $(docker-compose version --short), $(dk version -f 'dockerd {{.Server.Version}}'), kernel $(uname -r), $(nproc) CPUs"
echo
echo "| stop_signal | sysvinit: stop (s) | exit | ctinit: stop (s) | exit |"
echo "|---|---:|---:|---:|---:|"
for sig in "${signals[@]}"; do
  label=$sig
  [[ $sig != SIGINT ]] || label="SIGINT (ctinit: CTINIT_SIGNALS=SIGINT=halt)"
  printf '| %s | %s | %s | %s | %s |\n' "$label" "${secs[sysvinit $sig]}" \
    "${codes[sysvinit $sig]}" "${secs[ctinit $sig]}" "${codes[ctinit $sig]}"
done
echo
for n in "${notes[@]+"${notes[@]}"}"; do echo "note: $n"; done
exit 0
