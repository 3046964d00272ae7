#!/usr/bin/env bash
# CPack builds a .deb holding the binary, both man pages, both completion
# scripts, and qsock guard's systemd unit and default policy (a conffile);
# unpacked into a scratch root, the binary runs, the pages render, the
# completion scripts load, the unit names the package's own binary and policy
# and passes systemd-analyze verify, and the binary accepts the policy.
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
       ./usr/share/doc/qsock/copyright ./usr/lib/systemd/system/qsock-guard.service
       ./etc/qsock/guard.toml ./usr/share/doc/qsock/examples/guard.toml)
dpkg-deb -c "$deb" | awk '{ print $NF }' >"$tmp/contents"
for f in "${files[@]}"; do
  if grep -qxF "$f" "$tmp/contents"; then pass; else fail "the .deb lacks $f"; fi
done

# The policy is a conffile (an upgrade keeps the administrator's changes), and
# every conffile is in the package. Nothing enables the unit: no maintainer
# script calls systemctl, no .wants link is shipped.
ctl=$tmp/control.d
dpkg-deb -e "$deb" "$ctl"
if [ -f "$ctl/conffiles" ] && grep -qxF /etc/qsock/guard.toml "$ctl/conffiles"; then pass; else
  fail "conffiles does not list /etc/qsock/guard.toml"
fi
while read -r conffile; do
  if grep -qxF ".$conffile" "$tmp/contents"; then pass; else fail "conffile $conffile is not in the .deb"; fi
done < <(cat "$ctl/conffiles" 2>/dev/null)
if grep -lE 'systemctl|deb-systemd' "$ctl"/postinst "$ctl"/preinst 2>/dev/null; then
  fail "a maintainer script enables or starts a unit"
else pass; fi
if grep -q '\.wants/' "$tmp/contents"; then fail "the .deb ships a .wants link"; else pass; fi

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

# qsock guard's unit: ExecStart and ExecReload run the packaged binary with the
# packaged policy (CPack installs with prefix /usr what was configured for
# /usr/local: the paths are written at install time).
unit=$root/usr/lib/systemd/system/qsock-guard.service
if [ -f "$unit" ]; then  # else reported above
  exec_start=$(sed -n 's/^ExecStart=//p' "$unit")
  read -r -a argv <<<"$exec_start"
  policy=
  for ((i = 1; i + 1 < ${#argv[@]}; i++)); do
    if [ "${argv[i]}" = --policy ]; then policy=${argv[i + 1]}; fi
  done
  if [ "${argv[0]:-}" = /usr/bin/qsock ] && [ -x "$root${argv[0]}" ]; then pass; else
    fail "ExecStart runs '${argv[0]:-}', not the packaged /usr/bin/qsock: $exec_start"
  fi
  if [ "$policy" = /etc/qsock/guard.toml ] && [ -f "$root$policy" ]; then pass; else
    fail "ExecStart's --policy is '$policy', not the packaged /etc/qsock/guard.toml: $exec_start"
  fi
  if grep -qxF "ExecReload=/usr/bin/qsock guard --check-policy /etc/qsock/guard.toml" "$unit"; then pass; else
    fail "ExecReload does not check the packaged policy:"; { grep '^ExecReload=' "$unit" || true; } | sed 's/^/    /' >&2
  fi
  # systemd-analyze verify (when installed): every setting known and valid,
  # every command there. It looks for the commands on this host, so it reads a
  # copy whose commands are the unpacked binary; any warning fails (verify
  # itself exits 0 on an unknown or invalid setting).
  if command -v systemd-analyze >/dev/null 2>&1; then
    mkdir "$tmp/unit"
    sed "s#/usr/bin/qsock#$root/usr/bin/qsock#g" "$unit" >"$tmp/unit/qsock-guard.service"
    if systemd-analyze verify --man=no "$tmp/unit/qsock-guard.service" >"$tmp/verify" 2>&1 &&
       [ ! -s "$tmp/verify" ]; then
      pass
    else
      fail "systemd-analyze verify qsock-guard.service:"; sed 's/^/    /' "$tmp/verify" >&2
    fi
  fi
fi

# The packaged policy is valid for the packaged binary, and the example is the same file.
expect_exit 0 "$root/usr/bin/qsock" guard --check-policy "$root/etc/qsock/guard.toml"
if cmp -s "$root/etc/qsock/guard.toml" "$root/usr/share/doc/qsock/examples/guard.toml"; then pass; else
  fail "the example guard.toml differs from /etc/qsock/guard.toml"
fi
finish
