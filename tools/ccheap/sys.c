// SPDX-License-Identifier: GPL-2.0
/*
 * ccheap: kernel signals: the CoCo platform, heaps, swiotlb, counters.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "sys.h"

static const char *sys_root = "";
static const char *sys_machine;
static const char *sys_release;

void sys_set_root(const char *root, const char *machine)
{
	sys_root = root ? root : "";
	sys_machine = machine;
}

void sys_set_release(const char *release)
{
	sys_release = release;
}

int sys_path(char *buf, size_t len, const char *path)
{
	int n = snprintf(buf, len, "%s%s", sys_root, path);

	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

int sys_stat(const char *path)
{
	char p[PATH_MAX];
	struct stat st;
	int ret = sys_path(p, sizeof(p), path);

	if (ret)
		return ret;
	return stat(p, &st) ? -errno : 0;
}

/* Missing, as opposed to hidden from us */
static bool is_absent(int err)
{
	return err == -ENOENT || err == -ENOTDIR;
}

static FILE *sys_fopen(const char *path, int *err)
{
	char p[PATH_MAX];
	FILE *f;

	*err = sys_path(p, sizeof(p), path);
	if (*err)
		return NULL;
	f = fopen(p, "re");
	*err = f ? 0 : -errno;
	return f;
}

int kv_read(const char *path, struct kvset *set)
{
	char line[256], key[SYS_KEY_MAX];
	long long val;
	int err, ret = 0;
	FILE *f = sys_fopen(path, &err);

	set->n = 0;
	if (!f)
		return err;
	while (fgets(line, sizeof(line), f)) {
		if (set->n == SYS_KV_MAX)
			break;
		if (sscanf(line, "%47s %lld", key, &val) != 2)
			continue;
		memcpy(set->v[set->n].key, key, sizeof(key));
		set->v[set->n++].val = val;
	}
	if (ferror(f))
		ret = -EIO;
	fclose(f);
	return ret;
}

int kv_get(const struct kvset *set, const char *key, long long *val)
{
	unsigned int i;

	for (i = 0; i < set->n; i++) {
		if (!strcmp(set->v[i].key, key)) {
			*val = set->v[i].val;
			return 0;
		}
	}
	return -ENOENT;
}

int heap_stats_read(struct kvset *set, const char **path)
{
	int err = kv_read(HEAP_STATS, set), old;

	if (path)
		*path = HEAP_STATS;
	if (!is_absent(err))
		return err;
	/* Kernels before the heap's debugfs directory moved */
	old = kv_read(HEAP_STATS_OLD, set);
	if (is_absent(old))
		return err;
	if (path)
		*path = HEAP_STATS_OLD;
	return old;
}

int sys_write_str(const char *path, const char *text)
{
	char p[PATH_MAX];
	size_t len = strlen(text);
	ssize_t n;
	int fd, ret = sys_path(p, sizeof(p), path);

	if (ret)
		return ret;
	/* No O_CREAT: a file the kernel does not offer is an error. */
	fd = open(p, O_WRONLY | O_TRUNC | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	do {
		n = write(fd, text, len);
	} while (n < 0 && errno == EINTR);
	if (n < 0)
		ret = -errno;
	else if ((size_t)n != len)
		ret = -EIO;
	if (close(fd) && !ret)
		ret = -errno;
	return ret;
}

int sys_read_number(const char *path, long long *val)
{
	char buf[64], *end;
	long long v;
	int err;
	FILE *f = sys_fopen(path, &err);

	if (!f)
		return err;
	if (!fgets(buf, sizeof(buf), f))
		err = ferror(f) ? -EIO : -EINVAL;
	fclose(f);
	if (err)
		return err;
	errno = 0;
	v = strtoll(buf, &end, 10);
	if (end == buf || errno || v < 0 || (*end && *end != '\n'))
		return -EINVAL;
	*val = v;
	return 0;
}

int sys_meminfo_kb(const char *key, long long *kb)
{
	char line[256], name[64];
	long long v;
	int err, ret = -ENOENT;
	FILE *f = sys_fopen("/proc/meminfo", &err);

	if (!f)
		return err;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%63[^:]: %lld", name, &v) == 2 && !strcmp(name, key)) {
			*kb = v;
			ret = 0;
			break;
		}
	}
	fclose(f);
	return ret;
}

