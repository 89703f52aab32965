/* phgen: writes a deterministic sample capture of an Android phone's Wi-Fi
 * session, for tests, the README demo and benchmarks. This file owns the
 * command line, the per-phone setup and the time-ordered merge of phones;
 * the traffic itself is in phgen_scene.c (timeline), phgen_net.c (frames,
 * TCP), phgen_{dns,tls,quic,app}.c (payloads), phgen_out.c (pcap/pcapng,
 * gzip). Output depends only on the options: seeded splitmix64 PRNG, fixed
 * start 2026-03-14 09:00:00 UTC, microsecond timestamps.
 *
 * usage: phgen [-o FILE|-] [--seed N] [--minutes M] [--scale N]
 *              [--format pcap|pcapng] [--gzip]
 *
 * GROUND TRUTH (phone 0, default --seed 1 --minutes 10; times are seconds
 * after 09:00:00 and are compressed by M/10 when --minutes < 10).
 * Phone 192.168.1.23, MAC da:a1:19:6e:2b:17, hostname "Pixel-7", IPv6
 * fe80::/2001:db8:1:1::/64 (SLAAC); gateway, DHCP server and DNS resolver
 * 192.168.1.1 (MAC 6c:5a:b0:4e:19:01); Chromecast 192.168.1.240.
 *   0.0  DHCP DISCOVER/OFFER/REQUEST/ACK (option 12 "Pixel-7", option 60
 *        "android-dhcp-13"), ARP for the gateway, gratuitous ARP
 *   0.5  ICMPv6 router solicitation, advertisement (2001:db8:1:1::/64), DAD
 *   1.0  DNS connectivitycheck.gstatic.com, plain HTTP GET /generate_204 to
 *        142.250.178.131:80 -> 204; DNS www.google.com, TLS 1.3 over IPv6
 *        to [2a00:1450:4007:80c::2004]:443 (SNI www.google.com)
 *   2.0  DNS time.android.com, NTP to 216.239.35.4:123
 *   3.0  mDNS _googlecast._tcp.local query (IPv4 + IPv6), Chromecast answer
 *   4.0  DNS mtalk.google.com (CNAME), TLS 1.3 to 108.177.15.188:5228, kept
 *        open all session, heartbeats every 120 s
 *   6.0  DNS www.youtube.com (CNAME youtube-ui.l.google.com), QUIC v1 to
 *        142.250.185.78:443, RFC 9001 Initial with ClientHello SNI
 *        www.youtube.com, ALPN h3
 *   9.0  DNS graph.facebook.com (CNAME star.c10r.facebook.com), TLS 1.3 to
 *        157.240.202.15:443; first 60 kB response has segments 3 and 4
 *        out of order and segment 6 retransmitted 200 ms later
 *  12.0  DNS api.weather.example -> 192.0.2.10, TLS 1.2 with Certificate
 *        chain CN=api.weather.example <- "Example Weather Issuing CA"
 *  20.0  DNS static.news.example (CNAME -> CNAME -> 192.0.2.80), HTTP GET
 *        /assets/js/app.min.js (28416-byte application/javascript)
 *  30.0  BEACON to 203.0.113.50:443 every 60 s +/- 5 % jitter while the
 *        session lasts (10 with defaults; 30, ~90, ~150 ... ~570), no DNS
 *        lookup; TCP with one 142-242 byte TLS-like record out, 62-112
 *        back (application_data records, no handshake)
 *  60.0  DNS NXDOMAIN: telemetry.oldsdk.example (A and AAAA)
 *  75.0  DNS sync.adsdk.example -> 203.0.113.80, TLS 1.2 with a SELF-SIGNED
 *        cert (CN=sync.adsdk.example, O=Internet Widgits Pty Ltd, 10 years)
 * 120.0  ICMP echo x4 to 8.8.8.8, 1 s apart
 * 150.0  TCP SYN to 192.0.2.33:8443 answered by RST (closed port)
 * 200.0  CLEARTEXT PII LEAK: HTTP POST http://198.51.100.77:8080/api/v1/collect
 *        (direct to IP, no DNS) JSON with imei 356938035643809 (Luhn-valid),
 *        android_id 9774d56d682e549c, lat 48.858370 lon 2.294481
 * 300.0  DNS TUNNEL: 40 TXT queries over ~20 s, names of two random base32
 *        labels (60 + 24..44 chars) under t.tunnel.example, TXT answers
 * 420.0  INBOUND ADB: 198.51.100.9 connects to 192.168.1.23:5555, CNXN both
 *        ways, OPEN "shell:pm list packages -3", output, close
 * Background from 10 s until 5 s before the end, one fetch per ~15 s
 * (exponential): DNS (half of the time) and TLS 1.3 to Google/Facebook/
 * WhatsApp hosts (i.ytimg.com over IPv6), or 1 in 8 a QUIC burst to
 * 142.250.185.78. Nothing "bad" uses real addresses or domains.
 * --scale N adds phones k = 1..N-1 at 192.168.1.(23+k), MAC ending in
 * 2b:(17+k), hostname android-<16 hex digits>, each running the same
 * script with its own random stream, started (k * 7.919 s mod 60 s) later;
 * 200 phones x 30 minutes make about 1.2 GB. */
