/*-------------------------------------------------------------------------
 *
 * likeset_text.c
 *	  Text form of a likeset: parser and formatter, and the fixed UTC
 *	  timestamp form they use.  Plain C with no backend calls.
 *
 * Grammar (whitespace allowed around items, commas and '@'):
 *
 *	  likeset   := '{' [ item { ',' item } ] '}'
 *	  item      := [ '-' ] element [ '@' timestamp ]
 *	  element   := '"' { any byte but '"' and '\' | '\' any byte } '"'
 *	             | unquoted bytes, none of , { } " \ @ or whitespace,
 *	               not starting with '-'
 *	  timestamp := [+-]YYYY-MM-DD(T| )HH:MM:SS[.ffffff](Z|+HH[:MM]|-HH[:MM])
 *
 * A leading '-' marks a tombstone (removed element).  An item without '@'
 * has the lowest timestamp, LIKESET_TS_MIN.  Repeated elements are merged.
 * Output is canonical: entries in byte order, timestamps in UTC as
 * YYYY-MM-DDTHH:MM:SS[.ffffff]Z (years outside 1..9999 with a sign or more
 * digits, astronomical numbering: year 0 is 1 BC), fractional zeros trimmed,
 * and elements quoted when they could be misread.
 *
 *-------------------------------------------------------------------------
 */
#include "likeset.h"

#include <stdio.h>

#define USECS_PER_DAY	INT64_C(86400000000)
#define USECS_PER_SEC	INT64_C(1000000)
/* days from 1970-01-01 to 2000-01-01, the PostgreSQL epoch */
#define EPOCH_SHIFT_DAYS	10957

static inline bool
is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

/* Bytes that end an unquoted element */
static inline bool
is_special(char c)
{
	return c == ',' || c == '{' || c == '}' || c == '"' || c == '\\' || c == '@' ||
		is_space(c);
}

