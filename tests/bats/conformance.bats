#!/usr/bin/env bats
# SPDX-License-Identifier: ISC
#
# The conformance suite (tests/conformance/run, after the Autobahn
# TestSuite's cases 1-7, 9, 10, 12 and 13, plus the opening handshake)
# against wsinetd --echo and wsclient --echo, one Bats test per category
# and role, and a few categories over TLS (--tls); and, as the negative
# controls, careless echo servers that the suite must fail. make
# check-full adds the slow cases (--full), and all of it over TLS.

load helpers

CONFORMANCE=$BATS_TEST_DIRNAME/../conformance/run

# conformance ARGS...: runs the suite and requires a table whose total
# has at least one case and no FAILED one; on failure the FAILED lines
# and the table are in the output.
conformance() {
	run "$PYTHON" "$CONFORMANCE" --build "$BUILD" "$@"
	[ "$status" -eq 0 ] || fail "conformance $* exited $status:
$output"
	[[ $output =~ total\ +[1-9][0-9]*\ +[0-9]+\ +[0-9]+\ +[0-9]+\ +0\  ]] ||
		fail "no total line with cases and 0 FAILED:
$output"
}

@test "wsinetd --echo passes conformance category 1 (framing)" {
	conformance --role server 1
}

@test "wsinetd --echo passes conformance category 2 (pings and pongs)" {
	conformance --role server 2
}

@test "wsinetd --echo passes conformance category 3 (reserved bits)" {
	conformance --role server 3
}

@test "wsinetd --echo passes conformance category 4 (opcodes)" {
	conformance --role server 4
}

@test "wsinetd --echo passes conformance category 5 (fragmentation)" {
	conformance --role server 5
}

@test "wsinetd --echo passes conformance category 6 (UTF-8, fail-fast)" {
	conformance --role server 6
}

@test "wsinetd --echo passes conformance category 7 (close handling)" {
	conformance --role server 7
}

@test "wsinetd --echo passes conformance category 9 (limits)" {
	conformance --role server 9
}

@test "wsinetd --echo passes conformance category 10 (auto-fragmentation)" {
	conformance --role server 10
}

@test "wsinetd --echo passes conformance category 12 (permessage-deflate, payloads)" {
	conformance --role server 12
}

@test "wsinetd --echo passes conformance category 13 (permessage-deflate, parameters)" {
	conformance --role server 13
}

@test "wsinetd --echo passes conformance categories 1, 5-7, 12 and H over TLS" {
	conformance --tls --role server 1 5 6 7 12.1.4 13.5.4 H
}

@test "wsinetd refuses each faulty opening handshake with its HTTP status" {
	conformance --role server H
}

@test "wsclient --echo passes conformance category 1 (framing)" {
	conformance --role client 1
}

@test "wsclient --echo passes conformance category 2 (pings and pongs)" {
	conformance --role client 2
}

@test "wsclient --echo passes conformance category 3 (reserved bits)" {
	conformance --role client 3
}

@test "wsclient --echo passes conformance category 4 (opcodes)" {
	conformance --role client 4
}

@test "wsclient --echo passes conformance category 5 (fragmentation)" {
	conformance --role client 5
}

@test "wsclient --echo passes conformance category 6 (UTF-8, fail-fast)" {
	conformance --role client 6
}

@test "wsclient --echo passes conformance category 7 (close handling)" {
	conformance --role client 7
}

@test "wsclient --echo passes conformance category 9 (limits)" {
	conformance --role client 9
}

@test "wsclient --echo passes conformance category 10 (auto-fragmentation)" {
	conformance --role client 10
}

@test "wsclient --echo passes conformance category 12 (permessage-deflate, payloads)" {
	conformance --role client 12
}

@test "wsclient --echo passes conformance category 13 (permessage-deflate, parameters)" {
	conformance --role client 13
}

@test "wsclient --echo passes conformance categories 1 and 5-7, 12 over TLS" {
	conformance --tls --role client 1 5 6 7 12.1.4 13.5.4
}

@test "both answer a close that came in one write with a 256 KiB message" {
	conformance 7.1.7
}

# The negative controls: a build directory whose wsinetd is an echo
# server that checks nothing, or UTF-8 only once a frame is whole.
lax_build() {
	local dir=$BATS_TEST_TMPDIR/lax
	mkdir -p "$dir"
	printf '#!/bin/sh\nexec %q %q "$@" %s\n' "$PYTHON" "$TOOLS/laxecho.py" \
		"${1:-}" >"$dir/wsinetd"
	chmod +x "$dir/wsinetd"
	ln -sf "$WSCLIENT" "$dir/wsclient"
	echo "$dir"
}

# wsinetd_build ARGS...: a build directory whose wsinetd is ours with
# ARGS after the suite's own options.
wsinetd_build() {
	local dir=$BATS_TEST_TMPDIR/wrapped
	mkdir -p "$dir"
	printf '#!/bin/sh\nexec %q "$@" %s\n' "$WSINETD" "$*" >"$dir/wsinetd"
	chmod +x "$dir/wsinetd"
	ln -sf "$WSCLIENT" "$dir/wsclient"
	echo "$dir"
}

@test "the suite passes a careless echo server on valid UTF-8 (control)" {
	run "$PYTHON" "$CONFORMANCE" --build "$(lax_build)" --role server 6.2.1
	assert_success
	assert_output --regexp 'total +1 +1 +0 +0 +0 '
}

@test "the suite fails a careless echo server on invalid UTF-8" {
	run "$PYTHON" "$CONFORMANCE" --build "$(lax_build)" --role server -v 6.3.1
	assert_failure 1
	assert_line --regexp '^server 6\.3\.1 +FAILED .*did not fail the connection'
	assert_output --regexp 'total +1 +0 +0 +0 +1 '
}

@test "the suite calls a server that fails invalid UTF-8 late NON-STRICT" {
	run "$PYTHON" "$CONFORMANCE" --build "$(lax_build --late-utf8)" \
		--role server -v 6.4.3
	assert_success
	assert_line --regexp '^server 6\.4\.3 +NON-STRICT .*failed only after the rest'
	assert_output --regexp 'total +1 +0 +1 +0 +0 '
}

@test "the suite fails a server that agrees to compress but sends as is" {
	run "$PYTHON" "$CONFORMANCE" --build "$(wsinetd_build --compression-min 1g)" \
		--role server -v 12.1.4
	assert_failure 1
	assert_line --regexp '^server 12\.1\.4 +FAILED .*echoed message 1 uncompressed, though it deflates'
}

@test "the suite fails a server whose echoes need more window than agreed" {
	run "$PYTHON" "$CONFORMANCE" --build "$(lax_build --deflate-any-window)" \
		--role server -v 13.3.4
	assert_failure 1
	assert_line --regexp '^server 13\.3\.4 +FAILED .*does not inflate with the agreed parameters'
	# Where no window was asked for, the same server passes.
	run "$PYTHON" "$CONFORMANCE" --build "$(lax_build --deflate-any-window)" \
		--role server 12.1.4
	assert_success
}

@test "the suite over TLS fails a server that speaks plain WebSocket" {
	run "$PYTHON" "$CONFORMANCE" --build "$(lax_build)" --tls --role server \
		-v 1.1.1
	assert_failure 1
	assert_line --regexp '^server 1\.1\.1 +FAILED +.*TLS handshake failed'
}
