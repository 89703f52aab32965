/* libFuzzer target for the HTML report's escaping (src/report/
 * html_esc.c, ph_html_text): any bytes in, the output must be text that
 * cannot open a tag or leave an attribute: no < > " ' and every & starts
 * one of our five entities; it must be well-formed UTF-8 with no control
 * byte; and a cut (the first input byte picks the limit) adds at most the
 * ellipsis. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report/html.h"

static const char *const entities[] = {"&amp;", "&lt;", "&gt;", "&quot;",
				       "&#39;"};

static size_t entity_at(const char *p)
{
	for (size_t k = 0; k < sizeof entities / sizeof *entities; k++)
		if (strncmp(p, entities[k], strlen(entities[k])) == 0)
			return strlen(entities[k]);
	return 0;
}

/* Length of the UTF-8 sequence at p (>= 0x80 lead), 0 when malformed. */
static size_t seq_len(const unsigned char *p, size_t n)
{
	size_t len = p[0] >= 0xf0 ? 4 : p[0] >= 0xe0 ? 3 : p[0] >= 0xc2 ? 2 : 0;
	if (!len || len > n || p[0] > 0xf4)
		return 0;
	for (size_t i = 1; i < len; i++)
		if ((p[i] & 0xc0) != 0x80)
			return 0;
	return len;
}

static void check(const char *out, size_t n)
{
	for (size_t i = 0; i < n;) {
		unsigned char ch = (unsigned char)out[i];
		size_t k = 1;
		if (ch == '&' && !(k = entity_at(out + i)))
			__builtin_trap();
		if (ch == '<' || ch == '>' || ch == '"' || ch == '\'' ||
		    ch < 0x20 || ch == 0x7f)
			__builtin_trap();
		if (ch >= 0x80 && !(k = seq_len((const unsigned char *)out + i,
						n - i)))
			__builtin_trap();
		i += k;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1 || size > 4096)
		return 0;
	char *s = malloc(size);
	if (!s)
		return 0;
	memcpy(s, data + 1, size - 1);
	s[size - 1] = '\0';
	char *out = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&out, &n);
	if (f) {
		ph_html_text(f, s, data[0]);
		fclose(f);
		check(out, n);
		/* with a limit, at most 6x the limit (&quot;) plus "…" */
		if (data[0] && n > 6u * data[0] + 3)
			__builtin_trap();
	}
	free(out);
	free(s);
	return 0;
}
