"""Schema migrations on a real Postgres: alembic head == create_tables (from the catalog), round
trips with data kept, the migrations-vs-model check, and the offline Redshift script."""
from __future__ import annotations

import dataclasses
import os
import re
import subprocess
import sys
import uuid

import psycopg2
import pytest
from alembic import command

from dwhkit import app, migrate
from dwhkit.cli import main as dwh_main
from dwhkit.config import ClusterConfig, Config, Secret
from dwhkit.warehouses.stedi import sql as stedi_sql
from dwhkit.targets.scratch import drop_database

from .conftest import ROOT

VERSIONS = ROOT / "migrations" / "versions"


# -- fixtures ---------------------------------------------------------------------------------
@pytest.fixture
def alembic_cfg(dwh_config):
    """alembic's Python API, pointed at the fresh test database through dwhkit's Config."""
    return migrate.alembic_config(dwh_config)


@pytest.fixture
def model_config(pg_server, tmp_path):
    """A second fresh database on the same server, for what create_tables builds."""
    name = f"m_{uuid.uuid4().hex[:12]}"
    admin = psycopg2.connect(**pg_server.dsn("postgres"))
    admin.autocommit = True
    with admin.cursor() as cur:
        cur.execute(f'CREATE DATABASE "{name}"')
    yield Config(path=None, target_type="postgres",
                 cluster=ClusterConfig(host=pg_server.host, port=pg_server.port, db_name=name,
                                       db_user=pg_server.user, db_password=Secret(pg_server.password)))
    drop_database(admin, name)
    admin.close()


@pytest.fixture
def cfg_file(pg_dsn, tmp_path, monkeypatch):
    """A dwh.cfg with no secret in it; the password travels in the environment only."""
    path = tmp_path / "alembic-dwh.cfg"
    path.write_text(f"[TARGET]\ntype = postgres\n\n[CLUSTER]\nhost = {pg_dsn['host']}\nport = {pg_dsn['port']}\n"
                    f"db_name = {pg_dsn['dbname']}\ndb_user = {pg_dsn['user']}\n")
    monkeypatch.setenv("DWH_CLUSTER_DB_PASSWORD", pg_dsn["password"])
    return path


def snapshot(config: Config) -> dict:
    from dwhkit.targets import get_target

    return get_target(config).schema_snapshot()


def public_tables(config: Config) -> set[str]:
    return {name.split(".", 1)[1] for name in snapshot(config) if name.startswith("public.")}


def query(config: Config, sql: str):
    from dwhkit.targets import get_target

    conn = get_target(config).connect_raw()
    try:
        with conn.cursor() as cur:
            cur.execute(sql)
            return cur.fetchall()
    finally:
        conn.close()


def counts(config: Config) -> dict[str, int]:
    return {t: query(config, f"SELECT COUNT(*) FROM {t}")[0][0] for t in sorted(public_tables(config))}


# -- drift: head == create_tables ---------------------------------------------------------------
def test_upgrade_head_builds_what_create_tables_builds(alembic_cfg, dwh_config, model_config):
    command.upgrade(alembic_cfg, "head")
    app.create_tables(model_config)
    migrated, model = snapshot(dwh_config), snapshot(model_config)
    assert migrate.diff_snapshots(migrated, model) == []
    assert migrated == model
    # the comparison saw real catalog detail, not an empty schema
    expected = {t.name for t in stedi_sql.TABLES} | {"dwhkit_etl_log"}
    assert {n.split(".", 1)[1] for n in migrated if n.startswith("public.")} == expected
    cols = dict(migrated["public.dim_customer"]["columns"])
    assert cols["customer_key"]["identity"] == "BY DEFAULT"
    assert cols["email"] == {**cols["email"], "type": "character varying(256)", "nullable": False}
    assert cols["birth_year"]["type"] == "smallint"
    assert [c for c, _ in migrated["public.dim_customer"]["columns"]][-1] == "birth_year"
    assert dict(migrated["public.dwhkit_etl_log"]["columns"])["finished_at"]["default"]
    assert migrate.current(dwh_config) == migrate.heads()


def test_diff_is_readable():
    col = {"type": "character varying(32)", "nullable": True, "default": None, "identity": None, "generated": None}
    a = {"public.t": {"kind": "r", "view": None, "columns": [("a", col)], "constraints": {}, "indexes": {}}}
    b = {"public.t": {"kind": "r", "view": None, "columns": [("a", {**col, "type": "character varying(64)"}),
                                                             ("b", {**col, "nullable": False})],
                      "constraints": {"t_pkey": "PRIMARY KEY (a)"}, "indexes": {}},
         "public.u": a["public.t"]}
    assert migrate.diff_snapshots(a, b) == [
        "public.t.a: character varying(32) in the migrations, character varying(64) in the model",
        "public.t.b: only in the model (character varying(32) NOT NULL)",
        "public.t: constraint t_pkey: absent in the migrations, PRIMARY KEY (a) in the model",
        "public.u: table only in the model",
    ]


