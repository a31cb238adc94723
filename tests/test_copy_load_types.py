"""COPY loader: column lists, DEFAULT/IDENTITY, per-type conversion and validation, manifests,
transactions. Real Postgres, S3 over HTTP (moto server)."""
from __future__ import annotations

import json

import pytest

from dwhkit.targets.pg_sink import run_copy
from dwhkit.copy.options import CopyCommand
from dwhkit.errors import CopyError, LoadError

from .copyhelpers import ddl, jl, put, rows


def jcmd(bucket, key, table="t", **kw):
    return CopyCommand(table=table, source=f"s3://{bucket}/{key}", format="JSON", json_spec="auto", **kw)


def errors(conn):
    return rows(conn, "SELECT line_number, trim(colname), err_code, trim(raw_field_value), trim(err_reason) "
                      "FROM dwhkit_system.stl_load_errors ORDER BY line_number")


def test_column_list_defaults_and_identity(pg_conn, s3, bucket):
    ddl(pg_conn, "CREATE TABLE t (id int GENERATED ALWAYS AS IDENTITY, a int, b varchar(10) DEFAULT 'dflt', "
                 "c int DEFAULT 7)")
    put(s3, bucket, "d", jl({"id": 99, "a": 1, "b": "x"}, {"a": 2}))
    run_copy(pg_conn, jcmd(bucket, "d", columns=("a",)))            # b, c omitted → DEFAULT
    run_copy(pg_conn, jcmd(bucket, "d"))                            # no list: identity skipped; missing key → NULL
    assert rows(pg_conn, "SELECT id, a, b, c FROM t ORDER BY id") == [
        (1, 1, "dflt", 7), (2, 2, "dflt", 7), (3, 1, "x", None), (4, 2, None, None)]
    with pytest.raises(CopyError, match="identity column"):
        run_copy(pg_conn, jcmd(bucket, "d", columns=("id", "a")))
    put(s3, bucket, "e", jl({"id": 99, "a": 5}))
    run_copy(pg_conn, jcmd(bucket, "e", columns=("id", "a"), explicit_ids=True))
    assert rows(pg_conn, "SELECT id, a FROM t WHERE id = 99") == [(99, 5)]
    with pytest.raises(CopyError, match="does not exist"):
        run_copy(pg_conn, jcmd(bucket, "e", columns=("nope",)))


def test_not_null_missing_value_is_error_1213(pg_conn, s3, bucket):
    ddl(pg_conn, "CREATE TABLE t (a int NOT NULL, b int)")
    put(s3, bucket, "d", jl({"a": 1}, {"b": 2}, {"a": ""}))
    res = run_copy(pg_conn, jcmd(bucket, "d", maxerror=5))
    assert res.rows_loaded == 1
    assert [(r[0], r[1], r[2]) for r in errors(pg_conn)] == [(2, "a", 1213), (3, "a", 1213)]


def test_integer_ranges_and_digits(pg_conn, s3, bucket):
    ddl(pg_conn, "CREATE TABLE t (s smallint, i int, b bigint)")
    put(s3, bucket, "d", jl({"s": 32767, "i": "-2147483648", "b": 9223372036854775807},
                           {"s": 32768}, {"i": "2147483648"}, {"b": 9223372036854775808},
                           {"b": "12a"}, {"i": "1.0"}, {"s": "+12"}, {"i": 1.0}))
    res = run_copy(pg_conn, jcmd(bucket, "d", maxerror=10))
    assert res.rows_loaded == 3      # the JSON number 1.0 loads (tests/test_copy_json_numbers.py); the string does not
    assert rows(pg_conn, "SELECT * FROM t ORDER BY s, i") == [
        (12, None, None), (32767, -2147483648, 9223372036854775807), (None, 1, None)]
    assert [(r[0], r[1], r[2], r[3]) for r in errors(pg_conn)] == [
        (2, "s", 1204, "32768"), (3, "i", 1204, "2147483648"), (4, "b", 1222, "9223372036854775808"),
        (5, "b", 1207, "12a"), (6, "i", 1207, "1.0")]


def test_numeric_truncates_by_default_and_roundec_rounds(pg_conn, s3, bucket):
    ddl(pg_conn, "CREATE TABLE t (n numeric(8,2))")
    put(s3, bucket, "d", jl({"n": "20.259"}, {"n": 20.259}, {"n": "-1.999"}, {"n": "123456.7"}))
    run_copy(pg_conn, jcmd(bucket, "d"))
    run_copy(pg_conn, jcmd(bucket, "d", roundec=True))
    got = [str(r[0]) for r in rows(pg_conn, "SELECT n FROM t")]
    assert got == ["20.25", "20.25", "-1.99", "123456.70", "20.26", "20.26", "-2.00", "123456.70"]
    put(s3, bucket, "o", jl({"n": "1234567.1"}, {"n": "1e2"}, {"n": "abc"}))
    res = run_copy(pg_conn, jcmd(bucket, "o", maxerror=5))
    assert res.rows_loaded == 1 and [r[2] for r in errors(pg_conn)] == [1204, 1207]


