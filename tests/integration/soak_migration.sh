# Soak: $QSOCK_SOAK_ROUNDS (default 20) consecutive qsock migrations back and
# forth between two real QEMUs, slot A and slot B (a migrated-away source is
# stopped and its slot gets a fresh destination with -incoming defer for the
# way back). The legs cycle through native tcp (qsock runs migrate-incoming),
# a UNIX socket, and tcp with socket options through qsock's own connection
# passed with getfd to both sides (--sockopts fd) or set on QEMU's own
# sockets through pidfd_getfd (--sockopts inject), so every transport goes
# both ways. After every leg: qsock exits 0, its --json report is complete
# and consistent and names the transport asked for, query-status says the
# source is postmigrate and the destination running, both QEMUs have exactly
# the fds they had before the leg, and no qsock process and no zombie is
# left. At the end: no socket or temporary file is left behind.
. "$(dirname "$0")/lib.sh"
need_qemu
need jq
need ss

rounds=${QSOCK_SOAK_ROUNDS:-20}
[[ $rounds =~ ^[1-9][0-9]*$ ]] || { echo "FAIL: QSOCK_SOAK_ROUNDS='$rounds' is not a positive number" >&2; exit 1; }
scale=${QSOCK_TEST_TIME_SCALE:-1}
root=$(scratch_dir)
# qsock's temporary directory: it must still be empty at the end.
mkdir "$root/tmp"
soak_start=$(date +%s%N)

# free_port: sets PORT to a TCP port nothing on this host uses (no listener,
# no connection, no TIME-WAIT), below the ephemeral range so no outgoing
# connection takes it meanwhile.
next_port=$((20000 + $$ % 12000))
free_port() {
  local i
  for i in $(seq 100); do
    next_port=$((next_port >= 32000 ? 20000 : next_port + 1))
    if [ -z "$(ss -Htan "( sport = :$next_port or dport = :$next_port )")" ]; then
      PORT=$next_port
      return 0
    fi
  done
  echo "no free port found" >&2
  return 1
}

# wait_fd_list PID WANT: waits up to 2 s (scaled) until PID's fd_list is WANT
# (QEMU closes a finished client's socket a moment after it goes); prints the
# last list and fails otherwise.
wait_fd_list() {
  local now i
  for ((i = 0; i < 40 * scale; i++)); do
    now=$(fd_list "$1")
    [ "$now" = "$2" ] && return 0
    sleep 0.05
  done
  echo "$now"
  return 1
}

# status_of SOCK: "STATUS RUNNING" from query-status, e.g. "postmigrate false".
status_of() { "$QSOCK" qmp -s "$1" query-status | jq -r '"\(.status) \(.running)"'; }

# start_vm [QEMU ARGS...]: a fresh VM (lib's vm) in its own directory under
# $root. Sets VM_DIR and VM_PID.
vms=0
start_vm() {
  vms=$((vms + 1))
  VM_DIR=$root/vm$vms
  mkdir "$VM_DIR"
  vm "$VM_DIR" "$@"
}

# stop_vm PID: stops it, reaps it, and takes it off the cleanup list (its pid
# may be another process's by the end).
stop_vm() {
  local pid kept=()
  kill "$1"
  wait "$1" 2>/dev/null || true
  for pid in "${cleanup_pids[@]}"; do [ "$pid" = "$1" ] || kept+=("$pid"); done
  cleanup_pids=("${kept[@]}")
}

# unexpected_processes: qsock processes (or the timeout wrapping one) and
# zombies below this shell.
unexpected_processes() { descendants | awk '$2 ~ /^Z/ || $3 == "qsock" || $3 == "timeout"'; }

