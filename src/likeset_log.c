/*-------------------------------------------------------------------------
 *
 * likeset_log.c
 *	  Functions the log layout (docs/large-sets.md) is built on: the stable
 *	  element hash that places an element in a part, the entry of one
 *	  element, a set's entry count, and splitting a part by hash.
 *
 *-------------------------------------------------------------------------
 */
#include "likeset_pg.h"

#include "access/htup_details.h"
#include "funcapi.h"
#include "utils/timestamp.h"

PG_FUNCTION_INFO_V1(likeset_element_hash);
/* likeset_element_hash(elem): stable hash in [0, 2^32) */
Datum
likeset_element_hash(PG_FUNCTION_ARGS)
{
	text	   *elem = PG_GETARG_TEXT_PP(0);

	PG_RETURN_INT64((int64) likeset_elem_hash(VARDATA_ANY(elem),
											  VARSIZE_ANY_EXHDR(elem)));
}

PG_FUNCTION_INFO_V1(likeset_entry);
/*
 * likeset_entry(s, elem): (ts, removed) of elem's entry; without one, NULL,
 * or (horizon - 1 microsecond, removed) when s records a horizon
 */
Datum
likeset_entry(PG_FUNCTION_ARGS)
{
	LikesetData *s = PG_GETARG_LIKESET_P(0);
	text	   *elem = PG_GETARG_TEXT_PP(1);
	int64_t		ts;
	bool		removed;
	TupleDesc	tupdesc;
	Datum		values[2];
	bool		nulls[2] = {false, false};

	if (!likeset_decisive_op(s, VARDATA_ANY(elem), VARSIZE_ANY_EXHDR(elem), &ts, &removed))
		PG_RETURN_NULL();
	if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "return type must be a row type");
	values[0] = TimestampTzGetDatum(ts);
	values[1] = BoolGetDatum(removed);
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(BlessTupleDesc(tupdesc),
													  values, nulls)));
}

PG_FUNCTION_INFO_V1(likeset_nentries);
/* likeset_nentries(s): entries, tombstones included, read from the header */
Datum
likeset_nentries(PG_FUNCTION_ARGS)
{
	LikesetData hdr;

	likeset_read_header(PG_GETARG_DATUM(0), &hdr);
	PG_RETURN_INT64((int64) hdr.nentries);
}

PG_FUNCTION_INFO_V1(likeset_format_version);
/* likeset_format_version(s): the stored format version, from the header */
Datum
likeset_format_version(PG_FUNCTION_ARGS)
{
	LikesetData hdr;

	likeset_read_header(PG_GETARG_DATUM(0), &hdr);
	PG_RETURN_INT32((int32) hdr.version);
}

PG_FUNCTION_INFO_V1(likeset_hash_range);
/* likeset_hash_range(s, lo, hi): entries whose element hash is in [lo, hi) */
Datum
likeset_hash_range(PG_FUNCTION_ARGS)
{
	LikesetData *s = PG_GETARG_LIKESET_P(0);
	int64		lo = PG_GETARG_INT64(1);
	int64		hi = PG_GETARG_INT64(2);
	LikesetData *r;

	if (lo < 0)
		lo = 0;
	if (hi <= lo)
		PG_RETURN_LIKESET_P(likeset_empty());
	r = likeset_hash_range_core(s, (uint64_t) lo, (uint64_t) hi);
	if (r == NULL)
		likeset_report(LIKESET_ERR_NO_MEMORY, NULL, NULL);
	PG_RETURN_LIKESET_P(r);
}

PG_FUNCTION_INFO_V1(likeset_split_point);
/*
 * likeset_split_point(s): a hash h that splits s into two non-empty halves
 * of about equal size (hash < h, hash >= h); NULL when s cannot be split.
 */
Datum
likeset_split_point(PG_FUNCTION_ARGS)
{
	LikesetData *s = PG_GETARG_LIKESET_P(0);
	uint64_t	mid;

	if (!likeset_hash_median(s, &mid))
		PG_RETURN_NULL();
	PG_RETURN_INT64((int64) mid);
}

typedef struct SplitState
{
	uint32_t	n;
	uint64_t   *los;
	LikesetData **pieces;
	int64		lo;
} SplitState;

PG_FUNCTION_INFO_V1(likeset_split);
/*
 * likeset_split(s, lo, max_entries): the pieces of s split by element hash,
 * each with at most max_entries entries (unless they share one hash), as
 * rows (lo, part): the first piece starts at lo, every other one at the
 * lowest hash it holds.  A part of a log table covering [lo, next lo) is
 * replaced by these rows.
 */
Datum
likeset_split(PG_FUNCTION_ARGS)
{
	FuncCallContext *funcctx;
	SplitState *ss;

	if (SRF_IS_FIRSTCALL())
	{
		MemoryContext old;
		LikesetData *s;
		int32		max_entries = PG_GETARG_INT32(2);
		TupleDesc	tupdesc;

		funcctx = SRF_FIRSTCALL_INIT();
		old = MemoryContextSwitchTo(funcctx->multi_call_memory_ctx);
		if (max_entries < 1)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("max_entries must be at least 1")));
		if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
			elog(ERROR, "return type must be a row type");
		funcctx->tuple_desc = BlessTupleDesc(tupdesc);
		s = PG_GETARG_LIKESET_P(0);
		ss = palloc0(sizeof(SplitState));
		ss->lo = PG_GETARG_INT64(1);
		likeset_check(likeset_split_hash(s, (uint32_t) max_entries,
										 &ss->n, &ss->los, &ss->pieces));
		funcctx->user_fctx = ss;
		MemoryContextSwitchTo(old);
	}
	funcctx = SRF_PERCALL_SETUP();
	ss = funcctx->user_fctx;
	if (funcctx->call_cntr < ss->n)
	{
		uint32_t	i = (uint32_t) funcctx->call_cntr;
		Datum		values[2];
		bool		nulls[2] = {false, false};

		values[0] = Int64GetDatum(i == 0 ? ss->lo : (int64) ss->los[i]);
		values[1] = PointerGetDatum(likeset_store(ss->pieces[i]));
		SRF_RETURN_NEXT(funcctx, HeapTupleGetDatum(heap_form_tuple(funcctx->tuple_desc,
																   values, nulls)));
	}
	SRF_RETURN_DONE(funcctx);
}

PG_FUNCTION_INFO_V1(likeset_tombstone_bytes);
/* likeset_tombstone_bytes(s): bytes the tombstones of s take in its entries */
Datum
likeset_tombstone_bytes(PG_FUNCTION_ARGS)
{
	LikesetData *s = PG_GETARG_LIKESET_P(0);
	int64		bytes = 0;
	LikesetEntry e;

	for (uint32_t i = 0; i < s->nentries; i++)
	{
		likeset_get_entry(s, i, &e);
		if (e.removed)
			bytes += 12 + e.len;	/* timestamp, end offset, element */
	}
	PG_RETURN_INT64(bytes);
}
