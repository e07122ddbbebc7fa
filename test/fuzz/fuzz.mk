# test/fuzz/fuzz.mk: libFuzzer target for the plain-C core.
#
# Included from the main Makefile (after $(PGXS), so that `all` stays the
# default goal), or used alone from the repository root:
#   make -f test/fuzz/fuzz.mk fuzz-build   build test/fuzz/likeset_fuzz
#   make -f test/fuzz/fuzz.mk fuzzcheck    regressions, then FUZZ_SECONDS (60) of fuzzing
#   make -f test/fuzz/fuzz.mk fuzz-long    the same for an hour
#   make -f test/fuzz/fuzz.mk fuzz-clean   remove the binary and the work directory
# Paths are relative to the repository root.  Needs clang with libFuzzer
# (Debian: apt-get install clang libclang-rt-NN-dev, NN the major of clang).
#
# The committed seeds (test/fuzz/corpus/, written by gen_corpus.py) are
# copied into test/fuzz/work/corpus/, where the corpus grows from run to
# run (fuzz-clean starts it afresh); crashes land in test/fuzz/work/artifacts/.  After reporting one,
# keep the input in test/fuzz/regressions/: every fuzzcheck runs those
# first, as plain inputs.  FUZZ_FLAGS adds libFuzzer options (e.g. -jobs).

FUZZ_SAVED_DEFAULT_GOAL := $(.DEFAULT_GOAL)
# used alone (make -f test/fuzz/fuzz.mk) when this is the first makefile read
FUZZ_STANDALONE := $(if $(filter 1,$(words $(MAKEFILE_LIST))),yes)

FUZZ_DIR = test/fuzz
FUZZ_BIN = $(FUZZ_DIR)/likeset_fuzz
FUZZ_WORK = $(FUZZ_DIR)/work
FUZZ_CC ?= clang
FUZZ_CFLAGS = -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all -Isrc
FUZZ_SRCS = src/likeset_core.c src/likeset_text.c src/likeset_pack.c
FUZZ_SECONDS ?= 60
FUZZ_FLAGS ?=

$(FUZZ_BIN): $(FUZZ_DIR)/likeset_fuzz.c $(FUZZ_SRCS) src/likeset.h
	$(FUZZ_CC) $(FUZZ_CFLAGS) -o $@ $(FUZZ_DIR)/likeset_fuzz.c $(FUZZ_SRCS)

.PHONY: fuzz-build fuzzcheck fuzz-long fuzz-clean
fuzz-build: $(FUZZ_BIN)

# fuzz-long is fuzzcheck for an hour (a FUZZ_SECONDS on the command line wins)
fuzz-long: FUZZ_SECONDS = 3600

# The regression inputs first (each run once; failing ones are listed and
# fuzzing is skipped), then fuzzing from the work corpus; the exit status is
# the fuzzer's, and the final statistics (executions, executions per second)
# are printed.
fuzzcheck fuzz-long: $(FUZZ_BIN)
	@mkdir -p $(FUZZ_WORK)/corpus $(FUZZ_WORK)/artifacts
	@regs=$$(find $(FUZZ_DIR)/regressions -type f ! -name '.*' ! -name '*.md' 2>/dev/null | sort); \
	n=0; fails=0; \
	for f in $$regs; do \
		n=$$((n + 1)); \
		if ! ./$(FUZZ_BIN) $$f > $(FUZZ_WORK)/regression.log 2>&1; then \
			fails=$$((fails + 1)); \
			echo "fuzz: regression input $$f FAILS:"; \
			grep -E 'runtime error|ERROR: |property violated' $(FUZZ_WORK)/regression.log | head -n 3; \
		fi; \
	done; \
	echo "fuzz: $$n regression inputs, $$fails failing"; \
	test $$fails = 0
	cp $(FUZZ_DIR)/corpus/* $(FUZZ_WORK)/corpus/
	@echo "fuzz: $(FUZZ_SECONDS) seconds; log in $(FUZZ_WORK)/fuzz.log"
	@{ ./$(FUZZ_BIN) -max_total_time=$(FUZZ_SECONDS) -max_len=4096 -timeout=10 \
		-print_final_stats=1 -artifact_prefix=$(FUZZ_WORK)/artifacts/ $(FUZZ_FLAGS) \
		$(FUZZ_WORK)/corpus > $(FUZZ_WORK)/fuzz.log 2>&1; echo $$? > $(FUZZ_WORK)/fuzz.rc; } ; \
	rc=$$(cat $(FUZZ_WORK)/fuzz.rc); \
	if [ "$$rc" != 0 ]; then \
		tail -n 60 $(FUZZ_WORK)/fuzz.log; \
		echo "fuzz: FAILED (exit $$rc); the input is in $(FUZZ_WORK)/artifacts/"; \
		exit 1; \
	fi; \
	grep -E '^(#[0-9]+[[:space:]]+DONE|stat::)' $(FUZZ_WORK)/fuzz.log; \
	echo "fuzz: passed, corpus now $$(ls $(FUZZ_WORK)/corpus | wc -l) inputs"

fuzz-clean:
	rm -rf $(FUZZ_BIN) $(FUZZ_WORK)

# Alone, the default goal is fuzz-build; included, this fragment does not
# choose the including Makefile's default goal
ifeq ($(FUZZ_STANDALONE),yes)
.DEFAULT_GOAL := fuzz-build
else
.DEFAULT_GOAL := $(FUZZ_SAVED_DEFAULT_GOAL)
endif
