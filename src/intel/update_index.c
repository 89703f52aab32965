/* The MVT indicator index (mvt-project/mvt-indicators indicators.yaml)
 * and cache file naming. The index is remote data: it is read with the
 * libyaml document loader (aliases are references, never expanded; only a
 * fixed depth is walked), capped at PH_INDEX_MAX_BYTES, and every URL it
 * yields is checked: https, or the index's own scheme; GitHub owner, repo,
 * branch and path limited to [A-Za-z0-9._-] segments without "..". Names
 * become cache file names through ph_update_file_name's sanitiser. */
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <yaml.h>

#include "peephole/update.h"

#define PH_INDEX_MAX_BYTES (4u << 20)
#define GITHUB_RAW "https://raw.githubusercontent.com/"

static bool name_char(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
}

/* Writes the sanitised form of s[0..len) into out, keeping the end when
 * too long (the extension is the format hint). */
static void sanitise(const char *s, size_t len, char *out, size_t n)
{
	size_t cap = n - 1 < PH_UPDATE_MAX_FILE ? n - 1 : PH_UPDATE_MAX_FILE;
	if (len > cap) {
		s += len - cap;
		len = cap;
	}
	for (size_t i = 0; i < len; i++)
		out[i] = name_char((unsigned char)s[i]) ? s[i] : '_';
	out[len] = '\0';
	if (out[0] == '.')
		out[0] = '_';
	if (len == 0)
		snprintf(out, n, "feed");
	else if (strcmp(out, PH_UPDATE_MANIFEST) == 0)
		snprintf(out, n, "feed_%s", PH_UPDATE_MANIFEST);
}

/* The path part of a URL (after scheme://authority), up to '?' or '#';
 * the whole string when it has no scheme. */
static const char *url_path(const char *url, size_t *len)
{
	const char *p = strstr(url, "://");
	p = p ? strchr(p + 3, '/') : url;
	if (!p)
		p = url + strlen(url);
	*len = strcspn(p, "?#");
	return p;
}

/* Start of the last `segs` path segments of p[0..len), trailing '/'
 * ignored; *outlen gets their length. */
static const char *last_segments(const char *p, size_t len, int segs,
				 size_t *outlen)
{
	while (len && p[len - 1] == '/')
		len--;
	size_t start = len;
	while (start > 0) {
		if (p[start - 1] == '/' && --segs == 0)
			break;
		start--;
	}
	*outlen = len - start;
	return p + start;
}

void ph_update_file_name(const char *url, char *out, size_t n)
{
	size_t len, seglen;
	const char *p = url_path(url, &len);
	const char *seg = last_segments(p, len, 1, &seglen);
	sanitise(seg, seglen, out, n);
}

/* "parent_base" from the last two segments of a URL's path. */
static void file_name2(const char *url, char *out, size_t n)
{
	size_t len, seglen;
	const char *p = url_path(url, &len);
	const char *seg = last_segments(p, len, 2, &seglen);
	char tmp[1024];
	if (seglen >= sizeof tmp)
		seglen = sizeof tmp - 1;
	for (size_t i = 0; i < seglen; i++)
		tmp[i] = seg[i] == '/' ? '_' : seg[i];
	sanitise(tmp, seglen, out, n);
}

/* ------------------------------------------------------------------ */
/* YAML helpers: scalars are (pointer, length), never assumed to be
 * NUL-free. */

static const yaml_node_t *map_get(yaml_document_t *d, const yaml_node_t *m,
				  const char *key)
{
	if (!m || m->type != YAML_MAPPING_NODE)
		return NULL;
	size_t klen = strlen(key);
	for (yaml_node_pair_t *p = m->data.mapping.pairs.start;
	     p < m->data.mapping.pairs.top; p++) {
		const yaml_node_t *k = yaml_document_get_node(d, p->key);
		if (k && k->type == YAML_SCALAR_NODE &&
		    k->data.scalar.length == klen &&
		    memcmp(k->data.scalar.value, key, klen) == 0)
			return yaml_document_get_node(d, p->value);
	}
	return NULL;
}

/* Copies a printable scalar into out; false when absent, too long or
 * holding control characters. */
static bool scalar_copy(const yaml_node_t *s, char *out, size_t n)
{
	if (!s || s->type != YAML_SCALAR_NODE || s->data.scalar.length >= n)
		return false;
	const unsigned char *v = s->data.scalar.value;
	size_t len = s->data.scalar.length;
	for (size_t i = 0; i < len; i++)
		if (v[i] < 0x20 || v[i] == 0x7f)
			return false;
	memcpy(out, v, len);
	out[len] = '\0';
	return true;
}

static bool component_ok(const char *s, bool slashes)
{
	const char *seg = s;
	if (!*s)
		return false;
	for (const char *c = s;; c++) {
		if (*c == '/' || *c == '\0') {
			size_t l = (size_t)(c - seg);
			if (l == 0 || (l == 1 && seg[0] == '.') ||
			    (l == 2 && seg[0] == '.' && seg[1] == '.'))
				return false;
			if (*c == '\0')
				return true;
			if (!slashes)
				return false;
			seg = c + 1;
		} else if (!name_char((unsigned char)*c)) {
			return false;
		}
	}
}

