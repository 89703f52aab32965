/* Unit tests for the device inventory (src/detect/devices.c), driven with
 * crafted PH_EV_FLOW_START/FLOW_END, PH_EV_DHCP and mDNS PH_EV_DNS events:
 * local-address rules, per-side accounting and order, DHCP names and
 * MACs, addresses learned from a DHCP client's MAC, filters by IP and by
 * MAC, and the caps. */
#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "peephole/devices.h"
#include "peephole/proto_dhcp.h"
#include "peephole/proto_dns.h"

#define SEC 1000000000ull

static const uint8_t PHONE_MAC[6] = {0xda, 0xa1, 0x19, 0x6e, 0x2b, 0x17};
static const uint8_t GW_MAC[6] = {0x6c, 0x5a, 0xb0, 0x4e, 0x19, 0x01};
static const uint8_t CAST_MAC[6] = {0x00, 0x1a, 0x11, 0x22, 0x33, 0x44};

/* Parses "a.b.c.d" or an IPv6 text into a (16 bytes); returns ipver. */
static int addr_of(const char *s, uint8_t a[16])
{
	memset(a, 0, 16);
	if (inet_pton(AF_INET, s, a) == 1)
		return 4;
	assert_int_equal(inet_pton(AF_INET6, s, a), 1);
	return 6;
}

static bool local(const char *s)
{
	uint8_t a[16];
	int v = addr_of(s, a);
	return ph_devices_is_local(a, v);
}

static struct ph_conn conn(const char *o, uint16_t op, const char *r,
			   uint16_t rp, const uint8_t *mac, uint64_t bytes_o,
			   uint64_t bytes_r, uint64_t t)
{
	struct ph_conn c;
	memset(&c, 0, sizeof c);
	c.ipver = (uint8_t)addr_of(o, c.orig_addr);
	addr_of(r, c.resp_addr);
	c.orig_port = op;
	c.resp_port = rp;
	c.proto = 6;
	c.start_ns = t;
	c.last_ns = t + SEC;
	c.dir[0].bytes = bytes_o;
	c.dir[1].bytes = bytes_r;
	c.dir[0].pkts = 1 + bytes_o / 1000;
	c.dir[1].pkts = bytes_r ? 1 + bytes_r / 1000 : 0;
	if (mac) {
		memcpy(c.orig_mac, mac, 6);
		c.has_mac = true;
	}
	snprintf(c.uid, sizeof c.uid, "Ctest");
	return c;
}

static void *mod_new(struct ph_devices *d)
{
	struct ph_module_env env = {.devices = d};
	void *st = NULL;
	assert_int_equal(ph_devices_module.init(&env, &st, NULL), 0);
	return st;
}

static void flow(void *st, const struct ph_conn *c)
{
	struct ph_event ev = {.kind = PH_EV_FLOW_START, .conn = c,
			      .ts_ns = c->start_ns};
	ph_devices_module.on_event(st, &ev);
	ev.kind = PH_EV_FLOW_END;
	ev.ts_ns = c->last_ns;
	ph_devices_module.on_event(st, &ev);
}

static struct ph_dhcp_msg dm;

/* A DHCP message of the phone (op 1) or the server (op 2, ACK). */
static void dhcp(void *st, uint8_t op, uint8_t type, const uint8_t *mac,
		 const char *yiaddr, const char *host, const char *vendor,
		 uint64_t t)
{
	memset(&dm, 0, sizeof dm);
	dm.op = op;
	dm.htype = 1;
	dm.hlen = 6;
	dm.msg_type = type;
	dm.xid = 42;
	memcpy(dm.chaddr, mac, 6);
	if (yiaddr) {
		uint8_t a[16];
		addr_of(yiaddr, a);
		memcpy(dm.yiaddr, a, 4);
	}
	if (host) {
		dm.hostname.present = true;
		dm.hostname.len = (uint8_t)strlen(host);
		memcpy(dm.hostname.s, host, dm.hostname.len);
	}
	if (vendor) {
		dm.vendor_class.present = true;
		dm.vendor_class.len = (uint8_t)strlen(vendor);
		memcpy(dm.vendor_class.s, vendor, dm.vendor_class.len);
	}
	struct ph_conn c = op == 1 ? conn("0.0.0.0", 68, "255.255.255.255", 67,
					  mac, 300, 0, t)
				   : conn("192.168.1.1", 67, "255.255.255.255",
					  68, GW_MAC, 300, 0, t);
	c.proto = 17;
	struct ph_event ev = {.kind = PH_EV_DHCP, .conn = &c, .ts_ns = t,
			      .dir = PH_DIR_ORIG};
	ev.u.proto = &dm;
	ph_devices_module.on_event(st, &ev);
}

