# Shared helpers for integration tests. Source it: . "$(dirname "$0")/lib.sh"
set -euo pipefail

: "${QSOCK:?QSOCK must name the qsock binary (ctest sets it)}"
TESTS_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
failures=0
passes=0

# skip REASON: exit 77 (ctest: skipped) outside CI; in CI a missing
# prerequisite is a failure, never a silent skip.
skip() {
  if [ "${CI:-}" = "true" ]; then
    echo "FAIL (prerequisite missing in CI): $*" >&2
    exit 1
  fi
  echo "SKIP: $*" >&2
  exit 77
}

need() { command -v "$1" >/dev/null 2>&1 || skip "$1 not installed (tools/test installs it)"; }

# --- The QEMU under test ------------------------------------------------------
# QSOCK_TEST_QEMU chooses the QEMU every test runs (a path or a command name;
# default: the system's qemu-system-x86_64). tools/test runs the real-QEMU
# tests once per release with /opt/qsock-qemu/RELEASE/qemu-system-x86_64
# (tools/install-qemus). Tests call "$QEMU", never qemu-system-x86_64 itself,
# and read what they expect from that QEMU (qemu_release, qemu_schema_has),
# never from one release's answers.
QSOCK_TEST_QEMU=${QSOCK_TEST_QEMU:-qemu-system-x86_64}
QEMU=$QSOCK_TEST_QEMU
export QSOCK_TEST_QEMU

# need_qemu: skips (a failure in CI) unless $QEMU runs.
need_qemu() {
  command -v "$QEMU" >/dev/null 2>&1 ||
    skip "$QEMU not installed (tools/test installs it; QSOCK_TEST_QEMU chooses it)"
}

# qemu_full_version: "7.2.22", from $QEMU --version (once per script).
qemu_full_version() {
  if [ -z "${qemu_full_version_cache:-}" ]; then
    need_qemu
    qemu_full_version_cache=$("$QEMU" --version | sed -n '1s/^QEMU emulator version \([0-9][0-9.]*\).*/\1/p')
    [ -n "$qemu_full_version_cache" ] || { echo "cannot read $QEMU's version" >&2; return 1; }
  fi
  echo "$qemu_full_version_cache"
}
# qemu_release: "7.2" (major.minor, what qsock's --qemu-version takes).
qemu_release() { qemu_full_version | cut -d. -f1,2; }
# qemu_at_least MAJOR.MINOR: the QEMU under test is that release or later.
qemu_at_least() {
  local have want
  have=$(qemu_release) want=$1
  [ "$(printf '%s\n%s\n' "$want" "$have" | sort -V | head -1)" = "$want" ]
}

# qemu_schema FILE: writes $QEMU's query-qmp-schema (the return value) to FILE,
# asked on stdio of a -M none QEMU. Its stdout is a file, not a pipe: QEMU
# writes stdio without blocking and drops what a pipe cannot take when it quits.
qemu_schema() {
  need_qemu
  need python3
  printf '%s\n' '{"execute":"qmp_capabilities"}' '{"execute":"query-qmp-schema"}' '{"execute":"quit"}' |
    timeout 30 "$QEMU" -M none -nodefaults -display none -S -qmp stdio >"$1.qmp" 2>/dev/null || true
  python3 - "$1.qmp" >"$1" <<'PY'
import json, sys
for line in open(sys.argv[1]):
    try: m = json.loads(line)
    except ValueError: continue
    if isinstance(m.get("return"), list): json.dump(m["return"], sys.stdout); sys.exit(0)
sys.exit("no query-qmp-schema reply")
PY
  rm -f "$1.qmp"
}
# qemu_schema_has FILE PATH: FILE (from qemu_schema) has PATH, a command or
# event and the members below it (tests/integration/qemu_schema.py):
# "migrate.channels" (MigrationChannel, 8.2), "netdev_add.addr.keep-alive-count"
# (10.1), "migrate-set-capabilities.capabilities.capability.return-path".
qemu_schema_has() { python3 "$TESTS_DIR/integration/qemu_schema.py" "$1" "$2"; }

