/*-------------------------------------------------------------------------
 *
 * likeset_like.c
 *	  The hot paths on a table of likes: likeset_like, likeset_unlike,
 *	  likeset_count and likeset_contains on either layout (a log table, or
 *	  a table with one likeset column and a one-column primary key), and the
 *	  log table's replica trigger.
 *
 * Each call finds the table's description and kept plans in the plan cache
 * (likeset_cache.c), keyed by the table's OID and the key argument's type;
 * the first call in a backend builds them.  The statements name every
 * table, function, operator, type and collation with its schema, so they
 * mean the same under any search_path, the apply worker's empty one
 * included.  docs/large-sets.md describes the log layout.
 *
 *-------------------------------------------------------------------------
 */
#include "likeset_pg.h"
#include "likeset_cache.h"

#include "access/detoast.h"
#include "access/genam.h"
#include "access/htup_details.h"
#include "access/nbtree.h"
#include "access/relation.h"
#include "access/transam.h"
#include "access/table.h"
#include "access/tableam.h"
#include "access/xact.h"
#include "catalog/pg_am.h"
#include "catalog/pg_index.h"
#include "commands/defrem.h"
#include "catalog/pg_type.h"
#include "commands/trigger.h"
#include "executor/spi.h"
#include "lib/stringinfo.h"
#include "storage/lmgr.h"
#include "executor/tuptable.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"
#include "utils/syscache.h"
#include "utils/timestamp.h"
#include "utils/typcache.h"
#include "utils/xid8.h"

#define MAX_ELEMENT_BYTES 4096

/* What a table is to the like functions */
typedef struct Layout
{
	bool		is_log;
	int			nsetcols;		/* value layout: likeset columns (must be 1) */
	bool		one_col_pk;		/* value layout: has a one-column primary key */
	Oid			log_oid;		/* the table */
	char	   *rel;			/* the table, schema-qualified */
	char	   *part;			/* log layout: its part and head tables */
	char	   *head;
	Oid			part_oid;
	Oid			head_oid;
	char	   *key_col;		/* the key column, quoted */
	char	   *set_col;		/* value layout: the likeset column, quoted */
	char	   *key;			/* the key parameter */
	char	   *key_eq;			/* the operator comparing the key column with it */
	char	   *ext;			/* the extension's schema, quoted */
	/* log layout: attribute numbers of its columns, for the trigger */
	AttrNumber	key_att;
	AttrNumber	element_att;
	AttrNumber	ts_att;
	AttrNumber	removed_att;
	AttrNumber	local_xid_att;	/* 0 in a log table made before 1.3 */

	/*
	 * log layout, when the key argument is of the key column's type and the
	 * tables have the indexes likeset_create_log() made: the reads go
	 * straight to those indexes (see "Direct probes" below)
	 */
	bool		direct;
	Oid			log_elem_idx;	/* log (key, element) */
	Oid			log_xid_idx;	/* log (key, local_xid); InvalidOid before 1.3 */
	Oid			part_idx;		/* part (key, lo), its primary key */
	Oid			head_idx;		/* head (key), its primary key */
	RegProcedure key_eq_proc;	/* the key type's equality, of its btree family */
	AttrNumber	part_att;		/* part: the likeset column */
	AttrNumber	present_att;	/* head: present and fold_xmin */
	AttrNumber	fold_xmin_att;
} Layout;

/* Plan slots of a cache entry */
enum
{
	PLAN_LOG_OP,				/* insert an operation into a log table, now */
	PLAN_LOG_OP_TS,				/* the same at a given time */
	PLAN_LOG_LATEST,			/* latest operation on (key, element) */
	PLAN_LOG_COUNT,
	PLAN_LOG_INSERT,			/* insert an operation whose time is decided */
	PLAN_VAL_UPDATE,			/* + 0..3: add, add at ts, remove, remove at ts */
	PLAN_VAL_INSERT = PLAN_VAL_UPDATE + 4,	/* + 0..1: add, remove */
	PLAN_VAL_COUNT = PLAN_VAL_INSERT + 2,
	PLAN_VAL_CONTAINS,
	PLAN_COUNT_
};
StaticAssertDecl(PLAN_COUNT_ <= LIKESET_CACHE_PLANS, "too many plans for a cache entry");

/* The extension's schema: the one the calling function lives in */
static Oid
ext_namespace(FunctionCallInfo fcinfo)
{
	return get_func_namespace(fcinfo->flinfo->fn_oid);
}

static AttrNumber
attnum_of(Relation rel, const char *name)
{
	TupleDesc	desc = RelationGetDescr(rel);

	for (int i = 0; i < desc->natts; i++)
		if (!TupleDescAttr(desc, i)->attisdropped &&
			strcmp(NameStr(TupleDescAttr(desc, i)->attname), name) == 0)
			return TupleDescAttr(desc, i)->attnum;
	return InvalidAttrNumber;
}

/*
 * A valid, plain (no expression, no predicate) btree index of rel on
 * exactly the columns (a1, a2) (a2 0: on a1 alone) whose first column
 * compares with the default btree family of key_type; InvalidOid if none.
 */
static Oid
find_btree_index(Relation rel, AttrNumber a1, AttrNumber a2, Oid key_family)
{
	List	   *indexes = RelationGetIndexList(rel);
	ListCell   *lc;
	Oid			found = InvalidOid;

	foreach(lc, indexes)
	{
		Relation	idx = index_open(lfirst_oid(lc), AccessShareLock);
		Form_pg_index ix = idx->rd_index;
		int			n = a2 != 0 ? 2 : 1;

		if (idx->rd_rel->relam == BTREE_AM_OID && ix->indisvalid && ix->indisready &&
			ix->indnkeyatts == n && ix->indkey.values[0] == a1 &&
			(n == 1 || ix->indkey.values[1] == a2) &&
			idx->rd_opfamily[0] == key_family &&
			heap_attisnull(idx->rd_indextuple, Anum_pg_index_indexprs, NULL) &&
			heap_attisnull(idx->rd_indextuple, Anum_pg_index_indpred, NULL))
			found = RelationGetRelid(idx);
		index_close(idx, AccessShareLock);
		if (OidIsValid(found))
			break;
	}
	list_free(indexes);
	return found;
}

/*
 * Can the reads of a log table go straight to its indexes?  Sets the
 * direct fields of lay (rel is the log table, locked).
 */
