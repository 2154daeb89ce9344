#!/usr/bin/env bats
# SPDX-License-Identifier: ISC
#
# permessage-deflate (RFC 7692): what wsinetd answers to each kind of
# offer, compressed messages both ways, the RSV1 rules, and inflation held
# to the message limit (a bomb ends with 1009, quickly, in bounded memory).
# wsclient offers it by default; a server answering what it did not offer
# fails its handshake.

load helpers

# wsdeflate ARGS...: the Python permessage-deflate client against $PORT.
wsdeflate() {
	"$PYTHON" "$TOOLS/wsdeflate.py" "$PORT" "$@"
}

# A text that compresses well, like chat or JSON traffic.
chat() {
	local i
	for ((i = 0; i < 20; i++)); do
		printf '{"user":"alice","text":"message %d of the chat"}' "$i"
	done
}

@test "Firefox's bare offer is accepted and the answer comes back compressed" {
	start_inetd_mode
	run -0 wsdeflate --send "$(chat)" --close
	assert_line --index 0 'extensions: permessage-deflate'
	assert_line --index 1 'text: Welcome to the WebSocket server!'
	assert_line --index 2 "text: You said: $(chat) (compressed)"
	assert_line --index 3 'close: 1000'
	assert_exits 0
}

@test "Chrome's client_max_window_bits gets our window, 12" {
	start_inetd_mode --echo
	run -0 wsdeflate --offer 'permessage-deflate; client_max_window_bits' \
		--send "$(chat)" --close
	assert_line --index 0 'extensions: permessage-deflate; client_max_window_bits=12'
	assert_line --index 1 "text: $(chat) (compressed)"
	assert_exits 0
}

@test "--compression-window 9 caps both windows, never above the offer" {
	start_inetd_mode --echo --compression-window 9
	run -0 wsdeflate --offer 'permessage-deflate; server_max_window_bits=10; client_max_window_bits=15' \
		--send "$(chat)" --close
	assert_line --index 0 'extensions: permessage-deflate; server_max_window_bits=9; client_max_window_bits=9'
	assert_line --index 1 "text: $(chat) (compressed)"
}

@test "the longest answer, both flags and two two-digit windows, is sent whole" {
	# Autobahn's case 13.6 offers this; the answer is 128 characters,
	# one more than once fitted, and compression went on unannounced.
	start_inetd_mode --echo
	run -0 wsdeflate --offer 'permessage-deflate; client_no_context_takeover; client_max_window_bits; server_no_context_takeover; server_max_window_bits=15' \
		--send "$(chat)" --close
	assert_line --index 0 'extensions: permessage-deflate; server_no_context_takeover; client_no_context_takeover; server_max_window_bits=12; client_max_window_bits=12'
	assert_line --index 1 "text: $(chat) (compressed)"
	assert_exits 0
}

@test "an 8-bit window both ways round-trips (zlib compresses it with 9)" {
	start_inetd_mode --echo
	run -0 wsdeflate --offer 'permessage-deflate; server_max_window_bits=8; client_max_window_bits=8' \
		--send "$(chat)" --fragmented "$(chat)x" --close
	assert_line --index 0 'extensions: permessage-deflate; server_max_window_bits=8; client_max_window_bits=8'
	assert_line --index 1 "text: $(chat) (compressed)"
	assert_line --index 2 "text: $(chat)x (compressed)"
	assert_exits 0
}

@test "no context takeover is echoed and honoured over many messages" {
	start_inetd_mode --echo
	run -0 wsdeflate --offer 'permessage-deflate; server_no_context_takeover; client_no_context_takeover' \
		--send "$(chat)" --send "$(chat)" --send "$(chat)" --close
	assert_line --index 0 'extensions: permessage-deflate; server_no_context_takeover; client_no_context_takeover'
	[ "$(grep -c "^text: .*(compressed)$" <<<"$output")" -eq 3 ] || fail "$output"
}

