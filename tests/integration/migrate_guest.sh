# With a guest that keeps dirtying memory (tests/guest/dirty.elf) the
# migration stays in flight: kill the destination mid-migration (exit 6, the
# source VM running again and still computing), cancel with --timeout (exit
# 6), then migrate the same source to completion.
. "$(dirname "$0")/lib.sh"
need_qemu
need python3
need jq
[ -f "$GUEST_KERNEL" ] || skip "missing $GUEST_KERNEL"

S=$(scratch_dir)
start_guest "$S"
out=$S/out

# 1. The destination killed mid-migration.
D=$(scratch_dir)
start_incoming "$D" defer
DST_PID=$QEMU_PID
"$QSOCK" --json migrate -s "$S/qmp.sock" -d "$D/qmp.sock" --max-bandwidth 8M \
  --to 'tcp:127.0.0.1:44531,user-timeout=3000,keep-alive=on' >"$out" 2>"$S/err" &
mig=$!
sleep 2
kill -9 "$DST_PID"
start=$(date +%s%N)
code=0
wait "$mig" || code=$?
ms=$(( ($(date +%s%N) - start) / 1000000 ))
[ "$code" = 6 ] && pass || { fail "destination killed: exit $code, not 6"; cat "$S/err" >&2; }
[ "$ms" -lt 10000 ] && pass || fail "qsock took $ms ms to notice the dead destination"
python3 - "$out" <<'PY' && pass || { fail "report after the destination died"; tail -1 "$out" >&2; }
import json, sys
r = json.loads(open(sys.argv[1]).read().splitlines()[-1])
assert r["status"] == "failed", r["status"]
assert r["error"], "no error-desc"
assert r["source_state"] == "running", r["source_state"]
assert r["destination_state"] == "exited", r["destination_state"]
assert r["fd_passed"] is True and r["sockopts_via"] == "fd"
assert r["socket"]["options"]["user-timeout"] == 3000
PY
[ "$(state_of "$S/qmp.sock")" = running ] && pass || fail "source not running after the failure"
# Still computing: the guest's pass counter moves.
h1=$(guest_heartbeat "$S/hmp.sock"); sleep 0.5; h2=$(guest_heartbeat "$S/hmp.sock")
[ -n "$h1" ] && [ "$h1" != "$h2" ] && pass || fail "guest heartbeat stuck ($h1 -> $h2)"

# 2. --timeout cancels a migration that cannot converge at 8 MiB/s.
D=$(scratch_dir)
start_incoming "$D" defer
expect_within 20 6 '"status":"cancelled"' "$QSOCK" --json migrate -s "$S/qmp.sock" \
  -d "$D/qmp.sock" --max-bandwidth 8M --timeout 2 --to tcp:127.0.0.1:44532
[ "$(state_of "$S/qmp.sock")" = running ] && pass || fail "source not running after --timeout"

# 3. A frozen destination (SIGSTOP): the bytes stop once the socket buffers
# are full; --stall reports the socket's state and --cancel-on-stall cancels.
D=$(scratch_dir)
start_incoming "$D" defer
DST_PID=$QEMU_PID
( sleep 1.5; kill -STOP "$DST_PID" ) &
expect_within 30 6 '"fired":"--stall 1 s: no progress for 1 s (socket ESTABLISHED' \
  "$QSOCK" --json migrate -s "$S/qmp.sock" -d "$D/qmp.sock" --max-bandwidth 8M --stall 1 \
  --cancel-on-stall --timeout 25 --to 'tcp:127.0.0.1:44534,keep-alive=on,user-timeout=20000'
kill -CONT "$DST_PID" 2>/dev/null || true
[ "$(state_of "$S/qmp.sock")" = running ] && pass || fail "source not running after the stall"

# 4. The same source migrates to completion with room to converge.
D=$(scratch_dir)
start_incoming "$D" defer
"$QSOCK" --json migrate -s "$S/qmp.sock" -d "$D/qmp.sock" --max-bandwidth 4G \
  --downtime-limit 2000 --timeout 40 --to tcp:127.0.0.1:44533 >"$out" 2>"$S/err" ||
  { fail "final migration: exit $?"; tail -3 "$S/err" >&2; }
python3 - "$out" <<'PY' && pass || { fail "final report"; tail -1 "$out" >&2; }
import json, sys
r = json.loads(open(sys.argv[1]).read().splitlines()[-1])
assert r["status"] == "completed", r["status"]
assert r["passes"] >= 2, r["passes"]
assert r["downtime_ms"] <= r["total_time_ms"]
assert r["observed_downtime_ms"] is not None
assert r["destination_state"] == "running"
b = r["bytes"]
assert b["precopy"] + b["downtime"] + b["postcopy"] <= b["transferred"]
PY

finish
