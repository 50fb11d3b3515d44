/* err.c - struct rw_err: first error wins, never allocates. */
#include "common.h"

#include <string.h>

void rw_err_clear(struct rw_err *err)
{
	if (!err)
		return;
	err->code = 0;
	err->file[0] = '\0';
	err->line = 0;
	err->column = 0;
	err->msg[0] = '\0';
}

int rw_err_set(struct rw_err *err, int code, const char *fmt, ...)
{
	va_list ap;

	if (!err || err->code)
		return code;
	err->code = code;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	return code;
}

void rw_err_where(struct rw_err *err, const char *file, long line, long column)
{
	if (!err)
		return;
	if (file && !err->file[0])
		snprintf(err->file, sizeof(err->file), "%s", file);
	if (line && !err->line)
		err->line = line;
	if (column && !err->column)
		err->column = column;
}

void rw_err_print(const struct rw_err *err, FILE *fp)
{
	fputs("repwatch: ", fp);
	if (err->file[0]) {
		fputs(err->file, fp);
		if (err->line)
			fprintf(fp, ":%ld", err->line);
		if (err->line && err->column)
			fprintf(fp, ":%ld", err->column);
		fputs(": ", fp);
	}
	fputs(err->msg[0] ? err->msg : rw_code_name(err->code), fp);
	fputc('\n', fp);
}

const char *rw_code_name(int code)
{
	static const char *const names[] = {
		[RW_OK] = "success",
		[RW_EUSAGE] = "usage error",
		[RW_ECONFIG] = "configuration error",
		[RW_EINPUT] = "input rejected",
		[RW_ENOMEM] = "out of memory",
		[RW_EIO] = "input/output error",
		[RW_EDB] = "database error",
		[RW_EBUSY] = "database busy",
		[RW_EINTERNAL] = "internal error",
	};

	if (code < 0 || (size_t)code >= sizeof(names) / sizeof(names[0]))
		return "unknown error";
	return names[code];
}