@test "of several offers the first we can honour is taken" {
	start_inetd_mode --echo
	run -0 wsdeflate --offer 'x-webkit-deflate-frame, permessage-deflate; server_max_window_bits=16, permessage-deflate; server_max_window_bits=10' \
		--close
	assert_line --index 0 'extensions: permessage-deflate; server_max_window_bits=10'
}

@test "offers with unknown, duplicate or out-of-range parameters are declined, with a log line" {
	local offer why
	while IFS='|' read -r offer why; do
		start_inetd_mode --echo
		run -0 wsdeflate --offer "$offer" --send-plain hi --close
		assert_line --index 0 'extensions: none'
		assert_line --index 1 'text: hi'
		assert_log "^<6>permessage-deflate offer declined: $why\$"
	done <<'EOF'
permessage-deflate; foo|unknown permessage-deflate parameter
permessage-deflate; server_no_context_takeover; server_no_context_takeover|duplicate permessage-deflate parameter
permessage-deflate; client_max_window_bits=7|max_window_bits out of range
permessage-deflate; server_max_window_bits|server_max_window_bits without a value
EOF
}

@test "--compression off declines every offer (control: on by default)" {
	start_inetd_mode --echo --compression off
	run -0 wsdeflate --send-plain hi --close
	assert_line --index 0 'extensions: none'
	refute_log 'declined'
}

@test "a small message or one that does not shrink goes uncompressed" {
	start_inetd_mode --echo
	run -0 wsdeflate --send short --send "$(head -c 300 /dev/urandom | base64 -w0 | head -c 90)" --close
	assert_line --index 1 'text: short'
	assert_line --index 2 --regexp '^text: [A-Za-z0-9+/=]{90}$'
}

@test "RSV1 on a ping is 1002" {
	start_inetd_mode --echo
	run -0 wsdeflate --rsv1-ping
	assert_line --index 1 'close: 1002 RSV1 on a control frame'
	assert_exits 5
	assert_log 'failed the connection: 1002 RSV1 on a control frame'
}

@test "RSV1 on a continuation frame is 1002" {
	start_inetd_mode --echo
	run -0 wsdeflate --rsv1-cont "$(chat)"
	assert_line --index 1 'close: 1002 RSV1 on a continuation frame'
	assert_exits 5
}

@test "RSV1 without the extension negotiated is 1002" {
	start_inetd_mode --echo
	run -0 wsdeflate --offer '' --send "$(chat)"
	assert_line --index 0 'extensions: none'
	assert_line --index 1 'close: 1002 reserved bits set'
	assert_exits 5
}

@test "data that is not deflate is 1007" {
	start_inetd_mode --echo
	run -0 wsdeflate --garbage
	assert_line --index 1 'close: 1007 invalid compressed data'
	assert_exits 5
}

@test "a message inflating to exactly --max-message passes; one byte more is 1009" {
	start_inetd_mode --echo --max-message 65536
	run -0 wsdeflate --exact 65536 --close
	assert_line --index 1 'binary: 65536 bytes (compressed)'
	assert_line --index 2 'close: 1000'
	start_inetd_mode --echo --max-message 65536
	run -0 wsdeflate --exact 65537 --close
	assert_line --index 1 'close: 1009 message too big once inflated'
}

@test "a 1 KiB frame inflating to 1 MiB against a 64 KiB limit is 1009" {
	start_inetd_mode --echo --max-message 65536
	run -0 wsdeflate --bomb 1048576
	assert_line --index 1 --regexp '^sent 10[0-9]{2} bytes in one frame$'
	assert_line --index 2 'close: 1009 message too big once inflated'
	assert_exits 5
	assert_log 'failed the connection: 1009 message too big once inflated'
}

