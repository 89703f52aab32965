/* Decoding of one DNS message (RFC 1035 4.1; RFC 3596 AAAA, 2782 SRV,
 * 4034 DNSSEC, 9460 SVCB/HTTPS): header, questions, and the records of all
 * three sections with type-specific rdata. Reads only through util/rd.h.
 * Caps: PH_DNS_MAX_QUESTIONS questions (more: not DNS, as Zeek), and
 * PH_DNS_MAX_RRS records per message, TXT bytes (proto_dns.h). A malformed
 * name or record stops the message there, keeping what parsed; rdata that
 * does not fit its type is kept raw (rdata_ok false), parsing goes on. */
#include <string.h>

#include "proto/dns_int.h"

static void read_header(struct ph_rd *r, struct ph_dns_msg *m)
{
	m->id = ph_rd_be16(r);
	uint16_t f = ph_rd_be16(r);
	m->qr = f & 0x8000;
	m->opcode = (uint8_t)((f >> 11) & 15);
	m->aa = f & 0x0400;
	m->tc = f & 0x0200;
	m->rd = f & 0x0100;
	m->ra = f & 0x0080;
	m->z = f & 0x0040;
	m->ad = f & 0x0020;
	m->cd = f & 0x0010;
	m->rcode = (uint8_t)(f & 15);
	m->qdcount = ph_rd_be16(r);
	m->ancount = ph_rd_be16(r);
	m->nscount = ph_rd_be16(r);
	m->arcount = ph_rd_be16(r);
}

/* TXT/SPF: a sequence of <len><bytes> strings filling the rdata. */
static bool rd_txt(struct ph_rd *rd, struct ph_dns_txt *t,
		   struct ph_dns_caps *caps)
{
	uint16_t used = 0;
	t->nstr = t->kept = 0;
	t->truncated = false;
	while (ph_rd_left(rd) > 0) {
		uint8_t n = ph_rd_u8(rd);
		const uint8_t *s = ph_rd_bytes(rd, n);
		if (!s)
			return false;
		t->nstr++;
		if (t->kept == PH_DNS_TXT_STRINGS) {
			t->truncated = true;
			continue;
		}
		uint8_t keep = n;
		if (used + keep > PH_DNS_TXT_MAX) {
			keep = (uint8_t)(PH_DNS_TXT_MAX - used);
			t->truncated = true;
		}
		memcpy(t->data + used, s, keep);
		t->str[t->kept].off = used;
		t->str[t->kept].len = keep;
		t->str[t->kept].full = n;
		t->kept++;
		used = (uint16_t)(used + keep);
	}
	if (t->truncated)
		caps->txt_truncated++;
	return !rd->err;
}

/* One SvcParam (RFC 9460 2.2) of interest; others are skipped. */
static void svcb_param(struct ph_dns_svcb *s, uint16_t key,
		       const uint8_t *v, uint16_t n)
{
	struct ph_rd r;
	ph_rd_init(&r, v, n);
	if (key == 1) { /* alpn: <len><id>... */
		while (ph_rd_left(&r) > 0) {
			uint8_t k = ph_rd_u8(&r);
			const uint8_t *id = ph_rd_bytes(&r, k);
			size_t need = (size_t)k + (s->alpn_len ? 1 : 0);
			if (!id || s->alpn_len + need >= PH_DNS_ALPN_MAX)
				break;
			if (s->alpn_len)
				s->alpn[s->alpn_len++] = ',';
			memcpy(s->alpn + s->alpn_len, id, k);
			s->alpn_len = (uint8_t)(s->alpn_len + k);
		}
		s->alpn[s->alpn_len] = '\0';
	} else if (key == 3) {
		s->port = ph_rd_be16(&r);
	} else if (key == 4) {
		while (ph_rd_left(&r) >= 4 && s->n4 < PH_DNS_SVCB_HINTS)
			ph_rd_copy(&r, s->v4[s->n4++], 4);
	} else if (key == 5) {
		s->ech = true;
	} else if (key == 6) {
		while (ph_rd_left(&r) >= 16 && s->n6 < PH_DNS_SVCB_HINTS)
			ph_rd_copy(&r, s->v6[s->n6++], 16);
	}
}

/* SVCB/HTTPS: priority, target name, then key/length/value params. The
 * target must not be compressed (RFC 9460 2.2), so a window reader over
 * rdata alone is enough. */
