/*-------------------------------------------------------------------------
 *
 * likeset_io.c
 *	  Text and binary input/output of likeset, detoasting and error
 *	  reporting shared by the fmgr layer.
 *
 * Binary form (send/recv), all integers in network byte order:
 *
 *	  uint8   version: 1, or 2 when the value has a compaction horizon
 *	  int64   the horizon (version 2 only)
 *	  int32   number of entries n
 *	  n times: int64 timestamp, uint8 removed (0 or 1), int32 length, bytes
 *
 * Entries strictly ascending by element bytes.  recv checks all of it.
 *
 *-------------------------------------------------------------------------
 */
#include "likeset_pg.h"

#include "libpq/pqformat.h"
#include "mb/pg_wchar.h"
#include "utils/memutils.h"

PG_MODULE_MAGIC;

#define LIKESET_SEND_VERSION	1
#define LIKESET_SEND_VERSION_HORIZON	2
/* bytes of one entry in the binary form, element excluded */
#define LIKESET_SEND_ENTRY_MIN	13

void		_PG_init(void);

/* palloc can be handed to the core as is; pfree too */
void
_PG_init(void)
{
	likeset_core_init(palloc, pfree);
}

/*
 * Detoast a likeset datum into an aligned, 4-byte-header value of a known
 * version, as stored: flat (versions 1 and 2) or packed (version 3).
 * Stored values are aligned by their typalign; a copy is made if one is
 * not.
 */
struct varlena *
likeset_detoast_stored(Datum d)
{
	struct varlena *v = PG_DETOAST_DATUM(d);

	if (((uintptr_t) v) % MAXIMUM_ALIGNOF != 0)
	{
		struct varlena *copy = palloc(VARSIZE(v));

		memcpy(copy, v, VARSIZE(v));
		v = copy;
	}
	likeset_check_version((const LikesetData *) v);
	return v;
}

/* Raise the error for a stored value that does not decode */
static void
report_stored_corrupt(const char *detail)
{
	ereport(ERROR,
			(errcode(ERRCODE_DATA_CORRUPTED),
			 errmsg("likeset value is corrupted"),
			 detail ? errdetail("%s.", detail) : 0));
}

/*
 * Detoast a likeset datum into the flat format the algorithms work on:
 * a packed value (version 3) is unpacked, and checked while it is.
 */
LikesetData *
likeset_detoast(Datum d)
{
	struct varlena *v = likeset_detoast_stored(d);
	LikesetData *s;
	LikesetError err;
	LikesetStatus st;

	if (((LikesetData *) v)->version != LIKESET_FORMAT_VERSION_PACKED)
		return (LikesetData *) v;
	memset(&err, 0, sizeof(err));
	st = likeset_unpack((const LikesetPacked *) v, VARSIZE(v), &s, &err);
	if (st == LIKESET_ERR_CORRUPT)
		report_stored_corrupt(err.detail);
	likeset_check(st);
	return likeset_seal(s);
}

/*
 * The value to store for a flat value: packed (version 3), in new memory;
 * s is only read, so it may be an argument's detoasted value.
 */
struct varlena *
likeset_store(const LikesetData *s)
{
	LikesetPacked *p;
	size_t		size;

	likeset_check(likeset_pack(s, &p, &size));
	SET_VARSIZE(p, size);
	return (struct varlena *) p;
}

/*
 * The operation that decides elem in the value d (see likeset_decisive_op),
 * reading a packed value without unpacking it: a binary search over its
 * restart points and a scan of at most 32 entries.
 */
bool
likeset_datum_decisive_op(Datum d, const char *elem, uint32 len,
						  int64_t *ts, bool *removed)
{
	struct varlena *v = likeset_detoast_stored(d);
	const LikesetPacked *p = (const LikesetPacked *) v;
	int			found;

	if (p->version != LIKESET_FORMAT_VERSION_PACKED)
		return likeset_decisive_op((const LikesetData *) v, elem, len, ts, removed);
	found = likeset_packed_lookup(p, VARSIZE(v), elem, len, ts, removed);
	if (found < 0)
		report_stored_corrupt(NULL);
	if (found > 0)
		return true;
	return likeset_horizon_op(p->horizon, ts, removed);
}

/*
 * Copy the header of a value into *hdr, fetching (and decompressing) only
 * its first bytes when the value is toasted: count, entry count and
 * horizon read nothing else, and they sit at the same place in every
 * version.  The version is checked as likeset_detoast checks it.
 */
void
likeset_read_header(Datum d, LikesetData *hdr)
{
	struct varlena *v = (struct varlena *) DatumGetPointer(d);

	if (VARATT_IS_EXTENDED(v))
		v = PG_DETOAST_DATUM_SLICE(d, 0, LIKESET_HDRSZ - VARHDRSZ);
	memcpy(hdr, v, LIKESET_HDRSZ);
	likeset_check_version(hdr);
}

