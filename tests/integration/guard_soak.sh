# Issue 18: the guard over time. With the guard running (--set, the default
# 100 ms interval), QEMUs come and go in batches (GUARD_SOAK_QEMUS, 50, ten at
# a time), each with GUARD_SOAK_CONNECTIONS (10) VNC connections opened and
# closed again: every connection must be bounded (its line, the option read
# back), every QEMU found and forgotten, and the guard's descriptors and
# memory must not grow from the first batch to the last. GUARD_SOAK_REPORT
# names a file for a JSON summary (bench/run's guard row reads it: CPU per
# 100 connections, idle CPU, reaction times); GUARD_SOAK_IDLE_SECONDS
# measures the guard's idle CPU with a batch's connections open.
. "$(dirname "$0")/lib.sh"
need jq
need ss
# need, not need_qemu: the guard's behaviour over time is under test, not a QEMU
# release's, so it runs once (tools/test reruns need_qemu scripts per release).
need "$QEMU"
[ "$(id -u)" = 0 ] || skip "needs root (pidfd_getfd on QEMU)"
QEMUS=${GUARD_SOAK_QEMUS:-50}
CONNECTIONS=${GUARD_SOAK_CONNECTIONS:-10}
IDLE_SECONDS=${GUARD_SOAK_IDLE_SECONDS:-0}
BATCH=10
DISPLAY_BASE=300  # VNC displays 300.. (ports 6200..)
G=$(scratch_dir)

start_guard "$G" --set user-timeout=20000,keep-alive=on --metrics "$G/guard.prom" ||
  { fail "the guard did not start"; finish; exit 1; }
guard=$GUARD_PID
rss_kb() { awk '/^VmRSS:/ { print $2 }' "/proc/$guard/status"; }
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$guard/stat"; }

cpu0=$(cpu_ticks) t0=$(now_ms)
for ((first = 0; first < QEMUS; first += BATCH)); do
  pids=() fds=()
  for ((q = first; q < first + BATCH && q < QEMUS; q++)); do
    "$QEMU" -display none -machine none -nodefaults -vnc "127.0.0.1:$((DISPLAY_BASE + q))" \
      2>>"$G/qemu.err" &
    pids+=($!)
    cleanup_pids+=($!)
  done
  for ((q = first; q < first + ${#pids[@]}; q++)); do
    for ((i = 0; i < 100; i++)); do
      [ -n "$(ss -Hltn "sport = :$((5900 + DISPLAY_BASE + q))")" ] && break
      sleep 0.05
    done
  done
  # Round robin over the batch: QEMU's VNC listener has a backlog of one, and
  # a connect that finds it full waits for a SYN retransmission (1 s, 3 s, ...).
  for ((c = 0; c < CONNECTIONS; c++)); do
    for ((q = first; q < first + ${#pids[@]}; q++)); do
      exec {fd}<>"/dev/tcp/127.0.0.1/$((5900 + DISPLAY_BASE + q))"
      fds+=("$fd")
    done
  done
  want=$(((first + ${#pids[@]}) * CONNECTIONS))
  until_guard_lines '.event == "bounded" and .kind == "vnc"' "$want" 10 ||
    fail "batch at $first: $(guard_lines '.event == "bounded"') of $want connections bounded"
  if ((first == 0)); then
    if ((IDLE_SECONDS > 0)); then
      idle0=$(cpu_ticks); sleep "$IDLE_SECONDS"; idle1=$(cpu_ticks)
    fi
    sleep 0.3  # a few ticks with the batch open
    fds_first=$(fd_count "$guard") rss_first=$(rss_kb)
  fi
  for fd in "${fds[@]}"; do exec {fd}>&-; done
  kill "${pids[@]}"; wait "${pids[@]}" 2>/dev/null || true
  until_guard_lines '.event == "qemu-gone"' "$((first + ${#pids[@]}))" 10 ||
    fail "batch at $first: exited QEMUs not forgotten"
  guard_alive || { finish; exit 1; }
done
sleep 0.3
cpu1=$(cpu_ticks) t1=$(now_ms) fds_last=$(fd_count "$guard") rss_last=$(rss_kb)
total=$((QEMUS * CONNECTIONS))

[ "$(guard_lines '.event == "bounded" and .kind == "vnc"')" = "$total" ] && pass ||
  fail "$(guard_lines '.event == "bounded"') of $total connections bounded"
[ "$(guard_lines '.event == "failed"')" = 0 ] && pass || fail "the guard reported failures"
jq -s -e '[.[] | select(.event == "bounded")] | all(.options."user-timeout" == 20000)' "$GUARD_OUT" >/dev/null &&
  pass || fail "a connection read back without user-timeout 20000"
grep -q '^qsock_guard_connections{kind="vnc"} 0$' "$G/guard.prom" && pass ||
  fail "the metrics still count open connections after all closed"
echo "guard: fds $fds_first -> $fds_last, RSS $rss_first -> $rss_last KiB over $QEMUS QEMUs and $total connections"
[ "$fds_last" -le "$fds_first" ] && pass || fail "the guard's descriptors grew: $fds_first -> $fds_last"
if grep -q __asan_init "$QSOCK"; then
  # ASan keeps freed memory in its quarantine (up to 256 MiB), so RSS grows by
  # design there; LeakSanitizer checks the guard's heap when it exits instead.
  echo "RSS not compared: an ASan build (its leak check runs at the guard's exit)"
else
  [ $((rss_last - rss_first)) -le 512 ] && pass || fail "the guard's memory grew: $rss_first -> $rss_last KiB"
fi

if [ -n "${GUARD_SOAK_REPORT:-}" ]; then
  # CPU per 100 connections: the soak's CPU less what the ticks cost idle
  # over the same time (measured with GUARD_SOAK_IDLE_SECONDS).
  hz=$(getconf CLK_TCK)
  idle=$(((${idle1:-0} - ${idle0:-0}) * 1000000 / hz / (IDLE_SECONDS > 0 ? IDLE_SECONDS : 1)))
  busy=$(((cpu1 - cpu0) * 1000000 / hz - idle * (t1 - t0 - IDLE_SECONDS * 1000) / 1000))
  jq -s --argjson busy "$((busy > 0 ? busy : 0))" --argjson total "$total" --argjson idle "$idle" \
     --argjson qemus "$QEMUS" --argjson fds "[$fds_first, $fds_last]" --argjson rss "[$rss_first, $rss_last]" '
    [.[] | select(.event == "bounded" and .latency_ms != null) | .latency_ms] | sort as $l |
    { qemus: $qemus, connections: $total,
      cpu_us_per_100: ($busy / $total * 100 | floor),
      idle_cpu_us_per_s: $idle,
      latency_median_us: ($l[($l | length) / 2 | floor] * 1000 | floor),
      latency_worst_us: ($l[-1] * 1000 | floor), fds: $fds, rss_kb: $rss }' "$GUARD_OUT" >"$GUARD_SOAK_REPORT"
fi
stop_guard
finish
