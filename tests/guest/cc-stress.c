// SPDX-License-Identifier: GPL-2.0
/*
 * cc-stress: both heaps under load, memory pressure and faults, then every
 * frame accounted for.
 *
 * Worker threads (CC_STRESS_THREADS, 4) each run random operations on
 * buffers of their own, bounded by an operation count (CC_STRESS_OPS per
 * thread, 8000) and a time limit (CC_STRESS_SECONDS, 40): allocate from
 * either heap at random sizes, mmap and touch, import into the test device, map it,
 * have the device write and read, read through vmap, DMA_BUF_IOCTL_SYNC,
 * unmap, close and dup/close in random orders, fork with live mappings.
 * One more thread applies memory pressure with anonymous memory and runs
 * the pool's shrinker through drop_caches. In the workers only (task
 * filter), conversions (cc_emu/fail), slab allocations (failslab) and page
 * allocations (fail_page_alloc) fail at a low probability all along.
 *
 * What must hold: every operation succeeds or fails with an errno its
 * kind allows; new buffers read zero; what the device wrote is what the
 * device and (for the cc_shared heap, which is never bounced) the CPU
 * read; forked children see the parent's data. Afterwards, with
 * everything closed: no buffer live, the shared frames are the baseline
 * plus the pool plus at most the pages counted as leaked, and only the
 * leaked ones once the pool is emptied; the heap's conversion counters
 * agree with the emulator's; no violation, no OOM kill, swiotlb back.
 * The guest runner adds: no kernel report (and, on debug kernels, no
 * kmemleak finding).
 *
 * The seed (CC_STRESS_SEED, else from the clock) is printed; with one
 * worker a run repeats from it, with more the interleaving differs.
 */
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <sys/wait.h>
#include <time.h>

#include "ccheap_test.h"
#include "kselftest_harness.h"

#define CC_HEAP		"system_cc_shared"
#define SYS_HEAP	"system"
#define MAX_THREADS	16
#define SLOTS		6
#define TIMES		1000000000LL	/* fault attributes count down from here */
#define CHILD_STACK	(64 * 1024)
#define WORKER_STACK	(256 * 1024)
#define WORKER_MEM	(WORKER_STACK + 2 * 8192 + CHILD_STACK)

enum op { OP_ALLOC, OP_MMAP, OP_DEVICE, OP_SYNC, OP_CLOSE, OP_DUP, OP_FORK, NR_OPS };
static const char * const op_names[NR_OPS] = {
	"alloc", "mmap", "device", "sync", "close", "dup", "fork",
};

struct slot {
	int fd, dev;		/* -1 when none */
	bool cc;
	size_t len;
	uint8_t *map;		/* NULL when not mapped */
	uint8_t pattern;	/* what the CPU wrote at each page's first byte */
};

struct worker {
	pthread_t thread;
	int id;
	uint64_t rng;
	struct slot slot[SLOTS];
	long done[NR_OPS], failed[NR_OPS];
	char error[256];	/* the first thing that went wrong */
	uint8_t *mem;		/* shared: stack, scratch, check, child's stack */
	uint8_t *scratch, *check;	/* 8 KiB each */
	uint8_t *child_stack;	/* for the forked child */
};

static struct {
	long ops;
	time_t deadline;
	bool cc;		/* the cc_shared heap is there */
	bool cc_only;		/* CC_STRESS_CC_ONLY: no system heap buffers */
	volatile int stop;
	long pressure_rounds, drops;
	int threads;
} run;

