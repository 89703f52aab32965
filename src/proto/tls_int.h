/* Internals shared by the TLS module's files (tls.c: record layer and
 * hellos; tls_cert.c: Certificate messages): per-flow state, module state
 * and caps. Not for other stages. */
#ifndef PH_PROTO_TLS_INT_H
#define PH_PROTO_TLS_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "peephole/module.h"
#include "peephole/proto_tls.h"
#include "proto/x509_cache.h"

#define PH_TLS_MSG_MAX (64u * 1024u)    /* handshake message kept */
#define PH_TLS_RECORD_MAX (16384u + 2048u) /* TLSCiphertext limit */
#define PH_TLS_PROBE_MAX 8 /* stream chunks checked for a late ClientHello */

/* One direction's record layer and handshake reassembly. */
struct ph_tls_dir {
	uint8_t hdr[5];          /* record header being collected */
	uint8_t hdr_have;
	uint8_t rec_type;        /* current record's content type */
	uint32_t rec_left;       /* body bytes left in the current record */
	uint8_t hs_hdr[4];       /* handshake header being collected */
	uint8_t hs_have;
	uint32_t hs_len, hs_got; /* current message length / bytes held */
	bool hs_skip;            /* message over the cap: bytes dropped */
	uint8_t *msg;            /* owned: message buffer (<= PH_TLS_MSG_MAX) */
	uint32_t msg_cap;
	uint8_t alert[2];
	uint8_t alert_have;
	uint8_t hb[3];           /* heartbeat type + payload_length */
	uint8_t hb_have;
	uint32_t hb_rec_len;     /* length of that heartbeat record */
	bool ccs_pending;        /* encrypted after this CCS record */
	bool encrypted;          /* later records are ciphertext */
	bool broken;             /* lost sync (gap, bad record): ignored */
	bool await_sync;         /* skip chunks until one starts a record */
};

struct ph_tls_flow {
	struct ph_tls_dir d[2];
	struct ph_tls_session s; /* the summary emitted as PH_EV_TLS_DONE */
	uint8_t sid[32];         /* client's session id */
	uint8_t sid_len;
	bool ticket_empty_sid;   /* non-empty ticket, empty session id */
	bool client_psk;         /* client offered pre_shared_key */
	bool client_kex;         /* client sent ClientKeyExchange */
	bool tls13;              /* server chose TLS 1.3 */
	bool done_emitted;
};

struct ph_tls_counts {
	uint64_t flows, sessions, client_hellos, server_hellos, certs;
	uint64_t hello_malformed, records_malformed, msg_too_big;
	uint64_t chain_capped, cert_too_big, cert_unparsed, gaps;
	uint64_t alloc_failed, midstream;
};

struct ph_tls_mod {
	struct ph_module_env env;
	struct ph_tls_counts c;
	struct ph_tls_hello hello; /* scratch for the hello being emitted */
	struct ph_x509 cert;       /* scratch for the cert being emitted */
	struct ph_x509_cache certs;/* parsed certificates seen before */
};

/* First bytes of a TCP stream that start a TLS handshake record. */
bool ph_tls_looks_like_record(const uint8_t *p, size_t n);

/* A Certificate message body (TLS <= 1.2) of the client or server. */
void ph_tls_on_certificates(struct ph_tls_mod *m, struct ph_tls_flow *f,
			    const struct ph_event *ev, const uint8_t *b,
			    uint32_t n, bool client);

#endif
