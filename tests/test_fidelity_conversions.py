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


def test_insert_select_star_from_staging_converts_each_column(db):
    # the course projects' INSERT INTO typed SELECT * FROM staging; before (G1): the star was left
    # alone and Postgres said "column n is of type integer but expression is of type character varying"
    run(db, "CREATE TABLE typed (n INT, num DECIMAL(8,2), d DATE, ts TIMESTAMP, b BOOLEAN, v VARCHAR(20))")
    run(db, "INSERT INTO typed SELECT * FROM staging")
    assert run(db, "SELECT * FROM typed") == [
        (42, Decimal("12.35"), dt.date(2008, 9, 1), dt.datetime(2008, 9, 1, 10, 11, 12), True, "x")]
    run(db, "INSERT INTO typed (n, v) SELECT s.* FROM (SELECT s_int, s_text FROM staging) s")
    assert run(db, "SELECT n, v FROM typed WHERE num IS NULL") == [(42, "x")]


def test_insert_select_star_needing_no_conversion_is_left_as_written(db):
    run(db, "CREATE TABLE copy_of_ev AS SELECT * FROM ev WHERE 1 = 0")
    pg = to_postgres("INSERT INTO copy_of_ev SELECT * FROM ev", catalog=PostgresCatalog(db))
    assert pg == ["INSERT INTO copy_of_ev SELECT * FROM ev"]
    run(db, "INSERT INTO copy_of_ev SELECT * FROM ev")
    assert scalar(db, "SELECT COUNT(*) FROM copy_of_ev") == 3


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


# --- character strings in arithmetic and TO_CHAR (the course projects' staging columns) ---------
def test_varchar_epoch_milliseconds_in_arithmetic(db):
    # before: operator does not exist: character varying / integer
    run(db, "CREATE TABLE se (ts VARCHAR(100))", "INSERT INTO se VALUES ('1541105830796')")
    got = scalar(db, "SELECT DATE_TRUNC('second', start_time) FROM (SELECT TIMESTAMP 'epoch' + ts/1000 "
                     "* INTERVAL '1 second' AS start_time FROM se s)")
    assert got == dt.datetime(2018, 11, 1, 20, 57, 10)


@pytest.mark.parametrize("sql, expected", [
    ("SELECT s_int + 1 FROM staging", 43),               # BIGINT beside an integer
    ("SELECT s_num * 2.0 FROM staging", Decimal("24.6900")),  # NUMERIC beside a DECIMAL
    ("SELECT price - name FROM ev WHERE eventid = 1", Decimal("2.50")),
    ("SELECT ratio * name FROM ev WHERE eventid = 2", 10.0),  # DOUBLE PRECISION beside a float
])
def test_character_string_takes_the_other_operands_number_type(db, sql, expected):
    assert scalar(db, sql) == expected


def test_plus_between_strings_concatenates(db):
    # r_NVL2's example: firstname + ' ' + lastname; before: operator does not exist: character varying + unknown
    assert scalar(db, "SELECT s_text + ' ' + s_date FROM staging") == "x 2008-09-01"
    assert scalar(db, "SELECT s_int + 1 FROM staging") == 43  # a number beside it still adds


def test_to_char_of_a_varchar_number_or_timestamp(db):
    # before: function to_char(character varying, unknown) does not exist
    run(db, "CREATE TABLE se2 (ts VARCHAR, n VARCHAR)", "INSERT INTO se2 VALUES ('2008-09-01 10:11:12', '125')")
    assert run(db, "SELECT TO_CHAR(n, '999'), TO_CHAR(ts, 'YYYY-MM') FROM se2") == [(" 125", "2008-09")]


def test_boolean_compared_with_an_integer(db):
    # r_logical_condition: likesports = 1; before: operator does not exist: boolean = integer
    run(db, "CREATE TABLE likes (userid INT, likevegas BOOLEAN, likesports BOOLEAN)",
        "INSERT INTO likes VALUES (1, TRUE, TRUE), (2, FALSE, TRUE), (3, TRUE, FALSE)")
    assert run(db, "SELECT userid FROM likes WHERE likevegas = 1 AND likesports = 1") == [(1,)]
    assert run(db, "SELECT userid FROM likes WHERE likevegas = 0 ORDER BY 1") == [(2,)]


