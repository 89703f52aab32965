/* stalkerware-indicators files (AssoEchap/stalkerware-indicators).
 * ioc.yaml / watchware.yaml (libyaml document API): a list of apps with
 * name (-> campaign), type (-> category), packages and ios_bundles
 * (APP_ID), certificates (APK signing certificates: CERT_SHA1, or
 * CERT_SHA256 for 64 hex), websites (category "<type>-website"),
 * distribution (category "<type>-distribution", type guessed) and c2
 * {ips, domains, urls}. certificate_organizations and *_re keys are
 * indicator-like but unusable (unsupported); other keys are ignored.
 * A node reached twice through YAML aliases is visited once, so the work
 * is linear in the document.
 * network.csv ("type,indicator,app") and other CSV files whose header
 * names typed columns ("domain_name,ip_address", "SHA256,Package Name,
 * Certificate,...,App"): one row per line (no newline inside quotes),
 * campaign from an app/name/malware column, rows past PH_FEED_MAX_LINE
 * or CSV_MAX_FIELDS fields reported unsupported. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

#include "intel/feed_int.h"

struct yctx {
	yaml_document_t *doc;
	const struct ph_feed_sink *sink;
	uint8_t *seen;     /* per node: visited */
	size_t nnodes;
	const char *campaign, *type;
	char cat[2][64];   /* "<type>-website", "<type>-distribution" */
};

static yaml_node_t *node(struct yctx *y, int id)
{
	yaml_node_t *n = yaml_document_get_node(y->doc, id);
	if (!n)
		return NULL;
	size_t i = (size_t)(n - y->doc->nodes.start);
	if (i >= y->nnodes || y->seen[i])
		return NULL; /* an alias to a node already visited */
	y->seen[i] = 1;
	return n;
}

static bool scalar_is(const yaml_node_t *n, const char *s)
{
	return n && n->type == YAML_SCALAR_NODE &&
	       ph_feed_eq((const char *)n->data.scalar.value,
			  n->data.scalar.length, s);
}

static unsigned line_of(const yaml_node_t *n)
{
	return (unsigned)n->start_mark.line + 1;
}

/* One scalar value of a known type (t < 0: guess it). */
static int emit_scalar(struct yctx *y, yaml_node_t *n, int t,
		       const char *category)
{
	const char *v = (const char *)n->data.scalar.value;
	size_t len = n->data.scalar.length;
	const char *why = "not an indicator";
	if (t < 0)
		t = ph_feed_guess(&v, &len, &why);
	if (t == PH_IOC_CERT_SHA1 && len == 64)
		t = PH_IOC_CERT_SHA256;
	if (t < 0 || len == 0) {
		ph_feed_unsup(y->sink, v, len, line_of(n),
			      len ? why : "empty value");
		return 0;
	}
	return ph_feed_emit(y->sink, (enum ph_ioc_type)t, v, len, NULL,
			    y->campaign, category, NULL, line_of(n));
}

/* A scalar or a list of scalars (n NULL: nothing). */
static int emit_list(struct yctx *y, yaml_node_t *n, int t,
		     const char *category)
{
	if (!n)
		return 0;
	if (n->type == YAML_SCALAR_NODE)
		return emit_scalar(y, n, t, category);
	if (n->type != YAML_SEQUENCE_NODE) {
		ph_feed_unsup(y->sink, "", 0, line_of(n), "not a list");
		return 0;
	}
	for (yaml_node_item_t *it = n->data.sequence.items.start;
	     it < n->data.sequence.items.top; it++) {
		yaml_node_t *v = node(y, *it);
		int rc = 0;
		if (v && v->type == YAML_SCALAR_NODE)
			rc = emit_scalar(y, v, t, category);
		else if (v)
			ph_feed_unsup(y->sink, "", 0, line_of(v),
				      "list item is not a string");
		if (rc < 0)
			return rc;
	}
	return 0;
}

static int emit_values(struct yctx *y, int id, int t, const char *category)
{
	return emit_list(y, node(y, id), t, category);
}

