#!/usr/bin/env bash
# Builds the libFuzzer targets (build-fuzz/, clang) and runs each for SECONDS seconds (default 20)
# from its seed corpus in tests/fuzz/corpus/<target>/ (CTINIT_FUZZ_BUILD_ONLY=1: build only,
# which tests/run-all.sh does early, in the background). Exits non-zero if a target crashes, leaks,
# hits undefined behaviour, times out or runs out of memory; prints execs per target.
#
#   bash tests/fuzz/run.sh                  # every target, 20 s each (CTest's `fuzz` test)
#   SECONDS=600 bash tests/fuzz/run.sh unit_file config   # some targets, longer
#
# New inputs found go to build-fuzz/corpus/<target>/ (the repo's seeds are only read). Without
# clang++-14 this is a skip (exit 77), except in CI (CI=true), where it is a failure.
set -euo pipefail
cd "$(dirname "$0")/../.."
# bash's own $SECONDS counts up from the shell's start: only a value from the environment
# (`SECONDS=600 bash tests/fuzz/run.sh`) is a setting; FUZZ_SECONDS says the same.
seconds=${FUZZ_SECONDS:-$(printenv SECONDS || echo 20)}
cxx=${CTINIT_FUZZ_CXX:-clang++-14}
if ! command -v "$cxx" >/dev/null || ! echo 'extern "C" int LLVMFuzzerTestOneInput(const char*, unsigned long) { return 0; }' |
  "$cxx" -x c++ -fsanitize=fuzzer - -o /dev/null 2>/dev/null; then
  if [[ ${CI:-} == true ]]; then
    echo "fuzz: $cxx with libFuzzer is missing (scripts/install-deps.sh installs clang-14)" >&2
    exit 1
  fi
  echo "fuzz: skipped, $cxx with libFuzzer (Debian: clang-14) is not installed"
  exit 77
fi

build=${CTINIT_FUZZ_BUILD:-build-fuzz}
# -O1 and line tables only: quick to build, fast enough to run, stacks still name file:line;
# no NDEBUG, so the code's own assertions stay armed.
cmake -S . -B "$build" -DCMAKE_CXX_COMPILER="$cxx" -DCTINIT_FUZZ=ON -DCTINIT_TESTS=OFF \
  -DCTINIT_STATIC=OFF -DCTINIT_PCH=OFF -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -gline-tables-only" >/dev/null
cmake --build "$build" -j"$(nproc)" --target fuzzers >/dev/null
if [[ ${CTINIT_FUZZ_BUILD_ONLY:-0} == 1 ]]; then exit 0; fi

targets=("$@")
if ((${#targets[@]} == 0)); then
  for f in tests/fuzz/fuzz_*.cc; do targets+=("$(basename "$f" .cc | sed 's/^fuzz_//')"); done
fi
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
failed=()
for t in "${targets[@]}"; do
  seeds=tests/fuzz/corpus/$t
  work=$build/corpus/$t
  mkdir -p "$work" "$build/crashes"
  dict=()  # tests/fuzz/<target>.dict, else the family's (unit_file -> unit.dict)
  for d in "tests/fuzz/$t.dict" "tests/fuzz/${t%%_*}.dict"; do
    if [[ -f $d ]]; then dict=(-dict="$d") && break; fi
  done
  log=$build/fuzz_$t.log
  # -timeout: one input taking a second is a hang for a parser; -rss_limit_mb: an OOM.
  if "$build/fuzz_$t" "$work" "$seeds" "${dict[@]}" -max_total_time="$seconds" -timeout=5 \
    -rss_limit_mb=2048 -max_len=65536 -print_final_stats=1 \
    -artifact_prefix="$build/crashes/${t}-" >"$log" 2>&1; then
    status=ok
  else
    status=FAILED
    failed+=("$t")
  fi
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
  printf 'fuzz %-16s %-6s %10s execs %8s/s\n' "$t" "$status" "${execs:-?}" "${rate:-?}"
  if [[ $status != ok ]]; then
    grep -E 'ERROR|runtime error|SUMMARY|Test unit written' "$log" | head -20 >&2 || true
  fi
done
if ((${#failed[@]})); then
  echo "fuzz: failed: ${failed[*]} (inputs in $build/crashes/, logs in $build/fuzz_<target>.log)" >&2
  exit 1
fi
