/* Number formats for the reports (fmt.h). */
#include "util/fmt.h"

#include <inttypes.h>
#include <stdio.h>

void ph_fmt_bytes(uint64_t v, const char *small, char *buf, size_t n)
{
	static const char *const unit[] = {"kB", "MB", "GB", "TB"};
	if (v < 1000) {
		snprintf(buf, n, "%" PRIu64 " %s", v, small);
		return;
	}
	double d = (double)v / 1000.0;
	unsigned u = 0;
	while (d >= 1000.0 && u < 3)
		d /= 1000.0, u++;
	snprintf(buf, n, "%.1f %s", d, unit[u]);
}
