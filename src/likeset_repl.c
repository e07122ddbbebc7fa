/*-------------------------------------------------------------------------
 *
 * likeset_repl.c
 *	  Merge on apply: a row trigger, enabled only for replica sessions (the
 *	  logical-replication apply worker), that reconciles a table's likeset
 *	  columns instead of letting the remote row overwrite the local one.
 *
 * UPDATE: every likeset column becomes merge(local, incoming); other
 * columns take the incoming value.  When the merged row is identical to
 * the local one, the trigger returns NULL: nothing is written, so nothing
 * is sent on, and the echo of a change dies after one round.
 *
 * INSERT: the trigger writes the row itself and returns NULL.  It looks for
 * the key (FOR UPDATE); when the row exists it merges into it as above,
 * otherwise it inserts with ON CONFLICT DO NOTHING and, when a concurrent
 * local insert of the same key won, looks again.  So a duplicate key never
 * raises an error in the apply worker.
 *
 * The statements it runs name every relation and operator with its schema:
 * apply workers run with an empty search_path.  Statements run by the
 * trigger fire it again; a nesting counter makes those calls pass rows
 * through untouched.
 *
 *-------------------------------------------------------------------------
 */
#include "likeset_pg.h"
#include "likeset_cache.h"

#include "access/genam.h"
#include "access/htup_details.h"
#include "access/stratnum.h"
#include "catalog/pg_opclass.h"
#include "catalog/pg_operator.h"
#include "catalog/pg_type.h"
#include "commands/trigger.h"
#include "executor/spi.h"
#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/datum.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/relcache.h"
#include "utils/syscache.h"
#include "utils/timestamp.h"

/*
 * The column likeset_replicate() adds to a table: when the row's columns
 * other than likesets were last written, the later writer's time
 */
#define LIKESET_ROW_TS_COLUMN "likeset_row_ts"

/* Greater than zero while the trigger runs its own statements */
static int	repl_depth = 0;

/* The likeset type's OID, found next to the trigger function (a syscache hit) */
static Oid
likeset_typoid(FunctionCallInfo fcinfo)
{
	Oid			nsp = get_func_namespace(fcinfo->flinfo->fn_oid);
	Oid			typoid = GetSysCacheOid2(TYPENAMENSP, Anum_pg_type_oid,
										 CStringGetDatum("likeset"),
										 ObjectIdGetDatum(nsp));

	if (!OidIsValid(typoid))
		elog(ERROR, "type likeset not found in the extension's schema");
	return typoid;
}

/*
 * The row's write time column: the timestamptz column named
 * LIKESET_ROW_TS_COLUMN that likeset_replicate() adds.  Returns its 0-based
 * index, or -1 when the table has none (a table replicated before 1.3 and
 * not set up again), or when a column of that name has another type.
 */
static int
row_ts_att(TupleDesc desc)
{
	for (int i = 0; i < desc->natts; i++)
	{
		Form_pg_attribute att = TupleDescAttr(desc, i);

		if (!att->attisdropped && att->atttypid == TIMESTAMPTZOID &&
			strcmp(NameStr(att->attname), LIKESET_ROW_TS_COLUMN) == 0)
			return i;
	}
	return -1;
}

/* A write time as the merge compares it: NULL and -infinity are the lowest */
static TimestampTz
row_ts_value(Datum d, bool isnull)
{
	return isnull ? DT_NOBEGIN : DatumGetTimestampTz(d);
}

/*
 * Does the incoming row's value of the other (non-likeset) columns win over
 * the local row's?  The later writer wins: the row whose write time
 * (ts_att, maintained on every local write by likeset_row_ts_trigger) is
 * greater.  The trigger reads it from the rows themselves, never from the
 * apply worker's replication origin, whose commit time is the previous
 * transaction's while a trigger runs.  Returns 1 (incoming), -1 (local) or
 * 0 (equal times, or no write time column: the caller compares values).
 */
