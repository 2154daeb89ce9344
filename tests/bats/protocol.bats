#!/usr/bin/env bats
# SPDX-License-Identifier: ISC
#
# How wsinetd fails a peer that breaks RFC 6455: the close code and reason
# on the wire, the log line, exit 5 (protocol), 8 (lost) or 6 (timeout),
# each next to the nearest legal input as the control. Plus the
# legitimate oddities it must get right: fragments with a ping between
# them, the peer's close code, the idle timeout.

load helpers

# wsinetd's one summary line for a failed connection.
assert_failed_log() {
	assert_log "^<4>127\\.0\\.0\\.1:[0-9]+ failed the connection: $1, "
}

@test "an unmasked client frame gets close 1002 and exit 5" {
	start_inetd_mode --echo
	run -0 wsraw --upgrade --frame-hex 81026869
	assert_output "close: 1002 unmasked client frame
eof"
	assert_exits 5
	assert_failed_log '1002 unmasked client frame'
}

@test "the same frame masked is echoed (control of the unmasked one)" {
	start_inetd_mode --echo
	# mask 00000000 leaves the payload "hi" readable
	run -0 wsraw --upgrade --frame-hex 818200000000 --frame-hex 6869 --frame close:1000
	assert_output "text: hi
close: 1000
eof"
	assert_exits 0
}

@test "invalid UTF-8 in a text message gets close 1007 and exit 5" {
	start_inetd_mode --echo
	run -0 wsraw --upgrade --frame 'text:caf\xc3'
	assert_output "close: 1007 invalid UTF-8 in text
eof"
	assert_exits 5
	assert_failed_log '1007 invalid UTF-8 in text'
}

@test "valid multibyte UTF-8 is echoed (control of the invalid one)" {
	start_inetd_mode --echo
	run -0 wsraw --upgrade --frame 'text:caf\xc3\xa9' --frame close:1000
	assert_output "text: café
close: 1000
eof"
	assert_exits 0
}

@test "a message over --max-message gets close 1009 message too big" {
	start_inetd_mode --echo --max-message 10
	run -0 wsraw --upgrade --frame text:12345678901
	assert_output "close: 1009 message too big
eof"
	assert_exits 5
	assert_failed_log '1009 message too big'
}

@test "a message of exactly --max-message bytes is echoed" {
	start_inetd_mode --echo --max-message 10
	run -0 wsraw --upgrade --frame text:1234567890 --frame close:1000
	assert_output "text: 1234567890
close: 1000
eof"
	assert_exits 0
}

@test "fragments adding up to more than --max-message get 1009" {
	start_inetd_mode --echo --max-message 10
	run -0 wsraw --upgrade --frame -text:123456 --frame cont:78901
	assert_output "close: 1009 message too big
eof"
	assert_exits 5
	assert_failed_log '1009 message too big'
}

@test "a frame announcing 2^63-1 bytes is failed at once, without waiting for them" {
	local t0 elapsed
	start_inetd_mode --echo
	t0=$(now_ms)
	# binary, 64-bit length 0x7fff..., mask; no payload follows
	run -0 wsraw --upgrade --frame-hex 82ff7fffffffffffffff00000000
	elapsed=$(($(now_ms) - t0))
	assert_output "close: 1009 message too big
eof"
	[ "$elapsed" -lt 4000 ] || fail "the close took $elapsed ms"
	assert_exits 5
	assert_failed_log '1009 message too big'
}

@test "a frame announcing 5 bytes and sending 2 is waited for (control of the above)" {
	start_inetd_mode --echo
	run -0 wsraw --timeout 1 --upgrade --frame-hex 818500000000 --frame-hex 6869
	assert_output "timeout"
	# wsraw gave up and closed: the server saw the end mid-frame.
	assert_exits 8
	assert_log '^<4>127\.0\.0\.1:[0-9]+ connection closed mid-frame, '
}

@test "a 64-bit length with the top bit set gets close 1002" {
	start_inetd_mode --echo
	run -0 wsraw --upgrade --frame-hex 82ff800000000000000000000000
	assert_output "close: 1002 frame length has the top bit set
eof"
	assert_exits 5
	assert_failed_log '1002 frame length has the top bit set'
}

@test "a frame with a reserved bit set gets close 1002" {
	start_inetd_mode --echo
	# FIN + RSV1 + text, masked, empty
	run -0 wsraw --upgrade --frame-hex c18000000000
	assert_output "close: 1002 reserved bits set
eof"
	assert_exits 5
	assert_failed_log '1002 reserved bits set'
}

