#!/usr/bin/env bats
# SPDX-License-Identifier: ISC
#
# When stderr is the journal's stream (JOURNAL_STREAM names fd 2's device
# and inode, as systemd sets it), wsinetd sends its per-connection summary
# to the journal with structured fields. Without systemd as PID 1, the
# test runs the server in a private mount namespace (unshare -m, as root)
# with a fresh /run, where tests/tools/journal_sink.py listens on
# /run/systemd/journal/socket as journald would, and prints each entry.

load helpers

# start_journal_ns STREAM ARGS...: wsinetd ARGS under systemd-socket-
# activate --inetd on $LISTEN_HOST (default 127.0.0.1), inside its own
# mount namespace with the sink on the journal's socket. STREAM "match" sets JOURNAL_STREAM to fd 2's
# dev:inode; anything else is used as JOURNAL_STREAM as it is.
start_journal_ns() {
	local stream=$1
	shift
	command -v unshare >/dev/null || fail "unshare is not installed"
	[ "$(id -u)" -eq 0 ] || fail "this test needs root for unshare -m"
	JOURNAL=$BATS_TEST_TMPDIR/journal.out
	cat >"$BATS_TEST_TMPDIR/ns.sh" <<'EOS'
set -e
journal=$1
shift
mount -t tmpfs -o mode=0755 tmpfs /run
mkdir -p /run/systemd/journal
# In a subshell, so that the launcher exec'd below does not reap it and
# log it as one of wsinetd's exits.
(
	"$PYTHON" "$TOOLS/journal_sink.py" /run/systemd/journal/socket 1 10 \
		>"$journal" 2>&1 3>&- &
	echo $! >"$journal.pid"
)
for i in $(seq 100); do
	[ -S /run/systemd/journal/socket ] && break
	sleep 0.05
done
exec "$@"
EOS
	local host=${LISTEN_HOST:-127.0.0.1} addr
	PORT=$(free_port "$host")
	addr=$host:$PORT
	[[ $host == *:* ]] && addr=[$host]:$PORT
	# shellcheck disable=SC2016 # expanded by the inner shell
	PYTHON=$PYTHON TOOLS=$TOOLS spawn unshare -m bash \
		"$BATS_TEST_TMPDIR/ns.sh" "$JOURNAL" \
		systemd-socket-activate --accept --inetd -l "$addr" \
		sh -c 'if [ "$0" = match ]; then
			JOURNAL_STREAM=$(stat -L -c %d:%i /proc/self/fd/2)
		else
			JOURNAL_STREAM=$0
		fi
		export JOURNAL_STREAM
		exec "$@"' "$stream" "$WSINETD" "$@"
	wait_port "$PORT" "$SERVER_PID"
	SERVER_PIDS+=("$(cat "$JOURNAL.pid")")
}

# Waits (at most 5 s) for the sink to end: one entry, or its timeout.
wait_journal() {
	local i
	for ((i = 0; i < 100; i++)); do
		grep -qx -e -- -e timeout "$JOURNAL" 2>/dev/null && return 0
		sleep 0.05
	done
	fail "the journal sink did not finish: $(cat "$JOURNAL")"
}

assert_field() {
	grep -qx -- "$1" "$JOURNAL" ||
		fail "no field line '$1' in the journal entry: $(cat "$JOURNAL")"
}

