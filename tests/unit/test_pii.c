/* Tests for the pii detection (src/detect/pii.c) on crafted captures run
 * through the whole pipeline: the user's identifiers in a URL parameter,
 * a header, a JSON body, a form, raw TCP, a UDP payload, a DNS query and
 * a TLS SNI; encodings (separators, URL encoding, base64 at the three
 * alignments, hex, MD5/SHA-1/SHA-256, two layers); a value split across
 * TCP segments and segments out of order; the user's location; the
 * generic detectors (Luhn-valid IMEI, device MAC, e-mail, coordinates,
 * DHCP host name); negatives (IMEI failing Luhn, a far coordinate, an
 * identifier inside a TLS connection's encrypted bytes, bytes the remote
 * sends); masking unless show_secrets. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <openssl/evp.h>
#include <zlib.h>

#include "pii_fixture.h"
#include "quic_vectors.h"
#include "tls_test_build.h"

#define S 1000000000ull
#define T0 (1700000000ull * S)
#define DEV "192.168.1.23"
#define SRV "203.0.113.9"
#define IMEI "490154203237518"

static struct ph_identifiers *ids_of(const char *const *kv)
{
	struct ph_identifiers *ids = ph_identifiers_new();
	struct ph_err err;
	for (; kv[0]; kv += 2)
		assert_int_equal(ph_identifiers_add(ids, kv[0], kv[1], "test",
						    &err), PH_OK);
	return ids;
}

static struct ph_identifiers *imei_ids(void)
{
	static const char *const kv[] = {"imei", IMEI, NULL};
	return ids_of(kv);
}

/* Device -> SRV:port, `req` as the device's bytes (in chunks of at most
 * 1400), a short reply, close. */
static void tcp_flow(struct cfx *x, uint64_t ts, uint16_t port,
		     const void *req, size_t n)
{
	struct cfx_tcp t;
	cfx_tcp_open(x, &t, DEV, (uint16_t)(40000 + (ts / S) % 1000), SRV, port,
		     ts);
	cfx_tcp_send(x, &t, 0, ts + 3000000, req, n);
	static const char ok[] = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n";
	cfx_tcp_send(x, &t, 1, ts + 5000000, ok, sizeof ok - 1);
	cfx_tcp_close(x, &t, ts + 9000000);
}

static void http_get(struct cfx *x, uint64_t ts, const char *uri,
		     const char *headers)
{
	char b[2048];
	int n = snprintf(b, sizeof b, "GET %s HTTP/1.1\r\nHost: api.example."
			 "com\r\n%s\r\n", uri, headers);
	tcp_flow(x, ts, 80, b, (size_t)n);
}

static void http_post(struct cfx *x, uint64_t ts, const char *ctype,
		      const char *body)
{
	char b[4096];
	int n = snprintf(b, sizeof b, "POST /collect HTTP/1.1\r\nHost: api."
			 "example.com\r\nContent-Type: %s\r\nContent-Length: "
			 "%zu\r\n\r\n%s", ctype, strlen(body), body);
	tcp_flow(x, ts, 80, b, (size_t)n);
}

static void hex_digest(const EVP_MD *md, const void *in, size_t n,
		       char *out)
{
	uint8_t d[64];
	unsigned dn = 0;
	EVP_Digest(in, n, d, &dn, md, NULL);
	for (unsigned i = 0; i < dn; i++)
		snprintf(out + 2 * i, 3, "%02x", d[i]);
}

/* PII_TEST_DEBUG=1 lists the findings of each run. */
static struct ph_findings *run(struct cfx *x, const struct ph_identifiers *ids,
			       bool show)
{
	struct ph_findings *f = cfx_run_ids(x, ids, show, NULL, 0);
	for (unsigned i = 0; getenv("PII_TEST_DEBUG") &&
	     i < ph_findings_count(f); i++) {
		const struct ph_finding *d = ph_findings_get(f, i);
		print_message("%s | %s | %s | %s\n", d->id, d->field,
			      d->matched, d->title);
	}
	return f;
}

static uint64_t counter(const struct cfx *x, const char *name);

