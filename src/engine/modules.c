/* The module registry (a static const array: add a module here) and the
 * life cycle of the modules of one run. Parsers are listed before the log
 * writers and detections that consume their events. */
#include "engine/modules.h"

#include "peephole/run.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

/* Each protocol's parser and log writer, then the detections. */
extern const struct ph_module ph_dns_module, ph_dns_log_module;
extern const struct ph_module ph_tls_module, ph_ssl_log_module, ph_x509_log_module;
extern const struct ph_module ph_quic_module, ph_quic_log_module;
extern const struct ph_module ph_http_module, ph_http_log_module;
extern const struct ph_module ph_label_module, ph_ndpi_log_module;
extern const struct ph_module ph_dhcp_module, ph_dhcp_log_module;
extern const struct ph_module ph_devices_module;
extern const struct ph_module ph_destinations_module;
/* Detections (active only in `peephole check`: they skip logs-only runs). */
extern const struct ph_module ph_known_bad_module;
extern const struct ph_module ph_pii_module;
extern const struct ph_module ph_cleartext_http_module,
	ph_cleartext_creds_module, ph_remote_access_module, ph_payload_module;
extern const struct ph_module ph_direct_ip_module, ph_listener_module,
	ph_unusual_port_module, ph_exfil_module, ph_beacon_module;
extern const struct ph_module ph_weak_tls_module, ph_bad_cert_module,
	ph_interception_module;
extern const struct ph_module ph_dns_injection_module,
	ph_rst_injection_module, ph_http_injection_module;
extern const struct ph_module ph_dns_tunnel_module, ph_resolver_bypass_module,
	ph_risky_names_module;
extern const struct ph_module ph_tls_attack_module;

