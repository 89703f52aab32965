/* The pii detection's Hyperscan scanner: one pattern set (the identifier
 * forms as escaped literals, case-insensitive where the form says so,
 * plus the generic IMEI / MAC / e-mail / coordinate regexes) compiled
 * twice, once for block mode (UDP payloads, DNS names, SNI) and once for
 * stream mode (TCP, one stream per flow direction), with one scratch
 * allocated at build time for both. Literals and regexes share one
 * database (hs_compile_multi with \xHH-escaped literals) so each chunk is
 * scanned once and a flow holds one stream state. Generic regexes carry
 * their surrounding context (a non-token byte or the end of data) so each
 * value is reported once, at its end, without start-of-match tracking.
 * IMEI candidates (runs of exactly 15 digits) are found outside Hyperscan
 * by a stride-15 probe, which is several times faster than a 15-digit
 * regex on real traffic; its per-stream state is the digit run carried
 * across chunks. */
#include <hs.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "detect/pii_scan.h"

struct pii_scan {
	hs_database_t *block, *stream;
	hs_scratch_t *scratch;
	unsigned npat;
	size_t stream_size;
	bool imei;              /* look for 15-digit runs */
};

/* A stream: Hyperscan's state plus the IMEI probe's. */
struct pii_stream {
	hs_stream_t *hs;
	uint64_t off;           /* bytes scanned since open/reset */
	uint32_t run;           /* digits just before off (capped at 16) */
};

/* Generic regexes (all HS_FLAG_CASELESS). The leading group keeps a
 * match from starting inside a longer token, the trailing one (or the end
 * of the data) from ending inside one. */
static const char *const gen_mac[] = {
	"(?:^|[^0-9a-f:])[0-9a-f]{2}(?::[0-9a-f]{2}){5}(?:[^0-9a-f:]|$)",
	"(?:^|[^0-9a-f-])[0-9a-f]{2}(?:-[0-9a-f]{2}){5}(?:[^0-9a-f-]|$)",
	"(?:^|[^0-9a-f])[0-9a-f]{2}(?:%3a[0-9a-f]{2}){5}(?:[^0-9a-f%]|$)",
};
static const char *const gen_email[] = {
	"[a-z0-9._+-]@[a-z0-9-]{1,63}(?:\\.[a-z0-9-]{1,63}){0,4}\\."
	"[a-z]{2,18}(?:[^a-z0-9.-]|$)",
	"[a-z0-9._+-]%40[a-z0-9-]{1,63}(?:\\.[a-z0-9-]{1,63}){0,4}\\."
	"[a-z]{2,18}(?:[^a-z0-9.-]|$)",
};
/* Two decimal numbers (>= 4 decimals for the generic detector, >= 2 for
 * a user-given location: 1 decimal is ~11 km) with at most 24 separator
 * bytes or %XX escapes between them: "48.8566,2.3522",
 * "lat=48.8566&lon=2.3522", {"lat": 48.8566, "lng": 2.3522}. */
static const char *const gen_coord4 =
	"(?:^|[^0-9.])-?[0-9]{1,3}\\.[0-9]{4,12}(?:[^0-9]|%[0-9a-f]{2}){1,24}"
	"-?[0-9]{1,3}\\.[0-9]{4,12}(?:[^0-9.]|$)";
static const char *const gen_coord1 =
	"(?:^|[^0-9.])-?[0-9]{1,3}\\.[0-9]{2,12}(?:[^0-9]|%[0-9a-f]{2}){1,24}"
	"-?[0-9]{1,3}\\.[0-9]{2,12}(?:[^0-9.]|$)";

/* The pattern set being built: expressions (owned), flags, ids. */
struct pset {
	char **expr;
	unsigned *flags, *ids;
	unsigned n, cap;
};

static int pset_add(struct pset *p, char *expr, unsigned flags, unsigned id)
{
	if (!expr)
		return PH_ENOMEM;
	p->expr[p->n] = expr;
	p->flags[p->n] = flags;
	p->ids[p->n++] = id;
	return PH_OK;
}

/* A literal as a regex: every byte \xHH. */
static char *escape_lit(const uint8_t *b, size_t n)
{
	char *s = malloc(n * 4 + 1);
	if (!s)
		return NULL;
	static const char hex[] = "0123456789abcdef";
	for (size_t i = 0; i < n; i++) {
		s[i * 4] = '\\';
		s[i * 4 + 1] = 'x';
		s[i * 4 + 2] = hex[b[i] >> 4];
		s[i * 4 + 3] = hex[b[i] & 15];
	}
	s[n * 4] = '\0';
	return s;
}