static int
other_columns_order(int ts_att, Datum *lvalues, bool *lnulls, Datum *values, bool *nulls)
{
	TimestampTz local;
	TimestampTz incoming;

	if (ts_att < 0)
		return 0;
	local = row_ts_value(lvalues[ts_att], lnulls[ts_att]);
	incoming = row_ts_value(values[ts_att], nulls[ts_att]);
	if (incoming == local)
		return 0;
	return incoming > local ? 1 : -1;
}

/* A fixed order on two non-null values of one column, for ties */
static int
image_cmp(Datum a, Datum b, Form_pg_attribute att)
{
	if (att->attbyval)
		return a == b ? 0 : (a < b ? -1 : 1);
	if (att->attlen == -1)
	{
		struct varlena *va = PG_DETOAST_DATUM_PACKED(a);
		struct varlena *vb = PG_DETOAST_DATUM_PACKED(b);
		Size		la = VARSIZE_ANY_EXHDR(va);
		Size		lb = VARSIZE_ANY_EXHDR(vb);
		int			c = memcmp(VARDATA_ANY(va), VARDATA_ANY(vb), Min(la, lb));

		if (c != 0)
			return c;
		return la == lb ? 0 : (la < lb ? -1 : 1);
	}
	if (att->attlen == -2)
		return strcmp(DatumGetCString(a), DatumGetCString(b));
	return memcmp(DatumGetPointer(a), DatumGetPointer(b), att->attlen);
}

/*
 * Merge a local row (lvalues/lnulls, in the table's column positions) into
 * the incoming one (values/nulls, which receive the result): likeset columns
 * are joined, other columns go to the later writer (other_columns_order).
 * A column whose result equals the local value keeps the local datum, so an
 * unchanged TOASTed value is not written again.  Returns true when the
 * result differs from the local row.
 */
static bool
merge_into(TupleDesc desc, Oid typoid,
		   Datum *lvalues, bool *lnulls, Datum *values, bool *nulls)
{
	bool		changed = false;
	int			order = 2;		/* not computed yet */
	int			ts_att = row_ts_att(desc);

	/* likeset columns */
	for (int i = 0; i < desc->natts; i++)
	{
		Form_pg_attribute att = TupleDescAttr(desc, i);

		if (att->attisdropped || att->atttypid != typoid)
			continue;
		if (lnulls[i])
		{
			/* no local state: the incoming one, if any, is news */
			if (!nulls[i])
				changed = true;
			continue;
		}
		if (nulls[i])
		{
			/* NULL carries no information: keep the local state */
			values[i] = lvalues[i];
			nulls[i] = false;
		}
		else
		{
			LikesetData *local = DatumGetLikesetP(lvalues[i]);
			LikesetData *incoming = DatumGetLikesetP(values[i]);
			LikesetData *merged;
			LikesetData hdr;

			likeset_check(likeset_merge(local, incoming, &merged));
			likeset_seal(merged);
			if (VARSIZE(merged) == VARSIZE(local) && memcmp(merged, local, VARSIZE(local)) == 0)
				values[i] = lvalues[i];
			else
			{
				/*
				 * Usually the incoming state holds the local one (the peer
				 * had seen it): then the incoming value, packed by its input
				 * function, is stored as it came, without packing again
				 */
				likeset_read_header(values[i], &hdr);
				if (hdr.version != LIKESET_FORMAT_VERSION_PACKED ||
					VARSIZE(merged) != VARSIZE(incoming) ||
					memcmp(merged, incoming, VARSIZE(incoming)) != 0)
					values[i] = PointerGetDatum(likeset_store(merged));
				changed = true;
			}
		}
	}

	/* the other columns, all from one side */
	for (int i = 0; i < desc->natts; i++)
	{
		Form_pg_attribute att = TupleDescAttr(desc, i);

		if (att->attisdropped || att->atttypid == typoid)
			continue;
		if (lnulls[i] == nulls[i] &&
			(lnulls[i] || datum_image_eq(lvalues[i], values[i], att->attbyval, att->attlen)))
			continue;
		if (order == 2)
		{
			order = other_columns_order(ts_att, lvalues, lnulls, values, nulls);
			/* equal write times: the greater value of the first differing column */
			if (order == 0)
				order = nulls[i] ? -1 : lnulls[i] ? 1 :
					(image_cmp(values[i], lvalues[i], att) > 0 ? 1 : -1);
		}
		if (order < 0)
		{
			for (int j = 0; j < desc->natts; j++)
			{
				if (!TupleDescAttr(desc, j)->attisdropped &&
					TupleDescAttr(desc, j)->atttypid != typoid)
				{
					values[j] = lvalues[j];
					nulls[j] = lnulls[j];
				}
			}
			break;
		}
		changed = true;
	}
	return changed;
}

