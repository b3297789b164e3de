#!/bin/bash
# Not PID 1: ctinit started by another process makes itself a child subreaper (an orphan of
# its tree is reparented to ctinit, not to PID 1) and on SIGTERM stops only its own descendants:
# a sibling outside its tree, and PID 1, survive. That needs --subreaper (tests/integration/
# fixtures/not_pid1/bin/outer): without it, under a PID 1 that is not a container runtime's init,
# `ctinit frobnicate` (an unknown word) and a bare `ctinit` refuse with exit 2 and start nothing
# (issue 11 case 11: typed on a host they used to boot the host's services).
source "$(dirname "$0")/lib.sh"
it_init "$@"

gone() { ! ns_pid_alive "$1"; }

it_tree not_pid1
ns_start /bin/outer
ct_wait_until 10 test -s "$OUT/ctinit.pid"
ctpid=$(cat "$OUT/ctinit.pid")
sib=$(cat "$OUT/sibling.pid")
wait_for_log 'Entering runlevel: 3' 20
ct_wait_until 10 eval 'has_marker s-start && test -s "$OUT/o.orphan"'
ct_check "ctinit (ns pid $ctpid, not 1) boots: 'Entering runlevel: 3'" log_has 'Entering runlevel: 3'
ct_check "service s started" ns_pid_alive "$(pid_of s)"
orphan=$(cat "$OUT/o.orphan" 2>/dev/null)
sleep 0.5
pp=$(ns_ppid "$orphan")
ct_check "orphan $orphan was reparented to ctinit $ctpid (subreaper), PPid=$pp" test "$pp" = "$ctpid"
# shellcheck disable=SC2034 # used in eval strings
s=$(pid_of s) schild=$(cat "$OUT/s.child" 2>/dev/null)

in_ns kill -TERM "$ctpid"
ct_wait_until 20 test -s "$OUT/ctinit.rc"
ct_check "ctinit exited after SIGTERM (within 20 s)" test -s "$OUT/ctinit.rc"
ct_check "ctinit exit status 0 (got $(cat "$OUT/ctinit.rc" 2>/dev/null))" file_is "$OUT/ctinit.rc" 0
ct_check "log: 'received SIGTERM: halt'" log_has 'received SIGTERM: halt'
ct_wait_until 5 eval 'gone "$s" && gone "$schild" && gone "$orphan"'
ct_check "ctinit's service s and its group child are gone" eval 'gone "$s" && gone "$schild"'
ct_check "ctinit's orphan is gone" gone "$orphan"
ct_check "sibling $sib outside ctinit's tree survived" ns_pid_alive "$sib"
ct_check "sibling is not a zombie and not stopped (state $(ns_state "$sib"))" test "$(ns_state "$sib")" = S
ct_check "PID 1 (the parent) survived" kill -0 "$NS_PID"
ns_kill

it_tree not_pid1
cat >"$TREE/bin/refuse" <<'SH'
#!/bin/sh
/sbin/ctinit frobnicate >/out/status.out 2>&1
echo $? >/out/status.rc
/sbin/ctinit >/out/plain.out 2>&1
echo $? >/out/plain.rc
while :; do sleep 1; done
SH
chmod 0755 "$TREE/bin/refuse"
ns_start /bin/refuse
ct_wait_until 10 test -s "$OUT/plain.rc"
ct_check "not PID 1: 'ctinit frobnicate' exits 2 (got $(cat "$OUT/status.rc" 2>/dev/null))" \
  file_is "$OUT/status.rc" 2
ct_check "... with the usage, naming the word" grep -qF 'unknown argument "frobnicate"' "$OUT/status.out"
ct_check "not PID 1, no --subreaper: a bare 'ctinit' exits 2 (got $(cat "$OUT/plain.rc" 2>/dev/null))" \
  file_is "$OUT/plain.rc" 2
ct_check "... saying why and what to pass" grep -qF 'pass --subreaper' "$OUT/plain.out"
sleep 0.5
ct_check "... and nothing was started (service s never ran)" test ! -e "$OUT/s.pid"
ct_check "... and no level was entered" eval '! grep -q "Entering runlevel" "$OUT/plain.out" "$NS_LOG"'
ns_kill
it_finish
