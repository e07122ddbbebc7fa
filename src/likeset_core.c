/*-------------------------------------------------------------------------
 *
 * likeset_core.c
 *	  Set algorithms over the stored format: search, apply one operation,
 *	  merge, build from unsorted operations, compact, validate, compare.
 *
 * Plain C with no backend calls; see likeset.h for the format.
 *
 *-------------------------------------------------------------------------
 */
#include "likeset.h"

#include <stdlib.h>

static likeset_alloc_fn core_alloc = malloc;
static likeset_free_fn core_free = free;

/* Install the allocator the core uses (palloc in the backend) */
void
likeset_core_init(likeset_alloc_fn alloc, likeset_free_fn dealloc)
{
	core_alloc = alloc;
	core_free = dealloc;
}

/* Allocate through the installed allocator */
void *
likeset_alloc(size_t size)
{
	return core_alloc(size);
}

/* Free through the installed allocator */
void
likeset_free(void *ptr)
{
	core_free(ptr);
}

/* Total size in bytes of a well-formed value */
size_t
likeset_size(const LikesetData *s)
{
	return LIKESET_SIZE(s->nentries, LIKESET_DATALEN(s));
}

/* Fill *err (when given) for a malformed value; returns LIKESET_ERR_CORRUPT */
LikesetStatus
likeset_corrupt(LikesetError *err, const char *detail)
{
	if (err)
	{
		err->status = LIKESET_ERR_CORRUPT;
		err->pos = -1;
		strncpy(err->detail, detail, sizeof(err->detail) - 1);
		err->detail[sizeof(err->detail) - 1] = '\0';
	}
	return LIKESET_ERR_CORRUPT;
}

/* Allocate a value with room for n entries and datalen element bytes */
static LikesetData *
likeset_new(uint32_t n, size_t datalen)
{
	size_t		size = LIKESET_SIZE(n, datalen);
	LikesetData *s = likeset_alloc(size);

	if (s == NULL)
		return NULL;
	memset(s, 0, LIKESET_HDRSZ);
	s->version = LIKESET_FORMAT_VERSION;
	s->nentries = n;
	s->maxts = LIKESET_TS_NONE;
	s->horizon = LIKESET_TS_NONE;
	return s;
}

/* The empty set */
LikesetData *
likeset_empty(void)
{
	return likeset_new(0, 0);
}

/*
 * Writes entries in ascending element order into a value allocated for a
 * capacity, then closes the gap left when fewer entries were written.
 */
typedef struct LikesetWriter
{
	LikesetData *s;
	uint32_t	cap;
	uint32_t	n;
	uint32_t	dlen;
	int64_t    *ts;
	uint32_t   *ends;
	char	   *data;
} LikesetWriter;

/* Start writing a value of at most cap entries and capdata element bytes */
static LikesetStatus
writer_start(LikesetWriter *w, size_t cap, size_t capdata)
{
	if (cap > LIKESET_MAX_ENTRIES)
		return LIKESET_ERR_TOO_MANY;
	if (LIKESET_SIZE(cap, capdata) > LIKESET_MAX_SIZE)
		return LIKESET_ERR_TOO_BIG;
	w->s = likeset_new((uint32_t) cap, capdata);
	if (w->s == NULL)
		return LIKESET_ERR_NO_MEMORY;
	w->cap = (uint32_t) cap;
	w->n = 0;
	w->dlen = 0;
	w->ts = LIKESET_TS_ARRAY(w->s);
	w->ends = LIKESET_ENDS_ARRAY(w->s);
	w->data = LIKESET_DATA(w->s);
	return LIKESET_OK;
}

/* Append one entry; the caller keeps elements ascending and within capacity */
static inline void
writer_push(LikesetWriter *w, const char *elem, uint32_t len, bool removed,
			int64_t ts)
{
	memcpy(w->data + w->dlen, elem, len);
	w->dlen += len;
	w->ts[w->n] = ts;
	w->ends[w->n] = w->dlen | (removed ? LIKESET_REMOVED_BIT : 0);
	w->n++;
	if (!removed)
		w->s->npresent++;
	if (w->s->maxts == LIKESET_TS_NONE || ts > w->s->maxts)
		w->s->maxts = ts;
}

/* Finish: move ends[] and data down over unused capacity */
static LikesetData *
writer_finish(LikesetWriter *w)
{
	LikesetData *s = w->s;

	if (w->n < w->cap)
	{
		s->nentries = w->n;
		memmove(LIKESET_ENDS_ARRAY(s), w->ends, 4 * (size_t) w->n);
		memmove(LIKESET_DATA(s), w->data, w->dlen);
	}
	return s;
}

