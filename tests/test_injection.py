"""Injection: names from config, manifests and check definitions are quoted as identifiers and
values are bound, so hostile names touch only the intended table."""
from __future__ import annotations

import json

import pytest

from dwhkit.copy.grammar import parse_copy
from dwhkit.pipeline import StepResult, record_run
from dwhkit.quality import foreign_key, primary_key, run_checks
from dwhkit.targets import get_target
from dwhkit.warehouses import get_warehouse

EVIL_TABLE = 'evil"; drop table victim; --'
EVIL_COL = 'c"; drop table victim; --'
EVIL_REF = "ref'); drop table victim; --"


def q(name):
    return '"' + name.replace('"', '""') + '"'


@pytest.fixture
def conn(dwh_config):
    c = get_target(dwh_config).connect()
    cur = c.cursor()
    cur.execute("CREATE TABLE victim (v int)")
    cur.execute("INSERT INTO victim VALUES (1), (2), (3)")
    cur.execute(f"CREATE TABLE {q(EVIL_TABLE)} ({q(EVIL_COL)} int, other int)")
    cur.execute(f"INSERT INTO {q(EVIL_TABLE)} VALUES (1, 1), (1, 2), (NULL, 3), (7, 4)")
    cur.execute(f"CREATE TABLE {q(EVIL_REF)} ({q(EVIL_COL)} int)")
    cur.execute(f"INSERT INTO {q(EVIL_REF)} VALUES (1)")
    c.commit()
    yield c
    c.close()


def untouched(conn):
    cur = conn.cursor()
    cur.execute("SELECT array_agg(v ORDER BY v) FROM victim")
    assert cur.fetchone()[0] == [1, 2, 3]
    cur.execute("SELECT relname FROM pg_class WHERE relkind = 'r' AND relnamespace = 'public'::regnamespace ORDER BY 1")
    tables = [r[0] for r in cur.fetchall()]
    conn.commit()
    return tables


def test_quality_checks_quote_hostile_names(conn):
    checks = [primary_key(EVIL_TABLE, [EVIL_COL]), primary_key(EVIL_TABLE, [EVIL_COL, "other"]),
              foreign_key(EVIL_TABLE, EVIL_COL, EVIL_REF, EVIL_COL)]
    results = run_checks(conn.cursor(), checks)
    # (1,1),(1,2) share the key and one key is NULL: 1 duplicate group + 1 null; composite: 1 null;
    # references: 7 has no partner (NULL never matches either) → 2
    assert [r.violations for r in results] == [2, 1, 2]
    assert set(untouched(conn)) >= {"victim", EVIL_TABLE, EVIL_REF}


def test_copy_column_list_and_table_with_hostile_names(conn, tmp_path):
    tmp_path = tmp_path / "in"
    tmp_path.mkdir()
    (tmp_path / "d.json").write_text(json.dumps({EVIL_COL: 5, "other": 6}) + "\n")
    cur = conn.cursor()
    cur.execute(f"COPY {q(EVIL_TABLE)} ({q(EVIL_COL)}, other) FROM '{tmp_path.as_uri()}/d' "
                "IAM_ROLE default JSON 'auto'")
    conn.commit()
    cur.execute(f"SELECT {q(EVIL_COL)}, other FROM {q(EVIL_TABLE)} WHERE other = 6")
    assert cur.fetchall() == [(5, 6)]
    # a hostile name that matches no column is refused by name, nothing runs
    with pytest.raises(Exception, match="does not exist"):
        cur.execute(f"COPY {q(EVIL_TABLE)} (\"x\"\"); drop table victim; --\") FROM '{tmp_path.as_uri()}/d' "
                    "IAM_ROLE default JSON 'auto'")
    conn.rollback()
    assert "victim" in untouched(conn)


def test_lake_path_and_role_from_config_become_literals(conn, tmp_path):
    """[S3] lake and [IAM_ROLE] arn are config values: quoted as literals, never spliced as SQL."""
    lake = tmp_path / "it's'; drop table victim; --"
    (lake / "customer").mkdir(parents=True)
    (lake / "customer" / "customer-1.json").write_text('{"email": "a@b.c"}\n')
    wh = get_warehouse("stedi")
    role = "arn:aws:iam::1:role/x'; drop table victim; --"
    region = "us-east-1'; drop table victim; --"
    prefixes = {landing.table: landing.prefix for landing in wh.landings}
    for table, sql in wh.copy_queries(str(lake), iam_role=role, region=region):
        cmd = parse_copy(sql)                    # one statement, the values exactly as configured
        assert (cmd.table, cmd.source) == (table, f"{lake.as_uri()}/{prefixes[table]}")
        assert (cmd.credentials.iam_role, cmd.region) == (role, region)
    cur = conn.cursor()
    for stmt in wh.create_table_queries[:1]:
        cur.execute(stmt)
    sql = dict(wh.copy_queries(str(lake), iam_role=role))["staging_customer"]
    cur.execute(sql)
    conn.commit()
    cur.execute("SELECT email FROM staging_customer")
    assert cur.fetchall() == [("a@b.c",)]
    assert "victim" in untouched(conn)


def test_etl_log_values_are_bound(conn):
    run_id = record_run(conn, "stedi'); drop table victim; --",
                        [StepResult("x'); drop table victim; --", "landing", 0.1, table=EVIL_TABLE, rows_loaded=1)])
    cur = conn.cursor()
    cur.execute("SELECT warehouse, step, table_name FROM dwhkit_etl_log WHERE run_id = %s", (run_id,))
    assert cur.fetchall() == [("stedi'); drop table victim; --", "x'); drop table victim; --", EVIL_TABLE)]
    conn.commit()
    assert "victim" in untouched(conn)