/* The phone's lease: DISCOVER, ACK. */
static void phone_lease(void *st, uint64_t t)
{
	dhcp(st, 1, PH_DHCP_DISCOVER, PHONE_MAC, NULL, "Pixel-7",
	     "android-dhcp-13", t);
	dhcp(st, 2, PH_DHCP_ACK, PHONE_MAC, "192.168.1.23", NULL, NULL,
	     t + SEC / 100);
}

/* Entry of ip in the listing, or -1. */
static int find(const struct ph_devices *d, const char *ip,
		struct ph_device *out)
{
	for (unsigned i = 0; i < ph_devices_count(d); i++) {
		ph_devices_get(d, i, out);
		if (strcmp(out->ip, ip) == 0)
			return (int)i;
	}
	return -1;
}

/* ---- tests --------------------------------------------------------------- */

static void test_local_rules(void **s)
{
	(void)s;
	const char *yes[] = {"10.1.2.3", "172.16.0.1", "172.31.255.254",
			     "192.168.0.1", "169.254.7.7", "100.64.0.1",
			     "100.127.255.254", "fe80::1", "febf::1", "fc00::1",
			     "fdab:cd::1", "::ffff:192.168.1.1"};
	const char *no[] = {"8.8.8.8", "172.32.0.1", "172.15.0.1",
			    "100.128.0.1", "100.63.255.255", "192.169.0.1",
			    "224.0.0.251", "255.255.255.255", "0.0.0.0",
			    "2001:db8::1", "ff02::fb", "::", "::1", "fec0::1",
			    "::ffff:8.8.8.8", "127.0.0.1"};
	for (size_t i = 0; i < sizeof yes / sizeof *yes; i++)
		if (!local(yes[i]))
			fail_msg("%s should be local", yes[i]);
	for (size_t i = 0; i < sizeof no / sizeof *no; i++)
		if (local(no[i]))
			fail_msg("%s should not be local", no[i]);
	struct ph_conn c = conn("8.8.8.8", 53, "10.0.0.2", 999, NULL, 1, 1, 0);
	assert_int_equal(ph_devices_local_side(&c), 1);
	c = conn("10.0.0.2", 999, "10.0.0.3", 53, NULL, 1, 1, 0);
	assert_int_equal(ph_devices_local_side(&c), 0);
	c = conn("1.1.1.1", 999, "8.8.8.8", 53, NULL, 1, 1, 0);
	assert_int_equal(ph_devices_local_side(&c), -1);
}

static void test_module_skips_without_inventory(void **s)
{
	(void)s;
	struct ph_module_env env = {0};
	void *st = NULL;
	assert_int_equal(ph_devices_module.init(&env, &st, NULL),
			 PH_MODULE_SKIP);
}

