/* Detection "direct_ip": the device connects (TCP or UDP) to a public
 * address that no DNS answer in the capture produced before the
 * connection started (TinyCheck's "non-resolved IP"). Implants often
 * carry their server's address built in; ordinary apps almost always look
 * a name up first. Left out: local, multicast and broadcast addresses,
 * well-known public resolvers and DNS/DoT ports (the resolver-bypass
 * detection's business), NTP, STUN/TURN and flows nDPI labels as calls or
 * local discovery. Folded per (device, remote) in a bounded table and
 * reported at the end, rated by how the connections looked (see
 * docs/detections/direct_ip.md). What the lists say of an nDPI label is
 * remembered per label (LABELS entries), as captures show few labels. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "detect/bd_common.h"
#include "detect/detect.h"
#include "peephole/dns_map.h"
#include "peephole/module.h"

extern const struct ph_module ph_direct_ip_module;

enum { F_LATE = 1, F_UNLABELLED = 2, F_HTTP = 4, F_EARLY = 8 };

#define LABELS 64 /* label classifications cached (power of two) */

/* One nDPI label and whether it excludes the flow (call, discovery,
 * DoH/DoT). */
struct dip_label {
	char label[sizeof ((struct ph_conn *)0)->app_label];
	bool used, excluded;
};

struct dip_state {
	struct ph_detect_base base;
	const struct ph_dns_map *map;
	struct ph_bd_table tab;
	uint64_t grace_ns, capture_start;
	unsigned repeat_min;
	bool started, encrypted_dns, no_dns;
	uint64_t unresolved_conns, skipped;
	struct dip_label labels[LABELS];
};

static bool label_excluded(struct dip_state *st, const char *label)
{
	uint32_t h = 2166136261u;
	size_t n = strnlen(label, sizeof st->labels[0].label - 1);
	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)label[i]) * 16777619u;
	struct dip_label *e = &st->labels[h & (LABELS - 1)];
	if (e->used && strncmp(e->label, label, sizeof e->label) == 0)
		return e->excluded;
	memcpy(e->label, label, n);
	e->label[n] = '\0';
	e->used = true;
	e->excluded = ph_bd_label_is_call(e->label) ||
		      ph_bd_label_is_discovery(e->label) ||
		      strstr(e->label, "DoH_DoT") != NULL;
	return e->excluded;
}

/* Ports whose traffic goes to addresses by design. */
static const uint16_t skip_udp[] = {53, 67, 68, 123, 137, 138, 500, 853,
				    1900, 3478, 3479, 4500, 5349, 5353,
				    5355, 19302, 19303, 19304, 19305, 19306,
				    19307, 19308, 19309};
static const uint16_t skip_tcp[] = {53, 853, 3478, 5349};

static bool excluded(struct dip_state *st, const struct ph_conn *c)
{
	bool udp = c->proto == 17;
	if (ph_bd_is_resolver(c->resp_addr, c->ipver) ||
	    (c->resp_port == 853)) {
		st->encrypted_dns |= c->resp_port == 853 || c->resp_port == 443;
		return true;
	}
	if (udp ? ph_bd_port_in(skip_udp, sizeof skip_udp / 2, c->resp_port)
		: ph_bd_port_in(skip_tcp, sizeof skip_tcp / 2, c->resp_port))
		return true;
	return label_excluded(st, c->app_label);
}

static void on_end(struct dip_state *st, const struct ph_event *ev)
{
	const struct ph_conn *c = ev->conn;
	if ((c->proto != 6 && c->proto != 17) || !c->dir[0].pkts)
		return;
	int side = ph_detect_side(&st->base, c);
	if (side != 0 || !ph_bd_is_public(c->resp_addr, c->ipver))
		return; /* inbound flows are the listener detection's */
	if (excluded(st, c)) {
		st->skipped++;
		return;
	}
	uint64_t first = 0;
	bool seen = ph_dns_map_ip_seen(st->map, c->resp_addr, c->ipver,
				       &first, NULL);
	if (seen && first <= c->start_ns)
		return;
	st->unresolved_conns++;
	struct ph_bd_agg *a = ph_bd_table_get(&st->tab, c, 0);
	if (!a)
		return;
	ph_bd_agg_note(a, ev, 0);
	bool early = c->start_ns < st->capture_start + st->grace_ns ||
		     (c->proto == 6 && !strchr(c->history, 'S'));
	a->flags |= (seen ? F_LATE : 0) | (early ? F_EARLY : 0) |
		    (!ph_bd_label_is_app(c->app_label) ? F_UNLABELLED : 0) |
		    (strstr(c->service, "http") ? F_HTTP : 0);
	if (!early)
		a->flags |= 1u << 8; /* at least one connection in view */
}

