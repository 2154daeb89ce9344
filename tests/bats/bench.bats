#!/usr/bin/env bats
# SPDX-License-Identifier: ISC
#
# The benchmark's load generator is a tool whose numbers we publish, so
# it is tested like one: it must finish what it claims, and fail loudly
# (with its documented exit status) when the server does not behave.
# No assertion here is about speed.

load helpers
load pki

setup() {
	require_tools
	LOAD=$BUILD/bench/load
	[ -x "$LOAD" ] || fail "$LOAD is not built (run make bench-tools)"
	SERVER_PIDS=()
	LOG=$BATS_TEST_TMPDIR/server.log
}

# zeros N: N exit codes of 0, for assert_exits.
zeros() {
	local i
	for ((i = 0; i < $1; i++)); do
		printf '0 '
	done
}

@test "session mode completes 20 hello sessions against wsinetd and says so" {
	start_inetd_mode
	run --separate-stderr -0 "$LOAD" session -n 20 -c 4 127.0.0.1 "$PORT"
	assert_output --regexp '^session ok=20 failed=0 secs=[0-9.]+ per_sec=[0-9.]+ p50_ms=[0-9.]+ p90_ms=[0-9.]+ p99_ms=[0-9.]+ max_ms=[0-9.]+$'
	[ -z "$stderr" ] || fail "load stderr: $stderr"
	# shellcheck disable=SC2046 # one argument per session
	assert_exits $(zeros 20)
	[ "$(grep -c 'closed by the peer (peer sent 1000' "$LOG")" -eq 20 ] ||
		fail "want 20 clean closes: $(cat "$LOG")"
}

@test "session mode works over IPv6 loopback" {
	start_inetd_mode6
	run --separate-stderr -0 "$LOAD" session -n 3 ::1 "$PORT"
	assert_output --regexp '^session ok=3 failed=0 '
	assert_exits 0 0 0
}

@test "session mode fails with 6 when the server never says welcome" {
	start_inetd_mode --echo
	run --separate-stderr -6 "$LOAD" session -n 2 -t 0.5 127.0.0.1 "$PORT"
	assert_output --regexp '^session ok=0 failed=2 '
	[[ $stderr == *"timed out"* ]] || fail "load stderr: $stderr"
}

@test "echo mode counts every reply of the asked size" {
	start_inetd_mode --echo
	run --separate-stderr -0 "$LOAD" echo -n 100 -s 1k -w 8 127.0.0.1 "$PORT"
	assert_output --regexp '^echo ok=1 failed=0 secs=[0-9.]+ size=1024 msgs=100 '
	assert_exits 0
}

@test "echo mode with --fragment sends each message in frames of that size, one write each, and counts the echoes" {
	start_inetd_mode --echo
	# 3000 bytes in frames of 64: 47 frames, the last of 56 bytes
	# (LeakSanitizer cannot run under ptrace: off for a sanitized build)
	run --separate-stderr -0 env ASAN_OPTIONS=detect_leaks=0 \
		strace -f -e trace=write,writev -o "$BATS_TEST_TMPDIR/st" \
		"$LOAD" echo -n 3 -s 3000 --fragment 64 127.0.0.1 "$PORT"
	assert_output --regexp '^echo ok=1 failed=0 secs=[0-9.]+ size=3000 msgs=3 .* fragment=64 frames_per_msg=47$'
	assert_exits 0
	# one write(2) per frame: 64 + 6 bytes each, 56 + 6 for the last
	[ "$(grep -c '^[0-9]* *writev\?([0-9]*, .*) = 70$' "$BATS_TEST_TMPDIR/st")" -eq $((3 * 46)) ] ||
		fail "want 138 writes of 70 bytes: $(grep -c ' = 70$' "$BATS_TEST_TMPDIR/st")"
	[ "$(grep -c '^[0-9]* *writev\?([0-9]*, .*) = 62$' "$BATS_TEST_TMPDIR/st")" -eq 3 ] ||
		fail "want 3 writes of 62 bytes"
}

@test "control: --fragment is refused outside echo, and with --raw or --deflate" {
	run --separate-stderr -2 "$LOAD" session --fragment 64 127.0.0.1 1
	[[ $stderr == *"--fragment is for echo"* ]] || fail "load stderr: $stderr"
	run --separate-stderr -2 "$LOAD" echo --raw --fragment 64 127.0.0.1 1
	run --separate-stderr -2 "$LOAD" echo --deflate --fragment 64 127.0.0.1 1
	run --separate-stderr -2 "$LOAD" echo --fragment 0 127.0.0.1 1
}

