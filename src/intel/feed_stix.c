/* STIX 2.x bundles (JSON): the indicator objects whose pattern is one
 * comparison with '=' on a supported object path, or several joined with
 * OR (each becomes an entry), e.g. [domain-name:value = 'a.com' OR
 * ipv4-addr:value = '1.2.3.4']. AND, FOLLOWEDBY, qualifiers, other
 * operators and other object paths go to sink->unsupported. The campaign
 * of an indicator is the name of the malware, intrusion-set, campaign,
 * threat-actor or tool an "indicates" relationship links it to; ids are
 * looked up in hash tables built first, so a load is linear. Entry lines
 * are the 1-based index of the object in the bundle. */
#include <stdlib.h>
#include <string.h>

#include "intel/feed_int.h"

#define MAX_COMPARISONS 256

/* ---- id -> object index map (open addressing) ------------------------ */

struct idmap {
	const char **key;
	size_t *klen;
	int *val;
	size_t cap; /* power of two */
};

static size_t id_hash(const char *s, size_t n)
{
	uint64_t h = 1469598103934665603ull;
	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 1099511628211ull;
	return (size_t)h;
}

static int idmap_init(struct idmap *m, size_t n)
{
	m->cap = 16;
	while (m->cap < 2 * n + 2)
		m->cap *= 2;
	m->key = calloc(m->cap, sizeof *m->key);
	m->klen = calloc(m->cap, sizeof *m->klen);
	m->val = calloc(m->cap, sizeof *m->val);
	return m->key && m->klen && m->val ? 0 : PH_ENOMEM;
}

static void idmap_free(struct idmap *m)
{
	free(m->key);
	free(m->klen);
	free(m->val);
}

/* Slot of key, or of the empty slot where it would go. */
static size_t idmap_slot(const struct idmap *m, const char *k, size_t n)
{
	size_t i = id_hash(k, n) & (m->cap - 1);
	while (m->key[i] &&
	       !(m->klen[i] == n && memcmp(m->key[i], k, n) == 0))
		i = (i + 1) & (m->cap - 1);
	return i;
}

/* Keeps the first value given for a key. The map holds at most n keys
 * (idmap_init), so it is never full. */
static void idmap_put(struct idmap *m, const char *k, size_t n, int v)
{
	size_t i = idmap_slot(m, k, n);
	if (!m->key[i]) {
		m->key[i] = k;
		m->klen[i] = n;
		m->val[i] = v;
	}
}

static int idmap_get(const struct idmap *m, const char *k, size_t n)
{
	size_t i = idmap_slot(m, k, n);
	return m->key[i] ? m->val[i] : -1;
}

/* ---- pattern parsing -------------------------------------------------- */

struct comp {
	const char *text, *path, *val; /* into the pattern */
	size_t tlen, plen, vlen;
	const char *why;               /* non-NULL: unsupported */
};

struct pat {
	const char *s;
	size_t n, i;
};

static void ws(struct pat *p)
{
	while (p->i < p->n && strchr(" \t\r\n", p->s[p->i]) && p->s[p->i])
		p->i++;
}

static bool word(struct pat *p, const char *w)
{
	size_t l = strlen(w);
	if (p->n - p->i < l || memcmp(p->s + p->i, w, l) != 0)
		return false;
	if (p->i + l < p->n && strchr(" \t\r\n[(", p->s[p->i + l]) == NULL)
		return false;
	p->i += l;
	return true;
}

/* A quoted string at p->i; returns false when unterminated. */
static bool quoted(struct pat *p)
{
	for (p->i++; p->i < p->n; p->i++) {
		if (p->s[p->i] == '\\')
			p->i++;
		else if (p->s[p->i] == '\'') {
			p->i++;
			return true;
		}
	}
	return false;
}

static bool path_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '-' || c == '_' || c == ':' ||
	       c == '.' || c == '*';
}

static bool parse_path(struct pat *p, struct comp *c)
{
	c->path = p->s + p->i;
	while (p->i < p->n) {
		char ch = p->s[p->i];
		if (ch == '\'') {
			if (!quoted(p))
				return false;
		} else if (ch == '[' && p->i + 1 < p->n &&
			   (p->s[p->i + 1] == '*' ||
			    (p->s[p->i + 1] >= '0' && p->s[p->i + 1] <= '9'))) {
			p->i++;
		} else if (ch == ']' && p->i > 0 &&
			   (p->s[p->i - 1] == '*' ||
			    (p->s[p->i - 1] >= '0' && p->s[p->i - 1] <= '9')) &&
			   p->i + 1 < p->n && p->s[p->i + 1] == '.') {
			p->i++;
		} else if (path_char(ch)) {
			p->i++;
		} else {
			break;
		}
	}
	c->plen = (size_t)(p->s + p->i - c->path);
	return c->plen > 0 && memchr(c->path, ':', c->plen) != NULL;
}

