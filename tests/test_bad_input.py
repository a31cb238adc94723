"""Bad-input corpus for COPY, table-driven: every case either fails with a precise error (file,
line, column, reason) or, within MAXERROR, becomes stl_load_errors rows — and a failed COPY
leaves the target table exactly as it was (two rows are loaded first and compared after).

Inputs are generated here; they go to S3 (moto over HTTP) like real landing files."""
from __future__ import annotations

import gzip
import json
from dataclasses import dataclass, field

import psycopg2
import pytest

from dwhkit.copy.grammar import parse_copy
from dwhkit.targets.pg_sink import run_copy
from dwhkit.targets.pg_system_tables import ensure_system_tables
from dwhkit.errors import CopyError


@dataclass(frozen=True)
class Err:
    """The COPY fails; the message holds ``reason`` and, for a record, its file, line, column."""
    reason: str
    file: str | None = None         # key under the case's folder; None: the message names no file
    line: int | None = None
    column: str | None = None
    code: int | None = None         # the stl_load_errors row the failing record leaves


@dataclass(frozen=True)
class Rejected:
    """The COPY succeeds within MAXERROR: ``loaded`` rows and one stl row per (file, line, column, code)."""
    loaded: int
    errors: list = field(default_factory=list)


@dataclass(frozen=True)
class Loads:
    loaded: int
    rows: list | None = None         # the new rows, (id, name), when the values matter


def jl(*lines) -> bytes:
    return b"".join(ln if isinstance(ln, bytes) else (json.dumps(ln).encode() if not isinstance(ln, str) else ln.encode())
                    for ln in lines)


GOOD = jl({"id": 1, "name": "a"}, "\n", {"id": 2, "name": "b"}, "\n")
BIG = b"".join(b'{"id": %d, "name": "n"}\n' % i for i in range(5000))
JSON, CSV, TEXT = "JSON 'auto'", "CSV", "DELIMITER '|'"

