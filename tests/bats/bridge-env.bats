#!/usr/bin/env bats
# SPDX-License-Identifier: ISC
#
# Bridge mode's environment and routing: the CGI variables a program
# sees over IPv4 and IPv6, under systemd-socket-activate --inetd and with
# LISTEN_FDS; nothing of wsinetd's own environment but PATH and
# --passenv; --dir routing and the traversal attempts it answers 404;
# the example programs side by side with websocketd; the Redis chat room
# with two clients.

load helpers

EXAMPLES=$BATS_TEST_DIRNAME/../../contrib/examples

# The variables only one of the two servers sets, each on purpose (see
# "Bridge mode" in README.md): wsinetd keeps the Host header and names
# the subprotocols; websocketd sets CGI variables that are always empty
# for a WebSocket request and a PATH_TRANSLATED that translates nothing.
ONLY_WSINETD="HTTP_HOST WS_PROTOCOL WS_PROTOCOLS"
ONLY_WEBSOCKETD="AUTH_TYPE CONTENT_LENGTH CONTENT_TYPE PATH_TRANSLATED REMOTE_IDENT REMOTE_USER"

# env_of URL [WSCLIENT OPTION...]: the environment the bridged `env`
# printed, one variable a line, in $ENV_OUT; wsclient must succeed
# (unless ENV_STATUS says otherwise: websocketd ends without a close).
env_of() {
	local url=$1
	shift
	run --separate-stderr "-${ENV_STATUS:-0}" wsclient -n 0 --timeout 5 \
		"$@" "$url"
	ENV_OUT=$output
}

# assert_var NAME VALUE: exactly one line NAME=VALUE.
assert_var() {
	local got
	got=$(grep -c -x -F -- "$1=$2" <<<"$ENV_OUT" || true)
	[ "$got" -eq 1 ] ||
		fail "want $1=$2 once, got: $(grep -- "^$1=" <<<"$ENV_OUT")"
}

refute_var() {
	! grep -q -- "^$1=" <<<"$ENV_OUT" ||
		fail "$1 is set: $(grep -- "^$1=" <<<"$ENV_OUT")"
}

# The value of NAME in $ENV_OUT.
var() {
	sed -n "s/^$1=//p" <<<"$ENV_OUT"
}

# The names set, sorted, one a line.
names() {
	sed -n 's/^\([A-Za-z_][A-Za-z0-9_]*\)=.*/\1/p' <<<"$1" | sort -u
}

# Every variable a request to /a/b%20c?x=1&y gives, the addresses aside.
assert_cgi_common() {
	local version
	version=$("$WSINETD" -V | sed 's/^wsinetd //')
	assert_var GATEWAY_INTERFACE CGI/1.1
	assert_var SERVER_SOFTWARE "wsinetd/$version"
	assert_var SERVER_PROTOCOL HTTP/1.1
	assert_var SERVER_PORT "$PORT"
	assert_var REQUEST_METHOD GET
	assert_var REQUEST_URI '/a/b%20c?x=1&y'
	assert_var SCRIPT_NAME ''
	assert_var PATH_INFO '/a/b c'
	assert_var QUERY_STRING 'x=1&y'
	assert_var HTTP_X_TWICE 'one, two'
	assert_var HTTP_SEC_WEBSOCKET_PROTOCOL 'chat, superchat'
	assert_var WS_PROTOCOLS 'chat, superchat'
	assert_var WS_PROTOCOL ''
	assert_var HTTP_UPGRADE websocket
	refute_var HTTP_X_UNDER_SCORE
	refute_var HTTPS
	refute_var REQUEST_SCHEME
	refute_var SSL_PROTOCOL
	refute_var LISTEN_FDS
	refute_var LISTEN_PID
	refute_var LISTEN_FDNAMES
	[[ $(var UNIQUE_ID) =~ ^[0-9a-f]{32}$ ]] ||
		fail "UNIQUE_ID is not 32 hex digits: $(var UNIQUE_ID)"
	[[ $(var REMOTE_PORT) =~ ^[1-9][0-9]*$ ]] ||
		fail "REMOTE_PORT is not a port: $(var REMOTE_PORT)"
	[ -n "$(var PATH)" ] || fail "PATH is empty"
	# The summary line names the same client port.
	wait_exits 1
	assert_log "^<6>.*:$(var REMOTE_PORT) closed"
}

