# SPDX-License-Identifier: ISC
# wsinetd: `make` builds, `make check` tests, `make demo` shows the hello
# exchange on loopback, `make install` honours PREFIX and DESTDIR.

PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
SBINDIR ?= $(PREFIX)/sbin
MANDIR ?= $(PREFIX)/share/man
UNITDIR ?= $(shell pkg-config --variable=systemdsystemunitdir systemd 2>/dev/null || echo /lib/systemd/system)
SYSUSERSDIR ?= $(shell pkg-config --variable=sysusersdir systemd 2>/dev/null || echo /usr/lib/sysusers.d)

CC ?= cc
CFLAGS ?= -O2 -g
PKGS = libssl libcrypto libsystemd zlib
WARN = -std=c11 -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes \
	-Wmissing-prototypes -Wpointer-arith -Wformat=2
DEFS = -D_GNU_SOURCE -DWSINETD_VERSION='"$(VERSION)"'
VERSION = 0.1.0

# SANITIZE=1 builds everything with ASan+UBSan into its own directory.
ifeq ($(SANITIZE),1)
B ?= build-san
SAN = -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
else
B ?= build
SAN =
endif
UNIT_SAN = -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all

PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS := $(shell pkg-config --libs $(PKGS) 2>/dev/null)
# wsinetd starts once per connection, so it links nothing but libc,
# statically: its SHA-1 is its own (src/core/sha1.c), and it speaks
# systemd's LISTEN_FDS and journal protocols itself (src/engine/sd.c,
# log.c) instead of linking libsystemd (README, "What each program
# links"). wsclient needs OpenSSL's random generator and has no use for
# libsystemd. The sanitizers need the dynamic loader, so SANITIZE=1
# links wsinetd dynamically.
#
# Both link OpenSSL for TLS (src/engine/tls.c); wsinetd statically,
# Debian's libssl.a and libcrypto.a, and a plain ws:// session never
# calls into them. The static link warns once, about dlopen: libcrypto
# can load provider and engine modules named in a configuration file,
# and a static program doing that at run time would need the shared
# libraries of the glibc it was built with. wsinetd never reads that
# file (OPENSSL_INIT_NO_LOAD_CONFIG) nor loads a module, so the code is
# linked but never runs. zlib (permessage-deflate) goes into both on the
# same terms: statically into wsinetd (libz.a), where a plain session
# never calls it, and dynamically into wsclient.
WSINETD_STATIC = $(if $(SAN),,-static)
WSINETD_LIBS = $(shell pkg-config $(if $(SAN),,--static) --libs libssl libcrypto zlib)
WSCLIENT_LIBS = $(shell pkg-config --libs libssl libcrypto zlib)
ALL_CFLAGS = $(WARN) $(DEFS) $(PKG_CFLAGS) $(CFLAGS) $(SAN)

# The folders are the layers (README, "How it is built"): src/core is the
# pure protocol core, archived into libws.a for the programs, the unit
# tests and the fuzzers; src/engine is the I/O both programs share;
# src/wsinetd and src/wsclient are the programs. Object lists follow the
# folders, so a new file joins its layer by being put there.
CORE_SRC = $(wildcard src/core/*.c)
ENGINE_SRC = $(wildcard src/engine/*.c)
WSINETD_SRC = $(wildcard src/wsinetd/*.c)
WSCLIENT_SRC = $(wildcard src/wsclient/*.c)
HEADERS = $(wildcard src/*/*.h)
INC = -Isrc/core -Isrc/engine
UNITS = $(patsubst tests/unit/%.c,%,$(wildcard tests/unit/test_*.c))
FUZZ = fuzz_request fuzz_frames fuzz_response fuzz_url fuzz_pmd fuzz_proxy \
	fuzz_inflate

# --console serves contrib/www from the binary: scripts/embed turns the
# files into a C table in the build tree (never committed), rebuilt when
# one changes.
CONSOLE_FILES = contrib/www/index.html contrib/www/console.js \
	contrib/www/style.css
CONSOLE_OBJ = $(B)/obj/gen/console.o

obj = $(patsubst src/%.c,$(B)/obj/%.o,$(1))
CORE_OBJ = $(call obj,$(CORE_SRC))
ENGINE_OBJ = $(call obj,$(ENGINE_SRC))

all: $(B)/wsinetd $(B)/wsclient

$(B)/.dirs:
	@mkdir -p $(B)/unit $(B)/jail $(B)/bench $(B)/fuzz $(B)/libfuzzer \
		$(B)/obj/core $(B)/obj/engine $(B)/obj/wsinetd \
		$(B)/obj/wsclient && touch $@

$(B)/obj/%.o: src/%.c $(HEADERS) | $(B)/.dirs
	$(CC) $(ALL_CFLAGS) $(INC) -c -o $@ $<