static void
find_direct(Layout *lay, Relation rel, Oid key_type, Oid likeset_type)
{
	Oid			opclass = GetDefaultOpClass(key_type, BTREE_AM_OID);
	Oid			family;
	Oid			eq;
	Relation	part;
	Relation	head;

	if (!OidIsValid(opclass))
		return;
	family = get_opclass_family(opclass);
	eq = get_opfamily_member(family, key_type, key_type, BTEqualStrategyNumber);
	if (!OidIsValid(eq))
		return;
	lay->key_eq_proc = get_opcode(eq);
	lay->log_elem_idx = find_btree_index(rel, lay->key_att, lay->element_att, family);
	if (lay->local_xid_att != 0)
		lay->log_xid_idx = find_btree_index(rel, lay->key_att, lay->local_xid_att, family);
	part = relation_open(lay->part_oid, AccessShareLock);
	head = relation_open(lay->head_oid, AccessShareLock);
	lay->part_att = attnum_of(part, "part");
	lay->present_att = attnum_of(head, "present");
	lay->fold_xmin_att = attnum_of(head, "fold_xmin");
	/* keys of the log's key type, lo a bigint, as likeset_create_log() made them */
	if (attnum_of(part, "key") != InvalidAttrNumber && attnum_of(part, "lo") != InvalidAttrNumber &&
		TupleDescAttr(RelationGetDescr(part), attnum_of(part, "key") - 1)->atttypid == key_type &&
		TupleDescAttr(RelationGetDescr(part), attnum_of(part, "lo") - 1)->atttypid == INT8OID)
		lay->part_idx = find_btree_index(part, attnum_of(part, "key"), attnum_of(part, "lo"), family);
	if (attnum_of(head, "key") != InvalidAttrNumber &&
		TupleDescAttr(RelationGetDescr(head), attnum_of(head, "key") - 1)->atttypid == key_type)
		lay->head_idx = find_btree_index(head, attnum_of(head, "key"), 0, family);
	lay->direct = OidIsValid(lay->log_elem_idx) && OidIsValid(lay->part_idx) &&
		OidIsValid(lay->head_idx) && lay->part_att != 0 && lay->present_att != 0 &&
		TupleDescAttr(RelationGetDescr(part), lay->part_att - 1)->atttypid == likeset_type &&
		TupleDescAttr(RelationGetDescr(head), lay->present_att - 1)->atttypid == INT8OID &&
		(lay->fold_xmin_att == 0 ||
		 TupleDescAttr(RelationGetDescr(head), lay->fold_xmin_att - 1)->atttypid == XID8OID) &&
		TupleDescAttr(RelationGetDescr(rel), lay->element_att - 1)->atttypid == TEXTOID &&
		TupleDescAttr(RelationGetDescr(rel), lay->ts_att - 1)->atttypid == TIMESTAMPTZOID &&
		TupleDescAttr(RelationGetDescr(rel), lay->removed_att - 1)->atttypid == BOOLOID;
	relation_close(part, AccessShareLock);
	relation_close(head, AccessShareLock);
}

/*
 * Build the description of relid for a key argument of type argtype, in a
 * new context, inside SPI_connect(); attach it to e when e is still
 * current.  Never raises for a table that is neither layout: the callers
 * that need one say what is wrong (layout_error).
 */
static Layout *
build_layout(LikesetCacheEntry *e, Oid relid, Oid argtype, Oid extnsp)
{
	uint32		generation = e->generation;
	MemoryContext cxt = AllocSetContextCreate(CurrentMemoryContext, "likeset layout",
											  ALLOCSET_SMALL_SIZES);
	MemoryContext old;
	Layout	   *lay;
	Relation	rel;
	TupleDesc	desc;
	Oid			likeset_type;
	Oid			deps[LIKESET_CACHE_DEPS] = {InvalidOid, InvalidOid};
	Oid			key_type = InvalidOid;
	StringInfoData buf;
	Datum		arg = ObjectIdGetDatum(relid);
	int			rc;

	rel = try_relation_open(relid, AccessShareLock);
	if (rel == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_TABLE),
				 errmsg("relation with OID %u does not exist", relid)));
	desc = RelationGetDescr(rel);
	likeset_type = GetSysCacheOid2(TYPENAMENSP, Anum_pg_type_oid,
								   CStringGetDatum("likeset"), ObjectIdGetDatum(extnsp));

	/* the registry of log tables */
	initStringInfo(&buf);
	appendStringInfo(&buf,
					 "SELECT r.part, r.head FROM %s.likeset_log_tables r "
					 "WHERE r.log OPERATOR(pg_catalog.=) $1",
					 quote_identifier(get_namespace_name(extnsp)));
	rc = SPI_execute_with_args(buf.data, 1, (Oid[]) {REGCLASSOID}, &arg, NULL, true, 1);
	if (rc != SPI_OK_SELECT)
		elog(ERROR, "SPI_execute_with_args failed: %s", SPI_result_code_string(rc));

	old = MemoryContextSwitchTo(cxt);
	lay = palloc0(sizeof(Layout));
	lay->ext = pstrdup(quote_identifier(get_namespace_name(extnsp)));
	lay->rel = likeset_qualified_relname(relid);
	lay->log_oid = relid;
	if (SPI_processed == 1)
	{
		bool		isnull;

		lay->is_log = true;
		deps[0] = DatumGetObjectId(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
		deps[1] = DatumGetObjectId(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2, &isnull));
		lay->part = likeset_qualified_relname(deps[0]);
		lay->head = likeset_qualified_relname(deps[1]);
		lay->part_oid = deps[0];
		lay->head_oid = deps[1];
		lay->key_col = pstrdup("key");
		for (int i = 0; i < desc->natts; i++)
		{
			Form_pg_attribute att = TupleDescAttr(desc, i);
			const char *name = NameStr(att->attname);

			if (att->attisdropped)
				continue;
			if (strcmp(name, "key") == 0)
			{
				lay->key_att = att->attnum;
				key_type = att->atttypid;
			}
			else if (strcmp(name, "element") == 0)
				lay->element_att = att->attnum;
			else if (strcmp(name, "ts") == 0)
				lay->ts_att = att->attnum;
			else if (strcmp(name, "removed") == 0)
				lay->removed_att = att->attnum;
			else if (strcmp(name, "local_xid") == 0 && att->atttypid == XID8OID)
				lay->local_xid_att = att->attnum;
		}
		if (lay->key_att == 0 || lay->element_att == 0 || lay->ts_att == 0 || lay->removed_att == 0)
			ereport(ERROR,
					(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
					 errmsg("log table %s lacks one of its columns key, element, ts and removed",
							lay->rel)));
	}
	else
	{
		List	   *indexes = RelationGetIndexList(rel);
		ListCell   *lc;

		for (int i = 0; i < desc->natts; i++)
		{
			Form_pg_attribute att = TupleDescAttr(desc, i);

			if (!att->attisdropped && att->atttypid == likeset_type)
			{
				/* like likeset_layout(): the first in name order */
				if (lay->nsetcols == 0 || strcmp(NameStr(att->attname), lay->set_col) < 0)
					lay->set_col = NameStr(att->attname);
				lay->nsetcols++;
			}
		}
		if (lay->set_col)
			lay->set_col = pstrdup(quote_identifier(lay->set_col));
		/* the primary key, when it has one column */
		foreach(lc, indexes)
		{
			HeapTuple	tup = SearchSysCache1(INDEXRELID, ObjectIdGetDatum(lfirst_oid(lc)));
			Form_pg_index idx;

			if (!HeapTupleIsValid(tup))
				elog(ERROR, "cache lookup failed for index %u", lfirst_oid(lc));
			idx = (Form_pg_index) GETSTRUCT(tup);
			if (idx->indisprimary && idx->indnkeyatts == 1 && idx->indkey.values[0] > 0)
			{
				Form_pg_attribute att = TupleDescAttr(desc, idx->indkey.values[0] - 1);

				lay->one_col_pk = true;
				lay->key_col = pstrdup(quote_identifier(NameStr(att->attname)));
				key_type = att->atttypid;
			}
			ReleaseSysCache(tup);
		}
		list_free(indexes);
	}
	lay->key = pstrdup("$1");
	if (lay->is_log && OidIsValid(key_type) && argtype == key_type)
		find_direct(lay, rel, key_type, likeset_type);
	if (OidIsValid(key_type) && argtype == key_type)
	{
		/* the type's own equality, which its index serves */
		TypeCacheEntry *tc = lookup_type_cache(key_type, TYPECACHE_EQ_OPR);

		if (!OidIsValid(tc->eq_opr))
			ereport(ERROR,
					(errcode(ERRCODE_UNDEFINED_FUNCTION),
					 errmsg("the key column of %s has no equality operator", lay->rel)));
		resetStringInfo(&buf);
		likeset_append_operator(&buf, tc->eq_opr);
		lay->key_eq = pstrdup(buf.data);
	}
	else
	{
		/*
		 * a key of another type: compared as "key = $1" resolves among
		 * pg_catalog's operators (bigint with integer, say), and an insert
		 * converts it as an assignment would, as the SQL versions did
		 */
		lay->key_eq = pstrdup("OPERATOR(pg_catalog.=)");
	}
	MemoryContextSwitchTo(old);
	relation_close(rel, AccessShareLock);
	likeset_cache_attach(e, generation, cxt, lay, deps, LIKESET_CACHE_DEPS, key_type);
	return lay;
}

