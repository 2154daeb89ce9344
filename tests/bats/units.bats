#!/usr/bin/env bats
# SPDX-License-Identifier: ISC
#
# The systemd units as `make install` writes them, and contrib/systemd's
# bridged chat room: systemd-analyze verify has nothing to say about any
# of them (exit 0 and not a word on stderr, since
# verify reports some mistakes on stderr alone), and systemd-analyze
# security rates the service's sandbox at our bar. Each check has a
# negative control that shows it can fail.

# run --separate-stderr needs Bats 1.5; it sets $stderr.
# shellcheck disable=SC2154
bats_require_minimum_version 1.5.0

load '/usr/lib/bats/bats-support/load'
load '/usr/lib/bats/bats-assert/load'

# systemd-analyze security --threshold counts in tenths of its 0-10
# exposure scale: 2 means an exposure of 0.2 or less.
EXPOSURE_BAR=2
# The Accept=yes services keep only systemd's directives that are cheap
# per connection and rely on wsinetd's own jail for the rest, which
# systemd-analyze cannot see: it rates them 6.2. That is their bar, so
# that a directive taken out still shows (systemd.bats proves from inside
# a live instance what the jail takes away).
PER_CONNECTION_BAR=62

setup() {
	local build=${WSINETD_BUILD:-$BATS_TEST_DIRNAME/../../build}

	command -v systemd-analyze >/dev/null ||
		fail "systemd-analyze is not installed (Debian package: systemd)"
	REPO=$(cd "$BATS_TEST_DIRNAME/../.." && pwd -P)
	UNITS=$BATS_TEST_TMPDIR/units
	mkdir -p "$UNITS"

	# ExecStart= must name an executable file. The real wsinetd when it
	# is built; before that, a stand-in is enough for these checks.
	if [ -x "$build/wsinetd" ]; then
		SBINDIR=$(cd "$build" && pwd -P)
	else
		SBINDIR=$BATS_TEST_TMPDIR/sbin
		mkdir -p "$SBINDIR"
		printf '#!/bin/sh\nexit 1\n' >"$SBINDIR/wsinetd"
		chmod 755 "$SBINDIR/wsinetd"
	fi
	install_units "$SBINDIR"

	# verify runs man(1) for Documentation=man:wsinetd(8): let it find
	# our page, not whatever is installed (or nothing).
	mkdir -p "$BATS_TEST_TMPDIR/man/man8"
	cp "$REPO/man/wsinetd.8" "$BATS_TEST_TMPDIR/man/man8/"
	export MANPATH=$BATS_TEST_TMPDIR/man
}

# Writes every unit of units/ into $UNITS the way `make install` does,
# with @SBINDIR@ replaced by DIR; and contrib/systemd's pair the way its
# comment says, the examples where they are in the tree.
install_units() {
	local u
	for u in "$REPO"/units/*; do
		sed "s|@SBINDIR@|$1|g" "$u" >"$UNITS/${u##*/}"
	done
	sed -e "s|@SBINDIR@|$1|g" -e "s|@EXAMPLESDIR@|$REPO/contrib/examples|g" \
		"$REPO/contrib/systemd/ws-chat@.service" >"$UNITS/ws-chat@.service"
	cp "$REPO/contrib/systemd/ws-chat.socket" "$UNITS/ws-chat.socket"
}

# weaken_service [UNIT]: the service (default ws-echo@.service) with its
# sandbox taken out: everything from the first hardening group on is
# dropped.
weaken_service() {
	local unit=$UNITS/${1:-ws-echo@.service}
	sed -i '/^# -- Identity/,$d' "$unit"
	! grep -q '^NoNewPrivileges=' "$unit" ||
		fail "the weakened copy still has its hardening"
}

# exposure_of NAME: the overall exposure in systemd-analyze's report on
# stdin for the unit whose name starts with NAME, in tenths.
exposure_of() {
	sed -n "s/.*Overall exposure level for $1[^:]*: \([0-9]*\)\.\([0-9]\) .*/\1\2/p"
}

