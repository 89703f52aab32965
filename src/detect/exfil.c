/* Detection "exfil": destinations the device sends far more to than it
 * receives from (payload bytes summed per (device, remote) over the
 * capture, with ratio and volume thresholds), and connections held open
 * for a long time (1 h / 4 h / 8 h, as RITA buckets them). Phones upload
 * photos and backups and keep push-notification connections (Google FCM
 * 5228, Apple 5223) open by design, so the ratings stay low unless the
 * destination is also an address no DNS answer produced and nDPI names
 * no app. Aggregates live in a bounded table reported at the end. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "detect/bd_common.h"
#include "detect/detect.h"
#include "peephole/dns_map.h"
#include "peephole/module.h"

extern const struct ph_module ph_exfil_module;

enum { F_RESOLVED = 1, F_LABELLED = 2 };

struct ex_state {
	struct ph_detect_base base;
	const struct ph_dns_map *map;   /* may be NULL */
	struct ph_bd_table tab;
	uint64_t min_bytes, long_ns;
	double ratio;
	uint64_t long_conns;
};

static const uint16_t push_ports[] = {5222, 5223, 5228, 5229, 5230, 2195,
				     2196};

static bool unresolved(const struct ex_state *st, const struct ph_conn *c,
		       int side)
{
	uint64_t first = 0;
	const uint8_t *r = side ? c->orig_addr : c->resp_addr;
	return st->map && ph_bd_is_public(r, c->ipver) &&
	       !(ph_dns_map_ip_seen(st->map, r, c->ipver, &first, NULL) &&
		 first <= c->start_ns);
}

static bool is_push(const struct ph_conn *c)
{
	return ph_bd_port_in(push_ports, sizeof push_ports / 2, c->resp_port) ||
	       strstr(c->app_label, "GoogleServices") ||
	       strstr(c->app_label, "ApplePush") ||
	       strstr(c->app_label, "FCM");
}

static void report_long(struct ex_state *st, const struct ph_event *ev,
			int side, bool unres)
{
	const struct ph_conn *c = ev->conn;
	double h = (double)(c->last_ns - c->start_ns) / 3.6e12;
	unsigned bucket = h >= 8 ? 8 : h >= 4 ? 4 : 1;
	bool push = is_push(c), app = ph_bd_label_is_app(c->app_label);
	bool open_at_start = c->proto == 6 && !strchr(c->history, 'S');
	struct ph_finding f;
	memset(&f, 0, sizeof f);
	ph_detect_conn_evidence(&f, ev, side);
	snprintf(f.id, sizeof f.id, "exfil.long_connection");
	snprintf(f.matched, sizeof f.matched, "%s", f.remote);
	snprintf(f.field, sizeof f.field, "conn.resp_h");
	snprintf(f.name, sizeof f.name, "%s", c->app_label);
	snprintf(f.attack, sizeof f.attack, "T1071");
	f.severity = push || app ? PH_SEV_INFO :
		     bucket == 8 && unres ? PH_SEV_MEDIUM : PH_SEV_LOW;
	f.confidence = push ? PH_CONF_LOW : PH_CONF_MEDIUM;
	if (h >= 1)
		snprintf(f.title, sizeof f.title, "Connection open for over %u "
			 "hour%s (%s port %u)", bucket, bucket > 1 ? "s" : "",
			 f.remote, f.remote_port);
	else
		snprintf(f.title, sizeof f.title, "Connection open for %.0f "
			 "minutes (%s port %u)", h * 60, f.remote,
			 f.remote_port);
	size_t len = 0;
	ph_detect_catf(f.explain, sizeof f.explain, &len, "A connection "
		       "between the device and %s port %u stayed open %.1f "
		       "hours%s. Implants keep a channel open so their operator "
		       "can reach the phone at any time", f.remote,
		       f.remote_port, h, open_at_start ? " (it was already "
		       "open when the capture began, so longer still)" : "");
	ph_detect_catf(f.explain, sizeof f.explain, &len, push ? "; but push "
		       "notification services (Google FCM on 5228, Apple on "
		       "5223) hold one such connection by design, which is "
		       "what this looks like." : "; messengers, push services "
		       "and VPNs do the same by design%s.", unres && !push ?
		       ", though this address came from no DNS answer" : "");
	snprintf(f.advice, sizeof f.advice, "Check who runs %s and which app "
		 "holds the connection; a long-lived connection to an unknown "
		 "server no app explains deserves a closer look.", f.remote);
	ph_detect_emit(&st->base, &f);
}

static void on_end(struct ex_state *st, const struct ph_event *ev)
{
	const struct ph_conn *c = ev->conn;
	if (c->proto != 6 && c->proto != 17)
		return;
	int side = ph_detect_side(&st->base, c);
	if (side < 0)
		return;
	bool unres = unresolved(st, c, side);
	if (c->last_ns - c->start_ns >= st->long_ns) {
		st->long_conns++;
		report_long(st, ev, side, unres);
	}
	const uint8_t *r = side ? c->orig_addr : c->resp_addr;
	if (!c->dir[side].bytes || !ph_bd_is_public(r, c->ipver))
		return;
	struct ph_bd_agg *a = ph_bd_table_get(&st->tab, c, side);
	if (!a)
		return;
	ph_bd_agg_note(a, ev, side);
	a->flags |= (unres ? 0 : F_RESOLVED) |
		    (ph_bd_label_is_app(c->app_label) ? F_LABELLED : 0);
}

