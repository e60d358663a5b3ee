/* domains.h: memory outside the malloc family: brk/sbrk growth, the
 * program's own anonymous mmaps, and regions a program reports from its own
 * allocators (memsnap_track, tracemalloc's PyTraceMalloc_Track). */
#ifndef MS_DOMAINS_H
#define MS_DOMAINS_H

#include <stddef.h>
#include <stdint.h>

#include "unwind.h"

/* The break moved from old_break by delta bytes (brk, sbrk). */
void ms_domain_brk_moved(uintptr_t old_break, intptr_t delta, ms_entry_t entry);

/* An anonymous mapping was made, unmapped (any part) or moved. */
void ms_domain_mapped(uintptr_t address, size_t length, ms_entry_t entry);
void ms_domain_unmapped(uintptr_t address, size_t length);
void ms_domain_remapped(uintptr_t old_address, size_t old_length, uintptr_t address,
                        size_t length, ms_entry_t entry);

/* A user domain (>= MS_DOMAIN_USER_FIRST). Tracking an address already
 * tracked in that domain replaces it, as in tracemalloc. 0, or -1 (EINVAL
 * for a reserved domain, ENOENT for an untracked address, ENOMEM). */
int ms_domain_track(uint32_t domain, uintptr_t address, size_t size, ms_entry_t entry);
int ms_domain_untrack(uint32_t domain, uintptr_t address);

/* Calls visit for each brk growth and anonymous mapping of the program
 * (domains 1 and 2), for a caller that holds the domains lock already
 * (ms_domains_fork_prepare, as the leak check takes it). A mapping cut in
 * the middle by munmap is one region with a hole. */
void ms_domains_visit_regions_held(void (*visit)(void *context, uintptr_t start, uint64_t size),
                                   void *context);

void ms_domains_fork_prepare(void);
void ms_domains_fork_parent(void);
void ms_domains_fork_child(void);

#endif
