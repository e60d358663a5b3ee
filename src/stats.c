/* stats.c: gathers the allocator table and prints it.
 *
 * Collection walks every pool under the arena lock (arena.c) and reads the
 * pool headers without their heaps' locks: at exit, or on request, the
 * figures of a pool another thread is changing may be off by a block, never
 * unsafe to read. Printing uses format.c, not stdio, because it runs at exit
 * when the program may have closed or broken stdio.
 *
 * Globals: brk_grown_total and brk_current, relaxed atomics, added to by the
 * brk/sbrk interposers of any thread. report_fd is written once by
 * ms_stats_prepare from the constructor. */
#include "stats.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "format.h"
#include "meta.h"
#include "options.h"
#include "os.h"

static uint64_t brk_grown_total;
static int64_t brk_current;
static int report_fd = STDERR_FILENO;

/* Programs built on gnulib (coreutils) close stderr before this library's
 * destructor prints: os.c keeps a copy. */
void ms_stats_prepare(void)
{
    if (!ms_option(MS_OPTION_STATS) || ms_option_string(MS_OPTION_STATS_FILE) != NULL)
        return;
    report_fd = ms_os_keep_stderr();
}

void ms_stats_note_brk(intptr_t delta)
{
    if (delta > 0)
        __atomic_add_fetch(&brk_grown_total, (uint64_t)delta, __ATOMIC_RELAXED);
    __atomic_add_fetch(&brk_current, (int64_t)delta, __ATOMIC_RELAXED);
}

static void visit_pool(void *context, const ms_pool_t *pool)
{
    ms_stats_t *stats = context;
    unsigned szidx = pool->szidx;
    uint64_t size = ms_szidx_to_size(szidx);
    uint64_t capacity = ms_pool_capacity(szidx);
    ms_class_stats_t *class = &stats->classes[szidx];
    class->pools++;
    class->blocks_in_use += pool->count;
    class->blocks_available += capacity - pool->count;
    stats->allocated_bytes += pool->count * size;
    stats->available_bytes += (capacity - pool->count) * size;
    stats->pool_header_bytes += MS_POOL_OVERHEAD;
    stats->quantization_bytes += (MS_POOL_SIZE - MS_POOL_OVERHEAD) % size;
}

void ms_stats_collect(ms_stats_t *stats)
{
    memset(stats, 0, sizeof *stats);
    ms_arena_visit(visit_pool, stats, &stats->arenas);
    uint64_t held_pools = stats->pool_header_bytes / MS_POOL_OVERHEAD;
    stats->arena_bytes = stats->arenas.current * MS_ARENA_SIZE;
    stats->unused_pools = stats->arenas.current * MS_POOLS_PER_ARENA - held_pools;
    if (stats->arena_bytes != 0)
        stats->fragmentation_permille =
            (stats->arena_bytes - stats->allocated_bytes) * 1000 / stats->arena_bytes;
    ms_large_counters(&stats->large);
    stats->brk_grown_total = __atomic_load_n(&brk_grown_total, __ATOMIC_RELAXED);
    stats->brk_current = __atomic_load_n(&brk_current, __ATOMIC_RELAXED);
    stats->meta_bytes = ms_meta_bytes();
}

/* "label = value" with the label in 35 columns and the value in 21, commas
 * every three digits, as _debugmallocstats prints. */
static void line(ms_out_t *out, const char *label, uint64_t value)
{
    ms_out_padded(out, label, 35);
    ms_out_str(out, "=");
    ms_out_u64(out, value, 21, 1);
    ms_out_str(out, "\n");
}

/* Same, for labels that start with a number ("3 arenas * 262144 bytes/arena"). */
static void counted_line(ms_out_t *out, uint64_t count, const char *unit, uint64_t value)
{
    size_t start = out->length;
    ms_out_u64(out, count, 0, 0);
    ms_out_str(out, unit);
    size_t written = out->length - start;
    if (written < 35)
        ms_out_chars(out, ' ', 35 - written);
    ms_out_str(out, "=");
    ms_out_u64(out, value, 21, 1);
    ms_out_str(out, "\n");
}

