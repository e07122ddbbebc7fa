/*-------------------------------------------------------------------------
 *
 * likeset_op.c
 *	  Functions and operators on likeset: add, remove, merge, membership,
 *	  count, elements, entries, compaction, comparison and hashing.
 *
 *-------------------------------------------------------------------------
 */
#include "likeset_pg.h"

#include "access/detoast.h"
#include "access/htup_details.h"
#include "common/hashfn.h"
#include "funcapi.h"
#include "utils/builtins.h"
#include "utils/timestamp.h"

/*
 * Timestamp of an operation made without one: the current time, or just
 * after the highest timestamp in s when the clock lags behind it, so that a
 * change made after seeing s wins over everything in s.
 */
static int64_t
likeset_default_ts(const LikesetData *s)
{
	int64_t		now = (int64_t) GetCurrentTimestamp();

	if (s->maxts != LIKESET_TS_NONE && s->maxts >= now)
	{
		if (s->maxts + 1 >= LIKESET_TS_END)
			likeset_report(LIKESET_ERR_TS_RANGE, NULL, NULL);
		now = s->maxts + 1;
	}
	/* never older than the horizon, where it would change nothing */
	if (s->horizon != LIKESET_TS_NONE && s->horizon > now)
	{
		if (s->horizon >= LIKESET_TS_END)
			likeset_report(LIKESET_ERR_TS_RANGE, NULL, NULL);
		now = s->horizon;
	}
	return now;
}

/* Merge one operation on elem into s and return the result */
static Datum
likeset_apply_op(LikesetData *s, text *elem, bool removed, int64_t ts)
{
	LikesetEntry op;
	LikesetData *result;

	op.elem = VARDATA_ANY(elem);
	op.len = VARSIZE_ANY_EXHDR(elem);
	op.removed = removed;
	op.ts = ts;
	likeset_check(likeset_apply(s, &op, &result));
	/* unchanged or not, the result is stored packed */
	PG_RETURN_LIKESET_P(result);
}

PG_FUNCTION_INFO_V1(likeset_add);
/* likeset_add(s, elem): like now */
Datum
likeset_add(PG_FUNCTION_ARGS)
{
	LikesetData *s = PG_GETARG_LIKESET_P(0);

	return likeset_apply_op(s, PG_GETARG_TEXT_PP(1), false, likeset_default_ts(s));
}

PG_FUNCTION_INFO_V1(likeset_add_at);
/* likeset_add(s, elem, ts): like at a given time */
Datum
likeset_add_at(PG_FUNCTION_ARGS)
{
	return likeset_apply_op(PG_GETARG_LIKESET_P(0), PG_GETARG_TEXT_PP(1), false,
							PG_GETARG_TIMESTAMPTZ(2));
}

PG_FUNCTION_INFO_V1(likeset_remove);
/* likeset_remove(s, elem): unlike now */
Datum
likeset_remove(PG_FUNCTION_ARGS)
{
	LikesetData *s = PG_GETARG_LIKESET_P(0);

	return likeset_apply_op(s, PG_GETARG_TEXT_PP(1), true, likeset_default_ts(s));
}

PG_FUNCTION_INFO_V1(likeset_remove_at);
/* likeset_remove(s, elem, ts): unlike at a given time */
Datum
likeset_remove_at(PG_FUNCTION_ARGS)
{
	return likeset_apply_op(PG_GETARG_LIKESET_P(0), PG_GETARG_TEXT_PP(1), true,
							PG_GETARG_TIMESTAMPTZ(2));
}

PG_FUNCTION_INFO_V1(likeset_merge_fn);
/* likeset_merge(a, b): join of two states */
Datum
likeset_merge_fn(PG_FUNCTION_ARGS)
{
	LikesetData *a = PG_GETARG_LIKESET_P(0);
	LikesetData *b = PG_GETARG_LIKESET_P(1);
	LikesetData *result;

	likeset_check(likeset_merge(a, b, &result));
	PG_RETURN_LIKESET_P(result);
}

