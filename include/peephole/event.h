/* The typed events that connect the stages: the flow engine emits flow
 * start/end, in-order TCP stream bytes, stream gaps and UDP datagrams;
 * protocol parsers (next stage) emit their own kinds on the same bus, and
 * detections and log writers subscribe by kind. Payloads are borrowed: valid
 * only during the callback; a subscriber copies what it keeps, within a cap. */
#ifndef PEEPHOLE_EVENT_H
#define PEEPHOLE_EVENT_H

#include <stdbool.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Bit flags so a subscriber can ask for a set of kinds. */
enum ph_event_kind {
	PH_EV_FLOW_START = 1u << 0, /* first packet of a connection */
	PH_EV_FLOW_END = 1u << 1,   /* connection record final (log it) */
	PH_EV_STREAM = 1u << 2,     /* in-order TCP bytes, one direction */
	PH_EV_GAP = 1u << 3,        /* TCP bytes that will never arrive */
	PH_EV_DATAGRAM = 1u << 4,   /* one UDP payload */
	PH_EV_PACKET = 1u << 5,     /* every IP packet of a flow (costly:
				       subscribe only when needed, e.g. nDPI) */
	/* Protocol events: payload in u.proto, a struct from the protocol's
	 * header (include/peephole/proto_<name>.h). */
	PH_EV_DNS = 1u << 8,             /* struct ph_dns_msg */
	PH_EV_TLS_CLIENT_HELLO = 1u << 9,/* struct ph_tls_hello */
	PH_EV_TLS_SERVER_HELLO = 1u << 10,/* struct ph_tls_hello */
	PH_EV_TLS_CERT = 1u << 11,       /* struct ph_x509 (one per cert) */
	PH_EV_TLS_DONE = 1u << 12,       /* struct ph_tls_session (summary) */
	PH_EV_QUIC = 1u << 13,           /* struct ph_quic_initial */
	PH_EV_HTTP_REQUEST = 1u << 14,   /* struct ph_http_msg */
	PH_EV_HTTP_RESPONSE = 1u << 15,  /* struct ph_http_msg */
	PH_EV_HTTP_BODY = 1u << 16,      /* struct ph_http_body */
	PH_EV_LABEL = 1u << 17,          /* struct ph_app_label (nDPI) */
	PH_EV_DHCP = 1u << 18,           /* struct ph_dhcp_msg */
};

/* Per-flow state slots: one per protocol module, owned by that module,
 * NULL when a flow starts; the module must free what it put there when it
 * sees PH_EV_FLOW_END for the flow. */
enum ph_slot {
	PH_SLOT_DNS = 0,
	PH_SLOT_TLS = 1,
	PH_SLOT_HTTP = 2,
	PH_SLOT_QUIC = 3,
	PH_SLOT_LABEL = 4,
	/* Detections that keep per-flow state (free it at FLOW_END). */
	PH_SLOT_DNS_INJECTION = 5,
	PH_SLOT_RST_INJECTION = 6,
	PH_SLOT_HTTP_INJECTION = 7,
	PH_SLOT_UNUSUAL_PORT = 8,
	PH_SLOT_CLEARTEXT_HTTP = 9,
	PH_SLOT_CLEARTEXT_CREDS = 10,
	PH_SLOT_PAYLOAD = 11,
	PH_SLOT_BEACON = 12,
	PH_SLOT_PII = 13,
	PH_SLOT_COUNT = 14
};

enum ph_dir { PH_DIR_ORIG = 0, PH_DIR_RESP = 1 };

/* Why a connection record was closed. */
enum ph_conn_end {
	PH_END_TIMEOUT = 0,  /* inactivity timeout */
	PH_END_CLOSED = 1,   /* FIN/RST exchange finished (after close delay) */
	PH_END_EVICTED = 2,  /* flow table full: oldest idle flow pushed out */
	PH_END_EOF = 3,      /* input ended with the connection still open */
	PH_END_REUSED = 4,   /* new SYN on a closed 5-tuple: new connection */
};