# The checks on a leg's report, in jq: prints each that fails. $kind is the
# transport asked for (tcp, unix, fd), $port its TCP port.
read -r -d '' REPORT_CHECKS <<'JQ' || true
def check(name; cond): if (try cond catch false) then empty else name end;
def num: type == "number";
.bytes as $b |
check("the last line is the report"; .event == "report"),
check("status completed, no error, no bound fired"; .status == "completed" and .error == null and .fired == null),
check("total, setup and downtime measured, none negative"; (.total_time_ms | num) and (.downtime_ms | num) and (.setup_time_ms | num) and .total_time_ms >= 0 and .downtime_ms >= 0 and .setup_time_ms >= 0),
check("observed downtime (STOP -> RESUME) measured, 0 <= it < 10 s"; (.observed_downtime_ms | num) and .observed_downtime_ms >= 0 and .observed_downtime_ms < 10000),
check("downtime limit is QEMU's default 300 ms"; .downtime_limit_ms == 300),
check("bytes transferred > 0"; $b.transferred > 0),
check("total bytes >= the VM's 64 MiB, none remaining"; $b.total >= 67108864 and $b.remaining == 0),
check("throughput > 0"; .throughput_mbps > 0),
check("passes >= 1"; .passes >= 1),
check("source postmigrate (not resumed), destination running"; .source_state == "postmigrate" and .source_resumed == false and .destination_state == "running"),
# QEMU's times need not add up (11.1 once reported downtime 70 ms in a total
# of 19 ms over fd); qsock must say so exactly when they do not.
check("a note that QEMU's numbers disagree exactly when downtime or setup exceeds the total";
  (.downtime_ms > .total_time_ms or .setup_time_ms > .total_time_ms or $b.precopy + $b.downtime + $b.postcopy > $b.transferred)
  == any(.notes[]; startswith("QEMU's numbers disagree"))),
if $kind == "unix" then
  check("unix: no socket options, nothing passed, no TCP socket"; .sockopts_via == null and .destination_sockopts_via == null and .fd_passed == false and .socket == {})
else
  # The source's socket is connected to the port asked for, and the
  # destination's (when qsock had a view of it) is its other end. A fast
  # migration may be over before qsock finds QEMU's own socket (native,
  # inject): then a note says so.
  check("tcp: the source's socket is connected to 127.0.0.1:\($port)"; .socket.peer == "127.0.0.1:\($port)" or ($kind != "fd" and .socket.peer == null and (.socket | has("options") | not) and any(.notes[]; startswith("no view of the source's migration socket") or startswith("inject on the source failed")))),
  check("tcp: the destination's socket is the other end"; .socket.destination == null or (.socket.destination.local == "127.0.0.1:\($port)" and (.socket.local == null or .socket.destination.peer == .socket.local))),
  if $kind == "tcp" then
    check("native tcp: no socket options, nothing passed"; .sockopts_via == null and .destination_sockopts_via == null and .fd_passed == false)
  elif $kind == "inject" then
    # QEMU's own sockets, set through pidfd_getfd: where qsock says it did,
    # the socket has the options; where it found no socket (the migration
    # was over first), it says so and claims nothing.
    check("inject: nothing passed"; .fd_passed == false),
    check("inject: the source's socket has user-timeout 5000 and keep-alive on, or a note says inject failed there"; (.sockopts_via == "inject" and .socket.options["user-timeout"] == 5000 and .socket.options["keep-alive"] == true and .socket.not_applied == []) or (.sockopts_via == null and (.socket | has("options") | not) and any(.notes[]; startswith("inject on the source failed")))),
    check("inject: the destination's socket has user-timeout 5000 and keep-alive on, or a note says inject failed there"; (.destination_sockopts_via == "inject" and .socket.destination.options["user-timeout"] == 5000 and .socket.destination.options["keep-alive"] == true and .socket.destination.not_applied == []) or (.destination_sockopts_via == null and .socket.destination == null and any(.notes[]; startswith("inject on the destination failed"))))
  else
    check("fd: qsock's connection passed with getfd, both sides"; .sockopts_via == "fd" and .destination_sockopts_via == "fd" and .fd_passed == true),
    check("fd: both ends have user-timeout 5000 and keep-alive on, nothing not applied"; [.socket, .socket.destination] | all(.options["user-timeout"] == 5000 and .options["keep-alive"] == true and .not_applied == []))
  end
