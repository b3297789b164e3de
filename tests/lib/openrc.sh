# shellcheck shell=bash
# tests/lib/openrc.sh — the OpenRC native-mode e2e services (tests/e2e/fixtures/openrc-native)
# and the checks on their log, shared by test_docker_openrc_native.sh, test_docker_openrc_shim.sh
# and test_lxc_openrc.sh (sourced, never executed).
#
# The services append "UPTIME NAME EVENT [K=V…] b=BOOT" lines to /var/log/ctinit-svc.log (see
# fixtures/openrc-native/usr/local/lib/ctinit-e2e.sh). Every check orders events by their line
# in that file, never by the clock: "A before B" = A's line comes first; "A and B in parallel" =
# both began before either ended (impossible when they run one after the other).
#
#   orc_register_cmds              the rc-update commands that put the services in their runlevels
#   orc_boot_text TEXT N           the lines of boot N (b=N)
#   orc_line TEXT NAME EVENT       line number of NAME's first EVENT, empty if none
#   orc_before TEXT N1 E1 N2 E2    N1's E1 comes before N2's E2 (both present)
#   orc_parallel TEXT A B WHAT     A and B overlap in WHAT (start: start-begin…start, stop: …)
#   orc_field TEXT NAME EVENT KEY  the value of KEY= on that line
#   orc_check_boot ID TEXT SYS     PASS/FAIL records for one boot's start waves (ID prefixes the
#                                  check names; SYS = the expected RC_SYS)
#   orc_check_stop ID TEXT REBOOT  PASS/FAIL records for the stops of one boot: all ran, in reverse
#                                  order, boot services in parallel, RC_RUNLEVEL=shutdown,
#                                  RC_GOINGDOWN=YES, RC_REBOOT=REBOOT (YES or unset)
#   orc_dump TEXT                  the log, indented (evidence for FAILs)
#
# Under Docker (the caller has sourced docker.sh and runs the container $C):
#   orc_docker_svc_log C           the services' log out of container C
#   orc_docker_boot_done C N       boot N has finished starting (n-local, `after *`, is last)
#   orc_docker_check_reboot        r*: `telinit 6` inside boots again in place ($BOOT_BOUND s);
#                                  boot 1's stops and boot 2's waves
#   orc_docker_check_halt          s*: `docker stop` exits 0 in < $STOP_BOUND s; boot 2's stops;
#                                  the halt's "shutdown complete … (runlevel 0)" log line

[[ -n "${CT_OPENRC_SH_LOADED:-}" ]] && return 0
CT_OPENRC_SH_LOADED=1

# shellcheck source=common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

ORC_SVC_LOG=/var/log/ctinit-svc.log
ORC_SYSINIT="n-sysinit"
ORC_BOOT="n-boot1 n-boot2"
# Started in default (n-nodocker is there too, but masked).
ORC_DEFAULT="n-a n-b n-c n-d n-local n-net n-p1 n-p2"
ORC_MASKED="n-nodocker localmount"

orc_register_cmds() {
  echo "rc-update add n-sysinit sysinit"
  echo "rc-update add n-boot1 boot && rc-update add n-boot2 boot && rc-update add localmount boot"
  local s
  for s in $ORC_DEFAULT n-nodocker; do echo "rc-update add $s default"; done
}

orc_boot_text() { awk -v b="b=$2" '$NF == b' <<<"$1"; }

orc_line() { awk -v n="$2" -v e="$3" '$2 == n && $3 == e { print NR; exit }' <<<"$1"; }

orc_before() {
  local a b
  a=$(orc_line "$1" "$2" "$3")
  b=$(orc_line "$1" "$4" "$5")
  [[ -n "$a" && -n "$b" ]] && ((a < b))
}

orc_parallel() {
  local t=$1 x=$2 y=$3 what=$4
  orc_before "$t" "$x" "$what-begin" "$y" "$what" && orc_before "$t" "$y" "$what-begin" "$x" "$what"
}

orc_field() {
  awk -v n="$2" -v e="$3" -v k="$4=" '$2 == n && $3 == e {
      for (i = 4; i <= NF; i++) if (index($i, k) == 1) { print substr($i, length(k) + 1); exit } }' <<<"$1"
}

orc_dump() { sed 's/^/    svc-log| /' <<<"$1"; }

