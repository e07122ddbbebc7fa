/*-------------------------------------------------------------------------
 *
 * likeset_unit.c
 *	  Unit tests of the plain-C core (likeset_core.c, likeset_text.c,
 *	  likeset_pack.c), built and run under AddressSanitizer and
 *	  UndefinedBehaviorSanitizer by `make unitcheck`.
 *
 * The set algorithms are checked against a reference model written here
 * from the contract in likeset.h: one (element, ts, removed) entry per
 * element, keeping the greatest operation (timestamp, then removed over
 * added).  Stored values are written and decoded by the documented byte
 * offsets, not by the header's macros; the text form is checked against a
 * reference formatter and timestamps against a slow calendar written here,
 * independently of the core's; packed values (version 3) against an
 * encoder written here from likeset_pack.c's layout, byte for byte.
 *
 * Each test group runs in a forked child, so that a sanitizer abort in one
 * group is reported as that group's failure and the other groups still
 * run; checks that are expected to be dangerous (out-of-bounds reads,
 * overflow) run in a child of their own.  Random inputs come from a
 * xorshift generator whose seed is printed: LIKESET_UNIT_SEED=<n> repeats a
 * run, LIKESET_UNIT_NOFORK=1 runs everything in one process (debuggers).
 *
 *-------------------------------------------------------------------------
 */
#define _GNU_SOURCE				/* fork, waitpid, mmap, clock_gettime */

#include "likeset.h"

#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define HDR				32		/* documented header size */
#define USECS_PER_SEC	INT64_C(1000000)
#define USECS_PER_HOUR	INT64_C(3600000000)
#define USECS_PER_DAY	INT64_C(86400000000)
#define TS_MIN			LIKESET_TS_MIN
#define TS_END			LIKESET_TS_END
#define ALPHA_MAX		64
#define MAX_REPORTS		10
#define REMOVED_BIT		UINT32_C(0x80000000)

_Static_assert(LIKESET_HDRSZ == HDR, "the documented header is 32 bytes");
_Static_assert(sizeof(LikesetData) == HDR, "no padding after the header");

/* ------------------------------------------------------------------------
 * Counting and reporting.  The counters live in shared memory so that the
 * forked groups add to them.
 * ------------------------------------------------------------------------
 */
typedef struct Shared
{
	long		passed;
	long		failed;
	long		reported;
} Shared;

static Shared *sh;
static const char *cur_group = "";
static uint64_t seed;
static bool nofork;

static void fail_report(int line, const char *fmt,...) __attribute__((format(printf, 2, 3)));

/* Count a failed check and describe the first few of each group */
static void
fail_report(int line, const char *fmt,...)
{
	va_list		ap;

	sh->failed++;
	if (sh->reported++ >= MAX_REPORTS)
		return;
	printf("  FAIL [%s] line %d: ", cur_group, line);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
}

#define CHECK(cond, ...) \
	do { \
		if (cond) \
			sh->passed++; \
		else \
			fail_report(__LINE__, __VA_ARGS__); \
	} while (0)

/* ------------------------------------------------------------------------
 * Random numbers: xorshift64*, seeded through splitmix64
 * ------------------------------------------------------------------------
 */
static uint64_t rng_state = 1;

