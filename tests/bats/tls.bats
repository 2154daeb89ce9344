#!/usr/bin/env bats
# SPDX-License-Identifier: ISC
#
# wss://: wsclient and wsinetd over TLS in every launch mode, each way
# verification can fail, client certificates, and what a TLS port does
# with plain HTTP, garbage, a truncated or a stalled handshake. The
# certificates are made here, once per file, by openssl itself.

load helpers
load pki

# run --separate-stderr sets $stderr.
# shellcheck disable=SC2154

HELLO_OUT="Welcome to the WebSocket server!
You said: Hello, WebSocket server!"

# A certificate that expired in 2001: x509 cannot backdate, openssl ca
# can, given a database and this much configuration.
issue_expired() {
	mkdir -p expired-ca && : >expired-ca/index.txt
	echo 01 >expired-ca/serial
	cat >expired-ca.cnf <<-EOF
		[ca]
		default_ca = test
		[test]
		database = expired-ca/index.txt
		new_certs_dir = expired-ca
		serial = expired-ca/serial
		default_md = sha256
		policy = any
		x509_extensions = ext
		[any]
		commonName = supplied
		[ext]
		subjectAltName = DNS:localhost,IP:127.0.0.1
	EOF
	openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
		-keyout expired.key -out expired.csr -subj /CN=localhost 2>/dev/null
	openssl ca -batch -config expired-ca.cnf -cert ca.pem -keyfile ca.key \
		-startdate 20000101000000Z -enddate 20010101000000Z -notext \
		-in expired.csr -out expired.pem 2>/dev/null
}

setup_file() {
	command -v openssl >/dev/null || return 1
	cd "$BATS_FILE_TMPDIR" || return 1
	test_pki . || return 1
	new_ca other-ca /CN=another-test-CA
	issue client /CN=test-client DNS:test-client
	issue stranger /CN=stranger DNS:stranger other-ca
	issue renewed /CN=localhost DNS:localhost,IP:127.0.0.1 other-ca
	issue wrong-name /CN=wrong.example DNS:wrong.example,IP:192.0.2.1
	issue_expired
	for f in ca server client stranger renewed wrong-name expired; do
		[ -s "$BATS_FILE_TMPDIR/$f.pem" ] || return 1
	done
	openssl rand -out old.keys 80 && openssl rand -out new.keys 80 &&
		cat new.keys old.keys >both.keys || return 1
}

setup() {
	require_tools
	command -v openssl >/dev/null || fail "openssl is not installed"
	SERVER_PIDS=()
	LOG=$BATS_TEST_TMPDIR/server.log
	PKI=$BATS_FILE_TMPDIR
	TLS=(--tls-cert "$PKI/server.pem" --tls-key "$PKI/server.key")
}

# with_cert NAME: wsinetd options serving that certificate instead.
with_cert() {
	TLS=(--tls-cert "$PKI/$1.pem" --tls-key "$PKI/$1.key")
}

# start_listen ARGS...: wsinetd --listen on 127.0.0.1:$PORT.
start_listen() {
	PORT=$(free_port)
	spawn "$WSINETD" --listen "127.0.0.1:$PORT" "$@"
	wait_port "$PORT" "$SERVER_PID"
}

# A listener started by systemd-socket-activate without --accept: the
# listening socket in LISTEN_FDS (Accept=no).
start_accept_no() {
	PORT=$(free_port)
	spawn systemd-socket-activate -l "127.0.0.1:$PORT" "$WSINETD" "$@"
	wait_port "$PORT" "$SERVER_PID"
}

# wss [OPTIONS...]: wsclient's hello exchange with the test CA on $PORT.
wss() {
	wsclient --connect-timeout 5 --cacert "$PKI/ca.pem" "$@" \
		"wss://localhost:$PORT/"
}

# wait_log REGEX: polls (at most 3 s) until the server log has it.
wait_log() {
	wait_line "$LOG" "$1"
}

# refused REASON WSCLIENT-ARGS...: wsclient exits 9, prints nothing, and
# says "TLS handshake failed: REASON" in one line on stderr.
refused() {
	local why=$1
	shift
	run --separate-stderr -9 wsclient "$@"
	assert_output ""
	[ "$stderr" = "wsclient: TLS handshake failed: $why" ] ||
		fail "stderr: $stderr"
}