static void dip_on_event(void *state, const struct ph_event *ev)
{
	struct dip_state *st = state;
	if (!st->started) {
		st->started = true;
		st->capture_start = ev->ts_ns;
	}
	if (ev->kind == PH_EV_FLOW_END && ev->conn)
		on_end(st, ev);
}

static const char *proto_name(uint8_t p)
{
	return p == 6 ? "tcp" : p == 17 ? "udp" : "ip";
}

/* Severity, confidence and the sentence saying why. */
static void rate(const struct dip_state *st, const struct ph_bd_agg *a,
		 struct ph_finding *f, size_t *len)
{
	char *e = f->explain;
	size_t n = sizeof f->explain;
	f->confidence = PH_CONF_MEDIUM;
	if (!(a->flags & (1u << 8))) {
		f->severity = PH_SEV_LOW;
		f->confidence = PH_CONF_LOW;
		ph_detect_catf(e, n, len, " Every such connection started in "
			       "the first %.0f s of the capture or was already "
			       "open when it began, so its lookup may simply "
			       "predate the recording.",
			       (double)st->grace_ns / 1e9);
	} else if (st->no_dns) {
		f->severity = PH_SEV_LOW;
		f->confidence = PH_CONF_LOW;
		ph_detect_catf(e, n, len, " The capture holds no DNS answer at "
			       "all (filtered to one app, or the device resolves "
			       "names another way), so this says little.");
	} else if (st->encrypted_dns) {
		f->severity = PH_SEV_LOW;
		f->confidence = PH_CONF_LOW;
		ph_detect_catf(e, n, len, " The capture also shows encrypted "
			       "DNS (DNS over TLS/HTTPS to a public resolver), "
			       "whose answers cannot be read, so the address "
			       "may have been looked up that way.");
	} else if (!(a->flags & F_UNLABELLED)) {
		f->severity = PH_SEV_INFO;
		ph_detect_catf(e, n, len, " nDPI recognises the traffic as %s: "
			       "some well-known apps reach their servers by "
			       "built-in address.", a->label);
	} else if ((a->proto == 6 && a->conns >= st->repeat_min) ||
		   (a->flags & F_HTTP)) {
		f->severity = PH_SEV_MEDIUM;
		ph_detect_catf(e, n, len, " No app protocol was recognised and "
			       "the device %s, which is how implants reach "
			       "their servers.", (a->flags & F_HTTP) ?
			       "sent cleartext HTTP to the bare address" :
			       "came back to it again and again");
	} else {
		f->severity = PH_SEV_LOW;
		ph_detect_catf(e, n, len, " No app protocol was recognised%s.",
			       a->proto == 17 ? "; calls, video and games send "
			       "UDP to bare addresses by design" : "");
	}
}

