# SPDX-License-Identifier: ISC
# shellcheck shell=bash
#
# Shared by the Bats files: where the binaries are, free ports, starting
# wsinetd the ways inetd-like launchers do (and stopping it by PID), and
# reading the launcher's log for wsinetd's summary lines and exit codes.
# A file does `load helpers` and gets setup/teardown from here.

# run -N and run --separate-stderr need Bats 1.5.
bats_require_minimum_version 1.5.0

load '/usr/lib/bats/bats-support/load'
load '/usr/lib/bats/bats-assert/load'

BUILD=${WSINETD_BUILD:-$BATS_TEST_DIRNAME/../../build}
WSINETD=$BUILD/wsinetd
WSCLIENT=$BUILD/wsclient
TOOLS=$BATS_TEST_DIRNAME/../tools
PYTHON=/usr/bin/python3

# A missing tool fails the test; it never turns into a skip.
require_tools() {
	local t
	for t in "$WSINETD" "$WSCLIENT"; do
		[ -x "$t" ] || fail "$t is not built (run make)"
	done
	for t in "$PYTHON" systemd-socket-activate socat; do
		command -v "$t" >/dev/null || fail "$t is not installed"
	done
}

setup() {
	require_tools
	SERVER_PIDS=()
	LOG=$BATS_TEST_TMPDIR/server.log
}

# Every server a test started, by the PID it started, then reaped.
teardown() {
	local pid
	for pid in "${SERVER_PIDS[@]}"; do
		kill "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
	done
}

# A port the kernel just gave out on HOST (default 127.0.0.1), so nothing
# else is likely to hold it.
free_port() {
	"$PYTHON" -c 'import socket, sys
h = sys.argv[1]
s = socket.socket(socket.AF_INET6 if ":" in h else socket.AF_INET)
s.bind((h, 0))
print(s.getsockname()[1])' "${1:-127.0.0.1}"
}

now_ms() {
	echo $(($(date +%s%N) / 1000000))
}

# Inodes of the sockets listening on PORT (IPv4 and IPv6).
listen_inodes() {
	local hex
	hex=$(printf '%04X' "$1")
	awk -v port="$hex" 'FNR > 1 && $4 == "0A" {
		n = split($2, a, ":")
		if (a[n] == port) print $10
	}' /proc/net/tcp /proc/net/tcp6 2>/dev/null
}

# True once PID itself holds a socket listening on PORT.
pid_listens() {
	local port=$1 pid=$2 inode fd
	for inode in $(listen_inodes "$port"); do
		for fd in /proc/"$pid"/fd/*; do
			[ "$(readlink "$fd" 2>/dev/null)" = "socket:[$inode]" ] &&
				return 0
		done
	done
	return 1
}

# wait_port PORT PID: polls (at most 5 s) until PID is alive and holds a
# socket in LISTEN state on PORT, which the kernel accepts on. It never
# connects: a probe would start a wsinetd (or use up wsfake's one
# connection) and show up in the log.
wait_port() {
	local port=$1 pid=$2 i
	for ((i = 0; i < 100; i++)); do
		kill -0 "$pid" 2>/dev/null ||
			fail "PID $pid exited before listening on $port: $(cat "$LOG" 2>/dev/null)"
		pid_listens "$port" "$pid" && return 0
		sleep 0.05
	done
	fail "PID $pid is not listening on port $port after 5 s"
}

# Starts "$@" in the background, output to $LOG, and remembers its PID.
# fd 3 is closed for it: Bats waits for whoever holds it.
spawn() {
	"$@" >"$LOG" 2>&1 3>&- &
	SERVER_PID=$!
	SERVER_PIDS+=("$SERVER_PID")
}

# activate HOST [--inetd] COMMAND...: systemd-socket-activate listening on
# HOST:$PORT, one COMMAND per connection.
activate() {
	local host=$1 addr
	shift
	PORT=$(free_port "$host")
	addr=$host:$PORT
	[[ $host == *:* ]] && addr=[$host]:$PORT
	spawn systemd-socket-activate --accept -l "$addr" "$@"
	wait_port "$PORT" "$SERVER_PID"
}

# wsinetd with the connection on fd 0 and 1, as inetd starts it.
start_inetd_mode() {
	activate 127.0.0.1 --inetd "$WSINETD" "$@"
}

# The same over IPv6 loopback.
start_inetd_mode6() {
	activate ::1 --inetd "$WSINETD" "$@"
}

# wsinetd with the connection as fd 3 and LISTEN_FDS=1, as systemd's
# Accept=yes starts it.
start_listenfds_mode() {
	activate 127.0.0.1 "$WSINETD" "$@"
}

# socat_exec OPTIONS ARGS...: socat forks per connection and runs
# wsinetd ARGS through EXEC with these EXEC options; -d -d -d logs
# "child N exited with status X".
socat_exec() {
	local opts=$1 cmd=$WSINETD arg
	shift
	for arg in "$@"; do
		cmd+=" $arg"
	done
	PORT=$(free_port)
	spawn socat -d -d -d \
		"TCP-LISTEN:$PORT,bind=127.0.0.1,reuseaddr,fork,backlog=64" \
		"EXEC:$cmd,$opts"
	wait_port "$PORT" "$SERVER_PID"
}

# wsinetd under socat EXEC: nofork puts the TCP connection itself on fd
# 0/1 (inetd's shape, so wsinetd sees the peer's address).
start_socat_mode() {
	socat_exec nofork "$@"
}

# wsfake.py on $PORT with the given script; its output goes to $LOG.
start_wsfake() {
	PORT=$(free_port)
	spawn "$PYTHON" "$TOOLS/wsfake.py" "$PORT" "$@"
	wait_port "$PORT" "$SERVER_PID"
}

# Waits (at most 5 s) for the server started last to exit by itself, so
# all it printed is in $LOG; sets SERVER_STATUS.
# shellcheck disable=SC2034 # SERVER_STATUS is read by the .bats files
wait_server_exit() {
	local i
	for ((i = 0; i < 100; i++)); do
		kill -0 "$SERVER_PID" 2>/dev/null || break
		sleep 0.05
	done
	kill -0 "$SERVER_PID" 2>/dev/null &&
		fail "PID $SERVER_PID still running after 5 s: $(cat "$LOG")"
	SERVER_STATUS=0
	wait "$SERVER_PID" || SERVER_STATUS=$?
}

# wsinetd's exit codes so far, in order: systemd-socket-activate logs
# "Child N died with code X", socat "child N exited with status X",
# xinetd (log_on_success EXIT) "EXIT: SERVICE status=X", and openbsd-inetd
# -d "N reaped, status X" with X the wait status in hex.
exit_codes() {
	local code
	sed -n -e 's/.*Child [0-9]* died with code \([0-9]*\).*/\1/p' \
		-e 's/.*child [0-9]* exited with status \([0-9]*\).*/\1/p' \
		-e 's/.*EXIT: [^ ]* status=\([0-9]*\).*/\1/p' \
		-e 's/^[0-9]* reaped, status \([0-9a-f]*\)$/0x\1/p' \
		"$LOG" | while read -r code; do
		case $code in
		0x*) echo $((code >> 8)) ;; # a wait status: exit code above
		*) echo "$code" ;;
		esac
	done
}