int sys_mem_total(uint64_t *bytes)
{
	long long kb;
	int ret = sys_meminfo_kb("MemTotal", &kb);

	if (!ret)
		*bytes = (uint64_t)kb * 1024;
	return ret;
}

int sys_clocksource(char *buf, size_t len)
{
	int err;
	FILE *f = sys_fopen(CLOCKSOURCE, &err);

	if (!f)
		return err;
	if (!fgets(buf, (int)len, f))
		err = ferror(f) ? -EIO : -EINVAL;
	fclose(f);
	if (!err)
		buf[strcspn(buf, "\n")] = '\0';
	return err;
}

const char *coco_kind_name(enum coco_kind kind)
{
	switch (kind) {
	case COCO_EMULATED:
		return "emulated";
	case COCO_SEV_SNP:
		return "sev-snp";
	case COCO_TDX:
		return "tdx";
	case COCO_ARM_CCA:
		return "arm-cca";
	default:
		return "none";
	}
}

const char *probe_state_name(enum probe_state state)
{
	switch (state) {
	case PROBE_PRESENT:
		return "present";
	case PROBE_UNREADABLE:
		return "unreadable";
	default:
		return "absent";
	}
}

const char *shared_reason_code(enum shared_reason reason)
{
	switch (reason) {
	case SHARED_PRESENT:
		return "present";
	case SHARED_NOT_COCO:
		return "not_coco_guest";
	case SHARED_NO_HEAP_DIR:
		return "no_dma_heap_dir";
	default:
		return "kernel_lacks_heap";
	}
}

void shared_reason_text(const struct ccheap_sys *s, char *buf, size_t len)
{
	switch (s->reason) {
	case SHARED_PRESENT:
		snprintf(buf, len, "%s", s->shared);
		break;
	case SHARED_NOT_COCO:
		snprintf(buf, len, "not a CoCo guest%s%s",
			 s->heap_dir ? "" : "; " HEAP_DIR " is missing too",
			 s->emu_unreadable ?
			 " (debugfs unreadable: run as root to detect emulation)" : "");
		break;
	case SHARED_NO_HEAP_DIR:
		snprintf(buf, len, "CoCo guest, but " HEAP_DIR
			 " is missing (kernel without CONFIG_DMABUF_HEAPS?)");
		break;
	default:
		snprintf(buf, len, "CoCo guest, but the kernel lacks the heap"
			 " (no " HEAP_SHARED " in " HEAP_DIR ")");
		break;
	}
}

static struct probe *add_probe(struct ccheap_sys *s, const char *name,
			       const char *path, int err)
{
	struct probe *p;

	/* The probes are fixed; SYS_MAX_PROBES has room for all of them. */
	if (s->nr_probes < SYS_MAX_PROBES)
		s->nr_probes++;
	p = &s->probes[s->nr_probes - 1];
	p->name = name;
	p->path = path;
	p->detail[0] = '\0';
	if (!err) {
		p->state = PROBE_PRESENT;
	} else if (is_absent(err)) {
		p->state = PROBE_ABSENT;
	} else {
		p->state = PROBE_UNREADABLE;
		snprintf(p->detail, sizeof(p->detail), "%s", strerror(-err));
	}
	return p;
}

/* Is @word one of the blank-separated words of @line? */
static bool has_word(const char *line, const char *word)
{
	size_t len = strlen(word);
	const char *p = line;

	while ((p = strstr(p, word))) {
		bool start = p == line || p[-1] == ' ' || p[-1] == '\t';
		char end = p[len];

		if (start && (!end || end == ' ' || end == '\t' || end == '\n'))
			return true;
		p += len;
	}
	return false;
}

struct cpu_flags {
	bool sev_snp, tdx_guest, hypervisor;
};

/* The first "flags" (x86) or "Features" (arm64) line of /proc/cpuinfo */
static int read_cpu_flags(struct cpu_flags *cf)
{
	char *line = NULL;
	size_t cap = 0;
	int err, ret = -ENOENT;
	FILE *f = sys_fopen("/proc/cpuinfo", &err);

	if (!f)
		return err;
	while (getline(&line, &cap, f) > 0) {
		char *colon = strchr(line, ':');

		if (!colon || (strncmp(line, "flags", 5) &&
			       strncmp(line, "Features", 8)))
			continue;
		cf->sev_snp = has_word(colon + 1, "sev_snp");
		cf->tdx_guest = has_word(colon + 1, "tdx_guest");
		cf->hypervisor = has_word(colon + 1, "hypervisor");
		ret = 0;
		break;
	}
	if (ret && ferror(f))
		ret = -EIO;
	free(line);
	fclose(f);
	return ret;
}