request_env() {
	env_of "ws://$1:$PORT/a/b%20c?x=1&y" -H 'X-Twice: one' \
		-H 'X-Twice: two' -H 'X-Under_Score: spoof' \
		-H 'Sec-WebSocket-Protocol: chat, superchat'
}

@test "a bridged program sees the CGI variables over IPv4 under --inetd" {
	start_inetd_mode -- env
	request_env 127.0.0.1
	assert_cgi_common
	assert_var SERVER_NAME 127.0.0.1
	assert_var HTTP_HOST "127.0.0.1:$PORT"
	assert_var REMOTE_ADDR 127.0.0.1
	assert_var REMOTE_HOST 127.0.0.1
}

@test "WS_PROTOCOL is the subprotocol --protocol chose from the offer" {
	start_inetd_mode --protocol superchat,chat -- env
	env_of "ws://127.0.0.1:$PORT/" --protocol chat,superchat
	assert_var WS_PROTOCOLS 'chat,superchat'
	assert_var WS_PROTOCOL superchat
}

@test "a bridged program sees the CGI variables over IPv4 with LISTEN_FDS" {
	start_listenfds_mode -- env
	request_env 127.0.0.1
	assert_cgi_common
	assert_var SERVER_NAME 127.0.0.1
	assert_var REMOTE_ADDR 127.0.0.1
}

@test "a bridged program sees the CGI variables over IPv6 under --inetd" {
	start_inetd_mode6 -- env
	request_env '[::1]'
	assert_cgi_common
	assert_var SERVER_NAME '[::1]'
	assert_var HTTP_HOST "[::1]:$PORT"
	assert_var REMOTE_ADDR ::1
	assert_var REMOTE_HOST ::1
}

@test "a bridged program sees the CGI variables over IPv6 with LISTEN_FDS" {
	activate ::1 "$WSINETD" -- env
	request_env '[::1]'
	assert_cgi_common
	assert_var SERVER_NAME '[::1]'
	assert_var REMOTE_ADDR ::1
}

@test "an IPv4 client of an IPv6 socket shows as IPv4, not ::ffff:" {
	activate ::ffff:127.0.0.1 --inetd "$WSINETD" -- env
	env_of "ws://127.0.0.1:$PORT/"
	assert_var REMOTE_ADDR 127.0.0.1
	assert_var SERVER_NAME 127.0.0.1
	refute_output --partial '::ffff:'
}

@test "wsinetd's own environment stays out of the program's, PATH and --passenv aside" {
	activate 127.0.0.1 -E WSINETD_MARK=leaked -E OTHER_MARK=x \
		-E LISTEN_FDNAMES=conn --inetd "$WSINETD" -- env
	env_of "ws://127.0.0.1:$PORT/"
	refute_var WSINETD_MARK
	refute_var OTHER_MARK
	refute_var LISTEN_FDNAMES
	assert_var PATH "$PATH"
}

@test "--passenv passes the named variables and no others" {
	activate 127.0.0.1 -E WSINETD_MARK=passed -E OTHER_MARK=x \
		--inetd "$WSINETD" --passenv WSINETD_MARK,UNSET_MARK -- env
	env_of "ws://127.0.0.1:$PORT/"
	assert_var WSINETD_MARK passed
	refute_var OTHER_MARK
	refute_var UNSET_MARK
}

@test "--passenv cannot pass systemd's LISTEN_* on: a usage error" {
	run --separate-stderr -2 "$WSINETD" --passenv PATH,LISTEN_FDS -- env
	[[ $stderr == *"--passenv: cannot pass 'LISTEN_FDS'"* ]] ||
		fail "stderr: $stderr"
	run --separate-stderr -2 "$WSINETD" --passenv 'A=B' -- env
	[[ $stderr == *"cannot pass 'A=B'"* ]] || fail "stderr: $stderr"
}

