/*-------------------------------------------------------------------------
 *
 * likeset_pack.c
 *	  The packed stored format (version 3): what likeset writes to disk.
 *
 * Versions 1 and 2 (likeset.h) spend 12 bytes per entry on a timestamp and
 * an end offset, beside the element's bytes: a page of 200 likes was about
 * 4.4 kB, over the 2 kB TOAST threshold, so every like decompressed the
 * value and compressed it again.  Version 3 stores the same set in about
 * half that, which stays inline and uncompressed for a few hundred likes.
 *
 * The algorithms keep working on the flat format: a packed value is
 * unpacked when read (likeset_unpack, O(n), which also checks it) and a
 * result is packed when it is returned (likeset_pack).  Membership and
 * count read a packed value directly (likeset_packed_lookup, the header).
 *
 * Layout (one varlena; header integers in native byte order, 8-aligned):
 *
 *	  offset  size  field
 *	  0       4     varlena header
 *	  4       1     version           3
 *	  5       1     flags             reserved, must be 0
 *	  6       2     reserved          must be 0
 *	  8       4     nentries          as in versions 1 and 2
 *	  12      4     npresent          as in versions 1 and 2
 *	  16      8     maxts             as in versions 1 and 2
 *	  24      8     horizon           LIKESET_TS_NONE or the horizon, as
 *	                                  in version 2
 *	  32      8     tsbase            lowest timestamp of any entry (0 when
 *	                                  there is none)
 *	  40      4     elemlen           bytes of the element stream
 *	  44      1     tsbits            bits of each packed timestamp: the
 *	                                  bit width of maxts - tsbase (0..64)
 *	  45      3     reserved          must be 0
 *	  48      4*r   restarts[r]       r = ceil(n / 32): offset in the
 *	                                  element stream of entries 0, 32, 64..
 *	  48+4r   e     element stream    n entries, in element order
 *	  ...     t     timestamps        the value's last t = ceil(n * tsbits
 *	                                  / 8) bytes: a bit stream of n values
 *	                                  ts - tsbase, tsbits bits each, least
 *	                                  significant bit first, whose bytes
 *	                                  run backwards from the value's last
 *	                                  byte (stream byte j is the value's
 *	                                  byte size - 1 - j); the unused high
 *	                                  bits of the stream's last byte 0
 *
 * An entry of the element stream, front-coded against the entry before it
 * (LevelDB's block format does the same):
 *
 *	  1 byte  bit 7: removed (a tombstone); bits 3-6: the length of the
 *	          prefix shared with the previous element, 15 meaning "15 plus a
 *	          varint that follows"; bits 0-2: the length of the rest, 7
 *	          meaning "7 plus a varint that follows" (after the prefix's)
 *	  ...     the rest of the element's bytes
 *
 * Varints are LEB128 (7 bits per byte, least significant first, high bit
 * set on every byte but the last), at most 2 bytes here.  Entries 0, 32,
 * 64... are restart points: their shared prefix is 0, so membership is a
 * binary search over the restart points, then a scan of at most 31 entries.
 *
 * Why the timestamps run backwards from the end: a like inserts one entry.
 * When the new row version stays on its page (a HOT update) and wal_level
 * is replica, PostgreSQL logs only the bytes between the longest common
 * prefix and suffix of the old and new tuple.  The header changes, so the
 * prefix ends there; with this order the timestamps of every entry before
 * the insertion point stay in the common suffix.  A like at 200 likes per
 * page logged 2.0 kB with the timestamps before the elements and 1.3 kB
 * with them backwards at the end.
 *
 * Every value has exactly one encoding (checked by likeset_unpack): the
 * shared prefix is the longest common one, tsbase the lowest timestamp,
 * tsbits the smallest width, varints minimal.  The invariants of versions 1
 * and 2 hold for the entries (likeset_validate checks the unpacked value).
 *
 *-------------------------------------------------------------------------
 */
#include "likeset.h"

#define RESTART_INTERVAL	32

