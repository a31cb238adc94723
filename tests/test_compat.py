"""Redshift statements translated by dwhkit.compat and executed on a real Postgres 15.

Each row's expected value is what the cited AWS Redshift developer-guide page documents
(or, marked "rule:", what follows from the rule that page states).
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import psycopg2
import pytest

from dwhkit.check import check_redshift
from dwhkit.compat import split_statements, to_postgres, translate_script
from dwhkit.errors import TranslateError, UnsupportedError
from dwhkit.warehouses.stedi import sql as stedi


def run(conn, *statements, params=None):
    """Translate and execute each Redshift statement; rows of the last one."""
    rows = None
    with conn.cursor() as cur:
        for statement in statements:
            for pg in to_postgres(statement):
                cur.execute(pg, params)
                rows = cur.fetchall() if cur.description else None
    return rows


def scalar(conn, *statements, params=None):
    return run(conn, *statements, params=params)[0][0]


# Shared sample tables (Redshift DDL, translated like everything else).
SAMPLE = [
    "CREATE TABLE words (id INT, grp INT, w VARCHAR(20))",
    "INSERT INTO words VALUES (1, 1, 'b'), (2, 1, 'a'), (3, 1, NULL), (4, 1, ''), (5, 2, 'c')",
    "CREATE TABLE nums (n INT, b BIGINT, f FLOAT, d DECIMAL(10,2))",
    "INSERT INTO nums VALUES (10, 10, 10, 10), (10, 10, 10, 10), (30, 30, 30, 30)",
]

EXAMPLES = [
    # --- DATEDIFF: boundaries crossed (r_DATEDIFF_function) ---
    ("SELECT DATEDIFF(week, '2009-01-01', '2009-12-31')", 52),  # r_DATEDIFF_function example
    ("SELECT DATEDIFF(year, '2008-12-31', '2009-01-01')", 1),  # r_DATEDIFF_function: 12-31 → 01-01 = 1 year
    ("SELECT DATEDIFF(hour, '2020-01-01 08:30', '2020-01-01 10:00')", 2),  # r_DATEDIFF_function: 08:30 → 10:00 = 2
    ("SELECT DATEDIFF(day, '2020-01-02 23:59', '2020-01-01 00:01')", -1),  # r_DATEDIFF_function: negative if b < a
    ("SELECT DATEDIFF(month, '2020-01-31', '2020-02-01')", 1),  # rule: r_DATEDIFF_function
    ("SELECT DATEDIFF(qtr, '1998-07-01', '2008-01-01')", 38),  # rule: r_DATEDIFF_function, (2008Q1 − 1998Q3)
    ("SELECT DATEDIFF(minute, '2020-01-01 10:00:59', '2020-01-01 10:01:00')", 1),  # rule: r_DATEDIFF_function
    ("SELECT DATEDIFF(second, '2020-01-01 10:00:00.9', '2020-01-01 10:00:01.1')", 1),  # rule: r_DATEDIFF_function
    ("SELECT DATEDIFF(ms, '2020-01-01 00:00:00.0009', '2020-01-01 00:00:00.0011')", 1),  # rule: r_DATEDIFF_function
    ("SELECT DATEDIFF(d, '2020-02-28', '2020-03-01')", 2),  # rule: r_DATEDIFF_function (leap year)
    # AMBIG (semantics §8: which weekday starts a week): Monday, as DATE_TRUNC('week') (r_DATE_TRUNC)
    ("SELECT DATEDIFF(week, '2024-01-07', '2024-01-08')", 1),  # Sunday → Monday crosses a week boundary
    ("SELECT DATEDIFF(week, '2024-01-08', '2024-01-14')", 0),  # Monday → Sunday: same week
    # --- DATEADD: TIMESTAMP; month steps clamp; year from Feb 29 rolls on (r_DATEADD_function) ---
    ("SELECT DATEADD(month, 1, '2008-01-31')", dt.datetime(2008, 2, 29)),  # r_DATEADD_function example
    ("SELECT DATEADD(month, 1, '2008-04-30')", dt.datetime(2008, 5, 30)),  # r_DATEADD_function: Apr 30 → May 30
    ("SELECT DATEADD(year, 1, '2016-02-29')", dt.datetime(2017, 3, 1)),  # r_DATEADD_function
    ("SELECT DATEADD(month, 12, '2016-02-29')", dt.datetime(2017, 2, 28)),  # r_DATEADD_function
    ("SELECT DATEADD(day, 30, DATE '2008-02-28')", dt.datetime(2008, 3, 29)),  # r_DATEADD_function: TIMESTAMP for a DATE
    ("SELECT DATEADD(qtr, -1, '2008-05-15 10:00')", dt.datetime(2008, 2, 15, 10)),  # rule: r_DATEADD_function
    ("SELECT DATEADD(m, 90, '2008-01-01')", dt.datetime(2008, 1, 1, 1, 30)),  # r_Dateparts_for_datetime_functions: m = minute
    # --- DATE_TRUNC: Monday weeks, TIMESTAMP (r_DATE_TRUNC) ---
    ("SELECT DATE_TRUNC('week', TIMESTAMP '2020-01-08 10:00:00')", dt.datetime(2020, 1, 6)),  # r_DATE_TRUNC: Monday
    ("SELECT DATE_TRUNC('month', DATE '2020-01-15')", dt.datetime(2020, 1, 1)),  # r_DATE_TRUNC: TIMESTAMP (no zone)
    ("SELECT DATE_TRUNC('second', TIMESTAMP '2020-01-08 10:00:01.75')", dt.datetime(2020, 1, 8, 10, 0, 1)),  # r_DATE_TRUNC
    # --- DATE_PART / EXTRACT with Redshift part names (r_Dateparts_for_datetime_functions) ---
    ("SELECT DATE_PART(dow, TIMESTAMP '2008-01-05 14:00:00')", 6),  # r_Dateparts: dow 0–6 from Sunday (a Saturday)
    ("SELECT DATE_PART(dw, TIMESTAMP '2008-01-06 14:00:00')", 0),  # r_Dateparts: dw = dow, Sunday = 0
    ("SELECT EXTRACT(weekday FROM TIMESTAMP '2008-01-05 14:00:00')", 6),  # r_Dateparts: weekday = dow
    ("SELECT DATE_PART(m, TIMESTAMP '2009-09-01 04:37:55')", 37),  # r_Dateparts: m = minute
    ("SELECT DATE_PART('mon', TIMESTAMP '2009-09-01 04:37:55')", 9),  # r_Dateparts: mon = month
    ("SELECT DATE_PART(sec, TIMESTAMP '2009-09-01 00:00:03.189717')", 3.189717),  # r_DATE_PART_function: with fraction
    ("SELECT EXTRACT(sec FROM TIMESTAMP '2009-09-01 00:00:03.189717')", 3),  # r_EXTRACT_function: whole seconds
    ("SELECT DATE_PART(decade, DATE '2000-01-01')", 201),  # r_DATE_PART_function: decade = year/10 + 1
    ("SELECT DATE_PART(epoch, TIMESTAMP '1970-01-02 00:00:00')", 86400),  # r_Dateparts: epoch
    ("SELECT EXTRACT(doy FROM DATE '2020-02-01')", 32),  # r_Dateparts: doy
    ("SELECT DATE_PART(qtr, DATE '2020-08-01')", 3),  # r_Dateparts: qtr
    # --- NVL / NVL2 / DECODE (r_NVL_function, r_NVL2, r_DECODE_expression) ---
    ("SELECT NVL(NULL, NULL, 3)", 3),  # r_NVL_function: any number of arguments
    ("SELECT NVL2(NULL, 'a', 'b')", "b"),  # r_NVL2
    ("SELECT NVL2(1, 'a', 'b')", "a"),  # r_NVL2
    ("SELECT DECODE(2, 1, 'one', 2, 'two', 'other')", "two"),  # r_DECODE_expression
    ("SELECT DECODE(9, 1, 'one', 'other')", "other"),  # r_DECODE_expression: default
    ("SELECT DECODE(CAST(NULL AS INT), NULL, 'null matched', 'no')", "null matched"),  # r_DECODE_expression: NULL matches NULL
    # --- CONVERT_TIMEZONE (CONVERT_TIMEZONE page) ---
    ("SELECT CONVERT_TIMEZONE('UTC', 'America/New_York', '2008-08-21 07:23:54')", dt.datetime(2008, 8, 21, 3, 23, 54)),  # DST zone
    ("SELECT CONVERT_TIMEZONE('America/New_York', '2008-08-21 07:23:54')", dt.datetime(2008, 8, 21, 3, 23, 54)),  # src defaults to UTC
    ("SELECT CONVERT_TIMEZONE('UTC', 'PST', '2008-08-21 07:23:54')", dt.datetime(2008, 8, 20, 23, 23, 54)),  # abbreviation: fixed UTC−8
    # --- LISTAGG: skips NULL and '' (r_LISTAGG) ---
    ("SELECT LISTAGG(w, ',') WITHIN GROUP (ORDER BY w) FROM words WHERE grp = 1", "a,b"),  # r_LISTAGG
    ("SELECT LISTAGG(w) WITHIN GROUP (ORDER BY id DESC) FROM words", "cab"),  # r_LISTAGG: no delimiter by default
    ("SELECT LISTAGG(DISTINCT w, '|') WITHIN GROUP (ORDER BY w) FROM words", "a|b|c"),  # r_LISTAGG: DISTINCT
    # --- STRTOL (r_STRTOL examples) ---
    ("SELECT STRTOL('0xf', 16)", 15),
    ("SELECT STRTOL('abcd1234', 16)", 2882343476),
    ("SELECT STRTOL('1234567', 10)", 1234567),
    ("SELECT STRTOL('1234567', 8)", 342391),
    ("SELECT STRTOL('110101', 2)", 53),
    ("SELECT STRTOL('', 10)", 0),  # r_STRTOL: '' → 0
    ("SELECT STRTOL('  -ff', 16)", -255),  # r_STRTOL: leading blanks and a sign
    ("SELECT STRTOL(CAST(NULL AS VARCHAR), 10)", None),  # r_STRTOL: NULL → NULL
    # --- strings (r_LEN, r_CONCAT, r_concat_op) ---
    ("SELECT LEN(CAST('abc  ' AS VARCHAR(10)))", 5),  # r_LEN: counts trailing blanks of VARCHAR
    ("SELECT LEN(CAST('abc  ' AS CHAR(10)))", 3),  # r_LEN: not for CHAR
    ("SELECT CONCAT('a', 'b')", "ab"),  # r_CONCAT
    ("SELECT CONCAT('a', NULL)", None),  # r_CONCAT: NULL if either is NULL
    ("SELECT CONCAT('n', 1)", "n1"),  # r_CONCAT: non-strings converted
    ("SELECT 'a' || NULL", None),  # r_concat_op
    # --- epoch arithmetic, TOP (r_Date_and_time_literals / r_SELECT_list) ---
    ("SELECT TIMESTAMP 'epoch' + 1500000000 * INTERVAL '1 second'", dt.datetime(2017, 7, 14, 2, 40)),
    ("SELECT TIMESTAMP 'epoch' + 1500000000123 * INTERVAL '1 millisecond'", dt.datetime(2017, 7, 14, 2, 40, 0, 123000)),
    ("SELECT TOP 1 id FROM words ORDER BY id DESC", 5),  # r_SELECT_list: TOP n = LIMIT n
    # --- JSON_EXTRACT_PATH_TEXT (JSON_EXTRACT_PATH_TEXT page) ---
    ("""SELECT JSON_EXTRACT_PATH_TEXT('{"f2":{"f3":1},"f4":{"f5":99,"f6":"star"}}', 'f4', 'f6')""", "star"),  # doc example
    ("""SELECT JSON_EXTRACT_PATH_TEXT('{"f2":{"f3":1},"f4":{"f5":99,"f6":"star"}}', 'f4')""", '{"f5":99,"f6":"star"}'),
    ("""SELECT JSON_EXTRACT_PATH_TEXT('{"f2":{"f3":1}}', 'f9')""", None),  # doc: missing path element → NULL
    ("""SELECT JSON_EXTRACT_PATH_TEXT('{"f2":{"f3":1},"f4":{"f5":99,"f6":"star"}', 'f4', 'f6', true)""", None),  # doc: invalid + true → NULL
    ("""SELECT JSON_EXTRACT_PATH_TEXT('{"serialNumber":"x1"},', 'serialNumber', TRUE)""", None),  # invalid (trailing comma)
    ("""SELECT JSON_EXTRACT_PATH_TEXT(RTRIM('{"serialNumber":"x1"},', ','), 'serialNumber', TRUE)""", "x1"),  # STEDI's use
    # --- AVG of integers: truncated BIGINT (r_AVG, r_WF_AVG) ---
    ("SELECT AVG(n) FROM nums", 16),  # r_WF_AVG example values 10, 10, 30 → 16
    ("SELECT AVG(f) FROM nums", pytest.approx(16.6666666, rel=1e-6)),  # r_AVG: DOUBLE for float
    ("SELECT AVG(d) FROM nums", pytest.approx(Decimal("16.6666666"), rel=Decimal("1e-6"))),  # r_AVG: DECIMAL stays
    # AMBIG (r_AVG says integer types give BIGINT; r_WF_AVG says BIGINT input gives NUMERIC): we truncate BIGINT too.
    ("SELECT AVG(b) FROM nums", 16),
    ("SELECT AVG(n) FROM nums WHERE n > 100", None),  # r_AVG: no rows → NULL
]


@pytest.fixture
def sample(pg_conn):
    run(pg_conn, *SAMPLE)
    return pg_conn


@pytest.mark.parametrize("sql,expected", EXAMPLES)
def test_documented_result(sample, sql, expected):
    value = scalar(sample, sql)
    if isinstance(expected, float):
        assert float(value) == pytest.approx(expected)
    elif isinstance(expected, dt.datetime):
        assert isinstance(value, dt.datetime) and value.tzinfo is None
        assert value == expected
    else:
        assert value == expected


def test_listagg_without_order(sample):
    assert scalar(sample, "SELECT LISTAGG(w, ',') FROM words WHERE id IN (1, 2)") in ("a,b", "b,a")


@pytest.mark.parametrize("sql,row", [
    ("SELECT 2 AS x, x * 10 AS y", (2, 20)),  # r_SELECT_list: later items use earlier aliases
    ("SELECT LOWER('AB') AS lo, lo || 'c' AS res", ("ab", "abc")),
    ("SELECT 1 AS a, a + 1 AS b, b + 1 AS c", (1, 2, 3)),  # chains
    # r_SELECT_list: a same-named FROM column wins over the alias
    ("SELECT 2 AS x, x * 10 AS y FROM (SELECT 5 AS x) t", (2, 50)),
    ("SELECT 2 AS x, t.x * 10 AS y, x + 1 AS z FROM (SELECT 5 AS x) t", (2, 50, 6)),
    ("SELECT TRIM(w) AS w, LENGTH(w) AS n FROM words WHERE id = 1", ("b", 1)),
])
def test_lateral_alias(sample, sql, row):
    assert run(sample, sql)[0] == row


def test_lateral_alias_with_aggregate(sample):
    assert run(sample, "SELECT SUM(n) AS s, s * 2 AS d FROM nums")[0] == (50, 100)


def test_avg_int_type_is_bigint(sample):
    with sample.cursor() as cur:
        cur.execute(to_postgres("SELECT AVG(n) AS a FROM nums")[0])
        assert cur.fetchone()[0] == 16
        cur.execute("SELECT pg_typeof(pg_temp.dwhkit_avg(n))::text FROM nums")
        assert cur.fetchone()[0] == "bigint"


def test_avg_int_as_window(sample):
    # r_WF_AVG: running average over 10, 10, 30 is 10, 10, 16
    rows = run(sample, "SELECT AVG(n) OVER (ORDER BY n ROWS UNBOUNDED PRECEDING) FROM nums ORDER BY 1")
    assert [r[0] for r in rows] == [10, 10, 16]


def test_avg_negative_truncates_toward_zero(pg_conn):
    run(pg_conn, "CREATE TABLE t (n INT)", "INSERT INTO t VALUES (-1), (-2)")
    assert scalar(pg_conn, "SELECT AVG(n) FROM t") == -1


def test_getdate_and_sysdate(pg_conn):
    now, sysdate = run(pg_conn, "SELECT GETDATE(), SYSDATE")[0]
    utc = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)
    # r_GETDATE / r_SYSDATE: TIMESTAMP (no zone) in UTC; AMBIG: GETDATE truncated to the second
    assert now.tzinfo is None and sysdate.tzinfo is None
    assert now.microsecond == 0
    assert abs((utc - sysdate).total_seconds()) < 60


def test_json_invalid_without_flag_is_an_error(pg_conn):
    with pytest.raises(psycopg2.Error):
        run(pg_conn, """SELECT JSON_EXTRACT_PATH_TEXT('{"f4":{"f5":99', 'f4')""")


def test_placeholders_survive(pg_conn):
    sql = "SELECT NVL(%(Val)s, 'x') || %s"
    pg = to_postgres("SELECT NVL(%(Val)s, 'x') AS v WHERE 1 = %(one)s")[0]
    assert "%(Val)s" in pg and "%(one)s" in pg
    assert to_postgres(sql)[0].count("%s") == 1
    assert scalar(pg_conn, "SELECT NVL(%(Val)s, 'x') AS v WHERE 1 = %(one)s", params={"Val": None, "one": 1}) == "x"


def test_placeholder_with_helper_prelude(pg_conn):
    # helper preludes share the statement's string, so one execute() with parameters works
    assert scalar(pg_conn, "SELECT STRTOL(%s, 16)", params=("ff",)) == 255


# --- identifiers (r_names: quoted identifiers fold to lower case too) -----------------------
def test_quoted_identifiers_fold(pg_conn):
    run(pg_conn, 'CREATE TABLE "Mixed" ("timeStamp" BIGINT, "User" VARCHAR)',
        'INSERT INTO mixed (timestamp, "USER") VALUES (1, \'u\')')
    assert run(pg_conn, 'SELECT "TIMESTAMP", "user" FROM "MIXED"') == [(1, "u")]
    with pg_conn.cursor() as cur:
        cur.execute("SELECT column_name FROM information_schema.columns WHERE table_name = 'mixed' ORDER BY 1")
        assert [r[0] for r in cur.fetchall()] == ["timestamp", "user"]


# --- DML -----------------------------------------------------------------------------------
def test_update_from_delete_using_merge(pg_conn):
    run(pg_conn,
        "CREATE TABLE tgt (id INT, v VARCHAR(10))", "CREATE TABLE src (id INT, v VARCHAR(10))",
        "INSERT INTO tgt VALUES (1, 'old'), (2, 'old'), (3, 'gone')",
        "INSERT INTO src VALUES (1, 'new'), (4, 'ins')",
        "UPDATE tgt SET v = src.v FROM src WHERE tgt.id = src.id",
        "DELETE FROM tgt USING src WHERE tgt.id = 3 AND src.id = 4",
        # r_MERGE: one WHEN MATCHED and one WHEN NOT MATCHED
        "MERGE INTO tgt USING src ON tgt.id = src.id WHEN MATCHED THEN UPDATE SET v = src.v "
        "WHEN NOT MATCHED THEN INSERT VALUES (src.id, src.v)")
    assert run(pg_conn, "SELECT id, v FROM tgt ORDER BY id") == [(1, "new"), (2, "old"), (4, "ins")]


def test_alter_table_append(pg_conn):
    # r_ALTER_TABLE_APPEND: rows move, the source is left empty
    assert len(to_postgres("ALTER TABLE tgt APPEND FROM src")) == 2
    run(pg_conn, "CREATE TABLE tgt (id INT)", "CREATE TABLE src (id INT)",
        "INSERT INTO tgt VALUES (1)", "INSERT INTO src VALUES (2), (3)",
        "ALTER TABLE tgt APPEND FROM src")
    assert run(pg_conn, "SELECT COUNT(*) FROM tgt") == [(3,)]
    assert run(pg_conn, "SELECT COUNT(*) FROM src") == [(0,)]


def test_alter_add_drop_column(pg_conn):
    run(pg_conn, "CREATE TABLE t (a INT)", "ALTER TABLE t ADD COLUMN b VARCHAR", "ALTER TABLE t DROP COLUMN a")
    assert _columns(pg_conn, "t") == [("b", "character varying", 256, "YES")]


def test_transactions_and_maintenance(pg_conn):
    pg_conn.autocommit = True
    run(pg_conn, "BEGIN", "CREATE TABLE t (a INT)", "INSERT INTO t VALUES (1)",
        "VACUUM DELETE ONLY t", "VACUUM SORT ONLY t", "VACUUM", "ANALYZE t", "ANALYZE t PREDICATE COLUMNS",
        "END")
    run(pg_conn, "BEGIN", "INSERT INTO t VALUES (2)", "ROLLBACK")
    run(pg_conn, "BEGIN TRANSACTION", "TRUNCATE t", "COMMIT")
    assert run(pg_conn, "SELECT COUNT(*) FROM t") == [(0,)]


def test_schema_search_path_temp_tables(pg_conn):
    run(pg_conn, "CREATE SCHEMA IF NOT EXISTS stage", "SET search_path TO stage, public",
        "CREATE TABLE t (a INT)", "INSERT INTO t VALUES (1)",
        # r_CREATE_TABLE_NEW: a #name is a session temporary table, found first on the search path
        "CREATE TABLE #t (a INT)", "INSERT INTO #t VALUES (7)")
    assert run(pg_conn, "SELECT a FROM #t") == [(7,)]
    assert run(pg_conn, "SELECT a FROM stage.t") == [(1,)]
    run(pg_conn, "CREATE TEMP TABLE tmp2 (LIKE stage.t)", "DROP TABLE IF EXISTS stage.t CASCADE")
    assert run(pg_conn, "SELECT COUNT(*) FROM tmp2") == [(0,)]


# --- DDL and the catalog --------------------------------------------------------------------
def _columns(conn, table):
    with conn.cursor() as cur:
        cur.execute("SELECT column_name, data_type, COALESCE(character_maximum_length, numeric_precision), "
                    "is_nullable FROM information_schema.columns WHERE table_name = %s ORDER BY ordinal_position",
                    (table,))
        return cur.fetchall()


STAR_DDL = """
CREATE TABLE IF NOT EXISTS dim_thing (
    thing_key   BIGINT IDENTITY(0, 1) ENCODE az64,
    code        VARCHAR(MAX) NOT NULL ENCODE lzo DISTKEY,
    label       VARCHAR,
    note        TEXT,
    flag        CHAR,
    padded      BPCHAR,
    wide        NVARCHAR,
    amount      DECIMAL,
    ratio       FLOAT4,
    score       FLOAT8,
    plain_float FLOAT,
    tiny        INT2,
    mid         INT4,
    big         INT8,
    ok          BOOL,
    at_tz       TIMESTAMPTZ,
    at_local    TIMESTAMP WITHOUT TIME ZONE SORTKEY,
    precise     DOUBLE PRECISION,
    PRIMARY KEY (thing_key),
    UNIQUE (code)
) DISTSTYLE ALL COMPOUND SORTKEY (code, label) BACKUP NO ENCODE AUTO
"""


def test_star_ddl_catalog(pg_conn):
    run(pg_conn, STAR_DDL)
    assert _columns(pg_conn, "dim_thing") == [
        ("thing_key", "bigint", 64, "NO"),  # r_CREATE_TABLE_NEW: IDENTITY is NOT NULL
        ("code", "character varying", 65535, "NO"),  # r_Character_types: VARCHAR(MAX) = 65535
        ("label", "character varying", 256, "YES"),  # VARCHAR → VARCHAR(256)
        ("note", "character varying", 256, "YES"),  # TEXT → VARCHAR(256)
        ("flag", "character", 1, "YES"),  # CHAR → CHAR(1)
        ("padded", "character", 256, "YES"),  # BPCHAR → CHAR(256)
        ("wide", "character varying", 256, "YES"),  # NVARCHAR → VARCHAR(256)
        ("amount", "numeric", 18, "YES"),  # r_Numeric_types201: DECIMAL = (18,0)
        ("ratio", "real", 24, "YES"),
        ("score", "double precision", 53, "YES"),
        ("plain_float", "double precision", 53, "YES"),  # FLOAT = FLOAT8
        ("tiny", "smallint", 16, "YES"),
        ("mid", "integer", 32, "YES"),
        ("big", "bigint", 64, "YES"),
        ("ok", "boolean", None, "YES"),
        ("at_tz", "timestamp with time zone", None, "YES"),
        ("at_local", "timestamp without time zone", None, "YES"),
        ("precise", "double precision", 53, "YES"),
    ]
    with pg_conn.cursor() as cur:
        cur.execute("SELECT numeric_scale FROM information_schema.columns WHERE table_name='dim_thing' AND column_name='amount'")
        assert cur.fetchone()[0] == 0


def test_identity_seed_zero_and_keys_not_enforced(pg_conn):
    run(pg_conn, STAR_DDL)
    # r_CREATE_TABLE_NEW: a single-row INSERT … VALUES gives seed, seed+step, …
    run(pg_conn, "INSERT INTO dim_thing (code) VALUES ('a')", "INSERT INTO dim_thing (code) VALUES ('a')")
    assert run(pg_conn, "SELECT thing_key, code FROM dim_thing ORDER BY 1") == [(0, "a"), (1, "a")]
    # Redshift does not enforce PRIMARY KEY / UNIQUE: a duplicate key inserts fine
    run(pg_conn, "INSERT INTO dim_thing (thing_key, code) VALUES (0, 'a')")
    assert scalar(pg_conn, "SELECT COUNT(*) FROM dim_thing WHERE thing_key = 0") == 2
    # NOT NULL is enforced
    with pytest.raises(psycopg2.errors.NotNullViolation):
        run(pg_conn, "INSERT INTO dim_thing (code) VALUES (NULL)")


def test_identity_seed_and_step(pg_conn):
    run(pg_conn, "CREATE TABLE t (id INT IDENTITY(100, 5), v INT)", "INSERT INTO t (v) VALUES (1)",
        "INSERT INTO t (v) VALUES (2)")
    assert run(pg_conn, "SELECT id FROM t ORDER BY id") == [(100,), (105,)]


def test_foreign_keys_not_enforced(pg_conn):
    run(pg_conn, "CREATE TABLE p (id INT PRIMARY KEY)",
        "CREATE TABLE c (id INT REFERENCES p(id), pid INT, FOREIGN KEY (pid) REFERENCES p (id), UNIQUE (id))",
        "INSERT INTO c VALUES (1, 2), (1, 2)")
    assert scalar(pg_conn, "SELECT COUNT(*) FROM c") == 2
    with pg_conn.cursor() as cur:
        cur.execute("SELECT COUNT(*) FROM pg_constraint WHERE conrelid IN ('c'::regclass, 'p'::regclass)")
        assert cur.fetchone()[0] == 0


def test_like_and_ctas(pg_conn):
    run(pg_conn, "CREATE TABLE parent (a INT NOT NULL DEFAULT 7, b VARCHAR(10)) DISTKEY(a) SORTKEY(a)",
        "CREATE TABLE child (LIKE parent INCLUDING DEFAULTS)", "INSERT INTO child (b) VALUES ('x')",
        "CREATE TABLE copy1 DISTSTYLE EVEN AS SELECT a, b FROM child",
        "CREATE TEMP TABLE t2 DISTKEY(a) SORTKEY(a) AS SELECT * FROM child")
    assert run(pg_conn, "SELECT a, b FROM copy1") == [(7, "x")]
    assert _columns(pg_conn, "child") == [("a", "integer", 32, "NO"), ("b", "character varying", 10, "YES")]


@pytest.mark.parametrize("name", [t.name for t in stedi.TABLES])
def test_stedi_ddl_runs(pg_conn, name):
    ddl = {t.name: t.ddl for t in stedi.TABLES}[name]
    run(pg_conn, ddl, ddl)  # IF NOT EXISTS: twice is fine
    assert _columns(pg_conn, name)


def test_stedi_drop_and_create_all(pg_conn):
    run(pg_conn, *stedi.create_table_queries)
    run(pg_conn, *stedi.drop_table_queries)
    with pg_conn.cursor() as cur:
        cur.execute("SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = 'public'")
        assert cur.fetchone()[0] == 0


# --- refusals and errors ------------------------------------------------------------------
@pytest.mark.parametrize("sql,error,words", [
    ("SELECT CONCAT('a', 'b', 'c')", TranslateError, "CONCAT"),  # r_CONCAT: exactly 2 arguments
    ("SELECT TOP 3 a FROM t LIMIT 2", TranslateError, "TOP"),  # r_SELECT_list: TOP and LIMIT
    ("ANALYZE COMPRESSION t", UnsupportedError, "COMPRESSION"),
    ("ALTER TABLE a APPEND FROM b FILLTARGET", UnsupportedError, "FILLTARGET"),
    ("SELECT DATEADD(dow, 1, '2020-01-01')", UnsupportedError, "DATEADD"),
    ("SELECT DATEDIFF(fortnight, '2020-01-01', '2020-02-01')", UnsupportedError, "fortnight"),
    ("CREATE TABLE t (s HLLSKETCH)", UnsupportedError, "HLLSKETCH"),  # SUPER is jsonb (test_fidelity_super.py)
    ("CREATE TABLE t (a INT CHECK (a > 0))", UnsupportedError, "CHECK"),
    ("COPY t FROM 's3://b/k' IAM_ROLE 'x'", TranslateError, "COPY"),
    ("UNLOAD ('select 1') TO 's3://b/k'", TranslateError, "UNLOAD"),
    ("SELECT FROM WHERE", TranslateError, "syntax error near 'WHERE': expected a table name at line 1, column 13"),
    ("SELECT LISTAGG(a, ',') OVER (PARTITION BY b ORDER BY a) FROM t", UnsupportedError, "LISTAGG"),  # r_WF_LISTAGG: no ORDER BY in OVER
    ("CREATE TABLE s.#t (a INT)", TranslateError, "temporary"),
])
def test_refused(sql, error, words):
    with pytest.raises(error) as info:
        to_postgres(sql)
    assert words.lower() in str(info.value).lower()


# --- translation text (validate-style pairs) --------------------------------------------------
@pytest.mark.parametrize("redshift,postgres", [
    ("CREATE TABLE t (a INT ENCODE az64 DISTKEY SORTKEY) DISTSTYLE KEY", "CREATE TABLE t (a INT)"),
    ("CREATE TABLE t (a INT) INTERLEAVED SORTKEY (a)", "CREATE TABLE t (a INT)"),
    ("CREATE TABLE t (id INT IDENTITY(0, 1))",
     "CREATE TABLE t (id INT GENERATED BY DEFAULT AS IDENTITY (START WITH 0 INCREMENT BY 1 MINVALUE 0))"),
    ("CREATE TABLE t (id INT GENERATED BY DEFAULT AS IDENTITY(5, 2))",
     "CREATE TABLE t (id INT GENERATED BY DEFAULT AS IDENTITY (START WITH 5 INCREMENT BY 2 MINVALUE 1))"),
    ("DROP TABLE IF EXISTS a, b CASCADE", "DROP TABLE IF EXISTS a, b CASCADE"),
    ("VACUUM DELETE ONLY t", "SELECT 1"),
    ("END", "COMMIT"),
    ('SELECT "CamelCase" FROM "Tbl"', 'SELECT "camelcase" FROM "tbl"'),
    ("SELECT TOP 5 a FROM t", "SELECT a FROM t LIMIT 5"),
    ("SET query_group TO 'etl'", "SET dwhkit.query_group TO 'etl'"),  # compat/settings.py
    ("SELECT CAST(a AS VARCHAR(MAX)) FROM t", "SELECT CAST(a AS VARCHAR(65535)) FROM t"),
])
def test_translation_text(redshift, postgres):
    assert without_design(to_postgres(redshift)) == [postgres]


def without_design(statements: list[str]) -> list[str]:
    """CREATE TABLE also records the Redshift design in a COMMENT (see test_system_views.py)."""
    return [s for s in statements if not s.startswith("COMMENT ON TABLE")]


def test_create_table_records_redshift_design():
    out = to_postgres("CREATE TABLE s.t (a INT ENCODE az64 DISTKEY, b INT) COMPOUND SORTKEY (b, a) BACKUP NO")
    assert out[0] == "CREATE TABLE s.t (a INT, b INT)"
    assert out[1] == ("COMMENT ON TABLE s.t IS 'dwhkit:design:{\"backup\":false,\"distkey\":\"a\","
                      "\"diststyle\":\"KEY\",\"encode\":{\"a\":\"az64\"},\"sortkey\":[\"b\",\"a\"],"
                      "\"sortkey_type\":\"compound\"}'")


def test_translate_is_cached_and_copies():
    first = to_postgres("SELECT 1")
    first.append("mutated")
    assert to_postgres("SELECT 1") == ["SELECT 1"]


# --- split_statements --------------------------------------------------------------------------
def test_split_respects_quotes_comments_and_bodies():
    script = """
    -- a comment; with a semicolon
    CREATE TABLE t (a VARCHAR(10));  /* block; comment /* nested; */ still; */
    INSERT INTO t VALUES ('it''s; fine');
    UNLOAD ('select * from t where a = ''x;y''') TO 's3://b/p' IAM_ROLE 'r';
    SELECT "odd;name" FROM t;
    CREATE FUNCTION f() RETURNS int AS $body$ SELECT 1; $body$ LANGUAGE sql;
    SELECT $$a;b$$;
    ;;
    -- trailing comment only
    """
    assert split_statements(script) == [
        "-- a comment; with a semicolon\n    CREATE TABLE t (a VARCHAR(10))",
        "/* block; comment /* nested; */ still; */\n    INSERT INTO t VALUES ('it''s; fine')",
        "UNLOAD ('select * from t where a = ''x;y''') TO 's3://b/p' IAM_ROLE 'r'",
        'SELECT "odd;name" FROM t',
        "CREATE FUNCTION f() RETURNS int AS $body$ SELECT 1; $body$ LANGUAGE sql",
        "SELECT $$a;b$$",
    ]


def test_split_copy_with_options():
    script = "COPY t FROM 's3://b/k' DELIMITER ';' IAM_ROLE 'arn'; SELECT 1"
    assert split_statements(script) == ["COPY t FROM 's3://b/k' DELIMITER ';' IAM_ROLE 'arn'", "SELECT 1"]


def test_split_placeholders_and_dollar_in_names():
    assert split_statements("SELECT a$1 FROM t WHERE b = %s; SELECT 2") == ["SELECT a$1 FROM t WHERE b = %s", "SELECT 2"]


# --- translate_script / check_redshift -------------------------------------------------------
def test_translate_script():
    out = translate_script("CREATE TABLE t (a INT) DISTSTYLE ALL; COPY t FROM 's3://b/k' IAM_ROLE 'r'; "
                           "ALTER TABLE t APPEND FROM s")
    out = "\n\n".join(part for part in out.split("\n\n") if not part.startswith("COMMENT ON TABLE"))
    assert out == ("CREATE TABLE t (a INT);\n\n"
                   "-- emulated by dwhkit (not translated)\nCOPY t FROM 's3://b/k' IAM_ROLE 'r';\n\n"
                   "INSERT INTO t SELECT * FROM s;\n\nDELETE FROM s")


def test_check_redshift():
    problems = check_redshift("SELECT 1;\nCOPY t FROM 's3://x' IAM_ROLE 'r';\nSELECT FROM WHERE (;\n"
                              "CREATE TABLE t (a INT SORTKEY DISTKEY) DISTSTYLE ALL")
    assert len(problems) == 1
    assert problems[0].startswith("statement 3, line 3, column 13: syntax error near 'WHERE'")


def test_stedi_script_translates():
    statements = stedi.create_table_queries + stedi.insert_table_queries
    copies = [c.format(source="s3://b/landing/x-", auth="IAM_ROLE default")
              for c in (stedi.COPY_CUSTOMER, stedi.COPY_ACCELEROMETER, stedi.COPY_STEP_TRAINER)]
    assert check_redshift(";\n".join(statements + copies)) == []
    for statement in statements:
        assert to_postgres(statement)


def test_stedi_pipeline_runs_on_small_data(pg_conn):
    """Every STEDI statement translates and runs; consent and JSON parsing behave."""
    run(pg_conn, *stedi.create_table_queries,
        "INSERT INTO staging_customer (customername, email, serialnumber, lastupdatedate, registrationdate, "
        "sharewithresearchasofdate) VALUES ('Ann', ' Ann@X.com', 's1', TIMESTAMP '2022-01-02', "
        "TIMESTAMP '2022-01-01', TIMESTAMP '2022-01-01'), ('Bob', 'bob@x.com', 's2', TIMESTAMP '2022-01-02', "
        "TIMESTAMP '2022-01-01', NULL)",
        "INSERT INTO staging_accelerometer VALUES ('ann@x.com', 1641081600000, 1, 2, 3), "
        "('bob@x.com', 1641081600000, 1, 2, 3)",
        """INSERT INTO staging_step_trainer VALUES ('{"sensorReadingTime":1641081600000,"serialNumber":"s1","distanceFromObject":7},'), ('not json')""")
    run(pg_conn, *stedi.insert_table_queries)
    run(pg_conn, *stedi.insert_table_queries)  # rerunnable
    assert run(pg_conn, "SELECT email FROM customer_trusted") == [("ann@x.com",)]
    assert run(pg_conn, "SELECT serial_number, distance_from_object FROM step_trainer_trusted") == [("s1", 7)]
    assert scalar(pg_conn, "SELECT COUNT(*) FROM dim_customer") == 1


@pytest.mark.parametrize("sql,expected", [
    ("-- load\n/* x */ copy t from 's3://b'", True),
    ("  UNLOAD ('select 1') TO 's3://b/'", True),
    ("SELECT 'copy'", False),
    ("copying", False),
])
def test_is_copy_or_unload(sql, expected):
    from dwhkit.compat import is_copy_or_unload
    assert is_copy_or_unload(sql) is expected


def test_date_part_of_string_literal(pg_conn):
    # r_DATE_PART_function accepts a timestamp given as a string
    assert scalar(pg_conn, "SELECT DATE_PART(year, '2019-05-01 10:00')") == 2019


# r_REGEXP_REPLACE: every match is replaced, from `position` on; 'i' ignores case; the replacement
# defaults to ''. PostgreSQL alone replaces only the first match (a silent difference).
@pytest.mark.parametrize("sql,expected", [
    ("SELECT REGEXP_REPLACE('  a  b ', '^ +| +$', '')", "a  b"),
    ("SELECT REGEXP_REPLACE('banana', 'a', 'o')", "bonono"),
    ("SELECT REGEXP_REPLACE('banana', 'a')", "bnn"),
    ("SELECT REGEXP_REPLACE('banana', 'a', 'o', 3)", "banono"),
    ("SELECT REGEXP_REPLACE('the fox', 'FOX', 'quick brown fox', 1, 'i')", "the quick brown fox"),
    ("SELECT REGEXP_REPLACE('the fox', 'FOX', 'cat', 1, 'c')", "the fox"),
    ("SELECT REGEXP_REPLACE('DonecFri@Duis.org', '@.*\\\\.(org|gov|com)$')", "DonecFri"),
])
def test_regexp_replace_replaces_every_match(sample, sql, expected):
    assert scalar(sample, sql) == expected


def test_regexp_replace_refuses_unknown_parameters():
    with pytest.raises(UnsupportedError, match="REGEXP_REPLACE: parameter 'x'"):
        to_postgres("SELECT REGEXP_REPLACE('a', 'a', 'b', 1, 'x')")
