#!/usr/bin/env bats
# SPDX-License-Identifier: ISC
#
# --trust-forwarded: behind an HTTP proxy at 127.0.0.1, the client is the
# hop its X-Forwarded-For (or, with --forwarded-header forwarded, its
# Forwarded) names, walked from the right past trusted proxies; a
# stranger at 127.0.0.2 sending the same header is not believed.

load helpers

start_listen() {
	PORT=$(free_port)
	spawn "$WSINETD" --listen "127.0.0.1:$PORT" "$@" -- env
	wait_port "$PORT" "$SERVER_PID"
}

relay() {
	run "$PYTHON" "$TOOLS/proxyclient.py" "$PORT" "$@"
}

assert_var() {
	assert_line "text: $1=$2"
}

@test "X-Forwarded-For from a trusted proxy names the client" {
	start_listen --trust-forwarded 127.0.0.1,10.0.0.0/8
	# The client claimed 1.1.1.1; the proxies added 192.0.2.7, 10.1.1.1.
	relay --header "X-Forwarded-For: 1.1.1.1, 192.0.2.7" \
		--header "X-Forwarded-For: 10.1.1.1"
	assert_success
	assert_var REMOTE_ADDR 192.0.2.7
	assert_var REMOTE_PORT 0
	wait_line "$LOG" '^<6>192\.0\.2\.7:0 closed'
}

@test "X-Forwarded-For from a stranger is not believed" {
	start_listen --trust-forwarded 127.0.0.1
	relay --bind 127.0.0.2 --header "X-Forwarded-For: 192.0.2.7"
	assert_success
	assert_var REMOTE_ADDR 127.0.0.2
	refute_log '192\.0\.2\.7'
}

@test "Forwarded with a quoted IPv6 and port, when that is the header" {
	start_listen --trust-forwarded 127.0.0.1 --forwarded-header forwarded
	relay --header 'Forwarded: for="[2001:db8:cafe::17]:4711";proto=http' \
		--header "X-Forwarded-For: 198.51.100.1"
	assert_success
	assert_var REMOTE_ADDR 2001:db8:cafe::17
	assert_var REMOTE_PORT 4711
}

@test "only the header --forwarded-header names is read" {
	start_listen --trust-forwarded 127.0.0.1
	relay --header 'Forwarded: for=198.51.100.1'
	assert_success
	assert_var REMOTE_ADDR 127.0.0.1
}

@test "a last hop that is not an address: ignored with one log line" {
	start_listen --trust-forwarded 127.0.0.1
	relay --header "X-Forwarded-For: 192.0.2.7, 192.0.2.300"
	assert_success
	assert_var REMOTE_ADDR 127.0.0.1
	wait_line "$LOG" '^<4>127\.0\.0\.1:[0-9]+: X-Forwarded-For ignored: its last element is not an address$'
	start_listen --trust-forwarded 127.0.0.1 --forwarded-header forwarded
	relay --header 'Forwarded: for="192.0.2.7'
	assert_var REMOTE_ADDR 127.0.0.1
	wait_line "$LOG" 'Forwarded ignored: malformed Forwarded$'
}

@test "behind a PROXY balancer, the proxy trusted is the header's source" {
	start_listen --proxy-protocol 127.0.0.1 --trust-forwarded 10.0.0.5
	relay --v1 "TCP4 10.0.0.5 127.0.0.1 1000 80" \
		--header "X-Forwarded-For: 192.0.2.8"
	assert_var REMOTE_ADDR 192.0.2.8
	relay --v1 "TCP4 10.0.0.6 127.0.0.1 1000 80" \
		--header "X-Forwarded-For: 192.0.2.8"
	assert_var REMOTE_ADDR 10.0.0.6
}

@test "bad --trust-forwarded and --forwarded-header values are usage errors" {
	run --separate-stderr -2 "$WSINETD" --trust-forwarded 10.0.0.1/8 </dev/null
	[[ $stderr == *"invalid --trust-forwarded: 10.0.0.1/8 "* ]] ||
		fail "stderr: $stderr"
	run --separate-stderr -2 "$WSINETD" --forwarded-header via </dev/null
	[[ $stderr == *"invalid --forwarded-header: via (x-forwarded-for or forwarded)"* ]] ||
		fail "stderr: $stderr"
}
