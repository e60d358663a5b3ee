/* brk.h: set-up of the brk/sbrk interposers. */
#ifndef MS_PRELOAD_BRK_H
#define MS_PRELOAD_BRK_H

void ms_brk_init(void);

#endif
