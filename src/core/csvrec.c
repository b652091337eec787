/* See csvrec.h. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/csvrec.h"
#include "core/utf8.h"
#include "iffa/common.h"

int iffa_csvrec__read_file(char **out, size_t *out_len, const char *path, size_t max)
{
	char *data = NULL;
	size_t size, bad, skip = 0;
	long fsize;
	FILE *f;

	*out = NULL;
	*out_len = 0;
	if (!(f = fopen(path, "rb")))
		return iffa_error_set(IFFA_EIO, "%s: cannot open: %s", path, strerror(errno));
	if (fseek(f, 0, SEEK_END) != 0 || (fsize = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0) {
		fclose(f);
		return iffa_error_set(IFFA_EIO, "%s: cannot read: %s", path, strerror(errno));
	}
	if ((unsigned long)fsize > max) {
		fclose(f);
		return iffa_error_set(IFFA_EINVAL, "%s: larger than %zu bytes", path, max);
	}
	if (!(data = malloc((size_t)fsize + 1))) {
		fclose(f);
		return iffa_error_set(IFFA_ENOMEM, "out of memory");
	}
	size = fread(data, 1, (size_t)fsize, f);
	if (ferror(f) || size != (size_t)fsize) {
		fclose(f);
		free(data);
		return iffa_error_set(IFFA_EIO, "%s: read error", path);
	}
	fclose(f);
	data[size] = '\0';
	if (size >= 3 && memcmp(data, "\xef\xbb\xbf", 3) == 0)
		skip = 3;
	if (!iffa_utf8__valid(data + skip, size - skip, &bad)) {
		long l = 1;
		for (size_t i = 0; i < skip + bad; i++)
			l += data[i] == '\n';
		free(data);
		return iffa_error_set(IFFA_EINVAL, "%s:%ld: not valid UTF-8 (or a NUL byte)", path, l);
	}
	memmove(data, data + skip, size - skip + 1);
	*out = data;
	*out_len = size - skip;
	return 0;
}

void iffa_csvrec__init(iffa_csvrec *c, const char *path, const char *data, size_t len)
{
	memset(c, 0, sizeof(*c));
	c->path = path;
	c->s = data;
	c->len = len;
	c->line = 1;
	c->max_field = 4000;
	c->max_fields = 256;
}

static void clear_fields(iffa_csvrec *c)
{
	for (int i = 0; i < c->nfields; i++)
		free(c->fields[i]);
	c->nfields = 0;
}

void iffa_csvrec__dispose(iffa_csvrec *c)
{
	clear_fields(c);
	free(c->fields);
	c->fields = NULL;
	c->cap = 0;
}

int iffa_csvrec__next(iffa_csvrec *c)
{
	clear_fields(c);
	c->record_line = c->line;
	if (c->at >= c->len)
		return 0;
	for (;;) {
		char *f;
		size_t n = 0;
		int quoted = 0;

		/* Without a bound, a line of commas costs max_field bytes a byte. */
		if (c->nfields == c->max_fields)
			return iffa_error_set(IFFA_EINVAL, "%s:%ld: more than %d fields in a record",
					      c->path, c->record_line, c->max_fields);
		if (!(f = malloc(c->max_field + 1)))
			return iffa_error_set(IFFA_ENOMEM, "out of memory");
		if (c->nfields == c->cap) {
			int cap = c->cap ? c->cap * 2 : 16;
			char **q = realloc(c->fields, (size_t)cap * sizeof(*q));
			if (!q) {
				free(f);
				return iffa_error_set(IFFA_ENOMEM, "out of memory");
			}
			c->fields = q;
			c->cap = cap;
		}
		c->fields[c->nfields++] = f;
		if (c->at < c->len && c->s[c->at] == '"') {
			quoted = 1;
			c->at++;
		}
		for (;;) {
			char ch;
			if (c->at >= c->len) {
				if (quoted)
					return iffa_error_set(IFFA_EINVAL, "%s:%ld: quoted field not "
							      "closed before the end of the file",
							      c->path, c->record_line);
				f[n] = '\0';
				return 1;
			}
			ch = c->s[c->at];
			if (quoted) {
				if (ch == '"') {
					if (c->at + 1 < c->len && c->s[c->at + 1] == '"') {
						c->at += 2;
					} else {
						c->at++;
						quoted = 0;
						if (c->at < c->len && c->s[c->at] != ',' &&
						    c->s[c->at] != '\n' && c->s[c->at] != '\r')
							return iffa_error_set(
								IFFA_EINVAL,
								"%s:%ld: text after a closing quote",
								c->path, c->line);
						continue;
					}
				} else {
					c->at++;
					if (ch == '\n')
						c->line++;
				}
			} else if (ch == ',') {
				c->at++;
				break;
			} else if (ch == '\n' || ch == '\r') {
				if (ch == '\r' && c->at + 1 < c->len && c->s[c->at + 1] == '\n')
					c->at++;
				c->at++;
				f[n] = '\0';
				c->line++;
				return 1;
			} else if (ch == '"') {
				return iffa_error_set(IFFA_EINVAL, "%s:%ld: quote inside an unquoted "
						      "field", c->path, c->line);
			} else {
				c->at++;
			}
			if (n == c->max_field)
				return iffa_error_set(IFFA_EINVAL, "%s:%ld: field longer than %zu bytes",
						      c->path, c->line, c->max_field);
			f[n++] = ch;
		}
		f[n] = '\0';
	}
}