/* The statements the INSERT path runs for one table */
typedef struct ReplStatements
{
	char	   *select;			/* SELECT columns ... WHERE key = $k FOR UPDATE */
	char	   *insert;			/* INSERT ... ON CONFLICT (key) DO NOTHING */
	char	   *update;			/* UPDATE ... SET col = $i ... WHERE key = $k */
	int			nread;			/* columns read by select */
	int		   *read_att;		/* their attribute index (0-based) */
	int			ninsert;		/* parameters of insert: writable columns */
	int		   *insert_att;
	Oid		   *insert_types;
	int			nset;			/* columns set by update, then its key parameters */
	int		   *set_att;
	Oid		   *update_types;
	int			nkeys;
	int		   *key_att;		/* attribute index of each key column */
	Oid		   *key_types;
} ReplStatements;

/* Append "k1 OPERATOR(s.=) $n AND k2 ..." for the key, from parameter $first */
static void
append_key_match(StringInfo buf, TupleDesc desc, const ReplStatements *st,
				 const Oid *eqops, int first)
{
	for (int k = 0; k < st->nkeys; k++)
	{
		Form_pg_attribute att = TupleDescAttr(desc, st->key_att[k]);

		appendStringInfo(buf, "%s%s ", k > 0 ? " AND " : "",
						 quote_identifier(NameStr(att->attname)));
		likeset_append_operator(buf, eqops[k]);
		appendStringInfo(buf, " $%d", first + k);
	}
}

/* Is attribute i one of the key columns? */
static bool
is_key_att(const ReplStatements *st, int i)
{
	for (int k = 0; k < st->nkeys; k++)
		if (st->key_att[k] == i)
			return true;
	return false;
}

/*
 * Build the statements for rel, keyed by its replica identity index.  They
 * read every live column, insert every writable one (identity columns too:
 * the row comes from another node), and update every writable column that
 * is neither part of the key nor an identity column.
 */
