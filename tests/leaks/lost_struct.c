/* lost_struct.c: a 48-byte struct, lost, that holds the only pointer to a
 * second block of 333 bytes. Expected: definite 48 bytes in 1 block (the
 * struct), indirect 333 bytes in 1 block (what it points to). */
#include "leaks.h"

struct record {
    char *name;   /* the only pointer to the 333-byte block */
    long fields[5];
};

static LEAKS_NOINLINE void leak(void)
{
    struct record *record = allocate(sizeof *record);
    record->name = allocate(333);
    escape(record);
}

int main(void)
{
    _Static_assert(sizeof(struct record) == 48, "struct record is 48 bytes");
    leak();
    scrub_stack();
    say("lost_struct: a 48-byte struct and its 333-byte name lost\n");
    return 0;
}
