#!/usr/bin/env bats
# SPDX-License-Identifier: ISC
#
# The manual pages: they render through man(1) without a warning, mandoc's
# linter finds nothing beyond manuals this machine lacks, and every option
# a program's --help lists is documented in its page.

load helpers

MAN_DIR=$BATS_TEST_DIRNAME/../../man

require_man_tools() {
	command -v man >/dev/null || fail "man (man-db) is not installed"
	command -v mandoc >/dev/null || fail "mandoc is not installed"
}

# Lint messages other than the two that depend on what else is installed
# here: pages we refer to that are missing, and a stale mandoc.db.
lint() {
	mandoc -T lint -W style "$1" 2>&1 |
		grep -v -e 'STYLE: referenced manual not found' \
			-e 'outdated mandoc.db' || true
}

# The long options a --help text lists, one per line.
help_options() {
	"$1" --help | grep -oE -- '--[a-z][a-z-]+' | sort -u
}

@test "wsinetd(8) renders through man without warnings" {
	require_man_tools
	run --separate-stderr -0 env MANWIDTH=80 man -l "$MAN_DIR/wsinetd.8"
	[ -z "$stderr" ] || fail "man: $stderr"
	assert_line --partial "serve one WebSocket connection for inetd or systemd"
}

@test "wsclient(1) renders through man without warnings" {
	require_man_tools
	run --separate-stderr -0 env MANWIDTH=80 man -l "$MAN_DIR/wsclient.1"
	[ -z "$stderr" ] || fail "man: $stderr"
}

@test "mandoc -T lint finds nothing in either page" {
	require_man_tools
	run lint "$MAN_DIR/wsinetd.8"
	assert_output ""
	run lint "$MAN_DIR/wsclient.1"
	assert_output ""
}

@test "the lint check does report a broken page (control)" {
	require_man_tools
	sed 's/^\.Sh OPTIONS/.Sh/' "$MAN_DIR/wsinetd.8" >"$BATS_TEST_TMPDIR/bad.8"
	run lint "$BATS_TEST_TMPDIR/bad.8"
	assert_output --partial "bad.8"
}

@test "every option in wsinetd --help is in wsinetd(8)" {
	local opt missing=()
	for opt in $(help_options "$WSINETD"); do
		grep -Eq -- "^\.It .*Fl ${opt#-}( |$)" "$MAN_DIR/wsinetd.8" ||
			missing+=("$opt")
	done
	[ ${#missing[@]} -eq 0 ] || fail "not in wsinetd.8: ${missing[*]}"
	[ "$(help_options "$WSINETD" | wc -l)" -ge 14 ] ||
		fail "too few options found in --help: $(help_options "$WSINETD")"
}

@test "every option in wsclient --help is in wsclient(1)" {
	local opt missing=()
	for opt in $(help_options "$WSCLIENT"); do
		grep -Eq -- "^\.It .*Fl ${opt#-}( |$)" "$MAN_DIR/wsclient.1" ||
			missing+=("$opt")
	done
	[ ${#missing[@]} -eq 0 ] || fail "not in wsclient.1: ${missing[*]}"
}
