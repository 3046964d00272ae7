#!/usr/bin/env bash
# Differential test: qsock check agrees with the installed QEMU on every corpus line.
#
# Every line of tests/integration/corpus/{netdev,incoming,chardev}.txt is one option
# argument (without the leading "-netdev " etc.). Each is given to
#   $QSOCK_TEST_QEMU -M none -nodefaults -display none -S -qmp stdio -KIND ARG
# with qmp_capabilities and quit on stdin, and to
#   $QSOCK check --as KIND --qemu-version MAJOR.MINOR -- ARG
# where MAJOR.MINOR is that QEMU's own release (--version): the same corpus is
# a test of qsock's knowledge of every release tools/test runs it against.
# QEMU accepts iff it exits 0; qsock exits 0 (valid) or 1 (invalid), anything else is a
# harness error. Every disagreement fails the test and is printed with QEMU's message and
# qsock's output. QEMU is always asked afresh: corpus/qemu-7.2-verdicts.txt is a record for
# people, not the truth this test uses.
#
# Syntax verdicts, not runtime failures. QEMU also rejects a good string when the world is
# wrong (port in use, nothing listening, no such directory, name lookup failed). The corpus
# must hold only cases whose verdict is about the string, so:
#  - the harness supplies the world: listeners on 127.0.0.1, ::1 and a UNIX socket for
#    clients to reach, real inherited sockets for fd=/fd: cases, a private directory;
#    servers use port 0 or paths under that directory;
#  - a rejection whose message is an errno text or a resolver/lookup failure (see
#    runtime_pattern below) is NOT a verdict: the line fails as a corpus error, to be
#    rewritten so that only the string decides;
#  - QEMU hanging (e.g. a server chardev without wait=off) or dying by a signal is a
#    harness error, never a verdict.
#
# Placeholders substituted in corpus lines (and passed to both sides substituted):
#   @PORT@ @PORT6@  TCP listener ports on 127.0.0.1 / ::1 (they accept and discard)
#   @DIR@           private directory (QEMU runs there); @DIR@/listen.sock listens
#   @N@             the case's number, to keep server paths distinct between cases
#   @TCPFD@         an inherited TCP socket connected to @PORT@
#   @UDPFD@         an inherited UDP socket connected to 127.0.0.1:9
#
# Usage: differential_qemu.sh [--record FILE] [KIND...]
#   KIND: netdev, incoming, chardev (default: all).
#   --record FILE: ask QEMU only and write its verdicts to FILE (qsock is not run).
# Environment: QSOCK (qsock binary), QSOCK_DIFF_JOBS (parallel QEMUs, default 2).
record=""
kinds=()
while [ $# -gt 0 ]; do
  case $1 in
    --record) record=$2; shift 2 ;;
    netdev|incoming|chardev) kinds+=("$1"); shift ;;
    *) echo "usage: $0 [--record FILE] [netdev|incoming|chardev...]" >&2; exit 2 ;;
  esac
