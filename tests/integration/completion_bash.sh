#!/usr/bin/env bash
# The bash completion script, driven the way bash drives it: COMP_WORDS split
# at blanks and at the COMP_WORDBREAKS characters (':' and '=' included), then
# _qsock, then COMPREPLY. Candidates come from the binary (qsock __complete).
. "$(dirname "$0")/lib.sh"
: "${QSOCK_BUILD_DIR:?QSOCK_BUILD_DIR must name the build directory (ctest sets it)}"
need python3

script=$QSOCK_BUILD_DIR/completion/qsock
[ -f "$script" ] || { fail "not generated: $script"; finish; exit 1; }
if cmp -s "$script" <("$QSOCK" completion bash); then pass; else fail "$script differs from 'qsock completion bash'"; fi

tmp=$(mktemp -d)
cleanup_dirs+=("$tmp")
# split.py LINE BREAKS: LINE as bash splits it into COMP_WORDS (NUL-separated):
# blanks end a word, a run of break characters is a word of its own, quotes
# keep their contents together; a trailing blank starts an empty word.
cat >"$tmp/split.py" <<'EOF'
import sys
line, breaks = sys.argv[1], set(sys.argv[2]) - set("\"' \t\n")
words, cur, quote, in_break = [], "", None, False
for ch in line:
    if quote:
        cur += ch
        quote = None if ch == quote else quote
    elif ch in " \t":
        if cur:
            words.append(cur)
        cur, in_break = "", False
    elif ch in breaks:
        if cur and not in_break:
            words.append(cur)
            cur = ""
        cur, in_break = cur + ch, True
    else:
        if in_break:
            words.append(cur)
            cur, in_break = "", False
        cur += ch
        if ch in "'\"":
            quote = ch
words.append(cur)
sys.stdout.write("".join(w + "\0" for w in words))
EOF
# drive.sh LINE: prints COMPREPLY for the cursor at the end of LINE, one a line.
cat >"$tmp/drive.sh" <<EOF
source "$script"
line=\$1
mapfile -d '' -t COMP_WORDS < <(python3 "$tmp/split.py" "\$line" "\$COMP_WORDBREAKS")
COMP_CWORD=\$((\${#COMP_WORDS[@]} - 1))
COMP_LINE=\$line
COMP_POINT=\${#line}
COMPREPLY=()
_qsock
printf '%s\n' "\${COMPREPLY[@]}"
EOF

# expect LINE HAS... [-- LACKS...]: completing LINE offers every HAS and no LACKS.
expect() {
  local line=$1; shift
  bash --norc --noprofile "$tmp/drive.sh" "$QSOCK $line" >"$tmp/reply" 2>"$tmp/err" || true
  local want=has c
  for c in "$@"; do
    if [ "$c" = -- ]; then want=lacks; continue; fi
    if grep -qxF -- "$c" "$tmp/reply"; then
      [ $want = has ] && pass || fail "completing '$line' offers '$c'"
    else
      [ $want = lacks ] && pass || { fail "completing '$line' does not offer '$c'; it offers:"; sed 's/^/    /' "$tmp/reply" >&2; }
    fi
  done
}

expect "ch" check -- convert qmp
expect "c" check convert caps completion
expect "check --st" --strict -- --as
expect "check --j" --json
expect "check --as " uri migrate-uri netdev incoming chardev json -- check
expect "convert --to " uri json netdev incoming chardev -- migrate-uri
# COMP_WORDBREAKS: bash replaces only the text after the last ':' or '='.
expect "check tcp:h:1,ke" 1,keep-alive= 1,keep-alive-count= 1,keep-alive-idle= -- tcp:h:1,keep-alive= 1,host=
expect "check --as=ur" uri -- --as=uri
expect "check --as netdev stream,addr.type=u" unix -- inet
expect "check --as netdev stream,addr." stream,addr.host= stream,addr.port= stream,addr.type=
# An opening quote: the whole text after it is completed.
expect "check -- '-netdev stream,addr." "-netdev stream,addr.host=" "-netdev stream,addr.port="
expect "check -- -netdev stream,addr." stream,addr.host= stream,addr.port=
# Version-aware: QEMU 7.2 has keep-alive, not keep-alive-count.
expect "check --qemu-version 7.2 tcp:h:1,ke" 1,keep-alive= -- 1,keep-alive-count=
expect "check --qemu-version " 7.2 10.1 10.2
expect "completion " bash zsh

# Loads with and without bash-completion, and registers qsock.
if bash --norc --noprofile -c "source '$script' && complete -p qsock" >"$tmp/complete" 2>&1 &&
  grep -q -- "-F _qsock" "$tmp/complete"; then pass; else fail "the script does not register _qsock"; fi
if [ -f /usr/share/bash-completion/bash_completion ]; then
  if bash --norc --noprofile -c ". /usr/share/bash-completion/bash_completion; source '$script' && complete -p qsock" \
    >/dev/null 2>&1; then pass; else fail "the script fails to load after bash-completion"; fi
else
  skip "bash-completion not installed (tools/install-deps --test installs it)"
fi
finish
