#!/usr/bin/env bash
# e2e: ctinit as PID 1 of an OpenRC image under Docker, booted by Gentoo's stock /etc/inittab
# (issue 3, e2e part (a)).
#
#   bash tests/e2e/test_docker_openrc.sh /path/to/ctinit
#
# Image: the debian-openrc rootfs (debootstrap bookworm minbase + sysvinit-core + Debian's openrc
# 0.45, tests/lib/rootfs.sh), ctinit at /sbin/ctinit, and the files of tests/e2e/fixtures/openrc:
#   /etc/inittab      Gentoo's stock inittab (gentoo/gentoo sys-apps/sysvinit/files/
#                     inittab-2.98-r1) with contrib/gentoo/Dockerfile's edits replayed on it: si sysinit `openrc sysinit`, rc bootwait `openrc boot`,
#                     id:3 → l3 `openrc default`, l0u `telinit u`, l0 `openrc shutdown`,
#                     l0s `/sbin/halt.sh`, agetty respawn entries for tty1-6, …
#   /sbin/halt.sh     Gentoo's halt.sh (einfo from /lib/rc/bin: Debian has no gentoo-functions)
#   /etc/init.d/svc-* Gentoo-style `#!/sbin/openrc-run` scripts, registered with rc-update:
#     svc-early    boot runlevel; logs its start with RC_RUNLEVEL
#     svc-a        default; command=/bin/sh loop, command_background, pidfile (default start/stop
#                  through start-stop-daemon), start_post/stop_post log
#     svc-b        default; depend() { need svc-a; }, custom start()/stop() that log
#     svc-c        default; depend() { after svc-b; }, custom start()/stop() that log
#     svc-d        default; supervisor=supervise-daemon, after svc-c
#     svc-nodocker default; keyword -docker: OpenRC must mask it (rc_sys DOCKER)
#   Every service appends "EPOCH.NS NAME start|stop …" to /var/log/ctinit-svc.log (read back with
#   `docker cp`, also after the container has exited) and echoes to the console.
# Nothing else is changed: no /etc/rc.conf edits. OpenRC detects Docker by itself (/.dockerenv).
#
# Runs a private dockerd (tests/lib/docker.sh); exit 77 without root/docker (FAIL under CI=true).
# Checks (each prints PASS/FAIL lines; the script exits 1 if any failed):
#   a  boot: `openrc sysinit` (banner with [DOCKER]), `openrc boot` (svc-early, RC_RUNLEVEL=boot)
#      and `openrc default` ran, in that order; "Entering runlevel: 3"; `runlevel` = "N 3";
#      the default services started in dependency order (svc-a < svc-b < svc-c < svc-d, svc-b saw
#      svc-a started); `rc-status default` shows them started; /run/openrc/softlevel = default
#   r  rc_sys: `openrc --sys` = DOCKER, RC_SYS=DOCKER in a service's environment, the
#      `keyword -docker` service was not started
#   u  `telinit u` inside is accepted (exit 0, ctinit logs the re-exec request) and changes nothing
#   s  docker stop: exit 0 in < 8 s; ctinit ran l0u/l0/l0s (received SIGTERM, `openrc shutdown`,
#      halt.sh); every stop() ran, in reverse dependency order (svc-d, svc-c before svc-b before
#      svc-a; svc-b stopped while svc-a was still started); svc-a's daemon is gone after its
#      default stop; "shutdown complete in"
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=../lib/docker.sh
source "$here/../lib/docker.sh"

STOP_BOUND=8 # seconds; docker's own timeout is 10 s (then SIGKILL → 137)
BOOT_BOUND=${CT_BOOT_BOUND:-60}
SVC_LOG=/var/log/ctinit-svc.log
DEFAULT_SVCS="svc-a svc-b svc-c svc-d"

bin=$(ct_ctinit_bin "${1:-}")
rootfs_require debian-openrc
docker_start_private

