# SPDX-License-Identifier: ISC
# shellcheck shell=bash
#
# A real systemd for a Bats file: tests/tools/nspawn-boot boots the
# machine's own systemd as PID 1 of a throwaway container (an overlay of
# / on a tmpfs, the host's network), with the shipped units installed the
# way `make install` installs them. One container per file: boot it in
# setup_file with boot_systemd, stop it in teardown_file with
# stop_systemd. Needs root and systemd-nspawn (Debian: systemd-container).

NSPAWN_BOOT=$BATS_TEST_DIRNAME/../tools/nspawn-boot
REPO=$(cd "$BATS_TEST_DIRNAME/../.." && pwd -P)
# Where the container finds the binary and the examples: make install's
# default PREFIX, bind-mounted read-only from the build tree.
CT_SBINDIR=/usr/local/sbin
CT_EXAMPLESDIR=/usr/local/share/wsinetd/examples

# A missing tool fails the file; it never turns into a skip.
require_systemd_tools() {
	[ "$(id -u)" -eq 0 ] || fail "booting systemd in a container needs root"
	command -v systemd-nspawn >/dev/null ||
		fail "systemd-nspawn is not installed (Debian package: systemd-container; scripts/deps check)"
	[ -x /lib/systemd/systemd ] || fail "systemd is not installed"
	[ -x "$WSINETD" ] || fail "$WSINETD is not built (run make)"
}

# install_units DEST: the units in DEST as `make install DESTDIR=DEST`
# writes them, plus contrib/systemd's chat pair as its comment says.
install_units() {
	local unitdir=$1/lib/systemd/system
	mkdir -p "$unitdir"
	sed "s|@SBINDIR@|$CT_SBINDIR|g" "$REPO/units/ws-echo@.service" \
		>"$unitdir/ws-echo@.service"
	sed "s|@SBINDIR@|$CT_SBINDIR|g" "$REPO/units/ws-echo-fast.service" \
		>"$unitdir/ws-echo-fast.service"
	mkdir -p "$1/usr/lib/sysusers.d"
	cp "$REPO/units/wsinetd.sysusers" "$1/usr/lib/sysusers.d/wsinetd.conf"
	cp "$REPO/units/ws-echo.socket" "$REPO/units/ws-echo-fast.socket" \
		"$REPO/contrib/systemd/ws-chat.socket" "$unitdir/"
	sed -e "s|@SBINDIR@|$CT_SBINDIR|g" -e "s|@EXAMPLESDIR@|$CT_EXAMPLESDIR|g" \
		"$REPO/contrib/systemd/ws-chat@.service" >"$unitdir/ws-chat@.service"
}

# drop_in DEST UNIT NAME: stdin becomes /etc/systemd/system/UNIT.d/NAME.conf.
drop_in() {
	mkdir -p "$1/etc/systemd/system/$2.d"
	cat >"$1/etc/systemd/system/$2.d/$3.conf"
}

# listen_on DEST SOCKET PORT: SOCKET listens on 127.0.0.1:PORT instead of
# its shipped port (others may hold 8080 and 8081 on a shared host, and
# two shipped sockets use 8081), and is enabled.
listen_on() {
	drop_in "$1" "$2" test-port <<EOF
[Socket]
ListenStream=
ListenStream=127.0.0.1:$3
EOF
	mkdir -p "$1/etc/systemd/system/sockets.target.wants"
	ln -sf "/lib/systemd/system/$2" "$1/etc/systemd/system/sockets.target.wants/$2"
}

# True when $WSINETD is the AddressSanitizer build.
sanitized() {
	ldd "$WSINETD" 2>/dev/null | grep -q libasan
}

# boot_systemd DEST [NSPAWN-OPTION...]: boots with DEST copied over the
# root, $WSINETD at $CT_SBINDIR/wsinetd and contrib/examples at
# $CT_EXAMPLESDIR, both read-only. Sets CT_STATE and CT_INIT, the
# container's PID 1 as the host sees it.
boot_systemd() {
	local dest=$1
	shift
	CT_STATE=$BATS_FILE_TMPDIR/container
	export CT_STATE
	"$NSPAWN_BOOT" start "$CT_STATE" "$dest" \
		--bind-ro="$(readlink -f "$WSINETD"):$CT_SBINDIR/wsinetd" \
		--bind-ro="$REPO/contrib/examples:$CT_EXAMPLESDIR" "$@" ||
		fail "systemd did not boot in the container"
	CT_INIT=$(cat "$CT_STATE/leader.pid")
	export CT_INIT
}

stop_systemd() {
	[ -n "${CT_STATE:-}" ] || return 0
	"$NSPAWN_BOOT" stop "$CT_STATE"
}

# ct COMMAND...: COMMAND inside the container.
ct() {
	"$NSPAWN_BOOT" run "$CT_STATE" "$@"
}