static void
build_statements(Relation rel, Oid indexoid, ReplStatements *st)
{
	TupleDesc	desc = RelationGetDescr(rel);
	char	   *relname = quote_qualified_identifier(get_namespace_name(RelationGetNamespace(rel)),
													 RelationGetRelationName(rel));
	Relation	idx = index_open(indexoid, AccessShareLock);
	int			nkeyatts = IndexRelationGetNumberOfKeyAttributes(idx);
	Oid		   *eqops = palloc(sizeof(Oid) * nkeyatts);
	StringInfoData reads;
	StringInfoData cols;
	StringInfoData vals;
	StringInfoData sets;
	StringInfoData buf;

	st->nkeys = nkeyatts;
	st->key_att = palloc(sizeof(int) * nkeyatts);
	st->key_types = palloc(sizeof(Oid) * nkeyatts);
	for (int k = 0; k < nkeyatts; k++)
	{
		AttrNumber	attno = idx->rd_index->indkey.values[k];
		Form_pg_attribute att = TupleDescAttr(desc, attno - 1);

		eqops[k] = get_opfamily_member(idx->rd_opfamily[k], idx->rd_opcintype[k],
									   idx->rd_opcintype[k], BTEqualStrategyNumber);
		if (!OidIsValid(eqops[k]))
			elog(ERROR, "no equality operator for key column \"%s\"", NameStr(att->attname));
		st->key_att[k] = attno - 1;
		st->key_types[k] = att->atttypid;
	}
	index_close(idx, AccessShareLock);

	st->read_att = palloc(sizeof(int) * desc->natts);
	st->insert_att = palloc(sizeof(int) * desc->natts);
	st->insert_types = palloc(sizeof(Oid) * desc->natts);
	st->set_att = palloc(sizeof(int) * desc->natts);
	st->update_types = palloc(sizeof(Oid) * (desc->natts + nkeyatts));
	st->nread = st->ninsert = st->nset = 0;
	initStringInfo(&reads);
	initStringInfo(&cols);
	initStringInfo(&vals);
	initStringInfo(&sets);
	for (int i = 0; i < desc->natts; i++)
	{
		Form_pg_attribute att = TupleDescAttr(desc, i);
		const char *name;

		if (att->attisdropped)
			continue;
		name = quote_identifier(NameStr(att->attname));
		st->read_att[st->nread++] = i;
		appendStringInfo(&reads, "%s%s", st->nread > 1 ? ", " : "", name);
		if (att->attgenerated)
			continue;
		st->insert_att[st->ninsert] = i;
		st->insert_types[st->ninsert] = att->atttypid;
		st->ninsert++;
		appendStringInfo(&cols, "%s%s", st->ninsert > 1 ? ", " : "", name);
		appendStringInfo(&vals, "%s$%d", st->ninsert > 1 ? ", " : "", st->ninsert);
		if (att->attidentity || is_key_att(st, i))
			continue;
		st->set_att[st->nset] = i;
		st->update_types[st->nset] = att->atttypid;
		st->nset++;
		appendStringInfo(&sets, "%s%s = $%d", st->nset > 1 ? ", " : "", name, st->nset);
	}
	memcpy(st->update_types + st->nset, st->key_types, sizeof(Oid) * nkeyatts);

	initStringInfo(&buf);
	appendStringInfo(&buf, "SELECT %s FROM ONLY %s WHERE ", reads.data, relname);
	append_key_match(&buf, desc, st, eqops, 1);
	appendStringInfoString(&buf, " FOR UPDATE");
	st->select = pstrdup(buf.data);

	resetStringInfo(&buf);
	appendStringInfo(&buf, "INSERT INTO %s (%s) OVERRIDING SYSTEM VALUE VALUES (%s) ON CONFLICT (",
					 relname, cols.data, vals.data);
	for (int k = 0; k < nkeyatts; k++)
		appendStringInfo(&buf, "%s%s", k > 0 ? ", " : "",
						 quote_identifier(NameStr(TupleDescAttr(desc, st->key_att[k])->attname)));
	appendStringInfoString(&buf, ") DO NOTHING");
	st->insert = pstrdup(buf.data);

	resetStringInfo(&buf);
	appendStringInfo(&buf, "UPDATE ONLY %s SET %s WHERE ", relname, sets.data);
	append_key_match(&buf, desc, st, eqops, st->nset + 1);
	st->update = pstrdup(buf.data);
}

/*
 * INSERT of a replicated row: merge into the row with the same key when
 * there is one, insert otherwise, never failing on a duplicate key.
 */
