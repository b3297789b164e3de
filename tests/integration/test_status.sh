#!/bin/bash
# `ctinit status` and `ctinit list` (init/clients/status.h) against ctinit as PID 1: services from
# every source in one table — an inittab respawn entry, systemd units (a oneshot that talks and
# one that fails), and an OpenRC script's supervise-daemon service — `list --json` parsed by
# python3's json module, `status NAME` with the service's recent output and its exit codes (0 up,
# 3 failed, 4 unknown), no colour when stdout is not a terminal, and the one message (exit 3)
# when ctinit is not running. Also the elapsed time on the boot's state lines.
source "$(dirname "$0")/lib.sh"
it_init "$@"
ct_require_cmd python3

SHIM_FIXTURE=$IT_DIR/../fixtures/openrc-shim
it_tree
cp -a "$SHIM_FIXTURE/etc/init.d" "$TREE/etc/"
cp -a "$SHIM_FIXTURE/usr/." "$TREE/usr/"
cat >"$TREE/etc/inittab" <<'EOF'
id:3:initdefault:
tty1:3:respawn:/bin/sleep 100000
EOF
it_unit talker 'Type=oneshot\nRemainAfterExit=yes\nExecStart=/bin/sh -c "echo talker-line-1; echo talker-line-2"'
it_unit broken 'Type=oneshot\nExecStart=/bin/sh -c "echo broken-says-why; exit 3"'

st() { in_ns /sbin/ctinit "$@"; }
# `ctinit status` in the tree while no ctinit runs there: in a pid namespace of its own, under
# a shell (ctinit is not PID 1), so that it could not touch this machine even if it booted.
status_offline() {
  timeout 10 unshare --pid --fork --mount chroot "$TREE" /bin/sh -c '/sbin/ctinit status' 2>&1
}
not_running_checks() {  # $1: when
  local out rc
  out=$(status_offline)
  rc=$?
  ct_check "not running ($1): exit 3 ($rc)" test "$rc" -eq 3
  ct_check "not running ($1): one clear line ($out)" \
    test "$out" = "ctinit is not running (nothing listens on /run/ctinit/control)"
}

not_running_checks "before boot: no socket"

start_ctinit
wait_for_log 'Entering runlevel: 3' 20 || ct_fail "ctinit did not reach runlevel 3"
ct_wait_until 10 log_has 'broken.service: failed'
ct_check "install-applets (for the OpenRC script)" st install-applets >/dev/null
ct_check "OpenRC script supd started through supervise-daemon" \
  in_ns /etc/init.d/supd start >/dev/null 2>&1

# --- the table ---
out=$(st status)
rc=$?
ct_log "ctinit status:"$'\n'"$out"
ct_check "status: exit 0" test "$rc" -eq 0
ct_check "status: header" eval '[[ "$out" == *"SOURCE"*"NAME"*"STATE"*"PID"*"SINCE"*"LAST EXIT / WHY"* ]]'
ct_check "status: the inittab entry, up with a pid" \
  eval 'grep -qE "^inittab +tty1 +started +[0-9]+ " <<<"$out"'
ct_check "status: the talking unit, up" eval 'grep -qE "^unit +talker.service +started " <<<"$out"'
ct_check "status: the failed unit with its exit" \
  eval 'grep -qE "^unit +broken.service +failed .*exited 3" <<<"$out"'
ct_check "status: the OpenRC script's supervised daemon" \
  eval 'grep -qE "^openrc +supervise:supd +started +[0-9]+ " <<<"$out"'
ct_check "status: a summary line" eval 'grep -qE "^[0-9]+ services: .*started.*failed" <<<"$out"'
ct_check "status: no colour when stdout is not a terminal" eval '[[ "$out" != *$'"'"'\033'"'"'* ]]'
out=$(st list)
ct_check "list: the table without the summary" \
  eval '[[ "$out" == *"tty1"* && "$out" != *" services: "* ]]'

# --- JSON ---
st list --json >"$OUT/list.json"
ct_check "list --json: valid JSON, the stable fields, every source" python3 -c '
import json, sys
services = json.load(open(sys.argv[1]))
by_name = {s["name"]: s for s in services}
for s in services:
    assert set(s) == {"name", "source", "state", "pid", "since_ms", "last_exit", "why",
                      "description", "origin"}, s
assert by_name["tty1"]["source"] == "inittab" and by_name["tty1"]["pid"] > 0
assert by_name["broken.service"]["state"] == "failed"
assert by_name["broken.service"]["last_exit"] == "exited 3"
assert by_name["talker.service"]["source"] == "unit"
assert by_name["supervise:supd"]["source"] == "openrc"
' "$OUT/list.json"

# --- one service ---
out=$(st status talker)
rc=$?
ct_log "ctinit status talker:"$'\n'"$out"
ct_check "status talker (resolved to talker.service): exit 0" test "$rc" -eq 0
ct_check "status talker: its recent output" \
  eval '[[ "$out" == *"Recent output:"*"talker-line-1"*"talker-line-2"* ]]'
out=$(st status broken.service)
rc=$?
ct_check "status of a failed service: exit 3 ($rc)" test "$rc" -eq 3
ct_check "status broken: why and output" \
  eval '[[ "$out" == *"last: exited 3"* && "$out" == *"broken-says-why"* ]]'
st status broken.service --json >"$OUT/broken.json"
ct_check "status NAME --json: one object with its output" python3 -c '
import json, sys
s = json.load(open(sys.argv[1]))
assert s["name"] == "broken.service" and "broken-says-why" in s["output"], s
' "$OUT/broken.json"
out=$(st status supd)
rc=$?
ct_check "status supd: the supervise-daemon service by its script's name, up ($rc)" \
  eval '[[ $rc -eq 0 && "$out" == "supervise:supd (openrc)"* && "$out" == *"state: started"* ]]'
st status nosuch >/dev/null 2>&1
ct_check "status of an unknown service: exit 4" test $? -eq 4
st status a b >/dev/null 2>&1
ct_check "usage error: exit 2" test $? -eq 2

# --- the boot's lines carry the time taken ---
ct_check "log: talker.service started with its time" grep -qE 'talker.service: started in [0-9.]+ s' "$NS_LOG"
ct_check "log: broken.service failed with its time" \
  grep -qE 'broken.service: failed after [0-9.]+ s' "$NS_LOG"

send_signal TERM
wait_exit 20
ct_check "ctinit exits after SIGTERM" test "$NS_TIMED_OUT" -eq 0
ct_check "log: talker.service stopped with its time" \
  grep -qE 'talker.service: stopped in [0-9.]+ s' "$NS_LOG"
not_running_checks "after exit: nobody listens on the socket"
it_finish
