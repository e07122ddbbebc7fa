/*-------------------------------------------------------------------------
 *
 * likeset_compact.c
 *	  A compaction round over a table with a likeset column: the rows whose
 *	  value a horizon changes are locked without waiting and rewritten one
 *	  by one in the order of the table's replica identity key.
 *
 * Why that order: every node compacts, and a round's rewrites are published
 * like any update, as one transaction.  A third node applies two peers'
 * rounds at once, in two apply workers, each taking the row locks of its
 * transaction in the order the peer wrote the rows.  Were that order each
 * peer's heap order, which differs between nodes, the two workers could
 * each hold a row the other wants: the deadlock detector then cancels one,
 * and its subscription stops until the worker restarts.  In key order,
 * the same on every node, the locks are always taken in one order, and
 * one worker waits for the other instead.
 *
 * Locally a round never waits either: it locks its rows with SKIP LOCKED
 * and leaves a row another transaction holds for the next round.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"
#include "fmgr.h"
#include "likeset_compat.h"
#include "likeset_cache.h"

#include "access/genam.h"
#include "access/htup_details.h"
#include "access/relation.h"
#include "access/stratnum.h"
#include "catalog/namespace.h"
#include "catalog/pg_index.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "lib/stringinfo.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/relcache.h"
#include "utils/syscache.h"
#include "utils/timestamp.h"

/* rows locked and rewritten per cursor fetch */
#define COMPACT_BATCH 1000

/*
 * " ORDER BY ..." on the columns of rel's replica identity index (its
 * primary key unless REPLICA IDENTITY says otherwise), with the index's
 * own ordering operators and directions, and the "C" collation for
 * collatable columns, so
 * that every node sorts the same keys the same way.  Nothing when the
 * table has no such index; then a round rewrites rows in the order it
 * finds them.
 */
static void
append_key_order(StringInfo buf, Relation rel)
{
	Oid			indexoid = RelationGetReplicaIndex(rel);
	TupleDesc	desc = RelationGetDescr(rel);
	Relation	idx;
	StringInfoData order;
	bool		usable = true;

	if (!OidIsValid(indexoid))
		return;
	idx = index_open(indexoid, AccessShareLock);
	initStringInfo(&order);
	for (int k = 0; k < idx->rd_index->indnkeyatts && usable; k++)
	{
		AttrNumber	attno = idx->rd_index->indkey.values[k];
		Form_pg_attribute att;
		Oid			lt;

		if (attno <= 0)
		{
			usable = false;		/* an expression: no column to name */
			break;
		}
		att = TupleDescAttr(desc, attno - 1);
		lt = get_opfamily_member(idx->rd_opfamily[k], idx->rd_opcintype[k],
								 idx->rd_opcintype[k],
								 (idx->rd_indoption[k] & INDOPTION_DESC) ?
								 BTGreaterStrategyNumber : BTLessStrategyNumber);
		if (!OidIsValid(lt))
		{
			usable = false;
			break;
		}
		appendStringInfo(&order, "%s t.%s", k == 0 ? " ORDER BY" : ",",
						 quote_identifier(NameStr(att->attname)));
		if (OidIsValid(att->attcollation))
			appendStringInfoString(&order, " COLLATE pg_catalog.\"C\"");
		appendStringInfoString(&order, " USING ");
		likeset_append_operator(&order, lt);
	}
	index_close(idx, AccessShareLock);
	if (usable)
		appendStringInfoString(buf, order.data);
}

/*
 * likeset_compact_rows(tbl regclass, col name, horizon timestamptz) -> bigint
 *
 * Rewrites each row of tbl (and of its partitions or children) whose value
 * in col likeset_compact(col, horizon) changes; returns how many.  Called
 * by likeset_compact_table(), which checks the horizon and the layout.
 */
