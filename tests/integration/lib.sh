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

# finish: prints the tally and exits non-zero on any failure.
finish() {
  echo "$passes passed, $failures failed"
  [ "$failures" = 0 ]
}

# --- Monitors: real QEMU and the fault-injection peer ---------------------
# Processes and directories started here are removed on exit, whatever happens.
cleanup_pids=()
cleanup_dirs=()
cleanup() {
  local pid
  for pid in "${cleanup_pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${cleanup_pids[@]}"; do wait "$pid" 2>/dev/null || true; done
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
  need qemu-system-x86_64
  qemu-system-x86_64 -M none -nodefaults -display none -S \
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
