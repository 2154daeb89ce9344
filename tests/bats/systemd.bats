#!/usr/bin/env bats
# SPDX-License-Identifier: ISC
#
# The shipped units under a real systemd: the machine's own systemd booted
# as PID 1 of a throwaway container (systemd.bash), with ws-echo.socket,
# ws-echo-fast.socket and contrib's ws-chat.socket installed as `make
# install` does and moved to free loopback ports, and a Redis of our own
# for the chat room. One container for the whole file.

load helpers
load systemd

# run --separate-stderr sets $stderr.
# shellcheck disable=SC2154

# A directory every user may write to, so that only a sandbox can stop a
# write there; and the probe's twin of ws-echo@.service.
OPEN_DIR=/var/lib/wsinetd-open
CT_JAILDIR=/usr/local/share/wsinetd/jail
PROBE=$CT_JAILDIR/jail_probe
PROBE_DIRS="/ /etc /usr/local/sbin /var/lib /run /root /tmp $OPEN_DIR"

# ws-probe.socket and ws-probe@.service: ws-echo's pair, the service with
# ExecStart= alone changed, to run the jail probe (tests/jail/jail_probe.c):
# it jails itself as a wsinetd connection does (JAIL_SERVICE), inside
# exactly the sandbox ws-echo@.service gives wsinetd, and says on the
# connection what it may still do.
install_probe() {
	local unitdir=$1/lib/systemd/system
	cp "$unitdir/ws-echo.socket" "$unitdir/ws-probe.socket"
	sed "s|^ExecStart=.*|ExecStart=$PROBE $PROBE_DIRS|" \
		"$unitdir/ws-echo@.service" >"$unitdir/ws-probe@.service"
	cmp -s "$unitdir/ws-echo@.service" "$unitdir/ws-probe@.service" &&
		fail "ws-probe@.service has no ExecStart= of its own"
	mkdir -p "$1$OPEN_DIR"
	chmod 1777 "$1$OPEN_DIR"
}

# ws-static.socket and ws-static@.service: ws-echo's pair, the service
# with the drop-in that ws-echo@.service's comment gives for --static
# (taken from the comment itself, so that the two cannot drift apart)
# and the directory it names, holding a file and a subdirectory.
STATIC_DIR=/srv/www
install_static() {
	local unitdir=$1/lib/systemd/system conf
	cp "$unitdir/ws-echo.socket" "$unitdir/ws-static.socket"
	cp "$unitdir/ws-echo@.service" "$unitdir/ws-static@.service"
	sed -n 's/^#   //p' "$REPO/units/ws-echo@.service" |
		sed "s|@SBINDIR@|$CT_SBINDIR|g" | drop_in "$1" ws-static@.service static
	conf=$1/etc/systemd/system/ws-static@.service.d/static.conf
	grep -qx "ExecStart=$CT_SBINDIR/wsinetd --static $STATIC_DIR" "$conf" &&
		grep -qx "BindReadOnlyPaths=$STATIC_DIR" "$conf" ||
		fail "ws-echo@.service's --static example changed shape: $(cat "$conf")"
	mkdir -p "$1$STATIC_DIR/sub"
	printf 'hello from %s\n' "$STATIC_DIR" >"$1$STATIC_DIR/hello.txt"
	printf '<p>sub</p>\n' >"$1$STATIC_DIR/sub/index.html"
	chmod -R a+rX "$1/srv"
}

# LeakSanitizer stops the world with ptrace(2) when the process exits, and
# the units' SystemCallFilter= refuses it: every sanitized wsinetd then
# spins at exit for ever (instances pile up, the listener never stops).
# Only for the sanitized binaries, ptrace joins the allowed system calls.
sanitizer_drop_ins() {
	local unit
	sanitized || return 0
	# (ws-echo@.service has no SystemCallFilter= to add it to.)
	for unit in ws-echo-fast.service ws-chat@.service; do
		printf '[Service]\nSystemCallFilter=ptrace\n' |
			drop_in "$1" "$unit" sanitizer
	done
	echo "# sanitized wsinetd: a drop-in adds ptrace to the services' SystemCallFilter= (LeakSanitizer needs it at exit)" >&3
}