/*
 * Record a compaction horizon in a value being built: version 2 when there
 * is one, version 1 (the original format) when there is none
 */
static inline void
set_horizon(LikesetData *s, int64_t horizon)
{
	s->horizon = horizon;
	s->version = horizon == LIKESET_TS_NONE ? LIKESET_FORMAT_VERSION : LIKESET_FORMAT_VERSION_HORIZON;
}

/*
 * Give a value built from outside input (text, binary) its horizon: fails
 * when the horizon is out of range or a tombstone is older than it
 */
LikesetStatus
likeset_set_horizon(LikesetData *s, int64_t horizon, LikesetError *err)
{
	if (horizon == LIKESET_TS_NONE)
	{
		set_horizon(s, horizon);
		return LIKESET_OK;
	}
	if (!likeset_ts_valid(horizon))
		return likeset_corrupt(err, "horizon out of range");
	for (uint32_t i = 0; i < s->nentries; i++)
	{
		if ((LIKESET_ENDS_ARRAY(s)[i] & LIKESET_REMOVED_BIT) &&
			LIKESET_TS_ARRAY(s)[i] < horizon)
			return likeset_corrupt(err, "a tombstone is older than the horizon");
	}
	set_horizon(s, horizon);
	return LIKESET_OK;
}

/*
 * Binary search for an element: its index when present, otherwise
 * -(insertion point) - 1.
 */
int64_t
likeset_find(const LikesetData *s, const char *elem, uint32_t len)
{
	const uint32_t *ends = LIKESET_ENDS_ARRAY(s);
	const char *data = LIKESET_DATA(s);
	int64_t		lo = 0;
	int64_t		hi = (int64_t) s->nentries - 1;

	while (lo <= hi)
	{
		int64_t		mid = lo + (hi - lo) / 2;
		uint32_t	start = mid == 0 ? 0 : (ends[mid - 1] & LIKESET_END_MASK);
		uint32_t	end = ends[mid] & LIKESET_END_MASK;
		int			c = likeset_elem_cmp(data + start, end - start, elem, len);

		if (c == 0)
			return mid;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid - 1;
	}
	return -lo - 1;
}

/*
 * The operation that decides elem in s: its entry, or, for an element s
 * does not list but whose horizon hides it, a remove just before the
 * horizon (older operations on it change nothing).  False when neither.
 */
bool
likeset_decisive_op(const LikesetData *s, const char *elem, uint32_t len,
					int64_t *ts, bool *removed)
{
	int64_t		i = likeset_find(s, elem, len);

	if (i >= 0)
	{
		*ts = LIKESET_TS_ARRAY(s)[i];
		*removed = (LIKESET_ENDS_ARRAY(s)[i] & LIKESET_REMOVED_BIT) != 0;
		return true;
	}
	return likeset_horizon_op(s->horizon, ts, removed);
}

typedef struct LikesetCursor LikesetCursor;
typedef bool (*likeset_keep_fn) (const LikesetCursor *c, const void *arg);
static LikesetData *likeset_filter(const LikesetData *s, likeset_keep_fn keep,
								   const void *arg);
static bool keep_all_but(const LikesetCursor *c, const void *arg);

/*
 * Merge one operation into a set.  *result is s itself when the operation
 * changes nothing (an older or equal operation), else a new value.
 */