static bool github_url(yaml_document_t *d, const yaml_node_t *gh,
		       struct ph_index_entry *e)
{
	char owner[128], repo[128], branch[128] = "main", path[512];
	if (!scalar_copy(map_get(d, gh, "owner"), owner, sizeof owner) ||
	    !scalar_copy(map_get(d, gh, "repo"), repo, sizeof repo) ||
	    !scalar_copy(map_get(d, gh, "path"), path, sizeof path))
		return false;
	const yaml_node_t *b = map_get(d, gh, "branch");
	if (b && !scalar_copy(b, branch, sizeof branch))
		return false;
	if (!component_ok(owner, false) || !component_ok(repo, false) ||
	    !component_ok(branch, false) || !component_ok(path, true))
		return false;
	int w = snprintf(e->url, sizeof e->url, GITHUB_RAW "%s/%s/%s/%s",
			 owner, repo, branch, path);
	if (w < 0 || (size_t)w >= sizeof e->url)
		return false;
	char base[768];
	w = snprintf(base, sizeof base, "%s/%s", repo, path);
	if (w < 0 || (size_t)w >= sizeof base)
		return false;
	for (char *c = base; *c; c++)
		if (*c == '/')
			*c = '_';
	sanitise(base, strlen(base), e->file, sizeof e->file);
	return true;
}

static bool scheme_is(const char *url, const char *scheme)
{
	size_t l = strlen(scheme);
	return strncasecmp(url, scheme, l) == 0 &&
	       strncmp(url + l, "://", 3) == 0;
}

static bool download_url(yaml_document_t *d, const yaml_node_t *item,
			 const char *index_scheme, struct ph_index_entry *e)
{
	if (!scalar_copy(map_get(d, item, "download_url"), e->url,
			 sizeof e->url))
		return false;
	for (const char *c = e->url; *c; c++)
		if (*c == ' ' || (unsigned char)*c >= 0x80)
			return false;
	if (!scheme_is(e->url, "https") &&
	    !(index_scheme && *index_scheme && scheme_is(e->url, index_scheme)))
		return false;
	file_name2(e->url, e->file, sizeof e->file);
	return true;
}

/* "description", else the "sources" sequence joined with ", ". */
static void describe(yaml_document_t *d, const yaml_node_t *item,
		     struct ph_index_entry *e)
{
	if (scalar_copy(map_get(d, item, "description"), e->description,
			sizeof e->description))
		return;
	e->description[0] = '\0';
	const yaml_node_t *src = map_get(d, item, "sources");
	if (!src || src->type != YAML_SEQUENCE_NODE)
		return;
	size_t used = 0;
	for (yaml_node_item_t *i = src->data.sequence.items.start;
	     i < src->data.sequence.items.top; i++) {
		char one[128];
		if (!scalar_copy(yaml_document_get_node(d, *i), one, sizeof one))
			continue;
		int w = snprintf(e->description + used,
				 sizeof e->description - used, "%s%s",
				 used ? ", " : "", one);
		if (w < 0 || (size_t)w >= sizeof e->description - used)
			break; /* keep what fit (snprintf terminated it) */
		used += (size_t)w;
	}
}

static bool parse_item(yaml_document_t *d, const yaml_node_t *item,
		       const char *index_scheme, struct ph_index_entry *e)
{
	memset(e, 0, sizeof *e);
	if (!item || item->type != YAML_MAPPING_NODE)
		return false;
	char type[32] = "";
	scalar_copy(map_get(d, item, "type"), type, sizeof type);
	const yaml_node_t *gh = map_get(d, item, "github");
	bool ok = strcmp(type, "github") == 0 || (gh && !type[0])
			  ? github_url(d, gh, e)
			  : download_url(d, item, index_scheme, e);
	if (!ok)
		return false;
	if (!scalar_copy(map_get(d, item, "name"), e->name, sizeof e->name))
		e->name[0] = '\0';
	describe(d, item, e);
	return true;
}

static int walk(yaml_document_t *d, const char *index_scheme,
		struct ph_index_entry *out, unsigned max, unsigned *skipped,
		struct ph_err *err)
{
	const yaml_node_t *root = yaml_document_get_root_node(d);
	const yaml_node_t *list = map_get(d, root, "indicators");
	if (!list || list->type != YAML_SEQUENCE_NODE)
		return ph_err_set(err, PH_EFORMAT,
				  "index: no 'indicators' list");
	unsigned n = 0;
	for (yaml_node_item_t *i = list->data.sequence.items.start;
	     i < list->data.sequence.items.top; i++) {
		if (n < max &&
		    parse_item(d, yaml_document_get_node(d, *i), index_scheme,
			       &out[n]))
			n++;
		else
			(*skipped)++;
	}
	return (int)n;
}

int ph_update_index_parse(const uint8_t *buf, size_t len,
			  const char *index_scheme,
			  struct ph_index_entry *out, unsigned max,
			  unsigned *skipped, struct ph_err *err)
{
	unsigned dummy = 0;
	if (!skipped)
		skipped = &dummy;
	*skipped = 0;
	if (len > PH_INDEX_MAX_BYTES)
		return ph_err_set(err, PH_EFORMAT, "index: larger than %u bytes",
				  PH_INDEX_MAX_BYTES);
	if (max > PH_INDEX_MAX_ENTRIES)
		max = PH_INDEX_MAX_ENTRIES;
	yaml_parser_t p;
	yaml_document_t d;
	if (!yaml_parser_initialize(&p))
		return ph_err_set(err, PH_ENOMEM, "index: out of memory");
	yaml_parser_set_input_string(&p, len ? buf : (const uint8_t *)"", len);
	int rc;
	if (!yaml_parser_load(&p, &d)) {
		rc = ph_err_set(err, PH_EFORMAT, "index: YAML error at line %zu: %s",
				p.problem_mark.line + 1,
				p.problem ? p.problem : "unknown");
		yaml_parser_delete(&p);
		return rc;
	}
	rc = walk(&d, index_scheme, out, max, skipped, err);
	yaml_document_delete(&d);
	yaml_parser_delete(&p);
	return rc;
}
