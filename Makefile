# likeset: PGXS build.  `make test` and `make demo` set everything up
# (packages, build, install, a temporary server); see README.md.

EXTENSION = likeset
# One version source: likeset.control's default_version.  PostgreSQL reads
# it there (CREATE EXTENSION installs likeset--1.0.sql, then follows the
# upgrade scripts of DATA up to it), so nothing is generated: EXTVERSION is
# read from it, and `make versioncheck` (part of check-all, so of `make
# test`) fails if DATA's chain of upgrade scripts does not reach it, or if
# META.json (which writes it in PGXN's three-part form: 1.2 is 1.2.0) or
# CHANGELOG.md says otherwise.  A new version: a new upgrade script in DATA,
# default_version, META.json and CHANGELOG.md.
EXTVERSION := $(shell sed -n "s/^[[:space:]]*default_version[[:space:]]*=[[:space:]]*'\([^']*\)'.*/\1/p" $(EXTENSION).control)
MODULE_big = likeset
OBJS = src/likeset_core.o src/likeset_text.o src/likeset_pack.o src/likeset_io.o src/likeset_op.o \
	src/likeset_agg.o src/likeset_repl.o src/likeset_log.o src/likeset_gin.o src/likeset_conv.o \
	src/likeset_cache.o src/likeset_like.o src/likeset_compact.o
# every object is rebuilt when a header changes (PGXS tracks no headers
# without --enable-depend, and a struct's size must agree between objects)
LIKESET_HEADERS = src/likeset.h src/likeset_pg.h src/likeset_cache.h src/likeset_compat.h
DATA = likeset--1.0.sql likeset--1.0--1.1.sql likeset--1.1--1.2.sql likeset--1.2--1.3.sql likeset--1.3--1.4.sql
PGFILEDESC = "likeset - last-writer-wins element set"

REGRESS = init io ops agg errors properties big replicate security log plancache upgrade gin casts digest compaction
REGRESS_OPTS = --load-extension=likeset
ISOLATION = concurrent_likes replica_insert_race log_fold compact_locks
ISOLATION_OPTS = --load-extension=likeset
# the TAP suites start nodes as the calling user; the Debian package's
# tests (run as root) set LIKESET_SKIP_TAP and leave them to make test
ifndef LIKESET_SKIP_TAP
TAP_TESTS = 1
endif
# a fixed encoding and locale, whatever the machine's environment says
ENCODING = UTF8
NO_LOCALE = 1

PG_CONFIG ?= pg_config
PG_CPPFLAGS = -Isrc
# -Wno-unused-parameter: PostgreSQL 15 headers (ilist.h, bufpage.h) trip it; our code is clean without it
PG_CFLAGS = -Wall -Wextra -Wno-unused-parameter

# on a fresh machine there is no pg_config yet: `make test` and `make demo`
# (scripts/run.sh) install it, and need nothing from PGXS before that
PGXS := $(shell $(PG_CONFIG) --pgxs 2>/dev/null)
ifneq ($(PGXS),)
include $(PGXS)
endif

# tests of what a major brought: soft input errors (16), COPY ... ON_ERROR (17)
ifneq ($(MAJORVERSION),)
ifeq ($(shell test $(MAJORVERSION) -ge 16 && echo y),y)
REGRESS += soft_errors
endif
ifeq ($(shell test $(MAJORVERSION) -ge 17 && echo y),y)
REGRESS += copy_on_error
endif
endif
include test/fuzz/fuzz.mk
include test/valgrind/valgrind.mk

# The plain-C core, built without the backend, for the unit tests
CORE_SRCS = src/likeset_core.c src/likeset_text.c src/likeset_pack.c
UNIT_CFLAGS = -std=c11 -O1 -g -Wall -Wextra -Werror -Isrc

$(OBJS): $(LIKESET_HEADERS)

test/unit/likeset_unit: test/unit/likeset_unit.c $(CORE_SRCS) src/likeset.h
	$(CC) $(UNIT_CFLAGS) -fsanitize=address,undefined -fno-sanitize-recover=all \
		-o $@ test/unit/likeset_unit.c $(CORE_SRCS)

.PHONY: unitcheck regresscheck check-all test demo bench valgrind versioncheck stress-test matrix
unitcheck: test/unit/likeset_unit
	test/unit/likeset_unit

# pg_regress, then the isolation tests, each against a temporary instance
# of the installed server, then the TAP tests (which start their own nodes)
TEMP_PORT ?= 54329
regresscheck:
	rm -rf tmp_regress
	$(MAKE) installcheck EXTRA_REGRESS_OPTS="--temp-instance=$(CURDIR)/tmp_regress --port=$(TEMP_PORT)"

# The version named in likeset.control, META.json, CHANGELOG.md and the
# upgrade scripts agrees (scripts/versioncheck.sh)
versioncheck:
	sh scripts/versioncheck.sh '$(EXTVERSION)' $(DATA)

# Every test; run as an unprivileged user after `make install`
check-all: versioncheck unitcheck fuzzcheck regresscheck

test:
	sh scripts/run.sh test

demo:
	sh scripts/run.sh demo

bench:
	sh scripts/run.sh bench

# make test and make demo 5 times each on an idle machine, then 5 times
# each with busy loops holding every core (about an hour and a half)
stress-test:
	sh scripts/stress.sh 5

# make test and make demo from a clean clone in fresh chroots of Debian 12,
# 13 and sid (PostgreSQL 15, 17, 18), then a table (root; scripts/matrix.sh)
matrix:
	sh scripts/matrix.sh

# the regression suite with the backend under Valgrind memcheck (~15 min)
valgrind:
	sh scripts/run.sh valgrind

EXTRA_CLEAN = test/unit/likeset_unit test/fuzz/likeset_fuzz test/fuzz/work test/valgrind/work results regression.diffs regression.out tmp_check tmp_regress log output_iso