@test "with stderr the journal's stream, the summary is a journal entry with fields" {
	start_journal_ns match
	# The client's own port, to find it in REMOTE_PORT.
	run --separate-stderr -0 wsclient "ws://127.0.0.1:$PORT/"
	assert_exits 0
	wait_journal
	assert_field 'PRIORITY=6'
	assert_field 'SYSLOG_IDENTIFIER=wsinetd'
	assert_field 'REMOTE_ADDR=127.0.0.1'
	assert_field 'WS_OUTCOME=closed'
	assert_field 'WS_EXIT_STATUS=0'
	assert_field 'WS_CLOSE_CODE=1000'
	assert_field 'WS_CLOSE_REASON='
	grep -Eqx 'MESSAGE=127\.0\.0\.1:[0-9]+ closed by the peer \(peer sent 1000 ""\), [0-9.]+ s, in [0-9]+ B, out [0-9]+ B' "$JOURNAL" ||
		fail "MESSAGE: $(cat "$JOURNAL")"
	grep -Eqx 'REMOTE_PORT=[0-9]+' "$JOURNAL" || fail "$(cat "$JOURNAL")"
	grep -Eqx 'WS_DURATION_MS=[0-9]+' "$JOURNAL" || fail "$(cat "$JOURNAL")"
	# 101 answer plus two text frames and a close: far more than 100 B.
	grep -Eqx 'WS_BYTES_OUT=[0-9]{3,}' "$JOURNAL" || fail "$(cat "$JOURNAL")"
	grep -Eqx 'WS_BYTES_IN=[0-9]{3,}' "$JOURNAL" || fail "$(cat "$JOURNAL")"
	# and not a second time as a line on stderr
	refute_log 'closed by the peer'
}

@test "a refused handshake is an entry with WS_OUTCOME=refused at notice" {
	start_journal_ns match --protocol chat
	run -4 wsclient --origin http://evil.example "ws://127.0.0.1:$PORT/"
	assert_exits 4
	wait_journal
	assert_field 'PRIORITY=5'
	assert_field 'WS_OUTCOME=refused'
	assert_field 'WS_EXIT_STATUS=4'
	grep -q '^MESSAGE=.* refused: 403 origin not allowed: "http://evil.example"' "$JOURNAL" ||
		fail "$(cat "$JOURNAL")"
}

@test "an IPv4 client of an IPv6 socket is REMOTE_ADDR=127.0.0.1, as systemd shows it" {
	# An IPv6 socket bound to the v4-mapped loopback address: its clients
	# arrive as ::ffff:127.0.0.1.
	LISTEN_HOST=::ffff:127.0.0.1 start_journal_ns match
	run -0 wsclient "ws://127.0.0.1:$PORT/"
	assert_exits 0
	wait_journal
	assert_field 'REMOTE_ADDR=127.0.0.1'
	grep -q '^MESSAGE=\[::ffff:127\.0\.0\.1\]:[0-9]* closed' "$JOURNAL" ||
		fail "the message keeps the address as it was: $(cat "$JOURNAL")"
}

@test "an IPv6 client's address is a field without brackets" {
	LISTEN_HOST=::1 start_journal_ns match
	run -0 wsclient "ws://[::1]:$PORT/"
	assert_exits 0
	wait_journal
	assert_field 'REMOTE_ADDR=::1'
}

@test "the chosen subprotocol is a field" {
	start_journal_ns match --protocol chat
	run -0 wsclient --protocol chat "ws://127.0.0.1:$PORT/"
	assert_exits 0
	wait_journal
	assert_field 'WS_PROTOCOL=chat'
}

@test "with JOURNAL_STREAM naming another file the summary stays a line on stderr (control)" {
	start_journal_ns 1:1
	run -0 wsclient "ws://127.0.0.1:$PORT/"
	assert_exits 0
	# The line on stderr is the summary: written there, it was not sent.
	assert_log '^<6>127\.0\.0\.1:[0-9]+ closed by the peer'
	[ ! -s "$JOURNAL" ] || fail "journal entry: $(cat "$JOURNAL")"
}

@test "behind --proxy-protocol the entry's REMOTE_ADDR is the header's client" {
	start_journal_ns match --proxy-protocol 127.0.0.1
	run -0 "$PYTHON" "$TOOLS/proxyclient.py" "$PORT" --messages 1 \
		--v2 "[2001:db8::7]:4711" "[::1]:443"
	assert_exits 0
	wait_journal
	assert_field 'REMOTE_ADDR=2001:db8::7'
	assert_field 'REMOTE_PORT=4711'
	grep -q '^MESSAGE=\[2001:db8::7\]:4711 closed' "$JOURNAL" ||
		fail "$(cat "$JOURNAL")"
}
