#!/usr/bin/env bats
# SPDX-License-Identifier: ISC
#
# wsinetd's upgrade policy on real connections: which origins pass (the
# same-origin default, --origin lists, "*"), subprotocol negotiation,
# extra headers in the 101, the frame limit, and the log level.

load helpers

KEY=dGhlIHNhbXBsZSBub25jZQ==
ACCEPT=s3pPLMBiTxaQ9kYGzzhZRbK+xOo=

# An upgrade request to $PORT with extra header lines (each ending \r\n,
# as wsraw --raw escapes), followed by a masked close frame so that the
# server ends the connection at once after its 101.
upgrade_then_close() {
	wsraw --raw "GET / HTTP/1.1\r\nHost: 127.0.0.1:$PORT\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: $KEY\r\nSec-WebSocket-Version: 13\r\n$1\r\n" \
		--frame close:1000
}

# ---- origins ----

@test "by default a browser page from another site gets 403 and the log names its origin" {
	start_inetd_mode
	run --separate-stderr -4 wsclient --origin http://evil.example \
		"ws://127.0.0.1:$PORT/"
	assert_output ""
	[ "$stderr" = "wsclient: handshake refused: HTTP/1.1 403 Forbidden" ] ||
		fail "stderr: $stderr"
	assert_exits 4
	assert_log '<5>127\.0\.0\.1:[0-9]+ refused: 403 origin not allowed: "http://evil\.example", '
}

@test "by default a page from the server's own host and port is accepted (control)" {
	start_inetd_mode
	run --separate-stderr -0 wsclient --origin "http://127.0.0.1:$PORT" \
		"ws://127.0.0.1:$PORT/"
	assert_output "Welcome to the WebSocket server!
You said: Hello, WebSocket server!"
	assert_exits 0
}

@test "a request without Origin (not a browser) passes the default policy" {
	start_inetd_mode
	run --separate-stderr -0 wsclient "ws://127.0.0.1:$PORT/"
	assert_exits 0
	refute_log 'origin'
}

@test "the 403 answer says why in its body" {
	start_inetd_mode
	run -0 wsraw --raw "GET / HTTP/1.1\r\nHost: 127.0.0.1:$PORT\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: $KEY\r\nSec-WebSocket-Version: 13\r\nOrigin: https://evil.example\r\n\r\n"
	assert_output "$(printf 'HTTP/1.1 403 Forbidden\r\nContent-Type: text/plain\r\nContent-Length: 19\r\nConnection: close\r\n\r\norigin not allowed\neof')"
	assert_exits 4
}

@test "an origin with odd bytes is escaped in the log line" {
	start_inetd_mode
	run -4 wsclient -H 'Origin: http://a"b\c' "ws://127.0.0.1:$PORT/"
	assert_exits 4
	assert_log 'origin not allowed: "http://a\\x22b\\x5cc"'
}

@test "--origin accepts a listed origin, whatever its case and default port" {
	start_inetd_mode --origin 'https://app.example, http://other.example:8080'
	run -0 wsclient --origin HTTPS://App.Example:443 "ws://127.0.0.1:$PORT/"
	assert_exits 0
}

@test "--origin refuses one not listed, even from the server's own host" {
	start_inetd_mode --origin https://app.example
	run -4 wsclient --origin "http://127.0.0.1:$PORT" "ws://127.0.0.1:$PORT/"
	run -4 wsclient --origin https://app.example:8443 "ws://127.0.0.1:$PORT/"
	assert_exits 4 4
	assert_log 'origin not allowed: "https://app\.example:8443"'
}

@test "--origin with --same-origin accepts both" {
	start_inetd_mode --origin https://app.example --same-origin
	run -0 wsclient --origin "http://127.0.0.1:$PORT" "ws://127.0.0.1:$PORT/"
	run -0 wsclient --origin https://app.example "ws://127.0.0.1:$PORT/"
	run -4 wsclient --origin https://evil.example "ws://127.0.0.1:$PORT/"
	assert_exits 0 0 4
}

