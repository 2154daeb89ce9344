#!/usr/bin/env bats
# SPDX-License-Identifier: ISC
# Bridge mode, wsinetd -- PROGRAM: framing both ways, the program's exit
# as the close code, the peer leaving first (EOF, SIGTERM, SIGKILL to the
# whole group), stderr to the log, bounded memory with backpressure both
# ways, and no deadlock on big messages.

load helpers

# bridge ARGS...: wsinetd ARGS under inetd's shape on $PORT.
bridge() {
	start_inetd_mode "$@"
}

wsstream() {
	"$PYTHON" "$TOOLS/wsstream.py" "$PORT" "$@"
}

# True when PID has exited (a zombie waiting for an unrelated reaper
# counts as gone: it runs no more).
proc_gone() {
	local state
	[ -r "/proc/$1/stat" ] || return 0
	state=$(awk '{ print $3 }' "/proc/$1/stat" 2>/dev/null) || return 0
	[ -z "$state" ] || [ "$state" = Z ]
}

# wait_file FILE: polls (at most 5 s) until FILE exists and is not empty.
wait_file() {
	local i
	for ((i = 0; i < 100; i++)); do
		[ -s "$1" ] && return 0
		sleep 0.05
	done
	fail "$1 did not appear within 5 s"
}

# The peak resident size wsinetd reported through the program's stderr.
peak_kib() {
	sed -n 's/.*program: VmHWM:.* \([0-9][0-9]*\) kB$/\1/p' "$LOG"
}

@test "a text message goes to the program as a line, and its line comes back" {
	bridge -- cat
	run wsclient -n 2 -m hello -m 'two words' "ws://127.0.0.1:$PORT/"
	assert_success
	assert_output $'hello\ntwo words'
	assert_exits 0
	assert_log 'closed by the peer .*program exit 0'
}

@test "one write of several lines becomes several messages, in order" {
	bridge -- printf 'one\ntwo\r\n\nthree\n'
	run wsstream --show
	assert_output $'text: one\ntext: two\ntext: \ntext: three\nclose: 1000 exit 0\neof'
	assert_exits 0
}

@test "a last line without a newline is still sent at EOF" {
	bridge -- printf 'a\nb'
	run wsstream --show
	assert_output $'text: a\ntext: b\nclose: 1000 exit 0\neof'
	assert_exits 0
}

@test "a 1 MiB line passes with --max-message raised" {
	bridge --max-message 2m -- sh -c 'head -c 1048576 /dev/zero | tr "\0" x; echo'
	run wsstream --expect 1
	assert_line 'received 1 messages, 1048576 bytes, '"$(head -c 1048576 /dev/zero | tr '\0' x | sha256sum | cut -d' ' -f1)"
	assert_line 'close: 1000 exit 0'
	assert_exits 0
}

@test "a line over the message limit closes with 1009" {
	bridge --max-message 1k --kill-timeout 0.2 -- \
		sh -c 'echo short; head -c 1025 /dev/zero | tr "\0" x; echo; sleep 5'
	run wsstream --show
	assert_output $'text: short\nclose: 1009 program message over the limit\neof'
	assert_exits 10
	# The program runs on; the connection's end ends it.
	assert_log 'program message over the limit.*program signal 15'
}

# The hello exchange as a line program: "You said: " before each line.
SAY='exec sed -u "s/^/You said: /"'

@test "--max-line bounds the program's lines, not the client's messages" {
	bridge --max-line 1k --kill-timeout 0.2 -- sh -c "$SAY"
	run wsstream --send text:1014 --send text:1015 --show
	assert_line --index 0 --regexp '^text: You said: [A-Za-z]{1014}$'
	assert_line --index 1 'close: 1009 program message over the limit'
	assert_exits 10
	assert_log 'program message over the limit'
}

@test "a 1 MiB message through the hello exchange is over the default --max-line" {
	bridge -- sh -c "$SAY"
	run wsstream --send text:1048576 --expect 1
	assert_line 'close: 1009 program message over the limit'
	assert_exits 10
}

@test "a 1 MiB message through the hello exchange passes with --max-line raised" {
	bridge --max-line 2m -- sh -c "$SAY"
	run wsstream --send text:1048576 --expect 1
	assert_line --regexp '^received 1 messages, 1048586 bytes, '
	assert_line 'close: 1000 exit 0'
	assert_exits 0
}