pass() { passes=$((passes + 1)); }
fail() { failures=$((failures + 1)); echo "FAIL: $*" >&2; }

# expect_exit CODE CMD...: runs CMD, fails unless it exits with CODE.
expect_exit() {
  local want=$1; shift
  local got=0
  "$@" >/tmp/qsock-test-out.$$ 2>&1 || got=$?
  if [ "$got" = "$want" ]; then pass; else
    fail "expected exit $want, got $got: $*"; sed 's/^/    /' /tmp/qsock-test-out.$$ >&2
  fi
  rm -f /tmp/qsock-test-out.$$
}

# finish: prints the tally; false on any failure (a script's last command,
# so its exit status; mid-script, follow it with `exit 1`).
finish() {
  echo "$passes passed, $failures failed"
  [ "$failures" = 0 ]
}

# --- Monitors: real QEMU and the fault-injection peer ---------------------
# Processes and directories started here are removed on exit, whatever happens.
cleanup_pids=()
cleanup_dirs=()
cleanup_netns=()
cleanup_cmds=()  # run first, in order (e.g. stop_libvirtd)
cleanup() {
  local pid ns cmd
  for cmd in "${cleanup_cmds[@]}"; do eval "$cmd" || true; done
  for pid in "${cleanup_pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${cleanup_pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  for ns in "${cleanup_netns[@]}"; do ip netns del "$ns" 2>/dev/null || true; done
  rm -rf "${cleanup_dirs[@]}"
}
trap cleanup EXIT

# scratch_dir: prints a fresh directory that is removed on exit (short path:
# UNIX socket paths are limited to 107 bytes).
scratch_dir() {
  local d
  d=$(mktemp -d /tmp/qsock.XXXXXX)
  cleanup_dirs+=("$d")
  echo "$d"
}

# wait_for PATH: waits up to 5 s for PATH to exist.
wait_for() {
  local i
  for i in $(seq 100); do [ -e "$1" ] && return 0; sleep 0.05; done
  echo "gave up waiting for $1" >&2
  return 1
}

# start_qemu DIR [QEMU ARGS...]: a paused machine with nothing in it and two
# monitors, QMP on DIR/qmp.sock and HMP on DIR/hmp.sock. Sets QEMU_PID.
start_qemu() {
  local dir=$1; shift
  need_qemu
  "$QEMU" -M none -nodefaults -display none -S \
    -qmp "unix:$dir/qmp.sock,server=on,wait=off" \
    -monitor "unix:$dir/hmp.sock,server=on,wait=off" "$@" &
  QEMU_PID=$!
  cleanup_pids+=("$QEMU_PID")
  wait_for "$dir/qmp.sock" && wait_for "$dir/hmp.sock"
}

# start_peer MODE ADDRESS DIR: runs tests/peers/qmp_peer; sets PEER_ADDR to
# the address it listens on (with the real port for tcp:HOST:0).
start_peer() {
  local mode=$1 address=$2 dir=$3
  local peer="${QSOCK_BUILD_DIR:?}/tests/qmp_peer"
  [ -x "$peer" ] || { echo "missing $peer" >&2; return 1; }
  rm -f "$dir/ready"
  "$peer" "$mode" "$address" "$dir/ready" &
  cleanup_pids+=("$!")
  wait_for "$dir/ready"
  PEER_ADDR=$(cat "$dir/ready")
}

