#!/bin/bash
# systemd socket units beyond Accept=no (tests/integration/fixtures/sockets), issue 12:
# - Accept=yes on 127.0.0.1: three parallel connections each get their own instance of
#   echo@.service (systemd's names, listed by `ctinit status` and `systemctl list-units`), with
#   the connection as stdin/stdout and $LISTEN_FDS=1; each instance is gone once its connection
#   closes; over MaxConnections= a connection is closed at once with one log line;
# - Accept=yes on an abstract UNIX address (@name), and an Accept=no socket on one that starts its
#   service;
# - READY=1 from a shell script, through ctinit's systemd-notify and through a one-line helper
#   that has exited by the time PID 1 reads its datagram: the service becomes active every time
#   (20 restarts of each);
# - an instance is a service of its own made from the whole template: ExecStartPre= and
#   ExecStopPost= run with %i = systemd's instance string, Environment= and $REMOTE_ADDR reach it;
#   `systemctl status` shows it and `systemctl stop` stops it;
# - removing its socket (disabled, daemon-reload) stops the listening but not a running instance;
# - the instances are stopped at shutdown (ExecStopPost= runs), exit 0.
# The clients are tests/integration/ctsock.c, built static here (the tree is busybox only).
source "$(dirname "$0")/lib.sh"
it_init "$@"
ct_require_cmd cc

PORT=$((20000 + RANDOM % 20000))
it_tree sockets
cc -static -O1 -o "$TREE/bin/ctsock" "$IT_DIR/ctsock.c" 2>"$IT_WORK/cc.log" ||
  ct_skip "cannot build a static client: $(head -3 "$IT_WORK/cc.log")"