def test_varchar_length_is_bytes_and_truncatecolumns(pg_conn, s3, bucket):
    ddl(pg_conn, "CREATE TABLE t (v varchar(4), c char(3))")
    put(s3, bucket, "d", jl({"v": "abcd", "c": "ab"}, {"v": "äbc"}, {"v": "abcde"}, {"c": "é"}, {"c": "abcd"}))
    res = run_copy(pg_conn, jcmd(bucket, "d", maxerror=5))
    assert res.rows_loaded == 2      # 'äbc' is 4 bytes: fits
    assert [(r[0], r[1], r[2]) for r in errors(pg_conn)] == [(3, "v", 1204), (4, "c", 1220), (5, "c", 1204)]
    ddl(pg_conn, "TRUNCATE t")
    put(s3, bucket, "m", jl({"v": "ääb", "c": "abcd"}, {"v": "aaaä"}))
    run_copy(pg_conn, jcmd(bucket, "m", truncatecolumns=True))
    # AMBIG decision: a multibyte character is never split; 'aaaä' (5 bytes) → 'aaa'
    assert rows(pg_conn, "SELECT v, c FROM t ORDER BY v") == [("aaa", None), ("ää", "abc")]


def test_boolean_literals(pg_conn, s3, bucket):
    ddl(pg_conn, "CREATE TABLE t (k int, b boolean)")
    vals = ["TRUE", "t", "true", "y", "yes", "1", True, 1, "FALSE", "f", "false", "n", "No", "0", False, 0]
    put(s3, bucket, "d", jl(*({"k": i, "b": v} for i, v in enumerate(vals))) + jl({"k": 99, "b": "on"}))
    res = run_copy(pg_conn, jcmd(bucket, "d", maxerror=1))
    assert res.rows_rejected == 1 and errors(pg_conn)[0][2] == 1210   # AMBIG: 'on'/'off' rejected
    assert [r[0] for r in rows(pg_conn, "SELECT b FROM t ORDER BY k")] == [True] * 8 + [False] * 8


def test_real_and_double(pg_conn, s3, bucket):
    ddl(pg_conn, "CREATE TABLE t (r real, d double precision)")
    put(s3, bucket, "d", jl({"r": "1.5", "d": "1e300"}, {"r": "1e39"}, {"d": "1e400"}, {"r": "NaN", "d": "-Infinity"},
                           {"d": "1_0"}))
    res = run_copy(pg_conn, jcmd(bucket, "d", maxerror=5))
    assert res.rows_loaded == 2
    assert [(r[1], r[2]) for r in errors(pg_conn)] == [("r", 1204), ("d", 1204), ("d", 1208)]


def test_dateformat_and_auto(pg_conn, s3, bucket):
    ddl(pg_conn, "CREATE TABLE t (d date, ts timestamp, tz timestamptz)")
    put(s3, bucket, "d", jl({"d": "1399-01-01", "ts": "2020-01-02 03:04:05.123456", "tz": "2020-01-02 03:04:05-8:00"},
                           {"d": "2020-01-02 10:00:00", "ts": "2020-01-02"}))
    run_copy(pg_conn, jcmd(bucket, "d"))
    assert rows(pg_conn, "SELECT d::text, ts::text, tz::text FROM t ORDER BY ts") == [
        ("2020-01-02", "2020-01-02 00:00:00", None),
        ("1399-01-01", "2020-01-02 03:04:05.123456", "2020-01-02 11:04:05+00")]
    ddl(pg_conn, "TRUNCATE t")
    put(s3, bucket, "a", jl({"d": "Jan 8 1996", "ts": "2019-02-11T05:09:12.195Z", "tz": "17 Dec 07:37:16 1997 PST"},
                           {"d": "19960108", "ts": "J2451187", "tz": "1997-12-17 07:37:16-08"}))
    run_copy(pg_conn, jcmd(bucket, "a", dateformat="auto", timeformat="auto"))
    assert rows(pg_conn, "SELECT d::text, ts::text, tz::text FROM t ORDER BY ts") == [
        ("1996-01-08", "1999-01-08 00:00:00", "1997-12-17 15:37:16+00"),
        ("1996-01-08", "2019-02-11 05:09:12.195", "1997-12-17 15:37:16+00")]
    ddl(pg_conn, "TRUNCATE t")
    put(s3, bucket, "f", jl({"d": "08/01/2021"}, {"d": "2021-31-12"}))
    with pytest.raises(LoadError, match="line 2, column d"):
        run_copy(pg_conn, jcmd(bucket, "f", dateformat="DD/MM/YYYY"))
    run_copy(pg_conn, jcmd(bucket, "f", dateformat="DD/MM/YYYY", acceptanydate=True))
    assert rows(pg_conn, "SELECT d::text FROM t ORDER BY d") == [("2021-01-08",), (None,)]


