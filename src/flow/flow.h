/* Flow stage interface: a bounded, keyed-hash table of bidirectional
 * connections (5-tuple + VLAN), Zeek's originator rule, per-direction
 * counters, TCP history and conn_state, inactivity timeouts and FIN/RST
 * closing, eviction of the oldest idle flow when full, and bounded in-order
 * TCP reassembly. Everything it learns leaves as events (event.h) through
 * one callback. No allocation per packet on the in-order path: flows come
 * from a slab with a free list. */
#ifndef PH_FLOW_H
#define PH_FLOW_H

#include <stdbool.h>
#include <stdint.h>

#include "decode/decode.h"
#include "peephole/event.h"
#include "util/anomaly.h"

struct ph_flow_config {
	uint32_t max_flows;          /* concurrent flows (default 1,000,000) */
	uint64_t tcp_timeout_ns;     /* inactivity (Zeek: 5 min) */
	uint64_t udp_timeout_ns;     /* inactivity (Zeek: 1 min) */
	uint64_t icmp_timeout_ns;    /* inactivity (Zeek: 1 min) */
	uint64_t tcp_close_ns;       /* after FIN both ways / RST (Zeek: 5 s) */
	bool reassemble;             /* emit PH_EV_STREAM/GAP for TCP */
	bool emit_packets;           /* emit PH_EV_PACKET for each inner packet
					(default false: costly) */
	uint32_t reasm_dir_max;      /* out-of-order bytes held per direction */
	uint64_t reasm_total_max;    /* out-of-order bytes held in all flows */
	uint64_t hash_seed[2];       /* SipHash key; 0,0 = random at creation */
};

void ph_flow_config_default(struct ph_flow_config *cfg);

struct ph_flow_stats {
	uint64_t created;
	uint64_t ended;
	uint64_t evicted;
	uint64_t active;
	uint64_t peak_active;
	uint64_t reasm_bytes_held;      /* current */
	uint64_t reasm_peak_bytes_held;
};

struct ph_flow_table; /* opaque */

/* emit/user: the event sink (borrowed). anomalies: counter block (borrowed,
 * may be NULL). Returns NULL on allocation failure. */
struct ph_flow_table *ph_flow_table_new(const struct ph_flow_config *cfg,
					ph_event_fn emit, void *user,
					struct ph_anomalies *anomalies);

/* Ends every open flow (PH_END_EOF) and frees the table. */
void ph_flow_table_free(struct ph_flow_table *t);

/* Accounts one decoded packet (p->t; and p->outer when has_outer_udp),
 * first expiring flows idle past their timeout as of p->ts_ns. */
void ph_flow_table_packet(struct ph_flow_table *t, const struct ph_pkt *p);

/* Ends flows idle past their timeout as of now_ns. */
void ph_flow_table_expire(struct ph_flow_table *t, uint64_t now_ns);

/* Ends every open flow now (PH_END_EOF), emitting FLOW_END for each. */
void ph_flow_table_flush(struct ph_flow_table *t);

const struct ph_flow_stats *ph_flow_table_stats(const struct ph_flow_table *t);

#endif
