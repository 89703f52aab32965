/* ClientHello/ServerHello body parser and the JA3/JA3S/JA4/JA4S
 * fingerprints, shared by the TLS record parser (tls.c) and QUIC (quic.c).
 * Input is the handshake message body after the 4-byte handshake header
 * (type + 24-bit length). Bounded: reads through util/rd.h only; lists are
 * capped (proto_tls.h) and the cap sets `truncated`. */
#ifndef PH_PROTO_TLS_HELLO_H
#define PH_PROTO_TLS_HELLO_H

#include <stddef.h>
#include <stdint.h>

#include "peephole/proto_tls.h"

/* Parses a ClientHello body into *out (zeroed first; fingerprints are NOT
 * computed). Returns 0, or a negative PH_E* code (PH_EFORMAT) when the body
 * is malformed; on error *out holds whatever was parsed before the fault. */
int ph_tls_parse_client_hello(const uint8_t *body, size_t len,
			      struct ph_tls_hello *out);

/* Same for a ServerHello body (also a TLS 1.3 HelloRetryRequest). */
int ph_tls_parse_server_hello(const uint8_t *body, size_t len,
			      struct ph_tls_hello *out);

/* Computes the fingerprints of a parsed hello in place: for a client hello
 * ja3 (string), ja3_md5 and ja4; for a server hello ja3 (JA3S string),
 * ja3_md5 (JA3S) and ja4 (JA4S). `quic` selects the JA4 'q' prefix
 * (instead of 't') and is stored in h->quic. */
void ph_tls_hello_fingerprint(struct ph_tls_hello *h, bool quic);

/* True for a GREASE value (RFC 8701: 0x0a0a, 0x1a1a, ... 0xfafa). */
static inline bool ph_tls_is_grease(uint16_t v)
{
	return (v & 0x0f0f) == 0x0a0a && (v >> 8) == (v & 0xff);
}

#endif