@test "a frame inflating to 1 GiB ends with 1009 within a second, wsinetd's peak RSS growing by under 4 MiB" {
	local out=$BATS_TEST_TMPDIR/client.out fifo=$BATS_TEST_TMPDIR/hold
	local client pid base hwm i ms
	start_inetd_mode --echo
	mkfifo "$fifo"
	"$PYTHON" "$TOOLS/wsdeflate.py" "$PORT" --timeout 30 --hold \
		--bomb 1073741824 <"$fifo" >"$out" 3>&- &
	client=$!
	exec 4>"$fifo"
	pid=$(connection_pid)
	# The client spends seconds making the bomb: the connection idles.
	for ((i = 0; i < 100; i++)); do
		grep -q '^extensions:' "$out" && break
		sleep 0.05
	done
	base=$(peak_rss_kib "$pid")
	for ((i = 0; i < 600; i++)); do
		grep -q '^close came after' "$out" && break
		sleep 0.05
	done
	hwm=$(peak_rss_kib "$pid")
	echo >&4
	exec 4>&-
	wait "$client" || fail "wsdeflate failed: $(cat "$out")"
	run cat "$out"
	assert_line --regexp '^sent 10[0-9]{5} bytes in one frame$'
	assert_line 'close: 1009 message too big once inflated'
	ms=$(sed -n 's/^close came after \([0-9]*\) ms$/\1/p' "$out")
	[ "$ms" -lt 1000 ] || fail "1009 came after $ms ms"
	[ $((hwm - base)) -lt 4096 ] || fail "peak RSS $base -> $hwm KiB"
	echo "# peak RSS $base -> $hwm KiB; 1009 after $ms ms" >&3
	assert_exits 5
}

@test "wsclient offers permessage-deflate and wsinetd compresses (control: --no-compression)" {
	local msg
	msg=$(chat)
	start_inetd_mode --echo
	run -0 wsclient -m "$msg" -n 1 "ws://127.0.0.1:$PORT/"
	assert_output "$msg"
	run -0 wsclient --no-compression -m "$msg" -n 1 "ws://127.0.0.1:$PORT/"
	assert_output "$msg"
	wait_exits 2
	# What came in: compressed, a fraction of the text; then all of it.
	assert_log ', in [0-9]{2,3} B, out [0-9]{2,3} B$'
	assert_log ", in 1[0-9]{3} B, out 1[0-9]{3} B\$"
}

@test "wsclient fails the handshake when the server answers what it did not offer" {
	local answer
	for answer in 'x-foo' 'permessage-deflate; bogus' \
		'permessage-deflate; client_max_window_bits' \
		'permessage-deflate; server_max_window_bits=16' \
		'permessage-deflate, permessage-deflate'; do
		start_wsfake --extensions "$answer"
		run -4 --separate-stderr wsclient "ws://127.0.0.1:$PORT/"
		[[ $stderr == "wsclient: invalid handshake: "?* ]] ||
			fail "answer '$answer': $stderr"
	done
	start_wsfake --extensions 'permessage-deflate' --send-close 1000 --reply-close
	run -0 wsclient -n 0 "ws://127.0.0.1:$PORT/"
}

@test "wsclient without compression refuses any extension answer" {
	start_wsfake --extensions 'permessage-deflate'
	run -4 --separate-stderr wsclient --no-compression "ws://127.0.0.1:$PORT/"
	assert_equal "$stderr" 'wsclient: invalid handshake: server chose an extension we did not offer'
}

@test "bridge mode is transparent: the program sees inflated lines" {
	start_inetd_mode -- /bin/cat
	run -0 wsdeflate --send "$(chat)" --close
	assert_line --index 0 'extensions: permessage-deflate'
	assert_line --index 1 "text: $(chat) (compressed)"
}

@test "wsclient --compression-min 0 compresses a short message (control: the default, 64)" {
	local msg=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa
	start_wsfake --extensions 'permessage-deflate' --send-text ok --reply-close
	run -0 wsclient --compression-min 0 -m "$msg" -n 1 "ws://127.0.0.1:$PORT/"
	wait_server_exit
	assert_log '^recv text, RSV1: [0-9] bytes$'
	start_wsfake --extensions 'permessage-deflate' --send-text ok --reply-close
	run -0 wsclient -m "$msg" -n 1 "ws://127.0.0.1:$PORT/"
	wait_server_exit
	assert_log "^recv text: $msg\$"
	refute_log RSV1
	run -2 wsclient --compression-min 1x "ws://127.0.0.1:$PORT/"
	assert_line --index 0 'wsclient: invalid --compression-min: 1x'
}
