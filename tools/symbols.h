/* symbols.h: frames of a snapshot turned into functions, files and lines,
 * offline, with libdw (elfutils), from the modules the snapshot names.
 *
 * A frame's address is a return address, so the call's line is looked up
 * at address - 1. One address can stand for several source frames when the
 * compiler inlined calls: the result lists them innermost first (the
 * inlined callee, then whoever it was inlined into, ending with the real
 * function), as heaptrack shows them. Without debug information the
 * function is the ELF symbol with its offset ("parse+0x1c"); without a
 * symbol, the module and offset ("libfoo.so+0x1234"). A module whose
 * build-id differs from the one in the snapshot (rebuilt since the run) is
 * named in one warning on stderr and its frames are shown by module and
 * offset only, never misread. Results are cached per frame id.
 *
 * Details of the output (tools/symbols.c):
 * - The offsets in "parse+0x1c" and "libfoo.so+0x1234" are those of the
 *   address looked up, return address - 1, so that `addr2line -e FILE
 *   0x1234` gives the same line. A frame in no module is "0x" and its
 *   absolute address as recorded.
 * - Names are those of the debug information (DW_AT_linkage_name first,
 *   else DW_AT_name) or of the symbol table: C++ names stay mangled (no
 *   demangler without libstdc++; pipe the output through c++filt).
 * - file is the path the debug information gives, which may be relative
 *   to the compilation directory ("Python/ceval.c", "./malloc/malloc.c").
 * - Warnings go to stderr, once per module, when the module is first used:
 *   "memsnap: warning: PATH: build-id differs from the snapshot's (rebuilt
 *   since the run?); its frames are shown as NAME+OFFSET", or "PATH: cannot
 *   open (REASON); ...". A module named without a '/' (the vDSO) has no file
 *   and is shown by offset without a warning.
 * - Separate debug files are found by build-id under /usr/lib/debug and by
 *   .gnu_debuglink (dwfl_standard_find_debuginfo), and through debuginfod
 *   when DEBUGINFOD_URLS is set in the environment. */
#ifndef MEMSNAP_SYMBOLS_H
#define MEMSNAP_SYMBOLS_H

#include <stdint.h>

#include "reader.h"

typedef struct cli_location {
    const char *function;         /* never NULL: a name, symbol+offset or module+offset */
    const char *symbol;           /* the function's name alone ("parse" for "parse+0x1c");
                                   * NULL when the frame names no function: module+offset,
                                   * a bare address, "??" (a DIE without a name), "?" */
    const char *file;             /* NULL when unknown */
    unsigned line;                /* 0 when unknown */
    const char *module;           /* the module's path, NULL for a frame in none */
} cli_location_t;

typedef struct cli_resolved {
    const cli_location_t *locations;   /* innermost first */
    unsigned count;                    /* at least 1 */
} cli_resolved_t;

typedef struct cli_symbols cli_symbols_t;

/* For snapshot, which must outlive the result. */
cli_symbols_t *cli_symbols_new(const cli_snapshot_t *snapshot);
/* The source frames of frame id (< snapshot->nframes; an id past the
 * table gives one location, "?"). */
const cli_resolved_t *cli_symbols_resolve(cli_symbols_t *symbols, uint32_t frame_id);
void cli_symbols_free(cli_symbols_t *symbols);

#endif