LikesetStatus
likeset_apply(const LikesetData *s, const LikesetEntry *op, LikesetData **result)
{
	int64_t		pos = likeset_find(s, op->elem, op->len);
	uint32_t	n = s->nentries;
	uint32_t	datalen = LIKESET_DATALEN(s);
	const int64_t *ts = LIKESET_TS_ARRAY(s);
	const uint32_t *ends = LIKESET_ENDS_ARRAY(s);
	const char *data = LIKESET_DATA(s);
	uint32_t	i;
	uint32_t	skip;			/* entries of s replaced: 0 or 1 */
	uint32_t	start;
	uint32_t	oldend;
	uint32_t	newn;
	int64_t		delta;
	LikesetData *r;
	int64_t    *rts;
	uint32_t   *rends;
	char	   *rdata;

	if (op->len > LIKESET_MAX_ELEMENT_LEN)
		return LIKESET_ERR_ELEMENT_TOO_LONG;
	if (!likeset_ts_valid(op->ts))
		return LIKESET_ERR_TS_RANGE;

	if (pos >= 0)
	{
		i = (uint32_t) pos;
		if (likeset_op_cmp(op->ts, op->removed, ts[i],
						   (ends[i] & LIKESET_REMOVED_BIT) != 0) <= 0)
		{
			*result = (LikesetData *) s;
			return LIKESET_OK;
		}
		if (op->removed && op->ts < s->horizon)
		{
			/* a remove older than the horizon: the entry goes, as compacted */
			*result = likeset_filter(s, keep_all_but, &i);
			return *result == NULL ? LIKESET_ERR_NO_MEMORY : LIKESET_OK;
		}
		skip = 1;
	}
	else if (op->ts < s->horizon)
	{
		/* older than the horizon, on an element the set does not list */
		*result = (LikesetData *) s;
		return LIKESET_OK;
	}
	else
	{
		i = (uint32_t) (-pos - 1);
		skip = 0;
		if (n >= LIKESET_MAX_ENTRIES)
			return LIKESET_ERR_TOO_MANY;
	}

	start = i == 0 ? 0 : (ends[i - 1] & LIKESET_END_MASK);
	oldend = skip ? (ends[i] & LIKESET_END_MASK) : start;
	delta = (int64_t) op->len - (int64_t) (oldend - start);
	newn = n - skip + 1;
	if (LIKESET_SIZE(newn, (size_t) ((int64_t) datalen + delta)) > LIKESET_MAX_SIZE)
		return LIKESET_ERR_TOO_BIG;

	r = likeset_new(newn, (size_t) ((int64_t) datalen + delta));
	if (r == NULL)
		return LIKESET_ERR_NO_MEMORY;
	rts = LIKESET_TS_ARRAY(r);
	rends = LIKESET_ENDS_ARRAY(r);
	rdata = LIKESET_DATA(r);

	/* timestamps */
	memcpy(rts, ts, 8 * (size_t) i);
	rts[i] = op->ts;
	memcpy(rts + i + 1, ts + i + skip, 8 * (size_t) (n - i - skip));

	/* end offsets: the suffix shifts by delta, flag bits untouched */
	memcpy(rends, ends, 4 * (size_t) i);
	rends[i] = (start + op->len) | (op->removed ? LIKESET_REMOVED_BIT : 0);
	for (uint32_t j = i + skip; j < n; j++)
		rends[j - skip + 1] = (uint32_t) ((int64_t) ends[j] + delta);

	/* element bytes */
	memcpy(rdata, data, start);
	memcpy(rdata + start, op->elem, op->len);
	memcpy(rdata + start + op->len, data + oldend, datalen - oldend);

	r->npresent = s->npresent + (op->removed ? 0 : 1) -
		((skip && !(ends[i] & LIKESET_REMOVED_BIT)) ? 1 : 0);
	r->maxts = (s->maxts == LIKESET_TS_NONE || op->ts > s->maxts) ? op->ts : s->maxts;
	set_horizon(r, s->horizon);
	*result = r;
	return LIKESET_OK;
}

/* Cursor over the entries of one value, tracking element start offsets */
struct LikesetCursor
{
	const int64_t *ts;
	const uint32_t *ends;
	const char *data;
	uint32_t	n;
	uint32_t	i;
	uint32_t	start;
};

static inline void
cursor_init(LikesetCursor *c, const LikesetData *s)
{
	c->ts = LIKESET_TS_ARRAY(s);
	c->ends = LIKESET_ENDS_ARRAY(s);
	c->data = LIKESET_DATA(s);
	c->n = s->nentries;
	c->i = 0;
	c->start = 0;
}

static inline uint32_t
cursor_len(const LikesetCursor *c)
{
	return (c->ends[c->i] & LIKESET_END_MASK) - c->start;
}

static inline bool
cursor_removed(const LikesetCursor *c)
{
	return (c->ends[c->i] & LIKESET_REMOVED_BIT) != 0;
}

static inline void
cursor_push(LikesetWriter *w, LikesetCursor *c)
{
	writer_push(w, c->data + c->start, cursor_len(c), cursor_removed(c),
				c->ts[c->i]);
}

static inline void
cursor_next(LikesetCursor *c)
{
	c->start = c->ends[c->i] & LIKESET_END_MASK;
	c->i++;
}