@test "echo mode fails with 5 when the replies are not echoes" {
	start_inetd_mode
	run --separate-stderr -5 "$LOAD" echo -n 10 -s 16 127.0.0.1 "$PORT"
	assert_output --regexp '^echo ok=0 failed=1 '
	[[ $stderr == *"wrong size"* ]] || fail "load stderr: $stderr"
}

@test "idle mode holds its connections until stdin ends, then closes them cleanly" {
	start_inetd_mode
	run --separate-stderr -0 "$LOAD" idle -k 5 127.0.0.1 "$PORT" </dev/null
	assert_output "ready open=5 failed=0
idle ok=5 failed=0 msgs=0 wire_bytes=0 inflated_bytes=0"
	assert_exits 0 0 0 0 0
}

# A 4 KiB file for get mode to fetch.
make_file() {
	WWW=$BATS_TEST_TMPDIR/www
	mkdir -p "$WWW"
	head -c 4096 /dev/urandom >"$WWW/f.bin"
}

@test "get mode fetches a file 20 times, a connection each, and checks its size" {
	make_file
	start_inetd_mode --static "$WWW"
	run --separate-stderr -0 "$LOAD" get -n 20 -c 4 -s 4096 --path /f.bin \
		127.0.0.1 "$PORT"
	assert_output --regexp '^get ok=20 failed=0 secs=[0-9.]+ conns=20 per_sec=[0-9.]+ p50_ms=[0-9.]+ p90_ms=[0-9.]+ p99_ms=[0-9.]+ max_ms=[0-9.]+$'
	[ -z "$stderr" ] || fail "load stderr: $stderr"
	# shellcheck disable=SC2046 # one argument per connection
	assert_exits $(zeros 20)
	[ "$(grep -c 'served 1 HTTP request, ' "$LOG")" -eq 20 ] ||
		fail "want 20 connections of one request: $(cat "$LOG")"
}

@test "get mode with -q asks several times on each connection (keep-alive)" {
	make_file
	start_inetd_mode --static "$WWW"
	run --separate-stderr -0 "$LOAD" get -n 20 -c 1 -q 5 -s 4096 \
		--path /f.bin 127.0.0.1 "$PORT"
	assert_output --regexp '^get ok=20 failed=0 secs=[0-9.]+ conns=4 '
	assert_exits 0 0 0 0
	[ "$(grep -c 'served 5 HTTP requests, ' "$LOG")" -eq 4 ] ||
		fail "want 4 connections of five requests: $(cat "$LOG")"
}

@test "get mode fails with 4 on a 404, 5 on a wrong size, 8 when the server closes early" {
	make_file
	start_inetd_mode --static "$WWW"
	run --separate-stderr -4 "$LOAD" get -n 2 --path /nothing 127.0.0.1 "$PORT"
	assert_output --regexp '^get ok=0 failed=2 '
	[[ $stderr == *"not 200 OK"* ]] || fail "load stderr: $stderr"
	run --separate-stderr -5 "$LOAD" get -n 2 -s 4095 --path /f.bin \
		127.0.0.1 "$PORT"
	[[ $stderr == *"wrong size"* ]] || fail "load stderr: $stderr"
	# wsinetd closes after 32 requests on one connection (its 32nd answer
	# counts; the 33rd request then goes on a second one)
	run --separate-stderr -8 "$LOAD" get -n 33 -q 33 --path /f.bin \
		127.0.0.1 "$PORT"
	assert_output --regexp '^get ok=33 failed=1 secs=[0-9.]+ conns=2 '
	[[ $stderr == *"closes the connection before -q requests"* ]] ||
		fail "load stderr: $stderr"
}

# chat FILE: a JSON chat message of 2,000-odd bytes, the same every time.
chat() {
	local i
	{
		printf '['
		for ((i = 0; i < 40; i++)); do
			printf '{"user":"user%d","room":"lobby","text":"hello there, message %d"},' $((i % 3)) "$i"
		done
		printf '{"end":true}]'
	} >"$1"
}

