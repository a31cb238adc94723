"""Decompression bombs and endless records: COPY's memory stays bounded whatever the compression
ratio or record length. Each load runs in a child process whose peak RSS (VmHWM) must stay
under 300 MB — what ordinary files need — while the parent watches it and kills it past 1.5 GB,
so a regression fails the test instead of exhausting the shared machine. The inputs are ~1 GiB
expanded but a few MB on disk, written by streamed compression."""
from __future__ import annotations

import bz2
import json
import os
import subprocess
import sys
import time
import zlib

import psutil
import pytest
import zstandard

from .copyhelpers import ddl, rows

PEAK_MB = 300
KILL_BYTES = 1536 << 20
MEMBER = 64 << 20               # bytes of one compressed member/stream (concatenated 16 × = 1 GiB)

CHILD = r"""
import json, sys
import psycopg2
from dwhkit.copy.grammar import parse_copy
from dwhkit.targets.pg_sink import run_copy
args = json.loads(sys.argv[1])
conn = psycopg2.connect(**args["dsn"])
out = {}
try:
    res = run_copy(conn, parse_copy(args["sql"]), side_conn_factory=lambda: psycopg2.connect(**args["dsn"]))
    conn.commit()
    out["counts"] = [res.rows_loaded, res.rows_rejected]
except Exception as exc:
    conn.rollback()
    out["error"] = f"{type(exc).__name__}: {exc}"
# VmHWM, not getrusage's ru_maxrss: that one survives exec and so includes the RSS the test
# process had when it forked this child
out["peak_mb"] = next(int(l.split()[1]) for l in open("/proc/self/status") if l.startswith("VmHWM")) / 1024
print(json.dumps(out))
"""


def _dsn(conn):
    dsn = conn.get_dsn_parameters()
    dsn["password"] = conn.info.password
    return {k: dsn[k] for k in ("host", "port", "dbname", "user", "password")}


def run_child(conn, sql, env=None, timeout=300):
    """Run one COPY in a child process; return its result (counts or error, peak_mb)."""
    proc = subprocess.Popen([sys.executable, "-c", CHILD, json.dumps({"dsn": _dsn(conn), "sql": sql})],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, **(env or {})})
    watched = psutil.Process(proc.pid)
    deadline = time.monotonic() + timeout
    worst = 0
    while proc.poll() is None:
        try:
            worst = max(worst, watched.memory_info().rss)
        except psutil.NoSuchProcess:
            break
        if worst > KILL_BYTES or time.monotonic() > deadline:
            proc.kill()
            proc.wait()
            pytest.fail(f"the COPY grew to {worst >> 20} MB RSS (or ran past {timeout} s); killed")
        time.sleep(0.1)
    out, err = proc.communicate()
    assert proc.returncode == 0, err[-3000:]
    result = json.loads(out.strip().splitlines()[-1])
    print(f"child: {result}, watched peak {worst >> 20} MB")      # shown with pytest -s
    return result


def _write_members(path, compress, payload: bytes, times: int, tail: bytes = b""):
    """``times`` concatenated members of ``compress(payload)`` (``cat a.gz b.gz`` is one gzip
    file), plus one member holding ``tail``: a big expansion for a small, quick-to-write file."""
    member = compress(payload)
    with open(path, "wb") as fh:
        for _ in range(times):
            fh.write(member)
        if tail:
            fh.write(compress(tail))
    return path


def _gzip(data: bytes) -> bytes:
    c = zlib.compressobj(1, zlib.DEFLATED, 31)
    return c.compress(data) + c.flush()


LINE = b'{"pad": "' + b"x" * 1000 + b'", "a": 1}\n'


@pytest.mark.parametrize("workers", ["4", "1"])     # small files prefetched whole / streamed
def test_gzip_bomb_of_json_lines_loads_in_bounded_memory(pg_conn, tmp_path, workers):
    per = MEMBER // len(LINE)
    path = _write_members(tmp_path / "bomb.json.gz", _gzip, LINE * per, 16)
    assert path.stat().st_size < 8 << 20                     # small enough to be prefetched whole
    ddl(pg_conn, "CREATE TABLE t (a int)")
    out = run_child(pg_conn, f"COPY t FROM '{path.as_uri()}' IAM_ROLE default JSON 'auto' GZIP",
                    env={"DWH_COPY_WORKERS": workers})
    assert out.get("counts") == [16 * per, 0], out
    assert out["peak_mb"] < PEAK_MB, out
    assert rows(pg_conn, "SELECT count(*), sum(a) FROM t") == [(16 * per, 16 * per)]


def test_bzip2_bomb_is_not_fetched_whole_and_expanded(pg_conn, tmp_path):
    path = _write_members(tmp_path / "bomb.json.bz2", bz2.compress, b"\n" * MEMBER, 16, b'{"a": 7}\n')
    assert path.stat().st_size < 1 << 20
    ddl(pg_conn, "CREATE TABLE t (a int)")
    out = run_child(pg_conn, f"COPY t FROM '{path.as_uri()}' IAM_ROLE default JSON 'auto' BZIP2")
    assert out.get("counts") == [1, 0], out
    assert out["peak_mb"] < PEAK_MB, out


