#!/usr/bin/env bash
# contrib/gentoo checked as far as a Debian machine allows (no portage, no stage3 download; what
# is not checked is listed in contrib/gentoo/README.md).
#
#   bash tests/contrib/test_gentoo_contrib.sh               # the checks, then the self-test
#   CTINIT_CONTRIB_ONLY=1 bash tests/contrib/test_gentoo_contrib.sh   # the checks only
#
# Checks (PASS/FAIL lines; exit 1 if any failed; a missing tool is a SKIP, a failure under CI):
#   syntax    `bash -n` on every ebuild; the live ebuild is the release one (one body)
#   vars      EAPI 8, inherit cmake (+ git-r3 when live), SLOT, KEYWORDS, IUSE, RESTRICT, deps
#   phases    src_prepare..pkg_postinst against tests/contrib/ebuild_standin.sh with USE
#             "static test" and "": every -D option exists in CMakeLists.txt, the USE flags map
#             to CTINIT_STATIC/CTINIT_TESTS, src_prepare's edits apply to CMakeLists.txt,
#             src_test runs the "unit" label only; USE=static without libyaml-cpp.a dies
#   metadata  metadata.xml valid (xmllint, tests/contrib/gentoo-metadata.dtd), every local USE
#             flag described
#   compose   `docker-compose config` accepts compose.yaml; stop_signal halts ctinit,
#             stop_grace_period exceeds the shutdown budget
#   incus     incus-profile.yaml: the keys incus reads, string config values, lxc.init.cmd
#   docker    Dockerfile: COPY sources exist, ENTRYPOINT /sbin/ctinit, STOPSIGNAL halts ctinit
#   replay    the builder stage's COPY lines and cmake configure step, replayed here (needs
#             cmake and the build dependencies; the compile itself is left out)
#   inittab   the final stage's sed of /etc/inittab on Gentoo's stock inittab: the agetty
#             entries, and nothing else, commented out
# Self-test: each check is run again on a copy of contrib/gentoo (or CMakeLists.txt) broken on
# purpose and must fail there. CTINIT_GENTOO_DIR / CTINIT_CMAKELISTS point the checks elsewhere.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
# shellcheck source=tests/lib/common.sh
source "$root/tests/lib/common.sh"
gentoo=${CTINIT_GENTOO_DIR:-$root/contrib/gentoo}
cmakelists=${CTINIT_CMAKELISTS:-$root/CMakeLists.txt}
pkgdir=$gentoo/sys-apps/ctinit
# ctinit's default map halts on these (init/runtime/config.h, "Default signal map").
halt_signals="SIGTERM SIGPWR SIGRTMIN+3"
# Every scratch file lives here: the checks run in subshells (ct_run_check), where an exit hook
# of their own would never run.
scratch=$(mktemp -d /tmp/ctinit-contrib.XXXXXX)
ct_on_exit "rm -rf '$scratch'"

ct_require_cmd xmllint
py=""
for p in /usr/bin/python3 python3; do
  if command -v "$p" >/dev/null && "$p" -c 'import yaml' 2>/dev/null; then py=$p && break; fi
done
[[ -n $py ]] || ct_skip "no python3 with the yaml module (python3-yaml)"

