// SPDX-License-Identifier: GPL-2.0
/*
 * ccheap: the allocations of rdma-core's mlx5 provider on a dma-buf heap,
 * replayed through the heap's uAPI.
 *
 * With a parent domain that allows unprotected (shared) memory on a
 * confidential guest, rdma-core 64 and later allocate each queue buffer
 * as a dma-buf of its own (libibverbs/dmabuf_heap.c): DMA_HEAP_IOCTL_ALLOC
 * with O_RDWR | O_CLOEXEC, mmap of the whole buffer PROT_READ|PROT_WRITE
 * and MAP_SHARED, then ibv_dontfork_range(), which is MADV_DONTFORK; it
 * is released by MADV_DOFORK, munmap() and close(). What it allocates per
 * object, in pages of the system's size:
 *
 *  - a CQ: its CQE ring and one doorbell record;
 *  - a QP: one buffer for the RQ and the SQ (a raw packet QP has its SQ in
 *    a second buffer) and one doorbell record;
 *  - doorbell records: one page of them at a time, as a dma-buf; a page is
 *    released when its last record is;
 *  - ibv_alloc_buf(): one dma-buf per data buffer.
 *
 * The sizes follow the provider's formulas, written here from their
 * description; the file each comes from is named beside it.
 */
#ifndef _DEFAULT_SOURCE
#define _DEFAULT_SOURCE		/* madvise(), MADV_DONTFORK */
#endif
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <unistd.h>

#include <linux/dma-heap.h>

#include "rdma.h"

/* providers/mlx5/mlx5.h: the send WQE basic block */
#define MLX5_SEND_WQE_BB	64
/* providers/mlx5/wqe.h: a data segment (scatter/gather entry) */
#define MLX5_DATA_SEG		16
/* providers/mlx5/wqe.h: the inline segment's header */
#define MLX5_INLINE_HDR		4
/*
 * providers/mlx5/verbs.c, sq_overhead(): the largest fixed part of a send
 * WQE of an RC QP. Without send_ops_flags the provider allows memory
 * window binds and local invalidation, whose WQE has a control (16), UMR
 * control (48), mkey context (64) and a KLM segment (counted as 64).
 */
#define MLX5_RC_SQ_OVERHEAD	(16 + 48 + 64 + 64)
/*
 * ... and of a raw packet QP, whose default operations are sends: a
 * control and an Ethernet segment
 */
#define MLX5_RAW_SQ_OVERHEAD	(16 + 32)
/* providers/mlx5/verbs.c, mlx5_calc_rq_size(): the least RQ */
#define MLX5_MIN_RQ		64
/* providers/mlx5/dbrec.c: one record per cache line */
#define MLX5_DB_STRIDE		64
#define MLX5_DB_BYTES		8

static uint64_t pow2_up(uint64_t v)
{
	uint64_t p = 1;

	while (p < v)
		p <<= 1;
	return p;
}

static uint64_t align_up(uint64_t v, uint64_t a)
{
	return (v + a - 1) / a * a;
}

void rdma_params_default(struct rdma_params *p)
{
	memset(p, 0, sizeof(*p));
	p->qps = 1024;
	p->churn = 256;
	p->rounds = 4;
	/* libibverbs/examples/rc_pingpong.c: rx_depth 500, ibv_create_cq(rx_depth + 1) */
	p->cqe = 501;
	p->cqe_size = 64;	/* providers/mlx5/verbs.c, get_cqe_size(): the default */
	p->send_wr = 1;		/* rc_pingpong.c: max_send_wr */
	p->recv_wr = 500;	/* rc_pingpong.c: max_recv_wr = rx_depth */
	p->send_sge = 1;
	p->recv_sge = 1;
	p->inline_data = 0;
	p->data = 4096;		/* rc_pingpong.c: the message size, ibv_alloc_buf() */
}

/*
 * providers/mlx5/verbs.c, create_cq() with cq.c, mlx5_alloc_cq_buf(): the
 * ring has the entries asked for plus one, rounded up to a power of two.
 */
uint64_t rdma_cq_bytes(const struct rdma_params *p, uint64_t page)
{
	return align_up(pow2_up((uint64_t)p->cqe + 1) * p->cqe_size, page);
}