def test_execute_redshift_runs_what_the_target_runs(dwh_config):
    import sqlalchemy as sa
    from alembic.operations import Operations
    from alembic.runtime.migration import MigrationContext

    from dwhkit.targets import get_target

    target = get_target(dwh_config)
    engine = migrate.engine_for(target)
    try:
        with engine.begin() as conn:
            op = Operations(MigrationContext.configure(conn, opts={"dwh_native_sql": target.native_sql}))
            migrate.execute_redshift(op, "CREATE TABLE t (s VARCHAR(MAX), n BIGINT IDENTITY(0, 1)) DISTSTYLE ALL;\n"
                                         "INSERT INTO t (s) VALUES ('50%:x done; :y')")
            assert conn.exec_driver_sql("SELECT s, n FROM t").all() == [("50%:x done; :y", 0)]
        with engine.connect() as conn:  # as on Redshift: verbatim, so Postgres refuses DISTSTYLE
            redshift = get_target(dwh_config.with_overrides(target_type="redshift"))
            op = Operations(MigrationContext.configure(conn, opts={"dwh_native_sql": redshift.native_sql}))
            with pytest.raises(sa.exc.ProgrammingError, match="DISTSTYLE"):
                migrate.execute_redshift(op, "CREATE TABLE u (a INT) DISTSTYLE ALL")
    finally:
        engine.dispose()


# -- round trips ----------------------------------------------------------------------------------
def test_round_trip_on_an_empty_database(alembic_cfg, dwh_config):
    command.upgrade(alembic_cfg, "head")
    first = snapshot(dwh_config)
    command.downgrade(alembic_cfg, "base")
    assert public_tables(dwh_config) == set()  # (alembic_version stays, empty; snapshots leave it out)
    assert migrate.current(dwh_config) == ()
    command.upgrade(alembic_cfg, "head")
    assert snapshot(dwh_config) == first


def test_revision_2_round_trip_keeps_a_loaded_warehouse(alembic_cfg, dwh_config, stedi_sample):
    command.upgrade(alembic_cfg, "head")
    report = app.run_etl(dwh_config, lake=str(stedi_sample))
    assert all(c["passed"] for c in report["checks"]), [c for c in report["checks"] if not c["passed"]]
    before = counts(dwh_config)
    assert before["dim_customer"] > 0 and before["dim_date"] > 0 and before["fact_accelerometer_reading"] > 0
    years_sql = "SELECT email, birth_year FROM dim_customer ORDER BY email"
    etl_years = query(dwh_config, years_sql)
    dates_sql = "SELECT * FROM dim_date ORDER BY date_key"
    etl_dates = query(dwh_config, dates_sql)

    command.downgrade(alembic_cfg, "0001")
    assert migrate.current(dwh_config) == ("0001",)
    after_down = counts(dwh_config)
    assert after_down == {t: n for t, n in before.items() if t != "dim_date"}
    assert "birth_year" not in dict(snapshot(dwh_config)["public.dim_customer"]["columns"])

    command.upgrade(alembic_cfg, "head")
    assert counts(dwh_config) == before
    # the backfill gives what the ETL gives, and it is the birthday's year
    assert query(dwh_config, years_sql) == etl_years
    assert query(dwh_config, dates_sql) == etl_dates
    assert any(year is not None for _, year in etl_years)
    assert query(dwh_config, "SELECT COUNT(*) FROM dim_customer WHERE birth_year IS DISTINCT FROM "
                             "EXTRACT(year FROM birthday)")[0][0] == 0
    # and the ETL still reruns on the migrated warehouse with the same counts
    app.run_etl(dwh_config, lake=str(stedi_sample))
    assert {t: n for t, n in counts(dwh_config).items() if t != "dwhkit_etl_log"} == \
        {t: n for t, n in before.items() if t != "dwhkit_etl_log"}


def test_stamp_adopts_a_warehouse_built_by_create_tables(dwh_config):
    app.create_tables(dwh_config)
    assert migrate.current(dwh_config) == ()
    migrate.stamp(dwh_config, "head")
    assert migrate.current(dwh_config) == migrate.heads()
    migrate.upgrade(dwh_config, "head")  # nothing left to run
    assert migrate.current(dwh_config) == migrate.heads()


# -- migrations vs model --------------------------------------------------------------------------
def test_check_passes_on_the_current_model(dwh_config):
    migrate.check(dwh_config)


def _patch_model(monkeypatch, tables: list) -> None:
    """create_tables finds the warehouse as dwhkit.warehouses.stedi.WAREHOUSE: swap in a changed one."""
    import dwhkit.warehouses.stedi as stedi

    monkeypatch.setattr(stedi, "WAREHOUSE", dataclasses.replace(stedi.WAREHOUSE, tables=tables))


def _altered(tables: list, table: str, old: str, new: str) -> list:
    out = []
    for t in tables:
        if t.name == table:
            assert old in t.ddl
            t = dataclasses.replace(t, ddl=t.ddl.replace(old, new))
        out.append(t)
    return out


