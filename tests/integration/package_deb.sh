#!/usr/bin/env bash
# CPack builds a .deb holding the binary, both man pages and both completion
# scripts; unpacked into a scratch root, the binary runs, the pages render and
# the completion scripts load.
. "$(dirname "$0")/lib.sh"
: "${QSOCK_BUILD_DIR:?QSOCK_BUILD_DIR must name the build directory (ctest sets it)}"
need cpack
need dpkg-deb
need man
need zsh

tmp=$(mktemp -d)
cleanup_dirs+=("$tmp")
if cpack -G DEB --config "$QSOCK_BUILD_DIR/CPackConfig.cmake" -B "$tmp/out" >"$tmp/cpack.log" 2>&1; then pass; else
  fail "cpack -G DEB failed:"; sed 's/^/    /' "$tmp/cpack.log" >&2; finish
fi
deb=$(find "$tmp/out" -maxdepth 1 -name 'qsock_*.deb' | head -n 1)
[ -n "$deb" ] || { fail "cpack wrote no qsock_*.deb"; finish; }

# The control data: name, section, and dependencies computed from the binary.
dpkg-deb -f "$deb" Package Section Depends >"$tmp/control"
for want in "Package: qsock" "Section: utils"; do
  if grep -qxF "$want" "$tmp/control"; then pass; else fail "control lacks '$want'"; sed 's/^/    /' "$tmp/control" >&2; fi
done
if grep -q "^Depends: .*libc6" "$tmp/control"; then pass; else fail "Depends does not name libc6 (dpkg-shlibdeps)"; fi
# Built with libvirt (tools/test asks for it), the package needs libvirt's client library.
if grep -q "^Depends: .*libvirt0" "$tmp/control"; then pass; else fail "Depends does not name libvirt0"; fi

files=(./usr/bin/qsock ./usr/share/man/man1/qsock.1 ./usr/share/man/man7/qsock-sockets.7
       ./usr/share/bash-completion/completions/qsock ./usr/share/zsh/vendor-completions/_qsock
       ./usr/share/doc/qsock/copyright)
dpkg-deb -c "$deb" | awk '{ print $NF }' >"$tmp/contents"
for f in "${files[@]}"; do
  if grep -qxF "$f" "$tmp/contents"; then pass; else fail "the .deb lacks $f"; fi
done

root=$tmp/root
dpkg-deb -x "$deb" "$root"
if "$root/usr/bin/qsock" --version | grep -q '^qsock '; then pass; else fail "the unpacked qsock does not run"; fi
expect_exit 0 "$root/usr/bin/qsock" check 'tcp:localhost:4444,keep-alive=on'
for p in "$root/usr/share/man/man1/qsock.1" "$root/usr/share/man/man7/qsock-sockets.7"; do
  if man -l "$p" 2>/dev/null | grep -q .; then pass; else fail "man -l ${p#"$root"} renders nothing"; fi
done
bash_file=$root/usr/share/bash-completion/completions/qsock
if bash --norc --noprofile -c "source '$bash_file' && complete -p qsock" 2>&1 | grep -q -- "-F _qsock"; then pass; else
  fail "the packaged bash completion does not load"
fi
if zsh -n "$root/usr/share/zsh/vendor-completions/_qsock"; then pass; else fail "the packaged zsh completion is not valid zsh"; fi
# The packaged script asks the packaged binary.
reply=$(cd "$root/usr/bin" && bash --norc --noprofile -c "source '$bash_file'; COMP_WORDS=('$root/usr/bin/qsock' ch); COMP_CWORD=1;
  COMP_LINE='$root/usr/bin/qsock ch'; COMP_POINT=\${#COMP_LINE}; _qsock; printf '%s\n' \"\${COMPREPLY[@]}\"")
if grep -qx check <<<"$reply"; then pass; else fail "the packaged completion does not offer 'check': $reply"; fi
finish