static void report(struct dip_state *st, const struct ph_bd_agg *a)
{
	struct ph_finding f;
	memset(&f, 0, sizeof f);
	ph_bd_agg_evidence(&f, a, false);
	snprintf(f.id, sizeof f.id, "direct_ip.unresolved");
	snprintf(f.title, sizeof f.title, "Connection to an address no DNS "
		 "lookup produced (%s)", f.remote);
	snprintf(f.attack, sizeof f.attack, "%s",
		 (a->flags & F_HTTP) ? "T1071.001" : "T1071");
	size_t len = 0;
	ph_detect_catf(f.explain, sizeof f.explain, &len,
		       "%s connected %llu time(s) to %s port %u/%s (sent %llu, "
		       "received %llu bytes) although no DNS answer in the "
		       "capture gave that address%s. Implants often carry their "
		       "server's address built in; most apps look a name up "
		       "first, but calls, CDNs, ad SDKs and some messengers "
		       "also use bare addresses, so this alone proves nothing.",
		       f.device, (unsigned long long)a->conns, f.remote,
		       a->port, proto_name(a->proto),
		       (unsigned long long)a->out, (unsigned long long)a->in,
		       (a->flags & F_LATE) ? " before the connection (a "
		       "lookup answered with it only later)" : "");
	rate(st, a, &f, &len);
	snprintf(f.advice, sizeof f.advice, "Look up who owns the address "
		 "(whois, a reputation service) and which app made the "
		 "connection at that time (PCAPdroid captures name the app). "
		 "Repeated contact with an address no installed app explains "
		 "deserves a closer look.");
	ph_detect_emit(&st->base, &f);
}

static int dip_finish(void *state, uint64_t last_ts_ns, struct ph_err *err)
{
	struct dip_state *st = state;
	(void)last_ts_ns;
	(void)err;
	struct ph_dns_map_stats ms;
	ph_dns_map_stats(st->map, &ms);
	st->no_dns = ms.pairs == 0;
	for (uint32_t i = 0; i < st->tab.cap; i++)
		if (st->tab.v[i].used && st->tab.v[i].conns)
			report(st, &st->tab.v[i]);
	return PH_OK;
}

static const struct ph_module_option dip_options[] = {
	{"grace_seconds", 60, 0, 86400, "seconds", "connections starting this "
	 "soon after the capture began (or already open) get low confidence: "
	 "their lookup may predate the recording"},
	{"repeat_min", 3, 1, 1e6, "count", "TCP connections to one unresolved "
	 "address (no app label) that make the finding medium"},
	{"max_remotes", 4096, 16, 1e6, "count", "(device, address) pairs "
	 "tracked; more are counted as dropped"},
	{NULL, 0, 0, 0, NULL, NULL},
};

static int dip_init(const struct ph_module_env *env, void **state,
		    struct ph_err *err)
{
	struct ph_detect_base base;
	if (ph_detect_base_init(&base, env) == PH_MODULE_SKIP ||
	    !env->shared || !env->shared->dns_map)
		return PH_MODULE_SKIP;
	struct dip_state *st = calloc(1, sizeof *st);
	const struct ph_module *m = &ph_direct_ip_module;
	if (!st || ph_bd_table_init(&st->tab, (uint32_t)ph_module_option(
				    env, m, "max_remotes")) < 0) {
		free(st);
		return ph_err_set(err, PH_ENOMEM, "out of memory");
	}
	st->base = base;
	st->map = env->shared->dns_map;
	st->grace_ns = (uint64_t)(ph_module_option(env, m, "grace_seconds") *
				  1e9);
	st->repeat_min = (unsigned)ph_module_option(env, m, "repeat_min");
	if (env->first_ts_ns) {
		st->started = true;
		st->capture_start = env->first_ts_ns;
	}
	*state = st;
	return PH_OK;
}

static unsigned dip_counters(const void *state, struct ph_module_counter *out,
			     unsigned max)
{
	const struct dip_state *st = state;
	const struct ph_module_counter c[] = {
		{"unresolved_connections", st->unresolved_conns},
		{"excluded_connections", st->skipped},
		{"remotes_dropped", st->tab.dropped},
		{"findings_dropped", st->base.dropped},
	};
	return ph_module_counters_copy(out, max, c, sizeof c / sizeof c[0]);
}

static void dip_destroy(void *state)
{
	struct dip_state *st = state;
	ph_bd_table_free(&st->tab);
	free(st);
}

const struct ph_module ph_direct_ip_module = {
	.name = "direct_ip",
	.summary = "connections to public addresses no DNS answer produced",
	.mask = PH_EV_FLOW_START | PH_EV_FLOW_END,
	.init = dip_init,
	.on_event = dip_on_event,
	.finish = dip_finish,
	.counters = dip_counters,
	.destroy = dip_destroy,
	.options = dip_options,
	.detection = true,
};
