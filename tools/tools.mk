# tools/tools.mk: the memsnap command-line tool, and `make demo`, which
# traces the bundled example program with it.
TOOLS_SOURCES := $(wildcard tools/*.c)
DEMO          := $(BUILD)/demo
DEMO_STATS    := $(BUILD)/demo-stats.txt

$(CLI): $(TOOLS_SOURCES) $(wildcard tools/*.h) tools/tools.mk Makefile
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) -o $@ $(TOOLS_SOURCES)

$(DEMO): tests/programs/demo.c tools/tools.mk Makefile
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -o $@ $<

# The table goes to a file rather than stderr: the library prints it from a
# destructor, before the C library flushes the program's buffered stdout, so
# on a pipe the two would come out in the wrong order.
demo: deps all $(DEMO)
	@echo
	@echo "== $(DEMO)'s own output, run as: $(CLI) run --stats --stats-file $(DEMO_STATS) -- $(DEMO)"
	@$(CLI) run --stats --stats-file $(DEMO_STATS) -- $(DEMO)
	@echo
	@echo "== What memsnap saw: its allocator table when $(DEMO) exited (small blocks by size class, then large ones)"
	@cat $(DEMO_STATS)
