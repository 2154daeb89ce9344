#!/usr/bin/env bats
# SPDX-License-Identifier: ISC
#
# --proxy-protocol: a PROXY header (v1, v2) from a trusted source names
# the client in REMOTE_ADDR/REMOTE_PORT and the summary line; from
# anyone else it is refused, and their plain requests are served as
# theirs. 127.0.0.1 is the balancer, 127.0.0.2 a stranger (the client
# socket is bound to it). Malformed, truncated, stalled: one log line,
# never a hang. Over TLS the header precedes the ClientHello.

load helpers

setup_file() {
	command -v openssl >/dev/null || return 1
	cd "$BATS_FILE_TMPDIR" || return 1
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
		-keyout key.pem -out cert.pem -days 2 -subj /CN=localhost \
		2>/dev/null
}

# start_listen ARGS...: wsinetd --listen 127.0.0.1:$PORT, trusting the
# balancer at 127.0.0.1 alone.
start_listen() {
	PORT=$(free_port)
	spawn "$WSINETD" --listen "127.0.0.1:$PORT" \
		--proxy-protocol 127.0.0.1/32 "$@"
	wait_port "$PORT" "$SERVER_PID"
}

# relay ARGS...: proxyclient.py on $PORT; its lines in $output.
relay() {
	run "$PYTHON" "$TOOLS/proxyclient.py" "$PORT" "$@"
}

# assert_var NAME VALUE: the bridged env printed NAME=VALUE.
assert_var() {
	assert_line "text: $1=$2"
}

@test "a v1 TCP4 header from the trusted balancer names the client" {
	start_listen -- env
	relay --v1 "TCP4 192.0.2.7 127.0.0.1 56324 443"
	assert_success
	assert_var REMOTE_ADDR 192.0.2.7
	assert_var REMOTE_PORT 56324
	assert_line "close: 1000"
	wait_line "$LOG" '^<6>192\.0\.2\.7:56324 closed'
}

@test "a v2 TCP6 header with a TLV, in 3-byte pieces, names the client" {
	start_listen -- env
	relay --v2 "[2001:db8::7]:4711" "[::1]:443" --split 3 --pause 0.01
	assert_success
	assert_var REMOTE_ADDR 2001:db8::7
	assert_var REMOTE_PORT 4711
	wait_line "$LOG" '^<6>\[2001:db8::7\]:4711 closed'
}

@test "v1 TCP6 addresses are shown canonically, a mapped IPv4 as IPv4" {
	start_listen -- env
	relay --v1 "TCP6 2001:0db8:0:0:0:0:0:0007 ::1 1 2"
	assert_var REMOTE_ADDR 2001:db8::7
	relay --v1 "TCP6 ::ffff:192.0.2.9 ::1 1 2"
	assert_var REMOTE_ADDR 192.0.2.9
}

@test "LOCAL (a health check) and UNKNOWN keep the balancer's address" {
	start_listen -- env
	relay --v2-local
	assert_success
	assert_var REMOTE_ADDR 127.0.0.1
	relay --v1 UNKNOWN
	assert_success
	assert_var REMOTE_ADDR 127.0.0.1
}

@test "a stranger's plain request is served under its own address" {
	start_listen -- env
	relay --bind 127.0.0.2
	assert_success
	assert_var REMOTE_ADDR 127.0.0.2
}

@test "a stranger's PROXY header is refused with one log line" {
	start_listen -- env
	relay --bind 127.0.0.2 --v1 "TCP4 192.0.2.7 127.0.0.1 56324 443"
	assert_failure
	refute_line --partial "REMOTE_ADDR"
	wait_line "$LOG" '^<4>127\.0\.0\.2:[0-9]+ refused: a PROXY header from a source not in --proxy-protocol$'
	relay --bind 127.0.0.2 --v2 192.0.2.7:1 127.0.0.1:2
	assert_failure
	[ "$(grep -c 'not in --proxy-protocol' "$LOG")" -eq 2 ] ||
		fail "want two refusals: $(cat "$LOG")"
	refute_log '192\.0\.2\.7'
}

@test "the trusted balancer must send the header" {
	start_listen -- env
	relay
	assert_failure
	wait_line "$LOG" '^<4>127\.0\.0\.1:[0-9]+ refused: no PROXY header$'
}

