# SPDX-License-Identifier: ISC
# shellcheck shell=bash
#
# Shared by the interop-*.bats files, after helpers: the peers we did not
# write (their scripts live in tests/interop), starting them on loopback
# ports with logs of their own, and wsclient's reference output against
# wsinetd to compare theirs with.

# shellcheck disable=SC2034 # INTEROP, WWW: read by the .bats files
INTEROP=$BATS_TEST_DIRNAME/../interop
# shellcheck disable=SC2034
WWW=$BATS_TEST_DIRNAME/../../contrib/www
# Debian installs node's ws module here, outside node's default path.
export NODE_PATH=/usr/share/nodejs

HELLO_OUT="Welcome to the WebSocket server!
You said: Hello, WebSocket server!"

# helpers' setup, kept under another name so that this one can add to
# it: each interop file names its peers in requires_peers.
eval "helpers_$(declare -f setup)"

setup() {
	helpers_setup
	requires_peers
}

# require_peer COMMAND...: each must be installed; a missing one fails.
require_peer() {
	local t
	for t in "$@"; do
		command -v "$t" >/dev/null || fail "$t is not installed (scripts/deps check)"
	done
}

# require_python_module NAME: python3 can import it.
require_python_module() {
	"$PYTHON" -c "import $1" 2>/dev/null ||
		fail "Python module $1 is missing (scripts/deps check)"
}

# require_node_ws: node can load the ws module.
require_node_ws() {
	require_peer node
	node -e "require('ws')" 2>/dev/null ||
		fail "node cannot load ws from $NODE_PATH (Debian package node-ws)"
}

# start_peer NAME COMMAND...: runs COMMAND (which listens on $PEER_PORT,
# taken here) in the background with its output in $BATS_TEST_TMPDIR/
# NAME.log (PEER_LOG), and waits until it listens. The test's teardown
# stops it by PID like the servers helpers start.
start_peer() {
	PEER_LOG=$BATS_TEST_TMPDIR/$1.log
	shift
	# spawn writes, and wait_port shows, $LOG: here the peer's own.
	# shellcheck disable=SC2034
	local LOG=$PEER_LOG
	spawn "$@"
	wait_port "$PEER_PORT" "$SERVER_PID"
}

# wait_peer_log REGEX: polls (at most 3 s) until a line of PEER_LOG
# matches: peers say how a connection ended after it has.
wait_peer_log() {
	wait_line "$PEER_LOG" "$1"
}

# start_chromium DIR: headless Chromium on about:blank in a session (and
# process group) of its own, so that all its processes can be stopped by
# that group's id, with a fresh profile in DIR/chromium-profile that it
# writes its DevTools port into (tests/interop/cdp.py reads it there);
# its HOME is DIR/chromium-home.
# Sets and exports CHROMIUM_PID and CHROMIUM_PROFILE, so that it can be
# started once per file, in setup_file.
start_chromium() {
	export CHROMIUM_PROFILE=$1/chromium-profile CHROMIUM_PID
	# (the home may exist already, holding an NSS database for it)
	mkdir -p "$1/chromium-home" && mkdir "$CHROMIUM_PROFILE"
	# Its singleton lock, crash and dconf directories go under DIR too,
	# not into the user's home or /tmp, where a killed browser leaves them.
	HOME=$1/chromium-home TMPDIR=$1/chromium-home \
		XDG_CONFIG_HOME=$1/chromium-home XDG_CACHE_HOME=$1/chromium-home \
		setsid chromium --headless --no-sandbox --disable-gpu --disable-quic \
		--no-first-run --no-proxy-server --disable-background-networking \
		--disable-component-update --disable-sync \
		--window-size=1000,700 --remote-debugging-port=0 \
		--user-data-dir="$CHROMIUM_PROFILE" about:blank \
		>"$1/chromium.log" 2>&1 3>&- &
	CHROMIUM_PID=$!
}

# True while a process of Chromium's session is more than a zombie.
# shellcheck disable=SC2009 # pgrep lists zombies as alive
chromium_alive() {
	ps -o stat= -s "$CHROMIUM_PID" 2>/dev/null | grep -qv '^Z'
}

# stop_chromium: SIGTERM to Chromium's process group, at most 5 s for all
# of it to go, then SIGKILL; then reaps the browser process.
stop_chromium() {
	local i
	[ -n "${CHROMIUM_PID:-}" ] || return 0
	kill -TERM -- "-$CHROMIUM_PID" 2>/dev/null || true
	for ((i = 0; i < 100; i++)); do
		chromium_alive || break
		sleep 0.05
	done
	kill -KILL -- "-$CHROMIUM_PID" 2>/dev/null || true
	wait "$CHROMIUM_PID" 2>/dev/null || true
	CHROMIUM_PID=
}

# hello_reference: wsclient's output against wsinetd's hello service, in
# REFERENCE, after checking it is the hello exchange and clean.
hello_reference() {
	start_inetd_mode
	run --separate-stderr -0 wsclient "ws://127.0.0.1:$PORT/"
	assert_output "$HELLO_OUT"
	assert_exits 0
	# shellcheck disable=SC2154 # output: set by run
	REFERENCE=$output
}

# assert_same_as_reference: wsclient printed what it prints against
# wsinetd, said nothing on stderr and exited 0 (run -0 checked that).
assert_same_as_reference() {
	[ "$output" = "$REFERENCE" ] ||
		fail "wsclient printed:
$output
against wsinetd it printed:
$REFERENCE"
	[ -z "$stderr" ] || fail "wsclient stderr: $stderr"
}