/* A varint never exceeds 2 bytes: lengths stay within LIKESET_MAX_ELEMENT_LEN */
#define VARINT_MAX			2
/* Most bytes an entry's header takes: the flag byte and two varints */
#define ENTRY_HDR_MAX		(1 + 2 * VARINT_MAX)

static inline uint32_t
restart_count(uint32_t n)
{
	return (n + RESTART_INTERVAL - 1) / RESTART_INTERVAL;
}

static inline size_t
ts_bytes(uint32_t n, unsigned bits)
{
	return ((uint64_t) n * bits + 7) / 8;
}

static inline uint32_t *
packed_restarts(const LikesetPacked *p)
{
	return (uint32_t *) p->body;
}

static inline uint8_t *
packed_elems(const LikesetPacked *p)
{
	return (uint8_t *) p->body + 4 * (size_t) restart_count(p->nentries);
}

/* The timestamp area, the value's last bytes (see ts_byte) */
static inline uint8_t *
packed_ts(const LikesetPacked *p)
{
	return packed_elems(p) + p->elemlen;
}

/* Size a packed value's header fields say it has */
static inline size_t
packed_size(const LikesetPacked *p)
{
	return LIKESET_PACKED_HDRSZ + 4 * (size_t) restart_count(p->nentries) +
		ts_bytes(p->nentries, p->tsbits) + p->elemlen;
}

/* Bits needed for v: 0 for 0 */
static inline unsigned
bit_width(uint64_t v)
{
	unsigned	w = 0;

	while (v != 0)
	{
		w++;
		v >>= 1;
	}
	return w;
}

/*
 * Byte j of the timestamp bit stream, in an area of len bytes: the stream
 * runs from the value's last byte backwards, so that the timestamps of the
 * entries before an insertion keep their bytes, at the end of the value.
 * (PostgreSQL logs only what changed between the ends of an updated tuple
 * when the new version stays on its page, and wal_level is below logical.)
 */
#define ts_byte(area, len, j)	((area)[(len) - 1 - (j)])

/* OR the low bits of v (already within bits) in at bit position pos */
static inline void
put_bits(uint8_t *area, size_t len, uint64_t pos, unsigned bits, uint64_t v)
{
	size_t		j = (size_t) (pos >> 3);
	unsigned	shift = (unsigned) (pos & 7);
	int			left = (int) bits;

	if (bits == 0)
		return;
	/* first byte: the bits that fit above shift */
	ts_byte(area, len, j) |= (uint8_t) (v << shift);
	j++;
	left -= 8 - (int) shift;
	v >>= 8 - shift;
	while (left > 0)
	{
		ts_byte(area, len, j) = (uint8_t) v;
		j++;
		v >>= 8;
		left -= 8;
	}
}

/* Read bits bits at bit position pos */
static inline uint64_t
get_bits(const uint8_t *area, size_t len, uint64_t pos, unsigned bits)
{
	size_t		j = (size_t) (pos >> 3);
	unsigned	shift = (unsigned) (pos & 7);
	unsigned	nbytes = (shift + bits + 7) / 8;
	uint64_t	v = 0;

	if (bits == 0)
		return 0;
	for (unsigned i = 0; i < nbytes && i < 8; i++)
		v |= (uint64_t) ts_byte(area, len, j + i) << (8 * i);
	v >>= shift;
	if (nbytes == 9)
		v |= (uint64_t) ts_byte(area, len, j + 8) << (64 - shift);
	if (bits < 64)
		v &= ((uint64_t) 1 << bits) - 1;
	return v;
}

static inline uint8_t *
put_varint(uint8_t *q, uint32_t v)
{
	while (v >= 0x80)
	{
		*q++ = (uint8_t) (v | 0x80);
		v >>= 7;
	}
	*q++ = (uint8_t) v;
	return q;
}

/*
 * Read a minimal varint of at most VARINT_MAX bytes from [*q, end); false
 * when it runs past end, is longer, or is not minimal
 */
static inline bool
get_varint(const uint8_t **q, const uint8_t *end, uint32_t *v)
{
	const uint8_t *r = *q;
	uint32_t	x = 0;

	for (int i = 0; i < VARINT_MAX; i++)
	{
		if (r >= end)
			return false;
		x |= (uint32_t) (*r & 0x7f) << (7 * i);
		if ((*r & 0x80) == 0)
		{
			if (i > 0 && *r == 0)
				return false;	/* not minimal */
			*q = r + 1;
			*v = x;
			return true;
		}
		r++;
	}
	return false;
}

