#!/usr/bin/env bash
# e2e: PostgreSQL 15 from Debian's own package under Docker (issue 12). The debian-daemons rootfs
# (tests/lib/rootfs.sh: debian-base + postgresql rsyslog exim4-daemon-light, no init system) with
# ctinit as PID 1 and nothing else changed. Debian's postgresql.service is ExecStart=/bin/true;
# the cluster unit postgresql@15-main.service exists only because postgresql-generator (run by
# `ctinit run-generators` before the units load, unit-compat/generators.h) links it into
# /run/systemd/generator/postgresql.service.wants/.
#
#   bash tests/e2e/test_docker_postgresql.sh /path/to/ctinit
#
# Checks (one container, started twice):
#   boot     the generator's output is there; postgresql@15-main.service started and is active
#   serve    psql (as user postgres, over the unix socket) creates a table and commits a row
#   stop     `docker stop` exits 0 (ctinit's exit code) within the bound; the cluster stopped
#   again    `docker start`: the cluster starts again, the row is still there, and the server
#            log shows a clean shutdown before it (no "not properly shut down", no recovery)
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=../lib/docker.sh
source "$here/../lib/docker.sh"

STOP_BOUND=8
BOOT_BOUND=${CT_BOOT_BOUND:-60}
UNIT=postgresql@15-main.service
PGLOG=/var/log/postgresql/postgresql-15-main.log

bin=$(ct_ctinit_bin "${1:-}")
rootfs_require debian-daemons
docker_start_private

img=$(docker_image_ctinit debian-daemons "$bin" ctinit-test/debian-daemons-ctinit)
ct_log "image $img"

c=$(docker_run_d "$img" /sbin/ctinit)
ct_on_exit "dk rm -f '$c' >/dev/null 2>&1"
dx() { dkt 30 exec "$c" "$@"; }
psql_q() { dkt 30 exec -u postgres "$c" psql -X -q -t -A -v ON_ERROR_STOP=1 -c "$1"; }
started_count() { docker_log_count "$c" "$UNIT: started"; }

# --- boot ---
if ! docker_wait_log "$c" "$UNIT: started" "$BOOT_BOUND"; then
  ct_fail "boot: $UNIT started within ${BOOT_BOUND}s" "not in the log"
  docker_dump "$c" 80
fi
ct_check "boot: postgresql-generator linked $UNIT into /run/systemd/generator/postgresql.service.wants" \
  dx test -L "/run/systemd/generator/postgresql.service.wants/$UNIT"
ct_check "boot: systemctl is-active $UNIT: active" \
  eval '[[ "$(dx /sbin/ctinit systemctl is-active '"$UNIT"')" == active ]]'
ct_check "boot: no generator failed or was killed" eval '! docker_log_has "$c" "run-generators:"'

# --- serve ---
ct_wait_until 20 dx pg_isready -q || true
ct_check "serve: psql creates a table and commits a row" \
  psql_q "CREATE TABLE ctinit_e2e (v text); INSERT INTO ctinit_e2e VALUES ('survives docker stop');"
ct_check "serve: the row reads back" \
  eval '[[ "$(psql_q "SELECT v FROM ctinit_e2e")" == "survives docker stop" ]]'

# --- stop ---
docker_check_stop "stop: docker stop exits 0 in < ${STOP_BOUND}s" "$c" "$STOP_BOUND" 80
ct_check "stop: the log says $UNIT stopped" docker_log_has "$c" "$UNIT: stopped"

# --- again ---
dk start "$c" >/dev/null
if ! ct_wait_until "$BOOT_BOUND" eval '[[ $(started_count) -ge 2 ]]'; then
  ct_fail "again: $UNIT started again within ${BOOT_BOUND}s" "not in the log"
  docker_dump "$c" 80
fi
ct_wait_until 20 dx pg_isready -q || true
ct_check "again: the committed row is still there" \
  eval '[[ "$(psql_q "SELECT v FROM ctinit_e2e")" == "survives docker stop" ]]'
pglog=$(dx cat "$PGLOG" 2>/dev/null || true)
ct_check "again: the server log shows a clean shutdown ('database system is shut down')" \
  grep -qF "database system is shut down" <<<"$pglog"
ct_check "again: the server started from a clean state ('database system was shut down at')" \
  grep -qF "database system was shut down at" <<<"$pglog"
ct_check "again: no 'not properly shut down' and no 'automatic recovery' in the server log" \
  eval '! grep -qE "not properly shut down|automatic recovery" <<<"$pglog"'
docker_check_stop "again: docker stop exits 0 in < ${STOP_BOUND}s" "$c" "$STOP_BOUND" 80

ct_summary