struct ph_conn_dir {
	uint64_t pkts;
	uint64_t ip_bytes;      /* IP-layer bytes (Zeek's *_ip_bytes) */
	uint64_t l2_bytes;      /* frame bytes on the wire (tshark's bytes) */
	uint64_t bytes;         /* payload bytes (Zeek's orig_bytes/resp_bytes:
				   from sequence numbers for TCP) */
	uint64_t missed_bytes;  /* TCP bytes in gaps */
	uint64_t first_ns, last_ns;
};

/* The connection record: what conn.log says about one connection. Owned
 * by the flow table; borrowed by event subscribers during the callback. */
struct ph_conn {
	char uid[20];           /* Zeek-style "C" + base62, NUL-terminated */
	uint64_t id;            /* run-unique number (creation order) */
	uint8_t orig_addr[16];  /* IPv4: first 4 bytes */
	uint8_t resp_addr[16];
	uint16_t orig_port;     /* ICMP: type */
	uint16_t resp_port;     /* ICMP: code */
	uint8_t proto;          /* IPPROTO_* */
	uint8_t ipver;          /* 4 or 6 */
	uint16_t vlan;          /* outer VLAN id, 0 = none */
	uint16_t inner_vlan;    /* QinQ inner id, 0 = none */
	uint64_t start_ns;      /* first packet */
	uint64_t last_ns;       /* last packet */
	struct ph_conn_dir dir[2];
	char history[40];       /* Zeek history letters */
	char conn_state[8];     /* Zeek conn_state, set before FLOW_END */
	char service[32];       /* protocol label(s), "" if unknown */
	char app_label[48];     /* nDPI application label ("TLS.Google"),
				   "" if unknown (ph_conn_set_label) */
	int32_t app_uid;        /* Android UID from PCAPdroid, -1 unknown */
	char app[64];           /* app/package name, "" if unknown */
	uint8_t orig_mac[6];    /* first seen source MAC of the originator */
	bool has_mac;
	uint8_t tunnel_depth;   /* 0 = not inside a tunnel */
	enum ph_conn_end end;   /* set before FLOW_END */
};

struct ph_event {
	enum ph_event_kind kind;
	const struct ph_conn *conn; /* borrowed */
	enum ph_dir dir;            /* direction of the data, when it has one */
	uint64_t ts_ns;             /* packet time that caused the event */
	uint64_t pkt_no;            /* packet number (within its file) */
	uint32_t file_idx;
	union {
		struct {
			const uint8_t *data; /* borrowed */
			uint32_t len;
			uint64_t offset;     /* stream offset of data[0] */
		} stream;                    /* PH_EV_STREAM */
		struct {
			uint64_t offset;
			uint64_t len;
		} gap;                       /* PH_EV_GAP */
		struct {
			const uint8_t *data; /* borrowed */
			uint32_t len;
		} datagram;                  /* PH_EV_DATAGRAM */
		struct {
			const uint8_t *ip;   /* IP header (borrowed) */
			uint32_t caplen;     /* captured bytes from ip */
			uint32_t ip_len;     /* IP total length */
		} packet;                    /* PH_EV_PACKET */
		const void *proto;           /* protocol events (borrowed) */
	} u;
	/* The flow's module slots (enum ph_slot): mutable, owned by each
	 * module; NULL for events not tied to a live flow. */
	void **slots;
};

/* Adds a protocol name to the connection's service list ("ssl,http"), as
 * Zeek's conn.log does; no-op when present or when the field is full. The
 * only change a subscriber may make to a connection record (with
 * ph_conn_set_label below). */
void ph_conn_add_service(const struct ph_conn *c, const char *name);

/* Sets the connection's application label (conn.log "app_label"), cut to
 * fit; "" clears it. Written only by the nDPI label module. */
void ph_conn_set_label(const struct ph_conn *c, const char *label);

/* A subscriber: called for every event whose kind is in its mask. */
typedef void (*ph_event_fn)(void *user, const struct ph_event *ev);

#ifdef __cplusplus
}
#endif
#endif
