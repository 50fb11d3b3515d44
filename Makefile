# repwatch - one Makefile.  `make` builds build/repwatch; `make test` builds
# everything with AddressSanitizer and UBSan and runs the cmocka suites and
# the end-to-end tests.  See README.md.

CC       ?= cc
PKGS     := gsl sqlite3 inih jansson
CFLAGS   ?= -O2 -g
WARN     := -std=c11 -Wall -Wextra -Wmissing-prototypes \
            -Wstrict-prototypes -Wwrite-strings -Wvla -fno-common
# Warnings are errors for those who work on repwatch (CI sets DEVELOPER=1,
# as Git's config.mak.dev does), not for someone building a release with a
# newer compiler that warns about something new.
ifeq ($(DEVELOPER),1)
WARN     += -Werror
endif
CPPFLAGS += -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE

# A missing library must say which package to install, not surface later
# as an obscure compile or link error.  `make deps`, `make demo` (which
# runs deps first) and `make clean` work on a bare machine, so they skip
# the check; the test libraries are checked only for the goals that test.
NOPKG_GOALS := deps demo clean uninstall
TEST_GOALS  := test valgrind tsan fuzz build/asan/% build/tsan/% build/test_%
GOALS       := $(or $(MAKECMDGOALS),all)
deb_gsl     := libgsl-dev
deb_sqlite3 := libsqlite3-dev
deb_inih    := libinih-dev
deb_jansson := libjansson-dev
deb_cmocka  := libcmocka-dev
need_pkg = $(if $(shell pkg-config --exists $(1) && echo yes),,$(error missing package: $(1) ($(deb_$(1))); `make deps` installs it))
ifneq ($(filter-out $(NOPKG_GOALS),$(GOALS)),)
ifeq ($(shell command -v pkg-config),)
$(error missing tool: pkg-config (pkg-config); `make deps` installs it)
endif
$(foreach p,$(PKGS),$(call need_pkg,$(p)))
ifneq ($(filter $(TEST_GOALS),$(GOALS)),)
$(call need_pkg,cmocka)
endif
endif
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null)
LIBS     := -lcsv $(PKG_LIBS) -lm -pthread
TEST_CFLAGS := $(shell pkg-config --cflags cmocka 2>/dev/null)
TEST_LIBS   := $(shell pkg-config --libs cmocka 2>/dev/null)
SAN      := -fsanitize=address,undefined -fno-omit-frame-pointer \
            -fno-sanitize-recover=undefined

