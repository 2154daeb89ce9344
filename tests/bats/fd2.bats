#!/usr/bin/env bats
# SPDX-License-Identifier: ISC
#
# Under inetd, xinetd and systemd's StandardInput=socket, fd 2 is the
# client connection too. wsinetd must notice and keep its log lines off
# the wire: the client sees WebSocket bytes only. The controls prove the
# setups really put fd 2 on the connection, by showing text written to
# fd 2 (a marker written before wsinetd starts) arriving at the client. The timeout tests are the ones
# that tell: against a wsinetd built with the detection disabled they
# fail, as the summary line then arrives after the close frame.

load helpers

# wsinetd on fd 0/1 with fd 2 dup'd from fd 1, as inetd runs it.
start_fd2_inetd() {
	activate 127.0.0.1 --inetd sh -c 'exec "$0" "$@" 2>&1' "$WSINETD" "$@"
}

# wsinetd with its connection as LISTEN_FDS fd 3 and fd 2 dup'd from it.
start_fd2_listenfds() {
	activate 127.0.0.1 sh -c 'exec "$0" "$@" 2>&3' "$WSINETD" "$@"
}

# The first wrapper, writing a marker to fd 2 before wsinetd starts.
start_fd2_marker() {
	activate 127.0.0.1 --inetd \
		sh -c 'exec 2>&1; echo fd2-marker >&2; exec "$0" "$@"' "$WSINETD" "$@"
}

BAD_REQUEST_ANSWER=$(printf 'HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain\r\nContent-Length: 23\r\nConnection: close\r\n\r\nmalformed request line\neof')

# Lines logged while the connection is still open are the ones that would
# reach the client: a timeout ends wsinetd before it shuts the socket
# down. (After a close or a failure wsinetd has already shut down its
# side, so those summaries could not reach the client anyway.)
@test "with fd 2 on the connection an idle-timeout summary stays off the wire" {
	start_fd2_inetd --idle-timeout 1 --close-timeout 1
	run -0 wsraw --upgrade
	# An undetected log line shows up here as a bogus frame or a
	# "partial frame" after the close.
	assert_output "text: Welcome to the WebSocket server!
close: 1001 idle timeout
eof"
	assert_exits 6
	refute_log '^<'
}

@test "with fd 2 on the connection a handshake-timeout summary stays off the wire" {
	start_fd2_inetd --handshake-timeout 1
	run -0 wsraw --trickle 0.3 --raw 'GET / HTTP/1.1\r\nHost: x\r\n\r\n'
	# wsinetd ends after 1 s without a word; an undetected log line would
	# arrive before the end.
	assert_line --index 0 --regexp '^send failed: (BrokenPipeError|ConnectionResetError)$'
	assert_line --index 1 --regexp '^(eof|reset)$'
	[ "${#lines[@]}" -eq 2 ] || fail "output: $output"
	assert_exits 6
	refute_log '^<'
}

@test "with fd 2 on the connection a 1007 failure sends only WebSocket frames" {
	start_fd2_inetd
	run -0 wsraw --upgrade --frame 'text:\xff'
	# No log text among the frames: it would show up as a bogus frame,
	# a "partial frame" or stray bytes before the close.
	assert_output "text: Welcome to the WebSocket server!
close: 1007 invalid UTF-8 in text
eof"
	assert_exits 5
	# and the log line did not go to the launcher's stderr either
	refute_log '^<'
}

@test "with fd 2 on the connection the hello exchange and its summary stay off the wire" {
	start_fd2_inetd
	run --separate-stderr -0 wsclient "ws://127.0.0.1:$PORT/"
	assert_output "Welcome to the WebSocket server!
You said: Hello, WebSocket server!"
	[ -z "$stderr" ] || fail "wsclient stderr: $stderr"
	assert_exits 0
	refute_log '^<'
}

@test "with fd 2 on the connection a normal close ends with the close frame and eof" {
	start_fd2_inetd --echo
	run -0 wsraw --upgrade --frame text:hi --frame close:1000
	assert_output "text: hi
close: 1000
eof"
	assert_exits 0
}

@test "with fd 2 on the connection a refused handshake gets the bare HTTP answer" {
	start_fd2_inetd
	run -0 wsraw --raw 'x\r\n\r\n'
	assert_output "$BAD_REQUEST_ANSWER"
	assert_exits 4
}

@test "with fd 2 dup'd from the LISTEN_FDS socket the stream stays clean too" {
	start_fd2_listenfds --idle-timeout 1 --close-timeout 1
	run -0 wsraw --upgrade
	assert_output "text: Welcome to the WebSocket server!
close: 1001 idle timeout
eof"
	assert_exits 6
	refute_log '^<'
}

@test "under socat EXEC with the stderr option the stream stays clean" {
	socat_exec nofork,stderr --idle-timeout 1 --close-timeout 1
	run -0 wsraw --upgrade
	assert_output "text: Welcome to the WebSocket server!
close: 1001 idle timeout
eof"
	assert_exits 6
	refute_log '^<'
}

@test "control: the wrapper's fd 2 is the connection, so a marker written there reaches the client" {
	start_fd2_marker
	run -0 wsraw --raw 'x\r\n\r\n'
	assert_output "fd2-marker
$BAD_REQUEST_ANSWER"
	assert_exits 4
}

@test "a usage error under the wrapper goes to the log, not to the client" {
	# Option errors come before wsinetd knows its connection: judged by
	# fds 0 and 1, they must not reach the client as text either.
	start_fd2_inetd --bogus
	run -0 wsraw
	assert_output "eof"
	assert_exits 2
}

@test "a usage error under socat's stderr option goes to the log, not to the client" {
	socat_exec nofork,stderr --bogus
	run -0 wsraw
	assert_output "eof"
	assert_exits 2
}

@test "control: without fd 2 on the connection the usage error goes to stderr" {
	start_inetd_mode --bogus
	run -0 wsraw
	assert_output "eof"
	assert_exits 2
	assert_log "wsinetd: unknown option or missing value: --bogus"
}
