#!/usr/bin/env bats
# SPDX-License-Identifier: ISC
#
# Interop with a real browser: headless Chromium loads the console page
# (contrib/www) from a loopback HTTP server and talks to wsinetd, started
# as systemd would with Accept=yes; tests/interop/cdp.py drives the page
# through the DevTools protocol and prints the handshake Chromium saw and
# the page's log.

load helpers
load interop

# One browser for the file: it takes seconds to start; each test loads
# the page afresh in it.
setup_file() {
	command -v chromium >/dev/null || return 0 # requires_peers fails
	start_chromium "$BATS_FILE_TMPDIR"
}

teardown_file() {
	stop_chromium
}

requires_peers() {
	require_peer chromium
	require_python_module websockets
}

# serve_www: the page on 127.0.0.1:$WWW_PORT.
serve_www() {
	PEER_PORT=$(free_port)
	WWW_PORT=$PEER_PORT
	start_peer http "$PYTHON" -m http.server --bind 127.0.0.1 \
		"$WWW_PORT" --directory "$WWW"
}

# What cdp.py prints for a page that said hello to wsinetd on $PORT.
hello_seen() {
	echo "request extensions: permessage-deflate; client_max_window_bits
response: 101
response extensions: permessage-deflate; client_max_window_bits=12
log: connecting to ws://127.0.0.1:$PORT/
log: open, extensions: permessage-deflate; client_max_window_bits=12, subprotocol: none
log: sent: Hello, WebSocket server!
log: received: Welcome to the WebSocket server!
log: received: You said: Hello, WebSocket server!"
}

# open_console WS_URL ARGS...: the page pointed at WS_URL, connecting at
# once and sending the hello; cdp.py's output in $output.
open_console() {
	local url=$1
	shift
	run --separate-stderr -0 "$INTEROP/cdp.py" "$CHROMIUM_PROFILE" \
		"http://127.0.0.1:$WWW_PORT/?url=$url&autoconnect=1&send=Hello,%20WebSocket%20server!" \
		"$@"
}

@test "Chromium's console page does the hello exchange with wsinetd and closes cleanly, permessage-deflate negotiated" {
	serve_www
	# The page comes from another port: its origin must be allowed.
	start_listenfds_mode --origin "http://127.0.0.1:$WWW_PORT"
	# The hello comes from the address; after both answers, more text
	# is typed into the message box and sent with the Send button.
	open_console "ws://127.0.0.1:$PORT/" --received 2 \
		--type 'typed <b>here</b>' --received 3
	assert_output "$(hello_seen)
log: sent: typed <b>here</b>
log: received: You said: typed <b>here</b>
log: closed: 1000, clean"
	assert_exits 0
	# The page's Disconnect button closes with 1000 "bye".
	assert_log '^<6>127\.0\.0\.1:[0-9]+ closed by the peer \(peer sent 1000 "bye"\)'
}

@test "by default wsinetd refuses the page from another origin with 403, and Chromium fails the connection" {
	serve_www
	start_listenfds_mode
	open_console "ws://127.0.0.1:$PORT/"
	# (The DevTools protocol reports no response for a refused upgrade;
	# wsinetd's log says what it answered.)
	assert_output "request extensions: permessage-deflate; client_max_window_bits
log: connecting to ws://127.0.0.1:$PORT/
log: error: the connection failed
log: closed: 1006, not clean"
	assert_exits 4
	assert_log "refused: 403 origin not allowed: \"http://127\.0\.0\.1:$WWW_PORT\""
}

@test "control: the console page shows a failed connection when nothing listens" {
	local port
	port=$(free_port)
	serve_www
	open_console "ws://127.0.0.1:$port/"
	assert_output "log: connecting to ws://127.0.0.1:$port/
log: error: the connection failed
log: closed: 1006, not clean"
}

@test "Chromium loads wsinetd --console from its own port: no --origin, the page connects back and says hello" {
	requires_peers
	start_listenfds_mode --console
	# kept as an artefact of the run, beside the binaries
	local shot=$BUILD/artefacts/console.png
	mkdir -p "$BUILD/artefacts"
	run --separate-stderr -0 "$INTEROP/cdp.py" "$CHROMIUM_PROFILE" \
		"http://127.0.0.1:$PORT/?autoconnect=1&send=Hello,%20WebSocket%20server!" \
		--screenshot "$shot"
	assert_output "$(hello_seen)
log: closed: 1000, clean"
	[ -s "$shot" ] || fail "no screenshot at $shot"
	[ "$(head -c 8 "$shot" | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ] ||
		fail "$shot is not a PNG"
	# The page and its two files, then the WebSocket: same origin.
	assert_log 'GET /\?autoconnect=1[^ ]*: 200 OK'
	assert_log 'GET /console\.js: 200 OK'
	assert_log 'closed by the peer \(peer sent 1000 "bye"\)'
	refute_log 'refused: 403'
}
