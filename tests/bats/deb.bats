#!/usr/bin/env bats
# SPDX-License-Identifier: ISC
#
# The Debian package: `make deb` builds it (dpkg-buildpackage, then
# lintian with no error allowed), its contents and control files are as
# README's "Install" says, and installed with dpkg into a booted systemd
# (tests/tools/nspawn-boot) it creates its user, enables nothing, serves
# the hello exchange through ws-echo.socket from /usr/sbin/wsinetd once
# started, and goes away on purge. About a minute, most of it the build.

load helpers
load systemd

setup_file() {
	require_tools
	require_systemd_tools
	for t in dpkg-buildpackage dh lintian readelf git; do
		command -v "$t" >/dev/null ||
			fail "$t is not installed (scripts/deps check)"
	done
	export DEB_DIR=$BUILD/deb
	make -C "$REPO" B="$BUILD" deb >"$BATS_FILE_TMPDIR/deb.log" 2>&1 ||
		fail "make deb failed: $(tail -n 30 "$BATS_FILE_TMPDIR/deb.log")"
	DEB=$(echo "$DEB_DIR"/wsinetd_*_*.deb)
	[ -f "$DEB" ] || fail "no .deb in $DEB_DIR"
	export DEB
	# An empty DESTDIR: the package brings everything.
	CT_STATE=$BATS_FILE_TMPDIR/container
	export CT_STATE
	"$NSPAWN_BOOT" start "$CT_STATE" "" --bind-ro="$DEB_DIR:/deb" ||
		fail "systemd did not boot in the container"
}

teardown_file() {
	stop_systemd
}

@test "lintian finds no error nor warning, and sees the static binary it is told about" {
	# make deb ran lintian last.
	run sed -n '/^lintian /,$p' "$BATS_FILE_TMPDIR/deb.log"
	assert_output --partial 'lintian --fail-on error'
	refute_output --regexp '^[EW]: '
	# The control: without its overrides the static link is an error,
	# so lintian does look at the binary.
	run lintian --no-override --tags statically-linked-binary "$DEB"
	assert_output --partial 'E: wsinetd: statically-linked-binary [usr/sbin/wsinetd]'
}

@test "the package holds the programs, pages, units, sysusers file and docs" {
	local path
	run -0 dpkg-deb -c "$DEB"
	for path in usr/sbin/wsinetd usr/bin/wsclient \
		usr/share/man/man8/wsinetd.8.gz usr/share/man/man1/wsclient.1.gz \
		lib/systemd/system/ws-echo.socket lib/systemd/system/ws-echo@.service \
		lib/systemd/system/ws-echo-fast.socket \
		lib/systemd/system/ws-echo-tls@.service \
		usr/lib/sysusers.d/wsinetd.conf usr/share/doc/wsinetd/copyright \
		usr/share/doc/wsinetd/README.md.gz \
		usr/share/doc/wsinetd/examples/chat.sh \
		usr/share/doc/wsinetd/examples/haproxy.cfg; do
		assert_output --partial " ./$path"
	done
	refute_output --partial /usr/local/
	dpkg-deb -x "$DEB" "$BATS_TEST_TMPDIR/x"
	# wsinetd is static (no program interpreter); wsclient, the control,
	# is not.
	run -0 readelf -l "$BATS_TEST_TMPDIR/x/usr/sbin/wsinetd"
	refute_output --partial 'program interpreter'
	run -0 readelf -l "$BATS_TEST_TMPDIR/x/usr/bin/wsclient"
	assert_output --partial 'program interpreter'
	# The units name the installed binary.
	run grep -h '^ExecStart=' "$BATS_TEST_TMPDIR"/x/lib/systemd/system/*.service
	assert_output --regexp '^ExecStart=/usr/sbin/wsinetd'
	refute_output --partial @SBINDIR@
	# So do the chat examples, ready to copy.
	run -0 grep -v '^#' \
		"$BATS_TEST_TMPDIR/x/usr/share/doc/wsinetd/examples/systemd/ws-chat@.service"
	assert_output --partial 'ExecStart=/usr/sbin/wsinetd '
	assert_output --partial ' -- /usr/share/doc/wsinetd/examples/chat.sh'
	refute_output --regexp '@(SBINDIR|EXAMPLESDIR)@'
}

@test "the maintainer scripts create the user and enable or start nothing" {
	run -0 dpkg-deb -f "$DEB" Depends Built-Using
	assert_output --regexp 'Built-Using: .*openssl \(= .*zlib \(= '
	run -0 dpkg-deb -I "$DEB" postinst
	assert_output --partial 'systemd-sysusers'
	# deb-systemd-helper enables a socket again only if it was enabled
	# before (an upgrade); nothing is started.
	assert_output --partial "was-enabled 'ws-echo.socket'"
	refute_output --partial deb-systemd-invoke
	# Removal stops the sockets an administrator started.
	run -0 dpkg-deb -I "$DEB" prerm
	assert_output --regexp 'deb-systemd-invoke stop ws-echo\.socket'
}

@test "installed with dpkg in a booted systemd: disabled, then the hello exchange through ws-echo.socket" {
	local port i
	port=$(free_port)
	# A policy-rc.d of the host (a container image's "exit 101") would
	# forbid the maintainer scripts to touch services, which a real
	# machine allows; the container's copy of / may lose it.
	run -0 ct rm -f /usr/sbin/policy-rc.d
	run -0 ct dpkg -i "/deb/${DEB##*/}"
	run -0 ct id -u wsinetd
	run ct systemctl is-enabled ws-echo.socket
	assert_output disabled
	run ct systemctl is-active ws-echo.socket
	assert_output inactive
	# Moved to a free port (the host's network is shared), then started
	# by hand as README says.
	run -0 ct sh -c "mkdir -p /etc/systemd/system/ws-echo.socket.d &&
		printf '[Socket]\nListenStream=\nListenStream=127.0.0.1:$port\n' \
		>/etc/systemd/system/ws-echo.socket.d/port.conf &&
		systemctl daemon-reload && systemctl start ws-echo.socket"
	run --separate-stderr -0 ct /usr/bin/wsclient --timeout 10 \
		"ws://127.0.0.1:$port/"
	assert_output "Welcome to the WebSocket server!
You said: Hello, WebSocket server!"
	# The journal has the connection, served by the installed unit.
	for ((i = 0; i < 50; i++)); do
		run ct journalctl -q -o cat SYSLOG_IDENTIFIER=wsinetd
		[[ $output =~ closed\ by\ the\ peer ]] && break
		sleep 0.1
	done
	assert_output --regexp '127\.0\.0\.1:[0-9]+ closed by the peer'
	run -0 ct systemctl cat ws-echo@.service
	assert_output --partial 'ExecStart=/usr/sbin/wsinetd'
	# Purged while the socket listens: the prerm stops it, and the
	# files go.
	run -0 ct dpkg --purge wsinetd
	run ct systemctl is-active ws-echo.socket
	assert_output inactive
	run ct test -e /usr/sbin/wsinetd
	assert_failure
	run ct id -u wsinetd
	assert_success
}
