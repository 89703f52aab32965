/* libFuzzer target for the pii detection's parsers of hostile bytes: the
 * field finder (pii_context.c) and the generic candidate verifiers
 * (pii_generic.c), which read back from the end of an attacker-controlled
 * window. The first byte picks the channel; the rest is the window. Each
 * call must stay inside the window and write NUL-terminated text within
 * its buffer (ASan checks both). */
#include <stdint.h>
#include <string.h>

#include "detect/pii_scan.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	enum pii_chan ch = (enum pii_chan)(data[0] % 7);
	const uint8_t *w = data + 1;
	size_t n = size - 1;
	char out[32];
	pii_context_field(w, n, ch, out, sizeof out);
	if (strnlen(out, sizeof out) == sizeof out)
		__builtin_trap();
	char small[5];
	pii_context_field(w, n, ch, small, sizeof small);
	struct pii_gen_value v;
	uint8_t mac[6];
	memset(&v, 0, sizeof v);
	if (pii_gen_imei(w, n, &v) && (strlen(v.text) != 15 || v.span > n))
		__builtin_trap();
	if (pii_gen_mac(w, n, &v, mac) && v.span > n)
		__builtin_trap();
	if (pii_gen_email(w, n, &v) && (!strchr(v.text, '@') || v.span > n))
		__builtin_trap();
	if (pii_gen_coord(w, n, &v)) {
		if (v.span > n)
			__builtin_trap();
		(void)pii_gen_coord_plausible(&v);
	}
	return 0;
}
