/* trigger.h: when snapshots are written, other than by an API call.
 *
 * The signal handler only sets ms_trigger_pending (and starts recording if
 * it was off); the snapshot is written at the next safe point, the end of a
 * traced malloc or free on any thread, or by the interval thread when
 * MEMSNAP_INTERVAL is set. Nothing but flags is touched in the handler. */
#ifndef MS_TRIGGER_H
#define MS_TRIGGER_H

extern int ms_trigger_pending;

/* Installs the signal handler and starts the interval thread, as the
 * options say; from the constructor. */
void ms_trigger_init(void);
/* Writes the pending snapshot; the caller holds no memsnap lock. */
void ms_trigger_serve(void);
/* The interval thread does not survive fork: the child starts its own at
 * its first safe point. From the atfork child handler. */
void ms_trigger_fork_child(void);

#endif
