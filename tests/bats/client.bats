#!/usr/bin/env bats
# SPDX-License-Identifier: ISC
#
# wsclient: its ways of sending (-m, --stdin, -n) against wsinetd, and
# each documented exit status against wsfake misbehaving on cue, each
# beside the same script done right.

load helpers

# assert_fake EXPECTED: wsfake ended by itself and printed EXPECTED (what
# it received from wsclient).
assert_fake() {
	wait_server_exit
	[ "$SERVER_STATUS" -eq 0 ] || fail "wsfake exited $SERVER_STATUS: $(cat "$LOG")"
	[ "$(cat "$LOG")" = "$1" ] ||
		fail "wsfake printed:
$(cat "$LOG")
expected:
$1"
}

# assert_stderr TEXT: wsclient's stderr, from run --separate-stderr.
assert_stderr() {
	[ "$stderr" = "$1" ] || fail "stderr: want '$1', got '$stderr'"
}

@test "-m sends two messages and prints the answers in order" {
	start_inetd_mode --echo
	run --separate-stderr -0 wsclient -m one -m 'two words' "ws://127.0.0.1:$PORT/"
	assert_output "one
two words"
	assert_stderr ""
	assert_exits 0
}

@test "-n 0 never closes first: the run ends only by --timeout against a server that waits" {
	start_inetd_mode --echo
	run --separate-stderr -6 wsclient -n 0 --timeout 1 -m x "ws://127.0.0.1:$PORT/"
	assert_output "x"
	assert_stderr "wsclient: timed out after 1000 ms"
}

@test "control: without -n 0 the same -m run closes by itself" {
	start_inetd_mode --echo
	run --separate-stderr -0 wsclient --timeout 1 -m x "ws://127.0.0.1:$PORT/"
	assert_output "x"
	assert_stderr ""
}

@test "--stdin sends each line of a here-document and closes at its end" {
	start_inetd_mode --echo
	run --separate-stderr -0 wsclient --stdin "ws://127.0.0.1:$PORT/" <<-EOF
		first line
		second line
	EOF
	assert_output "first line
second line"
	assert_stderr ""
	assert_exits 0
}

@test "--stdin sends a last line that has no newline" {
	printf 'a\nlast' >"$BATS_TEST_TMPDIR/in"
	start_inetd_mode --echo
	run --separate-stderr -0 wsclient --stdin "ws://127.0.0.1:$PORT/" <"$BATS_TEST_TMPDIR/in"
	assert_output "a
last"
	assert_exits 0
}

@test "--echo sends each message back with its opcode and prints nothing" {
	start_wsfake --send-text hello --send-hex 8203010203 --send-close 1000
	run --separate-stderr -0 wsclient --echo "ws://127.0.0.1:$PORT/"
	assert_output ""
	assert_stderr ""
	assert_fake "request: GET / HTTP/1.1
recv text: hello
recv binary: 3 bytes
recv close: 1000
eof"
}

@test "--stdin with the hello service gets the welcome and one answer per line" {
	start_inetd_mode
	run --separate-stderr -0 wsclient --stdin "ws://127.0.0.1:$PORT/" <<<'hi'
	# The welcome may come before or after the answer is asked for, but
	# both come before the close.
	assert_line --index 0 "Welcome to the WebSocket server!"
	assert_line --index 1 "You said: hi"
	[ "${#lines[@]}" -eq 2 ] || fail "output: $output"
	assert_exits 0
}

@test "-n 1 closes after the first message and prints only the welcome" {
	start_inetd_mode
	run --separate-stderr -0 wsclient -n 1 "ws://127.0.0.1:$PORT/"
	assert_output "Welcome to the WebSocket server!"
	assert_stderr ""
	assert_exits 0
}

@test "-n 1 prints one message even when the server sent more before our close" {
	# wsfake sends two messages at once, then answers the close: the
	# second arrives after -n 1 was reached and must not be printed.
	start_wsfake --send-text first --send-text second --reply-close
	run --separate-stderr -0 wsclient -n 1 -m x "ws://127.0.0.1:$PORT/"
	assert_output "first"
	assert_stderr ""
	assert_fake "request: GET / HTTP/1.1
recv text: x
recv close: 1000
eof"
}

@test "wsclient exits 0 when the server sends its messages and closes normally" {
	start_wsfake --send-text hello --send-text again --send-close 1000
	run --separate-stderr -0 wsclient "ws://127.0.0.1:$PORT/"
	assert_output "hello
again"
	assert_stderr ""
	assert_fake "request: GET / HTTP/1.1
recv text: Hello, WebSocket server!
recv close: 1000
eof"
}

