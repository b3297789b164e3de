#!/usr/bin/env bash
# The whole test suite: unit (built with ASan/UBSan), integration (ctinit as PID 1 in
# namespaces), e2e (Docker, LXC), all run by one ctest. Installs its own dependencies. In CI
# (CI=true) a missing prerequisite fails a test instead of skipping it.
#
# The unit tests are built once, under the sanitizers (build-asan/); the release tree (build/,
# the static build/ctinit the integration and e2e tests run) registers that binary as its CTest
# "unit" test instead of compiling the tests a second time.
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
echo "== build: unit tests with ASan/UBSan"
cmake -S . -B build-asan -DCTINIT_TESTS=ON -DCMAKE_BUILD_TYPE=Debug -DCTINIT_SANITIZE=ON -DCTINIT_STATIC=OFF >/dev/null
cmake --build build-asan -j"$(nproc)" --target ctinit_unit_tests
echo "== build: the static binary"
cmake -S . -B build -DCTINIT_TESTS=ON -DCMAKE_BUILD_TYPE=Release \
  -DCTINIT_UNIT_TESTS_FROM="$PWD/build-asan/ctinit_unit_tests" >/dev/null
cmake --build build -j"$(nproc)" --target ctinit
echo "== unit, integration and e2e tests"
export ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1
ctest --test-dir build --output-on-failure "$@"
