/* Indicator store benchmark: generates N synthetic indicators (70% domains,
 * 20% IPv4/IPv6 addresses and CIDR ranges, 10% SHA-256 file hashes; four
 * sources, 50 campaigns) through ph_intel_add, then times lookups that hit
 * and lookups that miss. Prints one line of key=value figures: load time,
 * peak RSS and store growth (getrusage), and ns per lookup. Times are CPU
 * time (generation excluded). Deterministic (fixed seed). Run by
 * bench/ioc.sh. usage: ioc_bench [N] [LOOKUPS] */
#include <arpa/inet.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "peephole/intel.h"

#define NKEYS 100000 /* distinct lookup keys, cycled */

static uint64_t mix(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ull;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
	return x ^ (x >> 31);
}

/* CPU time of the process: the machines we bench on are shared. */
static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static long peak_rss_kb(void)
{
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_maxrss;
}

static const char *const tlds[] = {"net", "org", "info", "xyz", "tk",
				   "ru", "top", "io"};
/* Prefix lengths as feeds use them (a lookup probes each length once). */
static const unsigned v4len[] = {16, 20, 22, 24};
static const unsigned v6len[] = {32, 48, 56, 64, 128};
static const char *const cats[] = {"spyware", "stalkerware", "tracker",
				   "c2", "phishing"};

/* Indicator i: its type and text. */
static enum ph_ioc_type gen(uint64_t i, char *buf, size_t cap)
{
	uint64_t r = mix(i), s = mix(r);
	unsigned kind = (unsigned)(i % 10);
	if (kind < 7) {
		if (r & 1)
			snprintf(buf, cap, "s%" PRIx64 ".c%u.%s", i,
				 (unsigned)(s % 1000), tlds[s % 8]);
		else
			snprintf(buf, cap, "d%" PRIx64 ".%s", i, tlds[s % 8]);
		return PH_IOC_DOMAIN;
	}
	if (kind < 9) {
		unsigned v = (unsigned)(r >> 8);
		if (i % 4 == 0)
			snprintf(buf, cap, "%x:%x:%x::%x/%u", 0x2000 | (v & 0xfff),
				 (unsigned)(s & 0xffff), (unsigned)(i & 0xffff),
				 (unsigned)(s >> 48), v6len[s % 5]);
		else if (i % 4 == 1)
			snprintf(buf, cap, "%u.%u.%u.0/%u", 11 + v % 200,
				 (v >> 8) & 255, (v >> 16) & 255,
				 v4len[s % 4]);
		else
			snprintf(buf, cap, "%u.%u.%u.%u", 11 + v % 200,
				 (v >> 8) & 255, (v >> 16) & 255, (v >> 24) & 255);
		return PH_IOC_IP;
	}
	uint64_t h = r;
	for (int k = 0; k < 4; k++, h = mix(h))
		snprintf(buf + 16 * k, cap - 16 * (size_t)k, "%016" PRIx64, h);
	return PH_IOC_FILE_HASH;
}

static int load(struct ph_intel *in, uint64_t n, double *secs)
{
	char buf[128], camp[32];
	uint64_t sum = 0;
	double t0 = now();
	for (uint64_t i = 0; i < n; i++) /* generation alone, subtracted */
		sum += (uint64_t)gen(i, buf, sizeof buf) + (uint8_t)buf[3];
	double t1 = now();
	for (uint64_t i = 0; i < n; i++) {
		struct ph_ioc_entry e = {.type = gen(i, buf, sizeof buf),
					 .value = buf, .campaign = camp,
					 .category = cats[i % 5]};
		e.len = strlen(buf);
		snprintf(camp, sizeof camp, "campaign-%u", (unsigned)(mix(i) % 50));
		if (ph_intel_add(in, (unsigned)(i % 4), &e) < 0)
			return -1;
	}
	double t2 = now();
	*secs = (t2 - t1) - (t1 - t0);
	return sum == 0 ? -1 : 0;
}

/* Lookup keys: domain hits are subdomains of loaded names. */
struct keys {
	char dom_hit[NKEYS][48], dom_miss[NKEYS][48];
	char hash_hit[NKEYS][72], hash_miss[NKEYS][72];
	uint8_t ip_hit[NKEYS][16], ip_miss[NKEYS][16];
	int ip_hit_ver[NKEYS];
};