# A redis-server of our own on a Unix socket, its group redis and mode
# 770 as Debian's is, in a directory the container gets as /run/redis.
start_redis() {
	local i
	command -v redis-server >/dev/null || fail "redis-server is not installed"
	command -v redis-cli >/dev/null || fail "redis-cli is not installed"
	getent group redis >/dev/null || fail "no group redis (redis-server's package makes it)"
	REDIS_DIR=$BATS_FILE_TMPDIR/redis
	REDIS_SOCK=$REDIS_DIR/redis-server.sock
	mkdir -m 755 "$REDIS_DIR"
	redis-server --port 0 --unixsocket "$REDIS_SOCK" --unixsocketperm 770 \
		--save '' --appendonly no --daemonize no \
		>"$BATS_FILE_TMPDIR/redis.log" 2>&1 3>&- &
	REDIS_PID=$!
	export REDIS_DIR REDIS_SOCK REDIS_PID
	for ((i = 0; i < 100; i++)); do
		[ -S "$REDIS_SOCK" ] && break
		kill -0 "$REDIS_PID" || fail "redis-server exited: $(cat "$BATS_FILE_TMPDIR/redis.log")"
		sleep 0.05
	done
	[ "$(redis-cli -s "$REDIS_SOCK" INFO server | tr -d '\r' |
		sed -n 's/^process_id://p')" = "$REDIS_PID" ] ||
		fail "the Redis on $REDIS_SOCK is not ours"
	chgrp redis "$REDIS_SOCK"
}

setup_file() {
	local dest=$BATS_FILE_TMPDIR/dest
	require_tools
	require_systemd_tools
	install_units "$dest"
	install_probe "$dest"
	install_static "$dest"
	ECHO_PORT=$(free_port)
	FAST_PORT=$(free_port)
	CHAT_PORT=$(free_port)
	PROBE_PORT=$(free_port)
	STATIC_PORT=$(free_port)
	export ECHO_PORT FAST_PORT CHAT_PORT PROBE_PORT STATIC_PORT
	listen_on "$dest" ws-echo.socket "$ECHO_PORT"
	listen_on "$dest" ws-echo-fast.socket "$FAST_PORT"
	listen_on "$dest" ws-chat.socket "$CHAT_PORT"
	listen_on "$dest" ws-probe.socket "$PROBE_PORT"
	listen_on "$dest" ws-static.socket "$STATIC_PORT"
	sanitizer_drop_ins "$dest"
	start_redis
	[ -x "$BUILD/jail/jail_probe" ] ||
		fail "$BUILD/jail/jail_probe is not built (make jail-test)"
	boot_systemd "$dest" --bind-ro="$BUILD/jail:$CT_JAILDIR" \
		--bind="$REDIS_DIR:/run/redis"
}

teardown_file() {
	local i
	stop_systemd
	if [ -n "${REDIS_PID:-}" ]; then
		kill "$REDIS_PID" 2>/dev/null || true
		for ((i = 0; i < 100; i++)); do
			kill -0 "$REDIS_PID" 2>/dev/null || break
			sleep 0.05
		done
	fi
}

# Now, as journalctl --since takes it (the container shares the clock).
journal_mark() {
	date +%s.%6N
}

# journal_since MARK N ARGS...: polls (at most 5 s) until journalctl
# ARGS shows N entries since MARK, and prints them. (--after-cursor
# with a match misses entries here.)
journal_since() {
	local mark=$1 n=$2 i out
	shift 2
	for ((i = 0; i < 100; i++)); do
		out=$(ct journalctl --no-pager --since="@$mark" "$@")
		[ "$(grep -c . <<<"$out")" -ge "$n" ] && break
		sleep 0.05
	done
	printf '%s\n' "$out"
}

# json_field FIELD: FIELD of each JSON entry on stdin, one a line.
json_field() {
	"$PYTHON" -c 'import json, sys
for line in sys.stdin:
    if line.strip():
        print(json.loads(line).get(sys.argv[1], "-"))' "$1"
}

