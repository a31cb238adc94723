"""--config, --warehouse and -v work before and after the command, or are refused — never ignored.

Security finding 1: `dwh --config other.cfg create-tables` (the form `dwh --help` shows) ignored
--config and dropped the tables of the warehouse in ./dwh.cfg. These tests run `dwh` from a folder
whose dwh.cfg points at one database and pass a config for another, with real databases, and check
which one was touched.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid

import psycopg2
import pytest

from dwhkit.targets.scratch import drop_database


def dwh(*args, cwd, check=True, env=None):
    proc = subprocess.run([sys.executable, "-m", "dwhkit.cli", *args], cwd=cwd, capture_output=True, text=True,
                          env={**os.environ, **(env or {})}, timeout=300)
    if check and proc.returncode != 0:
        raise AssertionError(f"dwh {' '.join(args)} failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}")
    return proc


def _cfg(dsn: dict, warehouse: str = "stedi") -> str:
    # the password comes from DWH_CLUSTER_DB_PASSWORD, never from the file
    return (f"[TARGET]\ntype = postgres\nwarehouse = {warehouse}\n[CLUSTER]\nhost = {dsn['host']}\n"
            f"port = {dsn['port']}\ndb_name = {dsn['dbname']}\ndb_user = {dsn['user']}\n")


@pytest.fixture
def two_databases(pg_server, pg_dsn, tmp_path, monkeypatch):
    """./dwh.cfg → database "here" (stedi tables holding rows); other.cfg → a second, empty database."""
    other = f"t_{uuid.uuid4().hex[:12]}"
    admin = psycopg2.connect(**pg_server.dsn("postgres"))
    admin.autocommit = True
    with admin.cursor() as cur:
        cur.execute(f'CREATE DATABASE "{other}"')
    other_dsn = pg_server.dsn(other)
    monkeypatch.setenv("DWH_CLUSTER_DB_PASSWORD", pg_dsn["password"])
    for key in ("DWH_CONFIG", "DWH_TARGET_WAREHOUSE", "DWH_TARGET_TYPE"):
        monkeypatch.delenv(key, raising=False)
    folder = tmp_path / "project"
    folder.mkdir()
    (folder / "dwh.cfg").write_text(_cfg(pg_dsn))
    (tmp_path / "other.cfg").write_text(_cfg(other_dsn))
    dwh("create-tables", cwd=folder)
    with psycopg2.connect(**pg_dsn) as conn, conn.cursor() as cur:
        cur.execute("INSERT INTO staging_customer (email) SELECT 'c' || g || '@example.com' FROM generate_series(1, 25) g")
    yield folder, tmp_path / "other.cfg", pg_dsn, other_dsn
    drop_database(admin, other)
    admin.close()


def _count(dsn, sql):
    with psycopg2.connect(**dsn) as conn, conn.cursor() as cur:
        cur.execute(sql)
        return cur.fetchone()[0]


def _tables(dsn, schema="public"):
    return _count(dsn, f"SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = '{schema}'")


@pytest.mark.parametrize("position", ["before", "after"])
def test_config_is_used_in_either_position_and_the_other_warehouse_survives(two_databases, position):
    folder, other_cfg, here, other = two_databases
    assert _tables(other) == 0
    args = (["--config", str(other_cfg), "create-tables"] if position == "before"
            else ["create-tables", "--config", str(other_cfg)])
    dwh(*args, cwd=folder)
    assert _count(here, "SELECT COUNT(*) FROM staging_customer") == 25   # ./dwh.cfg's rows are untouched
    assert _count(other, "SELECT COUNT(*) FROM staging_customer") == 0   # the tables were made where asked
    assert _tables(other) == _tables(here)


def test_config_before_the_command_reaches_report(two_databases):
    folder, other_cfg, here, other = two_databases
    dwh("--config", str(other_cfg), "create-tables", cwd=folder)
    with psycopg2.connect(**other) as conn, conn.cursor() as cur:
        cur.execute("INSERT INTO staging_customer (email) VALUES ('only-in-other@example.com')")
    rows = {t["table"]: t["rows"] for t in json.loads(dwh("--config", str(other_cfg), "report", "--json",
                                                          cwd=folder, check=False).stdout)["tables"]}
    assert rows["staging_customer"] == 1


@pytest.mark.parametrize("position", ["before", "after"])
def test_warehouse_is_used_in_either_position(two_databases, position):
    folder, _, here, _ = two_databases
    args = (["--warehouse", "criteo", "create-tables"] if position == "before"
            else ["create-tables", "--warehouse", "criteo"])
    out = dwh(*args, cwd=folder).stdout
    assert "fact_impression" in out and "staging_customer" not in out
    assert _tables(here, "criteo") > 0
    assert _count(here, "SELECT COUNT(*) FROM staging_customer") == 25   # stedi's tables survive
    report = json.loads(dwh(*(["--warehouse", "criteo", "report", "--json"] if position == "before"
                              else ["report", "--json", "--warehouse", "criteo"]), cwd=folder, check=False).stdout)
    assert report["warehouse"] == "criteo"


def test_unknown_warehouse_is_refused_with_the_valid_names(two_databases):
    folder, _, here, _ = two_databases
    for args in (["--warehouse", "foo", "report"], ["report", "--warehouse", "foo"],
                 ["--warehouse", "foo", "create-tables"]):
        proc = dwh(*args, cwd=folder, check=False)
        assert proc.returncode == 2, args
        assert "criteo" in proc.stderr and "energy" in proc.stderr and "stedi" in proc.stderr
        assert "Traceback" not in proc.stderr
    assert _count(here, "SELECT COUNT(*) FROM staging_customer") == 25


def test_two_different_values_are_refused_not_picked(two_databases):
    folder, other_cfg, here, other = two_databases
    proc = dwh("--config", str(other_cfg), "create-tables", "--config", str(folder / "dwh.cfg"), cwd=folder,
               check=False)
    assert proc.returncode == 2 and "--config given twice" in proc.stderr
    assert _count(here, "SELECT COUNT(*) FROM staging_customer") == 25 and _tables(other) == 0


def test_verbose_in_either_position():
    from dwhkit.cli import _merge_globals, build_parser

    parser = build_parser()
    for argv, expected in ((["-v", "report"], True), (["report", "-v"], True), (["report"], False),
                           (["--verbose", "db", "status"], True)):
        assert _merge_globals(parser, parser.parse_args(argv)).verbose is expected, argv