/*
 * A stored value of a format this code does not know (written by a newer
 * likeset, or damaged) is refused rather than misread.  Cheap: one byte.
 */
void
likeset_check_version(const LikesetData *s)
{
	if (s->version != LIKESET_FORMAT_VERSION && s->version != LIKESET_FORMAT_VERSION_HORIZON &&
		s->version != LIKESET_FORMAT_VERSION_PACKED)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_CORRUPTED),
				 errmsg("likeset value has unknown format version %d", (int) s->version),
				 errdetail("This version of likeset reads stored format versions %d, %d and %d.",
						   LIKESET_FORMAT_VERSION, LIKESET_FORMAT_VERSION_HORIZON,
						   LIKESET_FORMAT_VERSION_PACKED),
				 errhint("A newer likeset may have written it: update the extension's library.")));
}

/* Report the PostgreSQL error matching a core status (see likeset_pg.h) */
void
likeset_report_to(Node *escontext, LikesetStatus st, const LikesetError *err, const char *input)
{
	const char *detail = err ? err->detail : NULL;

	switch (st)
	{
		case LIKESET_ERR_SYNTAX:
			errsave(escontext,
					(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
					 errmsg("invalid input syntax for type likeset: \"%s\"",
							input ? input : ""),
					 (err && err->pos > 0) ?
					 errdetail("At position %d: %s", err->pos, detail) : 0));
			return;
		case LIKESET_ERR_CORRUPT:
			errsave(escontext,
					(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
					 errmsg("invalid binary data for type likeset"),
					 detail ? errdetail("The value is malformed: %s.", detail) : 0));
			return;
		case LIKESET_ERR_ELEMENT_TOO_LONG:
			errsave(escontext,
					(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
					 errmsg("likeset element too long"),
					 errdetail("An element may be at most %d bytes long.",
							   LIKESET_MAX_ELEMENT_LEN)));
			return;
		case LIKESET_ERR_TOO_MANY:
			errsave(escontext,
					(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
					 errmsg("likeset has too many entries"),
					 errdetail("A likeset holds at most %d entries, tombstones included.",
							   LIKESET_MAX_ENTRIES)));
			return;
		case LIKESET_ERR_TOO_BIG:
			errsave(escontext,
					(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
					 errmsg("likeset too large"),
					 errdetail("A likeset value may be at most %zu bytes.",
							   (size_t) LIKESET_MAX_SIZE)));
			return;
		case LIKESET_ERR_TS_RANGE:
			errsave(escontext,
					(errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
					 errmsg("timestamp out of range for likeset"),
					 errdetail("Timestamps must be finite and within PostgreSQL's timestamp range.")));
			return;
		case LIKESET_ERR_NO_MEMORY:
			/* not a fault of the input: never a soft error */
			ereport(ERROR,
					(errcode(ERRCODE_OUT_OF_MEMORY),
					 errmsg("out of memory")));
			break;
		case LIKESET_OK:
			elog(ERROR, "unexpected likeset status %d", (int) st);
			break;
	}
}

/* Raise the PostgreSQL error matching a core status */
void
likeset_report(LikesetStatus st, const LikesetError *err, const char *input)
{
	likeset_report_to(NULL, st, err, input);
	elog(ERROR, "unexpected likeset status %d", (int) st);
}

PG_FUNCTION_INFO_V1(likeset_in);
/* Text input: see likeset_text.c for the grammar */
Datum
likeset_in(PG_FUNCTION_ARGS)
{
	char	   *str = PG_GETARG_CSTRING(0);
	LikesetData *result;
	LikesetError err;
	LikesetStatus st = likeset_parse(str, &result, &err);

	if (st != LIKESET_OK)
	{
		/*
		 * limits keep their own message; the position still helps.  A soft
		 * error (pg_input_is_valid, COPY ... ON_ERROR, PostgreSQL 16 and
		 * later) is saved in the caller's context and the call returns.
		 */
		if (st == LIKESET_ERR_ELEMENT_TOO_LONG || st == LIKESET_ERR_TOO_MANY)
			errsave(fcinfo->context,
					(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
					 errmsg(st == LIKESET_ERR_TOO_MANY ?
							"likeset has too many entries" :
							"likeset element too long"),
					 errdetail("At position %d: %s", err.pos, err.detail)));
		else
			likeset_report_to(fcinfo->context, st, &err, str);
		PG_RETURN_DATUM((Datum) 0);
	}
	PG_RETURN_LIKESET_P(result);
}

