# qsock check --schema-from SOCK: validation against a running QEMU 7.2's own
# schema (query-qmp-schema), for that release.
. "$(dirname "$0")/lib.sh"
need qemu-system-x86_64

D=$(scratch_dir)
start_qemu "$D"
S=$D/qmp.sock

# Valid for 7.2: a legacy URI with keep-alive, a -netdev stream string.
expect_within 5 0 "valid" "$QSOCK" check --schema-from "$S" 'tcp:h:1,keep-alive=on'
expect_within 5 0 "valid" "$QSOCK" check --schema-from "$S" -- \
  '-netdev stream,id=n0,server=off,addr.type=inet,addr.host=h,addr.port=1,addr.keep-alive=on'
# A member 7.2 lacks (keep-alive-count came in 10.1) is refused: exit 1.
expect_within 5 1 "keep-alive-count" "$QSOCK" check --schema-from "$S" -- \
  '-netdev stream,id=n0,server=off,addr.type=inet,addr.host=h,addr.port=1,addr.keep-alive-count=3'
# Migration channels do not exist in 7.2: said so, exit 1.
expect_within 5 1 "MigrationChannel" "$QSOCK" check --schema-from "$S" --as incoming -- \
  '-incoming channel-type=main,addr.transport=socket,addr.type=inet,addr.host=h,addr.port=1'
# No QEMU there: exit 3; and --schema with --schema-from is a usage error.
expect_within 5 3 "--schema-from" "$QSOCK" check --schema-from "$D/nothing.sock" 'tcp:h:1'
expect_within 5 2 "excludes" "$QSOCK" check --schema-from "$S" --schema "$D" 'tcp:h:1'

finish