#include "phgen.h"

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct opts {
	const char *out;
	uint64_t seed;
	unsigned minutes, scale;
	int pcapng, gzip;
};

static void usage(FILE *f)
{
	fprintf(f, "usage: phgen [-o FILE|-] [--seed N] [--minutes M] "
		   "[--scale N] [--format pcap|pcapng] [--gzip]\n"
		   "Writes a deterministic sample capture of an Android "
		   "phone (see tools/phgen.c for its content).\n");
}

static int parse_num(const char *s, unsigned long long max,
		     unsigned long long *v)
{
	char *end;
	errno = 0;
	unsigned long long x = strtoull(s, &end, 0);
	if (errno || end == s || *end || x > max || s[0] == '-')
		return -1;
	*v = x;
	return 0;
}

static int parse_opts(int argc, char **argv, struct opts *o)
{
	static const struct option lo[] = {
		{"output", required_argument, NULL, 'o'},
		{"seed", required_argument, NULL, 's'},
		{"minutes", required_argument, NULL, 'm'},
		{"scale", required_argument, NULL, 'n'},
		{"format", required_argument, NULL, 'f'},
		{"gzip", no_argument, NULL, 'z'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0}};
	unsigned long long v;
	int c;
	while ((c = getopt_long(argc, argv, "o:s:m:n:f:zh", lo, NULL)) != -1) {
		switch (c) {
		case 'o': o->out = optarg; break;
		case 's':
			if (parse_num(optarg, UINT64_MAX, &v))
				return -1;
			o->seed = v;
			break;
		case 'm':
		case 'n':
			if (parse_num(optarg, c == 'm' ? 1440 : PG_MAX_SCALE,
				      &v) || v == 0)
				return -1;
			*(c == 'm' ? &o->minutes : &o->scale) = (unsigned)v;
			break;
		case 'f':
			if (strcmp(optarg, "pcap") && strcmp(optarg, "pcapng"))
				return -1;
			o->pcapng = strcmp(optarg, "pcapng") == 0;
			break;
		case 'z': o->gzip = 1; break;
		case 'h': usage(stdout); exit(0);
		default: return -1;
		}
	}
	return optind == argc ? 0 : -1;
}

static void phone_init(struct pg_phone *ph, int k, const struct opts *o,
		       struct pg_store *st)
{
	static const uint8_t mac0[6] = {0xda, 0xa1, 0x19, 0x6e, 0x2b, 0x17};
	uint8_t iid[16];
	memset(ph, 0, sizeof *ph);
	ph->idx = k;
	ph->out = st;
	ph->dur = (uint64_t)o->minutes * 60 * PG_S;
	ph->rng.s = o->seed * 0x2545f4914f6cdd1dull + (uint64_t)k * 7919;
	memcpy(ph->mac, mac0, 6);
	ph->mac[4] = (uint8_t)(ph->mac[4] + (k >> 8));
	ph->mac[5] = (uint8_t)(ph->mac[5] + k);
	snprintf(ph->ip4s, sizeof ph->ip4s, "192.168.1.%u",
		 (unsigned)(uint8_t)(23 + k));
	ph->ip4 = pb_ip4(ph->ip4s);
	pg_fill(&ph->rng, iid, sizeof iid);
	ph->ip6 = pb_ip6("2001:db8:1:1::");
	memcpy(ph->ip6.a + 8, iid, 8);
	ph->ll6 = pb_ip6("fe80::");
	memcpy(ph->ll6.a + 8, iid + 8, 8);
	ph->ip_id = (uint16_t)pg_rand(&ph->rng);
	ph->next_port = (uint16_t)pg_range(&ph->rng, 32768, 60999);
}

