# HMP-only monitors (-monitor unix:...) for migrate, with the fd-passed
# socket handed over with HMP getfd; --prepare configures both sides and
# exits; watch follows a migration someone else started to its report.
. "$(dirname "$0")/lib.sh"
need_qemu
need python3
need jq

# 1. HMP on both sides, -incoming defer, user-timeout applied by fd passing.
S=$(scratch_dir); D=$(scratch_dir)
vm "$S"; vm "$D" -incoming defer
out=$S/out
"$QSOCK" --json migrate -s "$S/hmp.sock" -d "$D/hmp.sock" --downtime-limit 500 \
  --to 'tcp:127.0.0.1:44521,user-timeout=4000,keep-alive=on' >"$out" 2>"$S/err" ||
  { fail "hmp migrate: exit $?"; cat "$S/err" >&2; }
python3 - "$out" <<'PY' && pass || { fail "hmp report"; tail -1 "$out" >&2; }
import json, sys
r = json.loads(open(sys.argv[1]).read().splitlines()[-1])
assert r["status"] == "completed", r
assert r["fd_passed"] is True and r["sockopts_via"] == "fd"
assert r["socket"]["options"]["user-timeout"] == 4000
assert r["downtime_ms"] is not None and r["total_time_ms"] is not None
assert r["downtime_ms"] <= r["total_time_ms"]
assert r["destination_state"] == "running", r["destination_state"]
assert r["bytes"]["transferred"] > 0
PY
[ "$(state_of "$D/qmp.sock")" = running ] && pass || fail "destination not running after hmp"
# HMP's migrate_set_parameter really set it.
expect_within 5 0 "downtime-limit: 500 ms" "$QSOCK" hmp -s "$S/hmp.sock" info migrate_parameters

# 2. What HMP cannot express is said so, before the migration starts.
S=$(scratch_dir); D=$(scratch_dir)
vm "$S"; vm "$D" -incoming tcp:127.0.0.1:44522
expect_within 10 1 "has no migration capability 'netpass'" \
  "$QSOCK" migrate -s "$S/hmp.sock" --netpass --to tcp:127.0.0.1:44522

# 3. --prepare: both sides configured, migrate-incoming run, nothing started.
# The dirtying test guest: at 200 KiB/s it stays in flight until step 4 raises
# max-bandwidth (an idle guest completes within a second on 10.0).
S=$(scratch_dir); D=$(scratch_dir)
vm "$S" -kernel "$GUEST_KERNEL"; vm "$D" -kernel "$GUEST_KERNEL" -incoming defer
# Options that only qsock could set (inject) cannot reach a connection that
# does not exist yet: refused, and nothing changed on either side.
expect_within 10 1 "--prepare ends before the migration's connection exists" \
  "$QSOCK" migrate --prepare -s "$S/qmp.sock" -d "$D/qmp.sock" --max-bandwidth 300K \
  --sockopts inject --to tcp:127.0.0.1:44523,user-timeout=2000
"$QSOCK" qmp -s "$S/qmp.sock" query-migrate-parameters | grep -q '"max-bandwidth":307200' &&
  fail "the refused --prepare changed max-bandwidth" || pass
expect_within 10 0 '"status":"prepared"' "$QSOCK" --json migrate --prepare -s "$S/qmp.sock" \
  -d "$D/qmp.sock" --max-bandwidth 200K --to tcp:127.0.0.1:44523
expect_within 5 0 '{}' "$QSOCK" qmp -s "$S/qmp.sock" query-migrate
expect_within 5 0 '"max-bandwidth":204800' "$QSOCK" qmp -s "$S/qmp.sock" query-migrate-parameters
# 4. Someone else starts it; watch follows it to the end (once watch has
# shown progress, max-bandwidth goes up over HMP and it converges).
"$QSOCK" qmp -s "$S/qmp.sock" migrate uri=tcp:127.0.0.1:44523 >/dev/null
"$QSOCK" --json watch -s "$S/qmp.sock" -d "$D/qmp.sock" >"$out" 2>"$S/err" &
watch_pid=$!
for _ in $(seq 300); do grep -q '"event":"progress"' "$out" 2>/dev/null && break; sleep 0.1; done
"$QSOCK" hmp -s "$S/hmp.sock" 'migrate_set_parameter max-bandwidth 1G' >/dev/null ||
  fail "could not raise max-bandwidth over HMP"
wait "$watch_pid" || { fail "watch: exit $?"; cat "$S/err" >&2; }
python3 - "$out" <<'PY' && pass || { fail "watch report"; tail -3 "$out" >&2; }
import json, sys
lines = open(sys.argv[1]).read().splitlines()
r = json.loads(lines[-1])
assert r["status"] == "completed", r
assert r["downtime_ms"] <= r["total_time_ms"]
assert r["destination_state"] == "running"
assert any(json.loads(l)["event"] == "progress" for l in lines[:-1]), "no progress lines"
PY
# Watching when nothing migrates: a clear error.
S=$(scratch_dir)
vm "$S"
expect_within 5 1 "no migration on the source" "$QSOCK" watch -s "$S/qmp.sock"
# HMP watch of a finished migration elsewhere: none.
expect_within 5 1 "no migration on the source" "$QSOCK" watch -s "$S/hmp.sock"

finish
