/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the ccheap guest tests: heap allocation, the emulator's
 * debugfs counters, the test device, and what the kernel was built with.
 * Functions return 0 or -errno.
 */
#ifndef CCHEAP_TEST_H
#define CCHEAP_TEST_H

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>
#include <linux/dma-buf.h>
#include <linux/dma-heap.h>

#include "test_dmabuf_uapi.h"

#define HEAP_DIR	"/dev/dma_heap"
#define EMU_DIR		"/sys/kernel/debug/cc_emu"
#define SWIOTLB_DIR	"/sys/kernel/debug/swiotlb"
#define KCONFIG		"/etc/ccheap/kconfig"
#define TEST_DEV	"/dev/test_dmabuf"
#define SZ_1M		(1UL << 20)
#define SZ_2M		(2UL << 20)

static inline bool path_exists(const char *path)
{
	return access(path, F_OK) == 0;
}

/* Is CONFIG_<sym>=y in the kernel under test? (The runner ships .config.) */
static inline bool kconfig_has(const char *sym)
{
	char line[256], want[128];
	bool found = false;
	FILE *f = fopen(KCONFIG, "r");

	if (!f)
		return false;
	snprintf(want, sizeof(want), "CONFIG_%s=y\n", sym);
	while (!found && fgets(line, sizeof(line), f))
		found = !strcmp(line, want);
	fclose(f);
	return found;
}

/* Was the kernel booted with this word on its command line? */
static inline bool cmdline_has(const char *word)
{
	char buf[4096], *tok, *save;
	ssize_t n;
	int fd = open("/proc/cmdline", O_RDONLY);

	if (fd < 0)
		return false;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return false;
	buf[n] = '\0';
	for (tok = strtok_r(buf, " \n", &save); tok; tok = strtok_r(NULL, " \n", &save))
		if (!strcmp(tok, word))
			return true;
	return false;
}

static inline bool emulated(void)
{
	return path_exists(EMU_DIR "/stats");
}

enum cc_boot { CC_BOOT_PLAIN, CC_BOOT_GUEST, CC_BOOT_HOST };

/* What cc_emulation= asked for: nothing, a confidential guest, or an SME-like host. */
static inline enum cc_boot cc_boot_mode(void)
{
	char buf[4096], *tok, *save, *opt, *osave;
	enum cc_boot mode = CC_BOOT_PLAIN;
	ssize_t n;
	int fd = open("/proc/cmdline", O_RDONLY);

	if (fd < 0)
		return CC_BOOT_PLAIN;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return CC_BOOT_PLAIN;
	buf[n] = '\0';
	for (tok = strtok_r(buf, " \n", &save); tok; tok = strtok_r(NULL, " \n", &save)) {
		bool on = false, host = false;

		if (strncmp(tok, "cc_emulation=", 13))
			continue;
		for (opt = strtok_r(tok + 13, ",", &osave); opt; opt = strtok_r(NULL, ",", &osave)) {
			on = !strcmp(opt, "on") || (on && strcmp(opt, "off"));
			host = host || !strcmp(opt, "host");
		}
		mode = !on ? CC_BOOT_PLAIN : host ? CC_BOOT_HOST : CC_BOOT_GUEST;
	}
	return mode;
}

static inline int heap_alloc(const char *name, size_t len, int *fd)
{
	struct dma_heap_allocation_data data = {
		.len = len,
		.fd_flags = O_RDWR | O_CLOEXEC,
	};
	char path[256];
	int heap, ret;

	snprintf(path, sizeof(path), HEAP_DIR "/%s", name);
	heap = open(path, O_RDONLY | O_CLOEXEC);
	if (heap < 0)
		return -errno;
	ret = ioctl(heap, DMA_HEAP_IOCTL_ALLOC, &data);
	ret = ret < 0 ? -errno : 0;
	close(heap);
	if (!ret)
		*fd = data.fd;
	return ret;
}

static inline bool heap_present(const char *name)
{
	char path[256];

	snprintf(path, sizeof(path), HEAP_DIR "/%s", name);
	return path_exists(path);
}

/*
 * The prologue of a test that needs an emulated confidential guest with
 * HEAP (a string literal): skips with the reason otherwise. For test and
 * fixture bodies, after kselftest_harness.h.
 */
#define NEED_EMULATED_HEAP(heap) do { \
	if (!emulated()) \
		SKIP(return, "not booted with cc_emulation=on"); \
	if (!heap_present(heap)) \
		SKIP(return, "no " heap " heap"); \
} while (0)