static uint64_t phone_offset(int k)
{
	return (uint64_t)k * 7919 * PG_MS % (60 * PG_S);
}

/* Phone k's frames, time-sorted, into st. */
static int gen_phone(int k, const struct opts *o, struct pg_store *st)
{
	struct pg_phone ph;
	memset(st, 0, sizeof *st);
	phone_init(&ph, k, o, st);
	if (pg_scene_run(&ph)) {
		pg_store_free(st);
		return -1;
	}
	pg_store_sort(st);
	return 0;
}

/* Spilled phone: records of (u64 ts, u32 len, frame) in a temp file. */
struct spill {
	FILE *f;
	uint64_t ts;
	uint32_t len;
	int live;
	uint8_t buf[PG_FRAME_MAX + 64];
};

static void spill_next(struct spill *s)
{
	s->live = fread(&s->ts, sizeof s->ts, 1, s->f) == 1 &&
		  fread(&s->len, sizeof s->len, 1, s->f) == 1 &&
		  s->len <= sizeof s->buf &&
		  fread(s->buf, 1, s->len, s->f) == s->len;
}

static int spill_phone(int k, const struct opts *o, struct spill *s)
{
	struct pg_store st;
	if (gen_phone(k, o, &st))
		return -1;
	s->f = tmpfile();
	int err = s->f == NULL;
	for (size_t i = 0; i < st.n && !err; i++) {
		uint64_t ts = st.v[i].ts + phone_offset(k);
		err = fwrite(&ts, sizeof ts, 1, s->f) != 1 ||
		      fwrite(&st.v[i].len, sizeof st.v[i].len, 1, s->f) != 1 ||
		      fwrite(st.data + st.v[i].off, 1, st.v[i].len, s->f) !=
			      st.v[i].len;
	}
	pg_store_free(&st);
	if (err || fflush(s->f) || fseek(s->f, 0, SEEK_SET))
		return -1;
	spill_next(s);
	return 0;
}

/* Merges the spilled phones by time (ties: lower phone first). */
static int merge_spills(struct spill *s, unsigned n, struct pg_out *w)
{
	for (;;) {
		int best = -1;
		for (unsigned i = 0; i < n; i++)
			if (s[i].live && (best < 0 || s[i].ts < s[best].ts))
				best = (int)i;
		if (best < 0)
			return 0;
		if (pg_out_frame(w, s[best].ts, s[best].buf, s[best].len))
			return -1;
		spill_next(&s[best]);
	}
}

static int write_all(const struct opts *o, struct pg_out *w)
{
	if (o->scale == 1) {
		struct pg_store st;
		int err = gen_phone(0, o, &st);
		for (size_t i = 0; i < st.n && !err; i++)
			err = pg_out_frame(w, st.v[i].ts,
					   st.data + st.v[i].off, st.v[i].len);
		pg_store_free(&st);
		return err;
	}
	struct spill *s = calloc(o->scale, sizeof *s);
	int err = s == NULL;
	for (unsigned k = 0; k < o->scale && !err; k++)
		err = spill_phone((int)k, o, &s[k]);
	if (!err)
		err = merge_spills(s, o->scale, w);
	for (unsigned k = 0; s && k < o->scale; k++)
		if (s[k].f)
			fclose(s[k].f);
	free(s);
	return err;
}

int main(int argc, char **argv)
{
	struct opts o = {NULL, 1, 10, 1, 0, 0};
	if (parse_opts(argc, argv, &o)) {
		usage(stderr);
		return 2;
	}
	int to_stdout = o.out == NULL || strcmp(o.out, "-") == 0;
	if (to_stdout && isatty(STDOUT_FILENO)) {
		fprintf(stderr, "phgen: refusing to write a binary capture to a "
				"terminal; use -o FILE or redirect stdout\n");
		return 2;
	}
	FILE *f = to_stdout ? stdout : fopen(o.out, "wb");
	if (!f) {
		fprintf(stderr, "phgen: %s: %s\n", o.out, strerror(errno));
		return 1;
	}
	struct pg_out *w = pg_out_open(f, o.pcapng, o.gzip);
	int err = w == NULL || write_all(&o, w);
	if (w && pg_out_close(w))
		err = 1;
	if ((!to_stdout && fclose(f)) || err) {
		fprintf(stderr, "phgen: failed to write the capture\n");
		return 1;
	}
	return 0;
}