static uint64_t next(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static unsigned int below(uint64_t *s, unsigned int n)
{
	return next(s) % n;
}

#define WORKER_FAIL(w, ...)						\
	do {								\
		if (!(w)->error[0])					\
			snprintf((w)->error, sizeof((w)->error), __VA_ARGS__); \
	} while (0)

static bool in_set(int err, const int *set)
{
	for (; *set; set++)
		if (*set == err)
			return true;
	return false;
}

static const int e_alloc[] = { ENOMEM, EIO, 0 };
static const int e_mem[] = { ENOMEM, 0 };
static const int e_fork[] = { ENOMEM, EAGAIN, 0 };

/* An operation's error: counted when allowed, else the worker's failure. */
static bool failed(struct worker *w, enum op op, int err, const int *allowed, const char *what)
{
	if (!err)
		return false;
	w->failed[op]++;
	if (!in_set(-err, allowed))
		WORKER_FAIL(w, "%s: %s: %s", op_names[op], what, strerror(-err));
	return true;
}

static size_t random_len(uint64_t *s)
{
	switch (below(s, 4)) {
	case 0:
		return (1 + below(s, 16)) * 4096UL;		/* small */
	case 1:
		return (1 + below(s, 256)) * 4096UL;		/* up to 1 MiB */
	case 2:
		return SZ_2M + below(s, 3) * 4096UL;		/* a block, or just over */
	default:
		return (1 + below(s, 1024)) * 4096UL;		/* up to 4 MiB */
	}
}

static void slot_close(struct worker *w, struct slot *sl)
{
	/* In a random order: the mapping, the importer and the buffer each hold it. */
	int order = below(&w->rng, 3), i;

	for (i = 0; i < 3; i++) {
		switch ((order + i) % 3) {
		case 0:
			if (sl->map)
				munmap(sl->map, sl->len);
			sl->map = NULL;
			break;
		case 1:
			if (sl->dev >= 0)
				close(sl->dev);
			sl->dev = -1;
			break;
		default:
			if (sl->fd >= 0)
				close(sl->fd);
			sl->fd = -1;
			break;
		}
	}
}

static void op_alloc(struct worker *w, struct slot *sl)
{
	size_t len = random_len(&w->rng);
	int ret;

	sl->cc = run.cc && (run.cc_only || below(&w->rng, 3));
	ret = heap_alloc(sl->cc ? CC_HEAP : SYS_HEAP, len, &sl->fd);
	if (failed(w, OP_ALLOC, ret, e_alloc, sl->cc ? CC_HEAP : SYS_HEAP))
		return;
	sl->len = len;
	sl->pattern = 0;
	sl->dev = -1;
	sl->map = NULL;
}

static void op_mmap(struct worker *w, struct slot *sl)
{
	uint8_t *p;
	size_t off;

	if (!sl->map) {
		p = mmap(NULL, sl->len, PROT_READ | PROT_WRITE, MAP_SHARED, sl->fd, 0);
		if (failed(w, OP_MMAP, p == MAP_FAILED ? -errno : 0, e_mem, "mmap"))
			return;
		sl->map = p;
	}
	/* Pattern 0: untouched by the CPU so far, and a new buffer reads zero. */
	for (off = 0; off < sl->len; off += 4096)
		if (sl->map[off] != sl->pattern)
			WORKER_FAIL(w, "mmap: %s buffer of %zu bytes: byte %zu is %#x, expected %#x",
				    sl->cc ? CC_HEAP : SYS_HEAP, sl->len, off, sl->map[off],
				    sl->pattern);
	sl->pattern = (uint8_t)(1 + below(&w->rng, 255));
	for (off = 0; off < sl->len; off += 4096)
		sl->map[off] = sl->pattern;
}

/* Import, map, device write and read, vmap read, unmap. */
static void op_device(struct worker *w, struct slot *sl)
{
	struct test_dmabuf_map map = { .dir = TEST_DMABUF_BIDIRECTIONAL };
	size_t off, len;
	int ret;

	if (sl->dev < 0) {
		/*
		 * Each open of the test device registers a platform device of
		 * its own: test infrastructure, kept out of the injection.
		 */
		write_string("/proc/thread-self/make-it-fail", "0");
		sl->dev = open(TEST_DEV, O_RDWR | O_CLOEXEC);
		write_string("/proc/thread-self/make-it-fail", "1");
		if (sl->dev < 0) {
			WORKER_FAIL(w, "device: open: %s", strerror(errno));
			return;
		}
		ret = xioctl(sl->dev, TEST_DMABUF_IOCTL_IMPORT,
			     &(struct test_dmabuf_import){ .fd = sl->fd });
		if (ret)
			close(sl->dev);
		if (ret)
			sl->dev = -1;
		if (failed(w, OP_DEVICE, ret, e_mem, "import"))
			return;
	}
	ret = xioctl(sl->dev, TEST_DMABUF_IOCTL_MAP, &map);
	if (failed(w, OP_DEVICE, ret, e_mem, "map"))
		return;
	if (map.mapped_bytes != sl->len)
		WORKER_FAIL(w, "device: mapped %llu of %zu bytes",
			    (unsigned long long)map.mapped_bytes, sl->len);
	if (sl->cc && map.bounced_bytes)
		WORKER_FAIL(w, "device: %llu bytes of a cc_shared buffer bounced",
			    (unsigned long long)map.bounced_bytes);
	/* Whole pages away from the first byte of each, which the CPU owns. */
	len = (1 + below(&w->rng, 3)) * 1024;
	off = below(&w->rng, sl->len / 4096) * 4096 + 1024;
	if (off + len > sl->len)
		len = sl->len - off;
	memset(w->scratch, 0x5a ^ w->id, len);
	ret = dev_rw(sl->dev, TEST_DMABUF_IOCTL_DEV_WRITE, off, w->scratch, len);
	if (!failed(w, OP_DEVICE, ret, e_mem, "device write")) {
		ret = dev_rw(sl->dev, TEST_DMABUF_IOCTL_DEV_READ, off, w->check, len);
		if (!failed(w, OP_DEVICE, ret, e_mem, "device read") &&
		    memcmp(w->scratch, w->check, len))
			WORKER_FAIL(w, "device: read back differs at %zu+%zu", off, len);
		/* Never bounced: the CPU sees the device's write at once. */
		if (sl->cc) {
			ret = dev_rw(sl->dev, TEST_DMABUF_IOCTL_VMAP_READ, off, w->check, len);
			if (!failed(w, OP_DEVICE, ret, e_mem, "vmap read") &&
			    memcmp(w->scratch, w->check, len))
				WORKER_FAIL(w, "vmap: the CPU does not see the device's write at %zu",
					    off);
		}
	}
	ret = xioctl(sl->dev, TEST_DMABUF_IOCTL_UNMAP, NULL);
	if (ret)
		WORKER_FAIL(w, "device: unmap: %s", strerror(-ret));
	if (below(&w->rng, 2)) {
		ret = xioctl(sl->dev, TEST_DMABUF_IOCTL_RELEASE, NULL);
		if (ret)
			WORKER_FAIL(w, "device: release: %s", strerror(-ret));
		close(sl->dev);
		sl->dev = -1;
	}
}

static void op_sync(struct worker *w, struct slot *sl)
{
	static const uint64_t dirs[] = { DMA_BUF_SYNC_READ, DMA_BUF_SYNC_WRITE, DMA_BUF_SYNC_RW };
	struct dma_buf_sync sync = { .flags = DMA_BUF_SYNC_START | dirs[below(&w->rng, 3)] };
	int ret = xioctl(sl->fd, DMA_BUF_IOCTL_SYNC, &sync);

	if (!ret) {
		sync.flags = (sync.flags & ~DMA_BUF_SYNC_START) | DMA_BUF_SYNC_END;
		ret = xioctl(sl->fd, DMA_BUF_IOCTL_SYNC, &sync);
	}
	if (ret)
		WORKER_FAIL(w, "sync: %s", strerror(-ret));
}

static void op_dup(struct worker *w, struct slot *sl)
{
	int fd = dup(sl->fd);

	if (failed(w, OP_DUP, fd < 0 ? -errno : 0, e_mem, "dup"))
		return;
	/* Either the old or the new descriptor goes on. */
	if (below(&w->rng, 2)) {
		close(sl->fd);
		sl->fd = fd;
	} else {
		close(fd);
	}
}

/*
 * A fork makes the parent's private pages copy-on-write, those of every
 * thread: a copy to one of them from the kernel (an ioctl's result, a
 * device read, waitpid's status) then needs a new page, and fails with
 * EFAULT when that allocation is made to fail, as it may here. So what
 * the kernel writes to is shared memory, which a fork does not copy: each
 * worker's stack and buffers, all touched before faults are injected; the
 * child runs on a stack of its own (clone() without CLONE_VM is a fork).
 */
struct child_arg {
	const uint8_t *map;
	size_t len;
	uint8_t pattern;
};

/* The child sees the parent's data and writes the same back. */
static int child_main(void *arg)
{
	struct child_arg *c = arg;
	size_t off;

	for (off = 0; off < c->len; off += 4096) {
		if (c->map[off] != c->pattern)
			return 1;
		((volatile uint8_t *)c->map)[off] = c->pattern;
	}
	return 0;
}

static void op_fork(struct worker *w, struct slot *sl)
{
	struct child_arg c = { sl->map, sl->len, sl->pattern };
	int status = 0;
	pid_t pid;

	if (!sl->map)
		return;
	pid = clone(child_main, w->child_stack + CHILD_STACK, SIGCHLD, &c);
	if (failed(w, OP_FORK, pid < 0 ? -errno : 0, e_fork, "fork"))
		return;
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status))
		WORKER_FAIL(w, "fork: the child saw other data (status %#x)", status);
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	long i;

	/* Faults are injected in the workers only. */
	if (write_string("/proc/thread-self/make-it-fail", "1"))
		WORKER_FAIL(w, "cannot set make-it-fail");
	for (i = 0; i < run.ops && !run.stop && !w->error[0]; i++) {
		struct slot *sl = &w->slot[below(&w->rng, SLOTS)];
		enum op op = below(&w->rng, NR_OPS);

		if (time(NULL) >= run.deadline)
			break;
		if (sl->fd < 0)
			op = OP_ALLOC;
		else if (op == OP_ALLOC)
			op = OP_CLOSE;
		switch (op) {
		case OP_ALLOC:
			op_alloc(w, sl);
			break;
		case OP_MMAP:
			op_mmap(w, sl);
			break;
		case OP_DEVICE:
			op_device(w, sl);
			break;
		case OP_SYNC:
			op_sync(w, sl);
			break;
		case OP_CLOSE:
			slot_close(w, sl);
			break;
		case OP_DUP:
			op_dup(w, sl);
			break;
		case OP_FORK:
			op_fork(w, sl);
			break;
		default:
			break;
		}
		w->done[op]++;
	}
	write_string("/proc/thread-self/make-it-fail", "0");
	for (i = 0; i < SLOTS; i++)
		slot_close(w, &w->slot[i]);
	return NULL;
}

