#!/usr/bin/env bash
# e2e: PID 1 under hostile services in a real Docker container (issue 11). The scenarios of
# tests/integration/test_hostile_*.sh, all in one Debian 12 container (the debian-units rootfs:
# nginx, redis-server, cron and no init system) with ctinit as PID 1:
#
#   bash tests/e2e/test_docker_hostile.sh /path/to/ctinit
#
# Checks:
#   mainpid  evil.service (User=nobody, NotifyAccess=all) names victim.service's process as its
#            MAINPID: refused; `systemctl stop evil` leaves the victim alive and active
#   fifo     a FIFO as PIDFile= and as EnvironmentFile= is refused at once; a service whose
#            StandardOutput= is a FIFO nobody reads does not hold PID 1
#   dirs     RuntimeDirectory=. and StateDirectory=../etc are refused (/run and /etc stay
#            root's); flood.service (User=nobody) leaves 100,000 files in its RuntimeDirectory=:
#            while they are removed on stop PID 1 answers systemctl within 1 s, and they go
#   output   chatty.service writes 4 MB through the output tap: PID 1 answers meanwhile (last,
#            so that the other checks do not read all of it back from docker logs)
#   storm    one connection to storm.socket, whose service exits at once: a bounded number of
#            starts, then the socket is failed
#   stop     after all of it `docker stop` exits 0 within the grace period
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=../lib/docker.sh
source "$here/../lib/docker.sh"

STOP_BOUND=8
BOOT_BOUND=${CT_BOOT_BOUND:-60}
PORT=8124

bin=$(ct_ctinit_bin "${1:-}")
rootfs_require debian-units
docker_start_private

# The overlay: hostile units, their scripts (under usr/bin: /bin is a symlink on this merged-/usr
# tree) and the applet links.
extra=$(mktemp -d "$CTINIT_CACHE/tmp/hostile.XXXXXX")
ct_on_exit "rm -rf '$extra'"
units=$extra/etc/systemd/system
mkdir -p "$units/multi-user.target.wants" "$units/sockets.target.wants" "$extra/usr/bin"
ln -s /sbin/ctinit "$extra/usr/bin/systemctl"
ln -s /sbin/ctinit "$extra/usr/bin/systemd-notify"
install -m 0755 "$here/../integration/fixtures/common/bin/mark" "$extra/usr/bin/mark"
script() { printf '#!/bin/bash\n%s\n' "$2" >"$extra/usr/bin/$1" && chmod 0755 "$extra/usr/bin/$1"; }
# unit NAME BODY [manual]: a service (BODY with \n escapes), enabled in multi-user.target unless
# it is started by hand or by its socket.
unit() {
  printf '[Service]\n%b\n' "$2" >"$units/$1.service"
  [[ "${3:-}" == manual ]] || ln -s "../$1.service" "$units/multi-user.target.wants/$1.service"
}
script victim 'echo $$ >/out/victim.pid; /usr/bin/mark victim-start; exec sleep infinity'
script evil 'v=$(cat /out/victim.pid); systemd-notify --ready --pid="$v"; exec sleep infinity'
script flood 'cd /run/flood && mkdir -p a/b/c && seq -f f%.0f 1 100000 | xargs touch && /usr/bin/mark flood-full; exec sleep infinity'
script chatty '/usr/bin/mark chatty-start; yes "a line of chatter from a busy service" | head -c 4000000; /usr/bin/mark chatty-done; exec sleep infinity'
# answer-times UNIT: stops UNIT in the background and meanwhile times eight `systemctl
# is-active victim.service`; prints the slowest answer in ms (9999 when one failed).
script answer-times 'systemctl stop "$1" & worst=0
for _ in 1 2 3 4 5 6 7 8; do
  sleep 0.1; t0=$(date +%s%N)
  [[ $(systemctl is-active victim.service) == active ]] || worst=9999
  d=$((($(date +%s%N) - t0) / 1000000)); ((d > worst)) && worst=$d
done
wait; echo "$worst"'
unit victim 'ExecStart=/usr/bin/victim'
unit evil 'User=nobody\nType=notify\nNotifyAccess=all\nTimeoutStartSec=5\nExecStart=/usr/bin/evil\n[Unit]\nAfter=victim.service'
unit fifo-pid 'Type=forking\nPIDFile=/srv/hostile/daemon.pid\nTimeoutStartSec=2\nExecStart=/bin/sh -c "mkfifo /srv/hostile/daemon.pid; sleep infinity & /usr/bin/mark fifo-pid-start"'
unit fifo-env 'EnvironmentFile=/srv/hostile/env.fifo\nExecStart=/usr/bin/mark fifo-env-start'
unit fifo-out 'StandardOutput=append:/srv/hostile/out.fifo\nExecStart=/bin/sh -c "/usr/bin/mark fifo-out-start; exec sleep infinity"'
unit evil-dirs 'User=nobody\nRuntimeDirectory=. evil\nStateDirectory=../etc\nExecStart=/bin/sh -c "/usr/bin/mark evil-dirs-start; exec sleep infinity"'
unit flood 'User=nobody\nRuntimeDirectory=flood\nExecStart=/usr/bin/flood'
unit chatty 'SyslogIdentifier=chatty\nExecStart=/usr/bin/chatty' manual
unit storm 'ExecStart=/bin/sh -c "echo x >>/out/storm.starts; exit 1"' manual
printf '[Socket]\nListenStream=127.0.0.1:%s\n[Install]\nWantedBy=sockets.target\n' "$PORT" >"$units/storm.socket"
ln -s ../storm.socket "$units/sockets.target.wants/storm.socket"
img=$(docker_image_ctinit debian-units "$bin" ctinit-test/debian-hostile-ctinit "$extra" \
  'mkdir -p /out /srv/hostile && chmod 0777 /out && touch /out/markers && chmod 0666 /out/markers && mkfifo /srv/hostile/env.fifo /srv/hostile/out.fifo')