static void
insert_or_merge(Relation rel, Oid typoid, HeapTuple newtup)
{
	TupleDesc	desc = RelationGetDescr(rel);
	int			natts = desc->natts;
	Oid			indexoid = RelationGetReplicaIndex(rel);
	LikesetCacheEntry *e;
	uint32		generation;
	ReplStatements st;
	SPIPlanPtr	select_plan;
	SPIPlanPtr	update_plan = NULL;
	SPIPlanPtr	insert_plan = NULL;
	Datum	   *values = palloc(sizeof(Datum) * natts);
	bool	   *nulls = palloc(sizeof(bool) * natts);
	Datum	   *lvalues = palloc0(sizeof(Datum) * natts);
	bool	   *lnulls = palloc(sizeof(bool) * natts);
	Datum	   *params;
	char	   *pnulls;

	if (!OidIsValid(indexoid))
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("table \"%s\" has no primary key or replica identity index",
						RelationGetRelationName(rel)),
				 errhint("likeset_replicate() needs a key to merge replicated inserts.")));
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	/* the statements and their plans, built once per backend and table */
	e = likeset_cache_get(LIKESET_CACHE_REPL, RelationGetRelid(rel), InvalidOid);
	generation = e->generation;
	if (e->info == NULL)
	{
		MemoryContext cxt = AllocSetContextCreate(CurrentMemoryContext, "likeset replication statements",
												  ALLOCSET_SMALL_SIZES);
		MemoryContext old = MemoryContextSwitchTo(cxt);
		ReplStatements *built = palloc0(sizeof(ReplStatements));

		build_statements(rel, indexoid, built);
		MemoryContextSwitchTo(old);
		st = *built;
		likeset_cache_attach(e, generation, cxt, built, NULL, 0, InvalidOid);
	}
	else
		st = *(ReplStatements *) e->info;
	select_plan = likeset_cache_plan(e, generation, 0, st.select, st.nkeys, st.key_types);
	params = palloc(sizeof(Datum) * (natts + st.nkeys));
	pnulls = palloc(natts + st.nkeys + 1);

	/* a concurrent insert or delete of the key can intervene: try again */
	for (int attempt = 0;; attempt++)
	{
		int			rc;

		heap_deform_tuple(newtup, desc, values, nulls);
		for (int k = 0; k < st.nkeys; k++)
		{
			params[k] = values[st.key_att[k]];
			pnulls[k] = nulls[st.key_att[k]] ? 'n' : ' ';
		}
		rc = likeset_cache_execute(select_plan, params, pnulls, false, 1);
		if (rc != SPI_OK_SELECT)
			elog(ERROR, "SPI_execute_plan failed: %s", SPI_result_code_string(rc));

		if (SPI_processed == 1)
		{
			HeapTuple	row = SPI_tuptable->vals[0];
			TupleDesc	rowdesc = SPI_tuptable->tupdesc;

			/* spread the row read into the table's column positions */
			memset(lnulls, true, natts);
			for (int j = 0; j < st.nread; j++)
				lvalues[st.read_att[j]] = SPI_getbinval(row, rowdesc, j + 1,
														&lnulls[st.read_att[j]]);
			if (!merge_into(desc, typoid, lvalues, lnulls, values, nulls))
				break;			/* nothing new: write nothing */
			for (int p = 0; p < st.nset; p++)
			{
				params[p] = values[st.set_att[p]];
				pnulls[p] = nulls[st.set_att[p]] ? 'n' : ' ';
			}
			for (int k = 0; k < st.nkeys; k++)
			{
				params[st.nset + k] = lvalues[st.key_att[k]];
				pnulls[st.nset + k] = lnulls[st.key_att[k]] ? 'n' : ' ';
			}
			if (update_plan == NULL)
				update_plan = likeset_cache_plan(e, generation, 1, st.update, st.nset + st.nkeys,
												 st.update_types);
			rc = likeset_cache_execute(update_plan, params, pnulls, false, 0);
			if (rc != SPI_OK_UPDATE)
				elog(ERROR, "SPI_execute_plan failed: %s", SPI_result_code_string(rc));
			if (SPI_processed == 1)
				break;
		}
		else
		{
			for (int p = 0; p < st.ninsert; p++)
			{
				params[p] = values[st.insert_att[p]];
				pnulls[p] = nulls[st.insert_att[p]] ? 'n' : ' ';
			}
			if (insert_plan == NULL)
				insert_plan = likeset_cache_plan(e, generation, 2, st.insert, st.ninsert, st.insert_types);
			rc = likeset_cache_execute(insert_plan, params, pnulls, false, 0);
			if (rc != SPI_OK_INSERT)
				elog(ERROR, "SPI_execute_plan failed: %s", SPI_result_code_string(rc));
			if (SPI_processed == 1)
				break;
		}
		if (attempt >= 100)
			ereport(ERROR,
					(errcode(ERRCODE_T_R_SERIALIZATION_FAILURE),
					 errmsg("could not merge a replicated row into \"%s\": the key keeps changing",
							RelationGetRelationName(rel))));
		CHECK_FOR_INTERRUPTS();
	}
	SPI_finish();
}