# raw HEX close|hold: sends these bytes to $PORT, then ends its side
# (close) or keeps it open (hold), and prints what came back (the first
# line, "a TLS alert" or "(nothing)") and "eof" once the server closed;
# bounded by 5 s.
raw() {
	"$PYTHON" - "$PORT" "$1" "$2" <<-'EOF'
		import socket, sys
		port, data, mode = int(sys.argv[1]), bytes.fromhex(sys.argv[2]), sys.argv[3]
		s = socket.create_connection(("127.0.0.1", port), timeout=5)
		s.sendall(data)
		if mode == "close":
		    s.shutdown(socket.SHUT_WR)
		got = b""
		while True:
		    b = s.recv(4096)
		    if not b:
		        break
		    got += b
		if got.startswith(b"\x15\x03"):
		    print("a TLS alert")
		elif got:
		    print(got.split(b"\r\n")[0].decode("latin-1"))
		else:
		    print("(nothing)")
		print("eof")
	EOF
}

# s_client_session IN|OUT FILE: openssl s_client's hello request over
# TLS 1.3 to $PORT, saving its session to FILE (OUT) or resuming from it
# (IN); prints "New" or "Reused". It waits for the welcome, after which
# the tickets have come.
s_client_session() {
	local flag=-sess_out
	[ "$1" = IN ] && flag=-sess_in
	openssl s_client -connect "127.0.0.1:$PORT" -CAfile "$PKI/ca.pem" \
		-verify_return_error "$flag" "$2" -tls1_3 -ign_eof \
		< <(printf 'GET / HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n') \
		2>/dev/null | grep -a -oE '^(New|Reused), TLSv1\.3'
}

# resume FILE NEW|RESUMED: wsclient's hello exchange with --tls-session
# FILE; it says on stderr whether the saved session was taken.
resume() {
	local want=$2
	run --separate-stderr -0 wss --tls-session "$1"
	assert_output "$HELLO_OUT"
	[ "$stderr" = "wsclient: TLS session ${want,,}" ] || fail "stderr: $stderr"
}

# The summary line a child of a listener logs for a hello exchange.
HELLO_LINE='^<6>127\.0\.0\.1:[0-9]+ closed by the peer \(peer sent 1000 ""\)'

@test "wss:// hello exchange with wsinetd on fd 0/1, as inetd starts it" {
	start_inetd_mode "${TLS[@]}"
	run --separate-stderr -0 wss
	assert_output "$HELLO_OUT"
	[ -z "$stderr" ] || fail "stderr: $stderr"
	assert_exits 0
	assert_log "$HELLO_LINE"
}

@test "wss:// hello exchange with wsinetd given the connection in LISTEN_FDS (Accept=yes)" {
	start_listenfds_mode "${TLS[@]}"
	run --separate-stderr -0 wss
	assert_output "$HELLO_OUT"
	assert_exits 0
}

@test "wss:// hello exchange with wsinetd --listen, twice, each in its own child" {
	start_listen "${TLS[@]}"
	run --separate-stderr -0 wss
	assert_output "$HELLO_OUT"
	run --separate-stderr -0 wss
	assert_output "$HELLO_OUT"
	wait_log "$HELLO_LINE"
	[ "$(grep -Ec "$HELLO_LINE" "$LOG")" = 2 ] || fail "log: $(cat "$LOG")"
}

@test "wss:// hello exchange with a wsinetd listener given its socket in LISTEN_FDS (Accept=no)" {
	start_accept_no "${TLS[@]}"
	run --separate-stderr -0 wss
	assert_output "$HELLO_OUT"
	wait_log "$HELLO_LINE"
}

@test "https:// and wss:// on one port: --static files go through TLS, whole, then the upgrade" {
	command -v curl >/dev/null || fail "curl is not installed"
	local www=$BATS_TEST_TMPDIR/www
	mkdir -p "$www"
	head -c 300000 /dev/urandom >"$www/big.bin"
	printf 'over TLS\n' >"$www/index.html"
	start_listen "${TLS[@]}" --static "$www"
	run --separate-stderr -0 curl -sS --max-time 10 --cacert "$PKI/ca.pem" \
		"https://localhost:$PORT/" "https://localhost:$PORT/big.bin" \
		-o "$BATS_TEST_TMPDIR/index" -o "$BATS_TEST_TMPDIR/big"
	[ "$(cat "$BATS_TEST_TMPDIR/index")" = 'over TLS' ] || fail "index"
	cmp "$www/big.bin" "$BATS_TEST_TMPDIR/big" || fail "big.bin differs"
	run --separate-stderr -0 wss
	assert_output "$HELLO_OUT"
	wait_log 'served 2 HTTP requests'
	wait_log "$HELLO_LINE"
	# control: plain http:// on the TLS port gets no file
	run curl -sS --max-time 5 "http://localhost:$PORT/"
	assert_output --partial 'This port speaks TLS'
	refute_output --partial 'over TLS'
}

