/* QUIC Initial packet protection (RFC 9001 section 5, RFC 9369 section 3.3):
 * the version table (Zeek's names, which versions are IETF-style and which
 * salt their Initial keys use), Initial key derivation with HKDF-SHA256
 * (HMAC-SHA256 by hand), header-protection removal (AES-128-ECB on the
 * sample) and AES-128-GCM payload decryption. Internal to src/proto/quic*.c;
 * stateless apart from the OpenSSL objects fetched once per context. */
#ifndef PH_PROTO_QUIC_CRYPTO_H
#define PH_PROTO_QUIC_CRYPTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PH_QUIC_V1 0x00000001u
#define PH_QUIC_V2 0x6b3343cfu

/* Initial packet protection keys for one direction. */
struct ph_quic_keys {
	uint8_t key[16]; /* AEAD_AES_128_GCM key */
	uint8_t iv[12];
	uint8_t hp[16];  /* header protection (AES-128-ECB) key */
};

/* What the parser knows about a wire version. */
struct ph_quic_version_info {
	const char *zeek_name; /* Zeek's QUIC::version_strings, or NULL:
				  then "unknown-<hex>" */
	bool ietf;             /* IETF long-header layout we can decrypt */
	bool v2;               /* RFC 9369 packet types and labels */
	const uint8_t *salt;   /* 20-byte Initial salt (ietf only) */
};

/* Looks a version up; false for versions we cannot decrypt (the info is
 * still filled: zeek_name NULL, ietf false). */
bool ph_quic_version_lookup(uint32_t version, struct ph_quic_version_info *vi);

/* Writes Zeek's version string ("1", "quicv2", "draft-29",
 * "unknown-51303436") into out (cap >= 20). */
void ph_quic_version_string(uint32_t version, char *out, size_t cap);

/* Google QUIC version tags: "Q046" / "T051" as a big-endian u32. */
bool ph_quic_is_gquic_version(uint32_t version);

/* Q050, T050, T051: gQUIC versions whose Initials are protected like
 * IETF QUIC's (with their own salts); ph_quic_derive_initial takes them. */
bool ph_quic_gquic_protected(uint32_t version);

struct ph_quic_crypto; /* OpenSSL objects, fetched once; one per thread */

struct ph_quic_crypto *ph_quic_crypto_new(void);
void ph_quic_crypto_free(struct ph_quic_crypto *c);

/* Derives the client ([0]) and server ([1]) Initial keys from the client's
 * first Destination Connection ID (IETF versions of the table and the
 * ph_quic_gquic_protected ones). 0, or -1 (unknown version, OpenSSL). */
int ph_quic_derive_initial(struct ph_quic_crypto *c, uint32_t version,
			   const uint8_t *dcid, size_t dcid_len,
			   struct ph_quic_keys out[2]);

/* Opens one protected long-header packet.
 * pkt: the packet from its first byte (borrowed, not modified);
 * pn_off: offset of the Packet Number field; len: the Length field (bytes
 * from pn_off to the end of the packet, pn_off + len <= avail);
 * largest_pn: largest packet number decrypted so far in this space
 * (UINT64_MAX if none), for packet-number recovery (RFC 9000 A.3);
 * hdr: scratch for the unprotected header, cap >= pn_off + 4;
 * out: plaintext, cap >= len.
 * Returns the plaintext length (>= 0) and the packet number in *pn, or -1
 * when too short or authentication fails. */
int ph_quic_open(struct ph_quic_crypto *c, const struct ph_quic_keys *k,
		 const uint8_t *pkt, size_t pn_off, size_t len,
		 uint64_t largest_pn, uint8_t *hdr, size_t hdr_cap,
		 uint8_t *out, size_t out_cap, uint64_t *pn);

#endif
