/* The module registry (a static const array: add a module here) and the
 * life cycle of the modules of one run. Parsers are listed before the log
 * writers and detections that consume their events. */
#include "engine/modules.h"

#include <stdbool.h>
#include <string.h>

/* Each protocol's parser and log writer. A line stays commented out until
 * its module exists. */
extern const struct ph_module ph_dns_module, ph_dns_log_module;
extern const struct ph_module ph_tls_module, ph_ssl_log_module, ph_x509_log_module;
extern const struct ph_module ph_quic_module, ph_quic_log_module;
extern const struct ph_module ph_http_module, ph_http_log_module;
extern const struct ph_module ph_label_module, ph_ndpi_log_module;
extern const struct ph_module ph_dhcp_module, ph_dhcp_log_module;
extern const struct ph_module ph_devices_module;
/* Detections (active only in `peephole check`: they skip logs-only runs). */
extern const struct ph_module ph_known_bad_module;

static const struct ph_module *const registry[] = {
	&ph_dns_module, &ph_dns_log_module,
	&ph_tls_module, &ph_ssl_log_module, &ph_x509_log_module,
	&ph_quic_module, &ph_quic_log_module,
	&ph_http_module, &ph_http_log_module,
	&ph_label_module, &ph_ndpi_log_module,
	&ph_dhcp_module, &ph_dhcp_log_module,
	&ph_devices_module, /* before the detections: learns device addresses */
	&ph_known_bad_module,
	NULL, /* keeps the array non-empty */
};

const struct ph_module *const *ph_module_registry(unsigned *n)
{
	*n = (unsigned)(sizeof registry / sizeof registry[0]);
	return registry;
}

/* Is `name` an item of the comma list? */
static bool in_list(const char *list, const char *name)
{
	size_t n = strlen(name);
	for (const char *p = list; *p;) {
		const char *e = strchr(p, ',');
		size_t k = e ? (size_t)(e - p) : strlen(p);
		if (k == n && memcmp(p, name, n) == 0)
			return true;
		p += k + (e ? 1 : 0);
	}
	return false;
}

/* Every name in `only` must be a registered module (or "none"). */
static int check_list(const char *only, const struct ph_module *const *reg,
		      unsigned n, struct ph_err *err)
{
	for (const char *p = only; *p;) {
		const char *e = strchr(p, ',');
		size_t k = e ? (size_t)(e - p) : strlen(p);
		bool known = k == 4 && memcmp(p, "none", 4) == 0;
		for (unsigned i = 0; i < n && !known; i++)
			known = reg[i] && strlen(reg[i]->name) == k &&
				memcmp(reg[i]->name, p, k) == 0;
		if (!known)
			return ph_err_set(err, PH_EINVAL, "unknown module '%.*s'",
					  (int)k, p);
		p += k + (e ? 1 : 0);
	}
	return PH_OK;
}

int ph_modules_open(struct ph_modules *m, const struct ph_module_env *env,
		    struct ph_bus *bus, const char *only, struct ph_err *err)
{
	unsigned n;
	const struct ph_module *const *reg = ph_module_registry(&n);
	memset(m, 0, sizeof *m);
	if (only && check_list(only, reg, n, err) < 0)
		return PH_EINVAL;
	for (unsigned i = 0; i < n && m->n < PH_MAX_MODULES; i++) {
		const struct ph_module *mod = reg[i];
		if (!mod || (only && !in_list(only, mod->name)))
			continue;
		void *st = NULL;
		int rc = mod->init(env, &st, err);
		if (rc == PH_MODULE_SKIP)
			continue;
		if (rc < 0) {
			ph_modules_destroy(m);
			return rc;
		}
		m->mod[m->n] = mod;
		m->state[m->n++] = st;
		rc = ph_bus_subscribe(bus, mod->mask, mod->on_event, st);
		if (rc < 0) {
			ph_modules_destroy(m);
			return ph_err_set(err, rc, "too many event subscribers");
		}
	}
	return PH_OK;
}

int ph_modules_finish(struct ph_modules *m, uint64_t last_ts_ns,
		      struct ph_err *err)
{
	int first = PH_OK;
	for (unsigned i = 0; i < m->n; i++) {
		if (!m->mod[i]->finish)
			continue;
		struct ph_err e = {0};
		int rc = m->mod[i]->finish(m->state[i], last_ts_ns, &e);
		if (rc < 0 && first == PH_OK) {
			first = rc;
			if (err)
				*err = e;
		}
	}
	return first;
}

void ph_modules_destroy(struct ph_modules *m)
{
	for (unsigned i = 0; i < m->n; i++)
		if (m->mod[i]->destroy)
			m->mod[i]->destroy(m->state[i]);
	m->n = 0;
}