check_syntax() {
  local e
  for e in "$pkgdir"/*.ebuild; do
    if bash -n "$e"; then ct_pass "bash -n $(basename "$e")"; else ct_fail "bash -n $(basename "$e")"; fi
  done
  ct_check "live ebuild = release ebuild" cmp -s "$pkgdir/ctinit-0.1.0.ebuild" "$pkgdir/ctinit-9999.ebuild"
}

# Prints VAR=value lines of the ebuild's global scope.
ebuild_vars() {
  (
    set -f  # the values are printed unquoted below: no globbing of "test? ( … )"
    # shellcheck source=tests/contrib/ebuild_standin.sh
    source "$here/ebuild_standin.sh"
    standin_load "$1" "" /dev/null
    for v in EAPI SLOT KEYWORDS IUSE RESTRICT LICENSE SRC_URI EGIT_REPO_URI DEPEND RDEPEND; do
      # shellcheck disable=SC2116,SC2086 # echo of the unquoted value folds whitespace
      printf '%s=%s\n' "$v" "$(echo ${!v:-})"
    done
  )
}

check_vars() {
  local e=$1 vars inherits log
  vars=$(ebuild_vars "$e")
  # shellcheck source=tests/contrib/ebuild_standin.sh
  log=$(mktemp -p "$scratch") && (source "$here/ebuild_standin.sh" && standin_load "$e" "" "$log")
  inherits=$(grep '^inherit ' "$log" | cut -d' ' -f2- | tr '\n' ' ') && rm -f "$log"
  # shellcheck disable=SC2317 # called through ct_check
  has() { grep -qxF -- "$1" <<<"$vars"; }
  # shellcheck disable=SC2317
  contains() { grep -q -- "^$1=.*$2" <<<"$vars"; }
  local n
  n=$(basename "$e")
  ct_check "$n: EAPI=8" has "EAPI=8"
  ct_check "$n: inherit cmake" grep -qw cmake <<<"$inherits"
  ct_check "$n: SLOT=0" has "SLOT=0"
  ct_check "$n: IUSE=static test" has "IUSE=static test"
  ct_check "$n: RESTRICT has !test? ( test )" contains RESTRICT '!test? ( test )'
  ct_check "$n: LICENSE set" grep -q '^LICENSE=.' <<<"$vars"
  # What pkgcheck would say first: the tree's header, tabs for indentation, a short DESCRIPTION.
  ct_check "$n: Gentoo's header" grep -qx '# Copyright [0-9-]* Gentoo Authors' "$e"
  ct_check "$n: indented with tabs" bash -c "! grep -qn '^ ' '$e'"
  ct_check "$n: no trailing whitespace" bash -c "! grep -qn '[[:space:]]\$' '$e'"
  ct_check "$n: DESCRIPTION under 80 characters" \
    bash -c "(( \$(sed -n 's/^DESCRIPTION=\"\(.*\)\"$/\1/p' '$e' | wc -c) <= 80 ))"
  local d
  for d in dev-libs/boost dev-cpp/yaml-cpp dev-libs/spdlog dev-libs/libfmt 'test? ( dev-cpp/gtest )'; do
    ct_check "$n: DEPEND has $d" contains DEPEND "$d"
  done
  if [[ $n == *-9999.ebuild ]]; then
    ct_check "$n: inherit git-r3" grep -qw git-r3 <<<"$inherits"
    ct_check "$n: no KEYWORDS, EGIT_REPO_URI set" has "KEYWORDS="
    ct_check "$n: EGIT_REPO_URI set" grep -q '^EGIT_REPO_URI=.' <<<"$vars"
  else
    ct_check "$n: KEYWORDS=~amd64 ~arm64" has "KEYWORDS=~amd64 ~arm64"
    ct_check "$n: SRC_URI set" grep -q '^SRC_URI=.' <<<"$vars"
  fi
}

# Runs the phases with USE=$2 in a scratch source tree (CMakeLists.txt copied, the rest linked);
# sets $log, $src. $3: a sysroot directory or "" for none.
run_phases() {
  local e=$1 use=$2 sysroot=$3 f
  src=$(mktemp -d -p "$scratch") log=$src.log
  cp "$cmakelists" "$src/CMakeLists.txt"
  for f in "$root"/*; do [[ $(basename "$f") == CMakeLists.txt ]] || ln -s "$f" "$src/"; done
  : >"$log"
  # shellcheck source=tests/contrib/ebuild_standin.sh disable=SC2034 # ESYSROOT: the ebuild's
  (cd "$src" && source "$here/ebuild_standin.sh" && ESYSROOT=$sysroot &&
    standin_load "$e" "$use" "$log" &&
    standin_run_phases src_prepare src_configure src_test src_install pkg_postinst) || true
}

# Each -DNAME=VALUE must be an option() or cache variable of CMakeLists.txt.
check_cmake_args() {
  local what=$1 arg name
  local -a args
  mapfile -t args < <(sed -n 's/^cmake_arg //p' "$log")
  ((${#args[@]} > 0)) || { ct_fail "$what: no CMake options passed"; return 0; }
  for arg in "${args[@]}"; do
    name=${arg#-D} name=${name%%=*} name=${name%%:*}
    if grep -Eq "^[[:space:]]*(option\(${name}[[:space:]]|set\(${name}[[:space:]].*CACHE)" "$cmakelists"; then
      ct_pass "$what: $arg is an option of CMakeLists.txt"
    else
      ct_fail "$what: $arg is not an option of CMakeLists.txt"
    fi
  done
}

check_phases_full() {
  local e=$1 sysroot
  sysroot=$(mktemp -d -p "$scratch")
  mkdir -p "$sysroot/usr/lib64" && : >"$sysroot/usr/lib64/libyaml-cpp.a"
  run_phases "$e" "static test" "$sysroot"
  local n
  n="$(basename "$e") USE='static test'"
  ct_check "$n: all phases ran" grep -qx "phase pkg_postinst ok" "$log"
  check_cmake_args "$n"
  ct_check "$n: -DCTINIT_STATIC=yes" grep -qx "cmake_arg -DCTINIT_STATIC=yes" "$log"
  ct_check "$n: -DCTINIT_TESTS=yes" grep -qx "cmake_arg -DCTINIT_TESTS=yes" "$log"
  ct_check "$n: src_prepare dropped -Werror" bash -c "! grep -q -- -Werror '$src/CMakeLists.txt'"
  ct_check "$n: src_prepare dropped -s, kept -static" bash -c \
    "! grep -q -- '-static -s ' '$src/CMakeLists.txt' && grep -q -- '-static' '$src/CMakeLists.txt'"
  ct_check "$n: src_test runs the unit label only" grep -qxF "cmake_src_test -L ^unit\$" "$log"
  ct_check "$n: CMakeLists.txt labels tests 'unit'" grep -q 'LABELS unit' "$cmakelists"
  ct_check "$n: cmake_src_install" grep -qx "cmake_src_install" "$log"
  ct_check "$n: the example config installed" grep -qx "dodoc examples/contrib/ctinit.yaml" "$log"
  local says
  for says in /sbin/ctinit ENTRYPOINT lxc.init.cmd init=/sbin/ctinit OpenRC; do
    ct_check "$n: pkg_postinst mentions $says" grep -q "^elog .*$says" "$log"
  done
}

check_phases_plain() {
  local e=$1 n
  n="$(basename "$e") USE=''"
  run_phases "$e" "" ""
  ct_check "$n: all phases ran" grep -qx "phase pkg_postinst ok" "$log"
  check_cmake_args "$n"
  ct_check "$n: -DCTINIT_STATIC=no" grep -qx "cmake_arg -DCTINIT_STATIC=no" "$log"
  ct_check "$n: -DCTINIT_TESTS=no" grep -qx "cmake_arg -DCTINIT_TESTS=no" "$log"
  n="$(basename "$e") USE='static', no libyaml-cpp.a"
  run_phases "$e" "static" ""
  ct_check "$n: src_configure dies" grep -q "^die .*libyaml-cpp.a" "$log"
  ct_check "$n: and says why" grep -q "^eerror .*libyaml-cpp.a" "$log"
}

check_metadata() {
  local xml=$pkgdir/metadata.xml catalog flag
  catalog=$(mktemp -p "$scratch")
  # The DOCTYPE's address, answered from the local DTD (no network).
  cat >"$catalog" <<XML
<?xml version="1.0"?>
<catalog xmlns="urn:oasis:names:tc:entity:xmlns:xml:catalog">
  <system systemId="https://www.gentoo.org/dtd/metadata.dtd" uri="file://$here/gentoo-metadata.dtd"/>
</catalog>
XML
  ct_check "metadata.xml valid against the metadata DTD" \
    env XML_CATALOG_FILES="$catalog" xmllint --noout --nonet --valid "$xml"
  # Global flags (test) are described by Gentoo's use.desc; every other one of IUSE here.
  local iuse
  iuse=$(ebuild_vars "$pkgdir/ctinit-0.1.0.ebuild" | sed -n 's/^IUSE=//p')
  for flag in $iuse; do
    [[ $flag == test ]] && continue
    ct_check "metadata.xml describes USE=$flag" \
      test -n "$(xmllint --xpath "normalize-space(//use/flag[@name='$flag'])" "$xml")"
  done
  ct_check "metadata.xml has a maintainer email" \
    test -n "$(xmllint --xpath "string(//pkgmetadata/maintainer/email)" "$xml")"
  ct_check "metadata.xml has an upstream remote-id" \
    test -n "$(xmllint --xpath "string(//upstream/remote-id)" "$xml")"
}

# The budget of contrib/ctinit.yaml (the defaults file; commented out there, as the default depends
# on the runtime: its Docker value), in seconds.
default_budget() { sed -n 's/^  \(# \)\{0,1\}budget: \([0-9.]*\)s.*/\2/p' "$root/contrib/ctinit.yaml"; }

check_compose() {
  local f=$gentoo/compose.yaml
  if command -v docker-compose >/dev/null; then
    ct_check "docker-compose config accepts compose.yaml" \
      bash -c "docker-compose -f '$f' config >/dev/null"
  elif [[ ${CI:-} == true ]]; then
    ct_fail "docker-compose missing (scripts/install-deps.sh installs it)"
  else
    echo "SKIP: docker-compose config (not installed); the YAML checks below still run"
  fi
  ct_check "compose.yaml: stop_signal, stop_grace_period, build of ./Dockerfile" \
    "$py" - "$f" "$halt_signals" "$(default_budget)" "$root" <<'PY'
import os, re, sys, yaml
f, halts, budget, root = sys.argv[1], sys.argv[2].split(), float(sys.argv[3]), sys.argv[4]
svc = yaml.safe_load(open(f))["services"]["gentoo"]
assert svc["stop_signal"] in halts, f"stop_signal {svc['stop_signal']} does not halt ctinit"
m = re.fullmatch(r"(\d+)s", str(svc["stop_grace_period"]))
assert m and float(m[1]) > budget, f"stop_grace_period must exceed the {budget} s budget"
ctx = os.path.normpath(os.path.join(os.path.dirname(f), svc["build"]["context"]))
assert os.path.isfile(os.path.join(ctx, svc["build"]["dockerfile"])), "no such Dockerfile"
assert os.path.isfile(os.path.join(ctx, "CMakeLists.txt")), "build context is not the repo root"
PY
}

check_incus() {
  ct_check "incus-profile.yaml: the keys incus reads, lxc.init.cmd = /sbin/ctinit" \
    "$py" - "$gentoo/incus-profile.yaml" <<'PY'
import sys, yaml
p = yaml.safe_load(open(sys.argv[1]))
assert set(p) <= {"name", "description", "config", "devices"}, f"unknown keys {set(p)}"
assert isinstance(p["config"], dict) and isinstance(p.get("devices", {}), dict)
for k, v in p["config"].items():  # incus refuses non-string config values
    assert isinstance(v, str), f"config {k}: {v!r} is not a string"
lxc = [l.strip() for l in p["config"]["raw.lxc"].splitlines() if l.strip()]
assert "lxc.init.cmd = /sbin/ctinit" in lxc, "raw.lxc does not set lxc.init.cmd"
# incus refuses raw.lxc lines that are not "key = value" and a few keys it manages itself.
refused = {"lxc.logfile", "lxc.log.file", "lxc.syslog", "lxc.log.syslog", "lxc.ephemeral"}
for line in (l for l in lxc if not l.startswith("#")):
    key, eq, _ = line.partition("=")
    key = key.strip().lower()
    assert eq and key not in refused and not key.startswith("lxc.prlimit."), f"raw.lxc: {line}"
for k in ("security.privileged", "security.nesting"):
    assert p["config"].get(k, "false") == "false", f"{k} is not needed"
PY
}

check_dockerfile() {
  ct_check "Dockerfile: COPY sources, stages, ENTRYPOINT, STOPSIGNAL, the stage3" \
    "$py" - "$gentoo/Dockerfile" "$root" "$halt_signals" <<'PY'
import json, os, re, sys
path, root, halts = sys.argv[1], sys.argv[2], sys.argv[3].split()
text = re.sub(r"\\\n", " ", open(path).read())
ins = [l.strip().split(None, 1) for l in text.splitlines() if l.strip() and not l.lstrip().startswith("#")]
args = {k: v for op, rest in ins if op == "ARG" and "=" in rest for k, v in [rest.split("=", 1)]}
stages = [m[1] for op, rest in ins if op == "FROM" for m in [re.search(r"\sAS\s+(\S+)", rest, re.I)] if m]
froms = [rest.split()[0] for op, rest in ins if op == "FROM"]
errors = []
for op, rest in ins:
    if op not in ("COPY", "ADD"):
        continue
    words = rest.split()
    flags = [w for w in words if w.startswith("--")]
    srcs = [w for w in words if not w.startswith("--")][:-1]
    src_stage = [f.split("=", 1)[1] for f in flags if f.startswith("--from=")]
    if src_stage:
        if src_stage[0] not in stages:
            errors.append(f"COPY --from={src_stage[0]}: no such stage")
        continue
    errors += [f"COPY {s}: not in the repository" for s in srcs if not os.path.exists(os.path.join(root, s))]
entry = [rest for op, rest in ins if op == "ENTRYPOINT"]
if not entry or json.loads(entry[-1])[0] != "/sbin/ctinit":
    errors.append("ENTRYPOINT is not [\"/sbin/ctinit\", ...]")
stop = [rest for op, rest in ins if op == "STOPSIGNAL"]
if not stop or stop[-1] not in halts:
    errors.append(f"STOPSIGNAL {stop} is not one ctinit halts on ({halts})")
final = froms[-1].strip("${}")
if not args.get(final, "").startswith("gentoo/stage3"):
    errors.append(f"the final stage {froms[-1]} is not a gentoo/stage3 (ARG STAGE3)")
if not any(op == "COPY" and rest.split()[-1] == "/sbin/ctinit" for op, rest in ins):
    errors.append("nothing is copied to /sbin/ctinit")
if not any(op == "RUN" and "--target ctinit" in rest for op, rest in ins):
    errors.append("no RUN builds the ctinit target")
for e in errors:
    print("  " + e)
sys.exit(1 if errors else 0)
PY
}

# The builder stage's COPY lines and its `cmake -S … -B …` configure command, replayed on this
# machine: its sources are enough to configure the static build (the compile is left out).
check_dockerfile_replay() {
  local tmp steps
  tmp=$(mktemp -d -p "$scratch")
  steps=$("$py" - "$gentoo/Dockerfile" <<'PY'
import re, sys
text = re.sub(r"\\\n", " ", open(sys.argv[1]).read())
inside = False
for line in text.splitlines():
    op, _, rest = line.strip().partition(" ")
    if op == "FROM" and re.search(r"\sAS\s+build\b", rest, re.I):
        inside = True
    elif op == "FROM":
        inside = False
    elif op == "COPY" and inside and "--from" not in rest:
        print("COPY", rest)
    elif op == "RUN" and inside and "cmake -S" in rest:
        print("CMAKE", " ".join(re.search(r"cmake -S .*?(?=&&|$)", rest)[0].split()))
PY
)
  local op a b words
  while read -r op a; do
    if [[ $op == COPY ]]; then
      read -ra words <<<"$a"
      b=$tmp${words[-1]}
      unset 'words[-1]'
      for a in "${words[@]}"; do  # Docker's rules: a directory's contents, a file into DIR/
        if [[ -d $root/$a ]]; then mkdir -p "$b" && cp -r "$root/$a/." "$b/"
        elif [[ $b == */ ]]; then mkdir -p "$b" && cp "$root/$a" "$b"
        else mkdir -p "$(dirname "$b")" && cp "$root/$a" "$b"; fi
      done
    fi
  done <<<"$steps"
  local cmd
  cmd=$(sed -n 's/^CMAKE //p' <<<"$steps")
  [[ -n $cmd ]] || { ct_fail "Dockerfile builder: no cmake configure step found"; return 0; }
  cmd=${cmd//\/src/$tmp/src} cmd=${cmd//\/build/$tmp/build}
  ct_check "Dockerfile builder: its sources configure ($cmd)" bash -c "$cmd >'$tmp/log' 2>&1 || { tail -5 '$tmp/log'; false; }"
}

# The final stage's edits of /etc/inittab, replayed on Gentoo's stock inittab (the e2e fixture,
# gentoo/gentoo sys-apps/sysvinit/files/inittab-2.98-r1): the agetty entries, and only they,
# are commented out.
check_dockerfile_inittab() {
  local fixture=$root/tests/e2e/fixtures/openrc/etc/inittab tmp seds
  tmp=$(mktemp -d -p "$scratch")
  cp "$fixture" "$tmp/inittab"
  seds=$(grep -E '^RUN sed -i .* /etc/inittab$' "$gentoo/Dockerfile" | sed 's/^RUN //')
  [[ -n $seds ]] || { ct_fail "Dockerfile: no sed of /etc/inittab found"; return 0; }
  (cd "$tmp" && eval "${seds//\/etc\/inittab/inittab}")
  ct_check "inittab edit: no agetty entry left" bash -c "! grep -q '^[^#].*agetty' '$tmp/inittab'"
  ct_check "inittab edit: the six tty gettys commented" \
    test "$(diff "$fixture" "$tmp/inittab" | grep -c '^> #c[1-6]:.*agetty')" -eq 6
  ct_check "inittab edit: nothing else changed" \
    test "$(diff "$fixture" "$tmp/inittab" | grep -c '^[<>]')" -eq 12
}

# The checks named in $CTINIT_CONTRIB_CHECKS (default: all).
selected() {
  local all="syntax vars phases metadata compose incus docker replay inittab"
  [[ " ${CTINIT_CONTRIB_CHECKS:-$all} " == *" $1 "* ]]
}

run_checks() {
  if selected syntax; then ct_run_check syntax check_syntax; fi
  local e
  for e in "$pkgdir"/*.ebuild; do
    if selected vars; then ct_run_check "vars $(basename "$e")" check_vars "$e"; fi
    if selected phases; then
      ct_run_check "phases $(basename "$e") USE='static test'" check_phases_full "$e"
      ct_run_check "phases $(basename "$e") USE=''" check_phases_plain "$e"
    fi
  done
  if selected metadata; then ct_run_check metadata check_metadata; fi
  if selected compose; then ct_run_check compose check_compose; fi
  if selected incus; then ct_run_check incus check_incus; fi
  if selected docker; then ct_run_check docker check_dockerfile; fi
  if selected replay; then ct_run_check replay check_dockerfile_replay; fi
  if selected inittab; then ct_run_check inittab check_dockerfile_inittab; fi
}

# mutate NAME CHECK FILE SED-EXPR: CHECK on a copy with FILE (relative to contrib/gentoo, or
# CMakeLists.txt) edited must fail.
mutate() {
  local name=$1 check=$2 file=$3 expr=$4 tmp
  tmp=$(mktemp -d -p "$scratch")
  cp -r "$gentoo" "$tmp/gentoo" && cp "$cmakelists" "$tmp/CMakeLists.txt"
  local target=$tmp/gentoo/$file
  [[ $file == CMakeLists.txt ]] && target=$tmp/CMakeLists.txt
  if [[ $file == *.ebuild ]]; then  # both ebuilds, or the "same file" check fails instead
    sed -i "$expr" "$tmp"/gentoo/sys-apps/ctinit/*.ebuild
  else
    sed -i "$expr" "$target"
  fi
  if cmp -s "$target" "$gentoo/$file" || { [[ $file == CMakeLists.txt ]] && cmp -s "$target" "$cmakelists"; }; then
    ct_fail "self-test $name: the edit changed nothing"
    return 0
  fi
  if CTINIT_CONTRIB_ONLY=1 CTINIT_CONTRIB_CHECKS=$check CTINIT_GENTOO_DIR=$tmp/gentoo CTINIT_CMAKELISTS=$tmp/CMakeLists.txt \
    bash "$0" >"$tmp/out" 2>&1; then
    ct_fail "self-test $name: the checks passed on a broken copy"
  else
    ct_pass "self-test $name" "$(grep -m1 '^FAIL' "$tmp/out" || true)"
  fi
}

self_test() {
  local e=sys-apps/ctinit/ctinit-0.1.0.ebuild
  mutate "ebuild syntax" syntax "$e" 's/^src_test() {/src_test() {{ (/'
  mutate "EAPI 7" vars "$e" 's/^EAPI=8/EAPI=7/'
  mutate "a dependency dropped" vars "$e" '/dev-libs\/spdlog/d'
  mutate "a renamed CMake option" phases CMakeLists.txt 's/option(CTINIT_STATIC /option(CTINIT_STATIC_LINK /'
  mutate "-Werror gone upstream" phases CMakeLists.txt 's/ -Werror//'
  mutate "src_test runs everything" phases "$e" "s/cmake_src_test -L '^unit\$'/cmake_src_test/"
  mutate "metadata.xml invalid" metadata sys-apps/ctinit/metadata.xml 's/type="person"/type="someone"/'
  mutate "USE flag undescribed" metadata sys-apps/ctinit/metadata.xml 's/flag name="static"/flag name="statik"/'
  mutate "compose grace too short" compose compose.yaml 's/stop_grace_period: 10s/stop_grace_period: 5s/'
  mutate "compose invalid" compose compose.yaml 's/^services:/servicez:/'
  mutate "incus int value" incus incus-profile.yaml 's/"30"/30/'
  mutate "incus no init" incus incus-profile.yaml 's/lxc.init.cmd/lxc.init.cwd/'
  mutate "incus refuses the key" incus incus-profile.yaml 's|^    lxc.init.cmd = /sbin/ctinit|&\n    lxc.ephemeral = 1|'
  mutate "COPY of a missing file" docker Dockerfile 's|^COPY init /src/init|COPY nosuchdir /src/init|'
  mutate "STOPSIGNAL SIGKILL" docker Dockerfile 's/^STOPSIGNAL SIGTERM/STOPSIGNAL SIGKILL/'
  mutate "builder misses a source" replay Dockerfile '/^COPY unit-compat /d'
  mutate "the inittab sed hits more" inittab Dockerfile "s|'/^\[^#\].\*agetty/ s/^/#/'|'/^[^#]/ s/^/#/'|"
  mutate "a long DESCRIPTION" vars "$e" 's/^DESCRIPTION="/&and a description far too long for Gentoo, /'
  mutate "ENTRYPOINT elsewhere" docker Dockerfile 's|^ENTRYPOINT \["/sbin/ctinit"\]|ENTRYPOINT ["/sbin/init"]|'
}

run_checks
if [[ ${CTINIT_CONTRIB_ONLY:-0} != 1 ]]; then
  echo "=== self-test: each check fails on a broken copy"
  self_test
fi
ct_summary