/* The generic patterns wanted: all of them when `generic`, else only
 * the coordinate pattern (for location identifiers). */
static int add_generic(struct pset *p, bool generic, bool coords_any)
{
	const unsigned f = HS_FLAG_CASELESS;
	int rc = PH_OK;
	if (generic) {
		for (size_t i = 0; rc == PH_OK && i < 3; i++)
			rc = pset_add(p, strdup(gen_mac[i]), f,
				      PII_GEN_BASE + PII_GEN_MAC);
		for (size_t i = 0; rc == PH_OK && i < 2; i++)
			rc = pset_add(p, strdup(gen_email[i]), f,
				      PII_GEN_BASE + PII_GEN_EMAIL);
	}
	if (rc == PH_OK)
		rc = pset_add(p, strdup(coords_any ? gen_coord1 : gen_coord4),
			      f, PII_GEN_BASE + PII_GEN_COORD);
	return rc;
}

static void pset_free(struct pset *p)
{
	for (unsigned i = 0; i < p->n; i++)
		free(p->expr[i]);
	free(p->expr);
	free(p->flags);
	free(p->ids);
}

static int pset_build(struct pset *p, const struct pii_scan_cfg *cfg)
{
	p->cap = (unsigned)cfg->nforms + 8;
	p->expr = calloc(p->cap, sizeof *p->expr);
	p->flags = calloc(p->cap, sizeof *p->flags);
	p->ids = calloc(p->cap, sizeof *p->ids);
	if (!p->expr || !p->flags || !p->ids)
		return PH_ENOMEM;
	for (size_t i = 0; i < cfg->nforms; i++) {
		const struct ph_ident_form *f = &cfg->forms[i];
		if (!f->len)
			continue;
		int rc = pset_add(p, escape_lit(f->bytes, f->len),
				  f->nocase ? HS_FLAG_CASELESS : 0,
				  (unsigned)i);
		if (rc < 0)
			return rc;
	}
	if (cfg->generic || cfg->coords_any)
		return add_generic(p, cfg->generic, cfg->coords_any);
	return PH_OK;
}

static int compile(const struct pset *p, unsigned mode, hs_database_t **db,
		   struct ph_err *err)
{
	hs_compile_error_t *ce = NULL;
	if (hs_compile_multi((const char *const *)p->expr, p->flags, p->ids,
			     p->n, mode, NULL, db, &ce) != HS_SUCCESS) {
		int rc = ph_err_set(err, PH_EINVAL, "pii: Hyperscan compile "
				    "failed (pattern %d): %s",
				    ce ? ce->expression : -1,
				    ce && ce->message ? ce->message : "?");
		hs_free_compile_error(ce);
		return rc;
	}
	return PH_OK;
}

int pii_scan_new(const struct pii_scan_cfg *cfg, struct pii_scan **out,
		 struct ph_err *err)
{
	*out = NULL;
	struct pset p = {0};
	int rc = pset_build(&p, cfg);
	if (rc < 0 || p.n == 0) { /* generic adds patterns: p.n > 0 then */
		pset_free(&p);
		return rc < 0 ? ph_err_set(err, rc, "out of memory") : PH_OK;
	}
	struct pii_scan *s = calloc(1, sizeof *s);
	if (!s) {
		pset_free(&p);
		return ph_err_set(err, PH_ENOMEM, "out of memory");
	}
	s->npat = p.n + (cfg->generic ? 1 : 0);
	s->imei = cfg->generic;
	rc = compile(&p, HS_MODE_BLOCK, &s->block, err);
	if (rc == PH_OK)
		rc = compile(&p, HS_MODE_STREAM, &s->stream, err);
	pset_free(&p);
	if (rc == PH_OK &&
	    (hs_alloc_scratch(s->block, &s->scratch) != HS_SUCCESS ||
	     hs_alloc_scratch(s->stream, &s->scratch) != HS_SUCCESS ||
	     hs_stream_size(s->stream, &s->stream_size) != HS_SUCCESS))
		rc = ph_err_set(err, PH_ENOMEM, "pii: Hyperscan scratch");
	if (rc < 0) {
		pii_scan_free(s);
		return rc;
	}
	*out = s;
	return PH_OK;
}

void pii_scan_free(struct pii_scan *s)
{
	if (!s)
		return;
	hs_free_scratch(s->scratch);
	hs_free_database(s->block);
	hs_free_database(s->stream);
	free(s);
}

unsigned pii_scan_patterns(const struct pii_scan *s)
{
	return s ? s->npat : 0;
}

size_t pii_scan_stream_size(const struct pii_scan *s)
{
	return s ? s->stream_size + sizeof(struct pii_stream) : 0;
}

