/*-------------------------------------------------------------------------
 *
 * likeset_fuzz.c
 *	  libFuzzer target for the plain-C core (likeset_core.c, likeset_text.c,
 *	  likeset_pack.c), built with AddressSanitizer and
 *	  UndefinedBehaviorSanitizer by test/fuzz/fuzz.mk.
 *
 * The first input byte (modulo 4) selects what the rest of the input is:
 *
 *	  0  text form: likeset_parse must accept what a reference parser
 *	     written here from the grammar accepts, and give the set it
 *	     denotes; an accepted value must be valid, format -> parse ->
 *	     format must reproduce the value and the text, and the text must be
 *	     the documented canonical form (timestamps checked against a
 *	     calendar written here).
 *	  1  stored form: a value of exactly that many bytes.  Versions 1
 *	     and 2 (flat, LikesetData): likeset_validate must agree with an
 *	     independent checker written here from the documented offsets; a
 *	     valid value must survive the text, binary and packed round trips
 *	     byte for byte.  Version 3 (packed, likeset_pack.c): likeset_unpack
 *	     must agree with an independent reader written here from the
 *	     documented layout; an accepted value must be valid and pack back
 *	     to exactly the input; likeset_packed_lookup must never crash,
 *	     must say -1 for a bad header and agree with the entries of a good
 *	     value.
 *	  2  binary wire form, as likeset_recv reads it (network byte order:
 *	     uint8 version, int32 count, then per entry int64 ts, uint8 removed,
 *	     int32 length, bytes), decoded here with recv's checks and built
 *	     with likeset_build_sorted, which must accept exactly the sorted,
 *	     unique, NUL-free, in-range entry lists; an accepted value
 *	     re-encodes to the input bytes.  (recv's database-encoding check
 *	     needs the backend and is left out.)
 *	  3  operations: up to three text values separated by 0xff bytes;
 *	     merge is checked against a merge written here, and for the laws
 *	     (commutative, associative, idempotent, empty is the identity);
 *	     applying each entry of b to a gives merge(a, b) in either order;
 *	     compact, compare and find are checked against models, and
 *	     operations beyond the limits are refused.
 *
 * Every valid value met in any mode also goes through find, compare and
 * merge with itself and the empty set, both builders, and the text, wire
 * and packed round trips (the packed value read back by the independent
 * reader, and looked up without unpacking).
 *
 * A violated property prints what failed and calls abort(), which libFuzzer
 * reports as a crash and saves the input.  Leaks are reported by
 * LeakSanitizer, so everything allocated here is freed.
 *
 *-------------------------------------------------------------------------
 */
#include "likeset.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define HDR				32		/* documented header size */
#define SEND_VERSION	1		/* likeset_io.c: LIKESET_SEND_VERSION */
#define SEND_VERSION_HORIZON 2	/* likeset_io.c: LIKESET_SEND_VERSION_HORIZON */
#define SEND_ENTRY_MIN	13		/* ts + removed + length */
#define USECS_PER_SEC	INT64_C(1000000)
#define USECS_PER_DAY	INT64_C(86400000000)
#define REMOVED_BIT		UINT32_C(0x80000000)

_Static_assert(LIKESET_HDRSZ == HDR, "the documented header is 32 bytes");

int			LLVMFuzzerInitialize(int *argc, char ***argv);
int			LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fuzz_fail(int line, const char *what) __attribute__((noreturn));

/* Report a violated property and abort, which libFuzzer records as a crash */
static void
fuzz_fail(int line, const char *what)
{
	fprintf(stderr, "likeset_fuzz.c:%d: property violated: %s\n", line, what);
	abort();
}

