#!/usr/bin/env bats
# SPDX-License-Identifier: ISC
#
# make install and make uninstall into a DESTDIR: the tree a packager
# gets, with the service unit pointing at the installed wsinetd.

load helpers

ROOT=$BATS_TEST_DIRNAME/../..

# The install uses the binaries this suite tests (B names their folder).
stage() {
	make -s --no-print-directory -C "$ROOT" B="$BUILD" PREFIX=/usr \
		UNITDIR=/lib/systemd/system SYSUSERSDIR=/usr/lib/sysusers.d \
		DESTDIR="$DEST" "$@"
}

setup() {
	require_tools
	SERVER_PIDS=()
	DEST=$BATS_TEST_TMPDIR/stage
}

@test "make install puts programs, manual pages, units and the unit's user under DESTDIR" {
	run -0 stage install
	[ -x "$DEST/usr/sbin/wsinetd" ] || fail "no usr/sbin/wsinetd"
	[ -x "$DEST/usr/bin/wsclient" ] || fail "no usr/bin/wsclient"
	[ -f "$DEST/usr/share/man/man8/wsinetd.8" ] || fail "no wsinetd.8"
	[ -f "$DEST/usr/share/man/man1/wsclient.1" ] || fail "no wsclient.1"
	[ -f "$DEST/lib/systemd/system/ws-echo.socket" ] || fail "no socket unit"
	[ -f "$DEST/lib/systemd/system/ws-echo-fast.socket" ] ||
		fail "no fast-path socket unit"
	for u in ws-echo-tls.socket ws-echo-tls@.service \
		ws-echo-tls-fast.socket ws-echo-tls-fast.service; do
		[ -f "$DEST/lib/systemd/system/$u" ] || fail "no $u"
	done
	run -0 cat "$DEST/usr/lib/sysusers.d/wsinetd.conf"
	assert_output --regexp '(^|'$'\n'')u wsinetd '
	run -0 "$DEST/usr/sbin/wsinetd" --version
	assert_output --regexp '^wsinetd [0-9]'
}

@test "the installed service runs the installed wsinetd" {
	run -0 stage install
	run -0 grep '^ExecStart=' "$DEST/lib/systemd/system/ws-echo@.service"
	assert_output "ExecStart=/usr/sbin/wsinetd"
	run -0 grep '^ExecStart=' "$DEST/lib/systemd/system/ws-echo-fast.service"
	assert_output "ExecStart=/usr/sbin/wsinetd --max-connections 256 --drain-timeout 10 --log-level notice"
	run -0 grep '^ExecStart=' "$DEST/lib/systemd/system/ws-echo-tls@.service"
	assert_output "ExecStart=/usr/sbin/wsinetd --tls-cert %d/cert.pem --tls-key %d/key.pem --tls-ticket-keys %d/ticket.keys"
	run -1 grep -r '@SBINDIR@' "$DEST"
}

@test "control: the unit in the source tree still has the placeholder" {
	run -0 grep '^ExecStart=' "$ROOT/units/ws-echo@.service"
	assert_output "ExecStart=@SBINDIR@/wsinetd"
}

@test "make uninstall removes every installed file" {
	run -0 stage install
	run -0 stage uninstall
	run -0 find "$DEST" -type f
	assert_output ""
}
