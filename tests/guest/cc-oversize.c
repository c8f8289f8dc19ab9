// SPDX-License-Identifier: GPL-2.0
/*
 * cc-oversize: a heap request that memory cannot satisfy must fail with
 * ENOMEM (or succeed), and never bring in the OOM killer: the OOM killer
 * would kill processes that did not ask for anything, and dma-buf memory
 * is not even counted against the process that holds it.
 *
 * Each case watches /proc/vmstat's oom_kill, keeps an idle bystander
 * process alive through it, and checks that the emulator's shared frames
 * are back to where they were. Mainline ends in the OOM killer here, so
 * the plan runs this test in a boot of its own ("oom"), where a dead guest
 * on the stock kernel fails only this test (ledger: fix-oversize).
 */
#include <pthread.h>
#include <signal.h>
#include <sys/sysinfo.h>
#include <sys/wait.h>

#include "ccheap_test.h"
#include "kselftest_harness.h"

#define NR_CONCURRENT	4

static long long oom_kills(void)
{
	long long v = -1;

	if (read_key("/proc/vmstat", "oom_kill", &v))
		return -1;
	return v;
}

/* A process that only sleeps; it must still be alive at the end. */
static pid_t bystander(void)
{
	pid_t pid = fork();

	if (pid == 0) {
		for (;;)
			pause();
	}
	return pid;
}

static bool alive(pid_t pid)
{
	int status;

	return waitpid(pid, &status, WNOHANG) == 0;
}

static void stop(pid_t pid)
{
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
}

FIXTURE(oversize) {
	uint64_t ram;
	long long oom0, shared0;
	pid_t bystander;
};

FIXTURE_VARIANT(oversize) {
	const char *heap;
	/* the request, in sixteenths of RAM */
	unsigned int sixteenths;
};

/* More than is free, less than RAM: the kernel and the initramfs hold the rest. */
FIXTURE_VARIANT_ADD(oversize, system_below_ram) { .heap = "system", .sixteenths = 15 };
FIXTURE_VARIANT_ADD(oversize, cc_shared_below_ram) {
	.heap = "system_cc_shared", .sixteenths = 15 };
FIXTURE_VARIANT_ADD(oversize, system_2x_ram) { .heap = "system", .sixteenths = 32 };
FIXTURE_VARIANT_ADD(oversize, cc_shared_2x_ram) { .heap = "system_cc_shared", .sixteenths = 32 };
FIXTURE_VARIANT_ADD(oversize, cc_shared_64x_ram) {
	.heap = "system_cc_shared", .sixteenths = 64 * 16 };

FIXTURE_SETUP(oversize)
{
	struct sysinfo si;

	if (!heap_present(variant->heap))
		SKIP(return, "no %s heap", variant->heap);
	ASSERT_EQ(0, sysinfo(&si));
	self->ram = (uint64_t)si.totalram * si.mem_unit;
	self->oom0 = oom_kills();
	ASSERT_LE(0, self->oom0);
	/* Shared frames are compared with the pool of shared blocks empty. */
	drop_caches();
	self->shared0 = emu_stat("shared_frames");
	self->bystander = bystander();
	ASSERT_LT(0, self->bystander);
}

FIXTURE_TEARDOWN(oversize)
{
	if (self->bystander > 0)
		stop(self->bystander);
}

TEST_F(oversize, fails_without_oom_killer)
{
	uint64_t len = self->ram / 16 * variant->sixteenths;
	int fd = -1, ret;

	ret = heap_alloc(variant->heap, len, &fd);
	TH_LOG("%s: %llu MiB of %llu MiB RAM: %s", variant->heap,
	       (unsigned long long)(len >> 20), (unsigned long long)(self->ram >> 20),
	       ret ? strerror(-ret) : "allocated");
	if (!ret)
		close(fd);
	/* More than RAM must fail; less may succeed. */
	EXPECT_TRUE(ret == -ENOMEM || (ret == 0 && variant->sixteenths <= 16));
	EXPECT_EQ(self->oom0, oom_kills());
	EXPECT_TRUE(alive(self->bystander));
	drop_caches();
	EXPECT_EQ(self->shared0, emu_stat("shared_frames"));
}

/*
 * Several processes ask for a third of RAM each, from both heaps at once:
 * together more than there is. Each gets its buffer or ENOMEM.
 */
