# shellcheck shell=bash
# tests/lib/common.sh — shared helpers for the shell test suites (sourced, never executed).
#
#   ct_log MSG...            progress line on stderr, prefixed with the elapsed time
#   ct_die MSG...            error on stderr, exit 1
#   ct_skip MSG...           exit 77 (CTest SKIP_RETURN_CODE); under CI=true a missing
#                            prerequisite is a failure instead (exit 1)
#   ct_require_root          skip unless uid 0
#   ct_require_cmd CMD...    skip unless every CMD is on PATH
#   ct_on_exit CMD           register cleanup code; run in reverse order on EXIT/INT/TERM
#   ct_pass/ct_fail NAME [DETAIL]   record one check result (prints "PASS: NAME" / "FAIL: NAME");
#                            results go to a file, so checks may run in subshells
#   ct_run_check NAME FUNC [ARGS]   run FUNC in a subshell with errexit in force; FUNC records
#                            its verdicts and returns 0; any other exit is "FAIL: NAME (aborted …)"
#   ct_summary               print "N passed, N failed" and return non-zero if any failed
#   ct_wait_until SECS CMD...  poll CMD every 0.2 s until it succeeds or SECS elapse
#   ct_now                   wall clock as seconds with nanoseconds (for timings)
#   ct_elapsed T0 T1 / ct_lt A B   arithmetic on such decimals

[[ -n "${CT_COMMON_SH_LOADED:-}" ]] && return 0
CT_COMMON_SH_LOADED=1

# shellcheck disable=SC2034 # for the sourcing scripts
CT_LIB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
CT_START_TIME=$(date +%s.%N)
CT_EXIT_HOOKS=()
CT_RESULTS=""

ct_now() { date +%s.%N; }

# ct_lt A B: true if the decimal number A < B.
ct_lt() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a < b) }'; }

# Elapsed seconds between two ct_now values, 3 decimals.
ct_elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", b - a }'; }

ct_log() {
  local t
  t=$(ct_elapsed "$CT_START_TIME" "$(ct_now)")
  printf '[%8ss] %s\n' "$t" "$*" >&2
}

ct_die() {
  printf 'ERROR: %s\n' "$*" >&2
  exit 1
}

ct_skip() {
  if [[ "${CI:-}" == "true" ]]; then
    printf 'FAIL: prerequisite missing under CI=true (would skip otherwise): %s\n' "$*" >&2
    exit 1
  fi
  printf 'SKIP: %s\n' "$*" >&2
  exit 77
}

ct_require_root() {
  [[ $(id -u) -eq 0 ]] || ct_skip "needs root (uid 0); running as uid $(id -u)"
}

ct_require_cmd() {
  local c
  for c in "$@"; do
    command -v "$c" >/dev/null 2>&1 || ct_skip "required command not found: $c"
  done
}

_ct_run_exit_hooks() {
  local rc=$? i
  trap - EXIT INT TERM
  set +e
  for ((i = ${#CT_EXIT_HOOKS[@]} - 1; i >= 0; i--)); do
    eval "${CT_EXIT_HOOKS[i]}"
  done
  exit "$rc"
}

ct_on_exit() {
  CT_EXIT_HOOKS+=("$1")
  if [[ ${#CT_EXIT_HOOKS[@]} -eq 1 ]]; then
    trap _ct_run_exit_hooks EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM
  fi
}

_ct_results_file() {
  if [[ -z "$CT_RESULTS" ]]; then
    CT_RESULTS=$(mktemp /tmp/ctinit-results.XXXXXX)
    # shellcheck disable=SC2016 # expanded when the hook runs
    ct_on_exit 'rm -f "$CT_RESULTS"'
  fi
}

ct_pass() {
  [[ -n "$CT_RESULTS" ]] || _ct_results_file
  printf 'PASS\t%s\n' "$1" >>"$CT_RESULTS"
  printf 'PASS: %s%s\n' "$1" "${2:+ — $2}"
}

ct_fail() {
  [[ -n "$CT_RESULTS" ]] || _ct_results_file
  printf 'FAIL\t%s\n' "$1" >>"$CT_RESULTS"
  printf 'FAIL: %s%s\n' "$1" "${2:+ — $2}"
}

# ct_check NAME CMD... : PASS if CMD succeeds, FAIL otherwise (returns 0 either way).
ct_check() {
  local name=$1
  shift
  if "$@"; then ct_pass "$name"; else ct_fail "$name"; fi
}

ct_run_check() {
  local name=$1 rc t0
  shift
  _ct_results_file
  t0=$(ct_now)
  echo "=== $name"
  set +e
  (
    set -euo pipefail
    "$@"
  )
  rc=$?
  set -e
  # Check functions record their verdicts with ct_pass/ct_fail and return 0: anything else is an
  # unexpected error (a command failed under errexit, a bounded wait gave up with ct_die, …).
  if ((rc != 0)); then ct_fail "$name (aborted: exit $rc)"; fi
  echo "    ($name: $(ct_elapsed "$t0" "$(ct_now)") s)"
  return 0
}

ct_summary() {
  local passed=0 failed=0
  _ct_results_file
  passed=$(grep -c '^PASS' "$CT_RESULTS" || true)
  failed=$(grep -c '^FAIL' "$CT_RESULTS" || true)
  echo
  if ((failed > 0)); then
    echo "failed checks:"
    grep '^FAIL' "$CT_RESULTS" | cut -f2- | sed 's/^/  - /'
  fi
  printf '%d passed, %d failed\n' "$passed" "$failed"
  ((failed == 0))
}

# ct_wait_until SECS CMD...: run CMD every $CT_POLL seconds (default 0.2) until it succeeds.
ct_wait_until() {
  local secs=$1
  shift
  local deadline
  deadline=$(awk -v n="$(ct_now)" -v s="$secs" 'BEGIN { printf "%.3f", n + s }')
  while :; do
    if "$@"; then return 0; fi
    if awk -v n="$(ct_now)" -v d="$deadline" 'BEGIN { exit !(n >= d) }'; then return 1; fi
    sleep "${CT_POLL:-0.2}"
  done
}

# Resolve the ctinit binary given as $1 (CTest passes it) or $CTINIT_BIN; skip if absent.
ct_ctinit_bin() {
  local b=${1:-${CTINIT_BIN:-}}
  [[ -n "$b" ]] || ct_die "usage: $0 /path/to/ctinit"
  [[ -x "$b" ]] || ct_skip "ctinit binary not found or not executable: $b"
  (cd "$(dirname "$b")" && printf '%s/%s\n' "$(pwd)" "$(basename "$b")")
}

# Debian's rc scripts that make no sense (or are dangerous) in a container become no-ops by an
# `exit 0` right after their LSB header, so insserv's dependency graph stays as it was:
# checkroot.sh, umountfs, hwclock.sh as lxc-debian does; umountroot (remount,ro of "/").
# ct_disable_container_rc_scripts ROOTFS WHO (WHO names the caller in the inserted comment).
ct_disable_container_rc_scripts() {
  local root=$1 who=$2 s f
  for s in checkroot.sh umountfs umountroot hwclock.sh; do
    f=$root/etc/init.d/$s
    [[ -f "$f" ]] || continue
    sed -i "/^### END INIT INFO/a exit 0 # disabled for $who" "$f"
  done
}
