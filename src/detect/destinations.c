/* The destinations table (include/peephole/destinations.h) and its module
 * ("destinations"). A flow's name comes from its TLS/QUIC ClientHello SNI
 * or HTTP Host while it runs: the entry for (device, name) is found or
 * made then, and remembered for the flow in a small open-addressing table
 * keyed by connection id (entries removed at FLOW_END, at most PENDING_MAX
 * live). At FLOW_END the record is added to that entry, or, for a flow
 * that named nothing, to the entry of the newest DNS name of its remote
 * address, else of the address text. Entries live in one array grown by
 * doubling up to `max` and found through a hash of (device, name); start
 * times are grown per entry up to PH_DEST_MAX_STARTS (per-flow, never per
 * packet). Entries that got no connection are left out of the listing. */
#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "detect/detect.h"
#include "peephole/destinations.h"
#include "peephole/devices.h"
#include "peephole/dns_map.h"
#include "peephole/proto_http.h"
#include "peephole/proto_quic.h"
#include "peephole/proto_tls.h"

#define PENDING_MAX (1u << 20)     /* live named flows remembered */
#define NAME_MAX_LEN 255

struct dent {
	uint8_t dev[16], dver;
	uint8_t name_src;
	char name[NAME_MAX_LEN + 1];
	uint32_t hash;
	uint8_t ips[PH_DEST_MAX_IPS][16];
	uint8_t ipver[PH_DEST_MAX_IPS];
	unsigned nips;
	uint64_t ips_dropped;
	uint16_t port[PH_DEST_MAX_PORTS];
	uint8_t port_proto[PH_DEST_MAX_PORTS];
	unsigned nports;
	bool ports_more;
	char app_label[48];
	char services[64];
	unsigned tls;
	uint64_t conns, enc, clear, http, up, down, first_ns, last_ns;
	uint64_t *starts;            /* owned, cap_starts entries */
	unsigned nstarts, cap_starts;
	uint64_t starts_dropped;
};

/* A live flow that named its destination. */
struct pend {
	uint64_t key;                /* conn id + 1; 0 = empty slot */
	int32_t dest;                /* entry index, -1 none (table full) */
	uint8_t src;                 /* enum ph_dest_name_src of dest */
	uint8_t tls_offer, tls_neg;  /* PH_DEST_* bit */
	uint8_t encrypted;
};

struct ph_destinations {
	unsigned max, n, cap;
	struct dent *e;              /* owned, cap entries */
	int32_t *hash;               /* owned, hmask + 1 slots, -1 empty */
	unsigned hmask;
	unsigned *order;             /* owned: listed entries, sorted */
	int *pos;                    /* owned: entry -> listing index, -1 */
	unsigned norder;
	struct pend *pend;           /* owned, pmask + 1 slots */
	unsigned pmask, npend;
	/* run context (borrowed, set at module init) */
	const struct ph_devices *devices;
	const struct ph_dns_map *map;
	uint64_t dropped, pend_dropped, dns_names;
};

/* ---- names and keys ----------------------------------------------------- */

static uint32_t fnv(uint32_t h, const void *p, size_t n)
{
	const uint8_t *b = p;
	for (size_t i = 0; i < n; i++)
		h = (h ^ b[i]) * 16777619u;
	return h;
}

static unsigned alen(int ipver)
{
	return ipver == 4 ? 4 : 16;
}

/* Lower-case copy of a wire name: at most NAME_MAX_LEN bytes, trailing
 * dot dropped, HTTP ":port" cut when cut_port. */
static size_t norm_name(char *out, const char *s, size_t n, bool cut_port)
{
	if (cut_port && n && s[0] != '[') {
		const char *colon = memchr(s, ':', n);
		if (colon)
			n = (size_t)(colon - s);
	}
	if (n > NAME_MAX_LEN)
		n = NAME_MAX_LEN;
	while (n && s[n - 1] == '.')
		n--;
	for (size_t i = 0; i < n; i++)
		out[i] = (char)tolower((unsigned char)s[i]);
	out[n] = '\0';
	return n;
}

