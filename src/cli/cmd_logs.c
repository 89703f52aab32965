/* `peephole logs CAPTURE... -o DIR`: reads captures as one session and
 * writes Zeek-compatible logs (conn.log now) into DIR, with a run summary
 * on stderr. Options map one-to-one onto struct ph_run_config. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cli/cli.h"

static const char logs_usage[] =
	"usage: peephole logs [options] CAPTURE... -o DIR\n"
	"\n"
	"Reads one or more captures (pcap, pcapng, gzip-compressed either; '-' is\n"
	"standard input) as one session in timestamp order and writes Zeek-style\n"
	"logs into DIR: conn.log, dns.log, ssl.log, x509.log, quic.log, http.log,\n"
	"dhcp.log and ndpi.log.\n"
	"\n"
	"options:\n"
	"  -o, --output DIR       directory for the logs (created if missing)\n"
	"  -f, --format FMT       json (Zeek JSON lines, default) or tsv (Zeek TSV)\n"
	"      --max-flows N      connections tracked at once (default 1000000);\n"
	"                         when full the oldest idle one is logged and dropped\n"
	"      --tcp-timeout SEC  TCP inactivity timeout (default 300)\n"
	"      --udp-timeout SEC  UDP/ICMP inactivity timeout (default 60)\n"
	"  -m, --modules LIST     parsers and logs to run, comma-separated (default\n"
	"                         all): dns,dns_log,tls,ssl_log,x509_log,quic,\n"
	"                         quic_log,http,http_log,dhcp,dhcp_log,label,\n"
	"                         ndpi_log; 'none' writes conn.log only\n"
	"  -q, --quiet            no progress and no summary on stderr\n"
	"  -h, --help             this help\n"
	"\n"
	"exit status: 0 ok, 2 no input readable, 3 usage error,\n"
	"             4 some input damaged (results cover the valid part),\n"
	"             5 logs could not be written\n";

struct logs_opts {
	struct ph_run_config run;
	bool quiet;
};

static int parse_opt(int c, const char *arg, struct logs_opts *o)
{
	uint64_t v;
	switch (c) {
	case 'o':
		o->run.log_dir = arg;
		return 0;
	case 'f':
		if (strcmp(arg, "json") == 0)
			o->run.log_format = PH_LOG_JSON;
		else if (strcmp(arg, "tsv") == 0)
			o->run.log_format = PH_LOG_TSV;
		else
			return ph_cli_errorf("unknown format '%s' (json, tsv)", arg), -1;
		return 0;
	case 'M':
		if (!ph_cli_parse_u64(arg, 16, 100000000, &v))
			return ph_cli_errorf("--max-flows: '%s' is not a number from 16 to 100000000", arg), -1;
		o->run.max_flows = (uint32_t)v;
		return 0;
	case 'T':
	case 'U':
		if (!ph_cli_parse_u64(arg, 1, 86400, &v))
			return ph_cli_errorf("--%s-timeout: '%s' is not a number of seconds from 1 to 86400",
					     c == 'T' ? "tcp" : "udp", arg), -1;
		if (c == 'T')
			o->run.tcp_timeout_ns = v * 1000000000ull;
		else
			o->run.udp_timeout_ns = v * 1000000000ull;
		return 0;
	case 'q':
		o->quiet = true;
		return 0;
	case 'm':
		o->run.modules = arg;
		return 0;
	default:
		return -1;
	}
}

static const struct option logs_long[] = {
	{"output", required_argument, NULL, 'o'},
	{"format", required_argument, NULL, 'f'},
	{"max-flows", required_argument, NULL, 'M'},
	{"tcp-timeout", required_argument, NULL, 'T'},
	{"udp-timeout", required_argument, NULL, 'U'},
	{"quiet", no_argument, NULL, 'q'},
	{"modules", required_argument, NULL, 'm'},
	{"help", no_argument, NULL, 'h'},
	{NULL, 0, NULL, 0},
};

static double mono_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void print_file_errors(const struct ph_run_summary *s)
{
	for (unsigned i = 0; i < ph_run_summary_nfiles(s); i++) {
		const struct ph_file_result *f = ph_run_summary_file(s, i);
		if (f->err.code)
			ph_cli_print_err(&f->err);
	}
}

int ph_cmd_logs(int argc, char **argv)
{
	struct logs_opts o;
	memset(&o, 0, sizeof o);
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "o:f:m:qh", logs_long, NULL)) != -1) {
		if (c == 'h') {
			fputs(logs_usage, stdout);
			return PH_EXIT_OK;
		}
		if (c == '?' || parse_opt(c, optarg, &o) < 0) {
			fputs("Try 'peephole logs --help'.\n", stderr);
			return PH_EXIT_USAGE;
		}
	}
	if (optind >= argc || !o.run.log_dir) {
		ph_cli_errorf(optind >= argc ? "logs: no capture file given"
					     : "logs: no output directory (-o DIR)");
		fputs("Try 'peephole logs --help'.\n", stderr);
		return PH_EXIT_USAGE;
	}
	o.run.files = (const char *const *)&argv[optind];
	o.run.nfiles = (unsigned)(argc - optind);
	struct ph_progress prog;
	ph_progress_init(&prog, o.quiet);
	o.run.progress = ph_progress_cb;
	o.run.progress_user = &prog;

	struct ph_run_summary *s = NULL;
	struct ph_err err;
	memset(&err, 0, sizeof err);
	double t0 = mono_s();
	int rc = ph_run(&o.run, &s, &err);
	ph_progress_done(&prog);
	if (s)
		print_file_errors(s);
	int code = ph_cli_run_exit(rc, s);
	if (rc < 0 && (!s || code == PH_EXIT_OUTPUT || code == PH_EXIT_USAGE))
		ph_cli_print_err(&err);
	if (s && !o.quiet && code != PH_EXIT_OUTPUT && code != PH_EXIT_USAGE)
		ph_cli_print_summary(s, mono_s() - t0);
	ph_run_summary_free(s);
	return code;
}
