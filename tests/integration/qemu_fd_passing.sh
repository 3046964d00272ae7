# Passing a real socket's fd to QEMU: qmp getfd, hmp getfd, add-fd; and
# closefd / remove-fd leave nothing named behind.
. "$(dirname "$0")/lib.sh"
need_qemu
need python3

D=$(scratch_dir)
start_qemu "$D"
S=$D/qmp.sock

# python3 holds a connected socket pair and hands one end to qsock as fd 3.
with_socket_fd() {
  python3 - "$@" <<'PY'
import os, socket, subprocess, sys
a, b = socket.socketpair()
os.dup2(a.fileno(), 3, inheritable=True)
sys.exit(subprocess.call(sys.argv[1:], pass_fds=(3,)))
PY
}

expect_within 2 0 '{}' with_socket_fd "$QSOCK" qmp -s "$S" --fd 3 getfd fdname=mig
# The name exists in QEMU: closefd succeeds once, then it is gone.
expect_within 2 0 '{}' "$QSOCK" qmp -s "$S" closefd fdname=mig
expect_within 2 4 "File descriptor named 'mig' not found" "$QSOCK" qmp -s "$S" closefd fdname=mig

# Without an fd QEMU refuses getfd.
expect_within 2 4 "No file descriptor supplied via SCM_RIGHTS" \
  "$QSOCK" qmp -s "$S" getfd fdname=none
# An fd number that is not open is refused before anything is sent.
expect_within 2 1 "cannot pass fd 9: not an open descriptor" \
  "$QSOCK" qmp -s "$S" --fd 9 getfd fdname=bad

# HMP getfd on the HMP socket, then HMP closefd.
expect_within 2 0 "" with_socket_fd "$QSOCK" hmp -s "$D/hmp.sock" --fd 3 getfd hmpfd
expect_within 2 0 "" "$QSOCK" hmp -s "$D/hmp.sock" closefd hmpfd
expect_within 2 4 "File descriptor named 'hmpfd' not found" \
  "$QSOCK" hmp -s "$D/hmp.sock" closefd hmpfd

# add-fd puts it in an fd set; remove-fd takes it out.
out=$(with_socket_fd "$QSOCK" qmp -s "$S" --fd 3 add-fd opaque=test-sock)
case $out in '{"fd":'*'"fdset-id":'*) pass ;; *) fail "add-fd: $out" ;; esac
fdset=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["fdset-id"])' "$out")
expect_within 2 0 '"opaque":"test-sock"' "$QSOCK" qmp -s "$S" query-fdsets
expect_within 2 0 '{}' "$QSOCK" qmp -s "$S" remove-fd "fdset-id=$fdset"
# QEMU 7.2 closes removed fds only while the VM runs: the set goes at 'cont'.
expect_within 2 0 '{}' "$QSOCK" qmp -s "$S" cont
expect_within 2 0 '[]' "$QSOCK" qmp -s "$S" query-fdsets

finish
