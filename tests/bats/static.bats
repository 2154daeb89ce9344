#!/usr/bin/env bats
# SPDX-License-Identifier: ISC
#
# --static DIR and --console: plain HTTP/1.1 on the WebSocket's own port,
# with curl as the client: GET, HEAD, 304, 404, 405, every traversal the
# --dir tests try, links, a large file by sendfile, keep-alive and its
# bounds, and an upgrade after plain requests on one connection.

load helpers

# run --separate-stderr sets $stderr.
# shellcheck disable=SC2154

setup() {
	require_tools
	command -v curl >/dev/null || fail "curl is not installed"
	SERVER_PIDS=()
	LOG=$BATS_TEST_TMPDIR/server.log
}

# A directory to serve, and a secret beside it that no request may reach.
make_www() {
	WWW=$BATS_TEST_TMPDIR/www
	mkdir -p "$WWW/sub/deeper" "$WWW/.hidden" "$WWW/empty"
	printf 'hello, static\n' >"$WWW/hello.txt"
	printf '<p>index</p>\n' >"$WWW/index.html"
	printf '<p>sub</p>\n' >"$WWW/sub/index.html"
	printf 'body{}\n' >"$WWW/sub/deeper/s.css"
	printf '{}\n' >"$WWW/a.json"
	printf 'secret\n' >"$BATS_TEST_TMPDIR/outside"
	printf 'hidden\n' >"$WWW/.hidden/file"
	printf 'dot\n' >"$WWW/.dotfile"
	ln -s "$BATS_TEST_TMPDIR/outside" "$WWW/link"
	ln -s "$BATS_TEST_TMPDIR" "$WWW/uplink"
	touch -d '2024-02-29 12:00:00 UTC' "$WWW/hello.txt"
}

