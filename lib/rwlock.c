// SPDX-License-Identifier: LGPL-2.1-or-later
/* The IOAS's reader-writer lock (lib/rwlock.h): sleeping and waking. */
#include <limits.h>
#include <linux/futex.h>
#include <stdbool.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "rwlock.h"

static void futex_wait(uint32_t *word, uint32_t expected)
{
	/* Any return (woken, EAGAIN: the word moved on, EINTR) means: look again. */
	syscall(SYS_futex, word, FUTEX_WAIT_PRIVATE, expected, NULL, NULL, 0);
}

/*
 * Mark @w as having sleepers, if it is still @w. Returns the word to sleep
 * on, or 0 when the word changed under us (look again instead).
 */
static uint32_t mark_waiting(struct iofd_rwlock *l, uint32_t w)
{
	if (w & IOFD_RW_WAITERS)
		return w;
	if (!__atomic_compare_exchange_n(&l->word, &w, w | IOFD_RW_WAITERS, false,
					 __ATOMIC_RELAXED, __ATOMIC_RELAXED))
		return 0;
	return w | IOFD_RW_WAITERS;
}

/*
 * Wait until none of @busy is set, then take the lock: a reader counts
 * itself in, a writer sets its bit and keeps the sleepers' mark (if any)
 * for its unlock to see.
 */
static void lock_slow(struct iofd_rwlock *l, uint32_t busy, bool writer)
{
	for (;;) {
		uint32_t w = __atomic_load_n(&l->word, __ATOMIC_RELAXED);

		if (!(w & busy)) {
			if (__atomic_compare_exchange_n(&l->word, &w,
							writer ? w | IOFD_RW_WRITER : w + 1, false,
							__ATOMIC_ACQUIRE, __ATOMIC_RELAXED))
				return;
			continue;
		}
		w = mark_waiting(l, w);
		if (w)
			futex_wait(&l->word, w);
	}
}

void iofd_rwlock_rdlock_slow(struct iofd_rwlock *l)
{
	lock_slow(l, IOFD_RW_WRITER, false);
}

void iofd_rwlock_wrlock_slow(struct iofd_rwlock *l)
{
	lock_slow(l, IOFD_RW_WRITER | IOFD_RW_READERS, true);
}

/*
 * The lock was freed with sleepers marked: clear the mark and wake them all.
 * A sleeper that still cannot have the lock marks it again; one that marked
 * it after our clear finds the word changed and does not sleep.
 */
void iofd_rwlock_wake(struct iofd_rwlock *l)
{
	__atomic_fetch_and(&l->word, ~IOFD_RW_WAITERS, __ATOMIC_RELAXED);
	syscall(SYS_futex, &l->word, FUTEX_WAKE_PRIVATE, INT_MAX, NULL, NULL, 0);
}
