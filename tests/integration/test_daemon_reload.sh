#!/bin/bash
# systemctl daemon-reload and the image's generators (issue 12): PID 1 runs `ctinit
# run-generators` before every load; a daemon-reload is answered only once the generators have
# run and the units were read again (as systemd's), so `systemctl daemon-reload; systemctl start
# X` starts the X a slow generator just wrote. Meanwhile the control socket answers other
# requests, and reloads asked while one runs share one more reload after it. SIGHUP reloads the
# same way. A busybox tree with one unit and one generator that takes 1 s.
source "$(dirname "$0")/lib.sh"
it_init "$@"

sc() { in_ns /usr/bin/systemctl "$@"; }
gen_runs() { marker_count gen-end; }

it_tree
ln -s /sbin/ctinit "$TREE/usr/bin/systemctl"
it_unit base 'ExecStart=/bin/sleep 100000'
mkdir -p "$TREE/etc/systemd/system-generators"
cat >"$TREE/etc/systemd/system-generators/slow-generator" <<'EOF'
#!/bin/sh
# 1 s of work, then (while /etc/gen.on exists) generated.service in the normal output directory.
mark gen-begin
sleep 1
if [ -f /etc/gen.on ]; then
  printf '[Service]\nType=oneshot\nRemainAfterExit=yes\nExecStart=/bin/mark generated-start\n' \
    >"$1/generated.service"
fi
mark gen-end
EOF
chmod 0755 "$TREE/etc/systemd/system-generators/slow-generator"

start_ctinit
wait_for_log 'Entering runlevel: 3' 30
ct_check "boot: the generator ran once before the units were loaded (runs: $(gen_runs))" \
  test "$(gen_runs)" -eq 1
ct_check "boot: no generated.service yet" eval '! sc is-active -q generated.service'

# --- daemon-reload waits for the generator; the next start finds its unit ---
touch "$TREE/etc/gen.on"
t0=$(ct_now)
out=$(sc daemon-reload 2>&1)
rc=$?
t=$(ct_elapsed "$t0" "$(ct_now)")
ct_check "systemctl daemon-reload: exit 0 ($rc: $out)" test "$rc" -eq 0
ct_check "... answered after the 1 s generator had run (took ${t}s, runs $(gen_runs))" \
  eval 'ct_lt 0.9 "$t" && [[ $(gen_runs) -eq 2 ]]'
out=$(sc start generated.service 2>&1)
rc=$?
ct_check "systemctl start generated.service right after: exit 0 ($rc: $out)" test "$rc" -eq 0
ct_check "... it ran" has_marker generated-start

# --- the control socket answers during a reload; reloads asked meanwhile share one more ---
before=$(gen_runs)
sc daemon-reload >"$OUT/r1" 2>&1 &
r1=$!
ct_wait_until_fast 5 eval '[[ $(marker_count gen-begin) -gt $before ]]'
t0=$(ct_now)
state=$(sc is-active base.service 2>&1)
t=$(ct_elapsed "$t0" "$(ct_now)")
ct_check "is-active during the generator's run: active, answered at once (${t}s)" \
  eval '[[ $state == active ]] && ct_lt "$t" 0.8'
sc daemon-reload >"$OUT/r2" 2>&1 &
r2=$!
sc daemon-reload >"$OUT/r3" 2>&1 &
r3=$!
ok=0
for p in $r1 $r2 $r3; do wait "$p" && ok=$((ok + 1)); done
ct_check "three overlapping daemon-reloads: all exit 0 (got $ok)" test "$ok" -eq 3
ct_check "... the two asked during the first shared one more reload (generator runs: $((
  $(gen_runs) - before)))" test "$(($(gen_runs) - before))" -eq 2
ct_check "... log: 'a reload is under way: one more follows it' twice" \
  test "$(log_count 'a reload is under way: one more follows it')" -eq 2

# --- SIGHUP: the same path (the generator no longer writes the unit: it goes away) ---
rm -f "$TREE/etc/gen.on"
before=$(gen_runs)
send_signal HUP
ct_wait_until 10 eval '[[ $(gen_runs) -gt $before ]] && ! sc is-active -q generated.service'
ct_check "SIGHUP: the generator ran again and generated.service is gone" \
  eval '[[ $(gen_runs) -gt $before ]] && ! sc is-active -q generated.service'
ct_check "... base.service still runs" eval '[[ "$(sc is-active base.service)" == active ]]'

send_signal TERM
wait_exit 20
rc=$?
ct_check "SIGTERM: exit 0 (got $NS_RC)" eval '[[ $NS_TIMED_OUT -eq 0 && $rc -eq 0 ]]'
it_finish
