/* Detection "unusual_port": a recognised protocol on a port that is not
 * its usual one (TLS off 443/8443/853/993..., HTTP off 80/8080...; from
 * conn.log's service and nDPI's label and "Known Proto on Non Std Port"
 * risk), an unrecognised protocol whose payload looks encrypted (Shannon
 * entropy of the first bytes of each direction) on a non-standard port,
 * other unrecognised TCP/UDP sessions with payload, and ICMP echo
 * carrying large or high-entropy payloads (ICMP tunnels). Per-flow state
 * (the first payload bytes of each direction, in buffers that grow to
 * sample_bytes) lives in the flow's slot PH_SLOT_UNUSUAL_PORT, created at
 * the first payload of a flow worth sampling, at most max_flows at once,
 * and freed at its end; histograms are built only when a verdict needs
 * them. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "detect/bd_common.h"
#include "detect/detect.h"
#include "peephole/module.h"
#include "peephole/proto_label.h"

extern const struct ph_module ph_unusual_port_module;

struct up_flow {
	uint32_t n[2];          /* bytes sampled in each direction */
	uint32_t cap[2];        /* room in buf[] */
	uint8_t *buf[2];        /* the sampled bytes */
	uint32_t icmp_max;      /* largest ICMP echo payload */
	bool ndpi_risk;         /* nDPI: known protocol on non-std port */
};

struct up_state {
	struct ph_detect_base base;
	uint32_t n, max;
	uint32_t sample_bytes, min_bytes, icmp_large;
	double entropy_bits;
	uint64_t sampled, table_full, icmp_packets, oom;
};

/* Usual ports of each protocol (conn.log service names). */
static const uint16_t tls_ports[] = {21, 25, 110, 143, 443, 465, 563, 585,
	587, 636, 853, 989, 990, 992, 993, 994, 995, 3389, 4433, 5061, 5222,
	5223, 5228, 5269, 5671, 6697, 8443, 8883, 9443};
static const uint16_t http_ports[] = {80, 81, 591, 3128, 8000, 8008, 8080,
	8081, 8088, 8880, 8888};
static const uint16_t quic_ports[] = {443, 80, 8443, 784, 853};
static const uint16_t dns_ports[] = {53, 5353, 5355, 853};

/* The flow's record; created when `create` (NULL when max_flows records
 * are alive, or out of memory; both counted). */
static struct up_flow *flow_get(struct up_state *st, const struct ph_event *ev,
				bool create)
{
	if (!ev->slots)
		return NULL;
	struct up_flow **slot =
		(struct up_flow **)&ev->slots[PH_SLOT_UNUSUAL_PORT];
	if (*slot || !create)
		return *slot;
	if (st->n >= st->max) {
		st->table_full++;
		return NULL;
	}
	*slot = calloc(1, sizeof **slot);
	if (!*slot) {
		st->oom++;
		return NULL;
	}
	st->n++;
	st->sampled++;
	return *slot;
}

static void flow_del(struct up_state *st, const struct ph_event *ev)
{
	struct up_flow **slot =
		(struct up_flow **)&ev->slots[PH_SLOT_UNUSUAL_PORT];
	free((*slot)->buf[0]);
	free((*slot)->buf[1]);
	free(*slot);
	*slot = NULL;
	st->n--;
}

/* Room for `want` bytes in the direction's buffer (grown by doubling, up
 * to sample_bytes); false when out of memory (counted). */
static bool grow(struct up_state *st, struct up_flow *f, int dir,
		 uint32_t want)
{
	if (want <= f->cap[dir])
		return true;
	uint32_t cap = f->cap[dir] ? f->cap[dir] : 64;
	while (cap < want)
		cap *= 2;
	if (cap > st->sample_bytes)
		cap = st->sample_bytes;
	uint8_t *b = realloc(f->buf[dir], cap);
	if (!b) {
		st->oom++;
		return false;
	}
	f->buf[dir] = b;
	f->cap[dir] = cap;
	return true;
}

static void add_bytes(struct up_state *st, struct up_flow *f, int dir,
		      const uint8_t *p, uint32_t len)
{
	if (f->n[dir] >= st->sample_bytes)
		return;
	uint32_t room = st->sample_bytes - f->n[dir];
	if (len > room)
		len = room;
	if (!len || !grow(st, f, dir, f->n[dir] + len))
		return;
	memcpy(f->buf[dir] + f->n[dir], p, len);
	f->n[dir] += len;
}

