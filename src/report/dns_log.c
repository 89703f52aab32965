/* dns.log (ph_dns_log_module): one line per query/response pair as Zeek's
 * base/protocols/dns/main.zeek writes it (Zeek 8 fields, with opcode and
 * opcode_name), plus the auth/addl sets of Zeek's policy script
 * protocols/dns/auth-addl.zeek and one peephole field, `questions`. Lines
 * come from PH_EV_DNS: a RESPONSE (with its matched query, if any), an
 * UNANSWERED query, or a QUERY that will never be paired (multicast
 * responder). Answer strings follow Zeek's dns_*_reply handlers; only
 * opcodes query, notify and update are logged, as Zeek does. The file is
 * created on the first line (no DNS, no dns.log). See docs/logs/dns.md. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "peephole/module.h"
#include "peephole/proto_dns.h"
#include "report/dns_log_names.h"
#include "report/jsonw.h"
#include "report/zeek_writer.h"

static const struct ph_zeek_field dns_fields[] = {
	{"ts", PH_ZT_TIME, 0},
	{"uid", PH_ZT_STRING, 0},
	{"id.orig_h", PH_ZT_ADDR, 0},
	{"id.orig_p", PH_ZT_PORT, 0},
	{"id.resp_h", PH_ZT_ADDR, 0},
	{"id.resp_p", PH_ZT_PORT, 0},
	{"proto", PH_ZT_ENUM, 0},
	{"trans_id", PH_ZT_COUNT, 0},
	{"rtt", PH_ZT_INTERVAL, 0},
	{"query", PH_ZT_STRING, 0},
	{"qclass", PH_ZT_COUNT, 0},
	{"qclass_name", PH_ZT_STRING, 0},
	{"qtype", PH_ZT_COUNT, 0},
	{"qtype_name", PH_ZT_STRING, 0},
	{"rcode", PH_ZT_COUNT, 0},
	{"rcode_name", PH_ZT_STRING, 0},
	{"AA", PH_ZT_BOOL, 0},
	{"TC", PH_ZT_BOOL, 0},
	{"RD", PH_ZT_BOOL, 0},
	{"RA", PH_ZT_BOOL, 0},
	{"Z", PH_ZT_COUNT, 0},
	{"answers", PH_ZT_VECTOR, PH_ZT_STRING},
	{"TTLs", PH_ZT_VECTOR, PH_ZT_INTERVAL},
	{"rejected", PH_ZT_BOOL, 0},
	{"opcode", PH_ZT_COUNT, 0},
	{"opcode_name", PH_ZT_STRING, 0},
	/* Zeek policy script protocols/dns/auth-addl.zeek */
	{"auth", PH_ZT_SET, PH_ZT_STRING},
	{"addl", PH_ZT_SET, PH_ZT_STRING},
	/* peephole extension */
	{"questions", PH_ZT_SET, PH_ZT_STRING},
};

#define NFIELDS (sizeof dns_fields / sizeof dns_fields[0])
#define SCRATCH (128u << 10) /* answer strings of one message */

/* Answer strings of the message being logged, one per record. */
struct rr_str {
	int32_t off;  /* into scratch; -1: Zeek raises no reply for it */
	uint32_t len;
};

struct dns_log {
	const char *dir;             /* borrowed (env) */
	enum ph_zeek_fmt fmt;
	struct ph_zeek_writer *w;    /* owned; NULL until the first line */
	int status;                  /* first error; later lines dropped */
	struct ph_err err;
	uint64_t lines, strings_dropped;
	char scratch[SCRATCH];
	size_t used;
	struct rr_str str[PH_DNS_MAX_RRS];
};

/* One line: a query summary and/or a message. */
struct line {
	const struct ph_event *ev;
	const struct ph_dns_query_info *q;  /* may be NULL */
	const struct ph_dns_msg *r;         /* the response, or NULL */
	const struct ph_dns_msg *qm;        /* the query message, or NULL */
	int replied;                        /* index of the first answer
					       Zeek replies to, -1 none */
};

/* ---- answer strings (Zeek's dns_*_reply handlers) ---------------------- */

/* a.b.c.d; t: at least 16 bytes. */
static size_t fmt_ip4(char *t, const uint8_t *a)
{
	size_t n = 0;
	for (int i = 0; i < 4; i++) {
		if (i)
			t[n++] = '.';
		n += ph_jsonw_u64(t + n, a[i]);
	}
	return n;
}

