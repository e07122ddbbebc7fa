/*-------------------------------------------------------------------------
 *
 * likeset.h
 *	  Stored format of the likeset type and the plain-C set algorithms.
 *
 * A likeset is a last-writer-wins element set: it maps each element (a byte
 * string, compared with memcmp, never by collation) to the last operation on
 * it, a timestamp and an added/removed flag.  Operations are ordered by
 * (timestamp, removed), so on equal timestamps a remove beats an add.
 *
 * Nothing in this header or in likeset_core.c / likeset_text.c calls the
 * backend: a unit-test program and a fuzzer drive the same code under
 * sanitizers.  Memory comes from the allocator given to likeset_core_init().
 *
 * In-memory ("flat") format, also the stored format of likeset 1.0 to 1.3,
 * which 1.4 still reads; 1.4 stores the packed format of likeset_pack.c
 * (version 3) and unpacks it to this one to work on it.  One varlena, all
 * integers in native byte order, 8-aligned:
 *
 *	  offset  size  field
 *	  0       4     varlena header (do not touch directly!)
 *	  4       1     version           1 (no horizon) or 2 (a horizon is
 *	                                  recorded); others rejected
 *	  5       1     flags             reserved, must be 0
 *	  6       2     reserved          must be 0
 *	  8       4     nentries          number of entries, tombstones included
 *	  12      4     npresent          number of entries whose last op is an add
 *	  16      8     maxts             highest timestamp of any entry,
 *	                                  LIKESET_TS_NONE when there is none
 *	  24      8     horizon           compaction horizon: LIKESET_TS_NONE in
 *	                                  version 1; in version 2 a timestamp H
 *	                                  such that no tombstone is older than
 *	                                  H and an element not listed counts as
 *	                                  removed just before H (likeset_compact)
 *	  32      8*n   ts[n]             timestamp of each entry
 *	  32+8n   4*n   ends[n]           end offset of each element's bytes in
 *	                                  the data area, LIKESET_REMOVED_BIT set
 *	                                  when the entry is a tombstone
 *	  32+12n  ...   data              element bytes, back to back
 *
 * Invariants (checked by likeset_validate for every value read from
 * outside): entries sorted strictly ascending by element bytes (memcmp, then
 * shorter first), so elements are unique; ends non-decreasing and the last
 * one equal to the data length; every element at most
 * LIKESET_MAX_ELEMENT_LEN bytes, without a NUL byte; every timestamp in
 * [LIKESET_TS_MIN, LIKESET_TS_END); npresent and maxts agree with the
 * entries; total size within LIKESET_MAX_SIZE.
 *
 * Timestamps are PostgreSQL TimestampTz values: microseconds since
 * 2000-01-01 00:00:00 UTC.
 *
 *-------------------------------------------------------------------------
 */
#ifndef LIKESET_H
#define LIKESET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define LIKESET_FORMAT_VERSION	1
/* The same layout with a compaction horizon recorded (see likeset_compact) */
#define LIKESET_FORMAT_VERSION_HORIZON	2

/* Lowest valid timestamp: 4714-11-24 00:00:00 BC, PostgreSQL's MIN_TIMESTAMP */
#define LIKESET_TS_MIN			((int64_t) -211813488000000000LL)
/* First invalid timestamp: 294277-01-01 00:00:00, PostgreSQL's END_TIMESTAMP */
#define LIKESET_TS_END			((int64_t) 9223371331200000000LL)
/* "No timestamp" in the header (an empty set's maxts, an unset horizon) */
#define LIKESET_TS_NONE			INT64_MIN

/* Documented limits */
#define LIKESET_MAX_ELEMENT_LEN	4096
#define LIKESET_MAX_ENTRIES		16777216
#define LIKESET_MAX_SIZE		((size_t) 0x3fffffff)	/* MaxAllocSize */

#define LIKESET_REMOVED_BIT		((uint32_t) 0x80000000)
#define LIKESET_END_MASK		((uint32_t) 0x7fffffff)

