/*-------------------------------------------------------------------------
 *
 * likeset_conv.c
 *	  Casts between likeset and text[] or jsonb, and likeset_digest, a
 *	  short hash of a whole state for comparing replicas.
 *
 *-------------------------------------------------------------------------
 */
#include "likeset_pg.h"

#include "catalog/pg_type.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"
#include "common/cryptohash.h"
#include "common/sha2.h"

PG_FUNCTION_INFO_V1(likeset_to_array);
/* likeset::text[]: the present elements, in byte order */
Datum
likeset_to_array(PG_FUNCTION_ARGS)
{
	LikesetData *s = PG_GETARG_LIKESET_P(0);
	Datum	   *elems = NULL;
	int			n = 0;
	LikesetEntry e;

	if (s->npresent > 0)
		elems = (Datum *) palloc(sizeof(Datum) * s->npresent);
	for (uint32_t i = 0; i < s->nentries; i++)
	{
		likeset_get_entry(s, i, &e);
		if (!e.removed)
			elems[n++] = PointerGetDatum(cstring_to_text_with_len(e.elem, (int) e.len));
	}
	PG_RETURN_ARRAYTYPE_P(construct_array(elems, n, TEXTOID, -1, false, TYPALIGN_INT));
}

PG_FUNCTION_INFO_V1(likeset_to_jsonb);
/*
 * likeset::jsonb: an object mapping each present element to the timestamp
 * of its add, as a string in the text form's fixed UTC notation, so the
 * result does not depend on DateStyle or TimeZone.
 */
Datum
likeset_to_jsonb(PG_FUNCTION_ARGS)
{
	LikesetData *s = PG_GETARG_LIKESET_P(0);
	JsonbParseState *state = NULL;
	JsonbValue *result;
	LikesetEntry e;

	pushJsonbValue(&state, WJB_BEGIN_OBJECT, NULL);
	for (uint32_t i = 0; i < s->nentries; i++)
	{
		JsonbValue	key;
		JsonbValue	val;
		char	   *ts;

		likeset_get_entry(s, i, &e);
		if (e.removed)
			continue;
		ts = palloc(LIKESET_TS_BUFLEN);
		key.type = jbvString;
		key.val.string.val = (char *) e.elem;
		key.val.string.len = (int) e.len;
		pushJsonbValue(&state, WJB_KEY, &key);
		val.type = jbvString;
		val.val.string.len = likeset_format_ts(e.ts, ts);
		val.val.string.val = ts;
		pushJsonbValue(&state, WJB_VALUE, &val);
	}
	result = pushJsonbValue(&state, WJB_END_OBJECT, NULL);
	PG_RETURN_POINTER(JsonbValueToJsonb(result));
}

PG_FUNCTION_INFO_V1(likeset_from_array);
/*
 * text[]::likeset: the elements present at the lowest timestamp, as in a
 * bare literal '{a,b}'; repeated elements are merged.  The elements of a
 * multi-dimensional array are all taken.
 */
Datum
likeset_from_array(PG_FUNCTION_ARGS)
{
	ArrayType  *arr = PG_GETARG_ARRAYTYPE_P(0);
	Datum	   *elems;
	bool	   *nulls;
	int			n;
	LikesetEntry *ops;
	LikesetData *result;

	if (ARR_ELEMTYPE(arr) != TEXTOID)
		elog(ERROR, "likeset_from_array: expected a text array, got type %u",
			 ARR_ELEMTYPE(arr));
	deconstruct_array(arr, TEXTOID, -1, false, TYPALIGN_INT, &elems, &nulls, &n);
	ops = (LikesetEntry *) palloc(sizeof(LikesetEntry) * (n > 0 ? n : 1));
	for (int i = 0; i < n; i++)
	{
		text	   *t;

		if (nulls[i])
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("a likeset element cannot be NULL"),
					 errdetail("Element %d of the array is NULL.", i + 1)));
		t = (text *) DatumGetPointer(elems[i]);
		ops[i].elem = VARDATA_ANY(t);
		ops[i].len = VARSIZE_ANY_EXHDR(t);
		ops[i].removed = false;
		ops[i].ts = LIKESET_TS_MIN;
	}
	likeset_check(likeset_build(ops, (size_t) n, &result));
	PG_RETURN_LIKESET_P(result);
}

/*
 * likeset_digest: SHA-256 of a canonical serialization of the whole state,
 * truncated to its first 128 bits and written as 32 lowercase hex digits.
 *
 * The serialization (every integer big-endian, so the same on every
 * platform; elements as raw bytes, so no collation or encoding conversion
 * enters):
 *
 *	  the 17 ASCII bytes "likeset digest v1"
 *	  int64   horizon (LikesetData.horizon; INT64_MIN when none is recorded)
 *	  uint32  number of entries n, tombstones included
 *	  n times, in the stored order (ascending element bytes):
 *		uint32  element length, then the element's bytes
 *		int64   timestamp (microseconds since 2000-01-01 00:00:00 UTC)
 *		uint8   1 for a tombstone, 0 for a present element
 *
 * The stored form is canonical (entries sorted and unique, the other
 * header fields derived from the entries), so equal states give equal
 * bytes here whatever the order of the operations that built them, and
 * different states give different bytes: the length prefixes make the
 * sequence unambiguous.  The header's derived counts and highest
 * timestamp, and its format version byte (which only says whether a
 * horizon is recorded), add nothing and are left out.
 */
