/* quic.log (module "quic_log"): writes one line per PH_EV_QUIC record event
 * (struct ph_quic_record, built by src/proto/quic.c) with the fields of
 * Zeek's QUIC::Info (scripts/base/protocols/quic/main.zeek): ts uid id.*
 * version client_initial_dcid client_scid server_scid server_name
 * client_protocol history. Writes nothing when the run has no log_dir.
 * Field meanings and Zeek notes: docs/logs/quic.md. */
#include <stdlib.h>
#include <string.h>

#include "peephole/module.h"
#include "peephole/proto_quic.h"
#include "report/log_file.h"
#include "report/zeek_writer.h"

static const struct ph_zeek_field quic_fields[] = {
	{"ts", PH_ZT_TIME, 0},
	{"uid", PH_ZT_STRING, 0},
	{"id.orig_h", PH_ZT_ADDR, 0},
	{"id.orig_p", PH_ZT_PORT, 0},
	{"id.resp_h", PH_ZT_ADDR, 0},
	{"id.resp_p", PH_ZT_PORT, 0},
	{"version", PH_ZT_STRING, 0},
	{"client_initial_dcid", PH_ZT_STRING, 0},
	{"client_scid", PH_ZT_STRING, 0},
	{"server_scid", PH_ZT_STRING, 0},
	{"server_name", PH_ZT_STRING, 0},
	{"client_protocol", PH_ZT_STRING, 0},
	{"history", PH_ZT_STRING, 0},
};

#define NFIELDS (sizeof quic_fields / sizeof quic_fields[0])

struct quic_log {
	struct ph_log_file f; /* first (ph_log_module_*); quic.log */
};

/* An optional string: unset when !has, "(empty)" in TSV when "". */
static void put_opt(struct ph_zeek_writer *w, bool has, const char *s)
{
	if (has)
		ph_zeek_str(w, s, strlen(s));
	else
		ph_zeek_unset(w);
}

static int write_rec(struct ph_zeek_writer *w, const struct ph_conn *c,
		     const struct ph_quic_record *r, struct ph_err *err)
{
	ph_zeek_rec_begin(w);
	ph_zeek_time(w, r->ts_ns);
	ph_zeek_str(w, c->uid, strnlen(c->uid, sizeof c->uid));
	ph_zeek_addr(w, c->orig_addr, c->ipver);
	ph_zeek_count(w, c->orig_port);
	ph_zeek_addr(w, c->resp_addr, c->ipver);
	ph_zeek_count(w, c->resp_port);
	ph_zeek_str(w, r->version, strlen(r->version));
	put_opt(w, r->has_client_initial_dcid, r->client_initial_dcid);
	put_opt(w, r->has_client_scid, r->client_scid);
	put_opt(w, r->has_server_scid, r->server_scid);
	put_opt(w, r->server_name[0] != 0, r->server_name);
	put_opt(w, r->client_protocol[0] != 0, r->client_protocol);
	ph_zeek_str(w, r->history, strlen(r->history)); /* &default="" */
	return ph_zeek_rec_end(w, err);
}

static int quic_log_init(const struct ph_module_env *env, void **state,
			 struct ph_err *err)
{
	struct quic_log *l = calloc(1, sizeof *l);
	if (!l)
		return ph_err_set(err, PH_ENOMEM, "quic_log: out of memory");
	ph_log_file_init(&l->f, env, "quic", quic_fields, NFIELDS);
	*state = l;
	return PH_OK;
}

static void quic_log_on_event(void *state, const struct ph_event *ev)
{
	struct quic_log *l = state;
	const struct ph_quic_initial *q = ev->u.proto;
	if (ev->kind != PH_EV_QUIC || !q || q->what != PH_QUIC_RECORD ||
	    !q->rec || !ev->conn)
		return;
	if (ev->conn->ipver != 4 && ev->conn->ipver != 6) {
		l->f.skipped++;
		return;
	}
	struct ph_zeek_writer *w = ph_log_file_writer(&l->f);
	if (!w)
		return;
	struct ph_err e;
	ph_log_file_check(&l->f, write_rec(w, ev->conn, q->rec, &e), &e);
}

static unsigned quic_log_counters(const void *state,
				  struct ph_module_counter *o, unsigned max)
{
	const struct quic_log *l = state;
	if (max < 1)
		return 0;
	o[0].name = "quic_log_skipped";
	o[0].value = l->f.skipped;
	return 1;
}

const struct ph_module ph_quic_log_module = {
	.name = "quic_log",
	.summary = "quic.log (Zeek QUIC::Info)",
	.mask = PH_EV_QUIC,
	.init = quic_log_init,
	.on_event = quic_log_on_event,
	.finish = ph_log_module_finish,
	.counters = quic_log_counters,
	.destroy = ph_log_module_destroy,
};