end
JQ

# Slot A: the VM, running. Its fds once its monitor has answered.
start_vm
src_dir=$VM_DIR src_pid=$VM_PID src_slot=A
[ "$(status_of "$src_dir/qmp.sock")" = "running true" ] && pass || fail "the first VM is not running"
src_fds=$(settled fd_list "$src_pid")
first_incoming_fds=""
# Legs alternate A->B, B->A: in this order every transport goes both ways
# within 8 legs.
kinds=(tcp unix fd inject unix tcp inject fd)
tcp_legs=0 src_views=0 dst_views=0 inject_legs=0 src_injected=0 dst_injected=0
slowest_ms=0
out=$root/out err=$root/err

for ((leg = 1; leg <= rounds; leg++)); do
  kind=${kinds[(leg - 1) % ${#kinds[@]}]}
  failures_before=$failures
  dst_slot=B; [ "$src_slot" = B ] && dst_slot=A
  # The destination, waiting with -incoming defer; its fds the same as the
  # first destination's.
  start_vm -incoming defer
  dst_dir=$VM_DIR dst_pid=$VM_PID
  [ "$(status_of "$dst_dir/qmp.sock")" = "inmigrate false" ] && pass ||
    fail "leg $leg: the new destination in slot $dst_slot is not inmigrate"
  if [ -z "$first_incoming_fds" ]; then
    first_incoming_fds=$(settled fd_list "$dst_pid")
    dst_fds=$first_incoming_fds
  elif dst_fds=$(wait_fd_list "$dst_pid" "$first_incoming_fds"); then
    dst_fds=$first_incoming_fds
    pass
  else
    fail "leg $leg: the new destination has fds '$dst_fds', the first one had '$first_incoming_fds'"
  fi

  PORT=""
  extra=()
  case $kind in
    tcp) free_port; to=tcp:127.0.0.1:$PORT ;;
    unix) to=unix:$root/mig$leg.sock ;;
    fd | inject)
      free_port
      to=tcp:127.0.0.1:$PORT,user-timeout=5000,keep-alive=on
      extra=(--sockopts "$kind")
      ;;
  esac
  what="leg $leg ($src_slot->$dst_slot, $kind, --to $to ${extra[*]})"
  rc=0
  start=$(date +%s%N)
  TMPDIR=$root/tmp timeout $((30 * scale)) "$QSOCK" --json migrate -s "$src_dir/qmp.sock" \
    -d "$dst_dir/qmp.sock" --to "$to" "${extra[@]}" --timeout $((10 * scale)) >"$out" 2>"$err" ||
    rc=$?
  ms=$((($(date +%s%N) - start) / 1000000))
  [ "$ms" -gt "$slowest_ms" ] && slowest_ms=$ms
  report=$(grep '^{' "$out" | tail -n 1 || true)
  problems=$(jq -r --arg kind "$kind" --arg port "$PORT" "$REPORT_CHECKS" <<<"${report:-null}" 2>&1 ||
    echo "the report is not JSON")
  if [ "$rc" = 0 ] && [ -z "$problems" ]; then
    pass
  else
    fail "$what: qsock exited $rc; report checks failed:"
    sed 's/^/    /' <<<"$problems" >&2
    echo "  report: ${report:-(none)}" >&2
    sed 's/^/  stderr: /' "$err" >&2
  fi
  if [ "$kind" = inject ]; then
    inject_legs=$((inject_legs + 1))
    applied=$(jq -r '"\(.sockopts_via) \(.destination_sockopts_via)"' <<<"${report:-null}" 2>/dev/null || true)
    [[ $applied == "inject "* ]] && src_injected=$((src_injected + 1))
    [[ $applied == *" inject" ]] && dst_injected=$((dst_injected + 1))
  fi
  if [ "$kind" = tcp ]; then
    tcp_legs=$((tcp_legs + 1))
    views=$(jq -r '"\(.socket.peer != null) \(.socket.destination != null)"' <<<"${report:-null}" 2>/dev/null || true)
    [[ $views == "true "* ]] && src_views=$((src_views + 1))
    [[ $views == *" true" ]] && dst_views=$((dst_views + 1))
  fi

  # What the QEMUs say, asked separately.
  got=$(status_of "$src_dir/qmp.sock") || got="(query-status failed)"
  [ "$got" = "postmigrate false" ] && pass || fail "$what: the source is '$got', not postmigrate"
  got=$(status_of "$dst_dir/qmp.sock") || got="(query-status failed)"
  [ "$got" = "running true" ] && pass || fail "$what: the destination is '$got', not running"

  # Both QEMUs are back to the fds they had before the leg: the migration
  # channel, the passed fds and every monitor connection are closed.
  if now=$(wait_fd_list "$src_pid" "$src_fds"); then pass; else
    fail "$what: the source has fds '$now', before the leg '$src_fds'"; fi
  if now=$(wait_fd_list "$dst_pid" "$dst_fds"); then pass; else
    fail "$what: the destination has fds '$now', before the leg '$dst_fds'"; fi

  left=$(unexpected_processes)
  [ -z "$left" ] && pass || fail "$what: left behind: $left"
  [ ! -e "$root/mig$leg.sock" ] && pass || fail "$what: $root/mig$leg.sock is left"

  # The source is done: stop it; its directory had nothing but its monitors.
  stop_vm "$src_pid"
  extra_files=$(find "$src_dir" -mindepth 1 ! -name qmp.sock ! -name hmp.sock)
  [ -z "$extra_files" ] && pass || fail "$what: files left in the source's directory: $extra_files"
  rm -rf "$src_dir"
  echo "leg $leg $src_slot->$dst_slot $kind: ${ms} ms, downtime $(jq -r '.downtime_ms' <<<"${report:-null}" 2>/dev/null) ms," \
    "$(jq -r '.bytes.transferred' <<<"${report:-null}" 2>/dev/null) bytes"
  src_dir=$dst_dir src_pid=$dst_pid src_slot=$dst_slot src_fds=$dst_fds
  # What follows a broken leg would fail for its sake: the first one is the news.
  if [ "$failures" != "$failures_before" ]; then
    echo "stopping after leg $leg of $rounds" >&2
    break
  fi