static bool rd_svcb(struct ph_rd *rd, struct ph_dns_rr *rr,
		    struct ph_dns_caps *caps)
{
	struct ph_dns_svcb *s = &rr->u.svcb;
	memset(s, 0, sizeof *s);
	s->priority = ph_rd_be16(rd);
	if (ph_dns_name_read(rd, &rr->target, caps) < 0)
		return false;
	while (ph_rd_left(rd) >= 4) {
		uint16_t key = ph_rd_be16(rd);
		uint16_t n = ph_rd_be16(rd);
		const uint8_t *v = ph_rd_bytes(rd, n);
		if (!v)
			return false;
		svcb_param(s, key, v, n);
	}
	return ph_rd_left(rd) == 0 && !rd->err;
}

/* Names inside rdata may point anywhere before them in the message, so
 * they are read with a message-wide reader placed at the rdata. */
static bool rd_name(const struct ph_rd *msg, size_t at,
		    struct ph_dns_name *out, size_t *end,
		    struct ph_dns_caps *caps)
{
	struct ph_rd r = *msg;
	r.err = false;
	r.off = at;
	if (ph_dns_name_read(&r, out, caps) < 0)
		return false;
	*end = r.off;
	return true;
}

static bool rd_soa(const struct ph_rd *msg, size_t at, size_t end,
		   struct ph_dns_rr *rr, struct ph_dns_caps *caps)
{
	size_t p;
	if (!rd_name(msg, at, &rr->target, &p, caps) || p > end ||
	    !rd_name(msg, p, &rr->u.soa.rname, &p, caps) || p + 20 > end)
		return false;
	struct ph_rd r;
	ph_rd_init(&r, msg->p + p, 20);
	rr->u.soa.serial = ph_rd_be32(&r);
	rr->u.soa.refresh = ph_rd_be32(&r);
	rr->u.soa.retry = ph_rd_be32(&r);
	rr->u.soa.expire = ph_rd_be32(&r);
	rr->u.soa.minimum = ph_rd_be32(&r);
	return true;
}

/* Fixed-size fields and one name after `skip` bytes (MX, SRV, RRSIG). */
static bool rd_fixed_then_name(const struct ph_rd *msg, size_t at,
			       size_t end, size_t skip, struct ph_dns_rr *rr,
			       struct ph_dns_caps *caps)
{
	size_t p;
	if (at + skip > end)
		return false;
	return rd_name(msg, at + skip, &rr->target, &p, caps) && p <= end;
}

static bool rd_decode(const struct ph_rd *msg, size_t at,
		      struct ph_dns_rr *rr, struct ph_dns_caps *caps)
{
	size_t end = at + rr->rdlen, p;
	const uint8_t *d = rr->rdata;
	struct ph_rd w;
	ph_rd_init(&w, d, rr->rdlen);
	switch (rr->type) {
	case PH_DNS_A:
		return rr->rdlen == 4 && ph_rd_copy(&w, rr->u.addr, 4);
	case PH_DNS_AAAA:
		return rr->rdlen == 16 && ph_rd_copy(&w, rr->u.addr, 16);
	case PH_DNS_NS: case PH_DNS_CNAME: case PH_DNS_PTR: case PH_DNS_DNAME:
	case PH_DNS_NSEC:
		return rd_name(msg, at, &rr->target, &p, caps) && p <= end;
	case PH_DNS_MX:
		rr->u.mx.pref = ph_rd_be16(&w);
		return rd_fixed_then_name(msg, at, end, 2, rr, caps);
	case PH_DNS_SRV:
		rr->u.srv.prio = ph_rd_be16(&w);
		rr->u.srv.weight = ph_rd_be16(&w);
		rr->u.srv.port = ph_rd_be16(&w);
		return rd_fixed_then_name(msg, at, end, 6, rr, caps);
	case PH_DNS_SOA:
		return rd_soa(msg, at, end, rr, caps);
	case PH_DNS_TXT: case PH_DNS_SPF:
		return rd_txt(&w, &rr->u.txt, caps);
	case PH_DNS_SVCB: case PH_DNS_HTTPS:
		return rd_svcb(&w, rr, caps);
	case PH_DNS_RRSIG:
		rr->u.rrsig.type_covered = ph_rd_be16(&w);
		rr->u.rrsig.alg = ph_rd_u8(&w);
		rr->u.rrsig.labels = ph_rd_u8(&w);
		return rd_fixed_then_name(msg, at, end, 18, rr, caps);
	case PH_DNS_DNSKEY:
		rr->u.dnskey.flags = ph_rd_be16(&w);
		rr->u.dnskey.proto = ph_rd_u8(&w);
		rr->u.dnskey.alg = ph_rd_u8(&w);
		return !w.err;
	case PH_DNS_DS:
		rr->u.ds.keytag = ph_rd_be16(&w);
		rr->u.ds.alg = ph_rd_u8(&w);
		rr->u.ds.digest_type = ph_rd_u8(&w);
		return !w.err;
	case PH_DNS_SSHFP:
		rr->u.sshfp.alg = ph_rd_u8(&w);
		rr->u.sshfp.fptype = ph_rd_u8(&w);
		return !w.err;
	case PH_DNS_LOC:
		rr->u.loc.version = ph_rd_u8(&w);
		rr->u.loc.size = ph_rd_u8(&w);
		rr->u.loc.horiz = ph_rd_u8(&w);
		rr->u.loc.vert = ph_rd_u8(&w);
		return !w.err;
	default:
		return true; /* kept as type + length + raw rdata */
	}
}

