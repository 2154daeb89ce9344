#!/usr/bin/env bats
# SPDX-License-Identifier: ISC
#
# The self-jail as the kernel reports it for live processes: seccomp in
# filter mode (Seccomp: 2), no new privileges, the rlimits, in each mode;
# none of it with --no-sandbox. What a jailed process cannot do (open a
# file, connect out, signal a sibling) is shown by tests/jail/test_jail.c,
# from inside; that the engine can still do all it needs, by every other
# Bats file, which runs with the jail on.

load helpers


finish_held() {
	exec 4>&-
	wait "$HELD_PID" || true
}

# The only child of PID (the process serving the held connection).
child_of() {
	local kids
	kids=$(cat /proc/"$1"/task/*/children 2>/dev/null | tr -s ' \n' ' ')
	[ "$(echo "$kids" | wc -w)" -eq 1 ] || fail "children of $1: '$kids'"
	echo "$kids" | tr -d ' '
}

# field PID NAME: a line's value from /proc/PID/status.
field() {
	awk -v f="$2:" '$1 == f { print $2 }' /proc/"$1"/status
}

# limit PID TEXT: the soft value of a line of /proc/PID/limits.
limit() {
	awk -v l="$2" 'index($0, l) == 1 {
		sub(l, ""); split($0, a, " "); print a[1] }' /proc/"$1"/limits
}

assert_jailed() {
	[ "$(field "$1" Seccomp)" = 2 ] || fail "Seccomp: $(field "$1" Seccomp)"
	[ "$(field "$1" NoNewPrivs)" = 1 ] ||
		fail "NoNewPrivs: $(field "$1" NoNewPrivs)"
	[ "$(field "$1" Seccomp_filters)" = "${2:-1}" ] ||
		fail "Seccomp_filters: $(field "$1" Seccomp_filters)"
	[ "$(limit "$1" 'Max core file size')" = 0 ] ||
		fail "core limit: $(limit "$1" 'Max core file size')"
}

assert_free() {
	[ "$(field "$1" Seccomp)" = 0 ] || fail "Seccomp: $(field "$1" Seccomp)"
	[ "$(field "$1" NoNewPrivs)" = 0 ] ||
		fail "NoNewPrivs: $(field "$1" NoNewPrivs)"
}

@test "Accept=yes: the process serving a connection is jailed" {
	start_listenfds_mode
	hold_open "$PORT" Welcome
	pid=$(child_of "$SERVER_PID")
	assert_jailed "$pid"
	[ "$(limit "$pid" 'Max open files')" = 16 ] ||
		fail "open files: $(limit "$pid" 'Max open files')"
	finish_held
}

@test "Accept=yes with --no-sandbox: not jailed (the negative control)" {
	start_listenfds_mode --no-sandbox
	hold_open "$PORT" Welcome
	assert_free "$(child_of "$SERVER_PID")"
	finish_held
}

@test "inetd mode with --echo: jailed as well" {
	start_inetd_mode --echo
	hold_open "$PORT" echoed echoed
	assert_jailed "$(child_of "$SERVER_PID")"
	finish_held
}

@test "Accept=no: the listener and each child are jailed, the child twice" {
	PORT=$(free_port)
	spawn "$WSINETD" --listen "127.0.0.1:$PORT"
	wait_port "$PORT" "$SERVER_PID"
	assert_jailed "$SERVER_PID" 1
	hold_open "$PORT" Welcome
	assert_jailed "$(child_of "$SERVER_PID")" 2
	finish_held
}

@test "Accept=no with --no-sandbox: neither is jailed" {
	PORT=$(free_port)
	spawn "$WSINETD" --listen "127.0.0.1:$PORT" --no-sandbox
	wait_port "$PORT" "$SERVER_PID"
	assert_free "$SERVER_PID"
	hold_open "$PORT" Welcome
	assert_free "$(child_of "$SERVER_PID")"
	finish_held
}

@test "bridge mode: the engine is jailed once the program runs; the program is not" {
	start_listenfds_mode -- sh -c 'echo ready; exec cat'
	hold_open "$PORT" ready
	engine=$(child_of "$SERVER_PID")
	assert_jailed "$engine"
	assert_free "$(child_of "$engine")"
	finish_held
}

@test "bridge mode under --listen: the listener stays free, its children's programs inherit nothing" {
	PORT=$(free_port)
	spawn "$WSINETD" --listen "127.0.0.1:$PORT" -- sh -c 'echo ready; exec cat'
	wait_port "$PORT" "$SERVER_PID"
	assert_free "$SERVER_PID"
	hold_open "$PORT" ready
	engine=$(child_of "$SERVER_PID")
	assert_jailed "$engine"
	assert_free "$(child_of "$engine")"
	finish_held
}