/* Skips a non-string value (number, h'..', list...) after an operator. */
static bool skip_other_value(struct pat *p)
{
	if (p->i < p->n && p->s[p->i] == '(') {
		while (p->i < p->n && p->s[p->i] != ')') {
			if (p->s[p->i] != '\'')
				p->i++;
			else if (!quoted(p))
				return false;
		}
		return p->i++ < p->n;
	}
	if (p->i + 1 < p->n && strchr("hbt", p->s[p->i]) && p->s[p->i] &&
	    p->s[p->i + 1] == '\'') {
		p->i++;
		return quoted(p);
	}
	size_t b = p->i;
	while (p->i < p->n && path_char(p->s[p->i]))
		p->i++;
	return p->i > b;
}

/* object-path op value; false on a syntax error. */
static bool parse_comp(struct pat *p, struct comp *c)
{
	memset(c, 0, sizeof *c);
	c->text = p->s + p->i;
	if (!parse_path(p, c))
		return false;
	ws(p);
	if (word(p, "NOT")) {
		c->why = "NOT operator";
		ws(p);
	}
	const char *op = p->s + p->i;
	while (p->i < p->n && strchr("=!<>ABCDEFGHIJKLMNOPQRSTUVWXYZ",
				     p->s[p->i]) && p->s[p->i])
		p->i++;
	size_t oplen = (size_t)(p->s + p->i - op);
	if (oplen == 0)
		return false;
	if (!(oplen == 1 && op[0] == '=') && !c->why)
		c->why = "operator other than '='";
	ws(p);
	if (p->i < p->n && p->s[p->i] == '\'') {
		c->val = p->s + p->i + 1;
		if (!quoted(p))
			return false;
		c->vlen = (size_t)(p->s + p->i - 1 - c->val);
	} else {
		if (!skip_other_value(p))
			return false;
		if (!c->why)
			c->why = "value is not a string";
	}
	c->tlen = (size_t)(p->s + p->i - c->text);
	return true;
}

/* Parses "[c OR c ...] OR [..]" into cs; returns the count or -1 with
 * *why set. */
static int parse_pattern(const char *s, size_t n, struct comp *cs,
			 const char **why)
{
	struct pat p = {s, n, 0};
	int k = 0;
	*why = "pattern syntax not understood";
	for (;;) {
		ws(&p);
		if (p.i >= n || s[p.i] != '[')
			return -1;
		p.i++;
		for (;;) {
			ws(&p);
			if (k == MAX_COMPARISONS) {
				*why = "too many comparisons";
				return -1;
			}
			if (!parse_comp(&p, &cs[k++]))
				return -1;
			ws(&p);
			if (p.i < n && s[p.i] == ']')
				break;
			if (word(&p, "AND")) {
				*why = "comparisons joined with AND";
				return -1;
			}
			if (!word(&p, "OR"))
				return -1;
		}
		p.i++;
		ws(&p);
		if (p.i >= n)
			return k;
		if (!word(&p, "OR")) {
			*why = "observation operator or qualifier "
			       "(AND, FOLLOWEDBY, WITHIN...)";
			return -1;
		}
	}
}

/* ---- object paths ----------------------------------------------------- */