/* Entropy of a direction's sample: the lower of its bytes' and of the
 * differences of consecutive bytes (the first from 0), so counters and
 * repeated patterns stay low. */
static double dir_entropy(const struct up_flow *f, int dir)
{
	uint16_t hist[256] = {0}, dhist[256] = {0};
	uint8_t prev = 0;
	const uint8_t *p = f->buf[dir];
	for (uint32_t i = 0; i < f->n[dir]; i++) {
		hist[p[i]]++;
		dhist[(uint8_t)(p[i] - prev)]++;
		prev = p[i];
	}
	double h = ph_bd_entropy(hist, f->n[dir]);
	double dh = ph_bd_entropy(dhist, f->n[dir]);
	return dh < h ? dh : h;
}

/* Worth sampling: TCP/UDP to a port where unrecognised payload is
 * unusual, or ICMP. */
static bool wanted(const struct ph_conn *c)
{
	if (c->proto == 1 || c->proto == 58)
		return true;
	if (c->proto != 6 && c->proto != 17)
		return false;
	switch (c->resp_port) { /* unrecognised payload expected here: web,
				   push, calls */
	case 53: case 80: case 123: case 443: case 853: case 3478: case 5222:
	case 5223: case 5228: case 8080: case 8443:
		return false;
	default:
		return true;
	}
}

static void on_payload(struct up_state *st, const struct ph_event *ev,
		       const uint8_t *p, uint32_t len)
{
	if (!len || !wanted(ev->conn))
		return;
	struct up_flow *f = flow_get(st, ev, true);
	if (f)
		add_bytes(st, f, ev->dir == PH_DIR_RESP, p, len);
}

/* ICMP echo payload (types 0/8, 128/129) of a PH_EV_PACKET. */
static void on_packet(struct up_state *st, const struct ph_event *ev)
{
	const struct ph_conn *c = ev->conn;
	if (c->proto != 1 && c->proto != 58)
		return;
	const uint8_t *ip = ev->u.packet.ip;
	uint32_t cap = ev->u.packet.caplen, hl;
	if (c->ipver == 4 && cap >= 20 && ip[9] == 1)
		hl = (uint32_t)(ip[0] & 15) * 4;
	else if (c->ipver == 6 && cap >= 40 && ip[6] == 58)
		hl = 40;
	else
		return;
	if (cap < hl + 8)
		return;
	uint8_t type = ip[hl];
	if (type != 0 && type != 8 && type != 128 && type != 129)
		return;
	st->icmp_packets++;
	uint32_t total = ev->u.packet.ip_len > hl + 8 ?
			 ev->u.packet.ip_len - hl - 8 : 0;
	struct up_flow *f = flow_get(st, ev, true);
	if (!f)
		return;
	if (total > f->icmp_max)
		f->icmp_max = total;
	add_bytes(st, f, ev->dir == PH_DIR_RESP, ip + hl + 8, cap - hl - 8);
}

/* Highest entropy over the directions with enough bytes; -1 if none. */
static double best_entropy(const struct up_state *st, const struct up_flow *f)
{
	double best = -1;
	for (int d = 0; f && d < 2; d++)
		if (f->n[d] >= st->min_bytes) {
			double h = dir_entropy(f, d);
			best = h > best ? h : best;
		}
	return best;
}

static bool has_svc(const struct ph_conn *c, const char *name)
{
	if (!c->service[0])
		return false;
	size_t n = strlen(name);
	for (const char *p = c->service; (p = strstr(p, name)); p += n)
		if ((p == c->service || p[-1] == ',') &&
		    (p[n] == ',' || p[n] == '\0'))
			return true;
	return false;
}

/* Protocols nDPI names (master of its label) and their usual ports. */
struct lbl_ports {
	const char *name;
	uint16_t ports[8];
};
static const struct lbl_ports lbl_ports[] = {
	{"SSH", {22}}, {"Telnet", {23}}, {"FTP_CONTROL", {21}},
	{"SMTP", {25, 465, 587}}, {"SMTPS", {465, 587}},
	{"POP3", {110}}, {"POPS", {995}}, {"IMAP", {143}}, {"IMAPS", {993}},
	{"IRC", {6665, 6666, 6667, 6668, 6669, 6697, 7000}},
	{"LDAP", {389, 636, 3268, 3269}}, {"OpenVPN", {1194, 443}},
	{"RDP", {3389}}, {"VNC", {5900, 5901, 5902, 5903}},
	{"MQTT", {1883, 8883}}, {"SOCKS", {1080}}, {"TeamViewer", {5938, 443, 80}},
	{"RTSP", {554, 8554}}, {"SIP", {5060, 5061}},
};

