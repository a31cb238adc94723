"""`dwh report` and `dwh etl` output: a header (when, which lake, which target, did the latest attempt
fail), failed runs in the ETL log and the history, each figure printed once, no escape codes in a
pipe, a spinner for slow SQL steps, alembic's chatter only with -v, and --help for every command."""
from __future__ import annotations

import io
import json
import os
import subprocess
import sys

import pytest

from dwhkit import app
from dwhkit.errors import PipelineError


def dwh(*args, cwd, env=None):
    return subprocess.run([sys.executable, "-m", "dwhkit.cli", *args], cwd=cwd, capture_output=True, text=True,
                          env={**os.environ, **(env or {})}, timeout=300)


@pytest.fixture
def cli(pg_dsn, tmp_path, monkeypatch):
    """`dwh --config <a postgres config for the test database> …` in a subprocess, output piped."""
    for key in [k for k in os.environ if k.startswith("DWH_")]:
        monkeypatch.delenv(key)
    monkeypatch.setenv("DWH_CLUSTER_DB_PASSWORD", pg_dsn["password"])
    cfg = tmp_path / "pg.cfg"
    cfg.write_text(f"[TARGET]\ntype = postgres\n[CLUSTER]\nhost = {pg_dsn['host']}\nport = {pg_dsn['port']}\n"
                   f"db_name = {pg_dsn['dbname']}\ndb_user = {pg_dsn['user']}\n")
    return lambda *args, env=None: dwh("--config", str(cfg), *args, cwd=tmp_path, env=env)


def test_failed_run_is_logged_and_the_report_says_so(dwh_config, stedi_sample, tmp_path):
    app.create_tables(dwh_config)
    good = app.run_etl(dwh_config, lake=str(stedi_sample))
    assert good["header"]["lake"] == str(stedi_sample) and good["header"]["latest_failed"] is None
    assert good["header"]["finished_at"] is not None
    assert good["header"]["target"].startswith("postgres ") and str(dwh_config.cluster.db_password) not in good["header"]["target"]
    empty_lake = tmp_path / "empty-lake"
    empty_lake.mkdir()
    with pytest.raises(PipelineError):
        app.run_etl(dwh_config, lake=str(empty_lake))  # no landing files: the first load fails
    rep = app.report(dwh_config)
    failed = rep["header"]["latest_failed"]
    assert failed is not None and failed["step"] == "load staging_customer" and failed["error"]
    assert "\n" not in failed["error"]
    # the report's figures are still those of the last run that finished, and say where it read
    assert rep["run_id"] == good["run_id"] and rep["header"]["lake"] == str(stedi_sample)
    assert rep["tables"] == good["tables"] and rep["steps"] == good["steps"]
    newest, previous = rep["history"][:2]
    assert (newest["status"], newest["step"]) == ("failed", "load staging_customer")
    assert (previous["run_id"], previous["status"], previous["step"]) == (good["run_id"], "ok", None)
    assert previous["rows_loaded"] == sum(t["rows"] for t in good["tables"] if t["zone"] == "landing")
    assert newest["finished_at"] >= previous["finished_at"] == rep["header"]["finished_at"]
    assert set(newest) == {"run_id", "finished_at", "status", "step", "error", "seconds", "rows_loaded"}
    # a later successful run clears the flag
    again = app.run_etl(dwh_config, lake=str(stedi_sample))
    assert again["header"]["latest_failed"] is None and [h["status"] for h in again["history"][:3]] == ["ok", "failed", "ok"]


def test_cli_report_header_and_each_figure_once(cli, stedi_sample, tmp_path):
    assert cli("create-tables").returncode == 0
    etl = cli("etl", "--lake", str(stedi_sample))
    assert etl.returncode == 0, etl.stderr
    out = etl.stdout + etl.stderr
    assert "Load into table" not in out                        # the counts are in the report's table
    for step in ("load staging_customer", "trusted zone", "machine learning table"):
        assert out.count(step) == 1, (step, out)               # one line per step, with its seconds
    assert f"lake: {stedi_sample}" in etl.stdout and "target: postgres " in etl.stdout
    empty_lake = tmp_path / "empty-lake"
    empty_lake.mkdir()
    failed = cli("etl", "--lake", str(empty_lake))
    assert failed.returncode == 2 and "Traceback" not in failed.stderr
    assert failed.stderr.startswith("error: step 'load staging_customer' failed and was rolled back")
    assert len(failed.stderr.strip().splitlines()) == 1
    report = cli("report")
    assert "the latest attempt failed" in report.stdout and "load staging_customer" in report.stdout
    header = json.loads(cli("report", "--json").stdout)["header"]
    assert header["latest_failed"]["step"] == "load staging_customer" and header["lake"] == str(stedi_sample)


