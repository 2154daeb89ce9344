#!/usr/bin/env bats
# SPDX-License-Identifier: ISC
#
# wsinetd under the real super-servers, started as daemons on a loopback
# port with private configurations and stopped by PID: openbsd-inetd (the
# Debian package) and xinetd (a copy unpacked into build/xinetd by
# scripts/deps check, since the package conflicts with openbsd-inetd).
# Under both, fd 0, 1 and 2 are the client's socket: only WebSocket bytes
# may reach the client, the log goes to syslog. The contrib files are
# checked by running the daemons on them, with the port and paths changed.

load helpers

CONTRIB=$BATS_TEST_DIRNAME/../../contrib
XINETD=${XINETD:-$BATS_TEST_DIRNAME/../../build/xinetd/usr/sbin/xinetd}

# service_line [OPTIONS]: contrib/inetd.conf's service line; with
# OPTIONS, its commented example that runs "wsinetd OPTIONS", uncommented.
service_line() {
	if [ $# -eq 0 ]; then
		grep -v '^#' "$CONTRIB/inetd.conf"
	else
		sed -n "s|^#\(8080	.*	wsinetd $*\)\$|\1|p" "$CONTRIB/inetd.conf"
	fi
}

# start_openbsd_inetd ARGS...: inetd in the foreground (-i) with debug
# output (-d, which logs each child's wait status) and its own /run (a
# mount namespace), so its pid file does not touch the system's. The
# service line is contrib/inetd.conf's (or, with INETD_EXAMPLE set, the
# example "service_line $INETD_EXAMPLE" finds, its /srv/www being
# $BATS_TEST_TMPDIR/www), bound to 127.0.0.1:$PORT, running this build's
# wsinetd as the current user.
start_openbsd_inetd() {
	local conf=$BATS_TEST_TMPDIR/inetd.conf
	[ -x /usr/sbin/inetd ] || fail "openbsd-inetd is not installed"
	command -v unshare >/dev/null || fail "unshare is not installed"
	PORT=$(free_port)
	# shellcheck disable=SC2086 # the example's options, word by word
	service_line ${INETD_EXAMPLE:-} |
		sed -e "s|^8080|127.0.0.1:$PORT|" -e "s|nobody|$(id -un)|" \
			-e "s|/usr/local/sbin/wsinetd|$WSINETD|" \
			-e "s| /srv/www\$| $BATS_TEST_TMPDIR/www|" \
			-e "s|\$| $*|" >"$conf"
	grep -q "^127.0.0.1:$PORT	.*$WSINETD	wsinetd" "$conf" ||
		fail "contrib/inetd.conf changed shape: $(cat "$conf")"
	spawn unshare -m sh -c 'mount -t tmpfs tmpfs /run && exec "$@"' \
		sh /usr/sbin/inetd -d -i "$conf"
	wait_port "$PORT" "$SERVER_PID"
}

# start_xinetd ARGS...: xinetd in the foreground with contrib's service
# entry, bound to 127.0.0.1:$PORT, running this build's wsinetd with
# ARGS as the current user; its own log (a file: START and EXIT lines)
# becomes $LOG.
start_xinetd() {
	local conf=$BATS_TEST_TMPDIR/xinetd.conf xlog=$BATS_TEST_TMPDIR/xinetd.log
	# An empty server_args would disable the service: keep the comment.
	local args="s|^\t#server_args\t= .*|\tserver_args\t= $*|"
	[ $# -gt 0 ] || args=""
	[ -x "$XINETD" ] || fail "$XINETD is missing (run scripts/deps check as root)"
	PORT=$(free_port)
	{
		printf 'defaults\n{\n\tlog_type = FILE %s\n}\n' "$xlog"
		sed -e "s|^\tport\t\t= 8080|\tport\t\t= $PORT|" \
			-e "s|^\tflags\t\t= IPv6|\tbind\t\t= 127.0.0.1|" \
			-e "s|^\tuser\t\t= nobody|\tuser\t\t= $(id -un)|" \
			-e "s|^\tserver\t\t= /usr/local/sbin/wsinetd|\tserver\t\t= $WSINETD|" \
			-e "$args" \
			-e "s|^\tlog_on_failure\t+= HOST ATTEMPT|&\n\tlog_on_success\t= PID HOST EXIT|" \
			"$CONTRIB/xinetd.d/ws-echo"
	} >"$conf"
	grep -q "port		= $PORT" "$conf" && grep -q "bind		= 127.0.0.1" "$conf" &&
		grep -q "log_on_success	= PID HOST EXIT" "$conf" ||
		fail "contrib/xinetd.d/ws-echo changed shape: $(cat "$conf")"
	spawn "$XINETD" -dontfork -f "$conf" -pidfile "$BATS_TEST_TMPDIR/xinetd.pid"
	wait_port "$PORT" "$SERVER_PID"
	LOG=$xlog
}

@test "openbsd-inetd runs the hello exchange through wsinetd" {
	start_openbsd_inetd
	run --separate-stderr -0 wsclient "ws://127.0.0.1:$PORT/"
	assert_output "Welcome to the WebSocket server!
You said: Hello, WebSocket server!"
	[ -z "$stderr" ] || fail "wsclient stderr: $stderr"
	assert_exits 0
}

@test "under openbsd-inetd an idle timeout sends the client only WebSocket frames" {
	start_openbsd_inetd --idle-timeout 1 --close-timeout 1
	run -0 wsraw --upgrade
	# A log line on fd 2 would show up as a bogus frame or a partial one.
	assert_output "text: Welcome to the WebSocket server!
close: 1001 idle timeout
eof"
	assert_exits 6
}

@test "under openbsd-inetd a refusal is the HTTP answer and nothing else" {
	start_openbsd_inetd
	run -0 wsraw --raw 'GET / HTTP/1.0\r\n\r\n'
	assert_output "$(printf 'HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain\r\nContent-Length: 27\r\nConnection: close\r\n\r\nHTTP/1.1 or later required\neof')"
	assert_exits 4
}

@test "under openbsd-inetd options on the service line reach wsinetd" {
	start_openbsd_inetd --echo
	run -0 wsclient -m one "ws://127.0.0.1:$PORT/"
	assert_output "one"
	assert_exits 0
}

@test "contrib's --static example under openbsd-inetd: files, a redirect and the WebSocket on one port" {
	local www=$BATS_TEST_TMPDIR/www
	mkdir -p "$www/sub"
	printf 'hello, inetd\n' >"$www/hello.txt"
	printf '<p>sub</p>\n' >"$www/sub/index.html"
	INETD_EXAMPLE='--static /srv/www' start_openbsd_inetd
	grep -q "wsinetd --static $www \$" "$BATS_TEST_TMPDIR/inetd.conf" ||
		fail "no --static example in contrib/inetd.conf: $(cat "$BATS_TEST_TMPDIR/inetd.conf")"
	run -0 curl -sS --max-time 5 "http://127.0.0.1:$PORT/hello.txt"
	assert_output 'hello, inetd'
	run -0 curl -sS --max-time 5 -o /dev/null -w '%{http_code} %{redirect_url}' \
		"http://127.0.0.1:$PORT/sub"
	assert_output "301 http://127.0.0.1:$PORT/sub/"
	run -0 curl -sS --max-time 5 -L "http://127.0.0.1:$PORT/sub"
	assert_output '<p>sub</p>'
	run --separate-stderr -0 wsclient "ws://127.0.0.1:$PORT/"
	assert_output "Welcome to the WebSocket server!
You said: Hello, WebSocket server!"
	assert_exits 0 0 0 0
}

@test "xinetd runs the hello exchange through wsinetd" {
	start_xinetd
	run --separate-stderr -0 wsclient "ws://127.0.0.1:$PORT/"
	assert_output "Welcome to the WebSocket server!
You said: Hello, WebSocket server!"
	[ -z "$stderr" ] || fail "wsclient stderr: $stderr"
	assert_exits 0
	assert_log 'START: ws-echo pid=[0-9]+ from=127\.0\.0\.1'
}

@test "under xinetd an idle timeout sends the client only WebSocket frames" {
	start_xinetd --idle-timeout 1 --close-timeout 1
	run -0 wsraw --upgrade
	assert_output "text: Welcome to the WebSocket server!
close: 1001 idle timeout
eof"
	assert_exits 6
}

@test "under xinetd a refused origin is the 403 answer and nothing else" {
	start_xinetd
	run -0 wsraw --raw "GET / HTTP/1.1\r\nHost: 127.0.0.1:$PORT\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\nOrigin: http://evil.example\r\n\r\n"
	assert_output "$(printf 'HTTP/1.1 403 Forbidden\r\nContent-Type: text/plain\r\nContent-Length: 19\r\nConnection: close\r\n\r\norigin not allowed\neof')"
	assert_exits 4
}

@test "under xinetd server_args reach wsinetd" {
	start_xinetd --echo
	run -0 wsclient -m one "ws://127.0.0.1:$PORT/"
	assert_output "one"
	assert_exits 0
}