static void probe_cpuinfo(struct ccheap_sys *s, struct cpu_flags *cf)
{
	int err = read_cpu_flags(cf);
	struct probe *p = add_probe(s, "cpuinfo", "/proc/cpuinfo",
				    err == -ENOENT ? 0 : err);

	if (err == -ENOENT)
		snprintf(p->detail, sizeof(p->detail), "no flags line");
	else if (err)
		return;
	else if (cf->tdx_guest)
		snprintf(p->detail, sizeof(p->detail), "flag tdx_guest");
	else if (cf->sev_snp && cf->hypervisor)
		snprintf(p->detail, sizeof(p->detail),
			 "flags sev_snp, hypervisor");
	else if (cf->sev_snp)
		snprintf(p->detail, sizeof(p->detail),
			 "flag sev_snp without hypervisor: an SNP host");
	else
		snprintf(p->detail, sizeof(p->detail),
			 "no sev_snp or tdx_guest flag");
}

struct cmdline {
	bool swiotlb_force, cc_emulation;
};

/* swiotlb=force or swiotlb=<slabs>,force */
static bool swiotlb_forced(const char *tok)
{
	const char *p = tok + strlen("swiotlb=");

	if (strncmp(tok, "swiotlb=", strlen("swiotlb=")))
		return false;
	for (;;) {
		if (!strncmp(p, "force", 5) && (p[5] == ',' || !p[5]))
			return true;
		p = strchr(p, ',');
		if (!p)
			return false;
		p++;
	}
}

static void probe_cmdline(struct ccheap_sys *s, struct cmdline *cl)
{
	char buf[4096], *tok, *save;
	struct probe *p;
	int err;
	FILE *f = sys_fopen("/proc/cmdline", &err);

	if (f) {
		if (!fgets(buf, sizeof(buf), f))
			buf[0] = '\0';
		if (ferror(f))
			err = -EIO;
		fclose(f);
	}
	p = add_probe(s, "cmdline", "/proc/cmdline", err);
	if (err)
		return;
	for (tok = strtok_r(buf, " \t\n", &save); tok;
	     tok = strtok_r(NULL, " \t\n", &save)) {
		cl->swiotlb_force |= swiotlb_forced(tok);
		cl->cc_emulation |= !strcmp(tok, "cc_emulation=on");
	}
	snprintf(p->detail, sizeof(p->detail), "%s%s%s",
		 cl->swiotlb_force ? "swiotlb=force" : "",
		 cl->swiotlb_force && cl->cc_emulation ? ", " : "",
		 cl->cc_emulation ? "cc_emulation=on" : "");
	if (!p->detail[0])
		snprintf(p->detail, sizeof(p->detail),
			 "no swiotlb=force or cc_emulation=on");
}

static void probe_machine(struct ccheap_sys *s)
{
	struct utsname u;
	struct probe *p;

	if (sys_machine)
		snprintf(s->machine, sizeof(s->machine), "%s", sys_machine);
	else if (!uname(&u))
		snprintf(s->machine, sizeof(s->machine), "%s", u.machine);
	else
		snprintf(s->machine, sizeof(s->machine), "unknown");
	p = add_probe(s, "machine", "uname(2)", 0);
	snprintf(p->detail, sizeof(p->detail), "%s", s->machine);
}

static bool is_arm64(const char *machine)
{
	return !strcmp(machine, "aarch64") || !strcmp(machine, "arm64");
}

/* Fill *p's detail for a stats file with @set */
static void kv_detail(struct probe *p, const struct kvset *set)
{
	snprintf(p->detail, sizeof(p->detail), "%u counters", set->n);
}

static void probe_counters(struct ccheap_sys *s)
{
	struct probe *p;
	int err;

	err = kv_read(EMU_STATS, &s->emu_stats);
	s->emu = !err;
	s->emu_unreadable = err && !is_absent(err);
	p = add_probe(s, "cc_emu_stats", EMU_STATS, err);
	if (s->emu)
		kv_detail(p, &s->emu_stats);

	err = heap_stats_read(&s->heap_stats, &s->heap_stats_path);
	s->heap_stats_ok = !err;
	p = add_probe(s, "heap_stats", s->heap_stats_path, err);
	if (s->heap_stats_ok)
		kv_detail(p, &s->heap_stats);
}

