/*-------------------------------------------------------------------------
 *
 * likeset_agg.c
 *	  Aggregates likeset_merge_agg(likeset) and likeset_agg(text [, ts]).
 *
 * Both keep an internal state: a stack of sorted runs (likeset values) whose
 * entry counts shrink by more than half from bottom to top, plus a buffer of
 * not yet sorted operations.  Pushing a run merges it with the runs above
 * that are not more than twice its size, as a merge sort of runs would, so
 * each entry takes part in O(log k) linear merges: merging k states of M
 * entries in all costs O(M log k), never O(M k).  Operations of
 * likeset_agg are buffered and sorted into a run LIKESET_AGG_BATCH at a
 * time, which also bounds memory when many rows repeat an element.
 *
 * serialize collapses the state to one run and writes it as a likeset
 * value; deserialize validates that value as recv would.
 *
 *-------------------------------------------------------------------------
 */
#include "likeset_pg.h"

#include "nodes/pg_list.h"
#include "utils/timestamp.h"

#define LIKESET_AGG_MAXRUNS		64
#define LIKESET_AGG_BATCH		(1 << 20)
#define LIKESET_AGG_CHUNK_MIN	1024
#define LIKESET_AGG_CHUNK_MAX	(64 * 1024)

typedef struct LikesetAggState
{
	MemoryContext cxt;			/* the aggregate context: everything lives here */
	int			nruns;
	LikesetData *runs[LIKESET_AGG_MAXRUNS];
	/* buffered operations of likeset_agg, elements copied into chunks */
	LikesetEntry *ops;
	size_t		nops;
	size_t		capops;
	char	   *chunk;
	size_t		chunkused;
	size_t		chunksize;		/* grows from _MIN to _MAX: small groups stay small */
	List	   *chunks;
} LikesetAggState;

/*
 * A row with a NULL argument leaves the state as it is; in particular a
 * group of such rows keeps a NULL state, and the aggregate returns NULL,
 * while a group with at least one value (even '{}') returns a set.
 */
static Datum
agg_skip_row(FunctionCallInfo fcinfo)
{
	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	PG_RETURN_POINTER(PG_GETARG_POINTER(0));
}

/* The state for this call, created on the first row with a value */
static LikesetAggState *
agg_state(FunctionCallInfo fcinfo, int argno)
{
	MemoryContext aggcxt;
	LikesetAggState *st;

	if (!AggCheckCallContext(fcinfo, &aggcxt))
		elog(ERROR, "likeset aggregate function called in non-aggregate context");
	if (!PG_ARGISNULL(argno))
		return (LikesetAggState *) PG_GETARG_POINTER(argno);
	st = MemoryContextAllocZero(aggcxt, sizeof(LikesetAggState));
	st->cxt = aggcxt;
	return st;
}

/* Replace the two top runs by their merge; call in the state's context */
static void
agg_merge_top(LikesetAggState *st)
{
	LikesetData *a = st->runs[st->nruns - 2];
	LikesetData *b = st->runs[st->nruns - 1];
	LikesetData *m;

	likeset_check(likeset_merge(a, b, &m));
	pfree(a);
	pfree(b);
	st->runs[st->nruns - 2] = likeset_seal(m);
	st->nruns--;
}

/*
 * Push a sorted run (allocated in st->cxt, now owned by the state) and
 * merge runs to keep each one more than twice the size of the one above.
 */
static void
agg_push_run(LikesetAggState *st, LikesetData *run)
{
	MemoryContext old = MemoryContextSwitchTo(st->cxt);

	if (run->nentries == 0)
	{
		pfree(run);
		MemoryContextSwitchTo(old);
		return;
	}
	st->runs[st->nruns++] = run;
	while (st->nruns >= 2 &&
		   (uint64) st->runs[st->nruns - 2]->nentries <=
		   2 * (uint64) st->runs[st->nruns - 1]->nentries)
		agg_merge_top(st);
	if (st->nruns >= LIKESET_AGG_MAXRUNS)
		elog(ERROR, "likeset aggregate run stack overflow");	/* cannot happen */
	MemoryContextSwitchTo(old);
}

/* Sort the buffered operations into a run and push it */
static void
agg_flush_ops(LikesetAggState *st)
{
	MemoryContext old;
	LikesetData *run;
	ListCell   *lc;

	if (st->nops == 0)
		return;
	old = MemoryContextSwitchTo(st->cxt);
	likeset_check(likeset_build(st->ops, st->nops, &run));
	st->nops = 0;
	foreach(lc, st->chunks)
		pfree(lfirst(lc));
	list_free(st->chunks);
	st->chunks = NIL;
	st->chunk = NULL;
	MemoryContextSwitchTo(old);
	agg_push_run(st, likeset_seal(run));
}

