"""Compares rows from the server with the rows a documentation page shows.

Why a module of its own: the guide prints results as text (psql-style tables), so a documented
``2.72`` or ``2008-01-05 14:00:00`` must be matched against Decimal, float and datetime values
the driver returns, without making the check so loose that a wrong answer passes. The rules:
an ``int`` expectation needs an equal number; a ``float`` expectation needs the value rounded to
the digits the page shows; a ``Decimal`` expectation needs the same digits *and* scale (Redshift
prints the result's scale, so ``20.00`` vs ``20`` is a real difference); a ``str`` expectation
against a date/time/number compares with the value as Redshift prints it.
"""
from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal


def redshift_text(value) -> str:
    """A value as Redshift's client shows it."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        text = value.strftime("%Y-%m-%d %H:%M:%S")
        if value.microsecond:
            text += (".%06d" % value.microsecond).rstrip("0")
        if value.tzinfo is not None:
            off = value.utcoffset()
            sign = "-" if off < dt.timedelta(0) else "+"
            mins = abs(int(off.total_seconds())) // 60
            text += f"{sign}{mins // 60:02d}" + (f":{mins % 60:02d}" if mins % 60 else "")
        return text
    if isinstance(value, dt.time):
        text = value.strftime("%H:%M:%S")
        if value.microsecond:
            text += (".%06d" % value.microsecond).rstrip("0")
        if value.tzinfo is not None:
            off = value.utcoffset() or dt.timedelta(0)
            sign = "-" if off < dt.timedelta(0) else "+"
            mins = abs(int(off.total_seconds())) // 60
            text += f"{sign}{mins // 60:02d}" + (f":{mins % 60:02d}" if mins % 60 else "")
        return text
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        return _interval_text(value)
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value).hex()  # VARBYTE is shown as hexadecimal
    if isinstance(value, (list, dict)):
        return json.dumps(value, separators=(",", ":"), ensure_ascii=False)  # SUPER is shown as compact JSON
    return str(value)


def _interval_text(td: dt.timedelta) -> str:
    days, secs = td.days, td.seconds
    hms = f"{secs // 3600:02d}:{secs % 3600 // 60:02d}:{secs % 60:02d}"
    if td.microseconds:
        hms += (".%06d" % td.microseconds).rstrip("0")
    if days:
        return f"{days} day{'s' if abs(days) != 1 else ''} {hms}"
    return hms


def _numeric(value):
    return isinstance(value, (int, float, Decimal)) and not isinstance(value, bool)


def value_matches(expected, got) -> bool:
    if expected is None or got is None:
        return expected is None and got is None
    if isinstance(expected, bool):
        return isinstance(got, bool) and got == expected
    if isinstance(expected, Decimal):
        return isinstance(got, (Decimal, int)) and not isinstance(got, bool) and str(got) == str(expected)
    if isinstance(expected, int):
        return _numeric(got) and got == expected
    if isinstance(expected, float):
        if not _numeric(got):
            return False
        shown = repr(expected)
        digits = len(shown.split(".")[1]) if "." in shown and "e" not in shown else 12
        if "e" in shown:
            return abs(float(got) - expected) <= abs(expected) * 1e-9
        return round(float(got), digits) == expected or abs(float(got) - expected) < 10 ** -digits / 2 + 1e-12
    if isinstance(expected, str):
        return redshift_text(got) == expected
    return got == expected


def rows_match(expected: list, got: list, ordered: bool) -> bool:
    if len(expected) != len(got):
        return False
    got = [tuple(r) for r in got]
    if not ordered:
        # a multiset match: pair each expected row with some unused equal row
        left = list(got)
        for row in expected:
            hit = next((i for i, g in enumerate(left) if _row_matches(row, g)), None)
            if hit is None:
                return False
            left.pop(hit)
        return True
    return all(_row_matches(e, g) for e, g in zip(expected, got))


def _row_matches(expected: tuple, got: tuple) -> bool:
    return len(expected) == len(got) and all(value_matches(e, g) for e, g in zip(expected, got))
