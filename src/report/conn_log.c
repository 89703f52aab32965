/* conn.log (see conn_log.h): maps struct ph_conn onto Zeek's Conn::Info
 * (zeek scripts/base/protocols/conn/main.zeek, Zeek >= 7.1 with ip_proto)
 * plus policy and peephole fields. Mirrors Zeek's choices: duration,
 * orig_bytes and resp_bytes only when the duration is > 0; ICMP's resp_p is
 * the counterpart type or the code; protocols other than TCP/UDP/ICMP are
 * "unknown_transport" with ports 0. The record layout is owned by the
 * flow table (event.h); this file only reads it. */
#include "report/conn_log.h"

#include <stdlib.h>
#include <string.h>

#include "report/community_id.h"

static const struct ph_zeek_field conn_fields[] = {
	{"ts", PH_ZT_TIME, 0},
	{"uid", PH_ZT_STRING, 0},
	{"id.orig_h", PH_ZT_ADDR, 0},
	{"id.orig_p", PH_ZT_PORT, 0},
	{"id.resp_h", PH_ZT_ADDR, 0},
	{"id.resp_p", PH_ZT_PORT, 0},
	{"proto", PH_ZT_ENUM, 0},
	{"service", PH_ZT_STRING, 0},
	{"duration", PH_ZT_INTERVAL, 0},
	{"orig_bytes", PH_ZT_COUNT, 0},
	{"resp_bytes", PH_ZT_COUNT, 0},
	{"conn_state", PH_ZT_STRING, 0},
	{"local_orig", PH_ZT_BOOL, 0},
	{"local_resp", PH_ZT_BOOL, 0},
	{"missed_bytes", PH_ZT_COUNT, 0},
	{"history", PH_ZT_STRING, 0},
	{"orig_pkts", PH_ZT_COUNT, 0},
	{"orig_ip_bytes", PH_ZT_COUNT, 0},
	{"resp_pkts", PH_ZT_COUNT, 0},
	{"resp_ip_bytes", PH_ZT_COUNT, 0},
	{"tunnel_parents", PH_ZT_SET, PH_ZT_STRING},
	{"ip_proto", PH_ZT_COUNT, 0},
	/* Zeek policy scripts: community-id-logging, mac-logging, vlan-logging */
	{"community_id", PH_ZT_STRING, 0},
	{"orig_l2_addr", PH_ZT_STRING, 0},
	{"resp_l2_addr", PH_ZT_STRING, 0},
	{"vlan", PH_ZT_INT, 0},
	{"inner_vlan", PH_ZT_INT, 0},
	/* peephole extensions */
	{"app", PH_ZT_STRING, 0},
	{"app_uid", PH_ZT_INT, 0},
	{"orig_l2_bytes", PH_ZT_COUNT, 0},
	{"resp_l2_bytes", PH_ZT_COUNT, 0},
	{"app_label", PH_ZT_STRING, 0},  /* nDPI's label (ndpi_label.c) */
};

#define NFIELDS (sizeof conn_fields / sizeof conn_fields[0])

const struct ph_zeek_field *ph_conn_log_fields(size_t *n)
{
	*n = NFIELDS;
	return conn_fields;
}

enum { P_ICMP = 1, P_TCP = 6, P_UDP = 17, P_ICMP6 = 58 };

static bool is_transport(uint8_t p)
{
	return p == P_TCP || p == P_UDP || p == P_ICMP || p == P_ICMP6;
}

/* Zeek's transport_proto enum names; ICMPv6 is "icmp" too. */
static const char *proto_name(uint8_t p)
{
	switch (p) {
	case P_TCP: return "tcp";
	case P_UDP: return "udp";
	case P_ICMP:
	case P_ICMP6: return "icmp";
	default: return "unknown_transport";
	}
}

/* A NUL-padded char array field: unset when empty. */
static void put_text(struct ph_zeek_writer *w, const char *s, size_t cap)
{
	size_t n = strnlen(s, cap);
	if (n)
		ph_zeek_str(w, s, n);
	else
		ph_zeek_unset(w);
}

/* ts uid id.* proto service. */
static void write_head(struct ph_zeek_writer *w, const struct ph_conn *c)
{
	uint16_t op = c->orig_port, rp = c->resp_port;
	if (c->proto == P_ICMP || c->proto == P_ICMP6)
		rp = ph_cid_icmp_port(c->proto, (uint8_t)op, (uint8_t)rp, NULL);
	else if (!is_transport(c->proto))
		op = rp = 0;
	ph_zeek_time(w, c->start_ns);
	put_text(w, c->uid, sizeof c->uid);
	ph_zeek_addr(w, c->orig_addr, c->ipver);
	ph_zeek_count(w, op);
	ph_zeek_addr(w, c->resp_addr, c->ipver);
	ph_zeek_count(w, rp);
	const char *pn = proto_name(c->proto);
	ph_zeek_str(w, pn, strlen(pn));
	char svc[sizeof c->service]; /* Zeek lower-cases service names */
	size_t n = strnlen(c->service, sizeof c->service);
	for (size_t i = 0; i < n; i++) {
		char ch = c->service[i];
		svc[i] = ch >= 'A' && ch <= 'Z' ? (char)(ch - 'A' + 'a') : ch;
	}
	put_text(w, svc, n);
}

