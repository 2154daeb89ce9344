#!/usr/bin/env bats
# SPDX-License-Identifier: ISC
#
# --echo: every message back unchanged with its opcode and no welcome,
# against the hello service as the control; and how the hello service
# treats binary (echoed, no prefix).

load helpers

@test "--echo sends a text message back unchanged and no welcome" {
	start_inetd_mode --echo
	run -0 wsraw --upgrade --frame 'text:hello there' --frame close:1000
	assert_output "text: hello there
close: 1000
eof"
	assert_exits 0
	assert_log '^<6>127\.0\.0\.1:[0-9]+ closed by the peer \(peer sent 1000 ""\), '
}

@test "without --echo the same client gets the welcome and a prefixed answer" {
	start_inetd_mode
	run -0 wsraw --upgrade --frame 'text:hello there' --frame close:1000
	assert_output "text: Welcome to the WebSocket server!
text: You said: hello there
close: 1000
eof"
	assert_exits 0
}

@test "--echo sends binary back as binary" {
	start_inetd_mode --echo
	run -0 wsraw --upgrade --frame 'binary:\x00\x01\xff\x80' --frame close:1000
	assert_output "binary: 4 bytes
close: 1000
eof"
	assert_exits 0
}

@test "--echo returns binary bytes unchanged to wsclient" {
	start_inetd_mode --echo
	# wsclient sends what is not UTF-8 as binary and prints it raw.
	run --separate-stderr -0 wsclient -m $'\xff\xfe\x01' "ws://127.0.0.1:$PORT/"
	assert_output $'\xff\xfe\x01'
	[ -z "$stderr" ] || fail "stderr: $stderr"
	assert_exits 0
}

@test "--echo handles 16-bit and 64-bit frame lengths" {
	local text
	text=$(printf '%200s' '' | tr ' ' t)
	start_inetd_mode --echo
	run -0 wsraw --upgrade --frame "text:$text" \
		--frame "binary:$(printf '%70000s' '')" --frame close:1000
	assert_output "text: $text
binary: 70000 bytes
close: 1000
eof"
	assert_exits 0
}

@test "the hello service echoes binary as binary without the prefix" {
	start_inetd_mode
	run -0 wsraw --upgrade --frame 'binary:abc' --frame close:1000
	assert_output "text: Welcome to the WebSocket server!
binary: 3 bytes
close: 1000
eof"
	assert_exits 0
}

@test "the hello service returns binary bytes without a prefix to wsclient" {
	start_inetd_mode
	run --separate-stderr -0 wsclient -n 2 -m $'\xff\xfe' "ws://127.0.0.1:$PORT/"
	assert_output $'Welcome to the WebSocket server!\n\xff\xfe'
	assert_exits 0
}

@test "an empty text message comes back empty under --echo" {
	start_inetd_mode --echo
	run -0 wsraw --upgrade --frame 'text:' --frame close:1000
	assert_output "text: 
close: 1000
eof"
	assert_exits 0
}