@test "with LISTEN_FDS the program sees none of LISTEN_FDS, LISTEN_PID, LISTEN_FDNAMES" {
	activate 127.0.0.1 -E LISTEN_FDNAMES=conn "$WSINETD" \
		--passenv WSINETD_UNSET -- env
	env_of "ws://127.0.0.1:$PORT/"
	refute_var LISTEN_FDS
	refute_var LISTEN_PID
	refute_var LISTEN_FDNAMES
	assert_var REMOTE_ADDR 127.0.0.1
}

@test "on pipes, REMOTE_ADDR and REMOTE_PORT come from systemd's variables" {
	PORT=$(free_port)
	spawn socat -d -d -d "TCP-LISTEN:$PORT,bind=127.0.0.1,reuseaddr,fork" \
		"EXEC:env REMOTE_ADDR=192.0.2.9 REMOTE_PORT=4242 $WSINETD -- env,pipes"
	wait_port "$PORT" "$SERVER_PID"
	env_of "ws://127.0.0.1:$PORT/"
	assert_var REMOTE_ADDR 192.0.2.9
	assert_var REMOTE_PORT 4242
	assert_var SERVER_NAME 127.0.0.1
	assert_var SERVER_PORT "$PORT"
}

@test "--reverse-lookup puts the client's name in REMOTE_HOST" {
	getent hosts 127.0.0.1 | grep -qw localhost ||
		fail "127.0.0.1 does not resolve to localhost here (/etc/hosts)"
	start_inetd_mode --reverse-lookup -- env
	env_of "ws://127.0.0.1:$PORT/"
	assert_var REMOTE_HOST localhost
	assert_var REMOTE_ADDR 127.0.0.1
}

# ---- --dir ----

# A directory of programs, and one program outside it that would leave
# a mark if anything ran it.
make_dir() {
	DIR=$BATS_TEST_TMPDIR/www
	MARK=$BATS_TEST_TMPDIR/ran
	mkdir -p "$DIR/sub/deeper" "$DIR/.hidden"
	printf '#!/bin/sh\nexec env\n' >"$DIR/chat"
	printf '#!/bin/sh\ntouch %s\nexec env\n' "$MARK" >"$BATS_TEST_TMPDIR/outside"
	cp "$DIR/chat" "$DIR/sub/deeper/prog"
	cp "$BATS_TEST_TMPDIR/outside" "$DIR/.hidden/prog"
	cp "$BATS_TEST_TMPDIR/outside" "$DIR/noexec"
	cp "$BATS_TEST_TMPDIR/outside" "$DIR/.dotfile"
	chmod 755 "$DIR/chat" "$DIR/sub/deeper/prog" "$BATS_TEST_TMPDIR/outside" \
		"$DIR/.hidden/prog" "$DIR/.dotfile"
	chmod 644 "$DIR/noexec"
	ln -s "$BATS_TEST_TMPDIR/outside" "$DIR/link"
	ln -s "$BATS_TEST_TMPDIR" "$DIR/uplink"
}

@test "--dir: the path picks the program; the rest is PATH_INFO" {
	make_dir
	start_inetd_mode --dir "$DIR"
	env_of "ws://127.0.0.1:$PORT/chat/room1?x=1"
	assert_var SCRIPT_NAME /chat
	assert_var PATH_INFO /room1
	assert_var QUERY_STRING x=1
	assert_var REQUEST_URI '/chat/room1?x=1'
	env_of "ws://127.0.0.1:$PORT/sub/deeper/prog"
	assert_var SCRIPT_NAME /sub/deeper/prog
	assert_var PATH_INFO ''
	env_of "ws://127.0.0.1:$PORT/ch%61t/a%20b/"
	assert_var SCRIPT_NAME /chat
	assert_var PATH_INFO '/a b/'
	assert_exits 0 0 0
}

# assert_404 PATH REASON: refused before any program started.
assert_404() {
	local n
	n=$(($(exit_codes | wc -l) + 1))
	run --separate-stderr -4 wsclient "ws://127.0.0.1:$PORT$1"
	[[ $stderr == *"404 Not Found"* ]] || fail "$1: stderr: $stderr"
	wait_exits "$n"
	grep -F -- "refused: 404 $2" "$LOG" | grep -q 'program not started' ||
		fail "$1: no 404 line with '$2': $(cat "$LOG")"
}