@test "an unknown opcode gets close 1002" {
	start_inetd_mode --echo
	run -0 wsraw --upgrade --frame 3:x
	assert_output "close: 1002 unknown opcode
eof"
	assert_exits 5
	assert_failed_log '1002 unknown opcode'
}

@test "a ping between fragments is answered and the message reassembled" {
	start_inetd_mode --echo
	run -0 wsraw --upgrade --frame -text:Hel --frame ping:p1 --frame cont:lo \
		--frame close:1000
	assert_output "op10: p1
text: Hello
close: 1000
eof"
	assert_exits 0
}

# frames N: N continuation frames of "a", FIN=0, each its own send.
frames() {
	local i
	for ((i = 0; i < $1; i++)); do
		printf -- '--frame\n-cont:a\n'
	done
}

# traced ARGS...: wsinetd under strace, its setsockopt and poll calls in
# $TRACE (LeakSanitizer cannot run under ptrace).
traced() {
	TRACE=$BATS_TEST_TMPDIR/trace
	activate 127.0.0.1 --inetd env ASAN_OPTIONS=detect_leaks=0 \
		strace -qq -e trace=setsockopt,poll -o "$TRACE" "$WSINETD" "$@"
}

@test "a message in many small frames is read in batches, a ping in it still answered" {
	traced --echo
	# 20 frames, a pause so that they are parsed, 20 more (now in
	# batches), a pause with a ping after it, the last frame
	mapfile -t a < <(frames 20)
	mapfile -t b < <(frames 20)
	run -0 wsraw --upgrade --frame -text:a "${a[@]}" --sleep 0.3 "${b[@]}" \
		--sleep 0.3 --frame ping:p1 --frame cont:end --frame close:1000
	assert_output "op10: p1
text: $(printf 'a%.0s' {1..41})end
close: 1000
eof"
	assert_exits 0
	grep -q 'SO_RCVLOWAT, \[4096\]' "$TRACE" || fail "no batching: $(cat "$TRACE")"
	grep -q 'SO_RCVLOWAT, \[1\]' "$TRACE" || fail "never back to single reads"
	# a pause while batching costs one timer wake-up, not one a
	# millisecond
	(($(grep -c '= 0 (Timeout)' "$TRACE") <= 4)) ||
		fail "woke on the timer $(grep -c '= 0 (Timeout)' "$TRACE") times"
}

@test "control: a message in a few frames is read as it comes" {
	traced --echo
	mapfile -t a < <(frames 5)
	run -0 wsraw --upgrade --frame -text:a "${a[@]}" --frame cont:end \
		--frame close:1000
	assert_output "text: aaaaaaend
close: 1000
eof"
	! grep -q SO_RCVLOWAT "$TRACE" || fail "batched: $(cat "$TRACE")"
}

@test "a continuation without a first fragment gets close 1002" {
	start_inetd_mode --echo
	run -0 wsraw --upgrade --frame cont:lo
	assert_output "close: 1002 continuation without a message
eof"
	assert_exits 5
	assert_failed_log '1002 continuation without a message'
}

@test "a peer vanishing inside a frame header makes wsinetd exit 8 mid-frame" {
	local t0
	start_inetd_mode --echo
	t0=$(now_ms)
	run -0 wsraw --upgrade --frame-hex 81 --vanish
	assert_output ""
	assert_exits 8
	[ $(($(now_ms) - t0)) -lt 4000 ] || fail "wsinetd took too long to notice"
	assert_log '^<4>127\.0\.0\.1:[0-9]+ connection closed mid-frame, '
}

@test "a peer vanishing inside a payload makes wsinetd exit 8 mid-frame" {
	start_inetd_mode --echo
	run -0 wsraw --upgrade --frame-hex 818500000000 --frame-hex 6865 --vanish
	assert_output ""
	assert_exits 8
	assert_log '^<4>127\.0\.0\.1:[0-9]+ connection closed mid-frame, '
}

@test "a peer vanishing between fragments makes wsinetd exit 8 mid-message" {
	start_inetd_mode --echo
	run -0 wsraw --upgrade --frame -text:Hel --vanish
	assert_output ""
	assert_exits 8
	assert_log '^<4>127\.0\.0\.1:[0-9]+ connection closed mid-message, '
}

@test "a peer vanishing between messages is lost without a close frame, not mid-frame" {
	start_inetd_mode --echo
	run -0 wsraw --upgrade --frame text:whole --vanish
	assert_output ""
	assert_exits 8
	# The echo may reach the socket after wsraw closed it, which then
	# answers with a reset: either way the connection is lost.
	assert_log '^<4>127\.0\.0\.1:[0-9]+ connection (closed|reset) without a close frame, '
	refute_log 'mid-'
}