/* Length of the common prefix of two elements */
static inline uint32_t
common_prefix(const char *a, uint32_t alen, const char *b, uint32_t blen)
{
	uint32_t	m = alen < blen ? alen : blen;
	uint32_t	i = 0;

	while (i < m && a[i] == b[i])
		i++;
	return i;
}

/*
 * One decoded entry header of the element stream: removed flag, shared
 * prefix, length of the rest, and where the rest's bytes start
 */
typedef struct PackedEntry
{
	bool		removed;
	uint32_t	shared;
	uint32_t	rest;
	const uint8_t *bytes;
} PackedEntry;

/*
 * Decode the entry at *q, not past end; advances *q past it.  False when it
 * is malformed (runs past end, a bad varint, a length over the limit).
 */
static inline bool
read_entry(const uint8_t **q, const uint8_t *end, PackedEntry *e)
{
	const uint8_t *r = *q;
	uint8_t		h;
	uint32_t	x;

	if (r >= end)
		return false;
	h = *r++;
	e->removed = (h & 0x80) != 0;
	e->shared = (h >> 3) & 0x0f;
	e->rest = h & 0x07;
	if (e->shared == 15)
	{
		if (!get_varint(&r, end, &x) || x > LIKESET_MAX_ELEMENT_LEN)
			return false;
		e->shared += x;
	}
	if (e->rest == 7)
	{
		if (!get_varint(&r, end, &x) || x > LIKESET_MAX_ELEMENT_LEN)
			return false;
		e->rest += x;
	}
	if (e->shared + e->rest > LIKESET_MAX_ELEMENT_LEN ||
		(size_t) (end - r) < e->rest)
		return false;
	e->bytes = r;
	*q = r + e->rest;
	return true;
}

/* Upper bound of the packed size of s */
size_t
likeset_packed_bound(const LikesetData *s)
{
	uint32_t	n = s->nentries;

	return LIKESET_PACKED_HDRSZ + 4 * (size_t) restart_count(n) + ts_bytes(n, 64) +
		(size_t) ENTRY_HDR_MAX * n + LIKESET_DATALEN(s);
}

/*
 * Pack a well-formed flat value.  *result is allocated with
 * likeset_packed_bound(s) bytes; *size is the packed value's size (the
 * caller sets the varlena header to it).
 */
LikesetStatus
likeset_pack(const LikesetData *s, LikesetPacked **result, size_t *size)
{
	uint32_t	n = s->nentries;
	size_t		bound = likeset_packed_bound(s);
	LikesetPacked *p;
	int64_t		tsbase = 0;
	uint8_t    *ts;
	size_t		tslen;
	uint8_t    *q;
	uint8_t    *elems;
	LikesetEntry prev = {0};

	if (bound > LIKESET_MAX_SIZE)
		return LIKESET_ERR_TOO_BIG;
	p = likeset_alloc(bound);
	if (p == NULL)
		return LIKESET_ERR_NO_MEMORY;
	memset(p, 0, LIKESET_PACKED_HDRSZ + 4 * (size_t) restart_count(n));
	p->version = LIKESET_FORMAT_VERSION_PACKED;
	p->nentries = n;
	p->npresent = s->npresent;
	p->maxts = s->maxts;
	p->horizon = s->horizon;

	if (n > 0)
	{
		const int64_t *tsa = LIKESET_TS_ARRAY(s);

		tsbase = tsa[0];
		for (uint32_t i = 1; i < n; i++)
			if (tsa[i] < tsbase)
				tsbase = tsa[i];
		p->tsbits = (uint8_t) bit_width((uint64_t) s->maxts - (uint64_t) tsbase);
	}
	p->tsbase = tsbase;

	elems = packed_elems(p);
	q = elems;
	for (uint32_t i = 0; i < n; i++)
	{
		LikesetEntry e;
		uint32_t	shared;
		uint32_t	rest;

		likeset_get_entry(s, i, &e);
		if (i % RESTART_INTERVAL == 0)
		{
			packed_restarts(p)[i / RESTART_INTERVAL] = (uint32_t) (q - elems);
			shared = 0;
		}
		else
			shared = common_prefix(prev.elem, prev.len, e.elem, e.len);
		rest = e.len - shared;
		*q++ = (uint8_t) ((e.removed ? 0x80 : 0) |
						  (shared < 15 ? shared : 15) << 3 |
						  (rest < 7 ? rest : 7));
		if (shared >= 15)
			q = put_varint(q, shared - 15);
		if (rest >= 7)
			q = put_varint(q, rest - 7);
		memcpy(q, e.elem + shared, rest);
		q += rest;
		prev = e;
	}
	p->elemlen = (uint32_t) (q - elems);

	/* the timestamps, after the elements */
	ts = packed_ts(p);
	tslen = ts_bytes(n, p->tsbits);
	memset(ts, 0, tslen);
	for (uint32_t i = 0; i < n; i++)
		put_bits(ts, tslen, (uint64_t) i * p->tsbits, p->tsbits,
				 (uint64_t) LIKESET_TS_ARRAY(s)[i] - (uint64_t) tsbase);
	*result = p;
	*size = packed_size(p);
	return LIKESET_OK;
}

