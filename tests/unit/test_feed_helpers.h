/* Shared by the feed loader tests (test_feed_*.c): a sink that collects
 * what a loader gives (the first FEED_KEEP entries and unsupported
 * reports in full, counts of everything) and a one-call loader for a
 * string. Header-only; each test includes it once. */
#ifndef TEST_FEED_HELPERS_H
#define TEST_FEED_HELPERS_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "peephole/intel.h"

#define FEED_KEEP 512

struct feed_got_entry {
	int type;
	char value[256];
	char name[128], campaign[128], category[64], ref[128];
	unsigned line;
};

struct feed_got_unsup {
	char text[160];
	char reason[96];
	unsigned line;
};

struct feed_got {
	unsigned n, nunsup;
	unsigned count[PH_IOC_TYPE_COUNT];
	int stop_at; /* add() returns -99 at this entry (1-based), 0: never */
	struct feed_got_entry e[FEED_KEEP];
	struct feed_got_unsup u[FEED_KEEP];
};

static inline void feed_copy(char *dst, size_t cap, const char *s)
{
	snprintf(dst, cap, "%s", s ? s : "");
}

static inline int feed_got_add(void *user, const struct ph_ioc_entry *e)
{
	struct feed_got *g = user;
	if (g->stop_at && (int)g->n + 1 == g->stop_at)
		return -99;
	if ((unsigned)e->type < PH_IOC_TYPE_COUNT)
		g->count[e->type]++;
	if (g->n < FEED_KEEP) {
		struct feed_got_entry *x = &g->e[g->n];
		x->type = (int)e->type;
		snprintf(x->value, sizeof x->value, "%.*s", (int)e->len,
			 e->value);
		feed_copy(x->name, sizeof x->name, e->name);
		feed_copy(x->campaign, sizeof x->campaign, e->campaign);
		feed_copy(x->category, sizeof x->category, e->category);
		feed_copy(x->ref, sizeof x->ref, e->ref);
		x->line = e->line;
	}
	g->n++;
	return 0;
}

static inline void feed_got_unsup(void *user, const char *text, size_t len,
			   unsigned line, const char *reason)
{
	struct feed_got *g = user;
	if (g->nunsup < FEED_KEEP) {
		struct feed_got_unsup *u = &g->u[g->nunsup];
		snprintf(u->text, sizeof u->text, "%.*s",
			 (int)(len < 159 ? len : 159), text);
		feed_copy(u->reason, sizeof u->reason, reason);
		u->line = line;
	}
	g->nunsup++;
}

static inline struct feed_got *feed_got_new(void)
{
	struct feed_got *g = calloc(1, sizeof *g);
	if (!g)
		abort();
	return g;
}

/* Loads the C string s as format fmt into a fresh collector. */
static inline struct feed_got *feed_load(enum ph_feed_format fmt, const char *s,
				  int *rc, struct ph_err *err)
{
	struct feed_got *g = feed_got_new();
	struct ph_feed_sink sink = {feed_got_add, feed_got_unsup, g};
	int r = ph_feed_load_buffer(fmt, "t.in", (const uint8_t *)s,
				    strlen(s), &sink, err);
	if (rc)
		*rc = r;
	return g;
}

/* Index of the first kept entry with this type and value, or -1. */
static inline int feed_find(const struct feed_got *g, int type, const char *value)
{
	for (unsigned i = 0; i < g->n && i < FEED_KEEP; i++)
		if (g->e[i].type == type && !strcmp(g->e[i].value, value))
			return (int)i;
	return -1;
}

#endif