@test "a request trickled past --handshake-timeout makes wsinetd exit 6 long before the request ends" {
	local t0 elapsed
	start_inetd_mode --handshake-timeout 1
	t0=$(now_ms)
	run -0 wsraw --trickle 0.3 --raw 'GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n'
	# No answer, just the end: wsraw's next byte finds the socket closed.
	assert_line --index 0 --regexp '^send failed: (BrokenPipeError|ConnectionResetError)$'
	assert_line --index 1 --regexp '^(eof|reset)$'
	[ "${#lines[@]}" -eq 2 ] || fail "output: $output"
	assert_exits 6
	elapsed=$(($(now_ms) - t0))
	[ "$elapsed" -lt 4000 ] || fail "wsinetd ended after $elapsed ms"
	assert_log '^<4>127\.0\.0\.1:[0-9]+ handshake timed out after 1000 ms, 1\.[0-9]{3} s, in [0-9] B, out 0 B$'
}

@test "the same request sent at once is upgraded under --handshake-timeout 1" {
	start_inetd_mode --handshake-timeout 1
	run -0 wsraw --upgrade --frame close:1000
	assert_output "text: Welcome to the WebSocket server!
close: 1000
eof"
	assert_exits 0
}

@test "--idle-timeout 1 sends close 1001 to a silent peer and exits 6" {
	start_inetd_mode --idle-timeout 1 --close-timeout 1
	run -0 wsraw --upgrade
	assert_output "text: Welcome to the WebSocket server!
close: 1001 idle timeout
eof"
	assert_exits 6
	assert_log '^<4>127\.0\.0\.1:[0-9]+ idle for 1000 ms, '
}

@test "--idle-timeout 1 leaves a peer alone that speaks every 0.6 s" {
	start_inetd_mode --idle-timeout 1
	run -0 wsraw --upgrade --frame text:a --sleep 0.6 --frame text:b --sleep 0.6 \
		--frame close:1000
	assert_output "text: Welcome to the WebSocket server!
text: You said: a
text: You said: b
close: 1000
eof"
	assert_exits 0
	refute_log 'idle for'
}

@test "after an idle close is answered wsinetd closes the connection at once" {
	local t0 elapsed
	start_inetd_mode --idle-timeout 1
	t0=$(now_ms)
	# The peer answers the close frame, then waits for the server to end
	# the TCP connection, as RFC 6455 7.1.1 says the server should.
	run -0 wsraw --timeout 2 --upgrade --sleep 1.5 --frame close:1001
	elapsed=$(($(now_ms) - t0))
	assert_output "text: Welcome to the WebSocket server!
close: 1001 idle timeout
eof"
	[ "$elapsed" -lt 4000 ] || fail "the connection ended after $elapsed ms"
	assert_exits 6
	assert_log 'idle for 1000 ms \(peer sent 1001 ""\), 1\.[0-9]{3} s, '
}

@test "the peer's close code is echoed and logged with its reason" {
	start_inetd_mode --echo
	run -0 wsraw --upgrade --frame close:4000:bye
	assert_output "close: 4000
eof"
	assert_exits 0
	assert_log '^<6>127\.0\.0\.1:[0-9]+ closed by the peer \(peer sent 4000 "bye"\), '
}

@test "a close with the reserved code 1005 gets close 1002 instead of an echo" {
	start_inetd_mode --echo
	run -0 wsraw --upgrade --frame close:1005
	assert_output "close: 1002 invalid close code
eof"
	assert_exits 5
	assert_failed_log '1002 invalid close code'
}

@test "an empty close frame is answered with an empty close" {
	start_inetd_mode --echo
	run -0 wsraw --upgrade --frame close:
	assert_output "close:
eof"
	assert_exits 0
	assert_log 'closed by the peer \(peer sent 1005 ""\), '
}

@test "a ping is answered with a pong carrying its payload" {
	start_inetd_mode --echo
	run -0 wsraw --upgrade --frame ping:are-you-there --frame close:1000
	assert_output "op10: are-you-there
close: 1000
eof"
	assert_exits 0
}

@test "a ping with more than 125 bytes gets close 1002" {
	start_inetd_mode --echo
	run -0 wsraw --upgrade --frame "ping:$(printf '%126s' '')"
	assert_output "close: 1002 control frame too long
eof"
	assert_exits 5
	assert_failed_log '1002 control frame too long'
}
