"""VARBYTE functions and operators on bytea (dwhkit/compat/varbyte.py), run on the real Postgres.
Expected values are the pages' examples (varbyte-functions, r_VARBYTE_OPERATORS:
https://docs.aws.amazon.com/redshift/latest/dg/r_VARBYTE_OPERATORS.html); VARBYTE results are
compared as hexadecimal, as the pages print them. Before: FROM_HEX, TO_VARBYTE, FROM_VARBYTE did
not exist, TO_HEX became PostgreSQL's HEX (missing), + / ~ / & had no bytea operator, CONCAT gave
the bytea text (\\x616263\\x646566) and VARBYTE::VARCHAR gave \\x616263."""
from __future__ import annotations

import pytest

from tests.test_fidelity_conversions import run


def value(conn, sql):
    got = run(conn, sql)[0][0]
    return bytes(got).hex() if isinstance(got, memoryview) else got


@pytest.mark.parametrize("sql, expected", [
    ("SELECT FROM_HEX('6162')", "6162"),                                   # r_FROM_HEX
    ("SELECT FROM_VARBYTE('ab', 'hex')", "6162"),                          # r_FROM_VARBYTE
    ("SELECT FROM_VARBYTE(FROM_HEX('4d'), 'binary')", "01001101"),
    ("SELECT FROM_VARBYTE(FROM_HEX('6162'), 'utf8')", "ab"),               # rule
    ("SELECT TO_HEX(2147676847)", "8002f2af"),                             # r_TO_HEX
    ("SELECT TO_HEX('abc'::VARBYTE)", "616263"),
    ("SELECT 'abc'::VARBYTE::VARCHAR", "abc"),
    ("SELECT TO_VARBYTE('6162', 'hex')", "6162"),                          # r_TO_VARBYTE
    ("SELECT TO_VARBYTE('01001101', 'binary')", "4d"),
    ("SELECT TO_VARBYTE('a', 'utf8')", "61"),
    ("SELECT TO_VARBYTE('4', 'hex')", "04"),                               # odd digits: a leading 0
    ("SELECT 'a'::VARBYTE || 'b'::VARBYTE", "6162"),                       # r_VARBYTE_OPERATORS
    ("SELECT 'a'::VARBYTE + 'b'::VARBYTE", "6162"),
    ("SELECT 'a'::VARBYTE < 'b'::VARBYTE", True),
    ("SELECT FROM_VARBYTE(~'a'::VARBYTE, 'binary')", "10011110"),
    ("SELECT FROM_VARBYTE('a'::VARBYTE & 'b'::VARBYTE, 'binary')", "01100000"),
    ("SELECT FROM_VARBYTE('a'::VARBYTE | 'b'::VARBYTE, 'binary')", "01100011"),  # rule
    ("SELECT CONCAT('abc'::VARBYTE, 'def'::VARBYTE)", "616263646566"),     # r_CONCAT
])
def test_documented_results(pg_conn, sql, expected):
    assert value(pg_conn, sql) == expected


def test_varbyte_columns_from_the_catalog(pg_conn):
    run(pg_conn, "CREATE TABLE vb (a VARBYTE(8), b VARBYTE(8), n INT)",
        "INSERT INTO vb VALUES (TO_VARBYTE('6162', 'hex'), TO_VARBYTE('63', 'hex'), 255)")
    assert run(pg_conn, "SELECT TO_HEX(a + b), TO_HEX(n), a::VARCHAR FROM vb") == [("616263", "ff", "ab")]
    # integers keep PostgreSQL's bitwise operators
    assert run(pg_conn, "SELECT n & 15, ~n FROM vb") == [(15, -256)]


def test_bitwise_operands_of_different_lengths_are_an_error(pg_conn):
    import psycopg2
    with pytest.raises(psycopg2.errors.RaiseException, match="same length"):
        run(pg_conn, "SELECT 'ab'::VARBYTE & 'b'::VARBYTE")