@test "output that is not UTF-8 closes with 1011, and passes under --binary" {
	bridge -- printf 'ok\n\377\n'
	run wsstream --show
	assert_output $'text: ok\nclose: 1011 program wrote invalid UTF-8\neof'
	assert_exits 10
	assert_log 'program wrote invalid UTF-8'

	bridge --binary -- printf '\377\n'
	run wsstream --show
	assert_output $'binary: 2 bytes\nclose: 1000 exit 0\neof'
}

@test "binary messages cross --binary raw both ways" {
	bridge --binary -- cat
	run wsstream --show --message 'binary:\x00\x01\x02' --expect 1
	assert_line 'binary: 3 bytes'
	assert_line 'close: 1000 exit 0'
	assert_exits 0
}

@test "a binary message in line mode closes with 1003" {
	bridge -- cat
	run wsstream --show --send binary:3
	assert_line 'close: 1003 text messages only'
	assert_exits 5
	assert_log 'failed the connection: 1003 text messages only'
}

@test "the program's exit status is the close code and reason" {
	bridge -- sh -c 'exit 0'
	run wsstream --show
	assert_output $'close: 1000 exit 0\neof'
	bridge -- sh -c 'exit 3'
	run wsstream --show
	assert_output $'close: 1011 exit 3\neof'
	bridge -- sh -c 'kill -9 $$'
	run wsstream --show
	assert_output $'close: 1011 signal 9\neof'
	run wsclient -n 0 "ws://127.0.0.1:$PORT/"
	assert_failure 7
	assert_output --partial 'closed by the server: 1011 "signal 9"'
}

@test "wsinetd's exit status says whether the program failed" {
	bridge -- sh -c 'exit 0'
	wsstream --show
	assert_exits 0
	bridge -- sh -c 'exit 3'
	wsstream --show
	assert_exits 10
	assert_log 'program exit 3.*program exit 3'
}

@test "a program that cannot be run closes with 1011 exit 127 and a log line" {
	bridge -- /nonexistent/program
	run wsstream --show
	assert_output $'close: 1011 exit 127\neof'
	assert_exits 10
	assert_log 'program: cannot run /nonexistent/program: No such file'
}

@test "a program that is not executable closes with 1011 exit 126" {
	printf 'not a program\n' >"$BATS_TEST_TMPDIR/plain"
	chmod 644 "$BATS_TEST_TMPDIR/plain"
	bridge -- "$BATS_TEST_TMPDIR/plain"
	run wsstream --show
	assert_output $'close: 1011 exit 126\neof'
	assert_log 'program: cannot run .*/plain: Permission denied'
}

# What a program reports of its signals and session, one line each.
SIGNALS_PROGRAM='grep -E "^Sig(Ign|Blk)" /proc/self/status; \
exec awk "{ print (\$6 == \$1) ? \"own session\" : \"session of \" \$6 }" /proc/self/stat'

@test "the program starts with no signal ignored or blocked, in a session of its own" {
	local clean=$'SigBlk:\t0000000000000000\nSigIgn:\t0000000000000000\nown session'
	# The control: under this trap, what wsinetd is started with
	# ignores SIGUSR1 (and, started in the background, SIGINT).
	trap '' USR1
	run sh -c "$SIGNALS_PROGRAM"
	refute_output --partial $'SigIgn:\t0000000000000000'
	bridge -- sh -c "$SIGNALS_PROGRAM"
	run wsclient -n 3 "ws://127.0.0.1:$PORT/"
	assert_output "$clean"
	PORT=$(free_port 127.0.0.1)
	spawn "$WSINETD" --listen "127.0.0.1:$PORT" -- sh -c "$SIGNALS_PROGRAM"
	wait_port "$PORT" "$SERVER_PID"
	trap - USR1
	run wsclient -n 3 "ws://127.0.0.1:$PORT/"
	assert_output "$clean"
}

@test "when the peer closes first the program gets EOF on its stdin" {
	bridge -- sh -c 'cat; echo saw EOF >&2'
	run wsclient -n 1 -m hi "ws://127.0.0.1:$PORT/"
	assert_success
	assert_output hi
	assert_exits 0
	assert_log 'program: saw EOF'
	assert_log 'program exit 0'
	refute_log SIGTERM
}

@test "a program that ignores EOF gets SIGTERM after --kill-timeout" {
	# The close timeout answers the client first; the kill timeout
	# counts from the EOF.
	bridge --close-timeout 0.2 --kill-timeout 0.3 -- sh -c \
		'trap "echo got TERM >&2; exit 0" TERM; while :; do sleep 0.1; done'
	run wsraw --upgrade --frame close:1000
	assert_output $'close: 1011 close timeout\neof'
	assert_exits 6
	assert_log 'program still running 300 ms after EOF on its stdin: SIGTERM'
	assert_log 'program: got TERM'
	refute_log SIGKILL
}

