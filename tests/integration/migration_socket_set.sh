# Issue 4: `qsock sockets --set user-timeout=2000` on QEMU's own migration
# socket bounds a migration already in flight. Two source/destination pairs,
# each across its own two network namespaces, migrate the dirtying test guest
# at 8 MiB/s (so both stay active); pair 1's socket gets user-timeout=2000
# from outside, then both paths are cut at once. Pair 1's source reports the
# migration failed within 4 s of the cut and its guest runs on; pair 2 (plain
# tcp, tcp_retries2 governs: ~924.6 s) is still active 20 s after the cut, five
# times the bound pair 1 met.
. "$(dirname "$0")/lib.sh"
need_qemu
need jq

# pair N: namespaces, a guest in NS_A and its destination in NS_B; sets
# SRC_N DST_N (monitor dirs), NSB_N (the namespace to cut), PEER_N (HOST:PORT).
pair() {
  local n=$1 src dst
  netns_pair
  src=$(scratch_dir)
  dst=$(scratch_dir)
  QEMU_NETNS=$NS_A start_guest "$src"
  QEMU_NETNS=$NS_B start_incoming "$dst" "tcp:$ADDR_B:0"
  printf -v "SRC_$n" %s "$src"
  printf -v "DST_$n" %s "$dst"
  printf -v "NSB_$n" %s "$NS_B"
  printf -v "PEER_$n" %s "${INCOMING_URI#tcp:}"
  "$QSOCK" qmp -s "$src/qmp.sock" migrate-set-parameters max-bandwidth=8388608 >/dev/null
  "$QSOCK" qmp -s "$src/qmp.sock" migrate "uri=$INCOMING_URI" >/dev/null
}
pair 1
pair 2
for src in "$SRC_1" "$SRC_2"; do
  if wait_migration "$src/qmp.sock" active 10; then pass; else fail "migration from $src not active"; fi
done
sleep 1   # both well under way, pages in flight

# From outside: QEMU's own migration socket, found through its QMP socket.
"$QSOCK" sockets -s "$SRC_1/qmp.sock" --peer "$PEER_1" --set user-timeout=2000 >"$SRC_1/set.out" ||
  fail "qsock sockets --set exited $?"
sed 's/^/    /' "$SRC_1/set.out"
if grep -q "TCP_USER_TIMEOUT 2000 ms" "$SRC_1/set.out"; then pass
else fail "user-timeout=2000 not read back on QEMU's socket"; fi
"$QSOCK" --json sockets -s "$SRC_1/qmp.sock" --peer "$PEER_1" >"$SRC_1/after.json"
if jq -e '.sockets | length == 1 and (.[0].options."user-timeout" == 2000)
          and .[0].detection.data_in_flight == {"ms":2000,"by":"user-timeout"}' \
     "$SRC_1/after.json" >/dev/null; then pass
else fail "QEMU's socket does not keep user-timeout=2000"; cat "$SRC_1/after.json" >&2; fi

t_cut=$(now_ms)
cut_path "$NSB_1"
cut_path "$NSB_2"

# Pair 1: failed within 4 s of the cut.
status=active
while [ $(($(now_ms) - t_cut)) -lt 10000 ]; do
  status=$(migration_status "$SRC_1/qmp.sock")
  [ "$status" = active ] || break
  sleep 0.05
done
elapsed=$(($(now_ms) - t_cut))
info=$("$QSOCK" qmp -s "$SRC_1/qmp.sock" query-migrate)
echo "user-timeout=2000 set from outside: '$status' ${elapsed} ms after the cut;" \
  "error-desc: $(echo "$info" | jq -r '."error-desc" // "none"')"
if [ "$status" = failed ] && [ "$elapsed" -le 4000 ]; then pass
else fail "expected 'failed' within 4000 ms of the cut, got '$status' after ${elapsed} ms"; fi
status=$("$QSOCK" qmp -s "$SRC_1/qmp.sock" query-status | jq -r .status)
if [ "$status" = running ]; then pass; else fail "source 1 is '$status' after the failed migration, not running"; fi
beat1=$(guest_heartbeat "$SRC_1/hmp.sock")
sleep 0.3
beat2=$(guest_heartbeat "$SRC_1/hmp.sock")
if [ "$beat2" -gt "$beat1" ]; then pass; else fail "source 1's guest stopped: heartbeat $beat1 then $beat2"; fi

# Pair 2 (control, plain tcp): still active 20 s after the same cut.
sleep $(((t_cut + 20000 - $(now_ms)) / 1000 + 1))
status=$(migration_status "$SRC_2/qmp.sock")
elapsed=$(($(now_ms) - t_cut))
tcp=$("$QSOCK" --json sockets -s "$SRC_2/qmp.sock" --peer "$PEER_2" |
  jq -c '.sockets[0] | {state, retransmits: .tcp_info.retransmits, detection: .detection.data_in_flight}')
echo "plain tcp: '$status' ${elapsed} ms after the cut; socket $tcp"
if [ "$status" = active ]; then pass; else fail "plain tcp migration is '$status' ${elapsed} ms after the cut, not active"; fi
finish
