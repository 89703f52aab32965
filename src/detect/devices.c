/* The device inventory (include/peephole/devices.h) and its module
 * ("devices"). Entries live in one array of at most `max` addresses, found
 * through an open-addressing hash of (ipver, address) and listed through
 * an order array kept sorted as counts grow (an entry only moves forward).
 * DHCP clients are remembered by MAC (PH_DEVICES_MAX_MACS, linear search:
 * DHCP is rare) for their host name and vendor class. An address becomes
 * a device when it is local and sent a packet, when a DHCP server assigned
 * it, or when a DHCP client's MAC originated a flow from it (a phone's
 * global IPv6 address). Caps hit are counted; nothing is printed. */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "peephole/devices.h"
#include "peephole/proto_dhcp.h"
#include "peephole/proto_dns.h"

enum { F_NONE = 0, F_IP, F_MAC };
enum { SRC_NONE = 0, SRC_FLOW, SRC_MDNS, SRC_DHCP };

struct dev {
	uint8_t addr[16];
	uint8_t ipver;
	uint8_t mac_src, host_src;   /* SRC_*: who set mac / hostname */
	uint8_t mac[6];
	char hostname[64];
	uint64_t first_ns, last_ns;
	uint64_t flows, bytes_out, bytes_in;
};

struct mac_ent {                     /* a DHCP client */
	uint8_t mac[6];
	char hostname[64];
	char vendor[64];
	uint64_t first_ns;
};

struct ip_key {
	uint8_t a[16];
	uint8_t ipver;
};

struct ph_devices {
	unsigned max, n;
	struct dev *dev;             /* owned, max entries */
	unsigned *order;             /* owned: entry indexes, sorted */
	unsigned *pos;               /* owned: entry index -> order slot */
	int *hash;                   /* owned: entry index or -1 */
	unsigned hmask;
	struct mac_ent macs[PH_DEVICES_MAX_MACS];
	unsigned nmacs;
	int ftype;                   /* F_* */
	struct ip_key fip;
	uint8_t fmac[6];
	struct ip_key learned[PH_DEVICES_MAX_LEARNED];
	unsigned nlearned;
	uint64_t dropped, macs_dropped, learned_dropped, mdns_names;
};

/* ---- addresses ---------------------------------------------------------- */

static bool local4(const uint8_t *a)
{
	return a[0] == 10 || (a[0] == 172 && (a[1] & 0xf0) == 16) ||
	       (a[0] == 192 && a[1] == 168) || (a[0] == 169 && a[1] == 254) ||
	       (a[0] == 100 && (a[1] & 0xc0) == 64);
}

bool ph_devices_is_local(const uint8_t addr[16], int ipver)
{
	static const uint8_t mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
					   0xff, 0xff};
	if (ipver == 4)
		return local4(addr);
	if (ipver != 6)
		return false;
	if (memcmp(addr, mapped, 12) == 0)
		return local4(addr + 12);
	return (addr[0] == 0xfe && (addr[1] & 0xc0) == 0x80) ||
	       (addr[0] & 0xfe) == 0xfc;
}

int ph_devices_local_side(const struct ph_conn *c)
{
	if (ph_devices_is_local(c->orig_addr, c->ipver))
		return 0;
	if (ph_devices_is_local(c->resp_addr, c->ipver))
		return 1;
	return -1;
}

/* An address a host can have: not unspecified, multicast or broadcast. */
static bool unicast(const uint8_t *a, int ipver)
{
	static const uint8_t zero[16];
	if (ipver == 4)
		return memcmp(a, zero, 4) != 0 && a[0] < 224;
	return ipver == 6 && memcmp(a, zero, 16) != 0 && a[0] != 0xff;
}

static struct ip_key key_of(const uint8_t *a, int ipver)
{
	struct ip_key k;
	memset(&k, 0, sizeof k);
	k.ipver = (uint8_t)ipver;
	memcpy(k.a, a, ipver == 4 ? 4 : 16);
	return k;
}