static const struct ph_module *const registry[] = {
	&ph_dns_module, &ph_dns_log_module,
	&ph_tls_module, &ph_ssl_log_module, &ph_x509_log_module,
	&ph_quic_module, &ph_quic_log_module,
	&ph_http_module, &ph_http_log_module,
	&ph_label_module, &ph_ndpi_log_module,
	&ph_dhcp_module, &ph_dhcp_log_module,
	&ph_devices_module, /* before the detections: learns device addresses */
	&ph_destinations_module, /* after devices: who they talk to */
	&ph_known_bad_module,
	&ph_cleartext_http_module, &ph_cleartext_creds_module,
	&ph_pii_module,
	&ph_remote_access_module, &ph_payload_module,
	&ph_direct_ip_module, &ph_listener_module, &ph_unusual_port_module,
	&ph_exfil_module, &ph_beacon_module,
	&ph_weak_tls_module, &ph_bad_cert_module, &ph_interception_module,
	&ph_dns_injection_module, &ph_rst_injection_module,
	&ph_http_injection_module,
	&ph_dns_tunnel_module, &ph_resolver_bypass_module,
	&ph_risky_names_module,
	&ph_tls_attack_module,
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

/* The option "<module>.<name>" of a setting (or NULL) and, in *value,
 * the text after '='. */
static const struct ph_module_option *
setting_option(const char *setting, const struct ph_module **mod_out,
	       const char **value)
{
	unsigned n;
	const struct ph_module *const *reg = ph_module_registry(&n);
	const char *dot = strchr(setting, '.'), *eq = strchr(setting, '=');
	if (!dot || !eq || eq < dot)
		return NULL;
	*value = eq + 1;
	for (unsigned i = 0; i < n; i++) {
		const struct ph_module *mod = reg[i];
		if (!mod || !mod->options || strlen(mod->name) !=
		    (size_t)(dot - setting) ||
		    memcmp(mod->name, setting, (size_t)(dot - setting)) != 0)
			continue;
		for (const struct ph_module_option *o = mod->options; o->name;
		     o++)
			if (strlen(o->name) == (size_t)(eq - dot - 1) &&
			    memcmp(o->name, dot + 1, (size_t)(eq - dot - 1)) == 0) {
				if (mod_out)
					*mod_out = mod;
				return o;
			}
	}
	return NULL;
}

static bool is_path(const struct ph_module_option *o)
{
	return strcmp(o->unit, "path") == 0;
}

static bool parse_value(const char *v, const struct ph_module_option *o,
			double *out)
{
	if (is_path(o)) {
		*out = 0;
		return v[0] != '\0';
	}
	char *end;
	double d = strtod(v, &end);
	if (end == v || *end || d != d || d < o->min || d > o->max)
		return false;
	*out = d;
	return true;
}

/* Every setting must name a known option with a value in its range. */
static int check_settings(const struct ph_module_env *env,
			  struct ph_err *err)
{
	for (unsigned i = 0; i < env->nsettings; i++) {
		const char *v;
		double d;
		const struct ph_module_option *o =
			setting_option(env->settings[i], NULL, &v);
		if (!o)
			return ph_err_set(err, PH_EINVAL, "unknown option '%s' "
					  "(see --list-options)",
					  env->settings[i]);
		if (!parse_value(v, o, &d))
			return ph_err_set(err, PH_EINVAL, is_path(o) ?
					  "option '%s': a file name is needed" :
					  "option '%s': value must be a number "
					  "from %g to %g", env->settings[i],
					  o->min, o->max);
	}
	return PH_OK;
}

double ph_module_option(const struct ph_module_env *env,
			const struct ph_module *m, const char *name)
{
	const struct ph_module_option *opt = NULL;
	for (const struct ph_module_option *o = m->options; o && o->name; o++)
		if (strcmp(o->name, name) == 0)
			opt = o;
	if (!opt)
		return 0;
	double d = opt->def;
	for (unsigned i = 0; env && i < env->nsettings; i++) {
		const struct ph_module *mod = NULL;
		const char *v;
		double x;
		if (setting_option(env->settings[i], &mod, &v) == opt &&
		    mod == m && parse_value(v, opt, &x))
			d = x; /* the last setting wins */
	}
	return d;
}

const char *ph_module_option_path(const struct ph_module_env *env,
				  const struct ph_module *m, const char *name)
{
	const char *path = NULL;
	for (unsigned i = 0; env && i < env->nsettings; i++) {
		const struct ph_module *mod = NULL;
		const char *v;
		const struct ph_module_option *o =
			setting_option(env->settings[i], &mod, &v);
		if (o && mod == m && strcmp(o->name, name) == 0 && is_path(o))
			path = v;
	}
	return path;
}

unsigned ph_module_counters_copy(struct ph_module_counter *out, unsigned max,
				 const struct ph_module_counter *c, size_t n)
{
	if (n > max)
		n = max;
	memcpy(out, c, n * sizeof c[0]);
	return (unsigned)n;
}

void ph_run_list_options(void (*fn)(void *user, const char *module,
				    const struct ph_module_option *o),
			 void *user)
{
	unsigned n;
	const struct ph_module *const *reg = ph_module_registry(&n);
	for (unsigned i = 0; i < n; i++)
		for (const struct ph_module_option *o =
			     reg[i] ? reg[i]->options : NULL;
		     o && o->name; o++)
			fn(user, reg[i]->name, o);
}

void ph_run_list_detections(void (*fn)(void *user, const char *name,
				       const char *summary),
			    void *user)
{
	unsigned n;
	const struct ph_module *const *reg = ph_module_registry(&n);
	for (unsigned i = 0; i < n; i++)
		if (reg[i] && reg[i]->detection)
			fn(user, reg[i]->name, reg[i]->summary);
}

int ph_modules_open(struct ph_modules *m, const struct ph_module_env *env,
		    struct ph_bus *bus, const char *only, struct ph_err *err)
{
	unsigned n;
	const struct ph_module *const *reg = ph_module_registry(&n);
	memset(m, 0, sizeof *m);
	if (only && check_list(only, reg, n, err) < 0)
		return PH_EINVAL;
	if (check_settings(env, err) < 0)
		return PH_EINVAL;
	if (env->detections && check_list(env->detections, reg, n, err) < 0)
		return PH_EINVAL;
	for (unsigned i = 0; i < n && m->n < PH_MAX_MODULES; i++) {
		const struct ph_module *mod = reg[i];
		if (!mod || (only && !in_list(only, mod->name)))
			continue;
		if (mod->detection && env->detections &&
		    !in_list(env->detections, mod->name))
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
