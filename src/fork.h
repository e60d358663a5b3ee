/* fork.h: pthread_atfork handlers for every lock memsnap holds. */
#ifndef MS_FORK_H
#define MS_FORK_H

void ms_fork_prepare(void);
void ms_fork_parent(void);
void ms_fork_child(void);

#endif