TEST(concurrent_requests)
{
	long long oom0 = oom_kills(), shared0;
	pid_t pids[NR_CONCURRENT], by;
	int i, ok = 0, enomem = 0;
	struct sysinfo si;
	uint64_t len;

	ASSERT_LE(0, oom0);
	drop_caches();
	shared0 = emu_stat("shared_frames");
	ASSERT_EQ(0, sysinfo(&si));
	len = (uint64_t)si.totalram * si.mem_unit / 3;
	by = bystander();
	ASSERT_LT(0, by);
	for (i = 0; i < NR_CONCURRENT; i++) {
		const char *heap = (i & 1) && heap_present("system_cc_shared") ?
				   "system_cc_shared" : "system";

		pids[i] = fork();
		if (pids[i] == 0) {
			int fd, ret = heap_alloc(heap, len, &fd);

			/* Hold the buffer a moment, so that requests overlap. */
			if (!ret)
				usleep(200 * 1000);
			_exit(ret == 0 ? 0 : ret == -ENOMEM ? 1 : 2);
		}
		ASSERT_LT(0, pids[i]);
	}
	for (i = 0; i < NR_CONCURRENT; i++) {
		int status = -1;

		ASSERT_EQ(pids[i], waitpid(pids[i], &status, 0));
		EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) < 2)
			TH_LOG("request %d: status %#x", i, status);
		if (WIFEXITED(status)) {
			ok += WEXITSTATUS(status) == 0;
			enomem += WEXITSTATUS(status) == 1;
		}
	}
	TH_LOG("%d x %llu MiB: %d allocated, %d ENOMEM", NR_CONCURRENT,
	       (unsigned long long)(len >> 20), ok, enomem);
	EXPECT_EQ(oom0, oom_kills());
	EXPECT_TRUE(alive(by));
	stop(by);
	drop_caches();
	EXPECT_EQ(shared0, emu_stat("shared_frames"));
}

#define EXHAUST_THREADS	4
#define EXHAUST_LEN	(4 * SZ_1M)
#define EXHAUST_MAX	1024	/* buffers per thread: 4 GiB, beyond any test guest */

struct exhauster {
	pthread_t thread;
	const char *heap;
	int fds[EXHAUST_MAX];
	int n, err;
};

/* Allocate until the heap says no; keep everything. */
static void *exhaust(void *arg)
{
	struct exhauster *e = arg;

	while (e->n < EXHAUST_MAX) {
		e->err = heap_alloc(e->heap, EXHAUST_LEN, &e->fds[e->n]);
		if (e->err)
			break;
		e->n++;
	}
	return NULL;
}

/*
 * Threads of one process allocate from both heaps at once until each
 * fails: every failure is ENOMEM, nothing is OOM-killed (a bystander
 * lives), the heaps leave their reserve of MemAvailable to the rest of
 * the system, and once all is closed the memory and the shared frames
 * are back where they were.
 */
TEST(exhaustion_from_threads)
{
	struct exhauster e[EXHAUST_THREADS] = {};
	long long oom0 = oom_kills(), shared0, avail0, avail, reserve_kb;
	bool cc = heap_present("system_cc_shared");
	struct sysinfo si;
	int i, j, total = 0;
	pid_t by;

	ASSERT_LE(0, oom0);
	drop_caches();
	shared0 = emu_stat("shared_frames");
	avail0 = meminfo_kb("MemAvailable");
	ASSERT_LT(0, avail0);
	by = bystander();
	ASSERT_LT(0, by);
	for (i = 0; i < EXHAUST_THREADS; i++) {
		e[i].heap = (i & 1) && cc ? "system_cc_shared" : "system";
		ASSERT_EQ(0, pthread_create(&e[i].thread, NULL, exhaust, &e[i]));
	}
	for (i = 0; i < EXHAUST_THREADS; i++)
		pthread_join(e[i].thread, NULL);
	for (i = 0; i < EXHAUST_THREADS; i++) {
		TH_LOG("thread %d (%s): %d x %lu MiB, then %s", i, e[i].heap, e[i].n,
		       EXHAUST_LEN >> 20, e[i].err ? strerror(-e[i].err) : "its own limit");
		EXPECT_EQ(-ENOMEM, e[i].err);
		total += e[i].n;
	}
	/*
	 * With everything still held, MemAvailable keeps the heaps' reserve
	 * for the rest of the system (1/32 of RAM, at most 128 MiB), less
	 * what the threads took between their last checks: a chunk each.
	 * Half the reserve is the floor asserted.
	 */
	ASSERT_EQ(0, sysinfo(&si));
	reserve_kb = (long long)si.totalram * si.mem_unit / 32 >> 10;
	if (reserve_kb > 128 * 1024)
		reserve_kb = 128 * 1024;
	avail = meminfo_kb("MemAvailable");
	TH_LOG("%d MiB allocated of %lld MiB available, %lld MiB left (reserve %lld MiB)",
	       total * (int)(EXHAUST_LEN >> 20), avail0 >> 10, avail >> 10, reserve_kb >> 10);
	EXPECT_LE(reserve_kb / 2, avail);
	EXPECT_LT(0, total);
	EXPECT_EQ(oom0, oom_kills());
	EXPECT_TRUE(alive(by));
	for (i = 0; i < EXHAUST_THREADS; i++)
		for (j = 0; j < e[i].n; j++)
			close(e[i].fds[j]);
	stop(by);
	drop_caches();
	EXPECT_EQ(shared0, emu_stat("shared_frames"));
	/*
	 * Page cache and slab may differ a little (more on debug kernels:
	 * KASAN's quarantine, kmemleak's objects); the buffers, hundreds of
	 * MiB, must be gone.
	 */
	avail = meminfo_kb("MemAvailable");
	TH_LOG("MemAvailable %lld KiB before, %lld KiB after", avail0, avail);
	EXPECT_LE(avail0 - 32 * 1024, avail);
}

TEST_HARNESS_MAIN
