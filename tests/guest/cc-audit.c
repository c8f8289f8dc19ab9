// SPDX-License-Identifier: GPL-2.0
/*
 * The CoCo emulation's mapping audit (cc_emu/audit), at the moments that
 * matter for shared memory:
 *  - after mmap() and after vmap (dma_buf_vmap() through the test device)
 *    of a system_cc_shared buffer: its entries are decrypted, and counted;
 *  - after mprotect(), mremap() and fork() of such a mapping;
 *  - after the pool hands a reused block to a new buffer, and after the
 *    shrinker gives blocks back;
 *  - a plain system heap buffer is mapped encrypted;
 *  - wrong mappings made on purpose by the test device (a shared page
 *    mapped encrypted, a private page mapped decrypted, in vmalloc space
 *    and in user space) are each found exactly once, with their pfn.
 * Each reading of cc_emu/audit is one walk of every page table.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/dma-buf.h>
#include <linux/dma-heap.h>

#include "kselftest_harness.h"
#include "test_dmabuf_uapi.h"
#include "ccheap_test.h"

#define AUDIT EMU_DIR "/audit"

struct audit {
	char pte[16];
	long long processes;
	long long direct_entries, direct_shared;
	long long vmalloc_entries, vmalloc_shared;
	long long user_entries, user_shared;
	long long shared_encrypted, private_decrypted, violations;
};

/* Where the value of KEY goes, or NULL. */
static long long *audit_field(struct audit *a, const char *key)
{
	if (!strcmp(key, "processes"))
		return &a->processes;
	if (!strcmp(key, "direct_entries"))
		return &a->direct_entries;
	if (!strcmp(key, "direct_shared"))
		return &a->direct_shared;
	if (!strcmp(key, "vmalloc_entries"))
		return &a->vmalloc_entries;
	if (!strcmp(key, "vmalloc_shared"))
		return &a->vmalloc_shared;
	if (!strcmp(key, "user_entries"))
		return &a->user_entries;
	if (!strcmp(key, "user_shared"))
		return &a->user_shared;
	if (!strcmp(key, "violation_mapping_shared_encrypted"))
		return &a->shared_encrypted;
	if (!strcmp(key, "violation_mapping_private_decrypted"))
		return &a->private_decrypted;
	if (!strcmp(key, "violations"))
		return &a->violations;
	return NULL;
}

#define AUDIT_FIELDS	10

/* One walk: read cc_emu/audit once and parse it. */
static int audit_run(struct audit *a)
{
	char line[256], k[64], word[16];
	unsigned int found = 0;
	long long v, *field;
	int ret = 0;
	FILE *f;

	memset(a, 0, sizeof(*a));
	f = fopen(AUDIT, "r");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "pte %15s", word) == 1) {
			strcpy(a->pte, word);
			continue;
		}
		if (sscanf(line, "%63s %lld", k, &v) != 2)
			continue;
		field = audit_field(a, k);
		if (field) {
			*field = v;
			found++;
		}
	}
	/* A walk that fails (ENODEV without the bit) fails the read. */
	if (ferror(f))
		ret = -errno ?: -EIO;
	fclose(f);
	if (ret)
		return ret;
	return found == AUDIT_FIELDS ? 0 : -EPROTO;
}

/* Fill and read back a mapping, so that every page has its entry. */
static void touch(volatile uint8_t *p, size_t len, uint8_t val)
{
	size_t i;

	for (i = 0; i < len; i += 4096)
		p[i] = val;
}

static size_t pages(size_t len)
{
	return len / 4096;
}

FIXTURE(audit) {
	struct audit base;
};

FIXTURE_SETUP(audit)
{
	int ret;

	if (!emulated())
		SKIP(return, "not booted with cc_emulation=on");
	ret = audit_run(&self->base);
	if (ret == -ENODEV)
		SKIP(return, "the emulation has no encryption bit (pte=none)");
	if (ret == -ENOENT)
		SKIP(return, "no cc_emu/audit in this kernel");
	ASSERT_EQ(0, ret);
	ASSERT_EQ(0, self->base.violations);
}

FIXTURE_TEARDOWN(audit)
{
}

