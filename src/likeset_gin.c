/*-------------------------------------------------------------------------
 *
 * likeset_gin.c
 *	  GIN operator class likeset_gin_ops: an index over the present
 *	  elements of a likeset column, for `likes @> elem` ("which pages did
 *	  this user like?").
 *
 * Keys are text values compared byte by byte (memcmp, then the shorter
 * first), never by collation, like the elements themselves.  A row's keys
 * are its present elements; tombstones are not indexed, so a row whose
 * element was removed drops out of that element's posting list when the
 * row is updated, as with any GIN index.
 *
 * Element keys.  GIN refuses an entry larger than about a third of a page
 * (some 2.7 kB with 8 kB pages), and an element may be 4096 bytes long.  So
 * an element of up to LIKESET_GIN_EXACT_MAX bytes is its own key, and a
 * longer one is indexed by a short key made of a NUL byte and a 64-bit hash
 * of the element.  Elements never contain a NUL byte (text cannot), so the
 * two kinds of key never collide with each other: an exact key matches
 * exactly one element, and a hashed key matches every long element with
 * the same hash.
 *
 * Recheck.  For a query element of up to LIKESET_GIN_EXACT_MAX bytes the
 * index answer is exact: the row is in the key's posting list exactly when
 * the element is present in its value as last indexed, which is the value
 * of the heap tuple the index entry points to (every new tuple version is
 * indexed with its own keys).  So `@>` needs no recheck and the consistent
 * functions say so.  For a longer query element two different long
 * elements may share a hash, so those queries are rechecked against the
 * value.
 *
 *-------------------------------------------------------------------------
 */
#include "likeset_pg.h"

#include "access/gin.h"
#include "access/stratnum.h"
#include "common/hashfn.h"

/* Strategy number of @> (likeset, text) in likeset_gin_ops */
#define LIKESET_GIN_CONTAINS_STRATEGY	7

/*
 * Elements up to this many bytes are their own key; longer ones get a
 * hashed key.  Small enough for GIN's entry size limit with 4 kB pages too.
 */
#define LIKESET_GIN_EXACT_MAX	1024

/* A hashed key: a NUL byte, then the element's 64-bit hash, big-endian */
#define LIKESET_GIN_HASHED_LEN	9

/* Make the key of one element */
static Datum
likeset_gin_key(const char *elem, uint32_t len)
{
	text	   *key;

	if (len <= LIKESET_GIN_EXACT_MAX)
	{
		key = (text *) palloc(VARHDRSZ + len);
		SET_VARSIZE(key, VARHDRSZ + len);
		memcpy(VARDATA(key), elem, len);
	}
	else
	{
		uint64		h = DatumGetUInt64(hash_any_extended((const unsigned char *) elem,
														 (int) len, 0));
		unsigned char *p;

		key = (text *) palloc(VARHDRSZ + LIKESET_GIN_HASHED_LEN);
		SET_VARSIZE(key, VARHDRSZ + LIKESET_GIN_HASHED_LEN);
		p = (unsigned char *) VARDATA(key);
		p[0] = 0;
		for (int i = 0; i < 8; i++)
			p[1 + i] = (unsigned char) (h >> (56 - 8 * i));
	}
	return PointerGetDatum(key);
}

/* Is a key (as made by likeset_gin_key) a hashed one? */
static bool
likeset_gin_key_hashed(Datum d)
{
	text	   *key = (text *) PG_DETOAST_DATUM_PACKED(d);

	return VARSIZE_ANY_EXHDR(key) > 0 && VARDATA_ANY(key)[0] == '\0';
}

PG_FUNCTION_INFO_V1(likeset_gin_compare);
/* GIN support 1: order of keys, memcmp and then the shorter first */
Datum
likeset_gin_compare(PG_FUNCTION_ARGS)
{
	text	   *a = PG_GETARG_TEXT_PP(0);
	text	   *b = PG_GETARG_TEXT_PP(1);
	int			c = likeset_elem_cmp(VARDATA_ANY(a), VARSIZE_ANY_EXHDR(a),
									 VARDATA_ANY(b), VARSIZE_ANY_EXHDR(b));

	PG_FREE_IF_COPY(a, 0);
	PG_FREE_IF_COPY(b, 1);
	PG_RETURN_INT32(c < 0 ? -1 : c > 0 ? 1 : 0);
}

