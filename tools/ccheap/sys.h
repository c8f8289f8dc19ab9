/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ccheap: what the kernel tells us. Every signal is optional; a missing one
 * means "not available", never an error.
 *
 * All paths are absolute paths of the running system. The unit tests put a
 * fake tree under a root directory with sys_set_root().
 */
#ifndef CCHEAP_SYS_H
#define CCHEAP_SYS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define HEAP_DIR		"/dev/dma_heap"
#define HEAP_SYSTEM		"system"
#define HEAP_SHARED		"system_cc_shared"	/* mainline name */
#define HEAP_SHARED_EARLY	"system_cc_decrypted"	/* early name */
#define EMU_STATS		"/sys/kernel/debug/cc_emu/stats"
#define HEAP_STATS		"/sys/kernel/debug/dma_heap/system_cc_shared/stats"
#define HEAP_STATS_OLD		"/sys/kernel/debug/system_cc_shared/stats"
#define POOL_MAX_MB		"/sys/module/system_cc_shared/parameters/pool_max_mb"
/* ccheap-dkms's module: only a loadable module has an initstate */
#define MODULE_NAME		"system_cc_shared"
#define MODULE_INITSTATE	"/sys/module/system_cc_shared/initstate"
#define MODULE_DKMS_DIR		"/lib/modules/%s/updates/dkms"
#define DROP_CACHES		"/proc/sys/vm/drop_caches"
#define SWIOTLB_NSLABS		"/sys/kernel/debug/swiotlb/io_tlb_nslabs"
#define SWIOTLB_USED		"/sys/kernel/debug/swiotlb/io_tlb_used"
#define SWIOTLB_SLAB_BYTES	2048
#define TEST_DEV		"/dev/test_dmabuf"
#define CLOCKSOURCE		\
	"/sys/devices/system/clocksource/clocksource0/current_clocksource"

#define SYS_KEY_MAX		48
#define SYS_KV_MAX		64
#define SYS_MAX_HEAPS		32
#define SYS_MAX_PROBES		14
#define SYS_DETAIL_MAX		96
#define SYS_NAME_MAX		256

enum coco_kind {
	COCO_NONE,
	COCO_EMULATED,
	COCO_SEV_SNP,
	COCO_TDX,
	COCO_ARM_CCA,
};

/* "key value" lines of a debugfs stats file */
struct kv {
	char key[SYS_KEY_MAX];
	long long val;
};

struct kvset {
	unsigned int n;
	struct kv v[SYS_KV_MAX];
};

enum probe_state {
	PROBE_ABSENT,
	PROBE_PRESENT,
	PROBE_UNREADABLE,	/* exists or may exist, but could not be read */
};

/* One signal that was looked at */
struct probe {
	const char *name;	/* stable identifier */
	const char *path;	/* file, or "uname(2)" */
	enum probe_state state;
	char detail[SYS_DETAIL_MAX];
};

enum heap_role {
	HEAP_ROLE_SYSTEM,
	HEAP_ROLE_SHARED,
	HEAP_ROLE_OTHER,
};

struct heap_entry {
	char name[SYS_NAME_MAX];
	enum heap_role role;
	const char *naming;	/* shared heap: "mainline" or "early" */
};

enum shared_reason {
	SHARED_PRESENT,
	SHARED_NOT_COCO,	/* not a CoCo guest */
	SHARED_NO_HEAP_DIR,	/* CoCo guest, /dev/dma_heap missing */
	SHARED_KERNEL_LACKS,	/* CoCo guest, heaps but not this one */
};

/* ccheap-dkms's module system_cc_shared.ko */
enum module_state {
	MODULE_ABSENT,		/* not loaded, not installed for this kernel */
	MODULE_INSTALLED,	/* installed by DKMS, not loaded */
	MODULE_LOADED,
};

struct ccheap_sys {
	enum coco_kind kind;
	char machine[65];
	struct probe probes[SYS_MAX_PROBES];
	unsigned int nr_probes;
	bool heap_dir;			/* /dev/dma_heap exists */
	struct heap_entry heaps[SYS_MAX_HEAPS];
	unsigned int nr_heaps;
	bool heaps_truncated;		/* more than SYS_MAX_HEAPS */
	const char *shared;		/* the shared heap's name, or NULL */
	enum shared_reason reason;
	bool emu_unreadable;		/* debugfs hid cc_emu: not root? */
	long long nslabs, used;		/* swiotlb slabs, -1 if unknown */
	bool forced;			/* swiotlb bounces all DMA */
	const char *forced_why;		/* "coco_guest", "cmdline" or NULL */
	bool test_dev;			/* /dev/test_dmabuf exists */
	bool emu;			/* emulator counters read */
	struct kvset emu_stats;
	bool heap_stats_ok;		/* heap counters read */
	const char *heap_stats_path;	/* HEAP_STATS or HEAP_STATS_OLD */
	struct kvset heap_stats;
	enum module_state module;
	char module_path[SYS_NAME_MAX];	/* the .ko found, or "" */
};

/* Tests: look under @root, pretend uname -m is @machine (NULL: real). */
void sys_set_root(const char *root, const char *machine);
/* Tests: pretend uname -r is @release (NULL: real). */
void sys_set_release(const char *release);
/* @path under the root; 0 or -ENAMETOOLONG */
int sys_path(char *buf, size_t len, const char *path);
/* stat() @path: 0 or -errno */
int sys_stat(const char *path);

/* Read a stats file of "key value" lines: 0 or -errno */
int kv_read(const char *path, struct kvset *set);
/* 0 and *val, or -ENOENT */
int kv_get(const struct kvset *set, const char *key, long long *val);
/*
 * The shared heap's counters: HEAP_STATS, else the older HEAP_STATS_OLD.
 * 0 or -errno; *path (if not NULL) is the file read, or HEAP_STATS.
 */
int heap_stats_read(struct kvset *set, const char **path);
/* A file holding one non-negative number: 0 or -errno */
int sys_read_number(const char *path, long long *val);

/* Write @text to @path (a /proc or /sys file): 0 or -errno */
int sys_write_str(const char *path, const char *text);

/* MemTotal of /proc/meminfo in bytes: 0 or -errno */
int sys_mem_total(uint64_t *bytes);

/* The /proc/meminfo value of @key ("DirectMap4k"), in kB: 0 or -errno */
int sys_meminfo_kb(const char *key, long long *kb);

/* The current clocksource ("tsc", "refined-jiffies"...): 0 or -errno */
int sys_clocksource(char *buf, size_t len);

/* Look at everything; 0 or -errno for unexpected failures only. */
int sys_probe(struct ccheap_sys *s);

const char *coco_kind_name(enum coco_kind kind);
const char *probe_state_name(enum probe_state state);
/* Stable code and a readable line for why there is no shared heap */
const char *shared_reason_code(enum shared_reason reason);
void shared_reason_text(const struct ccheap_sys *s, char *buf, size_t len);
const char *module_state_name(enum module_state state);
/* ccheap-dkms's module: what it is doing, and why if it is not loaded */
void module_text(const struct ccheap_sys *s, char *buf, size_t len);

#endif /* CCHEAP_SYS_H */
