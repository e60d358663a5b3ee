# bench/bench.mk: `make bench` measures memsnap against glibc malloc, then
# what its tracing costs against glibc and heaptrack.
#
# Each bench/*.c (except bench.h) is one workload program, built with the
# project's CFLAGS into build/bench/ and run by bench/run.sh, once with glibc
# and once under LD_PRELOAD=$(LIBRARY) per repetition, interleaved. The
# programs themselves link only libc: the preload decides the allocator.
# bench/trace.sh then runs bench/python_json.py under /usr/bin/python3 and
# the churn program plain, under memsnap (tracing off, on, sampled) and under
# heaptrack: the tracing-overhead rows. Its comment says what it measures.
# bench/leaks.sh last: the same two workloads with leak checking
# (MEMSNAP_LEAKS=1) against tracing alone and LeakSanitizer, and the time of
# one leak check of 10M live blocks (bench/leak_scan.c).
#
#   make bench                        the tables (BENCH_REPS=7 repetitions
#                                     for run.sh, BENCH_TRACE_REPS=5 for
#                                     trace.sh, whose repetitions are slow,
#                                     BENCH_LEAK_REPS=5 for leaks.sh)
#   make bench BENCH_REPS=5 BENCH_TRACE_REPS=3 BENCH_LEAK_REPS=3
#                                     fewer repetitions
#
# The whole takes about 2.5 minutes on the 2-core bench machine (measured
# before tracing existed: traced runs may add some), and leaks.sh about 1.7
# more.

BENCH_SOURCES    := $(wildcard bench/*.c)
BENCH_PROGRAMS   := $(BENCH_SOURCES:bench/%.c=$(BUILD)/bench/%)
BENCH_REPS       ?= 7
BENCH_TRACE_REPS ?= 5
BENCH_LEAK_REPS  ?= 5

$(BUILD)/bench/%: bench/%.c bench/bench.h bench/bench.mk Makefile
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) -o $@ $< -ldl

# The tracing rows need heaptrack and Debian's python3 (/usr/bin/python3),
# the leak rows LeakSanitizer's runtime (liblsan0): `make deps`, run on
# behalf of bench, installs them with the build's own packages (a
# target-specific value goes to the prerequisites too).
bench: DEPS_PACKAGES += heaptrack python3 liblsan0
bench: deps all
bench: $(BENCH_PROGRAMS)
	@BENCH_REPS=$(BENCH_REPS) bash bench/run.sh $(BUILD)/bench $(LIBRARY)
	@echo
	@BENCH_TRACE_REPS=$(BENCH_TRACE_REPS) bash bench/trace.sh $(BUILD)/bench $(LIBRARY)
	@echo
	@BENCH_LEAK_REPS=$(BENCH_LEAK_REPS) bash bench/leaks.sh $(BUILD)/bench $(LIBRARY)
