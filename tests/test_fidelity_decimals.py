"""Precision and scale of computed DECIMAL results (dwhkit/compat/decimals.py), translated with the
session catalog and run on the real Postgres. r_numeric_computations201:
https://docs.aws.amazon.com/redshift/latest/dg/r_numeric_computations201.html"""
from __future__ import annotations

from decimal import Decimal

import pytest

from dwhkit.compat import to_postgres
from dwhkit.compat.decimals import division_type
from dwhkit.targets.catalog import PostgresCatalog
from tests.test_fidelity_conversions import run


@pytest.fixture
def db(pg_conn):
    run(pg_conn, "CREATE TABLE sales (salesid INT, qtysold SMALLINT, pricepaid DECIMAL(8,2), commission DECIMAL(8,2))",
        "INSERT INTO sales VALUES (1, 2, 728.00, 109.20), (2, 3, 12624.00, 1893.60), (3, 1, 20.00, 3.00)",
        "CREATE TABLE part (partname VARCHAR(10), price DECIMAL(12,2))",
        "INSERT INTO part VALUES ('prop', 10.00), ('prop', 11.00), ('prop', 10.00), ('rudder', 2.15), "
        "('rudder', 3.00), ('rudder', 3.00)")
    return pg_conn


def test_the_pages_division_example(db):
    # DECIMAL(8,2) / DECIMAL(8,2) is DECIMAL(17,9); before: 6.6666666666666667 (PostgreSQL's 16+ digits)
    assert division_type((8, 2), (8, 2)) == (17, 9)
    assert run(db, "SELECT pricepaid / commission FROM sales WHERE salesid = 1") == [(Decimal("6.666666667"),)]
    with db.cursor() as cur:  # the column keeps PostgreSQL's (and Redshift's) name for an operator
        cur.execute(to_postgres("SELECT pricepaid / commission FROM sales", catalog=PostgresCatalog(db))[0])
        assert cur.description[0].name == "?column?"


def test_integer_operand_counts_as_decimal_of_its_size(db):
    # r_MAX's example: MAX(pricepaid / qtysold) — DECIMAL(8,2) / SMALLINT as DECIMAL(5,0): scale 8
    assert run(db, "SELECT MAX(pricepaid / qtysold) AS m FROM sales") == [(Decimal("4208.00000000"),)]
    assert run(db, "SELECT MIN(pricepaid / qtysold) AS m FROM sales") == [(Decimal("20.00000000"),)]


def test_precision_over_38_is_capped():
    p, s = division_type((38, 10), (38, 10))
    assert p == 38 and 4 <= s <= 37


def test_integer_division_and_floats_are_left_alone(db):
    assert run(db, "SELECT qtysold / 2 FROM sales WHERE salesid = 2") == [(1,)]
    assert run(db, "SELECT pricepaid / 2.5::FLOAT FROM sales WHERE salesid = 3") == [(8.0,)]


def test_avg_of_decimal_keeps_the_arguments_scale_cutting_the_rest(db):
    # r_AVG: the scale of the argument; the PIVOT page prints 2.71 for 2.7166… (cut, not rounded);
    # before: 10.3333333333333333 and 2.7166666666666667
    rows = run(db, "SELECT partname, AVG(price) FROM part GROUP BY partname ORDER BY 1")
    assert rows == [("prop", Decimal("10.33")), ("rudder", Decimal("2.71"))]
    assert run(db, "SELECT * FROM (SELECT partname, price FROM part) PIVOT (AVG(price) FOR partname IN "
                   "('prop', 'rudder'))") == [(Decimal("10.33"), Decimal("2.71"))]
    with db.cursor() as cur:
        cur.execute(to_postgres("SELECT AVG(price) FROM part", catalog=PostgresCatalog(db))[-1])
        assert cur.description[0].name == "avg"


def test_without_catalog_types_nothing_changes():
    assert to_postgres("SELECT a / b FROM t") == ["SELECT a / b FROM t"]


