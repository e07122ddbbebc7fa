/*-------------------------------------------------------------------------
 *
 * likeset_cache.c
 *	  Per-backend cache of what the hot paths know about a table: its layout
 *	  or replication statements, and their SPI plans, prepared once and kept
 *	  (SPI_prepare + SPI_keepplan).
 *
 * An entry is keyed by (relation OID, type of the key argument).  It holds
 * a memory context for its description of the table (names, column
 * positions, statement texts) and up to LIKESET_CACHE_PLANS kept plans.
 * PostgreSQL revalidates a kept plan by itself when a table it reads
 * changes, but it does so by parsing the statement's text again, and that
 * text names columns and tables: after a rename or a dropped column it is
 * wrong.  So a relcache callback marks an entry stale when its table, or a
 * table it depends on (a log table's part and head tables), changes or is
 * dropped; the next lookup starts it afresh.  The texts also name schemas,
 * functions, operators and types, so syscache callbacks on those catalogs
 * mark entries stale too: every entry when a schema, function or operator
 * changes (rare), and the entries naming a type when that type changes.
 *
 * Every statement is a lookup by key that an index serves.  A kept plan is
 * built at its first execution and again after an invalidation, with the
 * table's statistics of that moment: a log table is a queue, often empty
 * when (auto)vacuum records its size, and a plan built then would scan the
 * whole table for as long as it is kept, however much the table has grown
 * (and a sequential scan reads the dead rows of every fold too).  So the
 * plans are built and run with enable_seqscan off (likeset_cache_execute).
 *
 * The callback can run in the middle of a call that uses the entry (any
 * lock acquisition processes invalidations).  So it never frees anything:
 * a stale entry's context and plans move to a list that is freed at the end
 * of the transaction, when no call can still be using them.  Callers that
 * build something for an entry check likeset_cache_current() before they
 * attach it (see likeset_cache_attach()).
 *
 *-------------------------------------------------------------------------
 */
#include "likeset_cache.h"

#include "access/htup_details.h"
#include "access/xact.h"
#include "catalog/pg_operator.h"
#include "nodes/pg_list.h"
#include "utils/guc.h"
#include "utils/hsearch.h"
#include "utils/builtins.h"
#include "utils/inval.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/syscache.h"

typedef struct CacheKey
{
	Oid			relid;
	Oid			argtype;
	int			kind;
} CacheKey;

static HTAB *cache = NULL;

/* plans and contexts of stale entries, freed at the end of the transaction */
static List *graveyard_plans = NIL;
static List *graveyard_cxts = NIL;

static void
bury(LikesetCacheEntry *e)
{
	MemoryContext old = MemoryContextSwitchTo(TopMemoryContext);

	for (int i = 0; i < LIKESET_CACHE_PLANS; i++)
	{
		if (e->plans[i] != NULL)
			graveyard_plans = lappend(graveyard_plans, e->plans[i]);
		e->plans[i] = NULL;
	}
	if (e->cxt != NULL)
		graveyard_cxts = lappend(graveyard_cxts, e->cxt);
	e->cxt = NULL;
	e->info = NULL;
	MemoryContextSwitchTo(old);
}

static void
empty_graveyard(XactEvent event, void *arg)
{
	ListCell   *lc;

	if (event != XACT_EVENT_COMMIT && event != XACT_EVENT_ABORT &&
		event != XACT_EVENT_PARALLEL_COMMIT && event != XACT_EVENT_PARALLEL_ABORT &&
		event != XACT_EVENT_PREPARE)
		return;
	foreach(lc, graveyard_plans)
		SPI_freeplan((SPIPlanPtr) lfirst(lc));
	foreach(lc, graveyard_cxts)
		MemoryContextDelete((MemoryContext) lfirst(lc));
	list_free(graveyard_plans);
	list_free(graveyard_cxts);
	graveyard_plans = graveyard_cxts = NIL;
}

static void
make_stale(LikesetCacheEntry *e)
{
	if (e->valid)
	{
		e->valid = false;
		e->generation++;
		bury(e);
	}
}