static void test_flows_and_order(void **s)
{
	(void)s;
	struct ph_devices *d = ph_devices_new(0);
	void *st = mod_new(d);
	struct ph_conn c;
	c = conn("192.168.1.23", 40000, "142.250.1.1", 443, PHONE_MAC, 1000,
		 50000, 10 * SEC);
	flow(st, &c);
	c = conn("192.168.1.23", 40001, "192.168.1.240", 8009, PHONE_MAC, 200,
		 300, 20 * SEC); /* local to local: counts for both */
	flow(st, &c);
	c = conn("203.0.113.9", 5555, "192.168.1.23", 5555, GW_MAC, 100, 0,
		 30 * SEC); /* inbound: the phone is the responder */
	flow(st, &c);
	c = conn("192.168.1.240", 5353, "224.0.0.251", 5353, CAST_MAC, 90, 0,
		 5 * SEC); /* multicast peer: not a device */
	flow(st, &c);
	c = conn("192.168.1.23", 137, "192.168.1.255", 137, PHONE_MAC, 50, 0,
		 40 * SEC); /* broadcast that never answers: not listed */
	flow(st, &c);
	assert_int_equal(ph_devices_count(d), 2);
	struct ph_device e;
	ph_devices_get(d, 0, &e);
	assert_string_equal(e.ip, "192.168.1.23");
	assert_string_equal(e.mac, "da:a1:19:6e:2b:17");
	assert_int_equal(e.flows, 4);
	assert_int_equal(e.bytes_out, 1000 + 200 + 0 + 50);
	assert_int_equal(e.bytes_in, 50000 + 300 + 100);
	assert_int_equal(e.first_ns, 10 * SEC);
	assert_int_equal(e.last_ns, 41 * SEC);
	assert_string_equal(e.hostname, "");
	ph_devices_get(d, 1, &e);
	assert_string_equal(e.ip, "192.168.1.240");
	assert_string_equal(e.mac, "00:1a:11:22:33:44");
	assert_int_equal(e.flows, 2);
	assert_int_equal(e.bytes_out, 300 + 90);
	assert_int_equal(e.bytes_in, 200);
	/* the chromecast overtakes the phone: the order follows */
	c = conn("192.168.1.240", 40000, "34.1.1.1", 443, CAST_MAC, 900000, 1,
		 50 * SEC);
	flow(st, &c);
	ph_devices_get(d, 0, &e);
	assert_string_equal(e.ip, "192.168.1.240");
	ph_devices_get(d, 5, &e); /* out of range: zeroed */
	assert_string_equal(e.ip, "");
	ph_devices_free(d);
}

static void test_dhcp_names_and_learned_v6(void **s)
{
	(void)s;
	struct ph_devices *d = ph_devices_new(0);
	void *st = mod_new(d);
	phone_lease(st, 1 * SEC);
	struct ph_device e;
	assert_int_equal(ph_devices_count(d), 1); /* listed from the ACK */
	ph_devices_get(d, 0, &e);
	assert_string_equal(e.ip, "192.168.1.23");
	assert_string_equal(e.mac, "da:a1:19:6e:2b:17");
	assert_string_equal(e.hostname, "Pixel-7");
	assert_string_equal(e.vendor_class, "android-dhcp-13");
	assert_int_equal(e.first_ns, 1 * SEC); /* the DISCOVER */
	assert_int_equal(e.flows, 0);
	/* link-local and global IPv6 of the same MAC */
	struct ph_conn c = conn("fe80::d8a1:19ff:fe6e:2b17", 5353, "ff02::fb",
				5353, PHONE_MAC, 80, 0, 2 * SEC);
	flow(st, &c);
	c = conn("2001:db8:1:1::23", 41000, "2a00:1450::2004", 443, PHONE_MAC,
		 700, 7000, 3 * SEC);
	flow(st, &c);
	assert_true(find(d, "fe80::d8a1:19ff:fe6e:2b17", &e) >= 0);
	assert_string_equal(e.hostname, "Pixel-7");
	assert_true(find(d, "2001:db8:1:1::23", &e) >= 0);
	assert_int_equal(e.bytes_in, 7000);
	assert_string_equal(e.mac, "da:a1:19:6e:2b:17");
	/* an inbound connection to that global address: the device side */
	c = conn("2a00:1450::2004", 443, "2001:db8:1:1::23", 41001, GW_MAC, 5,
		 5, 4 * SEC);
	enum ph_dir w = PH_DIR_ORIG;
	assert_true(ph_devices_match_filter(d, &c, &w));
	assert_int_equal(w, PH_DIR_RESP);
	/* a remote address from the gateway's MAC is never learned */
	flow(st, &c);
	assert_int_equal(find(d, "2a00:1450::2004", &e), -1);
	/* no local side: matches, originator taken */
	c = conn("1.1.1.1", 1, "8.8.8.8", 53, NULL, 1, 1, 0);
	w = PH_DIR_RESP;
	assert_true(ph_devices_match_filter(d, &c, &w));
	assert_int_equal(w, PH_DIR_ORIG);
	assert_true(ph_devices_match_filter(NULL, &c, NULL));
	ph_devices_free(d);
}

