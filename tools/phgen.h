/* phgen internals shared by tools/phgen_*.c: a bounded byte builder, the
 * seeded PRNG, the per-phone frame store, endpoints, TCP/UDP conversation
 * helpers and the protocol payload builders. Not part of libpeephole.
 * Times are microseconds since the session start (PG_EPOCH_S); everything
 * random comes from one pg_rng per phone, so output depends only on the
 * command-line options. */
#ifndef PHGEN_H
#define PHGEN_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "../tests/support/pktbuild.h"

#define PG_EPOCH_S 1773478800ull /* 2026-03-14 09:00:00 UTC */
#define PG_MS 1000ull
#define PG_S 1000000ull
#define PG_FRAME_MAX 1600        /* largest frame we build (Ethernet MTU) */
#define PG_MSG_MAX 65536         /* largest application message we build */
#define PG_MAX_SCALE 200         /* phones 192.168.1.23 .. 192.168.1.222 */

/* ---- phgen_util.c: byte builder ------------------------------------- */
/* Appends into a caller array; a write past cap sets err and is dropped. */
struct pg_buf {
	uint8_t *p;   /* borrowed */
	size_t len, cap;
	int err;
};
void pg_buf_init(struct pg_buf *b, uint8_t *p, size_t cap);
void pg_u8(struct pg_buf *b, unsigned v);
void pg_u16(struct pg_buf *b, unsigned v);
void pg_u24(struct pg_buf *b, uint32_t v);
void pg_u32(struct pg_buf *b, uint32_t v);
void pg_mem(struct pg_buf *b, const void *p, size_t n);
void pg_str(struct pg_buf *b, const char *s);
/* A length prefix of width 1, 2 or 3 bytes: open reserves it and returns
 * its offset, close fills in the number of bytes written since. */
size_t pg_len_open(struct pg_buf *b, int width);
void pg_len_close(struct pg_buf *b, size_t off, int width);

/* ---- phgen_util.c: PRNG (splitmix64) -------------------------------- */
struct pg_rng {
	uint64_t s;
};
uint64_t pg_rand(struct pg_rng *r);
uint32_t pg_range(struct pg_rng *r, uint32_t lo, uint32_t hi); /* [lo,hi] */
double pg_unif(struct pg_rng *r);                              /* [0,1) */
void pg_fill(struct pg_rng *r, uint8_t *p, size_t n);
/* n characters from alphabet into s (NUL-terminated, s holds n + 1). */
void pg_rand_text(struct pg_rng *r, char *s, size_t n, const char *alphabet);

/* ---- phgen_util.c: frame store -------------------------------------- */
/* All frames of one phone, in generation order until pg_store_sort. */
struct pg_frame {
	uint64_t ts;  /* microseconds since session start */
	uint64_t seq; /* generation order: ties keep it */
	size_t off;   /* into data */
	uint32_t len;
};
struct pg_store {
	struct pg_frame *v; /* owned */
	size_t n, cap;
	uint8_t *data;      /* owned */
	size_t dlen, dcap;
	int err;            /* allocation failed: frames were dropped */
};
int pg_store_add(struct pg_store *s, uint64_t ts, const uint8_t *frame,
		 size_t len);
void pg_store_sort(struct pg_store *s);
void pg_store_free(struct pg_store *s);

/* ---- phgen_out.c: capture writer ------------------------------------ */
struct pg_out;
struct pg_out *pg_out_open(FILE *f, int pcapng, int gzip);
int pg_out_frame(struct pg_out *o, uint64_t ts, const uint8_t *frame,
		 size_t len);
int pg_out_close(struct pg_out *o); /* flushes, frees; keeps f open */

/* ---- phgen_net.c: hosts, frames, TCP conversations ------------------ */
struct pg_ep {
	uint8_t mac[6];
	struct pb_addr ip;
	uint16_t port;
};

struct pg_phone {
	int idx;                     /* 0 .. scale-1 */
	uint8_t mac[6];
	struct pb_addr ip4, ip6, ll6;
	char ip4s[16];               /* dotted form of ip4 */
	struct pg_rng rng;
	struct pg_store *out;        /* borrowed */
	uint64_t dur;                /* session length */
	uint16_t ip_id;
	uint16_t next_port;
};

