# tools/tools.mk: the memsnap command-line tool, and `make demo`, which
# traces the bundled example program with it.
TOOLS_SOURCES := $(wildcard tools/*.c)
# Everything but main.c, for the tools' own check suites (tests/tools/).
TOOLS_LIBRARY_SOURCES := $(filter-out tools/main.c,$(TOOLS_SOURCES))
# The CLI reads snapshots with jansson and symbolizes with libdw (elfutils).
TOOLS_LIBS     = -ljansson $(shell pkg-config --libs libdw) -lm
DEMO          := $(BUILD)/demo
DEMO_STATS    := $(BUILD)/demo-stats.txt
DEMO_SNAPSHOTS := $(BUILD)/demo-snapshots

$(CLI): $(TOOLS_SOURCES) $(wildcard tools/*.h) tools/tools.mk Makefile
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) -o $@ $(TOOLS_SOURCES) $(TOOLS_LIBS)

$(DEMO): tests/programs/demo.c tools/tools.mk Makefile
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -o $@ $<

# The table goes to a file rather than stderr: the library prints it from a
# destructor, before the C library flushes the program's buffered stdout, so
# on a pipe the two would come out in the wrong order.
demo: deps all $(DEMO)
	@echo
	@rm -rf $(DEMO_SNAPSHOTS) && mkdir -p $(DEMO_SNAPSHOTS)
	@echo "== $(DEMO)'s own output, run as: MEMSNAP_DIR=$(DEMO_SNAPSHOTS) $(CLI) run --stats --stats-file $(DEMO_STATS) -- $(DEMO)"
	@MEMSNAP_DIR=$(DEMO_SNAPSHOTS) $(CLI) run --stats --stats-file $(DEMO_STATS) -- $(DEMO)
	@echo
	@echo "== What memsnap saw: its allocator table when $(DEMO) exited (small blocks by size class, then large ones)"
	@cat $(DEMO_STATS)
	@echo
	@echo "== The snapshot it wrote at exit, read back: memsnap top $(DEMO_SNAPSHOTS)/memsnap.demo.*.json"
	@$(CLI) top $(DEMO_SNAPSHOTS)/memsnap.demo.*.json