@test "--origin '*' accepts any origin" {
	start_inetd_mode --origin '*'
	run -0 wsclient --origin http://evil.example "ws://127.0.0.1:$PORT/"
	assert_exits 0
}

@test "--origin null lets pages from file: through; the default does not" {
	start_inetd_mode --origin null
	run -0 wsclient --origin null "ws://127.0.0.1:$PORT/"
	assert_exits 0
	start_inetd_mode
	run -4 wsclient --origin null "ws://127.0.0.1:$PORT/"
}

@test "a malformed --origin is a usage error naming the bad element" {
	run --separate-stderr -2 "$WSINETD" --origin 'https://a.example,app.example' </dev/null
	[[ $stderr == "wsinetd: invalid --origin: app.example"$'\n'* ]] ||
		fail "stderr: $stderr"
	run --separate-stderr -2 "$WSINETD" --origin http://a.example/ </dev/null
	[[ $stderr == "wsinetd: invalid --origin: http://a.example/"$'\n'* ]] ||
		fail "stderr: $stderr"
}

# ---- subprotocols ----

@test "--protocol answers with our first choice among the client's offers" {
	start_inetd_mode --echo --protocol chat,superchat
	run -0 upgrade_then_close 'Sec-WebSocket-Protocol: superchat, chat\r\n'
	assert_line --index 0 "HTTP/1.1 101 Switching Protocols"$'\r'
	assert_line --index 3 "Sec-WebSocket-Accept: $ACCEPT"$'\r'
	assert_line --index 4 "Sec-WebSocket-Protocol: chat"$'\r'
	assert_exits 0
}

@test "--protocol leaves the header out when nothing matches, and the client is accepted" {
	start_inetd_mode --echo --protocol chat
	run -0 upgrade_then_close 'Sec-WebSocket-Protocol: other\r\n'
	assert_line --index 0 "HTTP/1.1 101 Switching Protocols"$'\r'
	refute_output --partial "Sec-WebSocket-Protocol"
	assert_exits 0
}

@test "wsclient accepts the subprotocol wsinetd chose from its offer" {
	start_inetd_mode --protocol chat --require-protocol
	run -0 wsclient --protocol superchat,chat "ws://127.0.0.1:$PORT/"
	assert_exits 0
}

@test "--require-protocol refuses a client offering none of ours with 400" {
	start_inetd_mode --protocol chat --require-protocol
	run --separate-stderr -4 wsclient --protocol other "ws://127.0.0.1:$PORT/"
	[ "$stderr" = "wsclient: handshake refused: HTTP/1.1 400 Bad Request" ] ||
		fail "stderr: $stderr"
	run -4 wsclient "ws://127.0.0.1:$PORT/"
	assert_exits 4 4
	assert_log 'refused: 400 no supported subprotocol offered, '
}

@test "a subprotocol offer that is not a token is refused with 400" {
	start_inetd_mode
	run -0 wsraw --raw "GET / HTTP/1.1\r\nHost: 127.0.0.1:$PORT\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: $KEY\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: chat, a/b\r\n\r\n"
	assert_line --index 0 "HTTP/1.1 400 Bad Request"$'\r'
	assert_line "invalid Sec-WebSocket-Protocol"
	assert_exits 4
}

@test "wsclient fails a server that chose a subprotocol it did not offer" {
	start_wsfake --protocol other --reply-close
	run --separate-stderr -4 wsclient --protocol chat "ws://127.0.0.1:$PORT/"
	[ "$stderr" = "wsclient: invalid handshake: server chose a subprotocol we did not offer" ] ||
		fail "stderr: $stderr"
}

@test "wsclient accepts a server choosing one it offered (control)" {
	start_wsfake --protocol chat --send-close 1000
	run -0 wsclient -n 0 --protocol x,chat "ws://127.0.0.1:$PORT/"
}

@test "--require-protocol without --protocol and a bad --protocol are usage errors" {
	run --separate-stderr -2 "$WSINETD" --require-protocol </dev/null
	[[ $stderr == "wsinetd: --require-protocol needs --protocol"$'\n'* ]] ||
		fail "stderr: $stderr"
	run --separate-stderr -2 "$WSINETD" --protocol 'a b' </dev/null
	[[ $stderr == "wsinetd: invalid --protocol: a b"$'\n'* ]] ||
		fail "stderr: $stderr"
}

