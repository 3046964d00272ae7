#!/usr/bin/env bash
# qsock caps against a real QEMU ($QSOCK_TEST_QEMU, any release): every answer
# comes from the live query-qmp-schema, so every expectation here is read from
# that QEMU's own schema (tests/integration/qemu_schema.py), never from one
# release's answers.
. "$(dirname "$0")/lib.sh"
need_qemu
need python3

qemu_version=$(qemu_full_version)
echo "QEMU $qemu_version ($QEMU)"

D=$(scratch_dir)
qemu_schema "$D/schema.json"
start_qemu "$D"

expect_exit 0 "$QSOCK" --json caps -s "$D/qmp.sock" --timeout 10
"$QSOCK" --json caps -s "$D/qmp.sock" >"$D/caps.json"

# Each expected value is read from that QEMU's schema by path
# (qemu_schema.py); one python run checks them all (its start-up is slow on
# some machines).
results=$(python3 - "$D/caps.json" "$D/schema.json" "$qemu_version" "$TESTS_DIR/integration" <<'PY'
import json, sys
sys.path.insert(0, sys.argv[4])
from qemu_schema import Schema
j = json.load(open(sys.argv[1]))
s = Schema.load(sys.argv[2])
cap = "migrate-set-capabilities.capabilities.capability"
inet = "netdev_add.addr"
checks = [
    ("version", j["version"], sys.argv[3]),
    ("top-level keys", list(j), ["version", "features", "capabilities", "parameters"]),
    ("getfd", j["features"]["getfd"], s.has("getfd")),
    ("add-fd", j["features"]["add-fd"], s.has("add-fd")),
    ("migrate-channels", j["features"]["migrate-channels"], s.has("migrate.channels")),
    ("migrate-incoming-channels", j["features"]["migrate-incoming-channels"],
     s.has("migrate-incoming.channels")),
    ("migrate-incoming-exit-on-error", j["features"]["migrate-incoming-exit-on-error"],
     s.has("migrate-incoming.exit-on-error")),
    ("capabilities (MigrationCapability, in order)", j["capabilities"], s.enum_values(cap)),
    ("parameters (query-migrate-parameters' members, in order)", j["parameters"],
     s.members("query-migrate-parameters()")),
    ("backend-transfer", j["features"]["backend-transfer"] is None,
     not (s.has("migrate-set-parameters.backend-transfer") or s.has("migrate-set-parameters.fds"))),
]
for key in ("user-timeout", "keep-alive-count", "keep-alive", "keep-alive-idle",
            "keep-alive-interval", "mptcp", "numeric"):
    checks.append((key, j["features"][key], s.has(inet + "." + key)))
for key in ("netpass", "local-char-socket", "return-path", "multifd", "postcopy-ram",
            "postcopy-preempt", "zero-copy-send", "switchover-ack", "dirty-limit", "mapped-ram"):
    checks.append((key, j["features"][key], s.has(cap + "." + key)))
for key in ("cpr-reboot", "cpr-transfer", "cpr-exec"):
    checks.append((key, j["features"][key], s.has("migrate-set-parameters.mode." + key)))
# Released QEMUs have none of the proposed features (a sanity check on the paths).
for key in ("user-timeout", "netpass", "local-char-socket"):
    checks.append((key + " (proposed, in no release)", s.has(inet + ".user-timeout") or
                   s.has(cap + ".netpass") or s.has(cap + ".local-char-socket"), False))
checks.append(("keep-alive (the path finds InetSocketAddress)", s.has(inet + ".keep-alive"), True))
for what, got, want in checks:
    print("ok" if got == want else f"FAIL {what}: expected {json.dumps(want)}, got {json.dumps(got)}")
print("checks", len(checks))
PY
)
n_checks=$(sed -n 's/^checks //p' <<<"$results")
results=$(grep -v '^checks ' <<<"$results")
while IFS= read -r line; do
  if [ "$line" = ok ]; then pass; else fail "${line#FAIL }"; fi
done <<<"$results"
[ "$(grep -c . <<<"$results")" = "${n_checks:-x}" ] || fail "not every check ran"

# The text table, over unix:PATH and QSOCK_SOCKET; the monitor is free again
# after each run (one client at a time).
out=$(QSOCK_SOCKET="unix:$D/qmp.sock" "$QSOCK" caps)
if grep -q "^QEMU $qemu_version\$" <<<"$out"; then pass; else fail "text: no 'QEMU $qemu_version' line"; fi
yes_no() { if qemu_schema_has "$D/schema.json" "$1"; then echo yes; else echo no; fi; }
for row in "user-timeout netdev_add.addr.user-timeout" "mptcp netdev_add.addr.mptcp" \
           "migrate-channels migrate.channels" \
           "keep-alive-count netdev_add.addr.keep-alive-count"; do
  set -- $row
  want=$(yes_no "$2")
  if grep -Eq "^$1 +$want\$" <<<"$out"; then pass; else fail "text: $1 should be $want"; fi
done
if grep -Eq '^backend-transfer +no$' <<<"$out"; then pass; else fail "text: backend-transfer should be no"; fi

# No monitor there: exit 3 (cannot connect), naming the socket.
expect_exit 3 "$QSOCK" caps -s "$D/absent.sock" --timeout 2
err=$("$QSOCK" caps -s "$D/absent.sock" --timeout 2 2>&1 || true)
if grep -q "absent.sock" <<<"$err"; then pass; else fail "connect error does not name the socket: $err"; fi
finish