typedef struct LikesetData
{
	int32_t		vl_len_;		/* varlena header (do not touch directly!) */
	uint8_t		version;
	uint8_t		flags;
	uint16_t	reserved;
	uint32_t	nentries;
	uint32_t	npresent;
	int64_t		maxts;
	int64_t		horizon;
	char		body[];			/* ts[], ends[], element bytes */
} LikesetData;

#define LIKESET_HDRSZ			offsetof(LikesetData, body)

#define LIKESET_TS_ARRAY(s)		((int64_t *) (s)->body)
#define LIKESET_ENDS_ARRAY(s)	((uint32_t *) ((s)->body + 8 * (size_t) (s)->nentries))
#define LIKESET_DATA(s)			((s)->body + 12 * (size_t) (s)->nentries)
#define LIKESET_DATALEN(s) \
	((s)->nentries == 0 ? 0 : (LIKESET_ENDS_ARRAY(s)[(s)->nentries - 1] & LIKESET_END_MASK))
#define LIKESET_SIZE(n, datalen) (LIKESET_HDRSZ + 12 * (size_t) (n) + (size_t) (datalen))

/*
 * The packed format (version 3, likeset_pack.c): what is stored on disk
 * from likeset 1.4 on.  The first 32 bytes are laid out as in versions 1
 * and 2, so the count, entry count and horizon read the same fields.
 */
#define LIKESET_FORMAT_VERSION_PACKED	3

typedef struct LikesetPacked
{
	int32_t		vl_len_;		/* varlena header (do not touch directly!) */
	uint8_t		version;
	uint8_t		flags;
	uint16_t	reserved;
	uint32_t	nentries;
	uint32_t	npresent;
	int64_t		maxts;
	int64_t		horizon;
	int64_t		tsbase;			/* lowest timestamp, 0 when empty */
	uint32_t	elemlen;		/* bytes of the element stream */
	uint8_t		tsbits;			/* bits of each packed timestamp */
	uint8_t		reserved2[3];
	char		body[];			/* restarts[], timestamps, element stream */
} LikesetPacked;

#define LIKESET_PACKED_HDRSZ	offsetof(LikesetPacked, body)

/* One operation or entry, as the algorithms see it */
typedef struct LikesetEntry
{
	const char *elem;
	uint32_t	len;
	bool		removed;
	int64_t		ts;
} LikesetEntry;

/* Outcome of a core call; the fmgr layer turns it into an ereport */
typedef enum LikesetStatus
{
	LIKESET_OK = 0,
	LIKESET_ERR_SYNTAX,			/* malformed text */
	LIKESET_ERR_CORRUPT,		/* malformed stored or binary value */
	LIKESET_ERR_ELEMENT_TOO_LONG,
	LIKESET_ERR_TOO_MANY,
	LIKESET_ERR_TOO_BIG,
	LIKESET_ERR_TS_RANGE,
	LIKESET_ERR_NO_MEMORY
} LikesetStatus;

typedef struct LikesetError
{
	LikesetStatus status;
	int			pos;			/* byte position in text input, or -1 */
	char		detail[160];	/* what was expected, for errdetail */
} LikesetError;

/* Allocator hooks: palloc/pfree in the backend, malloc/free in tests */
typedef void *(*likeset_alloc_fn) (size_t size);
typedef void (*likeset_free_fn) (void *ptr);
extern void likeset_core_init(likeset_alloc_fn alloc, likeset_free_fn dealloc);
extern void *likeset_alloc(size_t size);
extern void likeset_free(void *ptr);

/* Accessors */
static inline void
likeset_get_entry(const LikesetData *s, uint32_t i, LikesetEntry *e)
{
	const uint32_t *ends = LIKESET_ENDS_ARRAY(s);
	uint32_t	start = i == 0 ? 0 : (ends[i - 1] & LIKESET_END_MASK);

	e->elem = LIKESET_DATA(s) + start;
	e->len = (ends[i] & LIKESET_END_MASK) - start;
	e->removed = (ends[i] & LIKESET_REMOVED_BIT) != 0;
	e->ts = LIKESET_TS_ARRAY(s)[i];
}

