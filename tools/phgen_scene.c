/* phgen scenario: one Android phone's session, as listed in the ground
 * truth at the top of tools/phgen.c. One-shot events are generated first,
 * in a fixed order, so their content does not depend on --minutes; then
 * the 60 s beacon, the FCM heartbeats and the background browsing, whose
 * amount grows with the session length. Times are given for a 10-minute
 * session and compressed proportionally for shorter ones. */
#include "phgen.h"

#include <math.h>
#include <string.h>
#include <time.h>

#define RR(n, t, d) {n, t, 300, d}

static const struct pg_dns_rr rr_check[] = {
	RR("connectivitycheck.gstatic.com", PG_DNS_A, "142.250.178.131"),
	RR("connectivitycheck.gstatic.com", PG_DNS_AAAA,
	   "2a00:1450:4007:818::2003")};
static const struct pg_dns_rr rr_google[] = {
	RR("www.google.com", PG_DNS_A, "142.250.179.100"),
	RR("www.google.com", PG_DNS_AAAA, "2a00:1450:4007:80c::2004")};
static const struct pg_dns_rr rr_time[] = {
	RR("time.android.com", PG_DNS_A, "216.239.35.4"),
	RR("time.android.com", PG_DNS_AAAA, "2001:4860:4806:4::")};
static const struct pg_dns_rr rr_mtalk[] = {
	RR("mtalk.google.com", PG_DNS_CNAME, "mobile-gtalk.l.google.com"),
	RR("mobile-gtalk.l.google.com", PG_DNS_A, "108.177.15.188")};
static const struct pg_dns_rr rr_youtube[] = {
	RR("www.youtube.com", PG_DNS_CNAME, "youtube-ui.l.google.com"),
	RR("youtube-ui.l.google.com", PG_DNS_A, "142.250.185.78"),
	RR("youtube-ui.l.google.com", PG_DNS_A, "142.250.185.110"),
	RR("youtube-ui.l.google.com", PG_DNS_AAAA,
	   "2a00:1450:4007:80b::200e")};
static const struct pg_dns_rr rr_fb[] = {
	RR("graph.facebook.com", PG_DNS_CNAME, "star.c10r.facebook.com"),
	RR("star.c10r.facebook.com", PG_DNS_A, "157.240.202.15"),
	RR("star.c10r.facebook.com", PG_DNS_AAAA,
	   "2a03:2880:f10d:83:face:b00c:0:25de")};
static const struct pg_dns_rr rr_weather[] = {
	RR("api.weather.example", PG_DNS_A, "192.0.2.10")};
static const struct pg_dns_rr rr_news[] = {
	RR("static.news.example", PG_DNS_CNAME,
	   "static.news.example.edgekey.example"),
	RR("static.news.example.edgekey.example", PG_DNS_CNAME,
	   "e1234.a.akamaiedge.example"),
	RR("e1234.a.akamaiedge.example", PG_DNS_A, "192.0.2.80")};
static const struct pg_dns_rr rr_adsdk[] = {
	RR("sync.adsdk.example", PG_DNS_A, "203.0.113.80")};
static const struct pg_dns_rr rr_play[] = {
	RR("play.googleapis.com", PG_DNS_A, "142.250.201.170"),
	RR("play.googleapis.com", PG_DNS_AAAA, "2a00:1450:4007:819::200a")};
static const struct pg_dns_rr rr_android[] = {
	RR("android.clients.google.com", PG_DNS_CNAME, "android.l.google.com"),
	RR("android.l.google.com", PG_DNS_A, "142.250.179.110")};
static const struct pg_dns_rr rr_ytimg[] = {
	RR("i.ytimg.com", PG_DNS_A, "142.250.75.246"),
	RR("i.ytimg.com", PG_DNS_AAAA, "2a00:1450:4007:80d::2016")};
static const struct pg_dns_rr rr_fbcdn[] = {
	RR("scontent-cdg4-1.xx.fbcdn.net", PG_DNS_A, "157.240.202.17")};