/*
 * The cache entry (*ep) and description of relid for a key argument of type
 * argtype, from the cache or built now; inside SPI_connect(), the caller
 * holding a lock on relid.  A log table's part and head tables are locked
 * too, so that they cannot change under the statements; when that lock
 * brought news that made the entry stale, the lookup starts again.
 * *generation is the entry's generation the description belongs to.
 */
static Layout *
lookup(Oid relid, Oid argtype, Oid extnsp, LikesetCacheEntry **ep, uint32 *generation)
{
	if (!OidIsValid(argtype))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("could not determine the type of the key argument")));
	for (int attempt = 0;; attempt++)
	{
		LikesetCacheEntry *e = likeset_cache_get(LIKESET_CACHE_LAYOUT, relid, argtype);
		uint32		gen = e->generation;
		Layout	   *lay = e->info != NULL ? (Layout *) e->info
			: build_layout(e, relid, argtype, extnsp);

		if (lay->is_log)
		{
			LockRelationOid(lay->part_oid, AccessShareLock);
			LockRelationOid(lay->head_oid, AccessShareLock);
		}
		/*
		 * Every table is locked now, so only a changed schema, function,
		 * operator or type can make it stale again; after a few rounds the
		 * description built last is good for this call
		 */
		if (likeset_cache_current(e, gen) || attempt >= 3)
		{
			*ep = e;
			*generation = gen;
			return lay;
		}
	}
}

/* Raise the error for a table that is neither layout */
static void
layout_error(const Layout *lay)
{
	if (lay->nsetcols != 1)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("table %s has %d likeset columns", lay->rel, lay->nsetcols),
				 errdetail("The like functions work on a log table made by likeset_create_log(), or on a table with exactly one likeset column and a one-column primary key.")));
	if (!lay->one_col_pk)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("table %s has no one-column primary key", lay->rel),
				 errdetail("The like functions find a row by its primary key; with a composite key, update the likeset column directly.")));
}

/*
 * Direct probes of a log table.
 *
 * A like, a replicated log row, a count and a membership test each need a
 * few index probes: the latest pending row of (key, element), the part
 * that holds the element's folded entry, the key's head row and its
 * pending rows.  Through SPI each costs an executor start and end around a
 * plan of sorts, limits and subqueries; here they go to the B-tree indexes
 * likeset_create_log() made, the way PostgreSQL's own execReplication.c
 * finds a row by its replica identity index.  A table without those
 * indexes, or a key argument of another type, takes the SQL path.
 */

typedef struct IndexProbe
{
	Relation	heap;
	Relation	index;
	IndexScanDesc scan;
	TupleTableSlot *slot;
} IndexProbe;

/*
 * Start a scan of index (of heap, which the caller has locked) for the
 * rows whose first column equals key, and, when nkeys is 2, whose second
 * column compares with arg2 by strategy through proc2.
 */
static void
probe_begin(IndexProbe *p, Oid heap, Oid index, Snapshot snap, const Layout *lay, Datum key,
			int nkeys, StrategyNumber strategy2, RegProcedure proc2, Datum arg2)
{
	ScanKeyData sk[2];

	p->heap = table_open(heap, NoLock);
	p->index = index_open(index, AccessShareLock);
	ScanKeyEntryInitialize(&sk[0], 0, 1, BTEqualStrategyNumber, InvalidOid,
						   p->index->rd_indcollation[0], lay->key_eq_proc, key);
	if (nkeys == 2)
		ScanKeyEntryInitialize(&sk[1], 0, 2, strategy2, InvalidOid,
							   p->index->rd_indcollation[1], proc2, arg2);
	p->scan = likeset_index_beginscan(p->heap, p->index, snap, nkeys);
	index_rescan(p->scan, sk, nkeys, NULL, 0);
	p->slot = table_slot_create(p->heap, NULL);
}

static void
probe_end(IndexProbe *p)
{
	ExecDropSingleTupleTableSlot(p->slot);
	index_endscan(p->scan);
	index_close(p->index, NoLock);
	table_close(p->heap, NoLock);
}