# http PATH [CURL ARGS...]: the answer's head and body in $output.
http() {
	local path=$1
	shift
	run --separate-stderr curl -sS -i --max-time 5 "$@" \
		"http://127.0.0.1:$PORT$path"
	output=${output//$'\r'/}
}

# status_is CODE: the status line of $output.
status_is() {
	[[ ${lines[0]} == "HTTP/1.1 $1 "* ]] ||
		fail "want status $1, got: $output (curl: $stderr)"
}

header_is() {
	grep -qxF -- "$1" <<<"$output" || fail "no '$1' line in: $output"
}

refute_header() {
	! grep -qi -- "^$1:" <<<"$output" || fail "a $1 header in: $output"
}

@test "GET of a file: the bytes, type, length, Last-Modified, ETag and nosniff" {
	make_www
	start_inetd_mode --static "$WWW"
	http /hello.txt
	status_is 200
	header_is 'Content-Type: text/plain; charset=utf-8'
	header_is 'Content-Length: 14'
	header_is 'Last-Modified: Thu, 29 Feb 2024 12:00:00 GMT'
	header_is "ETag: \"$(printf '%x' "$(stat -c %Y "$WWW/hello.txt")")-e\""
	header_is 'X-Content-Type-Options: nosniff'
	[ "${lines[-1]}" = 'hello, static' ] || fail "body: $output"
	http /a.json
	header_is 'Content-Type: application/json'
	http /sub/deeper/s.css
	header_is 'Content-Type: text/css; charset=utf-8'
	assert_exits 0 0 0
	assert_log '^<6>127\.0\.0\.1:[0-9]+ GET /hello\.txt: 200 OK$'
	assert_log '^<6>127\.0\.0\.1:[0-9]+ served 1 HTTP request, '
}

@test "a directory named with its slash gives its index.html" {
	make_www
	start_inetd_mode --static "$WWW"
	http /
	status_is 200
	header_is 'Content-Type: text/html; charset=utf-8'
	[ "${lines[-1]}" = '<p>index</p>' ] || fail "body: $output"
	http /sub/
	[ "${lines[-1]}" = '<p>sub</p>' ] || fail "body: $output"
	http '/sub/?x=1'
	[ "${lines[-1]}" = '<p>sub</p>' ] || fail "body: $output"
	# control: a directory without one is not listed
	http /empty/
	status_is 404
	assert_exits 0 0 0 0
}

@test "a directory named without its slash is redirected to it, query and all" {
	make_www
	mkdir "$WWW/evil.example"
	start_inetd_mode --static "$WWW"
	http /sub
	status_is 301
	header_is 'Location: /sub/'
	header_is 'Connection: keep-alive'
	[ "${lines[-1]}" = 'Moved Permanently' ] || fail "body: $output"
	http '/sub/deeper?x=1&y=%2F'
	status_is 301
	header_is 'Location: /sub/deeper/?x=1&y=%2F'
	# as the client sent it, not decoded; and HEAD gets the same head
	http /s%75b -I
	status_is 301
	header_is 'Location: /s%75b/'
	header_is 'Content-Length: 18'
	# a directory without an index too: the 404 comes after the slash
	http /empty
	header_is 'Location: /empty/'
	# curl following it gets the index, whose relative links now work
	http /sub -L
	[ "${lines[-1]}" = '<p>sub</p>' ] || fail "body: $output"
	# a name that would be another host's as a Location is never one:
	# the control is the same directory named plainly
	http /evil.example
	header_is 'Location: /evil.example/'
	local path
	for path in //evil.example '/\evil.example' /%2fevil.example \
		/%5cevil.example '/./evil.example' /sub/../evil.example; do
		http "$path" --path-as-is
		status_is 404
		refute_header Location
	done
	# one connection each, but curl -L asked twice on one
	assert_exits 0 0 0 0 0 0 0 0 0 0 0 0
	assert_log 'served 2 HTTP requests, '
	assert_log 'GET /sub: 301 Moved Permanently$'
	assert_log 'HEAD /s%75b: 301 Moved Permanently$'
	assert_log 'GET //evil\.example: 404 Not Found, empty path segment$'
}

@test "HEAD gives GET's head and no body" {
	make_www
	start_inetd_mode --static "$WWW"
	run --separate-stderr curl -sS -I --max-time 5 \
		"http://127.0.0.1:$PORT/hello.txt"
	output=${output//$'\r'/}
	status_is 200
	header_is 'Content-Length: 14'
	header_is 'Last-Modified: Thu, 29 Feb 2024 12:00:00 GMT'
	# curl -I would wait for a body announced by Content-Length if one
	# came; the raw bytes show none does.
	run "$PYTHON" -c 'import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=3)
s.sendall(b"HEAD /hello.txt HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n")
data = b""
while True:
    b = s.recv(65536)
    if not b:
        break
    data += b
sys.stdout.write(data.decode().split("\r\n\r\n", 1)[1] + "END")' "$PORT"
	assert_output END
	assert_exits 0 0
	assert_log 'HEAD /hello\.txt: 200 OK'
}

@test "If-None-Match and If-Modified-Since give 304 without a body; other validators 200" {
	make_www
	start_inetd_mode --static "$WWW"
	http /hello.txt
	local etag
	etag=$(sed -n 's/^ETag: //p' <<<"$output")
	http /hello.txt -H "If-None-Match: $etag"
	status_is 304
	header_is "ETag: $etag"
	refute_header Content-Length
	[ -z "$(sed '1,/^$/d' <<<"$output")" ] ||
		fail "a body after 304: $output"
	http /hello.txt -H 'If-Modified-Since: Thu, 29 Feb 2024 12:00:00 GMT'
	status_is 304
	# controls: another tag; a date before the change; both, the tag wins
	http /hello.txt -H 'If-None-Match: "0-0"'
	status_is 200
	http /hello.txt -H 'If-Modified-Since: Thu, 29 Feb 2024 11:59:59 GMT'
	status_is 200
	http /hello.txt -H 'If-None-Match: "0-0"' \
		-H 'If-Modified-Since: Fri, 01 Jan 2100 00:00:00 GMT'
	status_is 200
	assert_exits 0 0 0 0 0 0
}

@test "404 says nothing more; 405 names GET and HEAD in Allow" {
	make_www
	start_inetd_mode --static "$WWW"
	http /nothing.html
	status_is 404
	[ "${lines[-1]}" = 'Not Found' ] || fail "body: $output"
	! grep -q "$WWW" <<<"$output" || fail "the path leaked: $output"
	http /hello.txt -X POST -d x=1
	status_is 405
	header_is 'Allow: GET, HEAD'
	header_is 'Connection: close'
	http /hello.txt -X DELETE
	status_is 405
	assert_exits 0 0 0
	assert_log 'GET /nothing\.html: 404 Not Found, no such file$'
	assert_log 'POST /hello\.txt: 405 Method Not Allowed, only GET and HEAD$'
}

# assert_404 PATH REASON: curl gets 404 and the log says why.
assert_404() {
	http "$1" --path-as-is
	status_is 404
	grep -F -- "$1: 404 Not Found, $2" "$LOG" >/dev/null ||
		wait_line "$LOG" "404 Not Found, $2"
	! grep -q -e secret -e hidden -e dot <<<"$output" ||
		fail "$1 reached outside: $output"
}

@test "--static answers 404 to every traversal attempt the --dir tests make" {
	make_www
	start_inetd_mode --static "$WWW"
	assert_404 /../outside "path segment starts with '.'"
	assert_404 /sub/../../outside "path segment starts with '.'"
	assert_404 /%2e%2e/outside "path segment starts with '.'"
	assert_404 /%2E%2e/outside "path segment starts with '.'"
	assert_404 /./hello.txt "path segment starts with '.'"
	assert_404 /.hidden/file "path segment starts with '.'"
	assert_404 /.dotfile "path segment starts with '.'"
	assert_404 //hello.txt 'empty path segment'
	assert_404 /sub//index.html 'empty path segment'
	assert_404 '/sub\index.html' 'backslash in path'
	assert_404 /sub%2findex.html 'encoded slash in path'
	assert_404 /hello.txt%00 'malformed or overlong path segment'
	assert_404 /sub/%2e%2e/x "path segment starts with '.'"
	assert_404 /%252e%252e/outside 'no such file'
	assert_404 /link 'symbolic links are not followed'
	assert_404 /uplink/outside 'symbolic links are not followed'
	assert_404 /hello.txt/x 'a file is not a directory'
	# control: the same server serves a good path, decoded once
	http /hell%6f.txt
	status_is 200
	[ "${lines[-1]}" = 'hello, static' ] || fail "body: $output"
}

@test "a file replaced by a symbolic link is no longer served" {
	make_www
	start_inetd_mode --static "$WWW"
	http /hello.txt
	status_is 200
	rm "$WWW/hello.txt"
	ln -s "$BATS_TEST_TMPDIR/outside" "$WWW/hello.txt"
	http /hello.txt
	status_is 404
	! grep -q secret <<<"$output" || fail "followed the link: $output"
	assert_exits 0 0
	assert_log 'GET /hello\.txt: 404 Not Found, symbolic links are not followed'
}

@test "a 10 MB file goes out by sendfile, whole and unchanged" {
	make_www
	head -c 10485760 /dev/urandom >"$WWW/big.bin"
	command -v strace >/dev/null || fail "strace is not installed"
	# (LeakSanitizer cannot run under ptrace: off for a sanitized build)
	activate 127.0.0.1 --inetd env ASAN_OPTIONS=detect_leaks=0 \
		strace -f -qq -e trace=sendfile,read \
		-o "$BATS_TEST_TMPDIR/trace" "$WSINETD" --static "$WWW"
	run curl -sS --max-time 20 -o "$BATS_TEST_TMPDIR/got" -w '%{http_code} %{content_type}' \
		"http://127.0.0.1:$PORT/big.bin"
	assert_output '200 application/octet-stream'
	[ "$(sha256sum <"$BATS_TEST_TMPDIR/got")" = "$(sha256sum <"$WWW/big.bin")" ] ||
		fail "the bytes differ"
	assert_exits 0
	# every byte came from sendfile; none was read into the process
	local sent
	sent=$(awk -F' = ' '/sendfile\(/ && $2 > 0 { n += $2 } END { print n }' \
		"$BATS_TEST_TMPDIR/trace")
	[ "$sent" = 10485760 ] || fail "sendfile sent $sent bytes: $(head "$BATS_TEST_TMPDIR/trace")"
}

@test "under --listen (Accept=no) the jailed listener's children serve the files too" {
	make_www
	PORT=$(free_port)
	spawn "$WSINETD" --listen "127.0.0.1:$PORT" --static "$WWW"
	wait_port "$PORT" "$SERVER_PID"
	http /hello.txt
	status_is 200
	[ "${lines[-1]}" = 'hello, static' ] || fail "body: $output"
	http /sub
	header_is 'Location: /sub/'
	# jailed as it serves: the children are in its Landlock domain and
	# under its filter, which must let them read beneath the directory
	grep -Eq '^Seccomp:[[:space:]]+2$' "/proc/$SERVER_PID/status" ||
		fail "the listener is not jailed: $(grep Seccomp "/proc/$SERVER_PID/status")"
	# control: still nothing outside it
	http /link
	status_is 404
	wait_line "$LOG" 'GET /link: 404 Not Found, symbolic links'
	assert_log 'GET /hello\.txt: 200 OK$'
}

@test "keep-alive: several requests on one connection, then an upgrade on it works" {
	make_www
	start_inetd_mode --static "$WWW"
	run "$PYTHON" - "$PORT" <<-'EOF'
		import socket, sys
		s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=3)
		f = s.makefile("rb")
		def answer():
		    status = f.readline().decode().strip()
		    n = 0
		    while True:
		        line = f.readline().decode().strip()
		        if not line:
		            break
		        if line.lower().startswith("content-length:"):
		            n = int(line.split(":")[1])
		    return status, f.read(n).decode()
		# two at once (pipelined), then one more
		s.sendall(b"GET /hello.txt HTTP/1.1\r\nHost: h\r\n\r\n"
		          b"GET /sub/ HTTP/1.1\r\nHost: h\r\n\r\n")
		print(*answer())
		print(*answer())
		s.sendall(b"GET /a.json HTTP/1.1\r\nHost: h\r\n\r\n")
		print(*answer())
		s.sendall(b"GET / HTTP/1.1\r\nHost: h\r\nUpgrade: websocket\r\n"
		          b"Connection: Upgrade\r\nSec-WebSocket-Version: 13\r\n"
		          b"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n")
		print(f.readline().decode().strip())
		while f.readline().strip():
		    pass
		head = f.read(2)
		print(f.read(head[1]).decode())
	EOF
	assert_output "HTTP/1.1 200 OK hello, static

HTTP/1.1 200 OK <p>sub</p>

HTTP/1.1 200 OK {}

HTTP/1.1 101 Switching Protocols
Welcome to the WebSocket server!"
	assert_exits 8
	assert_log 'GET /a\.json: 200 OK'
}

@test "keep-alive is bounded: 32 requests, then Connection: close; an idle one is closed" {
	make_www
	start_inetd_mode --static "$WWW" --idle-timeout 1
	local urls=() i
	for ((i = 0; i < 33; i++)); do
		urls+=("http://127.0.0.1:$PORT/hello.txt")
	done
	run --separate-stderr curl -sS -i --max-time 10 "${urls[@]}"
	[ "$(grep -c '^HTTP/1.1 200' <<<"$output")" = 33 ] || fail "$output"
	[ "$(grep -c '^Connection: close' <<<"$output")" = 1 ] || fail "$output"
	assert_exits 0 0
	assert_log 'served 32 HTTP requests, '
	assert_log 'served 1 HTTP request, '
	# control: a client that stays, silent, is let go after 1 s
	local start
	start=$(now_ms)
	run "$PYTHON" -c 'import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=5)
s.sendall(b"GET /hello.txt HTTP/1.1\r\nHost: h\r\n\r\n")
while s.recv(65536):
    pass
print("closed")' "$PORT"
	assert_output closed
	[ $(($(now_ms) - start)) -ge 900 ] || fail "closed before the idle timeout"
	assert_exits 0 0 0
	assert_log 'served 1 HTTP request, then idle'
}

@test "bad plain requests get 400 and 431 as before, and close" {
	make_www
	start_inetd_mode --static "$WWW"
	http /hello.txt -H 'Host:'
	status_is 400
	http /hello.txt -H "X-Big: $(head -c 9000 /dev/zero | tr '\0' a)"
	status_is 431
	assert_exits 4 4
	assert_log 'refused: 400 missing Host header'
	assert_log 'refused: 431 header block too large'
}

@test "control: without --static or --console a plain GET is refused as today" {
	start_inetd_mode
	http /
	status_is 400
	[ "${lines[-1]}" = 'Upgrade header is not websocket' ] || fail "$output"
	assert_exits 4
}

@test "--console serves the built-in page, its script and style" {
	start_inetd_mode --console
	http /
	status_is 200
	header_is 'Content-Type: text/html; charset=utf-8'
	grep -q '<title>wsinetd — WebSocket console</title>' <<<"$output" ||
		fail "not the console: $output"
	local etag
	etag=$(sed -n 's/^ETag: //p' <<<"$output")
	http /console.js
	header_is 'Content-Type: text/javascript; charset=utf-8'
	[ "$(sed '1,/^$/d' <<<"$output")" = "$(cat "$BATS_TEST_DIRNAME/../../contrib/www/console.js")" ] ||
		fail "console.js differs from contrib/www"
	http /style.css
	header_is 'Content-Type: text/css; charset=utf-8'
	http / -H "If-None-Match: $etag"
	status_is 304
	http /etc/passwd
	status_is 404
	assert_exits 0 0 0 0 0
}

@test "--static and --console: usage errors" {
	run --separate-stderr -2 "$WSINETD" --static "$BATS_TEST_TMPDIR/none"
	[[ $stderr == *"--static $BATS_TEST_TMPDIR/none: No such file"* ]] ||
		fail "stderr: $stderr"
	run --separate-stderr -2 "$WSINETD" --static "$BATS_TEST_TMPDIR" --console
	[[ $stderr == *"--static and --console exclude each other"* ]] ||
		fail "stderr: $stderr"
	run --separate-stderr -2 "$WSINETD" --static /etc/hostname
	[[ $stderr == *"Not a directory"* ]] || fail "stderr: $stderr"
}