extern const uint8_t pg_gw_mac[6];
extern const uint8_t pg_bcast_mac[6];

uint16_t pg_eport(struct pg_phone *ph);
struct pg_ep pg_phone_ep(const struct pg_phone *ph, int v6, uint16_t port);
/* A host beyond the gateway: its frames carry the gateway's MAC. */
struct pg_ep pg_remote(const char *ip, uint16_t port);
/* A host on the LAN with its own MAC. */
struct pg_ep pg_lan(const char *ip, const uint8_t mac[6], uint16_t port);

void pg_emit(struct pg_phone *ph, uint64_t ts, const uint8_t *frame,
	     size_t len);
void pg_udp(struct pg_phone *ph, uint64_t ts, const struct pg_ep *src,
	    const struct pg_ep *dst, const void *data, size_t len);
/* ICMP / ICMPv6 (proto 1 / 58) with the 4 bytes after the checksum in
 * w1/w2 (echo id/seq, or the ND reserved/flags words). */
void pg_icmp(struct pg_phone *ph, uint64_t ts, const struct pg_ep *src,
	     const struct pg_ep *dst, uint8_t type, uint16_t w1, uint16_t w2,
	     const void *data, size_t len);
void pg_arp(struct pg_phone *ph, uint64_t ts, int op,
	    const uint8_t smac[6], const char *sip, const uint8_t tmac[6],
	    const char *tip);

/* One TCP connection seen from the phone: frames sent by the phone carry
 * their send time, frames from the peer their arrival time. */
struct pg_tcp {
	struct pg_phone *ph;     /* borrowed */
	struct pg_ep cli, srv;   /* cli sent the SYN */
	int phone_is_cli;
	uint32_t seq[2];         /* next sequence number: [0] cli, [1] srv */
	uint32_t tsv[2];         /* timestamp-option clock bases */
	struct {                 /* recent TSvals per side, for TSecr */
		uint64_t ts;
		uint32_t val;
	} sent[2][16];
	unsigned nsent[2];
	uint64_t t;              /* now, at the capture point */
	uint64_t rtt;
	uint16_t mss;
	/* fault injection on the next peer -> phone transfer */
	int swap_at;             /* swap segments swap_at and swap_at + 1 */
	int dup_at;              /* resend segment dup_at 200 ms later */
};
void pg_tcp_init(struct pg_tcp *c, struct pg_phone *ph,
		 const struct pg_ep *cli, const struct pg_ep *srv,
		 int phone_is_cli, uint64_t t, uint64_t rtt);
void pg_tcp_open(struct pg_tcp *c);
void pg_tcp_refused(struct pg_tcp *c);   /* SYN, RST+ACK */
/* Sends a message (segmented, slow start, delayed ACKs) after think us. */
void pg_tcp_send(struct pg_tcp *c, int from_cli, const uint8_t *data,
		 size_t len, uint64_t think);
void pg_tcp_close(struct pg_tcp *c, int cli_first);

/* ---- phgen_dns.c ----------------------------------------------------- */
#define PG_DNS_A 1
#define PG_DNS_CNAME 5
#define PG_DNS_PTR 12
#define PG_DNS_TXT 16
#define PG_DNS_AAAA 28
#define PG_DNS_SRV 33

struct pg_dns_rr {
	const char *name;
	uint16_t type;
	uint32_t ttl;
	const char *data;  /* A/AAAA text address, CNAME/PTR target, TXT text */
};
struct pg_dns_msg {
	uint16_t id, flags;
	const char *qname;
	uint16_t qtype, qclass;
	const struct pg_dns_rr *an;
	int nan;
	const char *soa_zone;  /* non-NULL: one SOA in the authority section */
	int mdns;              /* mDNS: cache-flush bit on answers, no question */
};
/* Wire format with name compression; returns length or 0. */
size_t pg_dns_build(uint8_t *out, size_t cap, const struct pg_dns_msg *m);
/* A and AAAA queries plus answers via the resolver; answers is the chain
 * (CNAMEs then addresses), NULL/0 with rcode 3 gives NXDOMAIN. Returns the
 * time the last answer arrived. */