# expect_within MAX_SECONDS CODE MESSAGE CMD...: CMD exits CODE within
# MAX_SECONDS and its output (stdout and stderr) contains the fixed string MESSAGE.
# $QSOCK_TEST_TIME_SCALE multiplies MAX_SECONDS: tools/test sets it for the
# sanitizer build, whose qsock runs several times slower.
expect_within() {
  local max=$(($1 * ${QSOCK_TEST_TIME_SCALE:-1})) want=$2 message=$3; shift 3
  local out got=0 start end
  out=$(mktemp)
  start=$(date +%s%N)
  "$@" >"$out" 2>&1 || got=$?
  end=$(date +%s%N)
  local ms=$(( (end - start) / 1000000 ))
  if [ "$got" != "$want" ]; then
    fail "expected exit $want, got $got: $*"; sed 's/^/    /' "$out" >&2
  elif [ -n "$message" ] && ! grep -qF -- "$message" "$out"; then
    fail "output of '$*' lacks '$message'"; sed 's/^/    /' "$out" >&2
  elif [ "$ms" -gt $((max * 1000)) ]; then
    fail "took ${ms} ms, more than ${max} s: $*"
  else
    pass
  fi
  rm -f "$out"
}

now_ms() { date +%s%3N; }  # wall clock, milliseconds

# accept_queue NAME: how many connections wait in the accept queue of the
# UNIX listener bound as NAME (this namespace's /proc/net/unix: state 02,
# no inode; NAME is the path as the binder saw it).
accept_queue() {
  awk -v p="$1" '$8 == p && $6 == "02"' /proc/net/unix | wc -l
}

# expect_held SOCK CMD...: CMD (a qsock command on the monitor SOCK, which
# another client holds) is refused three times within 1 s each with the
# held-monitor message (exit 3), the accept queue as it was; and
# `qsock sockets -s SOCK` still finds the QEMU (QEMU_PID). HELD_NAME names
# the socket as bound, when that differs from SOCK (another mount namespace).
expect_held() {
  local sock=$1 name=${HELD_NAME:-$1} before i; shift
  before=$(accept_queue "$name")
  for i in 1 2 3; do
    expect_within 1 3 "is held by another client" "$@"
    [ "$(accept_queue "$name")" = "$before" ] && pass ||
      fail "attempt $i left the accept queue at $(accept_queue "$name"), was $before"
  done
  "$QSOCK" --json sockets -s "$sock" >"$sock.sockets" 2>&1 &&
    jq -e --argjson pid "$QEMU_PID" '.pid == $pid' "$sock.sockets" >/dev/null && pass ||
    { fail "sockets -s did not find QEMU $QEMU_PID behind a held monitor"; cat "$sock.sockets" >&2; }
}

# expect_exit_after_cut NAME PID T0_MS LIMIT_MS ERRFILE: PID (a qsock migrate in the
# background) must exit 6 within LIMIT_MS of T0_MS (the cut); prints how long it took
# and leaves it in CUT_EXIT_MS.
expect_exit_after_cut() {
  local name=$1 pid=$2 t0=$3 limit=$4 err=$5 code="" elapsed
  while [ $(($(now_ms) - t0)) -lt "$limit" ]; do
    if ! kill -0 "$pid" 2>/dev/null; then
      elapsed=$(($(now_ms) - t0)); code=0; wait "$pid" || code=$?; break
    fi
    sleep 0.05
  done
  if [ -z "$code" ]; then
    fail "$name: qsock still running $limit ms after the cut"; kill "$pid"; return
  fi
  CUT_EXIT_MS=$elapsed  # for a caller's own bounds
  echo "$name: exit $code $elapsed ms after the cut"
  [ "$code" = 6 ] && pass || { fail "$name: exit $code, not 6"; sed 's/^/    /' "$err" >&2; }
}

# --- qsock guard ----------------------------------------------------------------
# start_guard DIR ARGS...: `qsock --json guard ARGS...` in the background, its
# lines in DIR/guard.out (GUARD_OUT), stderr in DIR/guard.err (GUARD_ERR);
# returns once it says "started". Sets GUARD_PID (stopped on exit).
start_guard() {
  local dir=$1; shift
  GUARD_OUT=$dir/guard.out GUARD_ERR=$dir/guard.err GUARD_DEATH_SAID=
  "$QSOCK" --json guard "$@" >"$GUARD_OUT" 2>"$GUARD_ERR" &
  GUARD_PID=$!
  cleanup_pids+=("$GUARD_PID")
  until_guard_lines '.event == "started"' 1 5
}

