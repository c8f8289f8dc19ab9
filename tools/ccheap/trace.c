// SPDX-License-Identifier: GPL-2.0
/*
 * ccheap bench --trace rdma: rdma-core's allocation pattern (rdma.c)
 * replayed on the system heap, as the reference for time, and on the
 * shared heap, one after the other, in phases:
 *
 *   setup        N QPs, each with its CQ, doorbell records and a data
 *                buffer, after the shared heap's pool was emptied
 *   churn        rounds of a part of them torn down and set up again
 *   teardown     all of them torn down
 *   setup_warm   N QPs again, the pool as the teardown left it
 *   teardown_warm
 *   pool_drop    drop_caches: the shared heap's shrinker gives the pool
 *                back (what the teardowns left shared is converted then)
 *
 * Around each phase the emulator's and the heap's counters and
 * DirectMap4k are read: their deltas say what the phase converted, and
 * the heap's counters after it what memory it holds shared.
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "commands.h"
#include "fmt.h"
#include "json.h"
#include "rdma.h"

enum { T_SETUP, T_CHURN, T_TEARDOWN, T_SETUP_WARM, T_TEARDOWN_WARM, T_POOL_DROP, NR_TPHASES };
enum { TH_SYS, TH_SHARED, NR_THEAPS };

static const char *const tphase_names[NR_TPHASES] = {
	[T_SETUP] = "setup",
	[T_CHURN] = "churn",
	[T_TEARDOWN] = "teardown",
	[T_SETUP_WARM] = "setup_warm",
	[T_TEARDOWN_WARM] = "teardown_warm",
	[T_POOL_DROP] = "pool_drop",
};

/* Emulator counters whose deltas are reported */
static const char *const temu_keys[] = {
	"to_shared_calls", "to_shared_pages", "to_private_calls",
	"to_private_pages", "aligned_2m", "splits", "ops_4k", "ops_2m",
	"modeled_ns_snp", "modeled_ns_tdx", "modeled_ns_tdx4k",
};
#define NR_TEMU	(sizeof(temu_keys) / sizeof(temu_keys[0]))

/* Heap counters whose deltas are reported */
static const char *const thst_keys[] = {
	"to_shared", "to_private", "pool_hits", "pool_misses", "fallbacks",
	"trims", "blocks_to_shared", "blocks_to_private",
};
#define NR_THST	(sizeof(thst_keys) / sizeof(thst_keys[0]))

/* Heap counters reported as they are after the phase */
static const char *const tnow_keys[] = {
	"pool_bytes", "slack_bytes", "held_bytes", "shared_bytes",
};
#define NR_TNOW	(sizeof(tnow_keys) / sizeof(tnow_keys[0]))

struct tphase {
	bool run;			/* the phase ran to its end */
	int err;			/* why it did not */
	unsigned long qps;		/* QPs set up or torn down */
	uint64_t ns;
	long long emu[NR_TEMU];		/* deltas, -1: unknown */
	long long hst[NR_THST];
	long long now[NR_TNOW];		/* after the phase, -1: unknown */
	long long dm4k_kb;		/* DirectMap4k delta, LLONG_MIN: unknown */
	bool dm4k_ok;
	uint64_t live_bytes;		/* in the trace's buffers after it */
	unsigned int live_bufs;
};

struct theap {
	const char *name;		/* NULL: not run */
	int err;
	struct tphase ph[NR_TPHASES];
};

struct trace_bench {
	struct ccheap_ctx *ctx;
	struct rdma_params p;
	uint64_t page;
	struct theap heap[NR_THEAPS];
	long long pool_cap_bytes;	/* -1: unknown */
	int drop_err;
};

struct tsnap {
	bool emu_ok, heap_ok, dm4k_ok;
	struct kvset emu, heap;
	long long dm4k;
};

static void tsnap_read(struct tsnap *s)
{
	s->emu_ok = !kv_read(EMU_STATS, &s->emu);
	s->heap_ok = !heap_stats_read(&s->heap, NULL);
	s->dm4k_ok = !sys_meminfo_kb("DirectMap4k", &s->dm4k);
}

static void tdeltas(const struct kvset *a, const struct kvset *z, bool ok,
		    const char *const *keys, unsigned int n, long long *out)
{
	long long x, y;
	unsigned int i;

	for (i = 0; i < n; i++)
		out[i] = ok && !kv_get(a, keys[i], &x) && !kv_get(z, keys[i], &y) &&
			 y >= x ? y - x : -1;
}