static void test_dhcp_hostname_sanitised(void **s)
{
	(void)s;
	struct ph_devices *d = ph_devices_new(0);
	void *st = mod_new(d);
	dhcp(st, 1, PH_DHCP_REQUEST, PHONE_MAC, NULL, "bad\x01name\x7f", NULL,
	     SEC);
	dhcp(st, 2, PH_DHCP_ACK, PHONE_MAC, "10.0.0.5", NULL, NULL, 2 * SEC);
	dhcp(st, 2, PH_DHCP_OFFER, CAST_MAC, "10.0.0.6", NULL, NULL, 2 * SEC);
	struct ph_device e;
	assert_int_equal(ph_devices_count(d), 1); /* an OFFER binds nothing */
	ph_devices_get(d, 0, &e);
	assert_string_equal(e.hostname, "bad?name?");
	/* a client renewing from its address: that address is bound */
	memset(&dm, 0, sizeof dm);
	struct ph_conn c = conn("10.0.0.7", 68, "10.0.0.1", 67, CAST_MAC, 300,
				0, 3 * SEC);
	dm.op = 1;
	dm.htype = 1;
	dm.hlen = 6;
	dm.msg_type = PH_DHCP_REQUEST;
	memcpy(dm.chaddr, CAST_MAC, 6);
	struct ph_event ev = {.kind = PH_EV_DHCP, .conn = &c, .ts_ns = 3 * SEC};
	ev.u.proto = &dm;
	ph_devices_module.on_event(st, &ev);
	assert_true(find(d, "10.0.0.7", &e) >= 0);
	assert_string_equal(e.mac, "00:1a:11:22:33:44");
	ph_devices_free(d);
}

static void test_filter_by_ip(void **s)
{
	(void)s;
	struct ph_devices *d = ph_devices_new(0);
	struct ph_err err;
	assert_int_equal(ph_devices_set_filter(d, "192.168.1.23", &err), 0);
	assert_true(ph_devices_has_filter(d));
	void *st = mod_new(d);
	phone_lease(st, SEC);
	struct ph_conn c;
	c = conn("192.168.1.23", 40000, "142.250.1.1", 443, PHONE_MAC, 10, 20,
		 2 * SEC);
	flow(st, &c);
	enum ph_dir w;
	assert_true(ph_devices_match_filter(d, &c, &w));
	assert_int_equal(w, PH_DIR_ORIG);
	c = conn("192.168.1.240", 40000, "192.168.1.23", 8008, CAST_MAC, 10,
		 20, 3 * SEC);
	flow(st, &c);
	assert_true(ph_devices_match_filter(d, &c, &w));
	assert_int_equal(w, PH_DIR_RESP);
	c = conn("192.168.1.240", 40000, "34.1.1.1", 443, CAST_MAC, 10, 20,
		 4 * SEC);
	flow(st, &c);
	assert_false(ph_devices_match_filter(d, &c, &w));
	assert_int_equal(ph_devices_count(d), 1);
	struct ph_device e;
	ph_devices_get(d, 0, &e);
	assert_string_equal(e.ip, "192.168.1.23");
	assert_string_equal(e.hostname, "Pixel-7");
	assert_int_equal(e.flows, 2);
	assert_int_equal(e.bytes_out, 30);
	/* a public address can be named too */
	assert_int_equal(ph_devices_set_filter(d, "2001:db8::5", &err), 0);
	c = conn("2001:db8::5", 1, "2001:db8::6", 2, NULL, 1, 1, 0);
	assert_true(ph_devices_match_filter(d, &c, &w));
	ph_devices_free(d);
}

