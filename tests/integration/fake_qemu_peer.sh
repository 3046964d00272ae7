# tests/peers/fake_qemu behaves like a QEMU carrying the proposed migration
# patches: qsock sees the proposed features in its schema, QEMU's capability
# rules hold with QEMU's messages (exit 4), and a scripted migration emits
# QEMU's events and ends with plausible statistics.
. "$(dirname "$0")/lib.sh"
need jq

D=$(scratch_dir)
data="${QSOCK_SOURCE_DIR:?}/tests/data"

# expect_json FILE JQ_EXPR WHAT: the JSON in FILE satisfies JQ_EXPR.
expect_json() {
  if jq -e "$2" "$1" >/dev/null; then pass; else
    fail "$3: $(cat "$1")"
  fi
}

# --- caps: the proposed features, in each schema spelling -------------------
caps_line() { grep -E "^$1 " "$D/caps.txt" | tr -s ' '; }
mkdir -p "$D/caps"
start_fake_qemu "$D/caps" --lifetime 30
"$QSOCK" caps -s "$D/caps/qmp.sock" >"$D/caps.txt"
for f in "netpass yes" "local-char-socket yes" "backend-transfer yes (backend-transfer)" \
         "user-timeout yes"; do
  if [ "$(caps_line "${f%% *}")" = "$f" ]; then pass; else fail "caps: want '$f': $(caps_line "${f%% *}")"; fi
done
kill "$FAKE_QEMU_PID"

mkdir -p "$D/fds"
start_fake_qemu "$D/fds" --lifetime 30 --schema "$data/proposed-qmp-schema-fds.json" \
  --version 10.2.1
"$QSOCK" qmp -s "$D/fds/qmp.sock" query-version >"$D/version.json"
expect_json "$D/version.json" '.qemu == {"major": 10, "minor": 2, "micro": 1}' "--version"
"$QSOCK" caps -s "$D/fds/qmp.sock" >"$D/caps.txt"
if [ "$(caps_line backend-transfer)" = "backend-transfer yes (fds)" ]; then pass; else
  fail "caps with the fds schema: $(caps_line backend-transfer)"; fi
# The fds parameter takes FdsTarget's value, and only it.
expect_exit 0 "$QSOCK" qmp -s "$D/fds/qmp.sock" migrate-set-parameters '{"fds":["virtio-net"]}'
expect_within 5 4 "" \
  "$QSOCK" qmp -s "$D/fds/qmp.sock" migrate-set-parameters '{"fds":["virtio-net-tap"]}'
kill "$FAKE_QEMU_PID"

mkdir -p "$D/nout"
start_fake_qemu "$D/nout" --lifetime 30 --schema "$data/proposed-qmp-schema-no-user-timeout.json"
"$QSOCK" caps -s "$D/nout/qmp.sock" >"$D/caps.txt"
if [ "$(caps_line user-timeout)" = "user-timeout no" ]; then pass; else
  fail "caps without user-timeout: $(caps_line user-timeout)"; fi
kill "$FAKE_QEMU_PID"

