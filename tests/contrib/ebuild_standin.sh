# shellcheck shell=bash
# tests/contrib/ebuild_standin.sh — a stand-in for portage and the cmake eclass, enough to source
# an ebuild and run its phases outside Gentoo (sourced by test_gentoo_contrib.sh).
#
#   standin_load EBUILD USE LOG    set PN/PV/P/PF from EBUILD's name, USE, the stubs, source it
#   standin_run_phases PHASE...    run each phase in order; stops at the first die
#
# Every stub appends one line to LOG, so the caller can assert what the ebuild asked for:
#   inherit ECLASS...     cmake_arg -DNAME=VALUE (one per entry of mycmakeargs)
#   cmake_src_test ARGS   cmake_src_install     einstalldocs DOC   dodoc DIR/FILE
#   docompress ARGS       elog|einfo|ewarn|eerror TEXT   die TEXT   phase NAME ok
# The stubs check what portage would refuse: a missing file for dodoc/DOCS, mycmakeargs that is
# not an array. The caller runs this in a subshell: die exits it.

# shellcheck disable=SC2034,SC2154,SC2317 # variables and functions for the sourced ebuild
standin_stubs() {
  inherit() { echo "inherit $*" >>"$STANDIN_LOG"; }
  die() { echo "die $*" >>"$STANDIN_LOG"; exit 1; }
  use() {
    local flag=${1#!} set=1
    [[ " $USE " == *" $flag "* ]] || set=0
    [[ $1 == !* ]] && set=$((1 - set))
    ((set == 1))
  }
  # Portage's usex: "yes"/"no" unless told otherwise.
  usex() { if use "$1"; then echo "${2-yes}"; else echo "${3-no}"; fi; }
  elog() { echo "elog $*" >>"$STANDIN_LOG"; }
  einfo() { echo "einfo $*" >>"$STANDIN_LOG"; }
  ewarn() { echo "ewarn $*" >>"$STANDIN_LOG"; }
  eerror() { echo "eerror $*" >>"$STANDIN_LOG"; }
  default() { echo "default ${FUNCNAME[1]}" >>"$STANDIN_LOG"; }
  cmake_src_prepare() { echo "cmake_src_prepare" >>"$STANDIN_LOG"; }
  cmake_src_configure() {
    [[ $(declare -p mycmakeargs 2>/dev/null) == "declare -a"* ]] || die "mycmakeargs: no array"
    local a
    for a in "${mycmakeargs[@]}"; do echo "cmake_arg $a" >>"$STANDIN_LOG"; done
  }
  cmake_src_test() { echo "cmake_src_test $*" >>"$STANDIN_LOG"; }
  einstalldocs() {
    local d
    for d in "${DOCS[@]}"; do
      [[ -e $d ]] || die "einstalldocs: $d does not exist"
      echo "einstalldocs $d" >>"$STANDIN_LOG"
    done
  }
  # The eclass's install also installs DOCS (einstalldocs).
  cmake_src_install() { echo "cmake_src_install" >>"$STANDIN_LOG"; einstalldocs; }
  docinto() { STANDIN_DOCDIR=$1; }
  dodoc() {
    local f
    for f in "$@"; do
      [[ -e $f ]] || die "dodoc: $f does not exist"
      echo "dodoc ${STANDIN_DOCDIR:-.}/$f" >>"$STANDIN_LOG"
    done
  }
  docompress() { echo "docompress $*" >>"$STANDIN_LOG"; }
}

# shellcheck disable=SC2034 # PN, P, PF, CATEGORY: for the sourced ebuild
standin_load() {
  local ebuild=$1 base
  base=$(basename "$ebuild" .ebuild)
  PN=${base%%-[0-9]*}
  PV=${base#"$PN"-}
  P="$PN-$PV" PF="$PN-$PV"
  CATEGORY=$(basename "$(dirname "$(dirname "$ebuild")")")
  USE=$2
  STANDIN_LOG=$3
  : "${EROOT:=}" "${ESYSROOT:=/nonexistent-sysroot}"
  standin_stubs
  # shellcheck disable=SC1090
  source "$ebuild"
}

standin_run_phases() {
  local phase
  for phase in "$@"; do
    declare -F "$phase" >/dev/null || { echo "missing $phase" >>"$STANDIN_LOG"; return 1; }
    "$phase"
    echo "phase $phase ok" >>"$STANDIN_LOG"
  done
}