static bool key_eq(const struct ip_key *k, const uint8_t *a, int ipver)
{
	return k->ipver == ipver && memcmp(k->a, a, ipver == 4 ? 4 : 16) == 0;
}

/* ---- the table ---------------------------------------------------------- */

static unsigned hash_of(const uint8_t *a, int ipver)
{
	uint32_t h = 2166136261u ^ (uint32_t)ipver; /* FNV-1a */
	for (int i = 0; i < (ipver == 4 ? 4 : 16); i++)
		h = (h ^ a[i]) * 16777619u;
	return h;
}

/* The slot of the hash where (a, ipver) is or would go. */
static unsigned probe(const struct ph_devices *d, const uint8_t *a, int ipver)
{
	unsigned i = hash_of(a, ipver) & d->hmask;
	while (d->hash[i] >= 0) {
		const struct dev *e = &d->dev[d->hash[i]];
		if (e->ipver == ipver &&
		    memcmp(e->addr, a, ipver == 4 ? 4 : 16) == 0)
			break;
		i = (i + 1) & d->hmask;
	}
	return i;
}

static struct dev *find(const struct ph_devices *d, const uint8_t *a,
			int ipver)
{
	int k = d->hash[probe(d, a, ipver)];
	return k >= 0 ? &d->dev[k] : NULL;
}

/* The entry of an address, created (at the end of the order) when new;
 * NULL when the table is full (counted). */
static struct dev *get(struct ph_devices *d, const uint8_t *a, int ipver,
		       uint64_t ts)
{
	unsigned h = probe(d, a, ipver);
	if (d->hash[h] >= 0)
		return &d->dev[d->hash[h]];
	if (d->n == d->max) {
		d->dropped++;
		return NULL;
	}
	unsigned k = d->n++;
	struct dev *e = &d->dev[k];
	memset(e, 0, sizeof *e);
	e->ipver = (uint8_t)ipver;
	memcpy(e->addr, a, ipver == 4 ? 4 : 16);
	e->first_ns = e->last_ns = ts;
	d->hash[h] = (int)k;
	d->order[k] = k;
	d->pos[k] = k;
	return e;
}

static bool before(const struct dev *x, const struct dev *y)
{
	uint64_t bx = x->bytes_out + x->bytes_in, by = y->bytes_out + y->bytes_in;
	return bx > by || (bx == by && x->flows > y->flows);
}

/* Moves entry e forward in the order after its counts grew. */
static void resort(struct ph_devices *d, const struct dev *e)
{
	unsigned k = (unsigned)(e - d->dev), p = d->pos[k];
	while (p > 0 && before(e, &d->dev[d->order[p - 1]])) {
		unsigned o = d->order[p - 1];
		d->order[p] = o;
		d->pos[o] = p;
		p--;
	}
	d->order[p] = k;
	d->pos[k] = p;
}

struct ph_devices *ph_devices_new(unsigned max)
{
	if (max == 0)
		max = PH_DEVICES_DEFAULT_MAX;
	if (max > (1u << 24))
		return NULL;
	unsigned hcap = 16;
	while (hcap < 2 * max)
		hcap *= 2;
	struct ph_devices *d = calloc(1, sizeof *d);
	if (!d)
		return NULL;
	d->max = max;
	d->hmask = hcap - 1;
	d->dev = calloc(max, sizeof *d->dev);
	d->order = calloc(max, sizeof *d->order);
	d->pos = calloc(max, sizeof *d->pos);
	d->hash = malloc(hcap * sizeof *d->hash);
	if (!d->dev || !d->order || !d->pos || !d->hash) {
		ph_devices_free(d);
		return NULL;
	}
	memset(d->hash, 0xff, hcap * sizeof *d->hash); /* all -1 */
	return d;
}

