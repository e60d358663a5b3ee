/* check_arena.c: the arena layer of arena.c through its own API
 * (ms_arena_pool_take, ms_arena_pool_give, ms_arena_visit): pools come from
 * the fullest arena, dirty pools before clean ones; empty pools are
 * decommitted once MS_DIRTY_POOLS_MAX of them are resident; an empty arena is
 * unmapped unless it is the only empty one. A model of that policy then
 * checks a long random sequence of takes and gives.
 *
 * The arena state is process-wide: each test starts by taking pools until a
 * new arena is mapped, which leaves every arena mapped before it full (and
 * out of the way), and measures the counters relative to their values then. */
#include "unit.h"

#include "alloc.h"

#define ALL_POOLS (~(uint64_t)0)

static unsigned index_in_arena(const void *pool)
{
    return (unsigned)(((uintptr_t)pool - unit_arena_of(pool)) / MS_POOL_SIZE);
}

static ms_pool_t *pool_at(uintptr_t arena, unsigned index)
{
    return (ms_pool_t *)(arena + (uintptr_t)index * MS_POOL_SIZE);
}

/* The first pool of a newly mapped arena: pool 0, since nothing in it is
 * dirty yet. Pools taken on the way (from arenas mapped before) stay taken. */
static ms_pool_t *take_from_new_arena(void)
{
    uint64_t mapped = unit_arena_counters().allocated_total;
    for (;;) {
        ms_pool_t *pool = ms_arena_pool_take();
        ck_assert_ptr_nonnull(pool);
        if (unit_arena_counters().allocated_total != mapped) {
            ck_assert_uint_eq(index_in_arena(pool), 0);
            return pool;
        }
    }
}

/* Takes all 64 pools of a new arena, which come in address order. */
static uintptr_t take_whole_arena(void)
{
    uintptr_t arena = unit_arena_of(take_from_new_arena());
    for (unsigned index = 1; index < MS_POOLS_PER_ARENA; index++)
        ck_assert_ptr_eq(ms_arena_pool_take(), pool_at(arena, index));
    return arena;
}

START_TEST(test_take_from_fullest_arena)
{
    uintptr_t a = take_whole_arena();
    ms_arena_counters_t start = unit_arena_counters();
    uintptr_t b = take_whole_arena();
    /* A third arena, c, with 63 free pools: never the fullest below. */
    take_from_new_arena();
    ms_arena_counters_t now = unit_arena_counters();
    ck_assert_uint_eq(now.allocated_total, start.allocated_total + 2);
    ck_assert_uint_eq(now.current, start.current + 2);

    /* Free pools: a 5, b 3, c 63. */
    for (unsigned index = 10; index < 15; index++)
        ms_arena_pool_give(pool_at(a, index));
    ms_arena_pool_give(pool_at(b, 40));
    ms_arena_pool_give(pool_at(b, 20));
    ms_arena_pool_give(pool_at(b, 30));

    /* b first, its dirty pools lowest address first, until it is full. */
    ck_assert_ptr_eq(ms_arena_pool_take(), pool_at(b, 20));
    ck_assert_ptr_eq(ms_arena_pool_take(), pool_at(b, 30));
    ck_assert_ptr_eq(ms_arena_pool_take(), pool_at(b, 40));
    ck_assert_ptr_eq(ms_arena_pool_take(), pool_at(a, 10));

    /* b comes back with 2 free pools, fewer than a's 4: b again. */
    ms_arena_pool_give(pool_at(b, 50));
    ms_arena_pool_give(pool_at(b, 51));
    ck_assert_ptr_eq(ms_arena_pool_take(), pool_at(b, 50));
    /* Four more make b's 5 more than a's 4: b moves behind a. */
    for (unsigned index = 52; index < 56; index++)
        ms_arena_pool_give(pool_at(b, index));
    ck_assert_ptr_eq(ms_arena_pool_take(), pool_at(a, 11));

    ck_assert_uint_eq(unit_arena_counters().allocated_total, start.allocated_total + 2);
}
END_TEST

