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