# rate UNIT NAME BAR: systemd-analyze security on UNIT with BAR as its
# threshold (run's $output, $stderr, $status), and in $got the exposure
# its report gives the unit whose name starts with NAME, in tenths.
rate() {
	run --separate-stderr systemd-analyze security --offline=yes \
		--threshold="$3" "$UNITS/$1"
	got=$(exposure_of "$2" <<<"$output")
	[ -n "$got" ] || fail "no exposure of $2 in: $output"
}

# assert_exposure UNIT NAME [BAR]: systemd-analyze security rates UNIT
# (whose name in its report starts with NAME) at BAR tenths or less
# (default EXPOSURE_BAR), and says nothing else.
assert_exposure() {
	local bar=${3:-$EXPOSURE_BAR} got
	rate "$1" "$2" "$bar"
	assert_success
	[ "$got" -le "$bar" ] ||
		fail "exposure of $2: $got tenths, the bar is $bar: $output"
	assert_equal "$stderr" ""
}

# refute_exposure UNIT NAME [BAR]: the same rating misses the bar.
refute_exposure() {
	local bar=${3:-$EXPOSURE_BAR} got
	rate "$1" "$2" "$bar"
	assert_failure
	[ "$got" -gt "$bar" ] ||
		fail "exposure of $2: $got tenths, the bar is $bar: $output"
}

# verify's whole judgement: exit 0, and nothing on stdout or stderr.
assert_verify_clean() {
	run --separate-stderr systemd-analyze verify "$@"
	assert_success
	assert_output ""
	assert_equal "$stderr" ""
}

@test "systemd-analyze verify has nothing to say about ws-echo.socket" {
	assert_verify_clean "$UNITS/ws-echo.socket"
}

@test "systemd-analyze verify has nothing to say about ws-echo@.service" {
	assert_verify_clean "$UNITS/ws-echo@.service"
}

@test "a misspelt directive passes verify's exit status but not the empty-stderr check" {
	printf 'NoDeley=yes\n' >>"$UNITS/ws-echo.socket"
	run --separate-stderr systemd-analyze verify "$UNITS/ws-echo.socket"
	assert_success
	[[ $stderr == *"Unknown key 'NoDeley'"* ]] ||
		fail "expected a complaint about NoDeley, got: $stderr"
}

@test "systemd-analyze verify fails the service when ExecStart names a missing program" {
	install_units "$BATS_TEST_TMPDIR/nowhere"
	run --separate-stderr systemd-analyze verify "$UNITS/ws-echo@.service"
	assert_failure
	[[ $stderr == *"$BATS_TEST_TMPDIR/nowhere/wsinetd"* ]] ||
		fail "expected a complaint naming the program, got: $stderr"
}

@test "systemd-analyze verify fails the socket when its service template is missing" {
	rm "$UNITS/ws-echo@.service"
	run --separate-stderr systemd-analyze verify "$UNITS/ws-echo.socket"
	assert_failure
	[[ $stderr == *"ws-echo@"* ]] ||
		fail "expected a complaint about the service, got: $stderr"
}

@test "systemd-analyze security rates ws-echo@.service at 6.2 or less, which leaves the rest to the self-jail" {
	assert_exposure ws-echo@.service ws-echo@ "$PER_CONNECTION_BAR"
}

@test "ws-echo@.service without its hardening fails the same security threshold" {
	weaken_service
	refute_exposure ws-echo@.service ws-echo@ "$PER_CONNECTION_BAR"
}

@test "systemd-analyze verify has nothing to say about ws-echo-fast.socket" {
	assert_verify_clean "$UNITS/ws-echo-fast.socket"
}

@test "systemd-analyze verify has nothing to say about ws-echo-fast.service" {
	assert_verify_clean "$UNITS/ws-echo-fast.service"
}