/*
 * Check the header of a packed value of size bytes: the fields the
 * decoders rely on to stay within the value
 */
static const char *
check_header(const LikesetPacked *p, size_t size)
{
	if (size < LIKESET_PACKED_HDRSZ)
		return "value too short for its header";
	if (p->version != LIKESET_FORMAT_VERSION_PACKED)
		return "not a packed value";
	if (p->flags != 0 || p->reserved != 0 || p->reserved2[0] != 0 ||
		p->reserved2[1] != 0 || p->reserved2[2] != 0)
		return "reserved header bits set";
	if (p->nentries > LIKESET_MAX_ENTRIES)
		return "too many entries";
	if (p->tsbits > 64)
		return "timestamp width over 64 bits";
	if (packed_size(p) != size)
		return "size does not match the header";
	return NULL;
}

/*
 * Unpack a packed value of size bytes into a new flat value, checking
 * everything: the result satisfies likeset_validate, and packing it gives
 * back the same bytes.
 */
LikesetStatus
likeset_unpack(const LikesetPacked *p, size_t size, LikesetData **result,
			   LikesetError *err)
{
	const char *bad = check_header(p, size);
	uint32_t	n;
	const uint8_t *ts;
	size_t		tslen;
	const uint8_t *q;
	const uint8_t *end;
	const uint8_t *elems;
	LikesetData *s;
	int64_t    *tsa;
	uint32_t   *ends;
	char	   *data;
	uint32_t	dlen = 0;
	uint64_t	maxdelta = 0;
	bool		base_seen = false;
	uint32_t	npresent = 0;

	if (bad)
		return likeset_corrupt(err, bad);
	n = p->nentries;
	if (n == 0 && (p->tsbase != 0 || p->tsbits != 0 || p->elemlen != 0 ||
				   p->npresent != 0 || p->maxts != LIKESET_TS_NONE))
		return likeset_corrupt(err, "an empty value with timestamps or elements");
	if (p->horizon != LIKESET_TS_NONE && !likeset_ts_valid(p->horizon))
		return likeset_corrupt(err, "horizon out of range");
	if (n > 0 && (!likeset_ts_valid(p->tsbase) || !likeset_ts_valid(p->maxts)))
		return likeset_corrupt(err, "timestamp base out of range");
	if (n > 0 && (p->maxts < p->tsbase ||
				  p->tsbits != bit_width((uint64_t) p->maxts - (uint64_t) p->tsbase)))
		return likeset_corrupt(err, "timestamp width does not match the range");

	/* each entry takes at least one byte of the stream */
	if (p->elemlen < n)
		return likeset_corrupt(err, "element stream too short");

	ts = packed_ts(p);
	elems = packed_elems(p);
	end = elems + p->elemlen;

	/* the padding bits of the last byte of the stream, the area's first */
	tslen = ts_bytes(n, p->tsbits);
	if (((uint64_t) n * p->tsbits) % 8 != 0 &&
		(ts_byte(ts, tslen, tslen - 1) >> (((uint64_t) n * p->tsbits) % 8)) != 0)
		return likeset_corrupt(err, "timestamp padding bits set");

	/*
	 * First pass: the element bytes needed, checking the stream's structure
	 * so the second pass can trust it
	 */
	{
		uint32_t	prevlen = 0;

		q = elems;
		for (uint32_t i = 0; i < n; i++)
		{
			PackedEntry e;

			if (i % RESTART_INTERVAL == 0 &&
				packed_restarts(p)[i / RESTART_INTERVAL] != (uint32_t) (q - elems))
				return likeset_corrupt(err, "restart point at a wrong offset");
			if (!read_entry(&q, end, &e))
				return likeset_corrupt(err, "malformed entry in the element stream");
			if (i % RESTART_INTERVAL == 0 ? e.shared != 0 : e.shared > prevlen)
				return likeset_corrupt(err, "shared prefix longer than the previous element");
			prevlen = e.shared + e.rest;
			if ((size_t) dlen + prevlen > LIKESET_MAX_SIZE)
				return likeset_corrupt(err, "elements too long");
			dlen += prevlen;
		}
		if (q != end)
			return likeset_corrupt(err, "bytes after the last entry");
	}
	if (LIKESET_SIZE(n, dlen) > LIKESET_MAX_SIZE)
		return likeset_corrupt(err, "value too big");

	s = likeset_alloc(LIKESET_SIZE(n, dlen));
	if (s == NULL)
		return LIKESET_ERR_NO_MEMORY;
	memset(s, 0, LIKESET_HDRSZ);
	s->version = p->horizon == LIKESET_TS_NONE ?
		LIKESET_FORMAT_VERSION : LIKESET_FORMAT_VERSION_HORIZON;
	s->nentries = n;
	s->npresent = p->npresent;
	s->maxts = p->maxts;
	s->horizon = p->horizon;
	tsa = LIKESET_TS_ARRAY(s);
	ends = LIKESET_ENDS_ARRAY(s);
	data = LIKESET_DATA(s);

	/*
	 * Second pass: the entries, checked as likeset_validate checks a flat
	 * value (sorted unique elements, no NUL byte, no tombstone older than
	 * the horizon, the header's counts), and for the one encoding
	 */
	q = elems;
	dlen = 0;
	for (uint32_t i = 0; i < n; i++)
	{
		PackedEntry e;
		uint32_t	prevstart = i < 2 ? 0 : (ends[i - 2] & LIKESET_END_MASK);
		uint32_t	prevlen = dlen - prevstart;
		char	   *cur = data + dlen;
		uint64_t	delta;

		(void) read_entry(&q, end, &e);
		memmove(cur, data + prevstart, e.shared);
		memcpy(cur + e.shared, e.bytes, e.rest);
		if (memchr(e.bytes, '\0', e.rest) != NULL)
		{
			bad = "element contains a zero byte";
			goto fail;
		}
		if (i > 0)
		{
			/*
			 * After the previous element: past its shared prefix, either
			 * it ends and this one goes on, or this one's next byte is
			 * greater (an equal byte would belong to the prefix)
			 */
			const char *prev = data + prevstart;

			if (i % RESTART_INTERVAL == 0)
			{
				if (likeset_elem_cmp(prev, prevlen, cur, e.rest) >= 0)
				{
					bad = "elements are not sorted and unique";
					goto fail;
				}
			}
			else if (e.rest == 0 ||
					 (e.shared < prevlen &&
					  (unsigned char) prev[e.shared] >= (unsigned char) cur[e.shared]))
			{
				bad = e.rest > 0 && prev[e.shared] == cur[e.shared] ?
					"shared prefix shorter than the common one" :
					"elements are not sorted and unique";
				goto fail;
			}
		}
		dlen += e.shared + e.rest;
		ends[i] = dlen | (e.removed ? LIKESET_REMOVED_BIT : 0);
		delta = get_bits(ts, tslen, (uint64_t) i * p->tsbits, p->tsbits);
		if (delta > (uint64_t) p->maxts - (uint64_t) p->tsbase)
		{
			bad = "timestamp above the maximum";
			goto fail;
		}
		if (delta == 0)
			base_seen = true;
		if (delta > maxdelta)
			maxdelta = delta;
		tsa[i] = (int64_t) ((uint64_t) p->tsbase + delta);
		if (e.removed)
		{
			if (tsa[i] < p->horizon)
			{
				bad = "tombstone older than the horizon";
				goto fail;
			}
		}
		else
			npresent++;
	}
	if (n > 0 && !base_seen)
		bad = "timestamp base is not the lowest timestamp";
	else if (n > 0 && maxdelta != (uint64_t) p->maxts - (uint64_t) p->tsbase)
		bad = "highest timestamp does not match the entries";
	else if (npresent != p->npresent)
		bad = "present count does not match the entries";
	if (bad)
		goto fail;
	*result = s;
	return LIKESET_OK;

fail:
	likeset_free(s);
	return likeset_corrupt(err, bad);
}

