# Issue 18: the guard's policy as an operator meets it. --check-policy names
# each problem of a bad file with its line (syntax, unknown option,
# out-of-range value, contradictory matches); a bad policy at start is
# refused with exit 1; a running guard keeps its policy when SIGHUP brings a
# bad file, and says so, and takes a good one. On a real QEMU's connections
# (a QMP chardev and VNC): the policy's kinds decide (VNC ignored), a change
# someone else makes is reported, not fought, until the policy says enforce;
# a closed connection and an exited QEMU are forgotten; SIGTERM ends it with exit 0.
. "$(dirname "$0")/lib.sh"
need jq
need ss
# need, not need_qemu: the policy's handling is under test (QEMU only owns the
# sockets), so it runs once (tools/test reruns need_qemu scripts per release).
need "$QEMU"
[ "$(id -u)" = 0 ] || skip "needs root (pidfd_getfd on QEMU)"
P=$(scratch_dir)

# check_bad NAME LINE MESSAGE TEXT: --check-policy exits 1 naming FILE:LINE and MESSAGE.
check_bad() {
  printf '%s\n' "$4" >"$P/$1.toml"
  local code=0
  "$QSOCK" guard --check-policy "$P/$1.toml" >"$P/$1.out" 2>&1 || code=$?
  if [ "$code" = 1 ] && grep -q "^$P/$1.toml:$2:.*$3" "$P/$1.out"; then pass; else
    fail "$1: exit $code, no '$1.toml:$2: ...$3'"; sed 's/^/    /' "$P/$1.out" >&2
  fi
}
check_bad syntax 3 "" $'[defaults]\nuser-timeout = 1000\nkeep-alive = = true'
check_bad unknown_option 3 "user-timout" $'# a typo\n[defaults]\nuser-timout = 1000'
check_bad out_of_range 2 "user-timeout" $'[kind.migration]\nuser-timeout = 5000000000'
check_bad contradictory 5 "line 1" $'[[rule]]\npeer-port = 4444\nset = { user-timeout = 1000 }\n\n[[rule]]\npeer-port = 4444\nset = { user-timeout = 9000 }'
check_bad ignore_and_set 1 "ignore" $'[kind.vnc]\nuser-timeout = 1000\nignore = true'
grep -q "did you mean 'user-timeout'" "$P/unknown_option.out" && pass ||
  fail "no suggestion for user-timout"

cat >"$P/good.toml" <<'TOML'
[defaults]
user-timeout = 7000
keep-alive = true

[kind.vnc]
ignore = true
TOML
expect_exit 0 "$QSOCK" guard --check-policy "$P/good.toml"
expect_exit 1 "$QSOCK" guard --policy "$P/syntax.toml" --once
expect_exit 2 "$QSOCK" guard --once
expect_exit 2 "$QSOCK" guard --policy "$P/good.toml" --set user-timeout=1
expect_exit 2 "$QSOCK" guard --set user-timout=1 --once
expect_exit 1 "$QSOCK" guard --once --set user-timeout=1000 --metrics /nonexistent-dir/guard.prom

# A QEMU with two TCP connections: QMP (a chardev) and VNC. Its name is not
# UTF-8 (any bytes are a valid -name): the guard's JSON lines must still come.
S=$(scratch_dir)
QMP_PORT=4581 VNC_DISPLAY=81
"$QEMU" -name "$(printf 'guest=odd\377name')" -display none -machine none -nodefaults \
  -qmp "tcp:127.0.0.1:$QMP_PORT,server=on,wait=off" \
  -vnc "127.0.0.1:$VNC_DISPLAY" -qmp "unix:$S/qmp.sock,server=on,wait=off" 2>"$S/qemu.err" &
qemu=$!
cleanup_pids+=("$qemu")
wait_for "$S/qmp.sock"
qmp_port=$QMP_PORT vnc_port=$((5900 + VNC_DISPLAY))
# The QMP UNIX socket comes first, VNC's listener after it.
for ((i = 0; i < 100; i++)); do
  [ "$(ss -Hltn "( sport = :$qmp_port or sport = :$vnc_port )" | wc -l)" -ge 2 ] && break
  sleep 0.05
