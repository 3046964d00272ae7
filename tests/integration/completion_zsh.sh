#!/usr/bin/env bash
# The zsh completion function, driven as zsh's completion system calls it:
# $words (the line split by zsh's own parser, ${(z)}), $CURRENT and $PREFIX,
# with compadd replaced by a function that prints what would be offered and
# whether it gets the default space after it.
. "$(dirname "$0")/lib.sh"
: "${QSOCK_BUILD_DIR:?QSOCK_BUILD_DIR must name the build directory (ctest sets it)}"
need zsh

script=$QSOCK_BUILD_DIR/completion/_qsock
[ -f "$script" ] || { fail "not generated: $script"; finish; exit 1; }
if cmp -s "$script" <("$QSOCK" completion zsh); then pass; else fail "$script differs from 'qsock completion zsh'"; fi
if zsh -n "$script"; then pass; else fail "zsh -n $script"; fi

tmp=$(mktemp -d)
cleanup_dirs+=("$tmp")
cat >"$tmp/drive.zsh" <<EOF
compdef() { print -r -- "compdef \$*" >&2 }
source "$script"
# compadd [-l] [-S SUFFIX] [-d ARRAY] -- VALUES: prints VALUE<TAB>SUFFIX.
compadd() {
  local suffix=space
  while (( \$# )); do
    case \$1 in
      -S) suffix=\${2:-none}; shift 2 ;;
      -d) shift 2 ;;
      --) shift; break ;;
      *) shift ;;
    esac
  done
  local v
  for v in "\$@"; do print -r -- "\$v	\$suffix"; done
}
line=\$1
words=(\${(z)line})
[[ \$line == *' ' ]] && words+=('')
CURRENT=\${#words}
# zsh leaves an opening quote out of PREFIX (it is in compstate[quote]).
PREFIX=\${words[CURRENT]}
[[ \$PREFIX == [\'\"]* ]] && PREFIX=\${PREFIX:1}
_qsock
EOF

# expect LINE HAS... [-- LACKS...]: each HAS is VALUE or VALUE<TAB>SUFFIX.
expect() {
  local line=$1; shift
  zsh -f "$tmp/drive.zsh" "$QSOCK $line" >"$tmp/reply" 2>"$tmp/err" || true
  local want=has c
  for c in "$@"; do
    if [ "$c" = -- ]; then want=lacks; continue; fi
    if cut -f1 "$tmp/reply" | grep -qxF -- "$c" || grep -qxF -- "$c" "$tmp/reply"; then
      [ $want = has ] && pass || fail "completing '$line' offers '$c'"
    else
      [ $want = lacks ] && pass || { fail "completing '$line' does not offer '$c'; it offers:"; sed 's/^/    /' "$tmp/reply" "$tmp/err" >&2; }
    fi
  done
}

expect "ch" $'check\tspace' -- convert
expect "check --st" --strict -- --as
expect "check --as " uri netdev chardev json -- check
expect "convert --to " uri json netdev incoming chardev -- migrate-uri
# zsh does not split at ':' or '=': the whole word is completed.
expect "check tcp:h:1,ke" $'tcp:h:1,keep-alive=\tnone' tcp:h:1,keep-alive-count= -- tcp:h:1,host=
expect "check --as=ur" --as=uri
expect "check --as netdev stream,addr." $'stream,addr.host=\tnone' stream,addr.port= stream,addr.type=
expect "check -- '-netdev stream,addr." "-netdev stream,addr.host=" "-netdev stream,addr.port="
expect "check -- -netdev stream,addr." stream,addr.host=
expect "check --qemu-version 7.2 tcp:h:1,ke" tcp:h:1,keep-alive= -- tcp:h:1,keep-alive-count=
expect "check --qemu-version " 7.2 10.2
expect "completion " bash zsh

# Sourced outside compinit's autoload, the file registers itself with compdef.
if zsh -f "$tmp/drive.zsh" "$QSOCK " 2>&1 >/dev/null | grep -qx "compdef _qsock qsock"; then pass; else
  fail "sourcing $script does not call 'compdef _qsock qsock'"
fi
# With the real completion system: compinit finds it on $fpath and binds it.
if zsh -f -c "fpath=('$(dirname "$script")' \$fpath); autoload -Uz compinit; compinit -u -d '$tmp/zcompdump'; print -r -- \${_comps[qsock]}" \
  >"$tmp/comps" 2>&1 && grep -qx _qsock "$tmp/comps"; then pass; else
  fail "compinit does not bind _qsock to qsock:"; sed 's/^/    /' "$tmp/comps" >&2
fi
finish
