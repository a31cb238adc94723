"""The report's read-only queries run on two sessions (build_report's ``open_session``): the
report is the same as from one session, the second session really answers some of them, and a
query that fails on either session fails the report with the server's error."""
from __future__ import annotations

import dataclasses

import pytest

from dwhkit import app
from dwhkit.quality import Check
from dwhkit.report import build_report
from dwhkit.targets import get_target
from dwhkit.warehouses import get_warehouse


@pytest.fixture
def stedi(dwh_config, stedi_sample):
    config = dwh_config.with_overrides(warehouse="stedi")
    app.create_tables(config, "stedi")
    app.run_etl(config, "stedi", lake=str(stedi_sample))
    wh = get_warehouse("stedi")
    target = get_target(config, schema=wh.schema)
    conn = target.connect()
    yield target, conn, wh
    conn.close()


def _pids(target, opened):
    def open_session():
        session = target.connect()
        cur = session.cursor()
        cur.execute("SELECT pg_backend_pid()")
        opened.append(cur.fetchone()[0])
        return session
    return open_session


def _backend_pid(conn):
    cur = conn.cursor()
    cur.execute("SELECT pg_backend_pid()")
    return cur.fetchone()[0]


def test_two_sessions_give_the_one_session_report(stedi):
    target, conn, wh = stedi
    alone = build_report(conn, wh)
    opened = []
    together = build_report(conn, wh, open_session=_pids(target, opened))
    assert len(opened) == 1 and opened[0] != _backend_pid(conn)
    for key in ("tables", "reconciliation", "checks", "passed", "steps"):
        assert together[key] == alone[key]
    assert together["passed"] is True and len(together["checks"]) == len(wh.checks)


def test_the_second_session_answers_queries(stedi):
    """Each check reports the backend that ran it: both sessions must appear."""
    target, conn, wh = stedi
    # each takes 0.1 s, so the second session (connected in a few ms) takes its share
    # distinct texts: checks with the same query are answered by one execution of it
    who = [Check(f"who {i}", f"SELECT MAX(pg_backend_pid()) + {i} - {i} FROM pg_sleep(0.1)") for i in range(12)]
    wh = dataclasses.replace(wh, reconciliation=[], checks=who)
    report = build_report(conn, wh, open_session=target.connect)
    backends = {c["violations"] for c in report["checks"] if c["check"].startswith("who")}
    assert len(backends) == 2 and _backend_pid(conn) in backends


def test_checks_that_share_a_query_run_it_once(stedi):
    """Two checks name one query and a column each: it runs once (the function it calls logs each
    call), and each check gets its own column's count."""
    target, conn, wh = stedi
    cur = conn.cursor()
    cur.execute("CREATE TABLE shared_calls (n INT)")
    cur.execute("CREATE FUNCTION shared_counts() RETURNS TABLE (a BIGINT, b BIGINT) LANGUAGE sql AS "
                "$$ INSERT INTO shared_calls VALUES (1); SELECT CAST(3 AS BIGINT), CAST(0 AS BIGINT) $$")
    conn.commit()
    sql = "SELECT a, b FROM shared_counts()"
    shared = [Check("first column", sql, column=0), Check("second column", sql, column=1)]
    wh = dataclasses.replace(wh, reconciliation=[], checks=shared)
    report = build_report(conn, wh, open_session=target.connect)
    assert [(c["check"], c["violations"], c["passed"]) for c in report["checks"]] == [
        ("first column", 3, False), ("second column", 0, True)]
    cur = conn.cursor()
    cur.execute("SELECT COUNT(*) FROM shared_calls")
    assert cur.fetchone()[0] == 1


@pytest.mark.parametrize("position", [0, -1], ids=["first", "last"])
def test_a_failing_query_fails_the_report(stedi, position):
    target, conn, wh = stedi
    checks = list(wh.checks)
    checks.insert(position if position == 0 else len(checks), Check("broken", "SELECT COUNT(*) FROM no_such_table"))
    wh = dataclasses.replace(wh, checks=checks)
    with pytest.raises(Exception, match="no_such_table"):
        build_report(conn, wh, open_session=target.connect)


def test_a_second_session_that_cannot_open_leaves_the_work_to_the_first(stedi):
    target, conn, wh = stedi

    def refused():
        raise OSError("too many connections")
    assert build_report(conn, wh, open_session=refused)["checks"] == build_report(conn, wh)["checks"]
