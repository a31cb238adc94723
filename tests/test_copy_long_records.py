"""Memory while COPY meets one very long record (issue 17): a 200 MB line — one JSON object, one
CSV or pipe-delimited line — into a table with a VARCHAR(MAX) column. Redshift's limits make it a
load error ("The maximum size of a single input row from any source is 4 MB",
https://docs.aws.amazon.com/redshift/latest/dg/copy-parameters-data-source.html; VARCHAR is at most
65535 bytes), and the error names the file and line; the point here is the memory spent finding
that out. Each load runs in a child process (``run_child``: peak RSS from VmHWM, killed past
1.5 GB) from local files and from S3 over HTTP, compressed and not, on the fast and exact paths;
then the same for records over millions of lines (a pretty-printed JSON object, a quoted CSV field
with newlines, ESCAPE'd newlines), which must also be one error at the record's last line rather
than its tail read as records of its own. The 200 MB runs are in conftest's SLOW_TESTS (~8 min).
"""
from __future__ import annotations

import zlib

import pytest

from .copyhelpers import ddl, rows
from .test_copy_bounds_bombs import run_child

LINE_MB = 200
# the bounds: a whole copy of the line would be 200 MB more than the same COPY of a tiny file (the
# interpreter, pyarrow, psycopg2, boto3: ~110-145 MB here); the 4 MB record window and the read
# buffers stay far below half of that
PEAK_MB = 250
OVER_BASELINE_MB = LINE_MB // 2
_baselines: dict = {}