# wait_exits N [SECS]: polls (default at most 3 s) until the log shows N
# wsinetd exits.
wait_exits() {
	local n=$1 limit=${2:-3} i
	for ((i = 0; i < limit * 20; i++)); do
		[ "$(exit_codes | wc -l)" -ge "$n" ] && return 0
		sleep 0.05
	done
	fail "expected $n exits of wsinetd within $limit s; log: $(cat "$LOG")"
}

# assert_exits CODE...: waits for that many exits and checks their codes.
assert_exits() {
	local got
	wait_exits "$#"
	got=$(exit_codes | tr '\n' ' ')
	[ "$got" = "$* " ] ||
		fail "wsinetd exit codes: want '$*', got '${got% }'; log: $(cat "$LOG")"
}

# wait_line FILE REGEX: polls (at most 3 s) until a line of FILE matches:
# servers and peers say how a connection ended after it has.
wait_line() {
	local i
	for ((i = 0; i < 60; i++)); do
		grep -Eq -- "$2" "$1" && return 0
		sleep 0.05
	done
	fail "no line matching '$2' in $1: $(cat "$1")"
}

# assert_log REGEX: some line of the server log matches (grep -E).
assert_log() {
	grep -Eq -- "$1" "$LOG" ||
		fail "no line matching '$1' in the log: $(cat "$LOG")"
}

refute_log() {
	! grep -Eq -- "$1" "$LOG" ||
		fail "a line matches '$1' in the log: $(cat "$LOG")"
}

# The wsinetd that systemd-socket-activate started for the current
# connection (polls at most 5 s).
connection_pid() {
	local i pid
	for ((i = 0; i < 100; i++)); do
		pid=$(ps -o pid= --ppid "$SERVER_PID" | head -n 1 | tr -d ' ')
		[ -n "$pid" ] && echo "$pid" && return 0
		sleep 0.05
	done
	fail "no wsinetd under PID $SERVER_PID after 5 s"
}

# Peak resident memory of PID in KiB.
peak_rss_kib() {
	awk '/^VmHWM:/ { print $2 }' "/proc/$1/status"
}

# wsraw ARGS...: the byte-exact client against $PORT.
wsraw() {
	"$PYTHON" "$TOOLS/wsraw.py" "$PORT" --timeout 3 "$@"
}

wsclient() {
	"$WSCLIENT" "$@"
}

# hold_open PORT PATTERN [LINE [OPTION...]]: a wsclient --stdin on
# ws://127.0.0.1:PORT/ (with OPTIONs, such as -n 2) kept connected by a
# FIFO on fd 4; sends LINE unless it is empty, and returns once PATTERN
# shows in what it received. Its output goes to $HELD_OUT, its PID to
# $HELD_PID.
hold_open() {
	local port=$1 pattern=$2 line=${3:-} i
	shift $(($# < 3 ? $# : 3))
	HELD_OUT=$BATS_TEST_TMPDIR/held.out
	mkfifo "$BATS_TEST_TMPDIR/held.in"
	"$WSCLIENT" --stdin "$@" "ws://127.0.0.1:$port/" \
		<"$BATS_TEST_TMPDIR/held.in" >"$HELD_OUT" 2>&1 3>&- &
	HELD_PID=$!
	exec 4>"$BATS_TEST_TMPDIR/held.in"
	[ -z "$line" ] || echo "$line" >&4
	for ((i = 0; i < 100; i++)); do
		grep -q "$pattern" "$HELD_OUT" && return 0
		sleep 0.05
	done
	fail "the held connection got no '$pattern': $(cat "$HELD_OUT")"
}
