# test/valgrind/valgrind.mk: the regression suite with the backend under
# Valgrind memcheck.  Included from the main Makefile; run as an unprivileged
# user after `make install` (see test/valgrind/run.sh for what it does and
# its settings: VALGRIND_SKIP, VALGRIND_TESTS, VALGRIND_OPTS, ...).
# Needs valgrind (Debian: apt-get install valgrind).  Include it after
# $(PGXS), so that `all` stays the default goal; alone:
#   make -f test/valgrind/valgrind.mk valgrind-check

.PHONY: valgrind-check
valgrind-check:
	PG_CONFIG="$(PG_CONFIG)" sh test/valgrind/run.sh
