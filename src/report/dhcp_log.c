/* dhcp.log (module "dhcp_log"): Zeek's DHCP::Info (scripts/base/protocols/
 * dhcp/main.zeek), one line per DHCP "conversation": the PH_EV_DHCP
 * messages (src/proto/dhcp.c) sharing a transaction id, folded as Zeek's
 * DHCP::aggregate_msgs does. A conversation is written when Zeek's
 * join_data table would expire it (checked 10 s after it began, then
 * every 5 s: written once no message came for 5 s or 30 s passed), at once
 * when it reaches 10 uids or 50 message types, when the table is full
 * (PH_DHCP_LOG_MAX open conversations; the oldest goes, counted) and at
 * the end of the run. Field meanings and Zeek notes: docs/logs/dhcp.md. */
#include <stdlib.h>
#include <string.h>

#include "peephole/module.h"
#include "peephole/proto_dhcp.h"
#include "report/log_file.h"
#include "report/zeek_writer.h"

#define PH_DHCP_LOG_MAX 256     /* open conversations */
#define MAX_UIDS 10             /* DHCP::max_uids_per_log_entry */
#define MAX_TYPES 50            /* DHCP::max_msg_types_per_log_entry */
#define SEC 1000000000ull

static const struct ph_zeek_field dhcp_fields[] = {
	{"ts", PH_ZT_TIME, 0},
	{"uids", PH_ZT_SET, PH_ZT_STRING},
	{"client_addr", PH_ZT_ADDR, 0},
	{"server_addr", PH_ZT_ADDR, 0},
	{"mac", PH_ZT_STRING, 0},
	{"host_name", PH_ZT_STRING, 0},
	{"client_fqdn", PH_ZT_STRING, 0},
	{"domain", PH_ZT_STRING, 0},
	{"requested_addr", PH_ZT_ADDR, 0},
	{"assigned_addr", PH_ZT_ADDR, 0},
	{"lease_time", PH_ZT_INTERVAL, 0},
	{"client_message", PH_ZT_STRING, 0},
	{"server_message", PH_ZT_STRING, 0},
	{"msg_types", PH_ZT_VECTOR, PH_ZT_STRING},
	{"duration", PH_ZT_INTERVAL, 0},
};

#define NFIELDS (sizeof dhcp_fields / sizeof dhcp_fields[0])

struct addr {
	bool has;
	uint8_t ipver;
	uint8_t a[16];
};

/* One conversation (Zeek's Info plus client_chaddr/last_message_ts). */
struct conv {
	uint32_t xid;
	uint64_t seq;                 /* insertion order */
	uint64_t ts_ns, last_ns;
	char uids[MAX_UIDS][20];
	unsigned nuids;
	uint8_t types[MAX_TYPES];
	unsigned ntypes;
	struct addr client, server, requested, assigned;
	bool has_mac, has_chaddr, has_lease;
	char mac[PH_DHCP_MAC_TEXT], chaddr[PH_DHCP_MAC_TEXT];
	uint32_t lease_secs;
	struct ph_dhcp_str host_name, fqdn, domain, cmsg, smsg;
};

struct dhcp_log {
	struct ph_log_file f;   /* first (ph_log_module_*); dhcp.log */
	struct conv *conv[PH_DHCP_LOG_MAX]; /* owned; NULL = free slot */
	uint64_t seq;
	uint64_t written, evicted, oom;
};

static void put_addr(struct ph_zeek_writer *w, const struct addr *a)
{
	if (a->has)
		ph_zeek_addr(w, a->a, a->ipver);
	else
		ph_zeek_unset(w);
}

static void put_str(struct ph_zeek_writer *w, const struct ph_dhcp_str *s)
{
	if (s->present)
		ph_zeek_str(w, s->s, s->len);
	else
		ph_zeek_unset(w);
}

static void put_lists(struct ph_zeek_writer *w, const struct conv *c)
{
	ph_zeek_list_begin(w);
	for (unsigned i = 0; i < c->nuids; i++)
		ph_zeek_str(w, c->uids[i], strnlen(c->uids[i], 20));
	ph_zeek_list_end(w);
}

static int write_conv(struct ph_zeek_writer *w, struct conv *c,
		      struct ph_err *err)
{
	char buf[32];
	if (!c->has_mac && c->has_chaddr) { /* Zeek's write_log */
		c->has_mac = true;
		memcpy(c->mac, c->chaddr, sizeof c->mac);
	}
	ph_zeek_rec_begin(w);
	ph_zeek_time(w, c->ts_ns);
	put_lists(w, c);
	put_addr(w, &c->client);
	put_addr(w, &c->server);
	if (c->has_mac)
		ph_zeek_str(w, c->mac, strlen(c->mac));
	else
		ph_zeek_unset(w);
	put_str(w, &c->host_name);
	put_str(w, &c->fqdn);
	put_str(w, &c->domain);
	put_addr(w, &c->requested);
	put_addr(w, &c->assigned);
	if (c->has_lease)
		ph_zeek_interval(w, (double)c->lease_secs);
	else
		ph_zeek_unset(w);
	put_str(w, &c->cmsg);
	put_str(w, &c->smsg);
	ph_zeek_list_begin(w);
	for (unsigned i = 0; i < c->ntypes; i++) {
		const char *t = ph_dhcp_type_name(c->types[i], buf);
		ph_zeek_str(w, t, strlen(t));
	}
	ph_zeek_list_end(w);
	ph_zeek_interval(w, ph_zeek_time_of_ns(c->last_ns) -
				    ph_zeek_time_of_ns(c->ts_ns));
	return ph_zeek_rec_end(w, err);
}

