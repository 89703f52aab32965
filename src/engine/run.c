/* The run loop: the only code that sees every stage. Frames come from the
 * merged capture files, are decoded, fed to the flow table, whose events go
 * over the bus to the log writers. Keeps the run summary. Time comes only
 * from packet timestamps. */
#include <stdlib.h>
#include <string.h>

#include "decode/decode.h"
#include "engine/bus.h"
#include "engine/merge.h"
#include "engine/modules.h"
#include "flow/flow.h"
#include "peephole/run.h"
#include "report/logset.h"
#include "util/anomaly.h"

#define PH_PROGRESS_EVERY 8192u /* packets between progress callbacks */
#define PH_RUN_MAX_COUNTERS 256 /* module counters kept for the summary */

struct ph_run_summary {
	struct ph_file_result *files; /* owned, nfiles */
	unsigned nfiles;
	struct ph_run_totals t;
	struct ph_anomalies anom;
	struct ph_module_counter counters[PH_RUN_MAX_COUNTERS];
	unsigned ncounters;
	const char *modules[PH_MAX_MODULES]; /* names of the modules that ran */
	bool module_detects[PH_MAX_MODULES]; /* ... and which are detections */
	unsigned nmodules;
};

/* Counts connection records for the summary (a bus subscriber). */
static void count_flow_end(void *user, const struct ph_event *ev)
{
	(void)ev;
	((struct ph_run_summary *)user)->t.flows++;
}

struct ph_run_state {
	struct ph_merge merge;
	struct ph_decoder *dec;
	struct ph_flow_table *flows;
	struct ph_bus bus;
	struct ph_logset *logs;
	struct ph_modules mods;
	struct ph_shared shared; /* what modules publish for each other */
};

static int state_open(struct ph_run_state *st, const struct ph_run_config *cfg,
		      struct ph_run_summary *s, struct ph_err *err)
{
	st->dec = ph_decoder_new(&s->anom);
	struct ph_flow_config fc;
	ph_flow_config_default(&fc);
	if (cfg->max_flows)
		fc.max_flows = cfg->max_flows;
	if (cfg->tcp_timeout_ns)
		fc.tcp_timeout_ns = cfg->tcp_timeout_ns;
	if (cfg->udp_timeout_ns)
		fc.udp_timeout_ns = fc.icmp_timeout_ns = cfg->udp_timeout_ns;
	fc.reassemble = (st->bus.wanted & (PH_EV_STREAM | PH_EV_GAP)) != 0;
	fc.emit_packets = (st->bus.wanted & PH_EV_PACKET) != 0;
	st->flows = ph_flow_table_new(&fc, ph_bus_emit, &st->bus, &s->anom);
	if (!st->dec || !st->flows)
		return ph_err_set(err, PH_ENOMEM, "out of memory");
	return PH_OK;
}

/* Fills the app name from the file's PCAPdroid UID map when the packet
 * carries a UID but no name. */
static void resolve_app(const struct ph_merge *m, struct ph_pkt *p)
{
	if (!p->has_app || p->app_name[0])
		return;
	const char *name = ph_merge_app_for_uid(m, p->file_idx, p->app_uid);
	if (name) {
		size_t n = strlen(name);
		if (n >= sizeof p->app_name)
			n = sizeof p->app_name - 1;
		memcpy(p->app_name, name, n);
		p->app_name[n] = '\0';
	}
}

static void account_frame(struct ph_run_summary *s, const struct ph_frame *f)
{
	struct ph_run_totals *t = &s->t;
	if (t->packets == 0 || f->ts_ns < t->first_ns)
		t->first_ns = f->ts_ns;
	if (f->ts_ns < t->last_ns)
		ph_anomaly_count(&s->anom, PH_ANOM_TIME_BACKWARDS);
	else
		t->last_ns = f->ts_ns;
	t->packets++;
	t->bytes += f->wirelen;
}