# (id, {key: bytes}, options, expectation); FROM is the case's folder unless options name one.
CASES = [
    ("malformed-json", {"a.json": b'{"id": 1, "name": "a"}\n{"id": 2, "name": \n'}, JSON,
     Err("Invalid JSON object", "a.json", line=2, code=1216)),
    ("malformed-json-maxerror", {"a.json": b'{"id": 1, "name": "a"}\n{"id": 2, "name": \n'}, JSON + " MAXERROR 5",
     Rejected(1, [("a.json", 2, "", 1216)])),
    ("array-not-object", {"a.json": b'[1, "ab"]\n'}, JSON,
     Err("Member is not an object", "a.json", line=1, code=1216)),
    ("trailing-commas", {"a.json": b'{"id": 1},\n{"id": 2},\n{"id": 3}\n'}, JSON,
     Err("between records", "a.json", line=1, code=1216)),
    ("trailing-commas-maxerror", {"a.json": b'{"id": 1},\n{"id": 2},\n{"id": 3}\n'}, JSON + " MAXERROR 2",
     Rejected(3, [("a.json", 1, "", 1216), ("a.json", 2, "", 1216)])),      # one error per comma (§2)
    ("trailing-commas-past-maxerror", {"a.json": b'{"id": 1},\n{"id": 2},\n{"id": 3}\n'}, JSON + " MAXERROR 1",
     Err("MAXERROR 1", "a.json", line=2, code=1216)),
    ("wrong-type", {"a.json": GOOD + b'{"id": "abc", "name": "c"}\n'}, JSON,
     Err("invalid digit 'abc'", "a.json", line=3, column="id", code=1207)),
    ("wrong-type-maxerror", {"a.json": GOOD + b'{"id": "abc", "name": "c"}\n'}, JSON + " MAXERROR 1",
     Rejected(2, [("a.json", 3, "id", 1207)])),
    ("int-out-of-range", {"a.json": b'{"id": 99999999999}\n'}, JSON,
     Err("out of range", "a.json", line=1, column="id", code=1204)),
    ("string-longer-than-column", {"a.json": b'{"id": 1, "name": "abcdefghij"}\n'}, JSON,
     Err("String length exceeds DDL length", "a.json", line=1, column="name", code=1204)),
    ("string-longer-in-bytes", {"a.csv": "1,ééé\n".encode()}, CSV,       # 3 characters, 6 bytes > 5
     Err("String length exceeds DDL length", "a.csv", line=1, column="name", code=1204)),
    ("invalid-utf8-csv", {"a.csv": b"1,ok\n2,a\xff\xfeb\n"}, CSV,
     Err("UTF-8", "a.csv", line=2, code=1220)),
    ("invalid-utf8-text-maxerror", {"a.txt": b"1|ok\n2|a\xffb\n"}, TEXT + " MAXERROR 1",
     Rejected(1, [("a.txt", 2, "", 1220)])),
    ("invalid-utf8-json", {"a.json": b'{"id": 1, "name": "a\xff\xfeb"}\n'}, JSON,
     Err("Invalid UTF-8 byte 0xff", "a.json", line=1, code=1220)),
    ("nul-escape-json", {"a.json": b'{"id": 1, "name": "a\\u0000b"}\n'}, JSON,
     Err("NUL", "a.json", line=1, column="name", code=1220)),
    ("nul-byte-json", {"a.json": b'{"id": 1, "name": "a\x00b"}\n'}, JSON,
     Err("malformed", "a.json", line=1, code=1216)),
    ("nul-byte-csv-maxerror", {"a.csv": b"1,ok\n2,a\x00b\n"}, CSV + " MAXERROR 1",
     Rejected(1, [("a.csv", 2, "name", 1220)])),
    ("empty-file", {"a.json": b""}, JSON, Loads(0)),
    ("empty-file-gzip", {"a.json.gz": b""}, JSON + " GZIP", Loads(0)),
    ("truncated-gzip", {"a.json.gz": gzip.compress(BIG)[:-40]}, JSON + " GZIP",
     Err("GZIP stream is truncated", "a.json.gz")),
    ("truncated-gzip-second-member", {"a.json.gz": gzip.compress(GOOD) + gzip.compress(BIG)[:200]}, JSON + " GZIP",
     Err("GZIP stream is truncated", "a.json.gz")),
    ("truncated-gzip-after-good-file", {"a.json.gz": gzip.compress(GOOD), "b.json.gz": gzip.compress(BIG)[:-8]},
     JSON + " GZIP", Err("GZIP stream is truncated", "b.json.gz")),     # the trailer (CRC, size) is missing
    ("gzip-flag-on-plain-file", {"a.json": GOOD}, JSON + " GZIP",
     Err("cannot decompress as GZIP", "a.json")),
    ("missing-s3-prefix", {}, JSON, Err("does not exist")),
    ("missing-bucket", {}, "FROM 's3://no-such-bucket-dwhkit/x/' " + JSON, Err("bucket does not exist")),
    ("manifest-missing-mandatory-file", {"a.json": GOOD, "m.manifest": b"MANIFEST"},
     "FROM '{folder}m.manifest' MANIFEST " + JSON, Err("mandatory file", "gone.json")),
    ("manifest-malformed", {"m.manifest": b'{"entries": {"url": "x"}}'},
     "FROM '{folder}m.manifest' MANIFEST " + JSON, Err("malformed", "m.manifest")),
    ("jsonpaths-wrong-shape", {"a.json": GOOD, "paths.jp": b'{"jsonpaths": "$.id"}'},
     "FROM '{folder}a' JSON '{folder}paths.jp' MAXERROR 10", Err("paths.jp")),   # MAXERROR does not apply (§2)
    ("jsonpaths-two-objects", {"a.json": GOOD, "paths.jp": b'{"jsonpaths": ["$.id"]} {"jsonpaths": ["$.id"]}'},
     "FROM '{folder}a' JSON '{folder}paths.jp'", Err("paths.jp")),
    ("csv-too-few-fields", {"a.csv": b"1,a\n2\n"}, CSV,
     Err("Delimiter not found", "a.csv", line=2, code=1214)),
    ("csv-too-many-fields", {"a.csv": b"1,a\n2,b,c\n"}, CSV,
     Err("Extra column(s) found", "a.csv", line=2, code=1202)),
    ("csv-field-count-maxerror", {"a.csv": b"1,a\n2\n3,c,x\n4,d\n"}, CSV + " MAXERROR 2",
     Rejected(2, [("a.csv", 2, "", 1214), ("a.csv", 3, "", 1202)])),
    # Decisions, not errors: a CR before LF is a line ending, a UTF-8 BOM at the start of a file
    # is not data. Either way every value loads exactly (no stray '\r' in the last column).
    ("crlf-csv", {"a.csv": b"1,ab\r\n2,cd\r\n"}, CSV, Loads(2, [(1, "ab"), (2, "cd")])),
    ("crlf-text", {"a.txt": b"1|ab\r\n2|cd\r\n"}, TEXT, Loads(2, [(1, "ab"), (2, "cd")])),
    ("crlf-json", {"a.json": b'{"id": 1, "name": "ab"}\r\n{"id": 2, "name": "cd"}\r\n'}, JSON,
     Loads(2, [(1, "ab"), (2, "cd")])),
    ("bom-json", {"a.json": b'\xef\xbb\xbf{"id": 1, "name": "ab"}\n'}, JSON, Loads(1, [(1, "ab")])),
    ("bom-csv", {"a.csv": b"\xef\xbb\xbf1,ab\n"}, CSV, Loads(1, [(1, "ab")])),
]