static uint64_t
splitmix(uint64_t x)
{
	x += UINT64_C(0x9E3779B97F4A7C15);
	x = (x ^ (x >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
	x = (x ^ (x >> 27)) * UINT64_C(0x94D049BB133111EB);
	return x ^ (x >> 31);
}

static void
rng_seed(uint64_t a, uint64_t b, uint64_t c)
{
	rng_state = splitmix(splitmix(splitmix(a) ^ b) ^ c);
	if (rng_state == 0)
		rng_state = 1;
}

static uint64_t
rnd(void)
{
	uint64_t	x = rng_state;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	rng_state = x;
	return x * UINT64_C(0x2545F4914F6CDD1D);
}

/* Uniform in [0, n) (n == 0 gives 0) */
static uint64_t
rnd_below(uint64_t n)
{
	return n <= 1 ? 0 : rnd() % n;
}

static bool
rnd_pct(unsigned pct)
{
	return rnd_below(100) < pct;
}

/* Uniform in [lo, hi) */
static int64_t
rnd_between(int64_t lo, int64_t hi)
{
	return (int64_t) ((uint64_t) lo + rnd_below((uint64_t) hi - (uint64_t) lo));
}

static int
sign(int64_t v)
{
	return v < 0 ? -1 : v > 0 ? 1 : 0;
}

/* ------------------------------------------------------------------------
 * Printing bytes in messages
 * ------------------------------------------------------------------------
 */
static const char *
show(const char *p, size_t len)
{
	static char bufs[8][440];
	static int	k;
	char	   *b = bufs[k++ % 8];
	size_t		o = 0;

	if (p == NULL)
		return "(null)";
	b[o++] = '"';
	for (size_t i = 0; i < len; i++)
	{
		unsigned char c = (unsigned char) p[i];

		if (o > 400)
		{
			memcpy(b + o, "...", 3);
			o += 3;
			break;
		}
		if (c >= 0x20 && c < 0x7f && c != '\\' && c != '"')
			b[o++] = (char) c;
		else
			o += (size_t) snprintf(b + o, sizeof(bufs[0]) - o, "\\x%02x", c);
	}
	b[o++] = '"';
	b[o] = '\0';
	return b;
}

static const char *
shows(const char *s)
{
	return s == NULL ? "(null)" : show(s, strlen(s));
}

/* Text form of a well-formed value, for messages */
static const char *
txt(const LikesetData *s)
{
	size_t		len = 0;
	char	   *t;
	const char *r;

	if (s == NULL)
		return "(null)";
	t = likeset_format(s, &len);
	if (t == NULL)
		return "(format failed)";
	r = show(t, len);
	likeset_free(t);
	return r;
}

/* ------------------------------------------------------------------------
 * Byte access at documented offsets
 * ------------------------------------------------------------------------
 */
static int64_t
get_i64(const void *base, size_t off)
{
	int64_t		v;

	memcpy(&v, (const char *) base + off, 8);
	return v;
}

static uint32_t
get_u32(const void *base, size_t off)
{
	uint32_t	v;

	memcpy(&v, (const char *) base + off, 4);
	return v;
}

static uint16_t
get_u16(const void *base, size_t off)
{
	uint16_t	v;

	memcpy(&v, (const char *) base + off, 2);
	return v;
}

static void
put_i64(void *base, size_t off, int64_t v)
{
	memcpy((char *) base + off, &v, 8);
}

static void
put_u32(void *base, size_t off, uint32_t v)
{
	memcpy((char *) base + off, &v, 4);
}

static void
put_u16(void *base, size_t off, uint16_t v)
{
	memcpy((char *) base + off, &v, 2);
}

static void *
xmalloc(size_t n)
{
	void	   *p = malloc(n);

	if (p == NULL && n > 0)
	{
		fprintf(stderr, "out of memory\n");
		exit(2);
	}
	return p;
}

/* ------------------------------------------------------------------------
 * Growable string
 * ------------------------------------------------------------------------
 */
typedef struct StrBuf
{
	char	   *p;
	size_t		len;
	size_t		cap;
} StrBuf;

static void
sb_putn(StrBuf *b, const char *s, size_t n)
{
	if (b->p == NULL || b->len + n + 1 > b->cap)
	{
		size_t		cap = b->cap < 64 ? 64 : b->cap;
		char	   *np;

		while (b->len + n + 1 > cap)
			cap *= 2;
		np = xmalloc(cap);
		if (b->p)
		{
			memcpy(np, b->p, b->len);
			free(b->p);
		}
		b->p = np;
		b->cap = cap;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

static void
sb_puts(StrBuf *b, const char *s)
{
	sb_putn(b, s, strlen(s));
}

static void
sb_putc(StrBuf *b, char c)
{
	sb_putn(b, &c, 1);
}

/* ------------------------------------------------------------------------
 * Reference calendar: proleptic Gregorian, astronomical years, days counted
 * from 2000-01-01, by plain loops over 400-year cycles
 * ------------------------------------------------------------------------
 */
static int64_t
floordiv(int64_t a, int64_t b)
{
	int64_t		q = a / b;

	if (a % b != 0 && ((a < 0) != (b < 0)))
		q--;
	return q;
}

static bool
ref_leap(int64_t y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int
ref_month_days(int64_t y, int m)
{
	static const int md[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};

	return m == 2 && ref_leap(y) ? 29 : md[m - 1];
}

/* Days from 2000-01-01 to y-m-d */
static int64_t
ref_days(int64_t y, int m, int d)
{
	int64_t		cycles = floordiv(y - 2000, 400);
	int64_t		yy = y - 400 * cycles;
	int64_t		days = cycles * 146097;

	for (int64_t k = 2000; k < yy; k++)
		days += ref_leap(k) ? 366 : 365;
	for (int k = 1; k < m; k++)
		days += ref_month_days(yy, k);
	return days + d - 1;
}

/* Date of a day counted from 2000-01-01 */
static void
ref_civil(int64_t days, int64_t *y, int *m, int *d)
{
	int64_t		cycles = floordiv(days, 146097);
	int64_t		rem = days - cycles * 146097;
	int64_t		yy = 2000;
	int			mm = 1;

	while (rem >= (ref_leap(yy) ? 366 : 365))
	{
		rem -= ref_leap(yy) ? 366 : 365;
		yy++;
	}
	while (rem >= ref_month_days(yy, mm))
	{
		rem -= ref_month_days(yy, mm);
		mm++;
	}
	*y = yy + 400 * cycles;
	*m = mm;
	*d = (int) rem + 1;
}

/*
 * Date and time of t without a zone.  space: ' ' instead of 'T'; plus: a
 * '+' before years 0..9999 too; fracwidth: at least this many fractional
 * digits (0: as few as possible, none for whole seconds).
 */
static void
ref_datetime(char *buf, size_t cap, int64_t t, bool space, bool plus, int fracwidth)
{
	int64_t		days = floordiv(t, USECS_PER_DAY);
	int64_t		rem = t - days * USECS_PER_DAY;
	int64_t		secs = rem / USECS_PER_SEC;
	int64_t		frac = rem % USECS_PER_SEC;
	int64_t		y;
	int			m,
				d;
	size_t		n;

	ref_civil(days, &y, &m, &d);
	if (y < 0)
		snprintf(buf, cap, "-%04" PRId64, -y);
	else if (y > 9999 || plus)
		snprintf(buf, cap, "+%04" PRId64, y);
	else
		snprintf(buf, cap, "%04" PRId64, y);
	n = strlen(buf);
	snprintf(buf + n, cap - n, "-%02d-%02d%c%02d:%02d:%02d", m, d, space ? ' ' : 'T',
			 (int) (secs / 3600), (int) (secs / 60 % 60), (int) (secs % 60));
	if (frac != 0 || fracwidth > 0)
	{
		char		f[16];
		int			w = 6;

		snprintf(f, sizeof(f), "%06" PRId64, frac);
		while (w > 1 && f[w - 1] == '0' && w > fracwidth)
			w--;
		n = strlen(buf);
		snprintf(buf + n, cap - n, ".%.*s", w, f);
	}
}

/* The canonical UTC form of a timestamp */
static void
ref_format_ts(int64_t ts, char *buf, size_t cap)
{
	size_t		n;

	ref_datetime(buf, cap, ts, false, false, 0);
	n = strlen(buf);
	snprintf(buf + n, cap - n, "Z");
}

/* The same instant written in a random local form with a random zone */
static void
ts_text_random(char *buf, size_t cap, int64_t ts)
{
	int64_t		off = rnd_pct(50) ? 0 : rnd_between(-959, 960);	/* minutes */
	int			fracwidth = rnd_pct(30) ? 1 + (int) rnd_below(6) : 0;
	size_t		n;

	ref_datetime(buf, cap, ts + off * 60 * USECS_PER_SEC, rnd_pct(30), rnd_pct(10),
				 fracwidth);
	n = strlen(buf);
	if (off == 0 && rnd_pct(60))
		snprintf(buf + n, cap - n, "Z");
	else
	{
		int64_t		a = off < 0 ? -off : off;
		char		sgn = off < 0 ? '-' : (off == 0 && rnd_pct(50)) ? '-' : '+';
		int			hh = (int) (a / 60);
		int			mm = (int) (a % 60);

		switch (rnd_below(3))
		{
			case 0:
				snprintf(buf + n, cap - n, "%c%02d:%02d", sgn, hh, mm);
				break;
			case 1:
				snprintf(buf + n, cap - n, "%c%02d%02d", sgn, hh, mm);
				break;
			default:
				if (mm == 0)
					snprintf(buf + n, cap - n, "%c%02d", sgn, hh);
				else
					snprintf(buf + n, cap - n, "%c%02d:%02d", sgn, hh, mm);
				break;
		}
	}
}

/* ------------------------------------------------------------------------
 * Reference model of a set: entries sorted by element, one per element
 * ------------------------------------------------------------------------
 */
typedef struct Model
{
	LikesetEntry *e;
	size_t		n;
	size_t		cap;
	int64_t		horizon;		/* LIKESET_TS_NONE, or the recorded horizon */
} Model;

/* memcmp order, shorter first, written out byte by byte */
static int
ref_cmp(const char *a, uint32_t alen, const char *b, uint32_t blen)
{
	uint32_t	n = alen < blen ? alen : blen;

	for (uint32_t i = 0; i < n; i++)
	{
		unsigned char x = (unsigned char) a[i];
		unsigned char y = (unsigned char) b[i];

		if (x != y)
			return x < y ? -1 : 1;
	}
	return alen < blen ? -1 : alen > blen ? 1 : 0;
}

/* Is operation 1 greater than operation 2? */
static bool
ref_greater(int64_t ts1, bool r1, int64_t ts2, bool r2)
{
	return ts1 > ts2 || (ts1 == ts2 && r1 && !r2);
}

static void
model_init(Model *m)
{
	m->n = 0;
	m->cap = 16;
	m->e = xmalloc(m->cap * sizeof(LikesetEntry));
	m->horizon = LIKESET_TS_NONE;
}

static void
model_push(Model *m, const LikesetEntry *e)
{
	if (m->n == m->cap)
	{
		LikesetEntry *ne = xmalloc(2 * m->cap * sizeof(LikesetEntry));

		memcpy(ne, m->e, m->n * sizeof(LikesetEntry));
		free(m->e);
		m->e = ne;
		m->cap *= 2;
	}
	m->e[m->n++] = *e;
}

/* Merge one operation into the model (linear search) */
static void
model_apply(Model *m, const LikesetEntry *op)
{
	for (size_t i = 0; i < m->n; i++)
	{
		if (ref_cmp(m->e[i].elem, m->e[i].len, op->elem, op->len) == 0)
		{
			if (ref_greater(op->ts, op->removed, m->e[i].ts, m->e[i].removed))
			{
				m->e[i].ts = op->ts;
				m->e[i].removed = op->removed;
			}
			return;
		}
	}
	model_push(m, op);
}

static int
model_entry_cmp(const void *pa, const void *pb)
{
	const LikesetEntry *a = pa;
	const LikesetEntry *b = pb;

	return ref_cmp(a->elem, a->len, b->elem, b->len);
}

static void
model_sort(Model *m)
{
	if (m->n > 1)
		qsort(m->e, m->n, sizeof(LikesetEntry), model_entry_cmp);
}

static void
model_build(Model *m, const LikesetEntry *ops, size_t n)
{
	model_init(m);
	for (size_t i = 0; i < n; i++)
		model_apply(m, &ops[i]);
	model_sort(m);
}

static void
model_copy(Model *dst, const Model *src)
{
	model_init(dst);
	for (size_t i = 0; i < src->n; i++)
		model_push(dst, &src->e[i]);
	dst->horizon = src->horizon;
}

static void
model_free(Model *m)
{
	free(m->e);
	m->e = NULL;
	m->n = m->cap = 0;
}

/* Index of an element, or -(insertion point) - 1 */
static int64_t
model_find(const Model *m, const char *elem, uint32_t len)
{
	for (size_t i = 0; i < m->n; i++)
	{
		int			c = ref_cmp(m->e[i].elem, m->e[i].len, elem, len);

		if (c == 0)
			return (int64_t) i;
		if (c > 0)
			return -(int64_t) i - 1;
	}
	return -(int64_t) m->n - 1;
}

/* Total order of states, as documented: entries in order, a prefix first */
static int
ref_compare(const Model *a, const Model *b)
{
	size_t		n = a->n < b->n ? a->n : b->n;

	for (size_t i = 0; i < n; i++)
	{
		const LikesetEntry *x = &a->e[i];
		const LikesetEntry *y = &b->e[i];
		int			c = ref_cmp(x->elem, x->len, y->elem, y->len);

		if (c != 0)
			return c;
		if (x->ts != y->ts)
			return x->ts < y->ts ? -1 : 1;
		if (x->removed != y->removed)
			return x->removed ? 1 : -1;
	}
	return a->n < b->n ? -1 : a->n > b->n ? 1 : 0;
}

/* Bytes the text grammar lets appear in an unquoted element */
static bool
ref_special(unsigned char c)
{
	return c == ',' || c == '{' || c == '}' || c == '"' || c == '\\' || c == '@' ||
		c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

/* Does the canonical output quote this element? (see the briefing) */
static bool
ref_needs_quotes(const char *e, uint32_t len)
{
	if (len == 0 || e[0] == '-')
		return true;
	for (uint32_t i = 0; i < len; i++)
	{
		unsigned char c = (unsigned char) e[i];

		if (ref_special(c) || c < 0x20 || c >= 0x7f)
			return true;
	}
	return false;
}

/* May the parser read this element unquoted? */
static bool
ref_can_be_bare(const char *e, uint32_t len)
{
	if (len == 0 || e[0] == '-')
		return false;
	for (uint32_t i = 0; i < len; i++)
		if (ref_special((unsigned char) e[i]))
			return false;
	return true;
}

/* Canonical text of a model, malloc'd */
static char *
ref_format_set(const Model *m)
{
	StrBuf		b = {NULL, 0, 0};

	sb_putc(&b, '{');
	for (size_t i = 0; i < m->n; i++)
	{
		const LikesetEntry *e = &m->e[i];

		if (i > 0)
			sb_putc(&b, ',');
		if (e->removed)
			sb_putc(&b, '-');
		if (ref_needs_quotes(e->elem, e->len))
		{
			sb_putc(&b, '"');
			for (uint32_t j = 0; j < e->len; j++)
			{
				if (e->elem[j] == '"' || e->elem[j] == '\\')
					sb_putc(&b, '\\');
				sb_putc(&b, e->elem[j]);
			}
			sb_putc(&b, '"');
		}
		else
			sb_putn(&b, e->elem, e->len);
		if (e->ts != TS_MIN)
		{
			char		ts[80];

			ref_format_ts(e->ts, ts, sizeof(ts));
			sb_putc(&b, '@');
			sb_puts(&b, ts);
		}
	}
	sb_putc(&b, '}');
	return b.p;
}

static const char *
ref_txt(const Model *m)
{
	char	   *t = ref_format_set(m);
	const char *r = shows(t);

	free(t);
	return r;
}

static void
random_space(StrBuf *b)
{
	static const char sp[] = " \t\n\r";

	while (rnd_pct(15))
		sb_putc(b, sp[rnd_below(4)]);
}

/*
 * A non-canonical text of the same state: random whitespace, needless
 * quotes and escapes, timestamps in other zones and forms, explicit lowest
 * timestamps, and extra older operations on the same elements, shuffled.
 */
static char *
noisy_text(const Model *m)
{
	LikesetEntry *items = xmalloc((2 * m->n + 1) * sizeof(LikesetEntry));
	size_t		n = 0;
	StrBuf		b = {NULL, 0, 0};

	for (size_t i = 0; i < m->n; i++)
	{
		LikesetEntry e = m->e[i];

		items[n++] = e;
		if (rnd_pct(30))
		{
			/* an operation that the entry beats */
			if (e.removed && (e.ts == TS_MIN || rnd_pct(40)))
				e.removed = false;
			else if (e.ts > TS_MIN)
			{
				int64_t		back = 1 + (int64_t) rnd_below(5);

				e.ts = e.ts < TS_MIN + back ? TS_MIN : e.ts - back;
				e.removed = rnd_pct(50);
			}
			else
				continue;
			items[n++] = e;
		}
	}
	for (size_t i = n; i > 1; i--)
	{
		size_t		j = rnd_below(i);
		LikesetEntry t = items[i - 1];

		items[i - 1] = items[j];
		items[j] = t;
	}

	random_space(&b);
	sb_putc(&b, '{');
	for (size_t i = 0; i < n; i++)
	{
		const LikesetEntry *e = &items[i];

		random_space(&b);
		if (i > 0)
		{
			sb_putc(&b, ',');
			random_space(&b);
		}
		if (e->removed)
			sb_putc(&b, '-');
		if (!ref_can_be_bare(e->elem, e->len) || rnd_pct(30))
		{
			sb_putc(&b, '"');
			for (uint32_t j = 0; j < e->len; j++)
			{
				if (e->elem[j] == '"' || e->elem[j] == '\\' || rnd_pct(10))
					sb_putc(&b, '\\');
				sb_putc(&b, e->elem[j]);
			}
			sb_putc(&b, '"');
		}
		else
			sb_putn(&b, e->elem, e->len);
		if (e->ts != TS_MIN || rnd_pct(25))
		{
			char		ts[96];

			ts_text_random(ts, sizeof(ts), e->ts);
			random_space(&b);
			sb_putc(&b, '@');
			random_space(&b);
			sb_puts(&b, ts);
		}
		random_space(&b);
	}
	sb_putc(&b, '}');
	random_space(&b);
	free(items);
	return b.p;
}

/* ------------------------------------------------------------------------
 * Random elements and operations
 * ------------------------------------------------------------------------
 */
typedef struct Alphabet
{
	int			n;
	char	   *elem[ALPHA_MAX];
	uint32_t	len[ALPHA_MAX];
} Alphabet;

#define LIT(s) { s, sizeof(s) - 1 }

static const struct
{
	const char *s;
	uint32_t	len;
}			awkward[] =
{
	LIT(""), LIT("a"), LIT("b"), LIT("ab"), LIT("A"), LIT("a,b"), LIT("\""),
	LIT("\\"), LIT("@"), LIT("-"), LIT("-x"), LIT(" "), LIT("x y"), LIT("\x80"),
	LIT("\xff"), LIT("\xc3\xa9"), LIT("a\xff"), LIT("{"), LIT("}"), LIT("{}"),
	LIT("q\""), LIT("\\\""), LIT("\t"), LIT("a@b"), LIT("a-b"), LIT("\x7f"),
	LIT("\x01"), LIT("zz"), LIT("NULL"), LIT("a b,c\"d\\e@f"), LIT("'"),
	LIT("\xe2\x82\xac"), LIT("-1"), LIT("a\n"), LIT("2000-01-01"), LIT("@-"),
};

static const unsigned char palette[] = {
	'a', 'b', ',', '"', '\\', '@', '-', ' ', '{', '}', '\t', '\n', 'x', 0x80, 0xff,
	0xc3, 0xa9, 0x7f, 0x01,
};

/* n elements, some tricky, some random short, long_pct% long (to 4096) */
static void
alphabet_make(Alphabet *a, int n, unsigned long_pct)
{
	if (n > ALPHA_MAX)
		n = ALPHA_MAX;
	if (n < 1)
		n = 1;
	a->n = n;
	for (int i = 0; i < n; i++)
	{
		uint64_t	r = rnd_below(100);
		uint32_t	len;
		char	   *p;

		if (r < long_pct)
		{
			len = rnd_pct(30) ? LIKESET_MAX_ELEMENT_LEN : 100 + (uint32_t) rnd_below(3997);
			p = xmalloc(len + 1);
			for (uint32_t j = 0; j < len; j++)
				p[j] = (char) (rnd_pct(80) ? 'a' + rnd_below(3) : 1 + rnd_below(255));
		}
		else if (r < 60)
		{
			size_t		k = rnd_below(sizeof(awkward) / sizeof(awkward[0]));

			len = awkward[k].len;
			p = xmalloc(len + 1);
			memcpy(p, awkward[k].s, len);
		}
		else
		{
			len = (uint32_t) rnd_below(7);
			p = xmalloc(len + 1);
			for (uint32_t j = 0; j < len; j++)
				p[j] = (char) (rnd_pct(70) ? palette[rnd_below(sizeof(palette))]
							   : 1 + rnd_below(255));
		}
		p[len] = '\0';
		a->elem[i] = p;
		a->len[i] = len;
	}
}

static void
alphabet_free(Alphabet *a)
{
	for (int i = 0; i < a->n; i++)
		free(a->elem[i]);
	a->n = 0;
}

/* Timestamps from a small range, so that equal timestamps are common */
typedef struct TsGen
{
	int64_t		base;
	uint64_t	span;
	unsigned	bare_pct;
} TsGen;

static void
tsgen_init(TsGen *g)
{
	switch (rnd_below(8))
	{
		case 0:
			g->base = TS_MIN;
			break;
		case 1:
			g->base = TS_END - 8;
			break;
		case 2:
			g->base = 0;
			break;
		case 3:
			g->base = -3;
			break;
		default:
			g->base = rnd_between(TS_MIN, TS_END - 8);
			break;
	}
	g->span = (uint64_t) 1 << rnd_below(4);
	g->bare_pct = rnd_pct(30) ? 20 : 0;
}

static int64_t
tsgen_next(const TsGen *g)
{
	if (g->bare_pct > 0 && rnd_pct(g->bare_pct))
		return TS_MIN;
	return g->base + (int64_t) rnd_below(g->span);
}

static LikesetEntry *
gen_ops(const Alphabet *a, const TsGen *g, size_t n)
{
	LikesetEntry *ops = xmalloc((n + 1) * sizeof(LikesetEntry));

	for (size_t i = 0; i < n; i++)
	{
		int			k = (int) rnd_below((uint64_t) a->n);

		ops[i].elem = a->elem[k];
		ops[i].len = a->len[k];
		ops[i].removed = rnd_pct(40);
		ops[i].ts = tsgen_next(g);
	}
	return ops;
}

static void
shuffle_ops(LikesetEntry *ops, size_t n)
{
	for (size_t i = n; i > 1; i--)
	{
		size_t		j = rnd_below(i);
		LikesetEntry t = ops[i - 1];

		ops[i - 1] = ops[j];
		ops[j] = t;
	}
}

/* ------------------------------------------------------------------------
 * Values: reference layout, comparisons, the three ways of building
 * ------------------------------------------------------------------------
 */

/* Write the documented layout of sorted entries, malloc'd to exact size */
static unsigned char *
raw_build(const LikesetEntry *e, size_t n, size_t *sizep)
{
	size_t		dlen = 0;
	size_t		size;
	size_t		off = 0;
	uint32_t	npresent = 0;
	int64_t		maxts = LIKESET_TS_NONE;
	unsigned char *b;

	for (size_t i = 0; i < n; i++)
	{
		dlen += e[i].len;
		if (!e[i].removed)
			npresent++;
		if (i == 0 || e[i].ts > maxts)
			maxts = e[i].ts;
	}
	size = HDR + 12 * n + dlen;
	b = xmalloc(size);
	memset(b, 0, HDR);
	b[4] = LIKESET_FORMAT_VERSION;
	put_u32(b, 8, (uint32_t) n);
	put_u32(b, 12, npresent);
	put_i64(b, 16, maxts);
	put_i64(b, 24, LIKESET_TS_NONE);
	for (size_t i = 0; i < n; i++)
	{
		put_i64(b, HDR + 8 * i, e[i].ts);
		memcpy(b + HDR + 12 * n + off, e[i].elem, e[i].len);
		off += e[i].len;
		put_u32(b, HDR + 8 * n + 4 * i, (uint32_t) off | (e[i].removed ? REMOVED_BIT : 0));
	}
	*sizep = size;
	return b;
}

/* Does a value hold exactly the model's entries, header included? */
static bool
model_matches(const LikesetData *s, const Model *m, char *why, size_t wl)
{
	const unsigned char *b = (const unsigned char *) s;
	uint32_t	n;
	uint32_t	npresent = 0;
	uint32_t	prev = 0;
	int64_t		maxts = LIKESET_TS_NONE;
	size_t		data;

	if (s == NULL)
	{
		snprintf(why, wl, "no value");
		return false;
	}
	n = get_u32(b, 8);
	if (b[4] != (m->horizon == LIKESET_TS_NONE ? 1 : 2) || b[5] != 0 ||
		get_u16(b, 6) != 0 || get_i64(b, 24) != m->horizon)
	{
		snprintf(why, wl, "header: version %u flags %u reserved %u horizon %" PRId64,
				 b[4], b[5], get_u16(b, 6), get_i64(b, 24));
		return false;
	}
	if (n != m->n)
	{
		snprintf(why, wl, "%u entries, expected %zu; expected value %s", n, m->n,
				 ref_txt(m));
		return false;
	}
	data = HDR + 12 * (size_t) n;
	for (uint32_t i = 0; i < n; i++)
	{
		int64_t		ts = get_i64(b, HDR + 8 * (size_t) i);
		uint32_t	w = get_u32(b, HDR + 8 * (size_t) n + 4 * (size_t) i);
		uint32_t	end = w & ~REMOVED_BIT;
		bool		removed = (w & REMOVED_BIT) != 0;
		const LikesetEntry *x = &m->e[i];

		if (end < prev || end - prev != x->len ||
			memcmp(b + data + prev, x->elem, x->len) != 0)
		{
			snprintf(why, wl, "entry %u: element %s, expected %s; expected value %s", i,
					 end < prev ? "(ends decrease)" :
					 end - prev != x->len ? "(other length)" :
					 show((const char *) b + data + prev, end - prev),
					 show(x->elem, x->len), ref_txt(m));
			return false;
		}
		if (ts != x->ts || removed != x->removed)
		{
			snprintf(why, wl, "entry %u (%s): ts %" PRId64 " removed %d, expected ts %"
					 PRId64 " removed %d", i, show(x->elem, x->len), ts, removed,
					 x->ts, x->removed);
			return false;
		}
		if (!removed)
			npresent++;
		if (i == 0 || ts > maxts)
			maxts = ts;
		prev = end;
	}
	if (get_u32(b, 12) != npresent)
	{
		snprintf(why, wl, "npresent %u, expected %u", get_u32(b, 12), npresent);
		return false;
	}
	if (get_i64(b, 16) != maxts)
	{
		snprintf(why, wl, "maxts %" PRId64 ", expected %" PRId64, get_i64(b, 16), maxts);
		return false;
	}
	if (likeset_size(s) != data + prev)
	{
		snprintf(why, wl, "likeset_size %zu, expected %zu", likeset_size(s), data + prev);
		return false;
	}
	return true;
}

/* Byte-for-byte equality of two values, skipping vl_len_ */
static bool
same_bytes(const LikesetData *a, const LikesetData *b)
{
	size_t		sa,
				sb;

	if (a == NULL || b == NULL)
		return false;
	sa = likeset_size(a);
	sb = likeset_size(b);
	return sa == sb && memcmp((const char *) a + 4, (const char *) b + 4, sa - 4) == 0;
}

static bool
same_raw(const LikesetData *a, const unsigned char *raw, size_t rawsize)
{
	return a != NULL && likeset_size(a) == rawsize &&
		memcmp((const char *) a + 4, raw + 4, rawsize - 4) == 0;
}

/* A copy in a buffer of exactly likeset_size bytes */
static LikesetData *
copy_exact(const LikesetData *s)
{
	size_t		size = likeset_size(s);
	LikesetData *c = xmalloc(size);

	memcpy(c, s, size);
	return c;
}

/* Validate a copy held in a buffer of exactly size bytes */
static LikesetStatus
validate_copy(const void *p, size_t size, LikesetError *err)
{
	void	   *c = xmalloc(size);
	LikesetStatus st;

	if (size > 0)
		memcpy(c, p, size);
	if (err)
	{
		memset(err, 0, sizeof(*err));
		err->status = LIKESET_OK;
	}
	st = likeset_validate((const LikesetData *) c, size, err);
	free(c);
	return st;
}

static LikesetStatus
parse_exact(const char *str, LikesetData **result, LikesetError *err)
{
	size_t		len = strlen(str);
	char	   *c = xmalloc(len + 1);
	LikesetStatus st;

	memcpy(c, str, len + 1);
	memset(err, 0, sizeof(*err));
	*result = NULL;
	st = likeset_parse(c, result, err);
	free(c);
	return st;
}

static bool
parse_ts_exact(const char *s, size_t len, int64_t *v)
{
	char	   *c = xmalloc(len);
	bool		ok;

	if (len > 0)
		memcpy(c, s, len);
	*v = INT64_C(0x5555555555555555);
	ok = likeset_parse_ts(c, len, v);
	free(c);
	return ok;
}

/* likeset_build on a copy of ops (it sorts them in place) */
static LikesetData *
build_ops(const LikesetEntry *ops, size_t n, LikesetStatus *st)
{
	LikesetEntry *c = xmalloc((n + 1) * sizeof(LikesetEntry));
	LikesetData *r = NULL;

	if (n > 0)
		memcpy(c, ops, n * sizeof(LikesetEntry));
	*st = likeset_build(c, n, &r);
	free(c);
	return *st == LIKESET_OK ? r : NULL;
}

/* likeset_apply of each op in turn from the empty set */
static LikesetData *
apply_ops(const LikesetEntry *ops, size_t n, bool *steps_valid, LikesetStatus *st)
{
	LikesetData *cur = likeset_empty();

	*st = LIKESET_OK;
	for (size_t i = 0; i < n; i++)
	{
		LikesetData *r = NULL;

		*st = likeset_apply(cur, &ops[i], &r);
		if (*st != LIKESET_OK || r == NULL)
		{
			likeset_free(cur);
			return NULL;
		}
		if (r != cur)
			likeset_free(cur);
		cur = r;
		if (steps_valid &&
			validate_copy(cur, likeset_size(cur), NULL) != LIKESET_OK)
			*steps_valid = false;
	}
	return cur;
}

static LikesetData *
merge2(const LikesetData *a, const LikesetData *b)
{
	LikesetData *r = NULL;

	if (likeset_merge(a, b, &r) != LIKESET_OK)
		return NULL;
	return r;
}

/*
 * Split ops at random over up to 5 replicas (some ops go to two), build
 * each, and merge them in a random order.
 */
static LikesetData *
merge_split(const LikesetEntry *ops, size_t n, LikesetStatus *st)
{
	int			k = 1 + (int) rnd_below(5);
	LikesetData *parts[5];
	int		   *asg = xmalloc((n + 1) * sizeof(int));
	int		   *dup = xmalloc((n + 1) * sizeof(int));
	LikesetEntry *sub = xmalloc((n + 1) * sizeof(LikesetEntry));

	*st = LIKESET_OK;
	for (size_t i = 0; i < n; i++)
	{
		asg[i] = (int) rnd_below((uint64_t) k);
		dup[i] = rnd_pct(10) ? (int) rnd_below((uint64_t) k) : -1;
	}
	for (int p = 0; p < k; p++)
	{
		size_t		m = 0;

		for (size_t i = 0; i < n; i++)
			if (asg[i] == p || dup[i] == p)
				sub[m++] = ops[i];
		parts[p] = NULL;
		*st = likeset_build(sub, m, &parts[p]);
		if (*st != LIKESET_OK)
		{
			for (int q = 0; q < p; q++)
				likeset_free(parts[q]);
			k = 0;
			break;
		}
	}
	while (k > 1)
	{
		int			i = (int) rnd_below((uint64_t) k);
		int			j = (int) rnd_below((uint64_t) k - 1);
		int			lo,
					hi;
		LikesetData *r = NULL;

		if (j >= i)
			j++;
		*st = rnd_pct(50) ? likeset_merge(parts[i], parts[j], &r)
			: likeset_merge(parts[j], parts[i], &r);
		likeset_free(parts[i]);
		likeset_free(parts[j]);
		lo = i < j ? i : j;
		hi = i < j ? j : i;
		if (*st != LIKESET_OK)
		{
			parts[lo] = parts[k - 1] == parts[hi] ? NULL : parts[k - 1];
			for (int q = 0; q < k; q++)
				if (q != lo && q != hi && parts[q])
					likeset_free(parts[q]);
			k = 0;
			break;
		}
		parts[lo] = r;
		parts[hi] = parts[k - 1];
		k--;
	}
	free(asg);
	free(dup);
	free(sub);
	return k == 1 ? parts[0] : NULL;
}

/* A random state: its alphabet, ops, model and likeset_build value */
typedef struct Sample
{
	Alphabet	a;
	LikesetEntry *ops;
	size_t		nops;
	Model		m;
	LikesetData *s;
} Sample;

static void
sample_make(Sample *x, int nalpha, size_t maxops, unsigned long_pct)
{
	TsGen		g;
	LikesetStatus st;

	alphabet_make(&x->a, nalpha, long_pct);
	tsgen_init(&g);
	x->nops = rnd_below(maxops + 1);
	x->ops = gen_ops(&x->a, &g, x->nops);
	model_build(&x->m, x->ops, x->nops);
	x->s = build_ops(x->ops, x->nops, &st);
	if (x->s == NULL)
	{
		size_t		size;

		CHECK(false, "likeset_build of a random sample failed with status %d", (int) st);
		x->s = (LikesetData *) raw_build(x->m.e, x->m.n, &size);
	}
}

static void
sample_free(Sample *x)
{
	likeset_free(x->s);
	free(x->ops);
	model_free(&x->m);
	alphabet_free(&x->a);
}

/* ------------------------------------------------------------------------
 * Running code in a child process, so that a sanitizer abort is a failed
 * check rather than the end of the run
 * ------------------------------------------------------------------------
 */
static int
run_forked(void (*fn) (void *), void *arg, bool quiet)
{
	pid_t		pid;
	int			status = 0;

	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid < 0)
	{
		perror("fork");
		exit(2);
	}
	if (pid == 0)
	{
		if (quiet)
		{
			int			fd = open("/dev/null", O_WRONLY);

			if (fd >= 0)
			{
				dup2(fd, 2);
				close(fd);
			}
		}
		alarm(120);
		fn(arg);
		fflush(stdout);
		exit(0);
	}
	if (waitpid(pid, &status, 0) != pid)
	{
		perror("waitpid");
		exit(2);
	}
	return status;
}

static void
describe_status(int status, char *buf, size_t len)
{
	if (WIFSIGNALED(status))
		snprintf(buf, len, "killed by signal %d", WTERMSIG(status));
	else if (WIFEXITED(status) && WEXITSTATUS(status) == 23)
		snprintf(buf, len, "exit status 23: LeakSanitizer found leaks");
	else if (WIFEXITED(status))
		snprintf(buf, len, "exit status %d: sanitizer error, see stderr", WEXITSTATUS(status));
	else
		snprintf(buf, len, "status %d", status);
}

/*
 * Run fn(arg) in its own child; its crash counts as a failed check named
 * what.  After two crashes in a group, later crashes are not shown.
 */
static int	isolated_crashes;

static void
isolated(const char *what, void (*fn) (void *), void *arg)
{
	int			status;
	char		desc[100];

	if (nofork)
	{
		fn(arg);
		return;
	}
	status = run_forked(fn, arg, isolated_crashes >= 2);
	if (status != 0)
	{
		isolated_crashes++;
		describe_status(status, desc, sizeof(desc));
		CHECK(false, "%s: crashed (%s)", what, desc);
	}
}

/* fn(k) for k = 0 .. n - 1, each isolated, named "<what>, batch <k>" */
static void
isolated_batches(const char *what, int n, void (*fn) (void *))
{
	for (int k = 0; k < n; k++)
	{
		char		name[96];

		snprintf(name, sizeof(name), "%s, batch %d", what, k);
		isolated(name, fn, (void *) (intptr_t) k);
	}
}

/* ========================================================================
 * 1. Build, apply and merge against the model
 * ========================================================================
 */
static void
test_model(void)
{
	char		why[1024];

	for (int iter = 0; iter < 400; iter++)
	{
		Alphabet	a;
		TsGen		g;
		Model		m;
		LikesetEntry *ops;
		size_t		n,
					rawsize;
		unsigned char *raw;
		LikesetData *v[3];
		LikesetStatus st[3];
		const char *names[3] = {"likeset_build", "likeset_apply chain",
		"merge of split builds"};
		bool		steps_valid = true;

		alphabet_make(&a, 1 + (int) rnd_below(rnd_pct(20) ? ALPHA_MAX : 12), 2);
		tsgen_init(&g);
		n = rnd_pct(10) ? rnd_below(400) : rnd_below(40);
		ops = gen_ops(&a, &g, n);
		model_build(&m, ops, n);
		raw = raw_build(m.e, m.n, &rawsize);
		CHECK(validate_copy(raw, rawsize, NULL) == LIKESET_OK,
			  "validate rejects a well-formed value %s", ref_txt(&m));

		v[0] = build_ops(ops, n, &st[0]);
		v[1] = apply_ops(ops, n, n <= 60 ? &steps_valid : NULL, &st[1]);
		v[2] = merge_split(ops, n, &st[2]);
		CHECK(steps_valid, "an intermediate state of an apply chain of %zu ops "
			  "fails validation", n);
		for (int k = 0; k < 3; k++)
		{
			CHECK(st[k] == LIKESET_OK && v[k] != NULL, "%s of %zu ops: status %d",
				  names[k], n, (int) st[k]);
			if (v[k] == NULL)
				continue;
			CHECK(model_matches(v[k], &m, why, sizeof(why)), "%s of %zu ops: %s",
				  names[k], n, why);
			CHECK(same_raw(v[k], raw, rawsize),
				  "%s of %zu ops differs byte for byte from the documented layout",
				  names[k], n);
			CHECK(validate_copy(v[k], likeset_size(v[k]), NULL) == LIKESET_OK,
				  "%s: validate rejects %s", names[k], txt(v[k]));
		}
		/*
		 * entries sorted already, as text output lists them (the pass that
		 * skips the sort), and the same with the first element's entry
		 * given twice, the copy older (sorted but not strictly: sorts)
		 */
		if (m.n > 0)
		{
			LikesetEntry *dup = xmalloc((m.n + 1) * sizeof(LikesetEntry));
			LikesetStatus sst;
			LikesetData *sv = build_ops(m.e, m.n, &sst);

			CHECK(sst == LIKESET_OK && sv != NULL && same_raw(sv, raw, rawsize),
				  "build of %zu sorted entries differs from the layout", m.n);
			if (sv)
				likeset_free(sv);
			dup[0] = m.e[0];
			dup[0].ts = m.e[0].ts > LIKESET_TS_MIN ? m.e[0].ts - 1 : m.e[0].ts;
			dup[0].removed = m.e[0].ts > LIKESET_TS_MIN ? m.e[0].removed : false;
			memcpy(dup + 1, m.e, m.n * sizeof(LikesetEntry));
			sv = build_ops(dup, m.n + 1, &sst);
			CHECK(sst == LIKESET_OK && sv != NULL && same_raw(sv, raw, rawsize),
				  "build of %zu sorted entries with an older duplicate differs", m.n);
			if (sv)
				likeset_free(sv);
			free(dup);
		}
		CHECK(same_bytes(v[0], v[1]), "build %s and apply chain %s differ",
			  txt(v[0]), txt(v[1]));
		CHECK(same_bytes(v[0], v[2]), "build %s and merged splits %s differ",
			  txt(v[0]), txt(v[2]));
		for (int k = 0; k < 3; k++)
			if (v[k])
				likeset_free(v[k]);
		free(raw);
		free(ops);
		model_free(&m);
		alphabet_free(&a);
	}
}

/* ========================================================================
 * 2. Merge laws and order independence
 * ========================================================================
 */
static void
test_merge_laws(void)
{
	char		why[1024];

	for (int iter = 0; iter < 250; iter++)
	{
		Alphabet	a;
		TsGen		g;
		LikesetEntry *ops[3];
		size_t		n[3];
		LikesetData *s[3];
		LikesetData *snap[2];
		LikesetData *e = likeset_empty();
		LikesetData *ab,
				   *ba,
				   *ab_c,
				   *bc,
				   *a_bc,
				   *aa,
				   *ae,
				   *ea,
				   *ee,
				   *sh_a,
				   *pre,
				   *ap,
				   *pa;
		LikesetEntry *both;
		Model		m;
		LikesetStatus st;
		size_t		npre;

		alphabet_make(&a, 1 + (int) rnd_below(10), 1);
		tsgen_init(&g);
		for (int k = 0; k < 3; k++)
		{
			n[k] = rnd_below(30);
			ops[k] = gen_ops(&a, &g, n[k]);
			s[k] = build_ops(ops[k], n[k], &st);
			CHECK(s[k] != NULL, "build failed: %d", (int) st);
			if (s[k] == NULL)
				s[k] = likeset_empty();
		}
		snap[0] = copy_exact(s[0]);
		snap[1] = copy_exact(s[1]);

		ab = merge2(s[0], s[1]);
		ba = merge2(s[1], s[0]);
		CHECK(same_bytes(ab, ba), "merge not commutative: a=%s b=%s: a|b=%s b|a=%s",
			  txt(s[0]), txt(s[1]), txt(ab), txt(ba));

		ab_c = ab ? merge2(ab, s[2]) : NULL;
		bc = merge2(s[1], s[2]);
		a_bc = bc ? merge2(s[0], bc) : NULL;
		CHECK(same_bytes(ab_c, a_bc), "merge not associative: a=%s b=%s c=%s: "
			  "(a|b)|c=%s a|(b|c)=%s", txt(s[0]), txt(s[1]), txt(s[2]), txt(ab_c),
			  txt(a_bc));

		aa = merge2(s[0], s[0]);
		CHECK(same_bytes(aa, s[0]), "merge not idempotent: a=%s a|a=%s", txt(s[0]),
			  txt(aa));
		ae = merge2(s[0], e);
		ea = merge2(e, s[0]);
		ee = merge2(e, e);
		CHECK(same_bytes(ae, s[0]) && same_bytes(ea, s[0]),
			  "empty is not an identity: a=%s a|{}=%s {}|a=%s", txt(s[0]), txt(ae),
			  txt(ea));
		CHECK(same_bytes(ee, e), "{}|{} = %s", txt(ee));

		/* a|b against the model of both op lists */
		both = xmalloc((n[0] + n[1] + 1) * sizeof(LikesetEntry));
		memcpy(both, ops[0], n[0] * sizeof(LikesetEntry));
		memcpy(both + n[0], ops[1], n[1] * sizeof(LikesetEntry));
		model_build(&m, both, n[0] + n[1]);
		CHECK(ab && model_matches(ab, &m, why, sizeof(why)), "a|b of a=%s b=%s: %s",
			  txt(s[0]), txt(s[1]), ab ? why : "merge failed");
		CHECK(ab && validate_copy(ab, likeset_size(ab), NULL) == LIKESET_OK,
			  "validate rejects a|b = %s", txt(ab));
		CHECK(same_bytes(snap[0], s[0]) && same_bytes(snap[1], s[1]),
			  "merge modified an input");

		/* order independence: the same ops shuffled, applied one by one */
		shuffle_ops(ops[0], n[0]);
		sh_a = apply_ops(ops[0], n[0], NULL, &st);
		CHECK(same_bytes(sh_a, s[0]), "shuffled apply gives %s, build gives %s",
			  txt(sh_a), txt(s[0]));

		/* absorption: merging in a state built from a part of the history */
		npre = rnd_below(n[0] + 1);
		pre = build_ops(ops[0], npre, &st);
		ap = pre ? merge2(s[0], pre) : NULL;
		pa = pre ? merge2(pre, s[0]) : NULL;
		CHECK(same_bytes(ap, s[0]) && same_bytes(pa, s[0]),
			  "merging a=%s with the state of %zu of its ops (%s) gives %s / %s",
			  txt(s[0]), npre, txt(pre), txt(ap), txt(pa));

		{
			LikesetData *all[] = {ab, ba, ab_c, bc, a_bc, aa, ae, ea, ee, sh_a, pre, ap,
			pa, e, snap[0], snap[1], s[0], s[1], s[2]};

			for (size_t k = 0; k < sizeof(all) / sizeof(all[0]); k++)
				if (all[k])
					likeset_free(all[k]);
		}
		for (int k = 0; k < 3; k++)
			free(ops[k]);
		free(both);
		model_free(&m);
		alphabet_free(&a);
	}
}

/* ========================================================================
 * 2b. likeset_apply: no change returns the input, a change a new value
 * ========================================================================
 */
static void
check_apply(Sample *x, const LikesetEntry *op, const char *what)
{
	LikesetData *r = NULL;
	LikesetStatus st = likeset_apply(x->s, op, &r);
	Model		exp;
	char		why[1024];
	int64_t		pos = model_find(&x->m, op->elem, op->len);
	bool		changes = pos < 0 ||
		ref_greater(op->ts, op->removed, x->m.e[pos].ts, x->m.e[pos].removed);

	CHECK(st == LIKESET_OK && r != NULL, "apply %s: status %d", what, (int) st);
	if (st != LIKESET_OK || r == NULL)
		return;
	if (!changes)
	{
		CHECK(r == x->s, "apply %s (%s ts %" PRId64 " removed %d) to %s changes "
			  "nothing but returned a new value %s", what, show(op->elem, op->len),
			  op->ts, op->removed, txt(x->s), txt(r));
	}
	else
	{
		CHECK(r != x->s, "apply %s (%s ts %" PRId64 " removed %d) to %s returned "
			  "the input", what, show(op->elem, op->len), op->ts, op->removed,
			  txt(x->s));
		model_copy(&exp, &x->m);
		model_apply(&exp, op);
		model_sort(&exp);
		CHECK(r != x->s && model_matches(r, &exp, why, sizeof(why)),
			  "apply %s (%s ts %" PRId64 " removed %d) to %s: %s", what,
			  show(op->elem, op->len), op->ts, op->removed, txt(x->s),
			  r == x->s ? "returned the input" : why);
		CHECK(validate_copy(r, likeset_size(r), NULL) == LIKESET_OK,
			  "validate rejects the result of apply %s: %s", what, txt(r));
		model_free(&exp);
	}
	if (r != x->s)
		likeset_free(r);
}

static void
test_apply_noop(void)
{
	for (int iter = 0; iter < 300; iter++)
	{
		Sample		x;
		LikesetData *snap;
		char		fresh[8];
		LikesetEntry op;

		sample_make(&x, 1 + (int) rnd_below(10), 30, 1);
		snap = copy_exact(x.s);
		for (int t = 0; t < 4 && x.m.n > 0; t++)
		{
			LikesetEntry e = x.m.e[rnd_below(x.m.n)];

			op = e;
			check_apply(&x, &op, "of the same op");
			if (e.ts > TS_MIN)
			{
				op.ts = e.ts - 1;
				op.removed = rnd_pct(50);
				check_apply(&x, &op, "of an older op");
			}
			op.ts = e.ts;
			op.removed = !e.removed;
			check_apply(&x, &op, "with the other flag at an equal ts");
			if (e.ts < TS_END - 1)
			{
				op.ts = e.ts + 1;
				op.removed = rnd_pct(50);
				check_apply(&x, &op, "of a newer op");
			}
		}
		/* an element that is (most likely) absent */
		{
			uint32_t	len = (uint32_t) rnd_below(sizeof(fresh) + 1);

			for (uint32_t j = 0; j < len; j++)
				fresh[j] = (char) (1 + rnd_below(255));
			op.elem = fresh;
			op.len = len;
			op.ts = rnd_between(TS_MIN, TS_END);
			op.removed = rnd_pct(50);
			check_apply(&x, &op, "of a new element");
		}
		CHECK(same_bytes(snap, x.s), "likeset_apply modified its input");
		likeset_free(snap);
		sample_free(&x);
	}
}

/* ========================================================================
 * 3. likeset_find, likeset_compact, likeset_compare
 * ========================================================================
 */
static void
test_find(void)
{
	for (int iter = 0; iter < 300; iter++)
	{
		Sample		x;
		Alphabet	probes;

		sample_make(&x, 1 + (int) rnd_below(rnd_pct(30) ? ALPHA_MAX : 16),
					rnd_pct(20) ? 300 : 40, 1);
		for (size_t i = 0; i < x.m.n; i++)
		{
			int64_t		got = likeset_find(x.s, x.m.e[i].elem, x.m.e[i].len);

			CHECK(got == (int64_t) i, "find(%s, %s) = %" PRId64 ", expected %zu",
				  txt(x.s), show(x.m.e[i].elem, x.m.e[i].len), got, i);
		}
		alphabet_make(&probes, 24, 0);
		for (int k = 0; k < probes.n + 2 * (int) x.m.n; k++)
		{
			const char *p;
			uint32_t	len;
			char		buf[LIKESET_MAX_ELEMENT_LEN + 2];
			int64_t		got,
						exp;

			if (k < probes.n)
			{
				p = probes.elem[k];
				len = probes.len[k];
			}
			else
			{
				/* neighbours of present elements: one byte more or less */
				const LikesetEntry *e = &x.m.e[(size_t) (k - probes.n) / 2];

				memcpy(buf, e->elem, e->len);
				len = e->len;
				if ((k - probes.n) % 2 == 0)
					buf[len++] = (char) (1 + rnd_below(255));
				else if (len > 0)
					len--;
				p = buf;
			}
			got = likeset_find(x.s, p, len);
			exp = model_find(&x.m, p, len);
			CHECK(got == exp, "find(%s, %s) = %" PRId64 ", expected %" PRId64,
				  txt(x.s), show(p, len), got, exp);
		}
		alphabet_free(&probes);
		sample_free(&x);
	}
	/* the empty set */
	{
		LikesetData *e = likeset_empty();

		CHECK(likeset_find(e, "a", 1) == -1, "find in {} = %" PRId64,
			  likeset_find(e, "a", 1));
		CHECK(likeset_find(e, "", 0) == -1, "find \"\" in {} = %" PRId64,
			  likeset_find(e, "", 0));
		likeset_free(e);
	}
}

static void
test_compact(void)
{
	char		why[1024];

	for (int iter = 0; iter < 300; iter++)
	{
		Sample		x;
		LikesetData *snap;
		int64_t		hz[12];
		int			nh = 0;

		sample_make(&x, 1 + (int) rnd_below(20), 60, 1);
		snap = copy_exact(x.s);
		hz[nh++] = LIKESET_TS_NONE;
		hz[nh++] = TS_MIN;
		hz[nh++] = TS_MIN + 1;
		hz[nh++] = TS_END;
		hz[nh++] = INT64_MAX;
		hz[nh++] = rnd_between(TS_MIN, TS_END);
		if (x.m.n > 0)
		{
			int64_t		t = x.m.e[rnd_below(x.m.n)].ts;

			hz[nh++] = t;
			hz[nh++] = t + 1;
			hz[nh++] = t - 1;
			hz[nh++] = x.m.e[rnd_below(x.m.n)].ts + 1;
		}
		for (int k = 0; k < nh; k++)
		{
			Model		exp;
			LikesetData *r;

			int64_t		newest = LIKESET_TS_NONE;
			int64_t		hk = hz[k] > TS_END - 1 ? TS_END - 1 : hz[k];

			model_init(&exp);
			for (size_t i = 0; i < x.m.n; i++)
			{
				if (!(x.m.e[i].removed && x.m.e[i].ts < hk))
					model_push(&exp, &x.m.e[i]);
				else if (x.m.e[i].ts > newest)
					newest = x.m.e[i].ts;
			}
			/* the horizon recorded: just after the newest tombstone dropped */
			if (newest != LIKESET_TS_NONE)
				exp.horizon = newest + 1 < hk ? newest + 1 : hk;
			r = likeset_compact(x.s, hz[k]);
			CHECK(r != NULL, "compact(%s, %" PRId64 ") returned NULL", txt(x.s), hz[k]);
			if (r != NULL)
			{
				CHECK(model_matches(r, &exp, why, sizeof(why)),
					  "compact(%s, %" PRId64 "): %s", txt(x.s), hz[k], why);
				CHECK((r == x.s) == (exp.n == x.m.n),
					  "compact(%s, %" PRId64 ") %s the input pointer", txt(x.s), hz[k],
					  r == x.s ? "returned" : "did not return");
				CHECK(validate_copy(r, likeset_size(r), NULL) == LIKESET_OK,
					  "validate rejects compact(%s, %" PRId64 ") = %s", txt(x.s), hz[k],
					  txt(r));
				if (r != x.s)
					likeset_free(r);
			}
			model_free(&exp);
		}
		CHECK(same_bytes(snap, x.s), "likeset_compact modified its input");
		likeset_free(snap);
		sample_free(&x);
	}
}

#define NCMP 14

static void
test_compare(void)
{
	static const char *tiny[] = {"a", "b", "ab", ""};

	for (int iter = 0; iter < 40; iter++)
	{
		LikesetData *s[NCMP];
		Model		m[NCMP];
		LikesetEntry *ops[NCMP];
		size_t		n[NCMP];
		int			c[NCMP][NCMP];
		int64_t		base = rnd_pct(50) ? 0 : rnd_between(TS_MIN, TS_END - 4);
		LikesetStatus st;

		for (int k = 0; k < NCMP; k++)
		{
			if (k >= NCMP - 2)
			{
				/* the same history as state k - 5, applied in another order */
				n[k] = n[k - 5];
				ops[k] = xmalloc((n[k] + 1) * sizeof(LikesetEntry));
				memcpy(ops[k], ops[k - 5], n[k] * sizeof(LikesetEntry));
				shuffle_ops(ops[k], n[k]);
			}
			else
			{
				n[k] = rnd_below(6);
				ops[k] = xmalloc((n[k] + 1) * sizeof(LikesetEntry));
				for (size_t i = 0; i < n[k]; i++)
				{
					const char *e = tiny[rnd_below(4)];

					ops[k][i].elem = e;
					ops[k][i].len = (uint32_t) strlen(e);
					ops[k][i].removed = rnd_pct(40);
					ops[k][i].ts = base + (int64_t) rnd_below(2);
				}
			}
			model_build(&m[k], ops[k], n[k]);
			s[k] = k % 2 ? apply_ops(ops[k], n[k], NULL, &st) : build_ops(ops[k], n[k], &st);
			if (s[k] == NULL)
			{
				CHECK(false, "building a state failed: %d", (int) st);
				s[k] = likeset_empty();
			}
		}
		for (int i = 0; i < NCMP; i++)
			for (int j = 0; j < NCMP; j++)
				c[i][j] = sign(likeset_compare(s[i], s[j]));
		for (int i = 0; i < NCMP; i++)
		{
			for (int j = 0; j < NCMP; j++)
			{
				bool		eq = same_bytes(s[i], s[j]);
				int			r = sign(ref_compare(&m[i], &m[j]));

				CHECK((c[i][j] == 0) == eq, "compare(%s, %s) = %d but they are %s",
					  txt(s[i]), txt(s[j]), c[i][j], eq ? "equal" : "different");
				CHECK(c[i][j] == -c[j][i], "compare(%s, %s) = %d, compare back = %d",
					  txt(s[i]), txt(s[j]), c[i][j], c[j][i]);
				CHECK(c[i][j] == r, "compare(%s, %s) = %d, the documented order gives %d",
					  txt(s[i]), txt(s[j]), c[i][j], r);
			}
		}
		for (int i = 0; i < NCMP; i++)
			for (int j = 0; j < NCMP; j++)
				for (int k = 0; k < NCMP; k++)
					if (c[i][j] <= 0 && c[j][k] <= 0)
						CHECK(c[i][k] <= 0 && (c[i][k] < 0 || (c[i][j] == 0 && c[j][k] == 0)),
							  "not transitive: %s <= %s <= %s but compare of the outer "
							  "ones is %d", txt(s[i]), txt(s[j]), txt(s[k]), c[i][k]);
		for (int k = 0; k < NCMP; k++)
		{
			likeset_free(s[k]);
			model_free(&m[k]);
			free(ops[k]);
		}
	}
}

/* ========================================================================
 * 4. Text form
 * ========================================================================
 */
static void
test_text_roundtrip(void)
{
	for (int iter = 0; iter < 300; iter++)
	{
		Sample		x;
		size_t		len = 0;
		char	   *out,
				   *ref,
				   *noisy;
		LikesetData *p = NULL,
				   *q = NULL;
		LikesetError err;
		LikesetStatus st;

		sample_make(&x, 1 + (int) rnd_below(16), rnd_pct(10) ? 200 : 30, 2);
		out = likeset_format(x.s, &len);
		ref = ref_format_set(&x.m);
		CHECK(out != NULL && len == strlen(out), "format: length %zu, strlen %zu", len,
			  out ? strlen(out) : 0);
		CHECK(out != NULL && strcmp(out, ref) == 0, "format gives %s, expected %s",
			  shows(out), shows(ref));
		if (out != NULL)
		{
			st = parse_exact(out, &p, &err);
			CHECK(st == LIKESET_OK && same_bytes(p, x.s),
				  "parse(format(s)) for %s: status %d at %d (%s), value %s", shows(out),
				  (int) st, err.pos, err.detail, st == LIKESET_OK ? txt(p) : "-");
			if (st == LIKESET_OK)
			{
				size_t		len2 = 0;
				char	   *out2 = likeset_format(p, &len2);

				CHECK(out2 && strcmp(out, out2) == 0, "format is not stable: %s then %s",
					  shows(out), shows(out2));
				likeset_free(out2);
				likeset_free(p);
			}
		}
		noisy = noisy_text(&x.m);
		st = parse_exact(noisy, &q, &err);
		CHECK(st == LIKESET_OK && same_bytes(q, x.s),
			  "parse(%s): status %d at %d (%s), gives %s, expected %s", shows(noisy),
			  (int) st, err.pos, err.detail, st == LIKESET_OK ? txt(q) : "-", ref_txt(&x.m));
		if (st == LIKESET_OK)
			likeset_free(q);
		free(noisy);
		free(ref);
		likeset_free(out);
		sample_free(&x);
	}
}

#define OP(s, r, t) { s, sizeof(s) - 1, r, t }

/* Format of the set built from ops is expect, and expect parses back to it */
static void
expect_format(const LikesetEntry *ops, size_t n, const char *expect)
{
	LikesetStatus st;
	LikesetData *s = build_ops(ops, n, &st);
	LikesetData *p = NULL;
	LikesetError err;
	size_t		len = 0;
	char	   *out;

	CHECK(s != NULL, "build for %s failed: %d", shows(expect), (int) st);
	if (s == NULL)
		return;
	out = likeset_format(s, &len);
	CHECK(out && strcmp(out, expect) == 0 && len == strlen(expect),
		  "format gives %s, expected %s", shows(out), shows(expect));
	st = parse_exact(expect, &p, &err);
	CHECK(st == LIKESET_OK && same_bytes(p, s), "parse(%s): status %d, value %s, "
		  "expected %s", shows(expect), (int) st, st == LIKESET_OK ? txt(p) : "-",
		  txt(s));
	if (st == LIKESET_OK)
		likeset_free(p);
	likeset_free(out);
	likeset_free(s);
}

/* parse(in) succeeds and formats as out */
static void
expect_reformat(const char *in, const char *out)
{
	LikesetData *p = NULL;
	LikesetError err;
	LikesetStatus st = parse_exact(in, &p, &err);
	size_t		len = 0;
	char	   *got = NULL;

	if (st == LIKESET_OK)
		got = likeset_format(p, &len);
	CHECK(st == LIKESET_OK && got && strcmp(got, out) == 0,
		  "parse(%s): status %d at %d (%s), formats as %s, expected %s", shows(in),
		  (int) st, err.pos, err.detail, shows(got), shows(out));
	if (st == LIKESET_OK)
	{
		CHECK(validate_copy(p, likeset_size(p), NULL) == LIKESET_OK,
			  "validate rejects parse(%s)", shows(in));
		likeset_free(p);
	}
	likeset_free(got);
}

static void
test_text_canonical(void)
{
	int64_t		t2026 = ref_days(2026, 11, 28) * USECS_PER_DAY + 10 * USECS_PER_HOUR +
		USECS_PER_SEC / 2;
	int64_t		y0 = ref_days(0, 3, 1) * USECS_PER_DAY;
	int64_t		ym1 = ref_days(-1, 6, 15) * USECS_PER_DAY + 12 * USECS_PER_HOUR;
	LikesetData *e = likeset_empty();
	size_t		len = 9;
	char	   *out = likeset_format(e, &len);

	CHECK(out && strcmp(out, "{}") == 0 && len == 2, "format({}) = %s", shows(out));
	likeset_free(out);
	likeset_free(e);
	expect_format(NULL, 0, "{}");

	{
		LikesetEntry o[] = {OP("b", false, TS_MIN), OP("a", false, TS_MIN)};

		expect_format(o, 2, "{a,b}");
	}
	{
		LikesetEntry o[] = {OP("a", true, t2026)};

		expect_format(o, 1, "{-a@2026-11-28T10:00:00.5Z}");
	}
	{
		LikesetEntry o[] = {OP("a", true, TS_MIN)};

		expect_format(o, 1, "{-a}");
	}
	{
		LikesetEntry o[] = {OP("", false, TS_MIN)};

		expect_format(o, 1, "{\"\"}");
	}
	{
		LikesetEntry o[] = {OP("-x", false, TS_MIN)};

		expect_format(o, 1, "{\"-x\"}");
	}
	{
		LikesetEntry o[] = {OP("-x", true, TS_MIN)};

		expect_format(o, 1, "{-\"-x\"}");
	}
	{
		LikesetEntry o[] = {OP("a,b", false, TS_MIN)};

		expect_format(o, 1, "{\"a,b\"}");
	}
	{
		LikesetEntry o[] = {OP("x y", false, TS_MIN)};

		expect_format(o, 1, "{\"x y\"}");
	}
	{
		LikesetEntry o[] = {OP("q\"", false, TS_MIN)};

		expect_format(o, 1, "{\"q\\\"\"}");
	}
	{
		LikesetEntry o[] = {OP("\xc3\xa9", false, TS_MIN)};

		expect_format(o, 1, "{\"\xc3\xa9\"}");
	}
	{
		LikesetEntry o[] = {OP("\\", false, TS_MIN)};

		expect_format(o, 1, "{\"\\\\\"}");
	}
	{
		LikesetEntry o[] = {OP("a\"b\\c", false, TS_MIN)};

		expect_format(o, 1, "{\"a\\\"b\\\\c\"}");
	}
	{
		LikesetEntry o[] = {OP("a@b", false, TS_MIN), OP("{", false, TS_MIN),
		OP("}", false, TS_MIN)};

		expect_format(o, 3, "{\"a@b\",\"{\",\"}\"}");
	}
	{
		LikesetEntry o[] = {OP("a-b", false, TS_MIN)};

		expect_format(o, 1, "{a-b}");
	}
	{
		LikesetEntry o[] = {OP("\t", false, TS_MIN), OP("\x7f", false, TS_MIN),
		OP("\x01", false, TS_MIN)};

		expect_format(o, 3, "{\"\x01\",\"\t\",\"\x7f\"}");
	}
	{
		LikesetEntry o[] = {OP("\xc3\xa9", false, 1), OP("b", true, 0),
			OP("a", false, TS_MIN), OP("-", false, TS_MIN),
		OP("", false, TS_MIN)};

		expect_format(o, 5, "{\"\",\"-\",a,-b@2000-01-01T00:00:00Z,"
					  "\"\xc3\xa9\"@2000-01-01T00:00:00.000001Z}");
	}
	{
		LikesetEntry o[] = {OP("a", false, TS_MIN), OP("A", false, TS_MIN)};

		expect_format(o, 2, "{A,a}");
	}
	{
		LikesetEntry o[] = {OP("b", false, TS_MIN), OP("ab", false, TS_MIN),
		OP("a", false, TS_MIN)};

		expect_format(o, 3, "{a,ab,b}");
	}
	{
		/* bytes compare unsigned: 0x80 after 'a' */
		LikesetEntry o[] = {OP("\x80", false, TS_MIN), OP("a", false, TS_MIN)};

		expect_format(o, 2, "{a,\"\x80\"}");
	}
	{
		LikesetEntry o[] = {OP("z", false, TS_END - 1)};

		expect_format(o, 1, "{z@+294276-12-31T23:59:59.999999Z}");
	}
	{
		LikesetEntry o[] = {OP("a", false, TS_MIN + 1)};

		expect_format(o, 1, "{a@-4713-11-24T00:00:00.000001Z}");
	}
	{
		LikesetEntry o[] = {OP("y", false, y0), OP("x", true, ym1)};

		expect_format(o, 2, "{-x@-0001-06-15T12:00:00Z,y@0000-03-01T00:00:00Z}");
	}

	/* non-canonical input, canonical output */
	expect_reformat(" { b , a } ", "{a,b}");
	expect_reformat("{\"a\"}", "{a}");
	expect_reformat("{\"\\a\\\\\"}", "{\"a\\\\\"}");
	expect_reformat("{a@-4713-11-24T00:00:00Z}", "{a}");
	expect_reformat("{a @ 2000-01-01 02:00:00+02}", "{a@2000-01-01T00:00:00Z}");
	expect_reformat("{a@2000-01-01T00:00:00.500000Z}", "{a@2000-01-01T00:00:00.5Z}");
	expect_reformat("{a@1999-12-31T18:30:00-0530}", "{a@2000-01-01T00:00:00Z}");
	expect_reformat("{\xc3\xa9}", "{\"\xc3\xa9\"}");
	expect_reformat("{a-b,x-}", "{a-b,x-}");
	expect_reformat("{\t\n-\"\"\r}", "{-\"\"}");
}

/* A timestamp from anywhere in the range, often near an edge */
static int64_t
rnd_ts(void)
{
	int64_t		t;

	switch (rnd_below(10))
	{
		case 0:
			t = TS_MIN + (int64_t) rnd_below((uint64_t) (800 * USECS_PER_DAY));
			break;
		case 1:
			t = TS_END - 1 - (int64_t) rnd_below((uint64_t) (800 * USECS_PER_DAY));
			break;
		case 2:
			t = rnd_between(-800 * USECS_PER_DAY, 800 * USECS_PER_DAY);
			break;
		case 3:
			t = ref_days(0, 1, 1) * USECS_PER_DAY +
				rnd_between(-1200 * USECS_PER_DAY, 1200 * USECS_PER_DAY);
			break;
		case 4:
			t = ref_days(10000, 1, 1) * USECS_PER_DAY +
				rnd_between(-800 * USECS_PER_DAY, 800 * USECS_PER_DAY);
			break;
		case 5:
			t = ref_days(100000, 1, 1) * USECS_PER_DAY +
				rnd_between(-800 * USECS_PER_DAY, 800 * USECS_PER_DAY);
			break;
		case 6:
			t = ref_days(1, 1, 1) * USECS_PER_DAY +
				rnd_between(-800 * USECS_PER_DAY, 800 * USECS_PER_DAY);
			break;
		case 7:
			t = rnd_between(TS_MIN / USECS_PER_SEC, TS_END / USECS_PER_SEC) * USECS_PER_SEC;
			break;
		default:
			t = rnd_between(TS_MIN, TS_END);
			break;
	}
	return t;
}

static void
test_ts_roundtrip(void)
{
	for (int i = 0; i < 20000; i++)
	{
		int64_t		ts = rnd_ts();
		char		got[LIKESET_TS_BUFLEN + 8];
		char		exp[96];
		char		in[128];
		int			len;
		int64_t		v;
		bool		ok;

		memset(got, 'X', sizeof(got));
		len = likeset_format_ts(ts, got);
		ref_format_ts(ts, exp, sizeof(exp));
		CHECK(len > 0 && len < LIKESET_TS_BUFLEN && (size_t) len == strlen(exp) &&
			  memcmp(got, exp, (size_t) len) == 0,
			  "format_ts(%" PRId64 ") = %s, expected %s", ts,
			  show(got, len < 0 ? 0 : len > LIKESET_TS_BUFLEN ? LIKESET_TS_BUFLEN : (size_t) len),
			  exp);
		ok = parse_ts_exact(exp, strlen(exp), &v);
		CHECK(ok && v == ts, "parse_ts(%s) = %d, %" PRId64 ", expected %" PRId64, exp,
			  ok, v, ts);
		ts_text_random(in, sizeof(in), ts);
		ok = parse_ts_exact(in, strlen(in), &v);
		CHECK(ok && v == ts, "parse_ts(%s) = %d, %" PRId64 ", expected %" PRId64, in,
			  ok, v, ts);
	}
}

static void
expect_ts(int64_t ts, const char *text)
{
	char		got[LIKESET_TS_BUFLEN + 8];
	int			len = likeset_format_ts(ts, got);
	int64_t		v;
	bool		ok;

	CHECK(len == (int) strlen(text) && memcmp(got, text, strlen(text)) == 0,
		  "format_ts(%" PRId64 ") = %s, expected %s", ts,
		  show(got, len < 0 ? 0 : len > LIKESET_TS_BUFLEN ? LIKESET_TS_BUFLEN : (size_t) len),
		  text);
	ok = parse_ts_exact(text, strlen(text), &v);
	CHECK(ok && v == ts, "parse_ts(%s) = %d, %" PRId64 ", expected %" PRId64, text, ok,
		  v, ts);
}

static void
expect_parse_ts(const char *text, int64_t ts)
{
	int64_t		v;
	bool		ok = parse_ts_exact(text, strlen(text), &v);

	CHECK(ok && v == ts, "parse_ts(%s) = %d, %" PRId64 ", expected %" PRId64, text, ok,
		  v, ts);
}

static void
expect_bad_ts(const char *text)
{
	int64_t		v;
	bool		ok = parse_ts_exact(text, strlen(text), &v);

	CHECK(!ok, "parse_ts(%s) accepted it as %" PRId64 ", expected a rejection", text, v);
}

static void
test_ts_literals(void)
{
	static const char *bad[] = {
		"2000-13-01T00:00:00Z", "2000-00-10T00:00:00Z", "2000-02-30T00:00:00Z",
		"1900-02-29T00:00:00Z", "2100-02-29T00:00:00Z", "-0001-02-29T00:00:00Z",
		"2001-02-29T00:00:00Z", "2000-04-31T00:00:00Z", "2000-01-00T00:00:00Z",
		"2000-01-32T00:00:00Z", "2000-01-01T24:00:00Z", "2000-01-01T23:60:00Z",
		"2000-01-01T00:00:00.1234567Z", "2000-01-01T00:00:00", "2000-01-01T00:00:00.5",
		"2000-01-01T00:00:00Zx", "2000-01-01T00:00:00ZZ", "2000-01-01T00:00:00+02:00Z",
		"2000-01-01T00:00:00.Z", "2000-01-01", "2000-01-01T00:00Z", "200-01-01T00:00:00Z",
		"2000-1-01T00:00:00Z", "2000/01/01T00:00:00Z", "2000-01-01X00:00:00Z",
		"2000-01-01T00:00:00+16:00", "2000-01-01T00:00:00+02:60", "2000-01-01T00:00:00+2",
		"2000-01-01T00:00:00+02:0", "2000-01-01T00:00:00+02:00:00", "", "Z", "-",
		"infinity", "-infinity", "now", "2000-01-01T00:00:00x",
		/* outside PostgreSQL's range, without overflow */
		"294277-01-01T00:00:00Z", "+294277-01-01T00:00:00.000001Z",
		"294276-12-31T23:59:59.999999-00:01", "-4713-11-23T23:59:59.999999Z",
		"-4713-11-24T00:00:00+00:01", "-4714-12-31T00:00:00Z", "-10000-06-15T00:00:00Z",
		"-4713-11-23T23:59:59Z",
	};

	expect_ts(0, "2000-01-01T00:00:00Z");
	expect_ts(1, "2000-01-01T00:00:00.000001Z");
	expect_ts(-1, "1999-12-31T23:59:59.999999Z");
	expect_ts(USECS_PER_SEC / 2, "2000-01-01T00:00:00.5Z");
	expect_ts(123456, "2000-01-01T00:00:00.123456Z");
	expect_ts(120000, "2000-01-01T00:00:00.12Z");
	expect_ts(TS_END - 1, "+294276-12-31T23:59:59.999999Z");
	expect_ts(TS_MIN, "-4713-11-24T00:00:00Z");
	expect_ts(59 * USECS_PER_DAY, "2000-02-29T00:00:00Z");
	expect_ts(-USECS_PER_DAY * 36524, "1900-01-01T00:00:00Z");
	expect_ts(ref_days(2026, 11, 28) * USECS_PER_DAY + 10 * USECS_PER_HOUR +
			  USECS_PER_SEC / 2, "2026-11-28T10:00:00.5Z");
	expect_ts(ref_days(0, 2, 29) * USECS_PER_DAY, "0000-02-29T00:00:00Z");
	expect_ts(ref_days(-4, 2, 29) * USECS_PER_DAY, "-0004-02-29T00:00:00Z");
	expect_ts(ref_days(0, 1, 1) * USECS_PER_DAY - 1, "-0001-12-31T23:59:59.999999Z");
	expect_ts(ref_days(1, 1, 1) * USECS_PER_DAY, "0001-01-01T00:00:00Z");
	expect_ts(ref_days(9999, 12, 31) * USECS_PER_DAY, "9999-12-31T00:00:00Z");
	expect_ts(ref_days(10000, 1, 1) * USECS_PER_DAY, "+10000-01-01T00:00:00Z");
	expect_ts(ref_days(100000, 1, 1) * USECS_PER_DAY, "+100000-01-01T00:00:00Z");
	expect_ts(ref_days(-1000, 7, 4) * USECS_PER_DAY, "-1000-07-04T00:00:00Z");

	expect_parse_ts("2000-01-01 00:00:00Z", 0);
	expect_parse_ts("+2000-01-01T00:00:00Z", 0);
	expect_parse_ts("2000-01-01T02:00:00+02:00", 0);
	expect_parse_ts("2000-01-01T02:00:00+02", 0);
	expect_parse_ts("2000-01-01T02:00:00+0200", 0);
	expect_parse_ts("2000-01-01T00:00:00-00", 0);
	expect_parse_ts("1999-12-31T18:30:00-0530", 0);
	expect_parse_ts("1999-12-31T18:30:00-05:30", 0);
	expect_parse_ts("2000-01-01T00:00:00+02:00", -2 * USECS_PER_HOUR);
	expect_parse_ts("2000-01-01T00:00:00-0530", 5 * USECS_PER_HOUR + 30 * 60 * USECS_PER_SEC);
	expect_parse_ts("2000-01-01 00:00:00.5+15:59", USECS_PER_SEC / 2 -
					(15 * 60 + 59) * 60 * USECS_PER_SEC);
	expect_parse_ts("2000-01-01T00:00:00.000001Z", 1);
	expect_parse_ts("2000-01-01T00:00:00.100Z", 100000);
	expect_parse_ts("2000-02-29T00:00:00Z", 59 * USECS_PER_DAY);
	expect_parse_ts("2004-02-29T12:00:00Z", ref_days(2004, 2, 29) * USECS_PER_DAY +
					12 * USECS_PER_HOUR);
	expect_parse_ts("1600-02-29T00:00:00Z", ref_days(1600, 2, 29) * USECS_PER_DAY);
	expect_parse_ts("10000-01-01T00:00:00Z", ref_days(10000, 1, 1) * USECS_PER_DAY);
	expect_parse_ts("294276-12-31T23:59:59.999999Z", TS_END - 1);
	expect_parse_ts("294277-01-01T00:00:00+01:00", TS_END - USECS_PER_HOUR);
	expect_parse_ts("-4713-11-23T23:00:00-01:00", TS_MIN);
	expect_parse_ts("-4713-11-24T00:00:00.000001Z", TS_MIN + 1);

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		expect_bad_ts(bad[i]);

	/* and inside a set */
	expect_reformat("{a@2000-01-01T02:00:00+02:00}", "{a@2000-01-01T00:00:00Z}");
	expect_reformat("{a@294277-01-01T00:00:00+01:00}", "{a@+294276-12-31T23:00:00Z}");
}

/* Years whose day count overflows int64 microseconds: must be rejected */
static const char *const overflow_ts[] = {
	"294277-01-02T00:00:00Z",
	"294278-06-01T00:00:00Z",
	"300000-01-01T00:00:00Z",
	"+586542-01-19T00:00:00Z",
	"9999999-12-31T23:59:59Z",
	"-290278-01-01T00:00:00Z",
	"-9999999-01-01T00:00:00Z",
};

static void
overflow_case(void *arg)
{
	const char *s = arg;
	int64_t		v;
	bool		ok = parse_ts_exact(s, strlen(s), &v);

	CHECK(!ok, "parse_ts(%s) accepted it as %" PRId64 ", expected a rejection", s, v);
}

static void
overflow_set_case(void *arg)
{
	const char *s = arg;
	LikesetData *p = NULL;
	LikesetError err;
	LikesetStatus st = parse_exact(s, &p, &err);

	CHECK(st != LIKESET_OK, "parse(%s) accepted it as %s", s, txt(p));
	if (st == LIKESET_OK)
		likeset_free(p);
}

static void
test_ts_overflow(void)
{
	char		what[128];

	for (size_t i = 0; i < sizeof(overflow_ts) / sizeof(overflow_ts[0]); i++)
	{
		snprintf(what, sizeof(what), "parse_ts(\"%s\")", overflow_ts[i]);
		isolated(what, overflow_case, (void *) overflow_ts[i]);
	}
	isolated("parse(\"{a@+586542-01-19T00:00:00Z}\")", overflow_set_case,
			 (void *) "{a@+586542-01-19T00:00:00Z}");
}

/* ========================================================================
 * 4b. Text parse errors, duplicates, element length
 * ========================================================================
 */
static void
expect_parse_error(const char *in, LikesetStatus want, LikesetStatus alt, int lo, int hi)
{
	LikesetData *p = NULL;
	LikesetError err;
	LikesetStatus st = parse_exact(in, &p, &err);

	CHECK(st != LIKESET_OK && (st == want || st == alt) && err.status == st &&
		  err.pos >= lo && err.pos <= hi && err.detail[0] != '\0',
		  "parse(%s): status %d (err.status %d) at %d (%s), expected status %d at "
		  "%d..%d", shows(in), (int) st, (int) err.status, err.pos, err.detail,
		  (int) want, lo, hi);
	if (st == LIKESET_OK)
		likeset_free(p);
}

static void
test_parse_errors(void)
{
	static const struct
	{
		const char *in;
		int			lo;
		int			hi;
	}			bad[] =
	{
		{"", 1, 1},
		{"   ", 1, 4},
		{"{", 2, 2},
		{"{a", 3, 3},
		{"a}", 1, 1},
		{"{a,}", 4, 4},
		{"{,a}", 2, 2},
		{"{\"a}", 2, 5},
		{"{\"a\\", 2, 5},
		{"{a@}", 3, 4},
		{"{--a}", 2, 3},
		{"{-}", 2, 3},
		{"{a}x", 4, 4},
		{"{a} {b}", 5, 5},
		{"{a}}", 4, 4},
		{"{a b}", 3, 4},
		{"{a,,b}", 4, 4},
		{"{{}}", 2, 2},
		{"{}}", 3, 3},
		{"{a\\b}", 3, 3},
		{"{\"a\"b}", 4, 5},
		{"{a@2000-13-01T00:00:00Z}", 3, 4},
		{"{a@2000-01-01T00:00:00}", 3, 4},
		{"{a@2000-01-01T00:00:00Z@2000-01-01T00:00:00Z}", 3, 26},
		{"{a@2000-01-01T00:00:00Z b}", 3, 26},
		{"{b,a@x}", 5, 6},
		{"[a]", 1, 1},
	};
	char	   *big;
	size_t		pos;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		expect_parse_error(bad[i].in, LIKESET_ERR_SYNTAX, LIKESET_ERR_SYNTAX,
						   bad[i].lo, bad[i].hi);
	/* a timestamp out of range: a syntax error or a range error */
	expect_parse_error("{a@294277-01-01T00:00:00Z}", LIKESET_ERR_SYNTAX,
					   LIKESET_ERR_TS_RANGE, 3, 4);
	expect_parse_error("{a,b@-4714-01-01T00:00:00Z}", LIKESET_ERR_SYNTAX,
					   LIKESET_ERR_TS_RANGE, 5, 6);

	/* element length: 4096 bytes accepted, 4097 rejected, quoted or not */
	big = xmalloc(2 * (LIKESET_MAX_ELEMENT_LEN + 1) + 16);
	for (int quoted = 0; quoted < 2; quoted++)
	{
		for (int extra = 0; extra < 2; extra++)
		{
			LikesetData *p = NULL;
			LikesetError err;
			LikesetStatus st;
			size_t		n = LIKESET_MAX_ELEMENT_LEN + (size_t) extra;

			pos = 0;
			big[pos++] = '{';
			if (quoted)
			{
				big[pos++] = '-';
				big[pos++] = '"';
				for (size_t j = 0; j < n; j++)
				{
					char		c = j % 3 ? '"' : 'x';

					if (c == '"' || j % 2)
						big[pos++] = '\\';
					big[pos++] = c;
				}
				big[pos++] = '"';
			}
			else
			{
				memset(big + pos, 'e', n);
				pos += n;
			}
			big[pos++] = '}';
			big[pos] = '\0';
			if (extra)
				expect_parse_error(big, LIKESET_ERR_ELEMENT_TOO_LONG,
								   LIKESET_ERR_ELEMENT_TOO_LONG, 2, 2 + quoted);
			else
			{
				st = parse_exact(big, &p, &err);
				CHECK(st == LIKESET_OK && p->nentries == 1 &&
					  likeset_size(p) == HDR + 12 + LIKESET_MAX_ELEMENT_LEN,
					  "parse of a %squoted element of %d bytes: status %d (%s)",
					  quoted ? "" : "un", LIKESET_MAX_ELEMENT_LEN, (int) st, err.detail);
				if (st == LIKESET_OK)
					likeset_free(p);
			}
		}
	}
	free(big);

	/* repeated elements merge: the greater op wins, remove on a tie */
	expect_reformat("{a@2000-01-01T00:00:00.000001Z,-a@2000-01-01T00:00:00.000001Z}",
					"{-a@2000-01-01T00:00:00.000001Z}");
	expect_reformat("{-a@2000-01-01T00:00:00.000001Z,a@2000-01-01T00:00:00.000001Z}",
					"{-a@2000-01-01T00:00:00.000001Z}");
	expect_reformat("{-a@2000-01-01T00:00:00.000001Z,a@2000-01-01T00:00:00.000002Z}",
					"{a@2000-01-01T00:00:00.000002Z}");
	expect_reformat("{a@2000-01-01T00:00:00.000002Z,-a@2000-01-01T00:00:00.000001Z}",
					"{a@2000-01-01T00:00:00.000002Z}");
	expect_reformat("{a,a,a}", "{a}");
	expect_reformat("{a,-a}", "{-a}");
	expect_reformat("{-a,a}", "{-a}");
	expect_reformat("{b,\"b\",-\"b\",b}", "{-b}");
	expect_reformat("{a@2000-01-01T01:00:00+01:00,-a@1999-12-31T23:00:00-01:00}",
					"{-a@2000-01-01T00:00:00Z}");
	expect_reformat("{x@2000-01-01T00:00:01Z,y,x@2000-01-01T00:00:02Z,x}",
					"{x@2000-01-01T00:00:02Z,y}");
	expect_reformat("{}", "{}");
	expect_reformat(" {\t} ", "{}");
}

/* ========================================================================
 * 5. likeset_validate on corrupted values
 * ========================================================================
 */
static void
expect_corrupt(const void *buf, size_t size, const char *what, const char *state)
{
	LikesetError err;
	LikesetStatus st = validate_copy(buf, size, &err);

	CHECK(st == LIKESET_ERR_CORRUPT && err.status == LIKESET_ERR_CORRUPT &&
		  err.detail[0] != '\0',
		  "%s (value %s): validate returned %d", what, state, (int) st);
}

static void
test_validate_header(void)
{
	for (int iter = 0; iter < 150; iter++)
	{
		Sample		x;
		size_t		size;
		unsigned char *raw,
				   *b;
		uint32_t	n,
					np;
		int64_t		maxts;
		const char *state;

		sample_make(&x, 1 + (int) rnd_below(12), 30, 1);
		raw = raw_build(x.m.e, x.m.n, &size);
		state = txt(x.s);
		CHECK(validate_copy(raw, size, NULL) == LIKESET_OK, "validate rejects %s", state);
		n = (uint32_t) x.m.n;
		np = get_u32(raw, 12);
		maxts = get_i64(raw, 16);
		b = xmalloc(size);

#define MUT(what, stmt) \
	do { memcpy(b, raw, size); stmt; expect_corrupt(b, size, what, state); } while (0)

		MUT("version 0", b[4] = 0);
		MUT("version 2", b[4] = 2);
		MUT("version 255", b[4] = 255);
		MUT("flags 1", b[5] = 1);
		MUT("flags 0x80", b[5] = 0x80);
		MUT("reserved 1", put_u16(b, 6, 1));
		MUT("reserved 0x8000", put_u16(b, 6, 0x8000));
		MUT("horizon 0", put_i64(b, 24, 0));
		MUT("horizon TS_MIN", put_i64(b, 24, TS_MIN));
		MUT("horizon INT64_MAX", put_i64(b, 24, INT64_MAX));
		MUT("horizon random", put_i64(b, 24, rnd_between(TS_MIN, TS_END)));
		MUT("npresent + 1", put_u32(b, 12, np + 1));
		MUT("npresent 0xffffffff", put_u32(b, 12, 0xffffffffu));
		MUT("maxts + 1", put_i64(b, 16, maxts + 1));
		if (np > 0)
			MUT("npresent - 1", put_u32(b, 12, np - 1));
		if (n > 0)
		{
			uint32_t	i = (uint32_t) rnd_below(n);
			size_t		endoff = HDR + 8 * (size_t) n + 4 * i;

			MUT("maxts - 1", put_i64(b, 16, maxts - 1));
			MUT("maxts none", put_i64(b, 16, LIKESET_TS_NONE));
			MUT("maxts of another entry", put_i64(b, 16, maxts == TS_MIN ? TS_MIN + 1 : TS_MIN));
			MUT("removed bit flipped",
				put_u32(b, endoff, get_u32(b, endoff) ^ REMOVED_BIT));
		}
		else
		{
			MUT("maxts 0 on an empty set", put_i64(b, 16, 0));
			MUT("maxts TS_MIN on an empty set", put_i64(b, 16, TS_MIN));
		}
#undef MUT
		{
			/* err may be NULL */
			unsigned char *c = xmalloc(size);

			memcpy(c, raw, size);
			c[4] = 7;
			CHECK(likeset_validate((LikesetData *) c, size, NULL) == LIKESET_ERR_CORRUPT,
				  "validate with err NULL did not reject version 7");
			free(c);
		}
		free(b);
		free(raw);
		sample_free(&x);
	}
}

static void
test_validate_entries(void)
{
	static const int64_t badts[] = {TS_END, TS_MIN - 1, INT64_MIN, INT64_MAX};

	for (int iter = 0; iter < 150; iter++)
	{
		Sample		x;
		size_t		n,
					size;
		LikesetEntry *e;
		unsigned char *raw;
		const char *state;
		char	   *nul = NULL;
		char	   *huge;

		sample_make(&x, 1 + (int) rnd_below(20), 60, 1);
		n = x.m.n;
		state = txt(x.s);
		e = xmalloc((n + 2) * sizeof(LikesetEntry));
		memcpy(e, x.m.e, n * sizeof(LikesetEntry));
		if (n >= 2)
		{
			size_t		i = rnd_below(n - 1);
			LikesetEntry t = e[i];

			e[i] = e[i + 1];
			e[i + 1] = t;
			raw = raw_build(e, n, &size);
			expect_corrupt(raw, size, "two entries swapped", state);
			free(raw);
			memcpy(e, x.m.e, n * sizeof(LikesetEntry));

			e[i + 1].elem = e[i].elem;
			e[i + 1].len = e[i].len;
			raw = raw_build(e, n, &size);
			expect_corrupt(raw, size, "a duplicate element", state);
			free(raw);
			e[i + 1] = e[i];
			raw = raw_build(e, n, &size);
			expect_corrupt(raw, size, "a duplicate entry", state);
			free(raw);
			memcpy(e, x.m.e, n * sizeof(LikesetEntry));
		}
		if (n >= 1)
		{
			size_t		i = rnd_below(n);

			for (size_t k = 0; k < sizeof(badts) / sizeof(badts[0]); k++)
			{
				char		what[64];

				e[i].ts = badts[k];
				raw = raw_build(e, n, &size);
				snprintf(what, sizeof(what), "a timestamp %" PRId64, badts[k]);
				expect_corrupt(raw, size, what, state);
				free(raw);
			}
			e[i] = x.m.e[i];
			for (size_t k = 0; k < n; k++)
			{
				size_t		j = (i + k) % n;

				if (e[j].len > 0)
				{
					nul = xmalloc(e[j].len);
					memcpy(nul, e[j].elem, e[j].len);
					nul[rnd_below(e[j].len)] = '\0';
					e[j].elem = nul;
					raw = raw_build(e, n, &size);
					expect_corrupt(raw, size, "a NUL byte in an element", state);
					free(raw);
					e[j] = x.m.e[j];
					free(nul);
					break;
				}
			}
		}
		/* an element longer than the maximum, sorted last */
		huge = xmalloc(LIKESET_MAX_ELEMENT_LEN + 1);
		memset(huge, 0xff, LIKESET_MAX_ELEMENT_LEN + 1);
		e[n].elem = huge;
		e[n].len = LIKESET_MAX_ELEMENT_LEN + 1;
		e[n].removed = false;
		e[n].ts = 0;
		raw = raw_build(e, n + 1, &size);
		expect_corrupt(raw, size, "an element of 4097 bytes", state);
		free(raw);
		free(huge);
		free(e);
		sample_free(&x);
	}

	/* literal cases, with a valid neighbour to show the check is precise */
	{
		static const LikesetEntry ok1[] = {OP("a", false, 0), OP("b", false, 0)};
		static const LikesetEntry nul1[] = {OP("\0", false, 0)};
		static const LikesetEntry nul2[] = {OP("a", false, 0), OP("b\0c", false, 0)};
		static const LikesetEntry nul3[] = {OP("a\0", true, 5)};
		static const LikesetEntry uns1[] = {OP("b", false, 0), OP("a", false, 0)};
		static const LikesetEntry uns2[] = {OP("ab", false, 0), OP("a", false, 0)};
		static const LikesetEntry uns3[] = {OP("\x80", false, 0), OP("a", false, 0)};
		static const LikesetEntry dup1[] = {OP("a", false, 0), OP("a", true, 1)};
		static const LikesetEntry dup2[] = {OP("", false, 0), OP("", false, 0)};
		static const LikesetEntry ok2[] = {OP("", false, 0), OP("a", false, 0),
		OP("ab", true, 3), OP("\x80", false, TS_END - 1)};
		char	   *e4096 = xmalloc(LIKESET_MAX_ELEMENT_LEN);
		LikesetEntry ok3[1];
		unsigned char *raw;
		size_t		size;

		raw = raw_build(ok1, 2, &size);
		CHECK(validate_copy(raw, size, NULL) == LIKESET_OK, "validate rejects {a,b}");
		free(raw);
		raw = raw_build(ok2, 4, &size);
		CHECK(validate_copy(raw, size, NULL) == LIKESET_OK,
			  "validate rejects {\"\",a,-ab,\\x80}");
		free(raw);
		memset(e4096, 'q', LIKESET_MAX_ELEMENT_LEN);
		ok3[0].elem = e4096;
		ok3[0].len = LIKESET_MAX_ELEMENT_LEN;
		ok3[0].removed = false;
		ok3[0].ts = TS_MIN;
		raw = raw_build(ok3, 1, &size);
		CHECK(validate_copy(raw, size, NULL) == LIKESET_OK,
			  "validate rejects an element of 4096 bytes");
		free(raw);
		free(e4096);

		raw = raw_build(nul1, 1, &size);
		expect_corrupt(raw, size, "element \\0", "{\"\\0\"}");
		free(raw);
		raw = raw_build(nul2, 2, &size);
		expect_corrupt(raw, size, "element b\\0c", "{a,\"b\\0c\"}");
		free(raw);
		raw = raw_build(nul3, 1, &size);
		expect_corrupt(raw, size, "element a\\0", "{-\"a\\0\"}");
		free(raw);
		raw = raw_build(uns1, 2, &size);
		expect_corrupt(raw, size, "b before a", "{b,a}");
		free(raw);
		raw = raw_build(uns2, 2, &size);
		expect_corrupt(raw, size, "ab before a", "{ab,a}");
		free(raw);
		raw = raw_build(uns3, 2, &size);
		expect_corrupt(raw, size, "\\x80 before a (unsigned order)", "{\\x80,a}");
		free(raw);
		raw = raw_build(dup1, 2, &size);
		expect_corrupt(raw, size, "a twice", "{a,-a}");
		free(raw);
		raw = raw_build(dup2, 2, &size);
		expect_corrupt(raw, size, "\"\" twice", "{\"\",\"\"}");
		free(raw);
	}
}

static void
test_validate_sizes(void)
{
	for (int iter = 0; iter < 150; iter++)
	{
		Sample		x;
		size_t		size,
					sizes[14];
		int			ns = 0;
		unsigned char *raw,
				   *b;
		uint32_t	n;
		const char *state;

		sample_make(&x, 1 + (int) rnd_below(12), 40, 1);
		raw = raw_build(x.m.e, x.m.n, &size);
		n = (uint32_t) x.m.n;
		state = txt(x.s);
		sizes[ns++] = size - 1;
		sizes[ns++] = size - 4;
		sizes[ns++] = size >= 12 ? size - 12 : 0;
		sizes[ns++] = size / 2;
		sizes[ns++] = HDR;
		sizes[ns++] = HDR - 1;
		sizes[ns++] = 4;
		sizes[ns++] = 0;
		sizes[ns++] = size + 1;
		sizes[ns++] = size + 8;
		sizes[ns++] = size + 12;
		sizes[ns++] = size + 4096;
		for (int k = 0; k < ns; k++)
		{
			char		what[64];

			if (sizes[k] == size)
				continue;
			b = xmalloc(sizes[k]);
			memset(b, 0, sizes[k]);
			memcpy(b, raw, sizes[k] < size ? sizes[k] : size);
			snprintf(what, sizeof(what), "size %zu instead of %zu", sizes[k], size);
			expect_corrupt(b, sizes[k], what, state);
			free(b);
		}
		b = xmalloc(size);
		{
			uint32_t	counts[] = {n + 1, n + 1000, LIKESET_MAX_ENTRIES,
				LIKESET_MAX_ENTRIES + 1, 0x80000000u, 0xffffffffu, n >= 2 ? n - 1 : n + 2,
			n >= 1 ? 0 : 1};

			for (size_t k = 0; k < sizeof(counts) / sizeof(counts[0]); k++)
			{
				char		what[64];

				memcpy(b, raw, size);
				put_u32(b, 8, counts[k]);
				snprintf(what, sizeof(what), "nentries %u instead of %u", counts[k], n);
				expect_corrupt(b, size, what, state);
			}
		}
		free(b);
		free(raw);
		sample_free(&x);
	}
}

/* Element ends that go down or past the data, but stay in the buffer */
static void
test_validate_ends(void)
{
	for (int iter = 0; iter < 200; iter++)
	{
		Sample		x;
		size_t		size,
					n;
		unsigned char *raw,
				   *b;
		uint32_t	datalen;
		const char *state;

		sample_make(&x, 3 + (int) rnd_below(12), 40, 1);
		n = x.m.n;
		if (n < 2)
		{
			sample_free(&x);
			continue;
		}
		raw = raw_build(x.m.e, n, &size);
		state = txt(x.s);
		datalen = (uint32_t) (size - HDR - 12 * n);
		b = xmalloc(size);

#define ENDOFF(i) (HDR + 8 * n + 4 * (size_t) (i))
#define MUT(what, stmt) \
	do { memcpy(b, raw, size); stmt; expect_corrupt(b, size, what, state); } while (0)

		if (datalen > 0)
			MUT("last end short of the data",
				put_u32(b, ENDOFF(n - 1), get_u32(b, ENDOFF(n - 1)) - 1));
		MUT("last end past the data",
			put_u32(b, ENDOFF(n - 1), get_u32(b, ENDOFF(n - 1)) + 1));
		MUT("first end 0x7fffffff",
			put_u32(b, ENDOFF(0), (get_u32(b, ENDOFF(0)) & REMOVED_BIT) | 0x7fffffffu));
		for (size_t i = 1; i + 1 < n; i++)
		{
			uint32_t	prev = get_u32(raw, ENDOFF(i - 1)) & ~REMOVED_BIT;
			uint32_t	cur = get_u32(raw, ENDOFF(i));

			if (prev > 0)
			{
				MUT("an end below the previous one",
					put_u32(b, ENDOFF(i), (cur & REMOVED_BIT) | (prev - 1)));
				break;
			}
		}
		for (size_t i = 0; i + 2 < n; i++)
		{
			uint32_t	e0 = get_u32(raw, ENDOFF(i));
			uint32_t	e1 = get_u32(raw, ENDOFF(i + 1));

			if ((e0 & ~REMOVED_BIT) != (e1 & ~REMOVED_BIT))
			{
				MUT("two ends swapped",
					put_u32(b, ENDOFF(i), (e0 & REMOVED_BIT) | (e1 & ~REMOVED_BIT));
					put_u32(b, ENDOFF(i + 1), (e1 & REMOVED_BIT) | (e0 & ~REMOVED_BIT)));
				break;
			}
		}
#undef MUT
		free(b);
		free(raw);
		sample_free(&x);
	}
}

/*
 * An end beyond the data, not the last one: validate must reject it
 * without reading past the buffer.
 */
static void
ends_past_data_case(void *arg)
{
	int			which = (int) (intptr_t) arg;
	static const LikesetEntry abc[] = {OP("a", false, 0), OP("b", false, 0),
	OP("c", true, 1)};
	unsigned char *raw;
	size_t		size;
	size_t		n = 3;
	uint32_t	bump = which == 0 ? 60 : which == 1 ? 4000 : 0;
	size_t		i = which == 1 ? 1 : 0;
	const char *state = "{a,b,-c@...1Z}";
	Sample		x;
	bool		sampled = false;

	if (which >= 2)
	{
		/* a random state of short elements */
		rng_seed(seed, 0xE11D5, (uint64_t) which);
		do
		{
			if (sampled)
				sample_free(&x);
			sample_make(&x, 3 + (int) rnd_below(12), 40, 0);
			sampled = true;
		} while (x.m.n < 2);
		n = x.m.n;
		raw = raw_build(x.m.e, n, &size);
		state = txt(x.s);
		i = rnd_below(n - 1);
		bump = 1 + (uint32_t) rnd_below(200);
	}
	else
		raw = raw_build(abc, n, &size);
	{
		uint32_t	datalen = (uint32_t) (size - HDR - 12 * n);
		size_t		off = HDR + 8 * n + 4 * i;
		char		what[96];

		put_u32(raw, off, (get_u32(raw, off) & REMOVED_BIT) | (datalen + bump));
		snprintf(what, sizeof(what), "end of entry %zu of %zu set to %u, past the %u "
				 "data bytes", i, n, datalen + bump, datalen);
		expect_corrupt(raw, size, what, state);
	}
	free(raw);
	if (sampled)
		sample_free(&x);
}

static void
test_validate_ends_past_data(void)
{
	for (int k = 0; k < 8; k++)
	{
		char		what[64];

		snprintf(what, sizeof(what), "validate of a value with an end past the data (#%d)",
				 k);
		isolated(what, ends_past_data_case, (void *) (intptr_t) k);
	}
}

/* Random byte flips: reject, or accept and round-trip through text */
static void
flip_batch(void *arg)
{
	int			batch = (int) (intptr_t) arg;

	rng_seed(seed, 0xF11B, (uint64_t) batch);
	for (int iter = 0; iter < 12; iter++)
	{
		Sample		x;
		size_t		size;
		unsigned char *raw;

		sample_make(&x, 1 + (int) rnd_below(12), 30, 1);
		raw = raw_build(x.m.e, x.m.n, &size);
		for (int f = 0; f < 25; f++)
		{
			unsigned char *b = xmalloc(size);
			int			nflips = 1 + (int) rnd_below(3);
			LikesetStatus st;
			LikesetError err;

			memcpy(b, raw, size);
			for (int k = 0; k < nflips; k++)
			{
				size_t		pos = 4 + rnd_below(size - 4);

				if (rnd_pct(60))
					b[pos] ^= (unsigned char) (1u << rnd_below(8));
				else
					b[pos] = (unsigned char) rnd_below(256);
			}
			memset(&err, 0, sizeof(err));
			st = likeset_validate((const LikesetData *) b, size, &err);
			CHECK(st == LIKESET_OK || st == LIKESET_ERR_CORRUPT,
				  "validate of a flipped value returned %d", (int) st);
			if (st == LIKESET_OK)
			{
				size_t		len = 0;
				char	   *t = likeset_format((const LikesetData *) b, &len);
				LikesetData *p = NULL;

				st = t ? parse_exact(t, &p, &err) : LIKESET_ERR_NO_MEMORY;
				CHECK(st == LIKESET_OK && same_bytes(p, (const LikesetData *) b) &&
					  likeset_compare(p, (const LikesetData *) b) == 0,
					  "an accepted flipped value %s does not round-trip: status %d, %s",
					  shows(t), (int) st, st == LIKESET_OK ? txt(p) : err.detail);
				if (st == LIKESET_OK)
					likeset_free(p);
				likeset_free(t);
			}
			free(b);
		}
		free(raw);
		sample_free(&x);
	}
}

static void
test_validate_flips(void)
{
	isolated_batches("random flips", 20, flip_batch);
}

/* ========================================================================
 * 6. likeset_build_sorted
 * ========================================================================
 */
static void
expect_build_sorted(const LikesetEntry *ops, size_t n, bool ok, const char *what)
{
	LikesetData *r = NULL;
	LikesetError err;
	LikesetStatus st;

	memset(&err, 0, sizeof(err));
	st = likeset_build_sorted(ops, n, &r, &err);
	if (ok)
	{
		Model		m;
		char		why[1024];

		model_init(&m);
		for (size_t i = 0; i < n; i++)
			model_push(&m, &ops[i]);
		CHECK(st == LIKESET_OK && model_matches(r, &m, why, sizeof(why)),
			  "build_sorted(%s): status %d (%s) %s", what, (int) st, err.detail,
			  st == LIKESET_OK ? why : "");
		model_free(&m);
	}
	else
		CHECK(st == LIKESET_ERR_CORRUPT && err.status == LIKESET_ERR_CORRUPT,
			  "build_sorted(%s): status %d, expected %d", what, (int) st,
			  (int) LIKESET_ERR_CORRUPT);
	if (st == LIKESET_OK)
		likeset_free(r);
}

static void
test_build_sorted(void)
{
	char	   *big = xmalloc(LIKESET_MAX_ELEMENT_LEN + 1);

	for (int iter = 0; iter < 200; iter++)
	{
		Sample		x;
		LikesetData *r = NULL;
		LikesetError err;
		LikesetStatus st;
		LikesetEntry *e;
		size_t		n;

		sample_make(&x, 1 + (int) rnd_below(20), 60, 2);
		n = x.m.n;
		st = likeset_build_sorted(x.m.e, n, &r, &err);
		CHECK(st == LIKESET_OK && same_bytes(r, x.s),
			  "build_sorted of the entries of %s: status %d, gives %s", txt(x.s),
			  (int) st, st == LIKESET_OK ? txt(r) : "-");
		if (st == LIKESET_OK)
			likeset_free(r);
		e = xmalloc((n + 1) * sizeof(LikesetEntry));
		memcpy(e, x.m.e, n * sizeof(LikesetEntry));
		if (n >= 2)
		{
			size_t		i = rnd_below(n - 1);
			size_t		j = i + 1 + rnd_below(n - 1 - i);
			LikesetEntry t = e[i];

			e[i] = e[j];
			e[j] = t;
			expect_build_sorted(e, n, false, "two entries swapped");
			memcpy(e, x.m.e, n * sizeof(LikesetEntry));
			e[j].elem = e[i].elem;
			e[j].len = e[i].len;
			if (j == i + 1)
				expect_build_sorted(e, n, false, "a duplicate element");
			memcpy(e, x.m.e, n * sizeof(LikesetEntry));
		}
		if (n >= 1)
		{
			size_t		i = rnd_below(n);

			e[i].ts = rnd_pct(50) ? TS_END : TS_MIN - 1;
			expect_build_sorted(e, n, false, "a timestamp out of range");
		}
		free(e);
		sample_free(&x);
	}

	{
		LikesetData *r = NULL;
		LikesetData *emp = likeset_empty();
		LikesetError err;
		LikesetEntry none[1];
		LikesetStatus st = likeset_build_sorted(none, 0, &r, &err);

		CHECK(st == LIKESET_OK && same_bytes(r, emp), "build_sorted of nothing: %d", (int) st);
		if (st == LIKESET_OK)
			likeset_free(r);
		likeset_free(emp);
	}
	{
		static const LikesetEntry a1[] = {OP("a", false, 0), OP("ab", true, 0)};
		static const LikesetEntry a2[] = {OP("a", false, 0), OP("\x80", false, 0)};
		static const LikesetEntry a3[] = {OP("", true, TS_MIN), OP("a", false, TS_END - 1)};
		static const LikesetEntry r1[] = {OP("b", false, 0), OP("a", false, 0)};
		static const LikesetEntry r2[] = {OP("ab", false, 0), OP("a", false, 0)};
		static const LikesetEntry r3[] = {OP("\x80", false, 0), OP("a", false, 0)};
		static const LikesetEntry r4[] = {OP("a", false, 0), OP("a", true, 1)};
		static const LikesetEntry r5[] = {OP("a", false, 0), OP("c", false, 0),
		OP("b", false, 0)};
		static const LikesetEntry r6[] = {OP("a", false, TS_END)};
		static const LikesetEntry r7[] = {OP("a", false, TS_MIN - 1)};
		static const LikesetEntry r8[] = {OP("a", false, INT64_MIN)};
		static const LikesetEntry r9[] = {OP("a\0b", false, 0)};
		static const LikesetEntry r10[] = {OP("", false, 0), OP("", false, 0)};
		LikesetEntry l[2];
		LikesetData *r = NULL;

		expect_build_sorted(a1, 2, true, "{a,-ab}");
		expect_build_sorted(a2, 2, true, "{a,\\x80}");
		expect_build_sorted(a3, 2, true, "{-\"\",a@END-1}");
		expect_build_sorted(r1, 2, false, "{b,a}");
		expect_build_sorted(r2, 2, false, "{ab,a}");
		expect_build_sorted(r3, 2, false, "{\\x80,a}");
		expect_build_sorted(r4, 2, false, "{a,-a}");
		expect_build_sorted(r5, 3, false, "{a,c,b}");
		expect_build_sorted(r6, 1, false, "{a@TS_END}");
		expect_build_sorted(r7, 1, false, "{a@TS_MIN-1}");
		expect_build_sorted(r8, 1, false, "{a@INT64_MIN}");
		expect_build_sorted(r9, 1, false, "{\"a\\0b\"}");
		expect_build_sorted(r10, 2, false, "{\"\",\"\"}");
		CHECK(likeset_build_sorted(r1, 2, &r, NULL) == LIKESET_ERR_CORRUPT,
			  "build_sorted with err NULL did not reject {b,a}");

		memset(big, 'm', LIKESET_MAX_ELEMENT_LEN + 1);
		l[0].elem = "a";
		l[0].len = 1;
		l[0].removed = false;
		l[0].ts = 0;
		l[1].elem = big;
		l[1].len = LIKESET_MAX_ELEMENT_LEN;
		l[1].removed = true;
		l[1].ts = 0;
		expect_build_sorted(l, 2, true, "{a, 4096 bytes}");
		l[1].len = LIKESET_MAX_ELEMENT_LEN + 1;
		expect_build_sorted(l, 2, false, "{a, 4097 bytes}");
	}
	free(big);
}

/* ========================================================================
 * 7. Limits
 * ========================================================================
 */
static void
test_limits(void)
{
	char	   *big = xmalloc(LIKESET_MAX_ELEMENT_LEN + 1);
	static const int64_t badts[] = {TS_END, TS_MIN - 1, INT64_MIN, INT64_MAX,
	TS_END + 1000};
	LikesetData *e = likeset_empty();
	LikesetData *s;
	LikesetData *r;
	LikesetEntry op;
	LikesetStatus st;
	static const LikesetEntry ab[] = {OP("a", false, 5), OP("b", true, 5)};

	s = build_ops(ab, 2, &st);
	if (s == NULL)
	{
		CHECK(false, "build of {a,b} failed: %d", (int) st);
		s = likeset_empty();
	}
	memset(big, 'z', LIKESET_MAX_ELEMENT_LEN + 1);
	op.elem = big;
	op.removed = false;
	op.ts = 0;
	for (int k = 0; k < 2; k++)
	{
		LikesetData *base = k ? s : e;

		op.len = LIKESET_MAX_ELEMENT_LEN + 1;
		r = NULL;
		st = likeset_apply(base, &op, &r);
		CHECK(st == LIKESET_ERR_ELEMENT_TOO_LONG,
			  "apply of an element of 4097 bytes to %s: status %d", txt(base), (int) st);
		if (st == LIKESET_OK && r != base)
			likeset_free(r);

		op.len = LIKESET_MAX_ELEMENT_LEN;
		r = NULL;
		st = likeset_apply(base, &op, &r);
		CHECK(st == LIKESET_OK && r != base && r->nentries == base->nentries + 1 &&
			  validate_copy(r, likeset_size(r), NULL) == LIKESET_OK &&
			  likeset_find(r, big, LIKESET_MAX_ELEMENT_LEN) >= 0,
			  "apply of an element of 4096 bytes to %s: status %d", txt(base), (int) st);
		if (st == LIKESET_OK && r != base)
			likeset_free(r);
	}
	op.elem = "a";
	op.len = 1;
	for (size_t k = 0; k < sizeof(badts) / sizeof(badts[0]); k++)
	{
		for (int j = 0; j < 2; j++)
		{
			LikesetData *base = j ? s : e;

			op.ts = badts[k];
			op.removed = j == 0;
			r = NULL;
			st = likeset_apply(base, &op, &r);
			CHECK(st == LIKESET_ERR_TS_RANGE, "apply at ts %" PRId64 " to %s: status %d",
				  badts[k], txt(base), (int) st);
			if (st == LIKESET_OK && r != base)
				likeset_free(r);
		}
	}
	{
		int64_t		goodts[] = {TS_MIN, TS_END - 1};

		for (size_t k = 0; k < 2; k++)
		{
			op.ts = goodts[k];
			op.removed = true;
			r = NULL;
			st = likeset_apply(e, &op, &r);
			CHECK(st == LIKESET_OK && r != e && r->nentries == 1 &&
				  LIKESET_TS_ARRAY(r)[0] == goodts[k],
				  "apply at ts %" PRId64 ": status %d", goodts[k], (int) st);
			if (st == LIKESET_OK && r != e)
				likeset_free(r);
		}
	}
	/* likeset_build checks the same limits */
	{
		LikesetEntry ops[3] = {OP("a", false, 0), OP("b", false, 0), OP("c", false, 0)};
		LikesetData *b;

		ops[1].elem = big;
		ops[1].len = LIKESET_MAX_ELEMENT_LEN + 1;
		b = build_ops(ops, 3, &st);
		CHECK(st == LIKESET_ERR_ELEMENT_TOO_LONG, "build with an element of 4097 bytes: %d",
			  (int) st);
		likeset_free(b);
		ops[1].len = LIKESET_MAX_ELEMENT_LEN;
		b = build_ops(ops, 3, &st);
		CHECK(st == LIKESET_OK && b && b->nentries == 3,
			  "build with an element of 4096 bytes: %d", (int) st);
		likeset_free(b);
		for (size_t k = 0; k < sizeof(badts) / sizeof(badts[0]); k++)
		{
			ops[2].ts = badts[k];
			b = build_ops(ops, 3, &st);
			CHECK(st == LIKESET_ERR_TS_RANGE, "build with ts %" PRId64 ": status %d",
				  badts[k], (int) st);
			likeset_free(b);
		}
	}
	likeset_free(s);
	likeset_free(e);
	free(big);
}

/* ========================================================================
 * Driver
 * ========================================================================
 */
static int
u64_sort_cmp(const void *a, const void *b)
{
	uint64_t	x = *(const uint64_t *) a;
	uint64_t	y = *(const uint64_t *) b;

	return x < y ? -1 : (x > y ? 1 : 0);
}

/*
 * Splitting by element hash (the log layout's parts): the pieces of
 * likeset_split_hash cover s exactly, each in its hash range and within the
 * size limit unless its entries share one hash; hash ranges and the median
 * agree with them.
 */
static void
test_split_hash(void)
{
	for (int iter = 0; iter < 400; iter++)
	{
		Sample		x;
		uint32_t	max = 1 + (uint32_t) rnd_below(iter % 3 == 0 ? 3 : 20);
		uint32_t	np = 0;
		uint64_t   *los = NULL;
		LikesetData **pieces = NULL;
		LikesetData *acc;
		LikesetStatus st;
		uint64_t	mid;

		sample_make(&x, 1 + (int) rnd_below(60), 120, 1);
		st = likeset_split_hash(x.s, max, &np, &los, &pieces);
		CHECK(st == LIKESET_OK, "split_hash(%s, %u) failed with %d", txt(x.s), max, (int) st);
		if (st != LIKESET_OK)
		{
			sample_free(&x);
			continue;
		}
		CHECK(np >= 1 && np <= (x.s->nentries + max - 1) / max + (x.s->nentries == 0),
			  "split_hash(%s, %u): %u pieces", txt(x.s), max, np);
		CHECK(los[0] == 0, "split_hash: the first piece starts at %" PRIu64, los[0]);
		acc = likeset_empty();
		for (uint32_t j = 0; j < np; j++)
		{
			LikesetData *m = NULL;
			uint64_t	hi = j + 1 < np ? los[j + 1] : UINT64_C(4294967296);
			bool		inrange = true;
			bool		onehash = true;
			uint32_t	h0 = 0;

			CHECK(validate_copy(pieces[j], likeset_size(pieces[j]), NULL) == LIKESET_OK,
				  "split_hash(%s, %u): piece %u does not validate", txt(x.s), max, j);
			CHECK(j == 0 || los[j] > los[j - 1], "split_hash: ranges not increasing");
			for (uint32_t i = 0; i < pieces[j]->nentries; i++)
			{
				LikesetEntry e;
				uint32_t	h;

				likeset_get_entry(pieces[j], i, &e);
				h = likeset_elem_hash(e.elem, e.len);
				if (i == 0)
					h0 = h;
				onehash = onehash && h == h0;
				inrange = inrange && h >= los[j] && h < hi;
			}
			CHECK(inrange, "split_hash(%s, %u): piece %u holds a hash outside its range",
				  txt(x.s), max, j);
			CHECK(pieces[j]->nentries <= max || onehash,
				  "split_hash(%s, %u): piece %u has %u entries", txt(x.s), max, j,
				  pieces[j]->nentries);
			CHECK(np == 1 || pieces[j]->nentries > 0, "split_hash: empty piece %u", j);
			/* the piece is what hash_range gives for its range */
			{
				LikesetData *r = likeset_hash_range_core(x.s, j == 0 ? 0 : los[j], hi);

				CHECK(r != NULL && likeset_compare(r, pieces[j]) == 0,
					  "split_hash(%s, %u): piece %u differs from hash_range", txt(x.s), max, j);
				if (r != NULL && r != x.s)
					likeset_free(r);
			}
			CHECK(likeset_merge(acc, pieces[j], &m) == LIKESET_OK, "merge of pieces failed");
			likeset_free(acc);
			acc = m;
			likeset_free(pieces[j]);
		}
		CHECK(likeset_compare(acc, x.s) == 0, "split_hash(%s, %u): pieces join to %s",
			  txt(x.s), max, txt(acc));
		likeset_free(acc);
		likeset_free(los);
		likeset_free(pieces);
		/* the median cuts s into two non-empty hash ranges */
		if (likeset_hash_median(x.s, &mid))
		{
			LikesetData *lo = likeset_hash_range_core(x.s, 0, mid);
			LikesetData *hi = likeset_hash_range_core(x.s, mid, UINT64_C(4294967296));

			CHECK(lo->nentries > 0 && hi->nentries > 0 &&
				  lo->nentries + hi->nentries == x.s->nentries,
				  "median of %s: halves of %u and %u entries", txt(x.s), lo->nentries,
				  hi->nentries);
			if (lo != x.s)
				likeset_free(lo);
			if (hi != x.s)
				likeset_free(hi);
		}
		else
		{
			bool		onehash = true;

			for (uint32_t i = 1; i < x.s->nentries; i++)
			{
				LikesetEntry a;
				LikesetEntry b;

				likeset_get_entry(x.s, 0, &a);
				likeset_get_entry(x.s, i, &b);
				onehash = onehash && likeset_elem_hash(a.elem, a.len) == likeset_elem_hash(b.elem, b.len);
			}
			CHECK(onehash, "no median found for %s", txt(x.s));
		}
		sample_free(&x);
	}
	/* two elements of equal hash stay in one piece, however small the limit */
	{
		enum
		{
			NC = 400000
		};
		uint64_t	base = rnd();
		uint64_t   *hk = malloc(sizeof(uint64_t) * NC);
		char		a[24];
		char		b[24];
		int			found = 0;

		for (uint32_t i = 0; i < NC; i++)
		{
			snprintf(a, sizeof(a), "%" PRIx64, splitmix(base + i));
			hk[i] = ((uint64_t) likeset_elem_hash(a, (uint32_t) strlen(a)) << 32) | i;
		}
		qsort(hk, NC, sizeof(uint64_t), u64_sort_cmp);
		for (uint32_t i = 1; i < NC && !found; i++)
		{
			if ((hk[i] >> 32) == (hk[i - 1] >> 32))
			{
				LikesetEntry ops[4];
				LikesetData *s2;
				uint32_t	np = 0;
				uint64_t   *los = NULL;
				LikesetData **pieces = NULL;

				snprintf(a, sizeof(a), "%" PRIx64, splitmix(base + (uint32_t) hk[i - 1]));
				snprintf(b, sizeof(b), "%" PRIx64, splitmix(base + (uint32_t) hk[i]));
				ops[0] = (LikesetEntry) {a, (uint32_t) strlen(a), false, 1};
				ops[1] = (LikesetEntry) {b, (uint32_t) strlen(b), true, 2};
				ops[2] = (LikesetEntry) {"x", 1, false, 3};
				ops[3] = (LikesetEntry) {"y", 1, false, 4};
				CHECK(likeset_build(ops, 4, &s2) == LIKESET_OK, "build of a collision failed");
				CHECK(likeset_split_hash(s2, 1, &np, &los, &pieces) == LIKESET_OK,
					  "split of a collision failed");
				for (uint32_t j = 0; j < np; j++)
				{
					bool		hasa = likeset_find(pieces[j], a, (uint32_t) strlen(a)) >= 0;
					bool		hasb = likeset_find(pieces[j], b, (uint32_t) strlen(b)) >= 0;

					CHECK(hasa == hasb, "colliding %s and %s split apart", a, b);
					found += hasa;
					likeset_free(pieces[j]);
				}
				CHECK(np == 3, "split of 4 entries (2 colliding) by 1: %u pieces", np);
				likeset_free(los);
				likeset_free(pieces);
				likeset_free(s2);
			}
		}
		CHECK(found == 1, "no hash collision among %d elements, or it was not in one piece", NC);
		free(hk);
	}
	/* the hash is fixed forever: parts stored on disk depend on it */
	CHECK(likeset_elem_hash("", 0) == 2872998923u, "hash of the empty element changed");
	CHECK(likeset_elem_hash("alice", 5) == 3927234078u, "hash of 'alice' changed");
}

/*
 * Horizons.  Reference: an element a state with horizon H does not list
 * has the operation (H - 1, removed); merge takes for every element the
 * greater operation of the two sides (listed or not) and lists it unless
 * it is that virtual one or a tombstone older than the greater horizon;
 * apply is a merge with a one-entry state.  The core must agree on any
 * states; the merge laws and agreement with the model of all operations
 * are checked on replicas that compacted only what every replica had seen.
 */
/* The model's entry for an element, or NULL */
static const LikesetEntry *
model_get(const Model *m, const char *elem, uint32_t len)
{
	int64_t		i = model_find(m, elem, len);

	return i >= 0 ? &m->e[i] : NULL;
}

static bool
ref_side(const Model *m, int64_t h, const LikesetEntry *e, LikesetEntry *out)
{
	const LikesetEntry *x = model_get(m, e->elem, e->len);

	if (x != NULL)
	{
		*out = *x;
		return true;
	}
	if (h == LIKESET_TS_NONE)
		return false;
	*out = *e;
	out->ts = h - 1;
	out->removed = true;
	return true;
}

static void
ref_merge_h(const Model *a, const Model *b, Model *r)
{
	int64_t		h = a->horizon > b->horizon ? a->horizon : b->horizon;
	Model		all;

	model_init(&all);
	for (size_t i = 0; i < a->n; i++)
		model_push(&all, &a->e[i]);
	for (size_t i = 0; i < b->n; i++)
		if (model_get(a, b->e[i].elem, b->e[i].len) == NULL)
			model_push(&all, &b->e[i]);
	model_sort(&all);
	model_init(r);
	r->horizon = h;
	for (size_t i = 0; i < all.n; i++)
	{
		LikesetEntry va;
		LikesetEntry vb;
		bool		ha = ref_side(a, a->horizon, &all.e[i], &va);
		bool		hb = ref_side(b, b->horizon, &all.e[i], &vb);
		LikesetEntry w = !hb ? va : !ha ? vb :
			(ref_greater(va.ts, va.removed, vb.ts, vb.removed) ||
			 (va.ts == vb.ts && va.removed == vb.removed)) ? va : vb;
		bool		isvirtual = w.removed &&
			((!model_get(a, w.elem, w.len) && ha && w.ts == a->horizon - 1 && va.ts == w.ts) ||
			 (!model_get(b, w.elem, w.len) && hb && w.ts == b->horizon - 1 && vb.ts == w.ts));

		if (isvirtual || (w.removed && w.ts < h))
			continue;
		model_push(r, &w);
	}
	model_free(&all);
}

/* The model of a value: its entries and horizon */
static void
model_of(const LikesetData *s, Model *m)
{
	model_init(m);
	for (uint32_t i = 0; i < s->nentries; i++)
	{
		LikesetEntry e;

		likeset_get_entry(s, i, &e);
		model_push(m, &e);
	}
	m->horizon = s->horizon;
}

static LikesetData *
compacted(LikesetData *s, int64_t h)
{
	LikesetData *r = likeset_compact(s, h);

	if (r != s)
		likeset_free(s);
	return r;
}

static void
test_horizon(void)
{
	char		why[1024];

	/* any states: merge and apply agree with the reference */
	for (int iter = 0; iter < 400; iter++)
	{
		Sample		x;
		Sample		y;
		LikesetData *a;
		LikesetData *b;
		LikesetData *m = NULL;
		Model		ma;
		Model		mb;
		Model		exp;

		sample_make(&x, 1 + (int) rnd_below(12), 40, 0);
		sample_make(&y, 1 + (int) rnd_below(12), 40, 0);
		a = copy_exact(x.s);
		if (rnd_pct(50))
			b = copy_exact(y.s);
		else
		{
			/* from the same operations: timestamps interleave with a's */
			LikesetEntry *sub = xmalloc((x.nops + 1) * sizeof(LikesetEntry));
			size_t		ns = 0;
			LikesetStatus st;

			for (size_t i = 0; i < x.nops; i++)
				if (rnd_pct(50))
					sub[ns++] = x.ops[i];
			b = build_ops(sub, ns, &st);
			free(sub);
		}
		if (rnd_pct(70) && x.m.n > 0)
			a = compacted(a, x.m.e[rnd_below(x.m.n)].ts + (int64_t) rnd_below(3));
		if (rnd_pct(70) && y.m.n > 0)
			b = compacted(b, y.m.e[rnd_below(y.m.n)].ts + (int64_t) rnd_below(3));
		CHECK(validate_copy(a, likeset_size(a), NULL) == LIKESET_OK, "compacted %s invalid", txt(a));
		model_of(a, &ma);
		model_of(b, &mb);
		ref_merge_h(&ma, &mb, &exp);
		CHECK(likeset_merge(a, b, &m) == LIKESET_OK, "merge failed");
		CHECK(model_matches(m, &exp, why, sizeof(why)), "merge(%s, %s): %s", txt(a), txt(b), why);
		CHECK(validate_copy(m, likeset_size(m), NULL) == LIKESET_OK, "merge result %s invalid", txt(m));
		likeset_free(m);
		model_free(&exp);
		/* apply = merge with a one-entry state */
		for (int k = 0; k < 6 && y.m.n > 0; k++)
		{
			LikesetEntry op = y.m.e[rnd_below(y.m.n)];
			LikesetData *r = NULL;
			Model		one;

			if (rnd_pct(50) && ma.n > 0)
			{
				LikesetEntry t = ma.e[rnd_below(ma.n)];

				op.elem = t.elem;
				op.len = t.len;
			}
			op.removed = rnd_pct(50);
			if (rnd_pct(50) && a->horizon != LIKESET_TS_NONE)
				op.ts = a->horizon + (int64_t) rnd_below(5) - 3;
			if (op.ts < LIKESET_TS_MIN)
				op.ts = LIKESET_TS_MIN;
			if (op.ts >= LIKESET_TS_END)
				op.ts = LIKESET_TS_END - 1;
			model_init(&one);
			model_push(&one, &op);
			ref_merge_h(&ma, &one, &exp);
			CHECK(likeset_apply(a, &op, &r) == LIKESET_OK, "apply failed");
			CHECK(model_matches(r, &exp, why, sizeof(why)), "apply(%s, %s%s@%" PRId64 "): %s",
				  txt(a), op.removed ? "-" : "", show(op.elem, op.len), op.ts, why);
			CHECK(validate_copy(r, likeset_size(r), NULL) == LIKESET_OK, "apply result invalid");
			if (r != a)
				likeset_free(r);
			model_free(&one);
			model_free(&exp);
		}
		model_free(&ma);
		model_free(&mb);
		likeset_free(a);
		likeset_free(b);
		sample_free(&x);
		sample_free(&y);
	}

	/* fixed cases: a lone entry older than the other side's horizon loses */
	{
		LikesetData *a = NULL;
		LikesetData *b = NULL;
		LikesetData *m = NULL;
		LikesetError err;

		CHECK(likeset_parse("@2000-01-01T00:00:10Z{x@2000-01-01T00:00:20Z}", &a, &err) == LIKESET_OK,
			  "parse of a horizon literal failed");
		CHECK(likeset_parse("{y@2000-01-01T00:00:05Z,z@2000-01-01T00:00:10Z,-w@2000-01-01T00:00:09Z}",
							&b, &err) == LIKESET_OK, "parse failed");
		CHECK(likeset_merge(a, b, &m) == LIKESET_OK && m->nentries == 2 && m->npresent == 2 &&
			  m->horizon == a->horizon, "merge kept an entry older than the horizon: %s", txt(m));
		likeset_free(m);
		likeset_free(a);
		likeset_free(b);
	}

	/*
	 * Replicas that compacted at horizons below a point every one of them
	 * had passed (each holds every operation older than it): every way of
	 * merging them gives the model of all operations, compacted at the
	 * greatest horizon used.
	 */
	for (int iter = 0; iter < 300; iter++)
	{
		Sample		x;
		LikesetData *rep[3];
		int64_t		stable;
		int64_t		hmax = LIKESET_TS_NONE;
		LikesetData *ab = NULL;
		LikesetData *abc1 = NULL;
		LikesetData *bc = NULL;
		LikesetData *abc2 = NULL;
		LikesetData *cab = NULL;
		LikesetData *abc3 = NULL;
		LikesetData *full;
		bool	   *seen;

		sample_make(&x, 1 + (int) rnd_below(10), 50, 0);
		if (x.nops == 0)
		{
			sample_free(&x);
			continue;
		}
		stable = x.ops[rnd_below(x.nops)].ts + 1;
		seen = xmalloc((x.nops + 1) * sizeof(bool));
		memset(seen, 0, (x.nops + 1) * sizeof(bool));
		for (int r = 0; r < 3; r++)
		{
			LikesetEntry *sub = xmalloc((x.nops + 1) * sizeof(LikesetEntry));
			size_t		ns = 0;
			LikesetStatus st;

			for (size_t i = 0; i < x.nops; i++)
				if (x.ops[i].ts < stable || rnd_pct(60))
				{
					sub[ns++] = x.ops[i];
					seen[i] = true;
				}
			rep[r] = build_ops(sub, ns, &st);
			if (rnd_pct(70))
			{
				int64_t		h = stable - (int64_t) rnd_below(4);

				rep[r] = compacted(rep[r], h);
			}
			if (rep[r]->horizon > hmax)
				hmax = rep[r]->horizon;
			free(sub);
		}
		{
			LikesetStatus st;
			LikesetEntry *known = xmalloc((x.nops + 1) * sizeof(LikesetEntry));
			size_t		nk = 0;
			LikesetData *all;

			/* the model: every operation some replica holds */
			for (size_t i = 0; i < x.nops; i++)
				if (seen[i])
					known[nk++] = x.ops[i];
			all = build_ops(known, nk, &st);
			free(known);

			full = compacted(all, hmax);
			/* the model claims the greatest horizon used, even if nothing it drops */
			if (hmax != LIKESET_TS_NONE && full->horizon != hmax)
			{
				LikesetData *c = copy_exact(full);

				likeset_free(full);
				c->version = 2;
				c->horizon = hmax;
				full = c;
			}
		}
		likeset_merge(rep[0], rep[1], &ab);
		likeset_merge(ab, rep[2], &abc1);
		likeset_merge(rep[1], rep[2], &bc);
		likeset_merge(rep[0], bc, &abc2);
		likeset_merge(rep[2], rep[0], &cab);
		likeset_merge(cab, rep[1], &abc3);
		CHECK(likeset_compare(abc1, abc2) == 0 && likeset_compare(abc1, abc3) == 0,
			  "merge of replicas depends on grouping: %s / %s / %s", txt(abc1), txt(abc2), txt(abc3));
		CHECK(likeset_compare(abc1, full) == 0 && abc1->horizon == full->horizon,
			  "replicas merge to %s, all operations give %s", txt(abc1), txt(full));
		likeset_free(ab);
		likeset_free(abc1);
		likeset_free(bc);
		likeset_free(abc2);
		likeset_free(cab);
		likeset_free(abc3);
		likeset_free(full);
		for (int r = 0; r < 3; r++)
			likeset_free(rep[r]);
		free(seen);
		sample_free(&x);
	}
}

/* ========================================================================
 * 8. The packed format (version 3, likeset_pack.c)
 *
 * A reference encoder written here from the layout in likeset_pack.c's
 * header comment: fields by byte offset, LEB128 by division, timestamps
 * bit by bit from the value's last byte backwards, front coding by
 * comparing bytes; nothing of the core's helpers.  PackOpts make it write
 * deliberately malformed values (one invariant broken, the rest
 * consistent) for the rejection tests.  A change of the layout must change
 * this encoder too: that is the point.
 * ========================================================================
 */
#define PHDR			48		/* documented packed header size */
#define RESTART			32		/* documented restart interval */

_Static_assert(LIKESET_PACKED_HDRSZ == PHDR, "the documented packed header is 48 bytes");

/* Deliberate deviations of the reference encoder, at entry PackOpts.at */
enum
{
	BAD_NONE,
	BAD_SHARED_SHORT,			/* shared prefix one shorter than the common one */
	BAD_SHARED_OVER,			/* shared prefix one longer than the previous element */
	BAD_RESTART_SHARED,			/* a restart entry front-coded against the one before */
	BAD_VARINT_NONMIN,			/* the entry's first varint one byte longer */
	BAD_VARINT_LONG,			/* the entry's first varint written in 3 bytes */
	BAD_DELTA_HIGH,				/* the entry's timestamp delta all ones */
	BAD_PADDING,				/* the unused bits of the last timestamp byte set */
	BAD_TRUNCATE,				/* the element stream one byte short */
	BAD_TRAILING				/* a byte after the last entry */
};

typedef struct PackOpts
{
	int64_t		horizon;		/* LIKESET_TS_NONE or the horizon */
	bool		own_tsbase;		/* write tsbase, not the lowest timestamp */
	int64_t		tsbase;
	bool		own_maxts;		/* write maxts, not the highest timestamp */
	int64_t		maxts;
	int			tsbits;			/* width of the timestamps; -1: the minimal */
	int			bad;			/* BAD_* */
	size_t		at;
} PackOpts;

static void
pack_opts_init(PackOpts *o, int64_t horizon)
{
	memset(o, 0, sizeof(*o));
	o->horizon = horizon;
	o->tsbits = -1;
	o->bad = BAD_NONE;
}

/* LEB128 of v into q: 7 bits a byte, low first, high bit on all but the last */
static size_t
ref_varint(unsigned char *q, uint32_t v)
{
	size_t		k = 0;

	do
	{
		q[k] = (unsigned char) (v % 128);
		v /= 128;
		if (v > 0)
			q[k] += 128;
		k++;
	} while (v > 0);
	return k;
}

/* Length of the common prefix, byte by byte */
static uint32_t
ref_lcp(const LikesetEntry *a, const LikesetEntry *b)
{
	uint32_t	k = 0;

	while (k < a->len && k < b->len && a->elem[k] == b->elem[k])
		k++;
	return k;
}

/* Bits needed for v: the position of its highest set bit, plus one */
static int
ref_width(uint64_t v)
{
	int			w = 0;

	while (w < 64 && (v >> w) != 0)
		w++;
	return w;
}

/*
 * The packed value of n entries as documented (whether or not they are
 * sorted, unique, NUL-free: the rejection tests need those too), with the
 * deviations o asks for; malloc'd, exactly *sizep bytes, varlena header 0
 */
static unsigned char *
ref_pack_opts(const LikesetEntry *e, size_t n, const PackOpts *o, size_t *sizep)
{
	size_t		nr = (n + RESTART - 1) / RESTART;
	size_t		cap = 16;
	unsigned char *stream;
	size_t		slen = 0;
	uint32_t   *restarts = xmalloc((nr + 1) * sizeof(uint32_t));
	uint32_t	npresent = 0;
	int64_t		lo = 0;
	int64_t		hi = LIKESET_TS_NONE;
	int64_t		tsbase;
	int64_t		maxts;
	int			bits;
	size_t		tslen;
	size_t		size;
	unsigned char *b;

	for (size_t i = 0; i < n; i++)
	{
		cap += e[i].len + 12;
		if (!e[i].removed)
			npresent++;
		if (i == 0 || e[i].ts < lo)
			lo = e[i].ts;
		if (i == 0 || e[i].ts > hi)
			hi = e[i].ts;
	}
	tsbase = o->own_tsbase ? o->tsbase : lo;
	maxts = o->own_maxts ? o->maxts : hi;
	if (o->tsbits >= 0)
		bits = o->tsbits;
	else
		bits = n == 0 ? 0 : ref_width((uint64_t) maxts - (uint64_t) tsbase);

	/* the element stream */
	stream = xmalloc(cap);
	for (size_t i = 0; i < n; i++)
	{
		bool		here = o->at == i;
		uint32_t	shared = 0;
		uint32_t	rest;
		unsigned char v1[4];
		unsigned char v2[4];
		size_t		l1 = 0;
		size_t		l2 = 0;

		if (i % RESTART == 0)
			restarts[i / RESTART] = (uint32_t) slen;
		if (i > 0 && (i % RESTART != 0 || (here && o->bad == BAD_RESTART_SHARED)))
			shared = ref_lcp(&e[i - 1], &e[i]);
		if (here && o->bad == BAD_SHARED_SHORT && shared > 0)
			shared--;
		if (here && o->bad == BAD_SHARED_OVER)
			shared = (i > 0 ? e[i - 1].len : 0) + 1;
		rest = e[i].len > shared ? e[i].len - shared : 0;
		stream[slen++] = (unsigned char) ((e[i].removed ? 128 : 0) +
										  8 * (shared < 15 ? shared : 15) +
										  (rest < 7 ? rest : 7));
		if (shared >= 15)
			l1 = ref_varint(v1, shared - 15);
		if (rest >= 7)
			l2 = ref_varint(v2, rest - 7);
		if (here && (o->bad == BAD_VARINT_NONMIN || o->bad == BAD_VARINT_LONG))
		{
			unsigned char *v = l1 > 0 ? v1 : v2;
			size_t	   *l = l1 > 0 ? &l1 : &l2;
			size_t		want = o->bad == BAD_VARINT_LONG ? 3 : *l + 1;

			/* the same value with a continuation bit and a last byte of 0 */
			while (*l > 0 && *l < want)
			{
				v[*l - 1] |= 128;
				v[(*l)++] = 0;
			}
		}
		memcpy(stream + slen, v1, l1);
		slen += l1;
		memcpy(stream + slen, v2, l2);
		slen += l2;
		if (rest > 0)
			memcpy(stream + slen, e[i].elem + shared, rest);
		slen += rest;
	}
	if (o->bad == BAD_TRUNCATE && slen > 0)
		slen--;
	if (o->bad == BAD_TRAILING)
		stream[slen++] = (unsigned char) rnd_below(256);

	/* header, restart offsets, element stream, timestamps */
	tslen = (n * (size_t) bits + 7) / 8;
	size = PHDR + 4 * nr + slen + tslen;
	b = xmalloc(size);
	memset(b, 0, size);
	b[4] = LIKESET_FORMAT_VERSION_PACKED;
	put_u32(b, 8, (uint32_t) n);
	put_u32(b, 12, npresent);
	put_i64(b, 16, maxts);
	put_i64(b, 24, o->horizon);
	put_i64(b, 32, tsbase);
	put_u32(b, 40, (uint32_t) slen);
	b[44] = (unsigned char) bits;
	for (size_t k = 0; k < nr; k++)
		put_u32(b, PHDR + 4 * k, restarts[k]);
	memcpy(b + PHDR + 4 * nr, stream, slen);
	for (size_t i = 0; i < n; i++)
	{
		uint64_t	d = (uint64_t) e[i].ts - (uint64_t) tsbase;

		if (o->bad == BAD_DELTA_HIGH && o->at == i)
			d = UINT64_MAX;

		/*
		 * bit j of entry i is bit (i * bits + j) of the bit stream, least
		 * significant first; stream byte k is the value's byte size - 1 - k
		 */
		for (int j = 0; j < bits && j < 64; j++)
		{
			size_t		pos = i * (size_t) bits + (size_t) j;

			if ((d >> j) & 1)
				b[size - 1 - pos / 8] |= (unsigned char) (1u << (pos % 8));
		}
	}
	/* the stream's last byte is the value's byte size - tslen */
	if (o->bad == BAD_PADDING && (n * (size_t) bits) % 8 != 0)
		b[size - tslen] |= 0x80;
	free(stream);
	free(restarts);
	*sizep = size;
	return b;
}

static unsigned char *
ref_pack(const Model *m, size_t *sizep)
{
	PackOpts	o;

	pack_opts_init(&o, m->horizon);
	return ref_pack_opts(m->e, m->n, &o, sizep);
}

/* The flat value of a model, version 2 when it records a horizon */
static unsigned char *
raw_build_h(const Model *m, size_t *sizep)
{
	unsigned char *b = raw_build(m->e, m->n, sizep);

	if (m->horizon != LIKESET_TS_NONE)
	{
		b[4] = LIKESET_FORMAT_VERSION_HORIZON;
		put_i64(b, 24, m->horizon);
	}
	return b;
}

/* Where two values first differ (after the varlena header), for messages */
static const char *
first_diff(const unsigned char *a, size_t asize, const unsigned char *b, size_t bsize)
{
	static char buf[2][160];
	static int	k;
	char	   *r = buf[k++ % 2];
	size_t		i = 4;

	while (i < asize && i < bsize && a[i] == b[i])
		i++;
	if (i == asize && i == bsize)
		return "the same bytes";
	snprintf(r, sizeof(buf[0]), "sizes %zu and %zu, first difference at byte %zu: 0x%02x, 0x%02x",
			 asize, bsize, i, i < asize ? a[i] : 0, i < bsize ? b[i] : 0);
	return r;
}

/*
 * likeset_pack of s, copied into a buffer of exactly its size (NULL on
 * failure); the size must be within likeset_packed_bound
 */
static unsigned char *
pack_exact(const LikesetData *s, size_t *sizep)
{
	LikesetPacked *p = NULL;
	size_t		size = 0;
	size_t		bound = likeset_packed_bound(s);
	LikesetStatus st = likeset_pack(s, &p, &size);
	unsigned char *c;

	CHECK(st == LIKESET_OK && p != NULL, "likeset_pack failed with status %d", (int) st);
	if (st != LIKESET_OK || p == NULL)
		return NULL;
	CHECK(size >= PHDR && size <= bound, "likeset_pack: size %zu, bound %zu", size, bound);
	if (size < PHDR || size > bound)
	{
		likeset_free(p);
		return NULL;
	}
	c = xmalloc(size);
	memcpy(c, p, size);
	likeset_free(p);
	*sizep = size;
	return c;
}

/* likeset_unpack of a value of size bytes, held in a buffer of exactly that */
static LikesetData *
unpack_exact(const unsigned char *b, size_t size, LikesetStatus *st, LikesetError *err)
{
	unsigned char *c = xmalloc(size > 0 ? size : 1);
	LikesetData *r = NULL;

	memcpy(c, b, size);
	memset(err, 0, sizeof(*err));
	err->status = LIKESET_OK;
	*st = likeset_unpack((const LikesetPacked *) c, size, &r, err);
	free(c);
	return *st == LIKESET_OK ? r : NULL;
}

/*
 * Entry lists for the packed tests, in shapes that reach every branch of
 * the encoding: short elements ("" and the awkward ones among them);
 * families sharing stems of 15 bytes and more (the shared length's varint,
 * one byte up to 142, two from 143) with tails around 7 and 135 bytes (the
 * same for the rest's length); long ones up to LIKESET_MAX_ELEMENT_LEN; a
 * mix.  Elements are malloc'd (pset_free).
 */
enum
{
	PS_SHORT,
	PS_FAMILY,
	PS_LONG,
	PS_MIXED,
	PS_NSHAPES
};

static const uint32_t stem_lens[] = {15, 16, 17, 30, 142, 143, 144, 157, 158, 300};
static const uint32_t tail_lens[] = {0, 1, 2, 6, 7, 8, 20, 134, 135, 136, 142, 143, 400};
static const size_t psizes[] = {0, 1, 2, 15, 16, 17, 31, 32, 33, 63, 64, 65, 97};

#define NELEMS(a) (sizeof(a) / sizeof((a)[0]))

/* Few letters, so that prefixes repeat; never NUL */
static char
pbyte(void)
{
	return (char) (rnd_pct(85) ? 'a' + rnd_below(3) : 1 + rnd_below(255));
}

typedef struct Stems
{
	int			n;
	char	   *s[4];
	uint32_t	len[4];
} Stems;

static void
stems_make(Stems *st, bool longones)
{
	st->n = 1 + (int) rnd_below(4);
	for (int k = 0; k < st->n; k++)
	{
		uint32_t	len = longones ?
			(rnd_pct(40) ? LIKESET_MAX_ELEMENT_LEN : 3900 + (uint32_t) rnd_below(197)) :
			(rnd_pct(70) ? stem_lens[rnd_below(NELEMS(stem_lens))] : 15 + (uint32_t) rnd_below(300));
		uint32_t	from0 = k > 0 && rnd_pct(50) ? (uint32_t) rnd_below(st->len[0] + 1) : 0;

		if (from0 > len)
			from0 = len;
		st->s[k] = xmalloc(len + 1);
		st->len[k] = len;
		/* later stems may start like the first one */
		if (from0 > 0)
			memcpy(st->s[k], st->s[0], from0);
		for (uint32_t j = from0; j < len; j++)
			st->s[k][j] = pbyte();
	}
}

static void
stems_free(Stems *st)
{
	for (int k = 0; k < st->n; k++)
		free(st->s[k]);
}

/* One element of a shape into buf (room for LIKESET_MAX_ELEMENT_LEN) */
static uint32_t
pelem(char *buf, int shape, const Stems *fam, const Stems *lng)
{
	uint32_t	len = 0;

	if (shape == PS_MIXED)
		shape = rnd_pct(45) ? PS_SHORT : rnd_pct(92) ? PS_FAMILY : PS_LONG;
	if (shape == PS_SHORT)
	{
		if (rnd_pct(40))
		{
			size_t		k = rnd_below(NELEMS(awkward));

			len = awkward[k].len;
			memcpy(buf, awkward[k].s, len);
		}
		else
		{
			len = (uint32_t) rnd_below(7);
			for (uint32_t j = 0; j < len; j++)
				buf[j] = pbyte();
		}
	}
	else
	{
		const Stems *st = shape == PS_FAMILY ? fam : lng;
		int			k = (int) rnd_below((uint64_t) st->n);
		uint32_t	cut = st->len[k] - (uint32_t) rnd_below(rnd_pct(50) ? 1 : 4);
		uint32_t	room = LIKESET_MAX_ELEMENT_LEN - cut;
		uint32_t	tail;

		if (shape == PS_FAMILY)
			tail = rnd_pct(60) ? tail_lens[rnd_below(NELEMS(tail_lens))] : (uint32_t) rnd_below(12);
		else
			tail = rnd_pct(40) ? room : (uint32_t) rnd_below(room + 1);
		if (tail > room)
			tail = room;
		memcpy(buf, st->s[k], cut);
		for (uint32_t j = 0; j < tail; j++)
			buf[cut + j] = pbyte();
		len = cut + tail;
	}
	return len;
}

static void
pset_free(Model *m)
{
	for (size_t i = 0; i < m->n; i++)
		free((char *) m->e[i].elem);
	model_free(m);
}

/* n distinct elements of a shape, sorted, in m (timestamps not set) */
static void
pentries_make(Model *m, size_t n, int shape)
{
	Stems		fam;
	Stems		lng;
	char	   *buf = xmalloc(LIKESET_MAX_ELEMENT_LEN);
	int			rounds = 0;

	stems_make(&fam, false);
	stems_make(&lng, true);
	model_init(m);
	while (m->n < n)
	{
		size_t		want = n - m->n;
		size_t		j = 0;

		/* candidates, sorted, repeats dropped */
		for (size_t k = 0; k < want + want / 2 + 1; k++)
		{
			LikesetEntry e;
			char	   *p;

			if (rounds < 20)
				e.len = pelem(buf, shape, &fam, &lng);
			else
			{
				/* a shape with too few distinct elements: random ones */
				e.len = 24;
				for (uint32_t q = 0; q < e.len; q++)
					buf[q] = (char) (1 + rnd_below(255));
			}
			p = xmalloc(e.len + 1);
			memcpy(p, buf, e.len);
			e.elem = p;
			e.removed = false;
			e.ts = 0;
			model_push(m, &e);
		}
		rounds++;
		model_sort(m);
		for (size_t i = 0; i < m->n; i++)
		{
			if (j > 0 && ref_cmp(m->e[j - 1].elem, m->e[j - 1].len, m->e[i].elem, m->e[i].len) == 0)
				free((char *) m->e[i].elem);
			else
				m->e[j++] = m->e[i];
		}
		m->n = j;
	}
	/* keep n of them, in order (selection sampling) */
	{
		size_t		keep = n;
		size_t		j = 0;

		for (size_t i = 0; i < m->n; i++)
		{
			if (rnd_below(m->n - i) < keep)
			{
				m->e[j++] = m->e[i];
				keep--;
			}
			else
				free((char *) m->e[i].elem);
		}
		m->n = j;
	}
	stems_free(&fam);
	stems_free(&lng);
	free(buf);
}

/* base + d, d folded into [0, range] */
static int64_t
ts_within(int64_t base, uint64_t range, uint64_t d)
{
	if (d > range)
		d %= range + 1;
	return (int64_t) ((uint64_t) base + d);
}

/*
 * Timestamps and tombstones: one timestamp for all (0 bits), a small span,
 * a chosen width from 0 to 64 bits (the lowest and highest of the range
 * both used), the extremes TS_MIN and TS_END - 1, mostly TS_MIN
 */
static void
pentries_stamp(Model *m)
{
	static const int64_t extremes[] = {TS_MIN, TS_MIN + 1, TS_END - 1, TS_END - 2, 0, -1,
	INT64_C(1) << 62, -(INT64_C(1) << 57)};
	int			mode = (int) rnd_below(6);
	unsigned	rm_pct = rnd_pct(20) ? 0 : rnd_pct(15) ? 100 : 35;
	int			w = (int) rnd_below(65);
	uint64_t	range;
	int64_t		base;

	if (w == 64)
	{
		base = TS_MIN;
		range = (uint64_t) (TS_END - 1) - (uint64_t) TS_MIN;
	}
	else
	{
		range = w == 0 ? 0 : ((uint64_t) 1 << w) - 1;
		base = rnd_between(TS_MIN, (int64_t) ((uint64_t) (TS_END - 1) - range) + 1);
	}
	if (mode == 0 && rnd_pct(30))
		base = TS_MIN;
	for (size_t i = 0; i < m->n; i++)
	{
		int64_t		ts;

		switch (mode)
		{
			case 0:
				ts = base;
				break;
			case 1:
				ts = ts_within(base, range, rnd_below(UINT64_C(1) << rnd_below(20)));
				break;
			case 2:
				ts = ts_within(base, range, rnd_below(range + 1));
				break;
			case 3:
				ts = extremes[rnd_below(NELEMS(extremes))];
				break;
			case 4:
				ts = rnd_pct(80) ? TS_MIN : rnd_between(TS_MIN, TS_END);
				break;
			default:
				ts = ts_within(base, range, rnd_below(1 + rnd_below(8)));
				break;
		}
		m->e[i].ts = ts;
		m->e[i].removed = rnd_pct(rm_pct);
	}
	/* the chosen width exactly: the range's both ends */
	if (mode == 2 && m->n >= 2)
	{
		m->e[rnd_below(m->n)].ts = base;
		m->e[rnd_below(m->n)].ts = (int64_t) ((uint64_t) base + range);
	}
}

/* A horizon, at times: never above a tombstone */
static void
pentries_horizon(Model *m)
{
	int64_t		lowtomb = TS_END;

	m->horizon = LIKESET_TS_NONE;
	if (!rnd_pct(40))
		return;
	for (size_t i = 0; i < m->n; i++)
		if (m->e[i].removed && m->e[i].ts < lowtomb)
			lowtomb = m->e[i].ts;
	if (lowtomb < TS_END)
		m->horizon = rnd_pct(50) ? lowtomb : rnd_between(TS_MIN, lowtomb + 1);
	else if (m->n > 0 && rnd_pct(50))
	{
		int64_t		t = m->e[rnd_below(m->n)].ts;

		m->horizon = t < TS_END - 3 ? t + (int64_t) rnd_below(3) : t;
	}
	else
		m->horizon = rnd_between(TS_MIN, TS_END);
}

static size_t
pset_size(void)
{
	if (rnd_pct(12))
		return 100 + rnd_below(300);
	if (rnd_pct(50))
		return psizes[rnd_below(NELEMS(psizes))];
	return rnd_below(100);
}

/* A random well-formed entry list: n entries (long ones only when few) */
static void
pset_make(Model *m, size_t n, int shape)
{
	if (shape < 0)
		shape = (int) rnd_below(PS_NSHAPES);
	if (shape == PS_LONG && n > 40)
		shape = PS_MIXED;
	pentries_make(m, n, shape);
	pentries_stamp(m);
	pentries_horizon(m);
}

/* ---- a. byte for byte against the reference encoder ---------------- */
static void
test_packed_reference(void)
{
	bool		width_seen[65] = {false};
	uint32_t	maxshared = 0;
	uint32_t	maxrest = 0;
	size_t		maxn = 0;
	int			iters = 420;

	for (int iter = 0; iter < iters; iter++)
	{
		Model		m;
		size_t		n;
		size_t		rawsize;
		size_t		refsize;
		size_t		size = 0;
		unsigned char *raw;
		unsigned char *ref;
		unsigned char *got;

		/* every listed size in every shape first, then at random */
		if (iter < (int) (NELEMS(psizes) * PS_NSHAPES))
		{
			n = psizes[(size_t) iter % NELEMS(psizes)];
			pset_make(&m, n, iter / (int) NELEMS(psizes));
		}
		else
		{
			n = pset_size();
			pset_make(&m, n, -1);
		}
		raw = raw_build_h(&m, &rawsize);
		CHECK(validate_copy(raw, rawsize, NULL) == LIKESET_OK,
			  "the generator made an invalid value of %zu entries", n);
		ref = ref_pack(&m, &refsize);
		got = pack_exact((const LikesetData *) raw, &size);
		CHECK(got != NULL && size == refsize && memcmp(got + 4, ref + 4, size - 4) == 0,
			  "pack of %zu entries (horizon %" PRId64 ", tsbits %u) differs from the "
			  "documented layout: %s", n, m.horizon, ref[44],
			  got ? first_diff(got, size, ref, refsize) : "no value");

		/* what the sets covered */
		if (n > 0 && ref[44] <= 64)
			width_seen[ref[44]] = true;
		if (n > maxn)
			maxn = n;
		for (size_t i = 0; i < n; i++)
		{
			uint32_t	shared = i % RESTART == 0 ? 0 : ref_lcp(&m.e[i - 1], &m.e[i]);

			if (shared > maxshared)
				maxshared = shared;
			if (m.e[i].len - shared > maxrest)
				maxrest = m.e[i].len - shared;
		}
		free(got);
		free(ref);
		free(raw);
		pset_free(&m);
	}
	/* the generator reaches the encoding's corners (or the test is weak) */
	CHECK(width_seen[0] && width_seen[1] && width_seen[63] && width_seen[64],
		  "timestamp widths not all reached: 0 %d, 1 %d, 63 %d, 64 %d",
		  width_seen[0], width_seen[1], width_seen[63], width_seen[64]);
	CHECK(maxshared >= 15 + 128 && maxrest >= 7 + 128 && maxrest >= 4000,
		  "varint escapes not reached: longest shared prefix %u, rest %u", maxshared, maxrest);
	CHECK(maxn >= 200, "no value of a few hundred entries (largest %zu)", maxn);

	/*
	 * A known answer: the bytes sql/upgrade.sql pins for
	 * {-bob@2026-11-28T10:00:00Z,carol@2026-11-28T10:00:00.25Z,"\xc3\xa9"}
	 * (tsbase is the lowest timestamp, the last element's; 58 bits each;
	 * the timestamps' 22 bytes last)
	 */
	{
		static const unsigned char stream[] = {
			0x83, 'b', 'o', 'b', 0x05, 'c', 'a', 'r', 'o', 'l', 0x02, 0xc3, 0xa9};
		static const unsigned char tsarea[] = {
			0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x0b, 0xce, 0x1e, 0x43, 0x04,
		0x28, 0x62, 0x42, 0xf3, 0x87, 0x90, 0xc1, 0x06, 0x48, 0x00};
		const int64_t t = INT64_C(849175200000000);	/* 2026-11-28 10:00:00 */
		LikesetEntry ke[3] = {{"bob", 3, true, t}, {"carol", 5, false, t + 250000},
		{"\xc3\xa9", 2, false, TS_MIN}};
		unsigned char want[PHDR + 4 + sizeof(stream) + sizeof(tsarea)];
		unsigned char *raw;
		unsigned char *ref;
		unsigned char *got;
		size_t		rawsize;
		size_t		refsize;
		size_t		size = 0;
		Model		m;

		memset(want, 0, sizeof(want));
		want[4] = 3;
		put_u32(want, 8, 3);
		put_u32(want, 12, 2);
		put_i64(want, 16, t + 250000);
		put_i64(want, 24, LIKESET_TS_NONE);
		put_i64(want, 32, TS_MIN);
		put_u32(want, 40, sizeof(stream));
		want[44] = 58;
		memcpy(want + PHDR + 4, stream, sizeof(stream));
		memcpy(want + PHDR + 4 + sizeof(stream), tsarea, sizeof(tsarea));
		model_init(&m);
		for (int k = 0; k < 3; k++)
			model_push(&m, &ke[k]);
		raw = raw_build_h(&m, &rawsize);
		ref = ref_pack(&m, &refsize);
		got = pack_exact((const LikesetData *) raw, &size);
		CHECK(refsize == sizeof(want) && memcmp(ref + 4, want + 4, refsize - 4) == 0,
			  "the reference encoder differs from the pinned bytes: %s",
			  first_diff(ref, refsize, want, sizeof(want)));
		CHECK(got != NULL && size == sizeof(want) && memcmp(got + 4, want + 4, size - 4) == 0,
			  "likeset_pack differs from the pinned bytes: %s",
			  got ? first_diff(got, size, want, sizeof(want)) : "no value");
		free(got);
		free(ref);
		free(raw);
		model_free(&m);
	}

	/* fixed corners: the empty set, with and without a horizon */
	{
		Model		m;
		size_t		refsize;
		size_t		size = 0;
		LikesetData *e = likeset_empty();
		unsigned char *ref;
		unsigned char *got;
		LikesetError err;

		model_init(&m);
		for (int k = 0; k < 2; k++)
		{
			if (k == 1)
			{
				m.horizon = 12345;
				CHECK(likeset_set_horizon(e, m.horizon, &err) == LIKESET_OK,
					  "set_horizon on {} failed");
			}
			ref = ref_pack(&m, &refsize);
			got = pack_exact(e, &size);
			CHECK(refsize == PHDR && got != NULL && size == refsize &&
				  memcmp(got + 4, ref + 4, size - 4) == 0,
				  "pack of {} (horizon %" PRId64 "): %s", m.horizon,
				  got ? first_diff(got, size, ref, refsize) : "no value");
			free(got);
			free(ref);
		}
		model_free(&m);
		likeset_free(e);
	}
}

/* ---- b. unpack(pack(s)) is s --------------------------------------- */

/* Pack s, compare with the reference encoding of its model, unpack, compare with s */
static void
check_pack_roundtrip(const LikesetData *s, const char *what)
{
	Model		m;
	size_t		size = 0;
	size_t		refsize;
	unsigned char *p;
	unsigned char *ref;
	LikesetData *u;
	LikesetStatus st;
	LikesetError err;

	model_of(s, &m);
	ref = ref_pack(&m, &refsize);
	p = pack_exact(s, &size);
	if (p != NULL)
	{
		CHECK(size == refsize && memcmp(p + 4, ref + 4, size - 4) == 0,
			  "%s: pack of %s differs from the documented layout: %s", what, txt(s),
			  first_diff(p, size, ref, refsize));
		u = unpack_exact(p, size, &st, &err);
		CHECK(st == LIKESET_OK && same_bytes(u, s) && likeset_size(u) == likeset_size(s),
			  "%s: unpack(pack(%s)) = %s (status %d: %s)", what, txt(s),
			  u ? txt(u) : "none", (int) st, err.detail);
		likeset_free(u);
		free(p);
	}
	free(ref);
	model_free(&m);
}

static void
test_packed_roundtrip(void)
{
	/* the generated sets: unpack gives the documented flat layout back */
	for (int iter = 0; iter < 300; iter++)
	{
		Model		m;
		size_t		n = iter < (int) (NELEMS(psizes) * PS_NSHAPES) ?
			psizes[(size_t) iter % NELEMS(psizes)] : pset_size();
		size_t		rawsize;
		size_t		size = 0;
		unsigned char *raw;
		unsigned char *p;
		LikesetData *u;
		LikesetStatus st;
		LikesetError err;

		pset_make(&m, n, iter < (int) (NELEMS(psizes) * PS_NSHAPES) ?
				  iter / (int) NELEMS(psizes) : -1);
		raw = raw_build_h(&m, &rawsize);
		p = pack_exact((const LikesetData *) raw, &size);
		if (p != NULL)
		{
			u = unpack_exact(p, size, &st, &err);
			CHECK(st == LIKESET_OK && same_raw(u, raw, rawsize),
				  "unpack(pack()) of %zu entries (horizon %" PRId64 "): status %d (%s), %s",
				  n, m.horizon, (int) st, err.detail,
				  u ? first_diff((const unsigned char *) u, likeset_size(u), raw, rawsize) : "no value");
			likeset_free(u);
			free(p);
		}
		free(raw);
		pset_free(&m);
	}

	/* what the core computes: build, apply chains, merges, compactions */
	for (int iter = 0; iter < 150; iter++)
	{
		Sample		x;
		LikesetData *v;
		LikesetStatus st;

		sample_make(&x, 1 + (int) rnd_below(rnd_pct(30) ? ALPHA_MAX : 12),
					rnd_pct(20) ? 300 : 40, 2);
		check_pack_roundtrip(x.s, "likeset_build");
		v = apply_ops(x.ops, x.nops, NULL, &st);
		if (v != NULL)
		{
			check_pack_roundtrip(v, "apply chain");
			likeset_free(v);
		}
		v = merge_split(x.ops, x.nops, &st);
		if (v != NULL)
		{
			check_pack_roundtrip(v, "merge of split builds");
			if (x.m.n > 0)
			{
				v = compacted(v, x.m.e[rnd_below(x.m.n)].ts + (int64_t) rnd_below(3));
				check_pack_roundtrip(v, "compacted merge");
			}
			likeset_free(v);
		}
		sample_free(&x);
	}
	{
		LikesetData *e = likeset_empty();
		LikesetError err;

		check_pack_roundtrip(e, "likeset_empty");
		CHECK(likeset_set_horizon(e, TS_MIN, &err) == LIKESET_OK, "set_horizon failed");
		check_pack_roundtrip(e, "likeset_empty with a horizon");
		likeset_free(e);
	}
}

/* ---- c. lookup without unpacking ------------------------------------ */

/* likeset_packed_lookup of one probe agrees with the model and likeset_find */
static void
check_lookup(const unsigned char *b, size_t size, const Model *m, const LikesetData *s,
			 const char *p, uint32_t len, const char *what)
{
	int64_t		ts = INT64_C(0x5555555555555555);
	bool		removed = false;
	int			got = likeset_packed_lookup((const LikesetPacked *) b, size, p, len, &ts, &removed);
	int64_t		i = model_find(m, p, len);
	int64_t		f = likeset_find(s, p, len);

	CHECK(f == i, "find(%s) = %" PRId64 ", the model says %" PRId64, show(p, len), f, i);
	if (i >= 0)
		CHECK(got == 1 && ts == m->e[i].ts && removed == m->e[i].removed,
			  "lookup of %s (%s, entry %" PRId64 " of %zu) = %d, ts %" PRId64 " removed %d; "
			  "expected 1, ts %" PRId64 " removed %d", show(p, len), what, i, m->n, got, ts,
			  removed, m->e[i].ts, m->e[i].removed);
	else
		CHECK(got == 0, "lookup of %s (%s, absent, would be entry %" PRId64 " of %zu) = %d",
			  show(p, len), what, -i - 1, m->n, got);
}

static void
test_packed_lookup(void)
{
	char	   *buf = xmalloc(LIKESET_MAX_ELEMENT_LEN + 2);

	for (int iter = 0; iter < 200; iter++)
	{
		Model		m;
		size_t		n = iter < (int) (NELEMS(psizes) * PS_NSHAPES) ?
			psizes[(size_t) iter % NELEMS(psizes)] : pset_size();
		size_t		rawsize;
		size_t		size = 0;
		unsigned char *raw;
		unsigned char *p;
		const LikesetData *s;
		Alphabet	probes;

		pset_make(&m, n, iter < (int) (NELEMS(psizes) * PS_NSHAPES) ?
				  iter / (int) NELEMS(psizes) : -1);
		raw = raw_build_h(&m, &rawsize);
		s = (const LikesetData *) raw;
		p = pack_exact(s, &size);
		if (p == NULL)
		{
			free(raw);
			pset_free(&m);
			continue;
		}
		/* before the first, after the last */
		check_lookup(p, size, &m, s, "", 0, "empty");
		memset(buf, 0xff, LIKESET_MAX_ELEMENT_LEN + 1);
		check_lookup(p, size, &m, s, buf, 1, "\\xff");
		check_lookup(p, size, &m, s, buf, LIKESET_MAX_ELEMENT_LEN + 1, "4097 \\xff");
		/* each entry (restart points and the rest), and its neighbours */
		for (size_t i = 0; i < m.n; i++)
		{
			const LikesetEntry *e = &m.e[i];
			const char *kind = i % RESTART == 0 ? "restart entry" :
				i % RESTART == RESTART - 1 ? "last of a block" : "entry";

			check_lookup(p, size, &m, s, e->elem, e->len, kind);
			memcpy(buf, e->elem, e->len);
			/* prefixes: one byte shorter, half */
			if (e->len > 0)
			{
				check_lookup(p, size, &m, s, buf, e->len - 1, "prefix");
				check_lookup(p, size, &m, s, buf, e->len / 2, "half prefix");
			}
			/* extensions */
			buf[e->len] = '\x01';
			check_lookup(p, size, &m, s, buf, e->len + 1, "extension by \\x01");
			buf[e->len] = (char) (1 + rnd_below(255));
			check_lookup(p, size, &m, s, buf, e->len + 1, "extension");
			/* the last byte one more or less: between entries */
			if (e->len > 0)
			{
				unsigned char c = (unsigned char) e->elem[e->len - 1];

				if (c < 0xff)
				{
					buf[e->len - 1] = (char) (c + 1);
					check_lookup(p, size, &m, s, buf, e->len, "last byte + 1");
				}
				if (c > 1)
				{
					buf[e->len - 1] = (char) (c - 1);
					check_lookup(p, size, &m, s, buf, e->len, "last byte - 1");
				}
			}
		}
		alphabet_make(&probes, 24, 1);
		for (int k = 0; k < probes.n; k++)
			check_lookup(p, size, &m, s, probes.elem[k], probes.len[k], "random");
		alphabet_free(&probes);
		free(p);
		free(raw);
		pset_free(&m);
	}
	free(buf);
}

/* ---- d. malformed values -------------------------------------------- */

/*
 * A value likeset_unpack must reject (with err and without); lookup must
 * not crash, and must say -1 when the header is what is wrong.  good is
 * the well-formed value the malformed one was made from: they must differ,
 * or the check proves nothing.
 */
static void
expect_unpack_corrupt(const unsigned char *b, size_t size, const unsigned char *good,
					  size_t goodsize, const Model *m, const char *what, bool header)
{
	unsigned char *c = xmalloc(size > 0 ? size : 1);
	LikesetData *r = NULL;
	LikesetError err;
	LikesetStatus st;
	static const char *const extra[] = {"", "\xff\xff", "a", "zzzz"};

	CHECK(size != goodsize || memcmp(b, good, size) != 0,
		  "%s (%zu entries): the malformed value is the well-formed one", what, m->n);
	memcpy(c, b, size);
	memset(&err, 0, sizeof(err));
	err.status = LIKESET_OK;
	st = likeset_unpack((const LikesetPacked *) c, size, &r, &err);
	CHECK(st == LIKESET_ERR_CORRUPT && err.status == LIKESET_ERR_CORRUPT &&
		  err.detail[0] != '\0' && memchr(err.detail, '\0', sizeof(err.detail)) != NULL,
		  "%s (%zu entries, horizon %" PRId64 "): unpack returned %d, %s", what, m->n,
		  m->horizon, (int) st, st == LIKESET_OK ? txt(r) : "no detail");
	if (st == LIKESET_OK)
		likeset_free(r);
	r = NULL;
	st = likeset_unpack((const LikesetPacked *) c, size, &r, NULL);
	CHECK(st == LIKESET_ERR_CORRUPT, "%s: unpack with err NULL returned %d", what, (int) st);
	if (st == LIKESET_OK)
		likeset_free(r);

	/* lookup of listed elements (restart points among them) and others */
	for (size_t k = 0; k < m->n + NELEMS(extra); k++)
	{
		const char *p;
		uint32_t	len;
		int64_t		ts = 0;
		bool		removed = false;
		int			got;

		if (k >= m->n)
		{
			p = extra[k - m->n];
			len = (uint32_t) strlen(p);
		}
		else if (m->n <= 40 || k % RESTART == 0 || k % 7 == 0)
		{
			p = m->e[k].elem;
			len = m->e[k].len;
		}
		else
			continue;
		got = likeset_packed_lookup((const LikesetPacked *) c, size, p, len, &ts, &removed);
		if (header)
			CHECK(got == -1, "%s: lookup of %s = %d, expected -1", what, show(p, len), got);
		else
			CHECK(got >= -1 && got <= 1, "%s: lookup of %s = %d", what, show(p, len), got);
	}
	free(c);
}

/* An entry of m whose encoding has a varint: 1-byte one if one_byte, else any */
static int64_t
entry_with_varint(const Model *m, bool one_byte)
{
	for (size_t k = 0; k < m->n; k++)
	{
		size_t		i = (k + 7) % m->n;	/* not always the first */
		uint32_t	shared = i % RESTART == 0 ? 0 : ref_lcp(&m->e[i - 1], &m->e[i]);
		uint32_t	rest = m->e[i].len - shared;

		if (one_byte ? ((shared >= 15 && shared < 15 + 128) ||
						(shared < 15 && rest >= 7 && rest < 7 + 128)) :
			(shared >= 15 || rest >= 7))
			return (int64_t) i;
	}
	return -1;
}

/* Every documented invariant of a packed value, broken one at a time */
static void
reject_cases(const Model *m)
{
	size_t		n = m->n;
	size_t		nr = (n + RESTART - 1) / RESTART;
	size_t		gsize;
	unsigned char *good = ref_pack(m, &gsize);
	unsigned char *b = xmalloc(gsize + 8);
	size_t		size;
	int			bits = good[44];
	int64_t		lo = get_i64(good, 32);
	int64_t		hi = get_i64(good, 16);
	uint32_t	np = get_u32(good, 12);
	uint32_t	elemlen = get_u32(good, 40);
	uint64_t	range = n > 0 ? (uint64_t) hi - (uint64_t) lo : 0;
	LikesetEntry *ed = xmalloc((n + 2) * sizeof(LikesetEntry));
	char	   *ebuf = xmalloc(LIKESET_MAX_ELEMENT_LEN + 2);
	uint32_t   *offs = xmalloc((n + 1) * sizeof(uint32_t));
	PackOpts	o;
	char		what[120];

	/* where each entry starts in the element stream, read by the layout */
	{
		const unsigned char *q = good + PHDR + 4 * nr;
		uint32_t	pos = 0;

		for (size_t i = 0; i < n; i++)
		{
			unsigned char h = q[pos];
			uint32_t	rest = h & 7;

			offs[i] = pos++;
			if (((h >> 3) & 15) == 15)
				pos += q[pos] & 128 ? 2 : 1;
			if (rest == 7)
			{
				rest += q[pos] & 127;
				if (q[pos++] & 128)
					rest += (uint32_t) (q[pos++] & 127) << 7;
			}
			pos += rest;
		}
		CHECK(pos == elemlen, "entries of the reference encoding end at %u, elemlen %u",
			  pos, elemlen);
	}

	/* the well-formed one is accepted, or the cases below prove nothing */
	{
		LikesetStatus st;
		LikesetError err;
		LikesetData *u = unpack_exact(good, gsize, &st, &err);

		CHECK(st == LIKESET_OK, "the reference encoding of %zu entries is rejected: %s", n,
			  err.detail);
		likeset_free(u);
	}

#define POKE(header, desc, stmt) \
	do { \
		memcpy(b, good, gsize); \
		size = gsize; \
		stmt; \
		expect_unpack_corrupt(b, size, good, gsize, m, desc, header); \
	} while (0)
#define REENC(desc, ents) \
	do { \
		size_t		rs; \
		unsigned char *rb = ref_pack_opts(ents, n, &o, &rs); \
		expect_unpack_corrupt(rb, rs, good, gsize, m, desc, false); \
		free(rb); \
		pack_opts_init(&o, m->horizon); \
	} while (0)
#define REENC_N(desc, ents, cnt) \
	do { \
		size_t		rs; \
		unsigned char *rb = ref_pack_opts(ents, cnt, &o, &rs); \
		expect_unpack_corrupt(rb, rs, good, gsize, m, desc, false); \
		free(rb); \
		pack_opts_init(&o, m->horizon); \
	} while (0)

	pack_opts_init(&o, m->horizon);

	/* header */
	POKE(true, "short header: 4 bytes", size = 4);
	POKE(true, "short header: 5 bytes", size = 5);
	POKE(true, "short header: 32 bytes (a flat header)", size = 32);
	POKE(true, "short header: 47 bytes", size = 47);
	POKE(true, "version 0", b[4] = 0);
	POKE(true, "version 1", b[4] = LIKESET_FORMAT_VERSION);
	POKE(true, "version 2", b[4] = LIKESET_FORMAT_VERSION_HORIZON);
	POKE(true, "version 4", b[4] = 4);
	POKE(true, "version 255", b[4] = 255);
	POKE(true, "flags 1", b[5] = 1);
	POKE(true, "flags 0x80", b[5] = 0x80);
	POKE(true, "reserved 1", put_u16(b, 6, 1));
	POKE(true, "reserved 0x8000", put_u16(b, 6, 0x8000));
	POKE(true, "reserved2[0]", b[45] = 1);
	POKE(true, "reserved2[1]", b[46] = 0x10);
	POKE(true, "reserved2[2]", b[47] = 0x80);
	POKE(true, "nentries over the maximum", put_u32(b, 8, LIKESET_MAX_ENTRIES + 1));
	POKE(true, "nentries 0xffffffff", put_u32(b, 8, UINT32_C(0xffffffff)));
	POKE(true, "tsbits 65", b[44] = 65);
	POKE(true, "tsbits 255", b[44] = 255);
	POKE(true, "a byte more than the header says", b[size++] = 0);
	POKE(true, "a byte less than the header says", size--);
	POKE(true, "elemlen + 1", put_u32(b, 40, elemlen + 1));
	if (elemlen > 0)
		POKE(true, "elemlen - 1", put_u32(b, 40, elemlen - 1));
	POKE(true, "elemlen 0xffffffff", put_u32(b, 40, UINT32_C(0xffffffff)));
	POKE(false, "nentries + 1", put_u32(b, 8, (uint32_t) n + 1));
	if (n > 0)
		POKE(false, "nentries - 1", put_u32(b, 8, (uint32_t) n - 1));
	POKE(false, "npresent + 1", put_u32(b, 12, np + 1));
	if (np > 0)
		POKE(false, "npresent - 1", put_u32(b, 12, np - 1));
	POKE(false, "horizon TS_END", put_i64(b, 24, TS_END));
	POKE(false, "horizon TS_MIN - 1", put_i64(b, 24, TS_MIN - 1));
	POKE(false, "horizon INT64_MAX", put_i64(b, 24, INT64_MAX));

	if (n == 0)
	{
		POKE(false, "empty, tsbase 1", put_i64(b, 32, 1));
		POKE(false, "empty, tsbase TS_MIN", put_i64(b, 32, TS_MIN));
		POKE(false, "empty, tsbits 1", b[44] = 1);
		POKE(false, "empty, tsbits 64", b[44] = 64);
		POKE(false, "empty, an element stream", (put_u32(b, 40, 1), b[size++] = 0));
		POKE(false, "empty, maxts 0", put_i64(b, 16, 0));
		POKE(false, "empty, maxts TS_MIN", put_i64(b, 16, TS_MIN));
		goto done;
	}

	/* timestamps */
	POKE(false, "maxts none", put_i64(b, 16, LIKESET_TS_NONE));
	if (hi < TS_END - 1)
	{
		o.own_maxts = true;
		o.maxts = hi + 1;
		REENC("maxts above the highest timestamp", m->e);
	}
	o.own_maxts = true;
	o.maxts = TS_END;
	REENC("maxts TS_END", m->e);
	/*
	 * maxts below the highest timestamp, tsbase above the lowest: only when
	 * the width they give keeps the delta that is out of range whole (cut
	 * to fewer bits it could encode another, valid set)
	 */
	if (hi > lo && ref_width(range - 1) == ref_width(range))
	{
		o.own_maxts = true;
		o.maxts = hi - 1;
		REENC("maxts below the highest timestamp", m->e);
	}
	if (hi > lo && ref_width(range - 1) > 0 &&
		range - 1 != UINT64_MAX >> (64 - ref_width(range - 1)))
	{
		/* the lowest entry's delta wraps to all ones, above range - 1 */
		o.own_tsbase = true;
		o.tsbase = lo + 1;
		REENC("tsbase above the lowest timestamp", m->e);
	}
	if (lo > TS_MIN)
	{
		o.own_tsbase = true;
		o.tsbase = lo - 1;
		REENC("tsbase one below the lowest timestamp", m->e);
		o.own_tsbase = true;
		o.tsbase = lo - (lo - TS_MIN > 1000000 ? 1000000 : lo - TS_MIN);
		REENC("tsbase far below the lowest timestamp", m->e);
	}
	o.own_tsbase = true;
	o.tsbase = TS_MIN - 1;
	REENC("tsbase below TS_MIN", m->e);
	if (bits < 64)
	{
		o.tsbits = bits + 1;
		REENC("tsbits one more than needed", m->e);
		o.tsbits = 64;
		if (bits < 63)
			REENC("tsbits 64, not minimal", m->e);
		else
			pack_opts_init(&o, m->horizon);
	}
	if (bits > 0)
	{
		o.tsbits = bits - 1;
		REENC("tsbits one less than needed", m->e);
	}
	if (bits > 0 && (bits == 64 || range != ((uint64_t) 1 << bits) - 1))
	{
		o.bad = BAD_DELTA_HIGH;
		o.at = rnd_below(n);
		snprintf(what, sizeof(what), "entry %zu: a delta above maxts - tsbase", o.at);
		REENC(what, m->e);
	}
	if ((n * (size_t) bits) % 8 != 0)
	{
		o.bad = BAD_PADDING;
		REENC("timestamp padding bits set", m->e);
	}

	/* restart points */
	for (size_t k = 0; k < nr; k++)
	{
		size_t		off = PHDR + 4 * k;
		uint32_t	v = get_u32(good, off);

		if (k != 0 && k != nr - 1 && k != 1 && !rnd_pct(20))
			continue;
		snprintf(what, sizeof(what), "restart %zu + 1", k);
		POKE(false, what, put_u32(b, off, v + 1));
		if (v > 0)
		{
			snprintf(what, sizeof(what), "restart %zu - 1", k);
			POKE(false, what, put_u32(b, off, v - 1));
		}
		snprintf(what, sizeof(what), "restart %zu: 0xffffffff", k);
		POKE(false, what, put_u32(b, off, UINT32_C(0xffffffff)));
		snprintf(what, sizeof(what), "restart %zu: elemlen", k);
		POKE(false, what, put_u32(b, off, elemlen));
		/* the offset of a neighbouring entry: a real entry, the wrong one */
		if (k > 0)
		{
			snprintf(what, sizeof(what), "restart %zu at entry %zu", k, RESTART * k - 1);
			POKE(false, what, put_u32(b, off, offs[RESTART * k - 1]));
		}
		if (RESTART * k + 1 < n)
		{
			snprintf(what, sizeof(what), "restart %zu at entry %zu", k, RESTART * k + 1);
			POKE(false, what, put_u32(b, off, offs[RESTART * k + 1]));
		}
	}

	/* front coding */
	for (size_t i = RESTART; i < n; i += RESTART)
	{
		if (ref_lcp(&m->e[i - 1], &m->e[i]) == 0)
			continue;
		o.bad = BAD_RESTART_SHARED;
		o.at = i;
		snprintf(what, sizeof(what), "restart entry %zu front-coded", i);
		REENC(what, m->e);
	}
	o.bad = BAD_SHARED_OVER;
	o.at = 0;
	REENC("entry 0 with a shared prefix", m->e);
	if (n > 1)
	{
		size_t		i = 1 + rnd_below(n - 1);

		if (i % RESTART == 0)
			i--;
		if (i > 0)
		{
			o.bad = BAD_SHARED_OVER;
			o.at = i;
			snprintf(what, sizeof(what), "entry %zu: shared prefix longer than the previous element", i);
			REENC(what, m->e);
		}
	}
	for (size_t k = 0, count = 0; k < n && count < 3; k++)
	{
		size_t		i = (k * 7 + 3) % n;

		if (i % RESTART == 0 || ref_lcp(&m->e[i - 1], &m->e[i]) == 0)
			continue;
		o.bad = BAD_SHARED_SHORT;
		o.at = i;
		snprintf(what, sizeof(what), "entry %zu: shared prefix %u, shorter than the common one",
				 i, ref_lcp(&m->e[i - 1], &m->e[i]) - 1);
		REENC(what, m->e);
		count++;
	}
	{
		int64_t		i = entry_with_varint(m, true);

		if (i >= 0)
		{
			o.bad = BAD_VARINT_NONMIN;
			o.at = (size_t) i;
			snprintf(what, sizeof(what), "entry %" PRId64 ": varint not minimal", i);
			REENC(what, m->e);
		}
		i = entry_with_varint(m, false);
		if (i >= 0)
		{
			o.bad = BAD_VARINT_LONG;
			o.at = (size_t) i;
			snprintf(what, sizeof(what), "entry %" PRId64 ": varint of 3 bytes", i);
			REENC(what, m->e);
		}
	}
	o.bad = BAD_TRUNCATE;
	REENC("element stream one byte short", m->e);
	o.bad = BAD_TRAILING;
	REENC("a byte after the last entry", m->e);

	/* the entries themselves */
	memcpy(ed, m->e, n * sizeof(LikesetEntry));
	if (n > 1)
	{
		size_t		i = rnd_below(n - 1);
		LikesetEntry t = ed[i];

		ed[i] = ed[i + 1];
		ed[i + 1] = t;
		snprintf(what, sizeof(what), "entries %zu and %zu swapped", i, i + 1);
		REENC(what, ed);
		memcpy(ed, m->e, n * sizeof(LikesetEntry));
		ed[i + 1].elem = ed[i].elem;
		ed[i + 1].len = ed[i].len;
		snprintf(what, sizeof(what), "entry %zu repeated", i);
		REENC(what, ed);
		memcpy(ed, m->e, n * sizeof(LikesetEntry));
	}
	/*
	 * the same at restart points, where the order is checked on whole
	 * elements rather than through the shared prefix
	 */
	for (size_t i = RESTART; i < n; i += RESTART)
	{
		LikesetEntry t = ed[i - 1];

		ed[i - 1] = ed[i];
		ed[i] = t;
		snprintf(what, sizeof(what), "entries %zu and %zu swapped (a restart point)", i - 1, i);
		REENC(what, ed);
		memcpy(ed, m->e, n * sizeof(LikesetEntry));
		ed[i].elem = ed[i - 1].elem;
		ed[i].len = ed[i - 1].len;
		snprintf(what, sizeof(what), "restart entry %zu repeats entry %zu", i, i - 1);
		REENC(what, ed);
		memcpy(ed, m->e, n * sizeof(LikesetEntry));
	}
	if (ed[n - 1].len < LIKESET_MAX_ELEMENT_LEN)
	{
		/* the last element with a NUL appended: still the greatest */
		memcpy(ebuf, ed[n - 1].elem, ed[n - 1].len);
		ebuf[ed[n - 1].len] = '\0';
		ed[n - 1].elem = ebuf;
		ed[n - 1].len++;
		REENC("a NUL byte at the end of the last element", ed);
		memcpy(ed, m->e, n * sizeof(LikesetEntry));
	}
	if (ed[0].len > 0)
	{
		memcpy(ebuf, ed[0].elem, ed[0].len);
		ebuf[ed[0].len - 1] = '\0';
		ed[0].elem = ebuf;
		REENC("a NUL byte in the first element", ed);
		memcpy(ed, m->e, n * sizeof(LikesetEntry));
	}
	{
		/* an element of 4097 bytes after the last: its own or front-coded */
		bool		ext = ed[n - 1].len == LIKESET_MAX_ELEMENT_LEN;

		if (ext)
			memcpy(ebuf, ed[n - 1].elem, LIKESET_MAX_ELEMENT_LEN);
		else
			memset(ebuf, 0xff, LIKESET_MAX_ELEMENT_LEN);
		ebuf[LIKESET_MAX_ELEMENT_LEN] = ext ? 'x' : '\xff';
		ed[n].elem = ebuf;
		ed[n].len = LIKESET_MAX_ELEMENT_LEN + 1;
		ed[n].removed = false;
		ed[n].ts = ed[n - 1].ts;
		REENC_N(ext ? "an element of 4097 bytes, extending one of 4096" :
				"an element of 4097 bytes", ed, n + 1);
	}
	for (size_t i = 0; i < n; i++)
	{
		if (!m->e[i].removed || m->e[i].ts >= TS_END - 1)
			continue;
		pack_opts_init(&o, m->e[i].ts + 1);
		snprintf(what, sizeof(what), "tombstone %zu older than the horizon", i);
		REENC(what, m->e);
		break;
	}

done:
#undef POKE
#undef REENC
#undef REENC_N
	free(offs);
	free(ebuf);
	free(ed);
	free(b);
	free(good);
}

/*
 * Fixed entry lists that meet every case's precondition: 41 entries
 * sharing a 24-byte prefix (shared lengths 24 and more, one-byte varints,
 * a restart point at 32 that could share it), one with a tail of 200
 * bytes (two-byte varint), tombstones, timestamps over a range that is not
 * all ones in its width, 41 * 4 bits (padding); an element of 4096 bytes
 * last (the 4097-byte extension)
 */
static void
reject_fixed_model(Model *m, int which)
{
	char	   *p;
	size_t		n = which == 0 ? 41 : which == 1 ? 1 : 20;

	model_init(m);
	for (size_t i = 0; i < n; i++)
	{
		LikesetEntry e;
		uint32_t	len;

		if (which == 2 && i == n - 1)
		{
			len = LIKESET_MAX_ELEMENT_LEN;
			p = xmalloc(len + 1);
			memset(p, 'z', len);
		}
		else
		{
			char		tmp[300];

			snprintf(tmp, sizeof(tmp), "shared-prefix-0123456789%c%c%s", 'a' + (int) (i / 26),
					 'a' + (int) (i % 26), i == 20 ? "" : i == 7 ? "1234567" : "");
			len = (uint32_t) strlen(tmp);
			if (i == 20)
			{
				memset(tmp + len, 'x', 200);
				len += 200;
			}
			p = xmalloc(len + 1);
			memcpy(p, tmp, len);
		}
		e.elem = p;
		e.len = len;
		e.removed = i % 3 == 1;
		e.ts = INT64_C(800000000000000) + (int64_t) ((i * 7) % 11);
		model_push(m, &e);
	}
	m->horizon = which == 0 ? INT64_C(800000000000000) : LIKESET_TS_NONE;
}

static void
reject_batch(void *arg)
{
	int			batch = (int) (intptr_t) arg;

	rng_seed(seed, 0xBAD3, (uint64_t) batch);
	if (batch == 0)
	{
		/* fixed lists, the empty set with and without a horizon */
		for (int which = 0; which < 3; which++)
		{
			Model		m;

			reject_fixed_model(&m, which);
			reject_cases(&m);
			pset_free(&m);
		}
		for (int k = 0; k < 2; k++)
		{
			Model		m;

			model_init(&m);
			m.horizon = k == 0 ? LIKESET_TS_NONE : 0;
			reject_cases(&m);
			model_free(&m);
		}
		return;
	}
	for (int iter = 0; iter < 6; iter++)
	{
		Model		m;
		size_t		n = rnd_pct(50) ? psizes[rnd_below(NELEMS(psizes))] : rnd_below(60);

		pset_make(&m, n, rnd_pct(20) ? PS_LONG : rnd_pct(50) ? PS_FAMILY : -1);
		reject_cases(&m);
		pset_free(&m);
	}
}

static void
test_packed_rejections(void)
{
	isolated_batches("malformed values", 8, reject_batch);
}

/* ---- e. random byte flips ------------------------------------------- */

/*
 * A flipped value: rejected as corrupt, or accepted, valid, and packing
 * back to exactly its bytes (one encoding per value); lookup never
 * crashes, and on an accepted value agrees with likeset_find
 */
static void
check_flipped(const unsigned char *b, size_t size, const Model *orig, long *accepted)
{
	unsigned char *c = xmalloc(size);
	LikesetData *u = NULL;
	LikesetError err;
	LikesetStatus st;

	memcpy(c, b, size);
	memset(&err, 0, sizeof(err));
	st = likeset_unpack((const LikesetPacked *) c, size, &u, &err);
	CHECK(st == LIKESET_OK || (st == LIKESET_ERR_CORRUPT && err.status == LIKESET_ERR_CORRUPT &&
							   err.detail[0] != '\0'),
		  "unpack of a flipped value returned %d", (int) st);
	if (st == LIKESET_OK)
	{
		size_t		psize = 0;
		unsigned char *p;
		Model		m;

		(*accepted)++;
		CHECK(validate_copy(u, likeset_size(u), NULL) == LIKESET_OK,
			  "an accepted flipped value unpacks to an invalid one");
		p = pack_exact(u, &psize);
		CHECK(p != NULL && psize == size && memcmp(p + 4, c + 4, size - 4) == 0,
			  "an accepted flipped value %s does not pack back to its bytes: %s", txt(u),
			  p ? first_diff(p, psize, c, size) : "no value");
		free(p);
		model_of(u, &m);
		for (size_t i = 0; i < m.n && i < 64; i++)
			check_lookup(c, size, &m, u, m.e[i].elem, m.e[i].len, "entry of a flipped value");
		for (size_t i = 0; i < orig->n && i < 64; i++)
			check_lookup(c, size, &m, u, orig->e[i].elem, orig->e[i].len, "original entry");
		model_free(&m);
		likeset_free(u);
	}
	else
	{
		for (size_t i = 0; i < orig->n + 1; i++)
		{
			int64_t		ts = 0;
			bool		removed = false;
			int			got = i < orig->n ?
				likeset_packed_lookup((const LikesetPacked *) c, size, orig->e[i].elem,
									  orig->e[i].len, &ts, &removed) :
				likeset_packed_lookup((const LikesetPacked *) c, size, "\xff", 1, &ts, &removed);

			CHECK(got >= -1 && got <= 1, "lookup in a flipped value = %d", got);
		}
	}
	free(c);
}

static void
packed_flip_batch(void *arg)
{
	int			batch = (int) (intptr_t) arg;
	long		accepted = 0;

	rng_seed(seed, 0xF11C, (uint64_t) batch);
	for (int iter = 0; iter < 8; iter++)
	{
		Model		m;
		size_t		n = rnd_pct(60) ? rnd_below(20) : rnd_below(120);
		size_t		gsize;
		size_t		rsend;
		size_t		tslen;
		unsigned char *good;
		unsigned char *b;

		pset_make(&m, n, rnd_pct(60) ? PS_SHORT : rnd_pct(70) ? PS_FAMILY : -1);
		good = ref_pack(&m, &gsize);
		b = xmalloc(gsize + 4);
		rsend = PHDR + 4 * ((n + RESTART - 1) / RESTART);
		tslen = (n * good[44] + 7) / 8;
		for (int f = 0; f < 40; f++)
		{
			int			nflips = 1 + (int) rnd_below(3);
			size_t		size = gsize;

			memcpy(b, good, gsize);
			for (int k = 0; k < nflips; k++)
			{
				/* the header, the restarts, the timestamps, or anywhere */
				int			where = (int) rnd_below(10);
				size_t		pos = where < 3 ? 4 + rnd_below(PHDR - 4) :
					where < 5 && rsend > PHDR ? PHDR + rnd_below(rsend - PHDR) :
					where < 7 && tslen > 0 ? gsize - 1 - rnd_below(tslen) :
					4 + rnd_below(gsize - 4);

				if (rnd_pct(60))
					b[pos] ^= (unsigned char) (1u << rnd_below(8));
				else
					b[pos] = (unsigned char) rnd_below(256);
			}
			/* at times a byte more or fewer */
			if (rnd_pct(5))
				size = rnd_pct(50) ? size - 1 : size + 1;
			if (size > gsize)
				b[gsize] = 0;
			check_flipped(b, size, &m, &accepted);
		}
		free(b);
		free(good);
		pset_free(&m);
	}
	(void) accepted;
}

static void
test_packed_flips(void)
{
	isolated_batches("packed random flips", 20, packed_flip_batch);
}

static const struct
{
	const char *name;
	void		(*fn) (void);
}			groups[] =
{
	{"model: build, apply chain, merged splits", test_model},
	{"merge laws, order independence", test_merge_laws},
	{"apply: no-op returns its input", test_apply_noop},
	{"find: present and insertion points", test_find},
	{"compact", test_compact},
	{"compare: equality, antisymmetry, transitivity", test_compare},
	{"text: format/parse round trip", test_text_roundtrip},
	{"text: canonical output", test_text_canonical},
	{"text: timestamps round trip", test_ts_roundtrip},
	{"text: timestamp literals and rejections", test_ts_literals},
	{"text: timestamps with huge years", test_ts_overflow},
	{"text: parse errors, duplicates, lengths", test_parse_errors},
	{"validate: header fields", test_validate_header},
	{"validate: entries", test_validate_entries},
	{"validate: sizes and counts", test_validate_sizes},
	{"validate: element ends", test_validate_ends},
	{"validate: element end past the data", test_validate_ends_past_data},
	{"validate: random byte flips", test_validate_flips},
	{"build_sorted", test_build_sorted},
	{"limits", test_limits},
	{"split by element hash", test_split_hash},
	{"horizons: reference, laws on stable replicas", test_horizon},
	{"packed: reference encoding", test_packed_reference},
	{"packed: round trip", test_packed_roundtrip},
	{"packed: lookup", test_packed_lookup},
	{"packed: rejections", test_packed_rejections},
	{"packed: random byte flips", test_packed_flips},
};

static int	cur_index;

static void
call_group(void *unused)
{
	(void) unused;
	groups[cur_index].fn();
}

static double
now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double) t.tv_sec * 1000.0 + (double) t.tv_nsec / 1e6;
}

int
main(void)
{
	const char *env = getenv("LIKESET_UNIT_SEED");
	const char *nf = getenv("LIKESET_UNIT_NOFORK");
	int			ngroups = (int) (sizeof(groups) / sizeof(groups[0]));
	int			badgroups = 0;
	double		start = now_ms();

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (env && *env)
		seed = strtoull(env, NULL, 0);
	else
		seed = (uint64_t) time(NULL) ^ ((uint64_t) getpid() << 32);
	nofork = nf && *nf && strcmp(nf, "0") != 0;
	sh = mmap(NULL, sizeof(Shared), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
			  -1, 0);
	if (sh == MAP_FAILED)
	{
		perror("mmap");
		return 2;
	}
	memset(sh, 0, sizeof(Shared));
	printf("likeset unit tests, seed %" PRIu64 " (LIKESET_UNIT_SEED=%" PRIu64
		   " repeats this run)\n", seed, seed);

	for (int g = 0; g < ngroups; g++)
	{
		long		p0 = sh->passed;
		long		f0 = sh->failed;
		double		t0 = now_ms();
		bool		crashed = false;
		char		desc[100] = "";

		cur_index = g;
		cur_group = groups[g].name;
		sh->reported = 0;
		isolated_crashes = 0;
		rng_seed(seed, 0x6A0u, (uint64_t) g);
		if (nofork)
			groups[g].fn();
		else
		{
			int			status = run_forked(call_group, NULL, false);

			if (status != 0)
			{
				crashed = true;
				describe_status(status, desc, sizeof(desc));
				sh->failed++;
			}
		}
		if (sh->failed > f0)
			badgroups++;
		printf("%-4s %-48s %6ld passed, %ld failed%s%s (%.0f ms)\n",
			   sh->failed > f0 ? "FAIL" : "ok", groups[g].name, sh->passed - p0,
			   sh->failed - f0, crashed ? "; group crashed: " : "", desc, now_ms() - t0);
	}
	if (sh->failed > 0)
		printf("seed %" PRIu64 ": %d of %d groups failed (%.0f ms)\n", seed, badgroups,
			   ngroups, now_ms() - start);
	printf("%ld passed, %ld failed\n", sh->passed, sh->failed);
	return sh->failed > 0 ? 1 : 0;
}