# state UNIT PROPERTY: one property of a unit, as systemctl shows it.
state() {
	ct systemctl show -P "$2" "$1"
}

# wait_state UNIT PROPERTY VALUE: polls (at most 5 s) until it is so.
wait_state() {
	local i
	for ((i = 0; i < 100; i++)); do
		[ "$(state "$1" "$2")" = "$3" ] && return 0
		sleep 0.05
	done
	fail "$1: $2 is $(state "$1" "$2"), not $3"
}

# wait_unloaded UNIT: polls (at most 5 s) until systemd lists UNIT in no
# state at all. (systemctl show would load it again.)
wait_unloaded() {
	local i
	for ((i = 0; i < 100; i++)); do
		[ -z "$(ct systemctl list-units --all --plain --no-legend "$1")" ] &&
			return 0
		sleep 0.05
	done
	fail "$1 is still loaded: $(ct systemctl list-units --all --no-legend "$1")"
}


# The live instances of a template, by unit name.
instances() {
	ct systemctl list-units --plain --no-legend --state=active "$1" |
		awk '{ print $1 }'
}

@test "systemd in the container listens on all five sockets, and nothing else does" {
	local port
	for port in "$ECHO_PORT" "$FAST_PORT" "$CHAT_PORT" "$PROBE_PORT" \
		"$STATIC_PORT"; do
		pid_listens "$port" "$CT_INIT" ||
			fail "the container's systemd ($CT_INIT) does not listen on $port"
		[ "$(listen_inodes "$port" | wc -l)" -eq 1 ] ||
			fail "more than one socket listens on $port"
	done
	assert_equal "$(ct cat /proc/1/comm)" systemd
	assert_equal "$(cat "$CT_STATE/status")" running
}

@test "ws-echo.socket (Accept=yes) serves the hello exchange from its own ws-echo@ instance" {
	local mark
	mark=$(journal_mark)
	run --separate-stderr -0 wsclient --timeout 10 "ws://127.0.0.1:$ECHO_PORT/"
	assert_output "Welcome to the WebSocket server!
You said: Hello, WebSocket server!"
	run journal_since "$mark" 1 -o cat SYSLOG_IDENTIFIER=wsinetd
	assert_output --regexp '^127\.0\.0\.1:[0-9]+ closed by the peer'
}

@test "ws-echo@'s --static drop-in serves the directory's files and its WebSocket on one port" {
	run -0 curl -sS --max-time 10 "http://127.0.0.1:$STATIC_PORT/hello.txt"
	assert_output "hello from $STATIC_DIR"
	run -0 curl -sS --max-time 10 -L "http://127.0.0.1:$STATIC_PORT/sub"
	assert_output '<p>sub</p>'
	run --separate-stderr -0 wsclient --timeout 10 "ws://127.0.0.1:$STATIC_PORT/"
	assert_output "Welcome to the WebSocket server!
You said: Hello, WebSocket server!"
	# the control: ws-echo@ as shipped serves no files
	run -0 curl -sS --max-time 10 -o /dev/null -w '%{http_code}' \
		"http://127.0.0.1:$ECHO_PORT/hello.txt"
	assert_output 400
	# the drop-in costs the unit nothing in systemd-analyze's eyes
	local shipped static
	shipped=$(ct systemd-analyze security --no-pager ws-echo@0.service |
		sed -n 's/.*Overall exposure level for [^:]*: \([0-9.]*\) .*/\1/p')
	static=$(ct systemd-analyze security --no-pager ws-static@0.service |
		sed -n 's/.*Overall exposure level for [^:]*: \([0-9.]*\) .*/\1/p')
	[ -n "$shipped" ] || fail "no exposure for ws-echo@0.service"
	assert_equal "$static" "$shipped"
	assert_equal "$(state ws-static@0.service BindReadOnlyPaths)" "$STATIC_DIR:$STATIC_DIR:rbind"
}

@test "a port no socket unit listens on refuses the connection (exit 3)" {
	run --separate-stderr -3 wsclient --timeout 10 "ws://127.0.0.1:$(free_port)/"
	assert_output ""
}