@pytest.fixture
def target(pg_conn, pg_dsn):
    ensure_system_tables(pg_conn)
    with pg_conn.cursor() as cur:
        cur.execute("CREATE TABLE t (id int, name varchar(5))")
        cur.execute("INSERT INTO t VALUES (-1, 'pre1'), (-2, 'pre2')")
    pg_conn.commit()
    side = lambda: psycopg2.connect(**pg_dsn)     # noqa: E731 - stl rows survive a failed COPY, as in dwhkit.connect()
    return pg_conn, side


def table_rows(conn):
    with conn.cursor() as cur:
        cur.execute("SELECT id, name FROM t ORDER BY id NULLS FIRST, name")
        return cur.fetchall()


def stl_rows(conn, query=None):
    with conn.cursor() as cur:
        cur.execute("SELECT trim(filename), line_number, trim(colname), err_code FROM dwhkit_system.stl_load_errors "
                    "WHERE query = COALESCE(%s, (SELECT max(query) FROM dwhkit_system.stl_load_errors)) "
                    "ORDER BY filename, line_number", (query,))
        return cur.fetchall()


@pytest.mark.parametrize("case_id,files,options,expect", CASES, ids=[c[0] for c in CASES])
def test_bad_input(target, s3, bucket, case_id, files, options, expect):
    target, side = target
    folder = f"s3://{bucket}/{case_id}/"
    for key, data in files.items():
        if data == b"MANIFEST":     # a manifest naming one present and one missing mandatory file
            data = json.dumps({"entries": [{"url": f"{folder}a.json", "mandatory": True},
                                           {"url": f"{folder}gone.json", "mandatory": True}]}).encode()
        s3.put_object(Bucket=bucket, Key=f"{case_id}/{key}", Body=data)
    options = options.format(folder=folder)
    source = "" if options.startswith("FROM ") else f"FROM '{folder}' "
    sql = f"COPY t {source}{options} IAM_ROLE default"
    before = table_rows(target)

    if isinstance(expect, Err):
        with pytest.raises(CopyError) as err:
            run_copy(target, parse_copy(sql), side_conn_factory=side)
        target.rollback()
        msg = str(err.value)
        assert expect.reason in msg, msg
        if expect.file:
            assert f"{folder}{expect.file}" in msg, msg
        if expect.line is not None:
            assert f"line {expect.line}" in msg, msg
        if expect.column is not None:
            assert f"column {expect.column}" in msg, msg
        assert table_rows(target) == before                  # exactly as before: nothing lost, nothing added
        if expect.code is not None:                          # the stl row survives the failed COPY
            assert (f"{folder}{expect.file}", expect.line, expect.column or "", expect.code) in stl_rows(target)
        return

    result = run_copy(target, parse_copy(sql), side_conn_factory=side)
    target.commit()
    after = table_rows(target)
    assert [r for r in before if r not in after] == []       # the pre-load rows are all still there
    new = [r for r in after if r not in before]
    if isinstance(expect, Rejected):
        assert (result.rows_loaded, result.rows_rejected) == (expect.loaded, len(expect.errors))
        assert len(after) == len(before) + expect.loaded
        assert stl_rows(target, result.query_id) == [(f"{folder}{f}", ln, col, code) for f, ln, col, code in expect.errors]
    else:
        assert (result.rows_loaded, result.rows_rejected) == (expect.loaded, 0)
        assert len(after) == len(before) + expect.loaded
        if expect.rows is not None:
            assert sorted(new) == expect.rows


