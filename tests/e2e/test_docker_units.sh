#!/usr/bin/env bash
# e2e: systemd units under Docker (issue 4). A Debian 12 rootfs with the real packages nginx,
# redis-server and cron installed by apt (tests/lib/rootfs.sh debian-units: no init system at
# all; their packaging enabled the units with deb-systemd-helper), ctinit as PID 1, plus the
# fixture units of tests/integration/fixtures/units (ordering, Requires= vs Wants= on a failed
# unit, Type=notify gating an After= dependent, ExecStop= with $MAINPID, a TERM-ignoring unit,
# restart semantics, a socket-activated service) and the binary linked as systemctl and
# systemd-notify.
#
#   bash tests/e2e/test_docker_units.sh /path/to/ctinit
#
# Checks:
#   boot   the packaged units start: nginx (Type=forking, PIDFile=), redis-server (Type=notify,
#          User=redis, RuntimeDirectory=), cron; "systemctl is-active" says active for each
#   serve  inside the container nginx answers HTTP on port 80, `redis-cli ping` answers PONG,
#          `systemctl status nginx` shows the main pid from its pid file, `systemctl reload
#          nginx` works, the fixture units behaved (notify gating, failed Requires=, skipped
#          condition, restarts, socket activation, SyslogIdentifier= tagging of journal output)
#   stop   `docker stop`: exit 0 quickly; redis saved its dataset (dump.rdb is in the stopped
#          container); the fixtures stopped in reverse order with ExecStop= and $MAINPID; the
#          TERM-ignoring unit was killed after its own TimeoutStopSec=
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=../lib/docker.sh
source "$here/../lib/docker.sh"

STOP_BOUND=8
BOOT_BOUND=${CT_BOOT_BOUND:-60}

bin=$(ct_ctinit_bin "${1:-}")
rootfs_require debian-units
docker_start_private