static void tphase_end(struct tphase *ph, const struct tsnap *a,
		       const struct tsnap *z, bool shared)
{
	unsigned int i;

	tdeltas(&a->emu, &z->emu, a->emu_ok && z->emu_ok, temu_keys, NR_TEMU, ph->emu);
	tdeltas(&a->heap, &z->heap, shared && a->heap_ok && z->heap_ok, thst_keys,
		NR_THST, ph->hst);
	for (i = 0; i < NR_TNOW; i++)
		if (!shared || !z->heap_ok || kv_get(&z->heap, tnow_keys[i], &ph->now[i]))
			ph->now[i] = -1;
	ph->dm4k_ok = a->dm4k_ok && z->dm4k_ok;
	ph->dm4k_kb = ph->dm4k_ok ? z->dm4k - a->dm4k : 0;
}

/* Empty the pool before the first setup (drop_caches runs the shrinker). */
static void drop_pool(struct trace_bench *b)
{
	int ret = sys_write_str(DROP_CACHES, "2\n");

	if (ret && !b->drop_err) {
		b->drop_err = ret;
		fprintf(b->ctx->err, "bench: note: cannot write " DROP_CACHES
			" (%s): the pool was not emptied, so setup is not cold%s\n",
			strerror(-ret), ret == -EACCES || ret == -EPERM ?
			" (run as root)" : "");
	}
}

static int run_tphase(struct trace_bench *b, struct rdma_trace *t, int phase,
		      bool shared)
{
	switch (phase) {
	case T_POOL_DROP:
		if (shared)
			drop_pool(b);
		return 0;
	case T_SETUP:
	case T_SETUP_WARM:
		return rdma_setup(t);
	case T_CHURN:
		return rdma_churn(t);
	default:
		return rdma_teardown(t);
	}
}

static unsigned long tphase_qps(const struct rdma_params *p, int phase)
{
	return phase == T_CHURN ? (unsigned long)p->churn * p->rounds : p->qps;
}

static void run_theap(struct trace_bench *b, struct theap *h, bool shared)
{
	struct rdma_trace t;
	struct tsnap a, z;
	uint64_t t0;
	int p;

	h->err = rdma_open(&t, &b->p, h->name);
	if (h->err)
		return;
	if (shared)
		drop_pool(b);
	for (p = 0; p < NR_TPHASES; p++) {
		struct tphase *ph = &h->ph[p];

		ph->qps = tphase_qps(&b->p, p);
		tsnap_read(&a);
		t0 = now_ns();
		ph->err = run_tphase(b, &t, p, shared);
		ph->ns = now_ns() - t0;
		tsnap_read(&z);
		tphase_end(ph, &a, &z, shared);
		ph->live_bytes = t.live_bytes;
		ph->live_bufs = t.live_bufs;
		if (ph->err) {
			h->err = ph->err;
			break;
		}
		ph->run = true;
	}
	rdma_close(&t);
}

static double per_qp(const struct tphase *ph, long long v)
{
	return v < 0 || !ph->qps ? -1 : (double)v / (double)ph->qps;
}

/* Setup time per QP on the shared heap over that on system, or -1 */
static double time_ratio(const struct trace_bench *b, int phase)
{
	const struct tphase *s = &b->heap[TH_SYS].ph[phase];
	const struct tphase *c = &b->heap[TH_SHARED].ph[phase];

	/* system has no pool to drop: a ratio of nothing to nothing */
	if (phase == T_POOL_DROP || !b->heap[TH_SHARED].name || !s->run || !c->run || !s->ns)
		return -1;
	return (double)c->ns / (double)s->ns;
}

/* @n counters named @keys, a negative one (unknown) as null */
static void json_counts(struct json *j, const char *const *keys,
			const long long *v, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		if (v[i] < 0)
			json_null(j, keys[i]);
		else
			json_i64(j, keys[i], v[i]);
	}
}

static void json_tphase(struct json *j, const struct tphase *ph, int phase)
{
	json_obj_open(j, NULL);
	json_str(j, "phase", tphase_names[phase]);
	json_bool(j, "ok", ph->run);
	if (ph->err)
		json_str(j, "error", strerror(-ph->err));
	json_u64(j, "qps", ph->qps);
	json_u64(j, "ns", ph->ns);
	json_double(j, "ns_per_qp", ph->qps ? (double)ph->ns / (double)ph->qps : 0, 0);
	json_obj_open(j, "emulator");
	json_counts(j, temu_keys, ph->emu, NR_TEMU);
	json_obj_close(j);
	json_obj_open(j, "heap");
	json_counts(j, thst_keys, ph->hst, NR_THST);
	json_counts(j, tnow_keys, ph->now, NR_TNOW);
	json_obj_close(j);
	if (ph->dm4k_ok)
		json_i64(j, "directmap4k_kb", ph->dm4k_kb);
	else
		json_null(j, "directmap4k_kb");
	json_u64(j, "live_bytes", ph->live_bytes);
	json_u64(j, "live_buffers", ph->live_bufs);
	json_obj_close(j);
}