# _orc_all_before TEXT NAME EVENT OTHER_EVENT NAMES...: NAME's EVENT before each NAMES' OTHER_EVENT.
_orc_all_before() {
  local t=$1 n=$2 e=$3 oe=$4 o bad=""
  shift 4
  for o in "$@"; do
    [[ "$o" == "$n" ]] && continue
    orc_before "$t" "$n" "$e" "$o" "$oe" || bad+=" $o"
  done
  [[ -z "$bad" ]] || { echo "    not in order: $n $e before$bad $oe"; return 1; }
}

_orc_verdict() { # NAME DETAIL CMD...
  local name=$1 detail=$2
  shift 2
  if "$@"; then ct_pass "$name" "$detail"; else ct_fail "$name" "$detail"; fi
}

orc_check_boot() {
  local id=$1 t=$2 sys=$3 s ok missing=""
  for s in $ORC_SYSINIT $ORC_BOOT $ORC_DEFAULT; do
    [[ -n $(orc_line "$t" "$s" start) ]] || missing+=" $s"
  done
  _orc_verdict "${id}1 every service started ($ORC_SYSINIT $ORC_BOOT $ORC_DEFAULT)" \
    "${missing:+not started:$missing}" test -z "$missing"
  local masked=""
  for s in $ORC_MASKED; do [[ -z $(awk -v n="$s" '$2 == n' <<<"$t") ]] || masked+=" $s"; done
  _orc_verdict "${id}2 masked services never ran ($ORC_MASKED)" "${masked:+ran:$masked}" test -z "$masked"
  # shellcheck disable=SC2086
  _orc_verdict "${id}3 stages in order: sysinit finished before boot began, boot before default" "" \
    eval '_orc_all_before "$t" n-sysinit start start-begin $ORC_BOOT $ORC_DEFAULT &&
      _orc_all_before "$t" n-boot1 start start-begin $ORC_DEFAULT &&
      _orc_all_before "$t" n-boot2 start start-begin $ORC_DEFAULT'
  _orc_verdict "${id}4 independent boot services started in parallel (n-boot1 ∥ n-boot2)" "" \
    orc_parallel "$t" n-boot1 n-boot2 start
  _orc_verdict "${id}5 wave 0 of default in parallel (n-p1 ∥ n-p2, n-a ∥ n-p1)" "" \
    eval 'orc_parallel "$t" n-p1 n-p2 start && orc_parallel "$t" n-a n-p1 start'
  _orc_verdict "${id}6 dependents began only after their dependencies had started (n-a < n-b, n-d; n-b, n-p1 < n-c)" "" \
    eval 'orc_before "$t" n-a start n-b start-begin && orc_before "$t" n-a start n-d start-begin &&
      orc_before "$t" n-b start n-c start-begin && orc_before "$t" n-p1 start n-c start-begin'
  # shellcheck disable=SC2086
  _orc_verdict "${id}7 'after *' (n-local) began after every other default service had started" "" \
    eval 'ok=1; for s in $ORC_DEFAULT; do [[ $s == n-local ]] || orc_before "$t" $s start n-local start-begin || ok=0; done; ((ok))'
  _orc_verdict "${id}8 n-b saw n-a started (service_started, OpenRC state)" \
    "n-a=$(orc_field "$t" n-b start-begin n-a)" test "$(orc_field "$t" n-b start-begin n-a)" = started
  local env_ok=1
  [[ $(orc_field "$t" n-sysinit start-begin RC_RUNLEVEL) == sysinit ]] || env_ok=0
  [[ $(orc_field "$t" n-boot1 start-begin RC_RUNLEVEL) == boot ]] || env_ok=0
  [[ $(orc_field "$t" n-b start-begin RC_RUNLEVEL) == default ]] || env_ok=0
  [[ $(orc_field "$t" n-b start-begin RC_GOINGDOWN) == unset ]] || env_ok=0
  [[ $(orc_field "$t" n-b start-begin RC_SYS) == "$sys" ]] || env_ok=0
  _orc_verdict "${id}9 scripts saw RC_RUNLEVEL sysinit/boot/default, RC_SYS=$sys, no RC_GOINGDOWN" \
    "$(awk '$2 == "n-b" && $3 == "start-begin"' <<<"$t")" test "$env_ok" = 1
}