@test "wss:// to 127.0.0.1 and [::1] verifies the address against the certificate" {
	start_inetd_mode6 "${TLS[@]}"
	run --separate-stderr -0 wsclient --cacert "$PKI/ca.pem" "wss://[::1]:$PORT/"
	assert_output "$HELLO_OUT"
	start_inetd_mode "${TLS[@]}"
	run --separate-stderr -0 wsclient --cacert "$PKI/ca.pem" "wss://127.0.0.1:$PORT/"
	assert_output "$HELLO_OUT"
}

@test "a plain ws:// client of a TLS port reads the 400 as a refused handshake" {
	start_inetd_mode "${TLS[@]}"
	run --separate-stderr -4 wsclient --connect-timeout 5 "ws://127.0.0.1:$PORT/"
	assert_output ""
	[[ $stderr == "wsclient: "*400* ]] || fail "stderr: $stderr"
	assert_exits 9
	assert_log '^<4>127\.0\.0\.1:[0-9]+ plain HTTP request on the TLS port: answered 400,'
}

@test "a server certificate from an unknown CA fails with exit 9 and OpenSSL's reason" {
	start_inetd_mode "${TLS[@]}"
	refused "certificate verify failed: unable to get local issuer certificate" --cacert "$PKI/other-ca.pem" "wss://localhost:$PORT/"
	assert_exits 9
	assert_log '^<4>127\.0\.0\.1:[0-9]+ TLS handshake failed: tlsv1 alert unknown ca,'
}

@test "without --cacert the system's store is used, and it does not know the test CA" {
	start_inetd_mode "${TLS[@]}"
	refused "certificate verify failed: unable to get local issuer certificate" "wss://localhost:$PORT/"
}

@test "a certificate for another name fails with exit 9: hostname mismatch" {
	with_cert wrong-name
	start_inetd_mode "${TLS[@]}"
	refused "certificate verify failed: hostname mismatch" --connect-timeout 5 --cacert "$PKI/ca.pem" \
		"wss://localhost:$PORT/"
}

@test "a certificate for another address fails with exit 9: IP address mismatch" {
	with_cert wrong-name
	start_inetd_mode "${TLS[@]}"
	refused "certificate verify failed: IP address mismatch" --cacert "$PKI/ca.pem" "wss://127.0.0.1:$PORT/"
}

@test "an expired certificate fails with exit 9: certificate has expired" {
	with_cert expired
	start_inetd_mode "${TLS[@]}"
	refused "certificate verify failed: certificate has expired" --connect-timeout 5 --cacert "$PKI/ca.pem" \
		"wss://localhost:$PORT/"
}

@test "--insecure accepts the wrong name and says so on stderr" {
	with_cert wrong-name
	start_inetd_mode "${TLS[@]}"
	run --separate-stderr -0 wsclient --insecure "wss://localhost:$PORT/"
	assert_output "$HELLO_OUT"
	[ "$stderr" = "wsclient: warning: --insecure: the server's certificate is not verified" ] ||
		fail "stderr: $stderr"
}

@test "--tls-client-ca accepts a client certificate from that CA" {
	start_inetd_mode "${TLS[@]}" --tls-client-ca "$PKI/ca.pem"
	run --separate-stderr -0 wss --cert "$PKI/client.pem" --key "$PKI/client.key"
	assert_output "$HELLO_OUT"
	assert_exits 0
}

@test "--tls-client-ca refuses a client without a certificate, with one log line" {
	start_inetd_mode "${TLS[@]}" --tls-client-ca "$PKI/ca.pem"
	refused "tlsv13 alert certificate required" --connect-timeout 5 --cacert "$PKI/ca.pem" \
		"wss://localhost:$PORT/"
	assert_exits 9
	assert_log '^<4>127\.0\.0\.1:[0-9]+ TLS handshake failed: peer did not return a certificate,'
	[ "$(grep -c 'TLS' "$LOG")" = 1 ] || fail "log: $(cat "$LOG")"
}

