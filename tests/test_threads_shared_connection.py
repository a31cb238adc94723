"""One dwhkit connection shared by threads (psycopg2 promises DB-API threadsafety 2): statements
of different threads, emulated COPYs included, run one after another — every row loads exactly
once, nothing hangs — and a COPY reported as failed leaves nothing behind, under autocommit too."""
from __future__ import annotations

import json
import threading
import time

import pytest

import dwhkit
from dwhkit.errors import CopyError

THREADS = 8
ROWS = 20_000


def _files(tmp_path, bad_every=0):
    paths = []
    for k in range(THREADS):
        lines = [json.dumps({"k": k, "n": n}) for n in range(ROWS)]
        if bad_every and k % bad_every == 0:
            lines.append('{"k": "not a number"}')          # the last record fails the COPY
        path = tmp_path / f"part-{k}.json"
        path.write_text("\n".join(lines) + "\n")
        paths.append(path)
    return paths


def _run_threads(conn, work):
    errors: dict[int, BaseException] = {}
    barrier = threading.Barrier(THREADS)

    def run(k):
        try:
            barrier.wait(30)
            work(k)
        except BaseException as exc:  # noqa: BLE001
            errors[k] = exc

    threads = [threading.Thread(target=run, args=(k,), daemon=True) for k in range(THREADS)]
    for t in threads:
        t.start()
    deadline = time.monotonic() + 180                 # one generous bound for all of them
    for t in threads:
        t.join(timeout=max(0.0, deadline - time.monotonic()))
    assert not any(t.is_alive() for t in threads), "a thread hung on the shared connection"
    return errors


@pytest.mark.parametrize("autocommit", [False, True])
def test_eight_threads_copy_on_one_connection(dwh_config, tmp_path, autocommit):
    paths = _files(tmp_path)
    conn = dwhkit.connect(dwh_config)
    try:
        conn.autocommit = autocommit
        cur = conn.cursor()
        cur.execute("CREATE TABLE t (k int, n int)")
        if not autocommit:
            conn.commit()

        def work(k):
            c = conn.cursor()
            c.execute(f"COPY t FROM '{paths[k].as_uri()}' IAM_ROLE default JSON 'auto'")
            assert c.rowcount == ROWS
            c.execute("SELECT count(*) FROM t WHERE k = %s", (k,))
            assert c.fetchone() is not None

        errors = _run_threads(conn, work)
        assert not errors, errors
        if not autocommit:
            conn.commit()
        cur.execute("SELECT count(*), count(DISTINCT (k, n)) FROM t")
        assert cur.fetchone() == (THREADS * ROWS, THREADS * ROWS)
    finally:
        conn.close()


def test_failed_copies_under_autocommit_leave_nothing(dwh_config, tmp_path):
    """Half the COPYs fail on their last record; with autocommit on and the threads interleaving,
    each failed COPY must leave 0 rows and each good one all of its rows."""
    paths = _files(tmp_path, bad_every=2)
    conn = dwhkit.connect(dwh_config)
    try:
        conn.autocommit = True
        cur = conn.cursor()
        for k in range(THREADS):
            cur.execute(f"CREATE TABLE t{k} (k int, n int)")

        def work(k):
            conn.cursor().execute(f"COPY t{k} FROM '{paths[k].as_uri()}' IAM_ROLE default JSON 'auto'")

        errors = _run_threads(conn, work)
        assert sorted(errors) == [k for k in range(THREADS) if k % 2 == 0]
        assert all(isinstance(e, CopyError) and "line 20001" in str(e) for e in errors.values()), errors
        for k in range(THREADS):
            cur.execute(f"SELECT count(*) FROM t{k}")
            assert cur.fetchone()[0] == (0 if k % 2 == 0 else ROWS), k
    finally:
        conn.close()


def test_a_failing_copy_under_autocommit_alone_leaves_nothing(dwh_config, tmp_path):
    paths = _files(tmp_path, bad_every=1)
    conn = dwhkit.connect(dwh_config)
    try:
        conn.autocommit = True
        cur = conn.cursor()
        cur.execute("CREATE TABLE t (k int, n int)")
        with pytest.raises(CopyError):
            cur.execute(f"COPY t FROM '{paths[0].as_uri()}' IAM_ROLE default JSON 'auto'")
        cur.execute("SELECT count(*) FROM t")
        assert cur.fetchone() == (0,)
    finally:
        conn.close()