/* Merge everything into one run; returns it, or NULL for no entries */
static LikesetData *
agg_collapse(LikesetAggState *st)
{
	MemoryContext old;

	agg_flush_ops(st);
	if (st->nruns == 0)
		return NULL;
	old = MemoryContextSwitchTo(st->cxt);
	while (st->nruns >= 2)
		agg_merge_top(st);
	MemoryContextSwitchTo(old);
	return st->runs[0];
}

/* Copy a value into the state's context */
static LikesetData *
agg_copy(LikesetAggState *st, const LikesetData *s)
{
	LikesetData *c = MemoryContextAlloc(st->cxt, VARSIZE(s));

	memcpy(c, s, VARSIZE(s));
	return c;
}

/* Buffer one operation of likeset_agg */
static void
agg_add_op(LikesetAggState *st, text *elem, bool removed, int64_t ts)
{
	uint32_t	len = VARSIZE_ANY_EXHDR(elem);
	LikesetEntry *op;

	if (len > LIKESET_MAX_ELEMENT_LEN)
		likeset_report(LIKESET_ERR_ELEMENT_TOO_LONG, NULL, NULL);
	if (!likeset_ts_valid(ts))
		likeset_report(LIKESET_ERR_TS_RANGE, NULL, NULL);
	if (st->nops == st->capops)
	{
		st->capops = st->capops == 0 ? 16 : st->capops * 2;
		if (st->ops == NULL)
			st->ops = MemoryContextAlloc(st->cxt, st->capops * sizeof(LikesetEntry));
		else
			st->ops = repalloc(st->ops, st->capops * sizeof(LikesetEntry));
	}
	if (st->chunk == NULL || st->chunkused + len > st->chunksize)
	{
		MemoryContext old = MemoryContextSwitchTo(st->cxt);

		st->chunksize = st->chunksize == 0 ? LIKESET_AGG_CHUNK_MIN :
			Min(st->chunksize * 2, LIKESET_AGG_CHUNK_MAX);
		st->chunksize = Max(st->chunksize, len);
		st->chunk = palloc(st->chunksize);
		st->chunks = lappend(st->chunks, st->chunk);
		st->chunkused = 0;
		MemoryContextSwitchTo(old);
	}
	op = &st->ops[st->nops++];
	op->elem = st->chunk + st->chunkused;
	op->len = len;
	op->removed = removed;
	op->ts = ts;
	memcpy(st->chunk + st->chunkused, VARDATA_ANY(elem), len);
	st->chunkused += len;
	if (st->nops >= LIKESET_AGG_BATCH)
		agg_flush_ops(st);
}

PG_FUNCTION_INFO_V1(likeset_merge_agg_trans);
/* Transition of likeset_merge_agg: push the row's state as a run */
Datum
likeset_merge_agg_trans(PG_FUNCTION_ARGS)
{
	LikesetAggState *st;

	if (PG_ARGISNULL(1))
		return agg_skip_row(fcinfo);
	st = agg_state(fcinfo, 0);
	agg_push_run(st, agg_copy(st, PG_GETARG_LIKESET_P(1)));
	PG_RETURN_POINTER(st);
}

PG_FUNCTION_INFO_V1(likeset_agg_trans);
/* Transition of likeset_agg(elem): an add at the lowest timestamp */
Datum
likeset_agg_trans(PG_FUNCTION_ARGS)
{
	LikesetAggState *st;

	if (PG_ARGISNULL(1))
		return agg_skip_row(fcinfo);
	st = agg_state(fcinfo, 0);
	agg_add_op(st, PG_GETARG_TEXT_PP(1), false, LIKESET_TS_MIN);
	PG_RETURN_POINTER(st);
}

PG_FUNCTION_INFO_V1(likeset_agg_ts_trans);
/* Transition of likeset_agg(elem, ts): an add at ts */
Datum
likeset_agg_ts_trans(PG_FUNCTION_ARGS)
{
	LikesetAggState *st;

	if (PG_ARGISNULL(1) || PG_ARGISNULL(2))
		return agg_skip_row(fcinfo);
	st = agg_state(fcinfo, 0);
	agg_add_op(st, PG_GETARG_TEXT_PP(1), false, PG_GETARG_TIMESTAMPTZ(2));
	PG_RETURN_POINTER(st);
}

