/* libFuzzer target for the identifier list and its forms
 * (src/intel/identifiers.c, ident_forms.c): the input is an identifiers
 * file (KEY=VALUE lines), loaded from a temporary file. Checks that the
 * loader never reads out of bounds, that a normalised value re-added is
 * recognised as the same identifier (non-text kinds), that every form
 * is 4 to 160 bytes of a listed identifier, and masking with small
 * buffers. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "peephole/identifiers.h"

static char path[64];

/* The input as a file (one temporary file, rewritten each run). */
static int write_input(const uint8_t *data, size_t size)
{
	static int fd = -1;
	if (fd < 0) {
		memcpy(path, "/tmp/fuzz_identifiers_XXXXXX", 29);
		fd = mkstemp(path);
		if (fd < 0)
			return -1;
	}
	if (ftruncate(fd, 0) != 0 || pwrite(fd, data, size, 0) != (ssize_t)size)
		return -1;
	return 0;
}

static void check_same(struct ph_identifiers *ids, const struct ph_ident *id)
{
	enum ph_ident_kind k = id->kind;
	if (k >= PH_ID_SERIAL && k != PH_ID_LOCATION)
		return; /* free text: the norm is the trimmed value */
	unsigned n = ph_identifiers_count(ids);
	char norm[PH_IDENT_VALUE_MAX];
	memcpy(norm, id->norm, sizeof norm);
	if (ph_identifiers_add(ids, ph_ident_kind_key(k), norm, "again",
			       NULL) != PH_OK ||
	    ph_identifiers_count(ids) != n)
		__builtin_trap();
}

static void check_forms(const struct ph_identifiers *ids)
{
	struct ph_ident_form *f = NULL;
	size_t n = 0;
	if (ph_ident_forms(ids, &f, &n, NULL) != PH_OK)
		return;
	for (size_t i = 0; i < n; i++)
		if (f[i].len < 4 || f[i].len > sizeof f[i].bytes ||
		    f[i].ident >= ph_identifiers_count(ids) || !f[i].how[0])
			__builtin_trap();
	free(f);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > 4096 || write_input(data, size) < 0)
		return 0;
	struct ph_identifiers *ids = ph_identifiers_new();
	struct ph_err err;
	if (!ids)
		return 0;
	memset(&err, 0, sizeof err);
	ph_identifiers_load(ids, path, &err);
	unsigned n = ph_identifiers_count(ids);
	for (unsigned i = 0; i < n; i++) {
		const struct ph_ident *id = ph_identifiers_get(ids, i);
		char m[PH_IDENT_VALUE_MAX + 8], tiny[3];
		ph_ident_mask(id->value, false, m, sizeof m);
		ph_ident_mask(id->value, (i & 1) != 0, tiny, sizeof tiny);
		if (strlen(m) != strlen(id->value) && !strchr(id->value, '@'))
			__builtin_trap();
		if (id->kind == PH_ID_LOCATION &&
		    !ph_ident_location_near(id, id->lat, id->lon))
			__builtin_trap();
		check_same(ids, id);
	}
	check_forms(ids);
	ph_identifiers_free(ids);
	return 0;
}
