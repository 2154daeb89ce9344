#!/usr/bin/env bats
# SPDX-License-Identifier: ISC
#
# Peers out to hurt: each gets the RFC's answer and one log line saying
# why, wsinetd's memory stays bounded, and the process ends. Hostile
# frames that protocol.bats already covers are not repeated here: a frame
# announcing 2^63-1 bytes (1009 at once), fragments over the limit (1009),
# invalid UTF-8 in text (1007), peers vanishing mid-frame and mid-message.

load helpers

@test "a slowloris trickling its request a byte a second is ended by --handshake-timeout 2" {
	start_inetd_mode --handshake-timeout 2
	run -0 wsraw --timeout 6 --trickle 1 --raw 'GET / HTTP/1.1\r\nHost: x\r\n'
	# The second or third byte goes out before the deadline, the next one
	# finds the connection gone.
	assert_line --index 0 --regexp '^send failed: (BrokenPipeError|ConnectionResetError)$'
	assert_exits 6
	assert_log '^<4>127\.0\.0\.1:[0-9]+ handshake timed out after 2000 ms, 2\.[0-9]{3} s, in [1-4] B, out 0 B$'
}

@test "a 1 MiB header block gets 431 and nothing else" {
	start_inetd_mode
	run -0 wsraw --raw 'GET / HTTP/1.1\r\nHost: x\r\n' \
		--raw-repeat '16384:X-Pad: 0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNO\r\n' \
		--raw '\r\n'
	assert_line --index 0 --regexp '^HTTP/1\.1 431 Request Header Fields Too Large.?$'
	assert_line --regexp '^header block too large$'
	assert_exits 4
	assert_log '^<5>127\.0\.0\.1:[0-9]+ refused: 431 header block too large, '
	# What it sent is the short answer alone, whatever it read.
	assert_log ', in [0-9]+ B, out 1[0-9]{2} B$'
}

@test "invalid UTF-8 in a close reason gets close 1007" {
	start_inetd_mode --echo
	run -0 wsraw --upgrade --frame 'close:1000:bye\xff'
	assert_output "close: 1007 invalid UTF-8 in close reason
eof"
	assert_exits 5
	assert_log '^<4>127\.0\.0\.1:[0-9]+ failed the connection: 1007 invalid UTF-8 in close reason, '
}

@test "a valid UTF-8 close reason is echoed as a normal close (control of the above)" {
	start_inetd_mode --echo
	run -0 wsraw --upgrade --frame 'close:1000:bye\xc3\xa9'
	assert_output "close: 1000
eof"
	assert_exits 0
	# The log spells out bytes beyond ASCII.
	assert_log 'closed by the peer \(peer sent 1000 "bye\\xc3\\xa9"\), '
}

@test "a flood of 20000 pings sent without reading gets 20000 pongs, in order, and a clean close" {
	start_inetd_mode --echo
	run -0 wsraw --timeout 10 --upgrade --ping-flood 20000 --frame close:1000
	[ "$(grep -c '^op10: p[0-9]*$' <<<"$output")" -eq 20000 ] ||
		fail "pongs: $(grep -c '^op10:' <<<"$output")"
	assert_line --index 0 'op10: p0'
	assert_line --index 19999 'op10: p19999'
	assert_line --index 20000 'close: 1000'
	assert_exits 0
}

@test "a client that never reads stops being read: wsinetd's peak RSS stays under 64 MiB" {
	local out=$BATS_TEST_TMPDIR/client.out client pid hwm i pushed
	start_inetd_mode --echo
	"$PYTHON" "$TOOLS/wsraw.py" "$PORT" --timeout 20 --upgrade \
		--push 209715200:65536:3 --frame close:1000 >"$out" 3>&- &
	client=$!
	pid=$(connection_pid)
	for ((i = 0; i < 300; i++)); do
		grep -Eq '^(stalled|all)$' "$out" && break
		sleep 0.1
	done
	hwm=$(peak_rss_kib "$pid")
	wait "$client" || fail "wsraw failed: $(cat "$out")"
	run cat "$out"
	assert_line --index 1 'stalled'
	pushed=$(sed -n 's/^pushed \([0-9]*\) bytes$/\1/p' "$out")
	[ "$pushed" -lt 209715200 ] || fail "pushed all of it: no backpressure"
	assert_line "echoed $pushed bytes"
	assert_line 'close: 1000'
	[ "$hwm" -lt 65536 ] || fail "peak RSS $hwm KiB after $pushed bytes"
	echo "# peak RSS $hwm KiB while $pushed bytes were pushed" >&3
	assert_exits 0
}

@test "a peer that half-closes after a message gets its answer, then wsinetd ends on the EOF" {
	start_inetd_mode --echo
	run -0 wsraw --upgrade --frame text:last --shut-wr
	assert_output "text: last
eof"
	assert_exits 8
	assert_log '^<4>127\.0\.0\.1:[0-9]+ connection closed without a close frame, '
}

@test "a peer that half-closes after its close frame gets the close echoed and a clean end" {
	start_inetd_mode --echo
	run -0 wsraw --upgrade --frame text:last --frame close:1000 --shut-wr
	assert_output "text: last
close: 1000
eof"
	assert_exits 0
	assert_log '^<6>127\.0\.0\.1:[0-9]+ closed by the peer \(peer sent 1000 ""\), '
}