/* Number of entries and element bytes that merging a and b yields */
static void
merge_count(const LikesetData *a, const LikesetData *b, size_t *n, size_t *dlen)
{
	LikesetCursor ca,
				cb;

	cursor_init(&ca, a);
	cursor_init(&cb, b);
	*n = 0;
	*dlen = 0;
	while (ca.i < ca.n && cb.i < cb.n)
	{
		int			c = likeset_elem_cmp(ca.data + ca.start, cursor_len(&ca),
										 cb.data + cb.start, cursor_len(&cb));

		*dlen += c <= 0 ? cursor_len(&ca) : cursor_len(&cb);
		(*n)++;
		if (c <= 0)
			cursor_next(&ca);
		if (c >= 0)
			cursor_next(&cb);
	}
	*n += (ca.n - ca.i) + (cb.n - cb.i);
	*dlen += (LIKESET_DATALEN(a) - ca.start) + (LIKESET_DATALEN(b) - cb.start);
}

/*
 * Horizons.  A value with a compaction horizon H claims to have seen every
 * operation older than H, and holds no tombstone older than H (compaction
 * dropped them).  An element it does not list therefore behaves as if it
 * had a tombstone just before H: an operation older than H on it changes
 * nothing, whether it arrives alone (apply) or as an entry of another state
 * (merge).  Tombstones older than the result's horizon are dropped.
 */

/* Keep a winning entry unless it is a tombstone older than the horizon h */
static inline void
merge_push_kept(LikesetWriter *w, LikesetCursor *c, int64_t h)
{
	if (!(cursor_removed(c) && c->ts[c->i] < h))
		cursor_push(w, c);
}

/*
 * An entry the other state lacks: the other state's horizon (other_h) beats
 * it when it is older, as a tombstone just before other_h would
 */
static inline void
merge_push_alone(LikesetWriter *w, LikesetCursor *c, int64_t other_h, int64_t h)
{
	if (c->ts[c->i] < other_h)
		return;
	merge_push_kept(w, c, h);
}

/*
 * Join of two states: for each element the greater operation.  One linear
 * pass over both sorted entry lists.  The result's horizon is the greater
 * one (see Horizons above).
 */
LikesetStatus
likeset_merge(const LikesetData *a, const LikesetData *b, LikesetData **result)
{
	LikesetWriter w;
	LikesetCursor ca,
				cb;
	int64_t		h = a->horizon > b->horizon ? a->horizon : b->horizon;
	size_t		cap = (size_t) a->nentries + b->nentries;
	size_t		capdata = (size_t) LIKESET_DATALEN(a) + LIKESET_DATALEN(b);
	LikesetStatus st;

	/* the upper bound may exceed a limit the result respects: count first */
	if (cap > LIKESET_MAX_ENTRIES || LIKESET_SIZE(cap, capdata) > LIKESET_MAX_SIZE)
		merge_count(a, b, &cap, &capdata);
	st = writer_start(&w, cap, capdata);
	if (st != LIKESET_OK)
		return st;

	cursor_init(&ca, a);
	cursor_init(&cb, b);
	while (ca.i < ca.n && cb.i < cb.n)
	{
		int			c = likeset_elem_cmp(ca.data + ca.start, cursor_len(&ca),
										 cb.data + cb.start, cursor_len(&cb));

		if (c < 0)
		{
			merge_push_alone(&w, &ca, b->horizon, h);
			cursor_next(&ca);
		}
		else if (c > 0)
		{
			merge_push_alone(&w, &cb, a->horizon, h);
			cursor_next(&cb);
		}
		else
		{
			if (likeset_op_cmp(ca.ts[ca.i], cursor_removed(&ca),
							   cb.ts[cb.i], cursor_removed(&cb)) >= 0)
				merge_push_kept(&w, &ca, h);
			else
				merge_push_kept(&w, &cb, h);
			cursor_next(&ca);
			cursor_next(&cb);
		}
	}
	for (; ca.i < ca.n; cursor_next(&ca))
		merge_push_alone(&w, &ca, b->horizon, h);
	for (; cb.i < cb.n; cursor_next(&cb))
		merge_push_alone(&w, &cb, a->horizon, h);

	set_horizon(w.s, h);
	*result = writer_finish(&w);
	return LIKESET_OK;
}

/* qsort order for building: element ascending, then greatest op first */
static int
build_cmp(const void *pa, const void *pb)
{
	const LikesetEntry *a = pa;
	const LikesetEntry *b = pb;
	int			c = likeset_elem_cmp(a->elem, a->len, b->elem, b->len);

	if (c != 0)
		return c;
	return -likeset_op_cmp(a->ts, a->removed, b->ts, b->removed);
}

/*
 * Build a set from operations in any order, duplicates allowed: sorts ops
 * in place and keeps the greatest operation of each element.
 */
