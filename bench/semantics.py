"""Exactness probe for the JSON decoder candidates (``python -m bench.semantics``).

The fast path may use a decoder only if, for every line, it either gives exactly what the exact
per-record path loads, or fails (→ ``Fallback``: the block is re-read by the exact path, which
produces Redshift's error code, line number, stl_load_errors row). A decoder that *silently accepts*
a line the exact path treats differently (coerces a number into VARCHAR, wraps a big integer, keeps
the first of duplicate keys, passes invalid UTF-8 through) is only usable behind a pre-check.

Each case is one clean line followed by one probe line; a cell shows the probe row's affected
column as decoded, or ERR when the decoder raised (= fallback, safe). FastPlan.run adds dwhkit's own
pre-checks (NUL, \\u0000, invalid UTF-8, ranges) on top of pyarrow.json.
"""
from __future__ import annotations

from bench.candidates import COLS, make_decoders

CLEAN = b'{"user":"u","timestamp":1,"x":1.0,"y":2.0,"z":0.0}\n'
CASES = [
    ("clean", b'{"user":"v","timestamp":2,"x":1.5,"y":2.0,"z":0.0}', "user"),
    ("invalid UTF-8 in a string", b'{"user":"a\xff","timestamp":2}', "user"),
    ("\\u0000 in a string", b'{"user":"a\\u0000b","timestamp":2}', "user"),
    ("raw NUL byte in a string", b'{"user":"a\x00b","timestamp":2}', "user"),
    ("lone surrogate \\ud800", b'{"user":"a\\ud800","timestamp":2}', "user"),
    ("int > int64 (2^63)", b'{"user":"v","timestamp":9223372036854775808}', "timestamp"),
    ("int > uint64 (1e20 as digits)", b'{"user":"v","timestamp":100000000000000000000}', "timestamp"),
    ("float into BIGINT (2.0)", b'{"user":"v","timestamp":2.0}', "timestamp"),
    ("exponent into BIGINT (1e3)", b'{"user":"v","timestamp":1e3}', "timestamp"),
    ("string into BIGINT (\"5\")", b'{"user":"v","timestamp":"5"}', "timestamp"),
    ("number into VARCHAR (5)", b'{"user":5,"timestamp":2}', "user"),
    ("bool into VARCHAR (true)", b'{"user":true,"timestamp":2}', "user"),
    ("object into VARCHAR", b'{"user":{"a":1},"timestamp":2}', "user"),
    ("int into FLOAT8 (1)", b'{"user":"v","timestamp":2,"x":1}', "x"),
    ("NaN literal into FLOAT8", b'{"user":"v","timestamp":2,"x":NaN}', "x"),
    ("1e999 into FLOAT8", b'{"user":"v","timestamp":2,"x":1e999}', "x"),
    ("duplicate key (first a, then b)", b'{"user":"a","user":"b","timestamp":2}', "user"),
    ("key differing in case (\"User\")", b'{"User":"v","timestamp":2}', "user"),
    ("missing key", b'{"timestamp":2}', "user"),
    ("explicit null", b'{"user":null,"timestamp":2}', "user"),
    ("trailing comma after object (},)", b'{"user":"v","timestamp":2},', "user"),
    ("two objects on one line", b'{"user":"v","timestamp":2}{"user":"w","timestamp":3}', "user"),
    ("blank line between records", b'\n{"user":"v","timestamp":2}', "user"),
    ("top-level array line", b'[1,2]', "user"),
    ("CR LF line end", b'{"user":"v","timestamp":2}\r', "user"),
]


def _cell(fn, case: bytes, col: str) -> str:
    try:
        out = fn(CLEAN + case + b"\n")
    except Exception as exc:  # noqa: BLE001 - any failure is a fallback
        return f"ERR ({type(exc).__name__})"
    if isinstance(out, tuple):                        # FastPlan.run: (kind, payload, rows)
        return f"loaded {out[2]} rows"
    arrays = out
    n = len(arrays[0])
    if n != 2:
        return f"{n} rows"
    a = arrays[COLS.index(col)]
    try:
        v = a[1].as_py()
    except UnicodeDecodeError:
        return "accepted: invalid UTF-8 kept"
    if isinstance(v, str) and "\x00" in v:
        return f"accepted: {v!r} (NUL)"
    return repr(v)[:24]


def main() -> int:
    decs = {k: v for k, v in make_decoders().items() if not k.startswith("  ")}
    names = list(decs)
    print("\n### What each decoder does with one probe line (ERR = raises → the block falls back to the exact path)\n")
    print("| probe line | " + " | ".join(names) + " |")
    print("|---|" + "---|" * len(names))
    for label, case, col in CASES:
        print(f"| {label} | " + " | ".join(_cell(decs[n], case, col).replace("|", "\\|") for n in names) + " |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