static void test_uri_parameter(void **state)
{
	(void)state;
	struct ph_identifiers *ids = imei_ids();
	struct cfx x;
	cfx_open(&x);
	http_get(&x, T0, "/t?app=1&imei=" IMEI "&v=2", "");
	struct ph_findings *f = run(&x, ids, false);
	const struct ph_finding *d = cfx_find(f, "pii.identifier");
	assert_non_null(d);
	assert_string_equal(d->field, "http.uri:imei");
	assert_string_equal(d->name, "api.example.com");
	assert_string_equal(d->remote, SRV);
	assert_string_equal(d->device, DEV);
	assert_int_equal(d->remote_port, 80);
	assert_int_equal(d->severity, PH_SEV_HIGH);
	assert_int_equal(d->confidence, PH_CONF_HIGH);
	assert_non_null(strstr(d->title, "IMEI"));
	assert_null(strstr(d->matched, IMEI));  /* masked */
	assert_null(strstr(d->explain, IMEI));
	assert_non_null(strstr(d->matched, "*"));
	assert_non_null(strstr(d->explain, "without encryption"));
	assert_null(cfx_find(f, "pii.generic_imei")); /* not twice */
	cfx_close(&x, f);
	ph_identifiers_free(ids);
}

static void test_show_secrets(void **state)
{
	(void)state;
	struct ph_identifiers *ids = imei_ids();
	struct cfx x;
	cfx_open(&x);
	http_get(&x, T0, "/t?imei=" IMEI, "");
	struct ph_findings *f = run(&x, ids, true);
	const struct ph_finding *d = cfx_find(f, "pii.identifier");
	assert_non_null(d);
	assert_string_equal(d->matched, IMEI);
	cfx_close(&x, f);
	ph_identifiers_free(ids);
}

static void test_header_and_json_hashes(void **state)
{
	(void)state;
	static const char *const kv[] = {"imei", IMEI, "email",
					 "Jane.Doe@Example.org", NULL};
	struct ph_identifiers *ids = ids_of(kv);
	char md5[33], sha[65], sha1[41], hdr[128], body[256];
	hex_digest(EVP_md5(), IMEI, 15, md5);
	hex_digest(EVP_sha256(), "jane.doe@example.org", 20, sha);
	hex_digest(EVP_sha1(), IMEI, 15, sha1);
	for (int i = 0; i < 40; i++) /* upper-case hex is found too */
		sha1[i] = (char)(sha1[i] >= 'a' ? sha1[i] - 32 : sha1[i]);
	struct cfx x;
	cfx_open(&x);
	snprintf(hdr, sizeof hdr, "X-Device-Id: %s\r\n", md5);
	http_get(&x, T0, "/ping", hdr);
	snprintf(body, sizeof body, "{\"os\":\"android\",\"email_hash\": "
		 "\"%s\",\"n\":1}", sha);
	http_post(&x, T0 + 10 * S, "application/json", body);
	snprintf(body, sizeof body, "a=1&did=%s", sha1);
	http_post(&x, T0 + 20 * S, "application/x-www-form-urlencoded", body);
	struct ph_findings *f = run(&x, ids, false);
	const struct ph_finding *d =
		cfx_find_field(f, "pii.identifier", "http.header:X-Device-Id");
	assert_non_null(d);
	assert_non_null(strstr(d->title, "MD5 of IMEI"));
	assert_non_null(strstr(d->explain, "Hashing does not hide it"));
	d = cfx_find_field(f, "pii.identifier", "json:email_hash");
	assert_non_null(d);
	assert_non_null(strstr(d->title, "SHA-256"));
	assert_non_null(strstr(d->title, "e-mail"));
	assert_null(strstr(d->matched, "jane.doe"));
	d = cfx_find_field(f, "pii.identifier", "form:did");
	assert_non_null(d);
	assert_non_null(strstr(d->title, "SHA-1 of IMEI"));
	cfx_close(&x, f);
	ph_identifiers_free(ids);
}