/* The address as inet_ntop writes it (by hand: inet_ntop sprintfs each
 * part); -1 when it does not fit in cap bytes with its NUL, as there. */
static int fmt_addr(const struct ph_dns_rr *rr, char *b, size_t cap)
{
	static const uint8_t mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
					   0xff, 0xff};
	char t[PH_JSONW_IP6_MAX + 1];
	size_t n;
	if (rr->type == PH_DNS_A)
		n = fmt_ip4(t, rr->u.addr);
	else if (memcmp(rr->u.addr, mapped, 12) == 0) /* Zeek: as v4 */
		n = fmt_ip4(t, rr->u.addr + 12);
	else
		n = ph_jsonw_ip6(t, rr->u.addr);
	if (n + 1 > cap)
		return -1;
	memcpy(b, t, n);
	b[n] = '\0';
	return (int)n;
}

static int fmt_name(const struct ph_dns_name *n, char *b, size_t cap)
{
	size_t k = n->len < cap ? n->len : cap;
	memcpy(b, n->s, k);
	return (int)k;
}

/* "TXT <len> <bytes>" per string, joined by spaces. */
static int fmt_txt(const struct ph_dns_rr *rr, char *b, size_t cap)
{
	const struct ph_dns_txt *t = &rr->u.txt;
	const char *tag = rr->type == PH_DNS_SPF ? "SPF" : "TXT";
	size_t n = 0;
	for (unsigned i = 0; i < t->kept; i++) {
		int k = snprintf(b + n, cap - n, "%s%s %u ", i ? " " : "", tag,
				 (unsigned)t->str[i].full);
		if (k < 0 || (size_t)k + t->str[i].len >= cap - n)
			break;
		n += (size_t)k;
		memcpy(b + n, t->data + t->str[i].off, t->str[i].len);
		n += t->str[i].len;
	}
	return (int)n;
}

static int fmt_sshfp(const struct ph_dns_rr *rr, char *b, size_t cap)
{
	static const char hex[] = "0123456789abcdef";
	int n = snprintf(b, cap, "SSHFP: ");
	for (unsigned i = 2; i < rr->rdlen && (size_t)n + 2 < cap; i++) {
		b[n++] = hex[rr->rdata[i] >> 4];
		b[n++] = hex[rr->rdata[i] & 15];
	}
	return n;
}

static int fmt_dnssec(const struct ph_dns_rr *rr, char *b, size_t cap)
{
	switch (rr->type) {
	case PH_DNS_RRSIG:
		return snprintf(b, cap, "RRSIG %u %.*s",
				(unsigned)rr->u.rrsig.type_covered,
				rr->target.len ? (int)rr->target.len : 6,
				rr->target.len ? rr->target.s : "<Root>");
	case PH_DNS_DNSKEY:
		return snprintf(b, cap, "DNSKEY %u", (unsigned)rr->u.dnskey.alg);
	case PH_DNS_NSEC:
		return snprintf(b, cap, "NSEC %.*s %.*s", (int)rr->name.len,
				rr->name.s, (int)rr->target.len, rr->target.s);
	case PH_DNS_NSEC3:
		return snprintf(b, cap, "NSEC3");
	case PH_DNS_NSEC3PARAM:
		return snprintf(b, cap, "NSEC3PARAM");
	case PH_DNS_DS:
		return snprintf(b, cap, "DS %u %u", (unsigned)rr->u.ds.alg,
				(unsigned)rr->u.ds.digest_type);
	default:
		return -1;
	}
}

/* The reply string Zeek gives this record; -1: Zeek raises no do_reply
 * for it (HINFO, CAA, OPT, TKEY, TSIG, SVCB, HTTPS, undecodable rdata);
 * 0: an empty reply (WKS) that sets AA/RA/rtt but adds no answer. */
