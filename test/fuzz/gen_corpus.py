#!/usr/bin/env python3
"""Write the seed corpus of test/fuzz/likeset_fuzz.c into test/fuzz/corpus/.

Each file starts with the mode byte the fuzz target reads: 0 text form,
1 stored form (native byte order: versions 1 and 2 as likeset.h documents,
version 3, packed, as src/likeset_pack.c does), 2 binary wire
form (network byte order, as likeset_io.c's likeset_recv reads it),
3 text values separated by 0xff bytes.  File names say what a seed is.
Run from anywhere: python3 test/fuzz/gen_corpus.py
"""
import datetime
import os
import struct
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "corpus")

TS_MIN = -211813488000000000        # 4714-11-24 00:00:00 BC
TS_END = 9223371331200000000        # 294277-01-01, first invalid
TS_NONE = -(1 << 63)
REMOVED = 0x80000000
USEC_DAY = 86400000000

# 2026-11-28T10:00:00Z in PostgreSQL microseconds since 2000-01-01
_D = datetime.datetime(2026, 11, 28, 10) - datetime.datetime(2000, 1, 1)
T2026 = (_D.days * 86400 + _D.seconds) * 1000000
# a horizon (2025-02-27T19:33:20Z) of the version 2 wire seed
H2025 = 794000000000000


def write(name, data):
    with open(os.path.join(OUT, name), "wb") as f:
        f.write(data)


def stored(entries, *, version=1, flags=0, reserved=0, npresent=None,
           maxts=None, horizon=TS_NONE, nentries=None, ends=None):
    """A stored value: entries are (elem bytes, ts, removed)."""
    n = len(entries) if nentries is None else nentries
    if npresent is None:
        npresent = sum(1 for e in entries if not e[2])
    if maxts is None:
        maxts = max((e[1] for e in entries), default=TS_NONE)
    body_ts = b"".join(struct.pack("=q", e[1]) for e in entries)
    if ends is None:
        ends, off = [], 0
        for e in entries:
            off += len(e[0])
            ends.append(off | (REMOVED if e[2] else 0))
    body_ends = b"".join(struct.pack("=I", x) for x in ends)
    data = b"".join(e[0] for e in entries)
    size = 32 + len(body_ts) + len(body_ends) + len(data)
    hdr = struct.pack("=iBBHIIqq", size << 2 if sys.byteorder == "little" else size,
                      version, flags, reserved, n, npresent, maxts, horizon)
    return hdr + body_ts + body_ends + data


def varint(v):
    """LEB128: 7 bits a byte, least significant first, high bit on all but the last."""
    out = b""
    while v >= 0x80:
        out += bytes([(v & 0x7f) | 0x80])
        v >>= 7
    return out + bytes([v])


def packed(entries, *, horizon=TS_NONE, tsbase=None, maxts=None, tsbits=None,
           npresent=None, nentries=None, flags=0, reserved2=0, shared=None,
           varints=None, restarts=None, deltas=None, pad=False, extra=b"", cut=0,
           size_delta=0):
    """A packed value (version 3, src/likeset_pack.c's header comment:
    restart points every 32 entries, the timestamps last and backwards):
    entries are (elem bytes, ts, removed) in element order.  The keywords
    break one rule each: shared(i, common) gives entry i's shared prefix,
    varints(i, bytes) rewrites its varints, deltas(i, delta) its timestamp
    delta, restarts(list) the restart offsets; pad sets the timestamps'
    padding bits; extra and cut add bytes to or remove bytes from the end of
    the element stream (elemlen follows); size_delta puts elemlen off."""
    n = len(entries)
    lo = min((e[1] for e in entries), default=0)
    hi = max((e[1] for e in entries), default=TS_NONE)
    tsbase = lo if tsbase is None else tsbase
    maxts = hi if maxts is None else maxts
    if tsbits is None:
        tsbits = (maxts - tsbase).bit_length() if n else 0
    if npresent is None:
        npresent = sum(1 for e in entries if not e[2])
    stream, offsets, prev = b"", [], b""
    for i, (elem, _, removed) in enumerate(entries):
        if i % 32 == 0:
            offsets.append(len(stream))
            common = 0
        else:
            common = 0
            while common < min(len(prev), len(elem)) and prev[common] == elem[common]:
                common += 1
        sh = common if shared is None else shared(i, common)
        rest = max(len(elem) - sh, 0)
        head = bytes([(0x80 if removed else 0) | min(sh, 15) << 3 | min(rest, 7)])
        vs = (varint(sh - 15) if sh >= 15 else b"") + (varint(rest - 7) if rest >= 7 else b"")
        if varints is not None:
            vs = varints(i, vs)
        stream += head + vs + elem[len(elem) - rest:]
        prev = elem
    stream = (stream + extra)[:len(stream + extra) - cut]
    bits = 0
    for i, e in enumerate(entries):
        d = e[1] - tsbase if deltas is None else deltas(i, e[1] - tsbase)
        bits |= (d & ((1 << tsbits) - 1)) << (i * tsbits)
    tslen = (n * tsbits + 7) // 8
    if pad and (n * tsbits) % 8:
        bits |= 1 << (8 * tslen - 1)
    if restarts is not None:
        offsets = restarts(offsets)
    body = b"".join(struct.pack("=I", o & 0xffffffff) for o in offsets)
    # the timestamps' bit stream last, its bytes backwards from the end
    body += stream + bits.to_bytes(tslen, "little")[::-1]
    size = 48 + len(body)
    hdr = struct.pack("=iBBHIIqqqIB3s", (size << 2 if sys.byteorder == "little" else size),
                      3, flags, 0, n if nentries is None else nentries, npresent, maxts,
                      horizon, tsbase, len(stream) + size_delta, tsbits,
                      bytes([reserved2, 0, 0]))
    return hdr + body