/* The label's master protocol when nDPI decided by DPI and the table
 * knows it. */
static const char *label_proto(const struct ph_conn *c, bool *usual)
{
	for (size_t i = 0; i < sizeof lbl_ports / sizeof lbl_ports[0]; i++) {
		const struct lbl_ports *l = &lbl_ports[i];
		if (c->app_label[0] != l->name[0])
			continue;
		size_t n = strlen(l->name);
		if (strncmp(c->app_label, l->name, n) != 0 ||
		    (c->app_label[n] != '\0' && c->app_label[n] != '.'))
			continue;
		*usual = false;
		for (unsigned k = 0; k < 8 && l->ports[k]; k++)
			*usual |= l->ports[k] == c->resp_port;
		return l->name;
	}
	return NULL;
}

/* The recognised protocol's name and whether the port is usual for it;
 * NULL when no protocol was recognised. */
static const char *known_proto(const struct ph_conn *c, bool *usual)
{
	uint16_t p = c->resp_port;
	*usual = true;
	if (has_svc(c, "quic")) {
		*usual = ph_bd_port_in(quic_ports, sizeof quic_ports / 2, p);
		return "QUIC";
	}
	if (has_svc(c, "ssl")) {
		*usual = ph_bd_port_in(tls_ports, sizeof tls_ports / 2, p);
		return "TLS";
	}
	if (has_svc(c, "http")) {
		*usual = ph_bd_port_in(http_ports, sizeof http_ports / 2, p);
		return "HTTP";
	}
	if (has_svc(c, "dns")) {
		*usual = ph_bd_port_in(dns_ports, sizeof dns_ports / 2, p);
		return "DNS";
	}
	return label_proto(c, usual);
}

static void finding_base(struct ph_finding *f, const struct ph_event *ev,
			 int side, const char *id)
{
	const struct ph_conn *c = ev->conn;
	memset(f, 0, sizeof *f);
	ph_detect_conn_evidence(f, ev, side);
	snprintf(f->id, sizeof f->id, "%s", id);
	if (c->proto == 1 || c->proto == 58)
		snprintf(f->matched, sizeof f->matched, "icmp");
	else
		snprintf(f->matched, sizeof f->matched, "%u/%s", c->resp_port,
			 c->proto == 6 ? "tcp" : "udp");
	snprintf(f->field, sizeof f->field, "conn.resp_p");
	snprintf(f->name, sizeof f->name, "%s", c->app_label);
	f->confidence = PH_CONF_MEDIUM;
}

static void report_known(struct up_state *st, const struct ph_event *ev,
			 int side, const char *proto, bool usual)
{
	const struct ph_conn *c = ev->conn;
	struct ph_finding f;
	finding_base(&f, ev, side, "unusual_port.known_protocol");
	f.severity = usual ? PH_SEV_INFO : PH_SEV_LOW;
	snprintf(f.title, sizeof f.title, "%s on port %u", proto, c->resp_port);
	snprintf(f.attack, sizeof f.attack, "T1571");
	snprintf(f.explain, sizeof f.explain, "The connection %s %s speaks %s "
		 "on port %u/%s, %s. Malware moves its traffic to unexpected "
		 "ports to slip past filters, but many legitimate services (push "
		 "notifications, messengers, games, company servers) also use "
		 "their own ports, so this is context rather than a sign of "
		 "compromise.", side ? "from" : "to", f.remote, proto,
		 c->resp_port, c->proto == 6 ? "tcp" : "udp", usual ?
		 "which nDPI considers non-standard although the service is "
		 "commonly run there" : "which is not its usual port");
	snprintf(f.advice, sizeof f.advice, "Check who runs %s (whois) and "
		 "whether an installed app explains it.", f.remote);
	ph_detect_emit(&st->base, &f);
}

