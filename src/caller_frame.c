/* caller_frame.c: the program's innermost frame, found with libunwind
 * (caller_frame.h). libunwind restores each frame's callee-saved registers
 * from where the frames below saved them, so the values read at the
 * program's frame are the program's own, even when memsnap's frames have
 * reused those registers since. */
#include "caller_frame.h"

#define UNW_LOCAL_ONLY
#include <libunwind.h>


static const int callee_saved[] = {
#if defined(__x86_64__)
    UNW_X86_64_RBX, UNW_X86_64_RBP, UNW_X86_64_R12, UNW_X86_64_R13, UNW_X86_64_R14,
    UNW_X86_64_R15,
#elif defined(__aarch64__)
    UNW_AARCH64_X19, UNW_AARCH64_X20, UNW_AARCH64_X21, UNW_AARCH64_X22, UNW_AARCH64_X23,
    UNW_AARCH64_X24, UNW_AARCH64_X25, UNW_AARCH64_X26, UNW_AARCH64_X27, UNW_AARCH64_X28,
    UNW_AARCH64_X29,
#endif
};

_Static_assert(sizeof callee_saved / sizeof callee_saved[0] <= MS_CALLEE_SAVED_MAX,
               "more callee-saved registers than the frame holds");

static int skipped(const uintptr_t (*skip)[2], unsigned nskip, uintptr_t ip)
{
    for (unsigned i = 0; i < nskip; i++)
        if (ip >= skip[i][0] && ip < skip[i][1])
            return 1;
    return 0;
}

int ms_caller_frame(const uintptr_t (*skip)[2], unsigned nskip, ms_caller_frame_t *frame)
{
    unw_context_t context;
    unw_cursor_t cursor;
    if (unw_getcontext(&context) != 0 || unw_init_local(&cursor, &context) != 0)
        return -1;
    for (int depth = 0; depth < 256; depth++) {
        unw_word_t ip, sp;
        if (unw_step(&cursor) <= 0 || unw_get_reg(&cursor, UNW_REG_IP, &ip) != 0 ||
            unw_get_reg(&cursor, UNW_REG_SP, &sp) != 0)
            return -1;
        if (skipped(skip, nskip, ip))
            continue;
        frame->stack_pointer = sp;
        frame->nregisters = 0;
        for (size_t i = 0; i < sizeof callee_saved / sizeof callee_saved[0]; i++) {
            unw_word_t value;
            if (unw_get_reg(&cursor, callee_saved[i], &value) == 0)
                frame->registers[frame->nregisters++] = value;
        }
        return 0;
    }
    return -1;
}
