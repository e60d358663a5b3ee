/* world.h: stopping every other thread of the process, for a leak check.
 *
 * A leak check must see each thread's registers and stack as they are, and
 * must not have them change under it. ms_world_stop sends each other thread
 * a signal (MS_WORLD_SIGNAL) whose handler notes where the thread's stack and
 * thread pointer are, and waits until ms_world_resume. The kernel saves the
 * interrupted registers in the signal frame on that same stack, just above
 * the handler's frame, so scanning the stack from the handler's frame up
 * covers the registers too, on every architecture.
 *
 * The caller takes memsnap's own locks first (a thread stopped while holding
 * one would deadlock the check) and must not call anything that takes a
 * lock another thread may hold (stdio, dl_iterate_phdr, glibc's malloc)
 * until it resumes the world. */
#ifndef MS_WORLD_H
#define MS_WORLD_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

typedef struct ms_thread_context {
    pid_t tid;
    int state;                    /* world.c: signalled, stopped, resumed, gone */
    uintptr_t stack_low;          /* the thread's stack from here up is live: the
                                   * interrupted frames and the saved registers */
    uintptr_t thread_pointer;     /* its TLS base (static TLS and the TCB lie around it) */
} ms_thread_context_t;

typedef struct ms_world {
    ms_thread_context_t *threads; /* the other threads, stopped or not */
    size_t count;
    size_t stopped;               /* of those, the ones that answered */
    int complete;                 /* every thread listed answered */
} ms_world_t;

/* The signal that stops threads (SIGRTMAX - 3). The preload keeps it out of
 * the sets the program blocks (preload/sigmask.c), so that every thread
 * answers. */
int ms_world_signal(void);

/* Stops every thread but the caller. Returns -1 only when memory for the
 * list ran out (nothing is stopped then). A thread that does not answer
 * within a few seconds (it blocks the signal by a raw system call) leaves
 * complete at 0; if it waits in a system call, its stack_low is the stack
 * pointer the kernel saved (its registers are not known), else 0. */
int ms_world_stop(ms_world_t *world);
/* Lets the stopped threads go on and waits until they have left the
 * handler; frees the list. */
void ms_world_resume(ms_world_t *world);

#endif