/* Read "key value" from a file of such lines (emulator stats). */
static inline int read_key(const char *path, const char *key, long long *val)
{
	char line[256], k[128];
	long long v;
	int ret = -ENOENT;
	FILE *f = fopen(path, "r");

	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%127s %lld", k, &v) == 2 && !strcmp(k, key)) {
			*val = v;
			ret = 0;
			break;
		}
	}
	fclose(f);
	return ret;
}

static inline long long emu_stat(const char *key)
{
	long long v = -1;

	if (read_key(EMU_DIR "/stats", key, &v))
		return -1;
	return v;
}

/* A /proc/meminfo value, in KiB, or -1. */
static inline long long meminfo_kb(const char *key)
{
	char line[256], k[64];
	long long v, found = -1;
	FILE *f = fopen("/proc/meminfo", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "%63[^:]: %lld", k, &v) == 2 && !strcmp(k, key))
			found = v;
	fclose(f);
	return found;
}

/* Read a file holding one number (debugfs). */
static inline long long read_number(const char *path)
{
	char buf[64];
	ssize_t n;
	int fd = open(path, O_RDONLY);

	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	return strtoll(buf, NULL, 0);
}

/*
 * Read the first word of a file holding a string parameter ("snp\n", "Y\n",
 * "128\n") into @buf (NUL-terminated, at most @size - 1 bytes, no white
 * space). Returns 0, -errno if the file cannot be read, -ENODATA if it is
 * empty and -EOVERFLOW if the word does not fit.
 */
static inline int read_word(const char *path, char *buf, size_t size)
{
	char tmp[256];
	size_t len;
	ssize_t n;
	int fd;

	if (!size)
		return -EINVAL;
	buf[0] = '\0';
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, tmp, sizeof(tmp) - 1);
	if (n < 0)
		n = -errno;
	close(fd);
	if (n < 0)
		return n;
	tmp[n] = '\0';
	len = strcspn(tmp, " \t\n");
	if (!len)
		return -ENODATA;
	if (len >= size)
		return -EOVERFLOW;
	memcpy(buf, tmp, len);
	buf[len] = '\0';
	return 0;
}

static inline int write_string(const char *path, const char *s)
{
	ssize_t n;
	int fd = open(path, O_WRONLY);

	if (fd < 0)
		return -errno;
	n = write(fd, s, strlen(s));
	n = n < 0 ? -errno : 0;
	close(fd);
	return n;
}

/* swiotlb slots in use now, or -1 */
static inline long long swiotlb_used(void)
{
	return read_number(SWIOTLB_DIR "/io_tlb_used");
}

/* ioctl wrapper returning 0 or -errno */
static inline int xioctl(int fd, unsigned long req, void *arg)
{
	return ioctl(fd, req, arg) < 0 ? -errno : 0;
}

/* Open the test device and import @buf into it. */
static inline int dev_import(int buf, int *dev)
{
	struct test_dmabuf_import imp = { .fd = buf };
	int ret;

	*dev = open(TEST_DEV, O_RDWR | O_CLOEXEC);
	if (*dev < 0)
		return -errno;
	ret = xioctl(*dev, TEST_DMABUF_IOCTL_IMPORT, &imp);
	if (ret)
		close(*dev);
	return ret;
}

static inline int dev_rw(int dev, unsigned long req, uint64_t off, void *p, uint64_t len)
{
	struct test_dmabuf_rw rw = {
		.offset = off,
		.len = len,
		.ptr = (uintptr_t)p,
	};

	return xioctl(dev, req, &rw);
}

static inline size_t count_not(const uint8_t *p, size_t len, uint8_t val)
{
	size_t i, n = 0;

	for (i = 0; i < len; i++)
		n += p[i] != val;
	return n;
}

/*
 * Conversion failures, through the emulator's fault attribute cc_emu/fail
 * (the kernel's fault-injection framework). should_fail() is called with
 * size 1, so "space" counts conversions.
 */
#define EMU_FAIL_DIR	EMU_DIR "/fail"

static inline int emu_fail_write(const char *file, const char *val)
{
	char path[128];

	snprintf(path, sizeof(path), EMU_FAIL_DIR "/%s", file);
	return write_string(path, val);
}

static inline void inject_off(void)
{
	emu_fail_write("probability", "0");
	emu_fail_write("times", "0");
	/* A debugfs u32: a negative errno is written as its two's complement. */
	write_string(EMU_DIR "/fail_errno", "4294967291");
	write_string("/proc/self/make-it-fail", "0");
}

