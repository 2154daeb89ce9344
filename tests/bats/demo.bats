#!/usr/bin/env bats
# SPDX-License-Identifier: ISC
#
# scripts/demo, what `make demo` runs once it has built: the hello
# exchange on stdout and nothing else, what it does and the console's URL
# on stderr; from a terminal it goes on serving the page until Enter.

load helpers

# run --separate-stderr sets $stderr.
# shellcheck disable=SC2154

DEMO=$BATS_TEST_DIRNAME/../../scripts/demo

@test "the demo prints the hello exchange on stdout, the browser URL on stderr, and stops" {
	WSINETD_BUILD=$BUILD run --separate-stderr -0 "$DEMO" </dev/null
	assert_output "Welcome to the WebSocket server!
You said: Hello, WebSocket server!"
	grep -Eqx 'open http://127\.0\.0\.1:[0-9]+/ in a browser' <<<"$stderr" ||
		fail "no URL line on stderr: $stderr"
	! grep -q 'until Enter' <<<"$stderr" ||
		fail "waited without a terminal: $stderr"
}

@test "from a terminal the demo serves the console page at its URL until Enter" {
	command -v script >/dev/null || fail "script is not installed (Debian: bsdutils)"
	command -v curl >/dev/null || fail "curl is not installed"
	local out=$BATS_TEST_TMPDIR/demo.out fifo=$BATS_TEST_TMPDIR/keys i url
	mkfifo "$fifo"
	# script(1) gives the demo a terminal for stdin, stdout and stderr;
	# what is written to the FIFO is typed at it.
	WSINETD_BUILD=$BUILD script -qefc "$DEMO" /dev/null <"$fifo" >"$out" 2>&1 3>&- &
	local demo=$!
	exec 4>"$fifo"
	for ((i = 0; i < 100; i++)); do
		grep -q 'until Enter' "$out" && break
		sleep 0.05
	done
	url=$(tr -d '\r' <"$out" | sed -n 's|^open \(http://127\.0\.0\.1:[0-9]*/\) in a browser$|\1|p')
	[ -n "$url" ] || fail "no URL: $(cat "$out")"
	grep -q 'until Enter' "$out" || fail "the demo did not wait: $(cat "$out")"
	run -0 curl -sS --max-time 5 "$url"
	assert_output --partial '<title>wsinetd — WebSocket console</title>'
	echo >&4
	exec 4>&-
	wait "$demo" || fail "the demo failed: $(cat "$out")"
	# control: once it has stopped, nothing answers there
	run curl -sS --max-time 5 "$url"
	assert_failure 7
}
