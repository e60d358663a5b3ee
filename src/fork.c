/* fork.c: keeps the allocator whole across fork() in a threaded program.
 *
 * prepare takes every lock in the global rank order (heaps list, each heap,
 * arenas, large-block table, meta memory), so that no other thread is half
 * way through a slow path when the child is made; parent releases them in
 * reverse; child re-initialises them, since the threads that would release
 * them do not exist there, and hands the heaps of those threads over for
 * adoption. The lock-free fast paths are fork-safe by their store order (see
 * heap.h). */
#include "fork.h"

#include "arena.h"
#include "heap.h"
#include "large.h"
#include "meta.h"

void ms_fork_prepare(void)
{
    ms_heap_fork_prepare();
    ms_arena_fork_prepare();
    ms_large_fork_prepare();
    ms_meta_fork_prepare();
}

void ms_fork_parent(void)
{
    ms_meta_fork_parent();
    ms_large_fork_parent();
    ms_arena_fork_parent();
    ms_heap_fork_parent();
}

void ms_fork_child(void)
{
    ms_meta_fork_child();
    ms_large_fork_child();
    ms_arena_fork_child();
    ms_heap_fork_child();
}
