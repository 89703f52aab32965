/* Flow stage internals shared by table.c (hash table, slab, lists, expiry,
 * events), orient.c (originator rules), tcp_state.c (Zeek's TCP endpoint
 * state machine, history letters, conn_state) and tcp_reasm.c (bounded
 * in-order reassembly). Nothing outside src/flow includes this. Flows are
 * named by slot number (index + 1, 0 = none) so that links cost 4 bytes. */
#ifndef PH_FLOW_INT_H
#define PH_FLOW_INT_H

#include <stdbool.h>
#include <stdint.h>

#include "flow/flow.h"
#include "util/siphash.h"

#define PH_FLOW_NIL 0u
#define PH_FLOW_CHUNK 1024u          /* flows per slab chunk */
#define PH_FLOW_EXPIRE_PER_PKT 64u   /* list heads ended per packet, at most */
#define PH_FLOW_MAX_BUCKETS (1u << 24)
#define PH_FLOW_START_BUCKETS 4096u /* doubled as flows grow */
/* A flow is re-queued on its inactivity list at most this often (packet
 * time); expiry re-checks list heads, so it is at most this late. */
#define PH_FLOW_LRU_GRAIN_NS 1000000000ull

/* Zeek's TCP_Endpoint states (analyzer/protocol/tcp/TCP_Endpoint.h). */
enum ph_tcp_st {
	PH_TCP_INACTIVE = 0,
	PH_TCP_SYN_SENT,
	PH_TCP_SYN_ACK_SENT,
	PH_TCP_PARTIAL,
	PH_TCP_ESTABLISHED,
	PH_TCP_CLOSED,
	PH_TCP_RESET,
};

/* Zeek's hist_seen bits (responder bits are shifted left by 16). */
enum {
	PH_HIST_SYN = 0x1,
	PH_HIST_FIN = 0x2,
	PH_HIST_RST = 0x4,
	PH_HIST_FIN_RST = 0x8,
	PH_HIST_DATA = 0x10,
	PH_HIST_ACK = 0x20,
	PH_HIST_MULTI = 0x40,
};

/* Inactivity lists, each ordered by conn.last_ns (oldest at the head). */
enum ph_lru {
	PH_LRU_TCP_HS = 0, /* TCP still in handshake: Zeek uses the UDP timeout */
	PH_LRU_TCP,        /* TCP past the handshake */
	PH_LRU_UDP,
	PH_LRU_ICMP,
	PH_LRU_OTHER,
	PH_LRU_COUNT
};

/* One pending Zeek analyzer timer per flow; each kind has its own FIFO
 * (constant delay, so insertion order is deadline order). */
enum ph_tmr {
	PH_TMR_NONE = 0,
	PH_TMR_ATTEMPT,  /* SYN unanswered (Zeek AttemptTimer) */
	PH_TMR_CLOSE,    /* close complete: delete (Zeek ConnDeleteTimer) */
	PH_TMR_EXPIRE,   /* RST after own FIN (Zeek ExpireTimer tick) */
	PH_TMR_COUNT
};

/* Zeek's fixed TCP timer constants (init-bare.zeek defaults). The close
 * delay is cfg->tcp_close_ns; these have no config field. */
#define PH_TCP_ATTEMPT_NS (5ull * 1000000000ull)  /* tcp_attempt_delay */
#define PH_TCP_SYN_TIMEOUT_NS (5ull * 1000000000ull) /* tcp_SYN_timeout */
#define PH_TCP_SESSION_TIMER_NS (6ull * 1000000000ull) /* tcp_session_timer */
#define PH_TCP_LINGER_NS (5ull * 1000000000ull)   /* tcp_connection_linger */

/* An out-of-order TCP segment held for reassembly (malloc'd, rare). */
struct ph_seg {
	struct ph_seg *next; /* owned; sorted by seq */
	uint64_t seq;        /* relative sequence number of data[0] */
	uint32_t len;
	uint8_t data[];      /* len bytes, or none when not reassembling */
};