@test "wsclient exits 3 when nobody listens on the port" {
	local port
	port=$(free_port)
	run --separate-stderr -3 wsclient "ws://127.0.0.1:$port/"
	assert_output ""
	assert_stderr "wsclient: cannot connect to 127.0.0.1 port $port: Connection refused"
}

@test "wsclient exits 6 when the server accepts but never answers the upgrade" {
	local t0 elapsed
	start_wsfake --no-answer
	t0=$(now_ms)
	run --separate-stderr -6 wsclient --connect-timeout 1 "ws://127.0.0.1:$PORT/"
	elapsed=$(($(now_ms) - t0))
	assert_output ""
	assert_stderr "wsclient: handshake timed out after 1000 ms"
	[ "$elapsed" -ge 900 ] && [ "$elapsed" -lt 4000 ] ||
		fail "timed out after $elapsed ms, not about 1000"
	assert_fake "request: GET / HTTP/1.1
eof"
}

@test "wsclient exits 6 when the whole run outlasts --timeout" {
	# A good 101, then silence: the hello exchange never finishes.
	start_wsfake --send-text only-one
	run --separate-stderr -6 wsclient --timeout 1 "ws://127.0.0.1:$PORT/"
	assert_output "only-one"
	assert_stderr "wsclient: timed out after 1000 ms"
}

@test "wsclient exits 6 when the server never answers its close" {
	# wsfake reads on without answering the close frame.
	start_wsfake --send-text a --send-text b
	run --separate-stderr -6 wsclient --close-timeout 1 "ws://127.0.0.1:$PORT/"
	assert_output "a
b"
	assert_stderr "wsclient: no close frame from the peer"
}

@test "wsclient exits 0 when the server answers its close (control of the above)" {
	start_wsfake --send-text a --send-text b --reply-close
	run --separate-stderr -0 wsclient --close-timeout 1 "ws://127.0.0.1:$PORT/"
	assert_output "a
b"
	assert_stderr ""
	assert_fake "request: GET / HTTP/1.1
recv text: Hello, WebSocket server!
recv close: 1000
eof"
}

@test "wsclient exits 4 on a wrong Sec-WebSocket-Accept" {
	start_wsfake --bad-accept
	run --separate-stderr -4 wsclient "ws://127.0.0.1:$PORT/"
	assert_output ""
	assert_stderr "wsclient: invalid handshake: wrong Sec-WebSocket-Accept"
	assert_fake "request: GET / HTTP/1.1
eof"
}

@test "wsclient exits 4 when the server answers 403" {
	start_wsfake --status "403 Forbidden"
	run --separate-stderr -4 wsclient "ws://127.0.0.1:$PORT/"
	assert_output ""
	assert_stderr "wsclient: handshake refused: HTTP/1.1 403 Forbidden"
	assert_fake "request: GET / HTTP/1.1
eof"
}

@test "wsclient exits 4 when a plain HTTP server answers 200" {
	start_wsfake --status "200 OK"
	run --separate-stderr -4 wsclient "ws://127.0.0.1:$PORT/"
	assert_output ""
	assert_stderr "wsclient: handshake refused: HTTP/1.1 200 OK"
}

@test "wsclient exits 7 when the server closes with 1008 and echoes the code" {
	start_wsfake --send-close 1008:policy
	run --separate-stderr -7 wsclient "ws://127.0.0.1:$PORT/"
	assert_output ""
	assert_stderr 'wsclient: closed by the server: 1008 "policy"'
	assert_fake "request: GET / HTTP/1.1
recv text: Hello, WebSocket server!
recv close: 1008
eof"
}

@test "wsclient exits 0 when the server closes with 1000 first" {
	start_wsfake --send-close 1000
	run --separate-stderr -0 wsclient "ws://127.0.0.1:$PORT/"
	assert_output ""
	assert_stderr ""
	assert_fake "request: GET / HTTP/1.1
recv text: Hello, WebSocket server!
recv close: 1000
eof"
}

@test "wsclient keeps the path and query of the URL in its request" {
	start_wsfake --send-close 1000
	run --separate-stderr -0 wsclient "ws://127.0.0.1:$PORT/chat/room?id=7&x=y"
	assert_fake "request: GET /chat/room?id=7&x=y HTTP/1.1
recv text: Hello, WebSocket server!
recv close: 1000
eof"
}

