/* Domain and name-server indicators: keyed by the normalised name (see
 * normalize.h). A lookup normalises the name into a stack buffer and
 * probes every suffix that starts on a label boundary, the whole name
 * first, so "a.evil.com" finds "a.evil.com", "evil.com" and "com" and
 * never "notevil.com": O(labels) probes, independent of the store size.
 * DOMAIN and NS are separate namespaces (the type is part of the key). */
#include "intel/store_int.h"

int ph_intel_domain_add(struct ph_intel *in, unsigned src,
			const struct ph_ioc_entry *e)
{
	char name[PH_INTEL_NAME_MAX + 1];
	int n = ph_intel_norm_domain(e->value, e->len, name, sizeof name);
	if (n < 0)
		return PH_EINVAL;
	return ph_intel_put(in, e->type, name, (size_t)n, NULL, 0, src, e);
}

unsigned ph_intel_domain_match(const struct ph_intel *in, unsigned type,
			       const char *value, size_t len,
			       struct ph_ioc_hit *hits, unsigned max)
{
	char name[PH_INTEL_NAME_MAX + 1];
	int n = ph_intel_norm_domain(value, len, name, sizeof name);
	unsigned found = 0;
	if (n < 0)
		return 0;
	for (int i = 0; i < n; i++) {
		if (i > 0 && name[i - 1] != '.')
			continue;
		found = ph_intel_probe(in, type, name + i, (size_t)(n - i), hits,
				       max, found);
	}
	return found;
}