@test "malformed headers are refused, each with its reason" {
	start_listen -- env
	relay --v1 "TCP4 192.0.2.7 127.0.0.1 65536 443"
	assert_failure
	wait_line "$LOG" 'refused: PROXY v1: bad port$'
	relay --v1 "TCP4 192.0.2.07 127.0.0.1 1 2"
	wait_line "$LOG" 'refused: PROXY v1: bad address$'
	# v2, UNIX stream: 216 bytes of addresses.
	relay --raw "0d0a0d0a000d0a515549540a2131$(printf '00d8%0432d' 0)"
	wait_line "$LOG" 'refused: PROXY v2: UNIX family not supported$'
	relay --raw "0d0a0d0a000d0a515549540a2112000c$(printf '%024d' 0)"
	wait_line "$LOG" 'refused: PROXY v2: UDP not supported$'
	relay --v1 "UNKNOWN $(printf 'x%.0s' {1..100})"
	wait_line "$LOG" 'refused: PROXY v1: line longer than 107 bytes$'
	refute_log 'closed'
}

@test "a header that stalls is ended by the handshake timeout" {
	start_listen --handshake-timeout 1 -- env
	local t0 t1
	t0=$(now_ms)
	# Half a v1 line, then nothing: the client waits 5 s at most.
	relay --raw "$(printf 'PROXY TCP4 192.0.2.7' | od -An -tx1 | tr -d ' \n')" \
		--no-request
	t1=$(now_ms)
	assert_output eof
	((t1 - t0 >= 900 && t1 - t0 < 4000)) ||
		fail "ended after $((t1 - t0)) ms, not about 1 s"
	wait_line "$LOG" '^<4>127\.0\.0\.1:[0-9]+ refused: handshake timeout before the PROXY header was whole$'
}

@test "the header is cut from the request exactly: split at the CRLF" {
	start_listen -- env
	# Pieces of 13 bytes put the header's end inside a piece.
	relay --v1 "TCP4 192.0.2.7 127.0.0.1 5 6" --split 13 --pause 0.01
	assert_success
	assert_var REMOTE_ADDR 192.0.2.7
}

@test "over TLS the v2 header comes before the ClientHello" {
	start_listen --tls-cert "$BATS_FILE_TMPDIR/cert.pem" \
		--tls-key "$BATS_FILE_TMPDIR/key.pem"
	relay --tls --v2 192.0.2.9:1000 127.0.0.1:443 --messages 1
	assert_success
	assert_line "text: Welcome to the WebSocket server!"
	wait_line "$LOG" '^<6>192\.0\.2\.9:1000 closed by the peer .*TLSv1\.3'
	# Without the header the TLS bytes are not one: refused, never served.
	relay --tls --messages 1
	assert_failure
	wait_line "$LOG" '^<4>127\.0\.0\.1:[0-9]+ refused: no PROXY header$'
}

@test "the jailed listener and its children read the header" {
	start_listen
	relay --v1 "TCP4 192.0.2.7 127.0.0.1 56324 443" --messages 1
	assert_success
	assert_line "text: Welcome to the WebSocket server!"
	grep -q '^Seccomp:[[:space:]]*2' "/proc/$SERVER_PID/status" ||
		fail "the listener is not under seccomp"
	wait_line "$LOG" '^<6>192\.0\.2\.7:56324 closed by the peer'
}

@test "Accept=yes and inetd connections read the header too" {
	PORT=$(free_port)
	spawn systemd-socket-activate --accept -l "127.0.0.1:$PORT" \
		"$WSINETD" --proxy-protocol 127.0.0.1 -- env
	wait_port "$PORT" "$SERVER_PID"
	relay --v1 "TCP4 192.0.2.7 127.0.0.1 56324 443"
	assert_var REMOTE_ADDR 192.0.2.7
	kill "$SERVER_PID"
	start_inetd_mode --proxy-protocol 127.0.0.1 -- env
	relay --v2 "[2001:db8::5]:80" "[::1]:81"
	assert_var REMOTE_ADDR 2001:db8::5
}

@test "a bad --proxy-protocol list is a usage error" {
	run --separate-stderr -2 "$WSINETD" --proxy-protocol 10.0.0.1/8 </dev/null
	[[ $stderr == *"invalid --proxy-protocol: 10.0.0.1/8 "* ]] ||
		fail "stderr: $stderr"
	run --separate-stderr -2 "$WSINETD" --proxy-protocol lb.example </dev/null
	[[ $stderr == *"invalid --proxy-protocol: lb.example "* ]] ||
		fail "stderr: $stderr"
}

@test "exit statuses: a refused header 4, a stalled one 6, a cut one 8" {
	start_inetd_mode --proxy-protocol 127.0.0.1 --handshake-timeout 1 \
		-- env
	relay --v1 "TCP4 192.0.2.7 127.0.0.1 65536 443"
	relay --raw "$(printf 'PROXY TCP4 ' | od -An -tx1 | tr -d ' \n')" \
		--no-request
	relay --raw "$(printf 'PROXY TCP4 ' | od -An -tx1 | tr -d ' \n')" \
		--no-request --timeout 0.2
	assert_exits 4 6 8
}
