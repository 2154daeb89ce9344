#!/usr/bin/env bats
# SPDX-License-Identifier: ISC
#
# Pipelines that lose nothing: wsclient --stdin closes at the end of its
# input and prints every answer until the server's close; a bridged
# program gets EOF at the client's close and what it still writes
# reaches the client before wsinetd's close. The races a shell user
# would meet are run many times; nothing waits by sleeping.

load helpers

# Programs and pipelines are quoted for the shell that runs them; stderr
# is set by run.
# shellcheck disable=SC2016,SC2154

RUNS=50
# Answers each line, says bye at EOF, then never exits.
HANGS='while read l; do echo "got $l"; done; echo bye; exec sleep 100'

# runs N WANT COMMAND: N times, the shell pipeline COMMAND (run with
# $URL set) prints WANT, says nothing on stderr and exits 0.
runs() {
	local n=$1 want=$2 cmd=$3 i out rc
	for ((i = 0; i < n; i++)); do
		rc=0
		out=$(URL=$URL WSCLIENT=$WSCLIENT bash -c "$cmd" \
			2>"$BATS_TEST_TMPDIR/err") || rc=$?
		[ "$rc" -eq 0 ] || fail "run $i: exit $rc, printed '$out', stderr: $(cat "$BATS_TEST_TMPDIR/err")"
		[ "$out" = "$want" ] || fail "run $i printed:
$out
want:
$want"
		[ ! -s "$BATS_TEST_TMPDIR/err" ] ||
			fail "run $i stderr: $(cat "$BATS_TEST_TMPDIR/err")"
	done
}

# assert_stderr TEXT: wsclient's stderr, from run --separate-stderr.
assert_stderr() {
	[ "$stderr" = "$1" ] || fail "stderr: want '$1', got '$stderr'"
}

# zeros N: "0 0 ... 0", N of them, for assert_exits.
zeros() {
	local i
	for ((i = 0; i < $1; i++)); do
		printf '0 '
	done
}

@test "seq 5 | wsclient --stdin -n 0 prints the five echoes and exits 0, every time" {
	start_inetd_mode --echo
	URL=ws://127.0.0.1:$PORT/
	runs "$RUNS" "$(seq 5)" 'seq 5 | timeout 5 "$WSCLIENT" --stdin -n 0 "$URL"'
	# shellcheck disable=SC2046 # one argument per exit
	assert_exits $(zeros "$RUNS")
}

@test "printf 'a\nb\n' | wsclient --stdin gets both answers of a bridged line program, every time" {
	start_inetd_mode -- /bin/sh -c 'while read l; do echo "got $l"; done'
	URL=ws://127.0.0.1:$PORT/
	runs "$RUNS" $'got a\ngot b' \
		'printf "a\nb\n" | timeout 5 "$WSCLIENT" --stdin "$URL"'
	# shellcheck disable=SC2046
	assert_exits $(zeros "$RUNS")
	refute_log 'program (exit [1-9]|signal)'
}

@test "a program that answers 200 ms after EOF still gets its answer through" {
	start_inetd_mode -- /bin/sh -c 'cat >/dev/null; sleep 0.2; echo late'
	run --separate-stderr -0 wsclient --stdin "ws://127.0.0.1:$PORT/" <<<"a"
	assert_output "late"
	assert_stderr ""
	assert_exits 0
	assert_log 'closed by the peer \(peer sent 1000 ""\).*program exit 0$'
}

@test "a program that fails after EOF closes with 1011 and its status, and wsclient exits 7" {
	start_inetd_mode -- /bin/sh -c 'cat; echo bye; exit 3'
	run --separate-stderr -7 wsclient --stdin "ws://127.0.0.1:$PORT/" <<<"a"
	assert_output $'a\nbye'
	assert_stderr 'wsclient: closed by the server: 1011 "exit 3"'
	assert_exits 10
	assert_log 'program exit 3 \(peer sent 1000 ""\)'
}

@test "a program that never exits is ended by --close-timeout: 1011 \"close timeout\", status 6, then SIGTERM" {
	start_inetd_mode --close-timeout 0.3 --kill-timeout 0.2 -- /bin/sh -c "$HANGS"
	run --separate-stderr -7 wsclient --stdin "ws://127.0.0.1:$PORT/" <<<"a"
	assert_output $'got a\nbye'
	assert_stderr 'wsclient: closed by the server: 1011 "close timeout"'
	assert_exits 6
	assert_log 'close timeout: not done 300 ms after the peer.s close'
	assert_log 'program still running 200 ms after EOF on its stdin: SIGTERM'
	assert_log 'program signal 15$'
}

@test "wsclient exits 6 after its --close-timeout when the server holds its close, with every answer printed" {
	start_inetd_mode --close-timeout 10 --kill-timeout 0.2 -- /bin/sh -c "$HANGS"
	run --separate-stderr -6 wsclient --close-timeout 0.3 --stdin \
		"ws://127.0.0.1:$PORT/" <<<"a"
	assert_output $'got a\nbye'
	assert_stderr "wsclient: no close frame from the peer"
	# wsclient hung up before wsinetd's close.
	assert_exits 8
	assert_log 'connection closed before our close frame'
}

@test "a program that floods its stdout after the client's close keeps memory bounded" {
	local peak
	start_inetd_mode --close-timeout 30 -- sh -c 'cat >/dev/null
		yes "$(head -c 1023 /dev/zero | tr "\0" z)" | head -c 50331648
		grep VmHWM /proc/$PPID/status >&2'
	run "$PYTHON" "$TOOLS/wsstream.py" "$PORT" --message text:x \
		--close-after-send --stall 1 --timeout 30
	assert_success
	assert_line --partial 'received 49152 messages, 50282496 bytes'
	assert_line 'close: 1000 exit 0'
	assert_exits 0
	peak=$(sed -n 's/.*program: VmHWM:.* \([0-9][0-9]*\) kB$/\1/p' "$LOG")
	[ -n "$peak" ] || fail "no VmHWM line: $(cat "$LOG")"
	[ "$peak" -lt 24576 ] || fail "wsinetd peaked at $peak KiB"
}
