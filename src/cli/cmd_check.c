/* `peephole check CAPTURE...`: runs every parser and detection over the
 * captures with the loaded indicators, then prints the verdict and the
 * findings (text on a terminal, or --json), and with -o DIR also writes
 * the Zeek logs and notice.log, with --html FILE the HTML page. The
 * device's personal identifiers (--identifiers FILE, --imei ... flags)
 * are loaded here for the pii detection; a bad one stops the check
 * (exit 2). Exit status: 1 when a finding of medium severity or more
 * exists (it wins over 4), else the run's status. */
#include <getopt.h>
#include <pthread.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/html_out.h"
#include "peephole/check.h"
#include "peephole/destinations.h"
#include "peephole/devices.h"
#include "peephole/finding.h"
#include "peephole/identifiers.h"
#include "peephole/module.h"

#define MAX_FINDINGS 10000
#define MAX_DEVICES 4096
#define PH_CHECK_MAX_DETECTIONS 48
#define MAX_IDENT_ARGS (PH_IDENT_MAX + 64)

static const char check_usage[] =
	"usage: peephole check [options] CAPTURE...\n"
	"\n"
	"Checks a device's traffic for contact with infrastructure that public\n"
	"investigations tie to spyware, stalkerware and state implants, and says\n"
	"in plain words what was found, how sure it is, and what to do.\n"
	"Indicators come from the cache 'peephole update' fills and from --ioc.\n"
	"\n"
	"options:\n"
	"      --ioc PATH         indicator file or directory (STIX 2, MISP JSON,\n"
	"                         TinyCheck iocs.json, stalkerware-indicators\n"
	"                         ioc.yaml / network.csv, plain lists, hosts files);\n"
	"                         repeatable\n"
	"      --allow PATH       allowlist, same formats (TinyCheck whitelist.json\n"
	"                         is one wherever it is given); repeatable\n"
	"      --cache-dir DIR    indicator cache (default $XDG_CACHE_HOME/peephole/\n"
	"                         feeds or ~/.cache/peephole/feeds)\n"
	"      --no-cache         do not load the indicator cache\n"
	"      --device IP|MAC    report on this device only (default: every local\n"
	"                         RFC 1918, link-local, ULA or CGNAT host)\n"
	"      --json             print the report as JSON (docs/check-json.md)\n"
	"      --html FILE        also write the report as one self-contained HTML\n"
	"                         page (docs/report-html.md)\n"
	"      --geoip FILE.mmdb  MaxMind-format country or ASN database for the\n"
	"                         reports (repeatable; also used: any found in\n"
	"                         /usr/share/GeoIP, /var/lib/GeoIP)\n"
	"  -o, --output DIR       also write the Zeek logs and notice.log in DIR\n"
	"  -f, --format FMT       log format: json (default) or tsv\n"
	"      --color WHEN       auto (default: only on a terminal), always, never\n"
	"      --max-flows N      connections tracked at once (default 1000000)\n"
	"      --set MOD.OPT=VAL  a detection threshold (repeatable); see\n"
	"                         --list-options for every one and its default\n"
	"      --list-options     print the detections' options and exit\n"
	"      --list-detections  print the detections' names and exit\n"
	"      --detections LIST  run only these detections (comma-separated;\n"
	"                         default all; names in --list-detections)\n"
	"\n"
	"personal identifiers of the device, searched in what it sends (as is,\n"
	"re-spelt, URL-encoded, hex, base64, MD5/SHA-1/SHA-256; each flag\n"
	"repeatable; docs/identifiers.md):\n"
	"      --identifiers FILE KEY=VALUE lines (imei=..., phone=..., '#'\n"
	"                         comments); repeatable\n"
	"      --imei N  --imsi N  --iccid N  --phone NUMBER  --email ADDRESS\n"
	"      --wifi-mac MAC  --bt-mac MAC  --android-id HEX  --adid UUID\n"
	"      --serial S  --device-name S  --user S  --ssid S  --custom S\n"
	"      --location LAT,LON[,RADIUS_M]  GPS position (radius default 500 m)\n"
	"      --show-secrets     print identifiers unmasked in the report\n"
	"                         (masked by default: 49************8)\n"
	"  -q, --quiet            no progress on stderr\n"
	"  -h, --help             this help\n"
	"\n"
	"exit status: 0 no finding of medium severity or more, 1 findings of\n"
	"             medium severity or more, 2 no input readable, 3 usage error,\n"
	"             4 some input damaged (the report covers the valid part),\n"
	"             5 output could not be written\n";

