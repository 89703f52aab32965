/* The error record (struct ph_err) and status names. Library code reports
 * through these and never prints. */
#include <stdarg.h>
#include <stdio.h>

#include "peephole/ph.h"

int ph_err_set(struct ph_err *err, int code, const char *fmt, ...)
{
	if (!err)
		return code;
	err->code = code;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof err->msg, fmt, ap);
	va_end(ap);
	return code;
}

const char *ph_status_str(int code)
{
	switch (code) {
	case PH_OK: return "ok";
	case PH_EIO: return "I/O error";
	case PH_EFORMAT: return "format error";
	case PH_ENOMEM: return "out of memory";
	case PH_EINVAL: return "invalid argument";
	case PH_ETRUNC: return "truncated";
	case PH_EUNSUPPORTED: return "unsupported";
	default: return "unknown error";
	}
}
