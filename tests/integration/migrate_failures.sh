# qsock migrate when things go wrong: preflight lists every problem and
# changes nothing (exit 1); the destination killed mid-migration (exit 6, the
# source running again, the destination's fate and last words reported); --timeout cancels
# (exit 6); Ctrl-C cancels (exit 130). Each time the source VM is running after.
. "$(dirname "$0")/lib.sh"
need_qemu
need python3
need jq

cap_state() {
  "$QSOCK" qmp -s "$1" query-migrate-capabilities |
    python3 -c 'import json,sys; print([c["state"] for c in json.load(sys.stdin) if c["capability"]==sys.argv[1]][0])' "$2"
}

# 1. Preflight: every problem at once, nothing changed.
S=$(scratch_dir); D=$(scratch_dir)
# Both run the dirtying test guest: at 100 KiB/s an idle guest completes
# within a second on 10.0 (zero pages cost nothing), this one never does.
vm "$S" -kernel "$GUEST_KERNEL"; vm "$D" -kernel "$GUEST_KERNEL" -incoming defer
out=$S/out
code=0
"$QSOCK" migrate -s "$S/qmp.sock" -d "$D/qmp.sock" --to tcp:127.0.0.1:44511 --cap multifd=on \
  --cap xbzrle=on --cap nosuch=on --param downtime-limit=3000000 --netpass >"$out" 2>&1 || code=$?
[ "$code" = 1 ] && pass || fail "preflight: exit $code, not 1"
for m in "Multifd is not compatible with xbzrle" "no migration capability 'nosuch'" \
  "expects an integer in the range of 0 to 2000 seconds" "no migration capability 'netpass'" \
  "nothing was changed"; do
  grep -qF "$m" "$out" && pass || { fail "preflight output lacks '$m'"; sed 's/^/    /' "$out" >&2; }
done
[ "$(cap_state "$S/qmp.sock" multifd)" = False ] && pass || fail "preflight changed the source"
[ "$(cap_state "$D/qmp.sock" multifd)" = False ] && pass || fail "preflight changed the destination"
[ "$(state_of "$D/qmp.sock")" = inmigrate ] && pass || fail "destination no longer waiting"

# 1b. The --to address as check sees it for the source's release: options after
# a UNIX path would become part of the path, so that is refused before
# anything changes (exit 1); check's warnings are shown.
code=0
"$QSOCK" migrate -s "$S/qmp.sock" -d "$D/qmp.sock" --to "unix:$S/mig.sock,user-timeout=5000" \
  >"$out" 2>&1 || code=$?
[ "$code" = 1 ] && pass || { fail "unix path with options: exit $code, not 1"; sed 's/^/    /' "$out" >&2; }
for m in "would take 'user-timeout=5000' as part of the path" "nothing was changed on either QEMU" \
  "QEMU takes everything after unix: as the path, commas included"; do
  grep -qF "$m" "$out" && pass || { fail "address check lacks '$m'"; sed 's/^/    /' "$out" >&2; }
done
[ "$(state_of "$D/qmp.sock")" = inmigrate ] && pass || fail "address check changed the destination"

# 2. The destination killed mid-migration (100 KiB/s keeps it in flight).
"$QSOCK" --json migrate -s "$S/qmp.sock" -d "$D/qmp.sock" --max-bandwidth 100K \
  --to 'tcp:127.0.0.1:44512,user-timeout=3000' >"$out" 2>"$S/err" &
mig=$!
sleep 1.5
kill -9 "$VM_PID"
code=0
wait "$mig" || code=$?
[ "$code" = 6 ] && pass || { fail "destination killed: exit $code, not 6"; cat "$S/err" >&2; }
python3 - "$out" <<'PY' && pass || { fail "report after the destination died"; tail -1 "$out" >&2; }
import json, sys
r = json.loads(open(sys.argv[1]).read().splitlines()[-1])
assert r["status"] == "failed", r["status"]
assert r["source_state"] == "running", r["source_state"]
assert r["destination_state"] == "exited", r["destination_state"]
assert r["error"], "no error-desc"
assert r["fd_passed"] is True
PY
[ "$(state_of "$S/qmp.sock")" = running ] && pass || fail "source not running after the failure"

# 2b. The destination refuses the state (its RAM is another size): the source
# sees only a broken connection, the destination says why on its stderr and
# exits, and the report carries that last line (read from the file its
# stderr goes to, as libvirt's domain log is), the source running again.
D=$(scratch_dir)
vm "$D" -kernel "$GUEST_KERNEL" -m 128 -incoming defer 2>"$D/stderr"
code=0
"$QSOCK" --json migrate -s "$S/qmp.sock" -d "$D/qmp.sock" --to tcp:127.0.0.1:44516 \
  >"$out" 2>"$S/err" || code=$?
[ "$code" = 6 ] && pass || { fail "destination refused the state: exit $code, not 6"; cat "$S/err" >&2; }
last=$(grep -v '^[[:space:]]*$' "$D/stderr" | tail -1)
[ -n "$last" ] && pass || fail "the destination wrote nothing to its stderr"
jq -e --arg last "$last" '.status == "failed" and .destination_stderr == $last
  and .source_state == "running"' <(tail -1 "$out") >/dev/null && pass ||
  { fail "the report lacks the destination's last line '$last'"; tail -1 "$out" >&2; }
D=$(scratch_dir)
vm "$D" -kernel "$GUEST_KERNEL" -m 128 -incoming defer 2>"$D/stderr"
code=0
"$QSOCK" migrate -s "$S/qmp.sock" -d "$D/qmp.sock" --to tcp:127.0.0.1:44517 >"$out" 2>&1 || code=$?
grep -qF "destination's last words:    $(grep -v '^[[:space:]]*$' "$D/stderr" | tail -1)" "$out" &&
  pass || { fail "the text report lacks the destination's last words"; cat "$out" >&2; }

# 3. --timeout cancels; the source keeps running.
D=$(scratch_dir)
vm "$D" -kernel "$GUEST_KERNEL" -incoming tcp:127.0.0.1:44513
expect_within 15 6 '"fired":"--timeout 1 s"' \
  "$QSOCK" --json migrate -s "$S/qmp.sock" --max-bandwidth 100K --timeout 1 --to tcp:127.0.0.1:44513
[ "$(state_of "$S/qmp.sock")" = running ] && pass || fail "source not running after --timeout"

# 4. Ctrl-C, or SIGTERM from a supervisor: cancelled, source put back, exit
#    130, the signal named in the report.
port=44514
for sig in INT TERM; do
  D=$(scratch_dir)
  vm "$D" -kernel "$GUEST_KERNEL" -incoming tcp:127.0.0.1:$port
  "$QSOCK" --json migrate -s "$S/qmp.sock" --max-bandwidth 100K --to tcp:127.0.0.1:$port \
    >"$out" 2>"$S/err" &
  mig=$!
  sleep 1
  kill -"$sig" "$mig"
  code=0
  wait "$mig" || code=$?
  [ "$code" = 130 ] && pass || { fail "SIG$sig: exit $code, not 130"; cat "$S/err" >&2; }
  grep -q '"status":"cancelled"' "$out" && pass || fail "SIG$sig: report not cancelled"
  grep -q "interrupted (SIG$sig)" "$out" && pass || { fail "SIG$sig: not named"; cat "$out" >&2; }
  [ "$(state_of "$S/qmp.sock")" = running ] && pass || fail "source not running after SIG$sig"
  port=$((port + 1))
done

finish
