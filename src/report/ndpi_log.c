/* ndpi.log (module "ndpi_log"): one line per PH_EV_LABEL (struct
 * ph_app_label from src/proto/ndpi_label.c), i.e. per flow nDPI looked at:
 * ts uid id.* proto app_label master app category confidence risks host
 * packets gave_up. Zeek has no such log; it is peephole's, in Zeek's
 * format, so reports and the nDPI corpus check can see nDPI's second
 * opinion (its flow risks), which conn.log does not carry. Writes nothing
 * when the run has no log_dir. Fields: docs/logs/ndpi.md. */
#include <stdlib.h>
#include <string.h>

#include "peephole/module.h"
#include "peephole/proto_label.h"
#include "report/log_file.h"
#include "report/zeek_writer.h"

static const struct ph_zeek_field ndpi_fields[] = {
	{"ts", PH_ZT_TIME, 0},
	{"uid", PH_ZT_STRING, 0},
	{"id.orig_h", PH_ZT_ADDR, 0},
	{"id.orig_p", PH_ZT_PORT, 0},
	{"id.resp_h", PH_ZT_ADDR, 0},
	{"id.resp_p", PH_ZT_PORT, 0},
	{"proto", PH_ZT_COUNT, 0},
	{"app_label", PH_ZT_STRING, 0},
	{"master", PH_ZT_STRING, 0},
	{"app", PH_ZT_STRING, 0},
	{"category", PH_ZT_STRING, 0},
	{"confidence", PH_ZT_STRING, 0},
	{"risks", PH_ZT_SET, PH_ZT_STRING},
	{"host", PH_ZT_STRING, 0},
	{"packets", PH_ZT_COUNT, 0},
	{"gave_up", PH_ZT_BOOL, 0},
};

#define NFIELDS (sizeof ndpi_fields / sizeof ndpi_fields[0])

struct ndpi_log {
	struct ph_log_file f; /* first (ph_log_module_*); ndpi.log */
};

/* A string: unset when NULL or "". */
static void put_str(struct ph_zeek_writer *w, const char *s)
{
	if (s && s[0])
		ph_zeek_str(w, s, strlen(s));
	else
		ph_zeek_unset(w);
}

static void put_risks(struct ph_zeek_writer *w, const struct ph_app_label *l)
{
	if (!l->nrisks) {
		ph_zeek_unset(w);
		return;
	}
	ph_zeek_list_begin(w);
	for (unsigned i = 0; i < l->nrisks && i < PH_LABEL_MAX_RISKS; i++)
		put_str(w, l->risks[i]);
	ph_zeek_list_end(w);
}

static int write_rec(struct ph_zeek_writer *w, const struct ph_event *ev,
		     const struct ph_app_label *l, struct ph_err *err)
{
	const struct ph_conn *c = ev->conn;
	ph_zeek_rec_begin(w);
	ph_zeek_time(w, c->start_ns);
	ph_zeek_str(w, c->uid, strnlen(c->uid, sizeof c->uid));
	ph_zeek_addr(w, c->orig_addr, c->ipver);
	ph_zeek_count(w, c->orig_port);
	ph_zeek_addr(w, c->resp_addr, c->ipver);
	ph_zeek_count(w, c->resp_port);
	ph_zeek_count(w, c->proto);
	put_str(w, l->label);
	put_str(w, l->master);
	put_str(w, l->app);
	put_str(w, l->category);
	put_str(w, l->confidence_name);
	put_risks(w, l);
	put_str(w, l->host);
	ph_zeek_count(w, l->packets);
	ph_zeek_bool(w, l->gave_up);
	return ph_zeek_rec_end(w, err);
}

static int ndpi_log_init(const struct ph_module_env *env, void **state,
			 struct ph_err *err)
{
	struct ndpi_log *l = calloc(1, sizeof *l);
	if (!l)
		return ph_err_set(err, PH_ENOMEM, "ndpi_log: out of memory");
	ph_log_file_init(&l->f, env, "ndpi", ndpi_fields, NFIELDS);
	*state = l;
	return PH_OK;
}

static void ndpi_log_on_event(void *state, const struct ph_event *ev)
{
	struct ndpi_log *l = state;
	const struct ph_app_label *lab = ev->u.proto;
	if (ev->kind != PH_EV_LABEL || !lab || !ev->conn)
		return;
	if (ev->conn->ipver != 4 && ev->conn->ipver != 6) {
		l->f.skipped++;
		return;
	}
	struct ph_zeek_writer *w = ph_log_file_writer(&l->f);
	if (!w)
		return;
	struct ph_err e;
	ph_log_file_check(&l->f, write_rec(w, ev, lab, &e), &e);
}

static unsigned ndpi_log_counters(const void *state,
				  struct ph_module_counter *o, unsigned max)
{
	const struct ndpi_log *l = state;
	if (max < 1)
		return 0;
	o[0].name = "ndpi_log_skipped";
	o[0].value = l->f.skipped;
	return 1;
}

const struct ph_module ph_ndpi_log_module = {
	.name = "ndpi_log",
	.summary = "ndpi.log (peephole's: nDPI label, confidence and risks "
		   "per flow)",
	.mask = PH_EV_LABEL,
	.init = ndpi_log_init,
	.on_event = ndpi_log_on_event,
	.finish = ph_log_module_finish,
	.counters = ndpi_log_counters,
	.destroy = ph_log_module_destroy,
};
