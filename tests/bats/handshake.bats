#!/usr/bin/env bats
# SPDX-License-Identifier: ISC
#
# The opening handshake as wsinetd judges it: refusals seen by wsclient
# (exit 4 and the status line), the exact HTTP answers seen by a raw
# client, and wsinetd's log line and exit code 4 for each. Browsers'
# "Connection: keep-alive, Upgrade" is the accepted control.

load helpers

KEY='dGhlIHNhbXBsZSBub25jZQ=='   # RFC 6455 section 1.3's sample key
ACCEPT='s3pPLMBiTxaQ9kYGzzhZRbK+xOo='

# request METHOD HEADER-LINES: a request for wsraw --raw (its escapes).
request() {
	printf '%s / HTTP/1.1\\r\\n%s\\r\\n' "$1" "$2"
}

# Every header a valid upgrade needs, minus or plus what a test changes.
HOST='Host: localhost\r\n'
UPGRADE='Upgrade: websocket\r\nConnection: Upgrade\r\n'
KEYLINE="Sec-WebSocket-Key: $KEY\\r\\n"
V13='Sec-WebSocket-Version: 13\r\n'

# What wsinetd answers when it refuses: status, reason as the body.
refusal() {
	local status=$1 text=$2 reason=$3 extra=${4:-}
	printf 'HTTP/1.1 %s %s\r\nContent-Type: text/plain\r\nContent-Length: %d\r\nConnection: close\r\n%s\r\n%s\neof' \
		"$status" "$text" $((${#reason} + 1)) "$extra" "$reason"
}

@test "wsclient offering WebSocket version 8 is refused with 426 and exits 4" {
	start_inetd_mode
	run --separate-stderr -4 wsclient -H 'Sec-WebSocket-Version: 8' "ws://127.0.0.1:$PORT/"
	assert_output ""
	[ "$stderr" = "wsclient: handshake refused: HTTP/1.1 426 Upgrade Required" ] ||
		fail "stderr: $stderr"
	assert_exits 4
	assert_log '^<5>127\.0\.0\.1:[0-9]+ refused: 426 unsupported WebSocket version, '
}

@test "wsclient sending a malformed Sec-WebSocket-Key is refused with 400 and exits 4" {
	start_inetd_mode
	run --separate-stderr -4 wsclient -H 'Sec-WebSocket-Key: short' "ws://127.0.0.1:$PORT/"
	assert_output ""
	[ "$stderr" = "wsclient: handshake refused: HTTP/1.1 400 Bad Request" ] ||
		fail "stderr: $stderr"
	assert_exits 4
	assert_log '^<5>127\.0\.0\.1:[0-9]+ refused: 400 invalid Sec-WebSocket-Key, '
}

@test "wsclient sending a header over 8 KiB is refused with 431 and exits 4" {
	local big
	big=$(printf '%9000s' '' | tr ' ' x)
	start_inetd_mode
	run --separate-stderr -4 wsclient -H "X-Big: $big" "ws://127.0.0.1:$PORT/"
	assert_output ""
	[ "$stderr" = "wsclient: handshake refused: HTTP/1.1 431 Request Header Fields Too Large" ] ||
		fail "stderr: $stderr"
	assert_exits 4
	assert_log '^<5>127\.0\.0\.1:[0-9]+ refused: 431 header block too large, '
}

@test "a header just under 8 KiB is accepted: the 431 limit is not lower than documented" {
	local big
	big=$(printf '%7000s' '' | tr ' ' x)
	start_inetd_mode
	run --separate-stderr -0 wsclient -H "X-Big: $big" "ws://127.0.0.1:$PORT/"
	assert_output "Welcome to the WebSocket server!
You said: Hello, WebSocket server!"
	assert_exits 0
}

@test "the 426 answer is exact and names version 13" {
	start_inetd_mode
	run -0 wsraw --raw "$(request GET "$HOST$UPGRADE$KEYLINE"'Sec-WebSocket-Version: 8\r\n')"
	assert_output "$(refusal 426 'Upgrade Required' 'unsupported WebSocket version' \
		$'Sec-WebSocket-Version: 13\r\n')"
	assert_exits 4
	assert_log 'refused: 426 unsupported WebSocket version, '
}

@test "a request without Sec-WebSocket-Version gets the same 426" {
	start_inetd_mode
	run -0 wsraw --raw "$(request GET "$HOST$UPGRADE$KEYLINE")"
	assert_output "$(refusal 426 'Upgrade Required' 'unsupported WebSocket version' \
		$'Sec-WebSocket-Version: 13\r\n')"
	assert_exits 4
}

@test "a malformed key gets 400 with the reason as the body" {
	start_inetd_mode
	run -0 wsraw --raw "$(request GET "$HOST$UPGRADE"'Sec-WebSocket-Key: short\r\n'"$V13")"
	assert_output "$(refusal 400 'Bad Request' 'invalid Sec-WebSocket-Key')"
	assert_exits 4
	assert_log 'refused: 400 invalid Sec-WebSocket-Key, '
}

@test "a POST upgrade gets 400 method must be GET" {
	start_inetd_mode
	run -0 wsraw --raw "$(request POST "$HOST$UPGRADE$KEYLINE$V13")"
	assert_output "$(refusal 400 'Bad Request' 'method must be GET')"
	assert_exits 4
	assert_log '^<5>127\.0\.0\.1:[0-9]+ refused: 400 method must be GET, '
}

@test "a request without Host gets 400 missing Host header" {
	start_inetd_mode
	run -0 wsraw --raw "$(request GET "$UPGRADE$KEYLINE$V13")"
	assert_output "$(refusal 400 'Bad Request' 'missing Host header')"
	assert_exits 4
	assert_log '^<5>127\.0\.0\.1:[0-9]+ refused: 400 missing Host header, '
}

@test "a request without Connection: Upgrade gets 400" {
	start_inetd_mode
	run -0 wsraw --raw "$(request GET "$HOST"'Upgrade: websocket\r\nConnection: keep-alive\r\n'"$KEYLINE$V13")"
	assert_output "$(refusal 400 'Bad Request' 'Connection header lacks upgrade')"
	assert_exits 4
	assert_log 'refused: 400 Connection header lacks upgrade, '
}

@test "a browser's Connection: keep-alive, Upgrade is accepted with the RFC's accept key" {
	start_inetd_mode --echo
	run -0 wsraw --raw "$(request GET "$HOST"'Upgrade: websocket\r\nConnection: keep-alive, Upgrade\r\n'"$KEYLINE$V13")" \
		--frame close:1000
	# 101, the accept key of the sample key, then our close echoed.
	assert_output "$(printf 'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: %s\r\n\r\n\x88\x02\x03\xe8eof' "$ACCEPT" |
		iconv -f latin1 -t utf-8)"
	assert_exits 0
	refute_log 'refused'
}

@test "a request with a bare LF line end gets 400 and no upgrade" {
	start_inetd_mode
	run -0 wsraw --raw 'GET / HTTP/1.1\nHost: x\r\n\r\n'
	assert_output "$(refusal 400 'Bad Request' 'bare LF in header')"
	assert_exits 4
	assert_log 'refused: 400 bare LF in header, '
}
