#!/usr/bin/env bash
# The whole test suite: unit (built with ASan/UBSan), integration (ctinit as PID 1 in
# namespaces), e2e (Docker, LXC), all run by one ctest. Installs its own dependencies. In CI
# (CI=true) a missing prerequisite fails a test instead of skipping it.
#
# The unit tests are built once, under the sanitizers (build-asan/); the release tree (build/,
# the static build/ctinit the integration and e2e tests run) registers that binary as its CTest
# "unit" test instead of compiling the tests a second time. Extra arguments go to both ctest
# runs (e.g. `-R docker`).
set -euo pipefail
cd "$(dirname "$0")/.."
if [[ ${CTINIT_SKIP_DEPS:-0} != 1 ]]; then bash scripts/install-deps.sh; fi
# Debian's real sysvinit binaries (telinit, runlevel) for the compatibility unit tests.
sv=${CTINIT_CACHE:-/var/cache/ctinit-test}/sysvinit-3.06
if [[ ! -x $sv/sbin/init ]]; then
  tmp=$(mktemp -d)
  (cd "$tmp" && { apt-get download sysvinit-core sysvinit-utils >/dev/null 2>&1 ||
    { apt-get update -qq && apt-get download sysvinit-core sysvinit-utils >/dev/null; }; })
  mkdir -p "$sv.tmp" && for d in "$tmp"/*.deb; do dpkg -x "$d" "$sv.tmp"; done
  rm -rf "$sv" && mv "$sv.tmp" "$sv" && rm -rf "$tmp"
fi
export CTINIT_SYSVINIT_ROOT=$sv
# The slow parts overlap, because most of them wait rather than compute: the root filesystems
# the e2e tests use are built (debootstrap, apt: network and disk) while the static binary
# compiles, and the unit tests (ASan) and fuzz targets compile at nice 19 while the integration
# and e2e tests (mostly waiting on containers and timeouts) run. A test that needs a root
# filesystem still being built waits on its lock (tests/lib/rootfs.sh).
mkdir -p build
logs=$PWD/build/run-all
mkdir -p "$logs"
kinds=$(grep -rhoE 'rootfs_(require|path|tarball) [a-z][a-z0-9-]+' tests/e2e tests/integration \
  tests/faults tests/corpus tests/contrib 2>/dev/null | awk '{ print $2 }' | sort -u | tr '\n' ' ')
echo "== background: root filesystems ($kinds) -> $logs/rootfs.log"
(
  # at nice 19 (OpenRC's meson build is CPU work): the tests running meanwhile come first
  renice -n 19 -p "$BASHPID" >/dev/null 2>&1 || true
  # shellcheck source=lib/rootfs.sh
  source tests/lib/rootfs.sh
  # each in a subshell: a kind that cannot be built (it exits) does not stop the others
  for k in $kinds; do (rootfs_tarball "$k" >/dev/null) || echo "rootfs: $k failed" >&2; done
) >"$logs/rootfs.log" 2>&1 &
rootfs_job=$!
echo "== build: the static binary"
cmake -S . -B build -DCTINIT_TESTS=ON -DCMAKE_BUILD_TYPE=Release \
  -DCTINIT_UNIT_TESTS_FROM="$PWD/build-asan/ctinit_unit_tests" >/dev/null
cmake --build build -j"$(nproc)" --target ctinit
echo "== background: unit tests with ASan/UBSan, fuzz targets (nice 19) -> $logs/build-tests.log"
(
  set -e
  cmake -S . -B build-asan -DCTINIT_TESTS=ON -DCMAKE_BUILD_TYPE=Debug -DCTINIT_SANITIZE=ON \
    -DCTINIT_STATIC=OFF
  nice -n 19 cmake --build build-asan -j"$(nproc)" --target ctinit_unit_tests
  # a fuzz build error is reported by the fuzz test itself, after the unit tests have run
  CTINIT_FUZZ_BUILD_ONLY=1 nice -n 19 bash tests/fuzz/run.sh || true
) >"$logs/build-tests.log" 2>&1 &
tests_build_job=$!
export ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1
status=0
echo "== integration, fault, e2e and corpus tests"
ctest --test-dir build --output-on-failure -LE '^(unit|fuzz)$' "$@" || status=1
if ! wait "$rootfs_job"; then echo "(root filesystems: see $logs/rootfs.log)"; fi
grep -h 'failed' "$logs/rootfs.log" || true
echo "== unit tests and fuzz targets"
if ! wait "$tests_build_job"; then
  tail -n 60 "$logs/build-tests.log"
  echo "build of the unit tests or fuzz targets failed (log: $logs/build-tests.log)"
  exit 1
fi
# Two at a time: the ASan unit tests and the fuzz targets each keep one core busy, and neither
# times anything against the clock.
ctest --test-dir build --output-on-failure -j2 -L '^(unit|fuzz)$' "$@" || status=1
exit "$status"