LikesetStatus
likeset_build(LikesetEntry *ops, size_t nops, LikesetData **result)
{
	LikesetWriter w;
	size_t		n = 0;
	size_t		dlen = 0;
	LikesetStatus st;

	for (size_t i = 0; i < nops; i++)
	{
		if (ops[i].len > LIKESET_MAX_ELEMENT_LEN)
			return LIKESET_ERR_ELEMENT_TOO_LONG;
		if (!likeset_ts_valid(ops[i].ts))
			return LIKESET_ERR_TS_RANGE;
	}
	/*
	 * Text written by likeset_out (a replicated value, a dump) is sorted
	 * already, without duplicates: then a pass replaces the sort
	 */
	if (nops > 1)
	{
		size_t		i = 1;

		while (i < nops && likeset_elem_cmp(ops[i - 1].elem, ops[i - 1].len,
											ops[i].elem, ops[i].len) < 0)
			i++;
		if (i < nops)
			qsort(ops, nops, sizeof(LikesetEntry), build_cmp);
	}
	for (size_t i = 0; i < nops; i++)
	{
		if (i > 0 && likeset_elem_cmp(ops[i].elem, ops[i].len,
									  ops[i - 1].elem, ops[i - 1].len) == 0)
			continue;
		n++;
		dlen += ops[i].len;
	}
	st = writer_start(&w, n, dlen);
	if (st != LIKESET_OK)
		return st;
	for (size_t i = 0; i < nops; i++)
	{
		if (i > 0 && likeset_elem_cmp(ops[i].elem, ops[i].len,
									  ops[i - 1].elem, ops[i - 1].len) == 0)
			continue;
		writer_push(&w, ops[i].elem, ops[i].len, ops[i].removed, ops[i].ts);
	}
	*result = writer_finish(&w);
	return LIKESET_OK;
}

/*
 * Build a set from entries that must already be strictly ascending by
 * element, as binary input promises; anything else is corrupt input.
 */
LikesetStatus
likeset_build_sorted(const LikesetEntry *ops, size_t n, LikesetData **result,
					 LikesetError *err)
{
	LikesetWriter w;
	size_t		dlen = 0;
	LikesetStatus st;

	for (size_t i = 0; i < n; i++)
	{
		if (ops[i].len > LIKESET_MAX_ELEMENT_LEN)
			return likeset_corrupt(err, "element longer than the maximum length");
		if (memchr(ops[i].elem, '\0', ops[i].len) != NULL)
			return likeset_corrupt(err, "element contains a zero byte");
		if (!likeset_ts_valid(ops[i].ts))
			return likeset_corrupt(err, "timestamp out of range");
		if (i > 0 && likeset_elem_cmp(ops[i - 1].elem, ops[i - 1].len,
									  ops[i].elem, ops[i].len) >= 0)
			return likeset_corrupt(err, "elements are not sorted and unique");
		dlen += ops[i].len;
	}
	st = writer_start(&w, n, dlen);
	if (st != LIKESET_OK)
		return st;
	for (size_t i = 0; i < n; i++)
		writer_push(&w, ops[i].elem, ops[i].len, ops[i].removed, ops[i].ts);
	*result = writer_finish(&w);
	return LIKESET_OK;
}


/*
 * The entries of s that keep() accepts, in order.  Returns s itself when it
 * keeps them all, else a new value (NULL only when out of memory).
 */
static LikesetData *
likeset_filter(const LikesetData *s, likeset_keep_fn keep, const void *arg)
{
	LikesetWriter w;
	LikesetCursor c;
	uint32_t	n = 0;
	size_t		data = 0;

	for (cursor_init(&c, s); c.i < c.n; cursor_next(&c))
	{
		if (keep(&c, arg))
		{
			n++;
			data += cursor_len(&c);
		}
	}
	if (n == s->nentries)
		return (LikesetData *) s;
	if (writer_start(&w, n, data) != LIKESET_OK)
		return NULL;			/* cannot happen: smaller than s */
	for (cursor_init(&c, s); c.i < c.n; cursor_next(&c))
	{
		if (keep(&c, arg))
			cursor_push(&w, &c);
	}
	set_horizon(w.s, s->horizon);
	return writer_finish(&w);
}

static bool
keep_all_but(const LikesetCursor *c, const void *arg)
{
	return c->i != *(const uint32_t *) arg;
}

static bool
keep_not_older_tombstone(const LikesetCursor *c, const void *arg)
{
	return !(cursor_removed(c) && c->ts[c->i] < *(const int64_t *) arg);
}

