// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The IOAS's reader-writer lock (lib/rwlock.h): a writer is alone, readers
 * share, and nobody sleeps forever. Threads hammer one lock while checking
 * who is inside; short critical sections take the fast paths, and holders
 * that linger (a writer mid-ioctl) make the others sleep on the futex, so
 * the waking paths run too. Under TSan (scripts/test.sh) the same run
 * checks that the lock orders the data it protects.
 */
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <cmocka.h>

#include "rwlock.h"

#define THREADS 6
#define ROUNDS 20000

static struct iofd_rwlock lock;
static unsigned int readers_in;	/* atomics: who is inside right now */
static unsigned int writers_in;
static unsigned int violations;
static uint64_t guarded[4];	/* plain data: only writers change it, all together */
static unsigned int max_readers;

static void linger(unsigned int i)
{
	if (i % 512 == 0) {
		struct timespec ts = { 0, 200000 };	/* 0.2 ms: the others must sleep */

		nanosleep(&ts, NULL);
	} else if (i % 16 == 0) {
		sched_yield();
	}
}

static void check_inside(bool writer)
{
	unsigned int w = __atomic_load_n(&writers_in, __ATOMIC_RELAXED);
	unsigned int r = __atomic_load_n(&readers_in, __ATOMIC_RELAXED);

	if (writer ? (w != 1 || r != 0) : (w != 0))
		__atomic_fetch_add(&violations, 1, __ATOMIC_RELAXED);
}

static void *worker(void *arg)
{
	unsigned int id = (unsigned int)(uintptr_t)arg;

	for (unsigned int i = 0; i < ROUNDS; i++) {
		/* thread 0 writes often, the others mostly read */
		if (id == 0 ? i % 2 == 0 : i % 7 == 0) {
			iofd_rwlock_wrlock(&lock);
			__atomic_fetch_add(&writers_in, 1, __ATOMIC_RELAXED);
			check_inside(true);
			for (size_t k = 0; k < 4; k++)
				guarded[k]++;
			linger(i + id);
			check_inside(true);
			__atomic_fetch_sub(&writers_in, 1, __ATOMIC_RELAXED);
			iofd_rwlock_wrunlock(&lock);
		} else {
			iofd_rwlock_rdlock(&lock);
			unsigned int r = __atomic_add_fetch(&readers_in, 1, __ATOMIC_RELAXED);
			unsigned int m = __atomic_load_n(&max_readers, __ATOMIC_RELAXED);

			while (r > m && !__atomic_compare_exchange_n(&max_readers, &m, r, false,
								     __ATOMIC_RELAXED, __ATOMIC_RELAXED))
				;
			check_inside(false);
			/* a writer changes all four at once: a reader never sees them differ */
			for (size_t k = 1; k < 4; k++)
				if (guarded[k] != guarded[0])
					__atomic_fetch_add(&violations, 1, __ATOMIC_RELAXED);
			linger(i * 3 + id);
			check_inside(false);
			__atomic_fetch_sub(&readers_in, 1, __ATOMIC_RELAXED);
			iofd_rwlock_rdunlock(&lock);
		}
	}
	return NULL;
}

static void test_writers_alone_readers_together(void **state)
{
	pthread_t t[THREADS];
	uint64_t writes = 0;

	(void)state;
	iofd_rwlock_init(&lock);
	for (uintptr_t i = 0; i < THREADS; i++)
		assert_int_equal(pthread_create(&t[i], NULL, worker, (void *)i), 0);
	for (size_t i = 0; i < THREADS; i++)
		assert_int_equal(pthread_join(t[i], NULL), 0);

	assert_int_equal(violations, 0);
	/* every write counted once: none was lost to a racing writer */
	for (unsigned int id = 0; id < THREADS; id++)
		for (unsigned int i = 0; i < ROUNDS; i++)
			writes += id == 0 ? i % 2 == 0 : i % 7 == 0;
	for (size_t k = 0; k < 4; k++)
		assert_int_equal(guarded[k], writes);
	/* readers did overlap (they share), and the lock is free again */
	assert_true(max_readers > 1);
	assert_int_equal(__atomic_load_n(&lock.word, __ATOMIC_RELAXED), 0);
}

/* A reader waits out a writer, then gets in; a writer waits out a reader. */
static void *read_once(void *arg)
{
	iofd_rwlock_rdlock(&lock);
	*(bool *)arg = true;
	iofd_rwlock_rdunlock(&lock);
	return NULL;
}

static void *write_once(void *arg)
{
	iofd_rwlock_wrlock(&lock);
	*(bool *)arg = true;
	iofd_rwlock_wrunlock(&lock);
	return NULL;
}

static void held_blocks(void (*hold)(struct iofd_rwlock *), void (*release)(struct iofd_rwlock *),
			void *(*other)(void *))
{
	struct timespec ts = { 0, 1000000 };
	bool done = false;
	pthread_t t;
	int ms;

	iofd_rwlock_init(&lock);
	hold(&lock);
	assert_int_equal(pthread_create(&t, NULL, other, &done), 0);
	/* It marks the word before it sleeps: wait for that (however slow the
	 * machine), then it must still be out. */
	for (ms = 0; ms < 10000; ms++) {
		if (__atomic_load_n(&lock.word, __ATOMIC_RELAXED) & IOFD_RW_WAITERS)
			break;
		nanosleep(&ts, NULL);
	}
	assert_true(ms < 10000);
	nanosleep(&ts, NULL);
	assert_false(__atomic_load_n(&done, __ATOMIC_ACQUIRE));
	release(&lock);
	assert_int_equal(pthread_join(t, NULL), 0);
	assert_true(done);
	assert_int_equal(__atomic_load_n(&lock.word, __ATOMIC_RELAXED), 0);
}

static void test_reader_waits_for_writer(void **state)
{
	(void)state;
	held_blocks(iofd_rwlock_wrlock, iofd_rwlock_wrunlock, read_once);
}

static void test_writer_waits_for_reader(void **state)
{
	(void)state;
	held_blocks(iofd_rwlock_rdlock, iofd_rwlock_rdunlock, write_once);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reader_waits_for_writer),
		cmocka_unit_test(test_writer_waits_for_reader),
		cmocka_unit_test(test_writers_alone_readers_together),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
