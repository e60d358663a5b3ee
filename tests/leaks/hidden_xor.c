/* hidden_xor.c: a global holds the pointer to a block of 777 bytes XORed
 * with a constant, as some lock-free lists and "XOR linked lists" do: the
 * program could get the block back, but no word of memory points to it, so
 * a conservative checker must call it lost. Expected: definite 777 bytes in
 * 1 block. */
#include "leaks.h"

#define KEY ((uintptr_t)0x5A5A5A5A5A5A5A5Aull)

uintptr_t hidden_block;

static LEAKS_NOINLINE void hide(void)
{
    hidden_block = (uintptr_t)allocate(777) ^ KEY;
    escape(&hidden_block);
}

int main(void)
{
    hide();
    scrub_stack();
    /* The program can still reach it. */
    unsigned char first = *(unsigned char *)(hidden_block ^ KEY);
    say(first == LEAKS_FILL ? "hidden_xor: 777 bytes behind a XORed pointer\n" : "hidden_xor: wrong byte\n");
    return 0;
}