static void test_filter_by_mac(void **s)
{
	(void)s;
	struct ph_devices *d = ph_devices_new(0);
	struct ph_err err;
	assert_int_equal(ph_devices_set_filter(d, "DA-A1-19-6E-2B-17", &err), 0);
	void *st = mod_new(d);
	phone_lease(st, SEC);
	struct ph_conn c;
	enum ph_dir w;
	/* inbound to the DHCP address, before any flow of the phone */
	c = conn("198.51.100.9", 5555, "192.168.1.23", 5555, GW_MAC, 10, 10,
		 2 * SEC);
	assert_true(ph_devices_match_filter(d, &c, &w));
	assert_int_equal(w, PH_DIR_RESP);
	flow(st, &c);
	/* its IPv6 address is learned from the flow's MAC */
	c = conn("2001:db8:1:1::23", 41000, "2a00:1450::2004", 443, PHONE_MAC,
		 100, 1000, 3 * SEC);
	flow(st, &c);
	c = conn("2a00:1450::2004", 443, "2001:db8:1:1::23", 41001, GW_MAC, 1,
		 1, 4 * SEC);
	assert_true(ph_devices_match_filter(d, &c, &w));
	assert_int_equal(w, PH_DIR_RESP);
	/* other devices are neither matched nor listed */
	c = conn("192.168.1.240", 40000, "34.1.1.1", 443, CAST_MAC, 10, 20,
		 5 * SEC);
	flow(st, &c);
	assert_false(ph_devices_match_filter(d, &c, &w));
	assert_int_equal(ph_devices_count(d), 2);
	struct ph_device e;
	ph_devices_get(d, 0, &e);
	assert_string_equal(e.ip, "2001:db8:1:1::23");
	assert_string_equal(e.hostname, "Pixel-7");
	ph_devices_get(d, 1, &e);
	assert_string_equal(e.ip, "192.168.1.23");
	assert_int_equal(e.flows, 1);
	ph_devices_free(d);
}

static void test_bad_filters(void **s)
{
	(void)s;
	struct ph_devices *d = ph_devices_new(0);
	struct ph_err err;
	const char *bad[] = {"", "phone", "192.168.1", "192.168.1.300",
			     "aa:bb:cc:dd:ee", "aa:bb:cc:dd:ee:fg",
			     "aa:bb-cc:dd:ee:ff", "aa:bb:cc:dd:ee:ff:00"};
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		memset(&err, 0, sizeof err);
		assert_int_equal(ph_devices_set_filter(d, bad[i], &err),
				 PH_EINVAL);
		assert_non_null(strstr(err.msg, bad[i]));
	}
	assert_false(ph_devices_has_filter(d));
	assert_int_equal(ph_devices_set_filter(d, NULL, &err), PH_EINVAL);
	assert_int_equal(ph_devices_set_filter(d, "aa:bb:cc:dd:ee:ff", &err), 0);
	ph_devices_free(d);
}

static uint64_t counter(void *st, const char *name)
{
	struct ph_module_counter c[16];
	unsigned n = ph_devices_module.counters(st, c, 16);
	for (unsigned i = 0; i < n; i++)
		if (strcmp(c[i].name, name) == 0)
			return c[i].value;
	fail_msg("no counter %s", name);
	return 0;
}