static void packet_loop(struct ph_run_state *st,
			const struct ph_run_config *cfg,
			struct ph_run_summary *s)
{
	struct ph_frame f;
	struct ph_pkt p;
	uint64_t until_progress = PH_PROGRESS_EVERY;
	while (ph_merge_next(&st->merge, &f) == 1) {
		account_frame(s, &f);
		if (ph_decode(st->dec, &f, &p) == PH_DECODE_FLOW) {
			resolve_app(&st->merge, &p);
			ph_flow_table_packet(st->flows, &p);
		}
		if (--until_progress == 0) {
			until_progress = PH_PROGRESS_EVERY;
			ph_decoder_expire(st->dec, s->t.last_ns);
			if (cfg->progress) {
				uint64_t pos, total;
				ph_merge_progress(&st->merge, &pos, &total);
				cfg->progress(cfg->progress_user, pos, total,
					      s->t.packets);
			}
		}
	}
}

static void finish_totals(struct ph_run_state *st, struct ph_run_summary *s)
{
	const struct ph_decode_stats *ds = ph_decoder_stats(st->dec);
	s->t.ip_packets = ds->ip_packets;
	s->t.not_ip = ds->not_ip;
	s->t.bad_packets = ds->bad;
	s->t.frags_held = ds->frags_held;
	s->t.peak_flows = ph_flow_table_stats(st->flows)->peak_active;
	for (unsigned i = 0; i < s->nfiles; i++) {
		if (s->files[i].opened && s->files[i].err.code == 0)
			s->t.files_ok++;
		else
			s->t.files_failed++;
	}
}

/* Copies every module's counters into the summary (names are static). */
static void collect_counters(const struct ph_modules *m,
			     struct ph_run_summary *s)
{
	for (unsigned i = 0; i < m->n; i++) {
		if (s->nmodules < PH_MAX_MODULES) {
			s->module_detects[s->nmodules] = m->mod[i]->detection;
			s->modules[s->nmodules++] = m->mod[i]->name;
		}
		if (!m->mod[i]->counters)
			continue;
		s->ncounters += m->mod[i]->counters(
			m->state[i], s->counters + s->ncounters,
			PH_RUN_MAX_COUNTERS - s->ncounters);
	}
}

static int first_file_error(const struct ph_run_summary *s, struct ph_err *err)
{
	for (unsigned i = 0; i < s->nfiles; i++) {
		if (s->files[i].err.code != 0) {
			if (err)
				*err = s->files[i].err;
			return s->files[i].err.code;
		}
	}
	return PH_OK;
}

int ph_run(const struct ph_run_config *cfg, struct ph_run_summary **summary,
	   struct ph_err *err)
{
	*summary = NULL;
	if (!cfg->nfiles || cfg->nfiles > PH_RUN_MAX_FILES)
		return ph_err_set(err, PH_EINVAL, "need 1 to %d capture files",
				  PH_RUN_MAX_FILES);
	struct ph_run_summary *s = calloc(1, sizeof *s);
	if (!s || !(s->files = calloc(cfg->nfiles, sizeof *s->files))) {
		free(s);
		return ph_err_set(err, PH_ENOMEM, "out of memory");
	}
	s->nfiles = cfg->nfiles;
	*summary = s;