/* "hashes.'SHA-256'" -> "sha256" style comparison. */
static bool hash_is(const char *h, size_t n, const char *name)
{
	char b[16] = {0};
	size_t k = 0;
	for (size_t i = 0; i < n && k < sizeof b; i++) {
		char c = h[i];
		if (c == '\'' || c == '-' || c == '_')
			continue;
		b[k++] = (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
	}
	return ph_feed_eq(b, k, name) && k < sizeof b;
}

static int hash_type(const char *p, size_t n, bool file)
{
	if (n < 7 || memcmp(p, "hashes.", 7) != 0)
		return -1;
	p += 7, n -= 7;
	if (file && (hash_is(p, n, "md5") || hash_is(p, n, "sha1") ||
		     hash_is(p, n, "sha256")))
		return PH_IOC_FILE_HASH;
	if (!file && hash_is(p, n, "sha1"))
		return PH_IOC_CERT_SHA1;
	if (!file && hash_is(p, n, "sha256"))
		return PH_IOC_CERT_SHA256;
	return -1;
}

static int path_type(const char *path, size_t n)
{
	const char *colon = memchr(path, ':', n);
	size_t on = (size_t)(colon - path);
	const char *prop = colon + 1;
	size_t pn = n - on - 1;
	bool value = ph_feed_eq(prop, pn, "value");
	if (value && ph_feed_eq(path, on, "domain-name"))
		return PH_IOC_DOMAIN;
	if (value && (ph_feed_eq(path, on, "ipv4-addr") ||
		      ph_feed_eq(path, on, "ipv6-addr")))
		return PH_IOC_IP;
	if (value && ph_feed_eq(path, on, "url"))
		return PH_IOC_URL;
	if (value && ph_feed_eq(path, on, "email-addr"))
		return PH_IOC_EMAIL;
	if (ph_feed_eq(path, on, "app")) {
		if (ph_feed_eq(prop, pn, "id"))
			return PH_IOC_APP_ID;
		if (ph_feed_eq(prop, pn, "cert.sha1"))
			return PH_IOC_CERT_SHA1;
		if (ph_feed_eq(prop, pn, "cert.sha256"))
			return PH_IOC_CERT_SHA256;
	}
	if (ph_feed_eq(path, on, "x509-certificate"))
		return hash_type(prop, pn, false);
	if (ph_feed_eq(path, on, "file"))
		return hash_type(prop, pn, true);
	return -1;
}

/* ---- indicators ------------------------------------------------------- */

struct entity {
	const char *name, *category;
};

/* Unescapes a quoted value into out; returns the length. */
static size_t unescape(const char *v, size_t n, char *out)
{
	size_t o = 0;
	for (size_t i = 0; i < n; i++) {
		if (v[i] == '\\' && i + 1 < n)
			i++;
		out[o++] = v[i];
	}
	return o;
}

static int emit_comps(const struct comp *cs, int k, struct json_object *ind,
		      const struct entity *ent, unsigned line, char *scratch,
		      const struct ph_feed_sink *sink)
{
	const char *name = ph_feed_json_str(ind, "name", NULL);
	if (!name)
		name = ph_feed_json_str(ind, "description", NULL);
	const char *ref = ph_feed_json_str(ind, "id", NULL);
	for (int i = 0; i < k; i++) {
		const struct comp *c = &cs[i];
		int t = c->why ? -1 : path_type(c->path, c->plen);
		if (t < 0) {
			ph_feed_unsup(sink, c->text, c->tlen, line,
				      c->why ? c->why
					     : "STIX object path not supported");
			continue;
		}
		size_t vn = unescape(c->val, c->vlen, scratch);
		int rc = ph_feed_emit(sink, (enum ph_ioc_type)t, scratch, vn,
				      name, ent ? ent->name : NULL,
				      ent ? ent->category : NULL, ref, line);
		if (rc < 0)
			return rc;
		scratch += vn;
	}
	return 0;
}

static int load_indicator(struct json_object *ind, unsigned line,
			  const struct entity *ent, struct comp *cs,
			  const struct ph_feed_sink *sink)
{
	size_t n;
	const char *pat = ph_feed_json_str(ind, "pattern", &n);
	const char *pt = ph_feed_json_str(ind, "pattern_type", NULL);
	if (!pat) {
		ph_feed_unsup(sink, "", 0, line, "indicator without pattern");
		return 0;
	}
	if (pt && strcmp(pt, "stix") != 0) {
		ph_feed_unsup(sink, pat, n, line, "pattern_type is not stix");
		return 0;
	}
	const char *why;
	int k = parse_pattern(pat, n, cs, &why);
	if (k < 0) {
		ph_feed_unsup(sink, pat, n, line, why);
		return 0;
	}
	char *scratch = malloc(n + 1);
	if (!scratch)
		return PH_ENOMEM;
	int rc = emit_comps(cs, k, ind, ent, line, scratch, sink);
	free(scratch);
	return rc;
}

/* ---- the bundle ------------------------------------------------------- */

static bool is_entity(const char *type)
{
	return !strcmp(type, "malware") || !strcmp(type, "intrusion-set") ||
	       !strcmp(type, "campaign") || !strcmp(type, "threat-actor") ||
	       !strcmp(type, "tool");
}

static const char *first_str(struct json_object *o, const char *key)
{
	struct json_object *a;
	if (!json_object_object_get_ex(o, key, &a) ||
	    !json_object_is_type(a, json_type_array) ||
	    json_object_array_length(a) == 0)
		return NULL;
	struct json_object *s = json_object_array_get_idx(a, 0);
	return json_object_is_type(s, json_type_string)
		       ? json_object_get_string(s)
		       : NULL;
}

static void entity_of(struct json_object *o, struct entity *e)
{
	const char *type = ph_feed_json_str(o, "type", NULL);
	e->name = ph_feed_json_str(o, "name", NULL);
	e->category = NULL;
	if (type && !strcmp(type, "malware")) {
		e->category = first_str(o, "malware_types");
		if (!e->category)
			e->category = first_str(o, "labels");
		if (!e->category)
			e->category = "spyware";
	}
}

/* Fills ents (entity ids) and inds (indicator id -> entity index). */
static void index_bundle(struct json_object *objs, size_t n,
			 struct idmap *ents, struct idmap *inds)
{
	for (size_t i = 0; i < n; i++) {
		struct json_object *o = json_object_array_get_idx(objs, i);
		const char *type = ph_feed_json_str(o, "type", NULL);
		size_t il;
		const char *id = ph_feed_json_str(o, "id", &il);
		if (type && id && is_entity(type))
			idmap_put(ents, id, il, (int)i);
	}
	for (size_t i = 0; i < n; i++) {
		struct json_object *o = json_object_array_get_idx(objs, i);
		const char *type = ph_feed_json_str(o, "type", NULL);
		const char *rt = ph_feed_json_str(o, "relationship_type", NULL);
		size_t sl, tl;
		const char *src = ph_feed_json_str(o, "source_ref", &sl);
		const char *dst = ph_feed_json_str(o, "target_ref", &tl);
		if (!type || strcmp(type, "relationship") || !rt ||
		    strcmp(rt, "indicates") || !src || !dst)
			continue;
		int e = idmap_get(ents, dst, tl);
		if (e >= 0)
			idmap_put(inds, src, sl, e);
	}
}

static int load_objects(struct json_object *objs, const struct idmap *inds,
			const struct ph_feed_sink *sink)
{
	size_t n = json_object_array_length(objs);
	struct comp *cs = malloc(MAX_COMPARISONS * sizeof *cs);
	if (!cs)
		return PH_ENOMEM;
	int rc = 0;
	for (size_t i = 0; i < n && rc >= 0; i++) {
		struct json_object *o = json_object_array_get_idx(objs, i);
		const char *type = ph_feed_json_str(o, "type", NULL);
		if (!type || strcmp(type, "indicator"))
			continue;
		size_t il = 0;
		const char *id = ph_feed_json_str(o, "id", &il);
		int e = id ? idmap_get(inds, id, il) : -1;
		struct entity ent;
		if (e >= 0)
			entity_of(json_object_array_get_idx(objs, (size_t)e),
				  &ent);
		rc = load_indicator(o, (unsigned)(i + 1), e >= 0 ? &ent : NULL,
				    cs, sink);
	}
	free(cs);
	return rc;
}

int ph_feed_stix_load(const char *path, const uint8_t *buf, size_t len,
		      const struct ph_feed_sink *sink, struct ph_err *err)
{
	struct json_object *root = ph_feed_json_parse(path, buf, len, err);
	if (!root)
		return err ? err->code : PH_EFORMAT;
	struct json_object *objs;
	if (!json_object_is_type(root, json_type_object) ||
	    !json_object_object_get_ex(root, "objects", &objs) ||
	    !json_object_is_type(objs, json_type_array)) {
		json_object_put(root);
		return ph_feed_fail(err, PH_EFORMAT, path, NULL, 0,
				    "not a STIX bundle (no \"objects\" list)");
	}
	size_t n = json_object_array_length(objs);
	struct idmap ents, inds;
	int rc = idmap_init(&ents, n);
	int rc2 = idmap_init(&inds, n);
	if (rc == 0 && rc2 == 0) {
		index_bundle(objs, n, &ents, &inds);
		rc = load_objects(objs, &inds, sink);
	} else {
		rc = ph_feed_fail(err, PH_ENOMEM, path, NULL, 0,
				  "out of memory");
	}
	idmap_free(&ents);
	idmap_free(&inds);
	json_object_put(root);
	return rc;
}