# --- trailing blanks of VARCHAR ----------------------------------------------------------------
def test_varchar_trailing_blanks_are_insignificant_in_comparisons(db):
    # r_Examples_with_character_types: both rows match; before: only the one without blanks (count 1)
    run(db, "CREATE TABLE address (address1 VARCHAR(100), city CHAR(20))",
        "INSERT INTO address (address1) VALUES ('9516 Magnolia Boulevard')",
        "INSERT INTO address (address1) VALUES ('9516 Magnolia Boulevard  ')")
    assert scalar(db, "SELECT COUNT(*) FROM address WHERE address1 = '9516 Magnolia Boulevard'") == 2
    assert scalar(db, "SELECT COUNT(*) FROM address WHERE address1 = '9516 Magnolia Boulevard '") == 2
    assert scalar(db, "SELECT COUNT(*) FROM address WHERE address1 IN ('9516 Magnolia Boulevard', 'x')") == 2
    assert scalar(db, "SELECT COUNT(*) FROM address a JOIN address b ON a.address1 = b.address1") == 4
    assert scalar(db, "SELECT COUNT(*) FROM address WHERE address1 <> '9516 Magnolia Boulevard'") == 0
    # LENGTH counts them and LIKE sees them (the page: "LENGTH … counts trailing blanks")
    assert run(db, "SELECT LENGTH(address1) FROM address ORDER BY 1") == [(23,), (25,)]
    assert scalar(db, "SELECT COUNT(*) FROM address WHERE address1 LIKE '%d'") == 1


def test_leading_blanks_and_other_characters_still_count(db):
    run(db, "CREATE TABLE names (v VARCHAR(10))", "INSERT INTO names VALUES ('ab'), (' ab'), ('ab\t')")
    assert scalar(db, "SELECT COUNT(*) FROM names WHERE v = 'ab'") == 1


def test_update_set_is_not_taken_for_a_comparison(db):
    # c_Examples_of_UPDATE_statements; before this fix the SET's "=" was rewritten as a comparison
    # (UPDATE … SET CAST(v AS BPCHAR) = …, a syntax error)
    run(db, "CREATE TABLE cat (catgroup VARCHAR(10), catdesc VARCHAR(50))", "INSERT INTO cat VALUES ('Sports', 'a ')")
    run(db, "UPDATE cat SET catgroup = 'Theatre', catdesc = catgroup || '!' WHERE catdesc = 'a'")
    assert run(db, "SELECT catgroup, catdesc FROM cat") == [("Theatre", "Sports!")]


def test_long_varchar_values_compare_whole(db):
    # the comparison's BPCHAR has no length: values longer than Redshift's BPCHAR default (256) are not cut
    run(db, "CREATE TABLE longs (v VARCHAR(600))", f"INSERT INTO longs VALUES ('{'a' * 300}'), ('{'a' * 299}b')")
    assert scalar(db, f"SELECT COUNT(*) FROM longs WHERE v = '{'a' * 300}'") == 1


# --- datetime literals ---------------------------------------------------------------------------
def test_dotted_dates_are_day_month_year(db):
    # r_Datetime_types lists 17.12.1997 07:37:16.00 PST as a TIMESTAMPTZ input;
    # before: date/time field value out of range (PostgreSQL read month 17)
    run(db, "SET timezone TO 'UTC'")
    assert scalar(db, "SELECT CAST(TIMESTAMPTZ '17.12.1997 07:37:16.00 PST' AS VARCHAR)") == "1997-12-17 15:37:16+00"
    assert scalar(db, "SELECT '1.2.2001'::DATE") == dt.date(2001, 2, 1)  # rule: day first, as the table's dd.mm.yyyy
    assert scalar(db, "SELECT '17.12.1997'::VARCHAR") == "17.12.1997"  # not a datetime: untouched
    assert scalar(db, "SELECT DATE '12/17/1997'") == dt.date(1997, 12, 17)  # slashes keep MDY
