#!/usr/bin/env python3
"""Writes the seed corpora of tests/fuzz/corpus/ that need building:

  load_csv/  the sample files of tests/resources/load/ behind the harness's
             option byte (the kind whose header they carry), and a record
             that reaches the record limit
  copybin/   binary COPY streams built by hand from PostgreSQL's format: the
             ingest's transfer tuple, every type, NULLs, a header extension,
             an empty stream, two option bytes in front

The list harnesses take the samples of tests/resources/lists/ as they are
(tools/fuzz.sh adds them). Run again after changing a sample; the output is
committed, so the fuzz command does not need Python.

    python3 tests/fuzz/make_seeds.py
"""
import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))
RES = os.path.join(HERE, "..", "resources")
KINDS = ["party", "account", "transfer", "ransom", "gold_lot", "levy",
         "designation", "fx_rate"]  # iffa_load_kind order


def write(harness, name, data):
    d = os.path.join(HERE, "corpus", harness)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def load_csv():
    for kind, name in enumerate(KINDS):
        with open(os.path.join(RES, "load", name + ".csv"), "rb") as f:
            text = f.read()
        write("load_csv", name, bytes([kind]) + text)
    # A quoted field just short of the record limit (the harness puts
    # it before the file), then a record.
    write("load_csv", "long-record", bytes([2 | 7 << 3 | 1 << 6]) + b'x",b\r\nc,"d""e"\n')


# ---- binary COPY ---------------------------------------------------------

SIG = b"PGCOPY\n\xff\r\n\x00"


def header(ext=b"", flags=0):
    return SIG + struct.pack(">iI", flags, len(ext)) + ext


def tup(*fields):
    out = struct.pack(">h", len(fields))
    for f in fields:
        out += struct.pack(">i", -1) if f is None else struct.pack(">i", len(f)) + f
    return out


TRAILER = struct.pack(">h", -1)
i2 = lambda v: struct.pack(">h", v)
i4 = lambda v: struct.pack(">i", v)
i8 = lambda v: struct.pack(">q", v)
f8 = lambda v: struct.pack(">d", v)
ts = lambda us: struct.pack(">q", us)  # µs since 2000-01-01


def opts(ncols, seed, fail_at=0):
    return bytes([ncols | fail_at << 4, seed])


def copybin():
    # The ingest's transfer stream: id, from, to, amount, currency, ts,
    # channel (7 columns).
    transfer = header()
    for k in range(3):
        transfer += tup(i8(8812 + k), i8(2 * k), i8(2 * k + 2), f8(250000.5 * (k + 1)),
                        b"XOF" if k else b"GNF", ts(790000000000000 + k), b"bank")
    write("copybin", "transfer", opts(7, 5) + transfer + TRAILER)
    # Every type in one tuple, and a tuple of NULLs.
    every = tup(i2(-2), i4(123456), i8(-(1 << 40)), f8(-0.5), b"\x01", ts(0),
                i4(-10957), "Ménaka".encode())
    nulls = tup(*([None] * 8))
    write("copybin", "types", opts(8, 17) + header() + every + nulls + TRAILER)
    # Infinities and the extremes of each type.
    edges = tup(i2(-32768), i4(2**31 - 1), i8(2**63 - 1), f8(float("nan")), b"\x02",
                ts(-2**63), i4(-2**31), b"")
    write("copybin", "edges", opts(8, 33) + header() + edges + TRAILER)
    # A header extension, then one row of one text column.
    write("copybin", "extension", opts(1, 200) + header(b"ext!" * 3) + tup(b"abc") + TRAILER)
    # No rows at all; the OID flag (refused); a stream cut inside a field.
    write("copybin", "empty", opts(3, 1) + header() + TRAILER)
    write("copybin", "oid-flag", opts(1, 2) + header(flags=1 << 16) + tup(b"x") + TRAILER)
    write("copybin", "cut", opts(2, 9) + header() + tup(i4(1), b"abcdef")[:-3])
    # The callback refuses the second of three rows.
    rows = b"".join(tup(i4(k), b"r%d" % k) for k in range(3))
    write("copybin", "callback-fails", opts(2, 77, fail_at=2) + header() + rows + TRAILER)


if __name__ == "__main__":
    load_csv()
    copybin()