PG_FUNCTION_INFO_V1(likeset_out);
/* Text output: canonical, in UTC, independent of DateStyle and TimeZone */
Datum
likeset_out(PG_FUNCTION_ARGS)
{
	LikesetData *s = PG_GETARG_LIKESET_P(0);
	size_t		len;

	PG_RETURN_CSTRING(likeset_format(s, &len));
}

PG_FUNCTION_INFO_V1(likeset_send);
/* Binary output: the logical entries, led by a version byte */
Datum
likeset_send(PG_FUNCTION_ARGS)
{
	LikesetData *s = PG_GETARG_LIKESET_P(0);
	StringInfoData buf;
	LikesetEntry e;

	pq_begintypsend(&buf);
	if (s->horizon == LIKESET_TS_NONE)
		pq_sendbyte(&buf, LIKESET_SEND_VERSION);	/* what 1.0 and 1.1 read */
	else
	{
		pq_sendbyte(&buf, LIKESET_SEND_VERSION_HORIZON);
		pq_sendint64(&buf, s->horizon);
	}
	pq_sendint32(&buf, s->nentries);
	for (uint32_t i = 0; i < s->nentries; i++)
	{
		likeset_get_entry(s, i, &e);
		pq_sendint64(&buf, e.ts);
		pq_sendbyte(&buf, e.removed ? 1 : 0);
		pq_sendint32(&buf, e.len);
		pq_sendbytes(&buf, e.elem, e.len);
	}
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}

/* Raise invalid_binary_representation for recv */
static void
recv_error(const char *detail)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
			 errmsg("invalid binary data for type likeset"),
			 errdetail("%s", detail)));
}

/* Fail unless the message has n more bytes */
static inline void
recv_need(StringInfo buf, size_t n)
{
	if ((size_t) (buf->len - buf->cursor) < n)
		recv_error("The message ends in the middle of a value.");
}

PG_FUNCTION_INFO_V1(likeset_recv);
/* Binary input: validates everything text input would, and order */
Datum
likeset_recv(PG_FUNCTION_ARGS)
{
	StringInfo	buf = (StringInfo) PG_GETARG_POINTER(0);
	int			version;
	int32		n;
	LikesetEntry *ops;
	LikesetData *result;
	LikesetError err;
	LikesetStatus st;
	int			encoding = GetDatabaseEncoding();
	int64_t		horizon = LIKESET_TS_NONE;

	recv_need(buf, 5);
	version = pq_getmsgbyte(buf);
	if (version != LIKESET_SEND_VERSION && version != LIKESET_SEND_VERSION_HORIZON)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("invalid binary data for type likeset"),
				 errdetail("Unknown binary format version %d; this version of likeset reads versions %d and %d.",
						   version, LIKESET_SEND_VERSION, LIKESET_SEND_VERSION_HORIZON)));
	if (version == LIKESET_SEND_VERSION_HORIZON)
	{
		recv_need(buf, 12);
		horizon = (int64_t) pq_getmsgint64(buf);
		if (horizon == LIKESET_TS_NONE)
			recv_error("A version 2 value has no horizon.");
	}
	n = (int32) pq_getmsgint(buf, 4);
	if (n < 0 || n > LIKESET_MAX_ENTRIES)
		recv_error("The entry count is negative or above the maximum.");
	if ((size_t) n > (size_t) (buf->len - buf->cursor) / LIKESET_SEND_ENTRY_MIN)
		recv_error("The entry count does not fit the message.");

	ops = palloc(sizeof(LikesetEntry) * Max(n, 1));
	for (int32 i = 0; i < n; i++)
	{
		int			removed;
		int32		len;

		recv_need(buf, LIKESET_SEND_ENTRY_MIN);
		ops[i].ts = (int64_t) pq_getmsgint64(buf);
		removed = pq_getmsgbyte(buf);
		len = (int32) pq_getmsgint(buf, 4);
		if (removed != 0 && removed != 1)
			recv_error("An entry's removed flag is neither 0 nor 1.");
		if (len < 0 || len > LIKESET_MAX_ELEMENT_LEN)
			recv_error("An element's length is negative or above the maximum.");
		recv_need(buf, len);
		ops[i].removed = removed == 1;
		ops[i].len = (uint32_t) len;
		ops[i].elem = pq_getmsgbytes(buf, len);
		if (!pg_verify_mbstr(encoding, ops[i].elem, len, true))
			recv_error("An element is not valid in the database encoding.");
	}
	if (buf->cursor != buf->len)
		recv_error("Junk after the last entry.");

	st = likeset_build_sorted(ops, n, &result, &err);
	if (st == LIKESET_OK)
		st = likeset_set_horizon(result, horizon, &err);
	if (st != LIKESET_OK)
		likeset_report(st, &err, NULL);
	pfree(ops);
	PG_RETURN_LIKESET_P(result);
}