def wire(entries, *, version=1, count=None, horizon=None):
    """A binary message: entries are (elem bytes, ts, removed flag byte);
    version 2 carries a horizon after the version byte."""
    out = struct.pack(">B", version)
    if horizon is not None:
        out += struct.pack(">q", horizon)
    out += struct.pack(">I", (len(entries) if count is None else count) & 0xffffffff)
    for e in entries:
        elem, ts, removed = e[0], e[1], e[2]
        length = e[3] if len(e) > 3 else len(elem)
        out += struct.pack(">qBI", ts, int(removed), length & 0xffffffff) + elem
    return out


def main():
    os.makedirs(OUT, exist_ok=True)
    for f in os.listdir(OUT):
        os.unlink(os.path.join(OUT, f))

    # ---- mode 0: text --------------------------------------------------
    texts = {
        "empty": b"{}",
        "empty_spaces": b" \t{ \n} \r",
        "bare": b"{tahir,tara,zoe}",
        "tombstone": b"{-tahir,tara}",
        "ts_utc": b"{tahir@2026-11-28T10:00:00Z}",
        "ts_frac": b"{tahir@2026-11-28T10:00:00.5Z,tara@2026-11-28T10:00:00.000001Z}",
        "ts_offsets": b"{a@2026-11-28 10:00:00+02,b@2026-11-28T10:00:00-05:30,"
                      b"c @ 2026-11-28T10:00:00.123456-0530 ,-d@2026-11-28T10:00:00+15:59}",
        "ts_space_before_zone": b"{a@2026-11-28T10:00:00 Z, b@2026-11-28T10:00:00 +01}",
        "ts_min": b"{a@-4713-11-24T00:00:00Z}",
        "ts_max": b"{a@+294276-12-31T23:59:59.999999Z}",
        "ts_max_offset": b"{a@294277-01-01T10:00:00+15}",
        "ts_year0": b"{a@0000-02-29T00:00:00Z,b@-0001-12-31T23:59:59Z}",
        "ts_year10000": b"{a@+10000-01-01T00:00:00Z}",
        "ts_leap": b"{a@2000-02-29T00:00:00Z,b@2024-02-29T12:00:00Z}",
        "quoted": b'{"a,b","\\"","\\\\","","-x","a b","{}","@","x@y",'
                  b'"tab\there"}',
        "quoted_utf8": "{\"caf\u00e9\",\"\u65e5\u672c\",\"\\u\"}".encode(),
        "quoted_ts": b'{"-neg"@2026-11-28T10:00:00Z,-"-neg2"@2026-11-28T10:00:00Z}',
        "repeated": b"{a@2026-01-01T00:00:00Z,-a@2026-01-01T00:00:00Z,a,b,b,-b}",
        "repeated_later_wins": b"{a@2026-01-02T00:00:00Z,-a@2026-01-01T00:00:00Z}",
        "long_elem": b"{" + b"x" * 3000 + b"}",
        "horizon": b"@2026-01-01T00:00:00Z{a@2026-02-01T00:00:00Z,-b@2026-01-05T00:00:00Z}",
        "horizon_stale_tombstone": b"@2026-01-01T00:00:00Z{-b@2025-12-01T00:00:00Z}",
        # rejected ones
        "bad_unclosed": b"{a,b",
        "bad_trailing_comma": b"{a,}",
        "bad_double_minus": b"{--a}",
        "bad_ts": b"{a@2026-13-01T00:00:00Z}",
        "bad_ts_feb30": b"{a@2026-02-30T00:00:00Z}",
        "bad_ts_feb29_2100": b"{a@2100-02-29T00:00:00Z,b@1900-02-28T00:00:00Z}",
        "bad_ts_7frac": b"{a@2026-01-01T00:00:00.1234567Z}",
        "bad_ts_offset16": b"{a@2026-01-01T00:00:00+16}",
        "bad_ts_range_low": b"{a@-4713-11-23T23:59:59Z}",
        "bad_ts_range_high": b"{a@294277-01-01T00:00:00Z}",
        "bad_junk": b"{a} x",
        "bad_unterminated_quote": b'{"abc',
        "bad_backslash_end": b'{"abc\\',
        "bad_no_brace": b"a,b",
        "bad_nul": b"{a\x00b}",
    }
    for name, t in texts.items():
        write("text_" + name, b"\x00" + t)

    # ---- mode 1: stored ------------------------------------------------
    good = [(b"tahir", T2026, False), (b"tara", TS_MIN, True),
            (b"zo\xc3\xa9", T2026 + 1, False)]
    good.sort(key=lambda e: e[0])
    quoted = sorted([(b"", TS_MIN, False), (b"-x", T2026, True), (b'a"b\\c', TS_END - 1, False),
                     (b"a b,{}@", TS_MIN, False)], key=lambda e: e[0])
    st = {
        "empty": stored([]),
        "one": stored([(b"a", T2026, False)]),
        "tombstones": stored(good),
        "quoted_elems": stored(quoted),
        "ts_bounds": stored([(b"a", TS_MIN, False), (b"b", TS_END - 1, True)]),
        "prefixes": stored([(b"a", 1, False), (b"ab", 2, False), (b"b", 3, False)]),
        # rejected ones
        "truncated_header": stored(good)[:20],
        "truncated_body": stored(good)[:-3],
        "extra_byte": stored(good) + b"x",
        "short": b"\x00\x00\x00\x00\x01",
        "version0": stored(good, version=0),
        "version2": stored(good, version=2),
        "flags": stored(good, flags=1),
        "reserved": stored(good, reserved=1),
        "horizon": stored(good, horizon=0),
        "huge_count": stored(good, nentries=0xffffffff),
        "count_max_plus1": stored(good, nentries=16777217),
        "count_max": stored(good, nentries=16777216),
        "count_off_by_one": stored(good, nentries=2),
        "unsorted": stored([(b"b", 1, False), (b"a", 2, False)]),
        "duplicate": stored([(b"a", 1, False), (b"a", 2, False)]),
        "prefix_order": stored([(b"ab", 1, False), (b"a", 2, False)]),
        "ends_decreasing": stored([(b"ab", 1, False), (b"c", 2, False), (b"d", 3, False)],
                                  ends=[3, 1, 4]),
        "ends_past_data": stored([(b"ab", 1, False), (b"c", 2, False)], ends=[5, 3]),
        "ends_huge": stored([(b"ab", 1, False), (b"c", 2, False)], ends=[0x7fffffff, 3]),
        "long_elem": stored([(b"a", 1, False), (b"y" * 4000, 2, True)]),
        "nul_elem": stored([(b"a\x00", 1, False)]),
        "ts_end": stored([(b"a", TS_END, False)]),
        "ts_none": stored([(b"a", TS_NONE, False)], maxts=TS_NONE),
        "ts_below_min": stored([(b"a", TS_MIN - 1, False)]),
        "npresent_wrong": stored(good, npresent=3),
        "maxts_wrong": stored(good, maxts=T2026),
        "empty_maxts": stored([], maxts=0),
        "empty_with_data": stored([]) + b"zz",
        "too_long_elem": stored([(b"x" * 4097, 1, False)]),   # longer than -max_len
    }
    for name, v in st.items():
        write("stored_" + name, b"\x01" + v)

    # ---- mode 1: stored, version 3 (packed) ----------------------------
    # front coding: 40 elements sharing a 20-byte prefix (one-byte varint
    # of the shared length, restarts at 0 and 32 with shared 0), one with
    # a 200-byte rest (two-byte varint); a family sharing 300 bytes (a
    # two-byte varint of the shared length)
    stem = b"member:0123456789ab:"
    fam = [(stem + bytes([97 + i // 26, 97 + i % 26]) + (b"x" * 200 if i == 20 else b""),
            T2026 + (i * 7) % 11, i % 3 == 1) for i in range(40)]
    deep = [(b"d" * 300 + bytes([97 + i]) * (1 + i), T2026 - i, False) for i in range(5)]
    many = [(b"%03d" % i, T2026 + i * 1000003, i % 5 == 0) for i in range(200)]
    pk = {
        "empty": packed([]),
        "empty_horizon": packed([], horizon=T2026),
        "one": packed([(b"a", T2026, False)]),
        "tombstones": packed(good),
        "quoted_elems": packed(quoted),
        "ts_64bits": packed([(b"a", TS_MIN, False), (b"b", TS_END - 1, True)]),
        "ts_63bits": packed([(b"a", 0, False), (b"b", TS_END - 1, False), (b"c", 1 << 62, True)]),
        "ts_same": packed([(b"a", T2026, False), (b"b", T2026, True), (b"c", T2026, False)]),
        "prefixes": packed([(b"", 5, False), (b"a", 1, False), (b"ab", 2, False),
                            (b"abcdefghijklmnopq", 3, True), (b"b", 3, False)]),
        "restarts_40": packed(fam),
        "restarts_40_horizon": packed(fam, horizon=T2026),
        "shared_300": packed(deep),
        "many_200": packed(many),
        "long_elem": packed([(b"a", 1, False), (b"y" * 3900, 2, True), (b"y" * 3901, 3, False)]),
        # rejected ones
        "short": packed(good)[:47],
        "version2_layout": packed(good)[:4] + b"\x02" + packed(good)[5:],
        "flags": packed(good, flags=1),
        "reserved2": packed(good, reserved2=1),
        "count_max_plus1": packed(good, nentries=16777217),
        "tsbits_65": (lambda v: v[:44] + b"\x41" + v[45:])(packed(good)),
        "extra_byte": packed(good) + b"x",
        "truncated": packed(good)[:-1],
        "elemlen_wrong": packed(good, size_delta=1) + b"\x00",
        "empty_tsbase": packed([], tsbase=1),
        "empty_tsbits": packed([], tsbits=3),
        "empty_stream": packed([], extra=b"\x00"),
        "empty_maxts": packed([], maxts=0),
        "tsbase_out_of_range": packed(good, tsbase=TS_MIN - 1),
        "tsbase_below_lowest": packed(fam, tsbase=T2026 - 1),
        "tsbits_not_minimal": packed(fam, tsbits=5),
        "tsbits_too_small": packed(fam, tsbits=3),
        "delta_above_max": packed(fam, deltas=lambda i, d: 15 if i == 7 else d),
        "padding_bits": packed(fam[:3], pad=True),
        "restart_wrong": packed(fam, restarts=lambda o: [o[0], o[1] + 1]),
        "restart_shared": packed(fam, shared=lambda i, c: c if i != 32 else 5),
        "shared_too_long": packed(fam, shared=lambda i, c: c + 30 if i == 3 else c),
        "shared_not_longest": packed(fam, shared=lambda i, c: c - 1 if i == 5 else c),
        "first_shared": packed(good, shared=lambda i, c: 1 if i == 0 else c),
        "varint_not_minimal": packed(fam, varints=lambda i, v: v[:-1] + bytes([v[-1] | 0x80, 0])
                                     if i == 4 else v),
        "varint_3_bytes": packed(deep, varints=lambda i, v: v[:-1] + bytes([v[-1] | 0x80, 0])
                                 if i == 2 else v),
        "elem_over_max": packed([(b"a" * 4097, 1, False)], cut=4087),
        "unsorted": packed([(b"b", 1, False), (b"a", 2, False)]),
        "duplicate": packed([(b"a", 1, False), (b"a", 2, False)]),
        # at a restart point the order is checked on whole elements
        "restart_unsorted": packed(fam[:31] + [fam[32], fam[31]] + fam[33:]),
        "restart_duplicate": packed(fam[:32] + [(fam[31][0], T2026, False)] + fam[33:]),
        "nul_elem": packed([(b"a", 1, False), (b"a\x00", 1, False)]),
        "npresent_wrong": packed(good, npresent=3),
        "maxts_wrong": packed(fam, maxts=T2026 + 9),
        "tombstone_before_horizon": packed(good, horizon=T2026),
        "trailing_byte": packed(good, extra=b"\x01"),
        "truncated_stream": packed(good, cut=1),
    }
    for name, v in pk.items():
        write("stored_v3_" + name, b"\x01" + v)

    # ---- mode 2: wire --------------------------------------------------
    wg = [(b"tahir", T2026, 0), (b"tara", TS_MIN, 1), (b"zo\xc3\xa9", T2026 + 1, 0)]
    wi = {
        "empty": wire([]),
        "one": wire([(b"a", T2026, 0)]),
        "tombstones": wire(wg),
        "empty_elem": wire([(b"", TS_MIN, 0), (b"a", TS_END - 1, 1)]),
        "v2_horizon": wire([(b"a", H2025, 1), (b"b", H2025 - 5, 0)], version=2, horizon=H2025),
        # rejected ones
        "version0": wire(wg, version=0),
        "version2": wire(wg, version=2),
        "count_negative": wire(wg, count=-1),
        "count_huge": wire(wg, count=16777217),
        "count_no_fit": wire(wg, count=1000),
        "count_short": wire(wg, count=2),
        "truncated": wire(wg)[:-2],
        "truncated_header": wire(wg)[:3],
        "junk_after": wire(wg) + b"\x00",
        "removed2": wire([(b"a", 1, 2)]),
        "len_negative": wire([(b"a", 1, 0, -1)]),
        "len_4097": wire([(b"a", 1, 0, 4097)]),
        "len_past_end": wire([(b"a", 1, 0, 5)]),
        "unsorted": wire([(b"b", 1, 0), (b"a", 2, 0)]),
        "duplicate": wire([(b"a", 1, 0), (b"a", 2, 1)]),
        "nul_elem": wire([(b"a\x00b", 1, 0)]),
        "ts_end": wire([(b"a", TS_END, 0)]),
        "ts_below_min": wire([(b"a", TS_MIN - 1, 0)]),
        "ts_int64_max": wire([(b"a", (1 << 63) - 1, 0)]),
    }
    for name, v in wi.items():
        write("wire_" + name, b"\x02" + v)

    # ---- mode 3: operations --------------------------------------------
    ops = {
        "disjoint": [b"{a,b}", b"{c,-d}"],
        "overlap": [b"{a@2026-11-28T10:00:00Z,b@2026-11-28T10:00:00Z}",
                    b"{-a@2026-11-28T10:00:01Z,b@2026-11-28T09:00:00Z,c}"],
        "remove_beats_add": [b"{a@2026-11-28T10:00:00Z}", b"{-a@2026-11-28T10:00:00Z}"],
        "same": [b"{a,-b@2026-01-01T00:00:00Z}", b"{a,-b@2026-01-01T00:00:00Z}"],
        "empty_left": [b"{}", b"{a,-b}"],
        "empty_right": [b"{x@2026-01-01T00:00:00.5Z}", b"{}"],
        "prefixes": [b"{a,abc,b}", b"{ab,-abc@2026-01-01T00:00:00Z}"],
        "three": [b"{a@2026-01-01T00:00:00Z,b}", b"{-a@2026-01-01T00:00:00Z,c}",
                  b"{a@2026-01-02T00:00:00Z,-c@2026-01-01T00:00:00Z}"],
        "three_bounds": [b"{a@-4713-11-24T00:00:00Z}", b"{a@+294276-12-31T23:59:59.999999Z}",
                         b"{-a@+294276-12-31T23:59:59.999999Z}"],
        "horizons": [b"@2026-01-01T00:00:00Z{a@2026-02-01T00:00:00Z,x@2025-01-01T00:00:00Z}",
                     b"{y@2025-06-01T00:00:00Z,-a@2026-03-01T00:00:00Z,x@2025-02-01T00:00:00Z}",
                     b"@2025-01-01T00:00:00Z{z@2025-03-01T00:00:00Z}"],
    }
    for name, parts in ops.items():
        write("ops_" + name, b"\x03" + b"\xff".join(parts))


if __name__ == "__main__":
    main()