/* The latest pending operation on (key, element): false when none */
static bool
direct_pending(const Layout *lay, Snapshot snap, Datum key, Datum elem,
			   TimestampTz *ts, bool *removed)
{
	IndexProbe	p;
	bool		found = false;

	probe_begin(&p, lay->log_oid, lay->log_elem_idx, snap, lay, key,
				2, BTEqualStrategyNumber, F_TEXTEQ, elem);
	while (index_getnext_slot(p.scan, ForwardScanDirection, p.slot))
	{
		bool		n1,
					n2;
		TimestampTz t = DatumGetTimestampTz(slot_getattr(p.slot, lay->ts_att, &n1));
		bool		r = DatumGetBool(slot_getattr(p.slot, lay->removed_att, &n2));

		if (n1 || n2)
			continue;
		if (!found || likeset_op_cmp(t, r, *ts, *removed) > 0)
		{
			*ts = t;
			*removed = r;
			found = true;
		}
	}
	probe_end(&p);
	return found;
}

/*
 * The folded entry of an element of hash h in key's parts, as
 * likeset_entry() gives it (a part with a horizon and no entry: removed
 * just before the horizon): false when none
 */
static bool
direct_folded(const Layout *lay, Snapshot snap, Datum key, const char *elem, uint32 len,
			  int64 h, TimestampTz *ts, bool *removed)
{
	IndexProbe	p;
	bool		found = false;

	/* the part of the greatest lo <= h */
	probe_begin(&p, lay->part_oid, lay->part_idx, snap, lay, key,
				2, BTLessEqualStrategyNumber, F_INT8LE, Int64GetDatum(h));
	if (index_getnext_slot(p.scan, BackwardScanDirection, p.slot))
	{
		bool		isnull;
		Datum		d = slot_getattr(p.slot, lay->part_att, &isnull);

		if (!isnull)
			found = likeset_datum_decisive_op(d, elem, len, ts, removed);
	}
	probe_end(&p);
	return found;
}

/* The latest operation on (key, element), pending or folded: false when none */
static bool
direct_latest(const Layout *lay, Snapshot snap, Datum key, Datum elem,
			  TimestampTz *ts, bool *removed)
{
	text	   *t = DatumGetTextPP(elem);
	const char *e = VARDATA_ANY(t);
	uint32		len = VARSIZE_ANY_EXHDR(t);
	TimestampTz fts;
	bool		fremoved;
	bool		found = direct_pending(lay, snap, key, PointerGetDatum(t), ts, removed);

	if (direct_folded(lay, snap, key, e, len, (int64) likeset_elem_hash(e, len), &fts, &fremoved) &&
		(!found || likeset_op_cmp(fts, fremoved, *ts, *removed) > 0))
	{
		*ts = fts;
		*removed = fremoved;
		found = true;
	}
	return found;
}

/* A pending operation, for the count */
typedef struct PendingOp
{
	text	   *elem;
	TimestampTz ts;
	bool		removed;
} PendingOp;

/* qsort order of pending operations: by element, as in a likeset */
static int
pending_cmp(const void *a, const void *b)
{
	const PendingOp *x = a;
	const PendingOp *y = b;

	return likeset_elem_cmp(VARDATA_ANY(x->elem), VARSIZE_ANY_EXHDR(x->elem),
							VARDATA_ANY(y->elem), VARSIZE_ANY_EXHDR(y->elem));
}

/*
 * likeset_count of a log table: the head's present count, plus the effect
 * of the latest pending operation on each element against its folded
 * entry.  Only pending rows at or after the last fold's snapshot xmin
 * (fold_xmin) are read, through the (key, local_xid) index, which starts
 * past the dead entries of the rows folds deleted; a fold_xmin past the
 * next transaction ID came from another cluster (pg_dump copies it), and
 * then every row is read.
 */
static int64
direct_count(const Layout *lay, Snapshot snap, Datum key)
{
	IndexProbe	p;
	int64		n = 0;
	bool		have_xmin = false;
	FullTransactionId xmin = InvalidFullTransactionId;
	PendingOp  *ops = NULL;
	int			nops = 0;
	int			maxops = 0;

	probe_begin(&p, lay->head_oid, lay->head_idx, snap, lay, key, 1, 0, InvalidOid, (Datum) 0);
	if (index_getnext_slot(p.scan, ForwardScanDirection, p.slot))
	{
		bool		isnull;
		Datum		d = slot_getattr(p.slot, lay->present_att, &isnull);

		if (!isnull)
			n = DatumGetInt64(d);
		if (lay->fold_xmin_att != 0)
		{
			d = slot_getattr(p.slot, lay->fold_xmin_att, &isnull);
			if (!isnull)
			{
				xmin = DatumGetFullTransactionId(d);
				have_xmin = FullTransactionIdPrecedesOrEquals(xmin, ReadNextFullTransactionId());
			}
		}
	}
	probe_end(&p);

	if (OidIsValid(lay->log_xid_idx))
		probe_begin(&p, lay->log_oid, lay->log_xid_idx, snap, lay, key,
					2, BTGreaterEqualStrategyNumber, F_XID8GE,
					FullTransactionIdGetDatum(have_xmin ? xmin : FullTransactionIdFromU64(0)));
	else
		probe_begin(&p, lay->log_oid, lay->log_elem_idx, snap, lay, key, 1, 0, InvalidOid, (Datum) 0);
	while (index_getnext_slot(p.scan, ForwardScanDirection, p.slot))
	{
		bool		n0,
					n1,
					n2;
		Datum		e = slot_getattr(p.slot, lay->element_att, &n0);
		Datum		t = slot_getattr(p.slot, lay->ts_att, &n1);
		Datum		r = slot_getattr(p.slot, lay->removed_att, &n2);

		if (n0 || n1 || n2)
			continue;
		if (nops == maxops)
		{
			maxops = maxops == 0 ? 16 : maxops * 2;
			ops = ops == NULL ? palloc(sizeof(PendingOp) * maxops)
				: repalloc(ops, sizeof(PendingOp) * maxops);
		}
		ops[nops].elem = DatumGetTextPCopy(e);
		ops[nops].ts = DatumGetTimestampTz(t);
		ops[nops].removed = DatumGetBool(r);
		nops++;
	}
	probe_end(&p);

	if (nops > 1)
		qsort(ops, nops, sizeof(PendingOp), pending_cmp);
	for (int i = 0; i < nops;)
	{
		PendingOp	last = ops[i];
		const char *e = VARDATA_ANY(last.elem);
		uint32		len = VARSIZE_ANY_EXHDR(last.elem);
		TimestampTz fts;
		bool		fremoved;
		int			j;

		/* the latest operation on this element */
		for (j = i + 1; j < nops && pending_cmp(&ops[j], &ops[i]) == 0; j++)
			if (likeset_op_cmp(ops[j].ts, ops[j].removed, last.ts, last.removed) > 0)
				last = ops[j];
		/* it changes the count unless the folded entry is as late or later */
		if (!direct_folded(lay, snap, key, e, len, (int64) likeset_elem_hash(e, len), &fts, &fremoved))
			n += last.removed ? 0 : 1;
		else if (likeset_op_cmp(last.ts, last.removed, fts, fremoved) > 0)
			n += (last.removed ? 0 : 1) - (fremoved ? 0 : 1);
		i = j;
	}
	return n;
}

