#!/usr/bin/env bash
# bench/docker-stop.sh — `docker stop` wall time / exit code for several PID 1s on the same
# Debian bookworm image, plus ctinit's idle footprint. Prints a markdown table on stdout.
#
#   bash bench/docker-stop.sh [--check] [/path/to/ctinit]     (default: build/ctinit)
#
# Rows (all containers run at once with --network none, idle-measured together, then stopped
# one after the other with the default 10 s timeout):
#   sysvinit      /sbin/init                   (debian-sysvinit image, stock inittab)
#   openrc-init   /sbin/openrc-init            (debian-openrc image)
#   ctinit        /sbin/ctinit                 (debian-sysvinit image, stock inittab)
#   ctinit        /sbin/ctinit, stock inittab without the getty lines (agetty cannot open
#                 /dev/ttyN in a container and is respawned every ~10 s: not ctinit's own noise)
#   tini          docker run --init … sleep infinity
#   no init       sleep infinity as PID 1
# Per row: docker stop seconds and exit code, PID 1's VmRSS and threads, and its context
# switches (voluntary+involuntary, all threads) over a 10 s idle window.
# Targets for ctinit: stop <= 1 s with exit 0, VmRSS <= 4 MiB, binary <= 4 MiB, ~0 idle wakeups
# (<= 2 voluntary switches in the window, gettys excluded). With --check the
# script exits 1 when a target is missed (otherwise it only reports).
# Needs root and docker.io (private dockerd, see tests/lib/docker.sh); exit 77 when missing.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=../tests/lib/docker.sh
source "$here/../tests/lib/docker.sh"

check=0
if [[ "${1:-}" == --check ]]; then check=1; shift; fi
bin=${1:-$here/../build/ctinit}
have_ctinit=0
if [[ -x "$bin" ]]; then
  bin=$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")
  have_ctinit=1
else
  ct_log "bench: no ctinit binary at $bin: measuring the baselines only"
fi
IDLE_SECONDS=${IDLE_SECONDS:-10}

rootfs_require debian-sysvinit
rootfs_require debian-openrc
docker_start_private

sysv_img=$(docker_import_rootfs debian-sysvinit)
openrc_img=$(docker_import_rootfs debian-openrc)
ct_img=$sysv_img
if ((have_ctinit)); then ct_img=$(docker_image_ctinit debian-sysvinit "$bin"); fi

names=() ids=() ready_kind=()
start_row() { # NAME READY-KIND docker-run-args...
  local name=$1 ready=$2 id
  shift 2
  id=$(docker_run_d "$@") || ct_die "bench: could not start $name"
  names+=("$name") ids+=("$id") ready_kind+=("$ready")
}

_runlevel_is_2() { [[ $(dkt 10 exec "$1" runlevel 2>/dev/null) == "N 2" ]]; }
_openrc_default() { [[ $(dkt 10 exec "$1" rc-status --runlevel 2>/dev/null) == default ]]; }

start_row "sysvinit (/sbin/init)" runlevel "$ct_img" /sbin/init
start_row "openrc-init (/sbin/openrc-init)" openrc "$openrc_img" /sbin/openrc-init
if ((have_ctinit)); then
  start_row "ctinit (stock inittab)" runlevel "$ct_img" /sbin/ctinit
  # The stock gettys on tty1-6 cannot open their ttys in a container: agetty exits ~10 s later
  # and is respawned, which wakes PID 1. This row measures ctinit's own idle behaviour.
  nogetty=$(mktemp "$CT_DOCKER_RUN_DIR/inittab.XXXXXX")
  grep -v getty "$(rootfs_path debian-sysvinit)/etc/inittab" >"$nogetty"
  chmod 0644 "$nogetty"
  start_row "ctinit (stock inittab minus the 6 gettys)" runlevel -v "$nogetty:/etc/inittab:ro" \
    "$ct_img" /sbin/ctinit
fi
start_row "docker --init (tini) + sleep infinity" none --init "$ct_img" sleep infinity
start_row "no init: sleep infinity as PID 1" none "$ct_img" sleep infinity

notes=()
for i in "${!ids[@]}"; do
  case "${ready_kind[i]}" in
    runlevel) ct_wait_until 30 _runlevel_is_2 "${ids[i]}" || notes+=("${names[i]}: runlevel never showed 'N 2' within 30 s") ;;
    openrc) ct_wait_until 30 _openrc_default "${ids[i]}" || notes+=("${names[i]}: openrc never reached 'default' within 30 s") ;;
  esac
