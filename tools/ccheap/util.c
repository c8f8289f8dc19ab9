// SPDX-License-Identifier: GPL-2.0
/*
 * ccheap: error reporting, the errno to exit code mapping, small wrappers.
 */
#include <errno.h>
#include <stdarg.h>
#include <time.h>
#include <unistd.h>

#include "ccheap.h"

int ccheap_fail(struct ccheap_ctx *ctx, int err, const char *fmt, ...)
{
	va_list ap;

	if (!ctx->msg[0]) {
		va_start(ap, fmt);
		vsnprintf(ctx->msg, sizeof(ctx->msg), fmt, ap);
		va_end(ap);
	}
	return err;
}

int ccheap_exit_code(int err)
{
	switch (-err) {
	case 0:
		return CCHEAP_EXIT_OK;
	case ENOMEM:
		return CCHEAP_EXIT_NOMEM;
	case ENOENT:
	case ENODEV:
	case ENXIO:
	case ENOTTY:
	case ENOSYS:
	case EOPNOTSUPP:
#if EOPNOTSUPP != ENOTSUP
	case ENOTSUP:
#endif
		return CCHEAP_EXIT_UNSUPP;
	default:
		return CCHEAP_EXIT_SYSERR;
	}
}

int xclose(int fd)
{
	if (fd < 0)
		return 0;
	/* Linux releases the descriptor even when close() fails. */
	return close(fd) ? -errno : 0;
}

uint64_t now_ns(void)
{
	struct timespec ts;

	/* CLOCK_MONOTONIC cannot fail with a valid pointer. */
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}