/*
 * The latest operation known on (key $1, element $2) of a log table,
 * pending or folded: zero or one row (ts, removed)
 */
static void
append_log_latest(StringInfo buf, const Layout *lay)
{
	appendStringInfo(buf,
					 "SELECT o.ts, o.removed FROM ("
					 " SELECT l.ts, l.removed FROM %s l"
					 " WHERE l.key %s %s AND l.element OPERATOR(pg_catalog.=) $2 COLLATE pg_catalog.\"C\""
					 " UNION ALL"
					 " SELECT (x.e).ts, (x.e).removed FROM ("
					 "  SELECT %s.likeset_entry(p.part, $2) AS e FROM %s p"
					 "  WHERE p.key %s %s AND p.lo OPERATOR(pg_catalog.<=) %s.likeset_element_hash($2)"
					 "  ORDER BY p.lo DESC LIMIT 1) x"
					 " WHERE x.e IS NOT NULL) o "
					 "ORDER BY o.ts DESC, o.removed DESC LIMIT 1",
					 lay->rel, lay->key_eq, lay->key,
					 lay->ext, lay->part, lay->key_eq, lay->key, lay->ext);
}

/* Run a kept plan; its SPI status must be want */
static void
run_plan(SPIPlanPtr plan, Datum *values, const char *nulls, bool read_only, int want)
{
	int			rc = likeset_cache_execute(plan, values, nulls, read_only, 1);

	if (rc != want)
		elog(ERROR, "SPI_execute_plan failed: %s", SPI_result_code_string(rc));
}

static const char *const val_op_names[2] = {"likeset_add", "likeset_remove"};

/*
 * One operation, removed or not, at ts (NULL: now, just after the element's
 * last operation) on either layout
 */
static void
apply_op(FunctionCallInfo fcinfo, bool removed, bool has_ts)
{
	Oid			relid;
	Oid			argtype = get_fn_expr_argtype(fcinfo->flinfo, 1);
	Oid			extnsp = ext_namespace(fcinfo);
	bool		ts_null = !has_ts || PG_ARGISNULL(3);
	Datum		values[4];
	char		nulls[4] = {' ', ' ', ' ', ' '};
	LikesetCacheEntry *e;
	uint32		gen;
	Layout	   *lay;
	StringInfoData buf;

	if (PG_ARGISNULL(0) || PG_ARGISNULL(1) || PG_ARGISNULL(2))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("table, key and element must not be null")));
	if (!ts_null && TIMESTAMP_NOT_FINITE(PG_GETARG_TIMESTAMPTZ(3)))
		ereport(ERROR,
				(errcode(ERRCODE_DATETIME_FIELD_OVERFLOW),
				 errmsg("timestamp out of range for likeset"),
				 errdetail("Operations need a finite timestamp.")));
	relid = PG_GETARG_OID(0);
	/* the lock the statement takes anyway; first, so that stale entries go */
	LockRelationOid(relid, RowExclusiveLock);
	values[0] = PG_GETARG_DATUM(1);
	values[1] = PG_GETARG_DATUM(2);
	values[2] = ts_null ? (Datum) 0 : PG_GETARG_DATUM(3);
	nulls[2] = ts_null ? 'n' : ' ';
	values[3] = BoolGetDatum(removed);

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	lay = lookup(relid, argtype, extnsp, &e, &gen);
	if (lay->is_log)
	{
		int			slot = ts_null ? PLAN_LOG_OP : PLAN_LOG_OP_TS;
		SPIPlanPtr	plan = likeset_cache_current(e, gen) ? e->plans[slot] : NULL;
		text	   *elem = PG_GETARG_TEXT_PP(2);

		if (VARSIZE_ANY_EXHDR(elem) > MAX_ELEMENT_BYTES)
			ereport(ERROR,
					(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
					 errmsg("likeset element too long"),
					 errdetail("The element is %d bytes; the limit is %d.",
							   (int) VARSIZE_ANY_EXHDR(elem), MAX_ELEMENT_BYTES)));
		if (lay->direct)
		{
			TimestampTz lts = 0;
			bool		lremoved = false;
			bool		found;

			/* as SPI would: this transaction's earlier changes visible */
			CommandCounterIncrement();
			PushActiveSnapshot(GetTransactionSnapshot());
			found = direct_latest(lay, GetActiveSnapshot(), values[0], values[1], &lts, &lremoved);
			PopActiveSnapshot();
			if (ts_null)
			{
				/* now, or just after the element's last operation */
				TimestampTz now = GetCurrentTimestamp();

				values[2] = TimestampTzGetDatum(found && lts >= now ? lts + 1 : now);
				nulls[2] = ' ';
			}
			else if (found && likeset_op_cmp(DatumGetTimestampTz(values[2]), removed, lts, lremoved) <= 0)
			{
				/* an operation known already beats it (or is it) */
				SPI_finish();
				return;
			}
			plan = likeset_cache_current(e, gen) ? e->plans[PLAN_LOG_INSERT] : NULL;
			if (plan == NULL)
			{
				initStringInfo(&buf);
				appendStringInfo(&buf, "INSERT INTO %s (key, element, ts, removed) VALUES ($1, $2, $3, $4)",
								 lay->rel);
				plan = likeset_cache_plan(e, gen, PLAN_LOG_INSERT, buf.data, 4,
										  (Oid[]) {argtype, TEXTOID, TIMESTAMPTZOID, BOOLOID});
			}
		}
		else if (plan == NULL)
		{
			initStringInfo(&buf);
			if (ts_null)
				/*
				 * now, or just after the element's last operation, pending
				 * or folded, when that is later (GREATEST skips NULLs)
				 */
				appendStringInfo(&buf,
								 "INSERT INTO %1$s (key, element, ts, removed) VALUES (%2$s, $2, GREATEST("
								 "pg_catalog.clock_timestamp(),"
								 " (SELECT pg_catalog.max(l.ts) FROM %1$s l"
								 "  WHERE l.key %3$s %2$s AND l.element OPERATOR(pg_catalog.=) $2 COLLATE pg_catalog.\"C\")"
								 "  OPERATOR(pg_catalog.+) CAST('1 microsecond' AS pg_catalog.interval),"
								 " (SELECT (%4$s.likeset_entry(p.part, $2)).ts FROM %5$s p"
								 "  WHERE p.key %3$s %2$s AND p.lo OPERATOR(pg_catalog.<=) %4$s.likeset_element_hash($2)"
								 "  ORDER BY p.lo DESC LIMIT 1)"
								 "  OPERATOR(pg_catalog.+) CAST('1 microsecond' AS pg_catalog.interval)), $4)",
								 lay->rel, lay->key, lay->key_eq, lay->ext, lay->part);
			else
				/* at ts, unless an operation known already beats it */
				appendStringInfo(&buf,
								 "INSERT INTO %1$s (key, element, ts, removed) SELECT %2$s, $2, $3, $4 "
								 "WHERE NOT EXISTS (SELECT FROM %1$s l"
								 "  WHERE l.key %3$s %2$s AND l.element OPERATOR(pg_catalog.=) $2 COLLATE pg_catalog.\"C\""
								 "  AND ROW(l.ts, l.removed) OPERATOR(pg_catalog.>=) ROW($3, $4))"
								 " AND NOT EXISTS (SELECT FROM (SELECT %4$s.likeset_entry(p.part, $2) AS e FROM %5$s p"
								 "  WHERE p.key %3$s %2$s AND p.lo OPERATOR(pg_catalog.<=) %4$s.likeset_element_hash($2)"
								 "  ORDER BY p.lo DESC LIMIT 1) x"
								 "  WHERE ROW((x.e).ts, (x.e).removed) OPERATOR(pg_catalog.>=) ROW($3, $4))",
								 lay->rel, lay->key, lay->key_eq, lay->ext, lay->part);
			plan = likeset_cache_plan(e, gen, slot, buf.data, 4,
									  (Oid[]) {argtype, TEXTOID, TIMESTAMPTZOID, BOOLOID});
		}
		run_plan(plan, values, nulls, false, SPI_OK_INSERT);
	}
	else
	{
		int			uslot = PLAN_VAL_UPDATE + (removed ? 2 : 0) + (ts_null ? 0 : 1);
		int			islot = PLAN_VAL_INSERT + (removed ? 1 : 0);
		SPIPlanPtr	plan;

		layout_error(lay);
		plan = likeset_cache_current(e, gen) ? e->plans[uslot] : NULL;
		if (plan == NULL)
		{
			initStringInfo(&buf);
			appendStringInfo(&buf, "UPDATE %s SET %s = %s.%s(%s, $2%s) WHERE %s %s %s",
							 lay->rel, lay->set_col, lay->ext, val_op_names[removed],
							 lay->set_col, ts_null ? "" : ", $3",
							 lay->key_col, lay->key_eq, lay->key);
			plan = likeset_cache_plan(e, gen, uslot, buf.data, ts_null ? 2 : 3,
									  (Oid[]) {argtype, TEXTOID, TIMESTAMPTZOID});
		}
		run_plan(plan, values, nulls, false, SPI_OK_UPDATE);
		if (SPI_processed == 0)
		{
			plan = likeset_cache_current(e, gen) ? e->plans[islot] : NULL;
			if (plan == NULL)
			{
				initStringInfo(&buf);
				appendStringInfo(&buf,
								 "INSERT INTO %s AS t (%s, %s) VALUES (%s, %s.%s("
								 "CAST('{}' AS %s.likeset), $2, coalesce($3, pg_catalog.clock_timestamp()))) "
								 "ON CONFLICT (%s) DO UPDATE SET %s = %s.likeset_merge(t.%s, excluded.%s)",
								 lay->rel, lay->key_col, lay->set_col, lay->key, lay->ext,
								 val_op_names[removed], lay->ext,
								 lay->key_col, lay->set_col, lay->ext, lay->set_col, lay->set_col);
				plan = likeset_cache_plan(e, gen, islot, buf.data, 3,
										  (Oid[]) {argtype, TEXTOID, TIMESTAMPTZOID});
			}
			run_plan(plan, values, nulls, false, SPI_OK_INSERT);
		}
	}
	SPI_finish();
}

