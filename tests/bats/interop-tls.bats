#!/usr/bin/env bats
# SPDX-License-Identifier: ISC
#
# wss:// with peers we did not write: node's ws over https and tornado,
# each way, and headless Chromium loading wsinetd's console page over
# https:// and saying hello over wss:// on the same port, trusting the
# test CA through an NSS database of its own. (Python websockets and
# openssl s_client are in tls.bats.) wsinetd's summary line names the
# TLS protocol of each session: that is how these tests know TLS
# happened, beside the wss:// URL the client was given.

load helpers
load interop
load pki

# The CA and server certificate (tests/bats/pki.bash); for the browser
# test, Chromium with a home whose NSS database trusts that CA, started
# once for the file since it takes seconds.
setup_file() {
	command -v openssl >/dev/null || return 1
	test_pki "$BATS_FILE_TMPDIR" || return 1
	command -v chromium >/dev/null || return 0 # requires_peers fails
	command -v certutil >/dev/null || return 0 # the browser test fails
	local nss=$BATS_FILE_TMPDIR/chromium-home/.pki/nssdb
	mkdir -p "$nss" &&
		certutil -N -d "sql:$nss" --empty-password &&
		certutil -A -d "sql:$nss" -n wsinetd-test-CA -t C,, \
			-i "$BATS_FILE_TMPDIR/ca.pem" || return 1
	start_chromium "$BATS_FILE_TMPDIR"
}

teardown_file() {
	stop_chromium
}

requires_peers() {
	require_node_ws
	require_python_module tornado
	command -v openssl >/dev/null || fail "openssl is not installed"
	PKI=$BATS_FILE_TMPDIR
	TLS=(--tls-cert "$PKI/server.pem" --tls-key "$PKI/server.key")
}

# wsinetd's summary line for one clean hello over TLS.
TLS_HELLO='^<6>127\.0\.0\.1:[0-9]+ closed by the peer \(peer sent 1000 ""\), .*, TLSv1\.3 full handshake$'

# wss_hello: wsclient's hello exchange with the test CA on $PEER_PORT.
wss_hello() {
	run --separate-stderr -0 wsclient --connect-timeout 5 \
		--cacert "$PKI/ca.pem" "wss://localhost:$PEER_PORT/"
	assert_output "$HELLO_OUT"
	[ -z "$stderr" ] || fail "wsclient stderr: $stderr"
}

# control_plain: the same TLS-only peer refuses wsclient's plain ws://,
# so the passing exchange above was TLS.
control_plain() {
	run --separate-stderr wsclient --connect-timeout 5 \
		"ws://localhost:$PEER_PORT/"
	[ "$status" -ne 0 ] || fail "ws:// to a wss:// peer worked: $output"
}

@test "node's ws client does the hello exchange with wsinetd over wss://, trusting the test CA" {
	start_inetd_mode "${TLS[@]}"
	NODE_EXTRA_CA_CERTS=$PKI/ca.pem run --separate-stderr -0 \
		node "$INTEROP/ws_client.js" "wss://localhost:$PORT/" hello
	assert_output "$HELLO_OUT
closed: 1000
extensions: permessage-deflate"
	assert_exits 0
	assert_log "$TLS_HELLO"
}

@test "control: node's ws client refuses wsinetd's certificate without the test CA" {
	start_inetd_mode "${TLS[@]}"
	run --separate-stderr -1 node "$INTEROP/ws_client.js" \
		"wss://localhost:$PORT/" hello
	[ "$stderr" = "ws_client: unable to verify the first certificate" ] ||
		fail "stderr: $stderr"
}

@test "wsclient does the hello exchange with node's ws over https" {
	PEER_PORT=$(free_port)
	start_peer node node "$INTEROP/ws_server.js" "${TLS[@]}" "$PEER_PORT"
	wss_hello
	wait_peer_log '^client closed: 1000$'
	control_plain
}

@test "tornado's client does the hello exchange with wsinetd over wss://" {
	start_inetd_mode "${TLS[@]}"
	SSL_CERT_FILE=$PKI/ca.pem run --separate-stderr -0 \
		"$PYTHON" "$INTEROP/tornado_client.py" "wss://localhost:$PORT/" hello
	assert_output "$HELLO_OUT
closed: 1000
extensions: permessage-deflate; client_max_window_bits=12"
	assert_exits 0
	assert_log "$TLS_HELLO"
}

@test "wsclient does the hello exchange with a tornado wss:// server" {
	PEER_PORT=$(free_port)
	start_peer tornado "$PYTHON" "$INTEROP/tornado_server.py" "${TLS[@]}" \
		"$PEER_PORT"
	wss_hello
	wait_peer_log '^client closed: 1000$'
	control_plain
}

@test "Chromium loads wsinetd --console over https:// and says hello over wss:// on the same port" {
	require_peer chromium certutil
	require_python_module websockets
	start_listenfds_mode "${TLS[@]}" --console
	run --separate-stderr -0 "$INTEROP/cdp.py" "$CHROMIUM_PROFILE" \
		"https://localhost:$PORT/?autoconnect=1&send=Hello,%20WebSocket%20server!"
	assert_output "request extensions: permessage-deflate; client_max_window_bits
response: 101
response extensions: permessage-deflate; client_max_window_bits=12
log: connecting to wss://localhost:$PORT/
log: open, extensions: permessage-deflate; client_max_window_bits=12, subprotocol: none
log: sent: Hello, WebSocket server!
log: received: Welcome to the WebSocket server!
log: received: You said: Hello, WebSocket server!
log: closed: 1000, clean"
	# The page and its script came over TLS too, then the WebSocket.
	assert_log 'GET /\?autoconnect=1[^ ]*: 200 OK'
	assert_log 'GET /console\.js: 200 OK'
	assert_log 'closed by the peer \(peer sent 1000 "bye"\), .*, TLSv1\.3 (full handshake|resumed)$'
	refute_log 'plain HTTP request on the TLS port'
}