PG_FUNCTION_INFO_V1(likeset_compact_rows);
Datum
likeset_compact_rows(PG_FUNCTION_ARGS)
{
	Oid			relid = PG_GETARG_OID(0);
	char	   *col = NameStr(*PG_GETARG_NAME(1));
	Datum		horizon = PG_GETARG_DATUM(2);
	Oid			extnsp = get_func_namespace(fcinfo->flinfo->fn_oid);
	const char *ext = quote_identifier(get_namespace_name(extnsp));
	Oid			likeset_type = GetSysCacheOid2(TYPENAMENSP, Anum_pg_type_oid,
											CStringGetDatum("likeset"), ObjectIdGetDatum(extnsp));
	Relation	rel;
	AttrNumber	attno;
	const char *qcol = quote_identifier(col);
	const char *qrel;
	StringInfoData sql;
	SPIPlanPtr	select_plan;
	SPIPlanPtr	update_plan;
	Portal		portal;
	Oid		   *toids;
	ItemPointerData *tids;
	int64		rewritten = 0;

	rel = try_relation_open(relid, AccessShareLock);
	if (rel == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_TABLE),
				 errmsg("relation with OID %u does not exist", relid)));
	attno = get_attnum(relid, col);
	if (attno <= 0 || get_atttype(relid, attno) != likeset_type)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("column \"%s\" of table \"%s\" is not a likeset column",
						col, RelationGetRelationName(rel))));
	qrel = likeset_qualified_relname(relid);
	toids = palloc(sizeof(Oid) * COMPACT_BATCH);
	tids = palloc(sizeof(ItemPointerData) * COMPACT_BATCH);

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	/*
	 * The rows to rewrite, locked without waiting, in key order; and the
	 * rewrite of one row, through tbl itself (its privileges and row
	 * security apply, as to any update of it).  (tableoid, ctid) names a
	 * row of a partition or child too, and a locked row cannot move.
	 */
	initStringInfo(&sql);
	appendStringInfo(&sql,
					 "SELECT t.tableoid, t.ctid FROM %s t"
					 " WHERE %s.likeset_nentries(t.%s) OPERATOR(pg_catalog.>) %s.likeset_count(t.%s)"
					 "   AND %s.likeset_compact(t.%s, $1) OPERATOR(%s.<>) t.%s",
					 qrel, ext, qcol, ext, qcol, ext, qcol, ext, qcol);
	append_key_order(&sql, rel);
	appendStringInfoString(&sql, " FOR UPDATE OF t SKIP LOCKED");
	select_plan = SPI_prepare(sql.data, 1, (Oid[]) {TIMESTAMPTZOID});
	if (select_plan == NULL)
		elog(ERROR, "SPI_prepare failed: %s", SPI_result_code_string(SPI_result));
	resetStringInfo(&sql);
	appendStringInfo(&sql,
					 "UPDATE %s t SET %s = %s.likeset_compact(t.%s, $1)"
					 " WHERE t.tableoid OPERATOR(pg_catalog.=) $2 AND t.ctid OPERATOR(pg_catalog.=) $3",
					 qrel, qcol, ext, qcol);
	update_plan = SPI_prepare(sql.data, 3, (Oid[]) {TIMESTAMPTZOID, OIDOID, TIDOID});
	if (update_plan == NULL)
		elog(ERROR, "SPI_prepare failed: %s", SPI_result_code_string(SPI_result));

	portal = SPI_cursor_open(NULL, select_plan, &horizon, NULL, false);
	for (;;)
	{
		uint64		n;

		SPI_cursor_fetch(portal, true, COMPACT_BATCH);
		n = SPI_processed;
		if (n == 0)
			break;
		/* the batch's rows, before the updates reuse SPI_tuptable */
		for (uint64 i = 0; i < n; i++)
		{
			bool		isnull;
			HeapTuple	tup = SPI_tuptable->vals[i];

			toids[i] = DatumGetObjectId(SPI_getbinval(tup, SPI_tuptable->tupdesc, 1, &isnull));
			tids[i] = *(ItemPointer) DatumGetPointer(SPI_getbinval(tup, SPI_tuptable->tupdesc, 2, &isnull));
		}
		SPI_freetuptable(SPI_tuptable);

		for (uint64 i = 0; i < n; i++)
		{
			Datum		args[3];
			int			rc;

			args[0] = horizon;
			args[1] = ObjectIdGetDatum(toids[i]);
			args[2] = PointerGetDatum(&tids[i]);
			rc = SPI_execute_plan(update_plan, args, NULL, false, 0);
			if (rc != SPI_OK_UPDATE)
				elog(ERROR, "SPI_execute_plan failed: %s", SPI_result_code_string(rc));
			rewritten += SPI_processed;
		}
	}
	SPI_cursor_close(portal);
	SPI_finish();
	relation_close(rel, AccessShareLock);
	PG_RETURN_INT64(rewritten);
}