/* Log-scaled history letter (Zeek's ScaledHistoryEntry: 1, 10, 100, ...). */
struct ph_scaled {
	uint32_t cnt;
	uint32_t thresh;
};

/* One TCP endpoint, mirroring the parts of Zeek's TCP_Endpoint that change
 * what conn.log says, plus its reassembler. */
struct ph_tcp_ep {
	uint32_t start_seq, last_seq, ack_seq;
	uint32_t seq_wraps, ack_wraps;
	uint32_t hist_last_syn, hist_last_fin, hist_last_rst; /* low 32 bits */
	struct ph_scaled rxmt, win0, gap;
	uint8_t state, prev_state;
	bool did_close;
	bool fin_seen;
	uint64_t fin_seq;        /* relative seq just past the FIN */
	/* reassembler (Zeek's TCP_Reassembler, first data wins) */
	uint64_t next;           /* relative seq of the next byte to deliver */
	uint64_t trim;           /* highest relative ack processed */
	struct ph_seg *held;     /* owned list */
	uint32_t held_cost;      /* bytes charged to the budgets */
};

/* Hot fields first: a lookup reads hash, links and the key part of conn
 * (the first two cache lines). */
struct ph_flow {
	uint64_t hash;
	uint32_t self;           /* own slot number */
	uint32_t hnext;          /* hash chain; free-list link when free */
	uint32_t lru_prev, lru_next;
	uint32_t tmr_prev, tmr_next;
	uint64_t lru_ns;         /* last_ns when last queued on its list */
	uint64_t tmr_ns;         /* deadline of the pending timer */
	uint8_t tmr_kind;        /* enum ph_tmr */
	uint8_t lru;             /* enum ph_lru, or PH_LRU_COUNT when free */
	uint8_t hlen;            /* strlen(conn.history) */
	uint8_t orig_ep;         /* which tcp[] entry is the originator */
	bool one_way;            /* ICMP without counterpart: key not canonical */
	bool active[2];          /* UDP/ICMP side seen (Zeek UDP_ACTIVE) */
	uint8_t first_seen;      /* Zeek first_packet_seen bits (1 orig, 2 resp) */
	bool is_partial;         /* Zeek TCPSessionAdapter::is_partial */
	bool has_app;            /* conn.app/app_uid set (first wins) */
	uint8_t resp_mac[6];
	uint32_t hist_seen;      /* Zeek Session::hist_seen */
	struct ph_conn conn;     /* what events point at */
	void *slots[PH_SLOT_COUNT]; /* protocol modules' per-flow state */
	uint64_t close_tick_ns;  /* Zeek ExpireTimer chain armed by a one-sided
				    close (0 = none) */
	struct ph_tcp_ep tcp[2]; /* TCP only */
};

struct ph_flow_table {
	struct ph_flow_config cfg;
	ph_event_fn emit;
	void *user;
	struct ph_anomalies *anom;
	struct ph_sipkey key;

	uint32_t *bucket;            /* heads, allocated on first packet */
	uint32_t nbucket;            /* power of two */
	struct ph_flow **chunk;      /* slab chunks */
	uint32_t nchunk, chunk_cap;
	uint32_t nslots;             /* slots carved so far */
	uint32_t free_head;          /* free list via hnext */

	uint32_t lru_head[PH_LRU_COUNT], lru_tail[PH_LRU_COUNT];
	uint32_t tmr_head[PH_TMR_COUNT], tmr_tail[PH_TMR_COUNT];

	uint64_t next_id;
	uint64_t reasm_held;         /* bytes held in all flows */
	uint64_t last_ts;            /* newest packet time seen */
	uint64_t next_check;         /* no list head is due before this */
	const struct ph_pkt *cur;    /* packet being processed, or NULL */
	struct ph_flow_stats st;
};