@test "wsclient asks for / and the query when the URL has a query but no path" {
	start_wsfake --send-close 1000
	run --separate-stderr -0 wsclient "ws://127.0.0.1:$PORT?id=7"
	assert_fake "request: GET /?id=7 HTTP/1.1
recv text: Hello, WebSocket server!
recv close: 1000
eof"
}

@test "wsclient exits 8 when the server vanishes without a close frame" {
	start_wsfake --send-text hello --vanish
	run --separate-stderr -8 wsclient "ws://127.0.0.1:$PORT/"
	assert_output "hello"
	assert_stderr "wsclient: connection closed without a close frame"
}

@test "wsclient exits 5 on a masked frame from the server and sends close 1002" {
	start_wsfake --send-masked-text hello
	run --separate-stderr -5 wsclient "ws://127.0.0.1:$PORT/"
	assert_output ""
	assert_stderr "wsclient: failed the connection: 1002 masked server frame"
	assert_fake "request: GET / HTTP/1.1
recv text: Hello, WebSocket server!
recv close: 1002 masked server frame
eof"
}

@test "wsclient prints the same text when the server does not mask it (control)" {
	start_wsfake --send-text hello --send-close 1000
	run --separate-stderr -0 wsclient "ws://127.0.0.1:$PORT/"
	assert_output "hello"
	assert_stderr ""
}

@test "wsclient exits 5 and sends 1007 on invalid UTF-8 from the server" {
	start_wsfake --send-hex 8102fffe
	run --separate-stderr -5 wsclient "ws://127.0.0.1:$PORT/"
	assert_output ""
	assert_stderr "wsclient: failed the connection: 1007 invalid UTF-8 in text"
	assert_fake "request: GET / HTTP/1.1
recv text: Hello, WebSocket server!
recv close: 1007 invalid UTF-8 in text
eof"
}

@test "wsclient without a URL is a usage error" {
	run --separate-stderr -2 wsclient -m x
	assert_output ""
	[[ $stderr == "wsclient: missing URL"$'\n'"usage: wsclient "* ]] ||
		fail "stderr: $stderr"
}

@test "wsclient with a URL of another scheme is a usage error" {
	run --separate-stderr -2 wsclient http://127.0.0.1/
	assert_output ""
	[[ $stderr == "wsclient: invalid URL: unsupported scheme (use ws:// or wss://)"$'\n'"usage: "* ]] ||
		fail "stderr: $stderr"
}

@test "wsclient with a wss:// URL and an unreadable --cacert fails with the TLS status" {
	run --separate-stderr -9 wsclient --cacert "$BATS_TEST_TMPDIR/none.pem" \
		wss://127.0.0.1/
	assert_output ""
	[[ $stderr == "wsclient: TLS: CA file $BATS_TEST_TMPDIR/none.pem: "* ]] ||
		fail "stderr: $stderr"
	[ "$(printf '%s\n' "$stderr" | wc -l)" = 1 ] || fail "stderr: $stderr"
}

@test "wsclient with a non-numeric --count is a usage error" {
	run --separate-stderr -2 wsclient --count many ws://127.0.0.1/
	assert_output ""
	[[ $stderr == "wsclient: invalid --count: many"$'\n'* ]] ||
		fail "stderr: $stderr"
}

@test "wsclient with both --stdin and -m is a usage error" {
	run --separate-stderr -2 wsclient --stdin -m x ws://127.0.0.1/
	assert_output ""
	[[ $stderr == "wsclient: --stdin and --message exclude each other"$'\n'* ]] ||
		fail "stderr: $stderr"
}

@test "wsclient with both --echo and -m is a usage error" {
	run --separate-stderr -2 wsclient --echo -m x ws://127.0.0.1/
	assert_output ""
	[[ $stderr == "wsclient: --echo excludes --stdin and --message"$'\n'* ]] ||
		fail "stderr: $stderr"
}

@test "wsclient --help prints the usage on stdout and exits 0" {
	run --separate-stderr -0 wsclient --help
	assert_line --index 0 --regexp '^usage: wsclient '
	assert_output --partial "Exit status: 0 clean close"
	[ -z "$stderr" ] || fail "stderr: $stderr"
}

@test "wsclient --version prints its version and exits 0" {
	run --separate-stderr -0 wsclient --version
	assert_output --regexp '^wsclient [0-9]+\.[0-9]+\.[0-9]+$'
	[ -z "$stderr" ] || fail "stderr: $stderr"
}
