#!/usr/bin/env bats
# SPDX-License-Identifier: ISC
#
# The layer check that make lint runs (scripts/check-layers): it passes on
# the tree as it is, and fails, naming the offence, on a core that
# includes an engine header or whose archive calls an I/O or allocation
# function.

load helpers

ROOT=$BATS_TEST_DIRNAME/../..
CHECK=$ROOT/scripts/check-layers
CORE=$ROOT/src/core

# A scratch copy of the core and of libws.a, for the check to refuse.
copy_core() {
	[ -f "$BUILD/libws.a" ] || fail "$BUILD/libws.a is not built (run make)"
	mkdir "$BATS_TEST_TMPDIR/core"
	cp "$CORE"/*.[ch] "$BATS_TEST_TMPDIR/core/"
	cp "$BUILD/libws.a" "$BATS_TEST_TMPDIR/libws.a"
}

# Adds to the scratch archive an object whose one function calls $1().
add_call() {
	local c=$BATS_TEST_TMPDIR/extra.c
	printf '#include <stddef.h>\nextern long %s();\nlong extra(void);\nlong extra(void) { return %s(); }\n' \
		"$1" "$1" >"$c"
	cc -c -o "$BATS_TEST_TMPDIR/extra.o" "$c"
	ar rcs "$BATS_TEST_TMPDIR/libws.a" "$BATS_TEST_TMPDIR/extra.o"
}

@test "the core as it is passes the layer check" {
	[ -f "$BUILD/libws.a" ] || fail "$BUILD/libws.a is not built (run make)"
	run --separate-stderr "$CHECK" "$CORE" "$BUILD/libws.a"
	assert_success
	assert_equal "$stderr" ""
}

@test "the scratch copy of the core passes too (the controls below change one thing)" {
	copy_core
	run --separate-stderr "$CHECK" "$BATS_TEST_TMPDIR/core" "$BATS_TEST_TMPDIR/libws.a"
	assert_success
}

@test "a core file that includes engine.h fails the layer check" {
	copy_core
	printf '#include "engine.h"\n' >>"$BATS_TEST_TMPDIR/core/frame.c"
	run --separate-stderr "$CHECK" "$BATS_TEST_TMPDIR/core" "$BATS_TEST_TMPDIR/libws.a"
	assert_failure 1
	assert_equal "$stderr" "check-layers: $BATS_TEST_TMPDIR/core/frame.c includes \"engine.h\", which is not part of the core ($BATS_TEST_TMPDIR/core)"
}

@test "a core header that includes a program's header fails the layer check" {
	copy_core
	printf '#include "bridge.h"\n' >>"$BATS_TEST_TMPDIR/core/pipeframe.h"
	run --separate-stderr "$CHECK" "$BATS_TEST_TMPDIR/core" "$BATS_TEST_TMPDIR/libws.a"
	assert_failure 1
	[[ $stderr == *'pipeframe.h includes "bridge.h"'* ]] || fail "$stderr"
}

@test "core objects that call read, malloc, poll or open fail the layer check" {
	local fn
	for fn in read malloc poll open socket exit; do
		rm -rf "$BATS_TEST_TMPDIR/core"
		copy_core
		add_call "$fn"
		run --separate-stderr "$CHECK" "$BATS_TEST_TMPDIR/core" "$BATS_TEST_TMPDIR/libws.a"
		assert_failure 1
		assert_equal "$stderr" "check-layers: extra.o in $BATS_TEST_TMPDIR/libws.a calls $fn: the core does no I/O and no allocation"
	done
}

@test "core objects that call a pure string function still pass" {
	copy_core
	add_call strlen
	run --separate-stderr "$CHECK" "$BATS_TEST_TMPDIR/core" "$BATS_TEST_TMPDIR/libws.a"
	assert_success
}

@test "no C file lies directly under src/, and each layer has its folder" {
	run compgen -G "$ROOT/src/*.[ch]"
	assert_failure
	local d
	for d in core engine wsinetd wsclient; do
		compgen -G "$ROOT/src/$d/*.c" >/dev/null || fail "src/$d has no C file"
	done
}