def test_text_escaping_reaches_postgres_intact(pg_conn, s3, bucket):
    ddl(pg_conn, "CREATE TABLE t (v varchar(100))")
    tricky = "tab\there\\back\nnew\rcr \\N |pipe| ü 𝄞"
    put(s3, bucket, "d", jl({"v": tricky}, {"v": "\\N"}))
    run_copy(pg_conn, jcmd(bucket, "d"))
    assert sorted(r[0] for r in rows(pg_conn, "SELECT v FROM t")) == sorted([tricky, "\\N"])


def test_manifest_mandatory_duplicates_and_missing(pg_conn, s3, bucket):
    ddl(pg_conn, "CREATE TABLE t (a int)")
    put(s3, bucket, "f/1.json", jl({"a": 1}))
    put(s3, bucket, "f/2.json", jl({"a": 2}))
    man = {"entries": [{"url": f"s3://{bucket}/f/1.json", "mandatory": True},
                       {"url": f"s3://{bucket}/f/2.json"}, {"url": f"s3://{bucket}/f/2.json"},
                       {"url": f"s3://{bucket}/f/missing.json", "mandatory": False}]}
    put(s3, bucket, "m/load.manifest", json.dumps(man))
    res = run_copy(pg_conn, jcmd(bucket, "m/load.manifest", manifest=True))
    assert res.rows_loaded == 3 and rows(pg_conn, "SELECT a FROM t ORDER BY a") == [(1,), (2,), (2,)]
    man["entries"][3]["mandatory"] = True
    put(s3, bucket, "m/bad.manifest", json.dumps(man))
    with pytest.raises(CopyError, match="mandatory file .*missing.json"):
        run_copy(pg_conn, jcmd(bucket, "m/bad.manifest", manifest=True))
    with pytest.raises(CopyError, match="8001"):
        run_copy(pg_conn, jcmd(bucket, "m/", manifest=True))
    put(s3, bucket, "m/broken.manifest", "{not json")
    with pytest.raises(CopyError, match="malformed"):
        run_copy(pg_conn, jcmd(bucket, "m/broken.manifest", manifest=True))
    assert rows(pg_conn, "SELECT count(*) FROM t") == [(3,)]


def test_failed_copy_keeps_callers_transaction_and_earlier_work(pg_conn, s3, bucket):
    ddl(pg_conn, "CREATE TABLE t (a int)")
    with pg_conn.cursor() as cur:
        cur.execute("INSERT INTO t VALUES (1)")          # uncommitted work of the caller
    put(s3, bucket, "bad", jl({"a": 2}, {"a": "x"}))
    with pytest.raises(LoadError):
        run_copy(pg_conn, jcmd(bucket, "bad"))
    with pg_conn.cursor() as cur:
        cur.execute("INSERT INTO t VALUES (3)")
    pg_conn.commit()
    assert rows(pg_conn, "SELECT a FROM t ORDER BY a") == [(1,), (3,)]


def test_autocommit_connection_commits_a_successful_copy(pg_dsn, s3, bucket):
    import psycopg2
    conn = psycopg2.connect(**pg_dsn)
    conn.autocommit = True
    ddl(conn, "CREATE TABLE t (a int)")
    put(s3, bucket, "d", jl({"a": 1}))
    run_copy(conn, jcmd(bucket, "d"))
    other = psycopg2.connect(**pg_dsn)
    assert rows(other, "SELECT a FROM t") == [(1,)]
    other.close()
    conn.close()


def test_unsupported_column_type_is_refused(pg_conn, s3, bucket):
    from dwhkit.errors import UnsupportedError
    ddl(pg_conn, "CREATE TABLE t (a uuid)")
    put(s3, bucket, "d", jl({"a": "x"}))
    with pytest.raises(UnsupportedError, match="uuid"):
        run_copy(pg_conn, jcmd(bucket, "d"))
