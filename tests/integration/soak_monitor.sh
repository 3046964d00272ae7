# Soak: 200 consecutive qsock qmp/hmp/events invocations against one real
# QEMU, mixed. Every reply must agree with the VM state the test drives
# (running or paused); a long-lived qsock events holds exactly one socket and
# the same fds every time; QEMU has as many fds at the end as at the start;
# no zombie is left behind.
. "$(dirname "$0")/lib.sh"
need_qemu
need python3

D=$(scratch_dir)
start_qemu "$D"
Q=$D/qmp.sock
H=$D/hmp.sock
# QSOCK_MONITOR_SOAK_ROUNDS is this soak's alone (tools/test halves it in its reruns).
rounds=${QSOCK_MONITOR_SOAK_ROUNDS:-${QSOCK_SOAK_ROUNDS:-200}}

# QEMU opens some fds only when its first monitor clients come: warm it up
# on both sockets, then count.
"$QSOCK" qmp -s "$Q" query-status >/dev/null
"$QSOCK" hmp -s "$H" info status >/dev/null
qemu_fds_before=$(settled fd_count "$QEMU_PID")
state=prelaunch # what "info status" must say: prelaunch, running or paused
invocations=0
events_fds=""

status_text() {
  case $state in
    prelaunch) echo "VM status: paused (prelaunch)" ;;
    running) echo "VM status: running" ;;
    paused) echo "VM status: paused" ;;
  esac
}
toggle_command() { [ "$state" = running ] && echo stop || echo cont; }
after_toggle() { [ "$state" = running ] && state=paused || state=running; }

for i in $(seq "$rounds"); do
  case $((i % 5)) in
    0 | 1) # qmp query-status: running agrees with the state
      invocations=$((invocations + 1))
      out=$("$QSOCK" qmp -s "$Q" query-status) || { fail "round $i: qmp exited $?"; continue; }
      want=false; [ "$state" = running ] && want=true
      got=$(python3 -c 'import json,sys; print(str(json.loads(sys.argv[1])["running"]).lower())' "$out")
      [ "$got" = "$want" ] && pass || fail "round $i: query-status '$out' while $state"
      ;;
    2) # hmp info status, through the QMP socket or the HMP one
      invocations=$((invocations + 1))
      sock=$Q; ((i % 2)) && sock=$H
      out=$("$QSOCK" hmp -s "$sock" info status) || { fail "round $i: hmp exited $?"; continue; }
      [ "$out" = "$(status_text)" ] && pass || fail "round $i: hmp '$out' while $state"
      ;;
    3) # hmp stop/cont: no output, then the state has changed
      invocations=$((invocations + 1))
      out=$("$QSOCK" hmp -s "$H" "$(toggle_command)") || { fail "round $i: hmp exited $?"; continue; }
      after_toggle
      [ -z "$out" ] && pass || fail "round $i: stop/cont printed '$out'"
      ;;
    4) # events --count 1 while HMP toggles the VM until the event arrives
      invocations=$((invocations + 1))
      "$QSOCK" events -s "$Q" --count 1 --timeout 10 >"$D/ev" 2>"$D/ev.err" &
      ev=$!
      # Once it has exec'd and connected, its fds: compared with the first
      # events round's, and exactly one socket among them.
      fds=""
      for _ in $(seq 250); do
        if [ "$(readlink "/proc/$ev/exe" 2>/dev/null)" = "$(readlink -f "$QSOCK")" ]; then
          fds=$(fd_list "$ev")
          [[ $fds == *socket* ]] && break
        fi
        sleep 0.02
      done
      if [ -z "$events_fds" ]; then events_fds=$fds; fi
      [ "$fds" = "$events_fds" ] && pass || fail "round $i: events fds '$fds', first time '$events_fds'"
      [ "$(grep -o 'socket' <<<"$fds" | wc -l)" = 1 ] && pass || fail "round $i: events holds '$fds'"
      toggles=()
      while kill -0 "$ev" 2>/dev/null && [ ${#toggles[@]} -lt 50 ]; do
        cmd=$(toggle_command)
        "$QSOCK" hmp -s "$H" "$cmd" >/dev/null || fail "round $i: hmp $cmd exited $?"
        after_toggle
        toggles+=("$cmd")
        sleep 0.05
      done
      rc=0; wait "$ev" || rc=$?
      [ "$rc" = 0 ] && pass || { fail "round $i: events exited $rc"; cat "$D/ev.err" >&2; }
      # One event, and it is one the toggles caused.
      name=$(python3 -c '
import json, sys
lines = open(sys.argv[1]).read().splitlines()
assert len(lines) == 1, lines
e = json.loads(lines[0])
assert set(e["timestamp"]) == {"seconds", "microseconds"}, e
print(e["event"])' "$D/ev") || name="(bad output: $(cat "$D/ev"))"
      case $name in STOP) cause=stop ;; RESUME) cause=cont ;; *) cause="" ;; esac
      if [ -n "$cause" ] && [[ " ${toggles[*]} " == *" $cause "* ]]; then pass; else
        fail "round $i: event '$name' after '${toggles[*]}'"; fi
      ;;
  esac
done

# The last word from QEMU agrees with the state the test drove it into.
out=$("$QSOCK" hmp -s "$H" info status)
[ "$out" = "$(status_text)" ] && pass || fail "final hmp '$out' while $state"

# QEMU closes every connection qsock opened.
qemu_fds_after=$(settled fd_count "$QEMU_PID")
[ "$qemu_fds_after" = "$qemu_fds_before" ] && pass ||
  fail "QEMU had $qemu_fds_before fds before, $qemu_fds_after after"
kill -0 "$QEMU_PID" && pass || fail "QEMU is gone"

# No zombie among this shell's children (only QEMU may still run).
zombies=$(ps -o pid=,stat=,comm= --ppid $$ | awk '$2 ~ /^Z/' || true)
[ -z "$zombies" ] && pass || fail "zombies: $zombies"

echo "soak: $invocations qsock invocations in $rounds rounds (plus the stop/cont of the events rounds); QEMU fds $qemu_fds_before before, $qemu_fds_after after; events fds: $events_fds"
finish
