/* The Public Suffix List matcher (psl.h): parses the list's rules (one a
 * line, "//" comments, "*." wildcards, "!" exceptions) into an
 * open-addressing hash set of suffixes with flags, and answers "where
 * does this name's registered domain start". Memory: one copy of the
 * rule text plus a table of 2 x rules slots; bounded by the caps in
 * psl.h. Non-ASCII (Unicode) rules are kept but never match, since DNS
 * names arrive in their xn-- form. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "detect/psl.h"
#include "util/siphash.h"

enum { RULE_EXACT = 1, RULE_WILD = 2, RULE_EXCEPT = 4 };

struct psl_slot {
	uint32_t off, len;  /* into text; len 0 = empty slot */
	uint8_t flags;
};

struct ph_psl {
	char *text;          /* rule names, NUL-separated */
	size_t text_len;
	struct psl_slot *slot;
	uint32_t nslot;      /* power of two */
	uint32_t rules, dropped;
	struct ph_sipkey key;
};

static uint64_t psl_hash(const struct ph_psl *p, const char *s, size_t n)
{
	return ph_siphash13(&p->key, s, n);
}

static struct psl_slot *psl_find(const struct ph_psl *p, const char *s,
				 size_t n)
{
	if (!p->nslot)
		return NULL;
	uint32_t i = (uint32_t)psl_hash(p, s, n) & (p->nslot - 1);
	for (uint32_t k = 0; k < p->nslot; k++, i = (i + 1) & (p->nslot - 1)) {
		struct psl_slot *e = &p->slot[i];
		if (!e->len)
			return e;
		if (e->len == n && memcmp(p->text + e->off, s, n) == 0)
			return e;
	}
	return NULL;
}

static void psl_add(struct ph_psl *p, uint32_t off, uint32_t len, int flag)
{
	if (p->rules >= PH_PSL_MAX_RULES || p->rules * 2 >= p->nslot) {
		p->dropped++;
		return;
	}
	struct psl_slot *e = psl_find(p, p->text + off, len);
	if (!e)
		return;
	if (!e->len) {
		e->off = off, e->len = len;
		p->rules++;
	}
	e->flags |= (uint8_t)flag;
}

/* One line of the list, already cut at its first blank. */
static void psl_line(struct ph_psl *p, uint32_t off, uint32_t len)
{
	char *s = p->text + off;
	int flag = RULE_EXACT;
	if (len >= 2 && s[0] == '/' && s[1] == '/')
		return;
	if (len && s[0] == '!')
		flag = RULE_EXCEPT, off++, len--;
	else if (len >= 2 && s[0] == '*' && s[1] == '.')
		flag = RULE_WILD, off += 2, len -= 2;
	for (uint32_t i = 0; i < len; i++)
		if (s[i] >= 'A' && s[i] <= 'Z')
			s[i] = (char)(s[i] - 'A' + 'a');
	if (len)
		psl_add(p, off, len, flag);
}

static struct ph_psl *psl_build(char *text, size_t n)
{
	struct ph_psl *p = calloc(1, sizeof *p);
	if (!p) {
		free(text);
		return NULL;
	}
	p->text = text, p->text_len = n;
	size_t lines = 1;
	for (size_t i = 0; i < n; i++)
		lines += text[i] == '\n';
	p->nslot = 16;
	while (p->nslot < 2 * lines && p->nslot < 2 * PH_PSL_MAX_RULES)
		p->nslot *= 2;
	p->slot = calloc(p->nslot, sizeof *p->slot);
	if (!p->slot) {
		ph_psl_free(p);
		return NULL;
	}
	p->key.k[0] = 0x70736c5f6b657931ull; /* fixed: caps bound floods */
	p->key.k[1] = 0x646e736465740000ull;
	for (size_t i = 0; i < n;) {
		size_t e = i;
		while (e < n && text[e] != '\n')
			e++;
		size_t w = i;
		while (w < e && text[w] != ' ' && text[w] != '\t' &&
		       text[w] != '\r')
			w++;
		for (size_t k = w; k < e; k++)
			text[k] = '\0';
		if (e < n)
			text[e] = '\0';
		psl_line(p, (uint32_t)i, (uint32_t)(w - i));
		i = e + 1;
	}
	return p;
}