@test "ws-echo-fast.socket (Accept=no) hands its listening socket to one ws-echo-fast.service" {
	local main
	run --separate-stderr -0 wsclient --timeout 10 "ws://127.0.0.1:$FAST_PORT/"
	assert_output "Welcome to the WebSocket server!
You said: Hello, WebSocket server!"
	run --separate-stderr -0 wsclient --timeout 10 -m again "ws://127.0.0.1:$FAST_PORT/"
	assert_output "Welcome to the WebSocket server!
You said: again"
	wait_state ws-echo-fast.service ActiveState active
	main=$(state ws-echo-fast.service MainPID)
	assert_equal "$(ct cat /proc/"$main"/comm)" wsinetd
	# One service for both connections, and no instances of a template.
	assert_equal "$(state ws-echo-fast.service NRestarts)" 0
	assert_equal "$(state ws-echo-fast.socket NAccepted)" 0
}

@test "ws-echo-fast.service logs a refused handshake but not a session that ended well" {
	local mark entry
	mark=$(journal_mark)
	run --separate-stderr -0 wsclient --timeout 10 -m served "ws://127.0.0.1:$FAST_PORT/"
	run --separate-stderr -4 wsclient --timeout 10 -H 'Sec-WebSocket-Version: 12' \
		"ws://127.0.0.1:$FAST_PORT/"
	# The refusal is there (the control: the journal does get this
	# unit's entries), and it is the only session entry.
	entry=$(journal_since "$mark" 1 -o json SYSLOG_IDENTIFIER=wsinetd WS_OUTCOME=refused)
	assert_equal "$(json_field WS_EXIT_STATUS <<<"$entry")" 4
	run -0 ct journalctl --no-pager --since="@$mark" -o cat \
		SYSLOG_IDENTIFIER=wsinetd WS_OUTCOME=closed
	assert_output ""
}

@test "ws-chat.socket bridges a chatter to our Redis, and back" {
	local out=$BATS_TEST_TMPDIR/ann.out ann i
	"$WSCLIENT" -n 3 --timeout 10 "ws://127.0.0.1:$CHAT_PORT/room1?nick=ann" \
		>"$out" 2>&1 3>&- &
	ann=$!
	for ((i = 0; i < 100; i++)); do
		[ "$(wc -l <"$out")" -ge 2 ] && break
		sleep 0.05
	done
	# She is subscribed: a message published straight into our Redis,
	# from outside the container, reaches her.
	run -0 redis-cli -s "$REDIS_SOCK" PUBLISH chat:room1 'from the host'
	assert_output 1
	wait "$ann" || fail "ann's wsclient failed: $(cat "$out")"
	assert_equal "$(cat "$out")" "$(printf '%s\n' '* ann joined room1' \
		'ann: Hello, WebSocket server!' 'from the host')"
	# The control: nobody listens in another room.
	run -0 redis-cli -s "$REDIS_SOCK" PUBLISH chat:room2 'nobody'
	assert_output 0
}

@test "the summary of a session is a journal entry with its fields, from the instance's unit" {
	local mark entry
	mark=$(journal_mark)
	run --separate-stderr -0 wsclient --timeout 10 "ws://127.0.0.1:$ECHO_PORT/"
	entry=$(journal_since "$mark" 1 -o json SYSLOG_IDENTIFIER=wsinetd)
	[ "$(grep -c . <<<"$entry")" -eq 1 ] || fail "entries: $entry"
	assert_equal "$(json_field _TRANSPORT <<<"$entry")" journal
	assert_equal "$(json_field PRIORITY <<<"$entry")" 6
	assert_equal "$(json_field REMOTE_ADDR <<<"$entry")" 127.0.0.1
	assert_equal "$(json_field WS_OUTCOME <<<"$entry")" closed
	assert_equal "$(json_field WS_EXIT_STATUS <<<"$entry")" 0
	assert_equal "$(json_field WS_CLOSE_CODE <<<"$entry")" 1000
	# journald names the unit from the sender's cgroup, which it cannot
	# read once a connection this short has exited (README, systemd):
	# when it could, it is the instance's.
	local unit
	unit=$(json_field _SYSTEMD_UNIT <<<"$entry")
	if [ "$unit" = - ]; then
		echo "# journald could not tell this entry's unit: its sender had exited" >&3
	else
		[[ $unit == ws-echo@*.service ]] || fail "unit: $unit"
	fi
	[[ $(json_field REMOTE_PORT <<<"$entry") =~ ^[0-9]+$ ]] || fail "$entry"
	[[ $(json_field WS_BYTES_OUT <<<"$entry") =~ ^[0-9]{3,}$ ]] || fail "$entry"
}

