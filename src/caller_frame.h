/* caller_frame.h: where the program's own part of the calling thread's
 * stack begins, for the leak check.
 *
 * When the check runs, the top of the stack is memsnap's own frames (and,
 * at exit, libc's exit and ld.so's _dl_fini, which called memsnap's
 * destructor, on stack where main's frames were). Those
 * frames reuse stack the program used before, and still hold its stale
 * pointers: scanning them would make blocks the program has dropped look
 * reachable. memcheck, which checks after the program's last instruction,
 * does not see them either. */
#ifndef MS_CALLER_FRAME_H
#define MS_CALLER_FRAME_H

#include <stdint.h>

#define MS_CALLEE_SAVED_MAX 16

typedef struct ms_caller_frame {
    uintptr_t stack_pointer;      /* the program's frame: the live stack is from here up */
    uintptr_t registers[MS_CALLEE_SAVED_MAX];   /* callee-saved registers as they were there */
    unsigned nregisters;
} ms_caller_frame_t;

/* Unwinds past every frame whose code lies in one of the nskip ranges
 * [skip[i][0], skip[i][1]) (memsnap itself; at exit also ld.so and libc,
 * whose exit path called the destructor). 0 and the frame in *frame, or -1
 * when the unwinder cannot say (the caller then scans from its own frame). */
int ms_caller_frame(const uintptr_t (*skip)[2], unsigned nskip, ms_caller_frame_t *frame);

#endif