def test_run_json_prints_only_the_report_on_stdout(cli, stedi_sample):
    proc = cli("run", "--json", "--lake", str(stedi_sample))
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["passed"] and "created" in proc.stderr


NO_ANSI_ENV = {"TERM": "xterm-256color", "COLORTERM": "truecolor", "FORCE_COLOR": "1", "DWH_COPY_PROGRESS": ""}


def test_no_escape_codes_in_a_pipe(cli, stedi_sample, tmp_path):
    sql = tmp_path / "q.sql"
    sql.write_text("SELECT TOP 3 NVL(a, 1) FROM t;\nCREATE TABLE x (a INT) DISTSTYLE ALL SORTKEY (a);\n")
    assert cli("create-tables").returncode == 0
    runs = [cli("translate", str(sql), env=NO_ANSI_ENV), cli("etl", "--lake", str(stedi_sample), env=NO_ANSI_ENV),
            cli("report", env=NO_ANSI_ENV), cli("report", "--help", env=NO_ANSI_ENV), cli("nope", env=NO_ANSI_ENV)]
    for proc in runs:
        assert "\x1b" not in proc.stdout + proc.stderr, proc.args
    assert "COALESCE" in runs[0].stdout and "checks" in runs[2].stdout


def test_alembic_chatter_only_with_verbose(cli):
    quiet, loud, loud_after = cli("migrate", "current"), cli("-v", "migrate", "current"), cli("migrate", "current", "-v")
    assert quiet.returncode == loud.returncode == loud_after.returncode == 0
    assert quiet.stdout.strip() == "none (not migrated or stamped yet)"
    assert "Context impl" not in quiet.stderr and "alembic" not in quiet.stderr.lower()
    assert "Context impl" in loud.stderr and "Context impl" in loud_after.stderr  # -v before or after the command


def test_step_spinner_shows_the_step_and_elapsed_time(monkeypatch):
    """Forced on (as on a terminal) it draws the step's name; off (a pipe) it draws nothing."""
    import threading

    from dwhkit.copy import progress

    monkeypatch.setenv("DWH_COPY_PROGRESS", "1")
    err = io.StringIO()
    monkeypatch.setattr(sys, "stderr", err)
    shown = threading.Event()
    spinner = progress.step_spinner("machine learning table")
    assert isinstance(spinner, progress.StepSpinner)
    spinner.delay = 0.0
    spinner._timer.interval = 0.0
    real_show = spinner._show

    def show():
        real_show()
        shown.set()

    spinner._timer.function = show
    with spinner:
        assert shown.wait(30)                                    # the step "runs" until the spinner is up
    assert "machine learning table" in err.getvalue() and "0:00:0" in err.getvalue()  # label, elapsed clock
    monkeypatch.setenv("DWH_COPY_PROGRESS", "0")
    err.truncate(0)
    with progress.step_spinner("dimensions"):
        pass
    assert err.getvalue() == ""


def test_the_cli_puts_a_spinner_on_sql_steps_only():
    from types import SimpleNamespace

    from dwhkit.cli import _watch_step
    from dwhkit.copy import progress

    os.environ["DWH_COPY_PROGRESS"] = "1"
    try:
        assert isinstance(_watch_step(SimpleNamespace(name="trusted zone", table=None)), progress.StepSpinner)
        assert not isinstance(_watch_step(SimpleNamespace(name="load x", table="x")), progress.StepSpinner)
    finally:
        del os.environ["DWH_COPY_PROGRESS"]


def test_every_command_has_a_description_examples_and_the_warehouse_names():
    from dwhkit.cli import build_parser
    from dwhkit.warehouses import warehouse_names

    parser = build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    assert len(sub.choices) >= 10
    for name, sp in sub.choices.items():
        text = sp.format_help()
        assert sp.description and len(sp.description) > 40, name
        assert "examples:\n  " in text and "dwh" in text.split("examples:")[1], name
        assert all(w in text for w in warehouse_names()), name
        assert "--config" in text and "--warehouse" in text and "--verbose" in text, name
    assert "examples:" in parser.format_help()


def test_report_html(cli, stedi_sample, tmp_path):
    assert cli("create-tables").returncode == 0
    out = tmp_path / "report.html"
    proc = cli("etl", "--lake", str(stedi_sample), "--html", str(out))
    assert proc.returncode == 0, proc.stderr
    assert out.is_file() and "stedi" in out.read_text()