/* One record at r's cursor; false when the message is malformed here. */
static bool read_rr(struct ph_rd *r, struct ph_dns_rr *rr,
		    enum ph_dns_section sec, struct ph_dns_caps *caps)
{
	rr->section = sec;
	rr->target.len = 0;
	rr->target.truncated = false;
	rr->target.s[0] = '\0';
	if (ph_dns_name_read(r, &rr->name, caps) < 0)
		return false;
	rr->type = ph_rd_be16(r);
	rr->rclass = ph_rd_be16(r);
	rr->ttl = ph_rd_be32(r);
	rr->rdlen = ph_rd_be16(r);
	size_t at = r->off;
	rr->rdata = ph_rd_bytes(r, rr->rdlen);
	if (!rr->rdata)
		return false;
	rr->rdata_ok = rd_decode(r, at, rr, caps);
	if (!rr->rdata_ok)
		caps->bad_rdata++;
	return true;
}

static void read_records(struct ph_rd *r, struct ph_dns_msg *m,
			 struct ph_dns_caps *caps)
{
	const uint16_t count[3] = {m->ancount, m->nscount, m->arcount};
	for (int sec = 0; sec < 3; sec++) {
		for (unsigned i = 0; i < count[sec]; i++) {
			if (m->nrr == PH_DNS_MAX_RRS) {
				m->capped = true;
				caps->rrs_capped++;
				return;
			}
			if (!read_rr(r, &m->rr[m->nrr], sec, caps)) {
				m->malformed = true;
				return;
			}
			m->nrr++;
		}
	}
}

int ph_dns_msg_parse(const uint8_t *msg, size_t len, struct ph_dns_msg *m,
		     struct ph_dns_caps *caps)
{
	struct ph_rd r;
	ph_rd_init(&r, msg, len);
	m->nq = m->nrr = 0;
	m->malformed = m->capped = false;
	m->wire_len = (uint32_t)len;
	read_header(&r, m);
	if (r.err || m->qdcount > PH_DNS_MAX_QUESTIONS)
		return -1;
	for (unsigned i = 0; i < m->qdcount; i++) {
		struct ph_dns_question *q = &m->q[m->nq];
		if (ph_dns_name_read(&r, &q->name, caps) < 0)
			break;
		q->qtype = ph_rd_be16(&r);
		q->qclass = ph_rd_be16(&r);
		if (r.err)
			break;
		m->nq++;
	}
	if (m->nq < m->qdcount)
		m->malformed = true;
	else
		read_records(&r, m, caps);
	return 0;
}

void ph_dns_query_info_of(const struct ph_dns_msg *m, uint64_t ts_ns,
			  uint64_t pkt_no, struct ph_dns_query_info *qi)
{
	qi->ts_ns = ts_ns;
	qi->pkt_no = pkt_no;
	qi->id = m->id;
	qi->opcode = m->opcode;
	qi->rd = m->rd;
	qi->tc = m->tc;
	qi->z3 = (uint8_t)((m->z << 2) | (m->ad << 1) | m->cd);
	qi->qdcount = m->qdcount;
	qi->has_question = m->nq > 0;
	if (m->nq) {
		const struct ph_dns_question *q = &m->q[m->nq - 1];
		qi->qtype = q->qtype;
		qi->qclass = q->qclass;
		qi->qname = q->name;
	} else {
		qi->qtype = qi->qclass = 0;
		qi->qname.len = 0;
		qi->qname.truncated = false;
		qi->qname.s[0] = '\0';
	}
}
