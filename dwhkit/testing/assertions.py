"""Assertions users write about their warehouse: "this query returns these rows", "this COPY loads".

Why not a bare ``assert cur.fetchall() == [...]``: a mismatch of a few rows among many is hard to
read from pytest's list repr, row order is rarely part of the contract, and a failed COPY's
message ("Load into table 't' failed. Check 'stl_load_errors'…") hides the reason in a system table.
Every helper here runs plain Redshift SQL through the connection, so it works the same on the
local emulation and on a real cluster.
"""
from __future__ import annotations

import difflib
from collections import Counter
from collections.abc import Iterable, Sequence
from decimal import Decimal

# The columns of stl_load_errors that explain a rejected row (Redshift's own names); CHAR columns
# are blank-padded there, hence trim().
# https://docs.aws.amazon.com/redshift/latest/dg/r_STL_LOAD_ERRORS.html
LOAD_ERROR_COLUMNS = ("query", "filename", "line_number", "colname", "type", "position",
                      "raw_field_value", "raw_line", "err_code", "err_reason")
_TRIMMED = {"filename", "colname", "type", "raw_field_value", "raw_line", "err_reason"}
MAX_SHOWN = 20


def fetch_rows(conn, sql: str, params=None) -> list[tuple]:
    cur = conn.cursor()
    try:
        cur.execute(sql, params)
        return [tuple(r) for r in cur.fetchall()]
    finally:
        cur.close()


def _key(row: tuple) -> tuple:
    """What two rows are compared by: numbers by value (``Decimal('120.00')`` from a DECIMAL column
    equals an expected ``120`` or ``120.0``), anything else by repr (rows may hold unhashable
    values: lists and dicts from SUPER/JSON)."""
    return tuple(float(v) if isinstance(v, (int, float, Decimal)) and not isinstance(v, bool) else repr(v)
                 for v in row)


def rows_difference(actual: Iterable[Sequence], expected: Iterable[Sequence], *, ordered: bool = True) -> str:
    """A readable account of how ``actual`` differs from ``expected``; "" when they match.

    ``ordered=False`` compares them as multisets: each row must appear as many times as expected."""
    actual = [tuple(r) for r in actual]
    expected = [tuple(r) for r in expected]
    if ordered:
        if [_key(r) for r in actual] == [_key(r) for r in expected]:
            return ""
        diff = difflib.unified_diff([repr(r) for r in expected], [repr(r) for r in actual],
                                    "expected", "actual", lineterm="", n=2)
        return (f"rows differ (expected {len(expected)}, got {len(actual)}; order matters):\n"
                + "\n".join(diff))
    shown = {}
    for r in expected + actual:
        shown.setdefault(_key(r), repr(r))
    want, got = Counter(map(_key, expected)), Counter(map(_key, actual))
    if want == got:
        return ""
    missing, unexpected = want - got, got - want
    lines = [f"rows differ (expected {len(expected)}, got {len(actual)}; any order):"]
    for title, counter in (("missing (expected, not returned)", missing),
                           ("unexpected (returned, not expected)", unexpected)):
        if counter:
            lines.append(f"  {title}:")
            for key, n in sorted(counter.items(), key=lambda kv: shown[kv[0]])[:MAX_SHOWN]:
                lines.append(f"    {shown[key]}" + (f"  × {n}" if n > 1 else ""))
            if len(counter) > MAX_SHOWN:
                lines.append(f"    … and {len(counter) - MAX_SHOWN} more")
    return "\n".join(lines)


def assert_rows(conn, sql: str, expected: Iterable[Sequence], *, params=None, ordered: bool = True) -> list[tuple]:
    """Run ``sql`` and fail with a readable diff unless it returns exactly ``expected``.

    ``ordered=False`` when the query has no ORDER BY (Redshift returns rows in any order).
    Returns the rows, for further checks."""
    actual = fetch_rows(conn, sql, params)
    difference = rows_difference(actual, expected, ordered=ordered)
    if difference:
        raise AssertionError(f"{difference}\nquery: {sql.strip()}")
    return actual


def load_errors(conn, query: int | None = None) -> list[dict]:
    """stl_load_errors rows of one COPY (``query``: its query id; None: this session's latest COPY
    that logged errors), as dicts in file and line order.

    AMBIG: not ``pg_last_copy_id()``, which AWS documents as unchanged when the COPY's transaction is
    rolled back (https://docs.aws.amazon.com/redshift/latest/dg/PG_LAST_COPY_ID.html) — and a failed
    COPY's transaction must be rolled back before anything else runs. The rows' ``session`` is the
    loading session's process id (https://docs.aws.amazon.com/redshift/latest/dg/r_STL_LOAD_ERRORS.html),
    so on a shared cluster another user's COPY errors are never picked up."""
    cols = ", ".join(f"trim({c}) AS {c}" if c in _TRIMMED else c for c in LOAD_ERROR_COLUMNS)
    if query is None:
        where, params = ("query = (SELECT max(query) FROM stl_load_errors WHERE session = pg_backend_pid())"
                         " AND session = pg_backend_pid()"), None
    else:
        where, params = "query = %s", (query,)
    rows = fetch_rows(conn, f"SELECT {cols} FROM stl_load_errors WHERE {where} ORDER BY filename, line_number",
                      params)
    return [dict(zip(LOAD_ERROR_COLUMNS, r)) for r in rows]


def format_load_errors(rows: list[dict]) -> str:
    """One paragraph per rejected line: where, which column, the value, and Redshift's reason."""
    if not rows:
        return "stl_load_errors has no rows for this COPY"
    out = [f"{len(rows)} row(s) in stl_load_errors (query {rows[0]['query']}):"]
    for r in rows[:MAX_SHOWN]:
        where = f"{r['filename']} line {r['line_number']}"
        column = f", column {r['colname']} ({r['type']}, position {r['position']})" if r["colname"] else ""
        out.append(f"  {where}{column}: error {r['err_code']}: {r['err_reason']}")
        if r["raw_field_value"]:
            out.append(f"    value: {r['raw_field_value']!r}")
        out.append(f"    line:  {r['raw_line']!r}")
    if len(rows) > MAX_SHOWN:
        out.append(f"  … and {len(rows) - MAX_SHOWN} more")
    return "\n".join(out)


def load_errors_message(conn, query: int | None = None) -> str:
    """``format_load_errors(load_errors(conn, query))``: put it in an assertion's message."""
    return format_load_errors(load_errors(conn, query))


def run_copy(conn, sql: str, params=None) -> int:
    """Run a COPY; if it fails, fail the test with the stl_load_errors rows that explain why
    (the transaction is rolled back first, as Redshift does; the log rows survive it).
    Returns the number of rows loaded."""
    cur = conn.cursor()
    try:
        cur.execute(sql, params)
        return cur.rowcount
    except Exception as exc:
        conn.rollback()
        detail = load_errors_message(conn)
        raise AssertionError(f"COPY failed: {str(exc).strip()}\n{detail}") from exc
    finally:
        cur.close()

