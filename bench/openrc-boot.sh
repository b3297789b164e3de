#!/usr/bin/env bash
# bench/openrc-boot.sh — boot time to "all services started" for 20 OpenRC services that take
# 200 ms each to start, in a few dependency chains: ctinit's native mode (parallel waves) next to
# OpenRC's own `openrc default` (serial, its default), on the same Debian 12 + openrc 0.45 image.
# Prints a markdown table on stdout.
#
#   bash bench/openrc-boot.sh [/path/to/ctinit] [RUNS]      (default: build/ctinit, 3 runs)
#
# The graph (every service: start() { log; sleep 0.2; log; }, all in the default runlevel;
# Debian's own runlevel entries are removed so nothing else runs):
#   bench-a1 <- a2 <- a3 <- a4 <- a5   (need chain: the longest, 5 services)
#   bench-b1 <- b2 <- b3               (need)
#   bench-c1 <- c2                     (after)
#   bench-d1 <- d2, d3, d4             (fan-out: three need d1)
#   bench-e1 … e6                      (independent)
# Critical path = 5 × 200 ms = 1.0 s; everything one after the other = 20 × 200 ms = 4.0 s.
#
# Rows (each run: docker create, then t0 = the host clock just before `docker start`; the services
# log `date +%s.%N`, which is the same clock):
#   ctinit native     /sbin/ctinit --config /etc/ctinit/native.yaml (openrc.mode: native)
#   ctinit + inittab  /sbin/ctinit booting Gentoo's stock inittab: openrc sysinit, boot, default
#   openrc-init       /sbin/openrc-init (OpenRC's own PID 1: the same three openrc calls)
#   ctinit + inittab, rc_parallel=YES   the same, with OpenRC's (deprecated) parallel mode
# Columns: t0 → the last service started (median, min–max of RUNS), and the first start-begin →
# the last start (the runlevel's own scheduling, without PID 1's and openrc's set-up).
# Needs root and docker.io (private dockerd, tests/lib/docker.sh); exit 77 when missing.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=../tests/lib/docker.sh
source "$here/../tests/lib/docker.sh"

bin=${1:-$here/../build/ctinit}
runs=${2:-3}
[[ -x "$bin" ]] || ct_skip "no ctinit binary at $bin"
bin=$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")
LOG=/var/log/bench-boot.log
N=20
STEP=0.2
LONGEST=5

rootfs_require debian-openrc
docker_start_private

# --- the image ---------------------------------------------------------------------------------
extra=$(mktemp -d "$CTINIT_CACHE/tmp/openrc-bench.XXXXXX")
mkdir -p "$extra/etc/init.d" "$extra/etc/ctinit" "$extra/sbin"
svc() { # NAME DEPEND-BODY
  cat >"$extra/etc/init.d/bench-$1" <<EOF
#!/sbin/openrc-run
# bench/openrc-boot.sh: takes $STEP s to start
depend() { ${2:-:;} }
_log() { echo "\$(date +%s.%N) \$RC_SVCNAME \$1" >>$LOG; }
start() { _log start-begin; sleep $STEP; _log start; }
stop() { :; }
EOF
  chmod 0755 "$extra/etc/init.d/bench-$1"
}
svc a1
for i in 2 3 4 5; do svc "a$i" "need bench-a$((i - 1));"; done
svc b1
for i in 2 3; do svc "b$i" "need bench-b$((i - 1));"; done
svc c1
svc c2 "after bench-c1;"
svc d1
for i in 2 3 4; do svc "d$i" "need bench-d1;"; done
for i in 1 2 3 4 5 6; do svc "e$i"; done
[[ $(find "$extra/etc/init.d" -name 'bench-*' | wc -l) -eq $N ]] || ct_die "bench: graph is not $N services"
cp "$here/../tests/e2e/fixtures/openrc/etc/inittab" "$extra/etc/inittab"
cp "$here/../tests/e2e/fixtures/openrc/sbin/halt.sh" "$extra/sbin/halt.sh"
printf 'openrc:\n  mode: native\n' >"$extra/etc/ctinit/native.yaml"
if rootfs_merged_usr "$(rootfs_path debian-openrc)"; then
  mkdir -p "$extra/usr"
  mv "$extra/sbin" "$extra/usr/sbin"