/* Relcache callback: relid changed or went away (InvalidOid: everything) */
static void
invalidate_rel(Datum arg, Oid relid)
{
	HASH_SEQ_STATUS status;
	LikesetCacheEntry *e;

	if (cache == NULL)
		return;
	hash_seq_init(&status, cache);
	while ((e = (LikesetCacheEntry *) hash_seq_search(&status)) != NULL)
	{
		bool		hit = !OidIsValid(relid) || e->relid == relid;

		for (int i = 0; i < LIKESET_CACHE_DEPS && !hit; i++)
			hit = e->deps[i] == relid;
		if (hit)
			make_stale(e);
	}
}

/* Syscache callback on schemas, functions and operators: everything */
static void
invalidate_all(Datum arg, int cacheid, uint32 hashvalue)
{
	invalidate_rel(arg, InvalidOid);
}

/* Syscache callback on types: the entries naming that type (0: every type) */
static void
invalidate_type(Datum arg, int cacheid, uint32 hashvalue)
{
	HASH_SEQ_STATUS status;
	LikesetCacheEntry *e;

	if (cache == NULL)
		return;
	hash_seq_init(&status, cache);
	while ((e = (LikesetCacheEntry *) hash_seq_search(&status)) != NULL)
	{
		bool		hit = hashvalue == 0;

		if (!hit && OidIsValid(e->argtype))
			hit = GetSysCacheHashValue1(TYPEOID, ObjectIdGetDatum(e->argtype)) == hashvalue;
		if (!hit && OidIsValid(e->key_type))
			hit = GetSysCacheHashValue1(TYPEOID, ObjectIdGetDatum(e->key_type)) == hashvalue;
		if (hit)
			make_stale(e);
	}
}

/*
 * The entry of kind for relid and a key argument of type argtype, new or
 * stale ones emptied.  The caller notes e->generation at once: it is what
 * likeset_cache_attach() and likeset_cache_plan() compare with.
 */
LikesetCacheEntry *
likeset_cache_get(LikesetCacheKind kind, Oid relid, Oid argtype)
{
	static bool callbacks = false;
	CacheKey	key;
	LikesetCacheEntry *e;
	bool		found;

	/* the callbacks first: a table without them would never go stale */
	if (!callbacks)
	{
		CacheRegisterRelcacheCallback(invalidate_rel, (Datum) 0);
		CacheRegisterSyscacheCallback(NAMESPACEOID, invalidate_all, (Datum) 0);
		CacheRegisterSyscacheCallback(PROCOID, invalidate_all, (Datum) 0);
		CacheRegisterSyscacheCallback(OPEROID, invalidate_all, (Datum) 0);
		CacheRegisterSyscacheCallback(TYPEOID, invalidate_type, (Datum) 0);
		RegisterXactCallback(empty_graveyard, NULL);
		callbacks = true;
	}
	if (cache == NULL)
	{
		HASHCTL		ctl;

		ctl.keysize = sizeof(CacheKey);
		ctl.entrysize = sizeof(LikesetCacheEntry);
		cache = hash_create("likeset plan cache", 64, &ctl, HASH_ELEM | HASH_BLOBS);
	}
	memset(&key, 0, sizeof(key));
	key.relid = relid;
	key.argtype = argtype;
	key.kind = kind;
	e = (LikesetCacheEntry *) hash_search(cache, &key, HASH_ENTER, &found);
	if (!found)
	{
		memset(((char *) e) + sizeof(CacheKey), 0, sizeof(LikesetCacheEntry) - sizeof(CacheKey));
		e->valid = true;
	}
	else if (!e->valid)
	{
		/* anything attached after it went stale goes too */
		bury(e);
		memset(e->deps, 0, sizeof(e->deps));
		e->key_type = InvalidOid;
		e->valid = true;
	}
	return e;
}

/*
 * Attach what a caller built for e: a context holding its description
 * (info points into it) and the relations it depends on.  The context must
 * be a child of the caller's current memory context, so that an error
 * while building frees it.  Attached, it moves under CacheMemoryContext.
 * False when e went stale while it was being built (generation is
 * e->generation from before): the context is left where it is, and the
 * caller uses what it built for this call only.
 */