# guard_alive: true while the guard runs. Once it has died, says so (with its
# exit status and stderr, a sanitizer's report included) and is false: a test
# waiting for lines that can no longer come stops at once.
guard_alive() {
  kill -0 "$GUARD_PID" 2>/dev/null && return 0
  if [ -z "$GUARD_DEATH_SAID" ]; then
    GUARD_DEATH_SAID=1
    local code=0
    wait "$GUARD_PID" 2>/dev/null || code=$?
    fail "the guard died (exit status $code); its stderr:"
    tail -n 60 "$GUARD_ERR" >&2
  fi
  return 1
}

# guard_lines FILTER: how many of the guard's lines the jq FILTER selects.
guard_lines() { jq -c "select($1)" "$GUARD_OUT" 2>/dev/null | wc -l; }

# until_guard_lines FILTER COUNT [SECONDS]: waits (10 s by default) for COUNT
# such lines; fails if they do not come.
until_guard_lines() {
  local i
  for ((i = 0; i < ${3:-10} * 20; i++)); do
    [ "$(guard_lines "$1")" -ge "$2" ] && return 0
    guard_alive || return 1
    sleep 0.05
  done
  return 1
}

# stop_guard: SIGTERM; passes if the guard exits 0 with a "stopped" line.
stop_guard() {
  local code=0
  guard_alive || return 0
  kill -TERM "$GUARD_PID"
  wait "$GUARD_PID" || code=$?
  [ "$code" = 0 ] && tail -1 "$GUARD_OUT" | jq -e '.event == "stopped"' >/dev/null && pass ||
    fail "SIGTERM: the guard exited $code, its last line $(tail -1 "$GUARD_OUT")"
}

# --- A process's fds and children --------------------------------------------
# fd_count PID, fd_list PID: an fd that closes while find reads the directory
# makes find exit 1; that fd is simply not listed (and pipefail, with set -e,
# would otherwise end the whole test without a word).
fd_count() { { find "/proc/$1/fd" -mindepth 1 -maxdepth 1 2>/dev/null || true; } | wc -l; }
# fd_list PID: "N:target " for each fd, sockets and pipes without their inode
# (which differs from run to run).
fd_list() {
  { find "/proc/$1/fd" -mindepth 1 -maxdepth 1 -printf '%f:%l\n' 2>/dev/null || true; } |
    sed 's/:\[[0-9]*\]$//' | sort -n | tr '\n' ' '
}

# settled FUNC PID: FUNC PID's output (fd_count, fd_list) once it has not
# changed for 0.5 s (QEMU closes a finished client's socket a moment after
# the client goes), or after 10 s whatever it is then.
settled() {
  local last now same=0
  last=$("$1" "$2")
  for _ in $(seq 200); do
    sleep 0.05
    now=$("$1" "$2")
    if [ "$now" = "$last" ]; then same=$((same + 1)); else same=0; last=$now; fi
    [ "$same" -ge 10 ] && break
  done
  echo "$last"
}

# descendants: "PID STAT COMM" of every process below this shell (children,
# their children, ...), the ps that lists them left out.
descendants() {
  ps -e -o pid=,ppid=,stat=,comm= | awk -v top=$$ '
    { pid[NR] = $1; ppid[NR] = $2; line[NR] = $1 " " $3 " " $4; comm[NR] = $4 }
    END {
      below[top] = 1
      do { grew = 0
        for (i = 1; i <= NR; i++)
          if ((ppid[i] in below) && !(pid[i] in below)) { below[pid[i]] = 1; grew = 1 }
      } while (grew)
      for (i = 1; i <= NR; i++)
        if (pid[i] != top && (pid[i] in below) && comm[i] != "ps" && comm[i] != "awk") print line[i]
    }'
}

# --- A guest that keeps a migration in flight -------------------------------
# tests/guest/dirty.elf (built with the tests) rewrites every page of 32 MiB
# in a loop; its pass counter is the word at GUEST_HEARTBEAT. Set QEMU_NETNS
# to run QEMU inside that network namespace (QEMU_NETNS=ns start_guest ...).
GUEST_KERNEL=${QSOCK_BUILD_DIR:-}/tests/guest/dirty.elf
GUEST_HEARTBEAT=0x101000
guest_machine=(-M pc -m 128 -accel tcg -nodefaults -display none)

