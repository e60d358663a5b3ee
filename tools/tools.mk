# tools/tools.mk: the memsnap command-line tool.
TOOLS_SOURCES := $(wildcard tools/*.c)

$(CLI): $(TOOLS_SOURCES) $(wildcard tools/*.h) tools/tools.mk Makefile
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) -o $@ $(TOOLS_SOURCES)
