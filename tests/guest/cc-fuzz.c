// SPDX-License-Identifier: GPL-2.0
/*
 * cc-fuzz: a bounded, seeded fuzzer of the user interface of the dma-buf
 * heaps (system, and system_cc_shared where the kernel registered it), of
 * the dma-bufs they export, and of the dma-buf test device.
 *
 * Each iteration draws one operation, weighted, and its arguments from a
 * PRNG of its own, seeded with (seed, iteration): what iteration i does
 * depends only on the seed and on the model's state, never on timing. The
 * seed is CC_FUZZ_SEED (decimal or 0x hex), else taken from the clock and
 * the pid, and printed first; CC_FUZZ_ITERS sets the number of iterations.
 * CC_FUZZ_VERBOSE=1 prints every call.
 *
 * The operations work on a small table of live objects: heap fds, dma-buf
 * fds (with their size, access mode, importers and mappings), test-device
 * fds (with their import, mapping and DMA limit), sync_file fds, /dev/null,
 * dup'ed fds and live mmaps. They are: DMA_HEAP_IOCTL_ALLOC with boundary
 * and random lengths and flags; ioctls with _IOC_NR 0 but any type, size
 * and direction (the heap core takes them all for ALLOC); unknown ioctls
 * and every known ioctl on every kind of fd; mmap with random offsets,
 * lengths, protections and flags, touching the mapped pages; DMA_BUF
 * SYNC, SET_NAME_A/B, EXPORT/IMPORT_SYNC_FILE, poll, lseek, read, write;
 * every request of the test device (except MAP_PRIVATE, which is a misuse
 * the emulator reports on purpose) with bad fds, flags, directions,
 * offsets, lengths and user pointers; dup and close. Arguments live in an
 * arena of read-write, read-only and inaccessible pages, so that every
 * copy from or to user space can be made to fault, also half-way.
 *
 * For each call a model of the kernel (written from the sources of the
 * heap core, dma-buf, the system heap and the test device) says what must
 * happen: success, or one errno; a small set only where the outcome
 * depends on what the kernel cannot promise (swiotlb space for unusual
 * DMA limits, physical chunk layout for MAP_PRIVATE, mainline's
 * unbounceable 1 MiB chunks); what such a call made is undone at once, so
 * that the state, and with it the rest of the run, is the same either way.
 * Anything else fails the test, with the seed, the iteration, the call and
 * the calls before it. Successful calls are checked too: an
 * ALLOC fd is a dma-buf of the heap with the page-aligned size and the
 * asked-for mode, IMPORT reports the buffer's size, MAP maps all of it,
 * data written through mmap reads back through the device and the
 * kernel's mapping, and system_cc_shared's counters follow the live
 * buffers. At the end everything is closed, and nothing may be lost:
 * heap buffers, shared frames (after the pool is dropped), swiotlb slots,
 * emulator violations and OOM kills all back to where they were.
 *
 * Live memory stays under LIVE_MAX. Lengths beyond RAM are asked for only
 * with CC_FUZZ_OVERSIZE=1 (they must fail with ENOMEM; mainline runs the
 * OOM killer instead, which cc-oversize shows).
 *
 * Quirks of mainline that the model follows rather than fails:
 *  - dma-heap takes any ioctl whose _IOC_NR is 0 as ALLOC, whatever its
 *    type, size and direction, and answers EINVAL (not ENOTTY) to others;
 *    one without _IOC_READ allocates and installs an fd it never reports
 *    (so DMA_BUF_IOCTL_SYNC on a heap fd allocates a buffer).
 *  - A MAP_PRIVATE mmap of a dma-buf works only when the range falls in
 *    one physically contiguous chunk (remap_pfn_range refuses to build a
 *    COW mapping in pieces; 6.12's heap maps page by page, so there only
 *    one page), which the caller cannot know.
 *  - 7.x refuses PROT_EXEC on dma-bufs (their pseudo file system is
 *    noexec), 6.12 allows it: probed once at the start.
 * and that it avoids on debug kernels, where they are reports:
 *  - DMA_BUF_IOCTL_SYNC makes the system heap sync every mapped attachment
 *    in the direction of the CPU access, not of the mapping: DMA-API
 *    debugging reports "syncs DMA memory with different direction".
 *  - On 6.12, DMA-API debugging reports two live mappings of one page
 *    that a device may write ("cacheline tracking EEXIST"), and
 *    CONFIG_DMABUF_DEBUG scrambles a mapped attachment's table, which a
 *    SYNC then walks: an Oops (ledger: base-6.12-dmabuf-debug).
 *  - Mainline unmaps a system_cc_shared mapping without the attribute it
 *    was mapped with (ledger: fix-unmap-attrs).
 */
#include <inttypes.h>
#include <poll.h>
#include <stdarg.h>
#include <stddef.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <time.h>

#include "ccheap_test.h"
#include "kselftest_harness.h"

#define PAGE_SZ		4096ULL
#define LIVE_MAX	(32ULL << 20)	/* bytes in live buffers, at most */
#define MAX_OBJS	128
#define MAX_FDS		48
#define MAX_MAPS	8
#define NAME_LEN	32		/* DMA_BUF_NAME_LEN */
#define DEFAULT_ITERS	25000
#define HIST		24

enum kind { K_FREE, K_HEAP, K_BUF, K_DEV, K_SYNC, K_NULL };
static const char * const kind_name[] = { "closed", "heap", "buf", "dev", "sync_file", "null" };

enum heap_id { H_SYSTEM, H_CC };
static const char * const heap_name[] = { "system", "system_cc_shared" };

/* An open file of ours; the fds in the table refer to these. */
struct obj {
	enum kind kind;
	int id;			/* for messages */
	int nfds;		/* fds of ours */
	enum heap_id heap;	/* K_HEAP, K_BUF */
	/* K_BUF: alive while it has an fd, an importer or a mapping */
	uint64_t size;
	int accmode;
	int imports, maps;
	bool stamp_ok;		/* the byte at stamp_off is stamp_val */
	uint64_t stamp_off;
	uint8_t stamp_val;
	/* K_DEV */
	int imported;		/* K_BUF object, or -1 */
	bool mapped;
	int dir;
	uint32_t nsegs, nbounced;
	uint64_t bounced_bytes;
	uint64_t mask;		/* min_align_mask */
};

struct fdslot {
	int fd;			/* -1: free */
	int obj;
};

struct mapping {
	uint8_t *addr;		/* NULL: free */
	uint64_t len;
	uint64_t off;		/* into the buffer */
	int obj;
	int prot;
	bool shared;		/* writes reach the buffer */
	bool cowed;		/* private and written: no longer the buffer's */
};

/* The argument arena: RW_SZ read-write, a read-only page, a page of nothing. */
#define RW_SZ		(64 << 10)
#define ARENA_SZ	(RW_SZ + 2 * PAGE_SZ)
#define DATA_OFF	(16 << 10)	/* user data of the device's reads and writes */

enum loc { L_OK, L_RO_EDGE, L_RO, L_NONE_EDGE, L_NONE, L_NULL, L_KERNEL, L_LOW, NR_LOCS };
static const char * const loc_name[] = {
	"ok", "ro-edge", "ro", "none-edge", "none", "NULL", "kernel", "low",
};

/* An ioctl argument: the bytes we meant, where they were put. */
struct arg {
	uint8_t buf[16384];
	size_t n;
	enum loc loc;
	uint8_t *p;
};

struct expect {
	int n;
	int v[6];		/* 0 or -errno */
};
#define EXP(...) ((struct expect){ \
	.n = sizeof((int[]){ __VA_ARGS__ }) / sizeof(int), .v = { __VA_ARGS__ } })

struct rng {
	uint64_t s;
};

static struct fuzz {
	/* configuration */
	uint64_t seed;
	long iters;
	bool verbose, oversize, have_cc, have_dev, ours, bounce;
	bool system_ours;	/* the system heap is ours too (not on 7.3-dkms) */
	bool sync_file, dma_debug, exec_ok;
	bool sync_oops;		/* 6.12's DMABUF_DEBUG: no SYNC while mapped */
	uint64_t memtotal;	/* bytes */
	uint64_t swiotlb_bytes;	/* free at the start */
	/* state */
	long iter, calls, failed_ok;
	int op;			/* the current operation */
	long op_calls[32], op_ok[32];
	bool failed;
	char desc[512];
	char hist[HIST][320];	/* the last calls, printed on failure */
	long hist_n;
	struct obj objs[MAX_OBJS];
	struct fdslot fds[MAX_FDS];
	struct mapping maps[MAX_MAPS];
	int next_id;
	uint64_t live_bytes, cc_bytes, bounced_live;
	long cc_live, cc_live_checked;
	uint64_t cc_bytes_checked;
	long long cc_buffers0, cc_bytes0;
	int nullfd;		/* ours, outside the table: finds the lowest free fd */
	int closed_fd;		/* a number never open */
	uint8_t *arena, *ro_alias;
	struct arg a;		/* the current ioctl argument */
} F;

/* ---- PRNG: splitmix64, one stream per iteration --------------------------- */

