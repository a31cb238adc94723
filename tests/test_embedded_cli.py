"""The embedded server and the `dwh` command as a user runs them (subprocesses, real server)."""
from __future__ import annotations

import os
import subprocess
import sys

import psutil
import psycopg2
import pytest

from .conftest import ROOT


def dwh(*args, cwd, env=None, check=True):
    proc = subprocess.run([sys.executable, "-m", "dwhkit.cli", *args], cwd=cwd, capture_output=True, text=True,
                          env={**os.environ, **(env or {})}, timeout=300)
    if check and proc.returncode != 0:
        raise AssertionError(f"dwh {' '.join(args)} failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}")
    return proc


@pytest.fixture
def project(tmp_path):
    """A project folder with the template dwh.cfg and its own embedded server."""
    tmp_path.chmod(0o755)
    (tmp_path / "dwh.cfg").write_text((ROOT / "dwh.cfg").read_text())
    yield tmp_path
    status = dwh("db", "status", cwd=tmp_path, check=False).stdout
    dwh("db", "stop", cwd=tmp_path, check=False)
    if "data: /var/tmp/dwhkit-" in status:  # the cluster moved out of the private tmp folder
        import shutil

        shutil.rmtree(status.split("data: ")[1].split()[0], ignore_errors=True)


def test_db_start_url_status_stop(project):
    dwh("db", "start", cwd=project)
    url = dwh("db", "url", cwd=project).stdout.strip()
    assert url.startswith("postgresql://dwh:") and "@127.0.0.1:" in url
    with psycopg2.connect(url) as conn, conn.cursor() as cur:
        cur.execute("SELECT current_database(), current_setting('TimeZone')")
        assert cur.fetchone() == ("dwh", "UTC")
    status = dwh("db", "status", cwd=project).stdout
    assert "running" in status
    from pathlib import Path

    data_root = Path(status.split("data: ")[1].split()[0])  # /var/tmp/… when root can't share the folder
    pid_file = data_root / "data" / "postmaster.pid"
    postmaster = psutil.Process(int(pid_file.read_text().split()[0]))
    if os.geteuid() == 0:  # Postgres refuses root: the server runs as the unprivileged user
        assert postmaster.username() == "postgres"
    assert "stopped" in dwh("db", "stop", cwd=project).stdout
    assert "stopped" in dwh("db", "status", cwd=project).stdout


def test_main_job_on_the_embedded_default(project):
    """What the README's first command does: create tables, load the generated sample, report."""
    dwh("create-tables", cwd=project)
    out = dwh("etl", "--json", cwd=project).stdout
    import json

    report = json.loads(out)
    assert report["passed"]
    assert {t["table"]: t["rows"] for t in report["tables"]}["machine_learning_curated"] > 0
    assert (project / ".dwhkit" / "sample" / "stedi" / "customer").is_dir()
    # data kept between runs: a later report reads the same warehouse
    again = json.loads(dwh("report", "--json", cwd=project).stdout)
    assert again["tables"] == report["tables"]


def test_connection_error_names_target_and_hides_password(project):
    env = {"DWH_TARGET_TYPE": "postgres", "DWH_CLUSTER_HOST": "127.0.0.1", "DWH_CLUSTER_PORT": "1",
           "DWH_CLUSTER_DB_PASSWORD": "planted-Secret-42"}
    proc = dwh("report", cwd=project, env=env, check=False)
    assert proc.returncode == 2
    assert "cannot connect to postgres dwhuser@127.0.0.1:1/dwh" in proc.stderr
    assert "planted-Secret-42" not in proc.stdout + proc.stderr
    assert "Traceback" not in proc.stderr


def test_every_command_has_help():
    from dwhkit.cli import build_parser

    parser = build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    for name, sp in sub.choices.items():
        assert sp.description or sub._choices_actions, name
    helps = {a.dest: a.help for a in sub._choices_actions}
    assert all(helps.get(name) for name in sub.choices), helps


def test_missing_server_binaries_say_how_to_get_them(monkeypatch, tmp_path):
    """A machine with no Postgres server: the error names the packages to install."""
    from dwhkit.errors import ServerError
    from dwhkit.targets import embedded

    monkeypatch.setattr(embedded.glob, "glob", lambda pattern: [])
    monkeypatch.setattr(embedded.shutil, "which", lambda name: None)
    monkeypatch.setenv("DWH_PG_BINDIR", str(tmp_path))      # an empty folder
    with pytest.raises(ServerError) as err:
        embedded.find_bindir()
    assert "apt-get install postgresql" in str(err.value) and "DWH_PG_BINDIR" in str(err.value)
