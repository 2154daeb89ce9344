#!/usr/bin/env bats
# SPDX-License-Identifier: ISC
#
# Interop with tornado (Debian's python3-tornado): the reference server
# this project was described from against wsclient, and tornado's
# websocket_connect client against wsinetd.

load helpers
load interop

requires_peers() {
	require_python_module tornado
}

@test "wsclient prints the same two lines against the tornado reference server as against wsinetd" {
	hello_reference
	PEER_PORT=$(free_port)
	start_peer tornado "$INTEROP/tornado_server.py" "$PEER_PORT"
	run --separate-stderr -0 wsclient "ws://127.0.0.1:$PEER_PORT/"
	assert_same_as_reference
	wait_peer_log '^client closed: 1000$'
}

@test "control: wsclient's own text reaches the tornado server and comes back after its prefix" {
	PEER_PORT=$(free_port)
	start_peer tornado "$INTEROP/tornado_server.py" "$PEER_PORT"
	run --separate-stderr -0 wsclient -n 2 -m 'not the hello' \
		"ws://127.0.0.1:$PEER_PORT/"
	assert_output "Welcome to the WebSocket server!
You said: not the hello"
	wait_peer_log '^client closed: 1000$'
}

@test "tornado's client does the hello exchange with wsinetd, which accepts the permessage-deflate it offers" {
	start_inetd_mode
	run --separate-stderr -0 "$INTEROP/tornado_client.py" \
		"ws://127.0.0.1:$PORT/" hello
	assert_output "$HELLO_OUT
closed: 1000
extensions: permessage-deflate; client_max_window_bits=12"
	assert_exits 0
	assert_log '^<6>127\.0\.0\.1:[0-9]+ closed by the peer \(peer sent 1000 ""\)'
}

@test "control: with --compression off wsinetd declines tornado's offer" {
	start_inetd_mode --compression off
	run --separate-stderr -0 "$INTEROP/tornado_client.py" \
		"ws://127.0.0.1:$PORT/" hello
	assert_output "$HELLO_OUT
closed: 1000
extensions: none"
	assert_exits 0
}

@test "tornado's client gets text and a 1 MiB binary message back unchanged from wsinetd --echo" {
	start_inetd_mode --echo
	run --separate-stderr -0 "$INTEROP/tornado_client.py" \
		"ws://127.0.0.1:$PORT/" echo 1048576
	assert_output "text echoed
binary echoed: 1048576 bytes, identical
closed: 1000
extensions: permessage-deflate; client_max_window_bits=12"
	assert_exits 0
}