static void probe_swiotlb(struct ccheap_sys *s)
{
	struct probe *p;
	int err;

	s->nslabs = s->used = -1;
	err = sys_read_number(SWIOTLB_NSLABS, &s->nslabs);
	p = add_probe(s, "swiotlb_nslabs", SWIOTLB_NSLABS, err);
	if (!err)
		snprintf(p->detail, sizeof(p->detail), "%lld", s->nslabs);
	err = sys_read_number(SWIOTLB_USED, &s->used);
	p = add_probe(s, "swiotlb_used", SWIOTLB_USED, err);
	if (!err)
		snprintf(p->detail, sizeof(p->detail), "%lld", s->used);
}

static int heap_cmp(const void *a, const void *b)
{
	return strcmp(((const struct heap_entry *)a)->name,
		      ((const struct heap_entry *)b)->name);
}

static void add_heap(struct ccheap_sys *s, const char *name)
{
	struct heap_entry *h;

	if (s->nr_heaps == SYS_MAX_HEAPS) {
		s->heaps_truncated = true;
		return;
	}
	h = &s->heaps[s->nr_heaps++];
	snprintf(h->name, sizeof(h->name), "%s", name);
	h->naming = NULL;
	h->role = HEAP_ROLE_OTHER;
	if (!strcmp(name, HEAP_SYSTEM)) {
		h->role = HEAP_ROLE_SYSTEM;
	} else if (!strcmp(name, HEAP_SHARED)) {
		h->role = HEAP_ROLE_SHARED;
		h->naming = "mainline";
	} else if (!strcmp(name, HEAP_SHARED_EARLY)) {
		h->role = HEAP_ROLE_SHARED;
		h->naming = "early";
	}
}

static int list_heaps(struct ccheap_sys *s)
{
	char p[PATH_MAX];
	struct dirent *de;
	DIR *d;
	int ret = sys_path(p, sizeof(p), HEAP_DIR);

	if (ret)
		return ret;
	d = opendir(p);
	if (!d)
		return -errno;
	s->heap_dir = true;
	for (;;) {
		errno = 0;
		de = readdir(d);
		if (!de)
			break;
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			add_heap(s, de->d_name);
	}
	ret = errno ? -errno : 0;
	closedir(d);
	qsort(s->heaps, s->nr_heaps, sizeof(s->heaps[0]), heap_cmp);
	return ret;
}

static const char *find_heap(const struct ccheap_sys *s, const char *name)
{
	unsigned int i;

	for (i = 0; i < s->nr_heaps; i++)
		if (!strcmp(s->heaps[i].name, name))
			return s->heaps[i].name;
	return NULL;
}

static void probe_heaps(struct ccheap_sys *s)
{
	struct probe *p;
	int err = list_heaps(s);

	p = add_probe(s, "dma_heap", HEAP_DIR, err);
	if (!err)
		snprintf(p->detail, sizeof(p->detail), "%u heaps%s",
			 s->nr_heaps, s->heaps_truncated ? " (and more)" : "");
	s->shared = find_heap(s, HEAP_SHARED);
	if (!s->shared)
		s->shared = find_heap(s, HEAP_SHARED_EARLY);
	err = sys_stat(TEST_DEV);
	s->test_dev = !err;
	add_probe(s, "test_dmabuf", TEST_DEV, err);
}

static enum coco_kind coco_kind(const struct ccheap_sys *s,
				const struct cpu_flags *cf, bool cca)
{
	if (s->emu)
		return COCO_EMULATED;
	if (cf->tdx_guest)
		return COCO_TDX;
	if (cf->sev_snp && cf->hypervisor)
		return COCO_SEV_SNP;
	if (is_arm64(s->machine) && cca)
		return COCO_ARM_CCA;
	return COCO_NONE;
}