orc_check_stop() {
  local id=$1 t=$2 reboot=$3 s ok missing="" bad=""
  for s in $ORC_SYSINIT $ORC_BOOT $ORC_DEFAULT; do
    [[ -n $(orc_line "$t" "$s" stop) ]] || missing+=" $s"
  done
  _orc_verdict "${id}1 every service's stop ran ($ORC_SYSINIT $ORC_BOOT $ORC_DEFAULT)" \
    "${missing:+no stop line:$missing}" test -z "$missing"
  # shellcheck disable=SC2086
  _orc_verdict "${id}2 stopped in reverse order (n-local first; n-c < n-b, n-p1; n-b, n-d < n-a; default < boot < sysinit)" "" \
    eval '_orc_all_before "$t" n-local stop stop-begin $ORC_DEFAULT &&
      orc_before "$t" n-c stop n-b stop-begin && orc_before "$t" n-c stop n-p1 stop-begin &&
      orc_before "$t" n-b stop n-a stop-begin && orc_before "$t" n-d stop n-a stop-begin &&
      { ok=1; for s in $ORC_DEFAULT; do _orc_all_before "$t" $s stop stop-begin $ORC_BOOT || ok=0; done; ((ok)); } &&
      _orc_all_before "$t" n-boot1 stop stop-begin n-sysinit &&
      _orc_all_before "$t" n-boot2 stop stop-begin n-sysinit'
  _orc_verdict "${id}3 independent boot services stopped in parallel (n-boot1 ∥ n-boot2)" "" \
    orc_parallel "$t" n-boot1 n-boot2 stop
  for s in $ORC_SYSINIT $ORC_BOOT $ORC_DEFAULT; do
    [[ $(orc_field "$t" "$s" stop-begin RC_RUNLEVEL) == shutdown &&
      $(orc_field "$t" "$s" stop-begin RC_GOINGDOWN) == YES &&
      $(orc_field "$t" "$s" stop-begin RC_REBOOT) == "$reboot" ]] || bad+=" $s"
  done
  _orc_verdict "${id}4 stop scripts saw RC_RUNLEVEL=shutdown RC_GOINGDOWN=YES RC_REBOOT=$reboot" \
    "${bad:+wrong for:$bad}" test -z "$bad"
  _orc_verdict "${id}5 n-b stopped while n-a was still started; n-a's daemon was gone after its stop" \
    "$(awk '($2 == "n-b" && $3 == "stop-begin") || ($2 == "n-a" && $3 == "stop")' <<<"$t" | tr '\n' ';')" \
    eval '[[ $(orc_field "$t" n-b stop-begin n-a) == started && $(orc_field "$t" n-a stop daemon-gone) == yes ]]'
}

# ---------------------------------------------------------------------------------------------
# Under Docker

orc_docker_svc_log() { dkt 30 cp "$1:$ORC_SVC_LOG" - 2>/dev/null | tar -xOf - 2>/dev/null; }

orc_docker_boot_done() {
  local t
  t=$(orc_docker_svc_log "$1") || return 1
  [[ -n $(orc_line "$(orc_boot_text "$t" "$2")" n-local start) ]]
}

orc_docker_check_reboot() {
  local rc=0 t all
  dkt 20 exec "$C" /sbin/telinit 6 >/dev/null 2>&1 || rc=$?
  if ((rc == 0)); then ct_pass "r1 'telinit 6' inside exits 0"; else ct_fail "r1 'telinit 6' inside exits 0" "exit $rc"; fi
  if ct_wait_until "$BOOT_BOUND" orc_docker_boot_done "$C" 2; then
    ct_pass "r2 the reboot booted again in place (boot 2 started everything up to n-local)"
  else
    ct_fail "r2 the reboot booted again in place (boot 2 started everything up to n-local)"
    docker_dump "$C" 80
  fi
  all=$(orc_docker_svc_log "$C" || true)
  t=$(orc_boot_text "$all" 1)
  orc_dump "$(grep ' stop' <<<"$t" || true)"
  orc_check_stop rs "$t" YES
  orc_check_boot rb "$(orc_boot_text "$all" 2)" DOCKER
}

orc_docker_check_halt() {
  local t
  docker_check_stop "s1 docker stop → exit 0 in < ${STOP_BOUND}s" "$C" "$STOP_BOUND" 120
  t=$(orc_boot_text "$(orc_docker_svc_log "$C" || true)" 2)
  orc_dump "$(grep ' stop' <<<"$t" || true)"
  orc_check_stop s "$t" unset
  # (the reboot logged one already: this one is the halt's)
  if [[ $(docker_log_count "$C" "shutdown complete in") -ge 2 ]] &&
    docker_logs "$C" | grep 'shutdown complete in' | tail -n1 | grep -qF '(runlevel 0)'; then
    ct_pass "s9 log 'shutdown complete in … (runlevel 0)'" "$(docker_logs "$C" | grep -o 'shutdown complete in.*' | tail -n1)"
  else
    ct_fail "s9 log 'shutdown complete in … (runlevel 0)'"
  fi
}