static void test_base64_alignments_hex_two_layers(void **state)
{
	(void)state;
	struct ph_identifiers *ids = imei_ids();
	struct cfx x;
	cfx_open(&x);
	static const char *const pre[] = {"", "a", "ab"};
	for (int k = 0; k < 3; k++) {
		char raw[64], b64[128], body[200];
		int n = snprintf(raw, sizeof raw, "%s{\"imei\":\"%s\"}", pre[k],
				 IMEI);
		EVP_EncodeBlock((uint8_t *)b64, (const uint8_t *)raw, n);
		snprintf(body, sizeof body, "blob%d=%s", k, b64);
		http_post(&x, T0 + (uint64_t)k * S, "text/plain", body);
	}
	char hex[64], md5[33], two[65], body[200];
	for (int i = 0; i < 15; i++)
		snprintf(hex + 2 * i, 3, "%02x", IMEI[i]);
	snprintf(body, sizeof body, "h=%s", hex);
	http_post(&x, T0 + 10 * S, "text/plain", body);
	hex_digest(EVP_md5(), IMEI, 15, md5);
	hex_digest(EVP_sha256(), md5, 32, two);
	snprintf(body, sizeof body, "t=%s", two);
	http_post(&x, T0 + 11 * S, "text/plain", body);
	struct ph_findings *f = run(&x, ids, false);
	for (int k = 0; k < 3; k++) {
		char field[32];
		snprintf(field, sizeof field, "form:blob%d", k);
		const struct ph_finding *d =
			cfx_find_field(f, "pii.identifier", field);
		assert_non_null(d);
		assert_non_null(strcasestr(d->title, "base64"));
	}
	const struct ph_finding *d = cfx_find_field(f, "pii.identifier",
						    "form:h");
	assert_non_null(d);
	assert_non_null(strcasestr(d->title, "hex"));
	d = cfx_find_field(f, "pii.identifier", "form:t");
	assert_non_null(d);
	assert_non_null(strstr(d->title, "SHA-256 of MD5 of IMEI"));
	cfx_close(&x, f);
	ph_identifiers_free(ids);
}

static void test_separators_and_url_encoding(void **state)
{
	(void)state;
	static const char *const kv[] = {"wifi_mac", "A4:5E:60:C1:22:33",
					 "phone", "+33 6 12 34 56 78",
					 "email", "Jane.Doe@Example.org", NULL};
	struct ph_identifiers *ids = ids_of(kv);
	struct cfx x;
	cfx_open(&x);
	http_get(&x, T0, "/a?m=a45e60c12233", "");
	http_get(&x, T0 + S, "/b?tel=0612345678", "");
	http_get(&x, T0 + 2 * S, "/c?mail=jane.doe%40example.org", "");
	http_get(&x, T0 + 3 * S, "/d?m2=A4-5E-60-C1-22-33", "");
	struct ph_findings *f = run(&x, ids, false);
	assert_non_null(cfx_find_field(f, "pii.identifier", "http.uri:m"));
	assert_non_null(cfx_find_field(f, "pii.identifier", "http.uri:tel"));
	assert_non_null(cfx_find_field(f, "pii.identifier", "http.uri:mail"));
	assert_non_null(cfx_find_field(f, "pii.identifier", "http.uri:m2"));
	cfx_close(&x, f);
	ph_identifiers_free(ids);
}

static void test_split_and_out_of_order(void **state)
{
	(void)state;
	struct ph_identifiers *ids = imei_ids();
	struct cfx x;
	cfx_open(&x);
	/* split in order: two cfx_tcp_send calls, two segments */
	struct cfx_tcp t;
	cfx_tcp_open(&x, &t, DEV, 41000, SRV, 7000, T0);
	cfx_tcp_send(&x, &t, 0, T0 + S, "id:4901542", 10);
	cfx_tcp_send(&x, &t, 0, T0 + 2 * S, "03237518;\n", 10);
	cfx_tcp_close(&x, &t, T0 + 3 * S);
	/* out of order: the second half arrives first */
	cfx_tcp_open(&x, &t, DEV, 41001, SRV, 7001, T0 + 10 * S);
	uint32_t s0 = t.seq[0];
	const char *a = "sn=49015", *b = "4203237518&x=1";
	cfx_path_tcp_at(&x, &t, 0, T0 + 11 * S, PB_ACK | PB_PSH,
			s0 + (uint32_t)strlen(a), b, strlen(b), 64, 1, 65535);
	cfx_path_tcp_at(&x, &t, 0, T0 + 11 * S + 1000, PB_ACK | PB_PSH, s0, a,
			strlen(a), 64, 2, 65535);
	t.seq[0] += (uint32_t)(strlen(a) + strlen(b));
	cfx_tcp_seg(&x, &t, 1, T0 + 12 * S, PB_ACK, NULL, 0);
	cfx_tcp_close(&x, &t, T0 + 13 * S);
	struct ph_findings *f = run(&x, ids, false);
	const struct ph_finding *d = cfx_find_field(f, "pii.identifier",
						    "tcp.payload");
	assert_non_null(d);
	assert_int_equal(d->remote_port, 7000);
	d = cfx_find_field(f, "pii.identifier", "form:sn");
	assert_non_null(d);
	assert_int_equal(d->remote_port, 7001);
	cfx_close(&x, f);
	ph_identifiers_free(ids);
}