void ph_devices_free(struct ph_devices *d)
{
	if (!d)
		return;
	free(d->dev);
	free(d->order);
	free(d->pos);
	free(d->hash);
	free(d);
}

/* ---- filter ------------------------------------------------------------- */

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* "aa:bb:cc:dd:ee:ff" or "aa-bb-cc-dd-ee-ff" (one separator kind). */
static bool parse_mac(const char *s, uint8_t mac[6])
{
	if (strlen(s) != 17)
		return false;
	char sep = s[2];
	if (sep != ':' && sep != '-')
		return false;
	for (int i = 0; i < 6; i++) {
		const char *p = s + 3 * i;
		int hi = hexval(p[0]), lo = hexval(p[1]);
		if (hi < 0 || lo < 0 || (i < 5 && p[2] != sep))
			return false;
		mac[i] = (uint8_t)(hi << 4 | lo);
	}
	return true;
}

int ph_devices_set_filter(struct ph_devices *d, const char *s,
			  struct ph_err *err)
{
	uint8_t a[16];
	if (!d || !s)
		return ph_err_set(err, PH_EINVAL, "no device given");
	if (inet_pton(AF_INET, s, a) == 1) {
		d->fip = key_of(a, 4);
		d->ftype = F_IP;
	} else if (inet_pton(AF_INET6, s, a) == 1) {
		d->fip = key_of(a, 6);
		d->ftype = F_IP;
	} else if (parse_mac(s, d->fmac)) {
		d->ftype = F_MAC;
	} else {
		return ph_err_set(err, PH_EINVAL,
				  "device '%.200s' is neither an IP address "
				  "nor a MAC address (aa:bb:cc:dd:ee:ff)", s);
	}
	return PH_OK;
}

bool ph_devices_has_filter(const struct ph_devices *d)
{
	return d && d->ftype != F_NONE;
}

static bool learned(const struct ph_devices *d, const uint8_t *a, int ipver)
{
	for (unsigned i = 0; i < d->nlearned; i++)
		if (key_eq(&d->learned[i], a, ipver))
			return true;
	return false;
}

/* With a MAC filter: a an address of the filtered device. */
static void learn(struct ph_devices *d, const uint8_t *a, int ipver)
{
	if (!unicast(a, ipver) || learned(d, a, ipver))
		return;
	if (d->nlearned == PH_DEVICES_MAX_LEARNED) {
		d->learned_dropped++;
		return;
	}
	d->learned[d->nlearned++] = key_of(a, ipver);
}

/* Is the address the filtered device (true without a filter)? */
static bool in_filter(const struct ph_devices *d, const uint8_t *a,
		      int ipver)
{
	if (d->ftype == F_IP)
		return key_eq(&d->fip, a, ipver);
	if (d->ftype == F_MAC)
		return learned(d, a, ipver);
	return true;
}

/* Is the address a device: the filtered one, else local or known. */
static bool is_device(const struct ph_devices *d, const uint8_t *a,
		      int ipver)
{
	if (d->ftype != F_NONE)
		return in_filter(d, a, ipver);
	return ph_devices_is_local(a, ipver) || find(d, a, ipver) != NULL;
}

bool ph_devices_match_filter(const struct ph_devices *d,
			     const struct ph_conn *c, enum ph_dir *which)
{
	enum ph_dir w = PH_DIR_ORIG;
	bool hit = true;
	if (!d || d->ftype == F_NONE) {
		if (d && !is_device(d, c->orig_addr, c->ipver) &&
		    is_device(d, c->resp_addr, c->ipver))
			w = PH_DIR_RESP;
		else if (!d && ph_devices_local_side(c) == 1)
			w = PH_DIR_RESP;
	} else if (d->ftype == F_MAC && c->has_mac &&
		   memcmp(c->orig_mac, d->fmac, 6) == 0) {
		w = PH_DIR_ORIG;
	} else if (in_filter(d, c->orig_addr, c->ipver)) {
		w = PH_DIR_ORIG;
	} else if (in_filter(d, c->resp_addr, c->ipver)) {
		w = PH_DIR_RESP;
	} else {
		hit = false;
	}
	if (which)
		*which = w;
	return hit;
}

