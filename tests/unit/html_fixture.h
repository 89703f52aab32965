/* A crafted capture for the destinations and HTML report tests
 * (test_destinations.c, test_check_html.c, test_geoip.c): a device
 * (192.168.1.23) that looks a name up, speaks TLS with an SNI and a big
 * upload, cleartext HTTP (one Host with markup in it), TCP to the looked-up
 * address without a name, and five connections a minute apart to an
 * address no DNS answer gave; the whole pipeline is run on it with a
 * destinations table, as `peephole check --html` does. Also a writer of a
 * tiny MaxMind DB (one IPv4 /24 with country and AS organisation) for the
 * GeoIP tests. Header-only, tests only. */
#ifndef PH_TESTS_HTML_FIXTURE_H
#define PH_TESTS_HTML_FIXTURE_H

#include "check_fixture.h"
#include "peephole/destinations.h"
#include "tls_test_build.h"

#define HF_T0 1704067200ull /* 2024-01-01 00:00:00 UTC */
#define HF_S(s) ((HF_T0 + (uint64_t)(s)) * 1000000000ull)
#define HF_DEV "192.168.1.23"
#define HF_UPLOAD 200000u   /* bytes the device sends in TLS records */
#define HF_EVIL_HOST "<script>alert(1)</script>.evil"

/* A TLS session: ClientHello (SNI, offers 1.3), ServerHello (1.2), then
 * `up` bytes of application-data records from the device and 2000 back. */
static inline void hf_tls(struct cfx *x, uint64_t ts, const char *dst,
			  uint16_t sport, const char *sni, size_t up)
{
	static uint8_t body[2048], hs[2100], rec[20000], chunk[16000];
	static const uint16_t ciphers[] = {0xc02f, 0x1301};
	static const uint16_t exts[] = {0, 43, 10};
	struct tb_hello h = {.legacy_version = 0x0303, .ciphers = ciphers,
			     .n_ciphers = 2, .exts = exts, .n_exts = 3,
			     .sni = sni, .version13 = true};
	struct cfx_tcp t;
	cfx_tcp_open(x, &t, HF_DEV, sport, dst, 443, ts);
	size_t n = tb_client_hello(body, sizeof body, &h);
	n = tb_handshake(hs, sizeof hs, 1, body, n);
	n = tb_record(rec, sizeof rec, 22, hs, n);
	cfx_tcp_send(x, &t, 0, ts + 3000000, rec, n);
	n = tb_server_hello(body, sizeof body, 0x0303, 0xc02f, NULL, 0, 0, 0,
			    NULL);
	n = tb_handshake(hs, sizeof hs, 2, body, n);
	n = tb_record(rec, sizeof rec, 22, hs, n);
	cfx_tcp_send(x, &t, 1, ts + 4000000, rec, n);
	memset(chunk, 0x5a, sizeof chunk);
	uint64_t at = ts + 5000000;
	for (size_t done = 0; done < up; at += 10000000) {
		size_t k = up - done < 15000 ? up - done : 15000;
		n = tb_record(rec, sizeof rec, 23, chunk, k);
		cfx_tcp_send(x, &t, 0, at, rec, n);
		done += k;
	}
	n = tb_record(rec, sizeof rec, 23, chunk, 1995);
	cfx_tcp_send(x, &t, 1, at, rec, n);
	cfx_tcp_close(x, &t, at + 1000000);
}

/* A cleartext HTTP request with this Host and a short reply. */
static inline void hf_http(struct cfx *x, uint64_t ts, const char *dst,
			   uint16_t sport, const char *host)
{
	char req[512];
	int n = snprintf(req, sizeof req, "GET /index.html HTTP/1.1\r\nHost: "
			 "%s\r\nUser-Agent: test\r\n\r\n", host);
	static const char rsp[] = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n"
				  "\r\nhello";
	struct cfx_tcp t;
	cfx_tcp_open(x, &t, HF_DEV, sport, dst, 80, ts);
	cfx_tcp_send(x, &t, 0, ts + 3000000, req, (size_t)n);
	cfx_tcp_send(x, &t, 1, ts + 4000000, rsp, sizeof rsp - 1);
	cfx_tcp_close(x, &t, ts + 5000000);
}

/* A TCP connection carrying `up` opaque bytes to dst:port. */
static inline void hf_raw(struct cfx *x, uint64_t ts, const char *dst,
			  uint16_t port, uint16_t sport, size_t up)
{
	static uint8_t data[4000];
	memset(data, 0x33, sizeof data);
	struct cfx_tcp t;
	cfx_tcp_open(x, &t, HF_DEV, sport, dst, port, ts);
	cfx_tcp_send(x, &t, 0, ts + 3000000, data, up < sizeof data ? up
								   : sizeof data);
	cfx_tcp_send(x, &t, 1, ts + 4000000, data, 100);
	cfx_tcp_close(x, &t, ts + 5000000);
}

/* The whole scene (times in seconds after HF_T0). */
static inline void hf_scene(struct cfx *x)
{
	cfx_dns_lookup(x, HF_S(1), HF_DEV, 40001, "192.168.1.1",
		       "tracker.example", 1, 0, "203.0.113.50");
	hf_tls(x, HF_S(2), "198.51.100.7", 41000, "API.Example.com", HF_UPLOAD);
	hf_http(x, HF_S(3), "203.0.113.80", 41001, "Www.Example.ORG:8080");
	hf_http(x, HF_S(4), "203.0.113.81", 41002, HF_EVIL_HOST);
	hf_raw(x, HF_S(5), "203.0.113.50", 8443, 41003, 700);
	for (unsigned i = 0; i < 5; i++)
		hf_raw(x, HF_S(100 + 60 * i), "203.0.113.99", 4444,
		       (uint16_t)(42000 + i), 300);
}

