/* Exact-match indicators: URLs (normalised), e-mail addresses, certificate
 * and file hashes, JA3/JA3S/JA4 and app ids. The key is the normalised
 * text (normalize.h), so a lookup is one normalisation into a stack
 * buffer and one hash probe. */
#include "intel/store_int.h"

int ph_intel_exact_add(struct ph_intel *in, unsigned src,
		       const struct ph_ioc_entry *e)
{
	char v[PH_INTEL_VALUE_MAX + 1];
	int n = ph_intel_norm_value(e->type, e->value, e->len, v, sizeof v);
	if (n < 0)
		return PH_EINVAL;
	return ph_intel_put(in, e->type, v, (size_t)n, NULL, 0, src, e);
}

unsigned ph_intel_exact_match(const struct ph_intel *in, unsigned type,
			      const char *value, size_t len,
			      struct ph_ioc_hit *hits, unsigned max)
{
	char v[PH_INTEL_VALUE_MAX + 1];
	int n = ph_intel_norm_value((enum ph_ioc_type)type, value, len, v,
				    sizeof v);
	if (n < 0)
		return 0;
	return ph_intel_probe(in, type, v, (size_t)n, hits, max, 0);
}
