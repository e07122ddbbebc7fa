/*-------------------------------------------------------------------------
 *
 * likeset_cache.h
 *	  Per-backend cache of table descriptions and kept SPI plans, keyed by
 *	  relation OID, dropped by a relcache callback (likeset_cache.c).
 *
 *-------------------------------------------------------------------------
 */
#ifndef LIKESET_CACHE_H
#define LIKESET_CACHE_H

#include "postgres.h"
#include "likeset_compat.h"

#include "executor/spi.h"
#include "lib/stringinfo.h"

#define LIKESET_CACHE_PLANS 14
#define LIKESET_CACHE_DEPS 2

/* What an entry holds: users of the cache do not share entries */
typedef enum LikesetCacheKind
{
	LIKESET_CACHE_LAYOUT,		/* likeset_like.c: a table's layout */
	LIKESET_CACHE_REPL			/* likeset_repl.c: replication statements */
} LikesetCacheKind;

typedef struct LikesetCacheEntry
{
	/* hash key */
	Oid			relid;
	Oid			argtype;		/* type of the key argument; InvalidOid if none */
	int			kind;			/* a LikesetCacheKind */
	/* state */
	bool		valid;
	uint32		generation;		/* incremented each time it goes stale */
	Oid			deps[LIKESET_CACHE_DEPS];	/* other relations it describes */
	Oid			key_type;		/* a type its statements name, besides argtype */
	MemoryContext cxt;			/* holds *info */
	void	   *info;			/* the caller's description of the table */
	SPIPlanPtr	plans[LIKESET_CACHE_PLANS];
} LikesetCacheEntry;

extern LikesetCacheEntry *likeset_cache_get(LikesetCacheKind kind, Oid relid, Oid argtype);
extern bool likeset_cache_attach(LikesetCacheEntry *e, uint32 generation, MemoryContext cxt,
								 void *info, const Oid *deps, int ndeps, Oid key_type);
extern SPIPlanPtr likeset_cache_plan(LikesetCacheEntry *e, uint32 generation, int slot,
									 const char *sql, int nargs, Oid *argtypes);
extern bool likeset_cache_current(const LikesetCacheEntry *e, uint32 generation);
extern int	likeset_cache_execute(SPIPlanPtr plan, Datum *values, const char *nulls,
								  bool read_only, long count);

/* "OPERATOR(schema.name)" of an operator, for statements safe under any search_path */
extern void likeset_append_operator(StringInfo buf, Oid opno);
/* "schema.name" of a relation, quoted; an error if it is gone */
extern char *likeset_qualified_relname(Oid relid);

#endif							/* LIKESET_CACHE_H */