/* ---- DHCP clients by MAC ------------------------------------------------ */

static int mac_index(const struct ph_devices *d, const uint8_t *m)
{
	for (unsigned i = 0; i < d->nmacs; i++)
		if (memcmp(d->macs[i].mac, m, 6) == 0)
			return (int)i;
	return -1;
}

static const struct mac_ent *mac_find(const struct ph_devices *d,
				      const uint8_t *m)
{
	int i = mac_index(d, m);
	return i >= 0 ? &d->macs[i] : NULL;
}

static struct mac_ent *mac_get(struct ph_devices *d, const uint8_t *m,
			       uint64_t ts)
{
	int i = mac_index(d, m);
	if (i >= 0)
		return &d->macs[i];
	struct mac_ent *e;
	if (d->nmacs == PH_DEVICES_MAX_MACS) {
		d->macs_dropped++;
		return NULL;
	}
	e = &d->macs[d->nmacs++];
	memset(e, 0, sizeof *e);
	memcpy(e->mac, m, 6);
	e->first_ns = ts;
	return e;
}

/* Copies a wire string for display: up to the first NUL, cut to fit,
 * control bytes as '?'. */
static void text_copy(char *dst, size_t cap, const char *s, size_t n)
{
	size_t k = 0;
	for (; k < n && k + 1 < cap && s[k]; k++) {
		unsigned char ch = (unsigned char)s[k];
		dst[k] = ch < 0x20 || ch == 0x7f ? '?' : (char)ch;
	}
	dst[k] = 0;
}

/* ---- the module ---------------------------------------------------------- */

static void touch(struct dev *e, uint64_t first, uint64_t last)
{
	if (first < e->first_ns)
		e->first_ns = first;
	if (last > e->last_ns)
		e->last_ns = last;
}

/* Flow start (and end): addresses the flow's originator MAC tells about. */
static void learn_from_flow(struct ph_devices *d, const struct ph_conn *c)
{
	if (!c->has_mac || !unicast(c->orig_addr, c->ipver))
		return;
	if (d->ftype == F_MAC) {
		if (memcmp(c->orig_mac, d->fmac, 6) == 0)
			learn(d, c->orig_addr, c->ipver);
	} else if (d->ftype == F_NONE &&
		   !ph_devices_is_local(c->orig_addr, c->ipver) &&
		   mac_find(d, c->orig_mac)) {
		get(d, c->orig_addr, c->ipver, c->start_ns);
	}
}

/* Counts flow c for its side s (0 originator, 1 responder). */
static void count_side(struct ph_devices *d, const struct ph_conn *c, int s)
{
	const uint8_t *a = s ? c->resp_addr : c->orig_addr;
	if (!unicast(a, c->ipver) || !is_device(d, a, c->ipver))
		return;
	struct dev *e = find(d, a, c->ipver);
	if (!e && (c->dir[s].pkts > 0 || d->ftype != F_NONE))
		e = get(d, a, c->ipver, c->start_ns);
	if (!e)
		return;
	touch(e, c->start_ns, c->last_ns);
	e->flows++;
	e->bytes_out += c->dir[s].bytes;
	e->bytes_in += c->dir[!s].bytes;
	if (s == 0 && c->has_mac && e->mac_src == SRC_NONE) {
		memcpy(e->mac, c->orig_mac, 6);
		e->mac_src = SRC_FLOW;
	}
	resort(d, e);
}

static void on_flow_end(struct ph_devices *d, const struct ph_conn *c)
{
	learn_from_flow(d, c);
	count_side(d, c, 0);
	size_t n = c->ipver == 4 ? 4 : 16;
	if (memcmp(c->orig_addr, c->resp_addr, n) != 0)
		count_side(d, c, 1);
}

