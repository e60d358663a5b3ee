# tests/fuzz/fuzz.mk: `make fuzz`, coverage-guided fuzzing of the snapshot
# reader (tools/reader.c) with libFuzzer.
#
#   make fuzz                    build, replay tests/fuzz/crashers/, then fuzz
#                                for FUZZ_SECONDS (default 60)
#   make fuzz FUZZ_SECONDS=600 FUZZ_JOBS=2
#
# Needs clang with libFuzzer and the sanitizer runtimes: on Debian 12 the
# packages clang and libclang-rt-14-dev, which `make fuzz` installs when
# missing (as `make deps` does its own; only this target needs them).
#
# The target (tests/fuzz/fuzz_reader.c) runs each input through
# cli_snapshot_parse and cli_snapshot_free under ASan, UBSan and LSan, checks
# what a success promises, and compares the reader's two ways of reading
# rows and frames (see its header). The corpus starts from the small
# snapshots in tests/fuzz/corpus/ (read only); what libFuzzer finds grows in
# $(BUILD)/fuzz/corpus/, kept between runs (until make clean). A crash, leak
# or timeout is saved under $(BUILD)/fuzz/artifacts/: fix the reader, then
# copy the input into tests/fuzz/crashers/, whose every file check_reader
# (`make cli-unit-test`) and the replay step below feed through the reader
# again.

FUZZ_PACKAGES := clang libclang-rt-14-dev
FUZZ_CC      ?= clang
FUZZ_SECONDS ?= 60
FUZZ_JOBS    ?= 1
FUZZ_DIR     := $(BUILD)/fuzz
FUZZ_BINARY  := $(FUZZ_DIR)/fuzz_reader
FUZZ_CFLAGS  := -g -O1 -std=gnu11 -D_GNU_SOURCE -Wall -Wextra -Werror -Itools \
                -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
                -fno-omit-frame-pointer
FUZZ_OPTIONS := -max_len=65536 -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
                -dict=tests/fuzz/reader.dict -artifact_prefix=$(FUZZ_DIR)/artifacts/

.PHONY: fuzz fuzz-build fuzz-replay fuzz-deps

fuzz-deps: deps
	$(call install_missing,$(FUZZ_PACKAGES))

$(FUZZ_BINARY): tests/fuzz/fuzz_reader.c tools/reader.c tools/reader.h tests/fuzz/fuzz.mk | fuzz-deps
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -o $@ tests/fuzz/fuzz_reader.c tools/reader.c -ljansson

fuzz-build: $(FUZZ_BINARY)

# Every saved crasher must now pass (libFuzzer runs the files given and stops).
fuzz-replay: $(FUZZ_BINARY)
	@set -- tests/fuzz/crashers/*; \
	if [ -e "$$1" ]; then $(FUZZ_BINARY) "$$@" >$(FUZZ_DIR)/replay.log 2>&1 || \
	  { cat $(FUZZ_DIR)/replay.log; echo "make fuzz: a file in tests/fuzz/crashers/ fails again" >&2; exit 1; }; \
	  echo "make fuzz: $$# crashers in tests/fuzz/crashers/ replayed, all pass"; \
	else echo "make fuzz: no crashers in tests/fuzz/crashers/ to replay"; fi

fuzz: fuzz-replay
	@mkdir -p $(FUZZ_DIR)/corpus $(FUZZ_DIR)/artifacts
	$(FUZZ_BINARY) $(FUZZ_OPTIONS) -max_total_time=$(FUZZ_SECONDS) \
	  $(if $(filter-out 1,$(FUZZ_JOBS)),-fork=$(FUZZ_JOBS)) \
	  $(FUZZ_DIR)/corpus tests/fuzz/corpus