def test_zstd_bomb_single_frame(pg_conn, tmp_path):
    per = MEMBER // len(LINE)
    path = tmp_path / "bomb.json.zst"
    c = zstandard.ZstdCompressor().compressobj()
    with open(path, "wb") as fh:
        block = LINE * per
        for _ in range(16):
            fh.write(c.compress(block))
        fh.write(c.flush())
    ddl(pg_conn, "CREATE TABLE t (a int)")
    out = run_child(pg_conn, f"COPY t FROM '{path.as_uri()}' IAM_ROLE default JSON 'auto' ZSTD")
    assert out.get("counts") == [16 * per, 0], out
    assert out["peak_mb"] < PEAK_MB, out


@pytest.mark.parametrize("fmt", ["DELIMITER '|'", "CSV", "JSON 'auto'"])
@pytest.mark.parametrize("workers", ["4", "1"])
def test_gzip_of_nul_bytes_without_newline_is_one_record_error(pg_conn, tmp_path, fmt, workers):
    path = _write_members(tmp_path / "nul.gz", _gzip, b"\0" * MEMBER, 16)
    ddl(pg_conn, "CREATE TABLE t (a varchar(10))")
    out = run_child(pg_conn, f"COPY t FROM '{path.as_uri()}' IAM_ROLE default {fmt} GZIP",
                    env={"DWH_COPY_WORKERS": workers})
    assert "error" in out and path.as_uri() in out["error"] and "line 1" in out["error"], out
    assert out["peak_mb"] < PEAK_MB, out
    assert rows(pg_conn, "SELECT count(*) FROM t") == [(0,)]


@pytest.mark.parametrize("fast", ["1", "0"])
@pytest.mark.parametrize("fmt,record", [("JSON 'auto'", b'{"a": "%d", "pad": "'), ("DELIMITER '|'", b"%d|")])
def test_a_200mb_one_line_record_is_its_own_load_error(pg_conn, tmp_path, fast, fmt, record):
    """'The maximum size of a single input row from any source is 4 MB' (COPY data sources): a
    200 MB record is one stl_load_errors row (file, line), counted against MAXERROR, and needs no
    more memory than any other record."""
    huge = record.replace(b"%d", b"2") + b"y" * (200 << 20) + (b'"}' if b"{" in record else b"") + b"\n"
    good = [record.replace(b"%d", str(n).encode()) + (b'"}' if b"{" in record else b"") + b"\n"
            for n in (1, 3)]
    path = tmp_path / "huge.gz"
    with open(path, "wb") as fh:
        fh.write(_gzip(good[0]))
        fh.write(_gzip(huge))
        fh.write(_gzip(good[1]))
    ddl(pg_conn, "CREATE TABLE t (a varchar(10), pad varchar(10))" if b"{" in record else
        "CREATE TABLE t (a varchar(10))")
    out = run_child(pg_conn, f"COPY t FROM '{path.as_uri()}' IAM_ROLE default {fmt} GZIP MAXERROR 1",
                    env={"DWH_COPY_FASTPATH": fast})
    assert out.get("counts") == [2, 1], out
    assert out["peak_mb"] < PEAK_MB, out
    assert rows(pg_conn, "SELECT a FROM t ORDER BY a") == [("1",), ("3",)]
    assert rows(pg_conn, "SELECT line_number, err_code, left(trim(raw_line), 8) FROM dwhkit_system.stl_load_errors") \
        == [(2, 1216, (record.replace(b"%d", b"2") + b"yyyyyyyy").decode()[:8])]
    # and past MAXERROR it fails the COPY naming the file and line
    out = run_child(pg_conn, f"COPY t FROM '{path.as_uri()}' IAM_ROLE default {fmt} GZIP",
                    env={"DWH_COPY_FASTPATH": fast})
    assert "error" in out and f"{path.as_uri()}, line 2" in out["error"] and "4 MB" in out["error"], out


def test_records_just_under_the_limit_still_load(pg_conn, tmp_path):
    big = "z" * ((4 << 20) - 64)
    (tmp_path / "ok.json").write_text(json.dumps({"a": "1", "pad": big}) + "\n" + json.dumps({"a": "2"}) + "\n")
    ddl(pg_conn, "CREATE TABLE t (a varchar(10), pad varchar(65535))")
    out = run_child(pg_conn, f"COPY t FROM '{(tmp_path / 'ok.json').as_uri()}' IAM_ROLE default JSON 'auto' "
                             "MAXERROR 5")
    # loads the record's key; the 4 MB value itself is over VARCHAR(65535): its own 1204
    assert out.get("counts") == [1, 1], out
    assert rows(pg_conn, "SELECT err_code FROM dwhkit_system.stl_load_errors") == [(1204,)]


def test_a_flood_of_bad_records_under_ignoreallerrors_is_spilled_not_held(pg_conn, tmp_path):
    """IGNOREALLERRORS: every bad record is an stl_load_errors row (each ~2.5 KB with its raw
    line and value); they go to the side connection in batches rather than piling up."""
    n = 200_000
    bad = b'{"a": "' + b"v" * 1000 + b'"}\n'
    path = _write_members(tmp_path / "bad.json.gz", _gzip, bad * (n // 4), 4)
    ddl(pg_conn, "CREATE TABLE t (a varchar(10))")
    out = run_child(pg_conn, f"COPY t FROM '{path.as_uri()}' IAM_ROLE default JSON 'auto' GZIP IGNOREALLERRORS")
    assert out.get("counts") == [0, n], out
    assert out["peak_mb"] < PEAK_MB, out
    assert rows(pg_conn, "SELECT count(*), count(DISTINCT line_number), min(err_code), max(err_code) "
                         "FROM dwhkit_system.stl_load_errors") == [(n, n, 1204, 1204)]