@test "echo mode with --deflate gets every reply compressed, inflates it and compares it with the message" {
	chat "$BATS_TEST_TMPDIR/chat.json"
	size=$(stat -c %s "$BATS_TEST_TMPDIR/chat.json")
	start_inetd_mode --echo
	run --separate-stderr -0 "$LOAD" echo --deflate -n 50 -w 4 \
		--payload "$BATS_TEST_TMPDIR/chat.json" 127.0.0.1 "$PORT"
	assert_output --regexp "^echo ok=1 failed=0 secs=[0-9.]+ size=$size msgs=50 .* wire_bytes=[0-9]+ inflated_bytes=$((50 * size))\$"
	wire=${output##*wire_bytes=}
	wire=${wire%% *}
	# compressed: far below what it inflated to, yet not nothing
	((wire > 0 && wire * 4 < 50 * size)) || fail "wire bytes: $wire"
	assert_exits 0
}

@test "control: without --deflate the same echo moves no compressed bytes" {
	chat "$BATS_TEST_TMPDIR/chat.json"
	start_inetd_mode --echo
	run --separate-stderr -0 "$LOAD" echo -n 50 \
		--payload "$BATS_TEST_TMPDIR/chat.json" 127.0.0.1 "$PORT"
	assert_output --regexp " msgs=50 .* wire_bytes=0 inflated_bytes=0\$"
}

@test "control: --deflate fails with 4 when the server declines the offer" {
	start_inetd_mode --echo --compression off
	run --separate-stderr -4 "$LOAD" echo --deflate -n 5 127.0.0.1 "$PORT"
	assert_output --regexp '^echo ok=0 failed=1 '
	[[ $stderr == *"permessage-deflate not agreed"* ]] ||
		fail "load stderr: $stderr"
}

@test "echo mode with --payload fails with 5 when a reply of the right size differs" {
	printf 'aaaa' >"$BATS_TEST_TMPDIR/a"
	start_inetd_mode -- sed -u s/a/b/g
	run --separate-stderr -5 "$LOAD" echo -n 3 --payload "$BATS_TEST_TMPDIR/a" \
		127.0.0.1 "$PORT"
	[[ $stderr == *"differs from the message sent"* ]] ||
		fail "load stderr: $stderr"
}

@test "idle mode with -m has each connection's messages echoed, compressed, before it says ready" {
	chat "$BATS_TEST_TMPDIR/chat.json"
	size=$(stat -c %s "$BATS_TEST_TMPDIR/chat.json")
	start_inetd_mode --echo
	run --separate-stderr -0 "$LOAD" idle -k 3 -m 10 --deflate \
		--payload "$BATS_TEST_TMPDIR/chat.json" 127.0.0.1 "$PORT" </dev/null
	assert_output --regexp "^ready open=3 failed=0
idle ok=3 failed=0 msgs=30 wire_bytes=[1-9][0-9]* inflated_bytes=$((30 * size))\$"
	assert_exits 0 0 0
	[ "$(grep -c 'closed by the peer (peer sent 1000' "$LOG")" -eq 3 ] ||
		fail "want 3 clean closes: $(cat "$LOG")"
}

@test "a port nobody listens on is a connect failure, exit 3" {
	PORT=$(free_port)
	run --separate-stderr -3 "$LOAD" session -n 2 127.0.0.1 "$PORT"
	assert_output --regexp '^session ok=0 failed=2 '
	[[ $stderr == *"Connection refused"* ]] || fail "load stderr: $stderr"
}

@test "anything but loopback is refused as a usage error" {
	run --separate-stderr -2 "$LOAD" session 192.0.2.1 80
	[[ $stderr == *"loopback"* ]] || fail "load stderr: $stderr"
	run --separate-stderr -2 "$LOAD" session localhost 80
	[[ $stderr == *"127.0.0.1 or ::1"* ]] || fail "load stderr: $stderr"
}

# TLS: the test CA's server certificate (tests/bats/pki.bash), once.
setup_file() {
	command -v openssl >/dev/null || return 1
	test_pki "$BATS_FILE_TMPDIR"
}

tls_opts() {
	TLS=(--tls-cert "$BATS_FILE_TMPDIR/server.pem"
		--tls-key "$BATS_FILE_TMPDIR/server.key")
}

@test "--tls: ten wss:// hello sessions with wsinetd, each a full TLS handshake" {
	tls_opts
	start_inetd_mode "${TLS[@]}"
	run --separate-stderr -0 "$LOAD" session --tls -n 10 -c 2 127.0.0.1 "$PORT"
	assert_output --regexp '^session ok=10 failed=0 .* tls_full=10 tls_resumed=0$'
	[ -z "$stderr" ] || fail "load stderr: $stderr"
	# shellcheck disable=SC2046 # one argument per session
	assert_exits $(zeros 10)
	[ "$(grep -c ', TLSv1\.3 full handshake$' "$LOG")" -eq 10 ] ||
		fail "want 10 TLS sessions: $(cat "$LOG")"
}

@test "--tls-resume: after the first session every one resumes across Accept=yes processes sharing ticket keys" {
	tls_opts
	openssl rand -out "$BATS_TEST_TMPDIR/ticket.keys" 80
	start_inetd_mode "${TLS[@]}" --tls-ticket-keys "$BATS_TEST_TMPDIR/ticket.keys"
	# -c 4: the first session goes alone; the other 7 have its ticket.
	run --separate-stderr -0 "$LOAD" session --tls-resume -n 8 -c 4 127.0.0.1 "$PORT"
	assert_output --regexp '^session ok=8 failed=0 .* tls_full=1 tls_resumed=7$'
	# shellcheck disable=SC2046 # one argument per session
	assert_exits $(zeros 8)
	[ "$(grep -c ', TLSv1\.3 resumed$' "$LOG")" -eq 7 ] ||
		fail "want 7 resumed: $(cat "$LOG")"
}

@test "control: --tls-resume without ticket keys at the server does full handshakes only" {
	tls_opts
	start_inetd_mode "${TLS[@]}"
	run --separate-stderr -0 "$LOAD" session --tls-resume -n 4 127.0.0.1 "$PORT"
	assert_output --regexp ' tls_full=4 tls_resumed=0$'
}

@test "--tls: echo of 64 KiB messages and idle connections over TLS" {
	tls_opts
	start_inetd_mode "${TLS[@]}" --echo
	run --separate-stderr -0 "$LOAD" echo --tls -n 40 -s 64k -w 4 127.0.0.1 "$PORT"
	assert_output --regexp '^echo ok=1 failed=0 secs=[0-9.]+ size=65536 msgs=40 .* tls_full=1 tls_resumed=0$'
	run --separate-stderr -0 "$LOAD" idle --tls -k 3 127.0.0.1 "$PORT" </dev/null
	assert_output "ready open=3 failed=0
idle ok=3 failed=0 msgs=0 wire_bytes=0 inflated_bytes=0 tls_full=3 tls_resumed=0"
}

@test "--tls against a plain ws:// server fails with 9 and OpenSSL's reason" {
	start_inetd_mode
	run --separate-stderr -9 "$LOAD" session --tls -n 1 -t 5 127.0.0.1 "$PORT"
	assert_output --regexp '^session ok=0 failed=1 .* tls_full=0 tls_resumed=0$'
	[[ $stderr == "load: connection 0: wrong version number" ]] || fail "load stderr: $stderr"
}

# records FILE N: N length-prefixed JSON messages, as tests/bench/deflate
# writes its corpora.
records() {
	/usr/bin/python3 -c 'import json, struct, sys
with open(sys.argv[1], "wb") as f:
    for i in range(int(sys.argv[2])):
        m = json.dumps({"user": "u%d" % (i % 3), "text": "hello there " * (i % 7 + 1)}).encode()
        f.write(struct.pack(">I", len(m)) + m)' "$1" "$2"
}

@test "deflate_corpus compresses a corpus, inflates it back and counts what went on the wire" {
	records "$BATS_TEST_TMPDIR/corpus" 50
	size=$(stat -c %s "$BATS_TEST_TMPDIR/corpus")
	run --separate-stderr -0 "$BUILD/bench/deflate_corpus" \
		"$BATS_TEST_TMPDIR/corpus" 1
	assert_output --regexp "^corpus messages=50 bytes=$((size - 200)) wire=[0-9]+ deflate_us=[0-9.]+ inflate_us=[0-9.]+\$"
	wire=${output##*wire=}
	wire=${wire%% *}
	((wire > 0 && wire * 2 < size - 200)) || fail "wire bytes: $wire"
}

@test "control: deflate_corpus refuses a corpus whose last record is cut short" {
	records "$BATS_TEST_TMPDIR/corpus" 5
	head -c -3 "$BATS_TEST_TMPDIR/corpus" >"$BATS_TEST_TMPDIR/cut"
	run --separate-stderr -1 "$BUILD/bench/deflate_corpus" \
		"$BATS_TEST_TMPDIR/cut" 1
	[[ $stderr == *"runs past the end"* ]] || fail "stderr: $stderr"
}
