/* held_register.c: a live thread spins with the only copy of the pointer
 * to a block of 3333 bytes in a register while the main thread calls exit().
 *
 * The empty asm statements with a "+r" constraint make the compiler keep
 * the pointer in a register of its choice through the loop, and never
 * store it: the thread's stack holds no copy (the value crosses the call
 * to scrub_stack in a callee-saved register, which scrub_stack leaves
 * alone). A leak checker finds the block only by reading the registers of
 * the live thread. register_dropped.c is the control: the same thread
 * without the register. Expected: reachable at least 3333 bytes in 1
 * block, nothing lost. */
#include "leaks.h"

static int ready;

static void *spinner(void *argument)
{
    (void)argument;
    void *block = allocate(3333);
    __asm__ volatile("" : "+r"(block));
    scrub_stack();
    spin_with(block, &ready);
}

int main(void)
{
    exit_while_running(spinner, &ready,
                       "held_register: 3333 bytes held in a spinning thread's register\n");
}