PG_FUNCTION_INFO_V1(likeset_rel_like);
/* likeset_like(tbl, key, elem [, ts]) */
Datum
likeset_rel_like(PG_FUNCTION_ARGS)
{
	apply_op(fcinfo, false, PG_NARGS() > 3);
	PG_RETURN_VOID();
}

PG_FUNCTION_INFO_V1(likeset_rel_unlike);
/* likeset_unlike(tbl, key, elem [, ts]) */
Datum
likeset_rel_unlike(PG_FUNCTION_ARGS)
{
	apply_op(fcinfo, true, PG_NARGS() > 3);
	PG_RETURN_VOID();
}

PG_FUNCTION_INFO_V1(likeset_rel_apply_op);
/* likeset_apply_op(tbl, key, elem, ts, removed): either, removed NULL meaning false */
Datum
likeset_rel_apply_op(PG_FUNCTION_ARGS)
{
	apply_op(fcinfo, !PG_ARGISNULL(4) && PG_GETARG_BOOL(4), true);
	PG_RETURN_VOID();
}

/* Run a read-only statement of one row and column; false when it returns no row or NULL */
static bool
read_one(SPIPlanPtr plan, Datum *values, Datum *result)
{
	bool		isnull = true;

	run_plan(plan, values, NULL, true, SPI_OK_SELECT);
	if (SPI_processed == 1)
		*result = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull);
	return !isnull;
}

