/* libFuzzer target for the X.509 hand-off (src/proto/x509.c): the input is
 * one DER certificate given to ph_x509_parse(); every string of the result
 * must be NUL-terminated within its field and every list within its cap,
 * and the host match runs against a fixed name and the certificate's own
 * CN. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "proto/x509.h"

static void need_nul(const char *s, size_t cap)
{
	if (!memchr(s, 0, cap))
		__builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct ph_x509 c;
	(void)ph_x509_parse(data, size, &c);
	need_nul(c.subject, sizeof c.subject);
	need_nul(c.issuer, sizeof c.issuer);
	need_nul(c.serial, sizeof c.serial);
	need_nul(c.subject_cn, sizeof c.subject_cn);
	need_nul(c.sig_alg, sizeof c.sig_alg);
	need_nul(c.key_alg, sizeof c.key_alg);
	need_nul(c.curve, sizeof c.curve);
	need_nul(c.exponent, sizeof c.exponent);
	if (c.n_san_dns > PH_X509_MAX_SAN || c.n_san_ip > PH_X509_MAX_SAN ||
	    c.n_san_uri > PH_X509_MAX_SAN || c.n_san_email > PH_X509_MAX_SAN)
		__builtin_trap();
	for (unsigned i = 0; i < c.n_san_dns; i++)
		need_nul(c.san_dns[i], PH_X509_SAN_LEN);
	(void)ph_x509_matches_host(&c, "www.example.com");
	(void)ph_x509_matches_host(&c, c.subject_cn);
	return 0;
}
