// SPDX-License-Identifier: GPL-2.0
/*
 * ccheap: human-readable output helpers.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <string.h>

#include "cmds.h"
#include "fmt.h"

char *fmt_size(uint64_t v, char *buf, size_t len)
{
	static const char units[] = "GMK";
	int i;

	for (i = 0; units[i]; i++) {
		uint64_t unit = (uint64_t)1 << (10 * (3 - i));

		if (v && v % unit == 0) {
			snprintf(buf, len, "%" PRIu64 "%c", v / unit, units[i]);
			return buf;
		}
	}
	snprintf(buf, len, "%" PRIu64, v);
	return buf;
}

void fmt_line_start(struct fmt_line *l, FILE *f, const char *label)
{
	char lab[FMT_LABEL_WIDTH + 2];

	snprintf(lab, sizeof(lab), "%s:", label);
	l->f = f;
	l->col = fprintf(f, "%-*s ", FMT_LABEL_WIDTH, lab);
	l->first = true;
}

void fmt_line_item(struct fmt_line *l, const char *fmt, ...)
{
	char item[CCHEAP_COLS];
	va_list ap;
	int len;

	va_start(ap, fmt);
	vsnprintf(item, sizeof(item), fmt, ap);
	va_end(ap);
	len = (int)strlen(item);
	if (!l->first) {
		fputc(',', l->f);
		l->col++;
		/* ", item" must fit, else continue under the first item */
		if (l->col + 1 + len > CCHEAP_COLS - 1) {
			l->col = fprintf(l->f, "\n%*s", FMT_LABEL_WIDTH + 1, "") - 1;
		} else {
			fputc(' ', l->f);
			l->col++;
		}
	}
	fputs(item, l->f);
	l->col += len;
	l->first = false;
}

void fmt_line_end(struct fmt_line *l)
{
	if (l->first)
		fputs("none", l->f);
	fputc('\n', l->f);
}

void fmt_field(FILE *f, const char *label, const char *fmt, ...)
{
	char text[512], *word, *save;
	struct fmt_line l;
	va_list ap;
	int len;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	fmt_line_start(&l, f, label);
	/* Words wrap under the first one. */
	for (word = strtok_r(text, " ", &save); word;
	     word = strtok_r(NULL, " ", &save)) {
		len = (int)strlen(word);
		if (!l.first && l.col + 1 + len > CCHEAP_COLS - 1) {
			l.col = fprintf(f, "\n%*s", FMT_LABEL_WIDTH + 1, "") - 1;
		} else if (!l.first) {
			fputc(' ', f);
			l.col++;
		}
		fputs(word, f);
		l.col += len;
		l.first = false;
	}
	fputc('\n', f);
}