ct_log "image $img"

c=$(docker_run_d "$img" /sbin/ctinit)
ct_on_exit "dk rm -f '$c' >/dev/null 2>&1"
dx() { dkt 30 exec "$c" "$@"; }
sc() { dkt 10 exec "$c" systemctl "$@" 2>&1; }
markers() { dx cat /out/markers 2>/dev/null; }
has_marker() { markers | grep -q "^$1 "; }
active() { [[ "$(sc is-active "$1")" == "$2" ]]; }

if ! ct_wait_until "$BOOT_BOUND" eval 'has_marker victim-start && has_marker flood-full'; then
  ct_fail "boot: victim.service started and flood.service made its files within ${BOOT_BOUND}s" "no markers"
  docker_dump "$c" 80
fi

# --- mainpid ---
victim=$(dx cat /out/victim.pid 2>/dev/null || true)
ct_wait_until 10 docker_log_has "$c" "MAINPID=" || true
ct_check "mainpid: evil's MAINPID=$victim (victim.service's process) refused with a warning" \
  docker_log_has "$c" "evil.service: MAINPID=$victim from uid 65534 refused"
sc stop evil.service >/dev/null || true
ct_check "mainpid: systemctl stop evil.service left the victim ($victim) alive" dx test -d "/proc/$victim"
ct_check "mainpid: victim.service still active" active victim.service active

# --- fifo ---
ct_check "fifo: fifo-env.service refused its FIFO environment file and did not run" \
  eval 'docker_log_has "$c" "cannot read environment file /srv/hostile/env.fifo: not a regular file" && ! has_marker fifo-env-start'
ct_check "fifo: fifo-pid.service's FIFO pid file refused, the service failed after 2 s" \
  ct_wait_until 8 eval 'docker_log_has "$c" "pid file /srv/hostile/daemon.pid: not a regular file" && active fifo-pid.service failed'
ct_check "fifo: fifo-out.service's child waits in open() and PID 1 answers (status active)" \
  eval '[[ "$(sc status fifo-out.service)" == *"Active: active"* ]] && ! has_marker fifo-out-start'

# --- dirs ---
ct_check "dirs: RuntimeDirectory=. and StateDirectory=../etc refused" \
  eval 'docker_log_has "$c" "\".\" is not a normalised relative path" && docker_log_has "$c" "\"../etc\" is not a normalised relative path"'
ct_check "dirs: /run and /etc are still root's 755 ($(dx stat -c '%U %a' /run /etc | tr '\n' ' '))" \
  eval '[[ "$(dx stat -c "%u %a" /run /etc | tr "\n" " ")" == "0 755 0 755 " ]]'
sc stop evil-dirs.service >/dev/null || true
ct_check "dirs: after stopping evil-dirs.service /run/evil is gone, the control socket is not" \
  eval 'dx test ! -e /run/evil && dx test -S /run/ctinit/control && active victim.service active'
files=$(dx sh -c 'ls -f /run/flood | wc -l' 2>/dev/null || echo 0)
worst=$(dx answer-times flood.service 2>/dev/null || echo 9999)
ct_log "dirs: slowest answer while flood's $files entries were removed: ${worst} ms"
ct_check "dirs: while flood.service's $files files are removed PID 1 answers in < 1 s (${worst} ms)" \
  test "$worst" -lt 1000
ct_check "dirs: /run/flood and its renamed tree are gone eventually" \
  ct_wait_until 60 eval '[[ -z "$(dx sh -c "ls -A /run | grep -e ^flood\$ -e ^.ctinit-removing")" ]]'


# --- storm ---
dx bash -c "exec 3<>/dev/tcp/127.0.0.1/$PORT; echo hi >&3" 2>/dev/null || true
sleep 4
n1=$(dx sh -c 'wc -l </out/storm.starts' 2>/dev/null || echo 0)
sleep 2
n2=$(dx sh -c 'wc -l </out/storm.starts' 2>/dev/null || echo 0)
ct_check "storm: one connection started storm.service a bounded number of times ($n1, then $n2)" \
  eval '[[ $n1 -ge 1 && $n1 -le 25 && $n1 == "$n2" ]]'
ct_check "storm: the log names the limit that ended it" \
  eval 'grep -qE "storm.(socket|service).*(trigger limit hit|start limit|too fast)" <<<"$(docker_logs "$c")"'
ct_check "storm: PID 1 still answers (list-units)" eval 'dx systemctl list-units >/dev/null'

# --- output ---
sc start chatty.service >/dev/null || true
ct_wait_until 10 has_marker chatty-start || true
slowest=0
for _ in 1 2 3 4 5; do
  t0=$(ct_now)
  active victim.service active || slowest=99
  t=$(ct_elapsed "$t0" "$(ct_now)")
  ct_lt "$slowest" "$t" && slowest=$t
done
ct_check "output: PID 1 answers while chatty.service writes 4 MB (slowest, docker exec included: ${slowest} s; a hung PID 1 never answers)" \
  ct_lt "$slowest" 5
ct_check "output: chatty.service wrote its 4 MB" ct_wait_until 30 has_marker chatty-done
ct_check "output: its lines reached docker logs tagged" docker_log_has "$c" "chatty["

# --- stop ---
docker_check_stop "stop: docker stop exits 0 in < ${STOP_BOUND}s after all of it" "$c" "$STOP_BOUND" 80
ct_check "stop: 'shutdown complete' in the log" docker_log_has "$c" "shutdown complete in"

ct_summary