/*
 * providers/mlx5/verbs.c, mlx5_calc_send_wqe() and mlx5_calc_sq_size():
 * a send WQE holds the fixed part and the data segments, or the inline
 * data, whichever is larger, in basic blocks; the SQ is a power of two
 * bytes for max_send_wr of them.
 */
uint64_t rdma_sq_bytes(const struct rdma_params *p)
{
	uint64_t overhead = p->raw ? MLX5_RAW_SQ_OVERHEAD : MLX5_RC_SQ_OVERHEAD;
	uint64_t wqe = overhead + (uint64_t)p->send_sge * MLX5_DATA_SEG;
	uint64_t inl;

	if (p->inline_data) {
		inl = overhead + align_up(MLX5_INLINE_HDR + p->inline_data, 16);
		if (inl > wqe)
			wqe = inl;
	}
	wqe = align_up(wqe, MLX5_SEND_WQE_BB);
	return p->send_wr ? pow2_up(p->send_wr * wqe) : 0;
}

/*
 * providers/mlx5/verbs.c, mlx5_calc_rcv_wqe() and mlx5_calc_rq_size(): a
 * receive WQE is a power of two of data segments; the RQ holds a power
 * of two of them, 64 bytes at least.
 */
uint64_t rdma_rq_bytes(const struct rdma_params *p)
{
	uint64_t stride = pow2_up((uint64_t)(p->recv_sge ? p->recv_sge : 1) * MLX5_DATA_SEG);
	uint64_t rq;

	if (!p->recv_wr)
		return 0;
	rq = pow2_up(p->recv_wr) * stride;
	return rq < MLX5_MIN_RQ ? MLX5_MIN_RQ : rq;
}

/*
 * providers/mlx5/verbs.c, mlx5_calc_wq_size() and mlx5_alloc_qp_buf():
 * the RQ first, then the SQ, in one buffer of whole pages; a raw packet
 * QP's SQ has a buffer of its own.
 */
uint64_t rdma_qp_bytes(const struct rdma_params *p, uint64_t page)
{
	uint64_t bytes = rdma_rq_bytes(p) + (p->raw ? 0 : rdma_sq_bytes(p));

	return bytes ? align_up(bytes, page) : 0;
}

uint64_t rdma_raw_sq_bytes(const struct rdma_params *p, uint64_t page)
{
	return p->raw ? align_up(rdma_sq_bytes(p), page) : 0;
}

/* providers/mlx5/buf.c: a data buffer is whole pages */
uint64_t rdma_data_bytes(const struct rdma_params *p, uint64_t page)
{
	return align_up(p->data, page);
}

unsigned long rdma_fds_needed(const struct rdma_params *p, uint64_t page)
{
	unsigned long per_qp = 1 + !!rdma_qp_bytes(p, page) + !!rdma_raw_sq_bytes(p, page) +
			       !!rdma_data_bytes(p, page);
	unsigned long db = rdma_db_per_page(page);

	/* and stdio, the heap and what the caller holds */
	return p->qps * per_qp + (2UL * p->qps + db - 1) / db + 16;
}

unsigned int rdma_db_per_page(uint64_t page)
{
	return (unsigned int)(page / MLX5_DB_STRIDE);
}

static void buf_init(struct rdma_buf *b)
{
	b->fd = -1;
	b->addr = NULL;
	b->len = 0;
}

/* A dma-buf of @len bytes as libibverbs/dmabuf_heap.c allocates one. */
static int buf_alloc(struct rdma_trace *t, struct rdma_buf *b, uint64_t len)
{
	struct dma_heap_allocation_data req = {
		.len = len,
		.fd_flags = O_RDWR | O_CLOEXEC,
	};
	void *addr;
	int err;

	if (!len)
		return 0;
	if (ioctl(t->heap, DMA_HEAP_IOCTL_ALLOC, &req) < 0)
		return -errno;
	addr = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, (int)req.fd, 0);
	if (addr == MAP_FAILED) {
		err = -errno;
		close((int)req.fd);
		return err;
	}
	if (madvise(addr, len, MADV_DONTFORK)) {
		err = -errno;
		munmap(addr, len);
		close((int)req.fd);
		return err;
	}
	b->fd = (int)req.fd;
	b->addr = addr;
	b->len = len;
	t->live_bytes += len;
	t->live_bufs++;
	t->allocs++;
	return 0;
}