/* Days since 1970-01-01 of a proleptic Gregorian date (year 0 = 1 BC) */
static int64_t
days_from_civil(int64_t y, int m, int d)
{
	int64_t		era;
	int64_t		yoe;
	int64_t		doy;
	int64_t		doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

/* Date of a day number counted from 1970-01-01 */
static void
civil_from_days(int64_t z, int64_t *y, int *m, int *d)
{
	int64_t		era;
	int64_t		doe;
	int64_t		yoe;
	int64_t		doy;
	int64_t		mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = (int) (doy - (153 * mp + 2) / 5 + 1);
	*m = (int) (mp < 10 ? mp + 3 : mp - 9);
	*y = yoe + era * 400 + (*m <= 2);
}

static inline char *
put_digits(char *p, int64_t v, int width)
{
	for (int i = width - 1; i >= 0; i--)
	{
		p[i] = (char) ('0' + v % 10);
		v /= 10;
	}
	return p + width;
}

/*
 * Write a timestamp in the fixed UTC form into buf (at least
 * LIKESET_TS_BUFLEN bytes); returns the length, without a terminator.
 */
int
likeset_format_ts(int64_t ts, char *buf)
{
	int64_t		days = ts / USECS_PER_DAY;
	int64_t		usec = ts % USECS_PER_DAY;
	int64_t		year;
	int			month;
	int			day;
	int64_t		secs;
	int64_t		frac;
	char	   *p = buf;

	if (usec < 0)
	{
		usec += USECS_PER_DAY;
		days--;
	}
	civil_from_days(days + EPOCH_SHIFT_DAYS, &year, &month, &day);
	if (year < 0)
	{
		*p++ = '-';
		year = -year;
	}
	else if (year > 9999)
		*p++ = '+';
	p = put_digits(p, year, year > 999999 ? 7 : year > 99999 ? 6 : year > 9999 ? 5 : 4);
	*p++ = '-';
	p = put_digits(p, month, 2);
	*p++ = '-';
	p = put_digits(p, day, 2);
	*p++ = 'T';
	secs = usec / USECS_PER_SEC;
	frac = usec % USECS_PER_SEC;
	p = put_digits(p, secs / 3600, 2);
	*p++ = ':';
	p = put_digits(p, (secs / 60) % 60, 2);
	*p++ = ':';
	p = put_digits(p, secs % 60, 2);
	if (frac != 0)
	{
		int			width = 6;

		while (frac % 10 == 0)
		{
			frac /= 10;
			width--;
		}
		*p++ = '.';
		p = put_digits(p, frac, width);
	}
	*p++ = 'Z';
	return (int) (p - buf);
}

/* Read exactly n digits */
static bool
get_digits(const char **p, const char *end, int n, int64_t *v)
{
	*v = 0;
	for (int i = 0; i < n; i++)
	{
		if (*p >= end || **p < '0' || **p > '9')
			return false;
		*v = *v * 10 + (**p - '0');
		(*p)++;
	}
	return true;
}

static bool
get_char(const char **p, const char *end, char c)
{
	if (*p < end && **p == c)
	{
		(*p)++;
		return true;
	}
	return false;
}

/*
 * Parse a timestamp in the form written by likeset_format_ts, or with a
 * space for 'T', up to 6 fractional digits and a numeric UTC offset.  The
 * whole of [str, str + len) must be the timestamp.  Rejects values outside
 * PostgreSQL's timestamp range.
 */
bool
likeset_parse_ts(const char *str, size_t len, int64_t *ts)
{
	const char *p = str;
	const char *end = str + len;
	bool		negyear = false;
	int64_t		year = 0;
	int64_t		month,
				day,
				hour,
				minute,
				second,
				v;
	int64_t		usec = 0;
	int64_t		offset = 0;
	int			ndigits = 0;
	static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};

	if (p < end && (*p == '-' || *p == '+'))
		negyear = *p++ == '-';
	while (p < end && *p >= '0' && *p <= '9' && ndigits < 7)
	{
		year = year * 10 + (*p++ - '0');
		ndigits++;
	}
	if (ndigits < 4 || !get_char(&p, end, '-') ||
		!get_digits(&p, end, 2, &month) || !get_char(&p, end, '-') ||
		!get_digits(&p, end, 2, &day))
		return false;
	if (!get_char(&p, end, 'T') && !get_char(&p, end, ' '))
		return false;
	if (!get_digits(&p, end, 2, &hour) || !get_char(&p, end, ':') ||
		!get_digits(&p, end, 2, &minute) || !get_char(&p, end, ':') ||
		!get_digits(&p, end, 2, &second))
		return false;
	if (get_char(&p, end, '.'))
	{
		int			nfrac = 0;

		while (p < end && *p >= '0' && *p <= '9')
		{
			if (++nfrac > 6)
				return false;
			usec = usec * 10 + (*p++ - '0');
		}
		if (nfrac == 0)
			return false;
		for (; nfrac < 6; nfrac++)
			usec *= 10;
	}
	while (p < end && *p == ' ')
		p++;
	if (get_char(&p, end, 'Z'))
		offset = 0;
	else if (p < end && (*p == '+' || *p == '-'))
	{
		bool		neg = *p++ == '-';
		int64_t		oh,
					om = 0;

		if (!get_digits(&p, end, 2, &oh))
			return false;
		if (get_char(&p, end, ':'))
		{
			if (!get_digits(&p, end, 2, &om))
				return false;
		}
		else if (p < end)
		{
			if (!get_digits(&p, end, 2, &om))
				return false;
		}
		if (oh > 15 || om > 59)
			return false;
		offset = (oh * 3600 + om * 60) * USECS_PER_SEC;
		if (neg)
			offset = -offset;
	}
	else
		return false;
	if (p != end)
		return false;

	if (negyear)
		year = -year;
	/* PostgreSQL's range is 4714 BC (-4713) to 294276; keep the arithmetic below from overflowing */
	if (year < -4714 || year > 294277)
		return false;
	if (month < 1 || month > 12 || hour > 23 || minute > 59 || second > 59)
		return false;
	v = mdays[month - 1];
	if (month == 2 && ((year % 4 == 0 && year % 100 != 0) || year % 400 == 0))
		v = 29;
	if (day < 1 || day > v)
		return false;

	v = days_from_civil(year, (int) month, (int) day) - EPOCH_SHIFT_DAYS;
	{
		/* time of day in UTC, then whole days carried, before multiplying */
		int64_t		tod = ((hour * 60 + minute) * 60 + second) * USECS_PER_SEC + usec - offset;

		while (tod < 0)
		{
			tod += USECS_PER_DAY;
			v--;
		}
		while (tod >= USECS_PER_DAY)
		{
			tod -= USECS_PER_DAY;
			v++;
		}
		/* LIKESET_TS_MIN and LIKESET_TS_END fall on midnights */
		if (v < LIKESET_TS_MIN / USECS_PER_DAY || v >= LIKESET_TS_END / USECS_PER_DAY)
			return false;
		v = v * USECS_PER_DAY + tod;
	}
	if (!likeset_ts_valid(v))
		return false;
	*ts = v;
	return true;
}

