#!/usr/bin/env bats
# SPDX-License-Identifier: ISC
#
# Interop with websocketd (Debian's websocketd): wsclient against
# websocketd running the hello exchange as a line program
# (tests/interop/hello.sh), and what wsclient reports when websocketd
# answers its close at once.

load helpers
load interop

requires_peers() {
	require_peer websocketd
}

# start_websocketd PROGRAM: websocketd on 127.0.0.1:$PEER_PORT.
start_websocketd() {
	PEER_PORT=$(free_port)
	start_peer websocketd websocketd --address=127.0.0.1 \
		--port="$PEER_PORT" "$@"
}

@test "wsclient prints the same two lines against websocketd running a hello script as against wsinetd" {
	hello_reference
	start_websocketd "$INTEROP/hello.sh"
	run --separate-stderr -0 wsclient "ws://127.0.0.1:$PEER_PORT/"
	assert_same_as_reference
	wait_peer_log '\| DISCONNECT$'
}

@test "wsclient sends stdin lines to websocketd's program and prints each answer" {
	start_websocketd "$INTEROP/hello.sh"
	run --separate-stderr -0 wsclient -n 3 --stdin \
		"ws://127.0.0.1:$PEER_PORT/" <<-EOF
		one
		two
	EOF
	assert_output "Welcome to the WebSocket server!
You said: one
You said: two"
}

@test "control: wsclient exits 8 when websocketd's program ends, as websocketd then drops the connection without a close frame" {
	start_websocketd /bin/true
	run --separate-stderr -8 wsclient "ws://127.0.0.1:$PEER_PORT/"
	assert_output ""
	[ "$stderr" = "wsclient: connection closed without a close frame" ] ||
		fail "wsclient stderr: $stderr"
}

@test "wsclient exits 0 and prints nothing when websocketd answers its close before the program's late answer" {
	# websocketd echoes the close frame at once: what its program writes
	# at EOF is never sent, so wsclient has nothing to print.
	start_websocketd /bin/sh -c 'cat >/dev/null; echo late'
	run --separate-stderr -0 wsclient --stdin "ws://127.0.0.1:$PEER_PORT/" \
		<<<"a"
	assert_output ""
	[ -z "$stderr" ] || fail "wsclient stderr: $stderr"
	wait_peer_log '\| DISCONNECT$'
}

@test "against websocketd a line program's answers are a race with its close: wsclient prints some of them and exits 0" {
	local try out
	start_websocketd /bin/sh -c 'while read l; do echo "got $l"; done'
	# Not run: Bats' own loops would reuse the counter.
	for ((try = 0; try < 10; try++)); do
		out=$(printf 'a\nb\n' | "$WSCLIENT" --stdin \
			"ws://127.0.0.1:$PEER_PORT/" 2>"$BATS_TEST_TMPDIR/err") ||
			fail "run $try: exit $?: $(cat "$BATS_TEST_TMPDIR/err")"
		case $out in
		"" | "got a" | $'got a\ngot b') ;;
		*) fail "run $try printed: $out" ;;
		esac
		[ ! -s "$BATS_TEST_TMPDIR/err" ] ||
			fail "run $try stderr: $(cat "$BATS_TEST_TMPDIR/err")"
	done
}