static bool ent_eq(const struct dent *e, const uint8_t *dev, int dver,
		   const char *name)
{
	return e->dver == dver && memcmp(e->dev, dev, alen(dver)) == 0 &&
	       strcmp(e->name, name) == 0;
}

/* ---- the entry table ---------------------------------------------------- */

static uint32_t key_hash(const uint8_t *dev, int dver, const char *name)
{
	uint32_t h = fnv(2166136261u ^ (uint32_t)dver, dev, alen(dver));
	return fnv(h, name, strlen(name));
}

static void rehash(struct ph_destinations *d)
{
	memset(d->hash, 0xff, (d->hmask + 1) * sizeof *d->hash);
	for (unsigned k = 0; k < d->n; k++) {
		unsigned i = d->e[k].hash & d->hmask;
		while (d->hash[i] >= 0)
			i = (i + 1) & d->hmask;
		d->hash[i] = (int32_t)k;
	}
}

/* Room for one more entry; false when out of memory. */
static bool grow(struct ph_destinations *d)
{
	if (d->n < d->cap)
		return true;
	unsigned cap = d->cap ? d->cap * 2 : 64;
	if (cap > d->max)
		cap = d->max;
	struct dent *e = realloc(d->e, (size_t)cap * sizeof *e);
	if (!e)
		return false;
	d->e = e;
	d->cap = cap;
	if ((d->hmask + 1) / 2 >= cap)
		return true;
	unsigned hcap = (d->hmask + 1) * 2;
	while (hcap < 2 * cap)
		hcap *= 2;
	int32_t *h = realloc(d->hash, (size_t)hcap * sizeof *h);
	if (!h)
		return false;
	d->hash = h;
	d->hmask = hcap - 1;
	rehash(d);
	return true;
}

/* The entry index of (dev, name), made when new; -1 when full. */
static int32_t ent_get(struct ph_destinations *d, const uint8_t *dev,
		       int dver, const char *name, uint8_t src)
{
	uint32_t h = key_hash(dev, dver, name);
	unsigned i = h & d->hmask;
	for (; d->hash[i] >= 0; i = (i + 1) & d->hmask)
		if (ent_eq(&d->e[d->hash[i]], dev, dver, name))
			return d->hash[i];
	unsigned old_mask = d->hmask;
	if (d->n >= d->max || !grow(d))
		return -1;
	if (d->hmask != old_mask) { /* grow() rehashed: probe again */
		i = h & d->hmask;
		while (d->hash[i] >= 0)
			i = (i + 1) & d->hmask;
	}
	struct dent *e = &d->e[d->n];
	memset(e, 0, sizeof *e);
	memcpy(e->dev, dev, alen(dver));
	e->dver = (uint8_t)dver;
	e->name_src = src;
	e->hash = h;
	snprintf(e->name, sizeof e->name, "%s", name);
	d->hash[i] = (int32_t)d->n;
	return (int32_t)d->n++;
}

struct ph_destinations *ph_destinations_new(unsigned max)
{
	struct ph_destinations *d = calloc(1, sizeof *d);
	if (!d)
		return NULL;
	d->max = max ? max : PH_DEST_DEFAULT_MAX;
	d->hmask = 127;
	d->hash = malloc(128 * sizeof *d->hash);
	if (!d->hash) {
		free(d);
		return NULL;
	}
	memset(d->hash, 0xff, 128 * sizeof *d->hash);
	return d;
}

void ph_destinations_free(struct ph_destinations *d)
{
	if (!d)
		return;
	for (unsigned k = 0; k < d->n; k++)
		free(d->e[k].starts);
	free(d->e);
	free(d->hash);
	free(d->order);
	free(d->pos);
	free(d->pend);
	free(d);
}

/* ---- live flows --------------------------------------------------------- */

static struct pend *pend_find(const struct ph_destinations *d, uint64_t id)
{
	if (!d->pend)
		return NULL;
	for (unsigned i = (unsigned)fnv(2166136261u, &id, 8) & d->pmask;
	     d->pend[i].key; i = (i + 1) & d->pmask)
		if (d->pend[i].key == id + 1)
			return &d->pend[i];
	return NULL;
}