bool
likeset_cache_attach(LikesetCacheEntry *e, uint32 generation, MemoryContext cxt,
					 void *info, const Oid *deps, int ndeps, Oid key_type)
{
	if (!e->valid || e->generation != generation || e->info != NULL)
		return false;
	MemoryContextSetParent(cxt, CacheMemoryContext);
	e->cxt = cxt;
	e->info = info;
	Assert(ndeps <= LIKESET_CACHE_DEPS);
	for (int i = 0; i < ndeps; i++)
		e->deps[i] = deps[i];
	e->key_type = key_type;
	return true;
}

/*
 * The kept plan number slot of e, prepared from sql when it is not there
 * yet.  Must run inside SPI_connect().  generation is e's when the caller
 * got the description sql was written from: a plan prepared from an older
 * description, or while e went stale, is used for this call only and freed
 * at the end of the transaction.
 */
SPIPlanPtr
likeset_cache_plan(LikesetCacheEntry *e, uint32 generation, int slot, const char *sql,
				   int nargs, Oid *argtypes)
{
	SPIPlanPtr	plan;

	Assert(slot >= 0 && slot < LIKESET_CACHE_PLANS);
	if (e->valid && e->generation == generation && e->plans[slot] != NULL)
		return e->plans[slot];
	plan = SPI_prepare(sql, nargs, argtypes);
	if (plan == NULL)
		elog(ERROR, "SPI_prepare failed for \"%s\": %s", sql, SPI_result_code_string(SPI_result));
	if (SPI_keepplan(plan) != 0)
		elog(ERROR, "SPI_keepplan failed");
	if (e->valid && e->generation == generation && e->plans[slot] == NULL)
		e->plans[slot] = plan;
	else
	{
		MemoryContext old = MemoryContextSwitchTo(TopMemoryContext);

		graveyard_plans = lappend(graveyard_plans, plan);
		MemoryContextSwitchTo(old);
	}
	return plan;
}

/* Is the entry as it was at generation? */
bool
likeset_cache_current(const LikesetCacheEntry *e, uint32 generation)
{
	return e->valid && e->generation == generation;
}

/*
 * SPI_execute_plan of a kept plan, with enable_seqscan off while it runs,
 * so that a plan built now (first execution, or after an invalidation)
 * uses the key's index whatever the table's statistics say (see above).
 * The setting goes back when the call returns, or with the (sub)transaction
 * when it fails.
 */
int
likeset_cache_execute(SPIPlanPtr plan, Datum *values, const char *nulls, bool read_only, long count)
{
	int			nestlevel = NewGUCNestLevel();
	int			rc;

	(void) set_config_option("enable_seqscan", "off", PGC_USERSET, PGC_S_SESSION,
							 GUC_ACTION_SAVE, true, 0, false);
	rc = SPI_execute_plan(plan, values, nulls, read_only, count);
	AtEOXact_GUC(true, nestlevel);
	return rc;
}

/* Append "OPERATOR(schema.name)" for an operator */
void
likeset_append_operator(StringInfo buf, Oid opno)
{
	HeapTuple	tup = SearchSysCache1(OPEROID, ObjectIdGetDatum(opno));
	Form_pg_operator op;

	if (!HeapTupleIsValid(tup))
		elog(ERROR, "cache lookup failed for operator %u", opno);
	op = (Form_pg_operator) GETSTRUCT(tup);
	appendStringInfo(buf, "OPERATOR(%s.%s)",
					 quote_identifier(get_namespace_name(op->oprnamespace)),
					 NameStr(op->oprname));
	ReleaseSysCache(tup);
}

/* "schema.name" of a relation, quoted, for statements safe under any search_path */
char *
likeset_qualified_relname(Oid relid)
{
	char	   *name = get_rel_name(relid);

	if (name == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_TABLE),
				 errmsg("relation with OID %u does not exist", relid)));
	return quote_qualified_identifier(get_namespace_name(get_rel_namespace(relid)), name);
}