/* Hyperscan's callback shape around ours. */
struct cb {
	pii_match_fn fn;
	void *user;
};

static int on_match(unsigned id, unsigned long long from,
		    unsigned long long to, unsigned flags, void *ctx)
{
	(void)from;
	(void)flags;
	const struct cb *c = ctx;
	return c->fn ? c->fn(id, (uint64_t)to, c->user) : 0;
}

/* ---- IMEI probe: runs of exactly 15 digits ---- */

static bool dig(uint8_t c)
{
	return c >= '0' && c <= '9';
}

/* Reports the 15-digit runs of p[0..n), whose first `*run` digits came
 * before p (carried); on return *run is the digit run at the end of p
 * (capped at 16). A run is reported at its delimiter (to = offset past
 * it), as the regexes do; one reaching the end waits for the next chunk
 * or the end of the data (imei_end). */
static void imei_probe(const uint8_t *p, size_t n, uint64_t off,
		       uint32_t *run, const struct cb *c)
{
	const unsigned id = PII_GEN_BASE + PII_GEN_IMEI;
	size_t s = 0;
	if (*run) { /* the run crossing into this chunk */
		while (s < n && dig(p[s]))
			s++;
		if (s == n) {
			*run = *run + n > 16 ? 16 : *run + (uint32_t)n;
			return;
		}
		if (*run + s == 15 && c->fn)
			c->fn(id, off + s + 1, c->user);
		s++;
	}
	*run = 0;
	for (size_t q = s + 14; q < n;) {
		if (!dig(p[q])) {
			q += 15;
			continue;
		}
		size_t a = q, b = q;
		while (a > s && dig(p[a - 1]))
			a--;
		while (b < n && dig(p[b]))
			b++;
		if (b == n) {
			*run = b - a > 16 ? 16 : (uint32_t)(b - a);
			return;
		}
		if (b - a == 15 && c->fn)
			c->fn(id, off + b + 1, c->user);
		s = b + 1;
		q = s + 14;
	}
	for (size_t k = n; k > s && dig(p[k - 1]) && *run < 16; k--)
		(*run)++;
}

/* End of the data: a run of 15 ending there is reported at the end. */
static void imei_end(uint64_t off, uint32_t *run, const struct cb *c)
{
	if (*run == 15 && c->fn)
		c->fn(PII_GEN_BASE + PII_GEN_IMEI, off, c->user);
	*run = 0;
}

int pii_scan_block(struct pii_scan *s, const uint8_t *p, size_t n,
		   pii_match_fn fn, void *user)
{
	struct cb c = {fn, user};
	if (n > UINT32_MAX)
		n = UINT32_MAX;
	if (s->imei) {
		uint32_t run = 0;
		imei_probe(p, n, 0, &run, &c);
		imei_end(n, &run, &c);
	}
	hs_error_t e = hs_scan(s->block, (const char *)p, (unsigned)n, 0,
			       s->scratch, on_match, &c);
	return e == HS_SUCCESS || e == HS_SCAN_TERMINATED ? PH_OK : PH_EINVAL;
}

struct pii_stream *pii_stream_open(struct pii_scan *s)
{
	struct pii_stream *st = calloc(1, sizeof *st);
	if (st && hs_open_stream(s->stream, 0, &st->hs) != HS_SUCCESS) {
		free(st);
		return NULL;
	}
	return st;
}

int pii_stream_scan(struct pii_scan *s, struct pii_stream *st,
		    const uint8_t *p, size_t n, pii_match_fn fn, void *user)
{
	struct cb c = {fn, user};
	if (n > UINT32_MAX)
		n = UINT32_MAX;
	if (s->imei)
		imei_probe(p, n, st->off, &st->run, &c);
	st->off += n;
	hs_error_t e = hs_scan_stream(st->hs, (const char *)p, (unsigned)n, 0,
				      s->scratch, on_match, &c);
	return e == HS_SUCCESS || e == HS_SCAN_TERMINATED ? PH_OK : PH_EINVAL;
}

void pii_stream_reset(struct pii_scan *s, struct pii_stream *st,
		      pii_match_fn fn, void *user)
{
	struct cb c = {fn, user};
	imei_end(st->off, &st->run, &c);
	st->off = 0;
	hs_reset_stream(st->hs, 0, s->scratch, on_match, &c);
}

void pii_stream_close(struct pii_scan *s, struct pii_stream *st,
		      pii_match_fn fn, void *user)
{
	struct cb c = {fn, user};
	imei_end(st->off, &st->run, &c);
	hs_close_stream(st->hs, fn ? s->scratch : NULL, fn ? on_match : NULL,
			&c);
	free(st);
}
