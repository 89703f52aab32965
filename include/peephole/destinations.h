/* Who the device talks to, for the reports of a `peephole check` run: one
 * entry per (device, destination), where the destination is the name the
 * device used (TLS SNI, HTTP Host, QUIC SNI; else the name a DNS answer in
 * the capture gave the address; else the address itself), with a few
 * remote addresses and ports, the nDPI label, services, TLS versions,
 * encrypted/cleartext connection counts, payload bytes each way, times and
 * a bounded list of connection start times (the HTML timeline). Filled by
 * the "destinations" module (src/detect/destinations.c) from flow, TLS,
 * HTTP and QUIC events; read by src/report/check_html.c. Bounded: at most
 * `max` entries (option destinations.max), PH_DEST_MAX_STARTS start times
 * each; what does not fit is counted. */
#ifndef PEEPHOLE_DESTINATIONS_H
#define PEEPHOLE_DESTINATIONS_H

#include <stdbool.h>
#include <stdint.h>

#include "peephole/module.h"

#ifdef __cplusplus
extern "C" {
#endif

#define PH_DEST_DEFAULT_MAX 5000u /* ph_destinations_new(0) */
#define PH_DEST_MAX_IPS 4u        /* remote addresses kept per entry */
#define PH_DEST_MAX_PORTS 8u      /* (port, protocol) pairs kept */
#define PH_DEST_MAX_STARTS 256u   /* connection start times kept */

/* Where the destination's name came from (higher wins within a flow). */
enum ph_dest_name_src {
	PH_DEST_NAME_IP = 0,   /* no name: the address */
	PH_DEST_NAME_DNS,      /* a DNS answer in the capture */
	PH_DEST_NAME_QUIC,     /* QUIC ClientHello SNI */
	PH_DEST_NAME_HTTP,     /* HTTP Host header */
	PH_DEST_NAME_TLS,      /* TLS ClientHello SNI */
};

/* TLS versions seen (negotiated, else offered), bits of tls_versions. */
enum {
	PH_DEST_SSL3 = 1u << 0, PH_DEST_TLS10 = 1u << 1,
	PH_DEST_TLS11 = 1u << 2, PH_DEST_TLS12 = 1u << 3,
	PH_DEST_TLS13 = 1u << 4, PH_DEST_TLS_OTHER = 1u << 5,
};

/* One entry, as copied out by ph_destinations_get. */
struct ph_destination {
	char device[48];            /* the device's address (text) */
	char name[256];             /* destination name or address text */
	enum ph_dest_name_src name_src;
	char ips[PH_DEST_MAX_IPS][48]; /* remote addresses (text), first seen */
	unsigned nips;
	uint64_t ips_dropped;       /* further distinct addresses */
	struct {
		uint16_t port;
		uint8_t proto;      /* IPPROTO_* */
	} ports[PH_DEST_MAX_PORTS];
	unsigned nports;
	bool ports_more;            /* more ports than kept */
	char app_label[48];         /* first nDPI label seen, "" none */
	char services[64];          /* "ssl,http": union of conn services */
	unsigned tls_versions;      /* PH_DEST_* bits */
	uint64_t conns;             /* connections */
	uint64_t conns_encrypted;   /* with a TLS or QUIC handshake */
	uint64_t conns_cleartext;   /* with payload and no handshake */
	uint64_t conns_http;        /* carrying cleartext HTTP */
	uint64_t bytes_up, bytes_down; /* payload bytes sent / received by the
					  device */
	uint64_t first_ns, last_ns;
	const uint64_t *starts;     /* connection start times, ascending
				       order not promised; borrowed until the
				       next change of the table */
	unsigned nstarts;
	uint64_t starts_dropped;    /* starts past PH_DEST_MAX_STARTS */
};

struct ph_destinations; /* opaque; owned by the caller */

/* A new, empty table of at most `max` entries (0: the default; the
 * module's option destinations.max lowers or raises it for a run); NULL
 * when out of memory. */
struct ph_destinations *ph_destinations_new(unsigned max);
void ph_destinations_free(struct ph_destinations *d);

/* Entries, sorted (at the end of the run) by bytes up + down, then
 * connections, descending. */
unsigned ph_destinations_count(const struct ph_destinations *d);
/* Copies entry i (< count) into *out (starts borrowed). */
void ph_destinations_get(const struct ph_destinations *d, unsigned i,
			 struct ph_destination *out);
/* Listing index (< count) of the entry of device `dev` (address text)
 * that `name` names (case-insensitive, trailing dot ignored; "" or NULL:
 * none), else of the entry named by, or holding among its addresses, the
 * address text `ip`; -1 when none. A hash probe for names, a scan of the
 * entries for addresses. Used to tie findings to destinations. */
int ph_destinations_find(const struct ph_destinations *d, const char *dev,
			 const char *name, const char *ip);
/* Connections not counted because the table was full. */
uint64_t ph_destinations_dropped(const struct ph_destinations *d);

/* "TLS 1.2" for one PH_DEST_* bit; "" for anything else. */
const char *ph_dest_tls_name(unsigned bit);
/* True when the entry used something a person should know is weak:
 * cleartext HTTP, or TLS older than 1.2. */
bool ph_dest_insecure(const struct ph_destination *e);

/* The module ("destinations"): skipped when env->destinations is NULL. */
extern const struct ph_module ph_destinations_module;

#ifdef __cplusplus
}
#endif
#endif
