# memsnap: an LD_PRELOAD heap tracer.
#
#   make          build/libmemsnap.so and build/memsnap
#   make demo     install what is missing, build, trace the bundled example
#   make test     the whole suite (unit, sanitizers, stress, real programs)
#   make bench    ratios against glibc malloc, measured side by side
#   make deps     install the Debian packages the build needs
#   make install  the CLI, the library, the header and the man page under
#                 $(DESTDIR)$(PREFIX) (PREFIX=/usr/local by default)
#
# Each layer adds its own targets from its folder: tools/tools.mk,
# tests/tests.mk, bench/bench.mk.

CC       ?= cc
BUILD    := build
VERSION  := 0.1.0

WARNINGS := -Wall -Wextra -Werror
CFLAGS   ?= -O2 -g
CFLAGS   += $(WARNINGS) -std=gnu11 -pthread -D_GNU_SOURCE -DMEMSNAP_VERSION='"$(VERSION)"'
CPPFLAGS += -Isrc -Iinclude

# The library runs inside other programs: hidden symbols unless exported on
# purpose, initial-exec TLS (no allocation on first touch), and no rewriting
# of malloc+memset into a call to calloc, which would be a call to ourselves.
LIB_CFLAGS := $(CFLAGS) -fPIC -fvisibility=hidden -ftls-model=initial-exec \
              -fno-builtin-malloc -fno-builtin-calloc -fno-builtin-realloc -fno-builtin-free

# The core, for both the library and its unit tests; the shim, library only.
CORE_SOURCES    := $(wildcard src/*.c)
PRELOAD_SOURCES := $(wildcard preload/*.c)
CORE_OBJECTS    := $(CORE_SOURCES:%.c=$(BUILD)/obj/%.o)
PRELOAD_OBJECTS := $(PRELOAD_SOURCES:%.c=$(BUILD)/obj/%.o)
LIBRARY         := $(BUILD)/libmemsnap.so
CLI             := $(BUILD)/memsnap

DEPS_PACKAGES := libunwind-dev libjansson-dev check libdw-dev pkg-config

.PHONY: all deps test demo bench clean install uninstall
all: $(LIBRARY) $(CLI)

$(BUILD)/obj/%.o: %.c $(wildcard src/*.h preload/*.h include/*.h) Makefile
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) -Ipreload $(LIB_CFLAGS) -c -o $@ $<

# jansson is linked statically and hidden (--exclude-libs): memsnap sets its
# allocator, which must not change the allocator of a program that uses
# jansson itself. libunwind stays shared (Debian's static one is not PIC).
CORE_LIBS := -lunwind -lm -pthread -ldl
LIBRARY_LIBS := -Wl,-Bstatic -ljansson -Wl,-Bdynamic $(CORE_LIBS)

$(LIBRARY): $(CORE_OBJECTS) $(PRELOAD_OBJECTS)
	$(CC) -shared -o $@ $^ $(LIBRARY_LIBS) -Wl,--exclude-libs,ALL -Wl,-z,now -Wl,--no-undefined

# Installs only what is missing of the packages in $(1); apt-get as root,
# otherwise the command to run. `make fuzz` uses it for its own packages.
define install_missing
	@missing=""; \
	for package in $(1); do \
	  dpkg-query -W -f='$${Status}' $$package 2>/dev/null | grep -q 'install ok installed' || missing="$$missing $$package"; \
	done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "make deps: installing$$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	  else \
	    echo "make deps: missing packages:$$missing; run: sudo apt-get update && sudo apt-get install -y$$missing" >&2; \
	    exit 1; \
	  fi; \
	fi
endef

deps:
	$(call install_missing,$(DEPS_PACKAGES))

clean:
	rm -rf $(BUILD)

# The installed CLI finds the library in ../lib/memsnap/ next to its bin/
# (tools/library.c), wherever PREFIX is.
PREFIX  ?= /usr/local
DESTDIR ?=
INSTALL_BIN     := $(DESTDIR)$(PREFIX)/bin
INSTALL_LIB     := $(DESTDIR)$(PREFIX)/lib/memsnap
INSTALL_INCLUDE := $(DESTDIR)$(PREFIX)/include
INSTALL_MAN     := $(DESTDIR)$(PREFIX)/share/man/man1

install: all
	install -d $(INSTALL_BIN) $(INSTALL_LIB) $(INSTALL_INCLUDE) $(INSTALL_MAN)
	install -m 755 $(CLI) $(INSTALL_BIN)/memsnap
	install -m 755 $(LIBRARY) $(INSTALL_LIB)/libmemsnap.so
	install -m 644 include/memsnap.h $(INSTALL_INCLUDE)/memsnap.h
	install -m 644 docs/memsnap.1 $(INSTALL_MAN)/memsnap.1

uninstall:
	rm -f $(INSTALL_BIN)/memsnap $(INSTALL_LIB)/libmemsnap.so $(INSTALL_INCLUDE)/memsnap.h \
	  $(INSTALL_MAN)/memsnap.1
	-rmdir $(INSTALL_LIB)

include tools/tools.mk
include tests/tests.mk
include bench/bench.mk
