"""Transient faults: S3 answering 503, a body that dies midway, the database connection lost
mid-COPY. The load either retries and lands every row exactly once, or fails with a clear error
and leaves the table exactly as it was.

S3 is reached through a fault-injecting proxy (tests/faultproxy.py) in front of the moto server."""
from __future__ import annotations

import gzip
import json
import threading
import time

import psycopg2
import pytest

from dwhkit import s3 as s3mod
from dwhkit.copy import sources
from dwhkit.copy.grammar import parse_copy
from dwhkit.targets.pg_sink import run_copy
from dwhkit.errors import CopyError, DwhError

from .faultproxy import FaultProxy

N = 20_000          # rows per object: ~1 MB of JSON lines, several 1 MiB chunks when cut


def body(n0: int, n: int) -> bytes:
    return "".join(json.dumps({"id": i, "name": f"n{i:07d}"}) + "\n" for i in range(n0, n0 + n)).encode()


@pytest.fixture
def proxy(s3_endpoint, monkeypatch):
    p = FaultProxy(s3_endpoint).start()
    monkeypatch.setenv("AWS_ENDPOINT_URL_S3", p.url)
    monkeypatch.setattr(sources, "RESUME_BACKOFF", 0.01)
    yield p
    p.stop()


@pytest.fixture
def table(pg_conn):
    """t with two pre-load rows, committed: a failed COPY must leave exactly these."""
    with pg_conn.cursor() as cur:
        cur.execute("CREATE TABLE t (id int, name varchar(16))")
        cur.execute("INSERT INTO t VALUES (-1, 'before'), (-2, 'before')")
    pg_conn.commit()
    return pg_conn


def snapshot(conn):
    with conn.cursor() as cur:
        cur.execute("SELECT COUNT(*), COUNT(DISTINCT id), COALESCE(SUM(id), 0) FROM t")
        return cur.fetchone()


def copy(conn, bucket, prefix, extra=""):
    res = run_copy(conn, parse_copy(f"COPY t FROM 's3://{bucket}/{prefix}' IAM_ROLE default JSON 'auto' {extra}"))
    conn.commit()
    return res


def expect_exactly(conn, n_rows):
    ids = n_rows * (n_rows - 1) // 2
    assert snapshot(conn) == (n_rows + 2, n_rows + 2, ids - 3)


def test_503_on_get_and_list_is_retried(table, s3, bucket, proxy):
    s3.put_object(Bucket=bucket, Key="d/a.json", Body=body(0, N))
    proxy.fail("GET", "list-type=2", times=2)                # ListObjectsV2
    proxy.fail("GET", "d/a.json", times=2)
    res = copy(table, bucket, "d/")
    assert res.rows_loaded == N
    expect_exactly(table, N)
    assert [s.fault for s in proxy.gets("d/a.json")] == ["503", "503", None]


def test_body_cut_midway_is_resumed_from_the_offset(table, s3, bucket, proxy):
    s3.put_object(Bucket=bucket, Key="d/a.json", Body=body(0, N))
    proxy.cut("d/a.json", after=123_457, times=1)            # mid-line, mid-chunk
    res = copy(table, bucket, "d/")
    assert res.rows_loaded == N
    expect_exactly(table, N)                                  # every row once: nothing twice, nothing lost
    gets = proxy.gets("d/a.json")
    assert [g.fault for g in gets] == ["cut@123457", None]
    assert gets[1].range == "bytes=123457-"


