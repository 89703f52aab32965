/* libFuzzer target for DHCP: the input is one DHCP datagram for
 * ph_dhcp_parse, then the same bytes go through ph_dhcp_module as UDP
 * datagrams of a client flow (0.0.0.0:68 -> 255.255.255.255:67) and of a
 * server reply, with every PH_EV_DHCP handed to dhcp.log (written into a
 * temporary directory made once, removed at exit) and to the device
 * inventory. The server reply comes a minute later, so the conversation
 * expiry runs too. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "peephole/devices.h"
#include "peephole/module.h"
#include "peephole/proto_dhcp.h"

extern const struct ph_module ph_dhcp_module, ph_dhcp_log_module;

struct sinks {
	void *log;
	void *dev;
	uint64_t sum;
};

static void walk(void *user, const struct ph_event *ev)
{
	struct sinks *s = user;
	const struct ph_dhcp_msg *m = ev->u.proto;
	s->sum += m->hostname.len + m->client_id.len + m->nprl + m->ncodes +
		  strlen(m->chaddr_text);
	ph_dhcp_log_module.on_event(s->log, ev);
	ph_devices_module.on_event(s->dev, ev);
}

static void send_as(void *st, struct ph_conn *c, enum ph_dir dir,
		    uint64_t ts, const uint8_t *d, size_t n)
{
	void *slots[PH_SLOT_COUNT] = {0};
	struct ph_event ev = {.kind = PH_EV_DATAGRAM, .conn = c, .dir = dir,
			      .ts_ns = ts, .slots = slots};
	ev.u.datagram.data = d;
	ev.u.datagram.len = (uint32_t)n;
	ph_dhcp_module.on_event(st, &ev);
}

static char dir[] = "/tmp/ph_fuzz_dhcp_XXXXXX";

static void remove_dir(void)
{
	char path[64];
	snprintf(path, sizeof path, "%s/dhcp.log", dir);
	remove(path);
	rmdir(dir);
}

static const char *log_dir(void)
{
	static int made;
	if (!made) {
		made = mkdtemp(dir) ? 1 : -1;
		if (made > 0)
			atexit(remove_dir);
	}
	return made > 0 ? dir : NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct ph_dhcp_msg m;
	ph_dhcp_parse(data, size, &m);

	struct ph_devices *devs = ph_devices_new(8);
	struct sinks s = {0};
	struct ph_module_env env = {.emit = walk, .bus = &s,
				    .log_dir = log_dir(), .devices = devs};
	void *st = NULL;
	struct ph_err err;
	if (!devs || ph_dhcp_module.init(&env, &st, &err) < 0 ||
	    ph_dhcp_log_module.init(&env, &s.log, &err) < 0 ||
	    ph_devices_module.init(&env, &s.dev, &err) < 0) {
		ph_devices_free(devs);
		return 0;
	}
	struct ph_conn c;
	memset(&c, 0, sizeof c);
	c.ipver = 4;
	c.proto = 17;
	memset(c.resp_addr, 255, 4);
	c.orig_port = 68;
	c.resp_port = 67;
	memcpy(c.uid, "Cfuzz1", 7);
	send_as(st, &c, PH_DIR_ORIG, 1000, data, size);
	uint8_t srv[4] = {192, 168, 1, 1};
	memcpy(c.orig_addr, srv, 4);
	c.orig_port = 67;
	c.resp_port = 68;
	memcpy(c.uid, "Cfuzz2", 7);
	send_as(st, &c, PH_DIR_ORIG, 2000, data, size);
	send_as(st, &c, PH_DIR_RESP, 60000000000ull, data, size);
	ph_dhcp_log_module.finish(s.log, 60000000001ull, &err);
	struct ph_device dv;
	for (unsigned i = 0; i < ph_devices_count(devs); i++)
		ph_devices_get(devs, i, &dv);
	ph_dhcp_log_module.destroy(s.log);
	ph_dhcp_module.destroy(st);
	ph_devices_free(devs);
	return 0;
}
