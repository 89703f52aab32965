/* Application labels from nDPI 4.2 (Debian's libndpi): module "label".
 * Owns one nDPI detection module per run (nDPI is not thread-safe per
 * module; no globals) and, per flow, an nDPI flow struct (~700 bytes) that
 * exists only while the flow is being classified: it is allocated at the
 * flow's first PH_EV_PACKET, fed each inner IP packet (time in ms; nDPI
 * 4.2 works out the direction itself), and freed as soon as nDPI decides
 * (a protocol found and no extra dissection wanted), after
 * PH_LABEL_MAX_PKTS_TCP/UDP packets (ndpi_detection_giveup, guessing by
 * port and address as ndpiReader does), or at PH_EV_FLOW_END. At most
 * PH_LABEL_MAX_BUSY flows are classified at once: a new flow past that
 * makes nDPI give up on the flow that has waited longest for a packet
 * (counted), so memory stays bounded. The decision leaves as one
 * PH_EV_LABEL (proto_label.h) and as conn.log's app_label
 * (ph_conn_set_label). Parsing is nDPI's; its output names are copied
 * within caps. See docs/ndpi.md. */
#include <stdlib.h>
#include <string.h>

#include <ndpi_api.h>

#include "peephole/module.h"
#include "peephole/proto_label.h"

/* Packets fed per flow before giving up (with nDPI's port/IP guess).
 * ndpiReader goes to 32/24; on the corpus 16/12 gave the same labels and
 * risks (tests/corpus/label_vs_ndpi) and saved 5 % of a 1 GB run. */
#define PH_LABEL_MAX_PKTS_TCP 16 /* packets fed per TCP flow */
#define PH_LABEL_MAX_PKTS_UDP 12 /* ... per UDP/other flow */
#define PH_LABEL_MAX_BUSY 16384  /* flows being classified at once */
#define PH_LABEL_MAX_SPARE 1024  /* freed flow structs kept for reuse */

/* The slot of a flow whose label is decided: nothing more to do. */
static const char label_done;
#define DONE ((void *)&label_done)

/* A flow being classified (the slot's content), on the state's list of
 * busy flows, least recently fed first. */
struct lbl_flow {
	struct lbl_flow *prev, *next;
	const struct ph_conn *conn; /* borrowed: the flow's record (lives as
				       long as the flow, i.e. this struct) */
	void **slots;            /* borrowed: the flow's slots */
	uint16_t pkts;           /* packets fed */
	uint8_t ipver, ipproto;  /* of the first packet fed (see feed) */
	ndpi_protocol last;      /* nDPI's last answer */
	struct ndpi_flow_struct nf; /* owned; freed with ndpi_free_flow_data */
};

struct lbl_counts {
	uint64_t flows;          /* flows classified */
	uint64_t packets;        /* packets fed to nDPI */
	uint64_t dpi;            /* decided by DPI (or nDPI's caches) */
	uint64_t guessed;        /* by port/IP after giving up */
	uint64_t unknown;        /* no label */
	uint64_t cap_pkts;       /* gave up at the packet cap */
	uint64_t at_end;         /* flow ended while classifying */
	uint64_t busy_evicted;   /* gave up early: PH_LABEL_MAX_BUSY hit */
	uint64_t oom;            /* allocation failures */
	uint64_t mixed;          /* packets not fed: IP version/protocol
				    field differs from the flow's first */
	uint64_t risky;          /* flows with an nDPI risk */
	uint64_t busy_peak;      /* most flows classified at once */
};

struct lbl_state {
	struct ndpi_detection_module_struct *ndpi; /* owned */
	ph_event_fn emit;
	void *bus;
	uint32_t busy;           /* flows being classified now */
	struct lbl_flow *head, *tail; /* busy flows, least recently fed first */
	struct lbl_flow *spare;  /* owned: freed flow structs (next-linked),
				    reused instead of calloc/free per flow */
	uint32_t nspare;
	struct lbl_counts n;
};