# run_qemu DIR [QEMU ARGS...]: QEMU with QMP on DIR/qmp.sock and HMP on
# DIR/hmp.sock, in $QEMU_NETNS if set. Sets QEMU_PID.
run_qemu() {
  local dir=$1; shift
  need_qemu
  local netns=()
  [ -z "${QEMU_NETNS:-}" ] || netns=(ip netns exec "$QEMU_NETNS")
  "${netns[@]}" "$QEMU" "$@" \
    -qmp "unix:$dir/qmp.sock,server=on,wait=off" \
    -monitor "unix:$dir/hmp.sock,server=on,wait=off" &
  QEMU_PID=$!
  cleanup_pids+=("$QEMU_PID")
  wait_for "$dir/qmp.sock" && wait_for "$dir/hmp.sock"
}

# start_guest DIR [QEMU ARGS...]: a running pc machine (128 MiB, TCG) booted
# into dirty.elf, monitors as start_qemu. Sets QEMU_PID.
start_guest() {
  local dir=$1; shift
  [ -f "$GUEST_KERNEL" ] || { echo "missing $GUEST_KERNEL (build target guest_dirty)" >&2; return 1; }
  run_qemu "$dir" "${guest_machine[@]}" -kernel "$GUEST_KERNEL" "$@"
}

# start_incoming DIR URI [QEMU ARGS...]: a destination for start_guest's
# machine, waiting on -incoming URI (tcp:HOST:0 picks a free port). Returns
# once it listens; sets QEMU_PID and INCOMING_URI (tcp:HOST:PORT for tcp).
start_incoming() {
  local dir=$1 uri=$2; shift 2
  need jq
  run_qemu "$dir" "${guest_machine[@]}" -incoming "$uri" "$@" || return 1
  # The monitor answers only once the main loop runs, after the listen.
  local info
  info=$("$QSOCK" qmp -s "$dir/qmp.sock" query-migrate) || return 1
  INCOMING_URI=$uri
  if [[ $uri == tcp:* ]]; then
    INCOMING_URI=$(echo "$info" | jq -r '."socket-address"[0] | "tcp:\(.host):\(.port)"')
  fi
}

