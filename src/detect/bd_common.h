/* Private helpers of the backdoor-behaviour detections (direct_ip,
 * listener, unusual_port, exfil): address classes (public, resolver),
 * what an nDPI label says about a flow (call / local discovery / named
 * application), Shannon entropy of a byte histogram, and a bounded
 * per-(device, remote) aggregate table that never frees until the run
 * ends. Implemented in src/detect/bd_common.c. */
#ifndef PH_DETECT_BD_COMMON_H
#define PH_DETECT_BD_COMMON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "peephole/event.h"

/* Not local, multicast, broadcast, loopback, unspecified or reserved
 * (240/4, 0/8); documentation ranges count as public (test captures). */
bool ph_bd_is_public(const uint8_t *addr, int ipver);
/* A well-known public DNS resolver (Google, Cloudflare, Quad9, OpenDNS,
 * AdGuard, CleanBrowsing, Comodo, Neustar...). */
bool ph_bd_is_resolver(const uint8_t *addr, int ipver);
/* The nDPI label names a call / peer-to-peer media protocol (STUN, RTP,
 * SRTP, DTLS, SIP, WhatsAppCall, Zoom, Teams...). */
bool ph_bd_label_is_call(const char *label);
/* The nDPI label names local service discovery (mDNS, SSDP, LLMNR,
 * NetBIOS, DHCP, Dropbox LAN sync, WS-Discovery...). */
bool ph_bd_label_is_discovery(const char *label);
/* The label names an application, not only a bare protocol ("TLS.Google",
 * "Telegram", "WhatsApp"; not "", "Unknown", "TLS", "HTTP"). */
bool ph_bd_label_is_app(const char *label);
/* Is port in the sorted list? */
bool ph_bd_port_in(const uint16_t *v, size_t n, uint16_t port);

/* Shannon entropy in bits per byte of a histogram of n bytes. */
double ph_bd_entropy(const uint16_t hist[256], uint32_t n);

/* One (device, remote) aggregate. */
struct ph_bd_agg {
	uint8_t dev[16], rem[16];
	uint8_t ipver, proto, used;
	uint16_t port;              /* remote port of the first connection */
	uint64_t conns, out, in;    /* connections, payload bytes */
	uint64_t first_ns, last_ns;
	uint64_t flags;             /* detection-defined bits */
	uint32_t file_idx;
	uint64_t last_pkt;
	char uid[20];               /* first connection */
	char label[48];             /* first non-empty nDPI label */
	char mac[18];
};

struct ph_bd_table {
	struct ph_bd_agg *v;
	uint32_t cap;               /* power of two, 2 x max */
	uint32_t n, max;
	uint64_t dropped;
};

/* 0, or -1 when out of memory. */
int ph_bd_table_init(struct ph_bd_table *t, uint32_t max);
void ph_bd_table_free(struct ph_bd_table *t);
/* The aggregate of the device side and remote side of c, created empty
 * (used=1, conns 0) when new; NULL when the table is full (counted). */
struct ph_bd_agg *ph_bd_table_get(struct ph_bd_table *t,
				  const struct ph_conn *c, int side);

/* Adds the finished connection ev->conn (device on `side`) to a:
 * connections, payload bytes each way, times, and first uid, remote
 * port, protocol, label and device MAC. */
void ph_bd_agg_note(struct ph_bd_agg *a, const struct ph_event *ev, int side);

struct ph_finding;
/* Evidence of a finding from an aggregate: device, MAC, remote, port,
 * protocol, uid, first/last times, last packet, count = connections,
 * matched = the remote address, field "conn.resp_h" (or "conn.orig_h"
 * when inbound is set). */
void ph_bd_agg_evidence(struct ph_finding *f, const struct ph_bd_agg *a,
			bool inbound);

#endif