#define REQUIRE(cond) \
	do { \
		if (!(cond)) \
			fuzz_fail(__LINE__, #cond); \
	} while (0)

/* malloc that never returns NULL */
static void *
xmalloc(size_t n)
{
	void	   *p = malloc(n == 0 ? 1 : n);

	if (p == NULL)
		fuzz_fail(__LINE__, "out of memory in the fuzzer");
	return p;
}

static int
sign(int64_t v)
{
	return v < 0 ? -1 : v > 0 ? 1 : 0;
}

/* ------------------------------------------------------------------------
 * Independent reading of the stored format, by the documented offsets
 * ------------------------------------------------------------------------
 */
typedef struct RefEntry
{
	const unsigned char *elem;
	uint32_t	len;
	bool		removed;
	int64_t		ts;
} RefEntry;

static uint32_t
rd_u32(const unsigned char *p)
{
	uint32_t	v;

	memcpy(&v, p, 4);
	return v;
}

static int64_t
rd_i64(const unsigned char *p)
{
	int64_t		v;

	memcpy(&v, p, 8);
	return v;
}

/* Element order: bytes as unsigned, then the shorter first */
static int
ref_cmp(const unsigned char *a, uint32_t alen, const unsigned char *b, uint32_t blen)
{
	uint32_t	n = alen < blen ? alen : blen;

	for (uint32_t i = 0; i < n; i++)
	{
		if (a[i] != b[i])
			return a[i] < b[i] ? -1 : 1;
	}
	return alen == blen ? 0 : (alen < blen ? -1 : 1);
}

/* Operation order: timestamp, then a remove above an add */
static int
ref_opcmp(const RefEntry *a, const RefEntry *b)
{
	if (a->ts != b->ts)
		return a->ts < b->ts ? -1 : 1;
	return a->removed == b->removed ? 0 : (a->removed ? 1 : -1);
}

static bool
ref_ts_valid(int64_t ts)
{
	/* 4714-11-24 00:00:00 BC up to, not including, 294277-01-01 */
	return ts >= INT64_C(-211813488000000000) && ts < INT64_C(9223371331200000000);
}

/*
 * Check every documented invariant of a stored value of exactly size bytes;
 * on success *entries (free it) gets its n entries, pointing into v.
 */
static bool
ref_decode(const unsigned char *v, size_t size, RefEntry **entries, uint32_t *n)
{
	uint32_t	nent;
	uint32_t	npresent;
	uint32_t	present = 0;
	int64_t		maxts;
	int64_t		seenmax = INT64_MIN;
	size_t		datalen;
	const unsigned char *tsa;
	const unsigned char *endsa;
	const unsigned char *data;
	uint32_t	prevend = 0;
	RefEntry   *e;
	int64_t		horizon;

	*entries = NULL;
	*n = 0;
	if (size < HDR || size > LIKESET_MAX_SIZE)
		return false;
	if ((v[4] != 1 && v[4] != 2) || v[5] != 0 || v[6] != 0 || v[7] != 0)
		return false;
	nent = rd_u32(v + 8);
	npresent = rd_u32(v + 12);
	maxts = rd_i64(v + 16);
	horizon = rd_i64(v + 24);
	/* version 1: no horizon; version 2: one, from the lowest to the end timestamp */
	if (v[4] == 1 ? horizon != INT64_MIN :
		!ref_ts_valid(horizon))
		return false;
	if (nent > LIKESET_MAX_ENTRIES || (size - HDR) / 12 < nent)
		return false;
	datalen = size - HDR - 12 * (size_t) nent;
	tsa = v + HDR;
	endsa = tsa + 8 * (size_t) nent;
	data = endsa + 4 * (size_t) nent;

	e = xmalloc(sizeof(RefEntry) * (nent == 0 ? 1 : nent));
	for (uint32_t i = 0; i < nent; i++)
	{
		uint32_t	raw = rd_u32(endsa + 4 * (size_t) i);
		uint32_t	end = raw & ~REMOVED_BIT;

		if (end < prevend || end > datalen)
			goto bad;
		e[i].elem = data + prevend;
		e[i].len = end - prevend;
		e[i].removed = (raw & REMOVED_BIT) != 0;
		e[i].ts = rd_i64(tsa + 8 * (size_t) i);
		if (e[i].len > LIKESET_MAX_ELEMENT_LEN)
			goto bad;
		for (uint32_t j = 0; j < e[i].len; j++)
		{
			if (e[i].elem[j] == 0)
				goto bad;
		}
		if (i > 0 && ref_cmp(e[i - 1].elem, e[i - 1].len, e[i].elem, e[i].len) >= 0)
			goto bad;
		if (!ref_ts_valid(e[i].ts))
			goto bad;
		/* compaction left no tombstone older than the horizon */
		if (e[i].removed && e[i].ts < horizon)
			goto bad;
		if (!e[i].removed)
			present++;
		if (e[i].ts > seenmax)
			seenmax = e[i].ts;
		prevend = end;
	}
	if (prevend != datalen || present != npresent || seenmax != maxts)
		goto bad;
	*entries = e;
	*n = nent;
	return true;

bad:
	free(e);
	return false;
}

/* ------------------------------------------------------------------------
 * Independent check of the timestamp text the formatter writes
 * ------------------------------------------------------------------------
 */
static int64_t
floordiv(int64_t a, int64_t b)
{
	return a / b - ((a % b != 0) && ((a < 0) != (b < 0)));
}

static bool
ref_leap(int64_t y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

/* Days from 2000-01-01 to a proleptic Gregorian date (year 0 = 1 BC) */
static int64_t
ref_days(int64_t y, int m, int d)
{
	static const int before[] = {0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334};
	int64_t		y1 = y - 1;
	int64_t		days = 365 * y1 + floordiv(y1, 4) - floordiv(y1, 100) + floordiv(y1, 400);

	days += before[m - 1] + (m > 2 && ref_leap(y) ? 1 : 0) + d - 1;
	return days - 730119;		/* days from 0001-01-01 to 2000-01-01 */
}

/* Read n digits of s at *i */
static bool
ref_digits(const char *s, int len, int *i, int n, int64_t *v)
{
	*v = 0;
	for (int k = 0; k < n; k++, (*i)++)
	{
		if (*i >= len || s[*i] < '0' || s[*i] > '9')
			return false;
		*v = *v * 10 + (s[*i] - '0');
	}
	return true;
}

/*
 * Is s the canonical text of ts: [+-]YYYY-MM-DDTHH:MM:SS[.f]Z in UTC, the
 * year astronomical (year 0 = 1 BC) with '-' when negative, '+' above 9999,
 * at least 4 digits and no leading zero beyond them, the fraction without
 * trailing zeros?
 */
static bool
ref_ts_text_is(const char *s, int len, int64_t ts)
{
	int			i = 0;
	int			ystart;
	char		ysign = 0;
	int64_t		year = 0,
				mon,
				day,
				hh,
				mi,
				ss,
				frac = 0,
				v;

	if (len > 0 && (s[0] == '+' || s[0] == '-'))
		ysign = s[i++];
	ystart = i;
	while (i < len && s[i] >= '0' && s[i] <= '9' && i - ystart < 8)
		year = year * 10 + (s[i++] - '0');
	if (i - ystart < 4 || (i - ystart > 4 && s[ystart] == '0'))
		return false;
	if (ysign == '+' && year <= 9999)
		return false;
	if (ysign == 0 && year > 9999)
		return false;
	if (ysign == '-')
	{
		if (year == 0)
			return false;
		year = -year;
	}
	if (i >= len || s[i++] != '-' || !ref_digits(s, len, &i, 2, &mon) ||
		i >= len || s[i++] != '-' || !ref_digits(s, len, &i, 2, &day) ||
		i >= len || s[i++] != 'T' || !ref_digits(s, len, &i, 2, &hh) ||
		i >= len || s[i++] != ':' || !ref_digits(s, len, &i, 2, &mi) ||
		i >= len || s[i++] != ':' || !ref_digits(s, len, &i, 2, &ss))
		return false;
	if (i < len && s[i] == '.')
	{
		int			nd = 0;

		i++;
		while (i < len && s[i] >= '0' && s[i] <= '9' && nd < 7)
		{
			frac = frac * 10 + (s[i++] - '0');
			nd++;
		}
		if (nd == 0 || nd > 6 || s[i - 1] == '0')
			return false;
		for (; nd < 6; nd++)
			frac *= 10;
	}
	if (i != len - 1 || s[i] != 'Z')
		return false;
	if (mon < 1 || mon > 12 || hh > 23 || mi > 59 || ss > 59 || day < 1)
		return false;
	v = (mon == 2 && ref_leap(year)) ? 29 :
		(int64_t[]) {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31}[mon - 1];
	if (day > v)
		return false;
	/* ts is in range, so these stay far from overflow for a matching text */
	if (year < -5000 || year > 300000)
		return false;
	v = ref_days(year, (int) mon, (int) day) * USECS_PER_DAY +
		((hh * 60 + mi) * 60 + ss) * USECS_PER_SEC + frac;
	return v == ts;
}

/* likeset_format_ts of ts is canonical and right; parse_ts reads it back */
static void
check_ts_text(int64_t ts)
{
	char		buf[LIKESET_TS_BUFLEN + 8];
	int			len;
	int64_t		back = 0;

	memset(buf, 0x7f, sizeof(buf));
	len = likeset_format_ts(ts, buf);
	REQUIRE(len > 0 && len <= LIKESET_TS_BUFLEN);
	REQUIRE(memchr(buf, 0x7f, (size_t) len) == NULL);
	REQUIRE(ref_ts_text_is(buf, len, ts));
	REQUIRE(likeset_parse_ts(buf, (size_t) len, &back));
	REQUIRE(back == ts);
}

/* ------------------------------------------------------------------------
 * Checks on values the core built
 * ------------------------------------------------------------------------
 */

/* Same value: same size and the same bytes after the varlena header */
static bool
same_value(const LikesetData *a, const LikesetData *b)
{
	size_t		sa = likeset_size(a);

	return sa == likeset_size(b) &&
		memcmp((const char *) a + 4, (const char *) b + 4, sa - 4) == 0;
}

/* A value built by the core passes likeset_validate and the independent check */
static void
check_valid(const LikesetData *s, RefEntry **entries, uint32_t *n)
{
	size_t		size = likeset_size(s);
	LikesetError err;
	RefEntry   *e;
	uint32_t	ne;

	REQUIRE(size >= HDR);
	REQUIRE(likeset_validate(s, size, &err) == LIKESET_OK);
	REQUIRE(ref_decode((const unsigned char *) s, size, &e, &ne));
	if (entries)
	{
		*entries = e;
		*n = ne;
	}
	else
		free(e);
}

static void
free_unless(LikesetData *r, const LikesetData *keep)
{
	if (r != keep)
		likeset_free(r);
}

/* ------------------------------------------------------------------------
 * Independent reading of the packed format (version 3), by the layout in
 * likeset_pack.c's header comment
 * ------------------------------------------------------------------------
 */
#define PHDR			48		/* documented packed header size */
#define RESTART			32		/* documented restart interval */

_Static_assert(LIKESET_PACKED_HDRSZ == PHDR, "the documented packed header is 48 bytes");

/* What ref_packed_decode found */
typedef enum
{
	PACKED_OK,
	PACKED_BAD_HEADER,			/* size, version, reserved fields, count, width */
	PACKED_BAD_BODY				/* any other invariant */
} PackedVerdict;

/* A decoded packed value: entries pointing into data (both malloc'd) */
typedef struct RefPacked
{
	RefEntry   *e;
	uint32_t	n;
	unsigned char *data;
	int64_t		horizon;
} RefPacked;

static void
ref_packed_free(RefPacked *r)
{
	free(r->e);
	free(r->data);
	r->e = NULL;
	r->data = NULL;
}

/* Read a LEB128 varint of at most 2 bytes, minimal, from s[*pos..len) */
static bool
ref_varint(const unsigned char *s, uint32_t len, uint32_t *pos, uint32_t *v)
{
	if (*pos >= len)
		return false;
	*v = s[*pos] & 127;
	if ((s[(*pos)++] & 128) == 0)
		return true;
	/* a second byte: the last (no high bit), and not 0 (not minimal) */
	if (*pos >= len || (s[*pos] & 128) != 0 || s[*pos] == 0)
		return false;
	*v += (uint32_t) s[(*pos)++] << 7;
	return true;
}

/*
 * Check every documented invariant of a packed value of exactly size
 * bytes, including the one-encoding rules (longest shared prefix, lowest
 * tsbase, smallest width, minimal varints, padding bits 0); on PACKED_OK,
 * *r holds its entries (ref_packed_free).
 */
static PackedVerdict
ref_packed_decode(const unsigned char *v, size_t size, RefPacked *r)
{
	uint32_t	nent;
	uint32_t	npresent;
	uint32_t	elemlen;
	uint32_t	nr;
	unsigned	bits;
	int64_t		maxts;
	int64_t		tsbase;
	uint64_t	range;
	size_t		tslen;
	const unsigned char *s;
	const unsigned char *tsend;
	uint32_t	pos = 0;
	uint32_t	present = 0;
	int64_t		seenmax = INT64_MIN;
	bool		base_seen = false;
	size_t		dlen = 0;
	size_t		dcap;
	uint32_t   *start;

	r->e = NULL;
	r->data = NULL;
	r->n = 0;
	if (size < PHDR)
		return PACKED_BAD_HEADER;
	if (v[4] != 3 || v[5] != 0 || v[6] != 0 || v[7] != 0 ||
		v[45] != 0 || v[46] != 0 || v[47] != 0)
		return PACKED_BAD_HEADER;
	nent = rd_u32(v + 8);
	npresent = rd_u32(v + 12);
	maxts = rd_i64(v + 16);
	r->horizon = rd_i64(v + 24);
	tsbase = rd_i64(v + 32);
	elemlen = rd_u32(v + 40);
	bits = v[44];
	if (nent > LIKESET_MAX_ENTRIES || bits > 64)
		return PACKED_BAD_HEADER;
	nr = (nent + RESTART - 1) / RESTART;
	tslen = ((size_t) nent * bits + 7) / 8;
	if (size != PHDR + 4 * (size_t) nr + elemlen + tslen)
		return PACKED_BAD_HEADER;
	/* the element stream after the restarts; the timestamps last, backwards */
	s = v + PHDR + 4 * (size_t) nr;
	tsend = v + size - 1;

	/* the horizon: none, or a timestamp in range */
	if (r->horizon != INT64_MIN && !ref_ts_valid(r->horizon))
		return PACKED_BAD_BODY;
	if (nent == 0)
	{
		if (tsbase != 0 || bits != 0 || elemlen != 0 || maxts != INT64_MIN || npresent != 0)
			return PACKED_BAD_BODY;
		r->e = xmalloc(sizeof(RefEntry));
		r->data = xmalloc(1);
		return PACKED_OK;
	}
	if (!ref_ts_valid(tsbase) || !ref_ts_valid(maxts) || maxts < tsbase)
		return PACKED_BAD_BODY;
	range = (uint64_t) maxts - (uint64_t) tsbase;
	/* the smallest width that holds maxts - tsbase */
	{
		unsigned	w = 0;

		while (w < 64 && (range >> w) != 0)
			w++;
		if (bits != w)
			return PACKED_BAD_BODY;
	}
	/*
	 * The unused bits of the bit stream's last byte.  Bit p of the stream
	 * is bit p % 8 of stream byte p / 8, which is the value's byte
	 * size - 1 - p / 8.
	 */
	for (size_t p = (size_t) nent * bits; p < 8 * tslen; p++)
		if ((*(tsend - p / 8) >> (p % 8)) & 1)
			return PACKED_BAD_BODY;

	dcap = 64;
	r->data = xmalloc(dcap);
	r->e = xmalloc(sizeof(RefEntry) * nent);
	start = xmalloc(sizeof(uint32_t) * nent);
	for (uint32_t i = 0; i < nent; i++)
	{
		unsigned char h;
		uint32_t	shared;
		uint32_t	rest;
		uint32_t	x;
		uint32_t	prevlen = i == 0 ? 0 : r->e[i - 1].len;
		const unsigned char *prev = i == 0 ? NULL : r->data + start[i - 1];
		unsigned char *elem;
		uint64_t	delta = 0;

		if (i % RESTART == 0 && rd_u32(v + PHDR + 4 * (size_t) (i / RESTART)) != pos)
			goto bad;
		if (pos >= elemlen)
			goto bad;
		h = s[pos++];
		shared = (h >> 3) & 15;
		rest = h & 7;
		if (shared == 15)
		{
			if (!ref_varint(s, elemlen, &pos, &x))
				goto bad;
			shared += x;
		}
		if (rest == 7)
		{
			if (!ref_varint(s, elemlen, &pos, &x))
				goto bad;
			rest += x;
		}
		/* restart points stand alone; others share at most the previous element */
		if (i % RESTART == 0 ? shared != 0 : shared > prevlen)
			goto bad;
		if (shared + rest > LIKESET_MAX_ELEMENT_LEN || elemlen - pos < rest)
			goto bad;
		while (dlen + shared + rest > dcap)
		{
			unsigned char *nd = xmalloc(2 * dcap);

			memcpy(nd, r->data, dlen);
			free(r->data);
			r->data = nd;
			dcap *= 2;
			prev = i == 0 ? NULL : r->data + start[i - 1];
		}
		elem = r->data + dlen;
		if (shared > 0)
			memcpy(elem, prev, shared);
		memcpy(elem + shared, s + pos, rest);
		pos += rest;
		start[i] = (uint32_t) dlen;
		dlen += shared + rest;
		r->e[i].len = shared + rest;
		r->e[i].removed = (h & 128) != 0;

		/* shared is the longest common prefix with the previous element */
		if (i % RESTART != 0)
		{
			uint32_t	k = 0;

			while (k < prevlen && k < r->e[i].len && prev[k] == elem[k])
				k++;
			if (k != shared)
				goto bad;
		}
		if (memchr(elem, '\0', r->e[i].len) != NULL)
			goto bad;
		if (i > 0 && ref_cmp(prev, prevlen, elem, r->e[i].len) >= 0)
			goto bad;

		/* the timestamp, bit by bit, least significant first */
		for (unsigned j = 0; j < bits; j++)
		{
			size_t		p = (size_t) i * bits + j;

			delta |= (uint64_t) ((*(tsend - p / 8) >> (p % 8)) & 1) << j;
		}
		if (delta > range)
			goto bad;
		if (delta == 0)
			base_seen = true;
		r->e[i].ts = (int64_t) ((uint64_t) tsbase + delta);
		if (r->e[i].removed && r->horizon != INT64_MIN && r->e[i].ts < r->horizon)
			goto bad;
		if (!r->e[i].removed)
			present++;
		if (r->e[i].ts > seenmax)
			seenmax = r->e[i].ts;
	}
	if (pos != elemlen || !base_seen || present != npresent || seenmax != maxts)
		goto bad;
	for (uint32_t i = 0; i < nent; i++)
		r->e[i].elem = r->data + start[i];
	free(start);
	r->n = nent;
	return PACKED_OK;

bad:
	free(start);
	ref_packed_free(r);
	return PACKED_BAD_BODY;
}

/* likeset_packed_lookup of elem in the packed value v agrees with the entries */
static void
check_packed_lookup(const unsigned char *v, size_t size, const RefEntry *e, uint32_t n,
					const unsigned char *elem, uint32_t len)
{
	int64_t		ts = 0x5555;
	bool		removed = false;
	int			got = likeset_packed_lookup((const LikesetPacked *) v, size,
											(const char *) elem, len, &ts, &removed);
	int64_t		at = -1;

	for (uint32_t i = 0; i < n && at < 0; i++)
		if (ref_cmp(e[i].elem, e[i].len, elem, len) == 0)
			at = i;
	if (at < 0)
		REQUIRE(got == 0);
	else
	{
		REQUIRE(got == 1);
		REQUIRE(ts == e[at].ts);
		REQUIRE(removed == e[at].removed);
	}
}

/*
 * Pack s: the packed value is what the independent reader reads as s's
 * entries and horizon; unpack gives s back byte for byte; lookup finds
 * every entry (restart points and the rest) and nothing else.  Returns
 * the packed value, in a buffer of exactly its size (free it).
 */
static unsigned char *
check_pack_roundtrip(const LikesetData *s, const RefEntry *e, uint32_t n, size_t *sizep)
{
	LikesetPacked *p = NULL;
	size_t		size = 0;
	unsigned char *c;
	RefPacked	rp;
	LikesetData *u = NULL;
	LikesetError err;
	unsigned char *probe;

	REQUIRE(likeset_pack(s, &p, &size) == LIKESET_OK);
	REQUIRE(size >= PHDR && size <= likeset_packed_bound(s));
	c = xmalloc(size);
	memcpy(c, p, size);
	likeset_free(p);

	REQUIRE(ref_packed_decode(c, size, &rp) == PACKED_OK);
	REQUIRE(rp.n == n);
	REQUIRE(rp.horizon == s->horizon);
	for (uint32_t i = 0; i < n; i++)
	{
		REQUIRE(rp.e[i].len == e[i].len);
		REQUIRE(memcmp(rp.e[i].elem, e[i].elem, e[i].len) == 0);
		REQUIRE(rp.e[i].removed == e[i].removed);
		REQUIRE(rp.e[i].ts == e[i].ts);
	}
	ref_packed_free(&rp);

	REQUIRE(likeset_unpack((const LikesetPacked *) c, size, &u, &err) == LIKESET_OK);
	REQUIRE(same_value(u, s));
	likeset_free(u);

	/* every entry, and each one byte shorter and longer (absent or listed) */
	probe = xmalloc(LIKESET_MAX_ELEMENT_LEN + 2);
	for (uint32_t i = 0; i < n && i < 200; i++)
	{
		check_packed_lookup(c, size, e, n, e[i].elem, e[i].len);
		memcpy(probe, e[i].elem, e[i].len);
		if (e[i].len > 0)
			check_packed_lookup(c, size, e, n, probe, e[i].len - 1);
		probe[e[i].len] = 1;
		check_packed_lookup(c, size, e, n, probe, e[i].len + 1);
	}
	check_packed_lookup(c, size, e, n, (const unsigned char *) "", 0);
	check_packed_lookup(c, size, e, n, (const unsigned char *) "\xff", 1);
	free(probe);
	*sizep = size;
	return c;
}

/*
 * The canonical text of a value, as documented: entries in order, '-' for a
 * tombstone, the element quoted when it is empty, starts with '-', or holds
 * , { } " \\ @, whitespace, a control or a non-ASCII byte (with '"' and
 * '\\' escaped), and '@' with the timestamp unless it is the lowest.  The
 * timestamps' own text is checked independently by check_ts_text.
 */
static void
check_format_canonical(const RefEntry *e, uint32_t n, int64_t horizon,
					   const char *text, size_t len)
{
	size_t		cap = 4 + LIKESET_TS_BUFLEN;
	char	   *want;
	size_t		o = 0;

	for (uint32_t i = 0; i < n; i++)
		cap += 5 + LIKESET_TS_BUFLEN + 2 * (size_t) e[i].len;
	want = xmalloc(cap);
	if (horizon != LIKESET_TS_NONE)
	{
		/* a recorded horizon leads: @timestamp{...} */
		want[o++] = '@';
		o += (size_t) likeset_format_ts(horizon, want + o);
	}
	want[o++] = '{';
	for (uint32_t i = 0; i < n; i++)
	{
		bool		quote = e[i].len == 0 || e[i].elem[0] == '-';

		for (uint32_t j = 0; j < e[i].len && !quote; j++)
		{
			unsigned char c = e[i].elem[j];

			quote = c < 0x20 || c >= 0x7f || strchr(",{}\"\\@ ", c) != NULL;
		}
		if (i > 0)
			want[o++] = ',';
		if (e[i].removed)
			want[o++] = '-';
		if (quote)
			want[o++] = '"';
		for (uint32_t j = 0; j < e[i].len; j++)
		{
			if (quote && (e[i].elem[j] == '"' || e[i].elem[j] == '\\'))
				want[o++] = '\\';
			want[o++] = (char) e[i].elem[j];
		}
		if (quote)
			want[o++] = '"';
		if (e[i].ts != LIKESET_TS_MIN)
		{
			want[o++] = '@';
			o += (size_t) likeset_format_ts(e[i].ts, want + o);
		}
	}
	want[o++] = '}';
	REQUIRE(o <= cap);
	REQUIRE(len == o && memcmp(text, want, o) == 0);
	free(want);
}

/*
 * format -> parse -> format: the parsed value is s, byte for byte, and the
 * second text is the first.  Returns the text (likeset_free it).
 */
static char *
check_text_roundtrip(const LikesetData *s)
{
	size_t		len;
	size_t		len2;
	char	   *t = likeset_format(s, &len);
	char	   *t2;
	LikesetData *s2 = NULL;
	LikesetError err;

	REQUIRE(t != NULL);
	REQUIRE(strlen(t) == len);
	REQUIRE(len >= 2 && t[0] == (s->horizon == LIKESET_TS_NONE ? '{' : '@') && t[len - 1] == '}');
	REQUIRE(likeset_parse(t, &s2, &err) == LIKESET_OK);
	check_valid(s2, NULL, NULL);
	REQUIRE(same_value(s, s2));
	t2 = likeset_format(s2, &len2);
	REQUIRE(t2 != NULL);
	REQUIRE(len2 == len && memcmp(t, t2, len + 1) == 0);
	likeset_free(t2);
	likeset_free(s2);
	return t;
}

/* Timestamps of every entry format canonically and read back */
static void
check_entry_ts(const RefEntry *e, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++)
		check_ts_text(e[i].ts);
}

/* likeset_get_entry agrees with the independent decoding */
static void
check_accessors(const LikesetData *s, const RefEntry *e, uint32_t n)
{
	LikesetEntry ce;

	REQUIRE(s->nentries == n);
	for (uint32_t i = 0; i < n; i++)
	{
		likeset_get_entry(s, i, &ce);
		REQUIRE(ce.len == e[i].len);
		REQUIRE((const unsigned char *) ce.elem == e[i].elem);
		REQUIRE(ce.removed == e[i].removed);
		REQUIRE(ce.ts == e[i].ts);
	}
}

/*
 * likeset_find of an element: its index when present, else -(insertion
 * point) - 1, checked against the sorted entries.
 */
static void
check_find(const LikesetData *s, const RefEntry *e, uint32_t n,
		   const unsigned char *elem, uint32_t len)
{
	int64_t		pos = likeset_find(s, (const char *) elem, len);

	if (pos >= 0)
	{
		REQUIRE(pos < n);
		REQUIRE(ref_cmp(e[pos].elem, e[pos].len, elem, len) == 0);
	}
	else
	{
		int64_t		ip = -pos - 1;

		REQUIRE(ip >= 0 && ip <= n);
		if (ip > 0)
			REQUIRE(ref_cmp(e[ip - 1].elem, e[ip - 1].len, elem, len) < 0);
		if (ip < n)
			REQUIRE(ref_cmp(e[ip].elem, e[ip].len, elem, len) > 0);
	}
}

/* likeset_compare: lexicographic over (element, ts, removed), prefix first */
static int
ref_compare(const RefEntry *a, uint32_t na, const RefEntry *b, uint32_t nb)
{
	uint32_t	i;

	for (i = 0; i < na && i < nb; i++)
	{
		int			c = ref_cmp(a[i].elem, a[i].len, b[i].elem, b[i].len);

		if (c == 0)
			c = ref_opcmp(&a[i], &b[i]);
		if (c != 0)
			return c;
	}
	return na == nb ? 0 : (na < nb ? -1 : 1);
}

/*
 * Wire encoding of a value's entries and horizon (INT64_MIN: none), as
 * likeset_send writes it: version 2 and the horizon when there is one
 */
static unsigned char *
wire_encode(const RefEntry *e, uint32_t n, int64_t horizon, size_t *len)
{
	size_t		cap = horizon == INT64_MIN ? 5 : 13;
	unsigned char *out;
	unsigned char *p;

	for (uint32_t i = 0; i < n; i++)
		cap += SEND_ENTRY_MIN + e[i].len;
	out = xmalloc(cap);
	p = out;
	if (horizon == INT64_MIN)
		*p++ = SEND_VERSION;
	else
	{
		*p++ = SEND_VERSION_HORIZON;
		for (int k = 7; k >= 0; k--)
			*p++ = (unsigned char) ((uint64_t) horizon >> (8 * k));
	}
	for (int k = 3; k >= 0; k--)
		*p++ = (unsigned char) (n >> (8 * k));
	for (uint32_t i = 0; i < n; i++)
	{
		uint64_t	ts = (uint64_t) e[i].ts;

		for (int k = 7; k >= 0; k--)
			*p++ = (unsigned char) (ts >> (8 * k));
		*p++ = e[i].removed ? 1 : 0;
		for (int k = 3; k >= 0; k--)
			*p++ = (unsigned char) (e[i].len >> (8 * k));
		memcpy(p, e[i].elem, e[i].len);
		p += e[i].len;
	}
	*len = (size_t) (p - out);
	REQUIRE(*len == cap);
	return out;
}

/*
 * Everything a valid value must satisfy: accessors, find, compare with
 * itself, merge with itself and with the empty set, timestamps' text, and
 * the text and binary round trips.
 */
static void
check_value_laws(const LikesetData *s)
{
	RefEntry   *e;
	uint32_t	n;
	LikesetData *empty = likeset_empty();
	LikesetData *r;
	LikesetEntry *ops;
	LikesetError err;
	char	   *t;

	REQUIRE(empty != NULL);
	check_valid(s, &e, &n);
	check_accessors(s, e, n);
	check_entry_ts(e, n);
	for (uint32_t i = 0; i < n; i++)
		REQUIRE(likeset_find(s, (const char *) e[i].elem, e[i].len) == i);
	REQUIRE(likeset_compare(s, s) == 0);
	REQUIRE(sign(likeset_compare(s, empty)) == (n > 0 || s->horizon != LIKESET_TS_NONE ? 1 : 0));
	REQUIRE(sign(likeset_compare(empty, s)) == (n > 0 || s->horizon != LIKESET_TS_NONE ? -1 : 0));

	REQUIRE(likeset_merge(s, s, &r) == LIKESET_OK);
	check_valid(r, NULL, NULL);
	REQUIRE(same_value(r, s));
	free_unless(r, s);
	REQUIRE(likeset_merge(s, empty, &r) == LIKESET_OK);
	REQUIRE(same_value(r, s));
	free_unless(r, s);
	REQUIRE(likeset_merge(empty, s, &r) == LIKESET_OK);
	REQUIRE(same_value(r, s));
	free_unless(r, s);

	/* the entries, in order, rebuild the value with either builder */
	ops = xmalloc(sizeof(LikesetEntry) * (n == 0 ? 1 : n));
	for (uint32_t i = 0; i < n; i++)
	{
		ops[i].elem = (const char *) e[i].elem;
		ops[i].len = e[i].len;
		ops[i].removed = e[i].removed;
		ops[i].ts = e[i].ts;
	}
	REQUIRE(likeset_build_sorted(ops, n, &r, &err) == LIKESET_OK);
	REQUIRE(likeset_set_horizon(r, s->horizon, &err) == LIKESET_OK);
	REQUIRE(same_value(r, s));
	likeset_free(r);
	/* reversed, so that likeset_build has to sort */
	for (uint32_t i = 0; i < n / 2; i++)
	{
		LikesetEntry tmp = ops[i];

		ops[i] = ops[n - 1 - i];
		ops[n - 1 - i] = tmp;
	}
	REQUIRE(likeset_build(ops, n, &r) == LIKESET_OK);
	REQUIRE(likeset_set_horizon(r, s->horizon, &err) == LIKESET_OK);
	REQUIRE(same_value(r, s));
	likeset_free(r);
	free(ops);

	t = check_text_roundtrip(s);
	check_format_canonical(e, n, s->horizon, t, strlen(t));
	likeset_free(t);

	/* the packed format: pack, read independently, unpack, lookup */
	{
		size_t		psize;

		free(check_pack_roundtrip(s, e, n, &psize));
	}
	likeset_free(empty);
	free(e);
}

/* ------------------------------------------------------------------------
 * Reference parser of the text form, from the grammar in likeset_text.c's
 * header comment and the contract (repeated elements: the greatest
 * operation wins; no '@': the lowest timestamp)
 * ------------------------------------------------------------------------
 */
static bool
ref_space(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

static bool
ref_special(unsigned char c)
{
	return c == ',' || c == '{' || c == '}' || c == '"' || c == '\\' || c == '@' ||
		ref_space(c);
}

/*
 * [+-]YYYY-MM-DD(T| )HH:MM:SS[.ffffff][ ...](Z|+HH[:MM]|+HHMM|-...), the
 * year with 4 to 7 digits (astronomical, year 0 = 1 BC), offsets up to
 * 15:59, and the instant within [4714-11-24 BC, 294277-01-01) UTC.
 */
static bool
ref_parse_ts(const unsigned char *s, size_t len, int64_t *ts)
{
	size_t		i = 0;
	size_t		ystart;
	bool		neg = false;
	int64_t		year = 0,
				mon,
				day,
				hh,
				mi,
				ss,
				frac = 0,
				oh = 0,
				om = 0,
				mdays;
	int			osign = 0;
	__int128	v;
	const char *c = (const char *) s;
	int			n = (int) len;
	int			k;

	if (len > INT32_MAX)
		return false;
	if (i < len && (s[i] == '+' || s[i] == '-'))
		neg = s[i++] == '-';
	ystart = i;
	while (i < len && s[i] >= '0' && s[i] <= '9')
	{
		year = year * 10 + (s[i++] - '0');
		if (i - ystart > 7)
			return false;
	}
	if (i - ystart < 4)
		return false;
	if (neg)
		year = -year;
	k = (int) i;
	if (k >= n || c[k++] != '-' || !ref_digits(c, n, &k, 2, &mon) ||
		k >= n || c[k++] != '-' || !ref_digits(c, n, &k, 2, &day))
		return false;
	if (k >= n || (c[k] != 'T' && c[k] != ' '))
		return false;
	k++;
	if (!ref_digits(c, n, &k, 2, &hh) ||
		k >= n || c[k++] != ':' || !ref_digits(c, n, &k, 2, &mi) ||
		k >= n || c[k++] != ':' || !ref_digits(c, n, &k, 2, &ss))
		return false;
	if (k < n && c[k] == '.')
	{
		int			nd = 0;

		k++;
		while (k < n && c[k] >= '0' && c[k] <= '9')
		{
			if (++nd > 6)
				return false;
			frac = frac * 10 + (c[k++] - '0');
		}
		if (nd == 0)
			return false;
		for (; nd < 6; nd++)
			frac *= 10;
	}
	while (k < n && c[k] == ' ')
		k++;
	if (k < n && c[k] == 'Z')
		k++;
	else if (k < n && (c[k] == '+' || c[k] == '-'))
	{
		osign = c[k++] == '-' ? -1 : 1;
		if (!ref_digits(c, n, &k, 2, &oh))
			return false;
		if (k < n && c[k] == ':')
		{
			k++;
			if (!ref_digits(c, n, &k, 2, &om))
				return false;
		}
		else if (k < n && !ref_digits(c, n, &k, 2, &om))
			return false;
	}
	else
		return false;
	if (k != n)
		return false;
	if (mon < 1 || mon > 12 || hh > 23 || mi > 59 || ss > 59 || oh > 15 || om > 59)
		return false;
	mdays = (mon == 2 && ref_leap(year)) ? 29 :
		(int64_t[]) {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31}[mon - 1];
	if (day < 1 || day > mdays)
		return false;
	v = (__int128) ref_days(year, (int) mon, (int) day) * USECS_PER_DAY +
		((hh * 60 + mi) * 60 + ss) * USECS_PER_SEC + frac -
		(__int128) osign * (oh * 3600 + om * 60) * USECS_PER_SEC;
	if (v < INT64_MIN || v > INT64_MAX || !ref_ts_valid((int64_t) v))
		return false;
	*ts = (int64_t) v;
	return true;
}

/* Model order: element ascending, then the greatest operation first */
static int
ref_model_cmp(const void *pa, const void *pb)
{
	const RefEntry *a = pa;
	const RefEntry *b = pb;
	int			c = ref_cmp(a->elem, a->len, b->elem, b->len);

	return c != 0 ? c : -ref_opcmp(a, b);
}

/*
 * Parse str per the grammar into the set it denotes: *n entries sorted by
 * element in ops (room for strlen(str) + 1), element bytes in buf (the
 * same).  Returns LIKESET_OK, LIKESET_ERR_SYNTAX or
 * LIKESET_ERR_ELEMENT_TOO_LONG for the first problem met.
 */
static LikesetStatus
ref_parse_text(const char *str, unsigned char *buf, RefEntry *ops, size_t *n,
			   int64_t *horizon)
{
	const unsigned char *p = (const unsigned char *) str;
	size_t		blen = 0;
	size_t		nops = 0;
	size_t		k;

	*n = 0;
	*horizon = INT64_MIN;
	while (ref_space(*p))
		p++;
	if (*p == '@')
	{
		/* a compaction horizon: "@" timestamp, then the brace */
		const unsigned char *t;
		const unsigned char *te;

		for (p++; ref_space(*p); p++)
			;
		for (t = p; *p != '\0' && *p != '{'; p++)
			;
		for (te = p; te > t && ref_space(te[-1]); te--)
			;
		if (!ref_parse_ts(t, (size_t) (te - t), horizon))
			return LIKESET_ERR_SYNTAX;
	}
	if (*p++ != '{')
		return LIKESET_ERR_SYNTAX;
	while (ref_space(*p))
		p++;
	if (*p == '}')
		p++;
	else
	{
		for (;;)
		{
			RefEntry   *op = &ops[nops];

			op->removed = false;
			op->ts = LIKESET_TS_MIN;
			if (*p == '-')
			{
				op->removed = true;
				p++;
			}
			op->elem = buf + blen;
			if (*p == '"')
			{
				for (p++; *p != '"'; p++)
				{
					if (*p == '\\')
						p++;
					if (*p == '\0')
						return LIKESET_ERR_SYNTAX;
					buf[blen++] = *p;
				}
				p++;
			}
			else
			{
				if (*p == '\0' || *p == '-' || ref_special(*p))
					return LIKESET_ERR_SYNTAX;
				while (*p != '\0' && !ref_special(*p))
					buf[blen++] = *p++;
			}
			op->len = (uint32_t) (buf + blen - op->elem);
			if (op->len > LIKESET_MAX_ELEMENT_LEN)
				return LIKESET_ERR_ELEMENT_TOO_LONG;
			while (ref_space(*p))
				p++;
			if (*p == '@')
			{
				const unsigned char *t;
				const unsigned char *te;

				for (p++; ref_space(*p); p++)
					;
				for (t = p; *p != '\0' && *p != ',' && *p != '}'; p++)
					;
				for (te = p; te > t && ref_space(te[-1]); te--)
					;
				if (!ref_parse_ts(t, (size_t) (te - t), &op->ts))
					return LIKESET_ERR_SYNTAX;
			}
			nops++;
			while (ref_space(*p))
				p++;
			if (*p == '}')
			{
				p++;
				break;
			}
			if (*p++ != ',')
				return LIKESET_ERR_SYNTAX;
			while (ref_space(*p))
				p++;
		}
	}
	while (ref_space(*p))
		p++;
	if (*p != '\0')
		return LIKESET_ERR_SYNTAX;

	/* each element keeps its greatest operation */
	qsort(ops, nops, sizeof(RefEntry), ref_model_cmp);
	for (size_t i = k = 0; i < nops; i++)
	{
		if (k > 0 && ref_cmp(ops[k - 1].elem, ops[k - 1].len, ops[i].elem, ops[i].len) == 0)
			continue;
		ops[k++] = ops[i];
	}
	/* a tombstone older than the horizon cannot be in a compacted value */
	for (size_t i = 0; i < k; i++)
		if (ops[i].removed && ops[i].ts < *horizon)
			return LIKESET_ERR_SYNTAX;
	*n = k;
	return LIKESET_OK;
}

/* ------------------------------------------------------------------------
 * Mode 0: text form
 * ------------------------------------------------------------------------
 */
static void
fuzz_text(const uint8_t *data, size_t size)
{
	char	   *str = xmalloc(size + 1);
	size_t		slen;
	LikesetData *s = NULL;
	LikesetError err;
	LikesetStatus st;

	unsigned char *rbuf;
	RefEntry   *rops;
	size_t		rn;
	int64_t		rh;
	LikesetStatus rst;

	memcpy(str, data, size);
	str[size] = '\0';
	slen = strlen(str);
	rbuf = xmalloc(slen + 1);
	rops = xmalloc(sizeof(RefEntry) * (slen + 1));
	rst = ref_parse_text(str, rbuf, rops, &rn, &rh);
	memset(&err, 0x55, sizeof(err));
	st = likeset_parse(str, &s, &err);
	/* the parser accepts what the grammar allows, and denotes the same set */
	REQUIRE(st == rst);
	if (st == LIKESET_OK)
	{
		RefEntry   *e;
		uint32_t	n;

		check_valid(s, &e, &n);
		REQUIRE(n == rn);
		REQUIRE(s->horizon == rh);
		for (uint32_t i = 0; i < n; i++)
		{
			REQUIRE(ref_cmp(e[i].elem, e[i].len, rops[i].elem, rops[i].len) == 0);
			REQUIRE(e[i].ts == rops[i].ts && e[i].removed == rops[i].removed);
		}
		free(e);
	}
	free(rbuf);
	free(rops);
	if (st != LIKESET_OK)
	{
		/* a rejection says what and where */
		REQUIRE(err.status == st);
		REQUIRE(memchr(err.detail, '\0', sizeof(err.detail)) != NULL);
		if (st == LIKESET_ERR_SYNTAX || st == LIKESET_ERR_ELEMENT_TOO_LONG ||
			st == LIKESET_ERR_TOO_MANY)
		{
			REQUIRE(err.pos >= 1 && (size_t) err.pos <= slen + 1);
			REQUIRE(err.detail[0] != '\0');
		}
		REQUIRE(st != LIKESET_ERR_CORRUPT && st != LIKESET_ERR_TS_RANGE);
		free(str);
		return;
	}
	REQUIRE(err.status == LIKESET_OK);
	check_value_laws(s);
	likeset_free(s);
	free(str);
}

static LikesetData *wire_decode(const uint8_t *data, size_t size);

/* ------------------------------------------------------------------------
 * Mode 1: stored form
 * ------------------------------------------------------------------------
 */

/*
 * A packed (version 3) value: likeset_unpack must agree with the
 * independent reader; an accepted value is valid, holds what the reader
 * read, and packs back to exactly the input (one encoding per value);
 * lookup never crashes, answers -1 when the header is bad, and agrees with
 * the entries when the value is good.
 */
static void
fuzz_packed(const uint8_t *data, size_t size)
{
	/* exactly size bytes, so ASan catches any read past the value */
	unsigned char *v = xmalloc(size);
	RefPacked	rp;
	PackedVerdict verdict;
	LikesetData *s = NULL;
	LikesetError err;
	LikesetStatus st;
	RefEntry   *e;
	uint32_t	n;
	unsigned char *c;
	size_t		csize;

	memcpy(v, data, size);
	verdict = ref_packed_decode(v, size, &rp);
	memset(&err, 0x55, sizeof(err));
	st = likeset_unpack((const LikesetPacked *) v, size, &s, &err);
	/* a packed value is no flat one */
	REQUIRE(likeset_validate((const LikesetData *) v, size, NULL) == LIKESET_ERR_CORRUPT);
	if (st != LIKESET_OK)
	{
		REQUIRE(st == LIKESET_ERR_CORRUPT);
		REQUIRE(err.status == LIKESET_ERR_CORRUPT);
		REQUIRE(memchr(err.detail, '\0', sizeof(err.detail)) != NULL);
		/* unpack rejects only what breaks a documented invariant */
		REQUIRE(verdict != PACKED_OK);
		/* lookup of the empty element and of slices of the input */
		for (size_t k = 0; k < 6; k++)
		{
			size_t		off = PHDR + 5 * k;
			size_t		len = off < size ? (k * 3 < size - off ? k * 3 : size - off) : 0;
			int64_t		ts = 0;
			bool		removed = false;
			int			got = likeset_packed_lookup((const LikesetPacked *) v, size,
													(const char *) v + (len ? off : 0),
													(uint32_t) len, &ts, &removed);

			REQUIRE(got >= -1 && got <= 1);
			if (verdict == PACKED_BAD_HEADER)
				REQUIRE(got == -1);
		}
		free(v);
		return;
	}
	/* unpack accepts only what keeps every documented invariant */
	REQUIRE(verdict == PACKED_OK);
	check_valid(s, &e, &n);
	REQUIRE(n == rp.n);
	REQUIRE(s->horizon == rp.horizon);
	for (uint32_t i = 0; i < n; i++)
	{
		REQUIRE(e[i].len == rp.e[i].len);
		REQUIRE(memcmp(e[i].elem, rp.e[i].elem, e[i].len) == 0);
		REQUIRE(e[i].removed == rp.e[i].removed);
		REQUIRE(e[i].ts == rp.e[i].ts);
	}
	/* one encoding per value: packing it again gives the input */
	c = check_pack_roundtrip(s, e, n, &csize);
	REQUIRE(csize == size && memcmp(c + 4, v + 4, size - 4) == 0);
	free(c);
	check_value_laws(s);
	ref_packed_free(&rp);
	free(e);
	likeset_free(s);
	free(v);
}

static void
fuzz_stored(const uint8_t *data, size_t size)
{
	/* exactly size bytes, so ASan catches any read past the value */
	LikesetData *s;
	LikesetError err;
	LikesetStatus st;
	RefEntry   *e;
	uint32_t	n;
	bool		refok;

	if (size > 4 && data[4] == LIKESET_FORMAT_VERSION_PACKED)
	{
		fuzz_packed(data, size);
		return;
	}
	s = xmalloc(size);
	memcpy(s, data, size);
	memset(&err, 0x55, sizeof(err));
	st = likeset_validate(s, size, &err);
	refok = ref_decode((const unsigned char *) s, size, &e, &n);
	if (st != LIKESET_OK)
	{
		REQUIRE(st == LIKESET_ERR_CORRUPT);
		REQUIRE(err.status == LIKESET_ERR_CORRUPT);
		REQUIRE(memchr(err.detail, '\0', sizeof(err.detail)) != NULL);
		/* validate rejects only what breaks a documented invariant */
		REQUIRE(!refok);
		free(s);
		return;
	}
	/* validate accepts only what keeps every documented invariant */
	REQUIRE(refok);
	REQUIRE(likeset_size(s) == size);
	check_value_laws(s);

	/* wire round trip: the entries sent and received give s back */
	{
		size_t		wlen;
		unsigned char *w = wire_encode(e, n, s->horizon, &wlen);
		LikesetData *r = wire_decode(w, wlen);

		REQUIRE(r != NULL);
		REQUIRE(same_value(r, s));
		likeset_free(r);
		free(w);
	}
	free(e);
	free(s);
}

/* ------------------------------------------------------------------------
 * Mode 2: binary wire form, decoded as likeset_recv does
 * ------------------------------------------------------------------------
 */
static uint32_t
be32(const uint8_t *p)
{
	return ((uint32_t) p[0] << 24) | ((uint32_t) p[1] << 16) |
		((uint32_t) p[2] << 8) | (uint32_t) p[3];
}

static uint64_t
be64(const uint8_t *p)
{
	return ((uint64_t) be32(p) << 32) | be32(p + 4);
}

/*
 * Decode a wire message with likeset_recv's checks and build it; check the
 * builder's verdict and, when accepted, that the value re-encodes to the
 * message exactly.  Returns the value, or NULL when the message is
 * rejected.
 */
static LikesetData *
wire_decode(const uint8_t *data, size_t size)
{
	size_t		cur = 0;
	int32_t		n;
	LikesetEntry *ops;
	RefEntry   *ref;
	LikesetData *r = NULL;
	LikesetError err;
	LikesetStatus st;
	bool		expect_ok = true;
	int64_t		horizon = INT64_MIN;

	/* likeset_recv's checks, in its order */
	if (size < 5 || (data[0] != SEND_VERSION && data[0] != SEND_VERSION_HORIZON))
		return NULL;
	cur = 1;
	if (data[0] == SEND_VERSION_HORIZON)
	{
		if (size < 13)
			return NULL;
		horizon = (int64_t) be64(data + cur);
		if (horizon == INT64_MIN)
			return NULL;
		cur += 8;
	}
	n = (int32_t) be32(data + cur);
	cur += 4;
	if (n < 0 || n > LIKESET_MAX_ENTRIES)
		return NULL;
	if ((size_t) n > (size - cur) / SEND_ENTRY_MIN)
		return NULL;
	ops = xmalloc(sizeof(LikesetEntry) * (n == 0 ? 1 : (size_t) n));
	ref = xmalloc(sizeof(RefEntry) * (n == 0 ? 1 : (size_t) n));
	for (int32_t i = 0; i < n; i++)
	{
		int			removed;
		int32_t		len;

		if (size - cur < SEND_ENTRY_MIN)
			goto out;
		ops[i].ts = (int64_t) be64(data + cur);
		removed = data[cur + 8];
		len = (int32_t) be32(data + cur + 9);
		cur += SEND_ENTRY_MIN;
		if (removed != 0 && removed != 1)
			goto out;
		if (len < 0 || len > LIKESET_MAX_ELEMENT_LEN)
			goto out;
		if (size - cur < (size_t) len)
			goto out;
		ops[i].removed = removed == 1;
		ops[i].len = (uint32_t) len;
		ops[i].elem = (const char *) data + cur;
		ref[i].elem = data + cur;
		ref[i].len = (uint32_t) len;
		ref[i].removed = removed == 1;
		ref[i].ts = ops[i].ts;
		cur += (size_t) len;
	}
	if (cur != size)
		goto out;

	/* what likeset_build_sorted must accept: sorted, unique, no NUL, in range */
	for (int32_t i = 0; i < n && expect_ok; i++)
	{
		if (memchr(ref[i].elem, '\0', ref[i].len) != NULL || !ref_ts_valid(ref[i].ts))
			expect_ok = false;
		if (i > 0 && ref_cmp(ref[i - 1].elem, ref[i - 1].len, ref[i].elem, ref[i].len) >= 0)
			expect_ok = false;
		/* likeset_set_horizon: no tombstone older than the horizon */
		if (horizon != INT64_MIN && ref[i].removed && ref[i].ts < horizon)
			expect_ok = false;
	}
	if (horizon != INT64_MIN && !ref_ts_valid(horizon))
		expect_ok = false;

	memset(&err, 0x55, sizeof(err));
	st = likeset_build_sorted(ops, (size_t) n, &r, &err);
	if (st == LIKESET_OK)
	{
		st = likeset_set_horizon(r, horizon, &err);
		if (st != LIKESET_OK)
			likeset_free(r);
	}
	if (!expect_ok)
	{
		REQUIRE(st == LIKESET_ERR_CORRUPT);
		REQUIRE(err.status == LIKESET_ERR_CORRUPT);
		REQUIRE(memchr(err.detail, '\0', sizeof(err.detail)) != NULL);
		r = NULL;
		goto out;
	}
	REQUIRE(st == LIKESET_OK);
	{
		RefEntry   *e;
		uint32_t	ne;
		size_t		wlen;
		unsigned char *w;

		check_valid(r, &e, &ne);
		REQUIRE(ne == (uint32_t) n);
		REQUIRE(r->horizon == horizon);
		for (int32_t i = 0; i < n; i++)
		{
			REQUIRE(e[i].len == ref[i].len);
			REQUIRE(memcmp(e[i].elem, ref[i].elem, e[i].len) == 0);
			REQUIRE(e[i].removed == ref[i].removed);
			REQUIRE(e[i].ts == ref[i].ts);
		}
		/* send of the value gives the message back exactly */
		w = wire_encode(e, ne, r->horizon, &wlen);
		REQUIRE(wlen == size && memcmp(w, data, size) == 0);
		free(w);
		free(e);
	}

out:
	free(ops);
	free(ref);
	return r;
}

static void
fuzz_wire(const uint8_t *data, size_t size)
{
	LikesetData *r = wire_decode(data, size);

	if (r == NULL)
		return;
	check_value_laws(r);
	likeset_free(r);
}

/* ------------------------------------------------------------------------
 * Mode 3: operations on parsed values
 * ------------------------------------------------------------------------
 */

/* Parse len bytes as text; NULL when rejected */
static LikesetData *
parse_part(const uint8_t *p, size_t len)
{
	char	   *str = xmalloc(len + 1);
	LikesetData *s = NULL;
	LikesetError err;

	memcpy(str, p, len);
	str[len] = '\0';
	if (likeset_parse(str, &s, &err) != LIKESET_OK)
		s = NULL;
	free(str);
	return s;
}

/* r is merge(a, b), checked against a merge of the decoded entries */
static void
check_merge_model(const LikesetData *a, const LikesetData *b, const LikesetData *r)
{
	RefEntry   *ea,
			   *eb,
			   *er;
	uint32_t	na,
				nb,
				nr;
	uint32_t	i = 0,
				j = 0,
				k = 0;

	int64_t		h = a->horizon > b->horizon ? a->horizon : b->horizon;

	check_valid(a, &ea, &na);
	check_valid(b, &eb, &nb);
	check_valid(r, &er, &nr);
	REQUIRE(r->horizon == h);
	while (i < na || j < nb)
	{
		const RefEntry *want;
		int			c;

		if (i == na)
			c = 1;
		else if (j == nb)
			c = -1;
		else
			c = ref_cmp(ea[i].elem, ea[i].len, eb[j].elem, eb[j].len);
		/*
		 * An element one side lacks counts there as removed just before
		 * that side's horizon: older entries of the other side lose
		 */
		if (c < 0)
		{
			want = &ea[i++];
			if (want->ts < b->horizon)
				continue;
		}
		else if (c > 0)
		{
			want = &eb[j++];
			if (want->ts < a->horizon)
				continue;
		}
		else
		{
			want = ref_opcmp(&ea[i], &eb[j]) >= 0 ? &ea[i] : &eb[j];
			i++;
			j++;
		}
		/* and no tombstone older than the result's horizon stays */
		if (want->removed && want->ts < h)
			continue;
		REQUIRE(k < nr);
		REQUIRE(ref_cmp(er[k].elem, er[k].len, want->elem, want->len) == 0);
		REQUIRE(er[k].ts == want->ts && er[k].removed == want->removed);
		k++;
	}
	REQUIRE(k == nr);
	free(ea);
	free(eb);
	free(er);
}

/* merge, checked for validity and against the model; result is new */
static LikesetData *
merged(const LikesetData *a, const LikesetData *b)
{
	LikesetData *r = NULL;

	REQUIRE(likeset_merge(a, b, &r) == LIKESET_OK);
	REQUIRE(r != a && r != b);
	check_merge_model(a, b, r);
	return r;
}

/*
 * Apply the entries of b to a one at a time, forwards or backwards; the
 * result must be merge(a, b).  apply returns its input unchanged exactly
 * when the operation is not greater than the element's current one.
 */
static LikesetData *
apply_all(const LikesetData *a, const LikesetData *b, bool backwards)
{
	LikesetData *cur = (LikesetData *) a;
	RefEntry   *eb;
	uint32_t	nb;

	check_valid(b, &eb, &nb);
	for (uint32_t k = 0; k < nb; k++)
	{
		uint32_t	i = backwards ? nb - 1 - k : k;
		LikesetEntry op;
		LikesetData *next = NULL;
		int64_t		pos;
		bool		changes;
		bool		drops;

		op.elem = (const char *) eb[i].elem;
		op.len = eb[i].len;
		op.removed = eb[i].removed;
		op.ts = eb[i].ts;
		pos = likeset_find(cur, op.elem, op.len);
		if (pos >= 0)
		{
			LikesetEntry old;

			likeset_get_entry(cur, (uint32_t) pos, &old);
			changes = old.ts < op.ts || (old.ts == op.ts && op.removed && !old.removed);
		}
		else
			changes = op.ts >= cur->horizon;	/* older: beaten by the horizon */
		drops = changes && pos >= 0 && op.removed && op.ts < cur->horizon;
		REQUIRE(likeset_apply(cur, &op, &next) == LIKESET_OK);
		REQUIRE((next != cur) == changes);
		if (changes && drops)
		{
			/* a remove older than the horizon: the entry goes */
			REQUIRE(next->nentries == cur->nentries - 1);
			REQUIRE(likeset_find(next, op.elem, op.len) < 0);
			if (cur != a)
				likeset_free(cur);
			cur = next;
		}
		else if (changes)
		{
			REQUIRE(next->nentries == cur->nentries + (pos >= 0 ? 0 : 1));
			REQUIRE(likeset_find(next, op.elem, op.len) == (pos >= 0 ? pos : -pos - 1));
			if (cur != a)
				likeset_free(cur);
			cur = next;
		}
	}
	free(eb);
	if (cur != a)
		check_valid(cur, NULL, NULL);
	return cur;
}

/* compact(s, horizon) drops exactly the tombstones older than horizon */
static void
check_compact(const LikesetData *s, int64_t horizon)
{
	LikesetData *r = likeset_compact(s, horizon);
	RefEntry   *es,
			   *er;
	uint32_t	ns,
				nr,
				k = 0;
	int64_t		newest = INT64_MIN;

	REQUIRE(r != NULL);
	check_valid(s, &es, &ns);
	check_valid(r, &er, &nr);
	/* the last valid microsecond's tombstones stay: no horizon past the range */
	if (horizon > LIKESET_TS_END - 1)
		horizon = LIKESET_TS_END - 1;
	for (uint32_t i = 0; i < ns; i++)
	{
		if (es[i].removed && es[i].ts < horizon)
		{
			if (es[i].ts > newest)
				newest = es[i].ts;
			continue;
		}
		REQUIRE(k < nr);
		REQUIRE(ref_cmp(er[k].elem, er[k].len, es[i].elem, es[i].len) == 0);
		REQUIRE(er[k].ts == es[i].ts && er[k].removed == es[i].removed);
		k++;
	}
	REQUIRE(k == nr);
	/* the horizon that protects what was dropped, never beyond the one asked */
	if (newest == INT64_MIN)
		REQUIRE(r->horizon == s->horizon);
	else
	{
		int64_t		want = newest + 1 < horizon ? newest + 1 : horizon;

		REQUIRE(r->horizon == (want > s->horizon ? want : s->horizon));
	}
	REQUIRE((r == s) == (nr == ns));
	free_unless(r, s);
	free(es);
	free(er);
}

/* compare agrees with the model, is antisymmetric and is zero on equality */
static void
check_compare(const LikesetData *a, const LikesetData *b)
{
	RefEntry   *ea,
			   *eb;
	uint32_t	na,
				nb;
	int			c = likeset_compare(a, b);

	int			rc;

	check_valid(a, &ea, &na);
	check_valid(b, &eb, &nb);
	/* entries first; equal entries are ordered by horizon, none first */
	rc = ref_compare(ea, na, eb, nb);
	if (rc == 0)
		rc = a->horizon < b->horizon ? -1 : (a->horizon > b->horizon ? 1 : 0);
	REQUIRE(sign(c) == sign(rc));
	REQUIRE(sign(likeset_compare(b, a)) == -sign(c));
	REQUIRE((c == 0) == same_value(a, b));
	for (uint32_t j = 0; j < nb; j++)
		check_find(a, ea, na, eb[j].elem, eb[j].len);
	free(ea);
	free(eb);
}

/* Operations out of the limits are refused, and s is left as it was */
static void
check_bad_ops(const LikesetData *s)
{
	static char longelem[LIKESET_MAX_ELEMENT_LEN + 1];
	const int64_t badts[] = {LIKESET_TS_MIN - 1, LIKESET_TS_END, INT64_MIN, INT64_MAX};
	size_t		size = likeset_size(s);
	char	   *copy = xmalloc(size);
	LikesetEntry op;
	LikesetData *r;
	LikesetError err;

	memcpy(copy, s, size);
	memset(longelem, 'x', sizeof(longelem));
	op.elem = "a";
	op.len = 1;
	op.removed = false;
	for (size_t i = 0; i < sizeof(badts) / sizeof(badts[0]); i++)
	{
		op.ts = badts[i];
		r = NULL;
		REQUIRE(likeset_apply(s, &op, &r) == LIKESET_ERR_TS_RANGE && r == NULL);
		REQUIRE(likeset_build(&op, 1, &r) == LIKESET_ERR_TS_RANGE && r == NULL);
		REQUIRE(likeset_build_sorted(&op, 1, &r, &err) == LIKESET_ERR_CORRUPT && r == NULL);
	}
	op.elem = longelem;
	op.len = sizeof(longelem);
	op.ts = 0;
	REQUIRE(likeset_apply(s, &op, &r) == LIKESET_ERR_ELEMENT_TOO_LONG && r == NULL);
	REQUIRE(likeset_build(&op, 1, &r) == LIKESET_ERR_ELEMENT_TOO_LONG && r == NULL);
	REQUIRE(likeset_build_sorted(&op, 1, &r, &err) == LIKESET_ERR_CORRUPT && r == NULL);
	/* the longest element allowed is taken (at a time the horizon allows) */
	op.len = LIKESET_MAX_ELEMENT_LEN;
	if (s->horizon > op.ts)
		op.ts = s->horizon;
	if (likeset_find(s, longelem, op.len) < 0 && op.ts < LIKESET_TS_END)
	{
		REQUIRE(likeset_apply(s, &op, &r) == LIKESET_OK && r != s);
		check_valid(r, NULL, NULL);
		REQUIRE(r->nentries == s->nentries + 1);
		REQUIRE(likeset_find(r, longelem, op.len) >= 0);
		likeset_free(r);
	}
	REQUIRE(memcmp(copy, s, size) == 0);
	free(copy);
}

static void
fuzz_ops(const uint8_t *data, size_t size)
{
	const uint8_t *sep1 = memchr(data, 0xff, size);
	const uint8_t *sep2;
	LikesetData *a = NULL;
	LikesetData *b = NULL;
	LikesetData *c = NULL;
	LikesetData *empty;
	LikesetData *ab,
			   *ba,
			   *aa,
			   *r;

	if (sep1 == NULL)
		return;
	sep2 = memchr(sep1 + 1, 0xff, size - (size_t) (sep1 + 1 - data));
	a = parse_part(data, (size_t) (sep1 - data));
	if (a == NULL)
		return;
	b = parse_part(sep1 + 1, (size_t) ((sep2 ? sep2 : data + size) - (sep1 + 1)));
	if (b == NULL)
	{
		likeset_free(a);
		return;
	}
	if (sep2 != NULL)
		c = parse_part(sep2 + 1, (size_t) (data + size - (sep2 + 1)));
	empty = likeset_empty();
	REQUIRE(empty != NULL);

	check_value_laws(a);
	check_value_laws(b);
	check_bad_ops(a);

	/* commutative, and what the model says */
	ab = merged(a, b);
	ba = merged(b, a);
	REQUIRE(same_value(ab, ba));

	/* idempotent, also on the result; empty is the identity */
	aa = merged(a, a);
	REQUIRE(same_value(aa, a));
	likeset_free(aa);
	r = merged(ab, b);
	REQUIRE(same_value(r, ab));
	likeset_free(r);
	r = merged(a, empty);
	REQUIRE(same_value(r, a));
	likeset_free(r);
	r = merged(empty, b);
	REQUIRE(same_value(r, b));
	likeset_free(r);

	/*
	 * applying b's entries one by one, in either order, is the merge (when
	 * b has no horizon: a horizon is a claim about elements it does not list)
	 */
	r = apply_all(a, b, false);
	REQUIRE(b->horizon != LIKESET_TS_NONE || same_value(r, ab));
	free_unless(r, a);
	r = apply_all(a, b, true);
	REQUIRE(b->horizon != LIKESET_TS_NONE || same_value(r, ab));
	free_unless(r, a);
	r = apply_all(b, a, false);
	REQUIRE(a->horizon != LIKESET_TS_NONE || same_value(r, ab));
	free_unless(r, b);

	/*
	 * associative, for states without horizons; with horizons only for
	 * replicas that compacted what all of them had seen (a property of how
	 * they came about, which arbitrary inputs lack; the unit tests check it)
	 */
	if (c != NULL && (a->horizon != LIKESET_TS_NONE || b->horizon != LIKESET_TS_NONE ||
					  c->horizon != LIKESET_TS_NONE))
	{
		check_compare(a, c);
		likeset_free(c);
	}
	else if (c != NULL)
	{
		LikesetData *ab_c = merged(ab, c);
		LikesetData *bc = merged(b, c);
		LikesetData *a_bc = merged(a, bc);

		REQUIRE(same_value(ab_c, a_bc));
		check_compare(a, c);
		check_compare(c, ab);
		likeset_free(ab_c);
		likeset_free(bc);
		likeset_free(a_bc);
		likeset_free(c);
	}

	check_compare(a, b);
	check_compare(b, a);
	check_compare(ab, a);
	check_compare(ab, b);

	/* compact at timestamps the values hold, and beyond all of them */
	check_compact(ab, b->maxts == LIKESET_TS_NONE ? LIKESET_TS_MIN : b->maxts);
	check_compact(ab, a->maxts == LIKESET_TS_NONE ? LIKESET_TS_MIN : a->maxts);
	if (b->nentries > 0)
		check_compact(ab, LIKESET_TS_ARRAY(b)[0]);
	check_compact(ab, INT64_MAX);
	check_compact(ab, INT64_MIN);

	likeset_free(ab);
	likeset_free(ba);
	likeset_free(a);
	likeset_free(b);
	likeset_free(empty);
}

/* ------------------------------------------------------------------------
 * Entry points
 * ------------------------------------------------------------------------
 */
int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void) argc;
	(void) argv;
	likeset_core_init(malloc, free);
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size == 0)
		return 0;
	switch (data[0] % 4)
	{
		case 0:
			fuzz_text(data + 1, size - 1);
			break;
		case 1:
			fuzz_stored(data + 1, size - 1);
			break;
		case 2:
			fuzz_wire(data + 1, size - 1);
			break;
		case 3:
			fuzz_ops(data + 1, size - 1);
			break;
	}
	return 0;
}
