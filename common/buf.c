/* buf.c - struct rw_buf, a capped growable string with a sticky error. */
#include "common.h"

#include <string.h>

static char buf_empty[1];

void rw_buf_init(struct rw_buf *b, size_t max)
{
	b->data = buf_empty;
	b->len = 0;
	b->cap = 0;
	b->max = max ? max : RW_BUF_DEFAULT_MAX;
	b->err = 0;
}

/* Make room for extra more bytes plus the NUL; sets b->err on failure. */
static int buf_grow(struct rw_buf *b, size_t extra)
{
	size_t need, cap;
	char *p;

	if (b->err)
		return -1;
	if (extra > b->max - b->len) {
		b->err = RW_ENOMEM;
		return -1;
	}
	need = b->len + extra + 1;
	if (need <= b->cap)
		return 0;
	cap = b->cap ? b->cap : 64;
	while (cap < need)
		cap = cap > SIZE_MAX / 2 ? need : cap * 2;
	p = rw_realloc(b->cap ? b->data : NULL, cap);
	if (!p) {
		b->err = RW_ENOMEM;
		return -1;
	}
	if (!b->cap)
		p[0] = '\0';
	b->data = p;
	b->cap = cap;
	return 0;
}

void rw_buf_add(struct rw_buf *b, const char *s, size_t len)
{
	if (buf_grow(b, len))
		return;
	memcpy(b->data + b->len, s, len);
	b->len += len;
	b->data[b->len] = '\0';
}

void rw_buf_adds(struct rw_buf *b, const char *s)
{
	rw_buf_add(b, s, strlen(s));
}

void rw_buf_addc(struct rw_buf *b, char c)
{
	rw_buf_add(b, &c, 1);
}

void rw_buf_vaddf(struct rw_buf *b, const char *fmt, va_list ap)
{
	va_list cp;
	int n;

	if (b->err)
		return;
	va_copy(cp, ap);
	n = vsnprintf(NULL, 0, fmt, cp);
	va_end(cp);
	if (n < 0) {
		b->err = RW_ENOMEM;
		return;
	}
	if (buf_grow(b, (size_t)n))
		return;
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	b->len += (size_t)n;
}

void rw_buf_addf(struct rw_buf *b, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	rw_buf_vaddf(b, fmt, ap);
	va_end(ap);
}

void rw_buf_reset(struct rw_buf *b)
{
	b->len = 0;
	if (b->cap)
		b->data[0] = '\0';
	b->err = 0;
}

void rw_buf_release(struct rw_buf *b)
{
	if (b->cap)
		rw_free(b->data);
	rw_buf_init(b, b->max);
}

int rw_buf_error(const struct rw_buf *b)
{
	return b->err;
}

char *rw_buf_detach(struct rw_buf *b, size_t *len)
{
	char *p;

	if (b->err)
		return NULL;
	if (!b->cap && buf_grow(b, 0))
		return NULL;
	p = b->data;
	if (len)
		*len = b->len;
	rw_buf_init(b, b->max);
	return p;
}