static uint64_t rnd(struct rng *r)
{
	uint64_t z = (r->s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static uint64_t below(struct rng *r, uint64_t n)
{
	return n ? rnd(r) % n : 0;
}

static bool chance(struct rng *r, unsigned int percent)
{
	return below(r, 100) < percent;
}

#define PICK(r, arr) ((arr)[below(r, ARRAY_SIZE(arr))])

/* ---- messages -------------------------------------------------------------- */

static const char *errname(int e)
{
	static char buf[8][24];
	static int i;
	static const struct { int e; const char *n; } names[] = {
		{ 0, "success" }, { EPERM, "EPERM" }, { ENOENT, "ENOENT" },
		{ EINTR, "EINTR" }, { EIO, "EIO" }, { EBADF, "EBADF" },
		{ EAGAIN, "EAGAIN" }, { ENOMEM, "ENOMEM" }, { EACCES, "EACCES" },
		{ EFAULT, "EFAULT" }, { EBUSY, "EBUSY" }, { EEXIST, "EEXIST" },
		{ ENODEV, "ENODEV" }, { EINVAL, "EINVAL" }, { EMFILE, "EMFILE" },
		{ ENOTTY, "ENOTTY" }, { ESPIPE, "ESPIPE" }, { ERANGE, "ERANGE" },
		{ EOVERFLOW, "EOVERFLOW" }, { EOPNOTSUPP, "EOPNOTSUPP" },
		{ EREMOTEIO, "EREMOTEIO" },
	};
	size_t k;

	if (e < 0)
		e = -e;
	for (k = 0; k < ARRAY_SIZE(names); k++)
		if (names[k].e == e)
			return names[k].n;
	i = (i + 1) % 8;
	snprintf(buf[i], sizeof(buf[i]), "errno %d", e);
	return buf[i];
}

static void note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void note(const char *fmt, ...)
{
	va_list ap;

	printf("# ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
}

static void describe(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void describe(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(F.desc, sizeof(F.desc), fmt, ap);
	va_end(ap);
}

/* Fail the run: the model and the kernel disagree. */
static void fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void fail(const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	long k;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (!F.failed && F.hist_n) {
		note("cc-fuzz: the calls before:");
		for (k = F.hist_n > HIST ? F.hist_n - HIST : 0; k < F.hist_n; k++)
			note("  %s", F.hist[k % HIST]);
	}
	note("iteration %ld: %s: %s", F.iter, F.desc, msg);
	note("cc-fuzz: seed 0x%016" PRIx64 " (CC_FUZZ_SEED=0x%" PRIx64 " CC_FUZZ_ITERS=%ld reproduces)",
	     F.seed, F.seed, F.iter + 1);
	F.failed = true;
}

/* Count a call and judge its result (0 or -errno) against the model. */
static bool judge(int got, struct expect e)
{
	char want[128] = "";
	int k;

	F.calls++;
	F.op_calls[F.op]++;
	F.op_ok[F.op] += !got;
	snprintf(F.hist[F.hist_n++ % HIST], sizeof(F.hist[0]), "%ld: %.280s -> %s", F.iter, F.desc,
		 errname(got));
	for (k = 0; k < e.n; k++) {
		if (got == e.v[k]) {
			if (got)
				F.failed_ok++;
			if (F.verbose)
				note("%ld: %.280s -> %s", F.iter, F.desc, errname(got));
			return true;
		}
	}
	for (k = 0; k < e.n; k++)
		snprintf(want + strlen(want), sizeof(want) - strlen(want), "%s%s",
			 k ? " or " : "", errname(e.v[k]));
	fail("got %s, expected %s", errname(got), want);
	return false;
}

/* ---- the argument arena ----------------------------------------------------- */

static int arena_init(void)
{
	uint8_t *base, *p;
	int mfd;

	base = mmap(NULL, ARENA_SZ, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (base == MAP_FAILED)
		return -errno;
	p = mmap(base, RW_SZ, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED,
		 -1, 0);
	if (p == MAP_FAILED)
		return -errno;
	/* The read-only page, with a writable alias to fill it through. */
	mfd = memfd_create("cc-fuzz-ro", MFD_CLOEXEC);
	if (mfd < 0)
		return -errno;
	if (ftruncate(mfd, PAGE_SZ) < 0)
		return -errno;
	p = mmap(base + RW_SZ, PAGE_SZ, PROT_READ, MAP_SHARED | MAP_FIXED, mfd, 0);
	if (p == MAP_FAILED)
		return -errno;
	F.ro_alias = mmap(NULL, PAGE_SZ, PROT_READ | PROT_WRITE, MAP_SHARED, mfd, 0);
	close(mfd);
	if (F.ro_alias == MAP_FAILED)
		return -errno;
	F.arena = base;
	return 0;
}

static bool in_arena(const uint8_t *p)
{
	return p >= F.arena && p < F.arena + ARENA_SZ;
}

/* Can the kernel read (write) all of [p, p + n)? */
static bool readable(const uint8_t *p, uint64_t n)
{
	if (!n)
		return true;
	return in_arena(p) && n <= (uint64_t)(F.arena + RW_SZ + PAGE_SZ - p);
}

static bool writable(const uint8_t *p, uint64_t n)
{
	if (!n)
		return true;
	return in_arena(p) && p < F.arena + RW_SZ && n <= (uint64_t)(F.arena + RW_SZ - p);
}

/* Readable bytes from p on. */
static uint64_t readable_from(const uint8_t *p)
{
	if (!in_arena(p) || p >= F.arena + RW_SZ + PAGE_SZ)
		return 0;
	return F.arena + RW_SZ + PAGE_SZ - p;
}

/* Write bytes at p, through the alias in the read-only page. */
static void arena_put(uint8_t *p, const uint8_t *src, size_t n)
{
	size_t k;

	for (k = 0; k < n && in_arena(p + k); k++) {
		uint8_t *q = p + k;

		if (q < F.arena + RW_SZ)
			*q = src[k];
		else if (q < F.arena + RW_SZ + PAGE_SZ)
			F.ro_alias[q - F.arena - RW_SZ] = src[k];
	}
}

/* Where an object of n bytes goes: the start of the arena, an edge, or nowhere. */
static uint8_t *loc_addr(enum loc loc, size_t n, struct rng *r)
{
	uint8_t *ro = F.arena + RW_SZ, *none = ro + PAGE_SZ;
	size_t k;

	switch (loc) {
	case L_OK:
		return F.arena;
	case L_RO_EDGE:	/* starts read-write, ends read-only */
		k = n > 1 ? 1 + below(r, n - 1) : 1;
		return ro - k;
	case L_RO:
		return ro;
	case L_NONE_EDGE:	/* starts readable, ends in nothing */
		k = n > 1 ? 1 + below(r, n - 1) : 1;
		return none - k;
	case L_NONE:
		return none;
	case L_NULL:
		return NULL;
	case L_KERNEL:
		return (uint8_t *)0xffff888000000000ULL;
	default:
		return (uint8_t *)0x1000;
	}
}

static enum loc pick_loc(struct rng *r, unsigned int bad_percent)
{
	return chance(r, bad_percent) ? (enum loc)(1 + below(r, NR_LOCS - 1)) : L_OK;
}

/* Put F.a.buf[0..n) at its location. */
static void arg_place(struct rng *r)
{
	F.a.p = loc_addr(F.a.loc, F.a.n, r);
	if (F.a.p && in_arena(F.a.p))
		arena_put(F.a.p, F.a.buf, F.a.n);
}

/* Read back n bytes the kernel wrote at F.a.p (it was writable). */
static void arg_fetch(void *dst, size_t n)
{
	memcpy(dst, F.a.p, n);
}

/* ---- objects and fds ---------------------------------------------------------- */

static int new_obj(enum kind kind)
{
	int i;

	for (i = 0; i < MAX_OBJS; i++) {
		if (F.objs[i].kind == K_FREE) {
			memset(&F.objs[i], 0, sizeof(F.objs[i]));
			F.objs[i].kind = kind;
			F.objs[i].id = F.next_id++;
			F.objs[i].imported = -1;
			return i;
		}
	}
	return -1;
}

static int free_slots(void)
{
	int i, n = 0;

	for (i = 0; i < MAX_FDS; i++)
		n += F.fds[i].fd < 0;
	return n;
}

static int add_fd(int fd, int obj)
{
	int i;

	for (i = 0; i < MAX_FDS; i++) {
		if (F.fds[i].fd < 0) {
			F.fds[i].fd = fd;
			F.fds[i].obj = obj;
			F.objs[obj].nfds++;
			return i;
		}
	}
	return -1;
}

/* The last reference to a buffer went: its memory is free. */
static void buf_maybe_gone(int o)
{
	struct obj *b = &F.objs[o];

	if (b->kind != K_BUF || b->nfds || b->imports || b->maps)
		return;
	F.live_bytes -= b->size;
	if (b->heap == H_CC) {
		F.cc_live--;
		F.cc_bytes -= b->size;
	}
	b->kind = K_FREE;
}

/* A device drops its mapping (UNMAP, RELEASE, close). */
static void dev_unmapped(struct obj *d)
{
	if (!d->mapped)
		return;
	d->mapped = false;
	F.bounced_live -= d->bounced_bytes;
	/* A bounced mapping copies its slots back over the buffer. */
	if (d->imported >= 0 && (d->nbounced || !d->nsegs))
		F.objs[d->imported].stamp_ok = false;
	d->bounced_bytes = 0;
}

/* Does buffer o have a live bounced (or not known) device mapping? */
static bool bounced_mapping(int o)
{
	int i;

	for (i = 0; i < MAX_OBJS; i++) {
		struct obj *d = &F.objs[i];

		if (d->kind == K_DEV && d->imported == o && d->mapped && (d->nbounced || !d->nsegs))
			return true;
	}
	return false;
}

static void dev_released(struct obj *d)
{
	int b = d->imported;

	dev_unmapped(d);
	if (b < 0)
		return;
	d->imported = -1;
	F.objs[b].imports--;
	buf_maybe_gone(b);
}

static void obj_put_fd(int o)
{
	struct obj *x = &F.objs[o];

	x->nfds--;
	if (x->nfds)
		return;
	switch (x->kind) {
	case K_BUF:
		buf_maybe_gone(o);
		return;
	case K_DEV:
		dev_released(x);
		break;
	default:
		break;
	}
	x->kind = K_FREE;
}

/* A random slot holding an fd of this kind (any kind for K_FREE), or -1. */
static int pick_slot(struct rng *r, enum kind kind)
{
	int i, n = 0, k;

	for (i = 0; i < MAX_FDS; i++)
		n += F.fds[i].fd >= 0 && (kind == K_FREE || F.objs[F.fds[i].obj].kind == kind);
	if (!n)
		return -1;
	k = below(r, n);
	for (i = 0; i < MAX_FDS; i++)
		if (F.fds[i].fd >= 0 && (kind == K_FREE || F.objs[F.fds[i].obj].kind == kind) && !k--)
			return i;
	return -1;
}

/* Mostly a slot of this kind; sometimes any fd, a closed one or -1. */
static int pick_target(struct rng *r, enum kind kind, int *fd)
{
	int s;

	if (chance(r, 90)) {
		s = pick_slot(r, kind);
		if (s >= 0)
			goto found;
	}
	if (chance(r, 60)) {
		s = pick_slot(r, K_FREE);
		if (s >= 0)
			goto found;
	}
	*fd = PICK(r, ((int[]){ F.closed_fd, -1, INT32_MAX }));
	return -1;
found:
	*fd = F.fds[s].fd;
	return s;
}

static enum kind slot_kind(int s)
{
	return s < 0 ? K_FREE : F.objs[F.fds[s].obj].kind;
}

static struct obj *slot_obj(int s)
{
	return s < 0 ? NULL : &F.objs[F.fds[s].obj];
}

static const char *slot_str(int s, int fd)
{
	static char buf[4][96];
	static int i;
	struct obj *o = slot_obj(s);

	i = (i + 1) % 4;
	if (!o)
		snprintf(buf[i], sizeof(buf[i]), "fd %d (not open)", fd);
	else if (o->kind == K_BUF)
		snprintf(buf[i], sizeof(buf[i]), "buf#%d (fd %d, %s, %" PRIu64 " B, mode %d)",
			 o->id, fd, heap_name[o->heap], o->size, o->accmode);
	else if (o->kind == K_HEAP)
		snprintf(buf[i], sizeof(buf[i]), "heap#%d (fd %d, %s)", o->id, fd, heap_name[o->heap]);
	else
		snprintf(buf[i], sizeof(buf[i]), "%s#%d (fd %d)", kind_name[o->kind], o->id, fd);
	return buf[i];
}

/* The fd number the kernel hands out next: the lowest free one. */
static int lowest_free_fd(void)
{
	int fd = fcntl(F.nullfd, F_DUPFD, 0);

	if (fd >= 0)
		close(fd);
	return fd;
}

/* Does /proc/self/fdinfo say fd is a dma-buf of this heap and size? */
static int check_dmabuf_fd(int fd, enum heap_id heap, uint64_t size, int accmode, bool cloexec)
{
	char path[64], line[256], exp[64] = "";
	unsigned long long sz = ~0ULL;
	int fl, fdfl;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	f = fopen(path, "r");
	if (!f) {
		fail("new fd %d: no %s: %s", fd, path, strerror(errno));
		return -EIO;
	}
	while (fgets(line, sizeof(line), f)) {
		sscanf(line, "size: %llu", &sz);
		sscanf(line, "exp_name: %63s", exp);
	}
	fclose(f);
	fl = fcntl(fd, F_GETFL);
	fdfl = fcntl(fd, F_GETFD);
	if (sz != size || strcmp(exp, heap_name[heap]) || fl < 0 || fdfl < 0 ||
	    (fl & O_ACCMODE) != accmode || !!(fdfl & FD_CLOEXEC) != cloexec) {
		fail("new fd %d: size %llu exporter \"%s\" mode %d cloexec %d, expected %" PRIu64
		     " \"%s\" %d %d", fd, sz, exp, fl & O_ACCMODE, !!(fdfl & FD_CLOEXEC), size,
		     heap_name[heap], accmode, cloexec);
		return -EINVAL;
	}
	return 0;
}

/* Register a buffer the kernel just exported as fd. */
static void new_buffer(int fd, enum heap_id heap, uint64_t size, uint32_t fd_flags)
{
	int o = new_obj(K_BUF);

	if (o < 0) {
		fail("object table full");
		close(fd);
		return;
	}
	F.objs[o].heap = heap;
	F.objs[o].size = size;
	F.objs[o].accmode = fd_flags & O_ACCMODE;
	F.live_bytes += size;
	if (heap == H_CC) {
		F.cc_live++;
		F.cc_bytes += size;
	}
	add_fd(fd, o);
	check_dmabuf_fd(fd, heap, size, fd_flags & O_ACCMODE, fd_flags & O_CLOEXEC);
}

/* ---- the heap: DMA_HEAP_IOCTL_ALLOC and everything with _IOC_NR 0 ---------- */

struct alloc_data {
	uint64_t len;
	uint32_t fd;
	uint32_t fd_flags;
	uint64_t heap_flags;
};

#define VALID_FD_FLAGS	(O_CLOEXEC | O_ACCMODE)

static uint64_t page_align(uint64_t len)
{
	return (len + PAGE_SZ - 1) & ~(PAGE_SZ - 1);
}

/* A length beyond any memory: only these may be asked for beyond the budget. */
static bool oversize_len(uint64_t len)
{
	return len / 2 >= F.memtotal;
}

/*
 * What the heap core reads of an nr-0 ioctl: the first in_size bytes of the
 * argument, zero-extended. If that would allocate more than the budget
 * allows, rewrite the length in the argument to one page.
 */
static void alloc_fixup(unsigned long cmd)
{
	size_t in = (_IOC_DIR(cmd) & _IOC_WRITE) ? _IOC_SIZE(cmd) : 0;
	struct alloc_data k = { 0 };
	uint64_t len;

	memcpy(&k, F.a.buf, in < sizeof(k) ? in : sizeof(k));
	if (k.fd || (k.fd_flags & ~VALID_FD_FLAGS) || k.heap_flags)
		return;
	len = page_align(k.len);
	if (!len || len <= LIVE_MAX - F.live_bytes || (F.oversize && oversize_len(len)))
		return;
	memset(F.a.buf, 0, in < 8 ? in : 8);
	if (in >= 2)
		F.a.buf[1] = 0x10;	/* 4096 */
	else if (in == 1)
		F.a.buf[0] = 1;
}

static void heap_ioctl(int s, int fd, unsigned long cmd)
{
	size_t in = (_IOC_DIR(cmd) & _IOC_WRITE) ? _IOC_SIZE(cmd) : 0;
	size_t out = (_IOC_DIR(cmd) & _IOC_READ) ? _IOC_SIZE(cmd) : 0;
	struct alloc_data k = { 0 };
	struct expect e;
	uint64_t len;
	bool allocates = false;
	int lo = -1, ret;

	memcpy(&k, F.a.buf, in < sizeof(k) ? in : sizeof(k));
	len = page_align(k.len);	/* PAGE_ALIGN() */
	if (_IOC_NR(cmd) != 0) {
		e = EXP(-EINVAL);	/* mainline: EINVAL, not ENOTTY */
	} else if (in && !readable(F.a.p, in)) {
		e = EXP(-EFAULT);
	} else if (k.fd || (k.fd_flags & ~VALID_FD_FLAGS) || k.heap_flags) {
		e = EXP(-EINVAL);
	} else if (!len) {
		e = EXP(-EINVAL);	/* zero, or PAGE_ALIGN overflowed */
	} else if (len > LIVE_MAX - F.live_bytes) {
		e = EXP(-ENOMEM);	/* only oversize lengths get here */
	} else {
		allocates = true;
		lo = lowest_free_fd();
		e = out && !writable(F.a.p, out) ? EXP(-EFAULT) : EXP(0);
	}
	describe("ioctl 0x%08lx (nr %u size %u dir %u) arg %s len 0x%" PRIx64
		 " fd %u fd_flags 0x%x heap_flags 0x%" PRIx64 " on %s",
		 cmd, (unsigned int)_IOC_NR(cmd), (unsigned int)_IOC_SIZE(cmd),
		 (unsigned int)_IOC_DIR(cmd), loc_name[F.a.loc], k.len, k.fd,
		 k.fd_flags, k.heap_flags, slot_str(s, fd));
	ret = xioctl(fd, cmd, F.a.p);
	if (!judge(ret, e)) {
		if (!ret && allocates)	/* keep track of it all the same */
			close(lo);
		return;
	}
	if (ret || !allocates)
		return;
	if (out >= offsetof(struct alloc_data, fd) + sizeof(k.fd)) {
		struct alloc_data got;

		arg_fetch(&got, sizeof(got) < out ? sizeof(got) : out);
		if ((int)got.fd != lo)
			fail("ALLOC returned fd %u, the lowest free fd is %d", got.fd, lo);
	}
	new_buffer(lo, slot_obj(s)->heap, len, k.fd_flags);
}

/* ---- dma-buf ioctls ---------------------------------------------------------- */

#define SYNC_VALID	(DMA_BUF_SYNC_RW | DMA_BUF_SYNC_END)

static int sync_dir(uint64_t flags)
{
	switch (flags & DMA_BUF_SYNC_RW) {
	case DMA_BUF_SYNC_READ:
		return TEST_DMABUF_FROM_DEVICE;
	case DMA_BUF_SYNC_WRITE:
		return TEST_DMABUF_TO_DEVICE;
	default:
		return TEST_DMABUF_BIDIRECTIONAL;
	}
}

/* Does a device have buffer o mapped? */
static bool buf_mapped(int o)
{
	int i;

	for (i = 0; i < MAX_OBJS; i++)
		if (F.objs[i].kind == K_DEV && F.objs[i].imported == o && F.objs[i].mapped)
			return true;
	return false;
}

/* The device mappings of buffer o in a direction other than dir (and not both ways). */
static bool mapped_otherwise(int o, int dir)
{
	int i;

	for (i = 0; i < MAX_OBJS; i++) {
		struct obj *d = &F.objs[i];

		if (d->kind == K_DEV && d->imported == o && d->mapped &&
		    d->dir != TEST_DMABUF_BIDIRECTIONAL && d->dir != dir)
			return true;
	}
	return false;
}

/* The expected result of SET_NAME on the string at p: strndup_user(p, 32). */
static struct expect name_expect(const uint8_t *p)
{
	uint64_t avail = readable_from(p), k;

	for (k = 0; k < avail && k < NAME_LEN; k++)
		if (!p[k])
			return EXP(0);
	return avail >= NAME_LEN ? EXP(-EINVAL) : EXP(-EFAULT);
}

/* What an fd number is to the kernel: one of ours, /dev/null, or nothing. */
static enum kind fd_kind(int fd, int *obj)
{
	int i;

	*obj = -1;
	if (fd < 0)
		return K_FREE;
	if (fd == F.nullfd)
		return K_NULL;
	for (i = 0; i < MAX_FDS; i++) {
		if (F.fds[i].fd == fd) {
			*obj = F.fds[i].obj;
			return F.objs[*obj].kind;
		}
	}
	return K_FREE;
}

static void buf_ioctl(int s, int fd, unsigned long cmd)
{
	struct obj *b = slot_obj(s);
	struct dma_buf_export_sync_file ex;
	struct dma_buf_import_sync_file im;
	struct dma_buf_sync sy;
	struct expect e;
	int lo = -1, ret;

	if (cmd == DMA_BUF_IOCTL_SYNC) {
		memcpy(&sy, F.a.buf, sizeof(sy));
		if (!readable(F.a.p, sizeof(sy)))
			e = EXP(-EFAULT);
		else if ((sy.flags & ~(uint64_t)SYNC_VALID) || !(sy.flags & DMA_BUF_SYNC_RW))
			e = EXP(-EINVAL);
		else
			e = EXP(0);
		describe("SYNC flags 0x%llx arg %s on %s", (unsigned long long)sy.flags,
			 loc_name[F.a.loc], slot_str(s, fd));
		ret = xioctl(fd, cmd, F.a.p);
		/* Syncing for the CPU copies bounced slots back: the stamp may be gone. */
		if (bounced_mapping(F.fds[s].obj))
			b->stamp_ok = false;
		judge(ret, e);
		return;
	}
	if (cmd == DMA_BUF_SET_NAME_A || cmd == DMA_BUF_SET_NAME_B) {
		char name[41] = "";
		uint64_t avail = readable_from(F.a.p);

		if (avail)
			memcpy(name, F.a.p, avail < 40 ? avail : 40);
		e = name_expect(F.a.p);
		describe("SET_NAME_%c \"%s\"%s at %s on %s", cmd == DMA_BUF_SET_NAME_A ? 'A' : 'B',
			 name, strlen(name) < avail ? "" : " (unterminated)", loc_name[F.a.loc],
			 slot_str(s, fd));
		judge(xioctl(fd, cmd, F.a.p), e);
		return;
	}
	if (cmd == DMA_BUF_IOCTL_EXPORT_SYNC_FILE) {
		memcpy(&ex, F.a.buf, sizeof(ex));
		if (!F.sync_file)
			e = EXP(-ENOTTY);
		else if (!readable(F.a.p, sizeof(ex)))
			e = EXP(-EFAULT);
		else if ((ex.flags & ~DMA_BUF_SYNC_RW) || !(ex.flags & DMA_BUF_SYNC_RW))
			e = EXP(-EINVAL);
		else if (!writable(F.a.p, sizeof(ex)))
			e = EXP(-EFAULT);
		else
			e = EXP(0);
		if (e.v[0] == 0)
			lo = lowest_free_fd();
		describe("EXPORT_SYNC_FILE flags 0x%x arg %s on %s", ex.flags, loc_name[F.a.loc],
			 slot_str(s, fd));
		ret = xioctl(fd, cmd, F.a.p);
		if (!judge(ret, e) || ret)
			return;
		arg_fetch(&ex, sizeof(ex));
		if (ex.fd != lo) {
			fail("sync_file fd %d, the lowest free fd is %d", ex.fd, lo);
			return;
		}
		ret = new_obj(K_SYNC);
		if (ret < 0) {
			close(ex.fd);
			fail("object table full");
			return;
		}
		add_fd(ex.fd, ret);
		return;
	}
	if (cmd == DMA_BUF_IOCTL_IMPORT_SYNC_FILE) {
		memcpy(&im, F.a.buf, sizeof(im));
		if (!F.sync_file)
			e = EXP(-ENOTTY);
		else if (!readable(F.a.p, sizeof(im)))
			e = EXP(-EFAULT);
		else if ((im.flags & ~DMA_BUF_SYNC_RW) || !(im.flags & DMA_BUF_SYNC_RW))
			e = EXP(-EINVAL);
		else if (fd_kind(im.fd, &lo) != K_SYNC)
			e = EXP(-EINVAL);
		else
			e = EXP(0);
		describe("IMPORT_SYNC_FILE flags 0x%x fd %d arg %s on %s", im.flags, im.fd,
			 loc_name[F.a.loc], slot_str(s, fd));
		judge(xioctl(fd, cmd, F.a.p), e);
		return;
	}
	describe("ioctl 0x%08lx on %s", cmd, slot_str(s, fd));
	judge(xioctl(fd, cmd, F.a.p), EXP(-ENOTTY));
}

/* ---- the test device ----------------------------------------------------------- */

/*
 * dma_max_mapping_size() of a device with this min_align_mask under
 * swiotlb, computed as the kernel does (in int).
 */
static uint64_t swiotlb_max(uint64_t mask)
{
	int32_t m = (int32_t)(uint32_t)mask, t, min_align = 0;

	if (m) {
		t = (int32_t)((uint32_t)m + 2047u);
		min_align = t / 2048 * 2048;
	}
	return 2048ULL * 128 - (uint64_t)(int64_t)min_align;
}

/* Masks whose limit the model predicts exactly; the rest may or may not map. */
static bool mask_known(uint64_t mask)
{
	return mask <= 0x40000;
}

/* Ours: the device cannot map a page in one piece, and its map fails. */
static bool dev_too_small(const struct obj *d)
{
	uint64_t max;

	if (!F.bounce)
		return false;
	max = swiotlb_max(d->mask);
	if (max > UINT32_MAX)
		max = UINT32_MAX;
	return (max & ~(PAGE_SZ - 1)) == 0;
}

static struct expect map_expect(const struct obj *d, const struct obj *b)
{
	bool bounced = F.bounce && b->heap == H_SYSTEM;

	if (!F.bounce)
		return EXP(0);
	if (F.system_ours) {
		/*
		 * Shared memory is never bounced, so it maps whatever the
		 * device's bounce limit (as on mainline); a system buffer is
		 * refused at map time when the device cannot map a page.
		 */
		if (!bounced)
			return EXP(0);
		if (dev_too_small(d))
			return EXP(-EINVAL);
		/* Segments within the limit; swiotlb space for the usual masks. */
		if (d->mask <= 0xffff && F.bounced_live + b->size <= F.swiotlb_bytes / 8)
			return EXP(0);
		return EXP(0, -EIO);
	}
	/* Mainline: shared memory maps; a system buffer bounces 1 MiB chunks or fails. */
	if (!bounced)
		return EXP(0);
	if (b->size < SZ_1M && d->mask <= 0xffff &&
	    F.bounced_live + b->size <= F.swiotlb_bytes / 8)
		return EXP(0);
	return EXP(0, -EIO);
}

static void check_map_result(const struct obj *b, const struct test_dmabuf_map *m)
{
	bool bounced = F.bounce && b->heap == H_SYSTEM;

	if (m->mapped_bytes != b->size || !m->nr_segments || m->nr_bounced > m->nr_segments ||
	    m->bounced_bytes > m->mapped_bytes)
		fail("MAP: %u segments (%u bounced), %llu bytes (%llu bounced) of %" PRIu64,
		     m->nr_segments, m->nr_bounced, (unsigned long long)m->mapped_bytes,
		     (unsigned long long)m->bounced_bytes, b->size);
	else if (b->heap == H_CC && m->nr_bounced)
		fail("MAP: system_cc_shared buffer bounced (%u segments)", m->nr_bounced);
	else if (bounced && m->bounced_bytes != b->size)
		fail("MAP: system buffer in a CoCo guest, %llu of %" PRIu64 " bytes bounced",
		     (unsigned long long)m->bounced_bytes, b->size);
}

/* After a read of [off, off + len) into data: the stamp must be there. */
static void check_stamp(struct obj *b, uint64_t off, uint64_t len, const uint8_t *data,
			const char *how)
{
	if (!b->stamp_ok || b->stamp_off < off || b->stamp_off >= off + len)
		return;
	if (data[b->stamp_off - off] != b->stamp_val)
		fail("%s reads 0x%02x at offset %" PRIu64 " of buf#%d, written 0x%02x through mmap",
		     how, data[b->stamp_off - off], b->stamp_off, b->id, b->stamp_val);
}

static void dev_ioctl(int s, int fd, unsigned long cmd)
{
	struct obj *d = slot_obj(s), *b = d->imported >= 0 ? &F.objs[d->imported] : NULL;
	struct test_dmabuf_import imp;
	struct test_dmabuf_map map;
	struct test_dmabuf_segment seg;
	struct test_dmabuf_rw rw;
	struct test_dmabuf_limit lim;
	struct expect e;
	int ret, o;

	switch (cmd) {
	case TEST_DMABUF_IOCTL_IMPORT: {
		enum kind k;
		bool attaches;

		memcpy(&imp, F.a.buf, sizeof(imp));
		k = fd_kind(imp.fd, &o);
		attaches = readable(F.a.p, sizeof(imp)) && !imp.flags && !b && k == K_BUF;
		if (!readable(F.a.p, sizeof(imp)))
			e = EXP(-EFAULT);
		else if (imp.flags)
			e = EXP(-EINVAL);
		else if (b)
			e = EXP(-EBUSY);
		else if (k == K_FREE)
			e = EXP(-EBADF);
		else if (k != K_BUF)
			e = EXP(-EINVAL);	/* not a dma-buf */
		else if (!writable(F.a.p, sizeof(imp)))
			e = EXP(-EFAULT);	/* imported all the same */
		else
			e = EXP(0);
		describe("IMPORT fd %d flags 0x%x arg %s on %s", imp.fd, imp.flags,
			 loc_name[F.a.loc], slot_str(s, fd));
		ret = xioctl(fd, cmd, F.a.p);
		if (!judge(ret, e) || !attaches)
			return;
		d->imported = o;
		F.objs[o].imports++;
		if (!ret) {
			arg_fetch(&imp, sizeof(imp));
			if (imp.size != F.objs[o].size)
				fail("IMPORT size %llu, buffer %" PRIu64, (unsigned long long)imp.size,
				     F.objs[o].size);
		}
		return;
	}
	case TEST_DMABUF_IOCTL_MAP: {
		bool tries;

		memcpy(&map, F.a.buf, sizeof(map));
		tries = readable(F.a.p, sizeof(map)) && b && !map.flags &&
			map.dir <= TEST_DMABUF_FROM_DEVICE && !d->mapped;
		if (!readable(F.a.p, sizeof(map)))
			e = EXP(-EFAULT);
		else if (!b)
			e = EXP(-ENOENT);
		else if (map.flags || map.dir > TEST_DMABUF_FROM_DEVICE)
			e = EXP(-EINVAL);
		else if (d->mapped)
			e = EXP(-EBUSY);
		else
			e = map_expect(d, b);
		/* A mapping that is made reports EFAULT when it cannot say so. */
		if (tries && e.v[0] == 0 && !writable(F.a.p, sizeof(map)))
			e.v[0] = -EFAULT;
		describe("MAP dir %u flags 0x%x arg %s on %s (mask 0x%" PRIx64 ") of %s", map.dir,
			 map.flags, loc_name[F.a.loc], slot_str(s, fd), d->mask,
			 b ? heap_name[b->heap] : "nothing");
		ret = xioctl(fd, cmd, F.a.p);
		if (!judge(ret, e) || !tries || (ret && ret != -EFAULT))
			return;
		d->mapped = true;
		d->dir = map.dir;
		if (!ret) {
			arg_fetch(&map, sizeof(map));
			check_map_result(b, &map);
			d->nsegs = map.nr_segments;
			d->nbounced = map.nr_bounced;
			d->bounced_bytes = map.bounced_bytes;
		} else {
			/* Mapped, counts unknown: a bounced system buffer is all bounced. */
			d->nsegs = 0;
			d->nbounced = F.bounce && b->heap == H_SYSTEM;
			d->bounced_bytes = d->nbounced ? b->size : 0;
		}
		F.bounced_live += d->bounced_bytes;
		/* An outcome the model left open: unmap, so that either way the state is one. */
		if (e.n > 1) {
			describe("UNMAP at once on %s", slot_str(s, fd));
			if (judge(xioctl(fd, TEST_DMABUF_IOCTL_UNMAP, NULL), EXP(0)))
				dev_unmapped(d);
		}
		return;
	}
	case TEST_DMABUF_IOCTL_UNMAP:
		e = !b ? EXP(-ENOENT) : !d->mapped ? EXP(-EINVAL) : EXP(0);
		describe("UNMAP on %s", slot_str(s, fd));
		ret = xioctl(fd, cmd, F.a.p);
		if (judge(ret, e) && !ret)
			dev_unmapped(d);
		return;
	case TEST_DMABUF_IOCTL_SEGMENT:
		memcpy(&seg, F.a.buf, sizeof(seg));
		if (!readable(F.a.p, sizeof(seg)))
			e = EXP(-EFAULT);
		else if (!d->mapped)
			e = EXP(-EINVAL);
		else if (!d->nsegs)	/* count unknown */
			e = EXP(0, -ERANGE, -EFAULT);
		else if (seg.index >= d->nsegs)
			e = EXP(-ERANGE);
		else if (!writable(F.a.p, sizeof(seg)))
			e = EXP(-EFAULT);
		else
			e = EXP(0);
		describe("SEGMENT %u arg %s on %s (%u segments)", seg.index, loc_name[F.a.loc],
			 slot_str(s, fd), d->nsegs);
		ret = xioctl(fd, cmd, F.a.p);
		if (judge(ret, e) && !ret) {
			arg_fetch(&seg, sizeof(seg));
			if (!seg.len || seg.len > b->size ||
			    (b->heap == H_CC && seg.bounced) ||
			    (d->nsegs && (seg.bounced != 0) != (d->nbounced > 0)))
				fail("SEGMENT %u: len %llu bounced %u", seg.index,
				     (unsigned long long)seg.len, seg.bounced);
		}
		return;
	case TEST_DMABUF_IOCTL_DEV_READ:
	case TEST_DMABUF_IOCTL_DEV_WRITE:
	case TEST_DMABUF_IOCTL_VMAP_READ: {
		bool vmap = cmd == TEST_DMABUF_IOCTL_VMAP_READ;
		bool wr = cmd == TEST_DMABUF_IOCTL_DEV_WRITE;
		uint8_t *data;

		memcpy(&rw, F.a.buf, sizeof(rw));
		data = (uint8_t *)(uintptr_t)rw.ptr;
		if (!readable(F.a.p, sizeof(rw)))
			e = EXP(-EFAULT);
		else if (vmap ? !b : !d->mapped)
			e = vmap ? EXP(-ENOENT) : EXP(-EINVAL);
		else if (rw.flags || !rw.len)
			e = EXP(-EINVAL);
		else if (rw.offset >= b->size || rw.len > b->size - rw.offset)
			e = EXP(-ERANGE);
		else if (wr ? !readable(data, rw.len) : !writable(data, rw.len))
			e = EXP(-EFAULT);
		else
			e = EXP(0);
		describe("%s offset 0x%llx len 0x%llx ptr %s flags 0x%x arg %s on %s",
			 vmap ? "VMAP_READ" : wr ? "DEV_WRITE" : "DEV_READ",
			 (unsigned long long)rw.offset, (unsigned long long)rw.len,
			 in_arena(data) ? "arena" : "bad", rw.flags, loc_name[F.a.loc],
			 slot_str(s, fd));
		ret = xioctl(fd, cmd, F.a.p);
		if (wr && b && d->mapped)
			b->stamp_ok = false;
		if (!judge(ret, e) || ret || wr)
			return;
		/* What mmap wrote, the kernel's mapping sees; so does the device, unbounced. */
		if (vmap)
			check_stamp(b, rw.offset, rw.len, data, "VMAP_READ");
		else if (!d->nbounced && d->nsegs)
			check_stamp(b, rw.offset, rw.len, data, "DEV_READ");
		return;
	}
	case TEST_DMABUF_IOCTL_RELEASE:
		e = b ? EXP(0) : EXP(-ENOENT);
		describe("RELEASE on %s", slot_str(s, fd));
		ret = xioctl(fd, cmd, F.a.p);
		if (judge(ret, e) && !ret)
			dev_released(d);
		return;
	case TEST_DMABUF_IOCTL_SET_LIMIT:
		memcpy(&lim, F.a.buf, sizeof(lim));
		if (!readable(F.a.p, sizeof(lim)))
			e = EXP(-EFAULT);
		else if (lim.flags || lim.min_align_mask > UINT32_MAX)
			e = EXP(-EINVAL);
		else if (b)
			e = EXP(-EBUSY);
		else if (!writable(F.a.p, sizeof(lim)))
			e = EXP(-EFAULT);	/* set all the same */
		else
			e = EXP(0);
		describe("SET_LIMIT mask 0x%llx flags 0x%x arg %s on %s",
			 (unsigned long long)lim.min_align_mask, lim.flags, loc_name[F.a.loc],
			 slot_str(s, fd));
		ret = xioctl(fd, cmd, F.a.p);
		if (!judge(ret, e))
			return;
		if (!ret || (ret == -EFAULT && readable(F.a.p, sizeof(lim))))
			d->mask = lim.min_align_mask;
		if (ret)
			return;
		arg_fetch(&lim, sizeof(lim));
		if (F.bounce && mask_known(d->mask) &&
		    lim.max_mapping_size != swiotlb_max(d->mask))
			fail("SET_LIMIT: max mapping size %llu, expected %" PRIu64,
			     (unsigned long long)lim.max_mapping_size, swiotlb_max(d->mask));
		return;
	default:
		describe("ioctl 0x%08lx on %s", cmd, slot_str(s, fd));
		judge(xioctl(fd, cmd, F.a.p), EXP(-ENOTTY));
	}
}

/* Any ioctl on any fd: the model of the fd's kind decides. */
static void any_ioctl(int s, int fd, unsigned long cmd)
{
	switch (slot_kind(s)) {
	case K_HEAP:
		heap_ioctl(s, fd, cmd);
		break;
	case K_BUF:
		buf_ioctl(s, fd, cmd);
		break;
	case K_DEV:
		dev_ioctl(s, fd, cmd);
		break;
	case K_FREE:
		describe("ioctl 0x%08lx on %s", cmd, slot_str(s, fd));
		judge(xioctl(fd, cmd, F.a.p), EXP(-EBADF));
		break;
	default:	/* sync_file and /dev/null know none of ours */
		describe("ioctl 0x%08lx on %s", cmd, slot_str(s, fd));
		judge(xioctl(fd, cmd, F.a.p), EXP(-ENOTTY));
	}
}

/* ---- argument generators -------------------------------------------------------- */

static uint64_t gen_len(struct rng *r)
{
	static const uint64_t edges[] = {
		0, 1, PAGE_SZ - 1, PAGE_SZ, PAGE_SZ + 1, SZ_2M - 1, SZ_2M, SZ_2M + 1,
		SZ_1M, 3 * SZ_1M + 8192, ~0ULL, ~0ULL - PAGE_SZ + 2, ~0ULL - PAGE_SZ + 1,
		1ULL << 63, 1ULL << 32, (1ULL << 32) + 1,
	};

	switch (below(r, 8)) {
	case 0:
	case 1:
		return PICK(r, edges);
	case 2:
	case 3:
		return (1 + below(r, 16)) * PAGE_SZ;
	case 4:
		return (1 + below(r, 1024)) * PAGE_SZ;	/* up to 4 MiB */
	case 5:
		return 1 + below(r, 256 << 10);
	case 6:
		if (F.oversize)
			return PICK(r, ((uint64_t[]){ 2 * F.memtotal, 1ULL << 40,
						     F.memtotal * (2 + below(r, 1000)) }));
		return (1 + below(r, 64)) * PAGE_SZ;
	default:
		return rnd(r);
	}
}

static uint32_t gen_fd_flags(struct rng *r)
{
	if (chance(r, 80))
		return O_RDWR | O_CLOEXEC;
	return PICK(r, ((uint32_t[]){ O_RDONLY, O_WRONLY, O_ACCMODE, O_CLOEXEC, O_RDWR,
				      O_RDWR | O_NONBLOCK, O_RDWR | O_CLOEXEC | O_APPEND,
				      0x40000000, O_RDONLY | O_CLOEXEC, (uint32_t)rnd(r) }));
}

static void gen_alloc(struct rng *r)
{
	struct alloc_data k = {
		.len = gen_len(r),
		.fd_flags = gen_fd_flags(r),
	};

	if (chance(r, 8))
		k.heap_flags = PICK(r, ((uint64_t[]){ 1, 1ULL << 63, rnd(r) }));
	if (chance(r, 5))
		k.fd = PICK(r, ((uint32_t[]){ 1, 3, (uint32_t)rnd(r) }));
	memcpy(F.a.buf, &k, sizeof(k));
}

static void gen_string(struct rng *r, uint8_t *dst, size_t room)
{
	size_t len = below(r, 48), k;

	for (k = 0; k < len && k < room; k++)
		dst[k] = "abcdefghijklmnopqrstuvwxyz0123456789_-."[below(r, 39)];
	if (len < room && chance(r, 90))
		dst[len] = '\0';
}

/* Pick an fd for a field that names one: ours of a kind, or a bad number. */
static int gen_fd_field(struct rng *r, enum kind kind)
{
	int s;

	if (chance(r, 75)) {
		s = pick_slot(r, kind);
		if (s >= 0)
			return F.fds[s].fd;
	}
	if (chance(r, 50)) {
		s = pick_slot(r, K_FREE);
		if (s >= 0)
			return F.fds[s].fd;
	}
	return PICK(r, ((int[]){ -1, -2, F.closed_fd, F.nullfd, INT32_MAX, INT32_MIN }));
}

static int gen_dir(struct rng *r)
{
	if (chance(r, 85))
		return below(r, 3);
	return PICK(r, ((int[]){ 3, 4, 0x7fffffff, -1 }));
}

/*
 * The argument of a known ioctl; bad_percent of the time at a bad place.
 * For SET_NAME the argument is the string itself.
 */
static void gen_arg(struct rng *r, unsigned long cmd, int target_slot)
{
	struct obj *t = slot_obj(target_slot);
	unsigned int bad = 12;

	memset(F.a.buf, 0, 256);
	F.a.n = _IOC_SIZE(cmd);
	if (cmd == DMA_HEAP_IOCTL_ALLOC) {
		gen_alloc(r);
	} else if (cmd == DMA_BUF_IOCTL_SYNC) {
		struct dma_buf_sync sy = { .flags = 1 + below(r, 3) };

		if (chance(r, 50))
			sy.flags |= DMA_BUF_SYNC_END;
		if (chance(r, 25))
			sy.flags = PICK(r, ((uint64_t[]){ 0, DMA_BUF_SYNC_END, 8, 0x100,
							  1ULL << 63, rnd(r) }));
		/*
		 * The heap syncs every mapped attachment in the direction of
		 * the CPU access, not of the mapping; DMA-API debugging calls
		 * that a driver bug ("syncs DMA memory with different
		 * direction"). Mainline behaviour; avoided under DMA_API_DEBUG.
		 */
		if (F.dma_debug && t && t->kind == K_BUF && !(sy.flags & ~(uint64_t)SYNC_VALID) &&
		    (sy.flags & DMA_BUF_SYNC_RW) &&
		    mapped_otherwise(F.fds[target_slot].obj, sync_dir(sy.flags)))
			sy.flags |= 0x100;
		/*
		 * 6.12's CONFIG_DMABUF_DEBUG scrambles the table of a mapped
		 * attachment, which the heap's sync walks: the Oops of ledger
		 * entry base-6.12-dmabuf-debug. Not while mapped, there.
		 */
		if (F.sync_oops && t && t->kind == K_BUF && buf_mapped(F.fds[target_slot].obj))
			sy.flags |= 0x100;
		memcpy(F.a.buf, &sy, sizeof(sy));
	} else if (cmd == DMA_BUF_SET_NAME_A || cmd == DMA_BUF_SET_NAME_B) {
		F.a.n = 48;
		gen_string(r, F.a.buf, sizeof(F.a.buf));
		bad = 30;
	} else if (cmd == DMA_BUF_IOCTL_EXPORT_SYNC_FILE || cmd == DMA_BUF_IOCTL_IMPORT_SYNC_FILE) {
		struct dma_buf_import_sync_file im = { .flags = 1 + below(r, 3) };

		if (chance(r, 20))
			im.flags = PICK(r, ((uint32_t[]){ 0, 4, 8, 0x80000001, (uint32_t)rnd(r) }));
		im.fd = cmd == DMA_BUF_IOCTL_IMPORT_SYNC_FILE ? gen_fd_field(r, K_SYNC) : 0;
		memcpy(F.a.buf, &im, sizeof(im));
	} else if (cmd == TEST_DMABUF_IOCTL_IMPORT) {
		struct test_dmabuf_import imp = { .fd = gen_fd_field(r, K_BUF) };

		if (chance(r, 8))
			imp.flags = PICK(r, ((uint32_t[]){ 1, 0x80000000, (uint32_t)rnd(r) }));
		memcpy(F.a.buf, &imp, sizeof(imp));
	} else if (cmd == TEST_DMABUF_IOCTL_MAP) {
		struct test_dmabuf_map map = { .dir = gen_dir(r) };
		struct obj *b = t && t->kind == K_DEV && t->imported >= 0 ? &F.objs[t->imported] : NULL;

		if (chance(r, 5))
			map.flags = PICK(r, ((uint32_t[]){ 1, (uint32_t)rnd(r) }));
		if (chance(r, 5))
			map.nr_segments = rnd(r);	/* output fields: ignored */
		if (b && F.dma_debug) {
			int i;

			/*
			 * DMA-API debugging (on 6.12) reports two live
			 * mappings of one page that the device may write
			 * ("cacheline tracking EEXIST"); mainline, debug
			 * only. And it reports mainline's unmap of a
			 * system_cc_shared mapping without the attribute
			 * (ledger: fix-unmap-attrs). Avoided there.
			 */
			for (i = 0; i < MAX_OBJS; i++) {
				struct obj *o = &F.objs[i];

				if (o != t && o->kind == K_DEV && o->mapped &&
				    o->imported == t->imported && o->dir != TEST_DMABUF_TO_DEVICE)
					map.dir = TEST_DMABUF_TO_DEVICE;
			}
			if (!F.ours && b->heap == H_CC)
				map.dir = 3;
		}
		/* Keep bounced mappings within what swiotlb surely has. */
		if (b && F.bounce && b->heap == H_SYSTEM && !t->mapped &&
		    F.bounced_live + b->size > F.swiotlb_bytes / 8 && map.dir <= 2)
			map.dir = 3;
		memcpy(F.a.buf, &map, sizeof(map));
	} else if (cmd == TEST_DMABUF_IOCTL_SEGMENT) {
		struct test_dmabuf_segment seg = {
			.index = chance(r, 80) && t && t->kind == K_DEV && t->nsegs ?
				 below(r, t->nsegs + 1) : (uint32_t)rnd(r),
		};
		memcpy(F.a.buf, &seg, sizeof(seg));
	} else if (cmd == TEST_DMABUF_IOCTL_DEV_READ || cmd == TEST_DMABUF_IOCTL_DEV_WRITE ||
		   cmd == TEST_DMABUF_IOCTL_VMAP_READ) {
		uint64_t size = t && t->kind == K_DEV && t->imported >= 0 ?
				F.objs[t->imported].size : 8192;
		struct obj *b = t && t->kind == K_DEV && t->imported >= 0 ? &F.objs[t->imported] : NULL;
		struct test_dmabuf_rw rw;
		uint64_t room = RW_SZ - DATA_OFF;

		rw.len = 1 + below(r, chance(r, 50) ? 64 : room);
		rw.offset = below(r, size > rw.len ? size - rw.len + 1 : 1);
		if (b && b->stamp_ok && chance(r, 50)) {
			rw.offset = b->stamp_off - below(r, b->stamp_off < rw.len ?
							   b->stamp_off + 1 : rw.len);
		}
		rw.ptr = (uintptr_t)(F.arena + DATA_OFF);
		rw.flags = 0;
		rw.__pad = 0;
		switch (below(r, 12)) {
		case 0:
			rw.offset = size - below(r, 2);		/* past the end */
			break;
		case 1:
			rw.len = 0;
			break;
		case 2:
			rw.len = PICK(r, ((uint64_t[]){ ~0ULL, 1ULL << 63, size + 1, rnd(r) }));
			break;
		case 3:		/* offset + len overflows */
			rw.offset = size - 1;
			rw.len = ~0ULL - size + 2 + below(r, 4);
			break;
		case 4:
			rw.ptr = (uintptr_t)loc_addr(1 + below(r, NR_LOCS - 1), rw.len, r);
			break;
		case 5:
			if (chance(r, 30))
				rw.flags = 1 + below(r, 0xffff);
			break;
		default:
			break;
		}
		memcpy(F.a.buf, &rw, sizeof(rw));
	} else if (cmd == TEST_DMABUF_IOCTL_SET_LIMIT) {
		struct test_dmabuf_limit lim = {
			.min_align_mask = PICK(r, ((uint64_t[]){
				0, 0, 0, 0xfff, 0xffff, (64 << 10) - 1, (254 << 10) - 1,
				(252 << 10) - 1, 0x3ffff, 0x40000, 0x7ff, 0x800,
				(uint32_t)rnd(r), 0xffffffff, 1ULL << 32, rnd(r) })),
		};
		if (chance(r, 5))
			lim.flags = PICK(r, ((uint32_t[]){ 1, (uint32_t)rnd(r) }));
		memcpy(F.a.buf, &lim, sizeof(lim));
	}
	F.a.loc = pick_loc(r, bad);
}

/* A random ioctl number that no VFS layer, sync_file or our drivers know. */
static unsigned long gen_unknown_cmd(struct rng *r, bool nr0)
{
	static const unsigned long known[] = {
		DMA_HEAP_IOCTL_ALLOC, DMA_BUF_IOCTL_SYNC, DMA_BUF_SET_NAME_A, DMA_BUF_SET_NAME_B,
		DMA_BUF_IOCTL_EXPORT_SYNC_FILE, DMA_BUF_IOCTL_IMPORT_SYNC_FILE,
		TEST_DMABUF_IOCTL_IMPORT, TEST_DMABUF_IOCTL_MAP, TEST_DMABUF_IOCTL_UNMAP,
		TEST_DMABUF_IOCTL_SEGMENT, TEST_DMABUF_IOCTL_DEV_READ, TEST_DMABUF_IOCTL_DEV_WRITE,
		TEST_DMABUF_IOCTL_VMAP_READ, TEST_DMABUF_IOCTL_RELEASE,
		TEST_DMABUF_IOCTL_SET_LIMIT, TEST_DMABUF_IOCTL_MAP_PRIVATE,
		/* do_vfs_ioctl()'s own of type 'T' */
		FIOCLEX, FIONCLEX, FIONBIO, FIOASYNC, FIOQSIZE, FIONREAD,
	};
	unsigned long cmd;
	unsigned int type, size;
	size_t k;

	for (;;) {
		type = chance(r, 40) ? PICK(r, ((unsigned int[]){ 'H', 'b', 'T' })) : below(r, 256);
		/* fs/ioctl.c's own (FIOCLEX, FIFREEZE, FS_IOC_*, ...), sync_file's */
		if (type == 0 || type == 0x15 || type == 'X' || type == 'f' || type == 0x94 ||
		    type == '>')
			continue;
		size = chance(r, 70) ? PICK(r, ((unsigned int[]){ 0, 1, 4, 8, 12, 16, 23, 24, 25,
								     32, 64, 128, 129, 4096 })) :
				       below(r, 1 << _IOC_SIZEBITS);
		cmd = _IOC(below(r, 4), type, nr0 ? 0 : below(r, 256), size);
		if (type == 'T' && _IOC_NR(cmd) >= 0x40 && _IOC_NR(cmd) <= 0x50)
			continue;	/* never near MAP_PRIVATE and its kin */
		for (k = 0; k < ARRAY_SIZE(known); k++)
			if (cmd == known[k])
				break;
		if (k == ARRAY_SIZE(known))
			return cmd;
	}
}

static unsigned long known_cmds(struct rng *r)
{
	unsigned long c[] = {
		DMA_HEAP_IOCTL_ALLOC, DMA_BUF_IOCTL_SYNC, DMA_BUF_SET_NAME_A, DMA_BUF_SET_NAME_B,
		DMA_BUF_IOCTL_EXPORT_SYNC_FILE, DMA_BUF_IOCTL_IMPORT_SYNC_FILE,
		TEST_DMABUF_IOCTL_IMPORT, TEST_DMABUF_IOCTL_MAP, TEST_DMABUF_IOCTL_UNMAP,
		TEST_DMABUF_IOCTL_SEGMENT, TEST_DMABUF_IOCTL_DEV_READ, TEST_DMABUF_IOCTL_DEV_WRITE,
		TEST_DMABUF_IOCTL_VMAP_READ, TEST_DMABUF_IOCTL_RELEASE, TEST_DMABUF_IOCTL_SET_LIMIT,
	};

	return PICK(r, c);
}

/* Issue cmd with a generated argument on target slot s (fd). */
static void issue(struct rng *r, int s, int fd, unsigned long cmd)
{
	gen_arg(r, cmd, s);
	if (slot_kind(s) == K_HEAP && _IOC_NR(cmd) == 0)
		alloc_fixup(cmd);
	arg_place(r);
	any_ioctl(s, fd, cmd);
}

/* ---- the operations -------------------------------------------------------------- */

static void op_open_heap(struct rng *r)
{
	enum heap_id h = F.have_cc && chance(r, 50) ? H_CC : H_SYSTEM;
	int mode = chance(r, 80) ? O_RDONLY : O_RDWR;
	char path[128];
	int fd, o;

	snprintf(path, sizeof(path), HEAP_DIR "/%s", heap_name[h]);
	describe("open %s mode %d", path, mode);
	fd = open(path, mode | O_CLOEXEC);
	if (!judge(fd < 0 ? -errno : 0, EXP(0)))
		return;
	o = new_obj(K_HEAP);
	if (o < 0) {
		close(fd);
		return;
	}
	F.objs[o].heap = h;
	F.objs[o].accmode = mode;
	add_fd(fd, o);
}

static void op_open_other(struct rng *r, enum kind kind)
{
	const char *path = kind == K_DEV ? TEST_DEV : "/dev/null";
	int fd, o;

	(void)r;
	describe("open %s", path);
	fd = open(path, O_RDWR | O_CLOEXEC);
	if (!judge(fd < 0 ? -errno : 0, EXP(0)))
		return;
	o = new_obj(kind);
	if (o < 0) {
		close(fd);
		return;
	}
	F.objs[o].accmode = O_RDWR;
	add_fd(fd, o);
}

static void op_alloc(struct rng *r)
{
	int fd, s = pick_target(r, K_HEAP, &fd);

	issue(r, s, fd, DMA_HEAP_IOCTL_ALLOC);
}

/* An ioctl whose _IOC_NR is 0, any type, size and direction, on a heap. */
static void op_alloc_raw(struct rng *r)
{
	unsigned long cmd = gen_unknown_cmd(r, true);
	int fd, s = pick_target(r, K_HEAP, &fd);
	size_t k;

	gen_alloc(r);
	for (k = sizeof(struct alloc_data); k < 256; k++)
		F.a.buf[k] = rnd(r);
	F.a.n = _IOC_SIZE(cmd);
	F.a.loc = pick_loc(r, 15);
	if (slot_kind(s) == K_HEAP)
		alloc_fixup(cmd);
	arg_place(r);
	any_ioctl(s, fd, cmd);
}

static void op_unknown_ioctl(struct rng *r)
{
	unsigned long cmd = gen_unknown_cmd(r, chance(r, 10));
	int fd, s = pick_target(r, PICK(r, ((enum kind[]){ K_HEAP, K_BUF, K_DEV, K_BUF })), &fd);
	size_t k;

	for (k = 0; k < 256; k++)
		F.a.buf[k] = rnd(r);
	F.a.n = _IOC_SIZE(cmd);
	F.a.loc = pick_loc(r, 20);
	if (slot_kind(s) == K_HEAP && _IOC_NR(cmd) == 0)
		alloc_fixup(cmd);
	arg_place(r);
	any_ioctl(s, fd, cmd);
}

/* A real ioctl of one kind of fd on any fd. */
static void op_cross_ioctl(struct rng *r)
{
	int fd, s = pick_target(r, K_FREE, &fd);

	issue(r, s, fd, known_cmds(r));
}

static void op_buf_ioctl(struct rng *r, unsigned long cmd)
{
	int fd, s = pick_target(r, K_BUF, &fd);

	issue(r, s, fd, cmd);
}

/* Would cmd get past the state checks on device d? */
static bool dev_ready(const struct obj *d, unsigned long cmd)
{
	switch (cmd) {
	case TEST_DMABUF_IOCTL_IMPORT:
	case TEST_DMABUF_IOCTL_SET_LIMIT:
		return d->imported < 0;
	case TEST_DMABUF_IOCTL_MAP:
		return d->imported >= 0 && !d->mapped;
	case TEST_DMABUF_IOCTL_VMAP_READ:
	case TEST_DMABUF_IOCTL_RELEASE:
		return d->imported >= 0;
	default:
		return d->mapped;
	}
}

/* Mostly a device in the state the request needs, to get deeper. */
static void op_dev_ioctl(struct rng *r, unsigned long cmd)
{
	int fd = -1, s = -1, i, n = 0, k;

#define READY(i) (F.fds[i].fd >= 0 && slot_kind(i) == K_DEV && dev_ready(slot_obj(i), cmd))
	if (chance(r, 70)) {
		for (i = 0; i < MAX_FDS; i++)
			n += READY(i);
		k = below(r, n);
		for (i = 0; i < MAX_FDS && n; i++) {
			if (READY(i) && !k--) {
				s = i;
				fd = F.fds[i].fd;
				break;
			}
		}
	}
#undef READY
	if (s < 0)
		s = pick_target(r, K_DEV, &fd);
	issue(r, s, fd, cmd);
}

/* Read every page of a mapping (checking the stamp), then write if asked. */
static void touch(struct mapping *m, bool write, uint8_t val)
{
	struct obj *b = &F.objs[m->obj];
	volatile uint8_t *p = (volatile uint8_t *)m->addr;
	uint64_t k;

	if ((m->prot & PROT_READ) && (m->shared || !m->cowed) && b->stamp_ok &&
	    b->stamp_off >= m->off && b->stamp_off < m->off + m->len) {
		uint8_t got = p[b->stamp_off - m->off];

		if (got != b->stamp_val)
			fail("mmap reads 0x%02x at offset %" PRIu64 " of buf#%d, written 0x%02x",
			     got, b->stamp_off, b->id, b->stamp_val);
	}
	if (m->prot & PROT_READ)
		for (k = 0; k < m->len; k += PAGE_SZ)
			(void)p[k + (k / PAGE_SZ) % PAGE_SZ];
	if (!write || !(m->prot & PROT_WRITE))
		return;
	for (k = 0; k < m->len; k += PAGE_SZ)
		p[k + (k / PAGE_SZ) % PAGE_SZ] = val;
	if (m->shared) {
		/* The last page's byte is the stamp. */
		k = (m->len - 1) & ~(PAGE_SZ - 1);
		b->stamp_ok = true;
		b->stamp_off = m->off + k + (k / PAGE_SZ) % PAGE_SZ;
		b->stamp_val = val;
	} else {
		m->cowed = true;
	}
}

/*
 * mmap's result, from the checks of arch/x86 sys_mmap, ksys_mmap_pgoff(),
 * do_mmap() and dma_buf_mmap_internal(), in their order.
 */
static struct expect mmap_expect(const struct obj *b, uint64_t off, uint64_t len, int prot,
				 int flags)
{
	uint64_t pgoff = off / PAGE_SZ, alen = page_align(len);
	int type = flags & MAP_TYPE;
	bool shared = type == MAP_SHARED || type == MAP_SHARED_VALIDATE;
	bool rd = b && (b->accmode == O_RDONLY || b->accmode == O_RDWR);
	bool wr = b && (b->accmode == O_WRONLY || b->accmode == O_RDWR);

	if (off & (PAGE_SZ - 1))
		return EXP(-EINVAL);
	if (!b)
		return EXP(-EBADF);
	if (flags & MAP_HUGETLB)
		return EXP(-EINVAL);		/* not a hugetlbfs file */
	if (!len)
		return EXP(-EINVAL);
	if (!alen)
		return EXP(-ENOMEM);
	if (alen > (1ULL << 47) - PAGE_SZ)
		return EXP(-ENOMEM);		/* beyond TASK_SIZE */
	if (pgoff > (~0ULL - alen) / PAGE_SZ)
		return EXP(-EOVERFLOW);		/* file_mmap_ok(): past ULONG_MAX */
	if (type == MAP_SHARED_VALIDATE && (flags & MAP_SYNC))
		return EXP(-EOPNOTSUPP);
	if (!shared && type != MAP_PRIVATE)
		return EXP(-EINVAL);
	if (b->kind != K_BUF) {
		/* A character device without mmap, on /dev */
		if (shared && (prot & PROT_WRITE) && !wr)
			return EXP(-EACCES);
		if (!rd)
			return EXP(-EACCES);
		return prot & PROT_EXEC ? EXP(-ENODEV, -EPERM) : EXP(-ENODEV);
	}
	if (shared && (prot & PROT_WRITE) && !wr)
		return EXP(-EACCES);
	if (!rd)
		return EXP(-EACCES);
	if ((prot & PROT_EXEC) && !F.exec_ok)
		return EXP(-EPERM);		/* noexec pseudo file system */
	if (alen >= (1ULL << 40))
		return EXP(-EINVAL, -ENOMEM);	/* past the end, if there is room at all */
	if (pgoff + alen / PAGE_SZ > b->size / PAGE_SZ)
		return EXP(-EINVAL);
	/* COW of a PFN map only in one piece: depends on the chunks (mainline) */
	if (type == MAP_PRIVATE && alen > PAGE_SZ)
		return EXP(0, -EINVAL);
	return EXP(0);
}

static int free_map(void)
{
	int i;

	for (i = 0; i < MAX_MAPS; i++)
		if (!F.maps[i].addr)
			return i;
	return -1;
}

static void unmap(struct mapping *m)
{
	describe("munmap of buf#%d (%" PRIu64 " B)", F.objs[m->obj].id, m->len);
	judge(munmap(m->addr, m->len) < 0 ? -errno : 0, EXP(0));
	m->addr = NULL;
	F.objs[m->obj].maps--;
	buf_maybe_gone(m->obj);
}

static void op_mmap(struct rng *r)
{
	int fd, s = pick_target(r, K_BUF, &fd), prot, flags, i;
	struct obj *b = slot_obj(s);
	uint64_t pages = b && b->kind == K_BUF ? b->size / PAGE_SZ : 4, pgoff, len, off;
	struct mapping tmp, *m;
	struct expect e;
	uint8_t *p;
	int ret;

	if (b && b->kind == K_SYNC)
		return;				/* an anon inode: not ours to model */
	pgoff = chance(r, 60) ? 0 : below(r, pages);
	switch (below(r, 10)) {
	case 0:
		pgoff = pages + below(r, 3);		/* past the end */
		break;
	case 1:
		pgoff = PICK(r, ((uint64_t[]){ 1ULL << 40, (~0ULL >> 12) - 1, 1ULL << 51 }));
		break;
	default:
		break;
	}
	off = pgoff * PAGE_SZ;
	if (chance(r, 4))
		off += 1 + below(r, PAGE_SZ - 1);	/* unaligned */
	len = pgoff < pages ? (pages - pgoff) * PAGE_SZ : PAGE_SZ;
	switch (below(r, 10)) {
	case 0:
		len += PAGE_SZ;				/* a page too many */
		break;
	case 1:
		len = PICK(r, ((uint64_t[]){ 0, 1, ~0ULL, 1ULL << 40, 1ULL << 47, ~0ULL - PAGE_SZ }));
		break;
	case 2:
	case 3:
		len = (1 + below(r, len / PAGE_SZ)) * PAGE_SZ - below(r, PAGE_SZ);
		break;
	default:
		break;
	}
	prot = chance(r, 70) ? PROT_READ | PROT_WRITE : (int)below(r, 8);
	flags = chance(r, 70) ? MAP_SHARED :
		PICK(r, ((int[]){ MAP_PRIVATE, MAP_SHARED_VALIDATE, MAP_SHARED_VALIDATE | MAP_SYNC,
				  MAP_SHARED | MAP_SYNC, MAP_SHARED | MAP_POPULATE,
				  MAP_PRIVATE | MAP_POPULATE, 0, MAP_SHARED | MAP_HUGETLB }));
	e = mmap_expect(b, off, len, prot, flags);
	describe("mmap len 0x%" PRIx64 " prot %d flags 0x%x off 0x%" PRIx64 " of %s", len, prot,
		 flags, off, slot_str(s, fd));
	p = (uint8_t *)syscall(SYS_mmap, NULL, len, prot, flags, fd, off);
	ret = p == MAP_FAILED ? -errno : 0;
	if (!judge(ret, e)) {
		if (!ret)
			munmap(p, len);
		return;
	}
	if (ret)
		return;
	tmp = (struct mapping){
		.addr = p, .len = page_align(len), .off = off, .obj = F.fds[s].obj, .prot = prot,
		/* MAP_SHARED of a file without write access is not shared */
		.shared = (flags & MAP_TYPE) != MAP_PRIVATE && b->accmode == O_RDWR,
	};
	b->maps++;
	/*
	 * Keep it, holding the buffer, or touch it and let it go; at once
	 * if it might as well have failed, so that the state is the same
	 * either way and the seed still reproduces the run.
	 */
	i = free_map();
	if (i < 0 || e.n > 1 || chance(r, 60)) {
		touch(&tmp, true, 1 + below(r, 255));
		unmap(&tmp);
		return;
	}
	m = &F.maps[i];
	*m = tmp;
	touch(m, true, 1 + below(r, 255));
}

static int pick_map(struct rng *r)
{
	int i, n = 0, k;

	for (i = 0; i < MAX_MAPS; i++)
		n += !!F.maps[i].addr;
	if (!n)
		return -1;
	k = below(r, n);
	for (i = 0; i < MAX_MAPS; i++)
		if (F.maps[i].addr && !k--)
			return i;
	return -1;
}

static void op_munmap(struct rng *r)
{
	int i = pick_map(r);

	if (i < 0) {
		describe("munmap of an unaligned address");
		judge(munmap(F.arena + 1, PAGE_SZ) < 0 ? -errno : 0, EXP(-EINVAL));
		return;
	}
	if (chance(r, 50))
		touch(&F.maps[i], chance(r, 50), 1 + below(r, 255));
	unmap(&F.maps[i]);
}

static void op_touch(struct rng *r)
{
	int i = pick_map(r);

	if (i < 0)
		return;
	describe("touch the mapping of buf#%d", F.objs[F.maps[i].obj].id);
	touch(&F.maps[i], chance(r, 30), 1 + below(r, 255));
	F.op_calls[F.op]++;
	F.op_ok[F.op] += !F.failed;
}

static void op_poll(struct rng *r)
{
	struct pollfd pfd[3];
	short want[3];
	int n = 1 + below(r, 3), i, nready = 0, ret;
	char d[320] = "";

	for (i = 0; i < n; i++) {
		int s = pick_target(r, K_BUF, &pfd[i].fd);
		enum kind kind = slot_kind(s);

		pfd[i].events = below(r, 8) & (POLLIN | POLLOUT | POLLPRI);
		if (kind == K_FREE && pfd[i].fd < 0)
			want[i] = 0;			/* ignored */
		else if (kind == K_FREE)
			want[i] = POLLNVAL;
		else if (kind == K_SYNC)
			want[i] = pfd[i].events & POLLIN;	/* a signalled stub fence */
		else	/* dma-bufs without fences; no poll method: DEFAULT_POLLMASK */
			want[i] = pfd[i].events & (POLLIN | POLLOUT);
		nready += !!want[i];
		pfd[i].revents = 0x5a5a;	/* the kernel must overwrite it */
		snprintf(d + strlen(d), sizeof(d) - strlen(d), "%s%s events 0x%x",
			 i ? ", " : "", slot_str(s, pfd[i].fd), pfd[i].events);
	}
	describe("poll(%s, timeout 0)", d);
	ret = poll(pfd, n, 0);
	if (!judge(ret < 0 ? -errno : 0, EXP(0)))
		return;
	if (ret != nready)
		fail("returned %d, expected %d", ret, nready);
	for (i = 0; i < n && !F.failed; i++)
		if (pfd[i].revents != want[i])
			fail("revents 0x%x for fd %d, expected 0x%x", pfd[i].revents, pfd[i].fd,
			     want[i]);
}

static void op_lseek(struct rng *r)
{
	int fd, s = pick_target(r, K_BUF, &fd);
	int whence = chance(r, 80) ? PICK(r, ((int[]){ SEEK_SET, SEEK_END, SEEK_CUR })) :
				     PICK(r, ((int[]){ SEEK_DATA, SEEK_HOLE, 5, -1 }));
	off_t off = chance(r, 80) ? 0 : PICK(r, ((off_t[]){ 1, -1, 4096, INT64_MAX }));
	struct obj *o = slot_obj(s);
	struct expect e;
	off_t want = 0, got;

	if (!o)
		e = EXP(-EBADF);
	else if (whence < 0 || whence > SEEK_HOLE)
		e = EXP(-EINVAL);
	else if (o->kind == K_BUF) {
		e = (whence == SEEK_SET || whence == SEEK_END) && !off ? EXP(0) : EXP(-EINVAL);
		want = whence == SEEK_END ? (off_t)o->size : 0;
	} else if (o->kind == K_HEAP)
		e = EXP(-ESPIPE);			/* nonseekable_open */
	else
		return;				/* others: not ours to model */
	describe("lseek(%s, %lld, %d)", slot_str(s, fd), (long long)off, whence);
	got = lseek(fd, off, whence);
	if (judge(got < 0 ? -errno : 0, e) && got >= 0 && got != want)
		fail("lseek returned %lld, expected %lld", (long long)got, (long long)want);
}

static void op_readwrite(struct rng *r)
{
	int fd, s = pick_target(r, K_BUF, &fd);
	struct obj *o = slot_obj(s);
	bool wr = chance(r, 50);
	struct expect e;
	ssize_t n;
	int mode;

	if (o && o->kind != K_BUF)
		return;
	mode = o ? o->accmode : -1;
	if (!o)
		e = EXP(-EBADF);
	else if (wr ? !(mode == O_WRONLY || mode == O_RDWR) : !(mode == O_RDONLY || mode == O_RDWR))
		e = EXP(-EBADF);		/* not open for it */
	else
		e = EXP(-EINVAL);		/* no read or write method */
	describe("%s of 64 bytes on %s", wr ? "write" : "read", slot_str(s, fd));
	n = wr ? write(fd, F.arena, 64) : read(fd, F.arena, 64);
	judge(n < 0 ? -errno : 0, e);
}

static void op_dup(struct rng *r)
{
	int s = pick_slot(r, K_FREE), lo, fd;
	bool cloexec = chance(r, 50);

	if (s < 0 || !free_slots())
		return;
	lo = lowest_free_fd();
	describe("dup %s", slot_str(s, F.fds[s].fd));
	fd = cloexec ? fcntl(F.fds[s].fd, F_DUPFD_CLOEXEC, 0) : dup(F.fds[s].fd);
	if (!judge(fd < 0 ? -errno : 0, EXP(0)))
		return;
	if (fd != lo)
		fail("dup returned fd %d, the lowest free fd is %d", fd, lo);
	add_fd(fd, F.fds[s].obj);
}

static void close_slot(int s)
{
	int o = F.fds[s].obj;

	describe("close %s", slot_str(s, F.fds[s].fd));
	judge(close(F.fds[s].fd) < 0 ? -errno : 0, EXP(0));
	F.fds[s].fd = -1;
	obj_put_fd(o);
}

static void op_close(struct rng *r)
{
	int s = pick_slot(r, K_FREE);

	if (s < 0 || chance(r, 3)) {
		describe("close fd %d (not open)", F.closed_fd);
		judge(close(F.closed_fd) < 0 ? -errno : 0, EXP(-EBADF));
		return;
	}
	close_slot(s);
}

/* system_cc_shared's counters follow our live buffers (ours only). */
static void check_cc_stats(void)
{
	long long n, bytes;

	if (!F.ours || (F.cc_live == F.cc_live_checked && F.cc_bytes == F.cc_bytes_checked))
		return;
	F.cc_live_checked = F.cc_live;
	F.cc_bytes_checked = F.cc_bytes;
	n = heap_stat("buffers");
	bytes = heap_stat("shared_bytes");
	if (n != F.cc_buffers0 + F.cc_live || bytes != F.cc_bytes0 + (long long)F.cc_bytes) {
		long long n2;
		int ms;

		/* Diagnosis: a release that comes late, or one that never does? */
		for (ms = 0; ms < 2000; ms += 10) {
			usleep(10000);
			n2 = heap_stat("buffers");
			if (n2 == F.cc_buffers0 + F.cc_live)
				break;
		}
		describe("system_cc_shared stats");
		fail("buffers %lld shared_bytes %lld, expected %lld and %lld (buffers %lld after %d ms)",
		     n, bytes, F.cc_buffers0 + F.cc_live, F.cc_bytes0 + (long long)F.cc_bytes, n2, ms);
	}
}

enum op {
	OP_OPEN_HEAP, OP_OPEN_DEV, OP_OPEN_NULL, OP_ALLOC, OP_ALLOC_RAW, OP_UNKNOWN,
	OP_CROSS, OP_MMAP, OP_MUNMAP, OP_TOUCH, OP_SYNC, OP_NAME, OP_POLL, OP_EXPORT,
	OP_IMPORT_SYNC, OP_LSEEK, OP_RW, OP_DEV_IMPORT, OP_DEV_MAP, OP_DEV_UNMAP,
	OP_DEV_SEGMENT, OP_DEV_READ, OP_DEV_WRITE, OP_VMAP_READ, OP_DEV_RELEASE,
	OP_SET_LIMIT, OP_DUP, OP_CLOSE, NR_OPS,
};
_Static_assert(NR_OPS < 32, "op counters");

static const char * const op_name[NR_OPS] = {
	"open-heap", "open-dev", "open-null", "alloc", "alloc-nr0", "unknown-ioctl",
	"cross-ioctl", "mmap", "munmap", "touch", "sync", "set-name", "poll",
	"export-sync", "import-sync", "lseek", "read-write", "dev-import", "dev-map",
	"dev-unmap", "dev-segment", "dev-read", "dev-write", "vmap-read", "dev-release",
	"set-limit", "dup", "close",
};

/* Calls and successes per operation, two lines. */
static void op_summary(void)
{
	char line[2][512] = { "", "" };
	int i;

	for (i = 0; i < NR_OPS; i++) {
		char *l = line[i >= NR_OPS / 2];

		snprintf(l + strlen(l), sizeof(line[0]) - strlen(l), " %s %ld/%ld", op_name[i],
			 F.op_ok[i], F.op_calls[i]);
	}
	note("cc-fuzz: succeeded/calls:%s", line[0]);
	note("cc-fuzz:%s", line[1]);
}

static const unsigned int weight[NR_OPS] = {
	[OP_OPEN_HEAP] = 3, [OP_OPEN_DEV] = 4, [OP_OPEN_NULL] = 1, [OP_ALLOC] = 14,
	[OP_ALLOC_RAW] = 4, [OP_UNKNOWN] = 4, [OP_CROSS] = 4, [OP_MMAP] = 9,
	[OP_MUNMAP] = 3, [OP_TOUCH] = 2, [OP_SYNC] = 5, [OP_NAME] = 4, [OP_POLL] = 3,
	[OP_EXPORT] = 2, [OP_IMPORT_SYNC] = 2, [OP_LSEEK] = 2, [OP_RW] = 1,
	[OP_DEV_IMPORT] = 7, [OP_DEV_MAP] = 6, [OP_DEV_UNMAP] = 3, [OP_DEV_SEGMENT] = 2,
	[OP_DEV_READ] = 3, [OP_DEV_WRITE] = 2, [OP_VMAP_READ] = 3, [OP_DEV_RELEASE] = 2,
	[OP_SET_LIMIT] = 2, [OP_DUP] = 4, [OP_CLOSE] = 9,
};

static bool dev_op(enum op op)
{
	return op == OP_OPEN_DEV || (op >= OP_DEV_IMPORT && op <= OP_SET_LIMIT);
}

static enum op pick_op(struct rng *r)
{
	unsigned int total = 0, k;
	int i;

	for (i = 0; i < NR_OPS; i++)
		total += F.have_dev || !dev_op(i) ? weight[i] : 0;
	k = below(r, total);
	for (i = 0; i < NR_OPS; i++) {
		unsigned int w = F.have_dev || !dev_op(i) ? weight[i] : 0;

		if (k < w)
			break;
		k -= w;
	}
	return i;
}

static void step(void)
{
	struct rng r = { .s = F.seed ^ ((uint64_t)F.iter * 0xd1342543de82ef95ULL) };
	enum op op;

	rnd(&r);
	op = pick_op(&r);
	/* Room for the fds a call may make. */
	if (free_slots() < 3)
		op = OP_CLOSE;
	F.op = op;
	switch (op) {
	case OP_OPEN_HEAP:
		op_open_heap(&r);
		break;
	case OP_OPEN_DEV:
		op_open_other(&r, K_DEV);
		break;
	case OP_OPEN_NULL:
		op_open_other(&r, K_NULL);
		break;
	case OP_ALLOC:
		op_alloc(&r);
		break;
	case OP_ALLOC_RAW:
		op_alloc_raw(&r);
		break;
	case OP_UNKNOWN:
		op_unknown_ioctl(&r);
		break;
	case OP_CROSS:
		op_cross_ioctl(&r);
		break;
	case OP_MMAP:
		op_mmap(&r);
		break;
	case OP_MUNMAP:
		op_munmap(&r);
		break;
	case OP_TOUCH:
		op_touch(&r);
		break;
	case OP_SYNC:
		op_buf_ioctl(&r, DMA_BUF_IOCTL_SYNC);
		break;
	case OP_NAME:
		op_buf_ioctl(&r, chance(&r, 50) ? DMA_BUF_SET_NAME_A : DMA_BUF_SET_NAME_B);
		break;
	case OP_POLL:
		op_poll(&r);
		break;
	case OP_EXPORT:
		op_buf_ioctl(&r, DMA_BUF_IOCTL_EXPORT_SYNC_FILE);
		break;
	case OP_IMPORT_SYNC:
		op_buf_ioctl(&r, DMA_BUF_IOCTL_IMPORT_SYNC_FILE);
		break;
	case OP_LSEEK:
		op_lseek(&r);
		break;
	case OP_RW:
		op_readwrite(&r);
		break;
	case OP_DEV_IMPORT:
		op_dev_ioctl(&r, TEST_DMABUF_IOCTL_IMPORT);
		break;
	case OP_DEV_MAP:
		op_dev_ioctl(&r, TEST_DMABUF_IOCTL_MAP);
		break;
	case OP_DEV_UNMAP:
		op_dev_ioctl(&r, TEST_DMABUF_IOCTL_UNMAP);
		break;
	case OP_DEV_SEGMENT:
		op_dev_ioctl(&r, TEST_DMABUF_IOCTL_SEGMENT);
		break;
	case OP_DEV_READ:
		op_dev_ioctl(&r, TEST_DMABUF_IOCTL_DEV_READ);
		break;
	case OP_DEV_WRITE:
		op_dev_ioctl(&r, TEST_DMABUF_IOCTL_DEV_WRITE);
		break;
	case OP_VMAP_READ:
		op_dev_ioctl(&r, TEST_DMABUF_IOCTL_VMAP_READ);
		break;
	case OP_DEV_RELEASE:
		op_dev_ioctl(&r, TEST_DMABUF_IOCTL_RELEASE);
		break;
	case OP_SET_LIMIT:
		op_dev_ioctl(&r, TEST_DMABUF_IOCTL_SET_LIMIT);
		break;
	case OP_DUP:
		op_dup(&r);
		break;
	default:
		op_close(&r);
		break;
	}
	if (!F.failed)
		check_cc_stats();
}

/* ---- setup, the run, and what must be back at the end ---------------------------- */

static uint64_t parse_u64(const char *s, uint64_t dflt)
{
	char *end;
	uint64_t v;

	if (!s || !*s)
		return dflt;
	errno = 0;
	v = strtoull(s, &end, 0);
	return errno || *end ? dflt : v;
}

static long long oom_kills(void)
{
	long long v = -1;

	return read_key("/proc/vmstat", "oom_kill", &v) ? -1 : v;
}

/* Does mmap with PROT_EXEC work on a dma-buf here? (7.x: noexec pseudo fs) */
static int probe_exec(void)
{
	void *p;
	int fd = -1, ret;

	ret = heap_alloc("system", PAGE_SZ, &fd);
	if (ret)
		return ret;
	p = mmap(NULL, PAGE_SZ, PROT_READ | PROT_EXEC, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED) {
		ret = -errno;
	} else {
		munmap(p, PAGE_SZ);
		ret = 0;
	}
	close(fd);
	F.exec_ok = !ret;
	return ret == -EPERM ? 0 : ret;
}

static int setup(void)
{
	const char *seed = getenv("CC_FUZZ_SEED");
	struct utsname u;
	long long kb = -1;
	long long slabs;
	int i, ret;

	if (seed && *seed) {
		F.seed = parse_u64(seed, 0);
	} else {
		struct timespec ts;

		clock_gettime(CLOCK_REALTIME, &ts);
		F.seed = ((uint64_t)ts.tv_sec << 32) ^ (uint64_t)ts.tv_nsec ^ ((uint64_t)getpid() << 16);
	}
	F.iters = parse_u64(getenv("CC_FUZZ_ITERS"), DEFAULT_ITERS);
	F.verbose = parse_u64(getenv("CC_FUZZ_VERBOSE"), 0);
	F.oversize = parse_u64(getenv("CC_FUZZ_OVERSIZE"), 0);
	F.have_cc = heap_present(heap_name[H_CC]);
	F.have_dev = path_exists(TEST_DEV);
	F.ours = F.have_cc && path_exists(HEAP_STATS);
	/* 7.3-dkms: ccheap-dkms's shared heap next to the kernel's own system heap */
	F.system_ours = F.ours && !parse_u64(getenv("CC_FUZZ_SYSTEM_MAINLINE"), 0);
	/* A CoCo guest bounces every mapping of private memory through swiotlb. */
	F.bounce = cc_boot_mode() == CC_BOOT_GUEST && emulated();
	F.sync_file = kconfig_has("SYNC_FILE");
	F.dma_debug = kconfig_has("DMA_API_DEBUG");
	if (uname(&u) == 0 && atoi(u.release) < 7)
		F.sync_oops = kconfig_has("DMABUF_DEBUG");
	if (read_key("/proc/meminfo", "MemTotal:", &kb) || kb <= 0)
		return -EIO;
	F.memtotal = (uint64_t)kb << 10;
	/* What swiotlb has free: an eighth of it is sure to take our mappings. */
	slabs = read_number(SWIOTLB_DIR "/io_tlb_nslabs");
	if (slabs > 0 && swiotlb_used() >= 0)
		slabs -= swiotlb_used();
	F.swiotlb_bytes = slabs > 0 ? (uint64_t)slabs * 2048 : 64ULL << 20;
	for (i = 0; i < MAX_FDS; i++)
		F.fds[i].fd = -1;
	F.nullfd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (F.nullfd < 0)
		return -errno;
	/* A number no fd of ours will reach. */
	for (F.closed_fd = 900; fcntl(F.closed_fd, F_GETFD) >= 0; F.closed_fd++)
		;
	ret = arena_init();
	if (ret)
		return ret;
	return probe_exec();
}

static void cleanup(void)
{
	int i;

	for (i = 0; i < MAX_MAPS; i++)
		if (F.maps[i].addr)
			unmap(&F.maps[i]);
	for (i = 0; i < MAX_FDS; i++)
		if (F.fds[i].fd >= 0)
			close_slot(i);
}

FIXTURE(fuzz) {
	long long buffers0, shared0, viol0, swiotlb0, oom0, leaked0;
};

FIXTURE_SETUP(fuzz)
{
	if (!heap_present("system"))
		SKIP(return, "no " HEAP_DIR "/system: kernel without the system heap");
	ASSERT_EQ(PAGE_SZ, (uint64_t)sysconf(_SC_PAGESIZE));
	ASSERT_EQ(0, setup());
	/* Start from an empty pool: its frames would count as shared. */
	drop_caches();
	self->buffers0 = heap_stat("buffers");
	self->leaked0 = heap_stat("leaked_pages");
	F.cc_buffers0 = self->buffers0;
	F.cc_bytes0 = heap_stat("shared_bytes");
	F.cc_live_checked = -1;
	self->shared0 = emu_stat("shared_frames");
	self->viol0 = emu_stat("violations");
	self->swiotlb0 = swiotlb_used();
	self->oom0 = oom_kills();
}

FIXTURE_TEARDOWN(fuzz)
{
}

TEST_F_TIMEOUT(fuzz, random_calls, 3600)
{
	long long shared = -1;
	struct timespec t0, t1;
	long done;
	int tries;

	note("cc-fuzz: seed 0x%016" PRIx64 " iterations %ld (CC_FUZZ_SEED=0x%" PRIx64 " reproduces)",
	     F.seed, F.iters, F.seed);
	note("cc-fuzz: heaps: system%s%s; test device: %s; %s; sync_file %s; "
	     "PROT_EXEC on dma-bufs %s%s%s%s",
	     F.have_cc ? ", system_cc_shared" : " only (no system_cc_shared in this boot)",
	     F.have_cc ? (F.ours ? " (with stats: ours)" : " (no stats: mainline)") : "",
	     F.have_dev ? "yes" : "no (its requests are left out)",
	     F.bounce ? "CoCo guest: system buffers bounce through swiotlb" : "no bouncing",
	     F.sync_file ? "yes" : "no", F.exec_ok ? "allowed" : "refused",
	     F.oversize ? "; lengths beyond RAM" : "",
	     F.dma_debug ? "; DMA-API debug: its false alarms avoided" : "",
	     F.sync_oops ? "; no SYNC of mapped buffers (6.12 DMABUF_DEBUG)" : "");

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (F.iter = 0; F.iter < F.iters && !F.failed; F.iter++)
		step();
	done = F.iter;
	F.op = NR_OPS;
	cleanup();
	check_cc_stats();
	clock_gettime(CLOCK_MONOTONIC, &t1);

	op_summary();
	note("cc-fuzz: %ld iterations, %ld calls, %ld failed as expected, seed 0x%016" PRIx64
	     ", %.1f s", done, F.calls, F.failed_ok, F.seed,
	     (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9);
	EXPECT_FALSE(F.failed);

	/* Nothing lost: buffers, shared frames, swiotlb slots; nothing reported. */
	if (self->buffers0 >= 0) {
		EXPECT_EQ(self->buffers0, heap_stat("buffers"));
		EXPECT_EQ(self->leaked0, heap_stat("leaked_pages"));
	}
	if (self->shared0 >= 0) {
		for (tries = 0; tries < 10; tries++) {
			drop_caches();
			shared = emu_stat("shared_frames");
			if (shared <= self->shared0)
				break;
			usleep(100000);
		}
		EXPECT_EQ(self->shared0, shared) TH_LOG("shared frames after drop_caches");
		EXPECT_EQ(self->viol0, emu_stat("violations"));
	}
	EXPECT_EQ(self->swiotlb0, swiotlb_used());
	EXPECT_EQ(self->oom0, oom_kills());
}

TEST_HARNESS_MAIN
