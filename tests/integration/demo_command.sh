# qsock demo against a real QEMU ($QSOCK_TEST_QEMU, which --qemu defaults to): completes with the user-timeout applied
# as --sockopts auto picks (fd on 7.2, native where the schema has it),
# --json lines parse, Ctrl-C (SIGINT), SIGTERM or SIGHUP mid-migration cancels and exits 130,
# and neither a QEMU nor the temporary directory is left behind; a missing
# QEMU binary is exit 1 with the install hint.
. "$(dirname "$0")/lib.sh"
need_qemu
need jq

# nothing_left DIR WHAT: TMPDIR=DIR held the demo's directory; it is gone and
# no QEMU started from it runs.
nothing_left() {
  local dir=$1 what=$2
  if [ -z "$(ls -A "$dir")" ]; then pass; else fail "$what: left in TMPDIR: $(ls -A "$dir")"; fi
  if pgrep -f "qemu-system.*$dir/" >/dev/null; then
    fail "$what: a QEMU is still running"; pgrep -af "qemu-system.*$dir/" >&2
  else pass; fi
}

# 1. Text: completed, the mechanism named, the explanation, nothing left.
T=$(scratch_dir); out=$(scratch_dir)/out
code=0; TMPDIR=$T "$QSOCK" demo >"$out" 2>"$out.err" || code=$?
[ "$code" = 0 ] && pass || { fail "demo: exit $code"; sed 's/^/    /' "$out" "$out.err" >&2; }
grep -q '^migration completed' "$out" && pass || fail "demo: no 'migration completed'"
grep -Eq 'socket options via: +(fd|native)' "$out" && pass || fail "demo: mechanism not fd/native"
grep -q 'with user-timeout=5000: 5 s' "$out" && pass || fail "demo: no detection with the user-timeout"
grep -q 'What you saw' "$out" && pass || fail "demo: no explanation"
nothing_left "$T" "demo"

# 2. --json: every stdout line is JSON; demo, report and explanation lines.
T=$(scratch_dir)
code=0; TMPDIR=$T "$QSOCK" --json demo --user-timeout 3000 >"$out" 2>"$out.err" || code=$?
[ "$code" = 0 ] && pass || { fail "demo --json: exit $code"; sed 's/^/    /' "$out.err" >&2; }
jq -e . "$out" >/dev/null && pass || fail "demo --json: not JSON lines"
jq -se 'map(select(.event == "report"))[0] | .status == "completed" and
  (.sockopts_via == "fd" or .sockopts_via == "native")' "$out" >/dev/null &&
  pass || { fail "demo --json: report"; sed 's/^/    /' "$out" >&2; }
jq -se 'map(select(.event == "demo"))[0].source.pid > 0' "$out" >/dev/null && pass ||
  fail "demo --json: no demo line"
jq -se 'map(select(.event == "explanation"))[0] | .user_timeout_ms == 3000 and
  .detection_with_user_timeout.data_in_flight.ms == 3000' "$out" >/dev/null && pass ||
  fail "demo --json: explanation"
nothing_left "$T" "demo --json"

# 3. SIGINT, SIGTERM (timeout(1), a cancelled CI job) or SIGHUP while the
#    migration is in flight (max-bandwidth keeps it busy): cancelled, exit
#    130, the signal named, nothing left.
for sig in INT TERM HUP; do
  T=$(scratch_dir)
  TMPDIR=$T "$QSOCK" --json demo --max-bandwidth 32K >"$out" 2>"$out.err" &
  demo_pid=$!
  for i in $(seq 200); do
    grep -q '"event":"progress"' "$out" 2>/dev/null && break
    sleep 0.05
  done
  grep -q '"event":"progress"' "$out" && pass || fail "SIG$sig: no progress before the signal"
  kill -"$sig" "$demo_pid"
  code=0; wait "$demo_pid" || code=$?
  [ "$code" = 130 ] && pass || { fail "SIG$sig: exit $code"; sed 's/^/    /' "$out" "$out.err" >&2; }
  jq -se 'map(select(.event == "report"))[0].status == "cancelled"' "$out" >/dev/null && pass ||
    { fail "SIG$sig: report is not cancelled"; sed 's/^/    /' "$out" >&2; }
  grep -q "interrupted (SIG$sig)" "$out" "$out.err" && pass ||
    { fail "SIG$sig: not named"; sed 's/^/    /' "$out" "$out.err" >&2; }
  nothing_left "$T" "SIG$sig"
done

# 3b. SIGINT right after the start, while the QEMUs come up.
T=$(scratch_dir)
TMPDIR=$T "$QSOCK" demo >"$out" 2>"$out.err" &
demo_pid=$!
sleep 0.1
kill -INT "$demo_pid"
code=0; wait "$demo_pid" || code=$?
[ "$code" = 130 ] && pass || { fail "early SIGINT: exit $code"; sed 's/^/    /' "$out" "$out.err" >&2; }
nothing_left "$T" "early SIGINT"

# 4. No QEMU: the documented exit 1 and the hint, for a path and for PATH.
expect_exit 1 "$QSOCK" demo --qemu /nonexistent/qemu-system-x86_64
msg=$("$QSOCK" demo --qemu /nonexistent/qemu-system-x86_64 2>&1) || true
[[ $msg == *"install qemu-system-x86"* ]] && pass || fail "no hint for a missing --qemu: $msg"
expect_exit 1 env -u QSOCK_TEST_QEMU PATH=/nonexistent "$QSOCK" demo

finish