/* Anonymous memory up to @limit bytes, held a moment; drop_caches now and then. */
static void *pressure_main(void *arg)
{
	size_t limit = *(size_t *)arg;
	uint64_t rng = 0x1234;

	while (!run.stop) {
		size_t len = limit / 4 + (size_t)below(&rng, 3) * limit / 4;
		struct timespec ts = { 0, 100 * 1000 * 1000 };
		uint8_t *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
				  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		if (p != MAP_FAILED) {
			memset(p, 0x11, len);
			nanosleep(&ts, NULL);
			munmap(p, len);
		}
		run.pressure_rounds++;
		if (!below(&rng, 3) && !drop_caches())
			run.drops++;
	}
	return NULL;
}

static long env_long(const char *name, long def)
{
	const char *v = getenv(name);

	return v && *v ? strtol(v, NULL, 0) : def;
}

static long long vmstat(const char *key)
{
	long long v = -1;

	return read_key("/proc/vmstat", key, &v) ? -1 : v;
}

/* Conversions, slab and page allocations fail now and then, in the workers. */
static int faults_on(long conv_pct, long alloc_interval)
{
	char buf[32];
	int ret;

	snprintf(buf, sizeof(buf), "%lld", TIMES);
	ret = emu_fail_write("probability", "0");
	ret = ret ?: emu_fail_write("space", "0");
	ret = ret ?: emu_fail_write("times", buf);
	ret = ret ?: emu_fail_write("interval", "1");
	ret = ret ?: emu_fail_write("verbose", "0");
	ret = ret ?: emu_fail_write("task-filter", "Y");
	snprintf(buf, sizeof(buf), "%ld", conv_pct);
	ret = ret ?: emu_fail_write("probability", buf);
	ret = ret ?: alloc_faults_scope(true, true);
	snprintf(buf, sizeof(buf), "%lld", TIMES);
	ret = ret ?: attr_set(FAILSLAB_DIR, 100, buf, "0", "0", true);
	ret = ret ?: attr_set(FAIL_PAGE_DIR, 100, buf, "0", "0", true);
	/* Every alloc_interval-th allocation the workers make fails. */
	snprintf(buf, sizeof(buf), "%ld", alloc_interval);
	ret = ret ?: attr_write(FAILSLAB_DIR, "interval", buf);
	ret = ret ?: attr_write(FAIL_PAGE_DIR, "interval", buf);
	return ret;
}