$(B)/embed: scripts/embed.c | $(B)/.dirs
	$(CC) $(WARN) $(CFLAGS) -o $@ $<

$(B)/gen/console.c: $(B)/embed $(CONSOLE_FILES)
	@mkdir -p $(B)/gen
	$(B)/embed $@ $(CONSOLE_FILES)

$(CONSOLE_OBJ): $(B)/gen/console.c src/wsinetd/console.h
	@mkdir -p $(B)/obj/gen
	$(CC) $(ALL_CFLAGS) -Isrc/wsinetd -c -o $@ $<

$(B)/libws.a: $(CORE_OBJ)
	rm -f $@ && ar rcs $@ $^

$(B)/wsinetd: $(call obj,$(WSINETD_SRC)) $(CONSOLE_OBJ) $(ENGINE_OBJ) \
		$(B)/libws.a
	$(CC) $(CFLAGS) $(SAN) $(LDFLAGS) $(WSINETD_STATIC) -o $@ $^ \
		$(WSINETD_LIBS)

$(B)/wsclient: $(call obj,$(WSCLIENT_SRC)) $(ENGINE_OBJ) $(B)/libws.a
	$(CC) $(CFLAGS) $(SAN) $(LDFLAGS) -o $@ $^ $(WSCLIENT_LIBS)

# Unit tests always run under ASan+UBSan, whatever SANITIZE says.
$(B)/unit/%: tests/unit/%.c tests/unit/tap.h $(CORE_SRC) $(HEADERS) | $(B)/.dirs
	$(CC) $(WARN) $(DEFS) $(PKG_CFLAGS) -O1 -g $(UNIT_SAN) -Isrc/core -o $@ $< \
		$(CORE_SRC) $(PKG_LIBS)

units: $(UNITS:%=$(B)/unit/%)

# The self-jail from inside: links the engine's jail and log, since the
# jail is OS glue and no part of the pure core.
$(B)/jail/test_jail: tests/jail/test_jail.c tests/unit/tap.h \
		src/engine/jail.c src/engine/log.c $(HEADERS) | $(B)/.dirs
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(INC) -Itests/unit -o $@ $< src/engine/jail.c \
		src/engine/log.c

# The jail under a unit's sandbox, for the booted-systemd tests.
$(B)/jail/jail_probe: tests/jail/jail_probe.c src/engine/jail.c \
		src/engine/log.c $(HEADERS) | $(B)/.dirs
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(INC) -o $@ $< src/engine/jail.c src/engine/log.c

jail-test: $(B)/jail/test_jail $(B)/jail/jail_probe

# Fuzz targets. make check replays their corpus and kept crashers through
# a plain main() (tests/fuzz/replay.c) under ASan+UBSan with any compiler;
# make fuzz runs them under libFuzzer, which needs clang.
FUZZ_CC ?= clang-14
FUZZ_SECONDS ?= 60
FUZZ_SAN = -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all
CRYPTO_LIBS := $(shell pkg-config --libs libcrypto 2>/dev/null)
FUZZ_DEPS = tests/fuzz/fuzz.h $(CORE_SRC) src/core/ws.h
# Longest input per target: past the limits each one tries, short enough
# to keep executions fast.
MAXLEN_fuzz_request = 4096
MAXLEN_fuzz_response = 4096
MAXLEN_fuzz_frames = 4096
MAXLEN_fuzz_url = 512
MAXLEN_fuzz_pmd = 512
MAXLEN_fuzz_proxy = 2200
MAXLEN_fuzz_inflate = 4096
# fuzz_inflate drives the engine's inflate path (deflate.c, over buf.c and
# zlib) behind the core's frame decoder; no allocation of its may reach
# a MiB, whatever the input claims.
FUZZ_ENGINE = src/engine/deflate.c src/engine/buf.c
$(B)/fuzz/replay_fuzz_inflate $(B)/libfuzzer/fuzz_inflate: $(FUZZ_ENGINE) \
		src/engine/deflate.h src/engine/buf.h
$(B)/fuzz/replay_fuzz_inflate $(B)/libfuzzer/fuzz_inflate: \
	FUZZ_EXTRA = -Isrc/engine $(FUZZ_ENGINE) $(shell pkg-config --libs zlib)
FUZZ_FLAGS_fuzz_inflate = -malloc_limit_mb=1

$(B)/fuzz/replay_%: tests/fuzz/%.c tests/fuzz/replay.c $(FUZZ_DEPS) | $(B)/.dirs
	$(CC) $(WARN) $(DEFS) $(PKG_CFLAGS) -O1 -g $(UNIT_SAN) -Isrc/core -o $@ $< \
		tests/fuzz/replay.c $(CORE_SRC) $(FUZZ_EXTRA) $(CRYPTO_LIBS)

