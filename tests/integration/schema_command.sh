#!/usr/bin/env bash
# qsock schema: lists types, shows a type or a member with its releases, in
# text and --json, from the embedded schema or --schema DIR; unknown names
# fail with exit 1 and a suggestion.
. "$(dirname "$0")/lib.sh"
need python3

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# expect_output CODE PATTERN CMD...: exit code CODE and PATTERN (a fixed
# string) somewhere in stdout+stderr.
expect_output() {
  local want=$1 pattern=$2; shift 2
  local got=0
  "$@" >"$tmp/out" 2>&1 || got=$?
  if [ "$got" != "$want" ]; then
    fail "expected exit $want, got $got: $*"; sed 's/^/    /' "$tmp/out" >&2
  elif ! grep -qF -- "$pattern" "$tmp/out"; then
    fail "output of '$*' lacks: $pattern"; sed 's/^/    /' "$tmp/out" >&2
  else
    pass
  fi
}

# json_check EXPR CMD...: CMD exits 0 and EXPR (Python, over `j`) holds for its stdout.
json_check() {
  local expr=$1; shift
  if ! "$@" >"$tmp/json" 2>"$tmp/err"; then
    fail "failed: $*"; sed 's/^/    /' "$tmp/err" >&2; return
  fi
  if python3 -c "import json,sys; j=json.load(open(sys.argv[1])); sys.exit(0 if ($expr) else 1)" "$tmp/json"; then
    pass
  else
    fail "JSON of '$*' does not satisfy: $expr"; sed 's/^/    /' "$tmp/json" | head -40 >&2
  fi
}

# Listing.
expect_output 0 "InetSocketAddress " "$QSOCK" schema
expect_output 0 "MigrationCapability" "$QSOCK" schema
if "$QSOCK" schema | grep -q q_obj_; then fail "implicit types are listed"; else pass; fi

# A type, in text.
expect_output 0 "keep-alive-count: uint32, optional, since 10.1, if HAVE_TCP_KEEPCNT" \
  "$QSOCK" schema InetSocketAddress
expect_output 0 "user-timeout: uint32, optional, proposed, if HAVE_TCP_USER_TIMEOUT" \
  "$QSOCK" schema InetSocketAddress
expect_output 0 "host: str, required, since 1.3 (from InetSocketAddressBase)" \
  "$QSOCK" schema InetSocketAddress
expect_output 0 "Discriminator: type" "$QSOCK" schema SocketAddress
expect_output 0 "compress: since 2.4, removed in 9.1" "$QSOCK" schema MigrationCapability
expect_output 0 "channels: [MigrationChannel], optional, since 8.1" "$QSOCK" schema migrate

# A member, in text.
expect_output 0 "Removed in: 10.2" "$QSOCK" schema NetdevStreamOptions.reconnect
expect_output 0 "Since:      proposed" "$QSOCK" schema MigrationCapability.netpass
expect_output 0 "If:         HAVE_TCP_KEEPIDLE" "$QSOCK" schema InetSocketAddress.keep-alive-idle
expect_output 0 "Type:       InetSocketAddress" "$QSOCK" schema SocketAddress.inet

# The same in JSON.
json_check "any(t['name'] == 'NetdevStreamOptions' and t['kind'] == 'struct' for t in j['types'])" \
  "$QSOCK" --json schema
json_check "[m['name'] for m in j['members']][-2:] == ['mptcp', 'user-timeout']" \
  "$QSOCK" --json schema InetSocketAddress
json_check "j['member']['availability'] == {'status': 'released', 'since': '8.0', 'removed': '10.2'}" \
  "$QSOCK" --json schema NetdevStreamOptions.reconnect
json_check "j['value']['availability'] == {'status': 'proposed'}" \
  "$QSOCK" --json schema MigrationCapability.netpass
json_check "j['member']['if'] == 'HAVE_TCP_KEEPCNT' and j['member']['type'] == 'uint32'" \
  "$QSOCK" --json schema InetSocketAddress.keep-alive-count

# Unknown names.
expect_output 1 "did you mean 'InetSocketAddress'?" "$QSOCK" schema InetSocketAdress
expect_output 1 "has no member 'kep-alive'; did you mean 'keep-alive'?" \
  "$QSOCK" schema InetSocketAddress.kep-alive
expect_output 1 "no type 'Bogus'" "$QSOCK" --json schema Bogus

# --schema DIR.
mkdir "$tmp/good" "$tmp/bad"
cat >"$tmp/good/mine.json" <<'QAPI'
##
# @Thing:
#
# A thing.
#
# @size: How big. (since 9.0)
#
# Since: 8.0
##
{ 'struct': 'Thing', 'data': { '*size': 'uint32' } }
QAPI
expect_output 0 "size: uint32, optional, since 9.0" "$QSOCK" schema --schema "$tmp/good" Thing
expect_output 1 "no type 'InetSocketAddress'" "$QSOCK" schema --schema "$tmp/good" InetSocketAddress
printf "{ 'struct': 'Broken',\n  'data': { 'x': 'Nope' } }\n" >"$tmp/bad/broken.json"
expect_output 1 "broken.json:1:3: type 'Nope' of member 'x' of 'Broken' is not defined" \
  "$QSOCK" schema --schema "$tmp/bad"
expect_output 1 "no *.json files" "$QSOCK" schema --schema "$tmp"

finish
