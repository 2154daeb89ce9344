#!/usr/bin/env bats
# SPDX-License-Identifier: ISC
#
# Large messages under --echo come back whole and in order: around the
# size from which wsinetd writes a payload straight from its input buffer
# (16 KiB), and when the client stops reading for a while so that the
# server's writes come up short and the rest must be queued.

load helpers

bulk() {
	"$PYTHON" "$TOOLS/wsbulk.py" "$PORT" "$@"
}

@test "binary messages from 100 B to 3 MB are echoed byte for byte" {
	start_inetd_mode --echo --max-message 4M
	run -0 bulk 100 16383 16384 16385 65536 1048576 1048583 3000000
	assert_output "ok 100
ok 16383
ok 16384
ok 16385
ok 65536
ok 1048576
ok 1048583
ok 3000000
close: 1000"
	assert_exits 0
	assert_log ' in 5212181 B, out 5212134 B$'
}

@test "multibyte text echoed to a client that reads only after a second" {
	start_inetd_mode --echo
	run -0 bulk --text --read-delay 1 65536 1048576 1048576 1048576 \
		1048576 1048576 1048576 5
	assert_output "ok 65536
ok 1048576
ok 1048576
ok 1048576
ok 1048576
ok 1048576
ok 1048576
ok 5
close: 1000"
	assert_exits 0
}

@test "a message over --max-message still gets 1009 (control of the above)" {
	start_inetd_mode --echo --max-message 64k
	run -0 bulk 65537
	assert_output "bad 65537 opcode 8 length 17
eof"
	assert_exits 5
}

@test "bulk echo works the same in the listener's children" {
	PORT=$(free_port)
	spawn "$WSINETD" --echo --listen "127.0.0.1:$PORT"
	wait_port "$PORT" "$SERVER_PID"
	run -0 bulk --read-delay 0.5 1048576 1048576 1048576 16384
	assert_output "ok 1048576
ok 1048576
ok 1048576
ok 16384
close: 1000"
}
