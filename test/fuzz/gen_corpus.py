#!/usr/bin/env python3
"""Write the seed corpus of test/fuzz/likeset_fuzz.c into test/fuzz/corpus/.

Each file starts with the mode byte the fuzz target reads: 0 text form,
1 stored form (native byte order, as likeset.h documents), 2 binary wire
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


def wire(entries, *, version=1, count=None):
    """A binary message: entries are (elem bytes, ts, removed flag byte)."""
    out = struct.pack(">BI", version, (len(entries) if count is None else count) & 0xffffffff)
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

    # ---- mode 2: wire --------------------------------------------------
    wg = [(b"tahir", T2026, 0), (b"tara", TS_MIN, 1), (b"zo\xc3\xa9", T2026 + 1, 0)]
    wi = {
        "empty": wire([]),
        "one": wire([(b"a", T2026, 0)]),
        "tombstones": wire(wg),
        "empty_elem": wire([(b"", TS_MIN, 0), (b"a", TS_END - 1, 1)]),
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
    }
    for name, parts in ops.items():
        write("ops_" + name, b"\x03" + b"\xff".join(parts))


if __name__ == "__main__":
    main()
