# tests/tools/tools-tests.mk: check suites over the command-line tool's
# modules (tools/*.c but main.c), one binary per suite.
#
#   cli-unit-test        each tests/tools/check_<module>.c linked with the
#                        tool's modules, then run
#   cli-sanitizer-test   the same under AddressSanitizer and UBSan

CLI_SUITES       := $(wildcard tests/tools/check_*.c)
CLI_DEPENDENCIES := $(wildcard tests/tools/*.h) tests/check_run.h tests/tools/tools-tests.mk tools/tools.mk Makefile \
                    $(wildcard tools/*.h)
CLI_BINARIES     := $(CLI_SUITES:tests/tools/%.c=$(BUILD)/cli-unit/%)
CLI_ASAN_BINARIES := $(CLI_SUITES:tests/tools/%.c=$(BUILD)/asan/cli-unit/%)

.PHONY: cli-unit-test cli-sanitizer-test

$(BUILD)/cli-unit/%: tests/tools/%.c $(CLI_DEPENDENCIES) $(TOOLS_LIBRARY_SOURCES)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) -Itools $(CFLAGS) -o $@ $< $(TOOLS_LIBRARY_SOURCES) $(CHECK_FLAGS) $(TOOLS_LIBS)

$(BUILD)/asan/cli-unit/%: tests/tools/%.c $(CLI_DEPENDENCIES) $(TOOLS_LIBRARY_SOURCES)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) -Itools $(CFLAGS) $(SANITIZER_FLAGS) -o $@ $< $(TOOLS_LIBRARY_SOURCES) \
	  $(CHECK_FLAGS) $(TOOLS_LIBS)

cli-unit-test: $(CLI_BINARIES)
	@failed=0; for suite in $^; do $$suite || failed=1; done; exit $$failed

cli-sanitizer-test: $(CLI_ASAN_BINARIES)
	@failed=0; for suite in $^; do UBSAN_OPTIONS=print_stacktrace=1 $$suite || failed=1; done; \
	exit $$failed