sed -i "s/@PORT@/$PORT/" "$TREE"/etc/systemd/system/*.socket
CTSOCK=$TREE/bin/ctsock  # static: runs on the host too (same network namespace)
start_ctinit
wait_for_log 'Entering runlevel: 3' 20 || ct_fail "ctinit did not reach runlevel 3"
ct_check "log: the three sockets are loaded" grep -qE 'systemd units: [0-9]+ loaded \(3 sockets\)' "$NS_LOG"
ct_check "log: no socket refused" eval '! grep -qE "socket.*(not used|cannot listen)" "$NS_LOG"'
sc() { in_ns /usr/bin/systemctl "$@"; }

# --- Accept=yes, TCP: 3 parallel connections, 3 instances ---
clients=()
for i in 1 2 3; do
  "$CTSOCK" tcp 127.0.0.1 "$PORT" "hello-$i" 3 >"$IT_WORK/reply$i" 2>&1 &
  clients+=($!)
done
sleep 1.5
status=$(in_ns /sbin/ctinit status 2>&1)
# shellcheck disable=SC2034 # used in the eval below
units=$(sc list-units 2>&1)
ct_log "ctinit status while connected:"$'\n'"$status"
n=$(grep -cE "echo@[0-9]+-127\.0\.0\.1:$PORT-127\.0\.0\.1:[0-9]+\.service +started +[0-9]+" <<<"$status" || true)
ct_check "ctinit status: 3 running instances named echo@N-127.0.0.1:$PORT-127.0.0.1:PEER.service ($n)" \
  test "$n" -eq 3
names=$(grep -oE "echo@[0-9]+-[^ ]*\.service" <<<"$status" | sort -u | wc -l)
ct_check "... three different names" test "$names" -eq 3
ct_check "systemctl list-units shows them" \
  eval '[[ $(grep -cE "echo@[0-9]+-127\.0\.0\.1:$PORT-.*\.service" <<<"$units") -eq 3 ]]'
wait "${clients[@]}"
for i in 1 2 3; do
  r=$(tr '\n' ' ' <"$IT_WORK/reply$i")
  ct_check "connection $i: its own instance answered with LISTEN_FDS=1 and echoed ($r)" \
    eval '[[ "$r" == "instance fds=1 pid="[0-9]*" hello-$i " ]]'
done
p1=$(grep -oE 'pid=[0-9]+' "$IT_WORK/reply1") p2=$(grep -oE 'pid=[0-9]+' "$IT_WORK/reply2")
p3=$(grep -oE 'pid=[0-9]+' "$IT_WORK/reply3")
ct_check "three different instance processes ($p1 $p2 $p3)" \
  eval '[[ "$p1" != "$p2" && "$p2" != "$p3" && "$p1" != "$p3" ]]'
ct_wait_until 5 eval '! in_ns /sbin/ctinit status 2>&1 | grep -q "echo@"'
ct_check "the instances are gone once their connections closed" \
  eval '! in_ns /sbin/ctinit status 2>&1 | grep -q "echo@"'
ct_check "no zombies left" eval '[[ -z "$(ns_zombies)" ]]'

# --- MaxConnections=4: the fifth is closed at once, with one log line ---
clients=()
for i in 1 2 3 4; do
  "$CTSOCK" tcp 127.0.0.1 "$PORT" "held-$i" 3 >/dev/null 2>&1 &
  clients+=($!)
done
sleep 1
fifth=$(timeout 5 "$CTSOCK" tcp 127.0.0.1 "$PORT" fifth 2>&1)
fifth_rc=$?
# Closed with its line unread: EOF or a reset, but no answer.
ct_check "MaxConnections=4: the fifth connection is closed at once, no instance ($fifth_rc: $fifth)" \
  eval '[[ $fifth_rc != 124 && "$fifth" != *instance* ]]'
ct_check "log: one line about it" \
  test "$(log_count 'echo.socket: too many connections \(4\): connection closed')" -eq 1
wait "${clients[@]}"
ct_wait_until 5 eval '! in_ns /sbin/ctinit status 2>&1 | grep -q "echo@"'
again=$(timeout 5 "$CTSOCK" tcp 127.0.0.1 "$PORT" again 2>&1 | tr '\n' ' ')
ct_check "after they closed, a connection gets an instance again ($again)" \
  eval '[[ "$again" == "instance fds=1 "*" again " ]]'

# --- abstract addresses ---
r=$(timeout 5 "$CTSOCK" abstract "ctinit-test-abs-$PORT" via-abstract 2>&1 | tr '\n' ' ')
ct_check "Accept=yes on @ctinit-test-abs-$PORT: an instance answered ($r)" \
  eval '[[ "$r" == "abstract fds=1 pid="[0-9]*" via-abstract " ]]'
ct_check "no socket file for an abstract address" eval '! ls "$TREE"/run | grep -q abs'
ct_check "plain.service (Accept=no, abstract) not started before a connection" \
  no_marker_re plain-start
timeout 2 "$CTSOCK" abstract "ctinit-test-plain-$PORT" wake >/dev/null 2>&1
ct_wait_until 5 has_marker plain-start
ct_check "a connection to @ctinit-test-plain-$PORT started plain.service" has_marker plain-start

# --- READY=1 from a script, 20 times each ---
for unit in notify-applet notify-oneliner; do
  ok=0
  for ((i = 0; i < 20; i++)); do
    if sc restart "$unit.service" >/dev/null 2>&1 && [[ "$(sc is-active "$unit.service")" == active ]]; then
      ok=$((ok + 1))
    fi
  done
  ct_check "$unit.service: active after each of 20 restarts ($ok)" test "$ok" -eq 20
done
ct_check "log: no notification left unattributed" \
  eval '! grep -q "exited before it was read, not taken" "$NS_LOG"'
ct_check "log: no start timed out" eval '! grep -qiE "notify-.*(timed out|timeout)" "$NS_LOG"'

# --- an instance is a service: the template's steps, %i, systemctl status and stop ---
# A held connection to echo.socket (no other echo instance runs by now): HELD is the client's
# pid, INST its instance's name.
held_instance() {
  "$CTSOCK" tcp 127.0.0.1 "$PORT" "$1" 30 >"$IT_WORK/$1" 2>&1 &
  HELD=$!
  INST=
  ct_wait_until 5 eval 'INST=$(sc list-units --all 2>&1 | grep -oE "echo@[0-9]+-[^ ]*\.service" | head -1); [[ -n $INST ]]'
}
held_instance stop-me
id=${INST#echo@}
id=${id%.service}
ct_check "an instance name to stop ($INST)" eval '[[ "$id" =~ ^[0-9]+-127\.0\.0\.1:$PORT-127\.0\.0\.1:[0-9]+$ ]]'
ct_check "its ExecStartPre= ran with %i = $id" \
  eval 'grep -qE "^echo-pre .* $id\$" "$OUT/markers"'
ct_check "its main command has Environment=INSTANCE=%i and \$REMOTE_ADDR" \
  ct_wait_until 3 eval 'grep -qE "^echo-main .* $id 127\.0\.0\.1\$" "$OUT/markers"'
st=$(sc status "$INST" 2>&1)
ct_log "systemctl status $INST:"$'\n'"$st"
ct_check "systemctl status: active with its main pid and the template's description" \
  eval '[[ "$st" == *"Active: active"* && "$st" =~ "Main PID: "[0-9]+ && "$st" == *"Echo for one connection $id"* ]]'
out=$(sc stop "$INST" 2>&1)
rc=$?
ct_check "systemctl stop $INST: exit 0 ($rc: $out)" test "$rc" -eq 0
ct_check "... its ExecStopPost= ran" ct_wait_until 3 eval 'grep -qE "^echo-post .* $id\$" "$OUT/markers"'
main=$(grep -oE "Main PID: [0-9]+" <<<"$st" | grep -oE "[0-9]+$")
ct_check "... its main process ($main) is gone" \
  ct_wait_until 3 eval '! in_ns /bin/kill -0 "$main" 2>/dev/null'
ct_check "... and it is gone" eval '! sc list-units --all 2>&1 | grep -qF "$INST"'

# --- the socket goes away: no more connections, the running instance stays ---
held_instance outlives
kept=$INST
rm "$TREE/etc/systemd/system/sockets.target.wants/echo.socket"
sc daemon-reload >/dev/null 2>&1
ct_check "after echo.socket is removed, nothing listens on $PORT" \
  ct_wait_until 5 eval '! timeout 3 "$CTSOCK" tcp 127.0.0.1 "$PORT" late 2>/dev/null | grep -q instance'
ct_check "... and its running instance $kept goes on" \
  eval '[[ "$(sc is-active "$kept")" == active ]] && kill -0 $HELD'

# --- shutdown with that instance running ---
client=$HELD
ct_check "an instance runs before the shutdown" \
  eval 'in_ns /sbin/ctinit status 2>&1 | grep -q "echo@"'
send_signal TERM
wait_exit 20
ct_check "SIGTERM: exit 0 ($NS_RC) within 10 s ($NS_EXIT_SECS s)" \
  eval '[[ "$NS_RC" == 0 ]] && awk -v s="$NS_EXIT_SECS" "BEGIN { exit !(s < 10) }"'
kid=${kept#echo@}
kid=${kid%.service}
ct_check "the instance was stopped at shutdown: its ExecStopPost= ran" \
  eval 'grep -qE "^echo-post .* $kid\$" "$OUT/markers"'
kill "$client" 2>/dev/null
wait "$client" 2>/dev/null
it_finish