# probe_says: what the probe in ws-probe@ reports on its connection.
probe_says() {
	"$PYTHON" -c 'import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=10)
s.shutdown(socket.SHUT_WR)
out = b""
while True:
    b = s.recv(4096)
    if not b:
        break
    out += b
sys.stdout.write(out.decode())' "$PROBE_PORT"
}

@test "jailed as a connection, inside ws-echo@'s sandbox: no AF_INET, nothing writable, no /proc, no signals" {
	run --separate-stderr -0 probe_says
	assert_line --regexp '^inet: refused'
	assert_line --regexp '^inet6: refused'
	local d
	for d in $PROBE_DIRS; do
		assert_line --regexp "^write $d: refused"
	done
	if sanitized; then
		# The jail lets LeakSanitizer read /proc (jail.c).
		echo "# sanitized wsinetd: the jail leaves /proc readable for LeakSanitizer; not checked" >&3
	else
		assert_line --regexp '^proc: refused'
	fi
	assert_line --regexp '^signal init: refused'
}

@test "the same probe outside any unit, not jailed, can do all of it (the negative control)" {
	run --separate-stderr -0 ct "$PROBE" -n $PROBE_DIRS
	assert_line 'inet: allowed'
	assert_line 'inet6: allowed'
	local d
	for d in $PROBE_DIRS; do
		assert_line "write $d: allowed"
	done
	assert_line --regexp '^proc: [1-9][0-9]* others$'
	assert_line 'signal init: allowed'
}

@test "a live ws-echo@ instance runs under seccomp with no new privileges" {
	local unit main
	hold_open "$ECHO_PORT" Welcome "" -n 2 --timeout 20
	unit=$(instances 'ws-echo@*')
	[ "$(wc -l <<<"$unit")" -eq 1 ] || fail "live instances: $unit"
	main=$(state "$unit" MainPID)
	assert_equal "$(ct cat /proc/"$main"/comm)" wsinetd
	run -0 ct grep -E '^(Seccomp|NoNewPrivs):' /proc/"$main"/status
	assert_line --regexp '^Seccomp:[[:space:]]+2$'
	assert_line --regexp '^NoNewPrivs:[[:space:]]+1$'
	echo bye >&4
	exec 4>&-
	wait "$HELD_PID" || fail "the held client failed: $(cat "$HELD_OUT")"
}

@test "MaxConnectionsPerSource=32 turns away a 33rd connection from one address, not from another" {
	run -0 "$PYTHON" - "$ECHO_PORT" <<'EOF'
import socket, sys
port = int(sys.argv[1])
req = (b"GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\n"
       b"Connection: Upgrade\r\nSec-WebSocket-Version: 13\r\n"
       b"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n")
def session(src):
    s = socket.create_connection(("127.0.0.1", port), timeout=10,
                                 source_address=(src, 0))
    s.sendall(req)
    got = b""
    while b"Welcome" not in got:
        try:
            chunk = s.recv(4096)
        except ConnectionResetError:
            chunk = b""
        if not chunk:
            return s, got
        got += chunk
    return s, got
held = [session("127.0.0.1") for _ in range(32)]
print("held: %d" % sum(b"Welcome" in g for _, g in held))
s, got = session("127.0.0.1")
print("33rd from 127.0.0.1: %s" % ("served" if b"Welcome" in got else
                                   "closed, %d bytes" % len(got)))
s, got = session("127.0.0.2")
print("from 127.0.0.2: %s" % ("served" if b"Welcome" in got else
                              "closed, %d bytes" % len(got)))
EOF
	assert_output "held: 32
33rd from 127.0.0.1: closed, 0 bytes
from 127.0.0.2: served"
}

