# qsock migrate against tests/peers/fake_qemu, a QEMU with the proposed knobs:
# --netpass (turns on return-path, and says so), --backend-transfer in both
# spellings, --local-char-socket (the chardev reminder, the UNIX channel),
# user-timeout in the address (native), a failing and a hanging migration.
. "$(dirname "$0")/lib.sh"
need python3

caps_of() { "$QSOCK" qmp -s "$1" query-migrate-capabilities; }

# 1. --netpass: netpass and return-path on, and qsock says why.
F=$(scratch_dir)
start_fake_qemu "$F" --migration-ms 300
expect_within 10 0 "turns on capability 'return-path' too" \
  "$QSOCK" migrate -s "$F/qmp.sock" --netpass --to unix:/tmp/qsock-nowhere.sock
caps=$(caps_of "$F/qmp.sock")
case $caps in *'"capability":"netpass","state":true'*) pass ;; *) fail "netpass not on: $caps" ;; esac
case $caps in *'"capability":"return-path","state":true'*) pass ;; *) fail "return-path not on: $caps" ;; esac

# 2. netpass without return-path: QEMU's rule, before anything is sent.
F=$(scratch_dir)
start_fake_qemu "$F"
expect_within 10 1 "Capability 'netpass' requires capability 'return-path'" \
  "$QSOCK" migrate -s "$F/qmp.sock" --netpass --cap return-path=off --to unix:/tmp/x.sock
case $(caps_of "$F/qmp.sock") in *'"capability":"netpass","state":true'*) fail "preflight set netpass" ;; *) pass ;; esac

# 3. --backend-transfer: sent in the spelling the QEMU has, with its value name.
F=$(scratch_dir)
start_fake_qemu "$F" --migration-ms 300
expect_within 10 0 "migration completed" \
  "$QSOCK" migrate -s "$F/qmp.sock" --backend-transfer virtio-net-tap --to unix:/tmp/x.sock
expect_within 5 0 '"backend-transfer":["virtio-net-tap"]' \
  "$QSOCK" qmp -s "$F/qmp.sock" query-migrate-parameters
F=$(scratch_dir)
start_fake_qemu "$F" --migration-ms 300 \
  --schema "$QSOCK_SOURCE_DIR/tests/data/proposed-qmp-schema-fds.json"
expect_within 10 0 "spells backend transfer 'fds': sending 'virtio-net' for 'virtio-net-tap'" \
  "$QSOCK" migrate -s "$F/qmp.sock" --backend-transfer virtio-net-tap --to unix:/tmp/x.sock
expect_within 5 0 '"fds":["virtio-net"]' "$QSOCK" qmp -s "$F/qmp.sock" query-migrate-parameters
# Over TCP it cannot pass fds: refused before anything changes.
expect_within 10 1 "needs a UNIX-socket channel" \
  "$QSOCK" migrate -s "$F/qmp.sock" --backend-transfer virtio-net --to tcp:127.0.0.1:4444

# 4. --local-char-socket: the reminder, and the UNIX channel rule.
F=$(scratch_dir)
start_fake_qemu "$F" --migration-ms 300
expect_within 10 1 "capability 'local-char-socket' passes chardev fds" \
  "$QSOCK" migrate -s "$F/qmp.sock" --local-char-socket --to tcp:127.0.0.1:4444
expect_within 10 0 "support-local-migration=on on the source, local-incoming=on" \
  "$QSOCK" migrate -s "$F/qmp.sock" --local-char-socket --to unix:/tmp/x.sock

# 5. user-timeout where the schema has it: native, in the address QEMU gets.
F=$(scratch_dir)
start_fake_qemu "$F" --migration-ms 300
expect_within 10 0 '"sockopts_via":"native"' \
  "$QSOCK" --json migrate -s "$F/qmp.sock" --to 'tcp:127.0.0.1:4444,user-timeout=5000'
# A schema without it: native refused, with the way out.
F=$(scratch_dir)
start_fake_qemu "$F" --schema "$QSOCK_SOURCE_DIR/tests/data/proposed-qmp-schema-no-user-timeout.json"
expect_within 10 1 "--sockopts native: this QEMU's schema has no user-timeout" \
  "$QSOCK" migrate -s "$F/qmp.sock" --sockopts native --to 'tcp:127.0.0.1:4444,user-timeout=5000'

# 6. A failing migration: exit 6, QEMU's error-desc, the source running.
F=$(scratch_dir)
start_fake_qemu "$F" --fail-after-ms 300 --error-desc "Unable to write to socket: Connection timed out"
out=$F/out
code=0
"$QSOCK" --json migrate -s "$F/qmp.sock" --to tcp:127.0.0.1:4444 >"$out" 2>/dev/null || code=$?
[ "$code" = 6 ] && pass || fail "failed migration: exit $code"
python3 - "$out" <<'PY' && pass || { fail "failed report"; tail -1 "$out" >&2; }
import json, sys
r = json.loads(open(sys.argv[1]).read().splitlines()[-1])
assert r["status"] == "failed" and r["error"] == "Unable to write to socket: Connection timed out", r
assert r["source_state"] == "running", r["source_state"]
PY

# 7. A hanging migration: --timeout cancels it (exit 6), the source keeps running.
F=$(scratch_dir)
start_fake_qemu "$F" --hang
expect_within 15 6 '"fired":"--timeout 1 s"' "$QSOCK" --json migrate -s "$F/qmp.sock" --timeout 1 \
  --to unix:/tmp/x.sock
expect_within 5 0 '"status":"running"' "$QSOCK" qmp -s "$F/qmp.sock" query-status

finish
