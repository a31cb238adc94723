"""Ctrl-C and SIGTERM stop a running COPY promptly, roll it back and say so — also when the COPY
is blocked inside Postgres (waiting for a table lock), where only the waiting main thread can
notice the signal and cancel the statement (conn.cancel()). A child process runs a big COPY; the
test signals it once Postgres shows the COPY running, and gives it a generous 20 s to exit."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import zlib

import psycopg2
import pytest

from .copyhelpers import ddl, rows

CHILD = r"""
import json, sys
import psycopg2
from dwhkit.copy.grammar import parse_copy
from dwhkit.targets.pg_sink import run_copy
args = json.loads(sys.argv[1])
conn = psycopg2.connect(**args["dsn"])
res = run_copy(conn, parse_copy(args["sql"]), side_conn_factory=lambda: psycopg2.connect(**args["dsn"]))
conn.commit()
print("loaded", res.rows_loaded)
"""

LINE = b'{"pad": "' + b"x" * 1000 + b'", "a": 1}\n'


def _dsn(conn):
    dsn = conn.get_dsn_parameters()
    return {"host": dsn["host"], "port": dsn["port"], "dbname": dsn["dbname"], "user": dsn["user"],
            "password": conn.info.password}


@pytest.fixture
def big_gzip(tmp_path):
    """~1 GiB of JSON lines (1 M rows) in a ~7 MB gzip: a COPY that runs for many seconds."""
    c = zlib.compressobj(1, zlib.DEFLATED, 31)
    member = c.compress(LINE * ((64 << 20) // len(LINE))) + c.flush()
    path = tmp_path / "big.json.gz"
    with open(path, "wb") as fh:
        for _ in range(16):
            fh.write(member)
    return path


def _start(conn, sql):
    return subprocess.Popen([sys.executable, "-c", CHILD, json.dumps({"dsn": _dsn(conn), "sql": sql})],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _wait_for(conn, proc, where, timeout=60, query="COPY %%FROM STDIN%%"):
    """Wait until Postgres shows the child's COPY (matching ``where``); fail if the child ends."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert proc.poll() is None, proc.communicate()
        with conn.cursor() as cur:
            cur.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                        f"AND query LIKE '{query}' AND {where}")
            found = cur.fetchone()[0]
        conn.rollback()
        if found:
            return
        time.sleep(0.05)
    proc.kill()
    pytest.fail("the COPY never showed up in pg_stat_activity")


def _stopped(proc):
    t0 = time.monotonic()
    try:
        out, err = proc.communicate(timeout=20)
        print(f"stopped {time.monotonic() - t0:.2f} s after the signal")     # shown with pytest -s
    except subprocess.TimeoutExpired:
        proc.kill()
        out, err = proc.communicate()
        pytest.fail(f"the COPY did not stop within 20 s of the signal: {err[-2000:]}")
    return proc.returncode, out, err


@pytest.mark.parametrize("sig,name", [(signal.SIGINT, "SIGINT"), (signal.SIGTERM, "SIGTERM")])
def test_signal_stops_a_running_copy_and_rolls_it_back(pg_conn, big_gzip, sig, name):
    ddl(pg_conn, "CREATE TABLE t (a int)")
    proc = _start(pg_conn, f"COPY t FROM '{big_gzip.as_uri()}' IAM_ROLE default JSON 'auto' GZIP")
    _wait_for(pg_conn, proc, "state = 'active'")
    time.sleep(0.5)                                  # well into the stream
    proc.send_signal(sig)
    code, out, err = _stopped(proc)
    assert code != 0 and "loaded" not in out
    assert f"CopyInterrupted: COPY into 't' was interrupted ({name}); it was rolled back, nothing was loaded" in err, err
    assert "error in .read() call" not in err
    assert rows(pg_conn, "SELECT count(*) FROM t") == [(0,)]
    assert rows(pg_conn, "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                         "AND query LIKE 'COPY %%' AND state = 'active'") == [(0,)]


def test_sigint_cancels_a_copy_blocked_inside_postgres(pg_conn, pg_dsn, big_gzip):
    """The COPY waits for a lock another session holds: the sending thread is stuck in libpq, so
    the main thread must see the signal and cancel the statement at the server."""
    ddl(pg_conn, "CREATE TABLE t (a int)")
    holder = psycopg2.connect(**pg_dsn)
    try:
        with holder.cursor() as cur:
            cur.execute("LOCK TABLE t IN ACCESS EXCLUSIVE MODE")
        proc = _start(pg_conn, f"COPY t FROM '{big_gzip.as_uri()}' IAM_ROLE default JSON 'auto' GZIP")
        # any statement of the child's: the sending thread looks whether the table is empty
        # (STATUPDATE) before its COPY, and that is where it waits for the lock
        _wait_for(pg_conn, proc, "wait_event_type = 'Lock'", query="%%")
        proc.send_signal(signal.SIGINT)
        code, out, err = _stopped(proc)
    finally:
        holder.rollback()
        holder.close()
    assert code != 0
    assert "was interrupted (SIGINT); it was rolled back, nothing was loaded" in err, err
    assert rows(pg_conn, "SELECT count(*) FROM t") == [(0,)]


def test_interrupt_is_not_swallowed_by_except_exception():
    """CopyInterrupted is a KeyboardInterrupt: a caller's ``except Exception`` does not hide Ctrl-C."""
    from dwhkit.errors import CopyInterrupted, DwhError
    assert issubclass(CopyInterrupted, KeyboardInterrupt)
    assert not issubclass(CopyInterrupted, Exception) and not issubclass(CopyInterrupted, DwhError)
    assert os.name == "posix"
