/* Google QUIC recognition (internal to src/proto/quic*.c): labels a
 * datagram's gQUIC version ("Q043", "Q046", "Q050", "T051") from the old
 * public header (Q0xx up to Q043) or the Q046+ long header, and pulls the
 * SNI out of a cleartext CHLO handshake message (versions up to Q046, whose
 * Initial packets are not encrypted). Bounded: never reads past the
 * datagram, at most PH_GQUIC_MAX_TAGS tags. */
#ifndef PH_PROTO_QUIC_GQUIC_H
#define PH_PROTO_QUIC_GQUIC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PH_GQUIC_MAX_TAGS 64    /* CHLO tags examined */
#define PH_GQUIC_SCAN 192       /* datagram bytes searched for "CHLO" */

/* The gQUIC version of a client datagram with a version field, as the
 * big-endian u32 of its 4 ASCII characters; 0 when the datagram is not
 * gQUIC (or carries no version). */
uint32_t ph_gquic_version(const uint8_t *d, size_t n);

/* Looks for a CHLO message in the datagram and copies its SNI tag value
 * into sni (NUL-terminated, cut at cap - 1). Returns 1 with an SNI, 0 for
 * a CHLO without SNI, -1 when no complete CHLO tag table is present. */
int ph_gquic_chlo_sni(const uint8_t *d, size_t n, char *sni, size_t cap);

#endif