static bool pend_grow(struct ph_destinations *d)
{
	unsigned cap = d->pend ? (d->pmask + 1) * 2 : 1024;
	if (d->pend && (d->npend + 1) * 2 <= d->pmask + 1)
		return true;
	if (cap > 2 * PENDING_MAX)
		return false;
	struct pend *p = calloc(cap, sizeof *p);
	if (!p)
		return false;
	for (unsigned k = 0; d->pend && k <= d->pmask; k++) {
		if (!d->pend[k].key)
			continue;
		uint64_t id = d->pend[k].key - 1;
		unsigned i = (unsigned)fnv(2166136261u, &id, 8) & (cap - 1);
		while (p[i].key)
			i = (i + 1) & (cap - 1);
		p[i] = d->pend[k];
	}
	free(d->pend);
	d->pend = p;
	d->pmask = cap - 1;
	return true;
}

/* The flow's record, made when new; NULL when the cap is hit. */
static struct pend *pend_get(struct ph_destinations *d, uint64_t id)
{
	struct pend *p = pend_find(d, id);
	if (p)
		return p;
	if (d->npend >= PENDING_MAX || !pend_grow(d)) {
		d->pend_dropped++;
		return NULL;
	}
	unsigned i = (unsigned)fnv(2166136261u, &id, 8) & d->pmask;
	while (d->pend[i].key)
		i = (i + 1) & d->pmask;
	p = &d->pend[i];
	memset(p, 0, sizeof *p);
	p->key = id + 1;
	p->dest = -1;
	d->npend++;
	return p;
}

/* Removes p, shifting later members of its probe run back. */
static void pend_del(struct ph_destinations *d, struct pend *p)
{
	unsigned i = (unsigned)(p - d->pend), j = i;
	d->pend[i].key = 0;
	d->npend--;
	for (;;) {
		j = (j + 1) & d->pmask;
		if (!d->pend[j].key)
			return;
		uint64_t id = d->pend[j].key - 1;
		unsigned h = (unsigned)fnv(2166136261u, &id, 8) & d->pmask;
		/* j may move to i when h is not cyclically in (i, j]. */
		if ((j > i && (h <= i || h > j)) || (j < i && h <= i && h > j)) {
			d->pend[i] = d->pend[j];
			d->pend[j].key = 0;
			i = j;
		}
	}
}

/* ---- events ------------------------------------------------------------- */

/* The device side of c (0/1), or -1 when --device excludes it. */
static int dev_side(const struct ph_destinations *d, const struct ph_conn *c)
{
	struct ph_detect_base b;
	memset(&b, 0, sizeof b);
	b.devices = d->devices;
	return ph_detect_side(&b, c);
}

static unsigned tls_bit(uint16_t v)
{
	switch (v) {
	case 0x0300: return PH_DEST_SSL3;
	case 0x0301: return PH_DEST_TLS10;
	case 0x0302: return PH_DEST_TLS11;
	case 0x0303: return PH_DEST_TLS12;
	case 0x0304: return PH_DEST_TLS13;
	case 0: return 0;
	default: return PH_DEST_TLS_OTHER;
	}
}

/* The flow named its destination (src): file it under that entry unless
 * a stronger name came first. */
static void flow_named(struct ph_destinations *d, const struct ph_conn *c,
		       const char *s, size_t n, bool cut_port, uint8_t src)
{
	int side = dev_side(d, c);
	char name[NAME_MAX_LEN + 1];
	if (side < 0 || norm_name(name, s, n, cut_port) == 0)
		return;
	struct pend *p = pend_get(d, c->id);
	if (!p || (p->dest >= 0 && p->src >= src))
		return;
	int32_t k = ent_get(d, side ? c->resp_addr : c->orig_addr, c->ipver,
			    name, src);
	if (k >= 0) {
		p->dest = k;
		p->src = src;
	}
}