/*
 * Look up elem in a packed value of size bytes without unpacking it:
 * 1 and its operation in *ts, *removed when it is listed, 0 when not, -1
 * when the value is malformed.  Reads the header, the restart points it
 * bisects, at most 32 entries and one timestamp.
 */
int
likeset_packed_lookup(const LikesetPacked *p, size_t size, const char *elem,
					  uint32_t len, int64_t *ts, bool *removed)
{
	uint32_t	n;
	uint32_t	r;
	const uint32_t *restarts;
	const uint8_t *elems;
	const uint8_t *end;
	int64_t		lo;
	int64_t		hi;
	int64_t		k = -1;
	char		buf[LIKESET_MAX_ELEMENT_LEN];
	uint32_t	blen;
	const uint8_t *q;

	if (check_header(p, size) != NULL)
		return -1;
	n = p->nentries;
	if (n == 0)
		return 0;
	r = restart_count(n);
	restarts = packed_restarts(p);
	elems = packed_elems(p);
	end = elems + p->elemlen;

	/* the last restart point whose element is <= elem */
	lo = 0;
	hi = (int64_t) r - 1;
	while (lo <= hi)
	{
		int64_t		mid = lo + (hi - lo) / 2;
		PackedEntry e;
		int			c;

		if (restarts[mid] >= p->elemlen)
			return -1;
		q = elems + restarts[mid];
		if (!read_entry(&q, end, &e) || e.shared != 0)
			return -1;
		c = likeset_elem_cmp((const char *) e.bytes, e.rest, elem, len);
		if (c == 0)
		{
			*ts = (int64_t) ((uint64_t) p->tsbase +
							 get_bits(packed_ts(p), ts_bytes(n, p->tsbits),
									 (uint64_t) mid * RESTART_INTERVAL * p->tsbits, p->tsbits));
			*removed = e.removed;
			return 1;
		}
		if (c < 0)
		{
			k = mid;
			lo = mid + 1;
		}
		else
			hi = mid - 1;
	}
	if (k < 0)
		return 0;

	/* scan the rest of restart block k */
	q = elems + restarts[k];
	blen = 0;
	for (uint32_t i = (uint32_t) k * RESTART_INTERVAL;
		 i < n && i < (uint32_t) (k + 1) * RESTART_INTERVAL; i++)
	{
		PackedEntry e;
		int			c;

		if (!read_entry(&q, end, &e) || e.shared > blen)
			return -1;
		memcpy(buf + e.shared, e.bytes, e.rest);
		blen = e.shared + e.rest;
		c = likeset_elem_cmp(buf, blen, elem, len);
		if (c == 0)
		{
			*ts = (int64_t) ((uint64_t) p->tsbase +
							 get_bits(packed_ts(p), ts_bytes(n, p->tsbits),
									 (uint64_t) i * p->tsbits, p->tsbits));
			*removed = e.removed;
			return 1;
		}
		if (c > 0)
			return 0;
	}
	return 0;
}