PG_FUNCTION_INFO_V1(likeset_rel_count);
/* likeset_count(tbl, key): present elements of key's set */
Datum
likeset_rel_count(PG_FUNCTION_ARGS)
{
	Oid			relid = PG_GETARG_OID(0);
	Oid			argtype = get_fn_expr_argtype(fcinfo->flinfo, 1);
	Oid			extnsp = ext_namespace(fcinfo);
	Datum		values[2];
	Datum		result;
	int64		n = 0;
	LikesetCacheEntry *e;
	uint32		gen;
	Layout	   *lay;
	SPIPlanPtr	plan;
	StringInfoData buf;
	int			slot;

	LockRelationOid(relid, AccessShareLock);
	values[0] = PG_GETARG_DATUM(1);
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	lay = lookup(relid, argtype, extnsp, &e, &gen);
	if (!lay->is_log)
		layout_error(lay);
	if (lay->direct)
	{
		n = direct_count(lay, GetActiveSnapshot(), values[0]);
		SPI_finish();
		PG_RETURN_INT64(n);
	}
	/*
	 * the log's statement: the next transaction ID, as a fold_xmin past it
	 * came from another cluster (read here only, not on the direct path,
	 * which reads it only for a key that has one)
	 */
	if (lay->is_log)
		values[1] = FullTransactionIdGetDatum(ReadNextFullTransactionId());
	slot = lay->is_log ? PLAN_LOG_COUNT : PLAN_VAL_COUNT;
	plan = likeset_cache_current(e, gen) ? e->plans[slot] : NULL;
	if (plan == NULL)
	{
		initStringInfo(&buf);
		if (lay->is_log)
			/*
			 * folded count, plus the effect of the latest pending operation
			 * on each element against its folded entry; one statement, one
			 * snapshot.  The pending rows are those at or after the last
			 * fold's snapshot xmin (fold_xmin): the rows of older
			 * transactions were all folded and deleted, and the (key,
			 * local_xid) index starts past their dead entries.  A fold_xmin
			 * past the next transaction ID ($2) was restored from another
			 * cluster (pg_dump copies the column): then every row counts.
			 */
			appendStringInfo(&buf,
							 "SELECT coalesce(h.present, 0) OPERATOR(pg_catalog.+) coalesce(("
							 "  SELECT pg_catalog.sum(CASE"
							 "   WHEN x.e IS NOT NULL AND ROW((x.e).ts, (x.e).removed) OPERATOR(pg_catalog.>=) ROW(d.ts, d.removed) THEN 0"
							 "   ELSE CAST(NOT d.removed AS pg_catalog.int4) OPERATOR(pg_catalog.-)"
							 "    CAST(x.e IS NOT NULL AND NOT (x.e).removed AS pg_catalog.int4) END)"
							 "  FROM (SELECT DISTINCT ON (l.element) l.element, l.ts, l.removed FROM %1$s l"
							 "        WHERE l.key %4$s %5$s%7$s"
							 "        ORDER BY l.element, l.ts DESC, l.removed DESC) d"
							 "  LEFT JOIN LATERAL (SELECT %6$s.likeset_entry(p.part, d.element) AS e FROM %2$s p"
							 "        WHERE p.key %4$s %5$s AND p.lo OPERATOR(pg_catalog.<=) %6$s.likeset_element_hash(d.element)"
							 "        ORDER BY p.lo DESC LIMIT 1) x ON true), 0) "
							 "FROM (SELECT) one LEFT JOIN %3$s h ON h.key %4$s %5$s",
							 lay->rel, lay->part, lay->head, lay->key_eq, lay->key, lay->ext,
							 lay->local_xid_att ?
							 " AND l.local_xid OPERATOR(pg_catalog.>=) coalesce(CASE WHEN h.fold_xmin OPERATOR(pg_catalog.<=) $2"
							 " THEN h.fold_xmin END, CAST('0' AS pg_catalog.xid8))" : "");
		else
			appendStringInfo(&buf, "SELECT %s.likeset_count(%s) FROM %s WHERE %s %s %s",
							 lay->ext, lay->set_col, lay->rel, lay->key_col, lay->key_eq, lay->key);
		plan = likeset_cache_plan(e, gen, slot, buf.data, lay->is_log ? 2 : 1,
								  (Oid[]) {argtype, XID8OID});
	}
	if (read_one(plan, values, &result))
		n = DatumGetInt64(result);
	SPI_finish();
	PG_RETURN_INT64(n);
}

/*
 * The latest operation on (key, element) of a log table: false when there
 * is none.  Inside SPI_connect().
 */
static bool
log_latest(LikesetCacheEntry *e, uint32 gen, const Layout *lay, Oid argtype, Datum *values,
		   bool read_only, TimestampTz *ts, bool *removed)
{
	SPIPlanPtr	plan = likeset_cache_current(e, gen) ? e->plans[PLAN_LOG_LATEST] : NULL;
	bool		isnull;

	if (lay->direct)
	{
		bool		found;

		if (read_only)
			return direct_latest(lay, GetActiveSnapshot(), values[0], values[1], ts, removed);
		/* as SPI would: this transaction's earlier changes visible */
		CommandCounterIncrement();
		PushActiveSnapshot(GetTransactionSnapshot());
		found = direct_latest(lay, GetActiveSnapshot(), values[0], values[1], ts, removed);
		PopActiveSnapshot();
		return found;
	}
	if (plan == NULL)
	{
		StringInfoData buf;

		initStringInfo(&buf);
		append_log_latest(&buf, lay);
		plan = likeset_cache_plan(e, gen, PLAN_LOG_LATEST, buf.data, 2, (Oid[]) {argtype, TEXTOID});
	}
	run_plan(plan, values, NULL, read_only, SPI_OK_SELECT);
	if (SPI_processed != 1)
		return false;
	*ts = DatumGetTimestampTz(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
	if (isnull)
		return false;
	*removed = DatumGetBool(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2, &isnull));
	return true;
}

PG_FUNCTION_INFO_V1(likeset_rel_contains);
/* likeset_contains(tbl, key, elem): is elem present in key's set? */
Datum
likeset_rel_contains(PG_FUNCTION_ARGS)
{
	Oid			relid = PG_GETARG_OID(0);
	Oid			argtype = get_fn_expr_argtype(fcinfo->flinfo, 1);
	Oid			extnsp = ext_namespace(fcinfo);
	Datum		values[2];
	bool		present = false;
	LikesetCacheEntry *e;
	uint32		gen;
	Layout	   *lay;

	LockRelationOid(relid, AccessShareLock);
	values[0] = PG_GETARG_DATUM(1);
	values[1] = PG_GETARG_DATUM(2);
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	lay = lookup(relid, argtype, extnsp, &e, &gen);
	if (lay->is_log)
	{
		TimestampTz ts;
		bool		removed;

		present = log_latest(e, gen, lay, argtype, values, true, &ts, &removed) && !removed;
	}
	else
	{
		SPIPlanPtr	plan;
		Datum		result;

		layout_error(lay);
		plan = likeset_cache_current(e, gen) ? e->plans[PLAN_VAL_CONTAINS] : NULL;
		if (plan == NULL)
		{
			StringInfoData buf;

			initStringInfo(&buf);
			appendStringInfo(&buf, "SELECT %s.likeset_contains(%s, $2) FROM %s WHERE %s %s %s",
							 lay->ext, lay->set_col, lay->rel, lay->key_col, lay->key_eq, lay->key);
			plan = likeset_cache_plan(e, gen, PLAN_VAL_CONTAINS, buf.data, 2, (Oid[]) {argtype, TEXTOID});
		}
		if (read_one(plan, values, &result))
			present = DatumGetBool(result);
	}
	SPI_finish();
	PG_RETURN_BOOL(present);
}

