// SPDX-License-Identifier: GPL-2.0
/*
 * ccheap info: the platform, heaps, swiotlb and counters.
 */
#include <errno.h>
#include <string.h>

#include "commands.h"
#include "fmt.h"

void json_kvset(struct json *j, const char *key, bool ok,
		const struct kvset *set)
{
	unsigned int i;

	if (!ok) {
		json_null(j, key);
		return;
	}
	json_obj_open(j, key);
	for (i = 0; i < set->n; i++)
		json_i64(j, set->v[i].key, set->v[i].val);
	json_obj_close(j);
}

void print_kvset(FILE *f, const char *label, const struct kvset *set)
{
	struct fmt_line l;
	unsigned int i;

	fmt_line_start(&l, f, label);
	for (i = 0; i < set->n; i++)
		fmt_line_item(&l, "%s %lld", set->v[i].key, set->v[i].val);
	fmt_line_end(&l);
}

int json_finish(struct ccheap_ctx *ctx, struct json *j)
{
	int ret = json_end(j);

	ctx->emitted = true;
	if (ret)
		return ccheap_fail(ctx, ret, "writing the JSON output: %s",
				   strerror(-ret));
	return 0;
}

int out_finish(struct ccheap_ctx *ctx)
{
	if (fflush(ctx->out) || ferror(ctx->out))
		return ccheap_fail(ctx, -EIO, "writing the output failed");
	return 0;
}

static const char *platform_text(enum coco_kind kind)
{
	switch (kind) {
	case COCO_EMULATED:
		return "emulated CoCo guest (cc_emu)";
	case COCO_SEV_SNP:
		return "AMD SEV-SNP guest";
	case COCO_TDX:
		return "Intel TDX guest";
	case COCO_ARM_CCA:
		return "Arm CCA realm";
	default:
		return "none (not a confidential guest)";
	}
}

static const char *role_name(enum heap_role role)
{
	switch (role) {
	case HEAP_ROLE_SYSTEM:
		return "system";
	case HEAP_ROLE_SHARED:
		return "shared";
	default:
		return "other";
	}
}

static void json_probes(struct json *j, const struct ccheap_sys *s)
{
	unsigned int i;

	json_arr_open(j, "signals");
	for (i = 0; i < s->nr_probes; i++) {
		const struct probe *p = &s->probes[i];

		json_obj_open(j, NULL);
		json_str(j, "name", p->name);
		json_str(j, "path", p->path);
		json_str(j, "state", probe_state_name(p->state));
		json_str(j, "detail", p->detail);
		json_obj_close(j);
	}
	json_arr_close(j);
}

static void json_heaps(struct json *j, const struct ccheap_sys *s)
{
	char why[160];
	unsigned int i;

	json_bool(j, "dma_heap_dir", s->heap_dir);
	json_arr_open(j, "heaps");
	for (i = 0; i < s->nr_heaps; i++) {
		json_obj_open(j, NULL);
		json_str(j, "name", s->heaps[i].name);
		json_str(j, "role", role_name(s->heaps[i].role));
		json_str(j, "naming", s->heaps[i].naming);
		json_obj_close(j);
	}
	json_arr_close(j);
	json_str(j, "shared_heap", s->shared);
	if (s->shared) {
		json_null(j, "shared_heap_missing");
		return;
	}
	shared_reason_text(s, why, sizeof(why));
	json_obj_open(j, "shared_heap_missing");
	json_str(j, "reason", shared_reason_code(s->reason));
	json_str(j, "message", why);
	json_obj_close(j);
}

void json_known(struct json *j, const char *key, long long v)
{
	if (v < 0)
		json_null(j, key);
	else
		json_i64(j, key, v);
}

static void json_swiotlb(struct json *j, const struct ccheap_sys *s)
{
	json_obj_open(j, "swiotlb");
	json_known(j, "nslabs", s->nslabs);
	json_known(j, "used", s->used);
	json_known(j, "size_bytes", s->nslabs < 0 ? -1 :
		   s->nslabs * SWIOTLB_SLAB_BYTES);
	json_known(j, "used_bytes", s->used < 0 ? -1 :
		   s->used * SWIOTLB_SLAB_BYTES);
	json_bool(j, "forced", s->forced);
	json_str(j, "forced_reason", s->forced_why);
	json_obj_close(j);
}

static void json_module(struct json *j, const struct ccheap_sys *s)
{
	char text[200];

	module_text(s, text, sizeof(text));
	json_obj_open(j, "module");
	json_str(j, "name", MODULE_NAME);
	json_str(j, "state", module_state_name(s->module));
	json_str(j, "file", s->module_path[0] ? s->module_path : NULL);
	json_str(j, "message", text);
	json_obj_close(j);
}