static int label_init(const struct ph_module_env *env, void **state,
		      struct ph_err *err)
{
	struct lbl_state *st = calloc(1, sizeof *st);
	if (!st)
		return ph_err_set(err, PH_ENOMEM, "label: out of memory");
	st->ndpi = ndpi_init_detection_module(ndpi_no_prefs);
	if (!st->ndpi) {
		free(st);
		return ph_err_set(err, PH_ENOMEM, "label: nDPI init failed");
	}
	NDPI_PROTOCOL_BITMASK all;
	NDPI_BITMASK_SET_ALL(all);
	ndpi_set_protocol_detection_bitmask2(st->ndpi, &all);
	ndpi_finalize_initialization(st->ndpi);
	st->emit = env->emit;
	st->bus = env->bus;
	*state = st;
	return PH_OK;
}

static void list_del(struct lbl_state *st, struct lbl_flow *f)
{
	if (f->prev)
		f->prev->next = f->next;
	else
		st->head = f->next;
	if (f->next)
		f->next->prev = f->prev;
	else
		st->tail = f->prev;
	f->prev = f->next = NULL;
}

static void list_add_tail(struct lbl_state *st, struct lbl_flow *f)
{
	f->prev = st->tail;
	f->next = NULL;
	if (st->tail)
		st->tail->next = f;
	else
		st->head = f;
	st->tail = f;
}

static const char *proto_name(struct lbl_state *st, uint16_t id)
{
	return id ? ndpi_get_proto_name(st->ndpi, id) : "";
}

/* Appends the NUL-terminated s to buf[cap] at *n, cut to fit. */
static void put_cut(char *buf, size_t cap, size_t *n, const char *s)
{
	size_t k = strlen(s);
	if (k > cap - 1 - *n)
		k = cap - 1 - *n;
	memcpy(buf + *n, s, k);
	*n += k;
	buf[*n] = '\0';
}

/* What ndpi_protocol2name (nDPI 4.2) writes, "Master.App" or one name,
 * without its snprintf on every flow. p has a master or an app. */
static void label_name(struct lbl_state *st, ndpi_protocol p, char *buf,
		       size_t cap)
{
	size_t n = 0;
	buf[0] = '\0';
	if (p.master_protocol && p.master_protocol != p.app_protocol) {
		put_cut(buf, cap, &n,
			ndpi_get_proto_name(st->ndpi, p.master_protocol));
		if (!p.app_protocol)
			return;
		put_cut(buf, cap, &n, ".");
	}
	put_cut(buf, cap, &n, ndpi_get_proto_name(st->ndpi, p.app_protocol));
}

/* The risk bitmap and up to PH_LABEL_MAX_RISKS names. */
static void fill_risks(struct ph_app_label *l, ndpi_risk risk)
{
	l->risk = risk;
	for (unsigned i = 1; i < NDPI_MAX_RISK && i < 64; i++) {
		if (!(risk & (1ull << i)) || l->nrisks >= PH_LABEL_MAX_RISKS)
			continue;
		l->risks[l->nrisks++] = ndpi_risk2str((ndpi_risk_enum)i);
	}
}

/* Fills l from nDPI's answer p for flow f; host is a buffer of size hn
 * for the NUL-terminated host name. */
static void fill_label(struct lbl_state *st, struct lbl_flow *f,
		       ndpi_protocol p, struct ph_app_label *l, char *host,
		       size_t hn)
{
	memset(l, 0, sizeof *l);
	if (p.master_protocol || p.app_protocol)
		label_name(st, p, l->label, sizeof l->label);
	l->master_id = p.master_protocol;
	l->app_id = p.app_protocol;
	l->master = proto_name(st, p.master_protocol);
	l->app = proto_name(st, p.app_protocol);
	l->category = ndpi_category_get_name(st->ndpi, p.category);
	if (!l->category)
		l->category = "";
	unsigned c = (unsigned)f->nf.confidence;
	l->confidence = c < NDPI_CONFIDENCE_MAX ? (enum ph_label_confidence)c
						: PH_LABEL_CONF_UNKNOWN;
	if (!l->label[0])
		l->confidence = PH_LABEL_CONF_UNKNOWN;
	l->confidence_name =
		ndpi_confidence_get_name((ndpi_confidence_t)l->confidence);
	fill_risks(l, f->nf.risk);
	size_t k = strnlen(f->nf.host_server_name, sizeof f->nf.host_server_name);
	if (k >= hn)
		k = hn - 1;
	memcpy(host, f->nf.host_server_name, k);
	host[k] = '\0';
	l->host = host;
	l->packets = f->pkts;
}