MODULES  := common ingest engine rules store reports
GEN_SRC  := build/gen/default_ini.c
LIB_SRC  := $(foreach m,$(MODULES),$(wildcard $(m)/*.c)) $(GEN_SRC)
CLI_SRC  := $(wildcard cli/*.c)
TESTS    := $(patsubst tests/%.c,%,$(wildcard tests/test_*.c))

B        := build
BA       := build/asan
BT       := build/tsan

LIB_OBJ   := $(LIB_SRC:%.c=$(B)/obj/%.o)
CLI_OBJ   := $(CLI_SRC:%.c=$(B)/obj/%.o)
ALIB_OBJ  := $(LIB_SRC:%.c=$(BA)/obj/%.o)
ACLI_OBJ  := $(CLI_SRC:%.c=$(BA)/obj/%.o)
DEPS      := $(shell find $(B) -name '*.d' 2>/dev/null)

.PHONY: all test deps demo clean sample valgrind bench fuzz
# Keep the objects of chained rules: make would otherwise delete them after
# `make test` and print the rm below the test summary, which must be last.
.SECONDARY:
all: $(B)/repwatch $(B)/rwgen

# The shipped rules as a C string, from rules/default.ini (the one source).
$(GEN_SRC): rules/default.ini
	@mkdir -p $(dir $@)
	{ echo '/* Generated from rules/default.ini by the Makefile: edit that file. */'; \
	  echo 'extern const char rw_rules_default_ini[];'; \
	  echo 'const char rw_rules_default_ini[] ='; \
	  sed -e 's/\\/\\\\/g' -e 's/"/\\"/g' -e 's/^/\t"/' -e 's/$$/\\n"/' $<; \
	  echo '\t"";'; } >$@.tmp && mv $@.tmp $@

$(B)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(WARN) $(CFLAGS) $(CPPFLAGS) $(PKG_CFLAGS) -MMD -MP -c $< -o $@

$(BA)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(WARN) -O1 -g $(SAN) $(CPPFLAGS) $(PKG_CFLAGS) $(TEST_CFLAGS) -MMD -MP -c $< -o $@

$(B)/librepwatch.a: $(LIB_OBJ)
	rm -f $@ && $(AR) rcs $@ $^

$(BA)/librepwatch.a: $(ALIB_OBJ)
	rm -f $@ && $(AR) rcs $@ $^

$(B)/repwatch: $(CLI_OBJ) $(B)/librepwatch.a
	$(CC) $(CFLAGS) -o $@ $^ $(LIBS)

$(BA)/repwatch: $(ACLI_OBJ) $(BA)/librepwatch.a
	$(CC) -g $(SAN) -o $@ $^ $(LIBS)

GEN_OBJ  := $(patsubst %.c,$(B)/obj/%.o,$(wildcard sample-data/*.c))
# rwgen is a stand-alone program; it shares only the calendar.
$(B)/rwgen: $(GEN_OBJ) $(B)/obj/common/calendar.o
	$(CC) $(CFLAGS) -o $@ $^ -lm

$(BA)/test_%: $(BA)/obj/tests/test_%.o $(BA)/librepwatch.a
	$(CC) -g $(SAN) -o $@ $^ $(TEST_LIBS) $(LIBS)

# Fuzz harnesses (tests/fuzz/fuzz_*.c): replayed over their corpora by
# `make test` with gcc's sanitizers; run under libFuzzer by `make fuzz`.
FUZZERS  := $(patsubst tests/fuzz/fuzz_%.c,%,$(wildcard tests/fuzz/fuzz_*.c))
REPLAYS  := $(addprefix $(BA)/replay_,$(FUZZERS))

$(BA)/replay_%: $(BA)/obj/tests/fuzz/fuzz_%.o $(BA)/obj/tests/fuzz/replay.o $(BA)/librepwatch.a
	$(CC) -g $(SAN) -o $@ $^ $(LIBS)

# The configuration harness also needs the CLI's configuration reader.
$(BA)/replay_config: $(BA)/obj/tests/fuzz/fuzz_config.o $(BA)/obj/cli/config.o \
		     $(BA)/obj/tests/fuzz/replay.o $(BA)/librepwatch.a
	$(CC) -g $(SAN) -o $@ $^ $(LIBS)

# The store suites share their fixture (tests/store_fixture.c).
STORE_SUITES := test_store test_store_faults
$(addprefix $(BA)/,$(STORE_SUITES)): $(BA)/%: $(BA)/obj/tests/%.o \
		$(BA)/obj/tests/store_fixture.o $(BA)/librepwatch.a
	$(CC) -g $(SAN) -o $@ $^ $(TEST_LIBS) $(LIBS)

$(addprefix $(B)/,$(STORE_SUITES)): $(B)/%: $(B)/obj/tests/%.o \
		$(B)/obj/tests/store_fixture.o $(B)/librepwatch.a
	$(CC) -g -o $@ $^ $(TEST_LIBS) $(LIBS)

# The output guard lives in cli/ (no library of its own).
$(BA)/test_guard: $(BA)/obj/tests/test_guard.o $(BA)/obj/cli/guard.o $(BA)/librepwatch.a
	$(CC) -g $(SAN) -o $@ $^ $(TEST_LIBS) $(LIBS)

$(B)/test_guard: $(B)/obj/tests/test_guard.o $(B)/obj/cli/guard.o $(B)/librepwatch.a
	$(CC) -g -o $@ $^ $(TEST_LIBS) $(LIBS)

test: $(addprefix $(BA)/,$(TESTS)) $(BA)/repwatch $(B)/repwatch $(B)/rwgen $(REPLAYS) \
      $(BT)/test_ingest $(BT)/repwatch
	@bash tests/run.sh $(BA) $(TESTS)

# Plain (unsanitized) build of the suites and a sample run under valgrind.
$(B)/test_%: $(B)/obj/tests/test_%.o $(B)/librepwatch.a
	$(CC) -g -o $@ $^ $(TEST_LIBS) $(LIBS)

valgrind: $(addprefix $(B)/,$(TESTS)) $(B)/repwatch
	@bash tests/valgrind.sh $(B) $(TESTS)

# ThreadSanitizer over the one threaded path: ingest/'s CSV reader hashes
# each block on a second thread while the first parses it.  The ingest
# suite and a sample run are run under it (tests/e2e/tsan.sh, part of
# `make test`, which builds these too: about 30 s on two cores).
TSAN     := -fsanitize=thread -fno-omit-frame-pointer
TLIB_OBJ := $(LIB_SRC:%.c=$(BT)/obj/%.o)
TCLI_OBJ := $(CLI_SRC:%.c=$(BT)/obj/%.o)

$(BT)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(WARN) -O1 -g $(TSAN) $(CPPFLAGS) $(PKG_CFLAGS) $(TEST_CFLAGS) -MMD -MP -c $< -o $@

$(BT)/librepwatch.a: $(TLIB_OBJ)
	rm -f $@ && $(AR) rcs $@ $^

$(BT)/repwatch: $(TCLI_OBJ) $(BT)/librepwatch.a
	$(CC) -g $(TSAN) -o $@ $^ $(LIBS)

$(BT)/test_ingest: $(BT)/obj/tests/test_ingest.o $(BT)/librepwatch.a
	$(CC) -g $(TSAN) -o $@ $^ $(TEST_LIBS) $(LIBS)

.PHONY: tsan
tsan: $(BT)/test_ingest $(BT)/repwatch $(B)/repwatch
	@bash tests/e2e/tsan.sh $(BA)

# libFuzzer (clang): every harness for FUZZ_SECONDS each; crashes are kept
# in build/fuzz/ and belong in tests/fuzz/corpus/NAME/ once fixed.
FUZZ_SECONDS ?= 60
BF       := build/fuzz
FUZZ_CC  := clang
FUZZ_SAN := -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined
FLIB_OBJ := $(LIB_SRC:%.c=$(BF)/obj/%.o)

$(BF)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(FUZZ_CC) -std=c11 -g -O1 $(FUZZ_SAN) $(CPPFLAGS) $(PKG_CFLAGS) -MMD -MP -c $< -o $@

$(BF)/librepwatch.a: $(FLIB_OBJ)
	rm -f $@ && $(AR) rcs $@ $^

$(BF)/fuzz_%: $(BF)/obj/tests/fuzz/fuzz_%.o $(BF)/librepwatch.a
	$(FUZZ_CC) -g -fsanitize=fuzzer,address,undefined -o $@ $^ $(LIBS)

$(BF)/fuzz_config: $(BF)/obj/tests/fuzz/fuzz_config.o $(BF)/obj/cli/config.o $(BF)/librepwatch.a
	$(FUZZ_CC) -g -fsanitize=fuzzer,address,undefined -o $@ $^ $(LIBS)

fuzz: $(addprefix $(BF)/fuzz_,$(FUZZERS))
	@bash tests/fuzz/run.sh $(BF) $(FUZZ_SECONDS) $(FUZZERS)

# Regenerate sample-data/ with the seeded generator.
sample: $(B)/rwgen
	$(B)/rwgen --seed 42 --out sample-data

bench: all
	bash bench/run.sh

# Alert quality: every rwgen scenario for each seed, scored against its
# planted truth and checked against bench/quality/floors (bench/README.md,
# "Alert quality").  tests/e2e/quality.sh runs 3 seeds in `make test`.
.PHONY: quality
QUALITY_SEEDS ?= 1 2 3 4 5 6 7 8 9 10
quality: $(B)/repwatch $(B)/rwgen
	bash bench/quality/score.sh $(QUALITY_SEEDS) >$(B)/quality.txt
	@cat $(B)/quality.txt
	@bash bench/quality/check.sh $(B)/quality.txt

# Install beside other tools: the binary, the man pages, the bash
# completion, and under share/repwatch/ the shipped rules and the examples
# (configurations, systemd units, notifier recipes).  PREFIX and DESTDIR
# as usual; paths under /usr/local in the pages, the units and the recipes
# become PREFIX's.  `make uninstall` removes exactly the files install
# wrote, then the folders of share/repwatch/ it made when they are empty.
PREFIX   ?= /usr/local
BINDIR   ?= $(PREFIX)/bin
DATADIR  ?= $(PREFIX)/share
MANDIR   ?= $(DATADIR)/man
COMPDIR  ?= $(DATADIR)/bash-completion/completions
SHAREDIR := $(DATADIR)/repwatch
INSTALL  ?= install
EX_INI   := $(notdir $(wildcard examples/*.ini))
EX_UNITS := repwatch.service repwatch.timer
EX_NOTIFY := chat-webhook.sh mail-digest.sh
at_prefix = sed -e 's|/usr/local/share|$(DATADIR)|g' -e 's|/usr/local/bin|$(BINDIR)|g' \
	    -e 's|/usr/local|$(PREFIX)|g'

.PHONY: install uninstall
install: $(B)/repwatch
	$(INSTALL) -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man5 \
	  $(DESTDIR)$(COMPDIR) $(DESTDIR)$(SHAREDIR)/examples/systemd $(DESTDIR)$(SHAREDIR)/examples/notify
	$(INSTALL) -m 755 $(B)/repwatch $(DESTDIR)$(BINDIR)/repwatch
	$(at_prefix) man/repwatch.1 >$(DESTDIR)$(MANDIR)/man1/repwatch.1
	$(at_prefix) man/repwatch.ini.5 >$(DESTDIR)$(MANDIR)/man5/repwatch.ini.5
	$(INSTALL) -m 644 completion/repwatch.bash $(DESTDIR)$(COMPDIR)/repwatch
	$(INSTALL) -m 644 rules/default.ini $(DESTDIR)$(SHAREDIR)/default.ini
	$(INSTALL) -m 644 $(addprefix examples/,$(EX_INI)) $(DESTDIR)$(SHAREDIR)/examples/
	for f in $(EX_UNITS); do \
	  $(at_prefix) examples/systemd/$$f >$(DESTDIR)$(SHAREDIR)/examples/systemd/$$f || exit 1; done
	for f in $(EX_NOTIFY); do \
	  $(at_prefix) examples/notify/$$f >$(DESTDIR)$(SHAREDIR)/examples/notify/$$f && \
	  chmod 755 $(DESTDIR)$(SHAREDIR)/examples/notify/$$f || exit 1; done
	chmod 644 $(DESTDIR)$(MANDIR)/man1/repwatch.1 $(DESTDIR)$(MANDIR)/man5/repwatch.ini.5 \
	  $(addprefix $(DESTDIR)$(SHAREDIR)/examples/systemd/,$(EX_UNITS))

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/repwatch $(DESTDIR)$(MANDIR)/man1/repwatch.1 \
	  $(DESTDIR)$(MANDIR)/man5/repwatch.ini.5 $(DESTDIR)$(COMPDIR)/repwatch \
	  $(DESTDIR)$(SHAREDIR)/default.ini $(addprefix $(DESTDIR)$(SHAREDIR)/examples/,$(EX_INI)) \
	  $(addprefix $(DESTDIR)$(SHAREDIR)/examples/systemd/,$(EX_UNITS)) \
	  $(addprefix $(DESTDIR)$(SHAREDIR)/examples/notify/,$(EX_NOTIFY))
	-rmdir $(DESTDIR)$(SHAREDIR)/examples/systemd $(DESTDIR)$(SHAREDIR)/examples/notify \
	  $(DESTDIR)$(SHAREDIR)/examples $(DESTDIR)$(SHAREDIR) 2>/dev/null

# Install what is missing (Debian).  Uses sudo when not root.
# The last line: what the tests of the man pages, systemd units, notifier
# recipes and completion use (each skips visibly without its tool).
DEB_PKGS := build-essential pkg-config libcsv-dev libgsl-dev libsqlite3-dev \
            libcmocka-dev libinih-dev libjansson-dev sqlite3 valgrind \
            groff-base man-db systemd curl jq bash-completion python3
deps:
	@missing=""; for p in $(DEB_PKGS); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'ok installed' || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  sudo=""; [ "$$(id -u)" = 0 ] || sudo=sudo; \
	  echo "installing:$$missing"; \
	  $$sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y -qq $$missing; \
	else echo "dependencies present"; fi

# The first command of README.md: install what is missing, build, and run
# the nightly job on sample-data/ (the sample ends 2026-10-31).
demo: deps
	@$(MAKE) --no-print-directory all
	$(B)/repwatch run --data sample-data --db $(B)/demo.db --as-of 2026-10-31 \
	  --report-dir $(B)/demo-report

clean:
	rm -rf $(B)

-include $(DEPS)
