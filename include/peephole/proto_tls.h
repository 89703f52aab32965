/* TLS event payloads: a parsed ClientHello/ServerHello with its JA3/JA3S/
 * JA4/JA4S fingerprints (PH_EV_TLS_CLIENT_HELLO / PH_EV_TLS_SERVER_HELLO),
 * one parsed X.509 certificate (PH_EV_TLS_CERT) and the session summary
 * (PH_EV_TLS_DONE). All fixed-size, bounded structs: no pointers to free;
 * lists that overflow their cap are cut and `truncated` is set. Payloads
 * are borrowed by subscribers for the duration of the callback. */
#ifndef PEEPHOLE_PROTO_TLS_H
#define PEEPHOLE_PROTO_TLS_H

#include <stdbool.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define PH_TLS_MAX_CIPHERS 256   /* cipher suites kept per hello */
#define PH_TLS_MAX_EXTS 64       /* extension types kept, in wire order */
#define PH_TLS_MAX_GROUPS 64     /* supported_groups entries */
#define PH_TLS_MAX_SIGALGS 64    /* signature_algorithms entries */
#define PH_TLS_MAX_VERSIONS 16   /* supported_versions entries */
#define PH_TLS_MAX_POINTFMTS 16  /* ec_point_formats entries */
#define PH_TLS_MAX_ALPN 8        /* ALPN protocol names kept */
#define PH_TLS_ALPN_LEN 256      /* one ALPN name (max 255 bytes) + NUL */
#define PH_TLS_SNI_LEN 256       /* server name (max 255 bytes kept) + NUL */
#define PH_TLS_JA3_LEN 2048      /* JA3/JA3S string (cut if longer) */
#define PH_TLS_JA4_LEN 40        /* "t13d1516h2_8daaf6152771_e5627efa2ab1" */

/* ClientHello or ServerHello (TLS or the CRYPTO stream of QUIC). */
struct ph_tls_hello {
	bool is_server;              /* ServerHello (else ClientHello) */
	bool quic;                   /* came from QUIC (JA4 'q' prefix) */
	bool truncated;              /* a list hit its cap */
	uint16_t legacy_version;     /* hello's legacy_version field */
	/* ClientHello: highest non-GREASE supported_versions entry, else
	 * legacy_version. ServerHello: selected supported_versions, else
	 * legacy_version. */
	uint16_t version;
	uint8_t random[32];
	uint8_t session_id[32];
	uint8_t session_id_len;
	uint16_t ciphers[PH_TLS_MAX_CIPHERS]; /* ServerHello: 1 entry */
	uint16_t n_ciphers;
	uint16_t n_ciphers_total;    /* before the cap */
	uint8_t compression;         /* ServerHello: chosen method */
	uint16_t exts[PH_TLS_MAX_EXTS]; /* extension types in wire order */
	uint16_t n_exts;
	uint16_t n_exts_total;       /* before the cap */
	uint16_t versions[PH_TLS_MAX_VERSIONS]; /* supported_versions */
	uint8_t n_versions;
	uint16_t groups[PH_TLS_MAX_GROUPS];     /* supported_groups */
	uint8_t n_groups;
	uint8_t point_formats[PH_TLS_MAX_POINTFMTS];
	uint8_t n_point_formats;
	uint16_t sigalgs[PH_TLS_MAX_SIGALGS];   /* signature_algorithms */
	uint8_t n_sigalgs;
	uint16_t key_share_group;    /* ServerHello key_share group, 0 none */
	char sni[PH_TLS_SNI_LEN];    /* first host_name, NUL-terminated */
	uint16_t sni_len;            /* 0 = no SNI */
	char alpn[PH_TLS_MAX_ALPN][PH_TLS_ALPN_LEN]; /* raw bytes + NUL */
	uint8_t alpn_len[PH_TLS_MAX_ALPN];
	uint8_t n_alpn;              /* ServerHello: chosen (0 or 1) */
	bool has_sni_ext;            /* server_name (0) present */
	bool has_ech;                /* encrypted_client_hello (0xfe0d) */
	bool has_esni;               /* encrypted_server_name (0xffce) */
	bool has_session_ticket;     /* session_ticket (35) present */
	uint16_t session_ticket_len; /* its length (non-zero: resumption) */
	bool has_psk;                /* pre_shared_key (41) present */
	bool has_early_data;         /* early_data (42) present */
	bool has_reneg_info;         /* renegotiation_info (0xff01) */
	/* Fingerprints, filled by ph_tls_hello_fingerprint() (tls_hello.h):
	 * client: ja3 + ja3_md5 + ja4; server: ja3 (JA3S string) + ja3_md5
	 * (JA3S) + ja4 (JA4S). Empty strings when not computed. */
	char ja3[PH_TLS_JA3_LEN];
	char ja3_md5[33];
	char ja4[PH_TLS_JA4_LEN];
};

#define PH_X509_NAME_LEN 512     /* subject/issuer, RFC 2253-ish, cut */
#define PH_X509_MAX_SAN 16       /* SAN entries kept per kind */
#define PH_X509_SAN_LEN 256      /* one SAN entry + NUL */
#define PH_X509_ALG_LEN 64