static void count_label(struct lbl_counts *n, const struct ph_app_label *l)
{
	if (!l->label[0])
		n->unknown++;
	else if (l->confidence == PH_LABEL_CONF_PORT ||
		 l->confidence == PH_LABEL_CONF_IP)
		n->guessed++;
	else
		n->dpi++;
	if (l->risk)
		n->risky++;
}

/* Keeps a finished flow struct for reuse (its nDPI data already freed). */
static void flow_put(struct lbl_state *st, struct lbl_flow *f)
{
	if (st->nspare >= PH_LABEL_MAX_SPARE) {
		free(f);
		return;
	}
	f->next = st->spare;
	st->spare = f;
	st->nspare++;
}

/* A zeroed flow struct: a spare one, else a new allocation. */
static struct lbl_flow *flow_get(struct lbl_state *st)
{
	struct lbl_flow *f = st->spare;
	if (!f)
		return calloc(1, sizeof *f);
	st->spare = f->next;
	st->nspare--;
	memset(f, 0, sizeof *f);
	return f;
}

/* The flow's label is final: tell the connection record and the bus, then
 * free nDPI's flow. gave_up: nDPI did not decide on its own. */
static void decide(struct lbl_state *st, const struct ph_event *ev,
		   struct lbl_flow *f, bool gave_up)
{
	ndpi_protocol p = f->last;
	if (gave_up && !p.app_protocol) {
		uint8_t guessed = 0;
		p = ndpi_detection_giveup(st->ndpi, &f->nf, 1, &guessed);
	}
	struct ph_app_label l;
	char host[sizeof f->nf.host_server_name + 1];
	fill_label(st, f, p, &l, host, sizeof host);
	l.gave_up = gave_up;
	count_label(&st->n, &l);
	if (ev->conn)
		ph_conn_set_label(ev->conn, l.label);
	struct ph_event out = *ev;
	out.kind = PH_EV_LABEL;
	out.u.proto = &l;
	st->emit(st->bus, &out);
	list_del(st, f);
	ndpi_free_flow_data(&f->nf);
	flow_put(st, f);
	st->busy--;
}

/* Gives up on the busy flow that has waited longest for a packet; ev is
 * the event being handled (for the time). */
static void evict_oldest(struct lbl_state *st, const struct ph_event *ev)
{
	struct lbl_flow *f = st->head;
	struct ph_event e;
	memset(&e, 0, sizeof e);
	e.conn = f->conn;
	e.slots = f->slots;
	e.ts_ns = ev->ts_ns;
	e.pkt_no = ev->pkt_no;
	e.file_idx = ev->file_idx;
	void **slot = &f->slots[PH_SLOT_LABEL];
	st->n.busy_evicted++;
	decide(st, &e, f, true);
	*slot = DONE;
}

static struct lbl_flow *flow_new(struct lbl_state *st,
				 const struct ph_event *ev)
{
	if (st->busy >= PH_LABEL_MAX_BUSY && st->head)
		evict_oldest(st, ev);
	struct lbl_flow *f = flow_get(st);
	if (!f) {
		st->n.oom++;
		return NULL;
	}
	f->conn = ev->conn;
	f->slots = ev->slots;
	list_add_tail(st, f);
	st->n.flows++;
	if (++st->busy > st->n.busy_peak)
		st->n.busy_peak = st->busy;
	return f;
}

/* Whether the packet has the IP version and header protocol field of the
 * flow's first packet (recorded on the first call). nDPI 4.2 takes its
 * transport from each packet and frees a flow's TCP buffers only when the
 * flow's last packet was TCP, so a flow whose packets differ there (say
 * some with an AH header, possible for one 5-tuple) could leak them. */