# guest_heartbeat SOCK: prints the guest's pass counter (decimal).
guest_heartbeat() {
  local line
  line=$("$QSOCK" hmp -s "$1" "xp /1wx $GUEST_HEARTBEAT") || return 1
  echo $((${line##* }))
}

# guest_memory_check SOCK DIR: stops the dirtying guest and checks every page
# of its working set against its own pass counter H: each page holds H or
# H+1 (the pass under way), H+1 only in a prefix. A page lost or sent stale by
# a migration breaks that. Prints the counter and the page count; fails with
# the first page that breaks it. The guest stays stopped.
GUEST_WORKSET_START=0x200000
GUEST_WORKSET_BYTES=0x2000000
guest_memory_check() {
  local sock=$1 dir=$2 beat
  "$QSOCK" hmp -s "$sock" stop >/dev/null || return 1
  beat=$(guest_heartbeat "$sock") || return 1
  "$QSOCK" hmp -s "$sock" "pmemsave $GUEST_WORKSET_START $GUEST_WORKSET_BYTES \"$dir/workset\"" \
    >/dev/null || return 1
  python3 - "$dir/workset" "$beat" <<'PY'
import struct, sys
data, h = open(sys.argv[1], "rb").read(), int(sys.argv[2])
pages = [struct.unpack_from("<I", data, o)[0] for o in range(0, len(data), 4096)]
in_prefix = True
for i, v in enumerate(pages):
    if v == h + 1 and in_prefix:
        continue
    in_prefix = False
    if v != h:
        sys.exit(f"page {i} holds {v}, the guest's counter is {h}")
print(f"counter {h}, {len(pages)} pages consistent")
PY
}

# migration_status SOCK: prints query-migrate's status ("none" before any).
migration_status() {
  "$QSOCK" qmp -s "$1" query-migrate | jq -r '.status // "none"'
}

# wait_migration SOCK STATUS MAX_SECONDS: polls every 0.1 s until the
# migration's status is STATUS; fails (printing the last status) otherwise,
# at once when the migration ended in another state.
wait_migration() {
  local sock=$1 want=$2 max=$3 status i
  for ((i = 0; i < max * 10; i++)); do
    status=$(migration_status "$sock") || return 1
    [ "$status" = "$want" ] && return 0
    case $status in completed | failed | cancelled) break ;; esac
    sleep 0.1
  done
  echo "migration '$status', not '$want' (waited up to ${max} s)" >&2
  return 1
}

# --- Two network namespaces and a path to cut --------------------------------
# For dead-peer tests: this kernel has no netem, so a cut is an nftables table
# that drops everything in and out of one namespace.
netns_pairs=0

# netns_pair: two fresh namespaces joined by a veth pair, lo up in both; sets
# NS_A NS_B (names for ip -n / ip netns exec) and ADDR_A ADDR_B (10.231.N.1 and
# .2, N counting the pairs of this script; each pair is its own network, so
# concurrent scripts cannot collide). Removed on exit. Needs root, ip and nft.
netns_pair() {
  need ip
  need nft
  [ "$(id -u)" = 0 ] || skip "needs root for network namespaces"
  netns_pairs=$((netns_pairs + 1))
  local n=$netns_pairs
  NS_A=qsock-$$-$n-a
  NS_B=qsock-$$-$n-b
  ADDR_A=10.231.$n.1
  ADDR_B=10.231.$n.2
  local veth_a=qs$$a$n veth_b=qs$$b$n
  ip netns add "$NS_A" && cleanup_netns+=("$NS_A")
  ip netns add "$NS_B" && cleanup_netns+=("$NS_B")
  ip link add "$veth_a" netns "$NS_A" type veth peer name "$veth_b" netns "$NS_B"
  ip -n "$NS_A" addr add "$ADDR_A/24" dev "$veth_a"
  ip -n "$NS_B" addr add "$ADDR_B/24" dev "$veth_b"
  local ns
  for ns in "$NS_A" "$NS_B"; do ip -n "$ns" link set lo up; done
  ip -n "$NS_A" link set "$veth_a" up
  ip -n "$NS_B" link set "$veth_b" up
}

# cut_path NS: drops every packet into and out of NS (a silent, dead peer:
# no RST, no ICMP). heal_path NS undoes it.
cut_path() {
  ip netns exec "$1" nft -f - <<'NFT'
table inet qsock_cut {
  chain in { type filter hook input priority -300; policy drop; }
  chain out { type filter hook output priority -300; policy drop; }
}
NFT
}
heal_path() { ip netns exec "$1" nft delete table inet qsock_cut; }

# start_fake_qemu DIR [FAKE_QEMU ARGS...]: runs tests/peers/fake_qemu (a QEMU
# with the proposed migration features) with two monitors, DIR/qmp.sock for
# commands and DIR/events.sock for `qsock events`, serving the proposed schema
# unless ARGS name another --schema, logging to DIR/fake_qemu.log. Sets
# FAKE_QEMU_PID.
start_fake_qemu() {
  local dir=$1; shift
  local peer="${QSOCK_BUILD_DIR:?}/tests/fake_qemu"
  [ -x "$peer" ] || { echo "missing $peer" >&2; return 1; }
  rm -f "$dir/qmp.sock" "$dir/events.sock"
  "$peer" --socket "$dir/qmp.sock" --socket "$dir/events.sock" \
    --schema "${QSOCK_SOURCE_DIR:?}/tests/data/proposed-qmp-schema.json" \
    --log "$dir/fake_qemu.log" "$@" &
  FAKE_QEMU_PID=$!
  cleanup_pids+=("$FAKE_QEMU_PID")
  wait_for "$dir/qmp.sock" && wait_for "$dir/events.sock"
}

# wait_events_client DIR N: waits up to 5 s until the Nth client of
# DIR/events.sock (from start_fake_qemu) has negotiated, so a `qsock events`
# started in the background hears everything from now on.
wait_events_client() {
  local i n
  for i in $(seq 100); do
    n=$(grep -cxF "qmp_capabilities on $1/events.sock" "$1/fake_qemu.log" 2>/dev/null || true)
    [ "${n:-0}" -ge "$2" ] && return 0
    sleep 0.05
  done
  echo "no client $2 negotiated on $1/events.sock" >&2
  return 1
}

# --- qsock migrate between two VMs, and its report --------------------------
# vm DIR [QEMU ARGS...]: a running TCG pc with 64 MiB (-M none has no RAM to
# migrate), QMP on DIR/qmp.sock and HMP on DIR/hmp.sock. Sets VM_PID.
vm() {
  local dir=$1; shift
  need_qemu
  "$QEMU" -M pc -m 64 -accel tcg -nodefaults -display none \
    -qmp "unix:$dir/qmp.sock,server=on,wait=off" \
    -monitor "unix:$dir/hmp.sock,server=on,wait=off" "$@" &
  VM_PID=$!
  cleanup_pids+=("$VM_PID")
  wait_for "$dir/qmp.sock" && wait_for "$dir/hmp.sock"
}

# check_report FILE PYTHON-CONDITION...: the last line of FILE is the report
# and each condition (over `r`) holds.
check_report() {
  local file=$1; shift
  if python3 - "$file" "$@" <<'PY'; then pass; else fail "report checks in $file"; sed 's/^/    /' "$file" >&2; fi
import json, sys
lines = [l for l in open(sys.argv[1]) if l.startswith("{")]
r = json.loads(lines[-1])
assert r["event"] == "report", r
for key in ("status", "downtime_ms", "observed_downtime_ms", "total_time_ms", "setup_time_ms",
            "sockopts_via", "fd_passed", "socket", "source_state", "error"):
    assert key in r, "missing " + key
b = r["bytes"]
ok = True
for cond in sys.argv[2:]:
    if not eval(cond):
        print("condition failed:", cond, file=sys.stderr); ok = False
sys.exit(0 if ok else 1)
PY
}

# state_of SOCK: the run state of the VM behind QMP socket SOCK.
state_of() { "$QSOCK" qmp -s "$1" query-status | jq -r .status; }

# --- libvirt: a private libvirtd, as libvirt-facts.md describes ------------------
# start_libvirtd: a libvirtd of its own (Debian's, no systemd) in a mount
# namespace whose /etc/libvirt, /run/libvirt, /var/lib/libvirt,
# /var/log/libvirt and /var/cache/libvirt are private copies under LV_ROOT,
# so the host's own are never touched; QEMU runs as root without cgroups or
# an LSM, its stderr to a file (no virtlogd). Sets LV_ROOT and LV_URI
# (qemu+unix:///system?socket=...). Stopped on exit with its domains. With
# LIBVIRTD_NETNS it (and so its QEMUs) runs in that network namespace.
start_libvirtd() {
  need libvirtd
  need virsh
  need unshare
  LV_ROOT=$(scratch_dir)
  mkdir -p "$LV_ROOT"/{etc,run,lib/qemu,log/qemu,cache/qemu} /run/libvirt
  cp -a /etc/libvirt/. "$LV_ROOT/etc/"
  cat >>"$LV_ROOT/etc/qemu.conf" <<'CONF'
user = "root"
group = "root"
dynamic_ownership = 0
security_driver = "none"
cgroup_controllers = [ ]
stdio_handler = "file"
CONF
  cat >>"$LV_ROOT/etc/libvirtd.conf" <<CONF
host_uuid = "$(cat /proc/sys/kernel/random/uuid)"
log_outputs = "3:file:/var/log/libvirt/libvirtd.log"
CONF
  local netns=()
  [ -z "${LIBVIRTD_NETNS:-}" ] || netns=(ip netns exec "$LIBVIRTD_NETNS")
  "${netns[@]}" unshare -m --propagation private bash -c "
    mount --bind '$LV_ROOT/etc' /etc/libvirt
    mount --bind '$LV_ROOT/run' /run/libvirt
    mount --bind '$LV_ROOT/lib' /var/lib/libvirt
    mount --bind '$LV_ROOT/log' /var/log/libvirt
    mount --bind '$LV_ROOT/cache' /var/cache/libvirt
    exec libvirtd -d --pid-file /run/libvirt/libvirtd.pid" || return 1
  cleanup_cmds+=("stop_libvirtd '$LV_ROOT'")
  LV_URI="qemu+unix:///system?socket=$LV_ROOT/run/libvirt-sock"
  local i
  for ((i = 0; i < 100; i++)); do
    virsh -c "$LV_URI" version >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  echo "libvirtd did not answer at $LV_URI" >&2
  return 1
}

# stop_libvirtd ROOT: that libvirtd's domains' QEMUs and the daemon, waited for.
stop_libvirtd() {
  local root=$1 pid pids=() i
  for pid in "$root"/run/qemu/*.pid "$root/run/libvirtd.pid"; do
    [ -f "$pid" ] && pids+=("$(cat "$pid")")
  done
  kill "${pids[@]}" 2>/dev/null || true
  for ((i = 0; i < 50; i++)); do
    kill -0 "${pids[@]}" 2>/dev/null || break
    sleep 0.1
  done
  kill -9 "${pids[@]}" 2>/dev/null || true
}

# until_domain_running URI NAME: waits up to 5 s for the domain to be running
# (libvirt resumes a migration's source a moment after the failure).
until_domain_running() {
  local i
  for ((i = 0; i < 50; i++)); do
    [ "$(virsh -c "$1" domstate "$2" | head -1)" = running ] && return 0
    sleep 0.1
  done
  return 1
}

# start_domain NAME: a tiny TCG domain (64 MiB, no disk, no devices, the QEMU
# under test as its emulator; DOMAIN_KERNEL boots a multiboot kernel such as
# the dirtying guest) started by the private libvirtd. Sets DOMAIN_MACHINE
# (the machine type libvirt chose),
# DOMAIN_PID (its QEMU) and DOMAIN_MONITOR (its monitor socket as seen from
# here) and DOMAIN_MONITOR_NAME (the name it is bound to inside libvirtd's namespace).
start_domain() {
  local name=$1 emulator id
  need_qemu
  emulator=$(command -v "$QEMU")
  cat >"$LV_ROOT/$name.xml" <<XML
<domain type='qemu'>
  <name>$name</name>
  <memory unit='MiB'>64</memory>
  <vcpu>1</vcpu>
  <os><type arch='x86_64' machine='pc'>hvm</type>${DOMAIN_KERNEL:+<kernel>$DOMAIN_KERNEL</kernel>}</os>
  <features><acpi/></features>
  <devices>
    <emulator>$emulator</emulator>
    <controller type='usb' model='none'/>
    <memballoon model='none'/>
  </devices>
</domain>
XML
  virsh -c "$LV_URI" create "$LV_ROOT/$name.xml" >/dev/null || {
    tail -5 "$LV_ROOT/log/qemu/$name.log" >&2 2>/dev/null; return 1; }
  id=$(virsh -c "$LV_URI" domid "$name" | tr -d '[:space:]')
  DOMAIN_PID=$(cat "$LV_ROOT/run/qemu/$name.pid")
  DOMAIN_MACHINE=$(virsh -c "$LV_URI" dumpxml "$name" | sed -n "s/.*machine='\([^']*\)'.*/\1/p" | head -1)
  DOMAIN_MONITOR_NAME=/var/lib/libvirt/qemu/domain-$id-$name/monitor.sock
  DOMAIN_MONITOR=$LV_ROOT/lib/qemu/domain-$id-$name/monitor.sock
}
