/* The DHCP (v4) parser module (ph_dhcp_module): takes UDP datagrams of
 * flows on port 67, 68 or 4011 (Zeek's DHCP ports), checks the 236-byte
 * BOOTP header and the magic cookie 99.130.83.99 (RFC 2131 3), reads the
 * options (RFC 2132) up to END or the datagram's end, and emits one
 * PH_EV_DHCP (include/peephole/proto_dhcp.h) per message. Stateless per
 * flow: no slot is used. Option overload (52, options in sname/file) is
 * counted and not followed; a repeated option replaces the earlier one,
 * as in Zeek. The only memory is the one message being emitted. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "peephole/module.h"
#include "peephole/proto_dhcp.h"
#include "util/rd.h"

#define DHCP_COOKIE 0x63825363u
#define DHCP_FIXED 236 /* op .. file, before the cookie */

enum { P_UDP = 17 };

struct dhcp_counts {
	uint64_t msgs, not_dhcp, truncated, no_end, overload, no_type;
};

struct dhcp_state {
	ph_event_fn emit;
	void *bus;
	struct ph_dhcp_msg msg; /* the message being emitted */
	struct dhcp_counts n;
};

static const char *const type_names[] = {
	NULL, "DISCOVER", "OFFER", "REQUEST", "DECLINE", "ACK", "NAK",
	"RELEASE", "INFORM", "FORCERENEW", "LEASEQUERY", "LEASEUNASSIGNED",
	"LEASEUNKNOWN", "LEASEACTIVE", "BULKLEASEQUERY", "LEASEQUERYDONE",
	"ACTIVELEASEQUERY", "LEASEQUERYSTATUS", "TLS",
};

const char *ph_dhcp_type_name(uint8_t type, char buf[32])
{
	if (type > 0 && type < sizeof type_names / sizeof type_names[0])
		return type_names[type];
	snprintf(buf, 32, "unknown-message-type-%u", (unsigned)type);
	return buf;
}

size_t ph_dhcp_fmt_mac(const uint8_t *m, size_t len,
		       char out[PH_DHCP_MAC_TEXT])
{
	out[0] = 0;
	if (len < 8 && len != 6)
		return 0;
	int k;
	if (len == 6 || (m[6] == 0 && m[7] == 0))
		k = snprintf(out, PH_DHCP_MAC_TEXT,
			     "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2],
			     m[3], m[4], m[5]);
	else
		k = snprintf(out, PH_DHCP_MAC_TEXT,
			     "%02x:%02x:%02x:%02x:%02x:%02x:%02x:%02x", m[0],
			     m[1], m[2], m[3], m[4], m[5], m[6], m[7]);
	return k > 0 ? (size_t)k : 0;
}

static void put_str(struct ph_dhcp_str *s, const uint8_t *v, uint8_t len)
{
	s->present = true;
	s->len = len;
	memcpy(s->s, v, len);
	s->s[len] = 0;
}

/* Up to PH_DHCP_MAX_ADDRS IPv4 addresses of a list option. */
static uint8_t put_addrs(uint8_t out[][4], const uint8_t *v, uint8_t len)
{
	uint8_t n = 0;
	for (unsigned i = 0; i + 4 <= len && n < PH_DHCP_MAX_ADDRS; i += 4)
		memcpy(out[n++], v + i, 4);
	return n;
}

static void put_addr(bool *has, uint8_t out[4], const uint8_t *v,
		     uint8_t len)
{
	if (len < 4)
		return;
	*has = true;
	memcpy(out, v, 4);
}

/* One option's value (code, len bytes at v) into m. */
static void take_option(struct ph_dhcp_msg *m, uint8_t code,
			const uint8_t *v, uint8_t len)
{
	switch (code) {
	case 1: put_addr(&m->has_subnet_mask, m->subnet_mask, v, len); break;
	case 3: m->nrouters = put_addrs(m->routers, v, len); break;
	case 6: m->ndns = put_addrs(m->dns, v, len); break;
	case 12: put_str(&m->hostname, v, len); break;
	case 15: put_str(&m->domain, v, len); break;
	case 50: put_addr(&m->has_requested_ip, m->requested_ip, v, len);
		break;
	case 51:
		if (len >= 4) {
			m->has_lease = true;
			m->lease_secs = ph_be32(v);
		}
		break;
	case 52: m->overload = true; break;
	case 53: if (len >= 1) m->msg_type = v[0]; break;
	case 54: put_addr(&m->has_server_id, m->server_id, v, len); break;
	case 55:
		m->nprl = len;
		memcpy(m->prl, v, len);
		break;
	case 56: put_str(&m->message, v, len); break;
	case 60: put_str(&m->vendor_class, v, len); break;
	case 61: put_str(&m->client_id, v, len); break;
	case 81:
		if (len >= 3) {
			m->fqdn_flags = v[0];
			put_str(&m->fqdn, v + 3, (uint8_t)(len - 3));
		}
		break;
	default: break;
	}
}

/* The options after the cookie: code, length, value; PAD (0) alone,
 * END (255) stops. */