/* Byte order of elements: memcmp, then the shorter first */
static inline int
likeset_elem_cmp(const char *a, uint32_t alen, const char *b, uint32_t blen)
{
	int			c = memcmp(a, b, alen < blen ? alen : blen);

	if (c != 0)
		return c;
	return alen < blen ? -1 : (alen > blen ? 1 : 0);
}

/* Order of operations: timestamp, then removed after added */
static inline int
likeset_op_cmp(int64_t ats, bool aremoved, int64_t bts, bool bremoved)
{
	if (ats != bts)
		return ats < bts ? -1 : 1;
	return (int) aremoved - (int) bremoved;
}

static inline bool
likeset_ts_valid(int64_t ts)
{
	return ts >= LIKESET_TS_MIN && ts < LIKESET_TS_END;
}

/*
 * The operation a compaction horizon stands for on an element a value does
 * not list: a remove just before the horizon.  False when there is none.
 */
static inline bool
likeset_horizon_op(int64_t horizon, int64_t *ts, bool *removed)
{
	if (horizon == LIKESET_TS_NONE)
		return false;
	*ts = horizon - 1;
	*removed = true;
	return true;
}

/* likeset_core.c: set algorithms */
extern LikesetData *likeset_empty(void);
extern LikesetStatus likeset_validate(const LikesetData *s, size_t size,
									  LikesetError *err);
extern int64_t likeset_find(const LikesetData *s, const char *elem, uint32_t len);
extern bool likeset_decisive_op(const LikesetData *s, const char *elem, uint32_t len,
								int64_t *ts, bool *removed);
extern LikesetStatus likeset_apply(const LikesetData *s, const LikesetEntry *op,
								   LikesetData **result);
extern LikesetStatus likeset_merge(const LikesetData *a, const LikesetData *b,
								   LikesetData **result);
extern LikesetStatus likeset_build(LikesetEntry *ops, size_t nops,
								   LikesetData **result);
extern LikesetStatus likeset_build_sorted(const LikesetEntry *ops, size_t n,
										  LikesetData **result,
										  LikesetError *err);
extern LikesetData *likeset_compact(const LikesetData *s, int64_t horizon);
extern LikesetStatus likeset_set_horizon(LikesetData *s, int64_t horizon,
										 LikesetError *err);
extern LikesetStatus likeset_corrupt(LikesetError *err, const char *detail);
extern uint32_t likeset_elem_hash(const char *elem, uint32_t len);
extern LikesetData *likeset_hash_range_core(const LikesetData *s, uint64_t lo,
									   uint64_t hi);
extern bool likeset_hash_median(const LikesetData *s, uint64_t *mid);
extern LikesetStatus likeset_split_hash(const LikesetData *s, uint32_t max_entries,
										uint32_t *npieces, uint64_t **los,
										LikesetData ***pieces);
extern int	likeset_compare(const LikesetData *a, const LikesetData *b);
extern size_t likeset_size(const LikesetData *s);

/* likeset_pack.c: the packed format */
extern size_t likeset_packed_bound(const LikesetData *s);
extern LikesetStatus likeset_pack(const LikesetData *s, LikesetPacked **result,
								  size_t *size);
extern LikesetStatus likeset_unpack(const LikesetPacked *p, size_t size,
									LikesetData **result, LikesetError *err);
extern int	likeset_packed_lookup(const LikesetPacked *p, size_t size,
								  const char *elem, uint32_t len,
								  int64_t *ts, bool *removed);

/* likeset_text.c: text form */
extern LikesetStatus likeset_parse(const char *str, LikesetData **result,
								   LikesetError *err);
extern char *likeset_format(const LikesetData *s, size_t *len);
extern int	likeset_format_ts(int64_t ts, char *buf);
extern bool likeset_parse_ts(const char *str, size_t len, int64_t *ts);

#define LIKESET_TS_BUFLEN	40

#endif							/* LIKESET_H */
