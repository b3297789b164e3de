# shellcheck shell=bash
# tests/integration/lib.sh — run the real ctinit binary as PID 1 of a fresh pid+mount namespace,
# chrooted into a small busybox tree (sourced by tests/integration/test_*.sh, never executed).
#
# Usage in a test:   source "$(dirname "$0")/lib.sh"; it_init "$@"
#
#   it_init "$@"              check prerequisites (root, unshare, nsenter, static busybox), resolve
#                             the ctinit binary from $1 (CTest passes it), register cleanup
#   it_tree FIXTURE...        build a new tree in $IT_WORK/treeN: busybox + applet links,
#                             fixtures/common/* then fixtures/FIXTURE/* copied over it, ctinit as
#                             /sbin/ctinit, /out for markers; sets TREE and OUT (= $TREE/out)
#   ns_start CMD [ARGS...]    run CMD (a path inside the tree) as PID 1 of a new pid/mount/uts/ipc
#                             namespace, chrooted into $TREE, /proc mounted, stdin /dev/null,
#                             stdout+stderr appended to $NS_LOG (or to $NS_STDOUT when set:
#                             a FIFO nobody reads, say); sets NS_PID (host pid of the
#                             namespace's PID 1) and NS_UNSHARE_PID (our child, the unshare process)
#   start_ctinit [ARGS...]    ns_start /sbin/ctinit ARGS...
#   it_script NAME BODY       /bin/NAME in the tree: a /bin/sh script running BODY (no unit-file
#                             or inittab quoting to get right)
#   it_unit NAME [BODY]       an enabled unit: /etc/systemd/system/NAME.service with "[Service]",
#                             BODY (printf %b: \n separates lines; without BODY, stdin as it
#                             is), WantedBy=multi-user.target
#   it_user_nobody            nobody (65534) and nogroup in the tree's passwd and group
#   wait_for_log ERE SECS     poll $NS_LOG until grep -E matches; non-zero on timeout
#   log_count ERE             number of $NS_LOG lines matching
#   in_ns CMD [ARGS...]       run CMD inside the namespace (nsenter -p -m -u -i, its root and cwd),
#                             bounded by $IN_NS_TIMEOUT (default 20 s), clean environment
#   send_signal SIG           kill -SIG the namespace's PID 1 from the host
#   wait_exit SECS            wait for PID 1 (i.e. the unshare process) to exit; returns and sets
#                             NS_RC to its exit status (128+N when killed by signal N), sets
#                             NS_EXIT_SECS to the seconds waited; returns 124 and NS_TIMED_OUT=1 on
#                             timeout (the namespace is left running; cleanup kills it)
#   ns_kill                   SIGKILL the namespace (from the host, cannot be refused) and reap
#   ns_host_pids              host pids of every process in the namespace
#   ns_pid_alive NSPID        the process with namespace pid NSPID exists (zombies count)
#   ns_zombies                "nspid comm" of every zombie in the namespace, one a line
#   ns_state NSPID            one-letter state (R S D Z T ...) of namespace pid NSPID, or "-"
#   ns_ppid NSPID             parent pid (namespace view) of namespace pid NSPID
#   marker_line NAME          line number of the first /out/markers line for NAME (0 if none)
#   marker_count NAME         number of /out/markers lines for NAME
#   has_marker NAME           a marker line for NAME exists
#   marker_field NAME N       field N (1-based) of the first marker line for NAME
#   before A B                marker A was written before marker B (both present)
#   no_marker_re ERE          no marker whose name matches ^(ERE)$
#   log_has STR / log_lacks STR   fixed-string test on $NS_LOG
#   file_is PATH TEXT         PATH exists and its content (trailing newlines stripped) is TEXT
#   start_count NAME / pid_of NAME   lines of /out/NAME.starts / content of /out/NAME.pid
#   dump_ns_log               print $NS_LOG (called on failure by it_finish)
#   it_finish                 ct_summary; dumps the log(s) when a check failed; exits
#
# Markers: helper scripts in fixtures/common/bin append "NAME UPTIME PID rl=RUNLEVEL prev=PREVLEVEL"
# lines to /out/markers; $OUT/markers on the host is the same file (the tree is a plain directory).

IT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=../lib/common.sh
source "$IT_DIR/../lib/common.sh"