/*
 * Drop tombstones older than horizon, and record in the value the horizon
 * that protects them: just after the newest one dropped (never more than
 * the horizon asked for), or the value's horizon if that is later.  So an
 * operation older than a dropped tombstone, arriving late, cannot bring
 * its element back, and operations newer than everything dropped are not
 * affected even when the horizon asked for lies in the future.  Returns s
 * itself when no tombstone is older than horizon, else a new value (NULL
 * when out of memory).
 */
LikesetData *
likeset_compact(const LikesetData *s, int64_t horizon)
{
	LikesetCursor c;
	int64_t		newest = LIKESET_TS_NONE;
	LikesetData *r;
	int64_t		h;

	/*
	 * A tombstone at the last valid microsecond stays: dropping it would
	 * need a horizon past the timestamp range, which no text could write
	 */
	if (horizon > LIKESET_TS_END - 1)
		horizon = LIKESET_TS_END - 1;
	for (cursor_init(&c, s); c.i < c.n; cursor_next(&c))
	{
		if (cursor_removed(&c) && c.ts[c.i] < horizon && c.ts[c.i] > newest)
			newest = c.ts[c.i];
	}
	if (newest == LIKESET_TS_NONE)
		return (LikesetData *) s;
	r = likeset_filter(s, keep_not_older_tombstone, &horizon);
	if (r == NULL)
		return NULL;
	h = newest + 1 < horizon ? newest + 1 : horizon;
	set_horizon(r, h > s->horizon ? h : s->horizon);
	return r;
}

/*
 * Stable 32-bit hash of an element's bytes: FNV-1a, then a final avalanche
 * so that nearby ids ("u1", "u2") spread over the whole range.  It must
 * never change: the log layout stores hash ranges (see docs/large-sets.md).
 */
uint32_t
likeset_elem_hash(const char *elem, uint32_t len)
{
	uint32_t	h = 2166136261u;

	for (uint32_t i = 0; i < len; i++)
	{
		h ^= (unsigned char) elem[i];
		h *= 16777619u;
	}
	h ^= h >> 16;
	h *= 0x85ebca6bu;
	h ^= h >> 13;
	h *= 0xc2b2ae35u;
	h ^= h >> 16;
	return h;
}

static uint32_t
cursor_hash(const LikesetCursor *c)
{
	return likeset_elem_hash(c->data + c->start, cursor_len(c));
}

static bool
keep_hash_range(const LikesetCursor *c, const void *arg)
{
	const uint64_t *range = arg;
	uint64_t	h = cursor_hash(c);

	return h >= range[0] && h < range[1];
}

/* The entries whose element hash h has lo <= h < hi */
LikesetData *
likeset_hash_range_core(const LikesetData *s, uint64_t lo, uint64_t hi)
{
	uint64_t	range[2] = {lo, hi};

	return likeset_filter(s, keep_hash_range, range);
}

static int
u32_cmp(const void *a, const void *b)
{
	uint32_t	x = *(const uint32_t *) a;
	uint32_t	y = *(const uint32_t *) b;

	return x < y ? -1 : (x > y ? 1 : 0);
}

/*
 * A hash value that splits s in two non-empty halves of nearly equal entry
 * counts: entries with hash < *mid and the others.  False when no such
 * value exists (fewer than two distinct hashes) or memory ran out.
 */
bool
likeset_hash_median(const LikesetData *s, uint64_t *mid)
{
	LikesetCursor c;
	uint32_t   *h;
	uint32_t	n = s->nentries;
	uint32_t	k;
	bool		found = false;

	if (n < 2)
		return false;
	h = likeset_alloc(sizeof(uint32_t) * (size_t) n);
	if (h == NULL)
		return false;
	for (cursor_init(&c, s); c.i < c.n; cursor_next(&c))
		h[c.i] = cursor_hash(&c);
	qsort(h, n, sizeof(uint32_t), u32_cmp);
	/* the boundary between distinct values nearest to the middle */
	for (k = n / 2; k < n && !found; k++)
		found = h[k] != h[k - 1];
	if (found)
		*mid = h[k - 1];
	else
	{
		for (k = n / 2 - 1; k >= 1 && !found; k--)
			found = h[k] != h[k - 1];
		if (found)
			*mid = h[k + 1];
	}
	likeset_free(h);
	return found;
}

/* An entry's element hash and position, for splitting by hash */
typedef struct HashPos
{
	uint32_t	hash;
	uint32_t	pos;
} HashPos;

static int
hashpos_cmp(const void *a, const void *b)
{
	const HashPos *x = a;
	const HashPos *y = b;

	if (x->hash != y->hash)
		return x->hash < y->hash ? -1 : 1;
	return x->pos < y->pos ? -1 : (x->pos > y->pos ? 1 : 0);
}