static void on_hello(struct ph_destinations *d, const struct ph_event *ev,
		     const struct ph_tls_hello *h)
{
	const struct ph_conn *c = ev->conn;
	if (!h->is_server && h->sni_len)
		flow_named(d, c, h->sni, strnlen(h->sni, sizeof h->sni), false,
			   h->quic ? PH_DEST_NAME_QUIC : PH_DEST_NAME_TLS);
	if (dev_side(d, c) < 0)
		return;
	struct pend *p = pend_get(d, c->id);
	if (!p)
		return;
	p->encrypted = 1;
	if (h->is_server)
		p->tls_neg = (uint8_t)tls_bit(h->version);
	else if (!p->tls_offer)
		p->tls_offer = (uint8_t)tls_bit(h->quic ? 0x0304 : h->version);
}

static void on_http(struct ph_destinations *d, const struct ph_event *ev,
		    const struct ph_http_msg *m)
{
	if (m->is_request && m->host.p && m->host.len)
		flow_named(d, ev->conn, m->host.p, m->host.len, true,
			   PH_DEST_NAME_HTTP);
}

static void on_quic(struct ph_destinations *d, const struct ph_event *ev,
		    const struct ph_quic_initial *q)
{
	if (q->from_client && q->sni && q->sni[0])
		flow_named(d, ev->conn, q->sni, strlen(q->sni), false,
			   PH_DEST_NAME_QUIC);
	struct pend *p = dev_side(d, ev->conn) >= 0
				 ? pend_get(d, ev->conn->id) : NULL;
	if (p)
		p->encrypted = 1;
}

struct name_pick {
	char name[NAME_MAX_LEN + 1];
	bool found;
};

static int first_name(void *user, const struct ph_dns_map_entry *e)
{
	struct name_pick *np = user;
	np->found = norm_name(np->name, e->name, e->name_len, false) > 0;
	return np->found; /* newest first: stop at the first usable one */
}

/* The entry for a flow that named nothing: DNS name, else address. */
static int32_t unnamed_entry(struct ph_destinations *d,
			     const struct ph_conn *c, int side)
{
	const uint8_t *remote = side ? c->orig_addr : c->resp_addr;
	struct name_pick np = {.found = false};
	if (d->map)
		ph_dns_map_names_of(d->map, remote, c->ipver, first_name, &np);
	if (np.found) {
		d->dns_names++;
		return ent_get(d, side ? c->resp_addr : c->orig_addr, c->ipver,
			       np.name, PH_DEST_NAME_DNS);
	}
	char ip[48];
	ph_detect_addr(c, !side, ip, sizeof ip);
	return ent_get(d, side ? c->resp_addr : c->orig_addr, c->ipver, ip,
		       PH_DEST_NAME_IP);
}

static void add_ip(struct dent *e, const uint8_t *a, int ipver)
{
	for (unsigned i = 0; i < e->nips; i++)
		if (e->ipver[i] == ipver && memcmp(e->ips[i], a, alen(ipver)) == 0)
			return;
	if (e->nips == PH_DEST_MAX_IPS) {
		e->ips_dropped++; /* may count one address more than once */
		return;
	}
	memcpy(e->ips[e->nips], a, alen(ipver));
	e->ipver[e->nips++] = (uint8_t)ipver;
}

static void add_port(struct dent *e, uint16_t port, uint8_t proto)
{
	for (unsigned i = 0; i < e->nports; i++)
		if (e->port[i] == port && e->port_proto[i] == proto)
			return;
	if (e->nports == PH_DEST_MAX_PORTS) {
		e->ports_more = true;
		return;
	}
	e->port[e->nports] = port;
	e->port_proto[e->nports++] = proto;
}

/* Adds each service of c ("ssl,http") missing from e's list. */
static void add_services(struct dent *e, const char *svc)
{
	for (const char *p = svc; *p;) {
		size_t k = strcspn(p, ",");
		size_t have = strlen(e->services);
		bool dup = false;
		for (const char *q = e->services; *q && !dup;) {
			size_t m = strcspn(q, ",");
			dup = m == k && memcmp(q, p, k) == 0;
			q += m + (q[m] ? 1 : 0);
		}
		if (!dup && k && have + k + 2 < sizeof e->services)
			snprintf(e->services + have, sizeof e->services - have,
				 "%s%.*s", have ? "," : "", (int)k, p);
		p += k + (p[k] ? 1 : 0);
	}
}