static int trace_json(struct trace_bench *b)
{
	const struct rdma_params *p = &b->p;
	struct json j;
	unsigned int h;
	int ph;

	json_init(&j, b->ctx->out);
	json_obj_open(&j, NULL);
	json_str(&j, "command", "bench");
	json_str(&j, "trace", "rdma");
	json_obj_open(&j, "params");
	json_u64(&j, "qps", p->qps);
	json_u64(&j, "churn", p->churn);
	json_u64(&j, "rounds", p->rounds);
	json_u64(&j, "cqe", p->cqe);
	json_u64(&j, "cqe_size", p->cqe_size);
	json_u64(&j, "send_wr", p->send_wr);
	json_u64(&j, "recv_wr", p->recv_wr);
	json_u64(&j, "send_sge", p->send_sge);
	json_u64(&j, "recv_sge", p->recv_sge);
	json_u64(&j, "inline", p->inline_data);
	json_u64(&j, "data", p->data);
	json_bool(&j, "raw", p->raw);
	json_obj_close(&j);
	json_obj_open(&j, "buffers");
	json_u64(&j, "page", b->page);
	json_u64(&j, "cq_bytes", rdma_cq_bytes(p, b->page));
	json_u64(&j, "qp_bytes", rdma_qp_bytes(p, b->page));
	json_u64(&j, "sq_bytes", rdma_raw_sq_bytes(p, b->page));
	json_u64(&j, "data_bytes", rdma_data_bytes(p, b->page));
	json_u64(&j, "doorbells_per_page", rdma_db_per_page(b->page));
	json_obj_close(&j);
	if (b->pool_cap_bytes < 0)
		json_null(&j, "pool_cap_bytes");
	else
		json_i64(&j, "pool_cap_bytes", b->pool_cap_bytes);
	json_arr_open(&j, "heaps");
	for (h = 0; h < NR_THEAPS; h++) {
		const struct theap *th = &b->heap[h];

		if (!th->name)
			continue;
		json_obj_open(&j, NULL);
		json_str(&j, "heap", th->name);
		json_str(&j, "role", h == TH_SYS ? "reference" : "shared");
		json_arr_open(&j, "phases");
		for (ph = 0; ph < NR_TPHASES; ph++)
			json_tphase(&j, &th->ph[ph], ph);
		json_arr_close(&j);
		json_obj_close(&j);
	}
	json_arr_close(&j);
	json_obj_open(&j, "time_ratio");
	for (ph = 0; ph < NR_TPHASES; ph++) {
		if (time_ratio(b, ph) < 0)
			json_null(&j, tphase_names[ph]);
		else
			json_double(&j, tphase_names[ph], time_ratio(b, ph), 2);
	}
	json_obj_close(&j);
	json_obj_close(&j);
	return json_end(&j);
}

static const char *tcell(char *buf, size_t len, double v, int decimals)
{
	if (v < 0)
		snprintf(buf, len, "-");
	else
		snprintf(buf, len, "%.*f", decimals, v);
	return buf;
}

static const char *tcell_mib(char *buf, size_t len, long long bytes)
{
	return tcell(buf, len, bytes < 0 ? -1 : (double)bytes / (1 << 20), 1);
}