IT_FIXTURES=$IT_DIR/fixtures
IN_NS_TIMEOUT=${IN_NS_TIMEOUT:-20}
IT_TREE_SEQ=0
IT_LOGS=()
NS_PID=""
NS_UNSHARE_PID=""
NS_LOG=""
NS_RC=""
NS_EXIT_SECS=""
NS_TIMED_OUT=0
NS_ENV=()

it_init() {
  ct_require_root
  ct_require_cmd unshare nsenter chroot timeout awk file
  local bb
  bb=$(command -v busybox || true)
  [[ -n "$bb" ]] || ct_skip "busybox not found (apt-get install busybox-static)"
  file -L "$bb" | grep -q 'statically linked' ||
    ct_skip "$bb is not statically linked (apt-get install busybox-static)"
  IT_BUSYBOX=$(readlink -f "$bb")
  CTINIT=$(ct_ctinit_bin "${1:-}") || exit $?
  IT_WORK=$(mktemp -d /tmp/ctinit-it.XXXXXX)
  chmod 0755 "$IT_WORK"
  ct_on_exit _it_cleanup
  ct_log "work dir $IT_WORK, binary $CTINIT"
}

_it_cleanup() {
  ns_kill
  if [[ -n "${IT_KEEP:-}" ]]; then
    ct_log "IT_KEEP set: leaving $IT_WORK"
  else
    rm -rf --one-file-system "$IT_WORK"
  fi
}

# The busybox base tree, built once per test run and copied for every it_tree.
_it_base() {
  local b=$IT_WORK/base a
  [[ -d "$b" ]] && return 0
  mkdir -p "$b.tmp"/{bin,sbin,usr/bin,usr/sbin,etc,proc,sys,dev,run,tmp,root,var/log,out}
  ln -s ../run "$b.tmp/var/run"
  chmod 1777 "$b.tmp/tmp"
  cp "$IT_BUSYBOX" "$b.tmp/bin/busybox"
  # No busybox init/halt/reboot/poweroff/telinit/runlevel: they would only confuse the results.
  for a in $("$IT_BUSYBOX" --list); do
    case "$a" in
      busybox | init | linuxrc | halt | reboot | poweroff | telinit | runlevel) continue ;;
    esac
    ln -s busybox "$b.tmp/bin/$a"
  done
  # Device nodes (no /dev/console: like `docker run` without -t).
  mknod -m 0666 "$b.tmp/dev/null" c 1 3
  mknod -m 0666 "$b.tmp/dev/zero" c 1 5
  mknod -m 0666 "$b.tmp/dev/full" c 1 7
  mknod -m 0666 "$b.tmp/dev/random" c 1 8
  mknod -m 0666 "$b.tmp/dev/urandom" c 1 9
  mknod -m 0666 "$b.tmp/dev/tty" c 5 0
  printf 'root:x:0:0:root:/root:/bin/sh\n' >"$b.tmp/etc/passwd"
  printf 'root:x:0:\n' >"$b.tmp/etc/group"
  mv "$b.tmp" "$b"
}