static const struct pg_dns_rr rr_wa[] = {
	RR("g.whatsapp.net", PG_DNS_CNAME, "mmx-ds.cdn.whatsapp.net"),
	RR("mmx-ds.cdn.whatsapp.net", PG_DNS_A, "157.240.202.60")};

#define N(a) ((int)(sizeof a / sizeof a[0]))

static const char ua_dalvik[] =
	"Dalvik/2.1.0 (Linux; U; Android 14; Pixel 7 Build/UQ1A.240205.004)";
static const char ua_chrome[] =
	"Mozilla/5.0 (Linux; Android 14; Pixel 7) AppleWebKit/537.36 "
	"(KHTML, like Gecko) Chrome/122.0.6261.119 Mobile Safari/537.36";

/* A one-shot event time: sec into a 10-minute session, compressed for
 * shorter sessions. */
static uint64_t at(const struct pg_phone *ph, double sec)
{
	double f = ph->dur < 600 * PG_S ? (double)ph->dur / (600.0 * PG_S) : 1;
	return (uint64_t)(sec * f * PG_S);
}

static void http_date(char *out, size_t n, uint64_t t)
{
	time_t s = (time_t)(PG_EPOCH_S + t / PG_S);
	struct tm tm;
	gmtime_r(&s, &tm);
	strftime(out, n, "%a, %d %b %Y %H:%M:%S GMT", &tm);
}

/* A TLS session over a fresh connection from the phone, closed after. */
static uint64_t tls_conn(struct pg_phone *ph, uint64_t t, const char *ip,
			 uint16_t port, const struct pg_tls_plan *p)
{
	struct pg_tcp c;
	struct pg_ep srv = pg_remote(ip, port);
	struct pg_ep me = pg_phone_ep(ph, srv.ip.v6, pg_eport(ph));
	pg_tcp_init(&c, ph, &me, &srv, 1, t,
		    pg_range(&ph->rng, 12, 45) * PG_MS);
	pg_tcp_open(&c);
	pg_tls_session(&c, p);
	pg_tcp_close(&c, pg_range(&ph->rng, 0, 3) != 0);
	return c.t;
}

static void plan13(struct pg_tls_plan *p, const char *sni, int ex,
		   size_t req, size_t resp)
{
	memset(p, 0, sizeof *p);
	p->sni = sni;
	p->tls13 = 1;
	p->exchanges = ex;
	p->req_len = req;
	p->resp_len = resp;
	p->think = 30 * PG_MS;
}

static uint64_t connectivity_check(struct pg_phone *ph, uint64_t t)
{
	char req[512], head[256], date[64];
	struct pg_tls_plan p;
	t = pg_dns_lookup(ph, t, "connectivitycheck.gstatic.com", rr_check,
			  N(rr_check), 0);
	struct pg_ep srv = pg_remote("142.250.178.131", 80);
	int n = snprintf(req, sizeof req,
			 "GET /generate_204 HTTP/1.1\r\nUser-Agent: %s\r\n"
			 "Host: connectivitycheck.gstatic.com\r\n"
			 "Connection: Keep-Alive\r\nAccept-Encoding: gzip\r\n"
			 "\r\n", ua_dalvik);
	http_date(date, sizeof date, t);
	snprintf(head, sizeof head, "HTTP/1.1 204 No Content\r\nDate: %s\r\n",
		 date);
	uint64_t e = pg_http(ph, t + 500, &srv, req, (size_t)n, head, "", 0);
	t = pg_dns_lookup(ph, t + 2 * PG_MS, "www.google.com", rr_google,
			  N(rr_google), 0);
	plan13(&p, "www.google.com", 1, 420, 180);
	uint64_t e2 = tls_conn(ph, t + 300, "2a00:1450:4007:80c::2004", 443, &p);
	return e > e2 ? e : e2;
}

static uint64_t facebook_with_faults(struct pg_phone *ph, uint64_t t)
{
	struct pg_tls_plan p;
	t = pg_dns_lookup(ph, t, "graph.facebook.com", rr_fb, N(rr_fb), 0);
	plan13(&p, "graph.facebook.com", 2, 650, 60000);
	p.faults = 1;
	return tls_conn(ph, t + 400, "157.240.202.15", 443, &p);
}