/* duration .. tunnel_parents ip_proto. */
static void write_counts(struct ph_zeek_writer *w, const struct ph_conn *c)
{
	const struct ph_conn_dir *o = &c->dir[PH_DIR_ORIG], *r = &c->dir[PH_DIR_RESP];
	double d = ph_zeek_time_of_ns(c->last_ns) - ph_zeek_time_of_ns(c->start_ns);
	if (d > 0) {
		ph_zeek_interval(w, d);
		ph_zeek_count(w, o->bytes);
		ph_zeek_count(w, r->bytes);
	} else {
		ph_zeek_unset(w);
		ph_zeek_unset(w);
		ph_zeek_unset(w);
	}
	put_text(w, c->conn_state, sizeof c->conn_state);
	ph_zeek_unset(w); /* local_orig: needs Site::local_nets */
	ph_zeek_unset(w); /* local_resp */
	ph_zeek_count(w, o->missed_bytes + r->missed_bytes);
	put_text(w, c->history, sizeof c->history);
	ph_zeek_count(w, o->pkts);
	ph_zeek_count(w, o->ip_bytes);
	ph_zeek_count(w, r->pkts);
	ph_zeek_count(w, r->ip_bytes);
	ph_zeek_unset(w); /* tunnel_parents: parent uids not tracked */
	ph_zeek_count(w, c->proto);
}

static void write_mac(struct ph_zeek_writer *w, const uint8_t m[6])
{
	static const char hex[] = "0123456789abcdef";
	char s[17];
	for (int i = 0; i < 6; i++) {
		s[3 * i] = hex[m[i] >> 4];
		s[3 * i + 1] = hex[m[i] & 15];
		if (i < 5)
			s[3 * i + 2] = ':';
	}
	ph_zeek_str(w, s, sizeof s);
}

/* community_id, l2 addresses, VLANs and the peephole fields. */
static void write_extra(struct ph_zeek_writer *w, const struct ph_conn *c,
			uint16_t seed)
{
	struct ph_cid_flow f = {c->orig_addr, c->resp_addr, c->ipver, c->proto,
				c->orig_port, c->resp_port};
	char cid[PH_COMMUNITY_ID_SIZE];
	int n = ph_community_id_v1(&f, seed, cid);
	if (n > 0)
		ph_zeek_str(w, cid, (size_t)n);
	else
		ph_zeek_unset(w);
	if (c->has_mac)
		write_mac(w, c->orig_mac);
	else
		ph_zeek_unset(w);
	ph_zeek_unset(w); /* resp_l2_addr: struct ph_conn has no responder MAC */
	if (c->vlan)
		ph_zeek_int(w, c->vlan);
	else
		ph_zeek_unset(w);
	if (c->inner_vlan)
		ph_zeek_int(w, c->inner_vlan);
	else
		ph_zeek_unset(w);
	put_text(w, c->app, sizeof c->app);
	if (c->app_uid >= 0)
		ph_zeek_int(w, c->app_uid);
	else
		ph_zeek_unset(w);
	ph_zeek_count(w, c->dir[PH_DIR_ORIG].l2_bytes);
	ph_zeek_count(w, c->dir[PH_DIR_RESP].l2_bytes);
	put_text(w, c->app_label, sizeof c->app_label);
}

int ph_conn_log_write(struct ph_zeek_writer *w, const struct ph_conn *c,
		      uint16_t cid_seed, struct ph_err *err)
{
	if (c->ipver != 4 && c->ipver != 6)
		return ph_err_set(err, PH_EINVAL, "conn %s: bad IP version %u",
				  c->uid, c->ipver);
	ph_zeek_rec_begin(w);
	write_head(w, c);
	write_counts(w, c);
	write_extra(w, c, cid_seed);
	return ph_zeek_rec_end(w, err);
}

/* ---- the subscriber ---------------------------------------------------- */

struct ph_conn_log {
	struct ph_zeek_writer *w; /* owned */
	uint16_t seed;
	int status;               /* first write error; later events dropped */
	uint64_t skipped;         /* malformed records (bad ipver) */
};

struct ph_conn_log *ph_conn_log_open(const char *dir, enum ph_zeek_fmt fmt,
				     uint16_t cid_seed, uint64_t open_ts_ns,
				     struct ph_err *err)
{
	struct ph_conn_log *l = calloc(1, sizeof *l);
	if (!l) {
		ph_err_set(err, PH_ENOMEM, "out of memory");
		return NULL;
	}
	l->w = ph_zeek_writer_open(dir, "conn", fmt, conn_fields, NFIELDS,
				   open_ts_ns, err);
	if (!l->w) {
		free(l);
		return NULL;
	}
	l->seed = cid_seed;
	return l;
}

void ph_conn_log_on_event(void *user, const struct ph_event *ev)
{
	struct ph_conn_log *l = user;
	if (ev->kind != PH_EV_FLOW_END || !ev->conn || l->status)
		return;
	struct ph_err e;
	int r = ph_conn_log_write(l->w, ev->conn, l->seed, &e);
	/* A malformed record (bad ipver) is counted and skipped; I/O errors
	 * are sticky in the writer and come back from ph_conn_log_close(). */
	if (r == PH_EINVAL)
		l->skipped++;
	else if (r)
		l->status = r;
}

uint64_t ph_conn_log_count(const struct ph_conn_log *l)
{
	return ph_zeek_writer_records(l->w);
}

uint64_t ph_conn_log_skipped(const struct ph_conn_log *l)
{
	return l->skipped;
}

int ph_conn_log_close(struct ph_conn_log *l, uint64_t close_ts_ns,
		      struct ph_err *err)
{
	if (!l)
		return PH_OK;
	int r = ph_zeek_writer_close(l->w, close_ts_ns, err);
	free(l);
	return r;
}

void ph_conn_log_discard(struct ph_conn_log *l)
{
	if (!l)
		return;
	ph_zeek_writer_discard(l->w);
	free(l);
}