START_TEST(test_release_keeps_one_empty_arena)
{
    uintptr_t a = take_whole_arena();
    uintptr_t b = take_whole_arena();
    ms_arena_counters_t start = unit_arena_counters();

    for (unsigned index = 0; index < MS_POOLS_PER_ARENA; index++)
        ms_arena_pool_give(pool_at(a, index));
    ms_arena_counters_t now = unit_arena_counters();
    ck_assert_uint_eq(now.reclaimed, start.reclaimed);
    ck_assert_uint_eq(now.current, start.current);
    ck_assert(ms_owns((void *)a));

    for (unsigned index = 0; index < MS_POOLS_PER_ARENA - 1; index++)
        ms_arena_pool_give(pool_at(b, index));
    ck_assert_uint_eq(unit_arena_counters().reclaimed, start.reclaimed);
    ms_arena_pool_give(pool_at(b, MS_POOLS_PER_ARENA - 1));

    now = unit_arena_counters();
    ck_assert_uint_eq(now.reclaimed, start.reclaimed + 1);
    ck_assert_uint_eq(now.current, start.current - 1);
    ck_assert_uint_eq(now.allocated_total, start.allocated_total);
    /* a: 8 decommits of 8 pools; b: 7, its last 8 are unmapped instead. */
    ck_assert_uint_eq(now.decommitted_pools, start.decommitted_pools + 64 + 56);
    ck_assert(!ms_owns((void *)b));
    ck_assert(!ms_owns((void *)(b + MS_ARENA_SIZE - 1)));
    ck_assert(ms_owns((void *)a));

    /* The kept arena serves the next take; nothing new is mapped. */
    ck_assert_ptr_eq(ms_arena_pool_take(), pool_at(a, 0));
    ck_assert_uint_eq(unit_arena_counters().allocated_total, start.allocated_total);
}
END_TEST

START_TEST(test_decommit_after_dirty_max)
{
    uintptr_t arena = unit_arena_of(take_from_new_arena());
    for (unsigned index = 1; index < 20; index++)
        ck_assert_ptr_eq(ms_arena_pool_take(), pool_at(arena, index));
    /* A mark in every pool's body shows whether its page was given back:
     * a decommitted page reads as zero. */
    for (unsigned index = 0; index < 20; index++)
        ((unsigned char *)pool_at(arena, index))[100] = 0xAB;
    ms_arena_counters_t start = unit_arena_counters();

    for (unsigned index = 0; index < MS_DIRTY_POOLS_MAX - 1; index++)
        ms_arena_pool_give(pool_at(arena, index));
    ck_assert_uint_eq(unit_arena_counters().decommitted_pools, start.decommitted_pools);
    ck_assert_uint_eq(((unsigned char *)pool_at(arena, MS_DIRTY_POOLS_MAX - 2))[100], 0xAB);

    ms_arena_pool_give(pool_at(arena, MS_DIRTY_POOLS_MAX - 1));
    ck_assert_uint_eq(unit_arena_counters().decommitted_pools,
                      start.decommitted_pools + MS_DIRTY_POOLS_MAX);
    for (unsigned index = 0; index < MS_DIRTY_POOLS_MAX; index++)
        ck_assert_uint_eq(((unsigned char *)pool_at(arena, index))[100], 0);
    ck_assert_uint_eq(((unsigned char *)pool_at(arena, 15))[100], 0xAB);

    /* A dirty pool is taken before any clean one, even one at a lower address. */
    ms_arena_pool_give(pool_at(arena, 15));
    ck_assert_ptr_eq(ms_arena_pool_take(), pool_at(arena, 15));
    ck_assert_ptr_eq(ms_arena_pool_take(), pool_at(arena, 0));
    ck_assert_uint_eq(unit_arena_counters().decommitted_pools,
                      start.decommitted_pools + MS_DIRTY_POOLS_MAX);
}
END_TEST

/* The model: what arena.c should know about the arenas the test made. */
#define MODEL_MAX_ARENAS 16
#define MODEL_MAX_HELD   (10 * MS_POOLS_PER_ARENA)

typedef struct model_arena {
    uintptr_t base;
    uint64_t free_pools;
    uint64_t dirty_pools;
} model_arena_t;

typedef struct model {
    model_arena_t arenas[MODEL_MAX_ARENAS];
    unsigned arena_count;
    ms_pool_t *held[MODEL_MAX_HELD];
    size_t held_count;
    ms_arena_counters_t counters;   /* what ms_arena_visit should report */
} model_t;

static model_arena_t *model_find(model_t *model, uintptr_t base)
{
    for (unsigned k = 0; k < model->arena_count; k++)
        if (model->arenas[k].base == base)
            return &model->arenas[k];
    return NULL;
}

static void model_take(model_t *model, unsigned step)
{
    ms_pool_t *pool = ms_arena_pool_take();
    unit_expect(pool != NULL, "step %u: take failed", step);
    uintptr_t base = unit_arena_of(pool);
    unsigned index = index_in_arena(pool);

    unsigned fewest = MS_POOLS_PER_ARENA + 1;
    for (unsigned k = 0; k < model->arena_count; k++) {
        unsigned free_count = (unsigned)__builtin_popcountll(model->arenas[k].free_pools);
        if (free_count != 0 && free_count < fewest)
            fewest = free_count;
    }
    model_arena_t *arena = model_find(model, base);
    if (fewest > MS_POOLS_PER_ARENA) {
        unit_expect(arena == NULL && index == 0,
                    "step %u: no arena had a free pool, yet pool %u of a known arena came", step,
                    index);
        unit_expect(model->arena_count < MODEL_MAX_ARENAS, "step %u: too many arenas", step);
        arena = &model->arenas[model->arena_count++];
        *arena = (model_arena_t){ base, ALL_POOLS, 0 };
        model->counters.allocated_total++;
        model->counters.current++;
        if (model->counters.current > model->counters.highwater)
            model->counters.highwater = model->counters.current;
    } else {
        unit_expect(arena != NULL, "step %u: pool from an unknown arena %#lx", step,
                    (unsigned long)base);
        unsigned free_count = (unsigned)__builtin_popcountll(arena->free_pools);
        unit_expect(free_count == fewest, "step %u: took from an arena with %u free pools, "
                    "while one had %u", step, free_count, fewest);
        uint64_t candidates = arena->dirty_pools != 0 ? arena->dirty_pools : arena->free_pools;
        unsigned expected = (unsigned)__builtin_ctzll(candidates);
        unit_expect(index == expected, "step %u: took pool %u, expected %u (dirty %#lx)", step,
                    index, expected, (unsigned long)arena->dirty_pools);
    }
    arena->free_pools &= ~((uint64_t)1 << index);
    arena->dirty_pools &= ~((uint64_t)1 << index);
    model->held[model->held_count++] = pool;
}