static int answer_str(const struct ph_dns_rr *rr, char *b, size_t cap)
{
	switch (rr->type) {
	case PH_DNS_HINFO: case PH_DNS_CAA: case PH_DNS_OPT: case PH_DNS_TKEY:
	case PH_DNS_TSIG: case PH_DNS_SVCB: case PH_DNS_HTTPS: case 32:
	case PH_DNS_NAPTR: case PH_DNS_A6:
		return -1;
	case PH_DNS_WKS:
		return 0;
	case PH_DNS_BINDS:
		return snprintf(b, cap, "BIND9 signing signal");
	default:
		break;
	}
	if (!rr->rdata_ok)
		return -1;
	switch (rr->type) {
	case PH_DNS_A: case PH_DNS_AAAA:
		return fmt_addr(rr, b, cap);
	case PH_DNS_NS: case PH_DNS_CNAME: case PH_DNS_PTR: case PH_DNS_MX:
	case PH_DNS_SRV: case PH_DNS_SOA:
		return fmt_name(&rr->target, b, cap);
	case PH_DNS_TXT: case PH_DNS_SPF:
		return fmt_txt(rr, b, cap);
	case PH_DNS_SSHFP:
		return fmt_sshfp(rr, b, cap);
	case PH_DNS_LOC:
		return snprintf(b, cap, "LOC:  %u %u %u", rr->u.loc.size,
				rr->u.loc.horiz, rr->u.loc.vert);
	case PH_DNS_RRSIG: case PH_DNS_DNSKEY: case PH_DNS_NSEC:
	case PH_DNS_NSEC3: case PH_DNS_NSEC3PARAM: case PH_DNS_DS:
		return fmt_dnssec(rr, b, cap);
	default:
		return snprintf(b, cap, "<unknown type=%u>", (unsigned)rr->type);
	}
}

/* Formats every record of m into the scratch buffer. */
static void format_all(struct dns_log *l, const struct ph_dns_msg *m)
{
	l->used = 0;
	for (unsigned i = 0; i < m->nrr; i++) {
		size_t room = SCRATCH - l->used;
		int n = room > 1 ? answer_str(&m->rr[i], l->scratch + l->used,
					      room)
				 : -1;
		if (n >= 0 && (size_t)n >= room) { /* cut: keep what fits */
			n = (int)room - 1;
			l->strings_dropped++;
		}
		l->str[i].off = n < 0 ? -1 : (int32_t)l->used;
		l->str[i].len = n < 0 ? 0 : (uint32_t)n;
		if (n > 0)
			l->used += (size_t)n;
	}
}

/* ---- the fields -------------------------------------------------------- */

static void put_name(struct ph_zeek_writer *w, const struct ph_dns_name *n)
{
	ph_zeek_str(w, n->s, n->len);
}

static void put_cstr(struct ph_zeek_writer *w, const char *s)
{
	ph_zeek_str(w, s, strlen(s));
}

/* ts uid id.* proto trans_id rtt. */
static void write_head(struct ph_zeek_writer *w, const struct line *ln)
{
	const struct ph_conn *c = ln->ev->conn;
	const struct ph_dns_query_info *q = ln->q;
	ph_zeek_time(w, q ? q->ts_ns : ln->ev->ts_ns);
	ph_zeek_str(w, c->uid, strnlen(c->uid, sizeof c->uid));
	ph_zeek_addr(w, c->orig_addr, c->ipver);
	ph_zeek_count(w, c->orig_port);
	ph_zeek_addr(w, c->resp_addr, c->ipver);
	ph_zeek_count(w, c->resp_port);
	put_cstr(w, c->proto == 6 ? "tcp" : "udp");
	ph_zeek_count(w, q ? q->id : ln->r->id);
	double rtt = 0;
	if (q && ln->r && ln->replied >= 0)
		rtt = ph_zeek_time_of_ns(ln->ev->ts_ns) -
		      ph_zeek_time_of_ns(q->ts_ns);
	if (rtt != 0)
		ph_zeek_interval(w, rtt);
	else
		ph_zeek_unset(w);
}

/* query qclass qclass_name qtype qtype_name rcode rcode_name. */
static void write_question(struct ph_zeek_writer *w, const struct line *ln)
{
	const struct ph_dns_query_info *q = ln->q;
	bool hq = q && q->has_question;
	char b[32];
	if (hq)
		put_name(w, &q->qname);
	else if (ln->replied >= 0)
		put_name(w, &ln->r->rr[ln->replied].name);
	else
		ph_zeek_unset(w);
	if (hq) {
		ph_zeek_count(w, q->qclass);
		put_cstr(w, ph_dns_class_name(q->qclass, b, sizeof b));
		ph_zeek_count(w, q->qtype);
		put_cstr(w, ph_dns_type_name(q->qtype, b, sizeof b));
	} else {
		for (int i = 0; i < 4; i++)
			ph_zeek_unset(w);
	}
	if (ln->r) {
		ph_zeek_count(w, ln->r->rcode);
		put_cstr(w, ph_dns_rcode_name(ln->r->rcode, b, sizeof b));
	} else {
		ph_zeek_unset(w);
		ph_zeek_unset(w);
	}
}

