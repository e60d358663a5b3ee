# tests/leaks/leaks.mk: the leak-check accuracy corpus (tests/leaks/README.md).
#
#   make leak-programs   builds tests/leaks/*.c and *.cpp into build/tests/leaks/
#                        (and libleaks_tls.so, which held_tls_dynamic loads)
#   make leak-test       runs tests/leaks/memsnap.sh: every program under
#                        MEMSNAP_LEAKS=1 and the preload, its exit snapshots'
#                        `leaks` against tests/leaks/expected.txt; the real
#                        programs of real_programs.txt show no definite leak
#   make leak-memcheck   runs tests/leaks/memcheck.sh: the same programs under
#                        valgrind's memcheck, which must report exactly
#                        expected.txt (the expectations are memcheck's), and
#                        every candidate real program, which must show no
#                        definite leak for the ones real_programs.txt lists
#
# `make test` runs both (TEST_SUITES). leak-memcheck installs valgrind when
# it is missing, as `make fuzz` does clang (install_missing in the
# Makefile); leak-test installs python3, with which memsnap.sh reads the
# snapshots. Both scripts print one "ok - ..." / "not ok - ..." line per
# check and end with "N passed, N failed".

LEAKS_DIR          := $(BUILD)/tests/leaks
LEAKS_C_SOURCES    := $(filter-out tests/leaks/module_%.c,$(wildcard tests/leaks/*.c))
LEAKS_CXX_SOURCES  := $(wildcard tests/leaks/*.cpp)
LEAKS_C_PROGRAMS   := $(LEAKS_C_SOURCES:tests/leaks/%.c=$(LEAKS_DIR)/%)
LEAKS_CXX_PROGRAMS := $(LEAKS_CXX_SOURCES:tests/leaks/%.cpp=$(LEAKS_DIR)/%)
LEAKS_MODULE       := $(LEAKS_DIR)/libleaks_tls.so
LEAKS_PROGRAMS     := $(LEAKS_C_PROGRAMS) $(LEAKS_CXX_PROGRAMS) $(LEAKS_MODULE)
LEAKS_DEPENDENCIES := tests/leaks/leaks.h tests/leaks/leaks.mk

# The corpus's own flags, not the library's: plain -O2 -g programs, as a
# user would build them.
LEAKS_CFLAGS       := -O2 -g -Wall -Wextra -Werror -std=gnu11 -pthread -D_GNU_SOURCE
LEAKS_CXXFLAGS     := -O2 -g -Wall -Wextra -Werror -std=gnu++17 -pthread -D_GNU_SOURCE

LEAKS_PACKAGES          := g++
LEAKS_TEST_PACKAGES     := python3
LEAKS_MEMCHECK_PACKAGES := valgrind

# What the scripts need to know, as absolute paths.
LEAKS_ENVIRONMENT = LIBRARY='$(abspath $(LIBRARY))' PROGRAMS='$(abspath $(LEAKS_DIR))'

.PHONY: leak-programs leak-test leak-memcheck leak-deps leak-test-deps leak-memcheck-deps

leak-deps: deps
	$(call install_missing,$(LEAKS_PACKAGES))

leak-test-deps: leak-deps
	$(call install_missing,$(LEAKS_TEST_PACKAGES))

leak-memcheck-deps: leak-deps
	$(call install_missing,$(LEAKS_MEMCHECK_PACKAGES))

$(LEAKS_C_PROGRAMS): $(LEAKS_DIR)/%: tests/leaks/%.c $(LEAKS_DEPENDENCIES) | leak-deps
	@mkdir -p $(dir $@)
	$(CC) $(LEAKS_CFLAGS) -o $@ $< -ldl

$(LEAKS_CXX_PROGRAMS): $(LEAKS_DIR)/%: tests/leaks/%.cpp $(LEAKS_DEPENDENCIES) | leak-deps
	@mkdir -p $(dir $@)
	$(CXX) $(LEAKS_CXXFLAGS) -o $@ $<

$(LEAKS_MODULE): tests/leaks/module_tls.c $(LEAKS_DEPENDENCIES) | leak-deps
	@mkdir -p $(dir $@)
	$(CC) $(LEAKS_CFLAGS) -fPIC -shared -o $@ $<

leak-programs: $(LEAKS_PROGRAMS)

leak-test: $(LIBRARY) $(LEAKS_PROGRAMS) | leak-test-deps
	@echo "== tests/leaks/memsnap.sh"
	@$(LEAKS_ENVIRONMENT) bash tests/leaks/memsnap.sh

leak-memcheck: $(LEAKS_PROGRAMS) | leak-memcheck-deps
	@echo "== tests/leaks/memcheck.sh"
	@$(LEAKS_ENVIRONMENT) bash tests/leaks/memcheck.sh