/* Runs the pipeline on x's capture filling d (and x->devices). */
static inline struct ph_findings *hf_run(struct cfx *x,
					 struct ph_destinations *d,
					 const char *const *settings,
					 unsigned nsettings)
{
	struct ph_run_config cfg;
	memset(&cfg, 0, sizeof cfg);
	cfg.destinations = d;
	cfg.settings = settings;
	cfg.nsettings = nsettings;
	return cfx_run_cfg(x, &cfg);
}

/* The entry named `name` (NULL if none); *out filled. */
static inline bool hf_dest(const struct ph_destinations *d, const char *name,
			   struct ph_destination *out)
{
	for (unsigned i = 0; i < ph_destinations_count(d); i++) {
		ph_destinations_get(d, i, out);
		if (strcmp(out->name, name) == 0)
			return true;
	}
	return false;
}

/* ---- a tiny MaxMind DB -------------------------------------------------- */

struct hf_buf {
	uint8_t b[4096];
	size_t n;
};

static inline void hf_put(struct hf_buf *w, const void *p, size_t n)
{
	if (w->n + n > sizeof w->b)
		abort();
	memcpy(w->b + w->n, p, n);
	w->n += n;
}

/* Control byte(s) of a MaxMind DB field: type 1..7 in the byte, 8.. as
 * extended (type byte 0, then type - 7); size < 29 here. */
static inline void hf_ctl(struct hf_buf *w, unsigned type, unsigned size)
{
	uint8_t c[2] = {(uint8_t)(((type < 8 ? type : 0) << 5) | size),
			(uint8_t)(type - 7)};
	hf_put(w, c, type < 8 ? 1 : 2);
}

/* A UTF-8 string of fewer than 285 bytes (29 and up: one size byte). */
static inline void hf_str(struct hf_buf *w, const char *s)
{
	size_t n = strlen(s);
	uint8_t ext = (uint8_t)(n - 29);
	hf_ctl(w, 2, n < 29 ? (unsigned)n : 29);
	if (n >= 29)
		hf_put(w, &ext, 1);
	hf_put(w, s, n);
}

static inline void hf_uint(struct hf_buf *w, unsigned type, uint64_t v,
			   unsigned bytes)
{
	hf_ctl(w, type, bytes);
	for (unsigned i = bytes; i > 0; i--) {
		uint8_t b = (uint8_t)(v >> (8 * (i - 1)));
		hf_put(w, &b, 1);
	}
}

/* Writes an IPv4 database mapping 203.0.113.0/24 to country NL
 * ("Netherlands") and AS 64500 "Example Org <b>"; returns its path. */
static inline char *hf_write_mmdb(void)
{
	enum { DEPTH = 24 };
	struct hf_buf data = {.n = 0}, meta = {.n = 0};
	hf_ctl(&data, 7, 3);
	hf_str(&data, "country");
	hf_ctl(&data, 7, 2);
	hf_str(&data, "iso_code");
	hf_str(&data, "NL");
	hf_str(&data, "names");
	hf_ctl(&data, 7, 1);
	hf_str(&data, "en");
	hf_str(&data, "Netherlands");
	hf_str(&data, "autonomous_system_organization");
	hf_str(&data, "Example Org <b>");
	hf_str(&data, "autonomous_system_number");
	hf_uint(&data, 6, 64500, 2);
	static const uint8_t net[3] = {203, 0, 113};
	uint8_t tree[DEPTH * 6];
	for (unsigned i = 0; i < DEPTH; i++) {
		unsigned bit = (net[i / 8] >> (7 - i % 8)) & 1;
		uint32_t next = i + 1 < DEPTH ? i + 1 : DEPTH + 16; /* data@0 */
		uint32_t rec[2] = {DEPTH, DEPTH};                    /* none */
		rec[bit] = next;
		for (unsigned r = 0; r < 2; r++)
			for (unsigned k = 0; k < 3; k++)
				tree[i * 6 + r * 3 + k] =
					(uint8_t)(rec[r] >> (8 * (2 - k)));
	}
	hf_put(&meta, "\xab\xcd\xefMaxMind.com", 14);
	hf_ctl(&meta, 7, 9);
	hf_str(&meta, "languages");
	hf_ctl(&meta, 11, 1);
	hf_str(&meta, "en");
	hf_str(&meta, "description");
	hf_ctl(&meta, 7, 1);
	hf_str(&meta, "en");
	hf_str(&meta, "peephole test database");
	hf_str(&meta, "node_count");
	hf_uint(&meta, 6, DEPTH, 1);
	hf_str(&meta, "record_size");
	hf_uint(&meta, 5, 24, 1);
	hf_str(&meta, "ip_version");
	hf_uint(&meta, 5, 4, 1);
	hf_str(&meta, "database_type");
	hf_str(&meta, "Test-Country-ASN");
	hf_str(&meta, "binary_format_major_version");
	hf_uint(&meta, 5, 2, 1);
	hf_str(&meta, "binary_format_minor_version");
	hf_uint(&meta, 5, 0, 1);
	hf_str(&meta, "build_epoch");
	hf_uint(&meta, 9, HF_T0, 4);
	char *path = pb_tmpfile(".mmdb");
	FILE *f = fopen(path, "wb");
	static const uint8_t sep[16];
	fwrite(tree, 1, sizeof tree, f);
	fwrite(sep, 1, sizeof sep, f);
	fwrite(data.b, 1, data.n, f);
	fwrite(meta.b, 1, meta.n, f);
	fclose(f);
	return path;
}

#endif