static void add_start(struct dent *e, uint64_t ts)
{
	if (e->nstarts == PH_DEST_MAX_STARTS) {
		e->starts_dropped++;
		return;
	}
	if (e->nstarts == e->cap_starts) {
		unsigned cap = e->cap_starts ? e->cap_starts * 4 : 4;
		if (cap > PH_DEST_MAX_STARTS)
			cap = PH_DEST_MAX_STARTS;
		uint64_t *s = realloc(e->starts, cap * sizeof *s);
		if (!s) {
			e->starts_dropped++;
			return;
		}
		e->starts = s;
		e->cap_starts = cap;
	}
	e->starts[e->nstarts++] = ts;
}

static void count_flow(struct dent *e, const struct ph_conn *c, int side,
		       const struct pend *p)
{
	add_ip(e, side ? c->orig_addr : c->resp_addr, c->ipver);
	add_port(e, c->resp_port, c->proto);
	if (!e->app_label[0] && c->app_label[0])
		snprintf(e->app_label, sizeof e->app_label, "%s", c->app_label);
	add_services(e, c->service);
	bool http = strstr(c->service, "http") != NULL;
	bool enc = (p && p->encrypted) || strstr(c->service, "ssl") ||
		   strstr(c->service, "quic");
	e->tls |= p ? (p->tls_neg ? p->tls_neg : p->tls_offer) : 0;
	e->conns++;
	e->enc += enc;
	e->http += http && !enc;
	e->clear += !enc && (c->dir[0].bytes || c->dir[1].bytes);
	e->up += c->dir[side].bytes;
	e->down += c->dir[!side].bytes;
	if (!e->first_ns || c->start_ns < e->first_ns)
		e->first_ns = c->start_ns;
	if (c->last_ns > e->last_ns)
		e->last_ns = c->last_ns;
	add_start(e, c->start_ns);
}

static void on_flow_end(struct ph_destinations *d, const struct ph_conn *c)
{
	struct pend *p = pend_find(d, c->id);
	int side = dev_side(d, c);
	int32_t k = -1;
	if (side >= 0)
		k = p && p->dest >= 0 ? p->dest : unnamed_entry(d, c, side);
	if (side >= 0 && k < 0)
		d->dropped++;
	else if (k >= 0)
		count_flow(&d->e[k], c, side, p);
	if (p)
		pend_del(d, p);
}

static void dest_on_event(void *state, const struct ph_event *ev)
{
	struct ph_destinations *d = state;
	const struct ph_conn *c = ev->conn;
	if (!c || (c->ipver != 4 && c->ipver != 6))
		return;
	switch (ev->kind) {
	case PH_EV_FLOW_END: on_flow_end(d, c); break;
	case PH_EV_TLS_CLIENT_HELLO:
	case PH_EV_TLS_SERVER_HELLO:
		if (ev->u.proto)
			on_hello(d, ev, ev->u.proto);
		break;
	case PH_EV_HTTP_REQUEST:
		if (ev->u.proto)
			on_http(d, ev, ev->u.proto);
		break;
	case PH_EV_QUIC:
		if (ev->u.proto)
			on_quic(d, ev, ev->u.proto);
		break;
	default: break;
	}
}

/* ---- listing ------------------------------------------------------------ */

struct sort_key {
	uint64_t bytes, conns;
	unsigned k;
};

static int cmp_key(const void *a, const void *b)
{
	const struct sort_key *x = a, *y = b;
	if (x->bytes != y->bytes)
		return x->bytes > y->bytes ? -1 : 1;
	if (x->conns != y->conns)
		return x->conns > y->conns ? -1 : 1;
	return x->k < y->k ? -1 : x->k > y->k;
}

