#!/bin/bash
# Fault injection: the real ctinit as PID 1 (tests/integration/lib.sh: pid namespace + chroot
# into a busybox tree) against what hostile or broken services and clients do (issue 11). In
# every case PID 1 must keep answering `systemctl` (control socket) and `telinit` (/run/initctl)
# while the fault is on, and exit 0 within its shutdown budget (8 s here, the default) on SIGTERM.
# The numbers of each case are printed as a table at the end.
#
#   stdout-stall  PID 1's stdout is a FIFO nobody reads; a service writes 4 MiB of tagged output
#   fork-on-stop  a service that forks a new child every 10 ms once it gets SIGTERM
#   ignore-term   a service that ignores SIGTERM (TimeoutStopSec=2)
#   orphans       a service leaves 10,000 orphans that exit at once: no zombie is left
#   respawn-storm an inittab respawn entry and a Restart=always unit that exit at once
#   request-flood 2,000 garbage init_requests into /run/initctl, 500 systemctl calls
#   full-run      /run is a tmpfs filled to its last block and inode after boot
#   emfile        PID 1's RLIMIT_NOFILE at 48 and 200 control connections held open
#
#   bash tests/faults/test_faults.sh [build/ctinit] [CASE...]
source "$(dirname "$0")/../integration/lib.sh"
it_init "${1:-}"
ct_require_cmd gcc python3 prlimit mount
shift || true
CASES=("$@")
((${#CASES[@]})) || CASES=(stdout-stall fork-on-stop ignore-term orphans respawn-storm
  request-flood full-run emfile)
BUDGET=8

# --- helpers ---------------------------------------------------------------------------------

units_tree() {  # a busybox tree with no inittab; units are added with it_unit NAME BODY
  it_tree no_inittab
  UNITS=$TREE/etc/systemd/system
  mkdir -p "$UNITS/multi-user.target.wants"
}
sc() { in_ns /sbin/ctinit systemctl "$@"; }

# Seconds (3 decimals) that `CMD...` takes inside the namespace; "timeout" when it needed more
# than 5 s.
answer_time() {
  local t0 t1
  t0=$(ct_now)
  if IN_NS_TIMEOUT=5 in_ns "$@" >/dev/null 2>&1; then
    t1=$(ct_now)
    ct_elapsed "$t0" "$t1"
  else
    echo timeout
  fi
}

# PID 1 answers both clients now: systemctl (control socket) and telinit (the FIFO).
check_answers() {  # CASE
  local s t
  s=$(answer_time /sbin/ctinit systemctl list-units)
  t=$(answer_time /sbin/ctinit telinit q)
  ct_check "$1: PID 1 answers systemctl (${s}s)" test "$s" != timeout
  ct_check "$1: PID 1 answers telinit (${t}s)" test "$t" != timeout
  ANSWER="$s/$t"
}

# CPU seconds PID 1 used so far (utime+stime from the host's /proc).
cpu_of_pid1() {
  awk -v hz="$(getconf CLK_TCK)" '{ printf "%.2f", ($14 + $15) / hz }' "/proc/$NS_PID/stat"
}

# SIGTERM, then PID 1 must exit 0 within the budget (+2 s for the namespace to wind down).
stop_in_budget() {  # CASE
  send_signal TERM
  wait_exit $((BUDGET + 2)) || true
  ct_check "$1: SIGTERM: PID 1 exits 0 (rc ${NS_RC:-none} after ${NS_EXIT_SECS}s)" \
    test "${NS_RC:-x}" = 0
  ct_check "$1: ... within the budget of ${BUDGET}s" test "$NS_TIMED_OUT" = 0
  STOP=$NS_EXIT_SECS
  [[ $NS_TIMED_OUT == 1 ]] && ns_kill
}

row() {  # CASE TEXT: one line of the table printed at the end
  printf '| %-13s | %-40s | %-13s | %7s |\n' "$1" "$2" "$ANSWER" "$STOP" >>"$IT_WORK/rows"
}

# --- the cases -------------------------------------------------------------------------------

case_stdout_stall() {
  units_tree
  it_script chatty 'head -c 4194304 /dev/zero | tr "\\000" x | fold -w 100; exec sleep 100000'
  it_unit chatty 'SyslogIdentifier=chatty\nExecStart=/bin/chatty'
  mkfifo "$IT_WORK/stall"
  exec {hold}<>"$IT_WORK/stall"  # open both ends, never read: the pipe fills and stays full
  NS_STDOUT=$IT_WORK/stall start_ctinit
  sleep 3  # boot, and let chatty fill the pipe many times over
  check_answers stdout-stall
  local cpu
  cpu=$(cpu_of_pid1)
  stop_in_budget stdout-stall
  # What PID 1 wrote before the stall and the drop count it reports when the reader comes back
  # are not awaited: the reader never comes back.
  exec {hold}>&-
  rm -f "$IT_WORK/stall"
  row stdout-stall "4 MiB output, reader stalled; cpu ${cpu}s"
}

case_fork_on_stop() {
  units_tree
  it_script forker 'trap "while :; do sleep 1000 & usleep 10000; done" TERM
/bin/mark forker-up
while :; do sleep 1; done'
  it_unit forker 'ExecStart=/bin/forker\nTimeoutStopSec=3'
  start_ctinit
  ct_wait_until 10 has_marker forker-up
  check_answers fork-on-stop
  stop_in_budget fork-on-stop
  row fork-on-stop "forks every 10 ms after SIGTERM"
}

case_ignore_term() {
  units_tree
  it_script deaf 'trap "" TERM
/bin/mark deaf-up
while :; do sleep 1; done'
  it_unit deaf 'ExecStart=/bin/deaf\nTimeoutStopSec=2'
  start_ctinit
  ct_wait_until 10 has_marker deaf-up
  check_answers ignore-term
  stop_in_budget ignore-term
  ct_check "ignore-term: the deaf service got SIGKILL after its TimeoutStopSec" \
    grep -qE 'SIGKILL to deaf.service' "$NS_LOG"
  row ignore-term "ignores SIGTERM, TimeoutStopSec=2"
}

case_orphans() {
  units_tree
  # 10,000 background children of a shell that then exits: all are reparented to PID 1 and exit
  # within a few seconds of each other.
  gcc -static -O2 -o "$TREE/bin/orphan-burst" "$(dirname "$0")/orphan_burst.c"
  it_script orphans '/bin/orphan-burst 10000 3 >/out/orphans.made && /bin/mark orphans-done'
  it_unit orphans 'Type=oneshot\nRemainAfterExit=yes\nExecStart=/bin/orphans'
  start_ctinit
  ct_wait_until 60 has_marker orphans-done
  ct_check "orphans: the service made its 10,000 orphans ($(cat "$OUT/orphans.made" 2>/dev/null))" \
    has_marker orphans-done
  check_answers orphans
  local z i
  for ((i = 0; i < 20; i++)); do  # the last orphans exit 3 s after they were made
    z=$(ns_zombies | wc -l)
    [[ $z -eq 0 && $(ns_host_pids | wc -l) -lt 100 ]] && break
    sleep 0.5
  done
  ct_check "orphans: all exited and were reaped: no zombie left ($z)" test "$z" -eq 0
  stop_in_budget orphans
  row orphans "10,000 orphans; zombies left: $z"
}

case_respawn_storm() {
  units_tree
  printf 'id:3:initdefault:\nst:3:respawn:/bin/sh -c "echo x >>/out/storm.starts; exit 1"\n' \
    >"$TREE/etc/inittab"
  it_script crashy 'echo x >>/out/crashy.starts; exit 1'
  it_unit crashy 'ExecStart=/bin/crashy\nRestart=always\nRestartSec=0'
  start_ctinit
  sleep 6
  local a b
  a=$(start_count storm) b=$(start_count crashy)
  ct_check "respawn-storm: the inittab entry was stopped by sysvinit's limit (10 in 2 min: $a starts)" \
    test "$a" -le 11
  ct_check "respawn-storm: the unit was stopped by its start limit (5 in 10 s: $b starts)" \
    test "$b" -le 6
  check_answers respawn-storm
  stop_in_budget respawn-storm
  row respawn-storm "starts in 6 s: inittab $a, unit $b"
}

case_request_flood() {
  units_tree
  it_unit idle 'ExecStart=/bin/sleep 100000'
  start_ctinit
  wait_for_log 'Entering runlevel: ' 20
  local t0 t1 i rss0 rss1
  rss0=$(awk '/^VmRSS/ { print $2 }' "/proc/$NS_PID/status")
  t0=$(ct_now)
  # (`wait` alone would also wait for the namespace, a job of this shell: wait for these pids.)
  local writer jobs=()
  head -c $((384 * 2000)) /dev/urandom >"$TREE/run/initctl" &
  writer=$!
  for ((i = 0; i < 500; i++)); do
    in_ns /sbin/ctinit systemctl is-active idle.service >/dev/null 2>&1 &
    jobs+=($!)
    if ((${#jobs[@]} == 50)); then
      wait "${jobs[@]}" || true
      jobs=()
    fi
  done
  wait "$writer" || true
  t1=$(ct_now)
  rss1=$(awk '/^VmRSS/ { print $2 }' "/proc/$NS_PID/status")
  check_answers request-flood
  ct_check "request-flood: PID 1's memory stays bounded (${rss0} -> ${rss1} KiB)" \
    test "$rss1" -lt $((rss0 + 8192))
  stop_in_budget request-flood
  row request-flood "2000 bad + 500 good in $(ct_elapsed "$t0" "$t1")s; rss ${rss0}->${rss1}K"
}

case_full_run() {
  units_tree
  it_unit later 'RuntimeDirectory=later\nExecStart=/bin/sleep 100000'
  rm -f "$UNITS/multi-user.target.wants/later.service"
  mount -t tmpfs -o size=256k,nr_inodes=256,mode=0755 tmpfs "$TREE/run"
  start_ctinit
  wait_for_log 'Entering runlevel: ' 20
  # Fill every block and inode of /run.
  dd if=/dev/zero of="$TREE/run/fill" bs=4k 2>/dev/null || true
  local i=0
  while : >"$TREE/run/f$i" 2>/dev/null; do i=$((i + 1)); done
  sc start later.service >/dev/null 2>&1 || true
  ct_check "full-run: a start that needs /run fails with a log line" \
    grep -qE 'later.service.*(No space left|cannot create)' "$NS_LOG"
  check_answers full-run
  stop_in_budget full-run
  umount -l "$TREE/run" 2>/dev/null || true
  row full-run "tmpfs full ($i extra inodes)"
}

case_emfile() {
  units_tree
  it_unit idle 'ExecStart=/bin/sleep 100000'
  start_ctinit
  wait_for_log 'Entering runlevel: ' 20
  prlimit --pid "$NS_PID" --nofile=48:48
  local sock=$TREE/run/ctinit/control cpu0 cpu1
  python3 - "$sock" 200 20 <<'PY' &  # 200 connections held for 20 s
import socket, sys, time
conns = []
for _ in range(int(sys.argv[2])):
    try:
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.connect(sys.argv[1])
        conns.append(s)
    except OSError:
        pass
time.sleep(int(sys.argv[3]))
PY
  local holder=$!
  sleep 1
  cpu0=$(cpu_of_pid1)
  sleep 3
  cpu1=$(cpu_of_pid1)
  local used
  used=$(awk -v a="$cpu0" -v b="$cpu1" 'BEGIN { printf "%.2f", b - a }')
  ct_check "emfile: PID 1 does not spin at EMFILE (${used} CPU s in 3 s)" \
    awk -v u="$used" 'BEGIN { exit !(u < 0.5) }'
  kill "$holder" 2>/dev/null
  wait "$holder" 2>/dev/null || true
  sleep 1.5  # the back-off ends; the held connections are gone
  check_answers emfile
  stop_in_budget emfile
  row emfile "nofile=48, 200 held; cpu ${used}s/3s"
}

# --- run -------------------------------------------------------------------------------------

for c in "${CASES[@]}"; do
  ANSWER=- STOP=-
  echo "=== $c"
  "case_${c//-/_}"
  ns_kill
done
echo
printf '| %-13s | %-40s | %-13s | %7s |\n' case fault "answer s" "stop s"
echo "|---------------|------------------------------------------|---------------|---------|"
cat "$IT_WORK/rows" 2>/dev/null
echo "(answer s: systemctl/telinit round trip while the fault is on; stop s: SIGTERM to exit)"
it_finish