/* Must this element be quoted in the output? */
static bool
needs_quotes(const char *e, uint32_t len)
{
	if (len == 0 || e[0] == '-')
		return true;
	for (uint32_t i = 0; i < len; i++)
	{
		unsigned char c = (unsigned char) e[i];

		if (c < 0x20 || c >= 0x7f || is_special((char) c))
			return true;
	}
	return false;
}

/*
 * Canonical text of a set, NUL-terminated, allocated with likeset_alloc;
 * *len gets its length.
 */
char *
likeset_format(const LikesetData *s, size_t *len)
{
	size_t		cap = 4 + LIKESET_TS_BUFLEN + (size_t) s->nentries * (5 + LIKESET_TS_BUFLEN) +
		2 * (size_t) LIKESET_DATALEN(s);
	char	   *out = likeset_alloc(cap);
	char	   *p = out;
	LikesetEntry e;

	if (out == NULL)
		return NULL;
	if (s->horizon != LIKESET_TS_NONE)
	{
		/* the compaction horizon leads: @2026-01-01T00:00:00Z{...} */
		*p++ = '@';
		p += likeset_format_ts(s->horizon, p);
	}
	*p++ = '{';
	for (uint32_t i = 0; i < s->nentries; i++)
	{
		likeset_get_entry(s, i, &e);
		if (i > 0)
			*p++ = ',';
		if (e.removed)
			*p++ = '-';
		if (needs_quotes(e.elem, e.len))
		{
			*p++ = '"';
			for (uint32_t j = 0; j < e.len; j++)
			{
				if (e.elem[j] == '"' || e.elem[j] == '\\')
					*p++ = '\\';
				*p++ = e.elem[j];
			}
			*p++ = '"';
		}
		else
		{
			memcpy(p, e.elem, e.len);
			p += e.len;
		}
		if (e.ts != LIKESET_TS_MIN)
		{
			*p++ = '@';
			p += likeset_format_ts(e.ts, p);
		}
	}
	*p++ = '}';
	*p = '\0';
	*len = (size_t) (p - out);
	return out;
}

static LikesetStatus
syntax_error(LikesetError *err, LikesetStatus st, const char *str, const char *at,
			 const char *detail)
{
	err->status = st;
	err->pos = (int) (at - str) + 1;
	snprintf(err->detail, sizeof(err->detail), "%s", detail);
	return st;
}

static const char *
skip_space(const char *p)
{
	while (is_space(*p))
		p++;
	return p;
}

/*
 * Parse the text form.  On failure returns the status and fills *err with
 * the 1-based byte position and what was expected there.
 */
