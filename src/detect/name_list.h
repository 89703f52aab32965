/* A list of domain names, one a line ('#' comments, "*." and leading dots
 * ignored, any case), from a user's file or a built-in data/ list, sorted
 * for lookups on label boundaries. Used by the detections that carry a
 * replaceable list (risky_names: dynamic-DNS providers and TLDs; beacon:
 * known periodic services). Bounded: PH_NAME_LIST_MAX entries (more are
 * counted in dropped) and PH_NAME_LIST_FILE bytes of file. */
#ifndef PH_DETECT_NAME_LIST_H
#define PH_DETECT_NAME_LIST_H

#include <stdbool.h>
#include <stddef.h>

#include "peephole/ph.h"

#define PH_NAME_LIST_MAX 65536u
#define PH_NAME_LIST_FILE (1u << 20)

struct ph_name_list {
	char *text;          /* owned: the list's text, cut into entries */
	const char **item;   /* owned: sorted lower-case entries in text */
	unsigned n, dropped;
};

/* Loads the file at path, or the built-in text when path is NULL. Errors
 * name `who` (the module) and the file: PH_EIO, PH_ENOMEM. */
int ph_name_list_load(struct ph_name_list *l, const char *path,
		      const char *builtin, const char *who,
		      struct ph_err *err);

/* The entry that name (n bytes, any case, final dots ignored) lies below
 * on a label boundary, or equals when self is true; NULL when none. */
const char *ph_name_list_match(const struct ph_name_list *l, const char *name,
			       size_t n, bool self);

void ph_name_list_free(struct ph_name_list *l);

#endif