static void report_unknown(struct up_state *st, const struct ph_event *ev,
			   int side, double h)
{
	const struct ph_conn *c = ev->conn;
	bool enc = h >= st->entropy_bits;
	struct ph_finding f;
	finding_base(&f, ev, side, enc ? "unusual_port.encrypted_unknown" :
		     "unusual_port.unknown_protocol");
	f.severity = enc ? PH_SEV_LOW : PH_SEV_INFO;
	snprintf(f.attack, sizeof f.attack, "%s", enc ? "T1573" : "T1095");
	snprintf(f.title, sizeof f.title, "%s protocol on port %u/%s",
		 enc ? "Unrecognised encrypted-looking" : "Unrecognised",
		 c->resp_port, c->proto == 6 ? "tcp" : "udp");
	size_t len = 0;
	ph_detect_catf(f.explain, sizeof f.explain, &len, "The connection %s "
		       "%s port %u carried %llu bytes out and %llu in that "
		       "neither peephole nor nDPI recognise as any protocol",
		       side ? "from" : "to", f.remote, c->resp_port,
		       (unsigned long long)c->dir[side].bytes,
		       (unsigned long long)c->dir[!side].bytes);
	if (h >= 0)
		ph_detect_catf(f.explain, sizeof f.explain, &len, "; the first "
			       "bytes have an entropy of %.2f bits per byte "
			       "(%s)", h, enc ? "random-looking: encrypted or "
			       "compressed" : "structured");
	ph_detect_catf(f.explain, sizeof f.explain, &len, ". Custom "
		       "protocols are how many implants talk to their servers; "
		       "games, messengers and IoT apps also use their own.");
	snprintf(f.advice, sizeof f.advice, "Find the app that made the "
		 "connection (time, uid); check who runs %s.", f.remote);
	ph_detect_emit(&st->base, &f);
}

static void report_icmp(struct up_state *st, const struct ph_event *ev,
			int side, const struct up_flow *fl, double h)
{
	bool enc = h >= st->entropy_bits;
	if (!enc && fl->icmp_max < st->icmp_large)
		return;
	struct ph_finding f;
	finding_base(&f, ev, side, "unusual_port.icmp_tunnel");
	f.severity = enc ? PH_SEV_MEDIUM : PH_SEV_LOW;
	f.confidence = enc ? PH_CONF_MEDIUM : PH_CONF_LOW;
	snprintf(f.attack, sizeof f.attack, "T1095");
	snprintf(f.title, sizeof f.title, "ICMP echo with %s payloads",
		 enc ? "random-looking" : "large");
	size_t len = 0;
	ph_detect_catf(f.explain, sizeof f.explain, &len, "Echo (ping) "
		       "packets between the device and %s carried up to %u "
		       "bytes each", f.remote, fl->icmp_max);
	if (h >= 0)
		ph_detect_catf(f.explain, sizeof f.explain, &len, ", with an "
			       "entropy of %.2f bits per byte", h);
	ph_detect_catf(f.explain, sizeof f.explain, &len, ". Ordinary pings "
		       "carry a few dozen bytes of a fixed pattern; tools that "
		       "tunnel data through ICMP fill them with encrypted "
		       "bytes. Large patterned pings are also used to test a "
		       "network's packet size.");
	snprintf(f.advice, sizeof f.advice, "If nobody was testing the "
		 "network from this device, find the app sending these pings; "
		 "an ICMP tunnel on a phone is a strong sign of tampering.");
	ph_detect_emit(&st->base, &f);
}

static void judge_l4(struct up_state *st, const struct ph_event *ev,
		     int side, const struct up_flow *fl)
{
	const struct ph_conn *c = ev->conn;
	bool usual;
	const char *proto = known_proto(c, &usual);
	bool risk = fl && fl->ndpi_risk;
	if (proto || risk) {
		if (!usual || risk)
			report_known(st, ev, side, proto ? proto : c->app_label,
				     usual);
		return;
	}
	if (!fl || (c->app_label[0] && strcmp(c->app_label, "Unknown")))
		return; /* a standard port, or nDPI knows the protocol */
	if (!c->dir[0].bytes && !c->dir[1].bytes)
		return;
	if (c->proto == 6 && !strchr(c->history, 'S'))
		return; /* joined mid-way: the protocol's start is missing */
	report_unknown(st, ev, side, best_entropy(st, fl));
}

static void on_end(struct up_state *st, const struct ph_event *ev)
{
	const struct ph_conn *c = ev->conn;
	struct up_flow *fl = flow_get(st, ev, false);
	int side = ph_detect_side(&st->base, c);
	if (side >= 0) {
		if ((c->proto == 1 || c->proto == 58) && fl)
			report_icmp(st, ev, side, fl, best_entropy(st, fl));
		else if (c->proto == 6 || c->proto == 17)
			judge_l4(st, ev, side, fl);
	}
	if (fl)
		flow_del(st, ev);
}