enum { OPT_DEVICE = 2000, OPT_JSON, OPT_COLOR, OPT_MAXFLOWS, OPT_SET,
       OPT_LIST_OPTIONS, OPT_LIST_DETECTIONS, OPT_DETECTIONS, OPT_IDENTIFIERS, OPT_SHOW_SECRETS,
       OPT_IDENT = 2100 /* + enum ph_ident_kind: --imei ... --custom */ };
enum { OPT_HTML = 2300, OPT_GEOIP }; /* --html, --geoip (html_out.h) */
#define MAX_SETTINGS 64

static const struct option check_long[] = {
	{"ioc", required_argument, NULL, PH_OPT_IOC},
	{"allow", required_argument, NULL, PH_OPT_ALLOW},
	{"cache-dir", required_argument, NULL, PH_OPT_CACHE_DIR},
	{"no-cache", no_argument, NULL, PH_OPT_NO_CACHE},
	{"device", required_argument, NULL, OPT_DEVICE},
	{"json", no_argument, NULL, OPT_JSON},
	{"color", required_argument, NULL, OPT_COLOR},
	{"colour", required_argument, NULL, OPT_COLOR},
	{"max-flows", required_argument, NULL, OPT_MAXFLOWS},
	{"set", required_argument, NULL, OPT_SET},
	{"list-options", no_argument, NULL, OPT_LIST_OPTIONS},
	{"list-detections", no_argument, NULL, OPT_LIST_DETECTIONS},
	{"detections", required_argument, NULL, OPT_DETECTIONS},
	{"identifiers", required_argument, NULL, OPT_IDENTIFIERS},
	{"show-secrets", no_argument, NULL, OPT_SHOW_SECRETS},
	{"imei", required_argument, NULL, OPT_IDENT + PH_ID_IMEI},
	{"imsi", required_argument, NULL, OPT_IDENT + PH_ID_IMSI},
	{"iccid", required_argument, NULL, OPT_IDENT + PH_ID_ICCID},
	{"phone", required_argument, NULL, OPT_IDENT + PH_ID_PHONE},
	{"email", required_argument, NULL, OPT_IDENT + PH_ID_EMAIL},
	{"wifi-mac", required_argument, NULL, OPT_IDENT + PH_ID_WIFI_MAC},
	{"bt-mac", required_argument, NULL, OPT_IDENT + PH_ID_BT_MAC},
	{"android-id", required_argument, NULL, OPT_IDENT + PH_ID_ANDROID_ID},
	{"adid", required_argument, NULL, OPT_IDENT + PH_ID_ADID},
	{"serial", required_argument, NULL, OPT_IDENT + PH_ID_SERIAL},
	{"device-name", required_argument, NULL, OPT_IDENT + PH_ID_DEVICE_NAME},
	{"user", required_argument, NULL, OPT_IDENT + PH_ID_USER},
	{"location", required_argument, NULL, OPT_IDENT + PH_ID_LOCATION},
	{"ssid", required_argument, NULL, OPT_IDENT + PH_ID_SSID},
	{"custom", required_argument, NULL, OPT_IDENT + PH_ID_CUSTOM},
	{"html", required_argument, NULL, OPT_HTML},
	{"geoip", required_argument, NULL, OPT_GEOIP},
	{"output", required_argument, NULL, 'o'},
	{"format", required_argument, NULL, 'f'},
	{"quiet", no_argument, NULL, 'q'},
	{"help", no_argument, NULL, 'h'},
	{NULL, 0, NULL, 0},
};

/* --identifiers FILE (kind -1) and --imei VALUE ... in command-line
 * order, loaded once the options are all read. */
struct ident_arg {
	int kind;
	const char *arg; /* borrowed from argv */
};

struct check_opts {
	struct ph_run_config run;
	struct ph_cli_intel intel;
	struct ph_cli_html html;
	struct ident_arg ident[MAX_IDENT_ARGS];
	unsigned nident;
	const char *device;
	const char *settings[MAX_SETTINGS];
	bool json, quiet;
	int color; /* -1 auto, 0 never, 1 always */
};

static int add_ident_arg(struct check_opts *o, int kind, const char *arg)
{
	if (o->nident >= MAX_IDENT_ARGS) {
		ph_cli_errorf("too many identifiers and --identifiers files "
			      "(max %d)", MAX_IDENT_ARGS);
		return -1;
	}
	o->ident[o->nident].kind = kind;
	o->ident[o->nident++].arg = arg;
	return 0;
}

