#!/usr/bin/env bats
# SPDX-License-Identifier: ISC
#
# --max-per-source N on the Accept=no listener: the N+1th connection at
# once from one address gets 503 with Retry-After and one log line, a
# connection from another address is served, and a place comes back
# when a connection ends. Behind --proxy-protocol the count is by the
# header's client (IPv6 per /64), and a slow header stalls nobody.

load helpers

# start_listen ARGS...: a listener whose held connections do not keep
# the teardown waiting.
start_listen() {
	PORT=$(free_port)
	spawn "$WSINETD" --listen "127.0.0.1:$PORT" --drain-timeout 0.2 "$@"
	wait_port "$PORT" "$SERVER_PID"
}

relay() {
	run "$PYTHON" "$TOOLS/proxyclient.py" "$PORT" "$@"
}

# hold NAME ARGS...: a hello connection (proxyclient ARGS) kept open
# until the test kills it; returns once it has the welcome.
hold() {
	local name=$1 i
	shift
	"$PYTHON" "$TOOLS/proxyclient.py" "$PORT" --messages 2 --timeout 20 \
		"$@" >"$BATS_TEST_TMPDIR/$name.out" 2>&1 3>&- &
	SERVER_PIDS+=($!)
	HELD_PID=$!
	for ((i = 0; i < 100; i++)); do
		grep -q Welcome "$BATS_TEST_TMPDIR/$name.out" && return 0
		sleep 0.05
	done
	fail "$name got no welcome: $(cat "$BATS_TEST_TMPDIR/$name.out")"
}

# wait_served N: polls until N connections have their summary line.
wait_summaries() {
	local i
	for ((i = 0; i < 100; i++)); do
		[ "$(grep -c ' closed\| connection closed' "$LOG")" -ge "$1" ] &&
			return 0
		sleep 0.05
	done
	fail "want $1 summaries: $(cat "$LOG")"
}

assert_busy() {
	assert_failure
	assert_line "HTTP/1.1 503 Service Unavailable"
	assert_line "Retry-After: 1"
}

@test "past --max-per-source from one address: 503, Retry-After, one line" {
	start_listen --max-per-source 2
	hold a
	hold b
	relay --messages 1
	assert_busy
	wait_line "$LOG" '^<4>127\.0\.0\.1:[0-9]+ refused: 503, 2 connections from this address already$'
	# Another address is counted apart.
	relay --bind 127.0.0.2 --messages 1
	assert_success
	assert_line "text: Welcome to the WebSocket server!"
	# One held connection ends: its place comes back.
	kill "$HELD_PID"
	wait_summaries 2
	relay --messages 1
	assert_success
}

@test "without --max-per-source one address may hold many" {
	start_listen
	hold a
	hold b
	relay --messages 1
	assert_success
	refute_log 'refused'
}

@test "behind --proxy-protocol the header's client is counted" {
	start_listen --proxy-protocol 127.0.0.1 --max-per-source 1
	hold a --v1 "TCP4 192.0.2.7 127.0.0.1 1000 80"
	relay --v1 "TCP4 192.0.2.7 127.0.0.1 1001 80" --messages 1
	assert_busy
	wait_line "$LOG" '^<4>192\.0\.2\.7:1001 refused: 503, over 1 connections from this address$'
	# The balancer's own address is no client: another one is served.
	relay --v1 "TCP4 192.0.2.8 127.0.0.1 1002 80" --messages 1
	assert_success
}

@test "IPv6 clients are counted per /64" {
	start_listen --proxy-protocol 127.0.0.1 --max-per-source 1
	hold a --v2 "[2001:db8::1]:1000" "[::1]:80"
	relay --v2 "[2001:db8::ffff:2]:1001" "[::1]:80" --messages 1
	assert_busy
	wait_line "$LOG" '^<4>\[2001:db8::ffff:2\]:1001 refused: 503, over 1 connections from its /64$'
	relay --v2 "[2001:db8:0:1::1]:1002" "[::1]:80" --messages 1
	assert_success
}

@test "a client stalled in its PROXY header holds up no other" {
	start_listen --proxy-protocol 127.0.0.1 --max-per-source 4 \
		--handshake-timeout 5
	"$PYTHON" "$TOOLS/proxyclient.py" "$PORT" --no-request --timeout 8 \
		--raw "$(printf 'PROXY TCP4 ' | od -An -tx1 | tr -d ' \n')" \
		>/dev/null 2>&1 3>&- &
	SERVER_PIDS+=($!)
	local t0 t1
	t0=$(now_ms)
	relay --v1 "TCP4 192.0.2.7 127.0.0.1 1000 80" --messages 1
	t1=$(now_ms)
	assert_success
	((t1 - t0 < 2000)) || fail "served after $((t1 - t0)) ms"
}

@test "--max-per-source without a listening socket says where it counts" {
	start_inetd_mode --max-per-source 1
	run wsclient "ws://127.0.0.1:$PORT/"
	assert_success
	wait_line "$LOG" "max-per-source counts for a listening socket only"
}
