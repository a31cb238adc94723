"""Round trip: COPY of an UNLOAD's output loads the table back exactly (text, CSV, JSON, Parquet),
compared with EXCEPT both ways (real Postgres, moto S3 over HTTP, the real COPY loader)."""
from __future__ import annotations


import pytest

from dwhkit.copy.grammar import parse_copy
from dwhkit.targets.pg_sink import run_copy
from dwhkit.targets.pg_unload import run_unload
from dwhkit.copy.unload_grammar import parse_unload

from .copyhelpers import ddl, rows

COLUMNS = ("i int, b bigint, n numeric(12,2), d double precision, s varchar(100), ok boolean, "
           "dt date, ts timestamp")
ROWS = [
    "(1, 9000000000, 12.50, 0.1, 'plain', true, '2024-02-29', '2024-01-02 03:04:05')",
    "(2, -1, -0.01, -1.5e300, 'comma, \"quote\" and | pipe', false, '1999-12-31', '2024-01-02 03:04:05.123456')",
    "(3, 0, 0, 3.141592653589793, E'line\\nbreak and\\r\\ncrlf', true, '2000-01-01', '1970-01-01 00:00:00')",
    "(4, NULL, NULL, NULL, NULL, NULL, NULL, NULL)",
    "(5, 5, 9999999999.99, 2.5e-10, E'back\\\\slash \\\\N and tab\\there', false, '2024-06-30', "
    "'2038-01-19 03:14:07.5')",
    "(6, 6, 1.00, 0, '', true, '2024-01-01', '2024-01-01 00:00:00')",
    "(7, 7, 7.77, 7, 'ünïcødé ✓ 中文', NULL, '2024-01-01', NULL)",
]


@pytest.fixture
def tables(pg_conn):
    ddl(pg_conn, f"CREATE TABLE rt ({COLUMNS})", f"CREATE TABLE rt2 ({COLUMNS})",
        "INSERT INTO rt VALUES " + ", ".join(ROWS))
    # Redshift's default extra_float_digits is 0 (DBL_DIG = 15 significant digits: 3.141592653589793
    # is written as 3.14159265358979); "set as high as 2 … for outputting float data that must be
    # restored exactly" (https://docs.aws.amazon.com/redshift/latest/dg/r_extra_float_digits.html).
    ddl(pg_conn, "SET extra_float_digits TO 2")
    return pg_conn


def test_the_default_writes_floats_as_redshift_prints_them(pg_conn, bucket, s3):
    """Without the setting, an UNLOAD writes DOUBLE PRECISION with 15 significant digits, as
    Redshift's default extra_float_digits = 0 does: the round trip is not exact (the page above)."""
    ddl(pg_conn, "CREATE TABLE pi_t (d double precision)", "INSERT INTO pi_t VALUES (3.141592653589793)",
        "SET extra_float_digits TO 0")
    run_unload(pg_conn, parse_unload(f"UNLOAD ('select d from pi_t') TO 's3://{bucket}/pi/part_' "
                                     "IAM_ROLE default PARALLEL OFF"))
    keys = [o["Key"] for o in s3.list_objects_v2(Bucket=bucket, Prefix="pi/")["Contents"]]
    body = b"".join(s3.get_object(Bucket=bucket, Key=k)["Body"].read() for k in keys)
    assert body == b"3.14159265358979\n"


def round_trip(conn, bucket, unload_opts: str, copy_opts: str, copy_from: str = "rt/part_"):
    res = run_unload(conn, parse_unload(f"UNLOAD ('select * from rt order by i') TO 's3://{bucket}/rt/part_' "
                                        f"IAM_ROLE default {unload_opts}"))
    assert res.rows_unloaded == len(ROWS)
    loaded = run_copy(conn, parse_copy(f"COPY rt2 FROM 's3://{bucket}/{copy_from}' IAM_ROLE default {copy_opts}"))
    assert loaded.rows_loaded == len(ROWS) and loaded.rows_rejected == 0
    assert rows(conn, "SELECT * FROM rt EXCEPT SELECT * FROM rt2") == []
    assert rows(conn, "SELECT * FROM rt2 EXCEPT SELECT * FROM rt") == []
    assert rows(conn, "SELECT count(*) FROM rt2") == [(len(ROWS),)]
    return res


def test_round_trip_text_with_escape_and_null_as(tables, bucket):
    round_trip(tables, bucket, r"ESCAPE NULL AS '\N' GZIP", r"ESCAPE NULL AS '\N' GZIP")


def test_round_trip_text_addquotes_escape_tab_delimiter(tables, bucket):
    round_trip(tables, bucket, r"ADDQUOTES ESCAPE DELIMITER '\t' NULL AS '\N' PARALLEL OFF",
               r"REMOVEQUOTES ESCAPE DELIMITER '\t' NULL AS '\N'")


def test_round_trip_csv_through_the_manifest(tables, bucket):
    round_trip(tables, bucket, r"CSV HEADER NULL AS '\N' MANIFEST", r"CSV IGNOREHEADER 1 NULL AS '\N' MANIFEST",
               copy_from="rt/part_manifest")


def test_round_trip_json(tables, bucket):
    # JSON numbers are floats, truncated to DECIMAL's scale unless ROUNDEC (copy-usage_notes-copy-from-json)
    round_trip(tables, bucket, "FORMAT JSON ZSTD", "FORMAT AS JSON 'auto' ZSTD ROUNDEC")


def test_round_trip_parquet(tables, bucket):
    round_trip(tables, bucket, "FORMAT PARQUET MANIFEST", "FORMAT AS PARQUET MANIFEST", copy_from="rt/part_manifest")


def test_default_unload_then_default_copy_turns_null_strings_into_empty(tables, bucket):
    """§6: a default UNLOAD + COPY keeps NULL numbers NULL but loads NULL character values as ''."""
    ddl(tables, "DELETE FROM rt WHERE s ~ '[|\\\\\\n\\r]'")       # unescaped delimiters would not reload
    run_unload(tables, parse_unload(f"UNLOAD ('select * from rt') TO 's3://{bucket}/d/' IAM_ROLE default"))
    run_copy(tables, parse_copy(f"COPY rt2 FROM 's3://{bucket}/d/' IAM_ROLE default"))
    assert rows(tables, "SELECT s IS NULL, s, n IS NULL FROM rt2 WHERE i = 4") == [(False, "", True)]
    assert rows(tables, "SELECT i FROM rt EXCEPT SELECT i FROM rt2") == []
