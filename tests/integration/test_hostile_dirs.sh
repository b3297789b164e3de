#!/bin/bash
# A service's own directories (RuntimeDirectory= & co) cannot reach PID 1's: issue 11 case 3.
# evil.service (User=nobody) asks for RuntimeDirectory=. (that would chown /run to nobody and
# empty it on stop, taking /run/initctl and the control socket with it) and StateDirectory=../etc;
# plant.service (User=nobody) owns /run/plant and leaves a link /run/plant/link -> /etc in it;
# follow.service then asks for RuntimeDirectory=plant/link/pwn, which must not make /etc/pwn.
# flood.service (User=nobody) fills its RuntimeDirectory=flood with 100,000 files: while they
# are removed on stop, PID 1 still answers within 1 s, and the directory is gone eventually.
# After all of that PID 1 still answers telinit and systemctl and exits 0 on SIGTERM.
source "$(dirname "$0")/lib.sh"
it_init "$@"

it_tree no_inittab
it_user_nobody
d=$TREE/etc/systemd/system
it_unit evil 'User=nobody\nRuntimeDirectory=. evil\nStateDirectory=../etc\nExecStart=/bin/sh -c "/bin/mark evil-start; exec sleep 100000"'
it_unit plant 'User=nobody\nRuntimeDirectory=plant\nRuntimeDirectoryPreserve=yes\nExecStart=/bin/sh -c "ln -s /etc /run/plant/link; /bin/mark plant-start; exec sleep 100000"'
chmod 0666 "$OUT/markers"  # flood.service marks as nobody
it_unit flood 'User=nobody\nRuntimeDirectory=flood\nExecStart=/bin/sh -c "cd /run/flood && mkdir -p a/b/c && seq 1 100000 | sed s/^/f/ | xargs touch && /bin/mark flood-full; exec sleep 100000"'
printf '[Service]\nRuntimeDirectory=plant/link/pwn\nExecStart=/bin/mark follow-start\n' >"$d/follow.service"

start_ctinit
wait_for_log 'Entering runlevel: ' 20
ct_wait_until 10 eval 'has_marker evil-start && has_marker plant-start'
sc() { in_ns /sbin/ctinit systemctl "$@"; }

ct_check "log: RuntimeDirectory=. refused, naming the unit file and line" \
  grep -qE 'evil.service:[0-9]+: \[Service\] RuntimeDirectory: "\." is not a normalised relative path below /run' "$NS_LOG"
ct_check "log: StateDirectory=../etc refused" \
  grep -qF 'StateDirectory: "../etc" is not a normalised relative path' "$NS_LOG"
ct_check "evil.service still got its proper directory /run/evil, owned by nobody" \
  test "$(stat -c %u "$TREE/run/evil" 2>/dev/null)" = 65534
ct_check "/run is still root's, mode 755 (got $(stat -c '%u %a' "$TREE/run"))" \
  test "$(stat -c '%u %a' "$TREE/run")" = "0 755"
ct_check "/etc is still root's (got $(stat -c '%u' "$TREE/etc"))" test "$(stat -c %u "$TREE/etc")" = 0

sc stop evil.service
ct_check "systemctl stop evil.service: /run/evil removed" test ! -e "$TREE/run/evil"
ct_check "... /run/initctl is still there" test -p "$TREE/run/initctl"
ct_check "... telinit still reaches PID 1 (telinit q exits 0)" in_ns /sbin/ctinit telinit q
out=$(sc is-active plant.service 2>&1)
ct_check "... systemctl still reaches PID 1 (plant.service: $out)" test "$out" = active

sc start follow.service
ct_check "follow.service (RuntimeDirectory=plant/link/pwn through a planted link) did not run" \
  no_marker_re follow-start
ct_check "... and /etc/pwn was not made" test ! -e "$TREE/etc/pwn"
ct_check "log: cannot create /run/plant/link/pwn: the link is named" \
  grep -qE 'cannot create /run/plant/link/pwn: link: is a symbolic link' "$NS_LOG"

# How long PID 1 takes to answer `systemctl is-active plant.service`, in seconds ("" on failure).
answer_time() {
  local t0 t1 out
  t0=$(ct_now)
  out=$(sc is-active plant.service 2>&1)
  t1=$(ct_now)
  [[ "$out" == active ]] && ct_elapsed "$t0" "$t1"
}
leftovers() { find "$TREE/run" -maxdepth 1 \( -name flood -o -name '.ctinit-removing.*' \) | wc -l; }
ct_wait_until 90 has_marker flood-full
ct_check "flood.service made its 100,000 files ($(find "$TREE/run/flood" | wc -l) entries)" has_marker flood-full
base=$(answer_time) || base=99  # the same request with nothing being removed (a loaded host)
t_stop=$(ct_now)
sc stop flood.service &
stop_pid=$!
worst=0
for _ in 1 2 3 4 5 6 7 8; do
  sleep 0.1
  t=$(answer_time) || t=99
  ct_lt "$worst" "$t" && worst=$t
done
wait "$stop_pid" || true
ct_wait_until 60 eval '[[ $(leftovers) == 0 ]]'
t_gone=$(ct_now)
ct_log "flood: slowest answer while removing ${worst} s (${base} s before); all removed $(ct_elapsed "$t_stop" "$t_gone") s after the stop began"
ct_check "while the 100,000 files are removed PID 1 answers systemctl within 1 s of its usual time (slowest ${worst} s, ${base} s before the stop)" \
  ct_lt "$worst" "$(awk -v b="$base" 'BEGIN { print 1 + b }')"
ct_check "... /run/flood and its renamed tree are gone eventually" test "$(leftovers)" = 0
ct_check "... telinit still reaches PID 1" in_ns /sbin/ctinit telinit q

send_signal TERM
wait_exit 20
ct_check "SIGTERM: PID 1 exits 0 (rc $NS_RC)" test "$NS_RC" = 0
ct_check "/etc survived the stop of everything" test -f "$TREE/etc/passwd"
it_finish