static void test_udp_dns_sni(void **state)
{
	(void)state;
	static const char *const kv[] = {"imei", IMEI, "serial",
					 "R58M12ABCDE", NULL};
	struct ph_identifiers *ids = ids_of(kv);
	struct cfx x;
	cfx_open(&x);
	const char u[] = "\x01\x02\x03\x04" IMEI "\x00\x00";
	cfx_udp(&x, T0, DEV, 50000, SRV, 9999, u, sizeof u - 1);
	cfx_dns_lookup(&x, T0 + S, DEV, 50001, "192.168.1.1",
		       IMEI ".t.example.com", 1, 0, SRV);
	/* TLS: the SNI carries the serial; the encrypted records carry the
	 * IMEI in "cleartext" bytes, which must not be reported. */
	uint8_t body[1024], hs[1100], rec[1200];
	static const uint16_t ciphers[] = {0x1301, 0xc02f};
	static const uint16_t exts[] = {0};
	struct tb_hello h = {.legacy_version = 0x0303, .ciphers = ciphers,
			     .n_ciphers = 2, .exts = exts, .n_exts = 1,
			     .sni = "r58m12abcde.devices.example.net"};
	size_t n = tb_client_hello(body, sizeof body, &h);
	n = tb_handshake(hs, sizeof hs, 1, body, n);
	n = tb_record(rec, sizeof rec, 22, hs, n);
	struct cfx_tcp t;
	cfx_tcp_open(&x, &t, DEV, 42000, SRV, 443, T0 + 2 * S);
	cfx_tcp_send(&x, &t, 0, T0 + 3 * S, rec, n);
	const char app[] = "\x17\x03\x03\x00\x14imei=" IMEI;
	cfx_tcp_send(&x, &t, 0, T0 + 4 * S, app, sizeof app - 1);
	cfx_tcp_close(&x, &t, T0 + 5 * S);
	struct ph_findings *f = run(&x, ids, false);
	assert_non_null(cfx_find_field(f, "pii.identifier", "udp.payload"));
	assert_non_null(cfx_find_field(f, "pii.identifier", "dns.query"));
	const struct ph_finding *d = cfx_find_field(f, "pii.identifier",
						    "tls.sni");
	assert_non_null(d);
	assert_non_null(strcasestr(d->title, "serial"));
	assert_int_equal(cfx_count(f, "pii."), 3); /* not the TLS bytes */
	/* the DNS answer named SRV "<imei>.t.example.com": not shown */
	for (unsigned i = 0; i < ph_findings_count(f); i++)
		assert_null(strstr(ph_findings_get(f, i)->name, IMEI));
	assert_true(counter(&x, "names_hidden") >= 1);
	cfx_close(&x, f);
	ph_identifiers_free(ids);
}

/* QUIC: the SNI of the Initial (RFC 9001's test packet, "example.com")
 * is searched after decryption by the QUIC parser; the datagram's
 * encrypted bytes are not. */
