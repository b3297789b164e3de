#!/bin/bash
# Zombie reaping: an entry creates hundreds of orphans; afterwards no zombie is left in the
# namespace, and the reaping does not confuse the supervision of a respawn entry.
source "$(dirname "$0")/lib.sh"
it_init "$@"

no_zombies() { [[ -z "$(ns_zombies)" ]]; }

it_tree zombies
start_ctinit
wait_for_log 'Entering runlevel: 3' 20
ct_wait_until 60 has_marker orphans-done
ct_check "orphan generator finished" has_marker orphans-done
# the longest orphan sleeps 0.9 s
ct_wait_until 10 no_zombies
z=$(ns_zombies)
ct_check "no zombies in the namespace (left: $(echo "$z" | wc -w) words: ${z:0:200})" test -z "$z"
ct_check "respawn entry r started exactly once and still runs (got $(start_count r))" \
  eval '[[ $(start_count r) -eq 1 ]] && ns_pid_alive "$(pid_of r)"'
n=$(ns_host_pids | wc -l)
ct_check "only PID 1 and r's process left in the namespace (got $n: $(ns_ps | tr '\n' ';'))" test "$n" -eq 2
ct_check "PID 1 still running" kill -0 "$NS_PID"
ns_kill
it_finish