PG_FUNCTION_INFO_V1(likeset_repl_trigger);
/* BEFORE INSERT OR UPDATE row trigger for replica sessions (see above) */
Datum
likeset_repl_trigger(PG_FUNCTION_ARGS)
{
	TriggerData *td = (TriggerData *) fcinfo->context;
	Relation	rel;
	TupleDesc	desc;
	Oid			typoid;

	if (!CALLED_AS_TRIGGER(fcinfo))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("likeset_repl_trigger: not called by trigger manager")));
	if (!TRIGGER_FIRED_BEFORE(td->tg_event) || !TRIGGER_FIRED_FOR_ROW(td->tg_event))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("likeset_repl_trigger must be a BEFORE ROW trigger")));

	if (TRIGGER_FIRED_BY_UPDATE(td->tg_event))
	{
		HeapTuple	result = td->tg_newtuple;

		if (repl_depth == 0)
		{
			Datum	   *values;
			bool	   *nulls;
			Datum	   *lvalues;
			bool	   *lnulls;

			rel = td->tg_relation;
			desc = RelationGetDescr(rel);
			typoid = likeset_typoid(fcinfo);
			values = palloc(sizeof(Datum) * desc->natts);
			nulls = palloc(sizeof(bool) * desc->natts);
			lvalues = palloc(sizeof(Datum) * desc->natts);
			lnulls = palloc(sizeof(bool) * desc->natts);
			heap_deform_tuple(td->tg_newtuple, desc, values, nulls);
			heap_deform_tuple(td->tg_trigtuple, desc, lvalues, lnulls);
			if (!merge_into(desc, typoid, lvalues, lnulls, values, nulls))
				return PointerGetDatum(NULL);	/* no change: skip the write */
			result = heap_form_tuple(desc, values, nulls);
		}
		return PointerGetDatum(result);
	}
	if (TRIGGER_FIRED_BY_INSERT(td->tg_event))
	{
		if (repl_depth > 0)
			return PointerGetDatum(td->tg_trigtuple);
		rel = td->tg_relation;
		typoid = likeset_typoid(fcinfo);
		repl_depth++;
		PG_TRY();
		{
			insert_or_merge(rel, typoid, td->tg_trigtuple);
		}
		PG_FINALLY();
		{
			repl_depth--;
		}
		PG_END_TRY();
		return PointerGetDatum(NULL);	/* the row is written already */
	}
	ereport(ERROR,
			(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
			 errmsg("likeset_repl_trigger must fire on INSERT or UPDATE")));
	PG_RETURN_NULL();			/* keep the compiler quiet */
}

/*
 * Is any column other than likesets and the write time itself different
 * between the two rows?  Generated columns are not computed yet when a
 * BEFORE trigger runs, and follow the others anyway.
 */
static bool
other_columns_differ(TupleDesc desc, Oid typoid, int ts_att,
					 Datum *ovalues, bool *onulls, Datum *values, bool *nulls)
{
	for (int i = 0; i < desc->natts; i++)
	{
		Form_pg_attribute att = TupleDescAttr(desc, i);

		if (att->attisdropped || att->attgenerated || att->atttypid == typoid || i == ts_att)
			continue;
		if (onulls[i] != nulls[i] ||
			(!nulls[i] && !datum_image_eq(ovalues[i], values[i], att->attbyval, att->attlen)))
			return true;
	}
	return false;
}