/* DHCP tied address a to the client with MAC m. */
static void bind_addr(struct ph_devices *d, const uint8_t *a,
		      const uint8_t *m, uint64_t ts)
{
	if (!unicast(a, 4))
		return;
	if (d->ftype == F_MAC && memcmp(m, d->fmac, 6) == 0)
		learn(d, a, 4);
	if (!in_filter(d, a, 4))
		return;
	struct dev *e = get(d, a, 4, ts);
	if (!e)
		return;
	touch(e, ts, ts);
	memcpy(e->mac, m, 6);
	e->mac_src = SRC_DHCP;
}

static void on_dhcp(struct ph_devices *d, const struct ph_event *ev,
		    const struct ph_dhcp_msg *m)
{
	if (m->htype != 1 || m->hlen != 6 || ev->conn->ipver != 4)
		return;
	struct mac_ent *me = mac_get(d, m->chaddr, ev->ts_ns);
	if (me && m->op == 1 && m->hostname.present)
		text_copy(me->hostname, sizeof me->hostname, m->hostname.s,
			  m->hostname.len);
	if (me && m->op == 1 && m->vendor_class.present)
		text_copy(me->vendor, sizeof me->vendor, m->vendor_class.s,
			  m->vendor_class.len);
	uint64_t t0 = me ? me->first_ns : ev->ts_ns;
	static const uint8_t zero[4];
	if (m->op == 1) {
		const struct ph_conn *c = ev->conn;
		bind_addr(d, m->ciaddr, m->chaddr, t0);
		if (memcmp(m->giaddr, zero, 4) == 0) /* not via a relay */
			bind_addr(d, ev->dir == PH_DIR_ORIG ? c->orig_addr
						       : c->resp_addr,
			     m->chaddr, t0);
	} else if (m->op == 2 && m->msg_type == PH_DHCP_ACK) {
		bind_addr(d, m->yiaddr, m->chaddr, t0);
	}
}

static bool ends_local(const struct ph_dns_name *n)
{
	return n->len > 6 && memcmp(n->s + n->len - 6, ".local", 6) == 0;
}

static bool addr_rr(const struct ph_dns_rr *rr)
{
	return (rr->type == PH_DNS_A || rr->type == PH_DNS_AAAA) &&
	       rr->rdata_ok && ends_local(&rr->name);
}

/* mDNS response: the sender's own *.local A/AAAA names become host names
 * of those addresses, when one of them is the sender's address. */
static void on_mdns(struct ph_devices *d, const struct ph_event *ev,
		    const struct ph_dns_msg *m)
{
	const struct ph_conn *c = ev->conn;
	const uint8_t *src = ev->dir == PH_DIR_ORIG ? c->orig_addr : c->resp_addr;
	bool self = false;
	for (unsigned i = 0; i < m->nrr && !self; i++) {
		const struct ph_dns_rr *rr = &m->rr[i];
		self = addr_rr(rr) && rr->type == (c->ipver == 4 ? PH_DNS_A
								  : PH_DNS_AAAA) &&
		       memcmp(rr->u.addr, src, c->ipver == 4 ? 4 : 16) == 0;
	}
	for (unsigned i = 0; i < m->nrr && self; i++) {
		const struct ph_dns_rr *rr = &m->rr[i];
		int v = rr->type == PH_DNS_A ? 4 : 6;
		if (!addr_rr(rr) || !unicast(rr->u.addr, v) ||
		    !is_device(d, rr->u.addr, v))
			continue;
		struct dev *e = get(d, rr->u.addr, v, ev->ts_ns);
		if (!e || e->host_src > SRC_MDNS)
			continue;
		text_copy(e->hostname, sizeof e->hostname, rr->name.s,
			  rr->name.len - 6u);
		e->host_src = SRC_MDNS;
		d->mdns_names++;
	}
}

