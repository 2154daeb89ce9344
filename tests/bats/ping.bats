#!/usr/bin/env bats
# SPDX-License-Identifier: ISC
#
# --ping-interval on both programs: pings go out at about the rate asked
# (counted within generous bounds, never timed), a peer that answers keeps
# the connection, and one that does not, or answers the wrong ping, gets
# close 1011 "keepalive ping timeout", a log line and exit 6.

load helpers

# How many lines of $output match REGEX.
count_lines() {
	grep -Ec -- "$1" <<<"$output" || true
}

@test "wsinetd --ping-interval 0.5 pings a peer that answers, about every half second, and keeps it" {
	local n
	start_inetd_mode --echo --ping-interval 0.5
	run -0 wsraw --upgrade --answer-pings 2.2 --frame text:still-here --frame close:1000
	n=$(count_lines '^ping: keepalive [0-9]+$')
	# 4 are due in 2.2 s; a loaded machine may be late by one or so.
	[ "$n" -ge 2 ] && [ "$n" -le 5 ] || fail "$n pings: $output"
	assert_line --index 0 'ping: keepalive 1'
	assert_line --index 1 'ping: keepalive 2'
	assert_line 'text: still-here'
	assert_line 'close: 1000'
	assert_exits 0
	refute_log 'no pong'
}

@test "without --ping-interval wsinetd sends no ping (control of the above)" {
	start_inetd_mode --echo
	run -0 wsraw --upgrade --answer-pings 1.2 --frame close:1000
	assert_output "close: 1000
eof"
	assert_exits 0
}

@test "a peer that never answers the ping gets close 1011 keepalive ping timeout and wsinetd exits 6" {
	start_inetd_mode --echo --ping-interval 0.5 --close-timeout 1
	run -0 wsraw --upgrade
	assert_output "op9: keepalive 1
close: 1011 keepalive ping timeout
eof"
	assert_exits 6
	assert_log '^<4>127\.0\.0\.1:[0-9]+ no pong within 500 ms, '
}

@test "a pong that does not answer our ping does not count" {
	start_inetd_mode --echo --ping-interval 0.5 --close-timeout 1
	run -0 wsraw --upgrade --sleep 0.7 --frame pong:keepalive-1 --frame pong:
	assert_output "op9: keepalive 1
close: 1011 keepalive ping timeout
eof"
	assert_exits 6
	assert_log 'no pong within 500 ms, '
}

@test "wsclient --ping-interval against a server that never pongs sends 1011 and exits 6" {
	start_wsfake --timeout 5
	run --separate-stderr -6 wsclient -n 0 --ping-interval 0.5 --close-timeout 1 \
		"ws://127.0.0.1:$PORT/"
	[ "$stderr" = "wsclient: no pong within 500 ms" ] || fail "stderr: $stderr"
	wait_server_exit
	grep -qx 'recv op9: keepalive 1' "$LOG" || fail "$(cat "$LOG")"
	grep -qx 'recv close: 1011 keepalive ping timeout' "$LOG" || fail "$(cat "$LOG")"
}

@test "wsclient and wsinetd both pinging keep a slow conversation open and end cleanly" {
	start_inetd_mode --echo --ping-interval 0.3
	run --separate-stderr -0 bash -c '(sleep 1.5; echo late) |
		"$0" --stdin --ping-interval 0.3 "$1"' "$WSCLIENT" "ws://127.0.0.1:$PORT/"
	assert_output "late"
	[ -z "$stderr" ] || fail "stderr: $stderr"
	assert_exits 0
	refute_log 'no pong'
}

@test "wsinetd rejects a negative --ping-interval" {
	run --separate-stderr -2 "$WSINETD" --ping-interval -1 </dev/null
	[[ $stderr == 'wsinetd: invalid --ping-interval: -1'$'\n'* ]] ||
		fail "stderr: $stderr"
}

@test "wsclient rejects a non-numeric --ping-interval" {
	run --separate-stderr -2 "$WSCLIENT" --ping-interval soon ws://127.0.0.1:1/
	[[ $stderr == 'wsclient: invalid --ping-interval: soon'* ]] ||
		fail "stderr: $stderr"
}