done
sleep 2 # let boot stragglers (startpar, gettys failing on tty1..6) settle

ctxt() { # all threads of PID $1: voluntary + nonvoluntary
  awk '/^(voluntary|nonvoluntary)_ctxt_switches:/ { n += $2 } END { print n + 0 }' /proc/"$1"/task/*/status
}
vol() { awk '/^voluntary_ctxt_switches:/ { n += $2 } END { print n + 0 }' /proc/"$1"/task/*/status; }

pids=() c0=() v0=()
for i in "${!ids[@]}"; do
  pids[i]=$(docker_host_pid "${ids[i]}")
  c0[i]=$(ctxt "${pids[i]}")
  v0[i]=$(vol "${pids[i]}")
done
ct_log "bench: idle window of $IDLE_SECONDS s"
sleep "$IDLE_SECONDS"
rss=() thr=() dctx=() dvol=()
for i in "${!ids[@]}"; do
  rss[i]=$(awk '/^VmRSS:/ { print $2 }' "/proc/${pids[i]}/status")
  thr[i]=$(awk '/^Threads:/ { print $2 }' "/proc/${pids[i]}/status")
  dctx[i]=$(($(ctxt "${pids[i]}") - c0[i]))
  dvol[i]=$(($(vol "${pids[i]}") - v0[i]))
done

secs=() codes=()
for i in "${!ids[@]}"; do
  ct_log "bench: docker stop ${names[i]}"
  docker_stop_timed "${ids[i]}"
  secs[i]=$CT_STOP_SECONDS
  codes[i]=$CT_STOP_EXIT
done

echo
echo "docker stop (default SIGTERM, 10 s timeout), $(dk version -f 'dockerd {{.Server.Version}}'), kernel $(uname -r), $(nproc) CPUs"
echo
echo "| PID 1 | docker stop (s) | exit code | PID 1 VmRSS (KiB) | threads | ctxt switches in ${IDLE_SECONDS} s idle (voluntary) |"
echo "|---|---:|---:|---:|---:|---:|"
for i in "${!ids[@]}"; do
  printf '| %s | %s | %s | %s | %s | %s (%s) |\n' "${names[i]}" "${secs[i]}" "${codes[i]}" \
    "${rss[i]}" "${thr[i]}" "${dctx[i]}" "${dvol[i]}"
done
echo

miss=0
if ((have_ctinit)); then
  size=$(stat -c %s "$bin")
  echo "ctinit binary: $bin, $size bytes ($(awk -v s="$size" 'BEGIN { printf "%.2f", s / 1048576 }') MiB), $("$bin" --version 2>&1 | head -n1 || true)"
  echo
  echo "| ctinit target | measured | verdict |"
  echo "|---|---:|---|"
  ci="" gi=""
  for i in "${!ids[@]}"; do
    [[ "${names[i]}" == "ctinit (stock inittab)" ]] && ci=$i
    [[ "${names[i]}" == "ctinit (stock inittab minus"* ]] && gi=$i
  done
  verdict() { if "$@"; then echo OK; else miss=1; echo MISS; fi; }
  v=$(verdict awk -v s="${secs[ci]}" 'BEGIN { exit !(s <= 1.0) }')
  [[ $v == MISS ]] && miss=1
  echo "| docker stop <= 1 s | ${secs[ci]} s | $v |"
  v=$(verdict test "${codes[ci]}" -eq 0); [[ $v == MISS ]] && miss=1
  echo "| exit code 0 | ${codes[ci]} | $v |"
  v=$(verdict test "${rss[ci]}" -le 4096); [[ $v == MISS ]] && miss=1
  echo "| VmRSS <= 4 MiB | ${rss[ci]} KiB | $v |"
  v=$(verdict test "$size" -le 4194304); [[ $v == MISS ]] && miss=1
  echo "| binary <= 4 MiB | $size B | $v |"
  v=$(verdict test "${dvol[gi]}" -le 2); [[ $v == MISS ]] && miss=1
  echo "| idle voluntary ctxt switches ~0 (no gettys) | ${dvol[gi]} in ${IDLE_SECONDS} s | $v |"
  echo "| (stock inittab, gettys respawning) | ${dvol[ci]} in ${IDLE_SECONDS} s | info |"
  echo
fi
for n in "${notes[@]+"${notes[@]}"}"; do echo "note: $n"; done
if ((check && miss)); then exit 1; fi
exit 0