/*
 * What a log row must hold, as likeset_like() checks it: an element of at
 * most MAX_ELEMENT_BYTES and a finite timestamp (NULLs meet the columns'
 * NOT NULL).  Until 1.3 two CHECK constraints of the log table said so;
 * but PostgreSQL reads a table's CHECK constraints anew (stringToNode) in
 * every statement that writes it, which took a tenth of an apply worker's
 * time on a log table, and the triggers below check in C instead.  The
 * SQLSTATE stays the constraints' (check_violation).
 */
static void
check_log_row(Relation rel, HeapTuple tup, AttrNumber element_att, AttrNumber ts_att)
{
	TupleDesc	desc = RelationGetDescr(rel);
	bool		isnull;
	Datum		d;

	if (element_att != InvalidAttrNumber)
	{
		d = heap_getattr(tup, element_att, desc, &isnull);
		if (!isnull && toast_raw_datum_size(d) - VARHDRSZ > MAX_ELEMENT_BYTES)
			ereport(ERROR,
					(errcode(ERRCODE_CHECK_VIOLATION),
					 errmsg("likeset element too long for log table \"%s\"",
							RelationGetRelationName(rel)),
					 errdetail("The element is %d bytes; the limit is %d.",
							   (int) (toast_raw_datum_size(d) - VARHDRSZ), MAX_ELEMENT_BYTES)));
	}
	if (ts_att != InvalidAttrNumber)
	{
		d = heap_getattr(tup, ts_att, desc, &isnull);
		if (!isnull && TIMESTAMP_NOT_FINITE(DatumGetTimestampTz(d)))
			ereport(ERROR,
					(errcode(ERRCODE_CHECK_VIOLATION),
					 errmsg("infinite timestamp for log table \"%s\"",
							RelationGetRelationName(rel)),
					 errdetail("Operations need a finite timestamp.")));
	}
}

PG_FUNCTION_INFO_V1(likeset_log_check);
/*
 * BEFORE INSERT OR UPDATE row trigger on log tables, for local writes (a
 * replicated row meets likeset_log_trigger, which checks the same)
 */
Datum
likeset_log_check(PG_FUNCTION_ARGS)
{
	TriggerData *td = (TriggerData *) fcinfo->context;
	HeapTuple	tup;

	if (!CALLED_AS_TRIGGER(fcinfo))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("likeset_log_check: not called by trigger manager")));
	if (!TRIGGER_FIRED_BEFORE(td->tg_event) || !TRIGGER_FIRED_FOR_ROW(td->tg_event) ||
		!(TRIGGER_FIRED_BY_INSERT(td->tg_event) || TRIGGER_FIRED_BY_UPDATE(td->tg_event)))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("likeset_log_check must be a BEFORE INSERT OR UPDATE ROW trigger")));
	tup = TRIGGER_FIRED_BY_UPDATE(td->tg_event) ? td->tg_newtuple : td->tg_trigtuple;
	check_log_row(td->tg_relation, tup, attnum_of(td->tg_relation, "element"),
				  attnum_of(td->tg_relation, "ts"));
	return PointerGetDatum(tup);
}

PG_FUNCTION_INFO_V1(likeset_log_trigger);
/*
 * Replica-only BEFORE INSERT trigger on log tables: check the row as
 * likeset_log_check does for local writes, then drop an incoming operation
 * that an equal or later one on the same element already beats, so that
 * the echo of a row dies at the first node that has it.
 */
Datum
likeset_log_trigger(PG_FUNCTION_ARGS)
{
	TriggerData *td = (TriggerData *) fcinfo->context;
	Relation	rel;
	HeapTuple	tup;
	TupleDesc	desc;
	Oid			key_type;
	LikesetCacheEntry *e;
	uint32		gen;
	Layout	   *lay;
	Datum		values[2];
	bool		isnull[4];
	Datum		ts_new;
	Datum		removed_new;
	TimestampTz ts;
	bool		removed;
	bool		beaten = false;
	AttrNumber	key_att = InvalidAttrNumber;
	bool		skip_probes = false;
	int			col;

	if (!CALLED_AS_TRIGGER(fcinfo))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("likeset_log_trigger: not called by trigger manager")));
	if (!TRIGGER_FIRED_BEFORE(td->tg_event) || !TRIGGER_FIRED_FOR_ROW(td->tg_event) ||
		!TRIGGER_FIRED_BY_INSERT(td->tg_event))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("likeset_log_trigger must be a BEFORE INSERT ROW trigger")));
	rel = td->tg_relation;
	tup = td->tg_trigtuple;
	desc = RelationGetDescr(rel);
	check_log_row(rel, tup, attnum_of(rel, "element"), attnum_of(rel, "ts"));
	key_att = attnum_of(rel, "key");
	if (key_att == InvalidAttrNumber)
		return PointerGetDatum(tup);
	/*
	 * An apply worker of a subscription with origin = none receives only
	 * operations made on its publisher, never an echo of one made here; one
	 * that an earlier operation beats may still arrive, and goes in (a fold
	 * settles it, and the reads compare it with the rest): no probes.
	 */
	if (likeset_applying_origin_none())
		skip_probes = true;
	key_type = TupleDescAttr(desc, key_att - 1)->atttypid;

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	lay = lookup(RelationGetRelid(rel), key_type, ext_namespace(fcinfo), &e, &gen);
	if (lay->is_log && !skip_probes)
	{
		values[0] = heap_getattr(tup, lay->key_att, desc, &isnull[0]);
		values[1] = heap_getattr(tup, lay->element_att, desc, &isnull[1]);
		ts_new = heap_getattr(tup, lay->ts_att, desc, &isnull[2]);
		removed_new = heap_getattr(tup, lay->removed_att, desc, &isnull[3]);
		/*
		 * Under the active snapshot: an apply worker takes a new one for
		 * each change, after the transaction's earlier changes, which it
		 * sees (begin_replication_step in worker.c).  The earlier rows of
		 * one multi-row INSERT it does not see, and an operation they beat
		 * then goes in too, which a fold settles.
		 */
		if (!isnull[0] && !isnull[1] && !isnull[2] && !isnull[3] &&
			log_latest(e, gen, lay, key_type, values, true, &ts, &removed))
		{
			TimestampTz nts = DatumGetTimestampTz(ts_new);
			bool		nremoved = DatumGetBool(removed_new);

			beaten = likeset_op_cmp(ts, removed, nts, nremoved) >= 0;
		}
	}
	col = lay->is_log ? lay->local_xid_att : 0;
	SPI_finish();
	if (beaten)
		return PointerGetDatum(NULL);
	/* the node-local transaction that inserts it (see likeset_count) */
	if (col != 0)
	{
		Datum		xid = FullTransactionIdGetDatum(GetTopFullTransactionId());
		bool		xid_null = false;

		tup = heap_modify_tuple_by_cols(tup, desc, 1, &col, &xid, &xid_null);
	}
	return PointerGetDatum(tup);
}