static int info_json(struct ccheap_ctx *ctx, const struct ccheap_sys *s)
{
	struct json j;

	json_init(&j, ctx->out);
	json_obj_open(&j, NULL);
	json_str(&j, "command", "info");
	json_str(&j, "platform", coco_kind_name(s->kind));
	json_str(&j, "machine", s->machine);
	json_probes(&j, s);
	json_heaps(&j, s);
	json_swiotlb(&j, s);
	json_bool(&j, "test_device", s->test_dev);
	json_kvset(&j, "heap_counters", s->heap_stats_ok, &s->heap_stats);
	json_kvset(&j, "emulator_counters", s->emu, &s->emu_stats);
	json_module(&j, s);
	json_obj_close(&j);
	return json_finish(ctx, &j);
}

static void print_heaps(FILE *f, const struct ccheap_sys *s)
{
	struct fmt_line l;
	unsigned int i;
	char why[160];

	fmt_line_start(&l, f, "heaps");
	if (!s->heap_dir)
		fmt_line_item(&l, "none (" HEAP_DIR " missing)");
	for (i = 0; i < s->nr_heaps; i++) {
		const struct heap_entry *h = &s->heaps[i];

		if (h->naming)
			fmt_line_item(&l, "%s (shared, %s name)", h->name,
				      h->naming);
		else
			fmt_line_item(&l, "%s", h->name);
	}
	if (s->heaps_truncated)
		fmt_line_item(&l, "...");
	fmt_line_end(&l);
	shared_reason_text(s, why, sizeof(why));
	fmt_field(f, "shared heap", "%s%s", s->shared ? "" : "none: ", why);
}

static void print_swiotlb(FILE *f, const struct ccheap_sys *s)
{
	struct fmt_line l;
	char size[32], used[32];

	fmt_line_start(&l, f, "swiotlb");
	if (s->nslabs < 0) {
		fmt_line_item(&l, "size n/a");
	} else {
		fmt_size((uint64_t)s->nslabs * SWIOTLB_SLAB_BYTES, size,
			 sizeof(size));
		fmt_line_item(&l, "%s (%lld slabs)", size, s->nslabs);
	}
	if (s->used < 0) {
		fmt_line_item(&l, "used n/a");
	} else {
		fmt_size((uint64_t)s->used * SWIOTLB_SLAB_BYTES, used,
			 sizeof(used));
		fmt_line_item(&l, "%lld slabs used (%s)", s->used,
			      s->used ? used : "0");
	}
	fmt_line_item(&l, "forced bouncing: %s",
		      !s->forced ? "no" : s->forced_why &&
		      !strcmp(s->forced_why, "cmdline") ?
		      "yes (swiotlb=force)" : "yes (CoCo guest)");
	fmt_line_end(&l);
}

static void print_probes(FILE *f, const struct ccheap_sys *s)
{
	unsigned int i;

	fprintf(f, "signals read:\n");
	for (i = 0; i < s->nr_probes; i++) {
		const struct probe *p = &s->probes[i];
		int col = fprintf(f, "  %-10s %s", probe_state_name(p->state),
				  p->path);

		if (!p->detail[0])
			fputc('\n', f);
		else if (col + 3 + (int)strlen(p->detail) < CCHEAP_COLS)
			fprintf(f, " (%s)\n", p->detail);
		else
			fprintf(f, "\n%13s(%s)\n", "", p->detail);
	}
}

static void info_human(FILE *f, const struct ccheap_sys *s)
{
	fmt_field(f, "platform", "%s", platform_text(s->kind));
	fmt_field(f, "machine", "%s", s->machine);
	print_heaps(f, s);
	print_swiotlb(f, s);
	fmt_field(f, "test device", TEST_DEV " %s",
		  s->test_dev ? "present" : "absent");
	if (s->heap_stats_ok)
		print_kvset(f, "heap counters", &s->heap_stats);
	else
		fmt_field(f, "heap counters", "n/a");
	if (s->emu)
		print_kvset(f, "emulator", &s->emu_stats);
	else
		fmt_field(f, "emulator", "n/a");
	if (s->module != MODULE_ABSENT) {
		char text[200];

		module_text(s, text, sizeof(text));
		fmt_field(f, "module", "%s", text);
	}
	print_probes(f, s);
}

int cmd_info(struct ccheap_ctx *ctx, const struct ccheap_args *args)
{
	struct ccheap_sys s;
	int ret;

	(void)args;
	ret = sys_probe(&s);
	if (ret)
		return ccheap_fail(ctx, ret, "info: %s", strerror(-ret));
	if (ctx->json)
		return info_json(ctx, &s);
	info_human(ctx->out, &s);
	return out_finish(ctx);
}