/* The answer-section strings (answers) or their TTLs. */
static void write_answers(struct dns_log *l, const struct line *ln,
			  bool ttls)
{
	const struct ph_dns_msg *r = ln->r;
	unsigned n = 0;
	for (unsigned i = 0; r && i < r->nrr; i++)
		if (r->rr[i].section == PH_DNS_ANSWER && l->str[i].len)
			n++;
	if (!n) {
		ph_zeek_unset(l->w);
		return;
	}
	ph_zeek_list_begin(l->w);
	for (unsigned i = 0; i < r->nrr; i++) {
		if (r->rr[i].section != PH_DNS_ANSWER || !l->str[i].len)
			continue;
		if (ttls)
			ph_zeek_interval(l->w, (double)r->rr[i].ttl);
		else
			ph_zeek_str(l->w, l->scratch + l->str[i].off,
				    l->str[i].len);
	}
	ph_zeek_list_end(l->w);
}

static bool str_eq(const struct dns_log *l, unsigned a, unsigned b)
{
	return l->str[a].len == l->str[b].len &&
	       memcmp(l->scratch + l->str[a].off, l->scratch + l->str[b].off,
		      l->str[a].len) == 0;
}

/* auth or addl: distinct strings of one section, in wire order. */
static void write_section_set(struct dns_log *l, const struct line *ln,
			      enum ph_dns_section sec)
{
	const struct ph_dns_msg *r = ln->r;
	bool open = false;
	for (unsigned i = 0; r && r->opcode == 0 && i < r->nrr; i++) {
		if (r->rr[i].section != sec || !l->str[i].len)
			continue;
		bool dup = false;
		for (unsigned j = 0; j < i && !dup; j++)
			dup = r->rr[j].section == sec && str_eq(l, i, j);
		if (dup)
			continue;
		if (!open)
			ph_zeek_list_begin(l->w);
		open = true;
		ph_zeek_str(l->w, l->scratch + l->str[i].off, l->str[i].len);
	}
	if (open)
		ph_zeek_list_end(l->w);
	else
		ph_zeek_unset(l->w);
}

/* questions: distinct question names of the line's messages, when one
 * differs from `query` or `query` is not a question name. */
static void write_questions(struct ph_zeek_writer *w, const struct line *ln)
{
	const struct ph_dns_msg *m = ln->r ? ln->r : ln->qm;
	const struct ph_dns_name *logged = NULL;
	if (ln->q && ln->q->has_question)
		logged = &ln->q->qname;
	else if (ln->replied >= 0)
		logged = &ln->r->rr[ln->replied].name;
	/* when `query` is not a question (Zeek took an answer's owner name),
	 * every question is listed */
	bool other = m && m->nq && !(ln->q && ln->q->has_question);
	for (unsigned i = 0; m && i < m->nq && !other; i++)
		other = !logged || logged->len != m->q[i].name.len ||
			memcmp(logged->s, m->q[i].name.s, logged->len) != 0;
	if (!other) {
		ph_zeek_unset(w);
		return;
	}
	ph_zeek_list_begin(w);
	if (logged)
		put_name(w, logged);
	for (unsigned i = 0; i < m->nq; i++) {
		const struct ph_dns_name *n = &m->q[i].name;
		bool dup = logged && logged->len == n->len &&
			   memcmp(logged->s, n->s, n->len) == 0;
		for (unsigned j = 0; j < i && !dup; j++)
			dup = m->q[j].name.len == n->len &&
			      memcmp(m->q[j].name.s, n->s, n->len) == 0;
		if (!dup)
			put_name(w, n);
	}
	ph_zeek_list_end(w);
}

static void write_flags(struct dns_log *l, const struct line *ln)
{
	struct ph_zeek_writer *w = l->w;
	const struct ph_dns_msg *r = ln->r;
	const struct ph_dns_query_info *q = ln->q;
	bool hq = q && q->has_question;
	char b[32];
	ph_zeek_bool(w, ln->replied >= 0 && r->aa);
	ph_zeek_bool(w, hq && q->tc);
	ph_zeek_bool(w, hq && q->rd);
	ph_zeek_bool(w, ln->replied >= 0 && r->ra);
	ph_zeek_count(w, hq ? q->z3 : 0);
	write_answers(l, ln, false);
	write_answers(l, ln, true);
	bool rej = r && ((r->rcode && r->qdcount == 0) ||
			 (r->nq && !r->ancount && !r->nscount && !r->arcount));
	ph_zeek_bool(w, rej);
	uint8_t op = r ? r->opcode : q->opcode;
	ph_zeek_count(w, op);
	put_cstr(w, ph_dns_opcode_name(op, b, sizeof b));
}