done

# The last destination runs on, with the fds it had.
[ "$(status_of "$src_dir/qmp.sock")" = "running true" ] && pass || fail "the last destination is not running"
if now=$(wait_fd_list "$src_pid" "$src_fds"); then pass; else
  fail "the last destination has fds '$now', '$src_fds' before"; fi
# Nothing left: no qsock, no zombie, no file but the live VM's monitors.
left=$(unexpected_processes)
[ -z "$left" ] && pass || fail "left behind at the end: $left"
files=$(find "$root" -mindepth 1 ! -path "$src_dir" ! -path "$src_dir/qmp.sock" ! -path "$src_dir/hmp.sock" \
  ! -path "$root/tmp" ! -name out ! -name err)
[ -z "$files" ] && pass || fail "files left behind: $files"

elapsed_ms=$((($(date +%s%N) - soak_start) / 1000000))
# A guard against legs that hang or creep, not a speed goal (bench/run measures
# speed): 6 s a leg, where one takes about 1 s on a quiet machine.
budget_s=$((6 * rounds * scale))
[ "$elapsed_ms" -le $((budget_s * 1000)) ] && pass ||
  fail "$rounds legs took ${elapsed_ms} ms, more than ${budget_s} s"
echo "soak: $rounds migrations in ${elapsed_ms} ms (slowest qsock migrate ${slowest_ms} ms);" \
  "of $tcp_legs native tcp legs, qsock saw the source's socket in $src_views, the destination's in $dst_views;" \
  "of $inject_legs inject legs, it set the source's in $src_injected, the destination's in $dst_injected (the others were over first);" \
  "QEMU fds: $src_fds"
finish