# ---- extra headers ----

@test "--header lines appear in the 101 answer, in order" {
	start_inetd_mode --echo -H 'X-Served-By: node 1' --header 'Cache-Control: no-store'
	run -0 upgrade_then_close ''
	assert_line --index 4 "X-Served-By: node 1"$'\r'
	assert_line --index 5 "Cache-Control: no-store"$'\r'
	assert_line --index 6 $'\r'
	assert_exits 0
}

@test "--header lines longer than the first output buffer go out whole" {
	local v
	v=$(printf '%0600d' 0)
	start_inetd_mode --echo -H "X-One: $v" -H "X-Two: $v" -H "X-Three: $v"
	run -0 upgrade_then_close ''
	assert_line --index 4 "X-One: $v"$'\r'
	assert_line --index 5 "X-Two: $v"$'\r'
	assert_line --index 6 "X-Three: $v"$'\r'
	assert_line --index 7 $'\r'
	assert_exits 0
}

@test "--header refuses headers the handshake owns, and malformed ones" {
	local bad
	for bad in 'Upgrade: h2c' 'connection: close' 'Sec-WebSocket-Protocol: x' \
		'Content-Length: 0' 'No Colon' 'Bad Name: x' $'X-A: 1\r\nX-B: 2'; do
		run --separate-stderr -2 "$WSINETD" -H "$bad" </dev/null
		[[ $stderr == "wsinetd: invalid --header: $bad"$'\n'* ]] ||
			fail "for '$bad', stderr: $stderr"
	done
}

# ---- frames per message ----

@test "--max-frames 3 fails a message in four frames with 1008" {
	start_inetd_mode --echo --max-frames 3
	run -0 wsraw --upgrade --frame -text:a --frame -cont:b --frame -cont:c \
		--frame cont:d
	assert_output "close: 1008 too many frames in one message
eof"
	assert_exits 5
	assert_log 'failed the connection: 1008 too many frames in one message'
}

@test "--max-frames 3 lets a message in three frames through (control)" {
	start_inetd_mode --echo --max-frames 3
	run -0 wsraw --upgrade --frame -text:a --frame -cont:b --frame cont:c \
		--frame close:1000
	assert_output "text: abc
close: 1000
eof"
	assert_exits 0
}

@test "a bad --max-frames is a usage error" {
	run --separate-stderr -2 "$WSINETD" --max-frames 0 </dev/null
	[[ $stderr == "wsinetd: invalid --max-frames: 0"$'\n'* ]] ||
		fail "stderr: $stderr"
}

# ---- log level ----

@test "--log-level debug logs the request and the subprotocol chosen" {
	start_inetd_mode --log-level debug --protocol chat
	run -0 wsclient --origin "http://127.0.0.1:$PORT" --protocol chat \
		"ws://127.0.0.1:$PORT/path?q=1"
	assert_exits 0
	assert_log "<7>request GET /path\?q=1, origin \"http://127\.0\.0\.1:$PORT\", subprotocols offered \"chat\", chosen \"chat\""
	assert_log '<6>127\.0\.0\.1:[0-9]+ closed by the peer'
}

@test "--log-level notice drops the summary of a clean close but keeps a refusal's" {
	start_inetd_mode --log-level notice
	run -0 wsclient "ws://127.0.0.1:$PORT/"
	run -4 wsclient --origin http://evil.example "ws://127.0.0.1:$PORT/"
	assert_exits 0 4
	refute_log '^<6>'
	refute_log '^<7>'
	assert_log '^<5>.* refused: 403 '
}

@test "an unknown --log-level is a usage error" {
	run --separate-stderr -2 "$WSINETD" --log-level verbose </dev/null
	[[ $stderr == "wsinetd: invalid --log-level: verbose"$'\n'* ]] ||
		fail "stderr: $stderr"
}