static void test_quic_sni(void **state)
{
	(void)state;
	static const char *const kv[] = {"custom", "example.com", NULL};
	struct ph_identifiers *ids = ids_of(kv);
	uint8_t pkt[1200];
	size_t n = strlen(QV_V1_PROTECTED) / 2;
	assert_true(n <= sizeof pkt);
	for (size_t i = 0; i < n; i++) {
		unsigned v;
		assert_int_equal(sscanf(QV_V1_PROTECTED + 2 * i, "%2x", &v), 1);
		pkt[i] = (uint8_t)v;
	}
	struct cfx x;
	cfx_open(&x);
	cfx_udp(&x, T0, DEV, 51000, SRV, 443, pkt, n);
	struct ph_findings *f = run(&x, ids, false);
	const struct ph_finding *d = cfx_find_field(f, "pii.identifier",
						    "quic.sni");
	assert_non_null(d);
	assert_int_equal(d->proto, 17);
	assert_int_equal(cfx_count(f, "pii."), 1);
	assert_true(counter(&x, "quic_connections_not_inspected") >= 1);
	cfx_close(&x, f);
	ph_identifiers_free(ids);
}

static void test_location(void **state)
{
	(void)state;
	static const char *const kv[] = {"location", "48.8566,2.3522,300",
					 NULL};
	struct ph_identifiers *ids = ids_of(kv);
	struct cfx x;
	cfx_open(&x);
	http_get(&x, T0, "/w?lat=48.8571&lon=2.3530&u=c", "");
	http_post(&x, T0 + S, "application/json", "{\"la\":48.86,\"lo\":2.35}");
	http_get(&x, T0 + 2 * S, "/far?lat=45.7640&lon=4.8357", "");
	struct ph_findings *f = run(&x, ids, false);
	const struct ph_finding *d = cfx_find_field(f, "pii.location",
						    "http.uri:lat");
	assert_non_null(d);
	assert_int_equal(d->severity, PH_SEV_HIGH);
	assert_null(strstr(d->matched, "48.8571"));
	assert_non_null(cfx_find_field(f, "pii.location", "json:la"));
	assert_int_equal(cfx_count(f, "pii.location"), 2); /* not Lyon */
	/* Lyon is only a generic coordinate */
	d = cfx_find(f, "pii.generic_location");
	assert_non_null(d);
	assert_int_equal(d->confidence, PH_CONF_LOW);
	cfx_close(&x, f);
	ph_identifiers_free(ids);
}

static void test_generic_without_list(void **state)
{
	(void)state;
	struct cfx x;
	cfx_open(&x);
	http_get(&x, T0, "/a?imei=" IMEI "&bad=490154203237517", "");
	http_get(&x, T0 + S, "/b?mac=02:11:22:33:44:55&bssid=a4:5e:60:c1:22:33",
		 "");
	http_post(&x, T0 + 2 * S, "application/json",
		  "{\"user\":\"Jane.Doe@Example.org\",\"img\":\"a@2x.png\"}");
	struct ph_findings *f = run(&x, NULL, false);
	const struct ph_finding *d = cfx_find(f, "pii.generic_imei");
	assert_non_null(d);
	assert_string_equal(d->field, "http.uri:imei");
	assert_int_equal(cfx_count(f, "pii.generic_imei"), 1); /* Luhn */
	d = cfx_find_field(f, "pii.generic_mac", "http.uri:mac");
	assert_non_null(d);
	assert_int_equal(d->confidence, PH_CONF_MEDIUM); /* the device's */
	d = cfx_find_field(f, "pii.generic_mac", "http.uri:bssid");
	assert_non_null(d);
	assert_int_equal(d->confidence, PH_CONF_LOW);
	d = cfx_find(f, "pii.generic_email");
	assert_non_null(d);
	assert_string_equal(d->field, "json:user");
	assert_int_equal(cfx_count(f, "pii.generic_email"), 1);
	cfx_close(&x, f);
	/* generic=0 and no identifiers: nothing runs */
	cfx_open(&x);
	http_get(&x, T0, "/a?imei=" IMEI, "");
	const char *set[] = {"pii.generic=0"};
	f = cfx_run_ids(&x, NULL, false, set, 1);
	assert_int_equal(cfx_count(f, "pii."), 0);
	cfx_close(&x, f);
}