/* The boot's own mappings: swiotlb's pool is shared, and mapped so. */
TEST_F(audit, boot_state_is_clean)
{
	struct audit *a = &self->base;

	EXPECT_TRUE(!strcmp(a->pte, "tdx") || !strcmp(a->pte, "snp"));
	EXPECT_GT(a->direct_entries, 0);
	EXPECT_GT(a->direct_shared, 0);
	EXPECT_GT(a->vmalloc_entries, 0);
	EXPECT_GE(a->processes, 1);
	EXPECT_GT(a->user_entries, 0);
	EXPECT_EQ(0, a->shared_encrypted);
	EXPECT_EQ(0, a->private_decrypted);
}

/* mmap() of a shared buffer: one decrypted entry per page. */
TEST_F(audit, cc_shared_mmap_is_decrypted)
{
	size_t len = SZ_1M + 64 * 1024;
	struct audit a;
	uint8_t *p;
	int buf = -1;

	NEED_EMULATED_HEAP("system_cc_shared");
	ASSERT_EQ(0, heap_alloc("system_cc_shared", len, &buf));
	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, buf, 0);
	ASSERT_NE(MAP_FAILED, p);
	touch(p, len, 0x11);
	ASSERT_EQ(0, audit_run(&a));
	EXPECT_EQ(0, a.violations);
	EXPECT_GE(a.user_shared - self->base.user_shared, (long long)pages(len));
	munmap(p, len);
	close(buf);
	ASSERT_EQ(0, audit_run(&a));
	EXPECT_EQ(0, a.violations);
	EXPECT_EQ(a.user_shared, self->base.user_shared);
}

/* The plain system heap's buffers are private, and mapped encrypted. */
TEST_F(audit, system_mmap_is_encrypted)
{
	size_t len = SZ_1M;
	struct audit a;
	uint8_t *p;
	int buf = -1;

	if (!heap_present("system"))
		SKIP(return, "no system heap");
	ASSERT_EQ(0, heap_alloc("system", len, &buf));
	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, buf, 0);
	ASSERT_NE(MAP_FAILED, p);
	touch(p, len, 0x22);
	ASSERT_EQ(0, audit_run(&a));
	EXPECT_EQ(0, a.violations);
	EXPECT_GE(a.user_entries - self->base.user_entries, (long long)pages(len));
	EXPECT_EQ(a.user_shared, self->base.user_shared);
	munmap(p, len);
	close(buf);
}

/* dma_buf_vmap() of a shared buffer, held by the test device. */
TEST_F(audit, cc_shared_vmap_is_decrypted)
{
	size_t len = SZ_1M;
	uint8_t data[64];
	struct audit a;
	int buf = -1, dev = -1;

	NEED_EMULATED_HEAP("system_cc_shared");
	if (!path_exists(TEST_DEV))
		SKIP(return, "no " TEST_DEV);
	ASSERT_EQ(0, heap_alloc("system_cc_shared", len, &buf));
	ASSERT_EQ(0, dev_import(buf, &dev));
	ASSERT_EQ(0, xioctl(dev, TEST_DMABUF_IOCTL_VMAP_HOLD, NULL));
	ASSERT_EQ(-EBUSY, xioctl(dev, TEST_DMABUF_IOCTL_VMAP_HOLD, NULL));
	ASSERT_EQ(0, dev_rw(dev, TEST_DMABUF_IOCTL_VMAP_READ, 0, data, sizeof(data)));
	ASSERT_EQ(0, audit_run(&a));
	EXPECT_EQ(0, a.violations);
	EXPECT_GE(a.vmalloc_shared - self->base.vmalloc_shared, (long long)pages(len));
	close(dev);
	close(buf);
	ASSERT_EQ(0, audit_run(&a));
	EXPECT_EQ(0, a.violations);
	EXPECT_EQ(a.vmalloc_shared, self->base.vmalloc_shared);
}