static int sort_entries(struct ph_destinations *d)
{
	struct sort_key *s = calloc(d->n ? d->n : 1, sizeof *s);
	unsigned *order = calloc(d->n ? d->n : 1, sizeof *order);
	int *pos = malloc((d->n ? d->n : 1) * sizeof *pos);
	if (!s || !order || !pos) {
		free(s);
		free(order);
		free(pos);
		return PH_ENOMEM;
	}
	memset(pos, 0xff, (d->n ? d->n : 1) * sizeof *pos); /* all -1 */
	unsigned m = 0;
	for (unsigned k = 0; k < d->n; k++)
		if (d->e[k].conns)
			s[m++] = (struct sort_key){d->e[k].up + d->e[k].down,
						   d->e[k].conns, k};
	qsort(s, m, sizeof *s, cmp_key);
	for (unsigned i = 0; i < m; i++) {
		order[i] = s[i].k;
		pos[s[i].k] = (int)i;
	}
	free(s);
	free(d->order);
	free(d->pos);
	d->order = order;
	d->pos = pos;
	d->norder = m;
	return PH_OK;
}

unsigned ph_destinations_count(const struct ph_destinations *d)
{
	return d ? d->norder : 0;
}

/* Address text to bytes; 0 when not an address. */
static int parse_addr(const char *s, uint8_t a[16])
{
	memset(a, 0, 16);
	if (inet_pton(AF_INET, s, a) == 1)
		return 4;
	return inet_pton(AF_INET6, s, a) == 1 ? 6 : 0;
}

/* Listing index of the entry (dev, name), -1 none. */
static int find_name(const struct ph_destinations *d, const uint8_t *dev,
		     int dver, const char *raw)
{
	char name[NAME_MAX_LEN + 1];
	if (!raw || !norm_name(name, raw, strlen(raw), false))
		return -1;
	uint32_t h = key_hash(dev, dver, name);
	for (unsigned i = h & d->hmask; d->hash[i] >= 0; i = (i + 1) & d->hmask)
		if (ent_eq(&d->e[d->hash[i]], dev, dver, name))
			return d->pos[d->hash[i]];
	return -1;
}

int ph_destinations_find(const struct ph_destinations *d, const char *dev,
			 const char *name, const char *ip)
{
	uint8_t da[16], ia[16];
	int dver = dev ? parse_addr(dev, da) : 0;
	int iver = ip ? parse_addr(ip, ia) : 0;
	if (!d || !d->pos || !dver)
		return -1;
	int k = find_name(d, da, dver, name);
	if (k < 0 && iver)
		k = find_name(d, da, dver, ip);
	for (unsigned i = 0; k < 0 && iver && i < d->norder; i++) {
		const struct dent *e = &d->e[d->order[i]];
		if (e->dver != dver || memcmp(e->dev, da, alen(dver)) != 0)
			continue;
		for (unsigned j = 0; j < e->nips && k < 0; j++)
			if (e->ipver[j] == iver &&
			    memcmp(e->ips[j], ia, alen(iver)) == 0)
				k = (int)i;
	}
	return k;
}

uint64_t ph_destinations_dropped(const struct ph_destinations *d)
{
	return d ? d->dropped : 0;
}

static void addr_text(const uint8_t *a, int ipver, char *out, size_t n)
{
	if (!inet_ntop(ipver == 4 ? AF_INET : AF_INET6, a, out, (socklen_t)n))
		snprintf(out, n, "?");
}