/* A DHCP REQUEST from the device with host name `name`. */
static void dhcp_request(struct cfx *x, uint64_t ts, const char *name)
{
	uint8_t m[300];
	memset(m, 0, sizeof m);
	m[0] = 1, m[1] = 1, m[2] = 6, m[7] = 9;
	memcpy(m + 28, cfx_dev_mac, 6);
	static const uint8_t cookie[4] = {99, 130, 83, 99};
	memcpy(m + 236, cookie, 4);
	size_t n = 240, k = strlen(name);
	m[n++] = 53, m[n++] = 1, m[n++] = 3;
	m[n++] = 12, m[n++] = (uint8_t)k;
	memcpy(m + n, name, k);
	n += k;
	m[n++] = 255;
	cfx_udp(x, ts, "0.0.0.0", 68, "255.255.255.255", 67, m, n);
}

static void test_dhcp_hostname(void **state)
{
	(void)state;
	struct cfx x;
	cfx_open(&x);
	dhcp_request(&x, T0, "Janes-Galaxy-S21");
	http_get(&x, T0 + S, "/r?dn=Janes-Galaxy-S21&z=1", "");
	struct ph_findings *f = run(&x, NULL, false);
	const struct ph_finding *d = cfx_find(f, "pii.hostname");
	assert_non_null(d);
	assert_string_equal(d->field, "http.uri:dn");
	assert_null(strstr(d->matched, "Janes-Galaxy-S21"));
	cfx_close(&x, f);
}

static void test_remote_bytes_not_reported(void **state)
{
	(void)state;
	struct ph_identifiers *ids = imei_ids();
	struct cfx x;
	cfx_open(&x);
	struct cfx_tcp t;
	cfx_tcp_open(&x, &t, DEV, 41500, SRV, 80, T0);
	cfx_tcp_send(&x, &t, 0, T0 + S, "GET / HTTP/1.1\r\nHost: a\r\n\r\n", 27);
	const char r[] = "HTTP/1.1 200 OK\r\nContent-Length: 15\r\n\r\n" IMEI;
	cfx_tcp_send(&x, &t, 1, T0 + 2 * S, r, sizeof r - 1);
	cfx_tcp_close(&x, &t, T0 + 3 * S);
	struct ph_findings *f = run(&x, ids, false);
	assert_int_equal(cfx_count(f, "pii."), 0);
	cfx_close(&x, f);
	ph_identifiers_free(ids);
}

static uint64_t counter(const struct cfx *x, const char *name)
{
	for (unsigned i = 0; i < ph_run_summary_ncounters(x->summary); i++) {
		const char *n;
		uint64_t v = ph_run_summary_counter(x->summary, i, &n);
		if (strcmp(n, name) == 0)
			return v;
	}
	return 0;
}

/* max_scan_bytes: bytes past the cap are counted, not searched;
 * max_streams: a flow over the limit is not searched (counted). */
/* gzip (wbits 15 + 16) or zlib (15) of s into out; returns the length. */
static size_t compress_as(const char *s, int wbits, uint8_t *out, size_t cap)
{
	z_stream z;
	memset(&z, 0, sizeof z);
	assert_int_equal(deflateInit2(&z, 9, Z_DEFLATED, wbits, 8,
				      Z_DEFAULT_STRATEGY), Z_OK);
	z.next_in = (Bytef *)(uintptr_t)s;
	z.avail_in = (uInt)strlen(s);
	z.next_out = out;
	z.avail_out = (uInt)cap;
	assert_int_equal(deflate(&z, Z_FINISH), Z_STREAM_END);
	size_t n = z.total_out;
	deflateEnd(&z);
	return n;
}

static void post_compressed(struct cfx *x, uint64_t ts, const char *enc,
			    const uint8_t *body, size_t blen)
{
	uint8_t b[4096];
	int n = snprintf((char *)b, sizeof b, "POST /v2/batch HTTP/1.1\r\n"
			 "Host: sdk.example.net\r\nContent-Type: application/"
			 "json\r\nContent-Encoding: %s\r\nContent-Length: "
			 "%zu\r\n\r\n", enc, blen);
	memcpy(b + n, body, blen);
	tcp_flow(x, ts, 80, b, (size_t)n + blen);
}

/* A JSON body sent gzip- or deflate-compressed is inflated and searched:
 * the IMEI and a generic e-mail address are found in it, the field says
 * the body was compressed; a body that is not valid gzip is counted. */
