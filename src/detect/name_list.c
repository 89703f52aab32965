/* Domain-name lists for detections (name_list.h): parsing one entry a
 * line, sorting, and suffix lookups on label boundaries. */
#include "detect/name_list.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* One line's entry, cut at '#' and blanks, without "*." or '.'. */
static char *entry_of(char *s, char *e)
{
	char *h = memchr(s, '#', (size_t)(e - s));
	if (h)
		e = h;
	while (s < e && (*s == ' ' || *s == '\t' || *s == '*' || *s == '.'))
		s++;
	char *w = s;
	while (w < e && *w != ' ' && *w != '\t' && *w != '\r')
		w++;
	*w = '\0';
	for (char *p = s; p < w; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
	return w > s ? s : NULL;
}

static int parse(struct ph_name_list *l, char *text, size_t n)
{
	size_t lines = 1;
	l->text = text;
	for (size_t i = 0; i < n; i++)
		lines += text[i] == '\n';
	l->item = calloc(lines < PH_NAME_LIST_MAX ? lines : PH_NAME_LIST_MAX,
			 sizeof *l->item);
	if (!l->item)
		return PH_ENOMEM;
	for (char *s = text; s < text + n;) {
		char *e = memchr(s, '\n', (size_t)(text + n - s));
		e = e ? e : text + n;
		*e = '\0';
		char *it = entry_of(s, e);
		if (it && l->n < PH_NAME_LIST_MAX)
			l->item[l->n++] = it;
		else if (it)
			l->dropped++;
		s = e + 1;
	}
	qsort(l->item, l->n, sizeof *l->item, cmp_str);
	return PH_OK;
}

int ph_name_list_load(struct ph_name_list *l, const char *path,
		      const char *builtin, const char *who,
		      struct ph_err *err)
{
	size_t n = 0;
	char *t;
	memset(l, 0, sizeof *l);
	if (path) {
		FILE *f = fopen(path, "rb");
		if (!f)
			return ph_err_set(err, PH_EIO, "%s: cannot open %s", who,
					  path);
		t = malloc(PH_NAME_LIST_FILE + 1);
		n = t ? fread(t, 1, PH_NAME_LIST_FILE, f) : 0;
		fclose(f);
	} else {
		n = builtin ? strlen(builtin) : 0;
		t = malloc(n + 1);
		if (t && n)
			memcpy(t, builtin, n);
	}
	if (!t)
		return ph_err_set(err, PH_ENOMEM, "out of memory");
	t[n] = '\0';
	if (parse(l, t, n) < 0) {
		ph_name_list_free(l);
		return ph_err_set(err, PH_ENOMEM, "out of memory");
	}
	return PH_OK;
}

const char *ph_name_list_match(const struct ph_name_list *l, const char *name,
			       size_t n, bool self)
{
	char buf[256];
	while (n && name[n - 1] == '.')
		n--;
	if (!n || n >= sizeof buf || !l->n)
		return NULL;
	for (size_t i = 0; i < n; i++)
		buf[i] = (char)(name[i] >= 'A' && name[i] <= 'Z' ?
				name[i] - 'A' + 'a' : name[i]);
	buf[n] = '\0';
	for (const char *k = self ? buf : strchr(buf, '.'); k;
	     k = strchr(k + 1, '.')) {
		const char *key = k + (*k == '.');
		const char **hit = bsearch(&key, l->item, l->n, sizeof *l->item,
					   cmp_str);
		if (hit)
			return *hit;
	}
	return NULL;
}

void ph_name_list_free(struct ph_name_list *l)
{
	free(l->text);
	free(l->item);
	l->text = NULL;
	l->item = NULL;
	l->n = 0;
}