void ph_destinations_get(const struct ph_destinations *d, unsigned i,
			 struct ph_destination *out)
{
	memset(out, 0, sizeof *out);
	if (!d || i >= d->norder)
		return;
	const struct dent *e = &d->e[d->order[i]];
	addr_text(e->dev, e->dver, out->device, sizeof out->device);
	memcpy(out->name, e->name, sizeof out->name);
	out->name_src = (enum ph_dest_name_src)e->name_src;
	for (unsigned k = 0; k < e->nips; k++)
		addr_text(e->ips[k], e->ipver[k], out->ips[k], sizeof out->ips[k]);
	out->nips = e->nips;
	out->ips_dropped = e->ips_dropped;
	for (unsigned k = 0; k < e->nports; k++) {
		out->ports[k].port = e->port[k];
		out->ports[k].proto = e->port_proto[k];
	}
	out->nports = e->nports;
	out->ports_more = e->ports_more;
	memcpy(out->app_label, e->app_label, sizeof out->app_label);
	memcpy(out->services, e->services, sizeof out->services);
	out->tls_versions = e->tls;
	out->conns = e->conns;
	out->conns_encrypted = e->enc;
	out->conns_cleartext = e->clear;
	out->conns_http = e->http;
	out->bytes_up = e->up;
	out->bytes_down = e->down;
	out->first_ns = e->first_ns;
	out->last_ns = e->last_ns;
	out->starts = e->starts;
	out->nstarts = e->nstarts;
	out->starts_dropped = e->starts_dropped;
}

const char *ph_dest_tls_name(unsigned bit)
{
	switch (bit) {
	case PH_DEST_SSL3: return "SSL 3";
	case PH_DEST_TLS10: return "TLS 1.0";
	case PH_DEST_TLS11: return "TLS 1.1";
	case PH_DEST_TLS12: return "TLS 1.2";
	case PH_DEST_TLS13: return "TLS 1.3";
	case PH_DEST_TLS_OTHER: return "other";
	default: return "";
	}
}

bool ph_dest_insecure(const struct ph_destination *e)
{
	return e->conns_http > 0 ||
	       (e->tls_versions & (PH_DEST_SSL3 | PH_DEST_TLS10 | PH_DEST_TLS11));
}

/* ---- the module --------------------------------------------------------- */

static const struct ph_module_option dest_options[] = {
	{"max", PH_DEST_DEFAULT_MAX, 16, 1e6, "count", "(device, destination) "
	 "pairs kept for the HTML report; connections past it are counted "
	 "as dropped"},
	{NULL, 0, 0, 0, NULL, NULL},
};

static int dest_init(const struct ph_module_env *env, void **state,
		     struct ph_err *err)
{
	(void)err;
	struct ph_destinations *d = env->destinations;
	if (!d)
		return PH_MODULE_SKIP;
	d->max = (unsigned)ph_module_option(env, &ph_destinations_module, "max");
	if (d->max < d->n)
		d->max = d->n;
	d->devices = env->devices;
	d->map = env->shared ? env->shared->dns_map : NULL;
	*state = d; /* borrowed: the caller owns it */
	return PH_OK;
}

static int dest_finish(void *state, uint64_t last_ts_ns, struct ph_err *err)
{
	(void)last_ts_ns;
	struct ph_destinations *d = state;
	if (sort_entries(d) < 0)
		return ph_err_set(err, PH_ENOMEM, "destinations: out of memory");
	return PH_OK;
}

static void dest_destroy(void *state)
{
	struct ph_destinations *d = state;
	free(d->pend); /* live-flow records are done with; entries stay */
	d->pend = NULL;
	d->npend = 0;
	d->pmask = 0;
}

static unsigned dest_counters(const void *state, struct ph_module_counter *o,
			      unsigned max)
{
	const struct ph_destinations *d = state;
	const struct ph_module_counter all[] = {
		{"destinations", d->n},
		{"destinations_dropped_connections", d->dropped},
		{"destinations_named_flows_dropped", d->pend_dropped},
		{"destinations_dns_named_connections", d->dns_names},
	};
	return ph_module_counters_copy(o, max, all, sizeof all / sizeof *all);
}

const struct ph_module ph_destinations_module = {
	.name = "destinations",
	.summary = "who each device talks to: per (device, name) addresses, "
		   "ports, labels, TLS versions, bytes and connection times "
		   "(peephole check --html)",
	.mask = PH_EV_FLOW_END | PH_EV_TLS_CLIENT_HELLO |
		PH_EV_TLS_SERVER_HELLO | PH_EV_HTTP_REQUEST | PH_EV_QUIC,
	.init = dest_init,
	.on_event = dest_on_event,
	.finish = dest_finish,
	.counters = dest_counters,
	.destroy = dest_destroy,
	.options = dest_options,
	.detection = false,
};