static void test_caps(void **s)
{
	(void)s;
	struct ph_devices *d = ph_devices_new(4);
	void *st = mod_new(d);
	for (int i = 0; i < 10; i++) {
		char ip[32];
		snprintf(ip, sizeof ip, "10.0.0.%d", i + 1);
		struct ph_conn c = conn(ip, 1000, "8.8.8.8", 53, NULL,
					(uint64_t)(10 + i), 0, SEC);
		flow(st, &c);
	}
	assert_int_equal(ph_devices_count(d), 4);
	assert_int_equal(ph_devices_dropped(d), 6);
	assert_int_equal(counter(st, "devices_dropped"), 6);
	struct ph_device e;
	ph_devices_get(d, 0, &e);
	assert_string_equal(e.ip, "10.0.0.4"); /* most bytes of the kept */
	/* DHCP clients beyond the table are counted */
	for (unsigned i = 0; i < PH_DEVICES_MAX_MACS + 5; i++) {
		uint8_t mac[6] = {2, 0, 0, 0, (uint8_t)(i >> 8), (uint8_t)i};
		dhcp(st, 1, PH_DHCP_DISCOVER, mac, NULL, "h", NULL, SEC);
	}
	assert_int_equal(counter(st, "devices_dhcp_clients_dropped"), 5);
	ph_devices_free(d);
	assert_null(ph_devices_new(0x80000000u)); /* hash would overflow */
	ph_devices_free(NULL);
}

static struct ph_dns_msg dns;

static void add_a(const char *name, const char *ip)
{
	struct ph_dns_rr *rr = &dns.rr[dns.nrr++];
	memset(rr, 0, sizeof *rr);
	int v = addr_of(ip, rr->u.addr);
	rr->type = v == 4 ? PH_DNS_A : PH_DNS_AAAA;
	rr->rclass = 0x8001;
	rr->rdata_ok = true;
	rr->name.len = (uint16_t)strlen(name);
	memcpy(rr->name.s, name, rr->name.len);
}

static void mdns(void *st, const char *sender)
{
	struct ph_conn c = conn(sender, 5353, "224.0.0.251", 5353, CAST_MAC,
				100, 0, SEC);
	c.proto = 17;
	dns.what = PH_DNS_RESPONSE;
	dns.qr = true;
	dns.transport = 17;
	struct ph_event ev = {.kind = PH_EV_DNS, .conn = &c, .ts_ns = SEC,
			      .dir = PH_DIR_ORIG};
	ev.u.proto = &dns;
	ph_devices_module.on_event(st, &ev);
}

static void test_mdns_names(void **s)
{
	(void)s;
	struct ph_devices *d = ph_devices_new(0);
	void *st = mod_new(d);
	memset(&dns, 0, sizeof dns);
	add_a("chromecast-1.local", "192.168.1.240");
	add_a("chromecast-1.local", "fe80::21a:11ff:fe22:3344");
	add_a("other.local", "8.8.8.8");  /* not a device: ignored */
	mdns(st, "192.168.1.240");
	struct ph_device e;
	assert_true(find(d, "192.168.1.240", &e) >= 0);
	assert_string_equal(e.hostname, "chromecast-1");
	assert_true(find(d, "fe80::21a:11ff:fe22:3344", &e) >= 0);
	assert_string_equal(e.hostname, "chromecast-1");
	assert_int_equal(find(d, "8.8.8.8", &e), -1);
	/* answers about others' addresses (not the sender's) are ignored */
	memset(&dns, 0, sizeof dns);
	add_a("liar.local", "192.168.1.50");
	mdns(st, "192.168.1.240");
	assert_int_equal(find(d, "192.168.1.50", &e), -1);
	assert_int_equal(counter(st, "devices_mdns_names"), 2);
	/* DHCP names win over mDNS */
	dhcp(st, 1, PH_DHCP_REQUEST, CAST_MAC, NULL, "Living-Room", NULL, SEC);
	dhcp(st, 2, PH_DHCP_ACK, CAST_MAC, "192.168.1.240", NULL, NULL, SEC);
	assert_true(find(d, "192.168.1.240", &e) >= 0);
	assert_string_equal(e.hostname, "Living-Room");
	ph_devices_free(d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_local_rules),
		cmocka_unit_test(test_module_skips_without_inventory),
		cmocka_unit_test(test_flows_and_order),
		cmocka_unit_test(test_dhcp_names_and_learned_v6),
		cmocka_unit_test(test_dhcp_hostname_sanitised),
		cmocka_unit_test(test_filter_by_ip),
		cmocka_unit_test(test_filter_by_mac),
		cmocka_unit_test(test_bad_filters),
		cmocka_unit_test(test_caps),
		cmocka_unit_test(test_mdns_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