/* Writes and frees conversation i. */
static void flush(struct dhcp_log *l, unsigned i)
{
	struct ph_zeek_writer *w = ph_log_file_writer(&l->f);
	if (w) {
		struct ph_err e;
		int rc = write_conv(w, l->conv[i], &e);
		ph_log_file_check(&l->f, rc, &e);
		l->written += rc == 0;
	}
	free(l->conv[i]);
	l->conv[i] = NULL;
}

/* When Zeek's join_data expiry would write c: the first check time
 * (10 s after it began, then every 5 s) later than 5 s after its last
 * message or 30 s after its first. */
static uint64_t expiry(const struct conv *c)
{
	uint64_t idle = c->last_ns + 5 * SEC, cap = c->ts_ns + 30 * SEC;
	uint64_t thr = idle < cap ? idle : cap, first = c->ts_ns + 10 * SEC;
	if (first > thr)
		return first;
	return first + ((thr - first) / (5 * SEC) + 1) * 5 * SEC;
}

/* Writes every conversation expired by `now`, earliest expiry first. */
static void sweep(struct dhcp_log *l, uint64_t now)
{
	for (;;) {
		int best = -1;
		uint64_t bx = 0;
		for (unsigned i = 0; i < PH_DHCP_LOG_MAX; i++) {
			if (!l->conv[i])
				continue;
			uint64_t x = expiry(l->conv[i]);
			if (x <= now && (best < 0 || x < bx)) {
				best = (int)i;
				bx = x;
			}
		}
		if (best < 0)
			return;
		flush(l, (unsigned)best);
	}
}

/* The slot of the oldest open conversation, or -1 when none. */
static int oldest(const struct dhcp_log *l)
{
	int best = -1;
	for (unsigned i = 0; i < PH_DHCP_LOG_MAX; i++)
		if (l->conv[i] && (best < 0 || l->conv[i]->seq <
						   l->conv[best]->seq))
			best = (int)i;
	return best;
}

/* The conversation of xid, created when new (-1: out of memory). */
static int conv_get(struct dhcp_log *l, uint32_t xid, uint64_t ts)
{
	int free_slot = -1;
	for (unsigned i = 0; i < PH_DHCP_LOG_MAX; i++) {
		if (l->conv[i] && l->conv[i]->xid == xid)
			return (int)i;
		if (!l->conv[i] && free_slot < 0)
			free_slot = (int)i;
	}
	if (free_slot < 0) {
		free_slot = oldest(l);
		flush(l, (unsigned)free_slot);
		l->evicted++;
	}
	struct conv *c = calloc(1, sizeof *c);
	if (!c) {
		l->oom++;
		return -1;
	}
	c->xid = xid;
	c->seq = l->seq++;
	c->ts_ns = ts;
	l->conv[free_slot] = c;
	return free_slot;
}

static void set_addr(struct addr *a, const uint8_t *ip, int ipver)
{
	a->has = true;
	a->ipver = (uint8_t)ipver;
	memset(a->a, 0, sizeof a->a);
	memcpy(a->a, ip, ipver == 4 ? 4 : 16);
}

static bool zero4(const uint8_t *a)
{
	return !(a[0] | a[1] | a[2] | a[3]);
}

static void from_client(struct conv *c, const struct ph_conn *k,
			const struct ph_dhcp_msg *m)
{
	static const uint8_t bcast[4] = {255, 255, 255, 255};
	if (k->ipver == 6 || (!zero4(k->orig_addr) &&
			      memcmp(k->orig_addr, bcast, 4) != 0))
		set_addr(&c->client, k->orig_addr, k->ipver);
	if (m->hostname.present)
		c->host_name = m->hostname;
	if (m->fqdn.present)
		c->fqdn = m->fqdn;
	if (m->client_id.present && m->client_id.len >= 1 &&
	    (uint8_t)m->client_id.s[0] == 1) {
		c->has_mac = true;
		ph_dhcp_fmt_mac((const uint8_t *)m->client_id.s + 1,
				m->client_id.len - 1u, c->mac);
	} else {
		c->has_chaddr = true;
		memcpy(c->chaddr, m->chaddr_text, sizeof c->chaddr);
	}
	if (m->has_requested_ip)
		set_addr(&c->requested, m->requested_ip, 4);
}

