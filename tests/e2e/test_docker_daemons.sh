#!/usr/bin/env bash
# e2e: real Debian daemons that need what systemd itself provides (issue 12), under Docker. A
# Debian 12 rootfs with rsyslog and exim4-daemon-light installed by apt and no init system
# (tests/lib/rootfs.sh debian-daemons), ctinit as PID 1 running the units:
#   - rsyslog.service Requires=syslog.socket, which ships in the systemd package: ctinit's
#     built-in syslog.socket listens on /dev/log and is passed to rsyslog (imuxsock);
#   - exim4 ships only /etc/init.d/exim4: ctinit's built-in sysv generator makes exim4.service
#     from its LSB header and its S links (Type=forking, `exim4 start` / `exim4 stop`).
# PostgreSQL is in the image too (for the generator test); it is disabled here.
#
#   bash tests/e2e/test_docker_daemons.sh /path/to/ctinit
#
# Checks:
#   boot   the log names exim4.service as generated; rsyslog.service and exim4.service start;
#          `ctinit status exim4` says started
#   serve  `logger hello-ctinit` reaches /var/log/syslog; rsyslog took /dev/log from ctinit
#          ("Acquired UNIX socket '/dev/log'"); exim's listener answers SMTP on 127.0.0.1:25
#          ("220 ... ESMTP Exim") and `exim4 -bp` reads its queue
#   stop   `docker stop`: exit 0 quickly; exim4 was stopped by `/etc/init.d/exim4 stop` (its
#          "Stopping MTA" message in the log, its pid file removed by start-stop-daemon)
#   restart `docker start` again (/run was kept): the unit is generated anew, exim4 starts
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=../lib/docker.sh
source "$here/../lib/docker.sh"

STOP_BOUND=15
BOOT_BOUND=${CT_BOOT_BOUND:-90}

bin=$(ct_ctinit_bin "${1:-}")
rootfs_require debian-daemons
docker_start_private

extra=$(mktemp -d "$CTINIT_CACHE/tmp/daemons.XXXXXX")
ct_on_exit "rm -rf '$extra'"
# Containers run with --network none, which has no ::1: exim (Debian's default listens on
# "127.0.0.1 ; ::1") would retry that bind for minutes before it writes its pid file.
img=$(docker_image_ctinit debian-daemons "$bin" ctinit-test/debian-daemons-ctinit "$extra" \
  'rm -f /etc/systemd/system/multi-user.target.wants/postgresql.service /etc/rc?.d/S*postgresql &&
   sed -i "s/^dc_local_interfaces=.*/dc_local_interfaces=127.0.0.1/" /etc/exim4/update-exim4.conf.conf')
ct_log "image $img"

c=$(docker_run_d "$img" /sbin/ctinit)
ct_on_exit "dk rm -f '$c' >/dev/null 2>&1"
dx() { dkt 30 exec "$c" "$@"; }

if ! docker_wait_log "$c" "exim4.service: started" "$BOOT_BOUND"; then
  ct_fail "boot: exim4.service started within ${BOOT_BOUND}s" "not in the log"
  docker_dump "$c" 80
fi
docker_wait_log "$c" "rsyslog.service: started" 20 || true

# --- boot ---
ct_check "boot: the log names exim4.service as generated for its init script" \
  docker_log_has "$c" "generated for /etc/init.d scripts without a unit: exim4.service"
ct_check "boot: the generated unit is in /run/systemd/generator.late" \
  dx grep -qx "ExecStart=/etc/init.d/exim4 start" /run/systemd/generator.late/exim4.service
ct_check "boot: rsyslog.service started (its Requires=syslog.socket is built in)" \
  docker_log_has "$c" "rsyslog.service: started"
st=$(dx /sbin/ctinit status exim4 2>&1 || true)
ct_check "boot: ctinit status exim4: state started ($(grep state: <<<"$st" | xargs))" \
  eval '[[ "$st" == *exim4.service* && "$st" == *"state: started"* ]]'
ct_check "boot: postgresql is not started (disabled here)" \
  eval '! docker_log_has "$c" "postgresql.service: started"'

# --- serve ---
ct_check "serve: /dev/log is a socket" dx test -S /dev/log
dx logger hello-ctinit || true
ct_wait_until 10 dx grep -q hello-ctinit /var/log/syslog || true
ct_check "serve: logger hello-ctinit appears in /var/log/syslog" dx grep -q hello-ctinit /var/log/syslog
ct_check "serve: rsyslog acquired /dev/log from ctinit (socket activation)" \
  dx grep -q "imuxsock: Acquired UNIX socket '/dev/log'" /var/log/syslog
epid=$(dx cat /run/exim4/exim.pid 2>/dev/null || true)
ct_check "serve: exim4's daemon runs (pid file /run/exim4/exim.pid: $epid)" \
  eval '[[ -n "$epid" ]] && dx kill -0 "$epid"'
banner=$(dx bash -c 'exec 3<>/dev/tcp/127.0.0.1/25; head -n1 <&3; printf "QUIT\r\n" >&3' 2>&1 || true)
ct_check "serve: exim answers SMTP on 127.0.0.1:25 ($banner)" \
  eval '[[ "$banner" == 220*Exim* ]]'
ct_check "serve: exim4 -bp reads the queue" dx exim4 -bp

# --- stop ---
docker_check_stop "stop: docker stop exits 0 in < ${STOP_BOUND}s" "$c" "$STOP_BOUND" 80
ct_check "stop: exim4 stopped through /etc/init.d/exim4 stop ('Stopping MTA' in the log)" \
  docker_log_has "$c" "Stopping MTA"
ct_check "stop: the log says exim4.service stopped" docker_log_has "$c" "exim4.service: stopped"
ct_check "stop: exim4's pid file was removed by its stop script" \
  eval '! dk cp "$c:/run/exim4/exim.pid" - >/dev/null 2>&1'
ct_check "stop: 'shutdown complete' in the log" docker_log_has "$c" "shutdown complete in"

# --- restart: /run survives `docker stop`; the generator replaces its own previous output ---
dk start "$c" >/dev/null
ct_wait_until 60 eval '[[ $(docker_log_count "$c" "exim4.service: started") -ge 2 ]]' || true
ct_check "restart: exim4.service started again" \
  eval '[[ $(docker_log_count "$c" "exim4.service: started") -ge 2 ]]'
ct_check "restart: no complaint from the sysv generator" eval '! docker_log_has "$c" "sysv generator"'
docker_check_stop "restart: docker stop exits 0 in < ${STOP_BOUND}s" "$c" "$STOP_BOUND" 80

ct_summary