/* table.c ---------------------------------------------------------------- */
static inline struct ph_flow *ph_flow_at(const struct ph_flow_table *t,
					 uint32_t slot)
{
	uint32_t i = slot - 1;
	return &t->chunk[i / PH_FLOW_CHUNK][i % PH_FLOW_CHUNK];
}

/* Fills ev for flow f, stamped with the packet being processed. */
void ph_flow_event_init(const struct ph_flow_table *t, const struct ph_flow *f,
			enum ph_event_kind kind, enum ph_dir dir,
			struct ph_event *ev);
void ph_flow_timer_set(struct ph_flow_table *t, struct ph_flow *f,
		       enum ph_tmr kind, uint64_t at_ns);
void ph_flow_lru_move(struct ph_flow_table *t, struct ph_flow *f,
		      enum ph_lru to);
/* conn.last_ns changed: re-queue f if its list position is stale. */
static inline void ph_flow_touch(struct ph_flow_table *t, struct ph_flow *f)
{
	if (f->conn.last_ns - f->lru_ns >= PH_FLOW_LRU_GRAIN_NS)
		ph_flow_lru_move(t, f, (enum ph_lru)f->lru);
}
void ph_flow_add_history(struct ph_flow *f, char code);

/* orient.c --------------------------------------------------------------- */
bool ph_flow_likely_server_port(uint8_t proto, uint16_t port);
/* Zeek's ICMP(v6) counterpart type; sets *one_way when there is none (the
 * code is returned then). */
uint16_t ph_flow_icmp_counterpart(uint8_t proto, uint8_t type, uint8_t code,
				  bool *one_way);
/* Zeek's WantConnection flip for a new flow's first packet. */
bool ph_flow_flip_at_start(const struct ph_tuple *tu, uint8_t tcp_flags);
/* Swaps originator and responder (Zeek Connection::FlipRoles), adds '^'. */
void ph_flow_flip(struct ph_flow *f);

/* tcp_state.c ------------------------------------------------------------ */
void ph_tcp_init(struct ph_flow *f);
/* Runs one TCP packet from side `is_orig` through Zeek's state machine;
 * updates history, counters, timers and reassembly. Returns true when the
 * packet flipped the connection's roles. */
bool ph_tcp_packet(struct ph_flow_table *t, struct ph_flow *f,
		   const struct ph_pkt *p, bool is_orig);
/* Zeek's IsReuse: does this SYN start a new connection on the tuple? */
bool ph_tcp_is_reuse(const struct ph_flow *f, const struct ph_pkt *p);
/* Whether a pending timer still has its condition when it fires. */
bool ph_tcp_timer_fires(const struct ph_flow *f, enum ph_tmr kind);
/* Adds a (log-scaled) 'G' for endpoint e. */
void ph_flow_gap_history(struct ph_flow *f, int e);
/* Sets conn.conn_state (all protocols) and the TCP byte counts. */
void ph_flow_finish_conn(struct ph_flow *f);
static inline struct ph_tcp_ep *ph_tcp_orig(struct ph_flow *f)
{
	return &f->tcp[f->orig_ep];
}
static inline struct ph_tcp_ep *ph_tcp_resp(struct ph_flow *f)
{
	return &f->tcp[f->orig_ep ^ 1];
}

/* tcp_reasm.c ------------------------------------------------------------ */
/* In-sequence data from endpoint `e` (tcp[] index) at relative seq. */
void ph_reasm_data(struct ph_flow_table *t, struct ph_flow *f, int e,
		   uint64_t seq, const uint8_t *data, uint32_t len);
/* The peer acknowledged endpoint e's data up to relative seq `ack`:
 * bytes below it that never arrived become a gap (Zeek's content gap). */
void ph_reasm_ack(struct ph_flow_table *t, struct ph_flow *f, int e,
		  uint64_t ack);
/* Flow end: deliver what is held, report the holes, free everything. */
void ph_reasm_finish(struct ph_flow_table *t, struct ph_flow *f);

#endif
