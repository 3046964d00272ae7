# The test guest keeps a migration in flight: booted into tests/guest/dirty.elf
# it runs (its heartbeat advances), a migration at max-bandwidth 8 MiB/s is
# still active after 5 s with more than one dirty-bitmap sync (the guest
# redirtied what was sent), and it completes once max-bandwidth is raised; the
# destination then runs the guest on.
. "$(dirname "$0")/lib.sh"
need_qemu
need jq
src=$(scratch_dir)
dst=$(scratch_dir)

start_guest "$src"
start_incoming "$dst" tcp:127.0.0.1:0

# The guest runs: status running, heartbeat advancing.
status=$("$QSOCK" qmp -s "$src/qmp.sock" query-status | jq -r .status)
if [ "$status" = running ]; then pass; else fail "source guest is '$status', not running"; fi
beat1=$(guest_heartbeat "$src/hmp.sock")
sleep 0.3
beat2=$(guest_heartbeat "$src/hmp.sock")
if [ "$beat2" -gt "$beat1" ]; then pass; else fail "heartbeat did not advance: $beat1 then $beat2"; fi
echo "heartbeat: $beat1 -> $beat2 passes in 0.3 s"

expect_exit 0 "$QSOCK" qmp -s "$src/qmp.sock" migrate-set-parameters max-bandwidth=8388608
t0=$(date +%s%3N)
expect_exit 0 "$QSOCK" qmp -s "$src/qmp.sock" migrate "uri=$INCOMING_URI"
sleep 5
info=$("$QSOCK" qmp -s "$src/qmp.sock" query-migrate)
echo "after 5 s at 8 MiB/s: $(echo "$info" | jq -c '{status, sync: .ram."dirty-sync-count",
  transferred: .ram.transferred, remaining: .ram.remaining, "expected-downtime"}')"
if echo "$info" | jq -e '.status == "active" and .ram."dirty-sync-count" > 1' >/dev/null; then pass
else fail "expected an active migration with dirty-sync-count > 1 after 5 s"; fi

# Raised bandwidth: the remaining dirty set fits the 300 ms downtime limit.
expect_exit 0 "$QSOCK" qmp -s "$src/qmp.sock" migrate-set-parameters max-bandwidth=10737418240
if wait_migration "$src/qmp.sock" completed 60; then pass; else fail "did not complete"; fi
t1=$(date +%s%3N)
info=$("$QSOCK" qmp -s "$src/qmp.sock" query-migrate)
echo "completed $((t1 - t0)) ms after migrate: $(echo "$info" | jq -c '{"total-time", downtime,
  sync: .ram."dirty-sync-count", transferred: .ram.transferred}')"
if echo "$info" | jq -e '.ram."dirty-sync-count" > 1' >/dev/null; then pass
else fail "dirty-sync-count not > 1 on completion"; fi

# The destination runs the guest on; the source stopped after handing over.
status=$("$QSOCK" qmp -s "$dst/qmp.sock" query-status | jq -r .status)
if [ "$status" = running ]; then pass; else fail "destination is '$status', not running"; fi
beat1=$(guest_heartbeat "$dst/hmp.sock")
sleep 0.3
beat2=$(guest_heartbeat "$dst/hmp.sock")
if [ "$beat2" -gt "$beat1" ]; then pass; else fail "destination heartbeat did not advance: $beat1 then $beat2"; fi
status=$("$QSOCK" qmp -s "$src/qmp.sock" query-status | jq -r .status)
if [ "$status" = postmigrate ]; then pass; else fail "source is '$status', not postmigrate"; fi
finish
