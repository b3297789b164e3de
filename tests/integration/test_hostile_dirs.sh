#!/bin/bash
# A service's own directories (RuntimeDirectory= & co) cannot reach PID 1's: issue 11 case 3.
# evil.service (User=nobody) asks for RuntimeDirectory=. (that would chown /run to nobody and
# empty it on stop, taking /run/initctl and the control socket with it) and StateDirectory=../etc;
# plant.service (User=nobody) owns /run/plant and leaves a link /run/plant/link -> /etc in it;
# follow.service then asks for RuntimeDirectory=plant/link/pwn, which must not make /etc/pwn.
# After all of that PID 1 still answers telinit and systemctl and exits 0 on SIGTERM.
source "$(dirname "$0")/lib.sh"
it_init "$@"

it_tree no_inittab
it_user_nobody
d=$TREE/etc/systemd/system
it_unit evil 'User=nobody\nRuntimeDirectory=. evil\nStateDirectory=../etc\nExecStart=/bin/sh -c "/bin/mark evil-start; exec sleep 100000"'
it_unit plant 'User=nobody\nRuntimeDirectory=plant\nRuntimeDirectoryPreserve=yes\nExecStart=/bin/sh -c "ln -s /etc /run/plant/link; /bin/mark plant-start; exec sleep 100000"'
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

send_signal TERM
wait_exit 20
ct_check "SIGTERM: PID 1 exits 0 (rc $NS_RC)" test "$NS_RC" = 0
ct_check "/etc survived the stop of everything" test -f "$TREE/etc/passwd"
it_finish