@test "--tls-client-ca refuses a client certificate from another CA" {
	start_inetd_mode "${TLS[@]}" --tls-client-ca "$PKI/ca.pem"
	run --separate-stderr -9 wss --cert "$PKI/stranger.pem" --key "$PKI/stranger.key"
	assert_output ""
	assert_exits 9
	assert_log '^<4>127\.0\.0\.1:[0-9]+ TLS handshake failed: certificate verify failed: unable to get local issuer certificate,'
}

@test "--tls-client-optional accepts a client without a certificate but not one from another CA" {
	start_inetd_mode "${TLS[@]}" --tls-client-ca "$PKI/ca.pem" --tls-client-optional
	run --separate-stderr -0 wss
	assert_output "$HELLO_OUT"
	run --separate-stderr -9 wss --cert "$PKI/stranger.pem" --key "$PKI/stranger.key"
	assert_exits 0 9
}

@test "plain HTTP to the TLS port gets a plain-text 400 and one log line" {
	start_inetd_mode "${TLS[@]}"
	run -0 raw "$(printf 'GET / HTTP/1.1\r\nHost: localhost\r\n\r\n' | od -An -tx1 | tr -d ' \n')" close
	assert_output "HTTP/1.1 400 Bad Request
eof"
	assert_exits 9
	[ "$(grep -c '^<' "$LOG")" = 1 ] || fail "log: $(cat "$LOG")"
}

@test "garbage on the TLS port ends with one log line naming OpenSSL's reason" {
	start_inetd_mode "${TLS[@]}"
	run -0 raw 0102030405060708090a0b0c0d0e0f close
	assert_output "(nothing)
eof"
	assert_exits 9
	assert_log '^<4>127\.0\.0\.1:[0-9]+ TLS handshake failed: (wrong version number|unknown protocol|packet length too long),'
	[ "$(grep -c '^<' "$LOG")" = 1 ] || fail "log: $(cat "$LOG")"
}

@test "a truncated ClientHello ends with one log line: unexpected eof while reading" {
	start_inetd_mode "${TLS[@]}"
	# A handshake record announcing 512 bytes, of which 6 come.
	run -0 raw 160301020001000200fc0303 close
	assert_output "a TLS alert
eof"
	assert_exits 9
	assert_log '^<4>127\.0\.0\.1:[0-9]+ TLS handshake failed: unexpected eof while reading,'
}

@test "a stalled TLS handshake ends at --handshake-timeout" {
	start_inetd_mode "${TLS[@]}" --handshake-timeout 1
	start=$(now_ms)
	run -0 raw 160301020001000200fc0303 hold
	assert_output "(nothing)
eof"
	elapsed=$(($(now_ms) - start))
	((elapsed >= 900 && elapsed < 4000)) || fail "took $elapsed ms"
	assert_exits 6
	assert_log '^<4>127\.0\.0\.1:[0-9]+ handshake timed out after 1000 ms,'
}

@test "openssl s_client does the handshake by hand: ALPN http/1.1, verified, then the 101 and the welcome" {
	start_inetd_mode "${TLS[@]}" --idle-timeout 1 --close-timeout 1
	run -0 openssl s_client -connect "127.0.0.1:$PORT" -servername localhost \
		-CAfile "$PKI/ca.pem" -verify_return_error -alpn http/1.1 -ign_eof \
		< <(printf 'GET / HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n')
	assert_line "ALPN protocol: http/1.1"
	assert_line --partial "Verify return code: 0 (ok)"
	assert_line $'HTTP/1.1 101 Switching Protocols\r'
	assert_line "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo="$'\r'
	assert_output --partial "Welcome to the WebSocket server!"
	assert_exits 6
}

@test "--tls-min 1.3 refuses a TLS 1.2 client; the same client passes --tls-min 1.2" {
	start_inetd_mode "${TLS[@]}" --tls-min 1.3
	run -1 openssl s_client -connect "127.0.0.1:$PORT" -tls1_2 </dev/null
	assert_exits 9
	assert_log 'TLS handshake failed: unsupported protocol,'
	start_inetd_mode "${TLS[@]}" --tls-min 1.2
	run -0 wss --tls-min 1.2
	assert_output "$HELLO_OUT"
}

