/* Shared pieces of the detections (see detect.h): the device side of a
 * connection, finding evidence from events and connection records, and
 * bounded text appends. No allocation. */
#include <arpa/inet.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "detect/detect.h"
#include "peephole/devices.h"

int ph_detect_base_init(struct ph_detect_base *b,
			const struct ph_module_env *env)
{
	memset(b, 0, sizeof *b);
	if (!env->findings)
		return PH_MODULE_SKIP;
	b->findings = env->findings;
	b->devices = env->devices;
	return PH_OK;
}

int ph_detect_side(const struct ph_detect_base *b, const struct ph_conn *c)
{
	if (!c)
		return 0;
	if (b->devices) {
		enum ph_dir which = PH_DIR_ORIG;
		if (!ph_devices_match_filter(b->devices, c, &which))
			return -1;
		return (int)which;
	}
	int side = ph_devices_local_side(c);
	return side < 0 ? 0 : side;
}

void ph_detect_addr(const struct ph_conn *c, int side, char *out, size_t n)
{
	const uint8_t *a = side ? c->resp_addr : c->orig_addr;
	if (!inet_ntop(c->ipver == 6 ? AF_INET6 : AF_INET, a, out,
		       (socklen_t)n))
		snprintf(out, n, "?");
}

static void endpoints(struct ph_finding *f, const struct ph_conn *c, int side)
{
	snprintf(f->uid, sizeof f->uid, "%s", c->uid);
	ph_detect_addr(c, side, f->device, sizeof f->device);
	ph_detect_addr(c, !side, f->remote, sizeof f->remote);
	f->remote_port = side ? c->orig_port : c->resp_port;
	f->proto = c->proto;
	if (side == 0 && c->has_mac)
		snprintf(f->device_mac, sizeof f->device_mac,
			 "%02x:%02x:%02x:%02x:%02x:%02x", c->orig_mac[0],
			 c->orig_mac[1], c->orig_mac[2], c->orig_mac[3],
			 c->orig_mac[4], c->orig_mac[5]);
}

void ph_detect_evidence(struct ph_finding *f, const struct ph_event *ev,
			int side)
{
	f->count = 1;
	f->first_ns = f->last_ns = ev->ts_ns;
	f->first_pkt = f->last_pkt = ev->pkt_no;
	f->file_idx = ev->file_idx;
	if (ev->conn)
		endpoints(f, ev->conn, side);
}

void ph_detect_conn_evidence(struct ph_finding *f, const struct ph_event *ev,
			     int side)
{
	ph_detect_evidence(f, ev, side);
	if (!ev->conn)
		return;
	f->first_ns = ev->conn->start_ns;
	f->last_ns = ev->conn->last_ns;
	f->first_pkt = 0; /* not kept per connection */
}

void ph_detect_emit(struct ph_detect_base *b, const struct ph_finding *f)
{
	if (ph_findings_add(b->findings, f) < 0)
		b->dropped++;
	else
		b->emitted++;
}

static const char *nz(const char *s)
{
	return s ? s : "";
}

void ph_detect_report(struct ph_detect_base *b, const struct ph_event *ev,
		      int side, const struct ph_detect_text *t)
{
	struct ph_finding f;
	memset(&f, 0, sizeof f);
	ph_detect_evidence(&f, ev, side);
	snprintf(f.id, sizeof f.id, "%s", nz(t->id));
	snprintf(f.title, sizeof f.title, "%s", nz(t->title));
	snprintf(f.matched, sizeof f.matched, "%s", nz(t->matched));
	snprintf(f.field, sizeof f.field, "%s", nz(t->field));
	snprintf(f.name, sizeof f.name, "%s", nz(t->name));
	snprintf(f.explain, sizeof f.explain, "%s", nz(t->explain));
	snprintf(f.advice, sizeof f.advice, "%s", nz(t->advice));
	snprintf(f.attack, sizeof f.attack, "%s", nz(t->attack));
	f.severity = t->sev;
	f.confidence = t->conf;
	ph_detect_emit(b, &f);
}

void ph_detect_catf(char *buf, size_t n, size_t *len, const char *fmt, ...)
{
	if (*len + 1 >= n)
		return;
	va_list ap;
	va_start(ap, fmt);
	int k = vsnprintf(buf + *len, n - *len, fmt, ap);
	va_end(ap);
	if (k > 0)
		*len = *len + (size_t)k < n ? *len + (size_t)k : n - 1;
}
