/* `peephole check`: everything the verdict and the reports need, gathered
 * after a run, and the verdict itself. The CLI (src/cli/cmd_check.c) fills
 * struct ph_check from the run summary, the indicator store and the
 * findings; src/detect/verdict.c decides; src/report/check_text.c,
 * check_json.c and notice_log.c render. */
#ifndef PEEPHOLE_CHECK_H
#define PEEPHOLE_CHECK_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "peephole/finding.h"
#include "peephole/intel.h"
#include "peephole/ph.h"

#ifdef __cplusplus
extern "C" {
#endif

struct ph_destinations;
struct ph_geoip;

#define PH_CHECK_JSON_VERSION "1.1"

/* A device: a local (RFC 1918, link-local, ULA, CGNAT) host seen in the
 * capture, or the one named with --device. */
struct ph_device {
	char ip[48];            /* "192.168.1.23" */
	char mac[18];           /* "" when unknown */
	char hostname[64];      /* from DHCP option 12 / mDNS, "" unknown */
	char vendor_class[64];  /* DHCP option 60 ("android-dhcp-13"), "" */
	uint64_t first_ns, last_ns;
	uint64_t flows;         /* connections it took part in */
	uint64_t bytes_out, bytes_in; /* payload bytes sent / received */
};

struct ph_check_file {
	char path[512];
	char format[16];        /* "pcapng", "pcap.gz" */
	char sha256[65];        /* of the file as read ("" for stdin) */
	uint64_t packets, bytes;
	bool complete;          /* read to its end */
	char error[300];        /* one line when !complete, else "" */
};

enum ph_verdict {
	PH_VERDICT_NO_SIGN = 0,     /* NO SIGN OF COMPROMISE FOUND */
	PH_VERDICT_SUSPICIOUS,      /* SUSPICIOUS */
	PH_VERDICT_COMPROMISED,     /* LIKELY COMPROMISED */
};
const char *ph_verdict_name(enum ph_verdict v); /* "LIKELY COMPROMISED" */

#define PH_CHECK_MAX_NOTES 32
struct ph_check {
	/* Inputs: all borrowed, owned by the CLI. */
	const struct ph_check_file *files;
	unsigned nfiles;
	uint64_t first_ns, last_ns;      /* capture time span */
	uint64_t packets, bytes, flows;
	const struct ph_device *devices;
	unsigned ndevices;
	const char *device_filter;       /* --device value or NULL */
	const struct ph_intel *intel;    /* sources, counts (may be NULL) */
	const char *const *detections;   /* names of the detections run */
	unsigned ndetections;
	const struct ph_findings *findings;
	uint64_t encrypted_flows;        /* flows whose content is opaque */
	/* Parts of the traffic the run could not analyse, one line each
	 * ("12 packets of an unsupported link type were skipped"), filled
	 * by the caller from the run's anomaly counters; copied into
	 * not_checked by ph_check_decide. */
	const char *const *coverage_gaps;
	unsigned ncoverage_gaps;
	/* For the HTML report (src/report/check_html.c): borrowed, may be
	 * NULL (no table, timeline or volume chart; no country/organisation
	 * column). */
	const struct ph_destinations *destinations;
	const struct ph_geoip *geoip;
	/* Outputs of ph_check_decide(). */
	enum ph_verdict verdict;
	char reason[300];                /* one sentence */
	/* "What was not checked": one line each (truncated file,
	 * unsupported link type, zero indicators loaded...). */
	char not_checked[PH_CHECK_MAX_NOTES][200];
	unsigned nnot_checked;
};

/* Sets verdict, reason and not_checked from the inputs. LIKELY
 * COMPROMISED needs a high/critical finding with high confidence;
 * SUSPICIOUS any finding >= medium (or a high one with lower
 * confidence); otherwise NO SIGN..., never "clean": the reason says what
 * could not be checked when anything could not. */
void ph_check_decide(struct ph_check *c);

/* Renderers. Each returns 0 or PH_EIO with err. */
int ph_check_write_text(const struct ph_check *c, FILE *out, bool colour,
			struct ph_err *err);
int ph_check_write_json(const struct ph_check *c, FILE *out,
			struct ph_err *err);
/* The self-contained HTML report (docs/report-html.md): inline CSS and
 * SVG, no external resource, readable without JavaScript. */
int ph_check_write_html(const struct ph_check *c, FILE *out,
			struct ph_err *err);
/* notice.log in dir, Zeek format (JSON lines or TSV). */
int ph_check_write_notice_log(const struct ph_check *c, const char *dir,
			      bool tsv, uint64_t open_ts_ns,
			      struct ph_err *err);

#ifdef __cplusplus
}
#endif
#endif