#define LIKESET_DIGEST_PREFIX	"likeset digest v1"
#define LIKESET_DIGEST_BYTES	16
#define LIKESET_DIGEST_BUFSIZE	8192

typedef struct DigestState
{
	pg_cryptohash_ctx *ctx;
	size_t		used;
	unsigned char buf[LIKESET_DIGEST_BUFSIZE];
} DigestState;

/* A failure of the hash library (OpenSSL's or PostgreSQL's own) */
static void
digest_fail(DigestState *st)
{
	const char *why = pg_cryptohash_error(st->ctx);

	ereport(ERROR,
			(errcode(ERRCODE_INTERNAL_ERROR),
			 errmsg("could not compute the likeset digest"),
			 errdetail("SHA-256: %s", why)));
}

static void
digest_begin(DigestState *st)
{
	st->used = 0;
	st->ctx = pg_cryptohash_create(PG_SHA256);
	if (st->ctx == NULL || pg_cryptohash_init(st->ctx) < 0)
	{
		if (st->ctx == NULL)
			ereport(ERROR,
					(errcode(ERRCODE_OUT_OF_MEMORY),
					 errmsg("out of memory")));
		digest_fail(st);
	}
}

/* Hash bytes given directly, bypassing the buffer */
static void
digest_update(DigestState *st, const unsigned char *p, size_t len)
{
	if (pg_cryptohash_update(st->ctx, p, len) < 0)
		digest_fail(st);
}

static void
digest_flush(DigestState *st)
{
	if (st->used > 0)
		digest_update(st, st->buf, st->used);
	st->used = 0;
}

static void
digest_put(DigestState *st, const void *p, size_t len)
{
	if (st->used + len > LIKESET_DIGEST_BUFSIZE)
	{
		digest_flush(st);
		if (len > LIKESET_DIGEST_BUFSIZE)
		{
			digest_update(st, p, len);
			return;
		}
	}
	memcpy(st->buf + st->used, p, len);
	st->used += len;
}

static void
digest_put_u32(DigestState *st, uint32_t v)
{
	unsigned char b[4];

	for (int i = 0; i < 4; i++)
		b[i] = (unsigned char) (v >> (24 - 8 * i));
	digest_put(st, b, sizeof(b));
}

static void
digest_put_i64(DigestState *st, int64_t v)
{
	uint64_t	u = (uint64_t) v;
	unsigned char b[8];

	for (int i = 0; i < 8; i++)
		b[i] = (unsigned char) (u >> (56 - 8 * i));
	digest_put(st, b, sizeof(b));
}

static void
digest_end(DigestState *st, uint8 *out)
{
	digest_flush(st);
	if (pg_cryptohash_final(st->ctx, out, PG_SHA256_DIGEST_LENGTH) < 0)
		digest_fail(st);
	pg_cryptohash_free(st->ctx);
}

PG_FUNCTION_INFO_V1(likeset_digest);
/* likeset_digest(s): 32 hex digits identifying the whole state */
Datum
likeset_digest(PG_FUNCTION_ARGS)
{
	static const char hexdigits[] = "0123456789abcdef";
	LikesetData *s = PG_GETARG_LIKESET_P(0);
	DigestState *st = (DigestState *) palloc(sizeof(DigestState));
	uint8		sha[PG_SHA256_DIGEST_LENGTH];
	char		hex[2 * LIKESET_DIGEST_BYTES];
	LikesetEntry e;

	digest_begin(st);
	digest_put(st, LIKESET_DIGEST_PREFIX, strlen(LIKESET_DIGEST_PREFIX));
	digest_put_i64(st, s->horizon);
	digest_put_u32(st, s->nentries);
	for (uint32_t i = 0; i < s->nentries; i++)
	{
		unsigned char removed;

		likeset_get_entry(s, i, &e);
		removed = e.removed ? 1 : 0;
		digest_put_u32(st, e.len);
		digest_put(st, e.elem, e.len);
		digest_put_i64(st, e.ts);
		digest_put(st, &removed, 1);
	}
	digest_end(st, sha);
	pfree(st);
	for (int i = 0; i < LIKESET_DIGEST_BYTES; i++)
	{
		hex[2 * i] = hexdigits[sha[i] >> 4];
		hex[2 * i + 1] = hexdigits[sha[i] & 0x0f];
	}
	PG_RETURN_TEXT_P(cstring_to_text_with_len(hex, sizeof(hex)));
}