static void read_options(struct ph_rd *r, struct ph_dhcp_msg *m)
{
	m->no_end = true;
	while (ph_rd_left(r) > 0) {
		uint8_t code = ph_rd_u8(r);
		if (code == 0)
			continue;
		if (code == 255) {
			m->no_end = false;
			return;
		}
		uint8_t len = ph_rd_u8(r);
		const uint8_t *v = ph_rd_bytes(r, len);
		if (!v) {
			m->truncated = true;
			return;
		}
		if (m->ncodes < PH_DHCP_MAX_CODES)
			m->codes[m->ncodes++] = code;
		take_option(m, code, v, len);
	}
}

int ph_dhcp_parse(const uint8_t *p, size_t n, struct ph_dhcp_msg *m)
{
	struct ph_rd r;
	memset(m, 0, sizeof *m);
	if (n < DHCP_FIXED + 4 || ph_be32(p + DHCP_FIXED) != DHCP_COOKIE)
		return -1;
	ph_rd_init(&r, p, n);
	m->op = ph_rd_u8(&r);
	m->htype = ph_rd_u8(&r);
	m->hlen = ph_rd_u8(&r);
	m->hops = ph_rd_u8(&r);
	m->xid = ph_rd_be32(&r);
	m->secs = ph_rd_be16(&r);
	m->flags = ph_rd_be16(&r);
	ph_rd_copy(&r, m->ciaddr, 4);
	ph_rd_copy(&r, m->yiaddr, 4);
	ph_rd_copy(&r, m->siaddr, 4);
	ph_rd_copy(&r, m->giaddr, 4);
	ph_rd_copy(&r, m->chaddr, 16);
	ph_rd_skip(&r, 64 + 128 + 4); /* sname, file, cookie */
	ph_dhcp_fmt_mac(m->chaddr, sizeof m->chaddr, m->chaddr_text);
	read_options(&r, m);
	return 0;
}

static bool dhcp_port(uint16_t p)
{
	return p == 67 || p == 68 || p == 4011;
}

/* Zeek's is_client (base/protocols/dhcp/main.zeek). */
static bool is_client(const struct ph_conn *c, enum ph_dir dir)
{
	static const uint8_t zero[4];
	return dir == PH_DIR_ORIG &&
	       ((c->ipver == 4 && memcmp(c->orig_addr, zero, 4) == 0) ||
		c->orig_port == 68 || c->resp_port == 67);
}

static void count(struct dhcp_state *st, const struct ph_dhcp_msg *m)
{
	st->n.msgs++;
	st->n.truncated += m->truncated;
	st->n.no_end += m->no_end && !m->truncated;
	st->n.overload += m->overload;
	st->n.no_type += m->msg_type == 0;
}

static void dhcp_on_event(void *state, const struct ph_event *ev)
{
	struct dhcp_state *st = state;
	const struct ph_conn *c = ev->conn;
	if (ev->kind != PH_EV_DATAGRAM || !c || c->proto != P_UDP ||
	    !(dhcp_port(c->orig_port) || dhcp_port(c->resp_port)))
		return;
	struct ph_dhcp_msg *m = &st->msg;
	if (ph_dhcp_parse(ev->u.datagram.data, ev->u.datagram.len, m) < 0) {
		st->n.not_dhcp++;
		return;
	}
	m->from_client = is_client(c, ev->dir);
	count(st, m);
	ph_conn_add_service(c, "dhcp");
	struct ph_event e = *ev;
	e.kind = PH_EV_DHCP;
	e.u.proto = m;
	st->emit(st->bus, &e);
}

static int dhcp_init(const struct ph_module_env *env, void **state,
		     struct ph_err *err)
{
	struct dhcp_state *st = calloc(1, sizeof *st);
	if (!st)
		return ph_err_set(err, PH_ENOMEM, "dhcp: out of memory");
	st->emit = env->emit;
	st->bus = env->bus;
	*state = st;
	return PH_OK;
}

static unsigned dhcp_counters(const void *state, struct ph_module_counter *o,
			      unsigned max)
{
	const struct dhcp_state *st = state;
	const struct ph_module_counter all[] = {
		{"dhcp_messages", st->n.msgs},
		{"dhcp_not_dhcp", st->n.not_dhcp},
		{"dhcp_options_truncated", st->n.truncated},
		{"dhcp_no_end_option", st->n.no_end},
		{"dhcp_overload_not_followed", st->n.overload},
		{"dhcp_no_message_type", st->n.no_type},
	};
	unsigned n = sizeof all / sizeof all[0];
	if (n > max)
		n = max;
	memcpy(o, all, n * sizeof *o);
	return n;
}

static void dhcp_destroy(void *state)
{
	free(state);
}

const struct ph_module ph_dhcp_module = {
	.name = "dhcp",
	.summary = "DHCPv4 messages on UDP 67/68/4011: type, client MAC, "
		   "host name, vendor class, addresses, lease",
	.mask = PH_EV_DATAGRAM,
	.init = dhcp_init,
	.on_event = dhcp_on_event,
	.finish = NULL,
	.counters = dhcp_counters,
	.destroy = dhcp_destroy,
};