@test "--dir answers 404, starting nothing, for paths that name no program in DIR" {
	make_dir
	start_inetd_mode --dir "$DIR"
	assert_404 /nothing 'no such program'
	assert_404 /sub 'path names a directory'
	assert_404 / 'empty path segment'
	assert_404 /noexec 'program is not executable'
	assert_404 /link 'symbolic links are not followed'
	assert_404 /uplink/outside 'symbolic links are not followed'
	[ ! -e "$MARK" ] || fail "a program outside DIR ran"
}

@test "--dir answers 404, starting nothing, to every traversal attempt" {
	make_dir
	start_inetd_mode --dir "$DIR"
	assert_404 /../outside "path segment starts with '.'"
	assert_404 /sub/../../outside "path segment starts with '.'"
	assert_404 /%2e%2e/outside "path segment starts with '.'"
	assert_404 /%2E%2e/outside "path segment starts with '.'"
	assert_404 /./chat "path segment starts with '.'"
	assert_404 /.hidden/prog "path segment starts with '.'"
	assert_404 /.dotfile "path segment starts with '.'"
	assert_404 //chat 'empty path segment'
	assert_404 /sub//deeper/prog 'empty path segment'
	assert_404 '/sub\deeper\prog' 'backslash in path'
	assert_404 /sub%2fdeeper%2fprog 'encoded slash in path'
	assert_404 /chat%00 'malformed or overlong path segment'
	assert_404 /chat/%2e%2e/x "path segment starts with '.'"
	[ ! -e "$MARK" ] || fail "a program outside DIR ran"
	# The control: the same directory serves a good path.
	env_of "ws://127.0.0.1:$PORT/chat"
	assert_var SCRIPT_NAME /chat
}

@test "--dir and -- PROGRAM exclude each other; a missing DIR is a usage error" {
	run --separate-stderr -2 "$WSINETD" --dir "$BATS_TEST_TMPDIR" -- env
	[[ $stderr == *"--dir and -- PROGRAM exclude each other"* ]] ||
		fail "stderr: $stderr"
	run --separate-stderr -2 "$WSINETD" --dir "$BATS_TEST_TMPDIR/none"
	[[ $stderr == *"--dir $BATS_TEST_TMPDIR/none: No such file"* ]] ||
		fail "stderr: $stderr"
	run --separate-stderr -2 "$WSINETD" --passenv HOME
	[[ $stderr == *"need -- PROGRAM or --dir"* ]] || fail "stderr: $stderr"
}

@test "a path that does not decode is answered 400 in single-program mode" {
	start_inetd_mode -- env
	run --separate-stderr -4 wsclient "ws://127.0.0.1:$PORT/a%00b"
	[[ $stderr == *"400 Bad Request"* ]] || fail "stderr: $stderr"
	assert_exits 4
	assert_log 'refused: 400 malformed path: /a%00b.*program not started'
}

# ---- side by side with websocketd ----

# websocketd on a free loopback port running PROGRAM, its environment
# cleared but for PATH, as wsinetd's tests run.
start_websocketd() {
	command -v websocketd >/dev/null || fail "websocketd is not installed"
	WS_PORT=$(free_port)
	env -i PATH="$PATH" websocketd --port "$WS_PORT" --address 127.0.0.1 \
		"$@" >"$BATS_TEST_TMPDIR/websocketd.log" 2>&1 3>&- &
	SERVER_PIDS+=("$!")
	wait_port "$WS_PORT" "$!"
}

@test "counter.sh says the same under wsinetd and websocketd" {
	start_inetd_mode -- "$EXAMPLES/counter.sh" 3 0
	start_websocketd "$EXAMPLES/counter.sh" 3 0
	run --separate-stderr -0 wsclient -n 3 "ws://127.0.0.1:$PORT/?n=4"
	assert_output "$(printf '1\n2\n3')"
	run --separate-stderr wsclient -n 3 "ws://127.0.0.1:$WS_PORT/?n=4"
	assert_output "$(printf '1\n2\n3')"
	run --separate-stderr -0 wsclient -n 0 "ws://127.0.0.1:$PORT/?n=2&delay=0"
	assert_output "$(printf '1\n2')"
	run --separate-stderr wsclient -n 0 "ws://127.0.0.1:$WS_PORT/?n=2&delay=0"
	assert_output "$(printf '1\n2')"
}