done
[ ${#kinds[@]} -gt 0 ] || kinds=(netdev incoming chardev)
[ -z "$record" ] || : "${QSOCK:=unused}"
. "$(dirname "$0")/lib.sh"
need_qemu
need python3
need timeout

corpus_dir=$TESTS_DIR/integration/corpus
qemu_full=$(qemu_full_version)
qemu_version=$(qemu_release)
[ -n "$qemu_version" ] || { echo "cannot read QEMU's version" >&2; exit 1; }
echo "QEMU $qemu_full ($QEMU); qsock check --qemu-version $qemu_version"

if [ -z "$record" ] && [ ! -x "$QSOCK" ]; then
  echo "FAIL: QSOCK=$QSOCK is not an executable (build qsock first: tools/build)" >&2
  exit 1
fi

work=$(mktemp -d /tmp/qsock-diff.XXXXXX)
listener_pid=""
cleanup() {
  [ -z "$listener_pid" ] || kill "$listener_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
mkdir -p "$work/run" "$work/case" "$work/res"

# The world the cases need: listeners, and sockets for fd cases.
python3 "$TESTS_DIR/integration/loopback_listener.py" "$work/run" >"$work/ports" &
listener_pid=$!
for _ in $(seq 100); do [ -s "$work/ports" ] && break; sleep 0.05; done
read -r port4 port6 <"$work/ports" || { echo "loopback listener did not start" >&2; exit 1; }
exec {tcpfd}<>"/dev/tcp/127.0.0.1/$port4"
exec {udpfd}<>"/dev/udp/127.0.0.1/9"
# Migration streams for the file: cases (since 8.2 -incoming file: opens the file at
# once, and loads it later: a missing file is the world's fault, and garbage fails
# the load at a moment that races the quit). This QEMU writes one from a -M none
# machine: @DIR@/mig.stream, and @DIR@/mig-4096.stream with it after 4096 bytes.
python3 - "$QEMU" "$work/run" <<'PY' || { echo "cannot write a migration stream with $QEMU" >&2; exit 1; }
import json, subprocess, sys, time
qemu, d = sys.argv[1], sys.argv[2]
p = subprocess.Popen([qemu, "-M", "none", "-nodefaults", "-display", "none", "-S", "-qmp", "stdio"],
                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
def cmd(name, **args):
    p.stdin.write(json.dumps({"execute": name, "arguments": args}) + "\n"); p.stdin.flush()
    while True:
        line = p.stdout.readline()
        if not line: sys.exit(f"{name}: QEMU exited")
        m = json.loads(line)
        if "return" in m: return m["return"]
        if "error" in m: sys.exit(f"{name}: {m['error']}")
p.stdout.readline()
cmd("qmp_capabilities")
cmd("migrate", uri=f"exec:cat > {d}/mig.stream")
for _ in range(400):
    status = cmd("query-migrate").get("status")
    if status == "completed": break
    if status in ("failed", "cancelled"): sys.exit("migration " + status)
    time.sleep(0.05)
else: sys.exit("migration did not complete")
cmd("quit")
p.wait(10)
data = open(f"{d}/mig.stream", "rb").read()
open(f"{d}/mig-4096.stream", "wb").write(b"\0" * 4096 + data)
PY

# Read the corpus: one case per non-blank, non-comment line.
n=0
for kind in "${kinds[@]}"; do
  lineno=0
  while IFS= read -r line || [ -n "$line" ]; do
    lineno=$((lineno + 1))
    line=${line%$'\r'}
    case $line in ''|'#'*|[[:space:]]'#'*) continue ;; esac
    [ -n "${line//[[:space:]]/}" ] || continue
    n=$((n + 1))
    arg=$line
    arg=${arg//@PORT6@/$port6}
    arg=${arg//@PORT@/$port4}
    arg=${arg//@DIR@/$work/run}
    arg=${arg//@N@/$n}
    arg=${arg//@TCPFD@/$tcpfd}
    arg=${arg//@UDPFD@/$udpfd}
    printf '%s' "$kind" >"$work/case/$n.kind"
    printf '%s' "$line" >"$work/case/$n.line"
    printf '%s' "$arg" >"$work/case/$n.arg"
    printf '%s:%s' "$kind" "$lineno" >"$work/case/$n.where"
  done <"$corpus_dir/$kind.txt"
done
[ "$n" -gt 0 ] || { echo "empty corpus" >&2; exit 1; }

# Messages that describe the world, not the string.
runtime_pattern='Connection refused|Address already in use|No such file or directory|Permission denied'
runtime_pattern+='|Cannot assign requested address|Network is unreachable|No route to host'
runtime_pattern+='|Bad file descriptor|Connection timed out|Operation not permitted|Too many open files'
runtime_pattern+='|address resolution failed|Name or service not known|Temporary failure in name resolution'
runtime_pattern+='|Servname not supported|Address family for hostname not supported'
runtime_pattern+='|No such device|multicast group|No TLS credentials|could not create rdma|not a socket'

# ask_case N: asks QEMU (and qsock unless recording) about case N; writes
# res/N.qemu ("accept"|"reject"|"runtime"|"error"), res/N.msg, res/N.notes,
# res/N.qsock ("accept"|"reject"|"error") and res/N.out.
ask_case() {
  local i=$1 kind arg rc=0 prefix msg verdict
  kind=$(<"$work/case/$i.kind")
  arg=$(<"$work/case/$i.arg")
  (cd "$work/run" &&
   printf '{"execute":"qmp_capabilities"}\n{"execute":"quit"}\n' |
     timeout 10 "$QEMU" -M none -nodefaults -display none -S -qmp stdio \
       "-$kind" "$arg" >"$work/res/$i.qmp" 2>"$work/res/$i.err") || rc=$?
  # QEMU prefixes each line with "qemu-system-x86_64: -KIND ARG: " (its argv[0]'s
  # base name, the same through the wrappers of tools/install-qemus); continuation
  # lines (hints) carry no prefix. The verdict's message is the first line that is
  # not a warning.
  prefix="qemu-system-x86_64: -$kind $arg: "
  P=$prefix NOTES="$work/res/$i.notes" awk '
    BEGIN { p = ENVIRON["P"]; notes = ENVIRON["NOTES"]; msg = ""; warn = "" }
    { rest = index($0, p) == 1 ? substr($0, length(p) + 1) : $0 }
    rest ~ /^Please use / { next }
    /warning: / {
      w = $0; sub(/^.*warning: /, "warning: ", w)
      if (w !~ /has no peer/ && !(w in seen)) { seen[w] = 1; warn = warn (warn == "" ? "" : " | ") w }
      next
    }
    { msg = msg (msg == "" ? "" : " | ") rest }
    END { printf "%s", warn > notes; printf "%s", msg }' "$work/res/$i.err" >"$work/res/$i.msg"
  msg=$(<"$work/res/$i.msg")
  if [ "$rc" = 0 ]; then verdict=accept
  elif [ "$rc" = 124 ]; then verdict=error; msg="QEMU did not exit within 10 s (hangs are not verdicts)"
  elif [ "$rc" != 1 ]; then verdict=error; msg="QEMU exited $rc: $msg"
  elif [ -z "$msg" ]; then verdict=error; msg="QEMU exited 1 without a message"
  elif [[ $msg =~ $runtime_pattern ]]; then verdict=runtime
  else verdict=reject
  fi
  printf '%s' "$verdict" >"$work/res/$i.qemu"
  printf '%s' "$msg" >"$work/res/$i.msg"
  [ -z "$record" ] || return 0
  rc=0
  "$QSOCK" check --as "$kind" --qemu-version "$qemu_version" -- "$arg" \
    >"$work/res/$i.out" 2>&1 </dev/null || rc=$?
  case $rc in
    0) printf accept ;;
    1) printf reject ;;
    *) printf 'error (exit %s)' "$rc" ;;
  esac >"$work/res/$i.qsock"
}
export -f ask_case
export work record QSOCK QEMU qemu_version runtime_pattern

# Fail fast, and clearly, if qsock cannot answer at all.
if [ -z "$record" ]; then
  ask_case 1
  if [[ $(<"$work/res/1.qsock") == error* ]]; then
    echo "FAIL: '$QSOCK check' cannot answer: $(<"$work/res/1.qsock") for $(<"$work/case/1.kind") $(<"$work/case/1.arg")" >&2
    sed 's/^/    /' "$work/res/1.out" >&2
    exit 1
  fi
fi

start=$(date +%s%N)
seq "$n" | xargs -P "${QSOCK_DIFF_JOBS:-2}" -n 8 bash -c 'for i; do ask_case "$i"; done' _
elapsed_ms=$((($(date +%s%N) - start) / 1000000))

# Back-substitute the world so the record does not change from run to run.
unsubstitute() {
  sed -e "s|$work/run|@DIR@|g" -e "s|\\b$port6\\b|@PORT6@|g" -e "s|\\b$port4\\b|@PORT@|g"
}

if [ -n "$record" ]; then
  {
    echo "# QEMU $qemu_full's verdict on every corpus line, recorded by"
    echo "# tests/integration/differential_qemu.sh --record. A record for people, not the test's"
    echo "# truth: the test always asks the installed QEMU."
    echo "# Columns (tab-separated): kind:line  verdict  argument  message  [warnings]"
    echo "# verdict: accept | reject | runtime (world, not string: fix the line) | error"
    for i in $(seq "$n"); do
      arg=$(<"$work/case/$i.arg") line=$(<"$work/case/$i.line") msg=$(<"$work/res/$i.msg")
      printf '%s\t%s\t%s\t%s\t%s\n' "$(<"$work/case/$i.where")" "$(<"$work/res/$i.qemu")" \
        "$line" "${msg//"$arg"/"$line"}" "$(<"$work/res/$i.notes")"
    done | unsubstitute
  } >"$record"
fi

# Report.
declare -A total accepts rejects agree too_lax too_strict
for i in $(seq "$n"); do
  kind=$(<"$work/case/$i.kind")
  q=$(<"$work/res/$i.qemu")
  total[$kind]=$((${total[$kind]:-0} + 1))
  case $q in
    accept) accepts[$kind]=$((${accepts[$kind]:-0} + 1)) ;;
    reject) rejects[$kind]=$((${rejects[$kind]:-0} + 1)) ;;
    runtime)
      # QEMU took the string and then failed at run time (resolution, bind):
      # an answer about this machine, so no verdict to agree with. Shown and
      # counted, not judged. (QEMU 10.1+ does this for lines the scanf-era
      # parser refused, e.g. a port '0,' or a 65-character host.)
      not_judged=$((${not_judged:-0} + 1))
      echo "NOT JUDGED: corpus $(<"$work/case/$i.where"): QEMU's answer is about the world, not the string: $(<"$work/case/$i.line")" >&2
      echo "    QEMU: $(<"$work/res/$i.msg")" >&2
      continue ;;
    *)
      fail "harness $(<"$work/case/$i.where"): $(<"$work/case/$i.line")"
      echo "    QEMU: $(<"$work/res/$i.msg")" >&2
      continue ;;
  esac
  [ -z "$record" ] || continue
  s=$(<"$work/res/$i.qsock")
  if [ "$s" = "$q" ]; then
    agree[$kind]=$((${agree[$kind]:-0} + 1))
    pass
    continue
  fi
  if [[ $s == error* ]]; then
    fail "harness $(<"$work/case/$i.where"): qsock check $s on: $(<"$work/case/$i.arg")"
  else
    case $q in
      reject) too_lax[$kind]=$((${too_lax[$kind]:-0} + 1)) ;;
      accept) too_strict[$kind]=$((${too_strict[$kind]:-0} + 1)) ;;
    esac
    fail "$(<"$work/case/$i.where"): QEMU ${q}s, qsock ${s}s: $(<"$work/case/$i.arg")"
  fi
  if [ "$q" = reject ]; then echo "    QEMU $qemu_version:  $(<"$work/res/$i.msg")" >&2
  else echo "    QEMU $qemu_version:  (accepted)" >&2; fi
  echo "    qsock:     $(head -c 2000 "$work/res/$i.out" | sed '2,$s/^/               /')" >&2
done

echo "QEMU $qemu_full, $n cases in ${elapsed_ms} ms:"
for kind in "${kinds[@]}"; do
  printf '  %-9s %3d cases: QEMU accepts %3d, rejects %3d' "$kind" "${total[$kind]:-0}" \
    "${accepts[$kind]:-0}" "${rejects[$kind]:-0}"
  [ -n "$record" ] || printf '; qsock agrees on %3d, wrongly accepts %d, wrongly rejects %d' \
    "${agree[$kind]:-0}" "${too_lax[$kind]:-0}" "${too_strict[$kind]:-0}"
  echo
done
[ -z "${not_judged:-}" ] ||
  echo "  $not_judged case(s) not judged: QEMU took the string and failed at run time (NOT JUDGED above)"
[ -z "$record" ] || echo "recorded: $record"
finish
