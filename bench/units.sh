#!/usr/bin/env bash
# bench/units.sh — 50 independent simple systemd units under ctinit, against the floor: a shell
# as PID 1 that spawns the same 50 commands and kills them. Both run as PID 1 of a fresh pid
# namespace in the same busybox tree (tests/integration/lib.sh), one after the other, ROUNDS
# times; the medians are printed as a markdown table.
#
#   bash bench/units.sh [/path/to/ctinit]      (default: build/ctinit; ROUNDS=5 N=50)
#
# start  from launching PID 1 until the last service has written its "up" file (that file's
#        mtime): ctinit's time includes reading the 50 units.
# stop   from SIGTERM to PID 1 until PID 1 has exited (ctinit: every unit stopped, final sweep,
#        sync; the floor: kill, wait).
# rss    VmRSS of PID 1 with the 50 services running.
# Targets (issue 4): ctinit start within 2x the floor, stop bounded by the slowest unit's own
# stop time (here ~0: sleep dies on SIGTERM), RSS <= 6 MiB with 50 units.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=../tests/integration/lib.sh
source "$here/../tests/integration/lib.sh"
it_init "${1:-$here/../build/ctinit}"

ROUNDS=${ROUNDS:-5}
N=${N:-50}

build_tree() {
  it_tree
  local d=$TREE/etc/systemd/system i name
  mkdir -p "$d/multi-user.target.wants" "$OUT/up"
  for ((i = 1; i <= N; i++)); do
    name=$(printf 'u%02d' "$i")
    printf '[Unit]\nDescription=bench %s\n[Service]\nExecStart=/bin/sh -c "touch /out/up/%s; exec sleep 100000"\n[Install]\nWantedBy=multi-user.target\n' \
      "$name" "$name" >"$d/$name.service"
    ln -s "../$name.service" "$d/multi-user.target.wants/$name.service"
  done
  # The floor: the same commands from a shell.
  {
    echo '#!/bin/sh'
    echo 'trap '"'"'kill $(jobs -p) 2>/dev/null; wait; exit 0'"'"' TERM'
    for ((i = 1; i <= N; i++)); do
      name=$(printf 'u%02d' "$i")
      echo "/bin/sh -c 'touch /out/up/$name; exec sleep 100000' &"
    done
    echo 'while :; do wait; done'
  } >"$TREE/bin/floor"
  chmod 0755 "$TREE/bin/floor"
}

all_up() {  # no fork: the poll must not load the 2 CPUs it measures
  local f=("$OUT"/up/u*)
  [[ -e "${f[0]}" && ${#f[@]} -ge $N ]]
}

# run CMD: sets START STOP RSS (seconds, seconds, KiB)
run() {
  rm -f "$OUT/up"/*
  local t0 t1 t2
  t0=$(ct_now)
  ns_start "$@"
  # The result is the files' mtimes, not when this loop sees them: poll gently (a glob over N
  # files every few ms would take a CPU from the 2 it measures).
  local limit=$((30 + N / 10)) deadline
  deadline=$((SECONDS + limit))
  while ! all_up; do
    sleep 0.05
    ((SECONDS < deadline)) || ct_die "bench: not all up in $limit s"
  done
  # The last "up" file's mtime (ns) against t0, both CLOCK_REALTIME: the host's polling
  # latency is not part of it.
  t1=$(stat -c %.9Y "$OUT"/up/u* | sort -n | tail -n1)
  START=$(ct_elapsed "$t0" "$t1")
  sleep 0.3
  RSS=$(awk '/^VmRSS:/ { print $2 }' "/proc/$NS_PID/status")
  t1=$(ct_now)
  send_signal TERM
  wait_exit "$limit" || true
  t2=$(ct_now)
  STOP=$(ct_elapsed "$t1" "$t2")
  NS_PID="" NS_UNSHARE_PID=""
}

median() { sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }

build_tree
declare -a cs cp cr fs fp fr
for ((r = 1; r <= ROUNDS; r++)); do
  run /sbin/ctinit -q
  cs+=("$START") cp+=("$STOP") cr+=("$RSS")
  run /bin/floor
  fs+=("$START") fp+=("$STOP") fr+=("$RSS")
done
c_start=$(printf '%s\n' "${cs[@]}" | median)
c_stop=$(printf '%s\n' "${cp[@]}" | median)
c_rss=$(printf '%s\n' "${cr[@]}" | median)
f_start=$(printf '%s\n' "${fs[@]}" | median)
f_stop=$(printf '%s\n' "${fp[@]}" | median)
f_rss=$(printf '%s\n' "${fr[@]}" | median)

echo
echo "$N independent Type=simple units, median of $ROUNDS rounds ($(nproc) CPUs, $(uname -r))"
echo
echo "| PID 1 | start: all $N running | stop: SIGTERM to exit | PID 1 VmRSS |"
echo "|---|---:|---:|---:|"
printf '| ctinit (%d units) | %.3f s | %.3f s | %d KiB |\n' "$N" "$c_start" "$c_stop" "$c_rss"
printf '| floor (sh spawns and kills) | %.3f s | %.3f s | %d KiB |\n' "$f_start" "$f_stop" "$f_rss"
echo
awk -v c="$c_start" -v f="$f_start" -v r="$c_rss" 'BEGIN {
  printf "start ratio ctinit/floor: %.2fx (target <= 2x); RSS %.1f MiB (target <= 6 MiB)\n", c / f, r / 1024 }'
