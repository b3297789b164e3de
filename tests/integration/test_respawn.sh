#!/bin/bash
# Respawn + rate limit (sysvinit: 10 starts within 120 s, then
# 'Id "x" respawning too fast: disabled for 5 minutes' and no more starts).
source "$(dirname "$0")/lib.sh"
it_init "$@"

MSG='Id "x" respawning too fast: disabled for 5 minutes'
it_tree respawn
start_ctinit
wait_for_log 'Entering runlevel: 3' 20
ct_wait_until 20 log_has "$MSG"
ct_check "log: '$MSG'" log_has "$MSG"
n1=$(start_count x)
ct_log "x started $n1 times when the message appeared"
# No more starts may happen after the message (give a broken limiter time to show itself).
sleep 4
n2=$(start_count x)
ct_log "x started $n2 times 4 s later"
ct_check "x was started exactly 10 times (got $n2)" test "$n2" -eq 10
ct_check "no start after the 'respawning too fast' message ($n1 -> $n2)" test "$n1" -eq "$n2"
ct_check "the message was logged once (got $(log_count 'respawning too fast'))" \
  test "$(log_count 'respawning too fast')" -eq 1
ct_check "well-behaved respawn entry 'ok' started once and still runs" \
  eval '[[ $(start_count ok) -eq 1 ]] && ns_pid_alive "$(pid_of ok)"'
ct_check "PID 1 is still running" kill -0 "$NS_PID"

# A respawn entry that dies later is restarted (respawn still works for 'ok').
okpid=$(pid_of ok)
kill -KILL "$(_ns_host_pid "$okpid")" 2>/dev/null
ct_wait_until 10 eval '[[ $(start_count ok) -ge 2 ]]'
ct_check "killed respawn entry 'ok' is started again" eval '[[ $(start_count ok) -eq 2 ]] && ns_pid_alive "$(pid_of ok)"'
ct_check "the old 'ok' process was reaped (pid $okpid gone)" eval '! ns_pid_alive "$okpid" || [[ $(pid_of ok) == "$okpid" ]]'
ns_kill
it_finish