static int load_c2(struct yctx *y, int id)
{
	yaml_node_t *n = node(y, id);
	if (!n || n->type != YAML_MAPPING_NODE)
		return emit_list(y, n, -1, y->type);
	for (yaml_node_pair_t *p = n->data.mapping.pairs.start;
	     p < n->data.mapping.pairs.top; p++) {
		yaml_node_t *k = yaml_document_get_node(y->doc, p->key);
		int t = scalar_is(k, "ips") || scalar_is(k, "ip") ? PH_IOC_IP
			: scalar_is(k, "domains") || scalar_is(k, "domain")
				? PH_IOC_DOMAIN
			: scalar_is(k, "urls") || scalar_is(k, "url")
				? PH_IOC_URL
				: -2;
		int rc = 0;
		if (t == -2 && k)
			ph_feed_unsup(y->sink, "c2", 2, line_of(k),
				      "c2 key not supported");
		else if (t != -2)
			rc = emit_values(y, p->value, t, y->type);
		if (rc < 0)
			return rc;
	}
	return 0;
}

static void unusable(struct yctx *y, yaml_node_t *k, const char *why)
{
	ph_feed_unsup(y->sink, (const char *)k->data.scalar.value,
		      k->data.scalar.length, line_of(k), why);
}

static int app_pair(struct yctx *y, yaml_node_t *k, int vid)
{
	if (scalar_is(k, "packages") || scalar_is(k, "ios_bundles"))
		return emit_values(y, vid, PH_IOC_APP_ID, y->type);
	if (scalar_is(k, "certificates"))
		return emit_values(y, vid, PH_IOC_CERT_SHA1, y->type);
	if (scalar_is(k, "websites"))
		return emit_values(y, vid, PH_IOC_DOMAIN, y->cat[0]);
	if (scalar_is(k, "distribution"))
		return emit_values(y, vid, -1, y->cat[1]);
	if (scalar_is(k, "c2"))
		return load_c2(y, vid);
	if (scalar_is(k, "certificate_organizations"))
		unusable(y, k, "certificate organization names");
	else if (k && k->type == YAML_SCALAR_NODE && k->data.scalar.length > 3 &&
		 !memcmp(k->data.scalar.value + k->data.scalar.length - 3,
			 "_re", 3))
		unusable(y, k, "regular expression");
	return 0;
}

static const char *scalar_value(struct yctx *y, yaml_node_t *map,
				const char *key)
{
	for (yaml_node_pair_t *p = map->data.mapping.pairs.start;
	     p < map->data.mapping.pairs.top; p++) {
		yaml_node_t *k = yaml_document_get_node(y->doc, p->key);
		yaml_node_t *v = yaml_document_get_node(y->doc, p->value);
		if (scalar_is(k, key) && v && v->type == YAML_SCALAR_NODE)
			return (const char *)v->data.scalar.value;
	}
	return NULL;
}

static int load_app(struct yctx *y, yaml_node_t *app)
{
	if (app->type != YAML_MAPPING_NODE) {
		ph_feed_unsup(y->sink, "", 0, line_of(app),
			      "app entry is not a mapping");
		return 0;
	}
	y->campaign = scalar_value(y, app, "name");
	y->type = scalar_value(y, app, "type");
	const char *t = y->type ? y->type : "stalkerware";
	snprintf(y->cat[0], sizeof y->cat[0], "%.40s-website", t);
	snprintf(y->cat[1], sizeof y->cat[1], "%.40s-distribution", t);
	for (yaml_node_pair_t *p = app->data.mapping.pairs.start;
	     p < app->data.mapping.pairs.top; p++) {
		int rc = app_pair(y, yaml_document_get_node(y->doc, p->key),
				  p->value);
		if (rc < 0)
			return rc;
	}
	return 0;
}

static int load_doc(struct yctx *y, const char *path)
{
	yaml_node_t *root = yaml_document_get_root_node(y->doc);
	y->nnodes = (size_t)(y->doc->nodes.top - y->doc->nodes.start);
	y->seen = calloc(y->nnodes + 1, 1);
	if (!y->seen)
		return PH_ENOMEM;
	int rc = 0;
	if (root->type != YAML_SEQUENCE_NODE) {
		ph_feed_unsup(y->sink, "", 0, line_of(root),
			      "YAML document is not a list of apps");
	} else {
		for (yaml_node_item_t *it = root->data.sequence.items.start;
		     it < root->data.sequence.items.top && rc >= 0; it++) {
			yaml_node_t *app = node(y, *it);
			if (app)
				rc = load_app(y, app);
		}
	}
	free(y->seen);
	y->seen = NULL;
	return rc;
}

