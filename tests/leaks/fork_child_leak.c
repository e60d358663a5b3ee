/* fork_child_leak.c: a leak only in the child of a fork.
 *
 * Before the fork the parent allocates a block of 7777 bytes held by a
 * global; both processes have it after the fork. The child drops the
 * global's pointer (7777 bytes lost), allocates 6666 bytes and drops them
 * too, then exits with exit(0). The parent waits for the child, frees its
 * copy of the block and exits clean. Expected: child definite 14443 bytes
 * in 2 blocks; main (the parent) nothing lost. */
#include <sys/wait.h>

#include "leaks.h"

void *shared_block;

static LEAKS_NOINLINE void hold(void)
{
    shared_block = allocate(7777);
}

static LEAKS_NOINLINE void child_leaks(void)
{
    shared_block = NULL;
    escape(&shared_block);
    allocate(6666);
}

int main(void)
{
    hold();
    scrub_stack();
    pid_t child = fork();
    if (child < 0)
        fail("fork failed");
    if (child == 0) {
        child_leaks();
        scrub_stack();
        say("fork_child_leak: child lost 7777 + 6666 bytes\n");
        exit(0);
    }
    int status;
    if (waitpid(child, &status, 0) != child || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
        fail("the child failed");
    free(shared_block);
    shared_block = NULL;
    say("fork_child_leak: parent freed everything\n");
    return 0;
}