def test_sign_of_a_decimal_is_numeric_1_0(db):
    # r_SIGN's CREATE TABLE t2 AS example; before: numeric (PostgreSQL keeps the argument's scale: 1.00)
    run(db, "CREATE TABLE t1 (d DOUBLE PRECISION, n NUMERIC(12, 2))", "INSERT INTO t1 VALUES (4.25, 4.25), (-4.25, -4.25)",
        "CREATE TABLE t2 AS SELECT SIGN(d) AS d, SIGN(n) AS n FROM t1")
    assert run(db, "SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = 't2'::regclass "
                   "AND attnum > 0 ORDER BY attnum") == [("double precision",), ("numeric(1,0)",)]
    assert run(db, "SELECT SIGN(commission) FROM sales WHERE salesid = 1") == [(Decimal("1"),)]


def test_union_of_decimals_gets_the_pages_common_type(db):
    # r_numeric_computations201: DEC1 (DECIMAL(7,2)) UNION DEC2 (DECIMAL(15,3)) is NUMERIC(15,3);
    # before: numeric (no precision or scale)
    run(db, "CREATE TABLE dec1 (c1 DECIMAL(7,2))", "CREATE TABLE dec2 (c1 DECIMAL(15,3))",
        "INSERT INTO dec1 VALUES (12.34)", "INSERT INTO dec2 VALUES (123456789012.345)",
        "CREATE TABLE dec3 AS SELECT * FROM dec1 UNION SELECT * FROM dec2")
    assert run(db, "SELECT format_type(atttypid, atttypmod), attname FROM pg_attribute "
                   "WHERE attrelid = 'dec3'::regclass AND attnum > 0") == [("numeric(15,3)", "c1")]
    assert run(db, "SELECT c1 FROM dec3 ORDER BY 1") == [(Decimal("12.340"),), (Decimal("123456789012.345"),)]
    # the same types in every branch: left as PostgreSQL types it
    pg = to_postgres("SELECT pricepaid FROM sales UNION ALL SELECT commission FROM sales", catalog=PostgresCatalog(db))
    assert pg == ["SELECT pricepaid FROM sales UNION ALL SELECT commission FROM sales"]


# --- r_Numeric_types201: DECIMAL(19, s) holds a 64-bit integer's digits -------------------------
def test_decimal_19_holds_what_64_bits_hold(pg_conn):
    import psycopg2
    pg_conn.autocommit = True  # each failed INSERT is its own transaction
    run(pg_conn, "CREATE TABLE d19 (d DECIMAL(19,0), f DECIMAL(19,18), wide DECIMAL(20,0), narrow DECIMAL(18,0))",
        "INSERT INTO d19 VALUES (9223372036854775807, 9.223372036854775807, 99999999999999999999, 999999999999999999)",
        "INSERT INTO d19 (d) VALUES (-9223372036854775807)")
    assert run(pg_conn, "SELECT d FROM d19 ORDER BY d") == [(Decimal(-9223372036854775807),), (Decimal(9223372036854775807),)]
    # 19 nines overflow (before: stored, as PostgreSQL's NUMERIC(19,0) holds them)
    for value in ("9999999999999999999", "-9223372036854775808"):
        with pytest.raises(psycopg2.errors.CheckViolation, match="overflow"):
            run(pg_conn, f"INSERT INTO d19 (d) VALUES ({value})")
    with pytest.raises(psycopg2.errors.CheckViolation, match="overflow"):
        run(pg_conn, "INSERT INTO d19 (f) VALUES (9.3)")
    # a column added later gets the same range
    run(pg_conn, "ALTER TABLE d19 ADD COLUMN later DECIMAL(19,2)")
    with pytest.raises(psycopg2.errors.CheckViolation, match="overflow"):
        run(pg_conn, "INSERT INTO d19 (later) VALUES (92233720368547758.08)")