PG_FUNCTION_INFO_V1(likeset_row_ts_trigger);
/*
 * BEFORE INSERT OR UPDATE row trigger for local writes (likeset_replicate
 * installs it; apply workers do not fire it): keeps the row's write time.
 *
 * INSERT: a NULL or -infinity write time (the column's default) becomes the
 * current time; an explicit finite one is kept, so that rows copied from
 * another node (a dump, COPY) keep theirs.
 * UPDATE: when a column other than likesets changes, the write time becomes
 * greatest(current time, old write time + 1 microsecond), so a change made
 * after seeing a row wins over it even where the clock lags; otherwise it
 * stays what it was, whatever the statement set.
 */
Datum
likeset_row_ts_trigger(PG_FUNCTION_ARGS)
{
	TriggerData *td = (TriggerData *) fcinfo->context;
	Relation	rel;
	TupleDesc	desc;
	int			ts_att;
	int			natts;
	Datum	   *values;
	bool	   *nulls;
	TimestampTz ts;

	if (!CALLED_AS_TRIGGER(fcinfo))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("likeset_row_ts_trigger: not called by trigger manager")));
	if (!TRIGGER_FIRED_BEFORE(td->tg_event) || !TRIGGER_FIRED_FOR_ROW(td->tg_event) ||
		!(TRIGGER_FIRED_BY_INSERT(td->tg_event) || TRIGGER_FIRED_BY_UPDATE(td->tg_event)))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("likeset_row_ts_trigger must be a BEFORE INSERT OR UPDATE row trigger")));

	rel = td->tg_relation;
	desc = RelationGetDescr(rel);
	ts_att = row_ts_att(desc);
	if (ts_att < 0)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("table \"%s\" has no timestamptz column \"%s\"",
						RelationGetRelationName(rel), LIKESET_ROW_TS_COLUMN),
				 errhint("Run likeset_replicate('%s') again to add it.",
						 quote_qualified_identifier(get_namespace_name(RelationGetNamespace(rel)),
													RelationGetRelationName(rel)))));

	natts = desc->natts;
	values = palloc(sizeof(Datum) * natts);
	nulls = palloc(sizeof(bool) * natts);

	if (TRIGGER_FIRED_BY_INSERT(td->tg_event))
	{
		heap_deform_tuple(td->tg_trigtuple, desc, values, nulls);
		ts = row_ts_value(values[ts_att], nulls[ts_att]);
		if (ts == DT_NOEND)
			ereport(ERROR,
					(errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
					 errmsg("column \"%s\" cannot be infinity", LIKESET_ROW_TS_COLUMN),
					 errdetail("It holds the time of the row's last write; leave it out to have the current time.")));
		if (ts != DT_NOBEGIN)
			return PointerGetDatum(td->tg_trigtuple);
		ts = GetCurrentTimestamp();
	}
	else
	{
		Datum	   *ovalues = palloc(sizeof(Datum) * natts);
		bool	   *onulls = palloc(sizeof(bool) * natts);
		TimestampTz old;

		heap_deform_tuple(td->tg_trigtuple, desc, ovalues, onulls);
		heap_deform_tuple(td->tg_newtuple, desc, values, nulls);
		old = row_ts_value(ovalues[ts_att], onulls[ts_att]);
		if (other_columns_differ(desc, likeset_typoid(fcinfo), ts_att,
								 ovalues, onulls, values, nulls))
		{
			ts = GetCurrentTimestamp();
			if (old == DT_NOEND)
				ts = old;
			else if (old != DT_NOBEGIN && old >= ts)
				ts = old < END_TIMESTAMP - 1 ? old + 1 : old;
		}
		else
		{
			/* likes only: the write time stays */
			if (nulls[ts_att] == onulls[ts_att] &&
				(onulls[ts_att] || DatumGetTimestampTz(values[ts_att]) == old))
				return PointerGetDatum(td->tg_newtuple);
			if (onulls[ts_att])
			{
				nulls[ts_att] = true;
				return PointerGetDatum(heap_form_tuple(desc, values, nulls));
			}
			ts = old;
		}
	}
	values[ts_att] = TimestampTzGetDatum(ts);
	nulls[ts_att] = false;
	return PointerGetDatum(heap_form_tuple(desc, values, nulls));
}