/* Make the nth conversion from now, in this task only, fail with @err. */
static inline int inject_nth(int nth, int err)
{
	char buf[32];
	int ret;

	inject_off();
	snprintf(buf, sizeof(buf), "%u", (unsigned int)err);
	ret = write_string(EMU_DIR "/fail_errno", buf);
	ret = ret ?: emu_fail_write("interval", "1");
	ret = ret ?: emu_fail_write("times", "1");
	snprintf(buf, sizeof(buf), "%d", nth);
	ret = ret ?: emu_fail_write("space", buf);
	ret = ret ?: emu_fail_write("task-filter", "Y");
	ret = ret ?: emu_fail_write("verbose", "0");
	ret = ret ?: write_string("/proc/self/make-it-fail", "1");
	ret = ret ?: emu_fail_write("probability", "100");
	return ret;
}

/* "tdx" or "snp": how this boot's failed conversions leave their range. */
static inline bool shape_is_snp(void)
{
	char buf[16];

	return !read_word(EMU_DIR "/fail_shape", buf, sizeof(buf)) && !strcmp(buf, "snp");
}

#define HEAP_STATS	"/sys/kernel/debug/dma_heap/system_cc_shared/stats"
#define POOL_MAX_MB	"/sys/module/system_cc_shared/parameters/pool_max_mb"

static inline long long heap_stat(const char *key)
{
	long long v = -1;

	if (read_key(HEAP_STATS, key, &v))
		return -1;
	return v;
}

/*
 * The pool's cap as the kernel shows it ("128"), to be written back after
 * a test changed it; 0, or -errno without a pool.
 */
static inline int pool_max_save(char *buf, size_t size)
{
	return read_word(POOL_MAX_MB, buf, size);
}

/* Empty the pool of shared blocks (the shrinker runs on drop_caches). */
static inline int drop_caches(void)
{
	return write_string("/proc/sys/vm/drop_caches", "2");
}

/*
 * The kernel's own fault attributes for slab and page allocation
 * (CONFIG_FAILSLAB, CONFIG_FAIL_PAGE_ALLOC), in debugfs.
 */
#define FAILSLAB_DIR	"/sys/kernel/debug/failslab"
#define FAIL_PAGE_DIR	"/sys/kernel/debug/fail_page_alloc"

static inline int attr_write(const char *dir, const char *file, const char *val)
{
	char path[160];

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	return write_string(path, val);
}

/* A fault attribute's common settings: all of them, so none is left over. */
static inline int attr_set(const char *dir, unsigned int probability, const char *times,
			   const char *space, const char *verbose, bool task_filter)
{
	char buf[16];
	int ret;

	ret = attr_write(dir, "probability", "0");
	ret = ret ?: attr_write(dir, "interval", "1");
	ret = ret ?: attr_write(dir, "times", times);
	ret = ret ?: attr_write(dir, "space", space);
	ret = ret ?: attr_write(dir, "verbose", verbose);
	ret = ret ?: attr_write(dir, "task-filter", task_filter ? "Y" : "N");
	snprintf(buf, sizeof(buf), "%u", probability);
	return ret ?: attr_write(dir, "probability", buf);
}

/*
 * Which allocations failslab and fail_page_alloc consider at all (calls
 * they do not consider do not count for fail-nth either): @slab, @page
 * false leaves each out entirely; true takes every allocation that may
 * sleep too, of any order.
 */
static inline int alloc_faults_scope(bool slab, bool page)
{
	int ret;

	ret = attr_write(FAILSLAB_DIR, "ignore-gfp-wait", slab ? "N" : "Y");
	/* No cache is marked for failslab: the cache filter leaves all out. */
	ret = ret ?: attr_write(FAILSLAB_DIR, "cache-filter", slab ? "N" : "Y");
	ret = ret ?: attr_write(FAIL_PAGE_DIR, "ignore-gfp-wait", page ? "N" : "Y");
	ret = ret ?: attr_write(FAIL_PAGE_DIR, "ignore-gfp-highmem", page ? "N" : "Y");
	/* Above MAX_PAGE_ORDER: no allocation is of that order. */
	return ret ?: attr_write(FAIL_PAGE_DIR, "min-order", page ? "0" : "11");
}

/* Back to the kernel's defaults: nothing fails, nothing is considered. */
static inline void alloc_faults_off(void)
{
	attr_set(FAILSLAB_DIR, 0, "1", "0", "2", false);
	attr_set(FAIL_PAGE_DIR, 0, "1", "0", "2", false);
	attr_write(FAILSLAB_DIR, "ignore-gfp-wait", "Y");
	attr_write(FAILSLAB_DIR, "cache-filter", "N");
	attr_write(FAIL_PAGE_DIR, "ignore-gfp-wait", "Y");
	attr_write(FAIL_PAGE_DIR, "ignore-gfp-highmem", "Y");
	attr_write(FAIL_PAGE_DIR, "min-order", "1");
}

#endif /* CCHEAP_TEST_H */
