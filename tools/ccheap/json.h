/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ccheap: a small streaming JSON writer (pretty-printed, UTF-8 safe).
 *
 * Each value call takes the member's key inside an object and NULL inside
 * an array or at the top. Non-finite numbers and NULL strings become null.
 */
#ifndef CCHEAP_JSON_H
#define CCHEAP_JSON_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define JSON_MAX_DEPTH	16

struct json {
	FILE *f;
	int depth;
	bool overflow;			/* nested too deep: output is invalid */
	bool has_items[JSON_MAX_DEPTH];
};

void json_init(struct json *j, FILE *f);
void json_obj_open(struct json *j, const char *key);
void json_obj_close(struct json *j);
void json_arr_open(struct json *j, const char *key);
void json_arr_close(struct json *j);
void json_str(struct json *j, const char *key, const char *val);
void json_u64(struct json *j, const char *key, uint64_t val);
void json_i64(struct json *j, const char *key, int64_t val);
void json_bool(struct json *j, const char *key, bool val);
void json_null(struct json *j, const char *key);
/* @val with @decimals digits after the point */
void json_double(struct json *j, const char *key, double val, int decimals);
/* End the document: newline, flush. 0 or -errno (-EINVAL: misnested). */
int json_end(struct json *j);

/* Write @s as a quoted JSON string; invalid UTF-8 becomes U+FFFD. */
void json_write_string(FILE *f, const char *s);

#endif /* CCHEAP_JSON_H */
