"""Redshift's implicit conversions (c_Supported_data_types, "Type compatibility and conversion":
https://docs.aws.amazon.com/redshift/latest/dg/c_Supported_data_types.html), translated with the
real session catalog (dwhkit.targets.catalog.PostgresCatalog over the test connection) and
executed on the real Postgres 15. Each row notes what the statement did before the catalog-aware
translation existed.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import psycopg2
import pytest

import dwhkit
from dwhkit.compat import to_postgres
from dwhkit.targets.catalog import PostgresCatalog


def run(conn, *statements, catalog=True):
    """Translate (with a fresh view of the catalog) and execute each statement; rows of the last."""
    rows = None
    with conn.cursor() as cur:
        for statement in statements:
            for pg in to_postgres(statement, catalog=PostgresCatalog(conn) if catalog else None):
                cur.execute(pg)
                rows = cur.fetchall() if cur.description else None
    return rows


def scalar(conn, *statements, catalog=True):
    return run(conn, *statements, catalog=catalog)[0][0]


SAMPLE = [
    # a staging table of strings, as the course projects declare them
    "CREATE TABLE staging (s_int VARCHAR(20), s_num VARCHAR(20), s_date VARCHAR(20), s_ts VARCHAR(30), "
    "s_bool VARCHAR(5), s_text VARCHAR(20))",
    "INSERT INTO staging VALUES (' 42 ', '12.345', '2008-09-01', '2008-09-01 10:11:12', 'true', 'x')",
    "CREATE TABLE facts (n INT, num DECIMAL(8,2), d DATE, ts TIMESTAMP, flag BOOLEAN, v VARCHAR(20))",
    "CREATE TABLE ev (eventid INT, qty INT, price DECIMAL(8,2), name VARCHAR(20), starttime TIMESTAMP, "
    "day DATE, ratio FLOAT)",
    "INSERT INTO ev VALUES (1, 10, 12.50, '10', '2008-09-01 10:00:00', '2008-09-01', 0.5), "
    "(2, 5, 3.00, '05', '2008-10-05 11:30:00', '2008-10-05', 2), "
    "(3, 10, 7.00, '9', '2009-01-01 00:00:00', '2009-01-01', 1)",
]


@pytest.fixture
def db(pg_conn):
    run(pg_conn, *SAMPLE)
    return pg_conn


# --- assignments ---------------------------------------------------------------------------
def test_insert_select_converts_strings_into_typed_columns(db):
    # before: column "n" is of type integer but expression is of type character varying
    run(db, "INSERT INTO facts (n, num, d, ts, v) SELECT s_int, s_num, s_date, s_ts, s_text FROM staging")
    # "any leading or trailing spaces are ignored"; a decimal value is rounded to the column's scale
    assert run(db, "SELECT n, num, d, ts, v FROM facts") == [
        (42, Decimal("12.35"), dt.date(2008, 9, 1), dt.datetime(2008, 9, 1, 10, 11, 12), "x")]


def test_insert_without_column_list_uses_table_order(db):
    run(db, "INSERT INTO facts SELECT s_int, s_num, s_date, s_ts, NULL, s_text FROM staging")
    assert scalar(db, "SELECT num FROM facts") == Decimal("12.35")


def test_insert_values_with_string_expressions(db):
    # before: column "n" is of type integer but expression is of type text
    run(db, "INSERT INTO facts (n, d) VALUES (SUBSTRING('x123', 2), LEFT('2008-09-01x', 10))")
    assert run(db, "SELECT n, d FROM facts") == [(123, dt.date(2008, 9, 1))]


def test_insert_union_branches_each_converted(db):
    run(db, "INSERT INTO facts (n) SELECT s_int FROM staging UNION ALL SELECT s_num FROM staging WHERE 1 = 0")
    assert scalar(db, "SELECT n FROM facts") == 42


def test_update_set_converts(db):
    run(db, "INSERT INTO facts (v) VALUES ('7')")
    # before: column "n" is of type integer but expression is of type character varying
    run(db, "UPDATE facts SET n = v, ts = '2008-0' || v || '-01' WHERE v = '7'")
    assert run(db, "SELECT n, ts FROM facts") == [(7, dt.datetime(2008, 7, 1))]


def test_integer_into_boolean_column(db):
    # the page's table lists INTEGER → BOOLEAN among implicit conversions
    run(db, "INSERT INTO facts (flag) SELECT eventid - 1 FROM ev WHERE eventid <= 2")
    assert sorted(r[0] for r in run(db, "SELECT flag FROM facts")) == [False, True]


def test_invalid_literal_is_still_an_error(db):
    # "you cannot cast the string 'ABC' to any numeric type"
    with pytest.raises(psycopg2.errors.InvalidTextRepresentation):
        run(db, "INSERT INTO facts (n) SELECT s_text FROM staging")


def test_character_target_is_left_to_postgres(db):
    # numbers into VARCHAR: Postgres's own assignment conversion, nothing written out
    pg = to_postgres("INSERT INTO facts (v) SELECT qty FROM ev", catalog=PostgresCatalog(db))
    assert "CAST" not in pg[0].upper()
    run(db, "INSERT INTO facts (v) SELECT qty FROM ev WHERE eventid = 1")
    assert scalar(db, "SELECT v FROM facts") == "10"


# --- string functions given numbers and datetimes -----------------------------------------
STRINGS = [
    # before: function pg_catalog.substring(timestamp without time zone, integer, integer) does not exist
    ("SELECT SUBSTRING(starttime, 6, 2) FROM ev WHERE eventid = 1", "09"),
    # r_LTRIM: characters in the set are trimmed from the left
    ("SELECT LTRIM(starttime, '2008-') FROM ev WHERE eventid = 1", "9-01 10:00:00"),
    ("SELECT REPEAT(qty, 3) FROM ev WHERE eventid = 1", "101010"),  # before: repeat(integer, integer)
    ("SELECT LEFT(price, 2) FROM ev WHERE eventid = 1", "12"),
    ("SELECT RIGHT(day, 2) FROM ev WHERE eventid = 1", "01"),
    ("SELECT LEN(price) FROM ev WHERE eventid = 1", 5),  # '12.50'
    ("SELECT qty || eventid FROM ev WHERE eventid = 1", "101"),  # before: operator integer || integer
    ("SELECT CONCAT(qty, day) FROM ev WHERE eventid = 1", "102008-09-01"),
    ("SELECT UPPER(starttime) FROM ev WHERE eventid = 1", "2008-09-01 10:00:00"),
    ("SELECT COUNT(*) FROM ev WHERE starttime LIKE '2008-09%'", 1),  # semantics §8: valid in Redshift
    ("SELECT SPLIT_PART(day, '-', 2) FROM ev WHERE eventid = 2", "10"),
    ("SELECT POSITION('30' IN starttime) FROM ev WHERE eventid = 2", 15),
]


@pytest.mark.parametrize("sql,expected", STRINGS)
def test_string_functions_take_numbers_and_datetimes(db, sql, expected):
    assert scalar(db, sql) == expected


def test_string_functions_on_literals_without_catalog(pg_conn):
    # a number literal's type is known from the statement alone
    assert scalar(pg_conn, "SELECT REPEAT(12, 2)", catalog=False) == "1212"
    assert scalar(pg_conn, "SELECT SUBSTRING(TIMESTAMP '2008-09-01 10:00:00', 1, 7)", catalog=False) == "2008-09"


# --- comparisons ------------------------------------------------------------------------------
COMPARISONS = [
    # "When comparing all other numeric values with character strings, the numeric values are
    # converted to character strings": 5 vs '05' differ as strings, 10 < '9' as strings.
    ("SELECT eventid FROM ev WHERE qty = name ORDER BY 1", [(1,)]),  # before: operator integer = varchar
    ("SELECT eventid FROM ev WHERE qty < name ORDER BY 1", [(3,)]),  # '10' < '9'
    ("SELECT eventid FROM ev WHERE name IN (10, 5) ORDER BY 1", [(1,)]),
    ("SELECT eventid FROM ev WHERE name BETWEEN 1 AND 2 ORDER BY 1", [(1,)]),  # '1' <= '10' <= '2'
    # "If you compare DECIMAL values with character strings, Amazon Redshift attempts to convert
    # the character string to a DECIMAL value": '05' = 5.00 as numbers.
    ("SELECT eventid FROM ev WHERE CAST(qty AS DECIMAL(5,2)) = name ORDER BY 1", [(1,), (2,)]),
    ("SELECT eventid FROM ev WHERE name = 5.0 ORDER BY 1", [(2,)]),
    # floats are "other numeric values": compared as strings
    ("SELECT eventid FROM ev WHERE ratio = CAST('2' AS VARCHAR) ORDER BY 1", [(2,)]),
    # a datetime against a character string: the string is read as a literal of that type
    ("SELECT eventid FROM ev WHERE day = CAST('2008-10-05' AS VARCHAR) ORDER BY 1", [(2,)]),
]


@pytest.mark.parametrize("sql,expected", COMPARISONS)
def test_comparisons_follow_the_documented_rule(db, sql, expected):
    assert run(db, sql) == expected


def test_string_literal_takes_the_other_sides_type(db):
    # AMBIG (the page speaks of "character strings"; see compat/coerce.py): an untyped literal
    # takes the column's type, as in PostgreSQL 8.0, so '05' = 5 holds.
    assert run(db, "SELECT eventid FROM ev WHERE qty = '05'") == [(2,)]


def test_decimal_against_invalid_string_is_an_error(db):
    # "attempts to convert the character string to a DECIMAL value": 'x' cannot be one
    run(db, "INSERT INTO ev (eventid, price, name) VALUES (9, 1, 'x')")
    with pytest.raises(psycopg2.errors.InvalidTextRepresentation):
        run(db, "SELECT eventid FROM ev WHERE price = name")


# --- the cache: keyed by the column types, not by the text alone --------------------------------
def test_same_text_other_types_translated_again(pg_conn):
    sql = "UPDATE tgt SET a = b"
    run(pg_conn, "CREATE TABLE tgt (a INT, b VARCHAR(10))")
    first = to_postgres(sql, catalog=PostgresCatalog(pg_conn))
    run(pg_conn, "DROP TABLE tgt", "CREATE TABLE tgt (a INT, b INT)")
    second = to_postgres(sql, catalog=PostgresCatalog(pg_conn))
    assert "CAST" in first[0] and "CAST" not in second[0]
    assert to_postgres(sql) == ["UPDATE tgt SET a = b"]  # without a catalog: as written


def test_unknown_types_leave_the_statement_as_written(pg_conn):
    # no catalog: nothing to go on, the statement is Postgres's to judge
    assert to_postgres("SELECT SUBSTRING(ts, 6, 2) FROM t WHERE n = s") == [
        "SELECT SUBSTRING(ts FROM 6 FOR 2) FROM t WHERE n = s"]


# --- end to end: a dwhkit connection passes its session catalog ----------------------------------
def test_through_dwhkit_connect(dwh_config):
    conn = dwhkit.connect(dwh_config)
    try:
        cur = conn.cursor()
        cur.execute("CREATE TABLE staging_songs (num_songs VARCHAR(10), year VARCHAR(10))")
        cur.execute("CREATE TABLE songs (num_songs NUMERIC, year INT)")
        cur.execute("INSERT INTO staging_songs VALUES ('1', '2008')")
        # the course projects' INSERT … SELECT from a VARCHAR staging table (issue 12, item 1)
        cur.execute("INSERT INTO songs SELECT num_songs, year FROM staging_songs")
        cur.execute("SELECT num_songs, year FROM songs WHERE year = '2008'")
        assert cur.fetchall() == [(Decimal("1"), 2008)]
    finally:
        conn.close()


def test_course_project_shape_through_dwhkit_connect(dwh_config):
    """A minimal reproduction of the public course projects' ETL step: VARCHAR staging columns
    into typed dimensions, a select-list alias in WHERE, a FROM subquery without an alias."""
    conn = dwhkit.connect(dwh_config)
    try:
        cur = conn.cursor()
        cur.execute("CREATE TABLE staging_events (userid VARCHAR(10), ts BIGINT, page VARCHAR(20), "
                    "length VARCHAR(20))")
        cur.execute("CREATE TABLE users (user_id INT, first_seen TIMESTAMP, longest DECIMAL(10,3))")
        cur.execute("INSERT INTO staging_events VALUES ('7', 1541903636796, 'NextSong', '218.9'), "
                    "('7', 1541903770796, 'NextSong', '100.25'), (NULL, 1541903800796, 'Home', NULL)")
        # before: column "user_id" is of type integer but expression is of type character varying,
        # then: column "start_time" does not exist, then: subquery in FROM must have an alias
        cur.execute("INSERT INTO users (user_id, first_seen, longest) "
                    "SELECT userid, MIN(start_time), MAX(length) FROM ("
                    "  SELECT userid, TIMESTAMP 'epoch' + ts / 1000 * INTERVAL '1 second' AS start_time, length "
                    "  FROM staging_events WHERE page = 'NextSong' AND start_time > '2018-01-01'"
                    ") GROUP BY userid")
        cur.execute("SELECT user_id, first_seen, longest FROM users")
        # MAX over VARCHAR compares as strings ('218.9' > '100.25'), then the assignment converts
        assert cur.fetchall() == [(7, dt.datetime(2018, 11, 11, 2, 33, 56), Decimal("218.900"))]
    finally:
        conn.close()
