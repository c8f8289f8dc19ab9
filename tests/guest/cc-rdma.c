// SPDX-License-Identifier: GPL-2.0
/*
 * cc-rdma: the heap's one real client, replayed. rdma-core's mlx5 provider
 * makes one dma-buf per queue object (tools/ccheap/rdma.c: a CQ ring, a QP
 * buffer, a page of doorbell records per 64 doorbells, a data buffer), all
 * of them 4 KiB to 64 KiB. What a server pays for that is counted by the
 * emulator, so the targets are counts, for the setup of 1024 QPs with
 * rc_pingpong's sizes:
 *
 *  - at most one conversion per 2 MiB of live buffers, no large-page split
 *    and DirectMap4k unchanged;
 *  - a churn of QPs torn down and set up again converts nothing, and nor
 *    does a second setup after a teardown, while the pool has room;
 *  - what is held shared at steady state is the live buffers, at most one
 *    partly used block per size class and the pool's cap.
 *
 * Mainline converts every chunk of every buffer on its own, page by page
 * for these sizes: there the first two fail, as expected (ledger:
 * feat-rdma-setup, feat-rdma-churn).
 */
#include "ccheap_test.h"
#include "kselftest_harness.h"
#include "rdma.h"

#define CC_HEAP		"system_cc_shared"
/* Size classes of system_cc_shared.c: blocks, 1 MiB, 64 KiB, a page */
#define NR_CLASSES	4

struct counts {
	long long shared_calls, private_calls, splits, ops_4k, dm4k_kb;
	long long snp, tdx, tdx4k;
};

static void counts_read(struct counts *c)
{
	c->shared_calls = emu_stat("to_shared_calls");
	c->private_calls = emu_stat("to_private_calls");
	c->splits = emu_stat("splits");
	c->ops_4k = emu_stat("ops_4k");
	c->dm4k_kb = meminfo_kb("DirectMap4k");
	c->snp = emu_stat("modeled_ns_snp");
	c->tdx = emu_stat("modeled_ns_tdx");
	c->tdx4k = emu_stat("modeled_ns_tdx4k");
}

/* The blocks that @bytes of live buffers need, rounded up */
static long long blocks_for(uint64_t bytes)
{
	return (long long)((bytes + SZ_2M - 1) / SZ_2M);
}

FIXTURE(replay) {
	struct rdma_params p;
	struct rdma_trace t;
	bool open;
	long long viol0;
};

FIXTURE_SETUP(replay)
{
	int ret;

	self->open = false;
	NEED_EMULATED_HEAP(CC_HEAP);
	rdma_params_default(&self->p);
	ASSERT_EQ(0, drop_caches());
	self->viol0 = emu_stat("violations");
	ret = rdma_open(&self->t, &self->p, CC_HEAP);
	ASSERT_EQ(0, ret) TH_LOG("rdma_open: %s", strerror(-ret));
	self->open = true;
}

FIXTURE_TEARDOWN(replay)
{
	if (self->open) {
		rdma_close(&self->t);
		EXPECT_EQ(self->viol0, emu_stat("violations"));
	}
	drop_caches();
}

static void log_counts(struct __test_metadata *_metadata, const char *phase,
		       const struct counts *a, const struct counts *z,
		       unsigned long qps, uint64_t live)
{
	TH_LOG("%s of %lu QPs (%llu KiB live): %lld to shared, %lld to private, %lld splits, %lld ops 4k, DirectMap4k %+lld kB, modelled per QP: snp %lld ns, tdx %lld ns, tdx4k %lld ns",
	       phase, qps, (unsigned long long)live >> 10,
	       z->shared_calls - a->shared_calls, z->private_calls - a->private_calls,
	       z->splits - a->splits, z->ops_4k - a->ops_4k, z->dm4k_kb - a->dm4k_kb,
	       (z->snp - a->snp) / (long long)qps, (z->tdx - a->tdx) / (long long)qps,
	       (z->tdx4k - a->tdx4k) / (long long)qps);
}