def test_check_fails_when_the_model_changes_without_a_revision(dwh_config, monkeypatch):
    tables = _altered(stedi_sql.TABLES, "dim_device", "serial_number VARCHAR(64) NOT NULL,",
                      "serial_number VARCHAR(64) NOT NULL,\n    model VARCHAR(32),")
    tables = _altered(tables, "customer_trusted", "phone               VARCHAR(32),",
                      "phone               VARCHAR(40),")
    _patch_model(monkeypatch, tables)
    with pytest.raises(migrate.SchemaDriftError) as err:
        migrate.check(dwh_config)
    message = str(err.value)
    assert "public.dim_device.model: only in the model (character varying(32))" in message
    assert ("public.customer_trusted.phone: character varying(32) in the migrations, "
            "character varying(40) in the model") in message
    assert message.count("\n") == 2  # exactly those two differences


def test_check_fails_when_a_table_is_dropped_from_the_model(dwh_config, monkeypatch):
    _patch_model(monkeypatch, [t for t in stedi_sql.TABLES if t.name != "dim_date"])
    with pytest.raises(migrate.SchemaDriftError, match=r"public\.dim_date: table only in the migrations"):
        migrate.check(dwh_config)


def test_revisions_are_frozen_snapshots():
    """A revision never imports the model: it must not change when the model does."""
    paths = [p for name in ("stedi", "energy", "criteo") for p in migrate.version_location(name).glob("*.py")]
    assert len(paths) >= 6
    for path in paths:
        imports = [line for line in path.read_text().splitlines() if re.match(r"\s*(from|import)\s", line)]
        assert not [line for line in imports if "warehouses" in line or "pipeline" in line], path


# -- offline: the Redshift script -----------------------------------------------------------------
def _alembic(*args, env=None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "alembic", *args], cwd=ROOT, capture_output=True, text=True,
                          env={**os.environ, **(env or {})}, timeout=120)


def test_offline_sql_is_the_redshift_ddl_verbatim():
    proc = _alembic("upgrade", "head", "--sql", env={"DWH_CONFIG": "/nonexistent/dwh.cfg"})  # connects to nothing
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    for word in ("DISTKEY (\"user\") SORTKEY (\"timestamp\")", "DISTSTYLE ALL SORTKEY (email)", "DISTSTYLE EVEN",
                 "BIGINT IDENTITY(1, 1)", "DEFAULT GETDATE()", "ALTER TABLE dim_customer ADD COLUMN birth_year SMALLINT",
                 "DATE_PART(dow, d.date_key)", "CREATE TABLE alembic_version"):
        assert word in out, word
    for pg_only in ("GENERATED BY DEFAULT AS IDENTITY", "STATEMENT_TIMESTAMP", "DATE_PART('", "CAST(DATE_PART"):
        assert pg_only not in out, pg_only
    for name in (t.name for t in stedi_sql.TABLES):
        assert re.search(rf"^CREATE TABLE {name}(_new)? \(", out, re.M), name
    assert out.count("BEGIN;") == out.count("COMMIT;") == len(migrate.history())  # one transaction per revision
    assert out == migrate.offline_sql("head")


# -- the command lines ----------------------------------------------------------------------------
def test_plain_alembic_reads_dwh_config_and_env_password(cfg_file, dwh_config):
    assert "password" not in cfg_file.read_text()
    env = {"DWH_CONFIG": str(cfg_file)}
    proc = _alembic("upgrade", "head", env=env)
    assert proc.returncode == 0, proc.stderr
    proc = _alembic("current", env=env)
    assert proc.returncode == 0, proc.stderr
    assert f"{migrate.heads()[0]} (head)" in proc.stdout
    assert "dim_date" in public_tables(dwh_config)


def test_dwh_migrate_commands(cfg_file, capsys):
    cfg = ["--config", str(cfg_file)]
    revisions = [rev for rev, _ in migrate.history()]
    assert dwh_main(["migrate", "current", *cfg]) == 0
    assert "none" in capsys.readouterr().out
    assert dwh_main(["migrate", "upgrade", "0001", *cfg]) == 0
    assert capsys.readouterr().out.strip() == "at 0001"
    assert dwh_main(["migrate", "upgrade", *cfg]) == 0
    assert capsys.readouterr().out.strip() == f"at {revisions[-1]}"
    assert dwh_main(["migrate", "downgrade", *cfg]) == 0
    assert capsys.readouterr().out.strip() == f"at {revisions[-2]}"
    assert dwh_main(["migrate", "sql", "0001:0002"]) == 0
    out = capsys.readouterr().out
    assert "CREATE TABLE dim_date" in out and "SORTKEY (date_key)" in out and "staging_customer" not in out
    assert dwh_main(["migrate", "history"]) == 0
    assert re.findall(r"^(\d{4})  ", capsys.readouterr().out, re.M) == revisions
    assert revisions[:3] == ["0001", "0002", "0003"]
