#!/usr/bin/env bats
# SPDX-License-Identifier: ISC
#
# Interop with node's ws (Debian's node-ws): its client against wsinetd,
# and wsclient against its server.

load helpers
load interop

requires_peers() {
	require_node_ws
}

@test "node's ws client does the hello exchange with wsinetd, permessage-deflate negotiated" {
	start_inetd_mode
	run --separate-stderr -0 node "$INTEROP/ws_client.js" \
		"ws://127.0.0.1:$PORT/" hello
	assert_output "$HELLO_OUT
closed: 1000
extensions: permessage-deflate"
	assert_exits 0
	assert_log '^<6>127\.0\.0\.1:[0-9]+ closed by the peer \(peer sent 1000 ""\)'
}

@test "control: with --compression off wsinetd declines node ws's offer" {
	start_inetd_mode --compression off
	run --separate-stderr -0 node "$INTEROP/ws_client.js" \
		"ws://127.0.0.1:$PORT/" hello
	assert_output "$HELLO_OUT
closed: 1000
extensions: none"
	assert_exits 0
}

@test "node's ws client gets text and a 1 MiB binary message back unchanged from wsinetd --echo" {
	start_inetd_mode --echo
	run --separate-stderr -0 node "$INTEROP/ws_client.js" \
		"ws://127.0.0.1:$PORT/" echo 1048576
	assert_output "text echoed
binary echoed: 1048576 bytes, identical
closed: 1000
extensions: permessage-deflate"
	assert_exits 0
}

@test "node's ws client's text, fragmented inside a UTF-8 character, and its ping get echo and pong from wsinetd --echo" {
	start_inetd_mode --echo
	run --separate-stderr -0 node "$INTEROP/ws_client.js" \
		"ws://127.0.0.1:$PORT/" fragments
	assert_output "fragmented text echoed: split ✓ here
pong: are you there
closed: 1000
extensions: permessage-deflate"
	assert_exits 0
}

@test "control: node's ws client fails when wsinetd refuses a message over its limit" {
	start_inetd_mode --echo --max-message 64k
	run --separate-stderr -1 node "$INTEROP/ws_client.js" \
		"ws://127.0.0.1:$PORT/" echo 65537
	assert_output "text echoed"
	[ "$stderr" = "ws_client: closed (1009) after 1 messages" ] ||
		fail "client stderr: $stderr"
	assert_exits 5
}

@test "wsclient prints the same two lines against a node ws server as against wsinetd" {
	hello_reference
	PEER_PORT=$(free_port)
	start_peer ws node "$INTEROP/ws_server.js" "$PEER_PORT"
	run --separate-stderr -0 wsclient "ws://127.0.0.1:$PEER_PORT/"
	assert_same_as_reference
	wait_peer_log '^client closed: 1000$'
}