static long long injected(const char *dir)
{
	char path[160];

	snprintf(path, sizeof(path), "%s/times", dir);
	return TIMES - read_number(path);
}

/* What the accounting starts from. */
struct baseline {
	long long shared, leaked, buffers, emu_sh, emu_pr, heap_sh, heap_pr, failed;
};

static void baseline_take(struct baseline *b)
{
	b->shared = emu_stat("shared_frames");
	b->leaked = heap_stat("leaked_pages");
	b->buffers = heap_stat("buffers");
	b->emu_sh = emu_stat("to_shared_calls");
	b->emu_pr = emu_stat("to_private_calls");
	b->heap_sh = heap_stat("to_shared") + heap_stat("failed_to_shared");
	b->heap_pr = heap_stat("to_private") + heap_stat("failed_to_private");
	b->failed = heap_stat("failed_to_shared") + heap_stat("failed_to_private");
}

/*
 * Everything closed, before and after drop_caches: no buffer; the pool and
 * the leaks hold the shared frames, then the leaks only (a failed
 * conversion may have changed part of its range: at most the leaked
 * pages); the heap converted through the emulator and nothing else did.
 */
static void account(struct __test_metadata *_metadata, const struct baseline *b,
		    long long conv)
{
	long long pool, slack, shared, leaked;

	EXPECT_EQ(b->buffers, heap_stat("buffers"));
	pool = heap_stat("pool_bytes") / 4096;
	slack = heap_stat("slack_bytes") / 4096;
	shared = emu_stat("shared_frames") - b->shared;
	leaked = heap_stat("leaked_pages") - b->leaked;
	ksft_print_msg("cc-stress: shared frames %+lld: pool %lld, slack %lld, leaked %lld (counted)\n",
		       shared, pool, slack, leaked);
	EXPECT_EQ(0, slack);
	EXPECT_LE(pool, shared);
	EXPECT_GE(pool + leaked, shared);
	EXPECT_EQ(emu_stat("to_shared_calls") - b->emu_sh,
		  heap_stat("to_shared") + heap_stat("failed_to_shared") - b->heap_sh);
	EXPECT_EQ(emu_stat("to_private_calls") - b->emu_pr,
		  heap_stat("to_private") + heap_stat("failed_to_private") - b->heap_pr);
	EXPECT_EQ(conv, heap_stat("failed_to_shared") + heap_stat("failed_to_private") - b->failed);
	EXPECT_EQ(0, drop_caches());
	EXPECT_EQ(0, heap_stat("pool_bytes"));
	shared = emu_stat("shared_frames") - b->shared;
	ksft_print_msg("cc-stress: after drop_caches: shared frames %+lld, leaked %lld\n", shared,
		       leaked);
	EXPECT_LE(0, shared);
	EXPECT_GE(leaked, shared);
	if (!conv) {
		EXPECT_EQ(0, shared);
		EXPECT_EQ(0, leaked);
	}
}

