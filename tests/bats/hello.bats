#!/usr/bin/env bats
# SPDX-License-Identifier: ISC
#
# The hello exchange, end to end, in each way a launcher can hand wsinetd
# its connection: systemd-socket-activate --inetd (fd 0/1),
# systemd-socket-activate with LISTEN_FDS (fd 3) and socat EXEC.

load helpers

HELLO_OUT="Welcome to the WebSocket server!
You said: Hello, WebSocket server!"

# The checks shared by every mode: wsclient printed exactly the two lines
# and nothing on stderr; wsinetd logged one info summary naming the peer
# and exited 0.
assert_hello() {
	local peer=$1
	run --separate-stderr -0 wsclient "ws://$2/"
	assert_output "$HELLO_OUT"
	[ -z "$stderr" ] || fail "wsclient stderr: $stderr"
	assert_exits 0
	assert_log "^<6>$peer:[0-9]+ closed by the peer \(peer sent 1000 \"\"\), [0-9]+\.[0-9]{3} s, in [0-9]+ B, out [0-9]+ B$"
}

@test "the hello exchange works when wsinetd gets the connection on fd 0 and 1" {
	start_inetd_mode
	assert_hello 127.0.0.1 "127.0.0.1:$PORT"
}

@test "the hello exchange works when wsinetd gets the connection as LISTEN_FDS fd 3" {
	start_listenfds_mode
	assert_hello 127.0.0.1 "127.0.0.1:$PORT"
}

@test "the hello exchange works under socat EXEC" {
	start_socat_mode
	assert_hello 127.0.0.1 "127.0.0.1:$PORT"
}

@test "the hello exchange works over IPv6 loopback" {
	"$PYTHON" -c 'import socket; socket.socket(socket.AF_INET6).bind(("::1", 0))' ||
		fail "this machine has no ::1; the IPv6 test needs it"
	start_inetd_mode6
	assert_hello '\[::1\]' "[::1]:$PORT"
}

@test "two clients in a row each get their own wsinetd and their own summary" {
	start_inetd_mode
	run --separate-stderr -0 wsclient "ws://127.0.0.1:$PORT/"
	assert_output "$HELLO_OUT"
	run --separate-stderr -0 wsclient "ws://127.0.0.1:$PORT/path?q=1"
	assert_output "$HELLO_OUT"
	assert_exits 0 0
	[ "$(grep -c '^<6>127\.0\.0\.1:[0-9]* closed by the peer ' "$LOG")" -eq 2 ] ||
		fail "want two summary lines: $(cat "$LOG")"
}

@test "a client that sends its own text gets it back after the prefix" {
	start_inetd_mode
	run --separate-stderr -0 wsclient -n 2 -m 'ping pong' "ws://127.0.0.1:$PORT/"
	assert_output "Welcome to the WebSocket server!
You said: ping pong"
	assert_exits 0
}

@test "wsinetd with LISTEN_FDS set but no socket fails with a log line, not a hang" {
	# The negative control of the LISTEN_FDS mode: fd 3 is not a socket.
	run --separate-stderr -1 env LISTEN_FDS=1 \
		sh -c 'LISTEN_PID=$$ exec "$0"' "$WSINETD" 3</dev/null
	assert_output ""
	[[ $stderr == *"fd 3 from systemd is not a connected stream socket"* ]] ||
		fail "stderr: $stderr"
}

@test "the hello service does not answer over a server that refuses the upgrade" {
	# The negative control of the hello checks: the same client against a
	# server that answers 426 prints nothing and exits 4.
	start_wsfake --status "426 Upgrade Required"
	run --separate-stderr -4 wsclient "ws://127.0.0.1:$PORT/"
	assert_output ""
	[ "$stderr" = "wsclient: handshake refused: HTTP/1.1 426 Upgrade Required" ] ||
		fail "stderr: $stderr"
}