@test "a program that ignores SIGTERM gets SIGKILL, with its grandchild" {
	local pids=$BATS_TEST_TMPDIR/pids
	bridge --close-timeout 0.2 --kill-timeout 0.3 -- sh -c \
		'trap "" TERM; sleep 100 & echo $$ $! >'"$pids"'; wait'
	run wsraw --upgrade --sleep 0.3 --frame close:1000
	assert_output $'close: 1011 close timeout\neof'
	assert_exits 6
	assert_log 'SIGTERM'
	assert_log 'after SIGTERM: SIGKILL'
	assert_log 'program signal 9'
	wait_file "$pids"
	read -r sh_pid sleep_pid <"$pids"
	proc_gone "$sh_pid" || fail "program $sh_pid still runs"
	proc_gone "$sleep_pid" || fail "grandchild $sleep_pid still runs"
}

@test "what the program leaves in its group is killed after it exits" {
	local pids=$BATS_TEST_TMPDIR/pids
	# The leftover holds the program's pipes open: its exit must not
	# wait for their EOF.
	bridge -- sh -c 'sleep 100 & echo $! >'"$pids"
	run wsstream --show
	assert_output $'close: 1000 exit 0\neof'
	assert_exits 0
	assert_log 'program left processes behind in its group: SIGKILL'
	read -r sleep_pid <"$pids"
	proc_gone "$sleep_pid" || fail "leftover $sleep_pid still runs"
}

@test "a peer that vanishes ends the program too" {
	bridge -- sh -c 'cat; echo saw EOF >&2'
	run wsraw --upgrade --frame text:x --vanish
	assert_success
	assert_exits 8
	assert_log 'program: saw EOF'
	assert_log 'program exit 0'
}

@test "the program's stderr goes to the log, never to the client" {
	bridge -- sh -c 'echo secret >&2; echo out; head -c 3000 /dev/zero | tr "\0" y >&2'
	run wsstream --show
	assert_output $'text: out\nclose: 1000 exit 0\neof'
	assert_log '127\.0\.0\.1:[0-9]+ program: secret$'
	assert_log 'program: y{512} \[cut\]$'
	refute_log 'y{513}'
}

@test "a refused handshake never starts the program" {
	local mark=$BATS_TEST_TMPDIR/started
	bridge -- sh -c 'echo yes >'"$mark"
	run wsraw --raw 'GET / HTTP/1.1\r\nHost: x\r\n\r\n'
	assert_line --index 0 --partial 'HTTP/1.1 400'
	assert_exits 4
	[ ! -e "$mark" ] || fail "the program ran for a refused handshake"
	# Control: an accepted one does start it.
	run wsstream --show
	assert_exits 4 0
	[ -e "$mark" ] || fail "the program did not run"
}

@test "--framing nul: messages may hold newlines both ways" {
	bridge --framing nul -- sh -c 'printf "a\nb\0"; head -c 4 | tr "\0" "|"'
	run wsstream --show --message 'text:x\ny'
	assert_output $'text: a\nb\ntext: x\ny|\nclose: 1000 exit 0\neof'
	assert_exits 0
	bridge --framing nul -- cat
	run wsstream --show --message 'text:x\x00y'
	assert_line 'close: 1003 a NUL byte in a message'
}

# A len32 program: answers each frame with its type and length as text,
# then the frame itself.
LEN32_PROG='import sys, struct
r, w = sys.stdin.buffer, sys.stdout.buffer
while True:
    head = r.read(5)
    if len(head) < 5:
        break
    n, t = struct.unpack("!IB", head)
    data = r.read(n)
    note = b"type %d, %d bytes" % (t, n)
    w.write(struct.pack("!IB", len(note), 1) + note + head + data)
    w.flush()'

@test "--framing len32: typed frames both ways" {
	bridge --framing len32 -- "$PYTHON" -c "$LEN32_PROG"
	run wsstream --show --message 'text:h\xc3\xa9\nllo' \
		--message 'binary:\x00\xff' --expect 4
	assert_output $'text: type 1, 7 bytes\ntext: h\xc3\xa9\nllo\ntext: type 2, 2 bytes\nbinary: 2 bytes\nclose: 1000 exit 0\neof'
	assert_exits 0
}