PG_FUNCTION_INFO_V1(likeset_contains);
/* likeset_contains(s, elem): is elem present (last operation an add)? */
Datum
likeset_contains(PG_FUNCTION_ARGS)
{
	text	   *elem = PG_GETARG_TEXT_PP(1);
	int64_t		ts;
	bool		removed;

	/* a packed value is searched as it is stored, without unpacking it */
	PG_RETURN_BOOL(likeset_datum_decisive_op(PG_GETARG_DATUM(0), VARDATA_ANY(elem),
											 VARSIZE_ANY_EXHDR(elem), &ts, &removed) &&
				   !removed);
}

PG_FUNCTION_INFO_V1(likeset_count);
/* likeset_count(s): present elements, read from the header alone */
Datum
likeset_count(PG_FUNCTION_ARGS)
{
	LikesetData hdr;

	likeset_read_header(PG_GETARG_DATUM(0), &hdr);
	PG_RETURN_INT64((int64) hdr.npresent);
}

PG_FUNCTION_INFO_V1(likeset_compact_fn);
/* likeset_compact(s, horizon): drop tombstones older than horizon */
Datum
likeset_compact_fn(PG_FUNCTION_ARGS)
{
	LikesetData *s = PG_GETARG_LIKESET_P(0);
	TimestampTz horizon = PG_GETARG_TIMESTAMPTZ(1);
	LikesetData *result = likeset_compact(s, horizon);

	PG_RETURN_LIKESET_P(result);
}

PG_FUNCTION_INFO_V1(likeset_elements);
/* likeset_elements(s): present elements in byte order */
Datum
likeset_elements(PG_FUNCTION_ARGS)
{
	FuncCallContext *fctx;
	LikesetData *s;
	LikesetEntry e;

	if (SRF_IS_FIRSTCALL())
	{
		MemoryContext old;

		fctx = SRF_FIRSTCALL_INIT();
		old = MemoryContextSwitchTo(fctx->multi_call_memory_ctx);
		fctx->user_fctx = PG_GETARG_LIKESET_P(0);
		MemoryContextSwitchTo(old);
	}
	fctx = SRF_PERCALL_SETUP();
	s = fctx->user_fctx;
	while (fctx->call_cntr < s->nentries)
	{
		likeset_get_entry(s, (uint32_t) fctx->call_cntr, &e);
		/* SRF_RETURN_NEXT advances call_cntr itself; tombstones are skipped here */
		if (!e.removed)
			SRF_RETURN_NEXT(fctx, PointerGetDatum(cstring_to_text_with_len(e.elem, e.len)));
		fctx->call_cntr++;
	}
	SRF_RETURN_DONE(fctx);
}

PG_FUNCTION_INFO_V1(likeset_entries);
/* likeset_entries(s): every entry, tombstones included */
Datum
likeset_entries(PG_FUNCTION_ARGS)
{
	FuncCallContext *fctx;
	LikesetData *s;
	LikesetEntry e;
	Datum		values[3];
	bool		nulls[3] = {false, false, false};

	if (SRF_IS_FIRSTCALL())
	{
		MemoryContext old;
		TupleDesc	tupdesc;

		fctx = SRF_FIRSTCALL_INIT();
		old = MemoryContextSwitchTo(fctx->multi_call_memory_ctx);
		if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
			elog(ERROR, "return type must be a row type");
		fctx->tuple_desc = BlessTupleDesc(tupdesc);
		fctx->user_fctx = PG_GETARG_LIKESET_P(0);
		fctx->max_calls = ((LikesetData *) fctx->user_fctx)->nentries;
		MemoryContextSwitchTo(old);
	}
	fctx = SRF_PERCALL_SETUP();
	s = fctx->user_fctx;
	if (fctx->call_cntr < fctx->max_calls)
	{
		likeset_get_entry(s, (uint32_t) fctx->call_cntr, &e);
		values[0] = PointerGetDatum(cstring_to_text_with_len(e.elem, e.len));
		values[1] = TimestampTzGetDatum(e.ts);
		values[2] = BoolGetDatum(e.removed);
		SRF_RETURN_NEXT(fctx, HeapTupleGetDatum(heap_form_tuple(fctx->tuple_desc,
																 values, nulls)));
	}
	SRF_RETURN_DONE(fctx);
}

