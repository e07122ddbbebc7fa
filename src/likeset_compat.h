/*-------------------------------------------------------------------------
 *
 * likeset_compat.h
 *	  Every difference between the PostgreSQL majors likeset supports (15
 *	  to 18) that its C code meets, in one place.  Include it right after
 *	  postgres.h.
 *
 *-------------------------------------------------------------------------
 */
#ifndef LIKESET_COMPAT_H
#define LIKESET_COMPAT_H

#include "postgres.h"

#if PG_VERSION_NUM < 150000
#error "likeset needs PostgreSQL 15 or later"
#endif

/* 16 moved the varlena macros (VARSIZE, SET_VARSIZE, ...) out of postgres.h */
#if PG_VERSION_NUM >= 160000
#include "varatt.h"
#endif

/* 18 replaced pg_attribute_noreturn() with pg_noreturn, written before */
#if PG_VERSION_NUM >= 180000
#define LIKESET_NORETURN_PRE pg_noreturn
#define LIKESET_NORETURN_POST
#else
#define LIKESET_NORETURN_PRE
#define LIKESET_NORETURN_POST pg_attribute_noreturn()
#endif

/*
 * 16 brought soft input errors: errsave() records an error in an
 * ErrorSaveContext (pg_input_is_valid, COPY ... ON_ERROR) instead of raising
 * it.  Before 16 there is no such context, and errsave() raises.
 */
#if PG_VERSION_NUM >= 160000
#include "nodes/miscnodes.h"
#else
#define errsave(context, ...)	ereport(ERROR, __VA_ARGS__)
#endif

/* 18 gave index_beginscan an instrumentation argument (NULL: none) */
#if PG_VERSION_NUM >= 180000
#define likeset_index_beginscan(heap, index, snapshot, nkeys) \
	index_beginscan((heap), (index), (snapshot), NULL, (nkeys), 0)
#else
#define likeset_index_beginscan(heap, index, snapshot, nkeys) \
	index_beginscan((heap), (index), (snapshot), (nkeys), 0)
#endif

/*
 * 16 brought subscriptions with origin = none, whose publisher sends only
 * the changes made on it, never those it applied: the apply worker of one
 * never receives an echo of a change of ours.  Before 16 every
 * subscription sends everything.
 */
#if PG_VERSION_NUM >= 160000
#include "catalog/pg_subscription.h"
#include "replication/worker_internal.h"
static inline bool
likeset_applying_origin_none(void)
{
	return MySubscription != NULL && MySubscription->origin != NULL &&
		strcmp(MySubscription->origin, LOGICALREP_ORIGIN_NONE) == 0;
}
#else
static inline bool
likeset_applying_origin_none(void)
{
	return false;
}
#endif

#endif							/* LIKESET_COMPAT_H */