static int parse_opt(struct check_opts *o, int c, const char *arg)
{
	uint64_t v;
	switch (c) {
	case 'o': o->run.log_dir = arg; return 0;
	case 'q': o->quiet = true; return 0;
	case OPT_DEVICE: o->device = arg; return 0;
	case OPT_JSON: o->json = true; return 0;
	case 'f':
		if (strcmp(arg, "json") && strcmp(arg, "tsv"))
			return ph_cli_errorf("unknown format '%s' (json, tsv)",
					     arg), -1;
		o->run.log_format = arg[0] == 't' ? PH_LOG_TSV : PH_LOG_JSON;
		return 0;
	case OPT_COLOR:
		if (strcmp(arg, "auto") == 0)
			o->color = -1;
		else if (strcmp(arg, "always") == 0 || strcmp(arg, "never") == 0)
			o->color = arg[0] == 'a';
		else
			return ph_cli_errorf("--color: '%s' is not auto, always "
					     "or never", arg), -1;
		return 0;
	case OPT_HTML:
	case OPT_GEOIP:
		return ph_cli_html_opt(&o->html, c == OPT_HTML, arg);
	case OPT_DETECTIONS:
		o->run.detections = arg;
		return 0;
	case OPT_SHOW_SECRETS:
		o->run.show_secrets = true;
		return 0;
	case OPT_IDENTIFIERS:
		return add_ident_arg(o, -1, arg);
	case OPT_SET:
		if (o->run.nsettings >= MAX_SETTINGS)
			return ph_cli_errorf("too many --set (max %d)",
					     MAX_SETTINGS), -1;
		o->settings[o->run.nsettings++] = arg;
		o->run.settings = o->settings;
		return 0;
	case OPT_MAXFLOWS:
		if (!ph_cli_parse_u64(arg, 16, 100000000, &v))
			return ph_cli_errorf("--max-flows: '%s' is not a number "
					     "from 16 to 100000000", arg), -1;
		o->run.max_flows = (uint32_t)v;
		return 0;
	default:
		if (c >= OPT_IDENT && c < OPT_IDENT + PH_ID_KIND_COUNT)
			return add_ident_arg(o, c - OPT_IDENT, arg);
		return ph_cli_intel_opt(&o->intel, c, arg);
	}
}

/* SHA-256 of a file as hex; "" for stdin or when it cannot be read. */
static void file_sha256(const char *path, char out[65])
{
	out[0] = '\0';
	struct stat st;
	/* Only regular files: reading a pipe here would steal its bytes
	 * from the analysis. */
	if (strcmp(path, "-") == 0 || stat(path, &st) != 0 ||
	    !S_ISREG(st.st_mode))
		return;
	FILE *fp = fopen(path, "rb");
	if (!fp)
		return;
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	unsigned char buf[1 << 15];
	size_t n;
	bool ok = ctx && EVP_DigestInit_ex(ctx, EVP_sha256(), NULL);
	while (ok && (n = fread(buf, 1, sizeof buf, fp)) > 0)
		ok = EVP_DigestUpdate(ctx, buf, n);
	unsigned char md[32];
	unsigned mdlen = 0;
	if (ok && !ferror(fp) && EVP_DigestFinal_ex(ctx, md, &mdlen))
		for (unsigned i = 0; i < mdlen && i < 32; i++)
			snprintf(out + 2 * i, 3, "%02x", md[i]);
	EVP_MD_CTX_free(ctx);
	fclose(fp);
}

/* The capture files' SHA-256, computed on a second thread while the
 * analysis runs (hashing a 1 GB capture costs ~0.9 s of CPU; on two
 * cores it then costs no wall time). */
struct hasher {
	pthread_t thread;
	bool started;
	const char *const *paths;
	unsigned n;
	char (*sha)[65];        /* owned, n entries */
};

static void *hash_files(void *arg)
{
	struct hasher *h = arg;
	for (unsigned i = 0; i < h->n; i++)
		file_sha256(h->paths[i], h->sha[i]);
	return NULL;
}

static void hasher_start(struct hasher *h, const char *const *paths,
			 unsigned n)
{
	memset(h, 0, sizeof *h);
	h->paths = paths;
	h->n = n;
	h->sha = calloc(n ? n : 1, sizeof *h->sha);
	if (h->sha && pthread_create(&h->thread, NULL, hash_files, h) == 0)
		h->started = true;
	else if (h->sha)
		hash_files(h); /* no thread: hash now */
}

