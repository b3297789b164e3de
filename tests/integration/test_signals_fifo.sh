#!/bin/bash
# SIGTSTP/SIGTTIN/SIGTTOU/SIGQUIT neither stop nor kill ctinit (as PID 1 and as a plain child);
# /run/initctl is a FIFO with mode 0600; a bogus write is logged ("bogus") and ignored, and a
# valid request afterwards still works; a tmpfs mounted over /run (Debian's rcS does that) gets a
# new /run/initctl.
source "$(dirname "$0")/lib.sh"
it_init "$@"

host_state() { _proc_state "$1"; }
not_stopped() { local s; s=$(host_state "$1"); [[ "$s" != T && "$s" != t && "$s" != - && "$s" != Z ]]; }

# --- as PID 1 -----------------------------------------------------------------------------------
it_tree signals
start_ctinit
wait_for_log 'Entering runlevel: 2' 20
ct_wait_until 10 has_marker a2-start
for sig in TSTP TTIN TTOU QUIT; do
  send_signal "$sig"
  in_ns kill -"$sig" 1
  sleep 0.3
  ct_check "PID 1: SIG$sig (from host and from inside) leaves it running, state $(host_state "$NS_PID")" not_stopped "$NS_PID"
done
# still responsive: a killed respawn entry comes back
a2=$(pid_of a2)
kill -KILL "$(_ns_host_pid "$a2")"
ct_wait_until 10 eval '[[ $(start_count a2) -ge 2 ]]'
ct_check "PID 1: still supervising after those signals (a2 respawned)" test "$(start_count a2)" -eq 2

FIFO=/proc/$NS_PID/root/run/initctl
ct_check "/run/initctl exists and is a FIFO" test -p "$FIFO"
mode=$(stat -c %a "$FIFO" 2>/dev/null)
ct_check "/run/initctl mode is 0600 (got ${mode:-none})" test "$mode" = 600
ct_check "/run/initctl is owned by root" test "$(stat -c %u "$FIFO" 2>/dev/null)" = 0

timeout 5 sh -c 'head -c 100 /dev/zero >"$1"' _ "$FIFO"
ct_check "bogus 100-byte write accepted by the FIFO (not blocked)" test $? -eq 0
wait_for_log 'bogus' 5
ct_check "bogus 100-byte write logged ('bogus')" log_has 'bogus'
n1=$(log_count bogus)
sleep 0.3
# 384 bytes (the right size) with a wrong magic
timeout 5 sh -c 'head -c 384 /dev/urandom >"$1"' _ "$FIFO"
ct_wait_until 5 eval '[[ $(log_count bogus) -gt $n1 ]]'
ct_check "384-byte request with a wrong magic logged ('bogus')" test "$(log_count bogus)" -gt "$n1"
ct_check "PID 1 alive after bogus requests" not_stopped "$NS_PID"
ct_check "runlevel unchanged after bogus requests" file_is "$TREE/run/runlevel" 2
sleep 0.3
in_ns /sbin/ctinit telinit 3
ct_check "a valid request after the bogus ones works: 'telinit 3' exits 0" test $? -eq 0
wait_for_log 'Switching to runlevel: 3' 10
ct_check "... and is acted on: 'Switching to runlevel: 3'" log_has 'Switching to runlevel: 3'
ct_wait_until 10 has_marker b3-start
ct_check "... and b3 (level 3) started" has_marker b3-start

# Debian's rcS (mountkernfs.sh) mounts a fresh tmpfs on /run after init created /run/initctl;
# sysvinit notices (it stats the FIFO on every loop, 5 s select timeout) and makes a new one.
in_ns mount -t tmpfs -o mode=0755 tmpfs /run
ct_check "(setup) a tmpfs is now mounted on /run in the namespace" \
  eval 'grep -q " /run tmpfs " "/proc/$NS_PID/mounts"'
ct_wait_until 12 test -p "$FIFO"
ct_check "/run/initctl re-created within 12 s after a tmpfs was mounted on /run" test -p "$FIFO"
ct_check "re-created /run/initctl mode is 0600 (got $(stat -c %a "$FIFO" 2>/dev/null))" \
  test "$(stat -c %a "$FIFO" 2>/dev/null)" = 600
IN_NS_TIMEOUT=10 in_ns /sbin/ctinit telinit 2
ct_check "telinit through the re-created FIFO exits 0" test $? -eq 0
wait_for_log 'Switching to runlevel: 2' 10
ct_check "... and is acted on: 'Switching to runlevel: 2'" log_has 'Switching to runlevel: 2'
# SIGUSR1 = re-open /run/initctl (contract, sysvinit): another tmpfs on /run, then SIGUSR1.
in_ns mount -t tmpfs -o mode=0755 tmpfs /run
send_signal USR1
ct_wait_until 3 test -p "$FIFO"
ct_check "SIGUSR1 after another tmpfs on /run: /run/initctl is there within 3 s" test -p "$FIFO"
cur=$(grep -oE '(Entering|Switching to) runlevel: [0-9]' "$NS_LOG" | tail -n1 | awk '{ print $NF }')
if [[ "$cur" == 3 ]]; then target=2; else target=3; fi
n0=$(log_count "Switching to runlevel: $target")
IN_NS_TIMEOUT=10 in_ns /sbin/ctinit telinit "$target"
ct_wait_until 10 eval '[[ $(log_count "Switching to runlevel: $target") -gt $n0 ]]'
ct_check "... and 'telinit $target' (from $cur) through it is acted on" \
  test "$(log_count "Switching to runlevel: $target")" -gt "$n0"
ns_kill

# --- as a plain child of another PID 1 (default actions would stop/kill it here) ------------
it_tree signals
ns_start /bin/outer
ct_wait_until 10 test -s "$OUT/ctinit.pid"
ctpid=$(cat "$OUT/ctinit.pid")
wait_for_log 'Entering runlevel: 2' 20
cthost=$(_ns_host_pid "$ctpid")
for sig in TSTP TTIN TTOU QUIT; do
  in_ns kill -"$sig" "$ctpid"
  sleep 0.3
  ct_check "child ctinit: SIG$sig leaves it running, state $(host_state "$cthost")" not_stopped "$cthost"
done
ct_check "child ctinit: has not exited" test ! -e "$OUT/ctinit.rc"
in_ns kill -CONT "$ctpid"
in_ns kill -TERM "$ctpid"
ct_wait_until 20 test -s "$OUT/ctinit.rc"
ct_check "child ctinit: SIGTERM afterwards still stops it cleanly (status $(cat "$OUT/ctinit.rc" 2>/dev/null))" \
  file_is "$OUT/ctinit.rc" 0
ns_kill
it_finish
