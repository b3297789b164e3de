#!/bin/bash
# The process side of systemd units, seen from inside the namespace (/proc/PID/status): a
# User=nobody service with AmbientCapabilities=CAP_NET_BIND_SERVICE binds a port below 1024 (and
# the same service without it cannot), with CapabilityBoundingSet= reduced, NoNewPrivs: 1,
# SIGPIPE ignored (IgnoreSIGPIPE=, default yes; not with IgnoreSIGPIPE=no) and OOMScoreAdjust=;
# PermissionsStartOnly= (ExecStartPre= as root, ExecStart= as the user); ExecCondition= (exit 1:
# skipped, inactive and not failed, the rest not run; 255: failed; 0: started); a Type=forking
# daemon that forks twice found without PIDFile=, and a daemon(3)-style one (forks once, the child
# calls setsid(), the launcher exits) too: `systemctl status` shows its main pid and `systemctl
# stop` stops it; one "not applied in a container" line per unit for its sandboxing directives.
source "$(dirname "$0")/lib.sh"
it_init "$@"

# A privileged port nobody on the host listens on (no network namespace here).
used=$(ss -ltnH 2>/dev/null | awk '{print $4}' | grep -oE '[0-9]+$' | sort -u | tr '\n' ' ')
PORT=
for _ in $(seq 50); do
  p=$((600 + RANDOM % 400))
  [[ " $used " == *" $p "* || " $used " == *" $((p + 1)) "* ]] || { PORT=$p; break; }
done
[[ -n $PORT ]] || ct_skip "no free port below 1024"

it_tree
it_user_nobody
chmod 1777 "$OUT"
mkdir -p "$TREE/usr/bin" && ln -s /sbin/ctinit "$TREE/usr/bin/systemctl"

# The listener: says its pid, then becomes nc (the service's main process).
it_script listen 'echo $$ > /out/$1.pid; exec nc -l -p $2 > /out/$1.got'
it_unit bind "User=nobody\nAmbientCapabilities=CAP_NET_BIND_SERVICE\n\
CapabilityBoundingSet=CAP_NET_BIND_SERVICE\nNoNewPrivileges=yes\nOOMScoreAdjust=500\n\
PrivateTmp=yes\nProtectSystem=strict\nReadWritePaths=/out\n\
ExecStart=/bin/listen bind $PORT"
it_unit nocap "User=nobody\nExecStart=/bin/listen nocap $((PORT + 1))"
it_script pipewait 'echo $$ > /out/pipe.pid; exec sleep 1000'
it_unit pipe "IgnoreSIGPIPE=no\nExecStart=/bin/pipewait"
it_unit pso "User=nobody\nPermissionsStartOnly=yes\nType=oneshot\nRemainAfterExit=yes\n\
ExecStartPre=/bin/sh -c 'id -u > /out/pso.pre'\nExecStart=/bin/sh -c 'id -u > /out/pso.start'"
it_unit cond-no "ExecCondition=/bin/sh -c 'echo ran > /out/cond-no.cond; exit 1'\n\
ExecStartPre=/bin/mark cond-no-pre\nExecStart=/bin/mark cond-no-start\n\
ExecStopPost=/bin/mark cond-no-stoppost\nRestart=always"
it_unit cond-bad "ExecCondition=/bin/sh -c 'exit 255'\nExecStart=/bin/mark cond-bad-start"
it_unit cond-yes "ExecCondition=/bin/true\nExecCondition=-/bin/false\n\
ExecStart=/bin/sh -c '/bin/mark cond-yes-start; exec sleep 1000'"
# Forks twice with setsid() in between, and returns once the daemon runs.
it_script dfork 'setsid /bin/sh -c "sleep 1000 & echo \$! > /out/dfork.pid" &
while [ ! -s /out/dfork.pid ]; do sleep 0.05; done
sleep 0.3'
it_unit dfork "Type=forking\nExecStart=/bin/dfork"
# daemon(3): the child calls setsid() (busybox's setsid does not fork: the child is no group
# leader) and stays; the launcher returns once it runs, and the child is left in a session of its
# own, as every service ctinit starts is.
it_script d3fork 'setsid /bin/sh -c "echo \$\$ > /out/d3fork.pid; exec sleep 1000" &
while [ ! -s /out/d3fork.pid ]; do sleep 0.05; done'
it_unit d3fork "Type=forking\nExecStart=/bin/d3fork"

start_ctinit
wait_for_log 'Entering runlevel: ' 20
sc() { in_ns /usr/bin/systemctl "$@"; }
status_of() { in_ns /bin/cat "/proc/$1/status"; }
field() { awk -v f="$1:" '$1 == f { print $2 }'; }

# --- capabilities across User= ---
ct_wait_until 5 eval '[[ -s $OUT/bind.pid && -s $OUT/nocap.pid ]]'
sleep 0.3
bind_pid=$(cat "$OUT/bind.pid")
st=$(status_of "$bind_pid")
ct_check "bind.service runs as nobody (Uid $(field Uid <<<"$st"))" \
  test "$(field Uid <<<"$st")" = 65534
ct_check "OOMScoreAdjust=500: oom_score_adj 500" \
  eval '[[ "$(in_ns /bin/cat /proc/'"$bind_pid"'/oom_score_adj)" == 500 ]]'
