/*-------------------------------------------------------------------------
 *
 * likeset_pg.h
 *	  The fmgr layer's view of likeset: detoasting, returning values built
 *	  by the core, and turning core statuses into PostgreSQL errors.
 *
 *-------------------------------------------------------------------------
 */
#ifndef LIKESET_PG_H
#define LIKESET_PG_H

#include "postgres.h"
#include "likeset_compat.h"

#include "fmgr.h"
#include "nodes/nodes.h"

#include "likeset.h"

extern LikesetData *likeset_detoast(Datum d);
extern struct varlena *likeset_detoast_stored(Datum d);
extern struct varlena *likeset_store(const LikesetData *s);
extern bool likeset_datum_decisive_op(Datum d, const char *elem, uint32 len,
									  int64_t *ts, bool *removed);
extern void likeset_check_version(const LikesetData *s);
extern void likeset_read_header(Datum d, LikesetData *hdr);

#define DatumGetLikesetP(X)			likeset_detoast(X)
#define PG_GETARG_LIKESET_P(n)		DatumGetLikesetP(PG_GETARG_DATUM(n))
/* a result is stored packed (version 3): likeset_store */
#define PG_RETURN_LIKESET_P(x)		PG_RETURN_POINTER(likeset_store(x))

/*
 * Set the varlena header of a flat value the core built; returns it.  For
 * values kept in memory (aggregate runs); what is returned or stored goes
 * through likeset_store.
 */
static inline LikesetData *
likeset_seal(LikesetData *s)
{
	SET_VARSIZE(s, likeset_size(s));
	return s;
}

/*
 * Report the error for a failed core call to escontext (a soft error,
 * PostgreSQL 16 and later: saved there, and this returns), or raise it
 * (escontext NULL or not an ErrorSaveContext)
 */
extern void likeset_report_to(Node *escontext, LikesetStatus st,
							  const LikesetError *err, const char *input);

/* Raise the error for a failed core call; input is the text parsed, if any */
LIKESET_NORETURN_PRE extern void likeset_report(LikesetStatus st,
												const LikesetError *err,
												const char *input) LIKESET_NORETURN_POST;

/* Raise the error for a failed core call that has no LikesetError */
#define likeset_check(st) \
	do { \
		LikesetStatus st_ = (st); \
		if (st_ != LIKESET_OK) \
			likeset_report(st_, NULL, NULL); \
	} while (0)

#endif							/* LIKESET_PG_H */