/* mprotect() keeps the bit, down to PROT_NONE and back. */
TEST_F(audit, mprotect_keeps_the_bit)
{
	static const int prots[] = { PROT_READ, PROT_NONE, PROT_READ | PROT_WRITE };
	size_t len = 256 * 1024;
	struct audit a;
	unsigned int i;
	uint8_t *p;
	int buf = -1;

	NEED_EMULATED_HEAP("system_cc_shared");
	ASSERT_EQ(0, heap_alloc("system_cc_shared", len, &buf));
	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, buf, 0);
	ASSERT_NE(MAP_FAILED, p);
	touch(p, len, 0x33);
	for (i = 0; i < sizeof(prots) / sizeof(prots[0]); i++) {
		ASSERT_EQ(0, mprotect(p, len, prots[i]));
		ASSERT_EQ(0, audit_run(&a));
		EXPECT_EQ(0, a.violations);
		EXPECT_GE(a.user_shared - self->base.user_shared, (long long)pages(len));
	}
	touch(p, len, 0x44);
	EXPECT_EQ(0x44, p[len - 4096]);
	munmap(p, len);
	close(buf);
}

/* mremap() moves the entries with their bit. */
TEST_F(audit, mremap_keeps_the_bit)
{
	size_t len = 256 * 1024;
	uint8_t *p, *q, *hole;
	struct audit a;
	int buf = -1;

	NEED_EMULATED_HEAP("system_cc_shared");
	ASSERT_EQ(0, heap_alloc("system_cc_shared", len, &buf));
	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, buf, 0);
	ASSERT_NE(MAP_FAILED, p);
	touch(p, len, 0x55);
	hole = mmap(NULL, len, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, hole);
	q = mremap(p, len, len, MREMAP_MAYMOVE | MREMAP_FIXED, hole);
	ASSERT_EQ(hole, q);
	EXPECT_EQ(0x55, q[len - 4096]);
	ASSERT_EQ(0, audit_run(&a));
	EXPECT_EQ(0, a.violations);
	EXPECT_GE(a.user_shared - self->base.user_shared, (long long)pages(len));
	munmap(q, len);
	close(buf);
}

/* fork(): the child's entries for the mapping are decrypted too. */
TEST_F(audit, fork_keeps_the_bit)
{
	size_t len = 256 * 1024;
	int ready[2], done[2], status;
	struct audit a;
	uint8_t *p;
	char c = 0;
	pid_t pid;
	int buf = -1;

	NEED_EMULATED_HEAP("system_cc_shared");
	ASSERT_EQ(0, heap_alloc("system_cc_shared", len, &buf));
	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, buf, 0);
	ASSERT_NE(MAP_FAILED, p);
	touch(p, len, 0x66);
	ASSERT_EQ(0, pipe(ready));
	ASSERT_EQ(0, pipe(done));
	pid = fork();
	ASSERT_GE(pid, 0);
	if (!pid) {
		/* Faults in what fork() did not copy. */
		touch(p, len, 0x77);
		if (write(ready[1], &c, 1) != 1 || read(done[0], &c, 1) != 1)
			_exit(1);
		_exit(0);
	}
	ASSERT_EQ(1, read(ready[0], &c, 1));
	EXPECT_EQ(0, audit_run(&a));
	EXPECT_EQ(0, a.violations);
	EXPECT_GE(a.user_shared - self->base.user_shared, 2 * (long long)pages(len));
	EXPECT_EQ(0x77, p[0]);
	ASSERT_EQ(1, write(done[1], &c, 1));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status) && !WEXITSTATUS(status));
	munmap(p, len);
	close(buf);
	close(ready[0]);
	close(ready[1]);
	close(done[0]);
	close(done[1]);
}

/*
 * A block the pool hands to a new buffer, and blocks the shrinker gives
 * back: the direct map follows each conversion, and a freed buffer's
 * pages are mapped nowhere else.
 */
TEST_F(audit, pool_reuse_and_shrink)
{
	size_t len = 64 * 1024;
	struct audit a, held;
	uint8_t *p;
	int buf = -1, i;

	NEED_EMULATED_HEAP("system_cc_shared");
	for (i = 0; i < 2; i++) {
		ASSERT_EQ(0, heap_alloc("system_cc_shared", len, &buf));
		p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, buf, 0);
		ASSERT_NE(MAP_FAILED, p);
		touch(p, len, 0x10 + i);
		ASSERT_EQ(0, audit_run(&a));
		EXPECT_EQ(0, a.violations);
		EXPECT_GE(a.user_shared - self->base.user_shared, (long long)pages(len));
		munmap(p, len);
		close(buf);
	}
	ASSERT_EQ(0, audit_run(&held));
	EXPECT_EQ(0, held.violations);
	ASSERT_EQ(0, drop_caches());
	ASSERT_EQ(0, audit_run(&a));
	EXPECT_EQ(0, a.violations);
	EXPECT_LE(a.direct_shared, held.direct_shared);
}

