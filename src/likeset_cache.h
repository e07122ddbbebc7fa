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

#define LIKESET_CACHE_PLANS 12
#define LIKESET_CACHE_DEPS 2

typedef struct LikesetCacheEntry
{
	/* hash key */
	Oid			relid;
	Oid			argtype;		/* type of the key argument; InvalidOid if none */
	/* state */
	bool		valid;
	uint32		generation;		/* incremented each time it goes stale */
	Oid			deps[LIKESET_CACHE_DEPS];	/* other relations it describes */
	MemoryContext cxt;			/* holds *info */
	void	   *info;			/* the caller's description of the table */
	SPIPlanPtr	plans[LIKESET_CACHE_PLANS];
} LikesetCacheEntry;

extern LikesetCacheEntry *likeset_cache_get(Oid relid, Oid argtype);
extern bool likeset_cache_attach(LikesetCacheEntry *e, uint32 generation, MemoryContext cxt,
								 void *info, const Oid *deps, int ndeps);
extern SPIPlanPtr likeset_cache_plan(LikesetCacheEntry *e, int slot, const char *sql,
									 int nargs, Oid *argtypes);
extern bool likeset_cache_current(const LikesetCacheEntry *e, uint32 generation);

/* "OPERATOR(schema.name)" of an operator, for statements safe under any search_path */
extern void likeset_append_operator(StringInfo buf, Oid opno);

#endif							/* LIKESET_CACHE_H */
