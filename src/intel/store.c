/* The indicator store's public face (include/peephole/intel.h): sources
 * and their counters, ph_intel_add/ph_intel_match dispatch by type to
 * store_domain.c, store_ip.c and store_hash.c, the feed sink, and type
 * names. Storage is in store_table.c. Caps: PH_INTEL_MAX_SOURCES sources,
 * PH_INTEL_UNSUPPORTED_KEEP examples per source; the match functions
 * allocate nothing (except libidn2 for non-ASCII names). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "intel/store_int.h"

static const char *const type_names[PH_IOC_TYPE_COUNT] = {
	[PH_IOC_DOMAIN] = "domain",           [PH_IOC_IP] = "ip",
	[PH_IOC_URL] = "url",                 [PH_IOC_EMAIL] = "email",
	[PH_IOC_CERT_SHA1] = "cert_sha1",     [PH_IOC_CERT_SHA256] = "cert_sha256",
	[PH_IOC_JA3] = "ja3",                 [PH_IOC_JA3S] = "ja3s",
	[PH_IOC_JA4] = "ja4",                 [PH_IOC_APP_ID] = "app_id",
	[PH_IOC_FILE_HASH] = "file_hash",     [PH_IOC_NS] = "ns",
};

const char *ph_ioc_type_name(enum ph_ioc_type t)
{
	return (unsigned)t < PH_IOC_TYPE_COUNT ? type_names[t] : "unknown";
}

struct ph_intel *ph_intel_new(void)
{
	struct ph_intel *in = calloc(1, sizeof *in);
	if (!in)
		return NULL;
	uint8_t k[16] = "peephole-intel-k";
	if (getrandom(k, sizeof k, GRND_NONBLOCK) != (ssize_t)sizeof k)
		memcpy(k, "peephole-intel-k", sizeof k);
	in->key = ph_sipkey_from_bytes(k);
	in->strs.strs = malloc(1024 * sizeof *in->strs.strs);
	if (!in->strs.strs) {
		free(in);
		return NULL;
	}
	in->strs.cap = 1024;
	in->strs.strs[0] = ""; /* id 0: absent */
	in->strs.n = 1;
	return in;
}

void ph_intel_free(struct ph_intel *in)
{
	if (!in)
		return;
	for (unsigned i = 0; i < in->nsrc; i++)
		free(in->src[i]);
	free(in->src);
	ph_intel_table_free(in);
	free(in);
}

/* Copies at most cap-1 bytes of s[0..len), cut on a UTF-8 boundary, with
 * control characters shown as spaces. */
static void copy_cut(char *dst, size_t cap, const char *s, size_t len)
{
	if (len >= cap) {
		len = cap - 1;
		while (len && ((unsigned char)s[len] & 0xc0) == 0x80)
			len--;
	}
	for (size_t i = 0; i < len; i++)
		dst[i] = (unsigned char)s[i] < 0x20 ? ' ' : s[i];
	dst[len] = 0;
}

static void copy_str(char *dst, size_t cap, const char *s)
{
	copy_cut(dst, cap, s ? s : "", s ? strnlen(s, cap) : 0);
}

int ph_intel_source_add(struct ph_intel *in,
			const struct ph_intel_source_info *info,
			struct ph_err *err)
{
	if (!in || !info)
		return ph_err_set(err, PH_EINVAL, "no store or source info");
	if (in->nsrc >= PH_INTEL_MAX_SOURCES)
		return ph_err_set(err, PH_ENOMEM, "too many indicator sources "
				  "(cap %u)", PH_INTEL_MAX_SOURCES);
	if (in->nsrc == in->srccap) {
		unsigned nc = in->srccap ? in->srccap * 2 : 16;
		void *p = realloc(in->src, nc * sizeof *in->src);
		if (!p)
			return ph_err_set(err, PH_ENOMEM, "out of memory");
		in->src = p;
		in->srccap = nc;
	}
	struct ph_intel_source *s = calloc(1, sizeof *s);
	if (!s)
		return ph_err_set(err, PH_ENOMEM, "out of memory");
	copy_str(s->name, sizeof s->name, info->name);
	copy_str(s->path, sizeof s->path, info->path);
	copy_str(s->url, sizeof s->url, info->url);
	copy_str(s->date, sizeof s->date, info->date);
	copy_str(s->sha256, sizeof s->sha256, info->sha256);
	s->format = info->format;
	s->allowlist = info->allowlist;
	in->src[in->nsrc] = s;
	return (int)in->nsrc++;
}