@test "systemctl stop ws-echo-fast.service lets a live connection finish first" {
	local stop mark t0 t1
	hold_open "$FAST_PORT" Welcome "" -n 2 --timeout 20
	mark=$(journal_mark)
	t0=$(now_ms)
	ct systemctl stop ws-echo-fast.service 3>&- &
	stop=$!
	wait_state ws-echo-fast.service ActiveState deactivating
	run journal_since "$mark" 1 -o cat -u ws-echo-fast.service SYSLOG_IDENTIFIER=wsinetd
	assert_output --partial 'SIGTERM: stopped listening; waiting up to 10000 ms for 1 connections'
	# Still served while the service stops.
	echo 'still here' >&4
	exec 4>&-
	wait "$HELD_PID" || fail "the held client failed: $(cat "$HELD_OUT")"
	assert_equal "$(cat "$HELD_OUT")" "Welcome to the WebSocket server!
You said: still here"
	wait "$stop" || fail "systemctl stop failed"
	t1=$(now_ms)
	assert_equal "$(state ws-echo-fast.service ActiveState)" inactive
	assert_equal "$(state ws-echo-fast.service Result)" success
	# Ended with its last connection, not by the 10 s drain timeout.
	[ $((t1 - t0)) -lt 8000 ] || fail "stop took $((t1 - t0)) ms"
}

@test "a refused handshake fails its ws-echo@ instance, and leaves no failed unit behind" {
	local mark entry unit
	mark=$(journal_mark)
	run --separate-stderr -4 wsclient --timeout 10 -H 'Sec-WebSocket-Version: 12' \
		"ws://127.0.0.1:$ECHO_PORT/"
	entry=$(journal_since "$mark" 1 -o json SYSLOG_IDENTIFIER=wsinetd)
	assert_equal "$(json_field WS_OUTCOME <<<"$entry")" refused
	assert_equal "$(json_field WS_EXIT_STATUS <<<"$entry")" 4
	# It did fail (the control), as systemd says, and is gone all the
	# same. (systemd's line names the unit; the entry above may not.)
	run journal_since "$mark" 1 -o cat _PID=1 \
		MESSAGE_ID=98e322203f7a4ed290d09fe03c09fe15
	unit=$(sed -n 's/^\(ws-echo@[^ ]*\.service\): Main process exited.*/\1/p' <<<"$output" | head -1)
	[ -n "$unit" ] || fail "no unit exited: $output"
	run -0 ct journalctl --no-pager --since="@$mark" -o cat -u "$unit"
	assert_output --partial "Main process exited, code=exited, status=4"
	wait_unloaded "$unit"
	run -0 ct systemctl list-units --all --failed --plain --no-legend 'ws-*'
	assert_output ""
}

@test "MemoryMax= and TasksMax= are enforced, or the output says they are not" {
	local controllers
	controllers=$(ct cat /sys/fs/cgroup/cgroup.controllers)
	if [[ " $controllers " == *" memory "* && " $controllers " == *" pids "* ]]; then
		run --separate-stderr -0 wsclient --timeout 10 "ws://127.0.0.1:$FAST_PORT/"
		assert_equal "$(ct cat /sys/fs/cgroup/system.slice/ws-echo-fast.service/memory.max)" 1073741824
		assert_equal "$(ct cat /sys/fs/cgroup/system.slice/ws-echo-fast.service/pids.max)" 260
	else
		echo "# NOT TESTED: MemoryMax= and TasksMax= cannot be enforced here: the cgroup2 hierarchy has controllers '${controllers}', no memory or pids (a hybrid host keeps them on cgroup v1)" >&3
		assert_equal "$(state ws-echo-fast.service MemoryMax)" 1073741824
		assert_equal "$(state ws-echo-fast.service TasksMax)" 260
	fi
}
