# A live migration from QEMU 10.0 to QEMU 11.1 (the private roots
# tools/install-qemus unpacks), on the machine type both have
# (pc-i440fx-10.0), with -d and -incoming defer and the dead-peer bound passed
# as fds. Preflight reads both schemas and says what differs between them;
# the guest keeps computing on 11.1 after the switch. The releases are fixed
# here (not QSOCK_TEST_QEMU): the test is the pair.
. "$(dirname "$0")/lib.sh"
need python3
need jq
[ -f "$GUEST_KERNEL" ] || skip "missing $GUEST_KERNEL"
prefix=${QSOCK_QEMU_PREFIX:-/opt/qsock-qemu}
OLD=$prefix/10.0/qemu-system-x86_64
NEW=$prefix/11.1/qemu-system-x86_64
for q in "$OLD" "$NEW"; do
  [ -x "$q" ] || skip "$q missing (tools/install-qemus installs it)"
done
machine=(-M pc-i440fx-10.0 -m 128 -accel tcg -nodefaults -display none -kernel "$GUEST_KERNEL")

S=$(scratch_dir); D=$(scratch_dir)
QEMU=$OLD run_qemu "$S" "${machine[@]}"
QEMU=$NEW run_qemu "$D" "${machine[@]}" -incoming defer
before=$(guest_heartbeat "$S/hmp.sock")
out=$S/out
"$QSOCK" --json migrate -s "$S/qmp.sock" -d "$D/qmp.sock" \
  --to 'tcp:127.0.0.1:44561,user-timeout=5000,keep-alive=on' >"$out" 2>"$S/err" ||
  fail "10.0 -> 11.1: exit $?"
check_report "$out" 'r["status"] == "completed"' 'r["fd_passed"] is True' \
  'r["socket"]["options"]["user-timeout"] == 5000' 'r["destination_state"] == "running"' \
  'r["source_state"] == "postmigrate"'

# Preflight said what differs, from the two live schemas: every capability it
# names as only on one side is one that side's QEMU lists and the other's not.
python3 - "$out" "$S/qmp.sock" "$D/qmp.sock" "$QSOCK" <<'PY' && pass || fail "preflight's schema differences"
import json, subprocess, sys
out, src, dst, qsock = sys.argv[1:]
lines = [json.loads(l) for l in open(out) if l.startswith("{")]
notes = lines[-1]["notes"]
diff = [n for n in notes if "differ in migration capabilities" in n or "differ in migration parameters" in n]
assert diff, "no schema difference in the notes: %r" % notes
assert all("source (QEMU 10.0" in n and "destination (QEMU 11.1" in n for n in diff), diff
def caps(sock):
    r = subprocess.run([qsock, "caps", "-s", sock, "--json"], capture_output=True, text=True, check=True)
    return set(json.loads(r.stdout)["capabilities"])
old, new = caps(src), caps(dst)
for n in diff:
    if "migration capabilities" not in n:
        continue
    for part in n.split("migration capabilities ", 1)[1].split("; "):
        side, names = part.split(": ", 1)
        names = set(names.split(", "))
        if side == "only on the destination":
            assert names == new - old, (names, new - old)
        else:
            assert names == old - new, (names, old - new)
PY
after=$(guest_heartbeat "$D/hmp.sock")
sleep 0.5
later=$(guest_heartbeat "$D/hmp.sock")
[ "$later" -gt "$after" ] && [ "$after" -ge "$before" ] && pass ||
  fail "the guest does not run on after the switch to 11.1 ($before, $after, $later)"
finish