/* The Arm CCA signals; they count on arm64 only */
static bool probe_cca(struct ccheap_sys *s)
{
	static const char *const paths[] = {
		"/dev/arm-cca-guest", "/sys/kernel/config/tsm/report",
	};
	static const char *const names[] = { "arm_cca_guest", "tsm_report" };
	bool found = false;
	struct probe *p;
	unsigned int i;
	int err;

	for (i = 0; i < 2; i++) {
		err = sys_stat(paths[i]);
		found |= !err;
		p = add_probe(s, names[i], paths[i], err);
		if (!is_arm64(s->machine) && !err)
			snprintf(p->detail, sizeof(p->detail),
				 "ignored: not arm64");
	}
	return found;
}

const char *module_state_name(enum module_state state)
{
	switch (state) {
	case MODULE_LOADED:
		return "loaded";
	case MODULE_INSTALLED:
		return "installed";
	default:
		return "absent";
	}
}

void module_text(const struct ccheap_sys *s, char *buf, size_t len)
{
	if (s->module == MODULE_LOADED)
		snprintf(buf, len, "ccheap-dkms loaded (" MODULE_NAME ".ko)");
	else if (s->module == MODULE_ABSENT)
		snprintf(buf, len, "none");
	else if (s->kind == COCO_NONE)
		/* The module refuses with ENODEV there, as it should. */
		snprintf(buf, len, "ccheap-dkms installed, not loaded: not a CoCo guest");
	else if (s->shared)
		snprintf(buf, len, "ccheap-dkms installed, not needed: the kernel has the heap");
	else
		snprintf(buf, len, "ccheap-dkms installed, not loaded (the kernel log says why)");
}

/*
 * ccheap-dkms's module: loaded (a loadable module's initstate), or
 * installed by DKMS for the running kernel (compressed or not).
 */
static void probe_module(struct ccheap_sys *s)
{
	static const char *const ext[] = { "", ".xz", ".zst", ".gz" };
	const char *rel = sys_release;
	char state[16], dir[SYS_NAME_MAX - 32];
	struct utsname u;
	struct probe *p;
	unsigned int i;
	FILE *f;
	int err;

	f = sys_fopen(MODULE_INITSTATE, &err);
	if (f) {
		if (!fgets(state, sizeof(state), f))
			state[0] = '\0';
		fclose(f);
		state[strcspn(state, "\n")] = '\0';
		if (!strcmp(state, "live"))
			s->module = MODULE_LOADED;
	}
	p = add_probe(s, "module", MODULE_INITSTATE, err);
	if (!err)
		snprintf(p->detail, sizeof(p->detail), "%s", state);

	if (!rel)
		rel = uname(&u) ? NULL : u.release;
	if (!rel)
		return;
	snprintf(dir, sizeof(dir), MODULE_DKMS_DIR, rel);
	for (i = 0; i < sizeof(ext) / sizeof(ext[0]); i++) {
		snprintf(s->module_path, sizeof(s->module_path), "%s/" MODULE_NAME ".ko%s",
			 dir, ext[i]);
		err = sys_stat(s->module_path);
		if (!err)
			break;
	}
	if (err) {
		s->module_path[0] = '\0';
		return;
	}
	if (s->module == MODULE_ABSENT)
		s->module = MODULE_INSTALLED;
}

static void decide(struct ccheap_sys *s, const struct cpu_flags *cf,
		   const struct cmdline *cl, bool cca)
{
	s->kind = coco_kind(s, cf, cca);
	if (s->kind != COCO_NONE) {
		s->forced = true;
		s->forced_why = "coco_guest";
	} else if (cl->swiotlb_force) {
		s->forced = true;
		s->forced_why = "cmdline";
	}
	if (s->shared)
		s->reason = SHARED_PRESENT;
	else if (s->kind == COCO_NONE)
		s->reason = SHARED_NOT_COCO;
	else if (!s->heap_dir)
		s->reason = SHARED_NO_HEAP_DIR;
	else
		s->reason = SHARED_KERNEL_LACKS;
}

int sys_probe(struct ccheap_sys *s)
{
	struct cpu_flags cf = { 0 };
	struct cmdline cl = { 0 };
	bool cca;

	memset(s, 0, sizeof(*s));
	probe_counters(s);
	probe_cpuinfo(s, &cf);
	probe_machine(s);
	cca = probe_cca(s);
	probe_cmdline(s, &cl);
	probe_swiotlb(s);
	probe_heaps(s);
	probe_module(s);
	decide(s, &cf, &cl, cca);
	return 0;
}
