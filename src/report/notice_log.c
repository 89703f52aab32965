/* notice.log of `peephole check` (ph_check_write_notice_log): one Zeek
 * Notice::Info-style record per finding, in time order (first seen, then
 * report order), through the shared Zeek writer (report/zeek_writer.h) so
 * JSON lines and TSV match the other logs. Zeek's columns that make sense
 * for a finding are kept under Zeek's names; severity, confidence,
 * source, campaign and allowed_by are our own extensions. The file is
 * written on every call, even with no findings (TSV: header and #close
 * only; JSON: empty), so its presence says the check ran. See
 * docs/logs/notice.md. */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "peephole/check.h"
#include "report/zeek_writer.h"

static const struct ph_zeek_field notice_fields[] = {
	{"ts", PH_ZT_TIME, 0},
	{"uid", PH_ZT_STRING, 0},
	{"id.orig_h", PH_ZT_ADDR, 0},
	{"id.orig_p", PH_ZT_PORT, 0},
	{"id.resp_h", PH_ZT_ADDR, 0},
	{"id.resp_p", PH_ZT_PORT, 0},
	{"proto", PH_ZT_ENUM, 0},
	{"note", PH_ZT_ENUM, 0},
	{"msg", PH_ZT_STRING, 0},
	{"sub", PH_ZT_STRING, 0},
	{"src", PH_ZT_ADDR, 0},
	{"dst", PH_ZT_ADDR, 0},
	{"p", PH_ZT_PORT, 0},
	{"n", PH_ZT_COUNT, 0},
	{"actions", PH_ZT_SET, PH_ZT_ENUM},
	{"severity", PH_ZT_STRING, 0},
	{"confidence", PH_ZT_STRING, 0},
	{"source", PH_ZT_STRING, 0},
	{"campaign", PH_ZT_STRING, 0},
	{"allowed_by", PH_ZT_STRING, 0},
};

#define NFIELDS (sizeof notice_fields / sizeof notice_fields[0])

static void put_str(struct ph_zeek_writer *w, const char *s)
{
	if (s && s[0])
		ph_zeek_str(w, s, strlen(s));
	else
		ph_zeek_unset(w);
}

/* A text address as a Zeek addr, unset when empty or not an address. */
static void put_addr(struct ph_zeek_writer *w, const char *s)
{
	uint8_t a[16];
	if (inet_pton(AF_INET, s, a) == 1)
		ph_zeek_addr(w, a, 4);
	else if (inet_pton(AF_INET6, s, a) == 1)
		ph_zeek_addr(w, a, 6);
	else
		ph_zeek_unset(w);
}

static void put_port(struct ph_zeek_writer *w, const struct ph_finding *x)
{
	if (x->remote[0] && x->remote_port)
		ph_zeek_count(w, x->remote_port);
	else
		ph_zeek_unset(w);
}

static const char *proto_name(uint8_t p)
{
	switch (p) {
	case 6: return "tcp";
	case 17: return "udp";
	case 1: case 58: return "icmp"; /* Zeek's transport_proto */
	default: return NULL;
	}
}

static void put_record(struct ph_zeek_writer *w, const struct ph_finding *x)
{
	char sub[sizeof x->field + sizeof x->matched + 2];
	ph_zeek_rec_begin(w);
	ph_zeek_time(w, x->first_ns);
	put_str(w, x->uid);
	put_addr(w, x->device);
	ph_zeek_unset(w);            /* the device's port is not kept */
	put_addr(w, x->remote);
	put_port(w, x);
	put_str(w, proto_name(x->proto));
	put_str(w, x->id);
	put_str(w, x->title);
	snprintf(sub, sizeof sub, "%s%s%s", x->field,
		 x->field[0] && x->matched[0] ? ": " : "", x->matched);
	put_str(w, x->matched[0] ? sub : x->name);
	put_addr(w, x->device);
	put_addr(w, x->remote);
	put_port(w, x);
	ph_zeek_count(w, x->count);
	ph_zeek_list_begin(w);
	ph_zeek_str(w, "Notice::ACTION_LOG", 18);
	ph_zeek_list_end(w);
	put_str(w, ph_severity_name(x->severity));
	put_str(w, ph_confidence_name(x->confidence));
	put_str(w, x->source);
	put_str(w, x->campaign);
	put_str(w, x->allowed_by);
}

/* Findings in time order: a sort of their report positions. */
struct by_time {
	const struct ph_finding *x;
	unsigned pos;
};

static int by_time_cmp(const void *pa, const void *pb)
{
	const struct by_time *a = pa, *b = pb;
	if (a->x->first_ns != b->x->first_ns)
		return a->x->first_ns < b->x->first_ns ? -1 : 1;
	return a->pos < b->pos ? -1 : (a->pos > b->pos);
}

static int write_records(struct ph_zeek_writer *w, const struct ph_check *c,
			 struct ph_err *err)
{
	unsigned n = ph_findings_count(c->findings);
	if (!n)
		return PH_OK;
	struct by_time *v = malloc((size_t)n * sizeof *v);
	if (!v)
		return ph_err_set(err, PH_ENOMEM, "notice.log: out of memory");
	for (unsigned i = 0; i < n; i++)
		v[i] = (struct by_time){ph_findings_get(c->findings, i), i};
	qsort(v, n, sizeof *v, by_time_cmp);
	int rc = PH_OK;
	for (unsigned i = 0; i < n && rc == PH_OK; i++) {
		put_record(w, v[i].x);
		rc = ph_zeek_rec_end(w, err);
	}
	free(v);
	return rc;
}

int ph_check_write_notice_log(const struct ph_check *c, const char *dir,
			      bool tsv, uint64_t open_ts_ns,
			      struct ph_err *err)
{
	if (!c || !dir)
		return ph_err_set(err, PH_EINVAL, "notice.log: no check or dir");
	struct ph_zeek_writer *w = ph_zeek_writer_open(
		dir, "notice", tsv ? PH_ZEEK_TSV : PH_ZEEK_JSON, notice_fields,
		NFIELDS, open_ts_ns, err);
	if (!w)
		return err ? err->code : PH_EIO;
	int rc = write_records(w, c, err);
	if (rc < 0) {
		ph_zeek_writer_discard(w);
		return rc;
	}
	uint64_t close_ts = c->last_ns > open_ts_ns ? c->last_ns : open_ts_ns;
	return ph_zeek_writer_close(w, close_ts, err);
}