FIXTURE(stress) {
};

FIXTURE_SETUP(stress)
{
}

FIXTURE_TEARDOWN(stress)
{
}

/* The harness's limit: the plan's (and CC_STRESS_SECONDS) are the real ones. */
TEST_F_TIMEOUT(stress, random_load, 3600)
{
	long threads = env_long("CC_STRESS_THREADS", 4);
	long seconds = env_long("CC_STRESS_SECONDS", 40);
	long conv_pct = env_long("CC_STRESS_CONV_PCT", 5);
	long alloc_interval = env_long("CC_STRESS_ALLOC_INTERVAL", 997);
	uint64_t seed = env_long("CC_STRESS_SEED", 0);
	long long viol0, oom0, swiotlb0, inj0, scans0, conv, slab, page;
	struct baseline base;
	struct worker *w;
	pthread_t pressure;
	size_t limit;
	long total = 0, fails = 0, i, k;
	char pool_max[32];
	bool stats;

	run.ops = env_long("CC_STRESS_OPS", 8000);
	/* 7.3-dkms: the system heap there is the kernel's own, not ours. */
	run.cc_only = env_long("CC_STRESS_CC_ONLY", 0);
	if (!emulated())
		SKIP(return, "not booted with cc_emulation=on");
	if (!heap_present(SYS_HEAP))
		SKIP(return, "no system heap");
	run.cc = heap_present(CC_HEAP);
	ASSERT_TRUE(run.cc) TH_LOG("an emulated confidential guest without " CC_HEAP);
	/* Mainline has neither: the load runs there, the accounting cannot. */
	stats = heap_stat("leaked_pages") >= 0;
	pool_max_save(pool_max, sizeof(pool_max));
	ASSERT_TRUE(path_exists(FAILSLAB_DIR "/times") && path_exists(FAIL_PAGE_DIR "/times"));
	ASSERT_TRUE(threads > 0 && threads <= MAX_THREADS);
	if (!seed)
		seed = (uint64_t)time(NULL) * 2654435761ULL ^ (uint64_t)getpid();
	ksft_print_msg("cc-stress: seed %#llx, %ld threads, %ld ops each, %ld s at most, conversions fail %ld%%, allocations 1 in %ld (CPUs online: %ld)\n",
		       (unsigned long long)seed, threads, run.ops, seconds, conv_pct,
		       alloc_interval, sysconf(_SC_NPROCESSORS_ONLN));

	ASSERT_EQ(0, drop_caches());
	baseline_take(&base);
	viol0 = emu_stat("violations");
	oom0 = vmstat("oom_kill");
	swiotlb0 = swiotlb_used();
	inj0 = emu_stat("injected_failures");
	scans0 = heap_stat("shrinker_scans");
	ASSERT_LE(0, oom0);

	w = calloc(threads, sizeof(*w));
	ASSERT_NE(NULL, w);
	for (i = 0; i < threads; i++) {
		w[i].id = i;
		w[i].rng = seed + i;
		w[i].mem = mmap(NULL, WORKER_MEM, PROT_READ | PROT_WRITE,
				MAP_SHARED | MAP_ANONYMOUS, -1, 0);
		ASSERT_NE(MAP_FAILED, w[i].mem);
		w[i].scratch = w[i].mem + WORKER_STACK;
		w[i].check = w[i].scratch + 8192;
		w[i].child_stack = w[i].check + 8192;
		/*
		 * Present before faults are injected: a copy to a page not
		 * yet faulted in would fail with EFAULT when its page
		 * allocation fails.
		 */
		memset(w[i].mem, 0, WORKER_MEM);
		for (k = 0; k < SLOTS; k++) {
			w[i].slot[k].fd = -1;
			w[i].slot[k].dev = -1;
		}
	}
	/* Half of what is available now, in anonymous memory, comes and goes. */
	limit = (size_t)meminfo_kb("MemAvailable") * 1024 / 2;
	run.deadline = time(NULL) + seconds;
	ASSERT_EQ(0, faults_on(conv_pct, alloc_interval));
	ASSERT_EQ(0, pthread_create(&pressure, NULL, pressure_main, &limit));
	for (i = 0; i < threads; i++) {
		pthread_attr_t attr;

		ASSERT_EQ(0, pthread_attr_init(&attr));
		ASSERT_EQ(0, pthread_attr_setstack(&attr, w[i].mem, WORKER_STACK));
		ASSERT_EQ(0, pthread_create(&w[i].thread, &attr, worker_main, &w[i]));
		pthread_attr_destroy(&attr);
	}
	for (i = 0; i < threads; i++)
		pthread_join(w[i].thread, NULL);
	run.stop = 1;
	pthread_join(pressure, NULL);
	conv = emu_stat("injected_failures") - inj0;
	slab = injected(FAILSLAB_DIR);
	page = injected(FAIL_PAGE_DIR);
	inject_off();
	alloc_faults_off();

	for (k = 0; k < NR_OPS; k++) {
		long d = 0, f = 0;

		for (i = 0; i < threads; i++) {
			d += w[i].done[k];
			f += w[i].failed[k];
		}
		ksft_print_msg("  %-7s %6ld run, %5ld failed as allowed\n", op_names[k], d, f);
		total += d;
		fails += f;
	}
	ksft_print_msg("cc-stress: %ld operations (%ld failed as allowed); faults injected: %lld conversions, %lld slab, %lld page allocations; %ld pressure rounds, %ld drop_caches, %lld shrinker scans\n",
		       total, fails, conv, slab, page, run.pressure_rounds, run.drops,
		       heap_stat("shrinker_scans") - scans0);
	for (i = 0; i < threads; i++) {
		EXPECT_EQ(0, w[i].error[0]) TH_LOG("worker %ld: %s", i, w[i].error);
	}
	EXPECT_LE(threads * 50, total) TH_LOG("too few operations ran");

	EXPECT_EQ(viol0, emu_stat("violations"));
	EXPECT_EQ(oom0, vmstat("oom_kill"));
	EXPECT_EQ(swiotlb0, swiotlb_used());
	EXPECT_TRUE(stats) TH_LOG("no heap statistics (" HEAP_STATS "): leaks cannot be accounted for");
	if (stats) {
		account(_metadata, &base, conv);
	} else {
		/* Mainline: no counters, only that nothing shared went missing. */
		EXPECT_EQ(0, drop_caches());
		EXPECT_LE(base.shared, emu_stat("shared_frames"));
	}

	if (pool_max[0])
		write_string(POOL_MAX_MB, pool_max);
	for (i = 0; i < threads; i++)
		munmap(w[i].mem, WORKER_MEM);
	free(w);
}

TEST_HARNESS_MAIN