static void buf_free(struct rdma_trace *t, struct rdma_buf *b)
{
	if (b->fd < 0)
		return;
	madvise(b->addr, b->len, MADV_DOFORK);
	munmap(b->addr, b->len);
	close(b->fd);
	t->live_bytes -= b->len;
	t->live_bufs--;
	t->frees++;
	buf_init(b);
}

/* The provider's first write: it clears a queue before handing it out. */
static void buf_clear(struct rdma_buf *b)
{
	if (b->fd >= 0)
		memset(b->addr, 0, b->len);
}

/* A data buffer is written by the application: a byte of each page here. */
static void buf_touch(const struct rdma_trace *t, struct rdma_buf *b)
{
	uint64_t off;

	for (off = 0; b->fd >= 0 && off < b->len; off += t->page)
		((volatile char *)b->addr)[off] = 1;
}

/*
 * providers/mlx5/dbrec.c, mlx5_alloc_dbrec(): a free record of a page
 * that has one, else a new page of records. Index: page * per + slot.
 */
static int db_alloc(struct rdma_trace *t, int *idx)
{
	unsigned int per = rdma_db_per_page(t->page), i, s;
	struct rdma_db_page *pg = NULL;
	int ret;

	for (i = 0; i < t->nr_db; i++) {
		if (t->db[i].buf.fd >= 0 && t->db[i].used < per) {
			pg = &t->db[i];
			break;
		}
	}
	if (!pg) {
		for (i = 0; i < t->nr_db && t->db[i].buf.fd >= 0; i++)
			;
		if (i == t->nr_db) {
			struct rdma_db_page *db;

			if ((unsigned long)t->nr_db * per >= INT_MAX)
				return -EOVERFLOW;
			db = realloc(t->db, (t->nr_db + 1) * sizeof(*db));
			if (!db)
				return -ENOMEM;
			t->db = db;
			memset(&db[i], 0, sizeof(db[i]));
			buf_init(&db[i].buf);
			t->nr_db++;
		}
		pg = &t->db[i];
		pg->slot = calloc(per, 1);
		if (!pg->slot)
			return -ENOMEM;
		ret = buf_alloc(t, &pg->buf, t->page);
		if (ret) {
			free(pg->slot);
			pg->slot = NULL;
			return ret;
		}
	}
	for (s = 0; pg->slot[s]; s++)
		;
	pg->slot[s] = 1;
	pg->used++;
	memset((char *)pg->buf.addr + (size_t)s * MLX5_DB_STRIDE, 0, MLX5_DB_BYTES);
	*idx = (int)(i * per + s);
	return 0;
}

/* providers/mlx5/dbrec.c, mlx5_free_db(): a page goes with its last record. */
static void db_free(struct rdma_trace *t, int *idx)
{
	unsigned int per = rdma_db_per_page(t->page);
	struct rdma_db_page *pg;

	if (*idx < 0)
		return;
	pg = &t->db[(unsigned int)*idx / per];
	pg->slot[(unsigned int)*idx % per] = 0;
	*idx = -1;
	if (--pg->used)
		return;
	buf_free(t, &pg->buf);
	free(pg->slot);
	pg->slot = NULL;
}

/* ibv_destroy_qp(), ibv_destroy_cq(), ibv_free_buf() */
static void qp_destroy(struct rdma_trace *t, struct rdma_qp *q)
{
	db_free(t, &q->qp_db);
	buf_free(t, &q->sq);
	buf_free(t, &q->qp);
	db_free(t, &q->cq_db);
	buf_free(t, &q->cq);
	buf_free(t, &q->data);
	if (q->up)
		t->live_qps--;
	q->up = false;
}