static int trace_human(struct trace_bench *b)
{
	bool shared = b->heap[TH_SHARED].name;
	const struct theap *sh = &b->heap[shared ? TH_SHARED : TH_SYS];
	const struct rdma_params *p = &b->p;
	FILE *f = b->ctx->out;
	char c[9][24];
	int ph;

	fprintf(f, "rdma trace on %s: %u QPs, each a CQ of %llu KiB, a QP buffer of %llu KiB,\n"
		"a data buffer of %llu KiB and 2 of the %u doorbell records of a page;\n"
		"churn: %u rounds of %u QPs\n\n",
		sh->name, p->qps, (unsigned long long)rdma_cq_bytes(p, b->page) >> 10,
		(unsigned long long)(rdma_qp_bytes(p, b->page) +
				     rdma_raw_sq_bytes(p, b->page)) >> 10,
		(unsigned long long)rdma_data_bytes(p, b->page) >> 10,
		rdma_db_per_page(b->page), p->rounds, p->churn);
	fprintf(f, "%-13s %9s %9s %7s %7s %7s %8s %8s %8s %8s\n", "phase",
		"convert", "pages", "2M", "splits", "DM4k kB", "snp us", "tdx us",
		"tdx4k us", "x system");
	fprintf(f, "%-13s %9s %9s %7s %7s %7s %8s %8s %8s %8s\n", "", "calls",
		"", "aligned", "", "", "per QP", "per QP", "per QP", "time");
	for (ph = 0; ph < NR_TPHASES; ph++) {
		const struct tphase *t = &sh->ph[ph];
		long long calls = t->emu[0] < 0 || t->emu[2] < 0 ? -1 : t->emu[0] + t->emu[2];
		long long pages = t->emu[1] < 0 || t->emu[3] < 0 ? -1 : t->emu[1] + t->emu[3];

		if (!t->run)
			continue;
		fprintf(f, "%-13s %9s %9s %7s %7s %7s %8s %8s %8s %8s\n", tphase_names[ph],
			tcell(c[0], sizeof(c[0]), (double)calls, 0),
			tcell(c[1], sizeof(c[1]), (double)pages, 0),
			tcell(c[2], sizeof(c[2]), (double)t->emu[4], 0),
			tcell(c[3], sizeof(c[3]), (double)t->emu[5], 0),
			t->dm4k_ok ? (snprintf(c[4], sizeof(c[4]), "%+lld", t->dm4k_kb), c[4]) : "-",
			tcell(c[5], sizeof(c[5]), per_qp(t, t->emu[8]) / 1000, 2),
			tcell(c[6], sizeof(c[6]), per_qp(t, t->emu[9]) / 1000, 2),
			tcell(c[7], sizeof(c[7]), per_qp(t, t->emu[10]) / 1000, 2),
			tcell(c[8], sizeof(c[8]), time_ratio(b, ph), 2));
	}
	if (!shared) {
		fprintf(f, "\nno shared heap: %s only, the reference\n", sh->name);
		return 0;
	}
	fprintf(f, "\n%-13s %9s %9s %9s %9s %9s\n", "shared MiB", "live", "pool",
		"slack", "held", "cap");
	for (ph = 0; ph < NR_TPHASES; ph++) {
		const struct tphase *t = &sh->ph[ph];

		if (!t->run)
			continue;
		fprintf(f, "%-13s %9s %9s %9s %9s %9s\n", tphase_names[ph],
			tcell_mib(c[0], sizeof(c[0]), (long long)t->live_bytes),
			tcell_mib(c[1], sizeof(c[1]), t->now[0]),
			tcell_mib(c[2], sizeof(c[2]), t->now[1]),
			tcell_mib(c[3], sizeof(c[3]), t->now[2]),
			tcell_mib(c[4], sizeof(c[4]), b->pool_cap_bytes));
	}
	return 0;
}

int bench_trace(struct ccheap_ctx *ctx, const struct ccheap_args *args,
		const char *shared)
{
	static struct trace_bench b;
	struct kvset hs;
	unsigned int h;

	memset(&b, 0, sizeof(b));
	b.ctx = ctx;
	b.p = args->trace;
	b.page = (uint64_t)sysconf(_SC_PAGESIZE);
	b.heap[TH_SYS].name = HEAP_SYSTEM;
	b.heap[TH_SHARED].name = shared;
	if (heap_stats_read(&hs, NULL) || kv_get(&hs, "pool_cap_bytes", &b.pool_cap_bytes))
		b.pool_cap_bytes = -1;
	for (h = 0; h < NR_THEAPS; h++) {
		struct theap *th = &b.heap[h];

		if (!th->name)
			continue;
		if (args->progress)
			fprintf(ctx->err, "bench: rdma trace, %u QPs on %s\n",
				b.p.qps, th->name);
		run_theap(&b, th, h == TH_SHARED);
		if (th->err == -EMFILE)
			return ccheap_fail(ctx, th->err, "bench: rdma trace on %s: %s "
					   "(%u QPs hold about %lu dma-buf fds: raise the "
					   "hard limit, ulimit -Hn)", th->name,
					   strerror(-th->err), b.p.qps,
					   rdma_fds_needed(&b.p, b.page));
		if (th->err)
			return ccheap_fail(ctx, th->err, "bench: rdma trace on %s: %s",
					   th->name, strerror(-th->err));
	}
	return ctx->json ? trace_json(&b) : trace_human(&b);
}