PG_FUNCTION_INFO_V1(likeset_agg_op_trans);
/* Transition of likeset_agg(elem, ts, removed): an add or a remove at ts */
Datum
likeset_agg_op_trans(PG_FUNCTION_ARGS)
{
	LikesetAggState *st;

	if (PG_ARGISNULL(1) || PG_ARGISNULL(2) || PG_ARGISNULL(3))
		return agg_skip_row(fcinfo);
	st = agg_state(fcinfo, 0);
	agg_add_op(st, PG_GETARG_TEXT_PP(1), PG_GETARG_BOOL(3), PG_GETARG_TIMESTAMPTZ(2));
	PG_RETURN_POINTER(st);
}

PG_FUNCTION_INFO_V1(likeset_agg_combine);
/*
 * Combine two partial states (parallel aggregation): the other state's runs
 * and buffered operations become runs of this one; the other state keeps
 * its contents (only its buffer's order may change).
 */
Datum
likeset_agg_combine(PG_FUNCTION_ARGS)
{
	LikesetAggState *st;
	LikesetAggState *other;

	if (PG_ARGISNULL(1))
		return agg_skip_row(fcinfo);
	st = agg_state(fcinfo, 0);
	other = (LikesetAggState *) PG_GETARG_POINTER(1);
	for (int i = 0; i < other->nruns; i++)
		agg_push_run(st, agg_copy(st, other->runs[i]));
	if (other->nops > 0)
	{
		MemoryContext old = MemoryContextSwitchTo(st->cxt);
		LikesetData *run;

		likeset_check(likeset_build(other->ops, other->nops, &run));
		MemoryContextSwitchTo(old);
		agg_push_run(st, likeset_seal(run));
	}
	PG_RETURN_POINTER(st);
}

PG_FUNCTION_INFO_V1(likeset_agg_final);
/* Final: the merged set ('{}' when only empty sets came), NULL when no row had a value */
Datum
likeset_agg_final(PG_FUNCTION_ARGS)
{
	LikesetAggState *st;
	LikesetData *run;

	if (!AggCheckCallContext(fcinfo, NULL))
		elog(ERROR, "likeset aggregate function called in non-aggregate context");
	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	st = (LikesetAggState *) PG_GETARG_POINTER(0);
	run = agg_collapse(st);
	if (run == NULL)
		PG_RETURN_LIKESET_P(likeset_empty());
	/* a new value: the state may be finalized again (window, shared state) */
	PG_RETURN_LIKESET_P(run);
}

PG_FUNCTION_INFO_V1(likeset_agg_serialize);
/* Serialize: the collapsed state as a likeset value */
Datum
likeset_agg_serialize(PG_FUNCTION_ARGS)
{
	LikesetAggState *st;
	LikesetData *run;
	bytea	   *out;

	if (!AggCheckCallContext(fcinfo, NULL))
		elog(ERROR, "likeset aggregate function called in non-aggregate context");
	st = (LikesetAggState *) PG_GETARG_POINTER(0);
	run = agg_collapse(st);
	if (run == NULL)
		run = likeset_seal(likeset_empty());
	out = palloc(VARSIZE(run));
	memcpy(out, run, VARSIZE(run));
	PG_RETURN_BYTEA_P(out);
}

PG_FUNCTION_INFO_V1(likeset_agg_deserialize);
/* Deserialize: validate the value and make it the state's only run */
Datum
likeset_agg_deserialize(PG_FUNCTION_ARGS)
{
	MemoryContext aggcxt;
	bytea	   *in = PG_GETARG_BYTEA_PP(0);
	LikesetAggState *st;
	LikesetData *run;
	LikesetError err;
	LikesetStatus status;

	if (!AggCheckCallContext(fcinfo, &aggcxt))
		elog(ERROR, "likeset aggregate function called in non-aggregate context");
	st = MemoryContextAllocZero(aggcxt, sizeof(LikesetAggState));
	st->cxt = aggcxt;
	run = MemoryContextAlloc(aggcxt, Max(VARSIZE_ANY_EXHDR(in) + VARHDRSZ, LIKESET_HDRSZ));
	memcpy((char *) run + VARHDRSZ, VARDATA_ANY(in), VARSIZE_ANY_EXHDR(in));
	status = likeset_validate(run, VARSIZE_ANY_EXHDR(in) + VARHDRSZ, &err);
	if (status != LIKESET_OK)
		likeset_report(status, &err, NULL);
	agg_push_run(st, likeset_seal(run));
	PG_RETURN_POINTER(st);
}