static void hasher_join(struct hasher *h)
{
	if (h->started)
		pthread_join(h->thread, NULL);
	h->started = false;
}

static struct ph_check_file *collect_files(const struct ph_run_summary *s,
					   const struct hasher *h)
{
	unsigned n = ph_run_summary_nfiles(s);
	struct ph_check_file *files = calloc(n ? n : 1, sizeof *files);
	if (!files)
		return NULL;
	for (unsigned i = 0; i < n; i++) {
		const struct ph_file_result *r = ph_run_summary_file(s, i);
		struct ph_check_file *f = &files[i];
		snprintf(f->path, sizeof f->path, "%s", r->path);
		snprintf(f->format, sizeof f->format, "%s", r->format);
		f->packets = r->packets;
		f->bytes = r->bytes;
		f->complete = r->err.code == 0;
		if (!f->complete)
			snprintf(f->error, sizeof f->error, "%s", r->err.msg);
		if (h->sha && i < h->n && strcmp(h->paths[i], r->path) == 0)
			memcpy(f->sha256, h->sha[i], sizeof f->sha256);
		else
			file_sha256(r->path, f->sha256);
	}
	return files;
}

static struct ph_device *collect_devices(const struct ph_devices *d,
					 unsigned *n)
{
	*n = ph_devices_count(d);
	struct ph_device *out = calloc(*n ? *n : 1, sizeof *out);
	if (!out)
		return NULL;
	for (unsigned i = 0; i < *n; i++)
		ph_devices_get(d, i, &out[i]);
	return out;
}

/* Anomalies that mean part of the traffic was not analysed, and how to
 * say so in the report. */
static const struct {
	const char *name;
	const char *what;
} gap_kinds[] = {
	{"LINK_UNSUPPORTED", "packets of an unsupported link type were skipped"},
	{"SNAPLEN_CUT", "packets were cut short by the capture's snap length: "
			"their payload was not fully inspected"},
	{"REASM_GAP", "TCP stream gaps (bytes never captured) left content "
		      "unparsed"},
	{"REASM_OVERFLOW", "times TCP data was skipped because a reassembly "
			   "buffer was full"},
	{"FLOW_TABLE_FULL", "connections were pushed out of a full flow table "
			    "(raise --max-flows)"},
	{"FRAG_TABLE_FULL", "IP fragments were dropped (fragment table full)"},
	{"TUNNEL_BAD", "tunnelled packets could not be opened"},
};

static unsigned collect_gaps(const struct ph_run_summary *s, char (*out)[200],
			     const char **ptrs, unsigned max)
{
	unsigned n = 0;
	for (unsigned i = 0; i < ph_run_summary_nanomalies(s); i++) {
		const char *name = NULL, *text = NULL;
		uint64_t v = ph_run_summary_anomaly(s, i, &name, &text);
		for (size_t k = 0; name && v && n < max &&
				   k < sizeof gap_kinds / sizeof *gap_kinds; k++)
			if (strcmp(name, gap_kinds[k].name) == 0) {
				snprintf(out[n], 200, "%llu %s",
					 (unsigned long long)v, gap_kinds[k].what);
				ptrs[n] = out[n];
				n++;
			}
	}
	return n;
}

/* Detections that ran, and the count of encrypted connections. */
static unsigned collect_detections(const struct ph_run_summary *s,
				   const char **names, unsigned max,
				   uint64_t *encrypted)
{
	unsigned n = 0;
	for (unsigned i = 0; i < ph_run_summary_nmodules(s); i++)
		if (n < max && ph_run_summary_module_is_detection(s, i))
			names[n++] = ph_run_summary_module(s, i);
	*encrypted = 0;
	for (unsigned i = 0; i < ph_run_summary_ncounters(s); i++) {
		const char *name;
		uint64_t v = ph_run_summary_counter(s, i, &name);
		if (strcmp(name, "encrypted_connections") == 0)
			*encrypted = v;
	}
	return n;
}

static bool has_medium(const struct ph_findings *f)
{
	for (unsigned i = 0; i < ph_findings_count(f); i++)
		if (ph_findings_get(f, i)->severity >= PH_SEV_MEDIUM)
			return true;
	return false;
}