done
exec 7<>"/dev/tcp/127.0.0.1/$qmp_port"
exec 8<>"/dev/tcp/127.0.0.1/$vnc_port"

cp "$P/good.toml" "$P/live.toml"
start_guard "$P" --policy "$P/live.toml" --verify-interval 200 || { fail "the guard did not start"; finish; exit 1; }
guard=$GUARD_PID
until_guard_lines ".event == \"bounded\" and .pid == $qemu" 1 && pass || fail "the QMP connection was not bounded"
jq -e -s "[.[] | select(.event == \"qemu-found\" and .pid == $qemu)][0].domain == \"odd\ufffdname\"" \
  "$GUARD_OUT" >/dev/null && pass || fail "the QEMU's name is not shown with U+FFFD for its stray byte"
until_guard_lines ".event == \"ignored\" and .pid == $qemu and .kind == \"vnc\"" 1 && pass ||
  fail "the VNC connection was not left alone by [kind.vnc]"
jq -e -s "[.[] | select(.event == \"bounded\" and .pid == $qemu)][0] |
  .kind == \"chardev\" and .options.\"user-timeout\" == 7000 and .rule == \"defaults\"" "$GUARD_OUT" >/dev/null &&
  pass || fail "the QMP connection's line does not show user-timeout 7000 from the defaults"

# Not root: the guard says which permission it lacks for this QEMU, and --once exits 1.
need setpriv
code=0
setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all \
  "$QSOCK" --json guard --once --set user-timeout=1000 >"$P/nobody.out" 2>&1 || code=$?
[ "$code" = 1 ] && jq -e -s "[.[] | select(.event == \"failed\" and .pid == $qemu)][0] |
    (.error | test(\"/proc/$qemu/fd\")) and (.hint | test(\"uid 65534\") and test(\"CAP_SYS_PTRACE\"))" \
    "$P/nobody.out" >/dev/null && pass ||
  { fail "as nobody: exit $code, no failed line naming the missing permission"; cat "$P/nobody.out" >&2; }

# Someone else changes it: reported once, not fought.
"$QSOCK" sockets --pid "$qemu" --no-listening --set user-timeout=100 >/dev/null
until_guard_lines ".event == \"changed\" and .pid == $qemu" 1 && pass || fail "the change was not reported"
sleep 0.6
[ "$(guard_lines ".event == \"changed\" and .pid == $qemu")" = 1 ] && pass || fail "the change was reported more than once"
[ "$(guard_lines ".event == \"re-applied\"")" = 0 ] && pass || fail "re-applied without enforce"

# SIGHUP with a bad file: the old policy stays, and the guard says so.
cp "$P/out_of_range.toml" "$P/live.toml"
kill -HUP "$guard"
until_guard_lines '.event == "policy-rejected"' 1 && pass || fail "no policy-rejected line"
jq -e -s '[.[] | select(.event == "policy-rejected")][0].message | test("keeping") and test(":2")' "$GUARD_OUT" >/dev/null &&
  pass || fail "the rejection does not say the old policy stays, with the line"
kill -0 "$guard" && pass || fail "the guard died on a bad reload"

# SIGHUP with enforce: the changed connection is set back.
printf 'enforce = true\n' | cat - "$P/good.toml" >"$P/live.toml"
kill -HUP "$guard"
until_guard_lines '.event == "policy"' 1 && pass || fail "no reload line"
until_guard_lines ".event == \"re-applied\" and .pid == $qemu" 1 && pass || fail "enforce did not re-apply"
jq -e -s "[.[] | select(.event == \"re-applied\")][0].options.\"user-timeout\" == 7000" "$GUARD_OUT" >/dev/null &&
  pass || fail "the re-applied options are not read back as 7000"

# Closed connections and an exited QEMU are forgotten.
exec 7>&- 8>&-
kill "$qemu"; wait "$qemu" 2>/dev/null || true
until_guard_lines ".event == \"qemu-gone\" and .pid == $qemu" 1 && pass || fail "the exited QEMU was not noticed"

stop_guard
finish