static int
u32pos_cmp(const void *a, const void *b)
{
	return u32_cmp(a, b);
}

/*
 * Split s by element hash into *npieces pieces of about equal entry counts,
 * each of at most max_entries entries unless its entries share one hash
 * value (entries of equal hash always stay together).  Piece i holds the
 * entries whose hash h has los[i] <= h < los[i + 1]; los[0] is 0.  The
 * arrays and pieces come from the allocator; a set of at most max_entries
 * entries comes back as one piece, a copy of s.
 */
LikesetStatus
likeset_split_hash(const LikesetData *s, uint32_t max_entries,
				   uint32_t *npieces, uint64_t **los, LikesetData ***pieces)
{
	uint32_t	n = s->nentries;
	uint32_t	k;
	uint32_t	np = 0;
	HashPos    *hp;
	uint32_t   *cuts;
	uint32_t   *idx;
	LikesetCursor c;
	LikesetStatus st = LIKESET_OK;

	if (max_entries == 0)
		max_entries = 1;
	k = n == 0 ? 1 : (n + max_entries - 1) / max_entries;
	hp = likeset_alloc(sizeof(HashPos) * ((size_t) n + 1));
	cuts = likeset_alloc(sizeof(uint32_t) * ((size_t) k + 1));
	idx = likeset_alloc(sizeof(uint32_t) * ((size_t) n + 1));
	*los = likeset_alloc(sizeof(uint64_t) * (size_t) k);
	*pieces = likeset_alloc(sizeof(LikesetData *) * (size_t) k);
	if (hp == NULL || cuts == NULL || idx == NULL || *los == NULL || *pieces == NULL)
	{
		st = LIKESET_ERR_NO_MEMORY;
		goto done;
	}
	for (cursor_init(&c, s); c.i < c.n; cursor_next(&c))
	{
		hp[c.i].hash = cursor_hash(&c);
		hp[c.i].pos = c.i;
	}
	qsort(hp, n, sizeof(HashPos), hashpos_cmp);

	/* cut near i * n / k, moved forward to the next change of hash */
	cuts[np++] = 0;
	for (uint32_t i = 1; i < k; i++)
	{
		uint32_t	at = (uint32_t) (((uint64_t) i * n) / k);

		if (at <= cuts[np - 1])
			at = cuts[np - 1] + 1;
		while (at < n && hp[at].hash == hp[at - 1].hash)
			at++;
		if (at >= n)
			break;
		cuts[np++] = at;
	}
	cuts[np] = n;

	for (uint32_t j = 0; j < np; j++)
	{
		uint32_t	from = cuts[j];
		uint32_t	to = cuts[j + 1];
		uint32_t	m = to - from;
		size_t		dlen = 0;
		LikesetWriter w;

		for (uint32_t t = 0; t < m; t++)
			idx[t] = hp[from + t].pos;
		qsort(idx, m, sizeof(uint32_t), u32pos_cmp);	/* element order */
		for (uint32_t t = 0; t < m; t++)
		{
			const uint32_t *ends = LIKESET_ENDS_ARRAY(s);
			uint32_t	start = idx[t] == 0 ? 0 : (ends[idx[t] - 1] & LIKESET_END_MASK);

			dlen += (ends[idx[t]] & LIKESET_END_MASK) - start;
		}
		st = writer_start(&w, m, dlen);
		if (st != LIKESET_OK)
		{
			np = j;
			goto done;
		}
		for (uint32_t t = 0; t < m; t++)
		{
			LikesetEntry e;

			likeset_get_entry(s, idx[t], &e);
			writer_push(&w, e.elem, e.len, e.removed, e.ts);
		}
		set_horizon(w.s, s->horizon);
		(*pieces)[j] = writer_finish(&w);
		(*los)[j] = j == 0 ? 0 : hp[from].hash;
	}
done:
	if (st != LIKESET_OK)
	{
		for (uint32_t j = 0; j < np && *pieces != NULL; j++)
			likeset_free((*pieces)[j]);
		np = 0;
		if (*pieces != NULL)
			likeset_free(*pieces);
		if (*los != NULL)
			likeset_free(*los);
		*pieces = NULL;
		*los = NULL;
	}
	if (hp != NULL)
		likeset_free(hp);
	if (cuts != NULL)
		likeset_free(cuts);
	if (idx != NULL)
		likeset_free(idx);
	*npieces = np;
	return st;
}

/*
 * Total order on states, for B-tree and sorting: entries compared in order
 * by element bytes, then timestamp, then removed; a prefix sorts first.
 * Zero exactly when the states are equal.
 */
