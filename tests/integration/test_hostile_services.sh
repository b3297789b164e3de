#!/bin/bash
# Hostile services against PID 1 (issue 11 cases 1 and 4), with the real binary:
# 1. evil.service (User=nobody, Type=notify, NotifyAccess=all) names victim.service's process as
#    its MAINPID with systemd-notify: refused with a warning; `systemctl stop evil` then leaves
#    the victim alive, and the victim's service still shows active.
# 4. storm.socket activates storm.service, which exits at once (/bin/false): one connection must
#    not become an endless respawn storm — the start limiter and the socket's trigger limit stop
#    it, the socket is failed, and it stays so after the client is gone.
# PID 1 answers systemctl and exits 0 on SIGTERM at the end.
source "$(dirname "$0")/lib.sh"
it_init "$@"

it_tree no_inittab
it_user_nobody
d=$TREE/etc/systemd/system
mkdir -p "$d/multi-user.target.wants" "$d/sockets.target.wants"
it_script victim 'echo $$ >/out/victim.pid; exec sleep 100000'
it_script evil 'v=$(cat /out/victim.pid); /sbin/ctinit systemd-notify --ready --pid="$v"; exec sleep 100000'
it_script storm 'echo x >>/out/storm.starts; exit 1'
printf '[Service]\nExecStart=/bin/victim\n[Install]\nWantedBy=multi-user.target\n' >"$d/victim.service"
printf '[Unit]\nAfter=victim.service\n[Service]\nUser=nobody\nType=notify\nNotifyAccess=all\nExecStart=/bin/evil\nTimeoutStartSec=5\n[Install]\nWantedBy=multi-user.target\n' >"$d/evil.service"
PORT=$((20000 + RANDOM % 20000))
printf '[Socket]\nListenStream=127.0.0.1:%s\n[Install]\nWantedBy=sockets.target\n' "$PORT" >"$d/storm.socket"
printf '[Service]\nExecStart=/bin/storm\n' >"$d/storm.service"
for u in victim.service evil.service; do ln -s "../$u" "$d/multi-user.target.wants/$u"; done
ln -s ../storm.socket "$d/sockets.target.wants/storm.socket"

start_ctinit
wait_for_log 'Entering runlevel: ' 20
sc() { in_ns /sbin/ctinit systemctl "$@"; }

# --- case 1 ---
ct_wait_until 10 test -s "$OUT/victim.pid"
victim=$(cat "$OUT/victim.pid" 2>/dev/null)
ct_wait_until 8 log_has 'MAINPID='
ct_check "evil's MAINPID=$victim (another service's process) was refused with a warning" \
  grep -qE "evil.service: MAINPID=$victim from uid 65534 refused" "$NS_LOG"
sc stop evil.service >/dev/null 2>&1
sleep 0.5
ct_check "systemctl stop evil.service left the victim ($victim) alive" ns_pid_alive "$victim"
ct_check "victim.service still shows active" test "$(sc is-active victim.service)" = active

# --- case 4 ---
echo hi | in_ns /bin/nc -w 1 127.0.0.1 "$PORT" >/dev/null 2>&1 || true
sleep 5
n1=$(start_count storm)
sleep 3
n2=$(start_count storm)
ct_check "one connection: storm.service started a bounded number of times ($n1, not thousands)" \
  test "$n1" -ge 1 -a "$n1" -le 25
ct_check "... and the starts stopped after the client left ($n1 -> $n2 in 3 s)" test "$n1" = "$n2"
ct_check "log: the start limit or the socket's trigger limit ended it" \
  grep -qE 'storm.(socket|service).*(trigger limit hit|start limit|respawning too fast|too fast)' "$NS_LOG"
ct_check "PID 1 still answers systemctl (list-units)" eval 'sc list-units >/dev/null'

send_signal TERM
wait_exit 20
ct_check "SIGTERM: PID 1 exits 0 (rc $NS_RC)" test "$NS_RC" = 0
it_finish
