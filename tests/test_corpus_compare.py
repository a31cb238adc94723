"""The corpus comparator must not let a wrong answer pass: the rules of tests/corpus/compare.py."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from tests.corpus.compare import redshift_text, rows_match, value_matches


@pytest.mark.parametrize("expected,got,ok", [
    (Decimal("20.00"), Decimal("20.00"), True),
    (Decimal("20.00"), Decimal("20.0000"), False),      # Redshift prints the result's scale: a real difference
    (Decimal("2500.00000000"), Decimal("2500.0000000000000000"), False),
    (2, Decimal("2"), True), (2, 2.0, True), (2, Decimal("2.5"), False), (2, "2", False),
    (3.14159265358979, 3.141592653589793, True),        # the page shows 15 significant digits
    (11.12, 11.1234, True), (11.12, 11.13, False),
    (-1.22464679914735e-16, -1.2246467991473532e-16, True), (-1.22464679914735e-16, 1.2e-16, False),
    (True, True, True), (True, 1, False), (False, None, False), (None, None, True), (None, "", False),
    ("2008-01-01 00:00:00", dt.datetime(2008, 1, 1), True), ("2008-01-01", dt.datetime(2008, 1, 1), False),
    ("2008-01-01", dt.date(2008, 1, 1), True), ("616263", b"abc", True), ("DECEMBER ", "DECEMBER", False),
])
def test_value_rules(expected, got, ok):
    assert value_matches(expected, got) is ok


def test_redshift_text_of_times_and_zones():
    utc = dt.timezone.utc
    assert redshift_text(dt.datetime(2011, 12, 19, 0, 38, 15, tzinfo=utc)) == "2011-12-19 00:38:15+00"
    assert redshift_text(dt.time(0, 5, 0, 555000)) == "00:05:00.555"
    assert redshift_text(dt.time(4, 5, tzinfo=utc)) == "04:05:00+00"
    assert redshift_text(dt.timedelta(days=1, hours=2)) == "1 day 02:00:00"


def test_rows_order_and_multiset():
    assert rows_match([(1,), (2,)], [(1,), (2,)], ordered=True)
    assert not rows_match([(1,), (2,)], [(2,), (1,)], ordered=True)
    assert rows_match([(1,), (2,)], [(2,), (1,)], ordered=False)
    assert not rows_match([(1,), (1,)], [(1,), (2,)], ordered=False)   # each row is matched once
    assert not rows_match([(1,)], [(1,), (1,)], ordered=False)
