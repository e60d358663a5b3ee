# tests/integration/integration.mk: real programs and stress programs run
# under the preload.
#
#   make integration-test   builds tests/programs/* into build/tests/programs/
#                           and runs every tests/integration/test_*.sh; fails
#                           if any check of any script fails
#
# Each script sources tests/integration/lib.sh, prints one "ok - ..." /
# "not ok - ..." / "skip - ..." line per check and ends with "N passed,
# N failed[, N skipped][, N todo]"; a "not ok - ... # TODO" line is a known
# library bug, reported and not fixed yet, and does not fail the script.
# tests/programs/demo.c is not a test program. The scripts run every
# preloaded command with MEMSNAP_DIR in a temporary folder (lib.sh):
# snapshots never land in the work tree.

INTEGRATION_PROGRAM_DIR := $(BUILD)/tests/programs
INTEGRATION_C_SOURCES   := $(filter-out tests/programs/demo.c,$(wildcard tests/programs/*.c))
INTEGRATION_CXX_SOURCES := $(wildcard tests/programs/*.cpp)
INTEGRATION_HEADERS     := $(wildcard tests/programs/*.h)
INTEGRATION_SCRIPTS     := $(sort $(wildcard tests/integration/test_*.sh))

# C++ programs only where a C++ compiler is installed; the scripts report
# them as skipped otherwise.
INTEGRATION_CXX         := $(shell command -v $(CXX) 2>/dev/null)
INTEGRATION_CXXFLAGS    := -O2 -g -Wall -Wextra -Werror -std=gnu++17 -pthread

INTEGRATION_PROGRAMS := $(INTEGRATION_C_SOURCES:tests/programs/%.c=$(INTEGRATION_PROGRAM_DIR)/%)
ifneq ($(INTEGRATION_CXX),)
INTEGRATION_PROGRAMS += $(INTEGRATION_CXX_SOURCES:tests/programs/%.cpp=$(INTEGRATION_PROGRAM_DIR)/%)
endif

# The snapshot programs (snapshot_*.c) use include/memsnap.h, read snapshots
# back with jansson (snapshot_read.h), and symbolize their own frames with
# dladdr, which needs their functions in the dynamic symbol table
# (-rdynamic); no sibling calls, so that a caller's frame is never skipped.
INTEGRATION_SNAPSHOT_FLAGS := -fno-optimize-sibling-calls
INTEGRATION_SNAPSHOT_LIBS  := -rdynamic -ljansson
$(INTEGRATION_PROGRAM_DIR)/snapshot_%: INTEGRATION_EXTRA_CFLAGS := $(INTEGRATION_SNAPSHOT_FLAGS)
$(INTEGRATION_PROGRAM_DIR)/snapshot_%: INTEGRATION_EXTRA_LIBS := $(INTEGRATION_SNAPSHOT_LIBS)

$(INTEGRATION_PROGRAM_DIR)/%: tests/programs/%.c $(INTEGRATION_HEADERS) include/memsnap.h tests/integration/integration.mk
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(INTEGRATION_EXTRA_CFLAGS) -Itests/programs -Iinclude -o $@ $< -ldl $(INTEGRATION_EXTRA_LIBS)

$(INTEGRATION_PROGRAM_DIR)/%: tests/programs/%.cpp tests/integration/integration.mk
	@mkdir -p $(dir $@)
	$(INTEGRATION_CXX) $(INTEGRATION_CXXFLAGS) -o $@ $<

.PHONY: integration-test
integration-test: $(LIBRARY) $(CLI) $(INTEGRATION_PROGRAMS)
	@failed=0; for script in $(INTEGRATION_SCRIPTS); do \
	  echo "== $$script"; \
	  LIBRARY='$(abspath $(LIBRARY))' PROGRAMS='$(abspath $(INTEGRATION_PROGRAM_DIR))' \
	    bash $$script || failed=1; \
	done; exit $$failed
