/* The logs of one run (see logset.h): conn.log now. Each log subscribes to
 * the kinds of event it records; all are closed (renamed into place)
 * together at the end of the run. */
#include "report/logset.h"

#include <stdlib.h>

#include "report/conn_log.h"

struct ph_logset {
	struct ph_conn_log *conn; /* owned */
};

struct ph_logset *ph_logset_open(const char *dir, enum ph_log_format fmt,
				 struct ph_bus *bus, uint64_t open_ts_ns,
				 struct ph_err *err)
{
	struct ph_logset *ls = calloc(1, sizeof *ls);
	if (!ls) {
		ph_err_set(err, PH_ENOMEM, "out of memory");
		return NULL;
	}
	enum ph_zeek_fmt zf = fmt == PH_LOG_TSV ? PH_ZEEK_TSV : PH_ZEEK_JSON;
	ls->conn = ph_conn_log_open(dir, zf, 0, open_ts_ns, err);
	if (!ls->conn) {
		free(ls);
		return NULL;
	}
	if (ph_bus_subscribe(bus, PH_EV_FLOW_END, ph_conn_log_on_event,
			     ls->conn) < 0) {
		ph_conn_log_discard(ls->conn);
		free(ls);
		ph_err_set(err, PH_ENOMEM, "too many event subscribers");
		return NULL;
	}
	return ls;
}

int ph_logset_close(struct ph_logset *ls, uint64_t close_ts_ns,
		    struct ph_err *err)
{
	if (!ls)
		return PH_OK;
	int rc = ph_conn_log_close(ls->conn, close_ts_ns, err);
	free(ls);
	return rc;
}

uint64_t ph_logset_conns(const struct ph_logset *ls)
{
	return ph_conn_log_count(ls->conn);
}