_MB = 1 << 20
_ROW = b"y" * 98
# a format → (COPY options, the huge record as pieces (record 2, from line 2), a good record with %d
# for its key). The repeated pieces are built when a test runs, never at import.
SHAPES = {
    "json": ("JSON 'auto'", lambda n: [b'{"a": "2", "pad": "', b"y" * n, b'"}\n'], b'{"a": "%d"}\n'),
    "csv": ("CSV", lambda n: [b"2,", b"y" * n, b"\n"], b"%d,x\n"),
    "text": ("DELIMITER '|'", lambda n: [b"2|", b"y" * n, b"\n"], b"%d|x\n"),
    # one pretty-printed object over two million lines (the bracket scanner, not the one-line path)
    "json-multiline": ("JSON 'auto'", lambda n: [b'{"a": "2", "pad": [\n', (b'  "' + _ROW[:-6] + b'",\n') * (n // 100),
                                                 b'"y"]}\n'], b'{"a": "%d"}\n'),
    # one quoted CSV field holding two million newlines
    "csv-quoted-newlines": ("CSV", lambda n: [b'2,"', (_ROW + b"\n") * (n // 99), b'"\n'], b"%d,x\n"),
    # ESCAPE: backslash-newline is data, so this is one record over two million lines
    "text-escaped-newlines": ("DELIMITER '|' ESCAPE", lambda n: [b"2|", (_ROW + b"\\\n") * (n // 100), b"\n"],
                              b"%d|x\n"),
}


def _body(shape: str, size: int):
    """Three records: a good one, the huge one (record 2), a good one — as a list of pieces —
    and the huge record's last line (the line_number Redshift reports for a multi-line record)."""
    _opts, huge, good = SHAPES[shape]
    pieces = huge(size)
    last_line = 2 + sum(p.count(b"\n") for p in pieces) - 1
    return [good.replace(b"%d", b"1"), *pieces, good.replace(b"%d", b"3")], last_line


def _gzip_pieces(pieces) -> bytes:
    c = zlib.compressobj(1, zlib.DEFLATED, 31)
    return b"".join([c.compress(p) for p in pieces] + [c.flush()])


def _baseline(pg_conn, tiny_url, opts, gz, fast) -> float:
    """Peak of the same COPY over a tiny file (cached per source kind, format and path)."""
    key = (tiny_url.split(":")[0], opts, gz, fast)
    if key not in _baselines:
        ddl(pg_conn, "CREATE TABLE t (a varchar(10), pad varchar(65535))")
        out = run_child(pg_conn, f"COPY t FROM '{tiny_url}' IAM_ROLE default {opts} {'GZIP' if gz else ''}",
                        env={"DWH_COPY_FASTPATH": fast})
        assert out.get("counts") == [1, 0], out
        ddl(pg_conn, "DROP TABLE t")
        _baselines[key] = out["peak_mb"]
    return _baselines[key]


def _load_twice(pg_conn, url, opts, gz, fast, last_line, tiny_url):
    """MAXERROR 1: the huge record is one load error and the others load; without it the COPY
    fails naming the file and line. Both in bounded memory. Returns the peaks and the baseline."""
    base = _baseline(pg_conn, tiny_url, opts, gz, fast)
    ddl(pg_conn, "CREATE TABLE t (a varchar(10), pad varchar(65535))")
    sql = f"COPY t FROM '{url}' IAM_ROLE default {opts} {'GZIP' if gz else ''}"
    out = run_child(pg_conn, sql + " MAXERROR 1", env={"DWH_COPY_FASTPATH": fast})
    assert out.get("counts") == [2, 1], out
    assert out["peak_mb"] < PEAK_MB and out["peak_mb"] - base < OVER_BASELINE_MB, (out, base)
    assert rows(pg_conn, "SELECT a FROM t ORDER BY a") == [("1",), ("3",)]
    assert rows(pg_conn, "SELECT trim(filename), line_number, err_code FROM dwhkit_system.stl_load_errors") == [
        (url, last_line, 1216)]
    failed = run_child(pg_conn, sql, env={"DWH_COPY_FASTPATH": fast})
    assert "error" in failed and f"{url}, line {last_line}" in failed["error"] and "4 MB" in failed["error"], failed
    assert failed["peak_mb"] < PEAK_MB and failed["peak_mb"] - base < OVER_BASELINE_MB, (failed, base)
    return out["peak_mb"], failed["peak_mb"], base


@pytest.mark.parametrize("fast", ["1", "0"], ids=["fastpath", "exact"])
@pytest.mark.parametrize("source", ["local", "local-gzip", "s3", "s3-gzip"])
@pytest.mark.parametrize("fmt", ["json", "csv", "text"])
def test_a_200mb_line_is_a_load_error_in_bounded_memory(pg_conn, tmp_path, s3, bucket, fast, source, fmt):
    pieces, last_line = _body(fmt, LINE_MB * _MB)
    gz = source.endswith("gzip")
    body = _gzip_pieces(pieces) if gz else b"".join(pieces)
    del pieces
    tiny = b"".join(_body(fmt, 10)[0][1:-1])
    tiny = _gzip_pieces([tiny]) if gz else tiny
    if source.startswith("s3"):
        s3.put_object(Bucket=bucket, Key="in/huge", Body=body)
        s3.put_object(Bucket=bucket, Key="tiny/a", Body=tiny)
        url, tiny_url = f"s3://{bucket}/in/huge", f"s3://{bucket}/tiny/a"
    else:
        (tmp_path / "huge").write_bytes(body)
        (tmp_path / "tiny").write_bytes(tiny)
        url, tiny_url = (tmp_path / "huge").as_uri(), (tmp_path / "tiny").as_uri()
    del body
    peaks = _load_twice(pg_conn, url, SHAPES[fmt][0], gz, fast, last_line, tiny_url)
    print(f"{fmt} {source} fast={fast}: peak {peaks[0]:.0f} / {peaks[1]:.0f} MB, a tiny file's {peaks[2]:.0f} MB")


@pytest.mark.parametrize("fast", ["1", "0"], ids=["fastpath", "exact"])
@pytest.mark.parametrize("fmt", ["json-multiline", "csv-quoted-newlines", "text-escaped-newlines"])
def test_a_200mb_record_over_many_lines_is_one_load_error(pg_conn, tmp_path, fast, fmt):
    """A record over millions of lines is scanned once (no re-copy of what is held per line),
    kept only up to 4 MB, and is one error at its last line; its rest is never read as records."""
    pieces, last_line = _body(fmt, LINE_MB * _MB)
    path = tmp_path / "huge"
    with open(path, "wb") as fh:
        fh.writelines(pieces)
    del pieces
    (tmp_path / "tiny").write_bytes(b"".join(_body(fmt, 300)[0][1:-1]))
    peaks = _load_twice(pg_conn, path.as_uri(), SHAPES[fmt][0], False, fast, last_line, (tmp_path / "tiny").as_uri())
    print(f"{fmt} fast={fast}: peak {peaks[0]:.0f} / {peaks[1]:.0f} MB, a tiny file's {peaks[2]:.0f} MB")


@pytest.mark.parametrize("fmt", ["json-multiline", "csv-quoted-newlines", "text-escaped-newlines"])
def test_a_record_over_many_lines_just_past_the_limit(pg_conn, tmp_path, fmt):
    # the same at 5 MB, quick: the error is at the record's last line, and the lines after it load
    pieces, last_line = _body(fmt, 5 * _MB)
    path = tmp_path / "big"
    path.write_bytes(b"".join(pieces))
    ddl(pg_conn, "CREATE TABLE t (a varchar(10), pad varchar(65535))")
    out = run_child(pg_conn, f"COPY t FROM '{path.as_uri()}' IAM_ROLE default {SHAPES[fmt][0]} MAXERROR 1")
    assert out.get("counts") == [2, 1], out
    assert rows(pg_conn, "SELECT line_number, err_code, left(trim(raw_line), 4) FROM dwhkit_system.stl_load_errors") \
        == [(last_line, 1216, b"".join(pieces[1:3])[:4].decode())]


def test_csv_quoted_field_over_128kb_is_a_length_error_not_a_parse_error(pg_conn, tmp_path):
    # the csv module's own 128 KB field limit is not Redshift's: a 300 KB quoted field (with doubled
    # quotes and newlines) is a whole record whose value is too long for VARCHAR(65535) (1204)
    field = ('ab""cd\n' * 45_000).encode()
    (tmp_path / "a.csv").write_bytes(b'1,x\n2,"' + field + b'"\n3,x\n')
    ddl(pg_conn, "CREATE TABLE t (a varchar(10), pad varchar(65535))")
    out = run_child(pg_conn, f"COPY t FROM '{(tmp_path / 'a.csv').as_uri()}' IAM_ROLE default CSV MAXERROR 1")
    assert out.get("counts") == [2, 1], out
    assert rows(pg_conn, "SELECT line_number, trim(colname), err_code FROM dwhkit_system.stl_load_errors") == [
        (45_002, "pad", 1204)]


def test_csv_over_long_quoted_field_with_doubled_quotes_ends_where_its_quote_closes(pg_conn, tmp_path):
    # quote parity counts a doubled quote twice, so '""' inside the 5 MB field does not end it early
    field = ('ab""cd,"",x\n' * 500_000).encode()
    (tmp_path / "a.csv").write_bytes(b'1,x\n2,"' + field + b'"\n3,x\n')
    ddl(pg_conn, "CREATE TABLE t (a varchar(10), pad varchar(65535))")
    out = run_child(pg_conn, f"COPY t FROM '{(tmp_path / 'a.csv').as_uri()}' IAM_ROLE default CSV MAXERROR 1")
    assert out.get("counts") == [2, 1], out
    assert rows(pg_conn, "SELECT a FROM t ORDER BY a") == [("1",), ("3",)]
    assert rows(pg_conn, "SELECT line_number, err_code FROM dwhkit_system.stl_load_errors") == [(500_002, 1216)]