int
likeset_compare(const LikesetData *a, const LikesetData *b)
{
	LikesetCursor ca,
				cb;

	cursor_init(&ca, a);
	cursor_init(&cb, b);
	for (; ca.i < ca.n && cb.i < cb.n; cursor_next(&ca), cursor_next(&cb))
	{
		int			c = likeset_elem_cmp(ca.data + ca.start, cursor_len(&ca),
										 cb.data + cb.start, cursor_len(&cb));

		if (c != 0)
			return c;
		c = likeset_op_cmp(ca.ts[ca.i], cursor_removed(&ca),
						   cb.ts[cb.i], cursor_removed(&cb));
		if (c != 0)
			return c;
	}
	if (ca.n - ca.i != cb.n - cb.i)
		return (ca.n - ca.i) < (cb.n - cb.i) ? -1 : 1;
	/* equal entries: the horizon decides (none first, so old orders hold) */
	if (a->horizon != b->horizon)
		return a->horizon < b->horizon ? -1 : 1;
	return 0;
}

/*
 * Check every invariant of a value of the given total size (see likeset.h).
 * Never reads outside [s, s + size).
 */
LikesetStatus
likeset_validate(const LikesetData *s, size_t size, LikesetError *err)
{
	LikesetCursor c;
	uint32_t	npresent = 0;
	int64_t		maxts = LIKESET_TS_NONE;
	uint32_t	datalen;
	uint32_t	prevend = 0;
	const char *prev = NULL;
	uint32_t	prevlen = 0;

	if (size < LIKESET_HDRSZ)
		return likeset_corrupt(err, "value shorter than its header");
	if (size > LIKESET_MAX_SIZE)
		return likeset_corrupt(err, "value larger than the maximum size");
	if (s->version != LIKESET_FORMAT_VERSION && s->version != LIKESET_FORMAT_VERSION_HORIZON)
		return likeset_corrupt(err, "unknown format version");
	if (s->flags != 0 || s->reserved != 0)
		return likeset_corrupt(err, "reserved header fields are not zero");
	/* version 1 has no horizon; version 2 has one, within the timestamp range */
	if (s->version == LIKESET_FORMAT_VERSION && s->horizon != LIKESET_TS_NONE)
		return likeset_corrupt(err, "a version 1 value has a horizon");
	if (s->version == LIKESET_FORMAT_VERSION_HORIZON &&
		!likeset_ts_valid(s->horizon))
		return likeset_corrupt(err, "horizon out of range");
	if (s->nentries > LIKESET_MAX_ENTRIES)
		return likeset_corrupt(err, "entry count exceeds the maximum");
	if (LIKESET_SIZE(s->nentries, 0) > size)
		return likeset_corrupt(err, "entry count does not fit the value's size");
	if (LIKESET_SIZE(s->nentries, LIKESET_DATALEN(s)) != size)
		return likeset_corrupt(err, "element data length does not match the value's size");
	datalen = LIKESET_DATALEN(s);

	for (cursor_init(&c, s); c.i < c.n; cursor_next(&c))
	{
		uint32_t	end = c.ends[c.i] & LIKESET_END_MASK;
		uint32_t	len;

		if (end < prevend || end > datalen)
			return likeset_corrupt(err, "element offsets are not ascending or point past the data");
		len = end - c.start;
		if (len > LIKESET_MAX_ELEMENT_LEN)
			return likeset_corrupt(err, "element longer than the maximum length");
		if (memchr(c.data + c.start, '\0', len) != NULL)
			return likeset_corrupt(err, "element contains a zero byte");
		if (prev != NULL && likeset_elem_cmp(prev, prevlen, c.data + c.start, len) >= 0)
			return likeset_corrupt(err, "elements are not sorted and unique");
		if (!likeset_ts_valid(c.ts[c.i]))
			return likeset_corrupt(err, "timestamp out of range");
		if (cursor_removed(&c) && c.ts[c.i] < s->horizon)
			return likeset_corrupt(err, "tombstone older than the horizon");
		if (!cursor_removed(&c))
			npresent++;
		if (maxts == LIKESET_TS_NONE || c.ts[c.i] > maxts)
			maxts = c.ts[c.i];
		prev = c.data + c.start;
		prevlen = len;
		prevend = end;
	}
	if (npresent != s->npresent)
		return likeset_corrupt(err, "present count does not match the entries");
	if (maxts != s->maxts)
		return likeset_corrupt(err, "highest timestamp does not match the entries");
	return LIKESET_OK;
}