int ms_stats_report(void)
{
    if (!ms_option(MS_OPTION_STATS))
        return 0;
    const char *path = ms_option_string(MS_OPTION_STATS_FILE);
    int fd = report_fd;
    if (path != NULL &&
        (fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644)) < 0) {
        ms_warn("cannot open MEMSNAP_STATS_FILE '", path, "': ", strerrordesc_np(errno), NULL);
        return -1;
    }
    ms_stats_t stats;
    ms_stats_collect(&stats);
    int result = ms_stats_print(&stats, fd);
    if (path != NULL && close(fd) != 0)
        result = -1;
    if (result != 0 && path != NULL)
        ms_warn("cannot write MEMSNAP_STATS_FILE '", path, "': ", strerrordesc_np(errno), NULL);
    return result;
}

int ms_stats_print(const ms_stats_t *stats, int fd)
{
    ms_out_t out;
    ms_out_init(&out, fd);
    ms_out_str(&out, "memsnap allocator statistics\n");
    ms_out_str(&out, "Small block threshold = 512, in 64 size classes.\n\n");
    ms_out_str(&out, "class   size   num pools   blocks in use  avail blocks\n");
    ms_out_str(&out, "-----   ----   ---------   -------------  ------------\n");
    for (unsigned szidx = 0; szidx < MS_NB_SMALL_SIZE_CLASSES; szidx++) {
        const ms_class_stats_t *class = &stats->classes[szidx];
        if (class->pools == 0)
            continue;
        ms_out_u64(&out, szidx, 5, 0);
        ms_out_u64(&out, ms_szidx_to_size(szidx), 7, 0);
        ms_out_u64(&out, class->pools, 12, 0);
        ms_out_u64(&out, class->blocks_in_use, 16, 0);
        ms_out_u64(&out, class->blocks_available, 14, 0);
        ms_out_str(&out, "\n");
    }
    ms_out_str(&out, "\n");
    line(&out, "# arenas allocated total", stats->arenas.allocated_total);
    line(&out, "# arenas reclaimed", stats->arenas.reclaimed);
    line(&out, "# arenas highwater mark", stats->arenas.highwater);
    line(&out, "# arenas allocated current", stats->arenas.current);
    counted_line(&out, stats->arenas.current, " arenas * 262144 bytes/arena", stats->arena_bytes);
    ms_out_str(&out, "\n");
    line(&out, "# bytes in allocated blocks", stats->allocated_bytes);
    line(&out, "# bytes in available blocks", stats->available_bytes);
    counted_line(&out, stats->unused_pools, " unused pools * 4096 bytes",
                 stats->unused_pools * MS_POOL_SIZE);
    line(&out, "# bytes lost to pool headers", stats->pool_header_bytes);
    line(&out, "# bytes lost to quantization", stats->quantization_bytes);
    line(&out, "Total", stats->allocated_bytes + stats->available_bytes +
                        stats->unused_pools * MS_POOL_SIZE + stats->pool_header_bytes +
                        stats->quantization_bytes);
    line(&out, "# fragmentation, per mille", stats->fragmentation_permille);
    line(&out, "# pools decommitted (total)", stats->arenas.decommitted_pools);
    ms_out_str(&out, "\n");
    line(&out, "# large blocks in use", stats->large.live_blocks);
    line(&out, "# bytes in large blocks", stats->large.live_bytes);
    line(&out, "# large allocations total", stats->large.calls);
    line(&out, "# bytes of large allocations total", stats->large.bytes_total);
    line(&out, "# foreign frees ignored", stats->large.foreign_frees);
    ms_out_str(&out, "\n");
    line(&out, "# bytes of brk/sbrk growth total", stats->brk_grown_total);
    ms_out_padded(&out, "# bytes of brk/sbrk change current", 35);
    ms_out_str(&out, "=");
    ms_out_i64(&out, stats->brk_current, 21, 1);
    ms_out_str(&out, "\n");
    line(&out, "# bytes of memsnap metadata", stats->meta_bytes);
    return ms_out_flush(&out);
}
