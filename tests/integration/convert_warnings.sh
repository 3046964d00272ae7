# qsock convert says what qsock check says about the input: the same
# warnings, in text and in --json, and which of the input's options the
# converted form leaves out (QEMU 10.0 ignores keep-alive-idle in a URI, so
# the -netdev form cannot carry it).
. "$(dirname "$0")/lib.sh"

D=$(scratch_dir)
addr='tcp:h:1,keep-alive=on,keep-alive-idle=30'

# --json: every warning check gives is among convert's, and the drop is named.
"$QSOCK" --json check --qemu-version 10.0 "$addr" | jq -r '.warnings[].message' | sort >"$D/check"
[ -s "$D/check" ] && pass || fail "check gives no warning for $addr on 10.0 (the test needs one)"
"$QSOCK" --json convert --qemu-version 10.0 --to netdev "$addr" >"$D/convert.json"
jq -r '.warnings[]' "$D/convert.json" | sort >"$D/convert"
missing=$(comm -23 "$D/check" "$D/convert")
[ -z "$missing" ] && pass || fail "convert --json lacks check's warnings: $missing"
[ "$(jq -c .dropped "$D/convert.json")" = '["keep-alive-idle"]' ] && pass ||
  fail "convert --json dropped: $(jq -c .dropped "$D/convert.json")"
case "$(jq -r .output "$D/convert.json")" in
  *keep-alive-idle*) fail "the netdev form still has keep-alive-idle" ;;
  *addr.keep-alive=on*) pass ;;
  *) fail "convert output: $(jq -r .output "$D/convert.json")" ;;
esac

# Text: the result on stdout, the same warnings and the drop on stderr.
"$QSOCK" convert --qemu-version 10.0 --to netdev "$addr" >"$D/out" 2>"$D/err"
grep -qF "ignores 'keep-alive-idle=30'" "$D/err" && pass || fail "text warnings: $(cat "$D/err")"
grep -qF "the netdev form leaves out keep-alive-idle" "$D/err" && pass ||
  fail "text does not name the drop: $(cat "$D/err")"
grep -q '^-netdev\|addr.type=inet' "$D/out" && pass || fail "text output: $(cat "$D/out")"

# Where QEMU reads the option (10.1), nothing is dropped and nothing is said.
"$QSOCK" --json convert --qemu-version 10.1 --to netdev "$addr" >"$D/new.json"
[ "$(jq -c '[.warnings, .dropped]' "$D/new.json")" = '[[],[]]' ] && pass ||
  fail "10.1: $(cat "$D/new.json")"
case "$(jq -r .output "$D/new.json")" in *addr.keep-alive-idle=30*) pass ;; *) fail "10.1 output: $(jq -r .output "$D/new.json")" ;; esac

finish