@test "ws-echo-fast.socket hands over the listening socket (Accept=no)" {
	run -0 grep -E '^Accept=' "$UNITS/ws-echo-fast.socket"
	assert_output "Accept=no"
	run -0 grep -E '^KillMode=' "$UNITS/ws-echo-fast.service"
	assert_output "KillMode=mixed"
}

@test "systemd-analyze security rates ws-echo-fast.service at an exposure of 0.2 or less" {
	assert_exposure ws-echo-fast.service ws-echo-fast
}

@test "ws-echo-fast.service without its hardening fails the same security threshold" {
	weaken_service ws-echo-fast.service
	refute_exposure ws-echo-fast.service ws-echo-fast
}

@test "systemd-analyze verify has nothing to say about contrib's ws-chat.socket and ws-chat@.service" {
	assert_verify_clean "$UNITS/ws-chat.socket"
	assert_verify_clean "$UNITS/ws-chat@.service"
}

@test "systemd-analyze verify fails ws-chat@.service copied without replacing @SBINDIR@" {
	cp "$REPO/contrib/systemd/ws-chat@.service" "$UNITS/ws-chat@.service"
	run --separate-stderr systemd-analyze verify "$UNITS/ws-chat@.service"
	assert_failure
	[[ $stderr == *"SBINDIR@/wsinetd"* ]] ||
		fail "expected a complaint naming the unreplaced path, got: $stderr"
}

@test "systemd-analyze security rates contrib's ws-chat@.service at an exposure of 0.2 or less" {
	assert_exposure ws-chat@.service ws-chat@
}

@test "ws-chat@.service without its hardening fails the same security threshold" {
	weaken_service ws-chat@.service
	refute_exposure ws-chat@.service ws-chat@
}

@test "systemd-analyze verify has nothing to say about the TLS units, Accept=yes and Accept=no" {
	assert_verify_clean "$UNITS/ws-echo-tls.socket"
	assert_verify_clean "$UNITS/ws-echo-tls@.service"
	assert_verify_clean "$UNITS/ws-echo-tls-fast.socket"
	assert_verify_clean "$UNITS/ws-echo-tls-fast.service"
}

@test "the TLS units read certificate, key and ticket keys as credentials, and reload with SIGHUP" {
	local u
	for u in ws-echo-tls@.service ws-echo-tls-fast.service; do
		run -0 grep '^LoadCredential=' "$UNITS/$u"
		assert_output "LoadCredential=cert.pem:/etc/wsinetd/tls/cert.pem
LoadCredential=key.pem:/etc/wsinetd/tls/key.pem
LoadCredential=ticket.keys:/etc/wsinetd/tls/ticket.keys"
		run -0 grep '^ExecStart=' "$UNITS/$u"
		assert_output --partial " --tls-cert %d/cert.pem --tls-key %d/key.pem --tls-ticket-keys %d/ticket.keys"
	done
	run -0 grep -E '^(Accept|ListenStream)=' "$UNITS/ws-echo-tls.socket"
	assert_output "ListenStream=8443
Accept=yes"
	run -0 grep -E '^(Accept|ListenStream)=' "$UNITS/ws-echo-tls-fast.socket"
	assert_output "ListenStream=8444
Accept=no"
	run -0 grep '^ExecReload=' "$UNITS/ws-echo-tls-fast.service"
	assert_output 'ExecReload=/bin/kill -HUP $MAINPID'
}

@test "systemd-analyze security rates ws-echo-tls@ at 6.2 or less and ws-echo-tls-fast at 0.2 or less" {
	assert_exposure ws-echo-tls@.service ws-echo-tls@ "$PER_CONNECTION_BAR"
	assert_exposure ws-echo-tls-fast.service ws-echo-tls-fast
}

@test "the TLS services without their hardening fail the same security threshold" {
	weaken_service ws-echo-tls@.service
	weaken_service ws-echo-tls-fast.service
	refute_exposure ws-echo-tls@.service ws-echo-tls@ "$PER_CONNECTION_BAR"
	refute_exposure ws-echo-tls-fast.service ws-echo-tls-fast
}