static void on_label(struct up_state *st, const struct ph_event *ev)
{
	const struct ph_app_label *l = ev->u.proto;
	for (unsigned i = 0; i < l->nrisks && i < PH_LABEL_MAX_RISKS; i++)
		if (l->risks[i] && strstr(l->risks[i], "Non Std Port")) {
			struct up_flow *f = flow_get(st, ev, true);
			if (f)
				f->ndpi_risk = true;
		}
}

static void up_on_event(void *state, const struct ph_event *ev)
{
	struct up_state *st = state;
	if (!ev->conn)
		return;
	if (ev->kind == PH_EV_PACKET && ev->conn->proto != 1 &&
	    ev->conn->proto != 58)
		return; /* the common case: only ICMP packets are looked at */
	switch (ev->kind) {
	case PH_EV_STREAM:
		on_payload(st, ev, ev->u.stream.data, ev->u.stream.len);
		break;
	case PH_EV_DATAGRAM:
		on_payload(st, ev, ev->u.datagram.data, ev->u.datagram.len);
		break;
	case PH_EV_PACKET: on_packet(st, ev); break;
	case PH_EV_LABEL: on_label(st, ev); break;
	case PH_EV_FLOW_END: on_end(st, ev); break;
	default: break;
	}
}

static const struct ph_module_option up_options[] = {
	{"sample_bytes", 1024, 64, 16384, "bytes", "payload bytes of each "
	 "direction whose entropy is measured"},
	{"min_bytes", 256, 16, 16384, "bytes", "fewest sampled bytes in a "
	 "direction for an entropy verdict"},
	{"entropy_bits", 7.0, 1, 8, "bits", "entropy (bits per byte) from which "
	 "payload counts as encrypted or compressed"},
	{"icmp_large", 256, 0, 65535, "bytes", "ICMP echo payload size from "
	 "which a ping counts as large"},
	{"max_flows", 4096, 16, 1e6, "count", "flows sampled at once (about "
	 "2 kB each); more are counted and not judged"},
	{NULL, 0, 0, 0, NULL, NULL},
};

static int up_init(const struct ph_module_env *env, void **state,
		   struct ph_err *err)
{
	struct ph_detect_base base;
	if (ph_detect_base_init(&base, env) == PH_MODULE_SKIP)
		return PH_MODULE_SKIP;
	const struct ph_module *m = &ph_unusual_port_module;
	struct up_state *st = calloc(1, sizeof *st);
	if (!st)
		return ph_err_set(err, PH_ENOMEM, "out of memory");
	st->base = base;
	st->max = (uint32_t)ph_module_option(env, m, "max_flows");
	st->sample_bytes = (uint32_t)ph_module_option(env, m, "sample_bytes");
	st->min_bytes = (uint32_t)ph_module_option(env, m, "min_bytes");
	st->entropy_bits = ph_module_option(env, m, "entropy_bits");
	st->icmp_large = (uint32_t)ph_module_option(env, m, "icmp_large");
	*state = st;
	return PH_OK;
}

static unsigned up_counters(const void *state, struct ph_module_counter *out,
			    unsigned max)
{
	const struct up_state *st = state;
	const struct ph_module_counter c[] = {
		{"flows_sampled", st->sampled},
		{"flows_not_sampled_table_full", st->table_full},
		{"icmp_echo_packets", st->icmp_packets},
		{"flows_not_sampled_out_of_memory", st->oom},
		{"findings_dropped", st->base.dropped},
	};
	return ph_module_counters_copy(out, max, c, sizeof c / sizeof c[0]);
}

static void up_destroy(void *state)
{
	free(state);
}

const struct ph_module ph_unusual_port_module = {
	.name = "unusual_port",
	.summary = "known protocols on unusual ports, unrecognised or "
		   "encrypted-looking protocols, ICMP tunnels",
	.mask = PH_EV_STREAM | PH_EV_DATAGRAM | PH_EV_PACKET | PH_EV_LABEL |
		PH_EV_FLOW_END,
	.init = up_init,
	.on_event = up_on_event,
	.counters = up_counters,
	.destroy = up_destroy,
	.options = up_options,
	.detection = true,
};
