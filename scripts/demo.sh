#!/usr/bin/env bash
# The demo: installs the build dependencies, builds build/ctinit, then runs a stock Debian 12
# image with sysvinit-core (its own inittab and rc scripts, unmodified) under a private Docker
# daemon with ctinit as PID 1, stops it with `docker stop`, and prints how long that took and the
# exit code — next to the same image with sysvinit as PID 1 (the 10 s / 137 it replaces).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh --demo
# Only the binary the demo runs: no unit tests, no fuzzers.
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DCTINIT_TESTS=OFF >/dev/null
cmake --build build -j"$(nproc)" --target ctinit
source tests/lib/docker.sh
docker_start_private
img=$(docker_image_ctinit debian-sysvinit "$PWD/build/ctinit")
base=$(docker_import_rootfs debian-sysvinit)

run_and_stop() {
  local label=$1 image=$2 c t0 t1
  shift 2
  c=$(docker_run_d "$image" "$@")
  ct_wait_until 30 docker_log_has "$c" "${READY_PATTERN:-.}" || true
  sleep 1
  t0=$(ct_now)
  dkt 60 stop "$c" >/dev/null
  t1=$(ct_now)
  printf '%-28s docker stop took %6s s, exit code %s\n' "$label" "$(ct_elapsed "$t0" "$t1")" \
    "$(docker_exit_code "$c")"
  if [[ $label == ctinit* ]]; then
    echo "---- docker logs ($label) ----"
    docker_logs "$c" | tail -n 25
    echo "-----------------------------"
  fi
  dk rm -f "$c" >/dev/null
}

echo
READY_PATTERN="Entering runlevel" run_and_stop "ctinit (Debian sysvinit image)" "$img" /sbin/ctinit
run_and_stop "sysvinit /sbin/init" "$base" /sbin/init