# The image: fixtures → overlay (sbin/ goes to usr/sbin/ on a merged-/usr tree, as docker.sh does
# for ctinit), services registered the Gentoo way with rc-update.
build_image() {
  local extra root
  extra=$(mktemp -d "$CTINIT_CACHE/tmp/openrc-fixtures.XXXXXX")
  cp -a "$here/fixtures/openrc/." "$extra/"
  root=$(rootfs_path debian-openrc)
  if rootfs_merged_usr "$root"; then
    mkdir -p "$extra/usr"
    mv "$extra/sbin" "$extra/usr/sbin"
  fi
  # contrib/gentoo/Dockerfile's own edits of /etc/inittab (its `RUN sed … /etc/inittab` lines),
  # replayed here: the image boots the inittab that Dockerfile makes of Gentoo's stock one.
  local dockerfile_edits
  dockerfile_edits=$(sed -n 's|^RUN \(sed -i .* /etc/inittab\)$|\1|p' "$here/../../contrib/gentoo/Dockerfile")
  [[ -n $dockerfile_edits ]] || ct_die "contrib/gentoo/Dockerfile has no 'RUN sed -i … /etc/inittab' line"
  # shellcheck disable=SC2016 # runs inside the image
  img=$(docker_image_ctinit debian-openrc "$bin" ctinit-test/debian-openrc-ctinit-svc "$extra" '
    '"$dockerfile_edits"'
    ! grep -q "^[^#].*agetty" /etc/inittab
    head -n1 /etc/init.d/svc-a | grep -qx "#!/sbin/openrc-run"
    test -x /sbin/openrc-run
    rc-update add svc-early boot
    for s in svc-a svc-b svc-c svc-d svc-nodocker; do rc-update add "$s" default; done
    for s in svc-a svc-b svc-c svc-d svc-nodocker; do test -L "/etc/runlevels/default/$s"; done
    test -L /etc/runlevels/boot/svc-early
    grep -q "^l0:0:wait:/sbin/openrc shutdown$" /etc/inittab
    rm -f '"$SVC_LOG"'
  ')
  rm -rf "$extra"
}
build_image
ct_log "image $img ($("$bin" --version 2>&1 | head -n1 || true))"

# The services' log, from a running or an exited container.
svc_log() { dkt 30 cp "$1:$SVC_LOG" - 2>/dev/null | tar -xOf - 2>/dev/null; }

# Line number (1-based) of the first "NAME EVENT" entry in the services' log text $1, or empty.
svc_line() { awk -v n="$2" -v e="$3" '$2 == n && $3 == e { print NR; exit }' <<<"$1"; }

# "a < b < c" for EVENT: every name present and in that order in the log text.
in_order() {
  local text=$1 event=$2 prev=0 n l
  shift 2
  for n in "$@"; do
    l=$(svc_line "$text" "$n" "$event")
    [[ -n "$l" ]] && ((l > prev)) || return 1
    prev=$l
  done
}

dump_svc_log() { sed 's/^/    svc-log| /' <<<"$1"; }

runlevel_is() { [[ $(dkt 10 exec "$1" runlevel 2>&1) == "$2" ]]; }

all_default_started() {
  local text
  text=$(svc_log "$1") || return 1
  [[ -n $(svc_line "$text" svc-d start) ]]
}

# ---------------------------------------------------------------------------------------------
check_boot() {
  local text l_early l_a rl status soft ok=1
  if docker_wait_log "$C" "Entering runlevel: 3" "$BOOT_BOUND"; then
    ct_pass "a1 log shows 'Entering runlevel: 3' (Gentoo inittab id:3)"
  else
    ct_fail "a1 log shows 'Entering runlevel: 3' (Gentoo inittab id:3)" "not within ${BOOT_BOUND}s"
    ok=0
  fi
  if docker_log_has "$C" "is starting up" && docker_logs "$C" | grep -E 'OpenRC .* is starting up' | grep -qF '[DOCKER]'; then
    ct_pass "a2 'openrc sysinit' ran (banner 'OpenRC … is starting up … [DOCKER]')" \
      "$(docker_logs "$C" | grep -m1 'is starting up' | tr -d '\033' | sed 's/\[[0-9;]*m//g')"
  else
    ct_fail "a2 'openrc sysinit' ran (banner 'OpenRC … is starting up … [DOCKER]')"
    ok=0
  fi
  ct_wait_until 20 all_default_started "$C" || true
  text=$(svc_log "$C" || true)
  dump_svc_log "$text"
  l_early=$(svc_line "$text" svc-early start)
  l_a=$(svc_line "$text" svc-a start)
  if [[ -n "$l_early" && -n "$l_a" ]] && ((l_early < l_a)) &&
    grep -q '^[0-9.]* svc-early start RC_RUNLEVEL=boot$' <<<"$text"; then
    ct_pass "a3 'openrc boot' ran before 'openrc default' (svc-early RC_RUNLEVEL=boot, before svc-a)"
  else
    ct_fail "a3 'openrc boot' ran before 'openrc default' (svc-early RC_RUNLEVEL=boot, before svc-a)"
    ok=0
  fi
  # shellcheck disable=SC2086
  if in_order "$text" start $DEFAULT_SVCS; then
    ct_pass "a4 default services started in dependency order (svc-a < svc-b < svc-c < svc-d)"
  else
    ct_fail "a4 default services started in dependency order (svc-a < svc-b < svc-c < svc-d)"
    ok=0
  fi
  if grep -q '^[0-9.]* svc-b start svc-a=started .*RC_RUNLEVEL=default$' <<<"$text"; then
    ct_pass "a5 svc-b (need svc-a) started while svc-a was started, in runlevel default"
  else
    ct_fail "a5 svc-b (need svc-a) started while svc-a was started, in runlevel default"
    ok=0
  fi
  if ct_wait_until 10 runlevel_is "$C" "N 3"; then
    ct_pass "a6 'docker exec C runlevel' prints 'N 3'"
  else
    rl=$(dkt 10 exec "$C" runlevel 2>&1 || true)
    ct_fail "a6 'docker exec C runlevel' prints 'N 3'" "got '$rl'"
    ok=0
  fi
  status=$(dkt 20 exec "$C" rc-status -C default 2>&1 || true)
  sed 's/^/    rc-status| /' <<<"$status"
  local s bad=""
  for s in $DEFAULT_SVCS; do
    grep -Eq "^ *$s +\[ *started" <<<"$status" || bad+=" $s"
  done
  if [[ -z "$bad" ]] && grep -q '^Runlevel: default' <<<"$status"; then
    ct_pass "a7 'rc-status default' shows runlevel default with $DEFAULT_SVCS started"
  else
    ct_fail "a7 'rc-status default' shows runlevel default with $DEFAULT_SVCS started" "not started:${bad:- (none)}"
    ok=0
  fi
  dkt 10 exec "$C" ps -eo pid,ppid,stat,args 2>&1 | sed 's/^/    ps| /' || true
  soft=$(dkt 10 exec "$C" cat /run/openrc/softlevel 2>&1 || true)
  if [[ "$soft" == default ]]; then ct_pass "a8 /run/openrc/softlevel = default"; else
    ct_fail "a8 /run/openrc/softlevel = default" "got '$soft'"; ok=0; fi
  ((ok)) || docker_dump "$C" 80
}

# ---------------------------------------------------------------------------------------------
check_rc_sys() {
  local sys text status
  if [[ -z "$C" ]] || ! docker_running "$C"; then ct_fail "r rc_sys" "container not running"; return 0; fi
  sys=$(dkt 10 exec "$C" openrc --sys 2>&1 || true)
  if [[ "$sys" == DOCKER ]]; then ct_pass "r1 'openrc --sys' prints DOCKER"; else
    ct_fail "r1 'openrc --sys' prints DOCKER" "got '$sys'"; fi
  text=$(svc_log "$C" || true)
  if grep -q '^[0-9.]* svc-b start .*RC_SYS=DOCKER ' <<<"$text"; then
    ct_pass "r2 services booted by ctinit see RC_SYS=DOCKER"
  else
    ct_fail "r2 services booted by ctinit see RC_SYS=DOCKER" "$(grep ' svc-b start' <<<"$text" || echo 'no svc-b start line')"
  fi
  status=$(dkt 20 exec "$C" rc-status -C default 2>&1 || true)
  if [[ -z $(svc_line "$text" svc-nodocker start) ]] && ! grep -Eq '^ *svc-nodocker +\[ *started' <<<"$status" &&
    ! docker_log_has "$C" "svc-nodocker: start"; then
    ct_pass "r3 the 'keyword -docker' service was masked (never started)"
  else
    ct_fail "r3 the 'keyword -docker' service was masked (never started)"
    grep svc-nodocker <<<"$status" | sed 's/^/    | /' || true
  fi
}

# ---------------------------------------------------------------------------------------------
check_telinit_u() {
  local rc=0 out status bad="" s
  if [[ -z "$C" ]] || ! docker_running "$C"; then ct_fail "u telinit u" "container not running"; return 0; fi
  out=$(dkt 20 exec "$C" /sbin/telinit u 2>&1) || rc=$?
  echo "    'telinit u' returned $rc${out:+: $out}"
  if ((rc == 0)); then ct_pass "u1 'telinit u' inside exits 0"; else
    ct_fail "u1 'telinit u' inside exits 0" "exit $rc: $out"; fi
  if docker_wait_log "$C" "re-exec requested" 10; then
    ct_pass "u2 ctinit accepted the re-exec request (log 're-exec requested')"
  else
    ct_fail "u2 ctinit accepted the re-exec request (log 're-exec requested')"
    docker_dump "$C" 20
  fi
  sleep 1
  status=$(dkt 20 exec "$C" rc-status -C default 2>&1 || true)
  for s in $DEFAULT_SVCS; do grep -Eq "^ *$s +\[ *started" <<<"$status" || bad+=" $s"; done
  if docker_running "$C" && runlevel_is "$C" "N 3" && [[ -z "$bad" ]]; then
    ct_pass "u3 after 'telinit u': still running, runlevel 'N 3', services still started"
  else
    ct_fail "u3 after 'telinit u': still running, runlevel 'N 3', services still started" "not started:${bad:- (none)}"
    docker_dump "$C" 30
  fi
}

# ---------------------------------------------------------------------------------------------
check_stop() {
  local text ok=1
  if [[ -z "$C" ]] || ! docker_running "$C"; then ct_fail "s docker stop" "container not running"; return 0; fi
  docker_stop_timed "$C"
  echo "    docker stop took ${CT_STOP_SECONDS}s, exit code $CT_STOP_EXIT"
  if [[ "$CT_STOP_EXIT" == 0 ]]; then ct_pass "s1 docker stop → exit code 0"; else
    ct_fail "s1 docker stop → exit code 0" "got $CT_STOP_EXIT"; ok=0; fi
  if ct_lt "$CT_STOP_SECONDS" "$STOP_BOUND"; then ct_pass "s2 docker stop < ${STOP_BOUND}s" "${CT_STOP_SECONDS}s"; else
    ct_fail "s2 docker stop < ${STOP_BOUND}s" "${CT_STOP_SECONDS}s"; ok=0; fi
  if docker_log_has "$C" "received SIGTERM: halt"; then ct_pass "s3 log 'received SIGTERM: halt'"; else
    ct_fail "s3 log 'received SIGTERM: halt'"; ok=0; fi
  text=$(svc_log "$C" || true)
  dump_svc_log "$(sed -n '/ stop/p' <<<"$text")"
  local s missing=""
  for s in $DEFAULT_SVCS svc-early; do [[ -n $(svc_line "$text" "$s" stop) ]] || missing+=" $s"; done
  if [[ -z "$missing" ]]; then
    ct_pass "s4 'openrc shutdown' ran every service's stop() ($DEFAULT_SVCS svc-early)"
  else
    ct_fail "s4 'openrc shutdown' ran every service's stop() ($DEFAULT_SVCS svc-early)" "no stop line for:$missing"
    ok=0
  fi
  if in_order "$text" stop svc-d svc-c svc-b svc-a; then
    ct_pass "s5 stop() in reverse dependency order (svc-d < svc-c < svc-b < svc-a)"
  else
    ct_fail "s5 stop() in reverse dependency order (svc-d < svc-c < svc-b < svc-a)"
    ok=0
  fi
  if grep -q '^[0-9.]* svc-b stop svc-a=started RC_GOINGDOWN=YES RC_RUNLEVEL=shutdown$' <<<"$text"; then
    ct_pass "s6 svc-b stopped while svc-a was still started, RC_GOINGDOWN=YES, RC_RUNLEVEL=shutdown"
  else
    ct_fail "s6 svc-b stopped while svc-a was still started, RC_GOINGDOWN=YES, RC_RUNLEVEL=shutdown" \
      "$(grep ' svc-b stop' <<<"$text" || echo 'no svc-b stop line')"
    ok=0
  fi
  if grep -q '^[0-9.]* svc-a stop daemon-gone=yes ' <<<"$text"; then
    ct_pass "s7 svc-a's daemon was gone after its default stop (start-stop-daemon + pidfile)"
  else
    ct_fail "s7 svc-a's daemon was gone after its default stop (start-stop-daemon + pidfile)" \
      "$(grep ' svc-a stop' <<<"$text" || echo 'no svc-a stop line')"
    ok=0
  fi
  # l0u (`telinit u`) is the first entry of runlevel 0: its re-exec request must be accepted
  # after the switch and before `openrc shutdown` stops anything.
  if docker_logs "$C" | awk '/Switching to runlevel: 0/ { sw = NR } /re-exec requested/ && sw && !rx { rx = NR }
      /Stopping svc-/ && !st { st = NR } END { exit !(sw && rx > sw && st > rx) }'; then
    ct_pass "s10 l0u 'telinit u' accepted between the switch to 0 and 'openrc shutdown'"
  else
    ct_fail "s10 l0u 'telinit u' accepted between the switch to 0 and 'openrc shutdown'"; ok=0
  fi
  if docker_log_has "$C" "halt.sh: l0s ran"; then ct_pass "s8 l0s ran /sbin/halt.sh after 'openrc shutdown'"; else
    ct_fail "s8 l0s ran /sbin/halt.sh after 'openrc shutdown'"; ok=0; fi
  if docker_log_has "$C" "shutdown complete in"; then
    ct_pass "s9 log 'shutdown complete in'" "$(docker_logs "$C" | grep -m1 -o 'shutdown complete in.*')"
  else
    ct_fail "s9 log 'shutdown complete in'"; ok=0; fi
  ((ok)) || docker_dump "$C" 120
}

t_start=$(ct_now)
# One container for all checks (they run in subshells, in this order).
C=$(docker_run_d "$img" /sbin/ctinit)
ct_run_check "a boot: openrc sysinit, boot, default" check_boot
ct_run_check "r rc_sys docker" check_rc_sys
ct_run_check "u telinit u" check_telinit_u
ct_run_check "s docker stop: openrc shutdown" check_stop
[[ -n "$C" ]] && { echo "    --- full container log ---"; docker_logs "$C" | sed 's/^/    | /'; dk rm -f "$C" >/dev/null 2>&1 || true; }
ct_log "checks took $(ct_elapsed "$t_start" "$(ct_now)") s"
ct_summary