static void report_upload(struct ex_state *st, const struct ph_bd_agg *a)
{
	struct ph_finding f;
	memset(&f, 0, sizeof f);
	ph_bd_agg_evidence(&f, a, false);
	bool odd = st->map && !(a->flags & (F_RESOLVED | F_LABELLED));
	snprintf(f.id, sizeof f.id, "exfil.upload");
	snprintf(f.attack, sizeof f.attack, "T1041");
	f.severity = odd ? PH_SEV_MEDIUM : PH_SEV_LOW;
	f.confidence = odd ? PH_CONF_MEDIUM : PH_CONF_LOW;
	snprintf(f.title, sizeof f.title, "Large upload to %s (%.1f MB sent, "
		 "%.1f MB received)", f.remote, (double)a->out / 1e6,
		 (double)a->in / 1e6);
	size_t len = 0;
	ph_detect_catf(f.explain, sizeof f.explain, &len, "Over %llu "
		       "connection(s) the device sent %llu bytes to %s and got "
		       "%llu back. Spyware sends what it collects (messages, "
		       "recordings, photos) this way; but photo and cloud "
		       "backups, video calls and sending media do too, which "
		       "is why this is rated low", (unsigned long long)a->conns,
		       (unsigned long long)a->out, f.remote,
		       (unsigned long long)a->in);
	char lbl[64] = "";
	if (a->label[0])
		snprintf(lbl, sizeof lbl, " (nDPI: %s)", a->label);
	ph_detect_catf(f.explain, sizeof f.explain, &len, "%s%s.", odd ?
		       " and medium here: the address came from no DNS answer "
		       "and nDPI names no app" : "", lbl);
	snprintf(f.advice, sizeof f.advice, "Find out which app sent the data "
		 "at that time (PCAPdroid captures name it) and whether a backup "
		 "or upload explains it; check who runs %s.", f.remote);
	ph_detect_emit(&st->base, &f);
}

static int ex_finish(void *state, uint64_t last_ts_ns, struct ph_err *err)
{
	struct ex_state *st = state;
	(void)last_ts_ns;
	(void)err;
	for (uint32_t i = 0; i < st->tab.cap; i++) {
		const struct ph_bd_agg *a = &st->tab.v[i];
		if (a->used && a->out >= st->min_bytes &&
		    (double)a->out >= st->ratio * (double)(a->in ? a->in : 1))
			report_upload(st, a);
	}
	return PH_OK;
}

static void ex_on_event(void *state, const struct ph_event *ev)
{
	if (ev->kind == PH_EV_FLOW_END && ev->conn)
		on_end(state, ev);
}

static const struct ph_module_option ex_options[] = {
	{"upload_min_bytes", 2e6, 1, 1e12, "bytes", "payload bytes sent to "
	 "one destination from which an upload is reported"},
	{"upload_ratio", 10, 1, 1e6, "ratio", "sent/received bytes from which "
	 "a destination counts as an upload"},
	{"long_seconds", 3600, 1, 1e7, "seconds", "duration from which a "
	 "connection is long-lived (buckets 1 h, 4 h, 8 h)"},
	{"max_remotes", 4096, 16, 1e6, "count", "(device, address) pairs "
	 "tracked; more are counted as dropped"},
	{NULL, 0, 0, 0, NULL, NULL},
};

static int ex_init(const struct ph_module_env *env, void **state,
		   struct ph_err *err)
{
	struct ph_detect_base base;
	if (ph_detect_base_init(&base, env) == PH_MODULE_SKIP)
		return PH_MODULE_SKIP;
	const struct ph_module *m = &ph_exfil_module;
	struct ex_state *st = calloc(1, sizeof *st);
	if (!st || ph_bd_table_init(&st->tab, (uint32_t)ph_module_option(
				    env, m, "max_remotes")) < 0) {
		free(st);
		return ph_err_set(err, PH_ENOMEM, "out of memory");
	}
	st->base = base;
	st->map = env->shared ? env->shared->dns_map : NULL;
	st->min_bytes = (uint64_t)ph_module_option(env, m, "upload_min_bytes");
	st->ratio = ph_module_option(env, m, "upload_ratio");
	st->long_ns = (uint64_t)(ph_module_option(env, m, "long_seconds") *
				 1e9);
	*state = st;
	return PH_OK;
}

static unsigned ex_counters(const void *state, struct ph_module_counter *out,
			    unsigned max)
{
	const struct ex_state *st = state;
	const struct ph_module_counter c[] = {
		{"long_connections", st->long_conns},
		{"remotes_dropped", st->tab.dropped},
		{"findings_dropped", st->base.dropped},
	};
	return ph_module_counters_copy(out, max, c, sizeof c / sizeof c[0]);
}

static void ex_destroy(void *state)
{
	struct ex_state *st = state;
	ph_bd_table_free(&st->tab);
	free(st);
}

const struct ph_module ph_exfil_module = {
	.name = "exfil",
	.summary = "uploads far larger than downloads, long-lived connections",
	.mask = PH_EV_FLOW_END,
	.init = ex_init,
	.on_event = ex_on_event,
	.finish = ex_finish,
	.counters = ex_counters,
	.destroy = ex_destroy,
	.options = ex_options,
	.detection = true,
};
