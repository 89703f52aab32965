/* conn.log: one Zeek-compatible line per connection record (struct
 * ph_conn), written when the flow table emits PH_EV_FLOW_END. Zeek's
 * Conn::Info columns in Zeek's order, then the fields of Zeek's
 * community-id, mac-logging and vlan-logging policies, then peephole's own
 * (app, app_uid, orig_l2_bytes, resp_l2_bytes). docs/logs/conn.md lists
 * every field. */
#ifndef PH_REPORT_CONN_LOG_H
#define PH_REPORT_CONN_LOG_H

#include <stddef.h>
#include <stdint.h>

#include "peephole/event.h"
#include "peephole/ph.h"
#include "report/zeek_writer.h"

/* The conn.log schema (static, never NULL); *n receives its length. */
const struct ph_zeek_field *ph_conn_log_fields(size_t *n);

/* Appends c as one record to w, which must have been opened with
 * ph_conn_log_fields(). cid_seed: Community ID seed (0 = default).
 * Returns 0 or the writer's error. */
int ph_conn_log_write(struct ph_zeek_writer *w, const struct ph_conn *c,
		      uint16_t cid_seed, struct ph_err *err);

/* A conn.log bound to an event subscription. */
struct ph_conn_log; /* opaque */

/* Opens DIR/conn.log (see ph_zeek_writer_open()). NULL + err on failure. */
struct ph_conn_log *ph_conn_log_open(const char *dir, enum ph_zeek_fmt fmt,
				     uint16_t cid_seed, uint64_t open_ts_ns,
				     struct ph_err *err);

/* ph_event_fn for PH_EV_FLOW_END: user is the struct ph_conn_log. Writes
 * ev->conn; other kinds are ignored. A write error is kept (sticky) and
 * returned by ph_conn_log_close(); later events are then dropped. A record
 * with an IP version other than 4/6 is skipped and counted. */
void ph_conn_log_on_event(void *user, const struct ph_event *ev);

/* Records written so far, and records skipped as malformed. */
uint64_t ph_conn_log_count(const struct ph_conn_log *l);
uint64_t ph_conn_log_skipped(const struct ph_conn_log *l);

/* Closes (renames into place) and frees l. Returns 0, or the first error
 * of the whole run (then no conn.log is left behind). NULL is a no-op. */
int ph_conn_log_close(struct ph_conn_log *l, uint64_t close_ts_ns,
		      struct ph_err *err);

/* Frees l and removes its temporary file: no conn.log is left (for a run
 * that failed before producing anything). NULL is a no-op. */
void ph_conn_log_discard(struct ph_conn_log *l);

#endif
