/* register_dropped.c: the control for held_register.c. The same spinning
 * thread, but it drops the pointer to its block of 3344 bytes before it
 * spins: no register, no stack slot, nothing holds it. It shows that
 * held_register's block is found through the register and not through a
 * stale copy somewhere. Expected: definite 3344 bytes in 1 block. */
#include "leaks.h"

static int ready;

static void *spinner(void *argument)
{
    (void)argument;
    void *block = allocate(3344);
    __asm__ volatile("" : "+r"(block));
    scrub_stack();
    block = NULL;
    spin_with(block, &ready);
}

int main(void)
{
    exit_while_running(spinner, &ready,
                       "register_dropped: 3344 bytes lost by a spinning thread\n");
}
