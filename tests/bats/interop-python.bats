#!/usr/bin/env bats
# SPDX-License-Identifier: ISC
#
# Interop with Python websockets (Debian's python3-websockets): its client
# against wsinetd, and wsclient against its server.

load helpers
load interop

requires_peers() {
	require_python_module websockets
}

@test "Python websockets' client does the hello exchange with wsinetd, permessage-deflate negotiated" {
	start_inetd_mode
	run --separate-stderr -0 "$INTEROP/websockets_client.py" \
		"ws://127.0.0.1:$PORT/" hello
	assert_output "$HELLO_OUT
closed: 1000
extensions: permessage-deflate"
	assert_exits 0
	assert_log '^<6>127\.0\.0\.1:[0-9]+ closed by the peer \(peer sent 1000 ""\)'
}

@test "control: with --compression off wsinetd declines Python websockets' offer" {
	start_inetd_mode --compression off
	run --separate-stderr -0 "$INTEROP/websockets_client.py" \
		"ws://127.0.0.1:$PORT/" hello
	assert_output "$HELLO_OUT
closed: 1000
extensions: none"
	assert_exits 0
}

@test "Python websockets' client gets a 1 MiB binary message back byte for byte from wsinetd --echo" {
	start_inetd_mode --echo
	run --separate-stderr -0 "$INTEROP/websockets_client.py" \
		"ws://127.0.0.1:$PORT/" echo 1048576
	assert_output "text echoed
binary echoed: 1048576 bytes, identical
closed: 1000
extensions: permessage-deflate"
	assert_exits 0
	assert_log 'in [0-9]{7} B, out [0-9]{7} B$'
}

@test "Python websockets' fragmented messages and ping get their echoes and pong from wsinetd --echo" {
	start_inetd_mode --echo
	run --separate-stderr -0 "$INTEROP/websockets_client.py" \
		"ws://127.0.0.1:$PORT/" fragments
	assert_output "text: fragmented ✓
binary: 70002 bytes, identical
pong: are you there
closed: 1000
extensions: permessage-deflate"
	assert_exits 0
}

@test "Python websockets' client prints a bridged program's answers that come after its own close" {
	# The program answers only at EOF, which the client's close gives
	# it: every answer crosses after that close.
	start_inetd_mode -- /bin/sh -c 'x=$(cat); echo "$x" | sed "s/^/got /"'
	run --separate-stderr -0 "$INTEROP/websockets_client.py" \
		"ws://127.0.0.1:$PORT/" last-words
	assert_output "after close: got a
after close: got b
closed: 1000
extensions: permessage-deflate"
	assert_exits 0
	assert_log 'closed by the peer \(peer sent 1000 ""\).*program exit 0$'
}

@test "control: one byte over wsinetd's limit, the same client is refused with 1009" {
	start_inetd_mode --echo
	run --separate-stderr -1 "$INTEROP/websockets_client.py" \
		"ws://127.0.0.1:$PORT/" echo 1048577
	assert_output "text echoed"
	[[ $stderr == "connection closed: received 1009 "* ]] ||
		fail "client stderr: $stderr"
	assert_exits 5
}

@test "wsclient prints the same two lines against a Python websockets server as against wsinetd" {
	hello_reference
	PEER_PORT=$(free_port)
	start_peer websockets "$INTEROP/websockets_server.py" "$PEER_PORT"
	run --separate-stderr -0 wsclient "ws://127.0.0.1:$PEER_PORT/"
	assert_same_as_reference
	wait_peer_log '^client closed: 1000$'
}

@test "wsclient answers a websockets server's ping and reassembles its fragmented answer" {
	hello_reference
	PEER_PORT=$(free_port)
	start_peer websockets "$INTEROP/websockets_server.py" "$PEER_PORT" \
		--ping-and-fragment
	run --separate-stderr -0 wsclient "ws://127.0.0.1:$PEER_PORT/"
	assert_same_as_reference
	wait_peer_log '^client closed: 1000$'
	grep -qx 'pong received' "$PEER_LOG" ||
		fail "the server saw no pong: $(cat "$PEER_LOG")"
}
