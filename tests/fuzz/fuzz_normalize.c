/* libFuzzer target for indicator normalisation and the store
 * (src/intel/normalize.c, store*.c): the first byte picks an indicator
 * type, the rest is the value. Checks that normalisation is idempotent
 * (normalising a normalised value gives it back), that an added value is
 * found again by ph_intel_match, and that nothing reads out of bounds. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "intel/normalize.h"
#include "peephole/intel.h"

static char a[PH_INTEL_VALUE_MAX + 1], b[PH_INTEL_VALUE_MAX + 1];

static void check_idempotent(enum ph_ioc_type t, const char *v, size_t n)
{
	if (t == PH_IOC_IP) {
		struct ph_intel_ip ip, ip2;
		if (ph_intel_ip_parse(v, n, &ip) < 0)
			return;
		int k = ph_intel_ip_format(&ip, a, sizeof a);
		if (k < 0 || ph_intel_ip_parse(a, (size_t)k, &ip2) < 0 ||
		    memcmp(&ip, &ip2, sizeof ip))
			__builtin_trap();
		return;
	}
	int k = ph_intel_norm_value(t, v, n, a, sizeof a);
	if (k < 0)
		return;
	int k2 = ph_intel_norm_value(t, a, (size_t)k, b, sizeof b);
	if (k2 != k || memcmp(a, b, (size_t)k))
		__builtin_trap();
}

static void check_store(enum ph_ioc_type t, const char *v, size_t n)
{
	struct ph_intel *in = ph_intel_new();
	struct ph_intel_source_info info = {.name = "fuzz"};
	if (!in || ph_intel_source_add(in, &info, NULL) != 0) {
		ph_intel_free(in);
		return;
	}
	struct ph_ioc_entry e = {.type = t, .value = v, .len = n,
				 .campaign = "c"};
	int rc = ph_intel_add(in, 0, &e);
	struct ph_ioc_hit h[4];
	unsigned found = ph_intel_match(in, t, v, n, h, 4);
	if ((rc == 0 && found != 1) || (rc < 0 && found != 0))
		__builtin_trap();
	uint8_t addr[16];
	memset(addr, 0, sizeof addr);
	memcpy(addr, v, n < 16 ? n : 16);
	ph_intel_match_ip(in, addr, 4, h, 4);
	ph_intel_match_ip(in, addr, 6, h, 4);
	ph_intel_free(in);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	enum ph_ioc_type t = (enum ph_ioc_type)(data[0] % PH_IOC_TYPE_COUNT);
	const char *v = (const char *)data + 1;
	size_t n = size - 1;
	check_idempotent(t, v, n);
	check_store(t, v, n);
	/* the domain and URL paths on every input, whatever the type byte */
	ph_intel_norm_domain(v, n, a, sizeof a);
	ph_intel_norm_url(v, n, a, sizeof a);
	return 0;
}