/* Zeek's option 15: bytes up to the last non-NUL one, "" when that is
 * the first byte (its last_non_null quirk). */
static void set_domain(struct ph_dhcp_str *d, const struct ph_dhcp_str *s)
{
	unsigned last = 0;
	for (unsigned i = 0; i < s->len; i++)
		if (s->s[i])
			last = i;
	*d = *s;
	d->len = (uint8_t)(last ? last + 1 : 0);
	d->s[d->len] = 0;
}

static void from_server(struct conv *c, const struct ph_event *ev,
			const struct ph_dhcp_msg *m)
{
	const struct ph_conn *k = ev->conn;
	if (!zero4(m->yiaddr)) {
		if (ev->dir == PH_DIR_ORIG)
			set_addr(&c->server, k->orig_addr, k->ipver);
		else
			set_addr(&c->server, k->resp_addr, k->ipver);
		set_addr(&c->assigned, m->yiaddr, 4);
	}
	if (!c->has_mac) {
		c->has_mac = true;
		memcpy(c->mac, m->chaddr_text, sizeof c->mac);
	}
	if (!c->client.has && c->assigned.has)
		c->client = c->assigned;
	if (m->domain.present)
		set_domain(&c->domain, &m->domain);
	if (m->has_lease) {
		c->has_lease = true;
		c->lease_secs = m->lease_secs;
	}
}

static void add_uid(struct conv *c, const char *uid)
{
	for (unsigned i = 0; i < c->nuids; i++)
		if (strncmp(c->uids[i], uid, 20) == 0)
			return;
	if (c->nuids < MAX_UIDS)
		memcpy(c->uids[c->nuids++], uid, 20);
}

static void aggregate(struct dhcp_log *l, const struct ph_event *ev,
		      const struct ph_dhcp_msg *m)
{
	int i = conv_get(l, m->xid, ev->ts_ns);
	if (i < 0)
		return;
	struct conv *c = l->conv[i];
	c->last_ns = ev->ts_ns;
	add_uid(c, ev->conn->uid);
	if (c->ntypes < MAX_TYPES)
		c->types[c->ntypes++] = m->msg_type;
	if (m->message.present) {
		if (m->from_client)
			c->cmsg = m->message;
		else
			c->smsg = m->message;
	}
	if (m->from_client)
		from_client(c, ev->conn, m);
	else
		from_server(c, ev, m);
	if (c->nuids >= MAX_UIDS || c->ntypes >= MAX_TYPES)
		flush(l, (unsigned)i);
}

static void dhcp_log_on_event(void *state, const struct ph_event *ev)
{
	struct dhcp_log *l = state;
	const struct ph_dhcp_msg *m = ev->u.proto;
	if (ev->kind != PH_EV_DHCP || !m || !ev->conn || !l->f.dir)
		return;
	if (ev->conn->ipver != 4 && ev->conn->ipver != 6) {
		l->f.skipped++;
		return;
	}
	sweep(l, ev->ts_ns);
	aggregate(l, ev, m);
}

static int dhcp_log_finish(void *state, uint64_t last_ts_ns,
			   struct ph_err *err)
{
	struct dhcp_log *l = state;
	sweep(l, last_ts_ns);
	for (int i; (i = oldest(l)) >= 0;)
		flush(l, (unsigned)i);
	return ph_log_file_finish(&l->f, last_ts_ns, err);
}

static void dhcp_log_destroy(void *state)
{
	struct dhcp_log *l = state;
	if (!l)
		return;
	for (unsigned i = 0; i < PH_DHCP_LOG_MAX; i++)
		free(l->conv[i]);
	ph_log_module_destroy(l);
}

static int dhcp_log_init(const struct ph_module_env *env, void **state,
			 struct ph_err *err)
{
	struct dhcp_log *l = calloc(1, sizeof *l);
	if (!l)
		return ph_err_set(err, PH_ENOMEM, "dhcp_log: out of memory");
	ph_log_file_init(&l->f, env, "dhcp", dhcp_fields, NFIELDS);
	*state = l;
	return PH_OK;
}

static unsigned dhcp_log_counters(const void *state,
				  struct ph_module_counter *o, unsigned max)
{
	const struct dhcp_log *l = state;
	const struct ph_module_counter all[] = {
		{"dhcp_log_records", l->written},
		{"dhcp_log_evicted", l->evicted},
		{"dhcp_log_out_of_memory", l->oom},
	};
	unsigned n = sizeof all / sizeof all[0];
	if (n > max)
		n = max;
	memcpy(o, all, n * sizeof *o);
	return n;
}

const struct ph_module ph_dhcp_log_module = {
	.name = "dhcp_log",
	.summary = "dhcp.log (Zeek DHCP::Info)",
	.mask = PH_EV_DHCP,
	.init = dhcp_log_init,
	.on_event = dhcp_log_on_event,
	.finish = dhcp_log_finish,
	.counters = dhcp_log_counters,
	.destroy = dhcp_log_destroy,
};
