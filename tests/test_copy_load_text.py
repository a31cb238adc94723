"""COPY loader: delimited text, CSV and FIXEDWIDTH inputs with their options (real Postgres, moto S3)."""
from __future__ import annotations

import gzip

import pytest

from dwhkit.targets.pg_sink import run_copy
from dwhkit.copy.options import CopyCommand
from dwhkit.errors import CopySyntaxError, LoadError

from .copyhelpers import ddl, put, rows


def tcmd(bucket, key, table="t", **kw):
    return CopyCommand(table=table, source=f"s3://{bucket}/{key}", **kw)


def errors(conn):
    return rows(conn, "SELECT line_number, trim(colname), err_code, position, trim(raw_line) "
                      "FROM dwhkit_system.stl_load_errors ORDER BY line_number")


@pytest.fixture
def venue(pg_conn):
    ddl(pg_conn, "CREATE TABLE t (id smallint, name varchar(100), city varchar(30), state char(2))")
    return pg_conn


def test_pipe_default_trailing_delimiter_crlf_bom_gzip(venue, s3, bucket):
    body = "\ufeff1|Toyota Park|Bridgeview|IL|\r\n2|Columbus Crew Stadium|Columbus|OH\r\n3|A\\B|\\N|\n"
    put(s3, bucket, "v.txt.gz", gzip.compress(body.encode()))
    res = run_copy(venue, tcmd(bucket, "v.txt", compression="GZIP"))
    assert res.rows_loaded == 3
    assert rows(venue, "SELECT * FROM t ORDER BY id") == [
        (1, "Toyota Park", "Bridgeview", "IL"), (2, "Columbus Crew Stadium", "Columbus", "OH"),
        (3, "A\\B", None, "  ")]      # an empty CHAR field is '' (blank-padded by CHAR(2)), not NULL
    assert rows(venue, "SELECT state IS NULL, state = '' FROM t WHERE id = 3") == [(False, True)]


def test_field_count_errors_and_fillrecord(venue, s3, bucket):
    put(s3, bucket, "v", "1|a|b|CA\n2|a\n3|a|b|CA|x|y\n")
    res = run_copy(venue, tcmd(bucket, "v", maxerror=5))
    assert res.rows_loaded == 1
    assert [(r[0], r[2]) for r in errors(venue)] == [(2, 1214), (3, 1202)]
    ddl(venue, "TRUNCATE t")
    put(s3, bucket, "w", "2|a\n")
    run_copy(venue, tcmd(bucket, "w", fillrecord=True))
    run_copy(venue, tcmd(bucket, "w", fillrecord=True, emptyasnull=True))
    assert rows(venue, "SELECT id, name, city, state FROM t ORDER BY city NULLS LAST") == [
        (2, "a", "", "  "), (2, "a", None, None)]


def test_null_as_emptyasnull_blanksasnull_trimblanks(venue, s3, bucket):
    put(s3, bucket, "v", "1|NULL|   |AB\n2||x  |\n")
    run_copy(venue, tcmd(bucket, "v", null_as="NULL", blanksasnull=True, trimblanks=True))
    assert rows(venue, "SELECT id, name, city, state FROM t ORDER BY id") == [
        (1, None, None, "AB"), (2, "", "x", "  ")]
    ddl(venue, "TRUNCATE t")
    run_copy(venue, tcmd(bucket, "v", null_as="NULL", emptyasnull=True))
    assert rows(venue, "SELECT id, name, city, state FROM t ORDER BY id") == [
        (1, None, "   ", "AB"), (2, None, "x  ", None)]


def test_delimiter_ignoreheader_per_file_and_blank_lines(venue, s3, bucket):
    put(s3, bucket, "d/1", "id,name,city,state\n1,a,b,CA\n\n2,c,d,OR\n")
    put(s3, bucket, "d/2", "id,name,city,state\n3,e,f,WA\n")
    with pytest.raises(LoadError, match=r"d/1, line 3: Delimiter not found"):
        run_copy(venue, tcmd(bucket, "d/", delimiter=",", ignoreheader=1))
    res = run_copy(venue, tcmd(bucket, "d/", delimiter=",", ignoreheader=1, ignoreblanklines=True))
    assert res.rows_loaded == 3 and rows(venue, "SELECT id FROM t ORDER BY id") == [(1,), (2,), (3,)]


def test_octal_delimiter(venue, s3, bucket):
    put(s3, bucket, "v", "1\x01a\x01b\x01CA\n")
    run_copy(venue, tcmd(bucket, "v", delimiter="\\001"))
    assert rows(venue, "SELECT * FROM t") == [(1, "a", "b", "CA")]


def test_escape_option(venue, s3, bucket):
    body = "1|pipe\\|inside|new\\\nline|\\N\n2|back\\\\slash|\\\\N|\\012\n"
    put(s3, bucket, "v", body)
    ddl(venue, "ALTER TABLE t ALTER COLUMN state TYPE varchar(5)")
    run_copy(venue, tcmd(bucket, "v", escape=True))
    assert rows(venue, "SELECT * FROM t ORDER BY id") == [
        (1, "pipe|inside", "new\nline", None), (2, "back\\slash", None, "012")]


def test_removequotes(venue, s3, bucket):
    put(s3, bucket, "v", "1|\"a|b\"|'c'|\"CA\"\n2|\"open|x|y\n")
    res = run_copy(venue, tcmd(bucket, "v", removequotes=True, maxerror=1))
    assert rows(venue, "SELECT * FROM t") == [(1, "a|b", "c", "CA")]
    assert res.rows_rejected == 1 and errors(venue)[0][2] == 1216