$(B)/libfuzzer/%: tests/fuzz/%.c $(FUZZ_DEPS) | $(B)/.dirs
	$(FUZZ_CC) $(WARN) $(DEFS) $(PKG_CFLAGS) -O1 -g $(FUZZ_SAN) -Isrc/core \
		-o $@ $< $(CORE_SRC) $(FUZZ_EXTRA) $(CRYPTO_LIBS)

fuzz-replay: $(FUZZ:%=$(B)/fuzz/replay_%)

# Each target on a scratch copy of its corpus, so that a run never grows
# the committed one; crashers land beside it, and make stops on the first.
fuzz-%: $(B)/libfuzzer/fuzz_%
	rm -rf $(B)/fuzz-run/fuzz_$* && mkdir -p $(B)/fuzz-run/fuzz_$*/corpus
	cp tests/fuzz/corpus/fuzz_$*/* $(B)/fuzz-run/fuzz_$*/corpus/
	$< -max_total_time=$(FUZZ_SECONDS) -max_len=$(MAXLEN_fuzz_$*) \
		-print_final_stats=1 $(FUZZ_FLAGS_fuzz_$*) \
		-artifact_prefix=$(B)/fuzz-run/fuzz_$*/ \
		$(B)/fuzz-run/fuzz_$*/corpus tests/fuzz/regress/fuzz_$*

fuzz: $(FUZZ:fuzz_%=fuzz-%)

# The benchmark's own programs. load drives the servers; the floors and
# the bridge child are static and never sanitized, since they stand for
# the least a server can cost.
BENCH_TOOLS = load floor_handler hello_child raw_server deflate_corpus
STATIC_CFLAGS = $(WARN) $(DEFS) -O2 -static $(INC)

# load --deflate inflates with the engine's own code (deflate.c, zlib), as
# does deflate_corpus.
LOAD_ENGINE_OBJ = $(call obj,src/engine/deflate.c src/engine/buf.c)
$(B)/bench/load: tests/bench/load.c tests/bench/hist.c tests/bench/hist.h \
		tests/bench/loadtls.c tests/bench/loadtls.h \
		src/core/ws.h src/engine/exits.h $(LOAD_ENGINE_OBJ) \
		$(B)/libws.a | $(B)/.dirs
	$(CC) $(ALL_CFLAGS) $(INC) -o $@ tests/bench/load.c tests/bench/hist.c \
		tests/bench/loadtls.c $(LOAD_ENGINE_OBJ) $(B)/libws.a $(WSCLIENT_LIBS)

# wsinetd's compressor on a corpus, in process, for tests/bench/deflate.
$(B)/bench/deflate_corpus: tests/bench/deflate_corpus.c $(LOAD_ENGINE_OBJ) \
		$(B)/libws.a | $(B)/.dirs
	$(CC) $(ALL_CFLAGS) $(INC) -o $@ $< $(LOAD_ENGINE_OBJ) $(B)/libws.a \
		$(WSCLIENT_LIBS)

$(B)/bench/floor_handler: tests/bench/floor_handler.c $(CORE_SRC) \
		src/core/ws.h | $(B)/.dirs
	$(CC) $(STATIC_CFLAGS) $(PKG_CFLAGS) -o $@ $< $(CORE_SRC) \
		$(shell pkg-config --libs-only-l libcrypto)

$(B)/bench/%: tests/bench/%.c | $(B)/.dirs
	$(CC) $(STATIC_CFLAGS) -o $@ $<

bench-tools: $(BENCH_TOOLS:%=$(B)/bench/%)

deps:
	@scripts/deps build

check-deps:
	@scripts/deps check