unsigned ph_intel_nsources(const struct ph_intel *in)
{
	return in ? in->nsrc : 0;
}

const struct ph_intel_source *ph_intel_source(const struct ph_intel *in,
					      unsigned i)
{
	return in && i < in->nsrc ? in->src[i] : NULL;
}

uint64_t ph_intel_count(const struct ph_intel *in)
{
	return in ? in->total : 0;
}

int ph_intel_add(struct ph_intel *in, unsigned src,
		 const struct ph_ioc_entry *e)
{
	if (!in || !e || src >= in->nsrc)
		return PH_EINVAL;
	struct ph_intel_source *s = in->src[src];
	bool ok = e->value && (unsigned)e->type < PH_IOC_TYPE_COUNT;
	int rc = PH_EINVAL;
	if (ok && (e->type == PH_IOC_DOMAIN || e->type == PH_IOC_NS))
		rc = ph_intel_domain_add(in, src, e);
	else if (ok && e->type == PH_IOC_IP)
		rc = ph_intel_ip_add(in, src, e);
	else if (ok)
		rc = ph_intel_exact_add(in, src, e);
	if (rc == PH_EINVAL) {
		s->invalid++;
	} else if (rc == 1) {
		s->duplicates++;
	} else if (rc == PH_OK) {
		s->count[e->type]++;
		in->total++;
	}
	return rc;
}

void ph_intel_unsupported(struct ph_intel *in, unsigned src,
			  const char *text, size_t len, unsigned line,
			  const char *reason)
{
	if (!in || src >= in->nsrc)
		return;
	struct ph_intel_source *s = in->src[src];
	s->unsupported++;
	if (s->nexamples >= PH_INTEL_UNSUPPORTED_KEEP)
		return;
	unsigned i = s->nexamples++;
	copy_cut(s->examples[i].text, sizeof s->examples[i].text,
		 text ? text : "", text ? len : 0);
	copy_str(s->examples[i].reason, sizeof s->examples[i].reason, reason);
	s->examples[i].line = line;
}

static int sink_add(void *user, const struct ph_ioc_entry *e)
{
	struct ph_intel_sink_ctx *c = user;
	int rc = ph_intel_add(c->in, c->src, e);
	return rc == PH_ENOMEM ? rc : PH_OK; /* bad values do not stop a load */
}

static void sink_unsupported(void *user, const char *text, size_t len,
			     unsigned line, const char *reason)
{
	struct ph_intel_sink_ctx *c = user;
	ph_intel_unsupported(c->in, c->src, text, len, line, reason);
}

struct ph_feed_sink ph_intel_sink(struct ph_intel_sink_ctx *ctx)
{
	return (struct ph_feed_sink){.add = sink_add,
				     .unsupported = sink_unsupported,
				     .user = ctx};
}

unsigned ph_intel_match(const struct ph_intel *in, enum ph_ioc_type t,
			const char *value, size_t len,
			struct ph_ioc_hit *hits, unsigned max)
{
	if (!in || !value || !in->nslots)
		return 0;
	if (!hits)
		max = 0;
	if (t == PH_IOC_DOMAIN || t == PH_IOC_NS)
		return ph_intel_domain_match(in, t, value, len, hits, max);
	if (t == PH_IOC_IP) {
		struct ph_intel_ip ip;
		if (ph_intel_ip_parse(value, len, &ip) < 0)
			return 0;
		return ph_intel_ip_match(in, &ip, hits, max);
	}
	if ((unsigned)t >= PH_IOC_TYPE_COUNT)
		return 0;
	return ph_intel_exact_match(in, t, value, len, hits, max);
}

unsigned ph_intel_match_ip(const struct ph_intel *in, const uint8_t addr[16],
			   int ipver, struct ph_ioc_hit *hits, unsigned max)
{
	struct ph_intel_ip ip = {.ver = (uint8_t)ipver};
	if (!in || !addr || !in->nslots || (ipver != 4 && ipver != 6))
		return 0;
	memcpy(ip.addr, addr, ipver == 4 ? 4 : 16);
	ip.plen = ipver == 4 ? 32 : 128;
	ph_intel_ip_unmap(&ip);
	return ph_intel_ip_match(in, &ip, hits, hits ? max : 0);
}
