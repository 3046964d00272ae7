# qsock check --schema-from SOCK: validation against a running QEMU's own
# schema (query-qmp-schema), whatever release $QSOCK_TEST_QEMU is. What that
# QEMU has is read from its schema (qemu_schema_has), never assumed.
. "$(dirname "$0")/lib.sh"
need_qemu

D=$(scratch_dir)
qemu_schema "$D/schema.json"
start_qemu "$D"
S=$D/qmp.sock
echo "QEMU $(qemu_full_version) ($QEMU)"

# Valid for every release since 7.2: a legacy URI with keep-alive, a -netdev
# stream string.
expect_within 5 0 "valid" "$QSOCK" check --schema-from "$S" 'tcp:h:1,keep-alive=on'
expect_within 5 0 "valid" "$QSOCK" check --schema-from "$S" -- \
  '-netdev stream,id=n0,server=off,addr.type=inet,addr.host=h,addr.port=1,addr.keep-alive=on'
# keep-alive-count (InetSocketAddress, 10.1): accepted where the schema has
# it, refused (exit 1, naming it) where not.
netdev_count='-netdev stream,id=n0,server=off,addr.type=inet,addr.host=h,addr.port=1,addr.keep-alive-count=3'
if qemu_schema_has "$D/schema.json" netdev_add.addr.keep-alive-count; then
  expect_within 5 0 "valid" "$QSOCK" check --schema-from "$S" -- "$netdev_count"
else
  expect_within 5 1 "keep-alive-count" "$QSOCK" check --schema-from "$S" -- "$netdev_count"
fi
# Migration channels (MigrationChannel, 8.2): -incoming channel-type=main,...
# is refused where the schema has no MigrationChannel (said so, exit 1),
# accepted where it has.
channel='-incoming channel-type=main,addr.transport=socket,addr.type=inet,addr.host=h,addr.port=1'
if qemu_schema_has "$D/schema.json" migrate-incoming.channels; then
  expect_within 5 0 "valid" "$QSOCK" check --schema-from "$S" --as incoming -- "$channel"
else
  expect_within 5 1 "MigrationChannel" "$QSOCK" check --schema-from "$S" --as incoming -- "$channel"
fi
# No QEMU there: exit 3; and --schema with --schema-from is a usage error.
expect_within 5 3 "--schema-from" "$QSOCK" check --schema-from "$D/nothing.sock" 'tcp:h:1'
expect_within 5 2 "excludes" "$QSOCK" check --schema-from "$S" --schema "$D" 'tcp:h:1'

finish