it_tree() {
  IT_TREE_SEQ=$((IT_TREE_SEQ + 1))
  TREE=$IT_WORK/tree$IT_TREE_SEQ
  OUT=$TREE/out
  _it_base
  cp -a "$IT_WORK/base" "$TREE"
  local f
  for f in common "$@"; do
    [[ -d "$IT_FIXTURES/$f" ]] || ct_die "no fixture directory $IT_FIXTURES/$f"
    cp -a --remove-destination "$IT_FIXTURES/$f/." "$TREE/"
  done
  chmod 0755 "$TREE"/bin/* 2>/dev/null || true
  install -m 0755 "$CTINIT" "$TREE/sbin/ctinit"
  : >"$OUT/markers"
}

ns_start() {
  [[ -z "$NS_PID" && -z "$NS_UNSHARE_PID" ]] || ct_die "ns_start: a namespace is already running"
  NS_LOG=$TREE.log
  IT_LOGS+=("$NS_LOG")
  NS_RC=""
  NS_TIMED_OUT=0
  # --mount-proc mounts the new pid namespace's proc at $TREE/proc (private mount namespace);
  # env -i and chroot exec in place, so the forked child stays the namespace's PID 1.
  unshare --pid --fork --mount --uts --ipc --propagation private --mount-proc="$TREE/proc" -- \
    /usr/bin/env -i PATH=/sbin:/usr/sbin:/bin:/usr/bin HOME=/root TERM=dumb "${NS_ENV[@]}" \
    /usr/sbin/chroot "$TREE" "$@" </dev/null >>"${NS_STDOUT:-$NS_LOG}" 2>&1 &
  NS_UNSHARE_PID=$!
  local i c
  for ((i = 0; i < 200; i++)); do
    c=$(cat "/proc/$NS_UNSHARE_PID/task/$NS_UNSHARE_PID/children" 2>/dev/null || true)
    c=${c%% *}
    if [[ -n "$c" && "$(readlink "/proc/$c/root" 2>/dev/null)" == "$TREE" ]]; then
      NS_PID=$c
      break
    fi
    _ns_exited && break
    sleep 0.05
  done
  if [[ -z "$NS_PID" ]]; then
    if _ns_exited; then
      # Already gone (a very short-lived PID 1): wait_exit still collects the status.
      ct_log "namespace PID 1 exited at once: $*"
      return 0
    fi
    cat "$NS_LOG" >&2
    ct_die "ns_start: namespace PID 1 did not come up (unshare pid $NS_UNSHARE_PID)"
  fi
  ct_log "namespace PID 1 = host pid $NS_PID: $*"
}

start_ctinit() { ns_start /sbin/ctinit "$@"; }

it_script() {
  printf '#!/bin/sh\n%s\n' "$2" >"$TREE/bin/$1"
  chmod 0755 "$TREE/bin/$1"
}

it_unit() {
  local d=$TREE/etc/systemd/system
  mkdir -p "$d/multi-user.target.wants"
  {
    printf '[Service]\n'
    if (($# > 1)); then printf '%b\n' "$2"; else cat; fi
    printf '[Install]\nWantedBy=multi-user.target\n'
  } >"$d/$1.service"
  ln -sf "../$1.service" "$d/multi-user.target.wants/$1.service"
}

it_user_nobody() {
  echo 'nobody:x:65534:65534:nobody:/nonexistent:/bin/sh' >>"$TREE/etc/passwd"
  echo 'nogroup:x:65534:' >>"$TREE/etc/group"
}

ns_kill() {
  if [[ -n "$NS_PID" ]]; then
    kill -KILL "$NS_PID" 2>/dev/null || true
  fi
  if [[ -n "$NS_UNSHARE_PID" ]]; then
    timeout 10 tail --pid="$NS_UNSHARE_PID" -f /dev/null 2>/dev/null || kill -KILL "$NS_UNSHARE_PID" 2>/dev/null
    wait "$NS_UNSHARE_PID" 2>/dev/null || true
  fi
  NS_PID=""
  NS_UNSHARE_PID=""
}

wait_for_log() {
  local ere=$1 secs=${2:-10}
  ct_wait_until "$secs" grep -qE -- "$ere" "$NS_LOG"
}

log_count() { grep -cE -- "$1" "$NS_LOG" 2>/dev/null || true; }

in_ns() {
  [[ -n "$NS_PID" ]] || { echo "in_ns: no namespace" >&2; return 125; }
  timeout -k 2 "$IN_NS_TIMEOUT" nsenter -t "$NS_PID" -p -m -u -i --root --wd \
    /bin/env -i PATH=/sbin:/usr/sbin:/bin:/usr/bin HOME=/root "$@"
}

send_signal() {
  [[ -n "$NS_PID" ]] || { echo "send_signal: no namespace" >&2; return 125; }
  kill -s "$1" "$NS_PID"
}

wait_exit() {
  local secs=$1 t0
  t0=$(ct_now)
  NS_TIMED_OUT=0
  if ! ct_wait_until_fast "$secs" _ns_exited; then
    # shellcheck disable=SC2034 # read by the tests
    NS_TIMED_OUT=1
    NS_EXIT_SECS=$(ct_elapsed "$t0" "$(ct_now)")
    ct_log "wait_exit: PID 1 still running after ${secs}s"
    return 124
  fi
  NS_EXIT_SECS=$(ct_elapsed "$t0" "$(ct_now)")
  wait "$NS_UNSHARE_PID"
  NS_RC=$?
  ct_log "PID 1 exited with status $NS_RC after ${NS_EXIT_SECS}s"
  NS_PID=""
  NS_UNSHARE_PID=""
  return "$NS_RC"
}

_ns_exited() { ! kill -0 "$NS_UNSHARE_PID" 2>/dev/null || [[ "$(_proc_state "$NS_UNSHARE_PID")" == Z ]]; }

# Like ct_wait_until but polls every 50 ms (for timings).
ct_wait_until_fast() { CT_POLL=0.05 ct_wait_until "$@"; }

_proc_state() {
  local s
  s=$(cat "/proc/$1/stat" 2>/dev/null) || { echo -; return; }
  s=${s##*) }
  echo "${s%% *}"
}

ns_host_pids() {
  [[ -n "$NS_PID" ]] || return 0
  local want p
  want=$(readlink "/proc/$NS_PID/ns/pid" 2>/dev/null) || return 0
  for p in /proc/[0-9]*; do
    [[ "$(readlink "$p/ns/pid" 2>/dev/null)" == "$want" ]] && echo "${p#/proc/}"
  done
  return 0
}

# Host pid for a namespace pid (last NSpid field == NSPID), empty if none.
_ns_host_pid() {
  local want=$1 p nspid
  for p in $(ns_host_pids); do
    nspid=$(awk '/^NSpid:/ { print $NF }' "/proc/$p/status" 2>/dev/null)
    [[ "$nspid" == "$want" ]] && { echo "$p"; return 0; }
  done
  return 1
}

# The namespace's own /proc, seen through its PID 1's root (cheap: no scan of the host's /proc).
_ns_proc() { echo "/proc/$NS_PID/root/proc"; }

ns_pid_alive() { [[ -n "$1" && -n "$NS_PID" && -e "$(_ns_proc)/$1/stat" ]]; }

ns_state() {
  local st
  st=$(cat "$(_ns_proc)/$1/stat" 2>/dev/null) || { echo -; return; }
  st=${st##*) }
  echo "${st%% *}"
}

# PPid in the namespace's numbering
ns_ppid() { awk '/^PPid:/ { print $2 }' "$(_ns_proc)/$1/status" 2>/dev/null; }

ns_zombies() {
  local p nspid
  for p in $(ns_host_pids); do
    if [[ "$(_proc_state "$p")" == Z ]]; then
      nspid=$(awk '/^NSpid:/ { print $NF }' "/proc/$p/status" 2>/dev/null)
      echo "$nspid $(cat "/proc/$p/comm" 2>/dev/null)"
    fi
  done
}

ns_ps() {
  local p
  for p in $(ns_host_pids); do
    printf '%s %s %s\n' "$(awk '/^NSpid:/ { print $NF }' "/proc/$p/status" 2>/dev/null)" \
      "$(_proc_state "$p")" "$(tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null)"
  done
}

marker_line() { awk -v n="$1" '$1 == n { print NR; found = 1; exit } END { if (!found) print 0 }' "$OUT/markers"; }
marker_count() { awk -v n="$1" '$1 == n { c++ } END { print c + 0 }' "$OUT/markers"; }
has_marker() { [[ $(marker_count "$1") -gt 0 ]]; }
marker_field() { awk -v n="$1" -v f="$2" '$1 == n { print $f; exit }' "$OUT/markers"; }
before() {
  local a b
  a=$(marker_line "$1")
  b=$(marker_line "$2")
  [[ $a -gt 0 && $b -gt 0 && $a -lt $b ]]
}

# No marker line whose name matches ERE (anchored: NAME must match ^(ERE)$).
no_marker_re() { ! awk '{ print $1 }' "$OUT/markers" | grep -qE "^($1)\$"; }
log_has() { grep -qF -- "$1" "$NS_LOG"; }
log_lacks() { ! grep -qF -- "$1" "$NS_LOG"; }
# file_is PATH TEXT: PATH's content, trailing newline stripped, equals TEXT
file_is() { [[ -f "$1" && "$(cat "$1")" == "$2" ]]; }

# Count of lines in /out/NAME.starts (each start of a helper service appends its pid).
start_count() { if [[ -f "$OUT/$1.starts" ]]; then wc -l <"$OUT/$1.starts"; else echo 0; fi; }
pid_of() { cat "$OUT/$1.pid" 2>/dev/null; }

dump_ns_log() {
  local l
  for l in "${IT_LOGS[@]}"; do
    echo "----- $l -----"
    cat "$l" 2>/dev/null
  done
  if [[ -n "${OUT:-}" && -s "$OUT/markers" ]]; then
    echo "----- $OUT/markers -----"
    cat "$OUT/markers"
  fi
  echo "-----"
}

it_finish() {
  if ! ct_summary; then
    dump_ns_log
    exit 1
  fi
  exit 0
}