static void model_give(model_t *model, uint64_t *random_state)
{
    size_t pick = unit_random(random_state) % model->held_count;
    ms_pool_t *pool = model->held[pick];
    model->held[pick] = model->held[--model->held_count];
    ms_arena_pool_give(pool);

    model_arena_t *arena = model_find(model, unit_arena_of(pool));
    unsigned empty_arenas = 0;
    for (unsigned k = 0; k < model->arena_count; k++)
        empty_arenas += model->arenas[k].free_pools == ALL_POOLS;
    uint64_t bit = (uint64_t)1 << index_in_arena(pool);
    arena->free_pools |= bit;
    arena->dirty_pools |= bit;
    if (arena->free_pools == ALL_POOLS && empty_arenas >= MS_EMPTY_ARENAS_KEPT) {
        *arena = model->arenas[--model->arena_count];
        model->counters.reclaimed++;
        model->counters.current--;
    } else if (__builtin_popcountll(arena->dirty_pools) >= MS_DIRTY_POOLS_MAX) {
        model->counters.decommitted_pools += (uint64_t)__builtin_popcountll(arena->dirty_pools);
        arena->dirty_pools = 0;
    }
}

START_TEST(test_random_takes_and_gives_follow_model)
{
    static model_t model;
    ms_pool_t *first = take_from_new_arena();
    model.arenas[0] = (model_arena_t){ unit_arena_of(first), ALL_POOLS & ~(uint64_t)1, 0 };
    model.arena_count = 1;
    model.held[model.held_count++] = first;
    uint64_t held_before = unit_held_pools(&model.counters) - 1;

    uint64_t random_state = 42;
    for (unsigned step = 0; step < 20000; step++) {
        /* Phases of growth and of shrinking, so arenas fill, drain, go back
         * to the system and come again. */
        unsigned take_percent = (step / 700) % 2 == 0 ? 70 : 25;
        int take = model.held_count == 0 ||
                   (model.held_count < MODEL_MAX_HELD && unit_random(&random_state) % 100 < take_percent);
        if (take)
            model_take(&model, step);
        else
            model_give(&model, &random_state);

        ms_arena_counters_t counters;
        uint64_t held = unit_held_pools(&counters) - held_before;
        unit_expect(held == model.held_count, "step %u: %lu pools held, expected %zu", step,
                    (unsigned long)held, model.held_count);
        unit_expect(memcmp(&counters, &model.counters, sizeof counters) == 0,
                    "step %u: counters total %lu reclaimed %lu highwater %lu current %lu "
                    "decommitted %lu, expected %lu %lu %lu %lu %lu", step,
                    (unsigned long)counters.allocated_total, (unsigned long)counters.reclaimed,
                    (unsigned long)counters.highwater, (unsigned long)counters.current,
                    (unsigned long)counters.decommitted_pools,
                    (unsigned long)model.counters.allocated_total,
                    (unsigned long)model.counters.reclaimed, (unsigned long)model.counters.highwater,
                    (unsigned long)model.counters.current,
                    (unsigned long)model.counters.decommitted_pools);
    }
    /* The sequence must have exercised what it is meant to. */
    ck_assert_uint_ge(model.counters.reclaimed, 5);
    ck_assert_uint_ge(model.counters.highwater, 4);
}
END_TEST

static Suite *arena_suite(void)
{
    Suite *suite = suite_create("arena");
    TCase *policy = tcase_create("policy");
    tcase_add_test(policy, test_take_from_fullest_arena);
    tcase_add_test(policy, test_release_keeps_one_empty_arena);
    tcase_add_test(policy, test_decommit_after_dirty_max);
    suite_add_tcase(suite, policy);
    TCase *model = tcase_create("model");
    tcase_set_timeout(model, 30);
    tcase_add_test(model, test_random_takes_and_gives_follow_model);
    suite_add_tcase(suite, model);
    return suite;
}

int main(void)
{
    return run_suite(arena_suite());
}
