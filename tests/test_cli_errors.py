"""What a user sees when something is wrong: one line that says what to do, exit status 2, never a
traceback — in an empty folder, against a stopped server, and on a warehouse with no tables.
Real servers throughout (the session's embedded Postgres, and one started in an empty folder)."""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys

import psycopg2
import pytest


def dwh(*args, cwd, env=None):
    return subprocess.run([sys.executable, "-m", "dwhkit.cli", *args], cwd=cwd, capture_output=True, text=True,
                          env={**os.environ, **(env or {})}, timeout=300)


def assert_one_line_error(proc, *needles, where=""):
    assert proc.returncode == 2, (where, proc.returncode, proc.stdout, proc.stderr)
    assert "Traceback" not in proc.stderr, (where, proc.stderr)
    # log lines ("dwhkit: …", e.g. where the embedded cluster lives) and the "note: " hint aside
    errors = [line for line in proc.stderr.splitlines() if not line.startswith(("note: ", "dwhkit: "))]
    assert len(errors) == 1 and errors[0].startswith("error: "), (where, proc.stderr)
    for needle in needles:
        assert needle in errors[0], (where, needle, errors[0])
    return errors[0]


def _clean_env(monkeypatch):
    for key in [k for k in os.environ if k.startswith("DWH_")]:
        monkeypatch.delenv(key)


# -- a stopped server --------------------------------------------------------------------------
def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


STOPPED_SERVER_COMMANDS = [["create-tables"], ["etl"], ["run"], ["report"], ["report", "--json"],
                           ["migrate", "current"], ["migrate", "upgrade"], ["migrate", "check"],
                           ["ingest", "--follow", "--once"], ["--warehouse", "criteo", "report"]]


def test_every_command_against_a_stopped_server(tmp_path, monkeypatch):
    _clean_env(monkeypatch)
    (tmp_path / "dwh.cfg").write_text(f"[TARGET]\ntype = postgres\n[CLUSTER]\nhost = 127.0.0.1\n"
                                      f"port = {_closed_port()}\n")
    for args in STOPPED_SERVER_COMMANDS:
        proc = dwh(*args, cwd=tmp_path)
        assert_one_line_error(proc, "cannot connect to postgres", "start that server, or fix [CLUSTER] host and port",
                              where=args)
    assert not (tmp_path / ".dwhkit").exists()  # etl connects before it generates a sample
    # `dwh db` on a non-embedded target says so, in one line
    assert_one_line_error(dwh("db", "status", cwd=tmp_path), "manages the embedded server")


# -- a warehouse whose tables do not exist ----------------------------------------------------
def _cfg(tmp_path, dsn) -> str:
    path = tmp_path / "pg.cfg"
    path.write_text(f"[TARGET]\ntype = postgres\n[CLUSTER]\nhost = {dsn['host']}\nport = {dsn['port']}\n"
                    f"db_name = {dsn['dbname']}\ndb_user = {dsn['user']}\n")
    return str(path)


@pytest.fixture
def pg_cli(pg_dsn, tmp_path, monkeypatch):
    _clean_env(monkeypatch)
    monkeypatch.setenv("DWH_CLUSTER_DB_PASSWORD", pg_dsn["password"])
    cfg = _cfg(tmp_path, pg_dsn)
    return lambda *args: dwh("--config", cfg, *args, cwd=tmp_path)


def test_every_command_on_a_warehouse_with_no_tables(pg_cli, pg_dsn):
    for args, name in ((["report"], "stedi"), (["etl"], "stedi"), (["report", "--json"], "stedi"),
                       (["--warehouse", "criteo", "report"], "criteo"), (["--warehouse", "energy", "etl"], "energy")):
        line = assert_one_line_error(pg_cli(*args), where=args)
        assert line == (f"error: the {name} warehouse has no tables yet; run create_tables.py --warehouse {name} "
                        f"(or dwh --warehouse {name} create-tables) first"), line
    # a warehouse with some tables missing, and one built before dwhkit_etl_log had its status columns
    assert pg_cli("create-tables").returncode == 0
    with psycopg2.connect(**pg_dsn) as conn, conn.cursor() as cur:
        cur.execute("DROP TABLE dim_time CASCADE")
    assert_one_line_error(pg_cli("report"), "missing 1 table(s) (dim_time)", "dwh migrate upgrade")
    assert pg_cli("create-tables").returncode == 0
    with psycopg2.connect(**pg_dsn) as conn, conn.cursor() as cur:
        cur.execute("ALTER TABLE dwhkit_etl_log DROP COLUMN status")
    assert_one_line_error(pg_cli("etl"), "made by an older dwhkit", "dwh migrate upgrade")
    assert pg_cli("create-tables").returncode == 0          # create-tables brings the old log up to date
    assert pg_cli("report").returncode == 0
    # a schema changed under dwhkit's feet: the driver's error, mapped to one line naming the target
    with psycopg2.connect(**pg_dsn) as conn, conn.cursor() as cur:
        cur.execute("ALTER TABLE customer_trusted DROP COLUMN email CASCADE")
    assert_one_line_error(pg_cli("report"), f"error: postgres {pg_dsn['user']}@", "email does not exist")
    # migrate upgrade over tables create-tables made: the driver's error, in one line, with the way out
    assert_one_line_error(pg_cli("migrate", "upgrade"), "already exists", "dwh migrate stamp head")


def test_bad_files_and_arguments(tmp_path, monkeypatch):
    _clean_env(monkeypatch)
    (tmp_path / "a-file").write_text("x")
    for args, needle in ((["translate", "missing.sql"], "cannot read missing.sql"),
                         (["check", "missing.sql"], "cannot read missing.sql"),
                         (["sample", str(tmp_path / "a-file" / "lake")], "cannot write the sample"),
                         (["ingest"], "only --follow is implemented"),
                         (["--config", "nope.cfg", "report"], "config file not found")):
        assert_one_line_error(dwh(*args, cwd=tmp_path), needle, where=args)


# -- an empty folder: the embedded default -------------------------------------------------------
@pytest.fixture
def empty_folder(tmp_path, monkeypatch):
    _clean_env(monkeypatch)
    folder = tmp_path / "empty"
    folder.mkdir()
    tmp_path.chmod(0o755)
    folder.chmod(0o777)
    yield folder
    status = dwh("db", "status", cwd=folder).stdout
    dwh("db", "stop", cwd=folder)
    if "data: /var/tmp/dwhkit-" in status:  # the cluster moved out of a folder postgres cannot reach
        shutil.rmtree(status.split("data: ")[1].split()[0], ignore_errors=True)


def test_every_command_in_an_empty_folder(empty_folder):
    proc = dwh("report", cwd=empty_folder)
    assert_one_line_error(proc, "the stedi warehouse has no tables yet; run create_tables.py")
    # the embedded server keeps running: said once, on stderr
    assert proc.stderr.count("`dwh db stop` stops it") == 1
    assert_one_line_error(dwh("etl", cwd=empty_folder), "has no tables yet")
    assert not (empty_folder / ".dwhkit" / "sample").exists()
    assert_one_line_error(dwh("--warehouse", "criteo", "report", "--json", cwd=empty_folder), "criteo warehouse")
    current = dwh("migrate", "current", cwd=empty_folder)
    assert current.returncode == 0 and current.stdout.strip() == "none (not migrated or stamped yet)"
    assert "Traceback" not in current.stderr
    assert dwh("db", "status", cwd=empty_folder).returncode == 0
    assert not [p.name for p in empty_folder.iterdir() if p.name != ".dwhkit"]  # nothing else written
