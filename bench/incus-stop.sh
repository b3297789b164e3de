#!/usr/bin/env bash
# bench/incus-stop.sh — `incus restart` and `incus stop` wall times for sysvinit and ctinit as init
# of the same Debian bookworm image under incus. Prints a markdown table on stdout.
#
#   bash bench/incus-stop.sh [/path/to/ctinit]     (default: build/ctinit)
#
# Rows (one container each, the rootfs.sh debian-sysvinit image with incus_debian_fixups, stock
# inittab; started, waited for `runlevel` = "N 2", then restarted, waited again, then stopped):
#   sysvinit   /sbin/init. Debian 12's inittab maps SIGPWR (incus's stop signal) to its
#              `powerwait` entry, /etc/init.d/powerfail, which Debian 12 does not ship: nothing
#              happens and incus would wait for ever. Each command is bounded by
#              --timeout $HANG_SECONDS (default 20) and reported as "hung (killed at N s)";
#              the container is then stopped with --force.
#   ctinit     /sbin/ctinit through raw.lxc lxc.init.cmd.
# Needs root and incus (scripts/install-deps.sh); exit 77 when missing. Nothing is asserted.
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=../tests/lib/incus.sh
source "$here/../tests/lib/incus.sh"

bin=${1:-$here/../build/ctinit}
HANG_SECONDS=${HANG_SECONDS:-20}
incus_require
have_ctinit=0
if [[ -x "$bin" ]]; then
  bin=$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")
  have_ctinit=1
else
  ct_log "bench: no ctinit binary at $bin: measuring sysvinit only"
fi
incus_start_daemon
image=$(incus_image_rootfs debian-sysvinit)

_runlevel_is_2() { [[ $(incus_exec "$1" runlevel 2>/dev/null) == "N 2" ]]; }

# measure NAME VERB: incus VERB --timeout HANG_SECONDS NAME; prints the table cell.
measure() {
  local name=$1 verb=$2 t0 rc t
  t0=$(ct_now)
  inc $((HANG_SECONDS + 30)) "$verb" --timeout "$HANG_SECONDS" "$name" >/dev/null 2>&1
  rc=$?
  t=$(ct_elapsed "$t0" "$(ct_now)")
  if ((rc == 0)); then
    printf '%.1f s' "$t"
  else
    printf 'hung (killed at %s s)' "$HANG_SECONDS"
    inc 60 stop --force "$name" >/dev/null 2>&1
  fi
}

# row LABEL NAME [CTINIT]: one table row.
row() {
  local label=$1 name=$2 ctinit=${3:-} restart stop
  incus_launch "$name" "$image" "$ctinit"
  incus_debian_fixups
  incus_start "$name" || ct_die "bench: $name did not start"
  ct_wait_until 60 _runlevel_is_2 "$name"
  restart=$(measure "$name" restart)
  [[ "$(incus_state "$name")" == RUNNING ]] || incus_start "$name"
  ct_wait_until 60 _runlevel_is_2 "$name"
  stop=$(measure "$name" stop)
  printf '| %s | %s | %s |\n' "$label" "$restart" "$stop"
}

echo "| init | incus restart | incus stop |"
echo "|---|---|---|"
row "sysvinit (/sbin/init)" ctinit-bench-sysv
((have_ctinit)) && row "ctinit (/sbin/ctinit)" ctinit-bench-ct "$bin"
exit 0
