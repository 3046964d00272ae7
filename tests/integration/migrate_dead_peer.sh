# Issue 5: `qsock migrate` bounds its own migration socket. Each case is a
# source (the dirtying guest) in one namespace and its destination in
# another, joined by a veth pair; qsock migrates at 8 MiB/s (never converges)
# with user-timeout=2000, once the migration is active the path is cut (an
# nftables drop table: a silent peer). qsock must exit 6 within 5 s of the
# cut, its report saying failed, how the options got there, an error naming
# the timeout, and the source running (its guest still computing). With -d,
# the destination's socket is bounded too and the report says what became of
# it (without -d, the destination is still waiting, told nothing).
# All cases run at once, each in its own namespace pair.
. "$(dirname "$0")/lib.sh"
need jq
need_qemu
[ -f "$GUEST_KERNEL" ] || skip "missing $GUEST_KERNEL"
PORT=4455   # each pair is its own network: one port serves all

cases=(fd inject fd-d inject-d)

# start_case NAME: namespaces, source, destination and a qsock migrate in the
# background; sets DIR_NAME (scratch: src/ dst/ out err), NSB_NAME, PID_NAME,
# DSTPID_NAME.
start_case() {
  local name=$1 key=${1//-/_} mode=${1%-d} dir dst_args=() to
  netns_pair
  dir=$(scratch_dir)
  mkdir "$dir/src" "$dir/dst"
  QEMU_NETNS=$NS_A start_guest "$dir/src"
  if [[ $name == *-d ]]; then
    QEMU_NETNS=$NS_B start_incoming "$dir/dst" defer
    dst_args=(-d "$dir/dst/qmp.sock")
    # A receiver has no data in flight: keep-alive probes make its bound.
    to="tcp:$ADDR_B:$PORT,user-timeout=2000,keep-alive=on,keep-alive-idle=1"
    to+=",keep-alive-interval=1,keep-alive-count=2"
  else
    QEMU_NETNS=$NS_B start_incoming "$dir/dst" "tcp:$ADDR_B:$PORT"
    to="$INCOMING_URI,user-timeout=2000"
  fi
  printf -v "DSTPID_$key" %s "$QEMU_PID"
  # qsock runs where the source runs: its connection (fd) is the source's.
  ip netns exec "$NS_A" "$QSOCK" --json migrate -s "$dir/src/qmp.sock" "${dst_args[@]}" \
    --to "$to" --sockopts "$mode" --max-bandwidth 8M >"$dir/out" 2>"$dir/err" &
  printf -v "PID_$key" %s "$!"
  printf -v "DIR_$key" %s "$dir"
  printf -v "NSB_$key" %s "$NS_B"
}

var() { local v="${1}_${2//-/_}"; echo "${!v}"; }

for c in "${cases[@]}"; do start_case "$c"; done

# Active, with pages in flight: a progress line says so, in every case.
for c in "${cases[@]}"; do
  dir=$(var DIR "$c")
  for ((i = 0; i < 150; i++)); do
    grep -q '"status":"active"' "$dir/out" 2>/dev/null && break
    kill -0 "$(var PID "$c")" 2>/dev/null || break
    sleep 0.1
  done
  if grep -q '"status":"active"' "$dir/out"; then pass
  else fail "$c: no active progress line"; sed 's/^/    /' "$dir/err" >&2; fi
done
sleep 1

t_cut=$(now_ms)
for c in "${cases[@]}"; do cut_path "$(var NSB "$c")"; done

# Every qsock exits; the elapsed time from the cut, per case (bounded: 15 s).
declare -A elapsed code
while [ $(($(now_ms) - t_cut)) -lt 15000 ]; do
  alive=0
  for c in "${cases[@]}"; do
    [ -z "${elapsed[$c]:-}" ] || continue
    if kill -0 "$(var PID "$c")" 2>/dev/null; then alive=1; continue; fi
    elapsed[$c]=$(($(now_ms) - t_cut))
    rc=0; wait "$(var PID "$c")" || rc=$?
    code[$c]=$rc
  done
  [ "$alive" = 1 ] || break
  sleep 0.05
done

for c in "${cases[@]}"; do
  dir=$(var DIR "$c")
  mode=${c%-d}
  if [ -z "${elapsed[$c]:-}" ]; then
    fail "$c: qsock still running 15 s after the cut"; kill "$(var PID "$c")"; continue
  fi
  report=$(tail -1 "$dir/out")
  echo "$c: exit ${code[$c]} ${elapsed[$c]} ms after the cut; report:" \
    "$(echo "$report" | jq -c '{status, sockopts_via, destination_sockopts_via, fd_passed,
       error, fired, source_state, destination_state, notes,
       dsock: .socket.destination.options}' 2>/dev/null || echo "$report")"
  if [ "${code[$c]}" = 6 ] && [ "${elapsed[$c]}" -le 5000 ]; then pass
  else fail "$c: expected exit 6 within 5000 ms of the cut, got ${code[$c]} after ${elapsed[$c]} ms"
    sed 's/^/    /' "$dir/err" >&2; fi
  want_fd=false; [ "$mode" = fd ] && want_fd=true
  if echo "$report" | jq -e --arg via "$mode" --argjson fd "$want_fd" '
       .event == "report" and .status == "failed" and .sockopts_via == $via
       and .fd_passed == $fd and .source_state == "running"
       and ((.error // "") + " " + (.fired // "") | test("time[d ]?out"; "i"))' >/dev/null; then
    pass
  else fail "$c: report is not failed/$mode/fd_passed=$want_fd/running with a timeout error"; fi
  # The source, asked directly: running, its guest still computing.
  status=$("$QSOCK" qmp -s "$dir/src/qmp.sock" query-status | jq -r .status)
  if [ "$status" = running ]; then pass; else fail "$c: source is '$status', not running"; fi
  beat1=$(guest_heartbeat "$dir/src/hmp.sock")
  sleep 0.3
  beat2=$(guest_heartbeat "$dir/src/hmp.sock")
  if [ "$beat2" -gt "$beat1" ]; then pass; else fail "$c: guest heartbeat $beat1 then $beat2"; fi
  if [[ $c != *-d ]]; then
    # No -d: nothing bounds the destination's socket; it still waits, told nothing.
    status=$("$QSOCK" qmp -s "$dir/dst/qmp.sock" query-status | jq -r .status)
    if [ "$status" = inmigrate ]; then pass
    else fail "$c: the unbounded destination is '$status', not still inmigrate"; fi
    continue
  fi
  # -d: qsock bounded the destination's socket too, and said so.
  if echo "$report" | jq -e '.destination_sockopts_via == "inject"
       and .socket.destination.options."user-timeout" == 2000
       and .socket.destination.options."keep-alive-idle" == 1
       and (.destination_state | type == "string")' >/dev/null; then pass
  else fail "$c: the report does not show the destination's socket bounded, or its state"; fi
  # Its fate: QEMU 7.2's destination exits once its incoming migration fails.
  dpid=$(var DSTPID "$c")
  for ((i = 0; i < 100; i++)); do kill -0 "$dpid" 2>/dev/null || break; sleep 0.1; done
  if kill -0 "$dpid" 2>/dev/null; then
    fail "$c: the destination still runs $(($(now_ms) - t_cut)) ms after the cut"
  else
    echo "$c: the destination is gone (checked $(($(now_ms) - t_cut)) ms after the cut)"; pass
  fi
done

finish