int ph_feed_yaml_load(const char *path, const uint8_t *buf, size_t len,
		      const struct ph_feed_sink *sink, struct ph_err *err)
{
	yaml_parser_t p;
	if (!yaml_parser_initialize(&p))
		return ph_feed_fail(err, PH_ENOMEM, path, NULL, 0,
				    "out of memory");
	yaml_parser_set_input_string(&p, buf, len);
	int rc = 0;
	while (rc >= 0) {
		yaml_document_t doc;
		if (!yaml_parser_load(&p, &doc)) {
			rc = ph_feed_fail(err, PH_EFORMAT, path, NULL,
					  p.problem_mark.index,
					  "line %zu: not YAML: %s",
					  p.problem_mark.line + 1,
					  p.problem ? p.problem : "error");
			break;
		}
		if (!yaml_document_get_root_node(&doc)) {
			yaml_document_delete(&doc);
			break;
		}
		struct yctx y = {.doc = &doc, .sink = sink};
		rc = load_doc(&y, path);
		yaml_document_delete(&doc);
	}
	yaml_parser_delete(&p);
	return rc;
}

/* ---- CSV (network.csv and typed-column CSVs) ------------------------- */

#define CSV_MAX_FIELDS 32

enum csv_role { COL_NONE, COL_TYPE, COL_VALUE, COL_CAMPAIGN, COL_TYPED };

struct csv_row {
	const char *f[CSV_MAX_FIELDS];
	size_t n[CSV_MAX_FIELDS];
	size_t count;
	char buf[PH_FEED_MAX_LINE];
};

/* Splits one line into fields ("" inside quotes is a quote; spaces
 * around fields are dropped). False when malformed or too wide. */
static bool csv_split(const char *s, size_t n, struct csv_row *r)
{
	size_t i = 0, o = 0;
	r->count = 0;
	if (n > PH_FEED_MAX_LINE)
		return false;
	for (;;) {
		if (r->count == CSV_MAX_FIELDS)
			return false;
		while (i < n && (s[i] == ' ' || s[i] == '\t'))
			i++;
		size_t start = o;
		if (i < n && s[i] == '"') {
			for (i++;; i++) {
				if (i >= n)
					return false;
				if (s[i] == '"' && (i + 1 >= n || s[i + 1] != '"'))
					break;
				if (s[i] == '"')
					i++;
				r->buf[o++] = s[i];
			}
			i++;
			while (i < n && (s[i] == ' ' || s[i] == '\t'))
				i++;
		} else {
			while (i < n && s[i] != ',')
				r->buf[o++] = s[i++];
			while (o > start && (r->buf[o - 1] == ' ' ||
					     r->buf[o - 1] == '\t'))
				o--;
		}
		r->f[r->count] = r->buf + start;
		r->n[r->count++] = o - start;
		if (i >= n)
			return true;
		if (s[i] != ',')
			return false;
		i++;
	}
}

static enum csv_role csv_role(const char *h, size_t n, int *type)
{
	static const char *const campaign[] = {"app", "name", "malware",
					       "family", "campaign",
					       "application"};
	*type = -1;
	if (ph_feed_eq(h, n, "type"))
		return COL_TYPE;
	if (ph_feed_eq(h, n, "indicator") || ph_feed_eq(h, n, "value") ||
	    ph_feed_eq(h, n, "ioc"))
		return COL_VALUE;
	for (size_t i = 0; i < sizeof campaign / sizeof *campaign; i++)
		if (ph_feed_eq(h, n, campaign[i]))
			return COL_CAMPAIGN;
	*type = ph_feed_type_word(h, n, NULL);
	return *type >= 0 ? COL_TYPED : COL_NONE;
}

struct csv_cols {
	enum csv_role role[CSV_MAX_FIELDS];
	int type[CSV_MAX_FIELDS];
	size_t ncols;
	int tcol, vcol, ccol; /* -1 when absent */
	unsigned typed;
};

static bool csv_header(struct csv_row *r, struct csv_cols *c)
{
	c->tcol = c->vcol = c->ccol = -1;
	c->typed = 0;
	c->ncols = r->count;
	for (size_t i = 0; i < r->count; i++) {
		c->role[i] = csv_role(r->f[i], r->n[i], &c->type[i]);
		if (c->role[i] == COL_TYPE && c->tcol < 0)
			c->tcol = (int)i;
		else if (c->role[i] == COL_VALUE && c->vcol < 0)
			c->vcol = (int)i;
		else if (c->role[i] == COL_CAMPAIGN && c->ccol < 0)
			c->ccol = (int)i;
		c->typed += c->role[i] == COL_TYPED;
	}
	return c->vcol >= 0 || c->typed > 0;
}