LikesetStatus
likeset_parse(const char *str, LikesetData **result, LikesetError *err)
{
	size_t		slen = strlen(str);
	char	   *buf = NULL;		/* decoded element bytes */
	size_t		buflen = 0;
	LikesetEntry *ops = NULL;
	size_t		nops = 0;
	size_t		capops = 0;
	const char *p = skip_space(str);
	LikesetStatus st = LIKESET_OK;
	char		detail[128];
	int64_t		horizon = LIKESET_TS_NONE;
	const char *horizon_at = NULL;

	err->status = LIKESET_OK;
	err->pos = -1;
	err->detail[0] = '\0';

	if (*p == '@')
	{
		/* a compaction horizon before the brace */
		const char *tstart = skip_space(p + 1);
		const char *tend = tstart;

		while (*tend != '\0' && *tend != '{')
			tend++;
		p = tend;
		while (tend > tstart && is_space(tend[-1]))
			tend--;
		if (!likeset_parse_ts(tstart, (size_t) (tend - tstart), &horizon))
			return syntax_error(err, LIKESET_ERR_SYNTAX, str, tstart,
								"Expected a horizon timestamp like 2026-11-28T09:30:00Z "
								"before \"{\".");
		horizon_at = tstart;
	}
	if (*p != '{')
		return syntax_error(err, LIKESET_ERR_SYNTAX, str, p,
							horizon_at ? "Expected \"{\" after the horizon." :
							"Expected \"{\" or a horizon \"@timestamp\" at the start.");
	p = skip_space(p + 1);

	buf = likeset_alloc(slen + 1);
	if (buf == NULL)
		return LIKESET_ERR_NO_MEMORY;

	if (*p != '}')
	{
		for (;;)
		{
			LikesetEntry op;
			const char *item = p;

			op.removed = false;
			op.ts = LIKESET_TS_MIN;
			if (*p == '-')
			{
				op.removed = true;
				p++;
			}
			op.elem = buf + buflen;
			if (*p == '"')
			{
				p++;
				while (*p != '"')
				{
					if (*p == '\0')
					{
						st = syntax_error(err, LIKESET_ERR_SYNTAX, str, p,
										  "Unterminated quoted element.");
						goto fail;
					}
					if (*p == '\\')
					{
						p++;
						if (*p == '\0')
						{
							st = syntax_error(err, LIKESET_ERR_SYNTAX, str, p,
											  "Unterminated quoted element.");
							goto fail;
						}
					}
					buf[buflen++] = *p++;
				}
				p++;
			}
			else
			{
				if (*p == '\0')
				{
					st = syntax_error(err, LIKESET_ERR_SYNTAX, str, p,
									  "Unexpected end of input; expected an element or \"}\".");
					goto fail;
				}
				if (is_special(*p) || *p == '-')
				{
					st = syntax_error(err, LIKESET_ERR_SYNTAX, str, p,
									  *p == '-' ?
									  "Expected an element; quote elements that start with \"-\"." :
									  "Expected an element (quote it if it is empty or holds , { } \" \\ @ or spaces).");
					goto fail;
				}
				while (*p != '\0' && !is_special(*p))
					buf[buflen++] = *p++;
			}
			op.len = (uint32_t) (buf + buflen - op.elem);
			if (op.len > LIKESET_MAX_ELEMENT_LEN)
			{
				snprintf(detail, sizeof(detail),
						 "Element is %u bytes long; the maximum is %d bytes.",
						 op.len, LIKESET_MAX_ELEMENT_LEN);
				st = syntax_error(err, LIKESET_ERR_ELEMENT_TOO_LONG, str, item, detail);
				goto fail;
			}
			p = skip_space(p);
			if (*p == '@')
			{
				const char *tstart = skip_space(p + 1);
				const char *tend = tstart;

				while (*tend != '\0' && *tend != ',' && *tend != '}')
					tend++;
				p = tend;
				while (tend > tstart && is_space(tend[-1]))
					tend--;
				if (!likeset_parse_ts(tstart, (size_t) (tend - tstart), &op.ts))
				{
					st = syntax_error(err, LIKESET_ERR_SYNTAX, str, tstart,
									  "Expected a timestamp like 2026-11-28T09:30:00.000001Z "
									  "or with an offset like +02:00, within PostgreSQL's range.");
					goto fail;
				}
			}
			if (nops == capops)
			{
				size_t		newcap = capops == 0 ? 16 : capops * 2;
				LikesetEntry *n = likeset_alloc(newcap * sizeof(LikesetEntry));

				if (n == NULL)
				{
					st = LIKESET_ERR_NO_MEMORY;
					goto fail;
				}
				if (nops > 0)
					memcpy(n, ops, nops * sizeof(LikesetEntry));
				if (ops)
					likeset_free(ops);
				ops = n;
				capops = newcap;
			}
			ops[nops++] = op;
			if (nops > LIKESET_MAX_ENTRIES)
			{
				snprintf(detail, sizeof(detail),
						 "A likeset holds at most %d entries.", LIKESET_MAX_ENTRIES);
				st = syntax_error(err, LIKESET_ERR_TOO_MANY, str, item, detail);
				goto fail;
			}
			p = skip_space(p);
			if (*p == ',')
			{
				p = skip_space(p + 1);
				continue;
			}
			if (*p == '}')
				break;
			st = syntax_error(err, LIKESET_ERR_SYNTAX, str, p,
							  *p == '\0' ? "Unexpected end of input; expected \",\" or \"}\"." :
							  "Expected \",\", \"@\" or \"}\".");
			goto fail;
		}
	}
	p = skip_space(p + 1);
	if (*p != '\0')
	{
		st = syntax_error(err, LIKESET_ERR_SYNTAX, str, p,
						  "Junk after the closing \"}\".");
		goto fail;
	}

	st = likeset_build(ops, nops, result);
	if (st == LIKESET_ERR_TOO_BIG || st == LIKESET_ERR_TOO_MANY)
		syntax_error(err, st, str, str, "The value exceeds the maximum size of a likeset.");
	if (st == LIKESET_OK && horizon != LIKESET_TS_NONE)
	{
		LikesetError herr;

		if (likeset_set_horizon(*result, horizon, &herr) != LIKESET_OK)
		{
			likeset_free(*result);
			*result = NULL;
			st = syntax_error(err, LIKESET_ERR_SYNTAX, str, horizon_at,
							  "A tombstone is older than the horizon; a compacted value has none.");
		}
	}

fail:
	if (ops)
		likeset_free(ops);
	likeset_free(buf);
	if (st != LIKESET_OK && err->status == LIKESET_OK)
		err->status = st;
	return st;
}