ct_check "it binds port $PORT: a connection from inside the namespace reaches it" \
  eval 'echo hello | in_ns /bin/nc -w 2 127.0.0.1 '"$PORT"' >/dev/null 2>&1; ct_wait_until 3 grep -qx hello "$OUT/bind.got"'
ct_check "CapAmb = CAP_NET_BIND_SERVICE ($(field CapAmb <<<"$st"))" \
  test "$(field CapAmb <<<"$st")" = 0000000000000400
ct_check "CapBnd reduced to it ($(field CapBnd <<<"$st"))" \
  test "$(field CapBnd <<<"$st")" = 0000000000000400
ct_check "NoNewPrivs: 1" test "$(field NoNewPrivs <<<"$st")" = 1
ct_check "SigIgn has SIGPIPE ($(field SigIgn <<<"$st"))" \
  eval '(( (16#$(field SigIgn <<<"$st") & 0x1000) != 0 ))'
ct_check "one summary line for what a container cannot apply" \
  eval '[[ $(log_count "bind.service: not applied in a container: PrivateTmp, ProtectSystem, ReadWritePaths$") -eq 1 ]]'
ct_check "... and no warning of its own for PrivateTmp" log_lacks '[Service] PrivateTmp'
ct_check "without AmbientCapabilities= nobody cannot bind port $((PORT + 1)): nocap failed" \
  eval 'ct_wait_until 5 sc is-failed -q nocap.service'
ct_wait_until 5 test -s "$OUT/pipe.pid"
pipe=$(status_of "$(cat "$OUT/pipe.pid")")
ct_check "IgnoreSIGPIPE=no: SIGPIPE not ignored ($(field SigIgn <<<"$pipe"))" \
  eval '(( (16#$(field SigIgn <<<"$pipe") & 0x1000) == 0 ))'

# --- PermissionsStartOnly= ---
ct_wait_until 5 test -s "$OUT/pso.start"
ct_check "PermissionsStartOnly=yes: ExecStartPre= ran as root" file_is "$OUT/pso.pre" 0
ct_check "... ExecStart= as nobody" file_is "$OUT/pso.start" 65534

# --- ExecCondition= ---
ct_wait_until 5 has_marker cond-yes-start
sleep 0.5  # time for a restart that must not come
ct_check "ExecCondition= exit 1: the condition ran" test -s "$OUT/cond-no.cond"
ct_check "... ExecStartPre=/ExecStart= did not" no_marker_re 'cond-no-(pre|start)'
ct_check "... ExecStopPost= did (as systemd)" has_marker cond-no-stoppost
ct_check "... systemctl is-active: inactive" eval '[[ "$(sc is-active cond-no.service)" == inactive ]]'
ct_check "... and not failed" eval '! sc is-failed -q cond-no.service'
ct_check "... not restarted (Restart=always)" test "$(marker_count cond-no-stoppost)" -eq 1
ct_check "... the log says it was skipped" grep -qE 'cond-no.service: .*skipped: its start condition exited 1' "$NS_LOG"
ct_check "ExecCondition= exit 255: failed, ExecStart= not run" \
  eval 'sc is-failed -q cond-bad.service && no_marker_re cond-bad-start'
ct_check "ExecCondition= exit 0 (and '-' on a failing one): started" \
  eval '[[ "$(sc is-active cond-yes.service)" == active ]]'
out=$(sc start cond-no.service 2>&1)
rc=$?
ct_check "systemctl start of the skipped unit: exit 0 ($rc: $out)" test "$rc" -eq 0

# --- Type=forking without PIDFile=: the main pid guessed ---
ct_wait_until 5 test -s "$OUT/dfork.pid"
ct_check "no Type=forking warning" log_lacks 'Type=forking without PIDFile='
ct_check "dfork.service: MainPID is the daemon that forked twice ($(cat "$OUT/dfork.pid"))" \
  ct_wait_until 3 eval '[[ "$(sc show -p MainPID dfork.service)" == "MainPID=$(cat "$OUT/dfork.pid")" ]]'
ct_wait_until 5 test -s "$OUT/d3fork.pid"
d3=$(cat "$OUT/d3fork.pid")
ct_check "d3fork.service: MainPID is the daemon(3)-style daemon ($d3)" \
  ct_wait_until 3 eval '[[ "$(sc show -p MainPID d3fork.service)" == "MainPID=$d3" ]]'
ct_check "... and systemctl status shows it" \
  eval 'sc status d3fork.service 2>&1 | grep -qE "Main PID: $d3\b"'
ct_check "... which is in a session of its own (sid $d3)" \
  eval '[[ "$(in_ns /bin/cut -d" " -f6 /proc/$d3/stat)" == "$d3" ]]'
out=$(sc stop d3fork.service 2>&1)
rc=$?
ct_check "systemctl stop d3fork.service: exit 0 ($rc: $out)" test "$rc" -eq 0
ct_check "... and the daemon is gone" \
  ct_wait_until 3 eval '! in_ns /bin/kill -0 "$d3" 2>/dev/null'
ct_check "... inactive" eval '[[ "$(sc is-active d3fork.service)" == inactive ]]'

send_signal TERM
wait_exit 20
ct_check "SIGTERM: exit 0 (got $NS_RC)" test "$NS_RC" = 0

it_finish
