/* Escaping and small formats for the HTML report (html.h). Every string
 * that came from a capture or a feed (names, URIs, labels, file names)
 * goes through ph_html_text before it reaches the page: the five HTML
 * special characters become entities, so the text can neither open a tag
 * nor leave an attribute; control bytes and malformed UTF-8 become
 * U+FFFD. Output is streamed; nothing is allocated. */
#include <inttypes.h>
#include <string.h>
#include <time.h>

#include "report/html.h"
#include "util/fmt.h"
#include "util/utf8.h"

#define REPLACEMENT "\xef\xbf\xbd" /* U+FFFD */

static const char *entity(unsigned char ch)
{
	switch (ch) {
	case '&': return "&amp;";
	case '<': return "&lt;";
	case '>': return "&gt;";
	case '"': return "&quot;";
	case '\'': return "&#39;";
	default: return NULL;
	}
}

void ph_html_text(FILE *out, const char *s, size_t max)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t len = s ? strlen(s) : 0;
	bool cut = max && len > max;
	if (cut)
		len = max;
	for (size_t i = 0; i < len;) {
		size_t k = p[i] >= 0x80 ? ph_utf8_char_len(p + i, len - i) : 0;
		const char *ent = entity(p[i]);
		if (k) {
			fwrite(p + i, 1, k, out);
			i += k;
			continue;
		}
		if (ent)
			fputs(ent, out);
		else if (p[i] == '\n' || p[i] == '\t')
			fputc(' ', out);
		else if (p[i] >= 0x20 && p[i] < 0x7f)
			fputc(p[i], out);
		else
			fputs(REPLACEMENT, out);
		i++;
	}
	if (cut)
		fputs("\xe2\x80\xa6", out); /* … */
}

void ph_html_time(uint64_t ns, char *buf, size_t n, bool short_form)
{
	time_t secs = (time_t)(ns / 1000000000u);
	struct tm tm;
	if (!ns || !gmtime_r(&secs, &tm)) {
		snprintf(buf, n, "unknown");
		return;
	}
	strftime(buf, n, short_form ? "%H:%M:%S" : "%Y-%m-%d %H:%M:%S UTC",
		 &tm);
}

void ph_html_bytes(uint64_t v, char *buf, size_t n)
{
	ph_fmt_bytes(v, "B", buf, n);
}