struct ph_psl *ph_psl_from_text(const char *text, size_t n)
{
	if (n > PH_PSL_MAX_FILE)
		n = PH_PSL_MAX_FILE;
	char *t = malloc(n + 1);
	if (!t)
		return NULL;
	if (n)
		memcpy(t, text, n);
	t[n] = '\0';
	return psl_build(t, n);
}

struct ph_psl *ph_psl_new(const char *path, struct ph_err *err)
{
	if (!path)
		return ph_psl_from_text("", 0);
	FILE *f = fopen(path, "rb");
	if (!f) {
		ph_err_set(err, PH_EIO, "%s: %s", path, strerror(errno));
		return NULL;
	}
	char *t = malloc(PH_PSL_MAX_FILE + 1);
	size_t n = t ? fread(t, 1, PH_PSL_MAX_FILE, f) : 0;
	int bad = ferror(f);
	fclose(f);
	if (!t || bad) {
		free(t);
		ph_err_set(err, t ? PH_EIO : PH_ENOMEM, "%s: %s", path,
			   t ? "read error" : "out of memory");
		return NULL;
	}
	t[n] = '\0';
	struct ph_psl *p = psl_build(t, n);
	if (!p)
		ph_err_set(err, PH_ENOMEM, "out of memory");
	return p;
}

void ph_psl_free(struct ph_psl *p)
{
	if (!p)
		return;
	free(p->text);
	free(p->slot);
	free(p);
}

uint32_t ph_psl_rules(const struct ph_psl *p) { return p ? p->rules : 0; }
uint32_t ph_psl_dropped(const struct ph_psl *p) { return p ? p->dropped : 0; }

static uint8_t psl_flags(const struct ph_psl *p, const char *s, size_t n)
{
	const struct psl_slot *e = psl_find(p, s, n);
	return e && e->len ? e->flags : 0;
}

/* Fallback without a list: see psl.h. */
static int psl_fallback(const char *name, size_t n, size_t *starts,
			int nl)
{
	static const char *const sld[] = {"co", "com", "net", "org", "gov",
		"edu", "ac", "ne", "or", "go", "gob", "mil", "nic"};
	int ps = nl - 1;
	size_t tld = n - starts[nl - 1];
	if (nl >= 3 && tld == 2) {
		size_t l = starts[nl - 1] - 1 - starts[nl - 2];
		for (size_t i = 0; i < sizeof sld / sizeof sld[0]; i++)
			if (strlen(sld[i]) == l &&
			    memcmp(name + starts[nl - 2], sld[i], l) == 0)
				ps = nl - 2;
	}
	return ps;
}

#define PSL_MAX_LABELS 128

/* Index of the label where the public suffix starts. */
static int psl_suffix_label(const struct ph_psl *p, const char *name,
			    size_t n, size_t *starts, int nl)
{
	if (!p || !p->rules)
		return psl_fallback(name, n, starts, nl);
	for (int i = 0; i < nl; i++) {
		const char *s = name + starts[i];
		size_t len = n - starts[i];
		uint8_t f = psl_flags(p, s, len);
		if (f & RULE_EXCEPT)
			return i + 1 < nl ? i + 1 : i;
		if (f & RULE_EXACT)
			return i;
		if (i + 1 < nl &&
		    (psl_flags(p, name + starts[i + 1], n - starts[i + 1]) &
		     RULE_WILD))
			return i;
	}
	return nl - 1; /* the implicit "*" rule */
}

int ph_psl_registered(const struct ph_psl *p, const char *name, size_t n,
		      int *suffix_off)
{
	size_t starts[PSL_MAX_LABELS];
	int nl = 0;
	if (suffix_off)
		*suffix_off = -1;
	if (n == 0 || name[0] == '.' || name[n - 1] == '.')
		return -1;
	starts[nl++] = 0;
	for (size_t i = 0; i < n; i++)
		if (name[i] == '.') {
			if (nl == PSL_MAX_LABELS)
				return -1;
			starts[nl++] = i + 1;
		}
	int ps = psl_suffix_label(p, name, n, starts, nl);
	if (suffix_off)
		*suffix_off = (int)starts[ps];
	return ps > 0 ? (int)starts[ps - 1] : -1;
}