@test "a missing certificate file fails at start with exit 9 and one line" {
	run --separate-stderr -9 "$WSINETD" --tls-cert "$PKI/none.pem" \
		--tls-key "$PKI/server.key" </dev/null
	[ "$stderr" = "<3>TLS: certificate $PKI/none.pem: No such file or directory" ] ||
		fail "stderr: $stderr"
}

@test "a key that does not match the certificate fails at start with exit 9" {
	run --separate-stderr -9 "$WSINETD" --tls-cert "$PKI/server.pem" \
		--tls-key "$PKI/client.key" </dev/null
	[[ $stderr == "<3>TLS: key $PKI/client.key: "* ]] || fail "stderr: $stderr"
}

@test "a key in SEC1 form (BEGIN EC PRIVATE KEY) serves as well as the PKCS#8 one openssl req wrote" {
	head -1 "$PKI/server.key" | grep -qx -- '-----BEGIN PRIVATE KEY-----' ||
		fail "the test key is not PKCS#8: $(head -1 "$PKI/server.key")"
	openssl ec -in "$PKI/server.key" -out "$BATS_TEST_TMPDIR/sec1.key" 2>/dev/null
	head -1 "$BATS_TEST_TMPDIR/sec1.key" | grep -qx -- '-----BEGIN EC PRIVATE KEY-----' ||
		fail "openssl ec wrote no SEC1 key"
	start_inetd_mode --tls-cert "$PKI/server.pem" --tls-key "$BATS_TEST_TMPDIR/sec1.key"
	run --separate-stderr -0 wss
	assert_output "$HELLO_OUT"
	assert_exits 0
}

@test "--tls-ticket-keys lets a second Accept=yes process resume the first one's session" {
	start_inetd_mode "${TLS[@]}" --tls-ticket-keys "$PKI/both.keys" --idle-timeout 1
	run -0 s_client_session OUT "$BATS_TEST_TMPDIR/sess"
	assert_output "New, TLSv1.3"
	run -0 s_client_session IN "$BATS_TEST_TMPDIR/sess"
	assert_output "Reused, TLSv1.3"
	assert_exits 6 6
}

@test "without --tls-ticket-keys an Accept=yes wsinetd neither issues nor takes tickets" {
	start_inetd_mode "${TLS[@]}" --idle-timeout 1
	run -0 s_client_session OUT "$BATS_TEST_TMPDIR/none"
	assert_output "New, TLSv1.3"
	[ ! -e "$BATS_TEST_TMPDIR/none" ] || fail "a session was saved"
	start_inetd_mode "${TLS[@]}" --tls-ticket-keys "$PKI/both.keys" --idle-timeout 1
	run -0 s_client_session OUT "$BATS_TEST_TMPDIR/sess"
	[ -s "$BATS_TEST_TMPDIR/sess" ] || fail "no session saved"
	start_inetd_mode "${TLS[@]}" --idle-timeout 1
	run -0 s_client_session IN "$BATS_TEST_TMPDIR/sess"
	assert_output "New, TLSv1.3"
}

@test "wsclient --tls-session resumes across two Accept=yes processes sharing a ticket key file" {
	local sess=$BATS_TEST_TMPDIR/sess
	start_listenfds_mode "${TLS[@]}" --tls-ticket-keys "$PKI/both.keys"
	resume "$sess" NEW
	[ "$(stat -c %a "$sess")" = 600 ] || fail "mode $(stat -c %a "$sess")"
	grep -q '^-----BEGIN SSL SESSION PARAMETERS-----$' "$sess" || fail "not PEM"
	resume "$sess" RESUMED
	assert_exits 0 0
	assert_log ', TLSv1\.3 full handshake$'
	assert_log ', TLSv1\.3 resumed$'
	[ "$(find "$BATS_TEST_TMPDIR" -name 'sess.*' | wc -l)" = 0 ] ||
		fail "temporary files left: $(ls "$BATS_TEST_TMPDIR")"
}

@test "wsclient --tls-session does not resume with Accept=yes processes without a ticket key file" {
	local sess=$BATS_TEST_TMPDIR/sess
	start_inetd_mode "${TLS[@]}"
	resume "$sess" NEW
	[ ! -e "$sess" ] || fail "a session was saved"
	resume "$sess" NEW
	refute_log 'resumed'
}

