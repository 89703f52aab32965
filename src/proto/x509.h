/* X.509 certificate hand-off to OpenSSL (x509.c): one DER certificate in,
 * one bounded struct ph_x509 out (proto_tls.h), plus the host name match
 * and validity checks that ssl.log needs without a trust store. */
#ifndef PH_PROTO_X509_H
#define PH_PROTO_X509_H

#include <stddef.h>
#include <stdint.h>

#include "peephole/proto_tls.h"

#define PH_X509_MAX_DER (64u * 1024u) /* larger certificates are refused */

/* Parses one DER certificate (borrowed, len bytes) into *out (zeroed
 * first). Fingerprints are always computed; out->parsed says whether
 * OpenSSL could decode the rest. Returns 0, PH_EFORMAT (undecodable: only
 * fingerprints valid) or PH_ENOMEM (over PH_X509_MAX_DER: nothing done). */
int ph_x509_parse(const uint8_t *der, size_t len, struct ph_x509 *out);

/* RFC 6125 host name match of `name` against the certificate's DNS SANs,
 * or its subject CN when it has no DNS SAN; one left-most '*' label
 * allowed. Case-insensitive. */
bool ph_x509_matches_host(const struct ph_x509 *c, const char *name);

#endif
