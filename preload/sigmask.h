/* sigmask.h: the interposed sigprocmask and pthread_sigmask (sigmask.c). */
#ifndef MS_PRELOAD_SIGMASK_H
#define MS_PRELOAD_SIGMASK_H

/* Looks up glibc's functions; from the constructor, where dlsym is safe. */
void ms_sigmask_init(void);

#endif