@test "a ticket under the old key resumes after a new key is prepended, and its successor is under the new key" {
	local sess=$BATS_TEST_TMPDIR/sess
	start_inetd_mode "${TLS[@]}" --tls-ticket-keys "$PKI/old.keys"
	resume "$sess" NEW
	cp "$sess" "$BATS_TEST_TMPDIR/old-ticket"
	start_inetd_mode "${TLS[@]}" --tls-ticket-keys "$PKI/both.keys"
	resume "$sess" RESUMED
	start_inetd_mode "${TLS[@]}" --tls-ticket-keys "$PKI/new.keys"
	resume "$sess" RESUMED
	# The control: the old key's ticket, once that key is dropped.
	resume "$BATS_TEST_TMPDIR/old-ticket" NEW
}

@test "a listener's children resume each other's sessions without a ticket key file" {
	local sess=$BATS_TEST_TMPDIR/sess
	start_listen "${TLS[@]}"
	resume "$sess" NEW
	resume "$sess" RESUMED
	wait_log ', TLSv1\.3 resumed$'
	# Another listener has other random keys.
	start_listen "${TLS[@]}"
	resume "$sess" NEW
}

@test "wsclient --tls-session with a file that holds no session warns, starts a new one and replaces it" {
	local sess=$BATS_TEST_TMPDIR/sess
	echo garbage >"$sess"
	start_listenfds_mode "${TLS[@]}" --tls-ticket-keys "$PKI/both.keys"
	run --separate-stderr -0 wss --tls-session "$sess"
	assert_output "$HELLO_OUT"
	[ "$stderr" = "wsclient: warning: --tls-session $sess: not a saved TLS session; starting a new one
wsclient: TLS session new" ] || fail "stderr: $stderr"
	resume "$sess" RESUMED
	run --separate-stderr -0 wss --tls-session "$BATS_TEST_TMPDIR/no/such/dir"
	[ "$stderr" = "wsclient: warning: --tls-session $BATS_TEST_TMPDIR/no/such/dir: cannot save: No such file or directory
wsclient: TLS session new" ] || fail "stderr: $stderr"
}

# live_client: a wsclient --stdin in the background on $PORT, trusting
# the test CA; say LINE sends a line, heard LINE waits for a line back.
# Its PID is kept in LIVE_CLIENT: bash unsets LIVE_PID once the coproc
# has exited, which may be before the test waits for it.
live_client() {
	coproc LIVE { exec 3>&-; exec "$WSCLIENT" --stdin -n 0 --cacert "$PKI/ca.pem" "wss://localhost:$PORT/"; }
	LIVE_CLIENT=$LIVE_PID
	SERVER_PIDS+=("$LIVE_CLIENT")
}
say() { printf '%s\n' "$1" >&"${LIVE[1]}"; }
heard() {
	local line
	read -r -t 5 line <&"${LIVE[0]}" || fail "no answer (want: $1)"
	[ "$line" = "$1" ] || fail "got '$line', want '$1'"
}

@test "SIGHUP makes a listener serve a new certificate to new connections; live ones go on" {
	local d=$BATS_TEST_TMPDIR
	cp "$PKI/server.pem" "$d/cert.pem" && cp "$PKI/server.key" "$d/key.pem"
	start_listen --tls-cert "$d/cert.pem" --tls-key "$d/key.pem"
	live_client
	heard "Welcome to the WebSocket server!"
	say before
	heard "You said: before"
	run --separate-stderr -0 wss --tls-session "$d/sess"
	refused "certificate verify failed: unable to get local issuer certificate" --cacert "$PKI/other-ca.pem" "wss://localhost:$PORT/"
	cp "$PKI/renewed.pem" "$d/cert.pem" && cp "$PKI/renewed.key" "$d/key.pem"
	kill -HUP "$SERVER_PID"
	wait_log '^<5>SIGHUP: TLS certificate and keys reloaded$'
	run --separate-stderr -0 wsclient --cacert "$PKI/other-ca.pem" "wss://localhost:$PORT/"
	assert_output "$HELLO_OUT"
	refused "certificate verify failed: unable to get local issuer certificate" --cacert "$PKI/ca.pem" "wss://localhost:$PORT/"
	# The random ticket keys outlive the reload.
	run --separate-stderr -0 wsclient --cacert "$PKI/other-ca.pem" --tls-session "$d/sess" "wss://localhost:$PORT/"
	[ "$stderr" = "wsclient: TLS session resumed" ] || fail "stderr: $stderr"
	say after
	heard "You said: after"
	exec {LIVE[1]}>&-
	wait "$LIVE_CLIENT" || fail "the live client exited with $?"
}

@test "a failed SIGHUP reload keeps the old certificate and keys and logs one line" {
	local d=$BATS_TEST_TMPDIR
	cp "$PKI/server.pem" "$d/cert.pem" && cp "$PKI/server.key" "$d/key.pem"
	cp "$PKI/both.keys" "$d/ticket.keys"
	start_listen --tls-cert "$d/cert.pem" --tls-key "$d/key.pem" --tls-ticket-keys "$d/ticket.keys"
	cp "$PKI/renewed.pem" "$d/cert.pem"
	kill -HUP "$SERVER_PID"
	wait_log "^<3>SIGHUP: TLS: key $d/key.pem: key values mismatch; kept the old certificate and keys\$"
	cp "$PKI/renewed.key" "$d/key.pem"
	head -c 81 "$PKI/both.keys" >"$d/ticket.keys"
	kill -HUP "$SERVER_PID"
	wait_log "^<3>SIGHUP: TLS: ticket keys $d/ticket.keys: 81 bytes, not a multiple of 80 .*; kept the old certificate and keys\$"
	[ "$(grep -c SIGHUP "$LOG")" = 2 ] || fail "log: $(cat "$LOG")"
	run --separate-stderr -0 wss
	assert_output "$HELLO_OUT"
	# Fixed, the next SIGHUP takes.
	cp "$PKI/both.keys" "$d/ticket.keys"
	kill -HUP "$SERVER_PID"
	wait_log '^<5>SIGHUP: TLS certificate and keys reloaded$'
	run --separate-stderr -0 wsclient --cacert "$PKI/other-ca.pem" "wss://localhost:$PORT/"
	assert_output "$HELLO_OUT"
}

@test "SIGHUP to a listener without TLS says there is nothing to reload, and it goes on" {
	start_listen
	kill -HUP "$SERVER_PID"
	wait_log '^<5>SIGHUP: nothing to reload without --tls-cert$'
	run -0 wsclient "ws://127.0.0.1:$PORT/"
	assert_output "$HELLO_OUT"
}

# env_has LINE...: each LINE is exactly one line of $output.
env_has() {
	local l
	for l in "$@"; do
		[ "$(grep -c -x -F -- "$l" <<<"$output")" = 1 ] ||
			fail "want '$l' once in: $output"
	done
}

@test "a bridged program sees HTTPS, REQUEST_SCHEME and mod_ssl's SSL_* variables, client certificate included" {
	local serial sha
	serial=$(openssl x509 -in "$PKI/client.pem" -noout -serial | sed 's/^serial=//')
	sha=$(openssl x509 -in "$PKI/client.pem" -outform der | sha256sum | cut -d' ' -f1)
	start_listenfds_mode "${TLS[@]}" --tls-client-ca "$PKI/ca.pem" --tls-client-optional \
		--tls-ticket-keys "$PKI/both.keys" -- env
	run --separate-stderr -0 wss -n 0 --timeout 5 --cert "$PKI/client.pem" --key "$PKI/client.key" \
		--tls-session "$BATS_TEST_TMPDIR/sess"
	env_has HTTPS=on REQUEST_SCHEME=https SSL_PROTOCOL=TLSv1.3 \
		SSL_SESSION_RESUMED=Initial SSL_CLIENT_VERIFY=SUCCESS \
		SSL_CLIENT_S_DN=CN=test-client SSL_CLIENT_I_DN=CN=wsinetd-test-CA \
		"SSL_CLIENT_M_SERIAL=$serial" "SSL_CLIENT_SERIAL=$serial" \
		"SSL_CLIENT_CERT_SHA256=$sha"
	[[ $output =~ (^|$'\n')SSL_CIPHER=TLS_[A-Z0-9_]+($'\n'|$) ]] || fail "no SSL_CIPHER: $output"
	run --separate-stderr -0 wss -n 0 --timeout 5 --cert "$PKI/client.pem" --key "$PKI/client.key" \
		--tls-session "$BATS_TEST_TMPDIR/sess"
	env_has SSL_SESSION_RESUMED=Resumed SSL_CLIENT_VERIFY=SUCCESS SSL_CLIENT_S_DN=CN=test-client
	# Without a client certificate: NONE, and no certificate variables.
	run --separate-stderr -0 wss -n 0 --timeout 5
	env_has HTTPS=on SSL_CLIENT_VERIFY=NONE SSL_SESSION_RESUMED=Initial
	! grep -q '^SSL_CLIENT_[SIMC]' <<<"$output" || fail "certificate variables: $output"
}

@test "a ticket key file that is empty, of the wrong size or missing fails at start with one line" {
	head -c 79 "$PKI/both.keys" >"$BATS_TEST_TMPDIR/short"
	: >"$BATS_TEST_TMPDIR/empty"
	run --separate-stderr -9 "$WSINETD" "${TLS[@]}" --tls-ticket-keys "$BATS_TEST_TMPDIR/short" </dev/null
	[ "$stderr" = "<3>TLS: ticket keys $BATS_TEST_TMPDIR/short: 79 bytes, not a multiple of 80 (openssl rand 80 makes one key)" ] ||
		fail "stderr: $stderr"
	run --separate-stderr -9 "$WSINETD" "${TLS[@]}" --tls-ticket-keys "$BATS_TEST_TMPDIR/empty" </dev/null
	[ "$stderr" = "<3>TLS: ticket keys $BATS_TEST_TMPDIR/empty: empty (openssl rand 80 makes one key)" ] ||
		fail "stderr: $stderr"
	run --separate-stderr -9 "$WSINETD" "${TLS[@]}" --tls-ticket-keys "$BATS_TEST_TMPDIR/none" </dev/null
	[ "$stderr" = "<3>TLS: ticket keys $BATS_TEST_TMPDIR/none: No such file or directory" ] ||
		fail "stderr: $stderr"
	run --separate-stderr -2 "$WSINETD" --tls-ticket-keys "$PKI/both.keys"
	[[ $stderr == "wsinetd: --tls-ticket-keys needs --tls-cert"$'\n'* ]] || fail "stderr: $stderr"
}

@test "TLS options without --tls-cert are usage errors" {
	run --separate-stderr -2 "$WSINETD" --tls-client-ca "$PKI/ca.pem"
	[[ $stderr == "wsinetd: --tls-client-ca and --tls-min need --tls-cert"$'\n'* ]] || fail "stderr: $stderr"
	run --separate-stderr -2 "$WSINETD" --tls-cert "$PKI/server.pem"
	[[ $stderr == "wsinetd: --tls-cert and --tls-key go together"$'\n'* ]] || fail "stderr: $stderr"
	run --separate-stderr -2 "$WSINETD" "${TLS[@]}" --tls-min 1.1
	[[ $stderr == "wsinetd: invalid --tls-min: 1.1 (1.2 or 1.3)"$'\n'* ]] || fail "stderr: $stderr"
}

@test "Python websockets' client with an SSL context does the hello exchange with wsinetd" {
	"$PYTHON" -c 'import websockets' || fail "Python websockets is missing"
	start_inetd_mode "${TLS[@]}"
	SSL_CERT_FILE=$PKI/ca.pem run --separate-stderr -0 \
		"$BATS_TEST_DIRNAME/../interop/websockets_client.py" \
		"wss://localhost:$PORT/" hello
	assert_output "$HELLO_OUT
closed: 1000
extensions: permessage-deflate"
	assert_exits 0
}

@test "wsclient does the hello exchange with a Python websockets wss:// server" {
	"$PYTHON" -c 'import websockets' || fail "Python websockets is missing"
	PORT=$(free_port)
	spawn "$PYTHON" "$BATS_TEST_DIRNAME/../interop/websockets_server.py" \
		--tls-cert "$PKI/server.pem" --tls-key "$PKI/server.key" "$PORT"
	wait_port "$PORT" "$SERVER_PID"
	run --separate-stderr -0 wss
	assert_output "$HELLO_OUT"
	refused "certificate verify failed: unable to get local issuer certificate" --cacert "$PKI/other-ca.pem" "wss://localhost:$PORT/"
}