static void make_keys(struct keys *k, uint64_t n)
{
	char buf[128];
	for (unsigned j = 0; j < NKEYS; j++) {
		uint64_t r = mix(j + 0x5eed);
		uint64_t d = (r % (n / 10 + 1)) * 10 + r % 7; /* a domain */
		gen(d < n ? d : 0, buf, sizeof buf);
		snprintf(k->dom_hit[j], 48, "www.%.40s", buf);
		snprintf(k->dom_miss[j], 48, "www.m%u.nowhere%u.com", j, j % 7);
		uint64_t hsh = (r % (n / 10 + 1)) * 10 + 9;
		gen(hsh < n ? hsh : 9, k->hash_hit[j], 72);
		gen(n * 10 + 9 + j * 10ull, k->hash_miss[j], 72);
		uint64_t ip = (r % (n / 10 + 1)) * 10 + 7 + (r >> 40) % 2;
		gen(ip < n ? ip : 7, buf, sizeof buf);
		char *slash = strchr(buf, '/');
		if (slash)
			*slash = 0;
		k->ip_hit_ver[j] = strchr(buf, ':') ? 6 : 4;
		inet_pton(k->ip_hit_ver[j] == 4 ? AF_INET : AF_INET6, buf,
			  k->ip_hit[j]);
		uint64_t m = mix(r);
		k->ip_miss[j][0] = (uint8_t)(224 + m % 16); /* never generated */
		memcpy(k->ip_miss[j] + 1, &m, 3);
	}
}

typedef unsigned (*lookup_fn)(struct ph_intel *in, struct keys *k,
			      unsigned j);

static unsigned l_dom_hit(struct ph_intel *in, struct keys *k, unsigned j)
{
	struct ph_ioc_hit h[8];
	return ph_intel_match(in, PH_IOC_DOMAIN, k->dom_hit[j],
			      strlen(k->dom_hit[j]), h, 8);
}

static unsigned l_dom_miss(struct ph_intel *in, struct keys *k, unsigned j)
{
	struct ph_ioc_hit h[8];
	return ph_intel_match(in, PH_IOC_DOMAIN, k->dom_miss[j],
			      strlen(k->dom_miss[j]), h, 8);
}

static unsigned l_ip_hit(struct ph_intel *in, struct keys *k, unsigned j)
{
	struct ph_ioc_hit h[8];
	return ph_intel_match_ip(in, k->ip_hit[j], k->ip_hit_ver[j], h, 8);
}

static unsigned l_ip_miss(struct ph_intel *in, struct keys *k, unsigned j)
{
	struct ph_ioc_hit h[8];
	return ph_intel_match_ip(in, k->ip_miss[j], 4, h, 8);
}

static unsigned l_hash_hit(struct ph_intel *in, struct keys *k, unsigned j)
{
	struct ph_ioc_hit h[8];
	return ph_intel_match(in, PH_IOC_FILE_HASH, k->hash_hit[j], 64, h, 8);
}

static unsigned l_hash_miss(struct ph_intel *in, struct keys *k, unsigned j)
{
	struct ph_ioc_hit h[8];
	return ph_intel_match(in, PH_IOC_FILE_HASH, k->hash_miss[j], 64, h, 8);
}

/* ns per lookup over `ops` lookups; *hit_pct: share that found >= 1. */
static double time_lookups(struct ph_intel *in, struct keys *k, lookup_fn f,
			   uint64_t ops, double *hit_pct)
{
	uint64_t found = 0;
	double t0 = now();
	for (uint64_t i = 0; i < ops; i++)
		found += f(in, k, (unsigned)(i % NKEYS)) > 0;
	double t1 = now();
	*hit_pct = 100.0 * (double)found / (double)ops;
	return (t1 - t0) * 1e9 / (double)ops;
}

int main(int argc, char **argv)
{
	uint64_t n = argc > 1 ? strtoull(argv[1], NULL, 10) : 1000000;
	uint64_t ops = argc > 2 ? strtoull(argv[2], NULL, 10) : 2000000;
	struct keys *k = calloc(1, sizeof *k);
	struct ph_intel *in = ph_intel_new();
	if (!k || !in || n < 10 || ops == 0)
		return 2;
	make_keys(k, n);
	long rss0 = peak_rss_kb();
	for (int s = 0; s < 4; s++) {
		char name[16];
		snprintf(name, sizeof name, "src%d", s);
		struct ph_intel_source_info info = {.name = name};
		if (ph_intel_source_add(in, &info, NULL) < 0)
			return 2;
	}
	double secs;
	if (load(in, n, &secs) < 0)
		return 1;
	long rss1 = peak_rss_kb();
	printf("n=%" PRIu64 " stored=%" PRIu64 " load_s=%.3f rss_mb=%.1f "
	       "store_mb=%.1f",
	       n, ph_intel_count(in), secs, rss1 / 1024.0, (rss1 - rss0) / 1024.0);
	static const struct {
		const char *name;
		lookup_fn f;
	} runs[] = {{"dom_hit", l_dom_hit},   {"dom_miss", l_dom_miss},
		    {"ip_hit", l_ip_hit},     {"ip_miss", l_ip_miss},
		    {"hash_hit", l_hash_hit}, {"hash_miss", l_hash_miss}};
	for (unsigned r = 0; r < sizeof runs / sizeof runs[0]; r++) {
		double pct, ns = time_lookups(in, k, runs[r].f, ops, &pct);
		printf(" %s_ns=%.0f %s_found=%.0f%%", runs[r].name, ns,
		       runs[r].name, pct);
	}
	printf("\n");
	ph_intel_free(in);
	free(k);
	return 0;
}