/*
 * Equality of whole states.  Each format is canonical: two values of the
 * same format hold equal states exactly when their bytes are equal, so
 * differing sizes or headers settle it without detoasting the rest.  A
 * packed value (version 3) and a flat one (versions 1 and 2, written
 * before 1.4) are compared entry by entry.
 */
static bool
likeset_equal(FunctionCallInfo fcinfo)
{
	Datum		da = PG_GETARG_DATUM(0);
	Datum		db = PG_GETARG_DATUM(1);
	LikesetData ha;
	LikesetData hb;

	likeset_read_header(da, &ha);
	likeset_read_header(db, &hb);
	if (ha.nentries != hb.nentries || ha.npresent != hb.npresent ||
		ha.maxts != hb.maxts || ha.horizon != hb.horizon)
		return false;
	if ((ha.version == LIKESET_FORMAT_VERSION_PACKED) ==
		(hb.version == LIKESET_FORMAT_VERSION_PACKED))
	{
		struct varlena *a;
		struct varlena *b;

		if (toast_raw_datum_size(da) != toast_raw_datum_size(db))
			return false;
		a = likeset_detoast_stored(da);
		b = likeset_detoast_stored(db);
		return memcmp(a, b, VARSIZE(a)) == 0;
	}
	return likeset_compare(DatumGetLikesetP(da), DatumGetLikesetP(db)) == 0;
}

PG_FUNCTION_INFO_V1(likeset_eq);
/* a = b */
Datum
likeset_eq(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(likeset_equal(fcinfo));
}

PG_FUNCTION_INFO_V1(likeset_ne);
/* a <> b */
Datum
likeset_ne(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(!likeset_equal(fcinfo));
}

/* Three-way comparison for the B-tree order (see likeset_compare) */
static int
likeset_cmp_args(FunctionCallInfo fcinfo)
{
	return likeset_compare(PG_GETARG_LIKESET_P(0), PG_GETARG_LIKESET_P(1));
}

PG_FUNCTION_INFO_V1(likeset_cmp);
/* B-tree support: -1, 0 or 1 */
Datum
likeset_cmp(PG_FUNCTION_ARGS)
{
	int			c = likeset_cmp_args(fcinfo);

	PG_RETURN_INT32(c < 0 ? -1 : c > 0 ? 1 : 0);
}

PG_FUNCTION_INFO_V1(likeset_lt);
/* a < b */
Datum
likeset_lt(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(likeset_cmp_args(fcinfo) < 0);
}

PG_FUNCTION_INFO_V1(likeset_le);
/* a <= b */
Datum
likeset_le(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(likeset_cmp_args(fcinfo) <= 0);
}

PG_FUNCTION_INFO_V1(likeset_gt);
/* a > b */
Datum
likeset_gt(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(likeset_cmp_args(fcinfo) > 0);
}

PG_FUNCTION_INFO_V1(likeset_ge);
/* a >= b */
Datum
likeset_ge(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(likeset_cmp_args(fcinfo) >= 0);
}

PG_FUNCTION_INFO_V1(likeset_hash);
/* Hash of the canonical bytes: equal states hash alike */
Datum
likeset_hash(PG_FUNCTION_ARGS)
{
	LikesetData *s = PG_GETARG_LIKESET_P(0);

	return hash_any((unsigned char *) s + VARHDRSZ, VARSIZE(s) - VARHDRSZ);
}

PG_FUNCTION_INFO_V1(likeset_hash_extended);
/* Seeded 64-bit hash, for hash partitioning */
Datum
likeset_hash_extended(PG_FUNCTION_ARGS)
{
	LikesetData *s = PG_GETARG_LIKESET_P(0);

	return hash_any_extended((unsigned char *) s + VARHDRSZ, VARSIZE(s) - VARHDRSZ,
							 PG_GETARG_INT64(1));
}

PG_FUNCTION_INFO_V1(likeset_horizon_fn);
/* likeset_horizon(s): the compaction horizon recorded in s, NULL if none */
Datum
likeset_horizon_fn(PG_FUNCTION_ARGS)
{
	LikesetData hdr;

	likeset_read_header(PG_GETARG_DATUM(0), &hdr);
	if (hdr.horizon == LIKESET_TS_NONE)
		PG_RETURN_NULL();
	PG_RETURN_TIMESTAMPTZ((TimestampTz) hdr.horizon);
}
