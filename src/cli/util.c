/* Error printing, number parsing and exit-code mapping for the CLI. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"

const char *ph_cli_prog = "peephole";

void ph_cli_errorf(const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "%s: ", ph_cli_prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

void ph_cli_print_err(const struct ph_err *err)
{
	fprintf(stderr, "%s: ", ph_cli_prog);
	if (err->file[0])
		fprintf(stderr, "%s: ", err->file);
	/* "packet N, offset X: " unless the message already starts so */
	if (err->packet && strncmp(err->msg, "packet ", 7) != 0)
		fprintf(stderr, "packet %llu, ", (unsigned long long)err->packet);
	if (err->offset)
		fprintf(stderr, "offset %llu: ", (unsigned long long)err->offset);
	else if (err->packet && strncmp(err->msg, "packet ", 7) != 0)
		fputs(": ", stderr);
	fprintf(stderr, "%s\n", err->msg[0] ? err->msg : ph_status_str(err->code));
}

bool ph_cli_parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
	if (!s || !*s || *s == '-' || *s == '+')
		return false;
	char *end = NULL;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 10);
	if (errno || !end || *end || v < min || v > max)
		return false;
	*out = v;
	return true;
}

int ph_cli_run_exit(int rc, const struct ph_run_summary *s)
{
	if (rc == PH_EIO && s) {
		/* an I/O error not tied to an input file is an output error */
		bool input = false;
		for (unsigned i = 0; i < ph_run_summary_nfiles(s); i++)
			if (ph_run_summary_file(s, i)->err.code)
				input = true;
		if (!input)
			return PH_EXIT_OUTPUT;
	}
	if (rc == PH_OK)
		return PH_EXIT_OK;
	if (!s)
		return PH_EXIT_INPUT;
	struct ph_run_totals t;
	ph_run_summary_totals(s, &t);
	if (rc == PH_EINVAL)
		return PH_EXIT_USAGE;
	return t.packets ? PH_EXIT_PARTIAL : PH_EXIT_INPUT;
}