uint64_t pg_dns_lookup(struct pg_phone *ph, uint64_t t, const char *name,
		       const struct pg_dns_rr *an, int nan, int rcode);
uint64_t pg_dns_query1(struct pg_phone *ph, uint64_t t, const char *name,
		       uint16_t qtype, const struct pg_dns_rr *an, int nan,
		       int rcode, const char *soa_zone);

/* ---- phgen_tls.c ----------------------------------------------------- */
struct pg_hello {
	const char *sni;
	const char *alpn[3];     /* NULL-terminated */
	int quic;                /* QUIC transport parameters, no session id */
	const uint8_t *quic_scid;
	size_t quic_scid_len;
};
/* Handshake messages (type + 24-bit length + body). */
size_t pg_tls_client_hello(uint8_t *out, size_t cap, struct pg_rng *r,
			   const struct pg_hello *h);
size_t pg_tls_server_hello(uint8_t *out, size_t cap, struct pg_rng *r,
			   int tls13, const uint8_t *sid, size_t sidlen);
/* A TLS 1.3 or 1.2 session over an open TCP connection: handshake, then
 * the request/response sizes given, all as records. */
struct pg_tls_plan {
	const char *sni;
	int tls13;
	const uint8_t *const *certs;  /* TLS 1.2: DER chain, leaf first */
	const size_t *cert_lens;
	int ncerts;
	int exchanges;                /* request/response pairs */
	size_t req_len, resp_len;     /* bytes per request / response */
	uint64_t think;               /* server think time per response */
	int faults;                   /* first response: segments 2 and 3
					 arrive swapped, 5 is resent */
};
void pg_tls_session(struct pg_tcp *c, const struct pg_tls_plan *p);
/* Random-looking application_data records totalling about len bytes. */
size_t pg_tls_appdata(uint8_t *out, size_t cap, struct pg_rng *r,
		      size_t len);

extern const uint8_t pg_cert_weather_leaf[], pg_cert_weather_ca[],
	pg_cert_odd_self[];
extern const size_t pg_cert_weather_leaf_len, pg_cert_weather_ca_len,
	pg_cert_odd_self_len;

/* ---- phgen_quic.c ---------------------------------------------------- */
/* A QUIC v1 connection start: client Initial (ClientHello, RFC 9001
 * protection), server Initial + Handshake, then short-header packets.
 * Returns -1 when libcrypto fails. */
int pg_quic_session(struct pg_phone *ph, uint64_t t, const struct pg_ep *cli,
		    const struct pg_ep *srv, const char *sni, int nshort);
/* RFC 9001 Appendix A check of the key derivation; 0 when it matches. */
int pg_quic_selftest(void);

/* ---- phgen_app.c ----------------------------------------------------- */
uint64_t pg_dhcp(struct pg_phone *ph, uint64_t t, const char *hostname);
uint64_t pg_ipv6_setup(struct pg_phone *ph, uint64_t t);
uint64_t pg_ntp(struct pg_phone *ph, uint64_t t, const char *server);
uint64_t pg_mdns(struct pg_phone *ph, uint64_t t, int with_answer);
uint64_t pg_ping(struct pg_phone *ph, uint64_t t, const char *dst, int n);
/* HTTP/1.1 over a fresh TCP connection from the phone. resp_head ends
 * with the last header line's CRLF; Content-Length is appended. A NULL
 * body is JavaScript-like filler of body_len bytes. */
uint64_t pg_http(struct pg_phone *ph, uint64_t t, const struct pg_ep *srv,
		 const char *req, size_t req_len, const char *resp_head,
		 const char *body, size_t body_len);
uint64_t pg_adb_inbound(struct pg_phone *ph, uint64_t t, const char *from);

/* ---- phgen_scene.c --------------------------------------------------- */
/* Generates one phone's whole session into ph->out (unsorted). */
int pg_scene_run(struct pg_phone *ph);

#endif
