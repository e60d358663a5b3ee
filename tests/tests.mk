# tests/tests.mk: `make test` runs every suite below; each suite's rules live
# in its own folder's .mk so they can grow independently.
#
#   unit-test          check suites over the core (src/), normal build
#   sanitizer-test     the same suites under AddressSanitizer + UBSan
#   integration-test   real programs and stress programs under the preload
#   cli-unit-test      check suites over the command-line tool's modules
#   cli-sanitizer-test the same under AddressSanitizer + UBSan

TEST_SUITES := unit-test sanitizer-test cli-unit-test cli-sanitizer-test integration-test leak-test leak-memcheck

include tests/unit/unit.mk
include tests/tools/tools-tests.mk
include tests/integration/integration.mk
include tests/fuzz/fuzz.mk
include tests/leaks/leaks.mk

.PHONY: test $(TEST_SUITES)
test: deps all
	@failed=0; for suite in $(TEST_SUITES); do \
	  $(MAKE) --no-print-directory $$suite || failed=1; \
	done; exit $$failed
