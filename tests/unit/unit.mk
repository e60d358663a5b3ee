# tests/unit/unit.mk: check suites over the core, one binary per module.
#
#   unit-test        each tests/unit/check_<module>.c linked with the core
#                    objects of the library build, then run
#   sanitizer-test   the same suites, with the core compiled again, under
#                    AddressSanitizer and UBSan (any report fails the test)
#
# The suites run in check's fork mode: every test starts from a fresh copy of
# the process, so the allocator's process-wide state (arenas, heaps, options)
# is the same at the start of each test.

UNIT_SUITES       := $(wildcard tests/unit/check_*.c)
UNIT_DEPENDENCIES := tests/unit/unit.h tests/check_run.h tests/unit/unit.mk Makefile $(wildcard src/*.h)
UNIT_BINARIES     := $(UNIT_SUITES:tests/unit/%.c=$(BUILD)/unit/%)

SANITIZER_FLAGS    := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
SANITIZER_OBJECTS  := $(CORE_SOURCES:%.c=$(BUILD)/asan/obj/%.o)
SANITIZER_BINARIES := $(UNIT_SUITES:tests/unit/%.c=$(BUILD)/asan/unit/%)
# Reached only through the pattern rules below, which would make make delete
# them after each run as intermediate files and rebuild them every time.
.SECONDARY: $(SANITIZER_OBJECTS)
# libasan interposes __libc_memalign (and no other __libc_* entry point), so
# large.c's aligned blocks would come from ASan and go back to glibc's free.
# The link routes that one call to glibc's own function (sanitizer_glibc.c).
SANITIZER_LINK     := -Wl,--wrap=__libc_memalign tests/unit/sanitizer_glibc.c

# Deferred, so that pkg-config runs only when a suite is built.
CHECK_FLAGS = $(shell pkg-config --cflags --libs check)
# What the core needs at link time (the top Makefile's CORE_LIBS, plus
# jansson, which the library links statically and hidden; a test binary can
# take the shared one, as it never hands jansson to a traced program).
UNIT_LIBS   := -ljansson $(CORE_LIBS)

.PHONY: unit-test sanitizer-test

$(BUILD)/unit/%: tests/unit/%.c $(UNIT_DEPENDENCIES) $(CORE_OBJECTS)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) -o $@ $< $(CORE_OBJECTS) $(CHECK_FLAGS) $(UNIT_LIBS)

# The same flags as the library's objects, so the tests exercise the same code.
$(BUILD)/asan/obj/%.o: %.c $(wildcard src/*.h) Makefile tests/unit/unit.mk
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(LIB_CFLAGS) $(SANITIZER_FLAGS) -c -o $@ $<

$(BUILD)/asan/unit/%: tests/unit/%.c tests/unit/sanitizer_glibc.c $(UNIT_DEPENDENCIES) $(SANITIZER_OBJECTS)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(SANITIZER_FLAGS) -o $@ $< $(SANITIZER_OBJECTS) \
	  $(SANITIZER_LINK) $(CHECK_FLAGS) $(UNIT_LIBS)

# Every suite runs even after one fails, so one run shows every failure.
unit-test: $(UNIT_BINARIES)
	@failed=0; for suite in $^; do $$suite || failed=1; done; exit $$failed

# A UBSan report names only the line; the stack shows how it was reached.
sanitizer-test: $(SANITIZER_BINARIES)
	@failed=0; for suite in $^; do UBSAN_OPTIONS=print_stacktrace=1 $$suite || failed=1; done; \
	exit $$failed