PG_FUNCTION_INFO_V1(likeset_gin_extract_value);
/*
 * GIN support 2: the keys of a stored value, one per present element.
 * Elements are unique within a value, so the keys are too (two long
 * elements may share a hashed key; GIN removes such duplicates itself).
 */
Datum
likeset_gin_extract_value(PG_FUNCTION_ARGS)
{
	LikesetData *s = PG_GETARG_LIKESET_P(0);
	int32	   *nkeys = (int32 *) PG_GETARG_POINTER(1);
	Datum	   *keys = NULL;
	int32		n = 0;
	LikesetEntry e;

	if (s->npresent > 0)
		keys = (Datum *) palloc(sizeof(Datum) * s->npresent);
	for (uint32_t i = 0; i < s->nentries; i++)
	{
		likeset_get_entry(s, i, &e);
		if (!e.removed)
			keys[n++] = likeset_gin_key(e.elem, e.len);
	}
	Assert(n == (int32) s->npresent);
	*nkeys = n;
	PG_RETURN_POINTER(keys);
}

PG_FUNCTION_INFO_V1(likeset_gin_extract_query);
/*
 * GIN support 3: the one key of `@> elem`.  The SQL declaration names the
 * query argument likeset, as amvalidate expects; the datum is the text
 * element, the right operand of @>.
 */
Datum
likeset_gin_extract_query(PG_FUNCTION_ARGS)
{
	text	   *elem = PG_GETARG_TEXT_PP(0);
	int32	   *nkeys = (int32 *) PG_GETARG_POINTER(1);
	StrategyNumber strategy = PG_GETARG_UINT16(2);
	Datum	   *keys;

	if (strategy != LIKESET_GIN_CONTAINS_STRATEGY)
		elog(ERROR, "likeset_gin_ops: unknown strategy number %d", strategy);
	keys = (Datum *) palloc(sizeof(Datum));
	keys[0] = likeset_gin_key(VARDATA_ANY(elem), VARSIZE_ANY_EXHDR(elem));
	*nkeys = 1;
	/* the default search mode: rows without the key cannot match */
	PG_RETURN_POINTER(keys);
}

PG_FUNCTION_INFO_V1(likeset_gin_consistent);
/*
 * GIN support 4: a row matches when it holds the one query key.  Exact
 * for an exact key, rechecked for a hashed one (see the file header).
 */
Datum
likeset_gin_consistent(PG_FUNCTION_ARGS)
{
	bool	   *check = (bool *) PG_GETARG_POINTER(0);
	StrategyNumber strategy = PG_GETARG_UINT16(1);
	bool	   *recheck = (bool *) PG_GETARG_POINTER(5);
	Datum	   *query_keys = (Datum *) PG_GETARG_POINTER(6);

	if (strategy != LIKESET_GIN_CONTAINS_STRATEGY)
		elog(ERROR, "likeset_gin_ops: unknown strategy number %d", strategy);
	*recheck = likeset_gin_key_hashed(query_keys[0]);
	PG_RETURN_BOOL(check[0]);
}

PG_FUNCTION_INFO_V1(likeset_gin_triconsistent);
/* GIN support 6: the same, in three-valued logic (GIN_MAYBE: recheck) */
Datum
likeset_gin_triconsistent(PG_FUNCTION_ARGS)
{
	GinTernaryValue *check = (GinTernaryValue *) PG_GETARG_POINTER(0);
	StrategyNumber strategy = PG_GETARG_UINT16(1);
	Datum	   *query_keys = (Datum *) PG_GETARG_POINTER(5);

	if (strategy != LIKESET_GIN_CONTAINS_STRATEGY)
		elog(ERROR, "likeset_gin_ops: unknown strategy number %d", strategy);
	if (check[0] == GIN_FALSE)
		PG_RETURN_GIN_TERNARY_VALUE(GIN_FALSE);
	if (likeset_gin_key_hashed(query_keys[0]))
		PG_RETURN_GIN_TERNARY_VALUE(GIN_MAYBE);
	PG_RETURN_GIN_TERNARY_VALUE(check[0]);
}