/* Renders the report; returns an exit code for output errors or 0. */
static int render(const struct check_opts *o, struct ph_check *c)
{
	struct ph_err err;
	memset(&err, 0, sizeof err);
	bool colour = o->color == 1 ||
		      (o->color == -1 && isatty(STDOUT_FILENO) &&
		       !getenv("NO_COLOR"));
	int rc = o->json ? ph_check_write_json(c, stdout, &err)
			 : ph_check_write_text(c, stdout, colour, &err);
	if (rc == 0 && fflush(stdout) != 0)
		rc = ph_err_set(&err, PH_EIO, "standard output: write failed");
	if (rc == 0 && o->html.path && ph_cli_write_html(o->html.path, c) < 0)
		return PH_EXIT_OUTPUT;
	if (rc == 0 && o->run.log_dir)
		rc = ph_check_write_notice_log(c, o->run.log_dir,
					       o->run.log_format == PH_LOG_TSV,
					       c->first_ns, &err);
	if (rc < 0) {
		ph_cli_print_err(&err);
		return PH_EXIT_OUTPUT;
	}
	return 0;
}

struct check_run {
	struct ph_intel *intel;
	struct ph_identifiers *identifiers;
	struct ph_findings *findings;
	struct ph_devices *devices;
	struct ph_destinations *dests;  /* --html only */
	struct ph_geoip *geoip;
	struct ph_run_summary *summary;
	struct ph_check_file *files;
	struct ph_device *devlist;
	struct hasher hash;
};

static void check_run_free(struct check_run *r)
{
	ph_run_summary_free(r->summary);
	ph_findings_free(r->findings);
	ph_devices_free(r->devices);
	ph_destinations_free(r->dests);
	ph_geoip_free(r->geoip);
	ph_intel_free(r->intel);
	ph_identifiers_free(r->identifiers);
	free(r->files);
	free(r->devlist);
	hasher_join(&r->hash);
	free(r->hash.sha);
}

/* Fills the report's inputs from the run. */
static int build_check(struct check_run *r, const struct check_opts *o,
		       struct ph_check *c)
{
	static const char *dets[PH_CHECK_MAX_DETECTIONS];
	static char gaps[8][200];
	static const char *gap_ptrs[8];
	struct ph_run_totals t;
	ph_run_summary_totals(r->summary, &t);
	memset(c, 0, sizeof *c);
	hasher_join(&r->hash);
	r->files = collect_files(r->summary, &r->hash);
	r->devlist = collect_devices(r->devices, &c->ndevices);
	if (!r->files || !r->devlist)
		return ph_cli_errorf("out of memory"), -1;
	c->files = r->files;
	c->nfiles = ph_run_summary_nfiles(r->summary);
	c->first_ns = t.first_ns;
	c->last_ns = t.last_ns;
	c->packets = t.packets;
	c->bytes = t.bytes;
	c->flows = t.flows;
	c->devices = r->devlist;
	c->device_filter = o->device;
	c->intel = r->intel;
	c->detections = dets;
	c->ndetections = collect_detections(r->summary, dets,
					    PH_CHECK_MAX_DETECTIONS,
					    &c->encrypted_flows);
	c->findings = r->findings;
	c->destinations = r->dests;
	c->geoip = r->geoip && ph_geoip_count(r->geoip) ? r->geoip : NULL;
	c->coverage_gaps = gap_ptrs;
	c->ncoverage_gaps = collect_gaps(r->summary, gaps, gap_ptrs, 8);
	ph_check_decide(c);
	return 0;
}

/* The identifier files and flags, in command-line order; NULL after
 * printing the one-line error (it names FILE:LINE or the flag). */
static struct ph_identifiers *load_identifiers(const struct check_opts *o)
{
	struct ph_identifiers *ids = ph_identifiers_new();
	if (!ids) {
		ph_cli_errorf("out of memory");
		return NULL;
	}
	for (unsigned i = 0; i < o->nident; i++) {
		const struct ident_arg *a = &o->ident[i];
		struct ph_err err;
		char flag[32];
		int rc;
		memset(&err, 0, sizeof err);
		if (a->kind < 0) {
			rc = ph_identifiers_load(ids, a->arg, &err);
		} else {
			const char *key = ph_ident_kind_key(a->kind);
			snprintf(flag, sizeof flag, "--%s", key);
			for (char *p = flag; *p; p++)
				*p = *p == '_' ? '-' : *p;
			rc = ph_identifiers_add(ids, key, a->arg, flag, &err);
		}
		if (rc < 0) {
			/* the message names the file and line or the flag */
			ph_cli_errorf("%s", err.msg);
			ph_identifiers_free(ids);
			return NULL;
		}
	}
	return ids;
}

