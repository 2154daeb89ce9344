#!/usr/bin/env bats
# SPDX-License-Identifier: ISC
#
# wsinetd's command line: help and version on stdout with exit 0, every
# bad value a usage error (exit 2) naming the option, and --max-header
# taking effect on a real connection.

load helpers

USAGE_FIRST='usage: wsinetd [-e] [--max-message BYTES] [--max-header BYTES]'

# assert_usage_error MESSAGE ARGS...: wsinetd ARGS exits 2, prints nothing
# on stdout, and MESSAGE then the usage on stderr.
assert_usage_error() {
	local msg=$1
	shift
	run --separate-stderr -2 "$WSINETD" "$@" </dev/null
	assert_output ""
	[[ $stderr == "$msg"$'\n'"$USAGE_FIRST"$'\n'* ]] ||
		fail "stderr: $stderr"
}

@test "wsinetd --help prints the usage and the options on stdout and exits 0" {
	run --separate-stderr -0 "$WSINETD" --help
	assert_line --index 0 "$USAGE_FIRST"
	assert_output --partial "  -e, --echo "
	assert_output --partial "See wsinetd(8)."
	[ -z "$stderr" ] || fail "stderr: $stderr"
}

@test "wsinetd --version prints its version and exits 0" {
	run --separate-stderr -0 "$WSINETD" --version
	assert_output --regexp '^wsinetd [0-9]+\.[0-9]+\.[0-9]+$'
	[ -z "$stderr" ] || fail "stderr: $stderr"
}

@test "wsinetd rejects --max-message 0" {
	assert_usage_error "wsinetd: invalid --max-message: 0" --max-message 0
}

@test "wsinetd rejects a --max-header below 256 bytes" {
	assert_usage_error "wsinetd: invalid --max-header: 100" --max-header 100
}

@test "wsinetd rejects a negative --handshake-timeout" {
	assert_usage_error "wsinetd: invalid --handshake-timeout: -1" --handshake-timeout -1
}

@test "wsinetd rejects a non-numeric --idle-timeout" {
	assert_usage_error "wsinetd: invalid --idle-timeout: abc" --idle-timeout abc
}

@test "wsinetd rejects a --close-timeout with trailing junk" {
	assert_usage_error "wsinetd: invalid --close-timeout: 1s" --close-timeout 1s
}

@test "wsinetd rejects a stray argument" {
	assert_usage_error "wsinetd: unexpected argument: extra" extra
}

@test "wsinetd accepts the same options with valid values (control)" {
	# Valid values pass parsing; with stdin at EOF the connection is then
	# lost during the handshake (exit 8), not a usage error.
	run --separate-stderr -8 "$WSINETD" --max-message 1k --max-header 256 \
		--handshake-timeout 0.5 --idle-timeout 1 --close-timeout 1.5 </dev/null
	assert_output ""
	[[ $stderr == "<4>- connection closed during the handshake, "* ]] ||
		fail "stderr: $stderr"
}

@test "--max-header 256 refuses a 300-byte request with 431" {
	start_inetd_mode --max-header 256
	run --separate-stderr -4 wsclient -H "X-Pad: $(printf '%150s' '' | tr ' ' p)" \
		"ws://127.0.0.1:$PORT/"
	assert_output ""
	[ "$stderr" = "wsclient: handshake refused: HTTP/1.1 431 Request Header Fields Too Large" ] ||
		fail "stderr: $stderr"
	assert_exits 4
	assert_log 'refused: 431 header block too large, '
}

@test "the same request is accepted under the default header limit" {
	start_inetd_mode
	run --separate-stderr -0 wsclient -H "X-Pad: $(printf '%150s' '' | tr ' ' p)" \
		"ws://127.0.0.1:$PORT/"
	assert_output "Welcome to the WebSocket server!
You said: Hello, WebSocket server!"
	assert_exits 0
}
