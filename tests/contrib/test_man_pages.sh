#!/usr/bin/env bash
# The man pages docs/man/ctinit.8 and ctinit.yaml.5: they render without a single warning, they
# name what the code has, and `cmake --install` puts them where man finds them.
#
#   bash tests/contrib/test_man_pages.sh [BUILD_DIR]
#
# Checks (PASS/FAIL lines; exit 1 if any failed; a missing tool is a SKIP, a failure under CI):
#   render   `groff -ww -man -Tutf8 -z` and `man --warnings=w -l` (80 columns): no output on
#            stderr for either page
#   options  every long option of init/program/main.cc (kUsage and ParseArgs' "--name"
#            comparisons) is in ctinit.8
#   keys     every key of the documented YAML in init/runtime/config.h's header is a key
#            heading in ctinit.yaml.5
#   install  with BUILD_DIR: `cmake --install BUILD_DIR --component man` into a scratch prefix
#            gives share/man/man8/ctinit.8 and share/man/man5/ctinit.yaml.5
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=tests/lib/common.sh
source "$root/tests/lib/common.sh"
build=${1:-}
man8=${CTINIT_MAN8:-$root/docs/man/ctinit.8}
man5=${CTINIT_MAN5:-$root/docs/man/ctinit.yaml.5}
main_cc=${CTINIT_MAIN_CC:-$root/init/program/main.cc}
config_h=$root/init/runtime/config.h

ct_require_cmd groff man

check_render() {
  local page out
  for page in "$man8" "$man5"; do
    out=$(groff -ww -man -Tutf8 -z "$page" 2>&1 >/dev/null)
    if [[ -z $out ]]; then ct_pass "groff -ww $(basename "$page")"; else
      ct_fail "groff -ww $(basename "$page")" "$out"; fi
    out=$(MANWIDTH=80 man --warnings=w -l "$page" 2>&1 >/dev/null)
    if [[ -z $out ]]; then ct_pass "man -l $(basename "$page")"; else
      ct_fail "man -l $(basename "$page")" "$out"; fi
  done
}

# The long options main.cc knows: kUsage's text and ParseArgs' comparisons.
long_options() {
  { sed -n '/kUsage =/,/;$/p' "$main_cc"; grep -o 'a == "--[a-z][a-z-]*"' "$main_cc"; } |
    grep -o -- '--[a-z][a-z-]*' | sort -u
}

check_options() {
  local opt roff n=0
  while read -r opt; do
    n=$((n + 1))
    # roff writes a literal hyphen as \-; "--init" must not be found inside "--inittab".
    roff=${opt//-/\\\\-}
    if grep -qE -- "${roff}([^a-z]|\$)" "$man8"; then ct_pass "ctinit.8 documents $opt"; else
      ct_fail "ctinit.8 documents $opt"; fi
  done < <(long_options)
  ((n >= 5)) || ct_fail "found only $n long options in main.cc (the extraction broke?)"
}

# Keys of the YAML example in config.h's header comment ("//   key: value" lines of its "File"
# section).
config_keys() {
  sed -n '/^\/\/ File$/,/^\/\/ Durations:/p' "$config_h" | sed -n 's|^//[[:space:]]\{2,\}\([a-z_]\{2,\}\):.*|\1|p' |
    sort -u
}

check_keys() {
  local key n=0
  while read -r key; do
    n=$((n + 1))
    # A key heading: ".BR key " or ".B key" at the start of a line.
    if grep -Eq "^\.BR? $key( |$)" "$man5"; then ct_pass "ctinit.yaml.5 documents $key"
    else ct_fail "ctinit.yaml.5 documents $key"; fi
  done < <(config_keys)
  ((n >= 15)) || ct_fail "found only $n keys in config.h (the extraction broke?)"
}

check_install() {
  if [[ -z $build ]]; then
    ct_skip_or_fail "no build directory given: cmake --install not checked"
    return 0
  fi
  local prefix
  prefix=$(mktemp -d /tmp/ctinit-man.XXXXXX)
  cmake --install "$build" --component man --prefix "$prefix" >/dev/null || true
  # (in ct_run_check's subshell: removed here, an exit hook would not run)
  ct_check "installed share/man/man8/ctinit.8" cmp -s "$root/docs/man/ctinit.8" "$prefix/share/man/man8/ctinit.8"
  ct_check "installed share/man/man5/ctinit.yaml.5" \
    cmp -s "$root/docs/man/ctinit.yaml.5" "$prefix/share/man/man5/ctinit.yaml.5"
  rm -rf "$prefix"
}

# Without a build tree only the install check is left out (a message, or a failure under CI).
ct_skip_or_fail() {
  if [[ ${CI:-} == true ]]; then ct_fail "$1"; else echo "SKIP: $1"; fi
}

ct_run_check render check_render
ct_run_check options check_options
ct_run_check keys check_keys
ct_run_check install check_install
ct_summary