static int run_check(struct check_opts *o, struct check_run *r)
{
	struct ph_err err;
	memset(&err, 0, sizeof err);
	if (o->nident) {
		r->identifiers = load_identifiers(o);
		if (!r->identifiers)
			return PH_EXIT_INPUT;
		o->run.identifiers = r->identifiers;
	}
	r->intel = ph_cli_intel_load(&o->intel);
	if (!r->intel)
		return PH_EXIT_INPUT;
	r->findings = ph_findings_new(MAX_FINDINGS);
	r->devices = ph_devices_new(MAX_DEVICES);
	if (!r->findings || !r->devices)
		return ph_cli_errorf("out of memory"), PH_EXIT_INPUT;
	if (o->device && ph_devices_set_filter(r->devices, o->device, &err) < 0) {
		ph_cli_print_err(&err);
		return PH_EXIT_USAGE;
	}
	o->run.intel = r->intel;
	o->run.findings = r->findings;
	o->run.devices = r->devices;
	/* Country and organisation for every report: the --geoip files and
	 * any database a package installed (none: no lookups). */
	r->geoip = ph_cli_geoip_open(&o->html);
	if (!r->geoip)
		return PH_EXIT_INPUT;
	if (o->html.path) {
		r->dests = ph_destinations_new(0);
		if (!r->dests)
			return ph_cli_errorf("out of memory"), PH_EXIT_INPUT;
		o->run.destinations = r->dests;
	}
	struct ph_progress prog;
	ph_progress_init(&prog, o->quiet);
	o->run.progress = ph_progress_cb;
	o->run.progress_user = &prog;
	hasher_start(&r->hash, o->run.files, o->run.nfiles);
	int rc = ph_run(&o->run, &r->summary, &err);
	ph_progress_done(&prog);
	int code = ph_cli_run_exit(rc, r->summary);
	if (rc < 0)
		ph_cli_print_err(&err);
	if (!r->summary || code == PH_EXIT_OUTPUT || code == PH_EXIT_USAGE)
		return code;
	struct ph_check c;
	if (build_check(r, o, &c) < 0)
		return PH_EXIT_OUTPUT;
	int out = render(o, &c);
	if (out)
		return out;
	return has_medium(r->findings) ? PH_EXIT_FINDINGS : code;
}

static void print_option(void *user, const char *module,
			 const struct ph_module_option *o)
{
	(void)user;
	if (strcmp(o->unit, "path") == 0)
		printf("%s.%s=FILE\t%s (default: built in)\n", module,
		       o->name, o->help);
	else
		printf("%s.%s=%g\t%s (%g to %g %s)\n", module, o->name,
		       o->def, o->help, o->min, o->max, o->unit);
}

static void print_detection(void *user, const char *name,
			    const char *summary)
{
	(void)user;
	printf("%s\t%s\n", name, summary ? summary : "");
}

int ph_cmd_check(int argc, char **argv)
{
	struct check_opts o;
	memset(&o, 0, sizeof o);
	o.color = -1;
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "o:f:qh", check_long, NULL)) != -1) {
		if (c == 'h') {
			fputs(check_usage, stdout);
			return PH_EXIT_OK;
		}
		if (c == OPT_LIST_OPTIONS) {
			ph_run_list_options(print_option, NULL);
			return fflush(stdout) ? PH_EXIT_OUTPUT : PH_EXIT_OK;
		}
		if (c == OPT_LIST_DETECTIONS) {
			ph_run_list_detections(print_detection, NULL);
			return fflush(stdout) ? PH_EXIT_OUTPUT : PH_EXIT_OK;
		}
		if (c == '?' || parse_opt(&o, c, optarg) < 0) {
			fputs("Try 'peephole check --help'.\n", stderr);
			return PH_EXIT_USAGE;
		}
	}
	if (optind >= argc) {
		ph_cli_errorf("check: no capture file given");
		fputs("Try 'peephole check --help'.\n", stderr);
		return PH_EXIT_USAGE;
	}
	o.run.files = (const char *const *)&argv[optind];
	o.run.nfiles = (unsigned)(argc - optind);
	struct check_run r;
	memset(&r, 0, sizeof r);
	int code = run_check(&o, &r);
	check_run_free(&r);
	return code;
}