bool ph_feed_csv_header_known(const uint8_t *line, size_t len)
{
	struct csv_row *r = malloc(sizeof *r);
	struct csv_cols c;
	if (!r)
		return false;
	if (len && line[len - 1] == '\r')
		len--;
	bool ok = csv_split((const char *)line, len, r) && r->count > 1 &&
		  csv_header(r, &c);
	free(r);
	return ok;
}

/* Emits the row's value column (typed by its type column) and typed
 * columns. campaign must be NUL-terminated: copied into camp. */
static int csv_row_emit(const struct csv_row *r, const struct csv_cols *c,
			unsigned line, const struct ph_feed_sink *sink)
{
	char camp[128];
	const char *campaign = NULL;
	if (c->ccol >= 0 && (size_t)c->ccol < r->count && r->n[c->ccol]) {
		snprintf(camp, sizeof camp, "%.*s", (int)r->n[c->ccol],
			 r->f[c->ccol]);
		campaign = camp;
	}
	for (size_t i = 0; i < r->count && i < c->ncols; i++) {
		int t = c->type[i];
		if (r->n[i] == 0 ||
		    (c->role[i] != COL_TYPED && (int)i != c->vcol))
			continue;
		if ((int)i == c->vcol && c->tcol >= 0 &&
		    (size_t)c->tcol < r->count)
			t = ph_feed_type_word(r->f[c->tcol], r->n[c->tcol],
					      NULL);
		const char *v = r->f[i], *why = "CSV type not supported";
		size_t n = r->n[i];
		if ((int)i == c->vcol && c->tcol < 0)
			t = ph_feed_guess(&v, &n, &why);
		if (t == PH_IOC_CERT_SHA1 && n == 64)
			t = PH_IOC_CERT_SHA256;
		if (t < 0) {
			ph_feed_unsup(sink, r->f[i], r->n[i], line, why);
			continue;
		}
		int rc = ph_feed_emit(sink, (enum ph_ioc_type)t, v, n, NULL,
				      campaign, NULL, NULL, line);
		if (rc < 0)
			return rc;
	}
	return 0;
}

static int csv_lines(const char *path, const uint8_t *buf, size_t len,
		     struct csv_row *r, const struct ph_feed_sink *sink,
		     struct ph_err *err)
{
	struct csv_cols c;
	size_t i = len >= 3 && !memcmp(buf, "\xEF\xBB\xBF", 3) ? 3 : 0;
	unsigned line = 0;
	bool have_header = false;
	while (i < len) {
		const uint8_t *nl = memchr(buf + i, '\n', len - i);
		size_t e = nl ? (size_t)(nl - buf) : len, n = e - i;
		if (n && buf[e - 1] == '\r')
			n--;
		const char *s = (const char *)buf + i;
		size_t at = i;
		i = e + 1;
		line++;
		if (n == 0)
			continue;
		bool ok = csv_split(s, n, r);
		if (!have_header) {
			if (!ok || !csv_header(r, &c))
				return ph_feed_fail(err, PH_EFORMAT, path, buf,
						    at,
						    "CSV header names no "
						    "indicator column");
			have_header = true;
			continue;
		}
		if (!ok) {
			ph_feed_unsup(sink, s, n < 160 ? n : 160, line,
				      "malformed or too long CSV row");
			continue;
		}
		int rc = csv_row_emit(r, &c, line, sink);
		if (rc < 0)
			return rc;
	}
	return 0;
}

int ph_feed_csv_load(const char *path, const uint8_t *buf, size_t len,
		     const struct ph_feed_sink *sink, struct ph_err *err)
{
	const uint8_t *nul = memchr(buf, 0, len);
	if (nul)
		return ph_feed_fail(err, PH_EFORMAT, path, buf,
				    (size_t)(nul - buf), "binary data in CSV");
	struct csv_row *r = malloc(sizeof *r);
	if (!r)
		return ph_feed_fail(err, PH_ENOMEM, path, NULL, 0,
				    "out of memory");
	int rc = csv_lines(path, buf, len, r, sink, err);
	free(r);
	return rc;
}