@test "upper.awk says the same under wsinetd and websocketd" {
	start_inetd_mode -- "$EXAMPLES/upper.awk"
	start_websocketd "$EXAMPLES/upper.awk"
	run --separate-stderr -0 wsclient -n 2 -m 'hello there' -m 'ünï 42' \
		"ws://127.0.0.1:$PORT/"
	assert_output "$(printf 'HELLO THERE\nüNï 42')"
	run --separate-stderr wsclient -n 2 -m 'hello there' -m 'ünï 42' \
		"ws://127.0.0.1:$WS_PORT/"
	assert_output "$(printf 'HELLO THERE\nüNï 42')"
}

@test "wsinetd sets websocketd's variable names, but for a documented few" {
	local ours theirs
	# A page's origin other than ours: wsinetd needs to be told to let
	# it in (same-origin by default); websocketd lets any in.
	start_inetd_mode --origin http://example.com -- env
	start_websocketd env
	env_of "ws://127.0.0.1:$PORT/p?q" --origin http://example.com
	ours=$(names "$ENV_OUT")
	ENV_STATUS=8 env_of "ws://127.0.0.1:$WS_PORT/p?q" \
		--origin http://example.com
	theirs=$(names "$ENV_OUT")
	assert_equal "$(comm -23 <(echo "$ours") <(echo "$theirs") | xargs)" \
		"$ONLY_WSINETD"
	assert_equal "$(comm -13 <(echo "$ours") <(echo "$theirs") | xargs)" \
		"$ONLY_WEBSOCKETD"
	# The common set is the bulk of it, not an accident of two tiny sets.
	[ "$(comm -12 <(echo "$ours") <(echo "$theirs") | wc -l)" -ge 20 ] ||
		fail "too few names in common: $ours"
}

# ---- the Redis chat room ----

@test "two chat.sh clients talk through a real Redis" {
	local rport a_out=$BATS_TEST_TMPDIR/a.out a_pid i
	command -v redis-server >/dev/null || fail "redis-server is not installed"
	command -v redis-cli >/dev/null || fail "redis-cli is not installed"
	rport=$(free_port)
	redis-server --port "$rport" --bind 127.0.0.1 --save '' \
		--appendonly no --daemonize no \
		>"$BATS_TEST_TMPDIR/redis.log" 2>&1 3>&- &
	SERVER_PIDS+=("$!")
	wait_port "$rport" "$!"
	activate 127.0.0.1 -E REDIS_PORT="$rport" --inetd "$WSINETD" \
		--passenv REDIS_PORT -- "$EXAMPLES/chat.sh"

	# Ann joins and says hello (wsclient's default message); once she
	# has seen both, she is subscribed and Bob may come.
	"$WSCLIENT" -n 4 --timeout 10 "ws://127.0.0.1:$PORT/room1?nick=ann" \
		>"$a_out" 2>&1 3>&- &
	a_pid=$!
	for ((i = 0; i < 100; i++)); do
		[ "$(wc -l <"$a_out")" -ge 2 ] && break
		sleep 0.05
	done
	run --separate-stderr -0 wsclient -n 2 --timeout 10 -m 'hi ann' \
		-H 'X-Nick: bob' "ws://127.0.0.1:$PORT/?room=room1"
	assert_output "$(printf '* bob joined room1\nbob: hi ann')"
	wait "$a_pid" || fail "ann's wsclient failed: $(cat "$a_out")"
	assert_equal "$(cat "$a_out")" "$(printf '%s\n' '* ann joined room1' \
		'ann: Hello, WebSocket server!' '* bob joined room1' 'bob: hi ann')"
	# Another room hears none of it: the control.
	run --separate-stderr -0 wsclient -n 2 --timeout 10 -m x \
		"ws://127.0.0.1:$PORT/room2?nick=cy"
	assert_output "$(printf '* cy joined room2\ncy: x')"
}