static bool same_kind(struct lbl_flow *f, const uint8_t *ip, uint32_t n)
{
	uint8_t v = n ? ip[0] >> 4 : 0;
	uint8_t p = v == 4 && n > 9 ? ip[9] : v == 6 && n > 6 ? ip[6] : 0;
	if (!f->pkts) {
		f->ipver = v;
		f->ipproto = p;
	}
	return f->ipver == v && f->ipproto == p;
}

/* Feeds one packet; true when the label is decided (f freed). */
static bool feed(struct lbl_state *st, const struct ph_event *ev,
		 struct lbl_flow *f)
{
	uint32_t n = ev->u.packet.caplen;
	if (!same_kind(f, ev->u.packet.ip, n)) {
		st->n.mixed++;
		return false;
	}
	if (n > 65535)
		n = 65535; /* nDPI takes an unsigned short */
	f->last = ndpi_detection_process_packet(st->ndpi, &f->nf,
						ev->u.packet.ip,
						(unsigned short)n,
						ev->ts_ns / 1000000u);
	f->pkts++;
	st->n.packets++;
	if (f != st->tail) { /* now the most recently fed */
		list_del(st, f);
		list_add_tail(st, f);
	}
	unsigned cap = ev->conn && ev->conn->proto == 6 ? PH_LABEL_MAX_PKTS_TCP
							: PH_LABEL_MAX_PKTS_UDP;
	bool enough = f->pkts >= cap;
	if (!enough && (!f->last.app_protocol ||
			ndpi_extra_dissection_possible(st->ndpi, &f->nf)))
		return false;
	if (enough)
		st->n.cap_pkts++;
	decide(st, ev, f, enough);
	return true;
}

static void label_on_event(void *state, const struct ph_event *ev)
{
	struct lbl_state *st = state;
	if (!ev->slots)
		return;
	void **slot = &ev->slots[PH_SLOT_LABEL];
	if (ev->kind == PH_EV_FLOW_END) {
		if (*slot && *slot != DONE) {
			st->n.at_end++;
			decide(st, ev, *slot, true);
		}
		*slot = NULL;
		return;
	}
	if (ev->kind != PH_EV_PACKET || *slot == DONE || !ev->u.packet.ip)
		return;
	struct lbl_flow *f = *slot;
	if (!f) {
		f = flow_new(st, ev);
		*slot = f ? (void *)f : DONE;
		if (!f)
			return;
	}
	if (feed(st, ev, f))
		*slot = DONE;
}

static unsigned label_counters(const void *state,
			       struct ph_module_counter *o, unsigned max)
{
	const struct lbl_state *st = state;
	const struct ph_module_counter all[] = {
		{"label_flows", st->n.flows},
		{"label_packets", st->n.packets},
		{"label_dpi", st->n.dpi},
		{"label_guessed", st->n.guessed},
		{"label_unknown", st->n.unknown},
		{"label_risky_flows", st->n.risky},
		{"label_gave_up_pkt_cap", st->n.cap_pkts},
		{"label_flow_ended_first", st->n.at_end},
		{"label_busy_peak", st->n.busy_peak},
		{"label_busy_evicted", st->n.busy_evicted},
		{"label_out_of_memory", st->n.oom},
		{"label_mixed_skipped", st->n.mixed},
	};
	unsigned n = sizeof all / sizeof all[0];
	if (n > max)
		n = max;
	memcpy(o, all, n * sizeof *o);
	return n;
}

static void label_destroy(void *state)
{
	struct lbl_state *st = state;
	if (!st)
		return;
	/* Every flow ended (and was freed) before destroy. */
	while (st->spare) {
		struct lbl_flow *f = st->spare;
		st->spare = f->next;
		free(f);
	}
	ndpi_exit_detection_module(st->ndpi);
	free(st);
}

const struct ph_module ph_label_module = {
	.name = "label",
	.summary = "application label per flow from nDPI (\"TLS.Google\"), "
		   "with nDPI's flow risks",
	.mask = PH_EV_PACKET | PH_EV_FLOW_END,
	.init = label_init,
	.on_event = label_on_event,
	.finish = NULL,
	.counters = label_counters,
	.destroy = label_destroy,
};