static void devices_on_event(void *state, const struct ph_event *ev)
{
	struct ph_devices *d = state;
	const struct ph_conn *c = ev->conn;
	if (!c || (c->ipver != 4 && c->ipver != 6))
		return;
	if (ev->kind == PH_EV_FLOW_START) {
		learn_from_flow(d, c);
	} else if (ev->kind == PH_EV_FLOW_END) {
		on_flow_end(d, c);
	} else if (ev->kind == PH_EV_DHCP && ev->u.proto) {
		on_dhcp(d, ev, ev->u.proto);
	} else if (ev->kind == PH_EV_DNS && ev->u.proto) {
		const struct ph_dns_msg *m = ev->u.proto;
		if (m->what == PH_DNS_RESPONSE && m->transport == 17 &&
		    (c->orig_port == 5353 || c->resp_port == 5353))
			on_mdns(d, ev, m);
	}
}

/* ---- reading ------------------------------------------------------------ */

unsigned ph_devices_count(const struct ph_devices *d)
{
	return d ? d->n : 0;
}

uint64_t ph_devices_dropped(const struct ph_devices *d)
{
	return d ? d->dropped : 0;
}

void ph_devices_get(const struct ph_devices *d, unsigned i,
		    struct ph_device *out)
{
	memset(out, 0, sizeof *out);
	if (!d || i >= d->n)
		return;
	const struct dev *e = &d->dev[d->order[i]];
	inet_ntop(e->ipver == 4 ? AF_INET : AF_INET6, e->addr, out->ip,
		  sizeof out->ip);
	const struct mac_ent *me = NULL;
	if (e->mac_src != SRC_NONE) {
		const uint8_t *m = e->mac;
		snprintf(out->mac, sizeof out->mac,
			 "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2],
			 m[3], m[4], m[5]);
		me = mac_find(d, m);
	}
	snprintf(out->hostname, sizeof out->hostname, "%s", e->hostname);
	if (me && me->hostname[0])
		snprintf(out->hostname, sizeof out->hostname, "%s",
			 me->hostname);
	if (me)
		snprintf(out->vendor_class, sizeof out->vendor_class, "%s",
			 me->vendor);
	out->first_ns = e->first_ns;
	out->last_ns = e->last_ns;
	out->flows = e->flows;
	out->bytes_out = e->bytes_out;
	out->bytes_in = e->bytes_in;
}

static int devices_init(const struct ph_module_env *env, void **state,
			struct ph_err *err)
{
	(void)err;
	if (!env->devices)
		return PH_MODULE_SKIP;
	*state = env->devices; /* borrowed: the caller owns it */
	return PH_OK;
}

static unsigned devices_counters(const void *state,
				 struct ph_module_counter *o, unsigned max)
{
	const struct ph_devices *d = state;
	const struct ph_module_counter all[] = {
		{"devices_seen", d->n},
		{"devices_dropped", d->dropped},
		{"devices_dhcp_clients", d->nmacs},
		{"devices_dhcp_clients_dropped", d->macs_dropped},
		{"devices_filter_addresses_dropped", d->learned_dropped},
		{"devices_mdns_names", d->mdns_names},
	};
	unsigned n = sizeof all / sizeof all[0];
	if (n > max)
		n = max;
	memcpy(o, all, n * sizeof *o);
	return n;
}

const struct ph_module ph_devices_module = {
	.name = "devices",
	.summary = "device inventory: local hosts with MAC, DHCP/mDNS host "
		   "name, vendor class, flows and bytes (peephole check)",
	.mask = PH_EV_FLOW_START | PH_EV_FLOW_END | PH_EV_DHCP | PH_EV_DNS,
	.init = devices_init,
	.on_event = devices_on_event,
	.finish = NULL,
	.counters = devices_counters,
	.destroy = NULL,
	.detection = true,
};
