/* ssl.log (ph_ssl_log_module): one line per TLS connection from
 * PH_EV_TLS_DONE (struct ph_tls_session), in Zeek's SSL::Info column order
 * (base/protocols/ssl/main.zeek + files.zeek), then validation_status
 * (policy/protocols/ssl/validate-certs.zeek, here without a trust store)
 * and the ja3/ja3s (salesforce ja3 package) and ja4/ja4s (FoxIO zeek
 * package) fields. The file is created on the first record, as Zeek does.
 * docs/logs/ssl.md describes every field. */
#include <stdlib.h>
#include <string.h>

#include "peephole/module.h"
#include "peephole/proto_tls.h"
#include "report/log_file.h"
#include "report/zeek_writer.h"

static const struct ph_zeek_field ssl_fields[] = {
	{"ts", PH_ZT_TIME, 0},
	{"uid", PH_ZT_STRING, 0},
	{"id.orig_h", PH_ZT_ADDR, 0},
	{"id.orig_p", PH_ZT_PORT, 0},
	{"id.resp_h", PH_ZT_ADDR, 0},
	{"id.resp_p", PH_ZT_PORT, 0},
	{"version", PH_ZT_STRING, 0},
	{"cipher", PH_ZT_STRING, 0},
	{"curve", PH_ZT_STRING, 0},
	{"server_name", PH_ZT_STRING, 0},
	{"resumed", PH_ZT_BOOL, 0},
	{"last_alert", PH_ZT_STRING, 0},
	{"next_protocol", PH_ZT_STRING, 0},
	{"established", PH_ZT_BOOL, 0},
	{"ssl_history", PH_ZT_STRING, 0},
	{"cert_chain_fps", PH_ZT_VECTOR, PH_ZT_STRING},
	{"client_cert_chain_fps", PH_ZT_VECTOR, PH_ZT_STRING},
	{"sni_matches_cert", PH_ZT_BOOL, 0},
	{"validation_status", PH_ZT_STRING, 0},
	{"ja3", PH_ZT_STRING, 0},
	{"ja3s", PH_ZT_STRING, 0},
	{"ja4", PH_ZT_STRING, 0},
	{"ja4s", PH_ZT_STRING, 0},
};

#define NFIELDS (sizeof ssl_fields / sizeof ssl_fields[0])

struct ssl_log {
	struct ph_log_file f; /* first member (ph_log_module_*); ssl.log */
	uint64_t records;
};

static void put_text(struct ph_zeek_writer *w, const char *s, size_t cap)
{
	size_t n = strnlen(s, cap);
	if (n)
		ph_zeek_str(w, s, n);
	else
		ph_zeek_unset(w);
}

static void put_fps(struct ph_zeek_writer *w, bool set, const char (*fps)[65],
		    unsigned n)
{
	if (!set) {
		ph_zeek_unset(w);
		return;
	}
	ph_zeek_list_begin(w);
	for (unsigned i = 0; i < n; i++)
		ph_zeek_str(w, fps[i], strnlen(fps[i], 65));
	ph_zeek_list_end(w);
}

static void put_bool3(struct ph_zeek_writer *w, int v)
{
	if (v < 0)
		ph_zeek_unset(w);
	else
		ph_zeek_bool(w, v != 0);
}

static void write_rec(struct ph_zeek_writer *w, const struct ph_conn *c,
		      const struct ph_tls_session *s)
{
	ph_zeek_time(w, s->ts_ns ? s->ts_ns : c->start_ns);
	put_text(w, c->uid, sizeof c->uid);
	ph_zeek_addr(w, c->orig_addr, c->ipver);
	ph_zeek_count(w, c->orig_port);
	ph_zeek_addr(w, c->resp_addr, c->ipver);
	ph_zeek_count(w, c->resp_port);
	put_text(w, s->version_name, sizeof s->version_name);
	put_text(w, s->cipher_name, sizeof s->cipher_name);
	put_text(w, s->curve_name, sizeof s->curve_name);
	put_text(w, s->server_name, sizeof s->server_name);
	ph_zeek_bool(w, s->resumed);
	put_text(w, s->last_alert_name, sizeof s->last_alert_name);
	put_text(w, s->next_protocol, sizeof s->next_protocol);
	ph_zeek_bool(w, s->established);
	ph_zeek_str(w, s->history, strnlen(s->history, sizeof s->history));
	put_fps(w, s->saw_certs, s->cert_fps, s->n_cert_fps);
	put_fps(w, s->saw_certs, s->client_cert_fps,
		s->n_client_cert_fps);
	put_bool3(w, s->sni_matches_cert);
	put_text(w, s->validation_status, sizeof s->validation_status);
	put_text(w, s->ja3, sizeof s->ja3);
	put_text(w, s->ja3s, sizeof s->ja3s);
	put_text(w, s->ja4, sizeof s->ja4);
	put_text(w, s->ja4s, sizeof s->ja4s);
}

static void on_event(void *state, const struct ph_event *ev)
{
	struct ssl_log *l = state;
	if (ev->kind != PH_EV_TLS_DONE)
		return;
	struct ph_zeek_writer *w = ph_log_file_writer(&l->f);
	if (!w)
		return;
	struct ph_err e;
	ph_zeek_rec_begin(w);
	write_rec(w, ev->conn, ev->u.proto);
	int rc = ph_zeek_rec_end(w, &e);
	ph_log_file_check(&l->f, rc, &e);
	if (!rc)
		l->records++;
}

static int ssl_init(const struct ph_module_env *env, void **state,
		    struct ph_err *err)
{
	struct ssl_log *l = calloc(1, sizeof *l);
	if (!l)
		return ph_err_set(err, PH_ENOMEM, "ssl_log: out of memory");
	ph_log_file_init(&l->f, env, "ssl", ssl_fields, NFIELDS);
	*state = l;
	return PH_OK;
}

static unsigned ssl_counters(const void *state, struct ph_module_counter *out,
			     unsigned max)
{
	const struct ssl_log *l = state;
	if (!max)
		return 0;
	out[0] = (struct ph_module_counter){"ssl_log_records", l->records};
	return 1;
}

const struct ph_module ph_ssl_log_module = {
	.name = "ssl_log",
	.summary = "ssl.log (Zeek) with ja3, ja3s, ja4, ja4s",
	.mask = PH_EV_TLS_DONE,
	.init = ssl_init,
	.on_event = on_event,
	.finish = ph_log_module_finish,
	.counters = ssl_counters,
	.destroy = ph_log_module_destroy,
};