static uint64_t tls12_host(struct pg_phone *ph, uint64_t t, const char *name,
			   const struct pg_dns_rr *rr, int nrr, int odd)
{
	static const uint8_t *const weather[] = {pg_cert_weather_leaf,
						 pg_cert_weather_ca};
	static const uint8_t *const self[] = {pg_cert_odd_self};
	size_t wl[2] = {pg_cert_weather_leaf_len, pg_cert_weather_ca_len};
	size_t sl[1] = {pg_cert_odd_self_len};
	struct pg_tls_plan p;
	t = pg_dns_lookup(ph, t, name, rr, nrr, 0);
	plan13(&p, name, odd ? 3 : 2, odd ? 1800 : 380, odd ? 220 : 2600);
	p.tls13 = 0;
	p.certs = odd ? self : weather;
	p.cert_lens = odd ? sl : wl;
	p.ncerts = odd ? 1 : 2;
	return tls_conn(ph, t + 350, rr[nrr - 1].data, 443, &p);
}

static uint64_t news_js(struct pg_phone *ph, uint64_t t)
{
	char req[640], head[384], date[64];
	t = pg_dns_lookup(ph, t, "static.news.example", rr_news, N(rr_news), 0);
	struct pg_ep srv = pg_remote("192.0.2.80", 80);
	int n = snprintf(req, sizeof req,
			 "GET /assets/js/app.min.js HTTP/1.1\r\n"
			 "Host: static.news.example\r\nConnection: keep-alive\r\n"
			 "User-Agent: %s\r\nAccept: */*\r\n"
			 "Referer: http://news.example/\r\n"
			 "Accept-Encoding: gzip, deflate\r\n"
			 "Accept-Language: en-US,en;q=0.9\r\n\r\n", ua_chrome);
	http_date(date, sizeof date, t);
	snprintf(head, sizeof head,
		 "HTTP/1.1 200 OK\r\nDate: %s\r\nServer: nginx\r\n"
		 "Content-Type: application/javascript\r\n"
		 "Cache-Control: max-age=86400\r\n"
		 "Last-Modified: Tue, 03 Mar 2026 10:12:44 GMT\r\n", date);
	return pg_http(ph, t + 400, &srv, req, (size_t)n, head, NULL, 28416);
}

static uint64_t pii_leak(struct pg_phone *ph, uint64_t t)
{
	static const char body[] =
		"{\"imei\":\"356938035643809\",\"android_id\":\"9774d56d682e549c\","
		"\"model\":\"Pixel 7\",\"lat\":48.858370,\"lon\":2.294481,"
		"\"acc\":12.5,\"ts\":1773479000,\"apps\":[\"com.example.weather\","
		"\"com.example.flashlight.pro\"]}";
	char req[1024], head[256], date[64];
	struct pg_ep srv = pg_remote("198.51.100.77", 8080);
	int n = snprintf(req, sizeof req,
			 "POST /api/v1/collect HTTP/1.1\r\n"
			 "Content-Type: application/json; charset=utf-8\r\n"
			 "User-Agent: %s\r\nHost: 198.51.100.77:8080\r\n"
			 "Connection: Keep-Alive\r\nAccept-Encoding: gzip\r\n"
			 "Content-Length: %zu\r\n\r\n%s",
			 ua_dalvik, sizeof body - 1, body);
	http_date(date, sizeof date, t);
	snprintf(head, sizeof head,
		 "HTTP/1.1 200 OK\r\nDate: %s\r\n"
		 "Content-Type: application/json\r\n", date);
	return pg_http(ph, t, &srv, req, (size_t)n, head,
		       "{\"status\":\"ok\",\"next\":300}", 26);
}

static uint64_t closed_port(struct pg_phone *ph, uint64_t t)
{
	struct pg_tcp c;
	struct pg_ep srv = pg_remote("192.0.2.33", 8443);
	struct pg_ep me = pg_phone_ep(ph, 0, pg_eport(ph));
	pg_tcp_init(&c, ph, &me, &srv, 1, t, 48 * PG_MS);
	pg_tcp_refused(&c);
	return c.t;
}

