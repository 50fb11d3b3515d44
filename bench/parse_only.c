/*
 * parse_only.c - the parse floor of the benchmark: stream a CSV file
 * through libcsv in 1 MiB freads and count its records and fields, doing
 * nothing else.  repwatch cannot read its input faster than this.
 *
 * usage: parse_only FILE
 * Prints "records fields bytes"; exit status 0, 1 usage, 2 I/O or parse
 * error.
 */
#include <csv.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BLOCK (1u << 20)

struct counts {
	unsigned long long records;
	unsigned long long fields;
};

static void on_field(void *s, size_t len, void *data)
{
	struct counts *c = data;

	(void)s;
	(void)len;
	c->fields++;
}

static void on_record(int ch, void *data)
{
	struct counts *c = data;

	(void)ch;
	c->records++;
}

static int parse(FILE *f, const char *path, struct counts *c,
		 unsigned long long *bytes)
{
	struct csv_parser p;
	char *buf = malloc(BLOCK);
	size_t n;
	int rc = 0;

	if (!buf || csv_init(&p, 0)) {
		fprintf(stderr, "parse_only: out of memory\n");
		free(buf);
		return 2;
	}
	while ((n = fread(buf, 1, BLOCK, f)) > 0) {
		*bytes += n;
		if (csv_parse(&p, buf, n, on_field, on_record, c) != n) {
			fprintf(stderr, "parse_only: %s: %s\n", path,
				csv_strerror(csv_error(&p)));
			rc = 2;
			break;
		}
	}
	if (!rc && ferror(f)) {
		fprintf(stderr, "parse_only: %s: read error\n", path);
		rc = 2;
	}
	if (!rc && csv_fini(&p, on_field, on_record, c)) {
		fprintf(stderr, "parse_only: %s: %s\n", path,
			csv_strerror(csv_error(&p)));
		rc = 2;
	}
	csv_free(&p);
	free(buf);
	return rc;
}

int main(int argc, char **argv)
{
	struct counts c = { 0, 0 };
	unsigned long long bytes = 0;
	FILE *f;
	int rc;

	if (argc != 2) {
		fprintf(stderr, "usage: parse_only FILE\n");
		return 1;
	}
	f = fopen(argv[1], "rb");
	if (!f) {
		fprintf(stderr, "parse_only: %s: %s\n", argv[1], strerror(errno));
		return 2;
	}
	rc = parse(f, argv[1], &c, &bytes);
	if (fclose(f) && !rc) {
		fprintf(stderr, "parse_only: %s: %s\n", argv[1], strerror(errno));
		rc = 2;
	}
	if (!rc && printf("%llu %llu %llu\n", c.records, c.fields, bytes) < 0)
		rc = 2;
	return rc;
}