/* ibv_create_cq(), ibv_create_qp(), ibv_alloc_buf(), in rc_pingpong's order */
static int qp_create(struct rdma_trace *t, struct rdma_qp *q)
{
	const struct rdma_params *p = &t->p;
	int ret;

	ret = buf_alloc(t, &q->cq, rdma_cq_bytes(p, t->page));
	if (!ret) {
		buf_clear(&q->cq);
		ret = db_alloc(t, &q->cq_db);
	}
	if (!ret)
		ret = buf_alloc(t, &q->qp, rdma_qp_bytes(p, t->page));
	if (!ret)
		ret = buf_alloc(t, &q->sq, rdma_raw_sq_bytes(p, t->page));
	if (!ret) {
		buf_clear(&q->qp);
		buf_clear(&q->sq);
		ret = db_alloc(t, &q->qp_db);
	}
	if (!ret)
		ret = buf_alloc(t, &q->data, rdma_data_bytes(p, t->page));
	if (ret) {
		qp_destroy(t, q);
		return ret;
	}
	buf_touch(t, &q->data);
	q->up = true;
	t->live_qps++;
	return 0;
}

int rdma_open(struct rdma_trace *t, const struct rdma_params *p, const char *heap)
{
	char path[PATH_MAX];
	long page = sysconf(_SC_PAGESIZE);
	unsigned long need;
	struct rlimit rl;
	unsigned int i;

	memset(t, 0, sizeof(*t));
	t->heap = -1;
	if (!p->qps || p->churn > p->qps || (p->cqe_size != 64 && p->cqe_size != 128))
		return -EINVAL;
	if (page <= 0)
		return -EINVAL;
	t->p = *p;
	t->page = (uint64_t)page;
	/* rdma-core keeps each buffer's fd open: a server raises its limit too. */
	need = rdma_fds_needed(p, t->page);
	if (getrlimit(RLIMIT_NOFILE, &rl))
		return -errno;
	if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < need) {
		if (rl.rlim_max != RLIM_INFINITY && rl.rlim_max < need)
			return -EMFILE;
		rl.rlim_cur = need;
		if (setrlimit(RLIMIT_NOFILE, &rl))
			return -errno;
	}
	if ((size_t)snprintf(path, sizeof(path), "/dev/dma_heap/%s", heap) >= sizeof(path))
		return -ENAMETOOLONG;
	t->qp = calloc(p->qps, sizeof(*t->qp));
	if (!t->qp)
		return -ENOMEM;
	for (i = 0; i < p->qps; i++) {
		buf_init(&t->qp[i].cq);
		buf_init(&t->qp[i].qp);
		buf_init(&t->qp[i].sq);
		buf_init(&t->qp[i].data);
		t->qp[i].cq_db = -1;
		t->qp[i].qp_db = -1;
	}
	/* rdma-core opens the heap once per parent domain, so: O_RDWR | O_CLOEXEC */
	t->heap = open(path, O_RDWR | O_CLOEXEC);
	if (t->heap < 0) {
		int err = -errno;

		free(t->qp);
		t->qp = NULL;
		return err;
	}
	return 0;
}

int rdma_setup(struct rdma_trace *t)
{
	unsigned int i;
	int ret;

	for (i = 0; i < t->p.qps; i++) {
		if (t->qp[i].up)
			continue;
		ret = qp_create(t, &t->qp[i]);
		if (ret)
			return ret;
	}
	return 0;
}

int rdma_churn(struct rdma_trace *t)
{
	unsigned int r, k, first;
	int ret;

	for (r = 0; r < t->p.rounds && t->p.churn; r++) {
		first = t->next_churn;
		for (k = 0; k < t->p.churn; k++)
			qp_destroy(t, &t->qp[(first + k) % t->p.qps]);
		for (k = 0; k < t->p.churn; k++) {
			ret = qp_create(t, &t->qp[(first + k) % t->p.qps]);
			if (ret)
				return ret;
		}
		t->next_churn = (first + t->p.churn) % t->p.qps;
	}
	return 0;
}

int rdma_teardown(struct rdma_trace *t)
{
	unsigned int i;

	for (i = 0; i < t->p.qps; i++)
		qp_destroy(t, &t->qp[(t->next_churn + i) % t->p.qps]);
	t->next_churn = 0;
	return 0;
}

void rdma_close(struct rdma_trace *t)
{
	unsigned int i;

	if (t->qp)
		rdma_teardown(t);
	for (i = 0; i < t->nr_db; i++) {
		buf_free(t, &t->db[i].buf);
		free(t->db[i].slot);
	}
	free(t->db);
	free(t->qp);
	t->db = NULL;
	t->qp = NULL;
	t->nr_db = 0;
	if (t->heap >= 0)
		close(t->heap);
	t->heap = -1;
}