	struct ph_run_state st;
	memset(&st, 0, sizeof st);
	int rc = PH_OK;
	int opened = ph_merge_open(&st.merge, cfg->files, cfg->nfiles, s->files);
	if (opened < 0)
		rc = ph_err_set(err, PH_ENOMEM, "out of memory");
	uint64_t first_ts = rc == PH_OK ? ph_merge_first_ts(&st.merge) : 0;
	ph_bus_init(&st.bus);
	ph_bus_subscribe(&st.bus, PH_EV_FLOW_END, count_flow_end, s);
	if (rc == PH_OK) {
		struct ph_module_env env = {
			.emit = ph_bus_emit, .bus = &st.bus,
			.log_dir = cfg->log_dir,
			.log_tsv = cfg->log_format == PH_LOG_TSV,
			.first_ts_ns = first_ts,
			.intel = cfg->intel,
			.findings = cfg->findings,
			.devices = cfg->devices,
			.destinations = cfg->destinations,
			.shared = &st.shared,
			.settings = cfg->settings,
			.nsettings = cfg->nsettings,
			.detections = cfg->detections,
			.identifiers = cfg->identifiers,
			.show_secrets = cfg->show_secrets,
		};
		rc = ph_modules_open(&st.mods, &env, &st.bus, cfg->modules,
				     err);
	}
	/* conn.log subscribes after the modules, so that what they learn at
	 * a flow's FLOW_END (the nDPI label when it gives up) is in the
	 * record it writes. */
	if (rc == PH_OK && cfg->log_dir && opened > 0) { /* no empty logs
		when nothing can be read */
		st.logs = ph_logset_open(cfg->log_dir, cfg->log_format,
					 &st.bus, first_ts, err);
		if (!st.logs)
			rc = err ? err->code : PH_EIO;
	}
	if (rc == PH_OK)
		rc = state_open(&st, cfg, s, err);
	if (rc == PH_OK) {
		packet_loop(&st, cfg, s);
		ph_flow_table_flush(st.flows);
		finish_totals(&st, s);
	}
	ph_merge_close(&st.merge);
	if (st.flows)
		ph_flow_table_free(st.flows); /* may still emit FLOW_END */
	if (st.dec)
		ph_decoder_free(st.dec);
	if (st.mods.n) {
		collect_counters(&st.mods, s);
		struct ph_err merr = {0};
		if (ph_modules_finish(&st.mods, s->t.last_ns, &merr) < 0 &&
		    rc == PH_OK) {
			rc = merr.code;
			if (err)
				*err = merr;
		}
		ph_modules_destroy(&st.mods);
	}
	if (st.logs) {
		struct ph_err lerr = {0};
		if (ph_logset_close(st.logs, s->t.last_ns, &lerr) < 0 &&
		    rc == PH_OK) {
			rc = lerr.code;
			if (err)
				*err = lerr;
		}
	}
	if (rc == PH_OK)
		rc = first_file_error(s, err);
	return rc;
}

void ph_run_summary_free(struct ph_run_summary *s)
{
	if (!s)
		return;
	free(s->files);
	free(s);
}

unsigned ph_run_summary_nfiles(const struct ph_run_summary *s)
{
	return s->nfiles;
}

const struct ph_file_result *ph_run_summary_file(const struct ph_run_summary *s,
						 unsigned i)
{
	return i < s->nfiles ? &s->files[i] : NULL;
}

void ph_run_summary_totals(const struct ph_run_summary *s,
			   struct ph_run_totals *out)
{
	*out = s->t;
}

unsigned ph_run_summary_nanomalies(const struct ph_run_summary *s)
{
	(void)s;
	return PH_ANOM_COUNT;
}

uint64_t ph_run_summary_anomaly(const struct ph_run_summary *s, unsigned i,
				const char **name, const char **text)
{
	if (i >= PH_ANOM_COUNT)
		return 0;
	if (name)
		*name = ph_anomaly_name((enum ph_anomaly)i);
	if (text)
		*text = ph_anomaly_text((enum ph_anomaly)i);
	return s->anom.n[i];
}

unsigned ph_run_summary_ncounters(const struct ph_run_summary *s)
{
	return s->ncounters;
}

uint64_t ph_run_summary_counter(const struct ph_run_summary *s, unsigned i,
				const char **name)
{
	if (i >= s->ncounters)
		return 0;
	if (name)
		*name = s->counters[i].name;
	return s->counters[i].value;
}

unsigned ph_run_summary_nmodules(const struct ph_run_summary *s)
{
	return s->nmodules;
}

const char *ph_run_summary_module(const struct ph_run_summary *s, unsigned i)
{
	return i < s->nmodules ? s->modules[i] : NULL;
}

bool ph_run_summary_module_is_detection(const struct ph_run_summary *s,
					unsigned i)
{
	return i < s->nmodules && s->module_detects[i];
}
