# bench/bench.mk: `make bench` measures memsnap against glibc malloc.
#
# Each bench/*.c (except bench.h) is one workload program, built with the
# project's CFLAGS into build/bench/ and run by bench/run.sh, once with glibc
# and once under LD_PRELOAD=$(LIBRARY) per repetition, interleaved. The
# programs themselves link only libc: the preload decides the allocator.
#
#   make bench                  the table (BENCH_REPS=7 repetitions by default)
#   make bench BENCH_REPS=5     fewer repetitions

BENCH_SOURCES  := $(wildcard bench/*.c)
BENCH_PROGRAMS := $(BENCH_SOURCES:bench/%.c=$(BUILD)/bench/%)
BENCH_REPS     ?= 7

$(BUILD)/bench/%: bench/%.c bench/bench.h bench/bench.mk Makefile
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -o $@ $< -ldl

bench: deps all
bench: $(BENCH_PROGRAMS)
	@BENCH_REPS=$(BENCH_REPS) bash bench/run.sh $(BUILD)/bench $(LIBRARY)