static void test_compressed_body(void **state)
{
	(void)state;
	struct ph_identifiers *ids = imei_ids();
	static const char json[] = "{\"events\":[{\"t\":1},{\"t\":2}],"
		"\"device\":{\"imei\":\"" IMEI "\",\"mail\":\"jo."
		"doe@example.org\"},\"pad\":\"aaaaaaaaaaaaaaaaaaaaaaaaaa\"}";
	uint8_t gz[1024], zl[1024];
	size_t ngz = compress_as(json, 15 + 16, gz, sizeof gz);
	size_t nzl = compress_as(json, 15, zl, sizeof zl);
	/* the compressed bytes do not hold the IMEI as such */
	assert_null(memmem(gz, ngz, IMEI, strlen(IMEI)));
	struct cfx x;
	cfx_open(&x);
	post_compressed(&x, T0, "gzip", gz, ngz);
	post_compressed(&x, T0 + 5 * S, "deflate", zl, nzl);
	static const uint8_t junk[] = "\x1f\x8b\x08\x00garbage-not-deflate";
	post_compressed(&x, T0 + 9 * S, "gzip", junk, sizeof junk - 1);
	struct ph_findings *f = run(&x, ids, false);
	const struct ph_finding *d = cfx_find_field(f, "pii.identifier",
						    "gzip.json:imei");
	assert_non_null(d);
	assert_string_equal(d->name, "sdk.example.net");
	assert_true(d->count >= 2); /* both bodies, folded */
	assert_non_null(cfx_find_field(f, "pii.generic_email",
				       "gzip.json:mail"));
	assert_int_equal(counter(&x, "compressed_bodies_searched"), 3);
	assert_int_equal(counter(&x, "compressed_bodies_malformed"), 1);
	cfx_close(&x, f);
	ph_identifiers_free(ids);
}

static void test_caps(void **state)
{
	(void)state;
	struct ph_identifiers *ids = imei_ids();
	for (int k = 0; k < 3; k++) {
		struct cfx x;
		cfx_open(&x);
		struct cfx_tcp a, b;
		cfx_tcp_open(&x, &a, DEV, 41100, SRV, 7100, T0);
		cfx_tcp_open(&x, &b, DEV, 41101, SRV, 7101, T0 + S);
		cfx_tcp_send(&x, &a, 0, T0 + 2 * S, "0123456789 id=" IMEI ";",
			     30);
		cfx_tcp_send(&x, &b, 0, T0 + 3 * S, "x sn=" IMEI ";", 21);
		cfx_tcp_close(&x, &a, T0 + 4 * S);
		cfx_tcp_close(&x, &b, T0 + 5 * S);
		const char *set[] = {k == 1 ? "pii.max_scan_bytes=25" :
				     "pii.max_streams=1"};
		struct ph_findings *f = cfx_run_ids(&x, ids, false, set,
						    k ? 1 : 0);
		assert_int_equal(cfx_count(f, "pii.identifier"),
				 k == 0 ? 2 : 1);
		if (k == 1) {
			assert_int_equal(counter(&x, "bytes_over_cap"), 5);
			assert_int_equal(ph_findings_get(f, 0)->remote_port,
					 7101);
		}
		if (k == 2) {
			assert_int_equal(counter(&x, "streams_refused"), 1);
			assert_int_equal(counter(&x,
						 "bytes_in_refused_streams"), 21);
		}
		cfx_close(&x, f);
	}
	ph_identifiers_free(ids);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_uri_parameter),
		cmocka_unit_test(test_show_secrets),
		cmocka_unit_test(test_header_and_json_hashes),
		cmocka_unit_test(test_base64_alignments_hex_two_layers),
		cmocka_unit_test(test_separators_and_url_encoding),
		cmocka_unit_test(test_split_and_out_of_order),
		cmocka_unit_test(test_udp_dns_sni),
		cmocka_unit_test(test_quic_sni),
		cmocka_unit_test(test_location),
		cmocka_unit_test(test_generic_without_list),
		cmocka_unit_test(test_dhcp_hostname),
		cmocka_unit_test(test_remote_bytes_not_reported),
		cmocka_unit_test(test_compressed_body),
		cmocka_unit_test(test_caps),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
