# Issue 18: a libvirt-driven migration between two libvirtds, bounded by the
# guard alone. Two private libvirtds in two network namespaces; the guard
# runs in the host's with a policy whose rule matches the libvirt domain by
# name (user-timeout 3000 on its migration connections; a lenient default for
# the rest). virsh migrates the dirtying domain peer to peer at 1 MiB/s; the
# guard must find both QEMUs (named by their domain) and bound the
# connection on each end within 200 ms of its appearance in sock_diag. The
# path is cut: the migration must fail within user-timeout + 1.5 s, and
# libvirt resume the domain on the source.
. "$(dirname "$0")/lib.sh"
need jq
[ -f "$GUEST_KERNEL" ] || skip "missing $GUEST_KERNEL"
[ "$(id -u)" = 0 ] || skip "needs root (pidfd_getfd on QEMU, network namespaces)"
PORT=4467 UT=3000

netns_pair
LIBVIRTD_NETNS=$NS_B start_libvirtd || { fail "no destination libvirtd"; finish; exit 1; }
DST_URI=$LV_URI
LIBVIRTD_NETNS=$NS_A start_libvirtd || { fail "no source libvirtd"; finish; exit 1; }
SRC_URI=$LV_URI
DOMAIN_KERNEL=$GUEST_KERNEL start_domain bounded || { fail "the domain did not start"; finish; exit 1; }
src=$DOMAIN_PID

G=$(scratch_dir)
cat >"$G/policy.toml" <<TOML
[defaults]
keep-alive = true
user-timeout = 120000

[[rule]]
name = "libvirt's migrations of bounded"
domain = "bounded"
kind = "migration"
set = "user-timeout=$UT,keep-alive-idle=1,keep-alive-interval=1,keep-alive-count=2"
TOML
start_guard "$G" --policy "$G/policy.toml" || { fail "the guard did not start"; finish; exit 1; }
until_guard_lines ".event == \"qemu-found\" and .pid == $src and .domain == \"bounded\"" 1 5 && pass ||
  fail "the guard did not find the domain's QEMU $src"

virsh -c "$SRC_URI" migrate --live --p2p --bandwidth 1 bounded "$DST_URI" "tcp://$ADDR_B:$PORT" \
  >"$G/virsh.out" 2>&1 &
migration=$!
until_guard_lines '.event == "bounded" and .domain == "bounded" and .kind == "migration"' 2 20 && pass ||
  fail "not both ends of libvirt's migration bounded"
sleep 1
bounded=$(jq -c 'select(.event == "bounded" and .domain == "bounded")' "$GUARD_OUT")
echo "$bounded" | jq -c '{pid, process, local, peer, kind, channel, rule, latency_ms, ut: .options."user-timeout"}'
[ "$(echo "$bounded" | jq -s "[.[] | select(.pid == $src)] | length")" -ge 1 ] &&
  [ "$(echo "$bounded" | jq -s "[.[] | select(.pid != $src)] | length")" -ge 1 ] && pass ||
  fail "the source's and the destination's QEMU are not both bounded"
echo "$bounded" | jq -s -e "all(.[]; .options.\"user-timeout\" == $UT and (.rule | test(\"line 5\"))
    and .latency_ms != null and .latency_ms <= 200)" >/dev/null && pass ||
  fail "not every connection bounded by the domain's rule within 200 ms"
[ "$(guard_lines '.event == "failed"')" = 0 ] && pass ||
  { fail "the guard reported failures"; jq -c 'select(.event == "failed")' "$GUARD_OUT" >&2; }

# QEMU's migration fails first; libvirt then ends its job (the destination's
# Finish, the source resumed), which takes it a few seconds more.
t_cut=$(now_ms)
cut_path "$NS_B"
code="" qemu_failed_ms=""
while [ $(($(now_ms) - t_cut)) -lt 20000 ]; do
  if [ -z "$qemu_failed_ms" ]; then
    status=$(virsh -c "$SRC_URI" qemu-monitor-command bounded '{"execute":"query-migrate"}' 2>/dev/null |
      jq -r '.return.status // empty' 2>/dev/null || true)
    [ "$status" = failed ] && qemu_failed_ms=$(($(now_ms) - t_cut))
  fi
  if ! kill -0 "$migration" 2>/dev/null; then
    code=0; wait "$migration" || code=$?
    break
  fi
  sleep 0.05
done
elapsed=$(($(now_ms) - t_cut))
echo "QEMU's migration failed ${qemu_failed_ms:-?} ms after the cut (user-timeout $UT ms);" \
  "virsh migrate exit ${code:-none} after $elapsed ms: $(tr '\n' ' ' <"$G/virsh.out")"
[ -n "$qemu_failed_ms" ] && [ "$qemu_failed_ms" -le $((UT + 1500)) ] && pass ||
  fail "the source QEMU's migration did not fail within $((UT + 1500)) ms of the cut"
[ -n "$code" ] && [ "$code" != 0 ] && [ "$elapsed" -le $((UT + 6000)) ] && pass ||
  fail "virsh migrate did not fail within $((UT + 6000)) ms of the cut"
until_domain_running "$SRC_URI" bounded && pass ||
  fail "libvirt did not resume the source: $(virsh -c "$SRC_URI" domstate bounded)"
stop_guard
finish
