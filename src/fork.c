/* fork.c: keeps the allocator whole across fork() in a threaded program.
 *
 * prepare takes every lock in the global rank order (snapshot, peak,
 * domains, heaps list, each heap, arenas, large-block table, intern table,
 * side arrays, timeline, meta memory), so that no other thread is half
 * way through a slow path when the child is made; parent releases them in
 * reverse; child re-initialises them, since the threads that would release
 * them do not exist there, and hands the heaps of those threads over for
 * adoption. The lock-free fast paths are fork-safe by their store order (see
 * heap.h). */
#include "fork.h"

#include "arena.h"
#include "domains.h"
#include "heap.h"
#include "large.h"
#include "meta.h"
#include "peak.h"
#include "slots.h"
#include "snapshot.h"
#include "timeline.h"
#include "traceback.h"
#include "trigger.h"

void ms_fork_prepare(void)
{
    ms_snapshot_fork_prepare();
    ms_peak_fork_prepare();
    ms_domains_fork_prepare();
    ms_heap_fork_prepare();
    ms_arena_fork_prepare();
    ms_large_fork_prepare();
    ms_traceback_fork_prepare();
    ms_slots_fork_prepare();
    ms_timeline_fork_prepare();
    ms_meta_fork_prepare();
}

void ms_fork_parent(void)
{
    ms_meta_fork_parent();
    ms_timeline_fork_parent();
    ms_slots_fork_parent();
    ms_traceback_fork_parent();
    ms_large_fork_parent();
    ms_arena_fork_parent();
    ms_heap_fork_parent();
    ms_domains_fork_parent();
    ms_peak_fork_parent();
    ms_snapshot_fork_parent();
}

void ms_fork_child(void)
{
    ms_meta_fork_child();
    ms_timeline_fork_child();
    ms_slots_fork_child();
    ms_traceback_fork_child();
    ms_large_fork_child();
    ms_arena_fork_child();
    ms_heap_fork_child();
    ms_domains_fork_child();
    ms_peak_fork_child();
    ms_snapshot_fork_child();
    ms_trigger_fork_child();
}