def test_missing_local_prefix_and_truncated_local_gzip(target, tmp_path):
    target, _ = target
    before = table_rows(target)
    with pytest.raises(CopyError, match="does not exist"):
        run_copy(target, parse_copy(f"COPY t FROM '{tmp_path.as_uri()}/nothing' IAM_ROLE default JSON 'auto'"))
    target.rollback()
    (tmp_path / "a.json.gz").write_bytes(gzip.compress(BIG)[:-1])
    with pytest.raises(CopyError, match="truncated"):
        run_copy(target, parse_copy(f"COPY t FROM '{tmp_path.as_uri()}/a' IAM_ROLE default JSON 'auto' GZIP"))
    target.rollback()
    assert table_rows(target) == before


@pytest.mark.parametrize("comp", ["BZIP2", "ZSTD"])
def test_truncated_bzip2_and_zstd_are_detected(target, tmp_path, comp):
    target, _ = target
    import bz2

    import zstandard
    pack = bz2.compress if comp == "BZIP2" else zstandard.ZstdCompressor().compress
    (tmp_path / "a.json.x").write_bytes(pack(BIG)[:-10])
    (tmp_path / "b.json.x").write_bytes(pack(GOOD) + pack(GOOD))    # two whole members/frames: fine
    before = table_rows(target)
    with pytest.raises(CopyError, match=f"{comp} stream is truncated"):
        run_copy(target, parse_copy(f"COPY t FROM '{tmp_path.as_uri()}/a' IAM_ROLE default JSON 'auto' {comp}"))
    target.rollback()
    assert table_rows(target) == before
    res = run_copy(target, parse_copy(f"COPY t FROM '{tmp_path.as_uri()}/b' IAM_ROLE default JSON 'auto' {comp}"))
    assert res.rows_loaded == 4


def test_invalid_utf8_in_json_string(target, s3, bucket):
    target, _ = target
    s3.put_object(Bucket=bucket, Key="u/a.json", Body=b'{"id": 1, "name": "ok"}\n{"id": 2, "name": "a\xff\xfeb"}\n')
    res = run_copy(target, parse_copy(f"COPY t FROM 's3://{bucket}/u/' IAM_ROLE default JSON 'auto' MAXERROR 1"))
    assert (res.rows_loaded, res.rows_rejected) == (1, 1)
    with target.cursor() as cur:
        cur.execute("SELECT line_number, err_code FROM dwhkit_system.stl_load_errors WHERE query = %s", (res.query_id,))
        assert cur.fetchall() == [(2, 1220)]


def test_invalid_utf8_in_json_string_with_acceptinvchars(target, s3, bucket):
    target, _ = target
    s3.put_object(Bucket=bucket, Key="v/a.json", Body=b'{"id": 2, "name": "a\xff\xfeb"}\n')
    res = run_copy(target, parse_copy(f"COPY t FROM 's3://{bucket}/v/' IAM_ROLE default JSON 'auto' ACCEPTINVCHARS '^'"))
    assert res.rows_loaded == 1
    with target.cursor() as cur:
        cur.execute("SELECT name FROM t WHERE id = 2")
        assert cur.fetchone() == ("a^^b",)