check: check-deps lint
	$(MAKE) all units jail-test fuzz-replay bench-tools
	WSINETD_BUILD=$(CURDIR)/$(B) prove --exec tests/tap-run \
		$(UNITS:%=tests/unit/%.c) tests/jail/test_jail.c \
		$(FUZZ:%=tests/fuzz/%.c) \
		$(filter-out $(SLOW_BATS),$(wildcard tests/bats/*.bats))

# The package's test builds the package, which takes a minute or two and
# gains nothing from a sanitized tree: it runs once, by check-deb (in
# check-full and CI).
SLOW_BATS = tests/bats/deb.bats
check-deb: check-deps all
	WSINETD_BUILD=$(CURDIR)/$(B) prove --exec tests/tap-run $(SLOW_BATS)

# make check runs the conformance suite by category through Bats, and a
# few categories over TLS; conformance prints its tables; check-full adds
# its slow cases (messages of 4 to 16 MiB, every UTF-8 sequence
# fragmented and split everywhere, every size of categories 12 and 13),
# then runs all of it again over TLS.
conformance: all
	WSINETD_BUILD=$(CURDIR)/$(B) tests/conformance/run

check-full: check check-deb
	WSINETD_BUILD=$(CURDIR)/$(B) tests/conformance/run --full
	WSINETD_BUILD=$(CURDIR)/$(B) tests/conformance/run --full --tls

# Quiet, so that stdout holds just what wsclient prints.
demo:
	@scripts/deps demo
	@$(MAKE) -s --no-print-directory all
	@WSINETD_BUILD=$(CURDIR)/$(B) scripts/demo

# lint checks the house style (clang-format) and the layers: no file of
# src/core includes a header from outside src/core, and libws.a calls no
# function that reads, writes, polls, opens, allocates or exits, only the
# pure ones scripts/check-layers lists (tests/bats/layers.bats shows it
# failing on both).
lint: $(B)/libws.a
	clang-format --dry-run --Werror src/*/*.c src/*/*.h tests/unit/*.c \
		tests/unit/*.h tests/bench/*.c tests/bench/*.h \
		tests/fuzz/*.c tests/fuzz/*.h tests/jail/*.c
	scripts/check-layers src/core $(B)/libws.a

# Benchmarks print tables; they never gate anything on a number.
# tests/bench/run documents the settings every script takes (BENCH_QUICK=1
# and others; tests/bench/benchlib.py is what they share); each script in
# BENCH_SCRIPTS prints its own tables, run adds the peers side by side;
# bench-core times the core's hot loops (UTF-8, masking, SHA-1) alone.
BENCH_SCRIPTS = run tls deflate static balancer scale
bench: all bench-tools
	for script in $(BENCH_SCRIPTS); do tests/bench/$$script $(B) || exit 1; done
	$(CC) $(WARN) $(DEFS) -O2 -Isrc/core -o $(B)/bench-core tests/bench/core.c \
		$(B)/libws.a
	$(B)/bench-core

# The systemd units: plain and TLS, Accept=yes and Accept=no.
UNIT_FILES = ws-echo.socket ws-echo@.service ws-echo-fast.socket \
	ws-echo-fast.service ws-echo-tls.socket ws-echo-tls@.service \
	ws-echo-tls-fast.socket ws-echo-tls-fast.service

install: all
	install -d $(DESTDIR)$(SBINDIR) $(DESTDIR)$(BINDIR) \
		$(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man8 \
		$(DESTDIR)$(UNITDIR)
	install -m 755 $(B)/wsinetd $(DESTDIR)$(SBINDIR)/wsinetd
	install -m 755 $(B)/wsclient $(DESTDIR)$(BINDIR)/wsclient
	install -m 644 man/wsinetd.8 $(DESTDIR)$(MANDIR)/man8/wsinetd.8
	install -m 644 man/wsclient.1 $(DESTDIR)$(MANDIR)/man1/wsclient.1
	for u in $(UNIT_FILES); do \
		sed 's|@SBINDIR@|$(SBINDIR)|g' units/$$u > $(DESTDIR)$(UNITDIR)/$$u \
		&& chmod 644 $(DESTDIR)$(UNITDIR)/$$u || exit 1; \
	done
	install -d $(DESTDIR)$(SYSUSERSDIR)
	install -m 644 units/wsinetd.sysusers $(DESTDIR)$(SYSUSERSDIR)/wsinetd.conf

uninstall:
	rm -f $(DESTDIR)$(SBINDIR)/wsinetd $(DESTDIR)$(BINDIR)/wsclient \
		$(DESTDIR)$(MANDIR)/man8/wsinetd.8 \
		$(DESTDIR)$(MANDIR)/man1/wsclient.1 \
		$(DESTDIR)$(SYSUSERSDIR)/wsinetd.conf \
		$(UNIT_FILES:%=$(DESTDIR)$(UNITDIR)/%)

# The Debian package (debian/), built from a copy of the tree in $(B)/deb
# so that dpkg-buildpackage's output (written beside the source) stays in
# the build directory: $(B)/deb/wsinetd_$(VERSION)_*.deb. lintian must
# find no errors; what it reports and the overrides are explained in
# README ("Install") and debian/wsinetd.lintian-overrides. The copy is
# what git tracks or would (so a git checkout is needed), never build/.
# Nothing of this make (B=, flags) may reach the package's own build,
# hence the env -u.
DEB_SRC = $(B)/deb/wsinetd-$(VERSION)
deb:
	rm -rf $(B)/deb && mkdir -p $(DEB_SRC)
	git ls-files --cached --others --exclude-standard | \
		tar -cf - -T - | tar -xf - -C $(DEB_SRC)
	cd $(DEB_SRC) && env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL \
		dpkg-buildpackage -us -uc -b
	lintian --fail-on error -I $(B)/deb/wsinetd_$(VERSION)_*.changes

clean:
	rm -rf build build-san

.PHONY: all units jail-test bench-tools fuzz fuzz-replay deps check-deps check \
	check-deb \
	conformance check-full demo lint bench install uninstall deb clean
