/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ccheap: a replay of the dma-buf allocations that rdma-core's mlx5
 * provider makes for its queues when it allocates from a dma-buf heap
 * (rdma-core 64 and later), through the heap's uAPI only.
 *
 * Self-contained (libc and the kernel's uAPI headers), so that the guest
 * tests can build it too. Functions return 0 or -errno.
 */
#ifndef CCHEAP_RDMA_H
#define CCHEAP_RDMA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* What the replay sets up: rc_pingpong's defaults unless told otherwise */
struct rdma_params {
	unsigned int qps;	/* QPs set up, each with its own CQ and data buffer */
	unsigned int churn;	/* QPs torn down and set up again per churn round */
	unsigned int rounds;	/* churn rounds */
	unsigned int cqe;	/* CQ entries asked for (rx_depth + 1) */
	unsigned int cqe_size;	/* bytes per CQE: 64 or 128 */
	unsigned int send_wr;	/* max_send_wr */
	unsigned int recv_wr;	/* max_recv_wr */
	unsigned int send_sge;	/* max_send_sge */
	unsigned int recv_sge;	/* max_recv_sge */
	unsigned int inline_data; /* max_inline_data */
	uint64_t data;		/* bytes of the data buffer per QP */
	bool raw;		/* raw packet QPs: the SQ in a buffer of its own */
};

/* rc_pingpong's defaults; 1024 QPs, a churn of a quarter, 4 rounds */
void rdma_params_default(struct rdma_params *p);

/* Bytes of each buffer, as the provider sizes them, in pages of @page */
uint64_t rdma_cq_bytes(const struct rdma_params *p, uint64_t page);
uint64_t rdma_sq_bytes(const struct rdma_params *p);
uint64_t rdma_rq_bytes(const struct rdma_params *p);
/* The QP's buffer; with raw, its RQ only (the SQ is rdma_raw_sq_bytes()) */
uint64_t rdma_qp_bytes(const struct rdma_params *p, uint64_t page);
uint64_t rdma_raw_sq_bytes(const struct rdma_params *p, uint64_t page);
uint64_t rdma_data_bytes(const struct rdma_params *p, uint64_t page);
/* File descriptors the trace holds at most: every buffer is a dma-buf fd */
unsigned long rdma_fds_needed(const struct rdma_params *p, uint64_t page);
/* Doorbell records in one page of them */
unsigned int rdma_db_per_page(uint64_t page);

/* One dma-buf as the provider holds it */
struct rdma_buf {
	int fd;			/* -1: none */
	void *addr;
	uint64_t len;
};

struct rdma_qp {
	bool up;				/* set up */
	struct rdma_buf cq, qp, sq, data;	/* sq: raw packet QPs only */
	int cq_db, qp_db;			/* doorbell records, -1: none */
};

struct rdma_db_page {
	struct rdma_buf buf;
	unsigned int used;
	unsigned char *slot;	/* rdma_db_per_page() flags */
};

struct rdma_trace {
	struct rdma_params p;
	uint64_t page;
	int heap;			/* /dev/dma_heap/NAME */
	struct rdma_qp *qp;		/* p.qps of them */
	struct rdma_db_page *db;	/* doorbell pages, some unused */
	unsigned int nr_db;		/* entries in db[] */
	unsigned int next_churn;	/* first QP of the next churn round */
	/* what is live now, and what was done so far */
	uint64_t live_bytes;
	unsigned int live_bufs, live_qps;
	unsigned long allocs, frees;
};

/*
 * Open /dev/dma_heap/@heap (-ENOENT: no such heap) and set up the trace.
 * The soft limit of open files is raised as far as the trace needs;
 * -EMFILE if the hard limit is below that.
 */
int rdma_open(struct rdma_trace *t, const struct rdma_params *p,
	      const char *heap);
/* Set up every QP that is not set up: its CQ, QP buffer, doorbells, data */
int rdma_setup(struct rdma_trace *t);
/* p.rounds times: tear down p.churn QPs, oldest first, and set them up again */
int rdma_churn(struct rdma_trace *t);
/* Tear down every QP */
int rdma_teardown(struct rdma_trace *t);
/* Release whatever is left, and the heap (also after a failure) */
void rdma_close(struct rdma_trace *t);

#endif /* CCHEAP_RDMA_H */
