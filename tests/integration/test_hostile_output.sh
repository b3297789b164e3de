#!/bin/bash
# Console output never blocks PID 1 (issue 11, case 5). The real binary as PID 1 with its stdout
# and stderr a pipe nobody drains (a stalled `docker logs`), services writing megabytes through
# the output tap (SyslogIdentifier= tagging) and ctinit logging: PID 1 keeps answering
# systemctl and telinit, exits 0 on SIGTERM, and once the pipe is read again it reports how many
# bytes it dropped. A PID 1 that writes its console blocking hangs at the first full pipe.
source "$(dirname "$0")/lib.sh"
it_init "$@"
IN_NS_TIMEOUT=5

it_tree
mkdir -p "$TREE/usr/bin"
ln -s /sbin/ctinit "$TREE/usr/bin/systemctl"
# IgnoreSIGPIPE=no: with systemd's default (SIGPIPE ignored) busybox's `yes` never stops
# once `head` has gone (it ignores EPIPE) and chatty-done would never come.
it_unit chatty <<'U'
SyslogIdentifier=chatty
IgnoreSIGPIPE=no
ExecStart=/bin/sh -c '/bin/mark chatty-start; yes "a line of chatter from a busy service" | head -c 4000000; /bin/mark chatty-done; exec sleep 100000'
U
it_unit alive <<'U'
ExecStart=/bin/sh -c '/bin/mark alive-start; exec sleep 100000'
U

# $TREE.log (where ns_start sends PID 1's stdout and stderr) is a FIFO whose reader never reads.
mkfifo "$TREE.log"
sleep 100000 <"$TREE.log" &
STALLED_READER=$!
start_ctinit
sc() { in_ns /usr/bin/systemctl "$@"; }
ct_check "alive.service and chatty.service started" \
  ct_wait_until 10 eval 'has_marker alive-start && has_marker chatty-start'
ct_check "chatty.service wrote its 4 MB (PID 1 kept reading its pipe)" \
  ct_wait_until 15 has_marker chatty-done
out=$(sc status chatty.service 2>&1)
ct_check "systemctl status answers with the console stalled ($out)" \
  eval '[[ "$out" == *"Active: active (running)"* ]]'
ct_check "telinit q is answered" in_ns /sbin/ctinit telinit q
ct_check "systemctl is-active after the reload" eval '[[ "$(sc is-active alive.service)" == active ]]'

# The reader comes back: what PID 1 held is written, then the count of what it dropped.
drained=$IT_WORK/drained
timeout 3 cat "$TREE.log" >"$drained" 2>/dev/null &
CATPID=$!
sleep 1
wait "$CATPID" 2>/dev/null
ct_check "after the stall: 'N bytes of console output dropped' is reported" \
  grep -qE '^ctinit: warning: [0-9]+ bytes of console output dropped$' "$drained"

send_signal TERM
wait_exit 20
rc=$?
ct_check "SIGTERM: exit 0 (got $NS_RC) within 20 s" eval '[[ $NS_TIMED_OUT -eq 0 && $rc -eq 0 ]]'
kill "$STALLED_READER" 2>/dev/null
wait "$STALLED_READER" 2>/dev/null
# it_finish prints $TREE.log on failure: a regular file now, with what was read.
rm -f "$TREE.log" && cp "$drained" "$TREE.log"
it_finish