enum ph_x509_key {
	PH_X509_KEY_UNKNOWN = 0,
	PH_X509_KEY_RSA,
	PH_X509_KEY_DSA,
	PH_X509_KEY_EC,
	PH_X509_KEY_ED25519,
	PH_X509_KEY_ED448,
};

/* One certificate of a chain, parsed by OpenSSL from its DER. */
struct ph_x509 {
	uint8_t chain_pos;           /* 0 = leaf (host cert) */
	uint8_t chain_len;           /* certs in the message (after cap) */
	bool client;                 /* sent by the client (client cert) */
	bool parsed;                 /* OpenSSL could decode it; if false
					only the fingerprints are valid */
	uint8_t sha1[20];
	uint8_t sha256[32];
	char sha1_hex[41];
	char sha256_hex[65];
	uint32_t der_len;
	int version;                 /* 1..3 (certificate.version) */
	char serial[80];             /* uppercase hex, as Zeek */
	char subject[PH_X509_NAME_LEN];   /* "CN=x,O=y,C=z" (Zeek order) */
	char issuer[PH_X509_NAME_LEN];
	char subject_cn[PH_X509_SAN_LEN]; /* last CN in subject, "" none */
	int64_t not_before;          /* Unix seconds */
	int64_t not_after;
	char sig_alg[PH_X509_ALG_LEN];    /* "sha256WithRSAEncryption" */
	char key_alg[PH_X509_ALG_LEN];    /* "rsaEncryption", "id-ecPublicKey" */
	enum ph_x509_key key_type;
	uint32_t key_bits;
	char exponent[24];           /* RSA public exponent, decimal */
	char curve[PH_X509_ALG_LEN]; /* EC curve short name ("prime256v1") */
	char san_dns[PH_X509_MAX_SAN][PH_X509_SAN_LEN];
	uint8_t n_san_dns;
	char san_uri[PH_X509_MAX_SAN][PH_X509_SAN_LEN];
	uint8_t n_san_uri;
	char san_email[PH_X509_MAX_SAN][PH_X509_SAN_LEN];
	uint8_t n_san_email;
	char san_ip[PH_X509_MAX_SAN][48];  /* text form */
	uint8_t n_san_ip;
	bool san_truncated;
	bool has_basic_constraints;
	bool ca;                     /* basic_constraints.ca */
	int path_len;                /* -1 = none */
	bool self_signed;            /* issuer == subject and the signature
					verifies with its own key */
	bool self_issued;            /* issuer == subject */
};

#define PH_TLS_MAX_CHAIN 16      /* certificates per chain kept */

/* What was seen of one TLS connection (emitted once, PH_EV_TLS_DONE). */
struct ph_tls_session {
	bool saw_client_hello;
	bool saw_server_hello;
	uint16_t version;            /* negotiated (ServerHello), 0 unknown */
	uint16_t cipher;             /* chosen suite, valid if server hello */
	uint16_t curve;              /* key_share / ECDHE group, 0 unknown */
	/* Zeek's names for the above ("TLSv12", IANA suite name, "x25519",
	 * alert name; "unknown-<n>" for unknown values, "" when unset) */
	char version_name[24];
	char cipher_name[64];
	char curve_name[32];
	char last_alert_name[40];
	char server_name[PH_TLS_SNI_LEN];
	char next_protocol[PH_TLS_ALPN_LEN]; /* ALPN chosen by the server */
	uint64_t ts_ns;              /* first TLS record of the flow */
	bool client_is_orig;         /* the ClientHello came from orig */
	bool resumed;                /* session reused (id echo / PSK) */
	bool established;            /* handshake completed (Finished /
					application data both ways) */
	int last_alert;              /* alert description, -1 none */
	uint8_t last_alert_level;
	char history[101];           /* Zeek ssl_history letters (max 100) */
	char ja3[33];                /* client JA3 MD5, "" none */
	char ja3s[33];
	char ja4[PH_TLS_JA4_LEN];
	char ja4s[PH_TLS_JA4_LEN];
	/* SHA-256 fingerprints (hex) of the server and client chains */
	char cert_fps[PH_TLS_MAX_CHAIN][65];
	uint8_t n_cert_fps;
	char client_cert_fps[PH_TLS_MAX_CHAIN][65];
	uint8_t n_client_cert_fps;
	bool saw_certs;              /* a Certificate message (either side) */
	int sni_matches_cert;        /* 1 yes, 0 no, -1 unknown (no cert or
					no SNI) */
	/* What can be told without a trust store, in OpenSSL's words
	 * ("self-signed certificate", "certificate has expired", ...);
	 * "" when nothing is wrong that we can see (unknown). */
	char validation_status[64];
	/* Heartbeat records (RFC 6520) seen in cleartext, per direction
	 * (index: enum ph_dir), the longest record of each, and whether a
	 * heartbeat request claimed more payload than its record holds
	 * (the Heartbleed over-read request, CVE-2014-0160). */
	uint16_t heartbeats[2];
	uint16_t heartbeat_max_len[2];
	bool heartbeat_overclaim;
	uint8_t heartbeat_overclaim_dir; /* enum ph_dir of that request */
};

#ifdef __cplusplus
}
#endif
#endif
