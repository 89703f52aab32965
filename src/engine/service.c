/* The connection's service list (conn.log "service"): protocol modules add
 * their name when they recognise a flow. See ph_conn_add_service. Also the
 * application label (conn.log "app_label"), see ph_conn_set_label. */
#include <string.h>

#include "peephole/event.h"

void ph_conn_add_service(const struct ph_conn *c, const char *name)
{
	/* The record is owned by the flow table and handed out const; this is
	 * the one field modules may write (documented in event.h). */
	char *svc = (char *)c->service;
	size_t len = strnlen(svc, sizeof c->service);
	size_t n = strlen(name);
	const char *p = svc;
	while (*p) { /* already listed? */
		const char *e = strchr(p, ',');
		size_t k = e ? (size_t)(e - p) : strlen(p);
		if (k == n && memcmp(p, name, n) == 0)
			return;
		p += k + (e ? 1 : 0);
	}
	size_t need = n + (len ? 1 : 0);
	if (len + need >= sizeof c->service)
		return;
	if (len)
		svc[len++] = ',';
	memcpy(svc + len, name, n + 1);
}

void ph_conn_set_label(const struct ph_conn *c, const char *label)
{
	/* Like service: a field of the const record that one module (the
	 * nDPI label, src/proto/ndpi_label.c) may write. */
	char *dst = (char *)c->app_label;
	size_t n = strnlen(label, sizeof c->app_label - 1);
	memcpy(dst, label, n);
	dst[n] = '\0';
}