def test_gzip_body_cut_repeatedly_is_resumed(table, s3, bucket, proxy):
    data = gzip.compress(body(0, N))
    s3.put_object(Bucket=bucket, Key="g/a.json.gz", Body=data)
    proxy.cut("g/a.json.gz", after=len(data) // 5, times=3)   # every GET, ranged ones too, cut 3 times
    res = copy(table, bucket, "g/", "GZIP")
    assert res.rows_loaded == N
    expect_exactly(table, N)
    assert len(proxy.gets("g/a.json.gz")) == 4


def test_large_object_streamed_not_prefetched_is_resumed(table, s3, bucket, proxy, monkeypatch):
    from dwhkit.copy import fetch
    monkeypatch.setattr(fetch, "PREFETCH_MAX", 1000)         # force the streaming path
    s3.put_object(Bucket=bucket, Key="d/a.json", Body=body(0, N))
    s3.put_object(Bucket=bucket, Key="d/b.json", Body=body(N, N))
    proxy.cut("d/b.json", after=1_500_000 % len(body(N, N)), times=1)
    res = copy(table, bucket, "d/")
    assert res.rows_loaded == 2 * N
    expect_exactly(table, 2 * N)


def test_body_that_keeps_dropping_fails_clearly_and_loads_nothing(table, s3, bucket, proxy):
    s3.put_object(Bucket=bucket, Key="d/a.json", Body=body(0, N))
    s3.put_object(Bucket=bucket, Key="d/b.json", Body=body(N, N))
    proxy.cut("d/b.json", after=50_000, times=1, ranged=False)
    proxy.cut("d/b.json", after=0, times=-1, ranged=True)    # every resume dies before a byte
    before = snapshot(table)
    t0 = time.monotonic()
    with pytest.raises(CopyError) as err:
        copy(table, bucket, "d/")
    table.rollback()
    msg = str(err.value)
    assert f"s3://{bucket}/d/b.json" in msg and "at byte 50000" in msg and "nothing was loaded" in msg
    assert snapshot(table) == before                          # not even d/a.json's rows
    assert len(proxy.gets("d/b.json")) == 1 + sources.RESUME_ATTEMPTS      # the first read, then the resumes
    assert time.monotonic() - t0 < 30


def test_503_forever_fails_clearly_after_the_retries(table, s3, bucket, proxy, monkeypatch):
    monkeypatch.setattr(s3mod, "RETRY_SETTINGS",
                        {**s3mod.RETRY_SETTINGS, "retries": {"max_attempts": 2, "mode": "standard"}})
    s3.put_object(Bucket=bucket, Key="d/a.json", Body=body(0, 10))
    proxy.fail("GET", "d/a.json", times=-1)
    before = snapshot(table)
    with pytest.raises(CopyError) as err:
        copy(table, bucket, "d/")
    table.rollback()
    assert f"s3://{bucket}/d/a.json" in str(err.value) and "SlowDown" in str(err.value)
    assert snapshot(table) == before
    assert 2 <= len(proxy.gets("d/a.json")) <= 3            # botocore's attempts, then the error


def test_object_replaced_during_a_resume_is_not_spliced(table, s3, bucket, proxy):
    s3.put_object(Bucket=bucket, Key="d/a.json", Body=body(0, N))
    replace = lambda: s3.put_object(Bucket=bucket, Key="d/a.json", Body=body(10 * N, N))  # noqa: E731
    proxy.cut("d/a.json", after=200_000, times=1, on_fire=replace)
    before = snapshot(table)
    with pytest.raises(CopyError, match="changed while it was being read"):
        copy(table, bucket, "d/")
    table.rollback()
    assert snapshot(table) == before


def test_manifest_read_is_resumed_too(table, s3, bucket, proxy):
    s3.put_object(Bucket=bucket, Key="d/a.json", Body=body(0, 100))
    entries = [{"url": f"s3://{bucket}/d/a.json", "mandatory": True}] * 40   # loads 40 times
    s3.put_object(Bucket=bucket, Key="m.manifest", Body=json.dumps({"entries": entries}).encode())
    proxy.cut("m.manifest", after=100, times=1)
    res = run_copy(table, parse_copy(f"COPY t FROM 's3://{bucket}/m.manifest' IAM_ROLE default JSON 'auto' MANIFEST"))
    assert res.rows_loaded == 4000


# -- the database connection lost mid-COPY ----------------------------------------------------------

def test_database_connection_killed_mid_copy(pg_dsn, dwh_config, tmp_path):
    """pg_terminate_backend on the loader's session while rows stream: a clear error, and the
    table exactly as before (the server rolls the open transaction back)."""
    from dwhkit.targets import get_target

    big = tmp_path / "big.txt"
    with open(big, "w") as fh:
        for i in range(1_000_000):
            fh.write(f"{i}|name{i}\n")
    conn = get_target(dwh_config).connect()
    cur = conn.cursor()
    cur.execute("CREATE TABLE t (id int, name varchar(16))")
    cur.execute("INSERT INTO t VALUES (-1, 'before')")
    conn.commit()
    killed = []

    def killer():
        admin = psycopg2.connect(**pg_dsn)
        admin.autocommit = True
        deadline = time.monotonic() + 30
        with admin.cursor() as c:
            while time.monotonic() < deadline:
                c.execute("SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
                          "AND query LIKE 'COPY %%FROM STDIN%%' AND pid <> pg_backend_pid()")
                row = c.fetchone()
                if row:
                    time.sleep(0.05)
                    c.execute("SELECT pg_terminate_backend(%s)", row)
                    killed.append(row[0])
                    break
                time.sleep(0.005)
        admin.close()

    th = threading.Thread(target=killer)
    th.start()
    with pytest.raises(DwhError) as err:
        cur.execute(f"COPY t FROM '{big.as_uri()}' IAM_ROLE default DELIMITER '|'")
    th.join()
    assert killed
    msg = str(err.value)
    assert "Load into table 't' failed" in msg and "connection" in msg.lower(), msg
    check = psycopg2.connect(**pg_dsn)
    with check.cursor() as c:
        c.execute("SELECT COUNT(*), MIN(id) FROM t")
        assert c.fetchone() == (1, -1)
    check.close()