# The overlay: the fixture units (and their helper scripts, under usr/bin: /bin is a symlink
# on this merged-/usr tree), the applet links.
extra=$(mktemp -d "$CTINIT_CACHE/tmp/units-fixtures.XXXXXX")
ct_on_exit "rm -rf '$extra'"
cp -a "$here/../integration/fixtures/units/." "$extra/"
mkdir -p "$extra/usr/bin"
for f in mark stubborn; do install -m 0755 "$here/../integration/fixtures/common/bin/$f" "$extra/usr/bin/$f"; done
img=$(docker_image_ctinit debian-units "$bin" ctinit-test/debian-units-ctinit "$extra" \
  'mkdir -p /out && sed -i "s/@PORT@/8123/" /etc/systemd/system/sock.socket &&
   rm -f /etc/systemd/system/multi-user.target.wants/jail.service')
ct_log "image $img"

c=$(docker_run_d "$img" /sbin/ctinit)
ct_on_exit "dk rm -f '$c' >/dev/null 2>&1"
dx() { dkt 30 exec "$c" "$@"; }
markers() { dx cat /out/markers 2>/dev/null; }
mline() { markers | grep -n "^$1 " | head -1 | cut -d: -f1; }
mcount() { markers | grep -c "^$1 " || true; }

if ! docker_wait_log "$c" "redis-server.service: started" "$BOOT_BOUND"; then
  ct_fail "boot: redis-server.service started within ${BOOT_BOUND}s" "not in the log"
  docker_dump "$c" 80
fi
docker_wait_log "$c" "nginx.service: started" 20 || true
ct_wait_until 15 eval '[[ -n "$(mline after-n-start)" && $(mcount crash-start) -ge 3 ]]' || true

# --- boot ---
ct_check "boot: ctinit found the packaged units" docker_log_has "$c" "systemd units:"
for u in nginx redis-server cron; do
  ct_check "boot: systemctl is-active $u: active" eval '[[ "$(dx systemctl is-active '"$u"')" == active ]]'
done
ct_check "boot: no unit in the skip list ran (e.g. systemd-* units are skipped quietly)" \
  eval '! docker_log_has "$c" "systemd-tmpfiles"'

# --- serve ---
resp=$(dx bash -c 'exec 3<>/dev/tcp/127.0.0.1/80; printf "GET / HTTP/1.0\r\nHost: x\r\n\r\n" >&3; head -n1 <&3' 2>&1 || true)
ct_check "serve: nginx answers on port 80 ($resp)" eval '[[ "$resp" == "HTTP/1.1 200 OK"* ]]'
pong=$(dx redis-cli ping 2>&1 || true)
ct_check "serve: redis-cli ping answers PONG ($pong)" test "$pong" = PONG
ct_check "serve: redis-cli set works" eval '[[ "$(dx redis-cli set ctinit-key e2e)" == OK ]]'
ct_check "serve: redis runs as user redis" eval '[[ "$(dx ps -o user= -C redis-server | head -1)" == redis ]]'
ct_check "serve: redis's RuntimeDirectory /run/redis exists" dx test -d /run/redis
st=$(dx systemctl status nginx 2>&1 || true)
npid=$(dx cat /run/nginx.pid 2>/dev/null || true)
ct_check "serve: systemctl status nginx: active (running), Main PID = /run/nginx.pid ($npid)" \
  eval '[[ "$st" == *"Active: active (running)"* && -n "$npid" && "$st" == *"Main PID: $npid"* ]]'
ct_check "serve: systemctl reload nginx: exit 0" dx systemctl reload nginx
resp=$(dx bash -c 'exec 3<>/dev/tcp/127.0.0.1/80; printf "GET / HTTP/1.0\r\n\r\n" >&3; head -n1 <&3' 2>&1 || true)
ct_check "serve: nginx still answers after the reload" eval '[[ "$resp" == "HTTP/1.1 200 OK"* ]]'
ct_check "fixtures: b ordered after a" eval '[[ $(mline a-start) -lt $(mline b-start) ]]'
ct_check "fixtures: req (Requires= a failed unit) not started, want (Wants=) started" \
  eval '[[ -z "$(mline req-start)" && -n "$(mline want-start)" ]]'
# n.service sleeps 1 s before systemd-notify --ready ("n-ready" is marked after that returns,
# so it may come after the dependent's start): the dependent must start about 1 s after n.
mtime() { markers | grep "^$1 " | head -1 | cut -d' ' -f2; }
ct_check "fixtures: after-n started only after n's READY=1 (systemd-notify applet), ~1 s after n" \
  awk -v a="$(mtime n-start)" -v b="$(mtime after-n-start)" 'BEGIN { exit !(a != "" && b != "" && b - a >= 0.9) }'
ct_check "fixtures: skipped condition is not a failure (after-cond ran, cond did not)" \
  eval '[[ -n "$(mline after-cond-start)" && -z "$(mline cond-start)" ]]'
ct_check "fixtures: Restart=on-failure restarted crash.service twice; clean.service once only" \
  eval '[[ $(mcount crash-start) -eq 3 && $(mcount clean-start) -eq 1 ]]'
dx bash -c 'exec 3<>/dev/tcp/127.0.0.1/8123' 2>/dev/null || true
ct_wait_until 5 eval '[[ -n "$(mline sock-fd3)" ]]' || true
ct_check "fixtures: a connection to 127.0.0.1:8123 started sock.service with its fd 3" \
  eval '[[ -n "$(mline sock-fd3)" ]]'
tpid=$(markers | awk '$1 == "tagged-start" { sub("pid=", "", $6); print $6; exit }')
ct_check "fixtures: SyslogIdentifier=foo: 'foo[$tpid]: hello' in docker logs" \
  eval '[[ -n "$tpid" ]] && docker_log_has "$c" "foo[$tpid]: hello"'
ct_check "fixtures: StandardOutput=inherit (tty stdin) output untagged in docker logs" \
  eval 'grep -qx raw-hello <<<"$(docker_logs "$c")"'  # (grep -q on a pipe: SIGPIPE + pipefail)
bpid=$(dx cat /out/b.pid 2>/dev/null || true)

# --- stop ---
docker_check_stop "stop: docker stop exits 0 in < ${STOP_BOUND}s" "$c" "$STOP_BOUND" 80
ct_check "stop: redis saved its dataset (/var/lib/redis/dump.rdb in the stopped container)" \
  eval 'dk cp "$c:/var/lib/redis/dump.rdb" - >/dev/null 2>&1'
ct_check "stop: the log says redis-server.service stopped" docker_log_has "$c" "redis-server.service: stopped"
final=$(dk cp "$c:/out/markers" - 2>/dev/null | tar -xO 2>/dev/null || true)
ct_check "stop: b's ExecStop= ran with MAINPID=$bpid" eval 'grep -q "^b-stop .*MAINPID=$bpid" <<<"$final"'
ct_check "stop: b stopped before a (reverse order)" \
  eval '[[ $(grep -n "^b-stop" <<<"$final" | tail -1 | cut -d: -f1) -lt $(grep -n "^a-stop" <<<"$final" | tail -1 | cut -d: -f1) ]]'
ct_check "stop: stubborn.service ignored SIGTERM and got SIGKILL after TimeoutStopSec=1" \
  eval 'grep -q "^stubborn-TERM" <<<"$final" && docker_log_has "$c" "Sending SIGKILL to stubborn.service"'
ct_check "stop: 'shutdown complete' in the log" docker_log_has "$c" "shutdown complete in"

ct_summary