fi
# shellcheck disable=SC2016 # runs inside the image
img=$(docker_image_ctinit debian-openrc "$bin" ctinit-test/debian-openrc-ctinit-bench "$extra" '
  for l in sysinit boot default nonetwork shutdown; do rm -f /etc/runlevels/$l/*; done
  for s in /etc/init.d/bench-*; do rc-update add "${s##*/}" default >/dev/null; done
  test "$(ls /etc/runlevels/default | wc -l)" -eq 20
  rm -f '"$LOG"'
')
rm -rf "$extra"
ct_log "bench: image $img ($("$bin" --version 2>&1 | head -n1 || true))"

# --- the runs ----------------------------------------------------------------------------------
all_started() {
  local n
  n=$(dkt 10 exec "$1" sh -c "grep -c ' start\$' $LOG 2>/dev/null || true") || n=0
  [[ "${n:-0}" =~ ^[0-9]+$ ]] && ((n >= N))
}

# one_run ARGS...: prints "TOTAL SPAN" (seconds) or "fail fail"
one_run() {
  local c t0 text
  c=$(dk create --network none --label "$CT_DOCKER_LABEL=1" "$@") || { echo "fail fail"; return; }
  t0=$(date +%s.%N)
  dk start "$c" >/dev/null
  if ! ct_wait_until 60 all_started "$c"; then
    ct_log "bench: $* did not start all $N services within 60 s"
    docker_dump "$c" 30 >&2
    dk rm -f "$c" >/dev/null 2>&1 || true
    echo "fail fail"
    return
  fi
  text=$(dkt 30 cp "$c:$LOG" - 2>/dev/null | tar -xOf -)
  dk rm -f "$c" >/dev/null 2>&1 || true
  awk -v t0="$t0" '$3 == "start-begin" && (first == "" || $1 < first) { first = $1 }
    $3 == "start" && $1 > last { last = $1 }
    END { printf "%.3f %.3f\n", last - t0, last - first }' <<<"$text"
}

stats() { # values... -> "median (min–max)"
  printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END {
    if (NR == 0 || v[1] == "fail") { print "fail"; exit }
    m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
    printf "%.2f (%.2f–%.2f)", m, v[1], v[NR] }'
}

parallel_conf=$(mktemp "$CT_DOCKER_RUN_DIR/rc.conf.XXXXXX")
{ cat "$(rootfs_path debian-openrc)/etc/rc.conf"; echo rc_parallel=YES; } >"$parallel_conf"
chmod 0644 "$parallel_conf"
names=("ctinit native mode (parallel waves)"
  "ctinit + Gentoo inittab → openrc default (serial)"
  "openrc-init → openrc default (serial)"
  "ctinit + Gentoo inittab, rc_parallel=YES")
row_args() {
  case $1 in
    0) echo "$img /sbin/ctinit --config /etc/ctinit/native.yaml" ;;
    1) echo "$img /sbin/ctinit" ;;
    2) echo "$img /sbin/openrc-init" ;;
    3) echo "-v $parallel_conf:/etc/rc.conf:ro $img /sbin/ctinit" ;;
  esac
}
results=()
for i in "${!names[@]}"; do
  read -r -a args <<<"$(row_args "$i")"
  totals=() spans=()
  for ((r = 1; r <= runs; r++)); do
    read -r total span < <(one_run "${args[@]}")
    ct_log "bench: ${names[i]} run $r: all started ${total}s after start, span ${span}s"
    totals+=("$total") spans+=("$span")
  done
  results+=("| ${names[i]} | $(stats "${totals[@]}") | $(stats "${spans[@]}") |")
done

echo
echo "OpenRC boot: $N services × ${STEP}s start, longest chain $LONGEST; $runs runs each (median (min–max));"
echo "$(dk version -f 'dockerd {{.Server.Version}}'), kernel $(uname -r), $(nproc) CPUs, $("$bin" --version 2>&1 | head -n1)"
echo
echo "| PID 1 / mode | start → all $N started (s) | first start → last started (s) |"
echo "|---|---:|---:|"
printf '%s\n' "${results[@]}"
awk -v l="$LONGEST" -v n="$N" -v s="$STEP" 'BEGIN {
  printf "| critical path (longest chain %d × %.1f s) | | %.2f |\n", l, s, l * s
  printf "| everything serial (%d × %.1f s) | | %.2f |\n", n, s, n * s }'
echo