@test "--framing len32: a bad frame from the program closes with 1011 or 1009" {
	bridge --framing len32 -- printf '\0\0\0\1\3x'
	run wsstream --show
	assert_output $'close: 1011 program frame of an unknown type\neof'
	bridge --framing len32 -- printf '\0\0\0\2\1ab\0\0\0\3\1a'
	run wsstream --show
	assert_output $'text: ab\nclose: 1011 program output ends mid-frame\neof'
	bridge --framing len32 --max-message 2 -- printf '\0\0\0\3\2abc'
	run wsstream --show
	assert_output $'close: 1009 program message over the limit\neof'
}

@test "cat echoes a 10 MB message intact under --binary and --framing len32" {
	local sum
	bridge --binary --max-message 16m -- cat
	run wsstream --send binary:10485760 --expect-bytes 10485760
	assert_success
	sum=$(sed -n 's/^sent binary 10485760 //p' <<<"$output")
	[ -n "$sum" ] || fail "no checksum: $output"
	# Chunks as cat wrote them: their number is the kernel's business.
	assert_line --regexp "^received [0-9]+ messages, 10485760 bytes, $sum\$"
	assert_line 'close: 1000 exit 0'
	assert_exits 0

	bridge --framing len32 --max-message 16m -- cat
	run wsstream --send binary:10485760 --expect 1
	assert_success
	sum=$(sed -n 's/^sent binary 10485760 //p' <<<"$output")
	[ -n "$sum" ] || fail "no checksum: $output"
	assert_line "received 1 messages, 10485760 bytes, $sum"
	assert_exits 0
}

@test "a program that floods its stdout to a slow reader keeps memory bounded" {
	local peak
	bridge -- sh -c 'yes "$(head -c 1023 /dev/zero | tr "\0" z)" |
		head -c 50331648; grep VmHWM /proc/$PPID/status >&2'
	run wsstream --stall 1 --timeout 30
	assert_success
	assert_line --partial 'received 49152 messages, 50282496 bytes'
	assert_line 'close: 1000 exit 0'
	assert_exits 0
	peak=$(peak_kib)
	[ -n "$peak" ] || fail "no VmHWM line: $(cat "$LOG")"
	# 48 MiB went through; without backpressure it would all be queued.
	[ "$peak" -lt 24576 ] || fail "wsinetd peaked at $peak KiB"
}

@test "a slow program stops wsinetd reading the peer and memory stays bounded" {
	local peak args=()
	for ((i = 0; i < 48; i++)); do
		args+=(--send binary:1048576)
	done
	bridge --binary -- sh -c 'sleep 1; wc -c >&2; grep VmHWM /proc/$PPID/status >&2'
	run wsstream "${args[@]}" --close-after-send --timeout 30
	assert_success
	assert_line 'close: 1000 exit 0'
	assert_exits 0
	assert_log 'program: 50331648$'
	peak=$(peak_kib)
	[ -n "$peak" ] || fail "no VmHWM line: $(cat "$LOG")"
	[ "$peak" -lt 24576 ] || fail "wsinetd peaked at $peak KiB"
}

# usage_fails MESSAGE ARGS...: wsinetd ARGS exits 2 with MESSAGE first
# on stderr and nothing on stdout.
usage_fails() {
	local msg=$1
	shift
	run --separate-stderr -2 "$WSINETD" "$@" </dev/null
	assert_output ""
	[[ $stderr == "wsinetd: $msg"$'\n'* ]] || fail "stderr: $stderr"
}

@test "bridge options need a program, and a program needs --" {
	usage_fails 'unexpected argument: cat' cat
	usage_fails '--binary, --framing, --kill-timeout and --max-line need -- PROGRAM or --dir' \
		--binary
	usage_fails '--binary, --framing, --kill-timeout and --max-line need -- PROGRAM or --dir' \
		--max-line 2m
	usage_fails 'invalid --max-line: 0' --max-line 0 -- cat
	usage_fails 'invalid --max-line: 2x' --max-line 2x -- cat
	usage_fails '--binary and --framing exclude each other' \
		--binary --framing len32 -- cat
	usage_fails 'invalid --framing: words (line, nul or len32)' \
		--framing words -- cat
	usage_fails '--echo and a program exclude each other' -e -- cat
	usage_fails 'invalid --kill-timeout: x' --kill-timeout x -- cat
	# Control: the program's own options stay its own.
	bridge -- sh -c 'echo "$1"' sh --binary
	run wsstream --show
	assert_output $'text: --binary\nclose: 1000 exit 0\neof'
}
