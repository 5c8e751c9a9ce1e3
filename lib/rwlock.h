/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The IOAS's reader-writer lock: one 32-bit word, futex-backed.
 *
 * Why not pthread_rwlock_t: map and unmap take the write side once each,
 * and a driver that maps a buffer per I/O pays for it on every I/O. glibc's
 * rwlock is two calls into libc and about 75 instructions per lock and
 * unlock; this one is a compare-and-swap inline when uncontended, and goes
 * to the kernel only to sleep. Semantics are glibc's default
 * (PTHREAD_RWLOCK_PREFER_READER_NP): readers share, a writer excludes all,
 * a waiting writer does not hold new readers back. Not recursive.
 *
 * The word: bits 0-29 count readers, IOFD_RW_WRITER marks a writer, and
 * IOFD_RW_WAITERS says someone sleeps on the word, so the unlock that
 * frees the lock must wake them (all of them: each retries).
 */
#ifndef IOFD_RWLOCK_H
#define IOFD_RWLOCK_H

#include <stdint.h>

#define IOFD_RW_READERS	0x3fffffffu
#define IOFD_RW_WAITERS	0x40000000u
#define IOFD_RW_WRITER	0x80000000u

struct iofd_rwlock {
	uint32_t word;
};

/* The slow paths (lib/rwlock.c): wait until the lock can be taken. */
void iofd_rwlock_rdlock_slow(struct iofd_rwlock *l);
void iofd_rwlock_wrlock_slow(struct iofd_rwlock *l);
void iofd_rwlock_wake(struct iofd_rwlock *l);

static inline void iofd_rwlock_init(struct iofd_rwlock *l)
{
	__atomic_store_n(&l->word, 0, __ATOMIC_RELAXED);
}

static inline void iofd_rwlock_rdlock(struct iofd_rwlock *l)
{
	uint32_t w = __atomic_load_n(&l->word, __ATOMIC_RELAXED);

	if ((w & IOFD_RW_WRITER) ||
	    !__atomic_compare_exchange_n(&l->word, &w, w + 1, false, __ATOMIC_ACQUIRE,
					 __ATOMIC_RELAXED))
		iofd_rwlock_rdlock_slow(l);
}

static inline void iofd_rwlock_wrlock(struct iofd_rwlock *l)
{
	uint32_t w = 0;

	if (!__atomic_compare_exchange_n(&l->word, &w, IOFD_RW_WRITER, false, __ATOMIC_ACQUIRE,
					 __ATOMIC_RELAXED))
		iofd_rwlock_wrlock_slow(l);
}

static inline void iofd_rwlock_rdunlock(struct iofd_rwlock *l)
{
	uint32_t old = __atomic_fetch_sub(&l->word, 1, __ATOMIC_RELEASE);

	/* The last reader out wakes the sleepers. */
	if ((old & (IOFD_RW_READERS | IOFD_RW_WAITERS)) == (1 | IOFD_RW_WAITERS))
		iofd_rwlock_wake(l);
}

static inline void iofd_rwlock_wrunlock(struct iofd_rwlock *l)
{
	uint32_t old = __atomic_exchange_n(&l->word, 0, __ATOMIC_RELEASE);

	if (old & IOFD_RW_WAITERS)
		iofd_rwlock_wake(l);
}

#endif
