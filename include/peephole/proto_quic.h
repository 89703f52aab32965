/* QUIC event payload (PH_EV_QUIC): emitted by the QUIC parser (src/proto/
 * quic.c) for every Initial packet it handles (IETF QUIC v1, v2, drafts,
 * mvfst), for gQUIC packets it can label, and once per quic.log record (the
 * Zeek QUIC::Info summary of one QUIC session on a UDP flow). Fixed-size
 * strings, no pointers to free; everything is borrowed by subscribers for
 * the duration of the callback. */
#ifndef PEEPHOLE_PROTO_QUIC_H
#define PEEPHOLE_PROTO_QUIC_H

#include <stdbool.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

struct ph_tls_hello; /* include/peephole/proto_tls.h */

#define PH_QUIC_CID_MAX 20        /* bytes of a connection ID kept */
#define PH_QUIC_CID_HEX (2 * PH_QUIC_CID_MAX + 1)
#define PH_QUIC_NAME_LEN 256      /* SNI / ALPN kept (255 bytes + NUL) */
#define PH_QUIC_HISTORY_LEN 100   /* Zeek's QUIC::max_history_length */

enum ph_quic_what {
	PH_QUIC_PACKET = 0, /* one Initial packet (or gQUIC packet) handled */
	PH_QUIC_RECORD = 1, /* a quic.log record is complete: see `rec` */
};

/* One quic.log record (Zeek's QUIC::Info). Strings are NUL-terminated;
 * a has_* flag false means the field is unset ("-"), an empty string with
 * the flag set is Zeek's "(empty)". */
struct ph_quic_record {
	uint64_t ts_ns;                  /* first long-header packet */
	char version[32];                /* Zeek's version string ("1",
					    "quicv2", "draft-29",
					    "unknown-51303436") */
	bool has_client_initial_dcid;
	char client_initial_dcid[PH_QUIC_CID_HEX]; /* hex */
	bool has_client_scid;
	char client_scid[PH_QUIC_CID_HEX];
	bool has_server_scid;
	char server_scid[PH_QUIC_CID_HEX];
	char server_name[PH_QUIC_NAME_LEN];     /* "" = unset */
	char client_protocol[PH_QUIC_NAME_LEN]; /* first ALPN, "" = unset */
	char history[PH_QUIC_HISTORY_LEN + 1];  /* Zeek history letters */
};

/* The PH_EV_QUIC payload. For what == PH_QUIC_RECORD only `rec` (and
 * version/gquic) is meaningful. */
struct ph_quic_initial {
	enum ph_quic_what what;
	uint32_t version;         /* wire version (gQUIC: "Q046" as u32) */
	const char *version_name; /* static: "1", "2", "draft-29",
				     "mvfst (faceb002)", "Q046", "T051",
				     "unknown-<hex>" */
	bool gquic;               /* Google QUIC (Q0xx/T0xx) */
	bool from_client;         /* sent by the connection's originator */
	bool decrypted;           /* Initial keys opened the payload */
	uint8_t dcid_len, scid_len;           /* on the wire (may exceed
						 PH_QUIC_CID_MAX) */
	char dcid[PH_QUIC_CID_HEX];           /* hex, cut at the cap */
	char scid[PH_QUIC_CID_HEX];
	/* A client Initial that completed the ClientHello: the parsed hello
	 * with fingerprints (ja4 has the 'q' prefix); NULL otherwise.
	 * Borrowed for the callback. */
	const struct ph_tls_hello *hello;
	/* SNI and first ALPN of the client hello (also gQUIC's CHLO SNI):
	 * NUL-terminated, "" when absent. */
	const char *sni;
	const char *alpn;
	const char *ja4;          /* hello->ja4 or "" */
	const struct ph_quic_record *rec; /* PH_QUIC_RECORD only, else NULL */
};

#ifdef __cplusplus
}
#endif
#endif