/*
 * The test device's wrong mappings: each is found once, as its kind, at
 * its pfn; once undone, the audit is clean again. In a TDX-like boot the
 * wrong entries lack or carry the shared bit, in an SNP-like one the
 * C-bit: both polarities run this test.
 */
TEST_F(audit, wrong_mappings_caught)
{
	static const struct {
		unsigned int kind;
		bool user, shared;
	} cases[] = {
		{ TEST_DMABUF_WRONG_VMAP_SHARED, false, true },
		{ TEST_DMABUF_WRONG_VMAP_PRIVATE, false, false },
		{ TEST_DMABUF_WRONG_USER_SHARED, true, true },
		{ TEST_DMABUF_WRONG_USER_PRIVATE, true, false },
	};
	unsigned int i;

	if (!path_exists(TEST_DEV))
		SKIP(return, "no " TEST_DEV);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct test_dmabuf_wrong_map w = { .kind = cases[i].kind };
		struct audit a;
		uint8_t *p = NULL;
		int dev;

		dev = open(TEST_DEV, O_RDWR | O_CLOEXEC);
		ASSERT_LE(0, dev);
		ASSERT_EQ(0, xioctl(dev, TEST_DMABUF_IOCTL_WRONG_MAP, &w));
		EXPECT_NE(0ULL, (unsigned long long)w.pfn);
		EXPECT_EQ(!cases[i].user, w.vaddr != 0);
		EXPECT_EQ(-EBUSY, xioctl(dev, TEST_DMABUF_IOCTL_WRONG_MAP, &w));
		if (cases[i].user) {
			p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, dev, 0);
			ASSERT_NE(MAP_FAILED, p);
			touch(p, 4096, 0x99);
		} else {
			/* No user mapping without a USER kind. */
			EXPECT_EQ(MAP_FAILED, mmap(NULL, 4096, PROT_READ, MAP_SHARED, dev, 0));
			EXPECT_EQ(ENODEV, errno);
		}
		ASSERT_EQ(0, audit_run(&a));
		TH_LOG("kind %u: pfn %#llx, %lld shared encrypted, %lld private decrypted",
		       cases[i].kind, (unsigned long long)w.pfn, a.shared_encrypted,
		       a.private_decrypted);
		EXPECT_EQ(cases[i].shared ? 1 : 0, a.shared_encrypted);
		EXPECT_EQ(cases[i].shared ? 0 : 1, a.private_decrypted);
		EXPECT_EQ(1, a.violations);
		if (p)
			munmap(p, 4096);
		close(dev);
		ASSERT_EQ(0, audit_run(&a));
		EXPECT_EQ(0, a.violations);
	}
}

/* Bad arguments of the wrong-mapping ioctl and of the device's mmap(). */
TEST_F(audit, wrong_map_bad_input)
{
	struct test_dmabuf_wrong_map w = { 0 };
	int dev;

	if (!path_exists(TEST_DEV))
		SKIP(return, "no " TEST_DEV);
	dev = open(TEST_DEV, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, dev);
	EXPECT_EQ(-EINVAL, xioctl(dev, TEST_DMABUF_IOCTL_WRONG_MAP, &w));
	w.kind = TEST_DMABUF_WRONG_USER_PRIVATE + 1;
	EXPECT_EQ(-EINVAL, xioctl(dev, TEST_DMABUF_IOCTL_WRONG_MAP, &w));
	w.kind = TEST_DMABUF_WRONG_USER_SHARED;
	w.flags = 1;
	EXPECT_EQ(-EINVAL, xioctl(dev, TEST_DMABUF_IOCTL_WRONG_MAP, &w));
	EXPECT_EQ(-EFAULT, xioctl(dev, TEST_DMABUF_IOCTL_WRONG_MAP, (void *)8));
	EXPECT_EQ(MAP_FAILED, mmap(NULL, 4096, PROT_READ, MAP_SHARED, dev, 0));
	EXPECT_EQ(ENODEV, errno);
	EXPECT_EQ(-ENOENT, xioctl(dev, TEST_DMABUF_IOCTL_VMAP_HOLD, NULL));
	close(dev);
}

TEST_HARNESS_MAIN
