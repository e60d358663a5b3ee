/* cycle.c: three blocks of 72 bytes in a ring (a -> b -> c -> a), none
 * reachable from outside. Each is pointed to, but only from lost blocks.
 * memcheck (and memsnap, which follows its meanings) reports the block it
 * reaches first in address order as definitely lost and the other two as
 * indirectly lost through it; all three have the same size, so the bytes do
 * not depend on which one comes first. Expected: definite 72 bytes in 1
 * block, indirect 144 bytes in 2 blocks. */
#include "leaks.h"

struct node {
    struct node *next;
    char payload[64];
};

static LEAKS_NOINLINE void leak(void)
{
    struct node *a = allocate(sizeof *a);
    struct node *b = allocate(sizeof *b);
    struct node *c = allocate(sizeof *c);
    a->next = b;
    b->next = c;
    c->next = a;
    escape(a);
}

int main(void)
{
    _Static_assert(sizeof(struct node) == 72, "struct node is 72 bytes");
    leak();
    scrub_stack();
    say("cycle: a ring of three 72-byte blocks lost\n");
    return 0;
}