/* 40 TXT queries with ~100-character base32 names under tunnel.example. */
static uint64_t dns_tunnel(struct pg_phone *ph, uint64_t t)
{
	static const char b32[] = "abcdefghijklmnopqrstuvwxyz234567";
	static const char b64[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	char l1[64], l2[64], name[200], txt[200];
	for (int i = 0; i < 40; i++) {
		pg_rand_text(&ph->rng, l1, 60, b32);
		pg_rand_text(&ph->rng, l2, pg_range(&ph->rng, 24, 44), b32);
		snprintf(name, sizeof name, "%s.%s.t.tunnel.example", l1, l2);
		pg_rand_text(&ph->rng, txt, pg_range(&ph->rng, 60, 180), b64);
		struct pg_dns_rr an = {name, PG_DNS_TXT, 0, txt};
		pg_dns_query1(ph, t, name, PG_DNS_TXT, &an, 1, 0, NULL);
		t += pg_range(&ph->rng, 250, 750) * PG_MS;
	}
	return t;
}

static uint64_t youtube_quic(struct pg_phone *ph, uint64_t t, int dns,
			     int nshort)
{
	struct pg_ep srv = pg_remote("142.250.185.78", 443);
	struct pg_ep me = pg_phone_ep(ph, 0, pg_eport(ph));
	if (dns)
		t = pg_dns_lookup(ph, t, "www.youtube.com", rr_youtube,
				  N(rr_youtube), 0);
	pg_quic_session(ph, t + 200, &me, &srv, "www.youtube.com", nshort);
	return t;
}

/* The fixed events of the ground truth, in a fixed order. */
static void one_shots(struct pg_phone *ph, struct pg_tcp *fcm)
{
	struct pg_tls_plan p;
	char host[32] = "Pixel-7";
	if (ph->idx)
		snprintf(host, sizeof host, "android-%016llx",
			 (unsigned long long)(0x3f9a7c2e5b11d4e7ull * ph->idx));
	pg_dhcp(ph, at(ph, 0), host);
	pg_ipv6_setup(ph, at(ph, 0.5));
	connectivity_check(ph, at(ph, 1.0));
	pg_ntp(ph, pg_dns_lookup(ph, at(ph, 2.0), "time.android.com", rr_time,
				 N(rr_time), 0) + 300, "216.239.35.4");
	pg_mdns(ph, at(ph, 3.0), 1);
	uint64_t t = pg_dns_lookup(ph, at(ph, 4.0), "mtalk.google.com",
				   rr_mtalk, N(rr_mtalk), 0);
	struct pg_ep me = pg_phone_ep(ph, 0, pg_eport(ph));
	struct pg_ep srv = pg_remote("108.177.15.188", 5228);
	pg_tcp_init(fcm, ph, &me, &srv, 1, t + 300, 25 * PG_MS);
	pg_tcp_open(fcm);
	plan13(&p, "mtalk.google.com", 1, 210, 140);
	pg_tls_session(fcm, &p);
	youtube_quic(ph, at(ph, 6.0), 1, 40);
	facebook_with_faults(ph, at(ph, 9.0));
	tls12_host(ph, at(ph, 12.0), "api.weather.example", rr_weather,
		   N(rr_weather), 0);
	news_js(ph, at(ph, 20.0));
	pg_dns_lookup(ph, at(ph, 60.0), "telemetry.oldsdk.example", NULL, 0, 3);
	tls12_host(ph, at(ph, 75.0), "sync.adsdk.example", rr_adsdk,
		   N(rr_adsdk), 1);
	pg_ping(ph, at(ph, 120.0), "8.8.8.8", 4);
	closed_port(ph, at(ph, 150.0));
	pii_leak(ph, at(ph, 200.0));
	dns_tunnel(ph, at(ph, 300.0));
	pg_adb_inbound(ph, at(ph, 420.0), "198.51.100.9");
}

/* Beacon: a short TLS-looking exchange with 203.0.113.50:443, no DNS. */
static void beacons(struct pg_phone *ph)
{
	uint64_t t = at(ph, 30.0);
	while (t + 2 * PG_S < ph->dur) {
		struct pg_tcp c;
		uint8_t m[512];
		struct pg_ep srv = pg_remote("203.0.113.50", 443);
		struct pg_ep me = pg_phone_ep(ph, 0, pg_eport(ph));
		pg_tcp_init(&c, ph, &me, &srv, 1, t,
			    pg_range(&ph->rng, 90, 110) * PG_MS);
		pg_tcp_open(&c);
		pg_tcp_send(&c, 1, m, pg_tls_appdata(m, sizeof m, &ph->rng,
			    pg_range(&ph->rng, 120, 220)), 400);
		pg_tcp_send(&c, 0, m, pg_tls_appdata(m, sizeof m, &ph->rng,
			    pg_range(&ph->rng, 40, 90)), 15 * PG_MS);
		pg_tcp_close(&c, 1);
		t += (uint64_t)(60.0 * PG_S * (0.95 + 0.1 * pg_unif(&ph->rng)));
	}
}

static void fcm_heartbeats(struct pg_phone *ph, struct pg_tcp *fcm)
{
	uint8_t m[512];
	for (uint64_t t = fcm->t + 120 * PG_S; t + PG_S < ph->dur;
	     t += 120 * PG_S) {
		fcm->t = t;
		pg_tcp_send(fcm, 1, m, pg_tls_appdata(m, sizeof m, &ph->rng, 9),
			    0);
		pg_tcp_send(fcm, 0, m, pg_tls_appdata(m, sizeof m, &ph->rng, 9),
			    2 * PG_MS);
	}
}

struct bg_host {
	const char *name;
	const struct pg_dns_rr *rr;
	int nrr;
	const char *ip;
	size_t max_resp;
};

static const struct bg_host bg_hosts[] = {
	{"www.google.com", rr_google, 2, "142.250.179.100", 60000},
	{"play.googleapis.com", rr_play, 2, "142.250.201.170", 40000},
	{"android.clients.google.com", rr_android, 2, "142.250.179.110", 12000},
	{"i.ytimg.com", rr_ytimg, 2, "2a00:1450:4007:80d::2016", 90000},
	{"graph.facebook.com", rr_fb, 3, "157.240.202.15", 20000},
	{"scontent-cdg4-1.xx.fbcdn.net", rr_fbcdn, 1, "157.240.202.17", 100000},
	{"g.whatsapp.net", rr_wa, 2, "157.240.202.60", 6000},
};

/* Browsing and app sync every ~15 s: DNS (half the time), TLS 1.3 fetch;
 * one pick in eight is a QUIC burst to YouTube instead. */
static void background(struct pg_phone *ph)
{
	uint64_t t = at(ph, 10.0);
	for (;;) {
		t += (uint64_t)(-log(1.0 - pg_unif(&ph->rng)) * 15.0 * PG_S);
		if (t + 5 * PG_S >= ph->dur)
			break;
		if (pg_range(&ph->rng, 0, 7) == 0) {
			youtube_quic(ph, t, pg_range(&ph->rng, 0, 1),
				     (int)pg_range(&ph->rng, 20, 80));
			continue;
		}
		const struct bg_host *h =
			&bg_hosts[pg_range(&ph->rng, 0, N(bg_hosts) - 1)];
		uint64_t s = t;
		if (pg_range(&ph->rng, 0, 1))
			s = pg_dns_lookup(ph, t, h->name, h->rr, h->nrr, 0) + 300;
		struct pg_tls_plan p;
		double lg = log(1000.0) + pg_unif(&ph->rng) *
					  (log((double)h->max_resp) - log(1000.0));
		int ex = (int)pg_range(&ph->rng, 1, 3);
		plan13(&p, h->name, ex, pg_range(&ph->rng, 250, 900),
		       (size_t)exp(lg) / (size_t)ex);
		tls_conn(ph, s, h->ip, 443, &p);
	}
}

int pg_scene_run(struct pg_phone *ph)
{
	struct pg_tcp fcm;
	if (pg_quic_selftest())
		return -1;
	one_shots(ph, &fcm);
	beacons(ph);
	fcm_heartbeats(ph, &fcm);
	background(ph);
	return ph->out->err ? -1 : 0;
}