/* The setup of 1024 QPs converts whole blocks, one per 2 MiB live. */
TEST_F(replay, setup_converts_a_block_per_2m)
{
	struct counts a, z;
	int ret;

	counts_read(&a);
	ret = rdma_setup(&self->t);
	counts_read(&z);
	ASSERT_EQ(0, ret) TH_LOG("setup: %s", strerror(-ret));
	log_counts(_metadata, "setup", &a, &z, self->p.qps, self->t.live_bytes);
	/* 4 dma-bufs a QP, and a doorbell page per 32 QPs */
	EXPECT_EQ(3 * self->p.qps + self->p.qps / 32, self->t.live_bufs);
	EXPECT_GE(blocks_for(self->t.live_bytes), z.shared_calls - a.shared_calls);
	EXPECT_EQ(0, z.private_calls - a.private_calls);
	EXPECT_EQ(0, z.splits - a.splits);
	EXPECT_EQ(0, z.ops_4k - a.ops_4k);
	EXPECT_EQ(a.dm4k_kb, z.dm4k_kb);
}

/* Tearing QPs down and setting them up again takes no conversion. */
TEST_F(replay, churn_converts_nothing)
{
	struct counts a, z;
	int ret;

	ASSERT_EQ(0, rdma_setup(&self->t));
	counts_read(&a);
	ret = rdma_churn(&self->t);
	counts_read(&z);
	ASSERT_EQ(0, ret) TH_LOG("churn: %s", strerror(-ret));
	log_counts(_metadata, "churn", &a, &z,
		   (unsigned long)self->p.churn * self->p.rounds, self->t.live_bytes);
	EXPECT_EQ(0, z.shared_calls - a.shared_calls);
	EXPECT_EQ(0, z.private_calls - a.private_calls);
}

/* A teardown keeps the blocks shared (within the cap): set up again, free. */
TEST_F(replay, setup_after_teardown_converts_nothing)
{
	struct counts a, z;
	int ret;

	ASSERT_EQ(0, rdma_setup(&self->t));
	counts_read(&a);
	ret = rdma_teardown(&self->t);
	if (!ret)
		ret = rdma_setup(&self->t);
	counts_read(&z);
	ASSERT_EQ(0, ret) TH_LOG("teardown and setup: %s", strerror(-ret));
	log_counts(_metadata, "teardown and setup", &a, &z, self->p.qps,
		   self->t.live_bytes);
	EXPECT_EQ(0, z.shared_calls - a.shared_calls);
	EXPECT_EQ(0, z.private_calls - a.private_calls);
}

/*
 * After the churn, the memory held shared is the live buffers, at most
 * one partly used block per size class, and the pool's cap; the heap's
 * own count of it (held_bytes) is what the emulator sees beyond them.
 * Mainline holds the live buffers only, which passes too.
 */
TEST_F(replay, steady_state_holds_live_bytes_slack_and_cap)
{
	long long shared0 = emu_stat("shared_frames"), shared, cap_mb, held;
	long page = sysconf(_SC_PAGESIZE);

	ASSERT_EQ(0, rdma_setup(&self->t));
	ASSERT_EQ(0, rdma_churn(&self->t));
	shared = (emu_stat("shared_frames") - shared0) * page;
	cap_mb = read_number(POOL_MAX_MB);
	held = heap_stat("held_bytes");
	TH_LOG("live %llu KiB, shared %lld KiB, held (pool + slack) %lld KiB, cap %lld MiB",
	       (unsigned long long)self->t.live_bytes >> 10, shared >> 10,
	       held < 0 ? -1 : held >> 10, cap_mb);
	EXPECT_LE((long long)self->t.live_bytes, shared);
	EXPECT_GE((long long)self->t.live_bytes + NR_CLASSES * (long long)SZ_2M +
		  (cap_mb < 0 ? 0 : cap_mb * (long long)SZ_1M), shared);
	if (held >= 0)
		EXPECT_EQ(shared - (long long)self->t.live_bytes, held);
}

TEST_HARNESS_MAIN