# --- rules and errors: exit 4 with QEMU's message ---------------------------
M="$D/m"
mkdir -p "$M"
start_fake_qemu "$M" --lifetime 60 --migration-ms 3000
S="$M/qmp.sock"
setcaps() {  # setcaps NAME=on|off ...: one migrate-set-capabilities
  local list="" c
  for c in "$@"; do
    list+="${list:+,}{\"capability\":\"${c%=*}\",\"state\":$([ "${c#*=}" = on ] && echo true || echo false)}"
  done
  "$QSOCK" qmp -s "$S" migrate-set-capabilities "{\"capabilities\":[$list]}"
}
while IFS='|' read -r caps message; do
  [ -z "$caps" ] && continue
  # shellcheck disable=SC2086
  expect_within 5 4 "$message" setcaps $caps
done <<'CASES'
netpass=on|Capability 'netpass' requires capability 'return-path'
x-colo=on|Capability 'x-colo' requires capability 'return-path'
switchover-ack=on|Capability 'switchover-ack' requires capability 'return-path'
postcopy-preempt=on|Postcopy preempt requires postcopy-ram
multifd=on xbzrle=on|Multifd is not compatible with xbzrle
CASES
# A refused change changes nothing; an allowed one is kept.
expect_exit 0 setcaps netpass=on return-path=on
"$QSOCK" qmp -s "$S" query-migrate-capabilities >"$D/caps.json"
expect_json "$D/caps.json" \
  'map(select(.state)) | map(.capability) | sort == ["netpass","return-path"]' "capabilities kept"
expect_within 5 4 "Capability 'netpass' requires capability 'return-path'" setcaps return-path=off
expect_within 5 4 "CommandNotFound: The command no-such-command has not been found" \
  "$QSOCK" qmp -s "$S" no-such-command
expect_within 5 4 "GenericError: Parameter 'capabilities[0].capability' does not accept value 'no-such-cap'" \
  setcaps no-such-cap=on
expect_within 5 4 "'-incoming' was not specified on the command line" \
  "$QSOCK" qmp -s "$S" migrate-incoming uri=unix:/nonexistent
# stop and cont: run state and events.
"$QSOCK" events -s "$M/events.sock" --count 2 --timeout 5 >"$D/stopcont.jsonl" &
events_pid=$!
cleanup_pids+=("$events_pid")
wait_events_client "$M" 1
expect_exit 0 "$QSOCK" qmp -s "$S" stop
"$QSOCK" qmp -s "$S" human-monitor-command 'command-line=info status' >"$D/hmp.json"
expect_json "$D/hmp.json" '. == "VM status: paused\r\n"' "HMP info status when stopped"
expect_exit 0 "$QSOCK" qmp -s "$S" cont
wait "$events_pid" || fail "no STOP and RESUME events"
if [ "$(jq -r .event "$D/stopcont.jsonl" | tr '\n' ' ')" = "STOP RESUME " ]; then pass; else
  fail "stop/cont events: $(cat "$D/stopcont.jsonl")"; fi
# A type error the peer finds itself (raw JSON reaches it unchecked).
expect_within 5 4 "GenericError: Invalid parameter type for 'max-bandwidth', expected: integer" \
  "$QSOCK" qmp -s "$S" migrate-set-parameters '{"max-bandwidth":"fast"}'
expect_within 5 4 "GenericError: No file descriptor supplied via SCM_RIGHTS" \
  "$QSOCK" qmp -s "$S" getfd fdname=mig
# Parameters: defaults from migration/options.c, a set value read back.
expect_exit 0 "$QSOCK" qmp -s "$S" migrate-set-parameters \
  '{"downtime-limit":500,"backend-transfer":["virtio-net-tap"]}'
"$QSOCK" qmp -s "$S" query-migrate-parameters >"$D/params.json"
expect_json "$D/params.json" \
  '."downtime-limit" == 500 and ."max-bandwidth" == 134217728 and ."multifd-channels" == 2 and
   ."backend-transfer" == ["virtio-net-tap"]' "parameters"
# backend-transfer needs a UNIX channel: tcp is refused, and so is an fd on a file.
expect_within 5 4 "Migration parameter 'backend-transfer' requires a UNIX socket migration channel" \
  "$QSOCK" qmp -s "$S" migrate uri=tcp:127.0.0.1:1
: >"$D/not-a-socket"
expect_exit 0 "$QSOCK" qmp -s "$S" --fd 3 getfd fdname=file 3<"$D/not-a-socket"
expect_within 5 4 "requires a UNIX socket migration channel" \
  "$QSOCK" qmp -s "$S" migrate uri=fd:file
expect_exit 0 "$QSOCK" qmp -s "$S" closefd fdname=file
expect_within 5 4 "File descriptor named 'file' not found" "$QSOCK" qmp -s "$S" closefd fdname=file
expect_within 5 4 "Cannot resume if there is no paused migration" \
  "$QSOCK" qmp -s "$S" migrate uri=unix:/nonexistent resume=on
expect_exit 0 "$QSOCK" qmp -s "$S" migrate-set-parameters '{"backend-transfer":[]}'
expect_exit 0 setcaps netpass=off return-path=off events=on

# --- a scripted migration: events, then completed ---------------------------
"$QSOCK" events -s "$M/events.sock" --count 9 --timeout 10 >"$D/events.jsonl" &
events_pid=$!
cleanup_pids+=("$events_pid")
wait_events_client "$M" 2
expect_exit 0 "$QSOCK" qmp -s "$S" migrate "uri=unix:$M/dest.sock"
expect_within 5 4 "There's a migration process in progress" setcaps xbzrle=on
sleep 0.4  # past setup (a tenth of --migration-ms)
"$QSOCK" qmp -s "$S" query-migrate >"$D/early.json"
sleep 0.5
"$QSOCK" qmp -s "$S" query-migrate >"$D/later.json"
if jq -e --slurpfile e "$D/early.json" \
     '.status == "active" and .ram.transferred > $e[0].ram.transferred and
      .ram.remaining < $e[0].ram.remaining and .ram.mbps > 0 and ."expected-downtime" >= 0' \
     "$D/later.json" >/dev/null; then pass; else
  fail "ram stats do not grow: $(cat "$D/early.json") then $(cat "$D/later.json")"; fi
wait "$events_pid" || fail "qsock events did not get 9 events"
got=$(jq -r '.event + (if .data.status then ":" + .data.status elif .data.pass then ":" + (.data.pass|tostring) else "" end)' \
      "$D/events.jsonl" | tr '\n' ' ')
want="MIGRATION:setup MIGRATION:active MIGRATION_PASS:1 MIGRATION_PASS:2 MIGRATION_PASS:3 STOP MIGRATION:device MIGRATION_PASS:4 MIGRATION:completed "
if [ "$got" = "$want" ]; then pass; else fail "events: got '$got', want '$want'"; fi
"$QSOCK" qmp -s "$S" query-migrate >"$D/final.json"
expect_json "$D/final.json" \
  '.status == "completed" and ."total-time" == 3000 and ."setup-time" == 300 and .downtime == 300 and
   .ram.remaining == 0 and .ram.total == 1073741824 and .ram.transferred > .ram.total and
   .ram."dirty-sync-count" == 4 and .ram."precopy-bytes" > 0 and .ram."downtime-bytes" > 0' \
  "final query-migrate"
"$QSOCK" qmp -s "$S" query-status >"$D/status.json"
expect_json "$D/status.json" '.status == "postmigrate" and .running == false' "status after migration"
"$QSOCK" qmp -s "$S" human-monitor-command 'command-line=info migrate' >"$D/hmp.json"
expect_json "$D/hmp.json" 'test("Status: \t\tcompleted")' "HMP info migrate"
expect_exit 0 "$QSOCK" qmp -s "$S" quit
for i in $(seq 40); do kill -0 "$FAKE_QEMU_PID" 2>/dev/null || break; sleep 0.05; done
if kill -0 "$FAKE_QEMU_PID" 2>/dev/null; then fail "quit did not end fake_qemu"; else pass; fi

# --- failure: error-desc, source running again -------------------------------
F="$D/f"
mkdir -p "$F"
start_fake_qemu "$F" --lifetime 30 --migration-ms 400 --fail-after-ms 500 --error-desc "disk on fire"
expect_exit 0 "$QSOCK" qmp -s "$F/qmp.sock" migrate "uri=unix:$F/dest.sock"
sleep 0.8
"$QSOCK" qmp -s "$F/qmp.sock" query-migrate >"$D/failed.json"
expect_json "$D/failed.json" '.status == "failed" and ."error-desc" == "disk on fire"' "failed migration"
"$QSOCK" qmp -s "$F/qmp.sock" query-status >"$D/status.json"
expect_json "$D/status.json" '.status == "running"' "source runs after a failure"
# Without capability events there are no MIGRATION events (STOP and RESUME did come).
expect_within 3 5 "" "$QSOCK" events -s "$F/events.sock" --name MIGRATION --count 1 --timeout 1

# --- hang until cancelled ----------------------------------------------------
H="$D/h"
mkdir -p "$H"
start_fake_qemu "$H" --lifetime 30 --migration-ms 400 --hang
expect_exit 0 "$QSOCK" qmp -s "$H/qmp.sock" migrate "uri=unix:$H/dest.sock"
sleep 0.8
"$QSOCK" qmp -s "$H/qmp.sock" query-migrate >"$D/hung.json"
expect_json "$D/hung.json" '.status == "active" and .ram.remaining > 0' "hung migration stays active"
expect_exit 0 "$QSOCK" qmp -s "$H/qmp.sock" migrate_cancel
sleep 0.1
"$QSOCK" qmp -s "$H/qmp.sock" query-migrate >"$D/cancelled.json"
expect_json "$D/cancelled.json" '.status == "cancelled"' "cancelled"

# --- incoming, and migrate over channels ------------------------------------
I="$D/i"
mkdir -p "$I"
# The incoming stream lasts 3 s: it must still run when the refused "migrate"
# below arrives, however slow qsock is to start (under ASan, several times).
start_fake_qemu "$I" --lifetime 30 --incoming defer --migration-ms 3000
"$QSOCK" qmp -s "$I/qmp.sock" query-status >"$D/status.json"
expect_json "$D/status.json" '.status == "inmigrate"' "incoming defer waits in inmigrate"
expect_exit 0 "$QSOCK" qmp -s "$I/qmp.sock" migrate-incoming "uri=unix:$I/in.sock"
expect_within 5 4 "The incoming migration has already been started" \
  "$QSOCK" qmp -s "$I/qmp.sock" migrate-incoming "uri=unix:$I/in.sock"
expect_within 5 4 "Guest is waiting for an incoming migration" \
  "$QSOCK" qmp -s "$I/qmp.sock" migrate "uri=unix:$I/out.sock"
wait_migration "$I/qmp.sock" completed 10 || true
"$QSOCK" qmp -s "$I/qmp.sock" query-migrate >"$D/in.json"
expect_json "$D/in.json" '. == {"status": "completed"}' "incoming completed"
"$QSOCK" qmp -s "$I/qmp.sock" query-status >"$D/status.json"
expect_json "$D/status.json" '.status == "running"' "destination runs after incoming"
# The destination, now running, migrates on.
expect_within 5 4 "exactly one of 'uri' and 'channels'" "$QSOCK" qmp -s "$I/qmp.sock" migrate
expect_exit 0 "$QSOCK" qmp -s "$I/qmp.sock" migrate \
  "{\"channels\":[{\"channel-type\":\"main\",\"addr\":{\"transport\":\"socket\",\"type\":\"unix\",\"path\":\"$I/out.sock\"}}]}"
wait_migration "$I/qmp.sock" completed 10 || true
"$QSOCK" qmp -s "$I/qmp.sock" query-migrate >"$D/chan.json"
expect_json "$D/chan.json" '.status == "completed"' "migrate over channels"

# --- backend-transfer over an fd that is a UNIX socket: accepted, and the peer
# writes the stream header to it.
U="$D/u"
mkdir -p "$U"
start_fake_qemu "$U" --lifetime 30 --migration-ms 300
expect_exit 0 "$QSOCK" qmp -s "$U/qmp.sock" migrate-set-parameters '{"backend-transfer":["virtio-net-tap"]}'
if python3 - "$QSOCK" "$U/qmp.sock" >"$D/fd-stream.txt" 2>&1 <<'PY'
import socket, subprocess, sys
qsock, sock = sys.argv[1], sys.argv[2]
ours, theirs = socket.socketpair()
run = lambda *a, **kw: subprocess.run([qsock, "qmp", "-s", sock, *a], check=True, **kw)
run("--fd", str(theirs.fileno()), "getfd", "fdname=mig", pass_fds=[theirs.fileno()])
theirs.close()
run("migrate", "uri=fd:mig")
ours.settimeout(5)
print(ours.recv(8))
PY
then pass; else fail "migrate fd:mig over a socketpair: $(cat "$D/fd-stream.txt")"; fi
if grep -qF "b'QEVM\x00\x00\x00\x03'" "$D/fd-stream.txt"; then pass; else
  fail "no stream header on the fd: $(cat "$D/fd-stream.txt")"; fi
if grep -qxF "getfd mig unix stream" "$U/fake_qemu.log"; then pass; else
  fail "log: $(cat "$U/fake_qemu.log")"; fi

# --- lifetime: it exits by itself ---------------------------------------------
L="$D/l"
mkdir -p "$L"
start_fake_qemu "$L" --lifetime 1
sleep 1.5
if kill -0 "$FAKE_QEMU_PID" 2>/dev/null; then fail "fake_qemu outlived --lifetime 1"; else pass; fi

finish