static int open_writer(struct dns_log *l, uint64_t ts)
{
	l->w = ph_zeek_writer_open(l->dir, "dns", l->fmt, dns_fields, NFIELDS,
				   ts, &l->err);
	if (!l->w)
		l->status = l->err.code ? l->err.code : PH_EIO;
	return l->status;
}

static void write_line(struct dns_log *l, struct line *ln)
{
	uint8_t op = ln->r ? ln->r->opcode : ln->q->opcode;
	if (op != 0 && op != 4 && op != 5) /* Zeek tracks only these */
		return;
	if (l->status || (!l->w && open_writer(l, ln->ev->ts_ns)))
		return;
	ln->replied = -1;
	if (ln->r) {
		format_all(l, ln->r);
		for (unsigned i = 0; i < ln->r->nrr && ln->replied < 0; i++)
			if (ln->r->rr[i].section == PH_DNS_ANSWER &&
			    l->str[i].off >= 0)
				ln->replied = (int)i;
	}
	ph_zeek_rec_begin(l->w);
	write_head(l->w, ln);
	write_question(l->w, ln);
	write_flags(l, ln);
	write_section_set(l, ln, PH_DNS_AUTHORITY);
	write_section_set(l, ln, PH_DNS_ADDITIONAL);
	write_questions(l->w, ln);
	if (ph_zeek_rec_end(l->w, &l->err) < 0)
		l->status = l->err.code;
	else
		l->lines++;
}

static void dns_log_on_event(void *state, const struct ph_event *ev)
{
	struct dns_log *l = state;
	const struct ph_dns_msg *m = ev->u.proto;
	if (!l->dir || ev->kind != PH_EV_DNS || !m || !ev->conn)
		return;
	struct line ln = {ev, m->query, NULL, NULL, -1};
	if (m->what == PH_DNS_QUERY) {
		if (m->pending || !m->query)
			return; /* logged with its response or at flow end */
		ln.qm = m;
	} else if (m->what == PH_DNS_RESPONSE) {
		ln.r = m;
	} else if (!m->query) {
		return;
	}
	write_line(l, &ln);
}

static int dns_log_init(const struct ph_module_env *env, void **state,
			struct ph_err *err)
{
	struct dns_log *l = calloc(1, sizeof *l);
	if (!l)
		return ph_err_set(err, PH_ENOMEM, "dns_log: out of memory");
	l->dir = env->log_dir;
	l->fmt = env->log_tsv ? PH_ZEEK_TSV : PH_ZEEK_JSON;
	*state = l;
	return PH_OK;
}

static int dns_log_finish(void *state, uint64_t last_ts_ns,
			  struct ph_err *err)
{
	struct dns_log *l = state;
	if (l->status) {
		if (err)
			*err = l->err;
		return l->status;
	}
	struct ph_zeek_writer *w = l->w;
	l->w = NULL;
	return ph_zeek_writer_close(w, last_ts_ns, err);
}

static unsigned dns_log_counters(const void *state,
				 struct ph_module_counter *o, unsigned max)
{
	const struct dns_log *l = state;
	const struct ph_module_counter all[] = {
		{"dns_log_lines", l->lines},
		{"dns_log_strings_cut", l->strings_dropped},
	};
	unsigned n = max < 2 ? max : 2;
	memcpy(o, all, n * sizeof *o);
	return n;
}

static void dns_log_destroy(void *state)
{
	struct dns_log *l = state;
	if (!l)
		return;
	if (l->w)
		ph_zeek_writer_discard(l->w);
	free(l);
}

const struct ph_module ph_dns_log_module = {
	.name = "dns_log",
	.summary = "dns.log: Zeek's DNS log, one line per query/response",
	.mask = PH_EV_DNS,
	.init = dns_log_init,
	.on_event = dns_log_on_event,
	.finish = dns_log_finish,
	.counters = dns_log_counters,
	.destroy = dns_log_destroy,
};
