/* Shared body of the feed-loader fuzz targets (fuzz_feed_<format>.c): the
 * input is a whole feed file for ph_feed_load_buffer in one format, then
 * for ph_feed_detect. Every byte the sink is handed is read, so ASan sees
 * reads past a value, name or reason. */
#ifndef PH_FUZZ_FEED_COMMON_H
#define PH_FUZZ_FEED_COMMON_H

#include <string.h>

#include "peephole/intel.h"

static uint64_t fuzz_feed_acc;

static void fuzz_feed_touch(const char *s)
{
	if (s)
		fuzz_feed_acc += strlen(s);
}

static int fuzz_feed_add(void *user, const struct ph_ioc_entry *e)
{
	(void)user;
	for (size_t i = 0; i < e->len; i++)
		fuzz_feed_acc += (unsigned char)e->value[i];
	fuzz_feed_touch(e->name);
	fuzz_feed_touch(e->campaign);
	fuzz_feed_touch(e->category);
	fuzz_feed_touch(e->ref);
	fuzz_feed_acc += e->line + (unsigned)e->type;
	return 0;
}

static void fuzz_feed_unsupported(void *user, const char *text, size_t len,
				  unsigned line, const char *reason)
{
	(void)user;
	for (size_t i = 0; i < len; i++)
		fuzz_feed_acc += (unsigned char)text[i];
	fuzz_feed_touch(reason);
	fuzz_feed_acc += line;
}

/* Loads data as format f, then guesses its format under `name`. */
static int fuzz_feed_one(enum ph_feed_format f, const char *name,
			 const uint8_t *data, size_t size)
{
	struct ph_feed_sink sink = {fuzz_feed_add, fuzz_feed_unsupported, NULL};
	struct ph_err err;
	ph_feed_load_buffer(f, "fuzz", data, size, &sink, &err);
	fuzz_feed_acc += ph_feed_detect(name, data, size);
	return 0;
}

#endif
