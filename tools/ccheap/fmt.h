/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ccheap: human-readable output helpers.
 */
#ifndef CCHEAP_FMT_H
#define CCHEAP_FMT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "ccheap.h"

/* Width of the label column of "label: value" lines */
#define FMT_LABEL_WIDTH	15

/*
 * @v as parse_size() reads it back: "4K", "16M", "1G" when @v is a
 * multiple of the unit, else plain bytes. Returns @buf.
 */
char *fmt_size(uint64_t v, char *buf, size_t len);

/* A "label:  item, item, ..." line wrapped at CCHEAP_COLS columns */
struct fmt_line {
	FILE *f;
	int col;
	bool first;
};

void fmt_line_start(struct fmt_line *l, FILE *f, const char *label);
void fmt_line_item(struct fmt_line *l, const char *fmt, ...)
	CCHEAP_PRINTF(2, 3);
void fmt_line_end(struct fmt_line *l);

/* One "label:  text" line (text is not wrapped) */
void fmt_field(FILE *f, const char *label, const char *fmt, ...)
	CCHEAP_PRINTF(3, 4);

#endif /* CCHEAP_FMT_H */