def test_csv_quotes_multiline_and_custom_quote(venue, s3, bucket):
    body = '1,"Toyota, Park","multi\r\nline",IL\n2,"say ""hi""",,"OH"\n'
    put(s3, bucket, "c.csv", body)
    run_copy(venue, tcmd(bucket, "c.csv", format="CSV"))
    assert rows(venue, "SELECT * FROM t ORDER BY id") == [
        (1, "Toyota, Park", "multi\r\nline", "IL"), (2, 'say "hi"', "", "OH")]
    ddl(venue, "TRUNCATE t")
    put(s3, bucket, "q.csv", "3;%a;b%;x\"y;CA\n")
    run_copy(venue, tcmd(bucket, "q.csv", format="CSV", quote="%", delimiter=";"))
    assert rows(venue, "SELECT * FROM t") == [(3, "a;b", 'x"y', "CA")]


def test_csv_bad_record_reports_its_last_line(venue, s3, bucket):
    put(s3, bucket, "c.csv", '1,a,b,CA\n2,"x\ny",zz,OH\n3,a,b,TOOLONG\n')
    with pytest.raises(LoadError) as ei:
        run_copy(venue, tcmd(bucket, "c.csv", format="CSV"))
    assert (ei.value.line, ei.value.column) == (4, "state")
    assert rows(venue, "SELECT count(*) FROM t") == [(0,)]
    line, col, code, pos, raw = errors(venue)[0]
    assert (line, col, code, pos, raw) == (4, "state", 1204, 6, "3,a,b,TOOLONG")


def test_invalid_utf8_and_acceptinvchars(pg_conn, s3, bucket):
    ddl(pg_conn, "CREATE TABLE t (a int, v varchar(20))")
    put(s3, bucket, "u", b"1|ok\n2|bad\xe9\xffx\n")
    with pytest.raises(LoadError, match="line 2: Invalid or unsupported UTF-8"):
        run_copy(pg_conn, tcmd(bucket, "u"))
    run_copy(pg_conn, tcmd(bucket, "u", acceptinvchars="^"))
    assert rows(pg_conn, "SELECT v FROM t ORDER BY a") == [("ok",), ("bad^^x",)]


def test_utf16_encoding(pg_conn, s3, bucket):
    ddl(pg_conn, "CREATE TABLE t (a int, v varchar(20))")
    put(s3, bucket, "u16", "1|ü\n2|日本\n".encode("utf-16"))
    run_copy(pg_conn, tcmd(bucket, "u16", encoding="UTF16"))
    assert rows(pg_conn, "SELECT * FROM t ORDER BY a") == [(1, "ü"), (2, "日本")]


def test_fixedwidth(pg_conn, s3, bucket):
    ddl(pg_conn, "CREATE TABLE t (id int, name varchar(10), d date)")
    put(s3, bucket, "f", "  1Alice     2020-01-02\n 22Bob       2021-12-31\n")
    run_copy(pg_conn, tcmd(bucket, "f", format="FIXEDWIDTH", fixedwidth_spec="id:3,name:10,d:10", trimblanks=True))
    assert rows(pg_conn, "SELECT id, name, d::text FROM t ORDER BY id") == [(1, "Alice", "2020-01-02"),
                                                                         (22, "Bob", "2021-12-31")]


def test_incompatible_options_are_refused(venue, s3, bucket):
    put(s3, bucket, "v", "1|a|b|CA\n")
    with pytest.raises(CopySyntaxError, match="CSV cannot be used with ESCAPE"):
        run_copy(venue, tcmd(bucket, "v", format="CSV", escape=True))
    with pytest.raises(CopySyntaxError, match="NULL AS cannot be used with JSON"):
        run_copy(venue, tcmd(bucket, "v", format="JSON", null_as="x"))


def test_parquet_by_position_with_ranged_reads(pg_conn, s3, bucket):
    import datetime as dt
    import io
    from decimal import Decimal

    import pyarrow as pa
    import pyarrow.parquet as pq

    ddl(pg_conn, "CREATE TABLE p (id bigint, name varchar(10), amount numeric(6,2), d date, ts timestamp, ok boolean)")
    n = 50_000
    tbl = pa.table({"A": list(range(n)), "B": [f"n{i % 7}" for i in range(n)],
                    "C": pa.array([Decimal("1.25")] * n, pa.decimal128(6, 2)),
                    "D": [dt.date(2020, 1, 1)] * n, "E": [dt.datetime(2020, 1, 1, 2, 3, 4, 500000)] * n,
                    "F": [i % 2 == 0 for i in range(n)]})
    buf = io.BytesIO()
    pq.write_table(tbl, buf, row_group_size=10_000)
    put(s3, bucket, "p/x.parquet", buf.getvalue())
    res = run_copy(pg_conn, tcmd(bucket, "p/", table="p", format="PARQUET"))
    assert res.rows_loaded == n
    assert rows(pg_conn, "SELECT count(*), sum(id), min(name), max(amount)::text, min(d)::text, min(ts)::text, "
                         "count(*) FILTER (WHERE ok) FROM p") == [
        (n, n * (n - 1) // 2, "n0", "1.25", "2020-01-01", "2020-01-01 02:03:04.5", n // 2)]
    ddl(pg_conn, "CREATE TABLE q (id bigint)")
    with pytest.raises(Exception, match="columns"):
        run_copy(pg_conn, tcmd(bucket, "p/", table="q", format="PARQUET"))
    ddl(pg_conn, "CREATE TABLE r (id smallint, name varchar(10), amount numeric(6,2), d date, ts timestamp, ok boolean)")
    with pytest.raises(LoadError, match="column id"):     # 32768 overflows smallint; MAXERROR ignored
        run_copy(pg_conn, tcmd(bucket, "p/", table="r", format="PARQUET", maxerror=10))
