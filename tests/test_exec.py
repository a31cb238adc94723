"""`dwh exec`: unmodified classic projects (tests/projects/) run in subprocesses with their
connections to the cluster routed to the test session's Postgres, S3 served by moto over HTTP.

The project folders are copied, and only their dwh.cfg's [S3] values are pointed at the test
bucket (what a user does to point a project at their own data); the scripts are untouched."""
from __future__ import annotations

import configparser
import os
import shutil
import subprocess
import sys
from pathlib import Path

import psycopg2
import pytest

from dwhkit.patching.exec import child_environment, command_line, resolve_config
from tests.test_classic_sparkify import upload_sparkify

PROJECTS = Path(__file__).resolve().parent / "projects"
PSYCOPG2_PROJECT = PROJECTS / "classic_sparkify_unmodified"
RC_PROJECT = PROJECTS / "classic_sparkify_redshift_connector"


def dwhkit_config(tmp_path: Path, pg_dsn: dict) -> Path:
    """dwhkit's own settings for the run: the session's Postgres (the password in the environment)."""
    cfg = tmp_path / "dwhkit.cfg"
    cfg.write_text(f"[TARGET]\ntype = postgres\n[CLUSTER]\nhost = {pg_dsn['host']}\nport = {pg_dsn['port']}\n"
                   f"db_name = {pg_dsn['dbname']}\ndb_user = {pg_dsn['user']}\n")
    return cfg


def dwh_exec(args, cwd, pg_dsn, extra_env=None):
    env = dict(os.environ, DWH_CLUSTER_DB_PASSWORD=pg_dsn["password"], **(extra_env or {}))
    env.pop("DWH_CONFIG", None)
    return subprocess.run([sys.executable, "-m", "dwhkit.cli", *args], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=300)


def copy_project(src: Path, dest: Path, s3_values: dict) -> Path:
    shutil.copytree(src, dest)
    cfg = configparser.ConfigParser()
    cfg.optionxform = str  # keep the project's key case as written
    cfg.read(dest / "dwh.cfg")
    for key, value in s3_values.items():
        cfg["S3"][key] = value
    with open(dest / "dwh.cfg", "w") as fh:
        cfg.write(fh)
    return dest


def scripts_unchanged(src: Path, dest: Path) -> bool:
    return all((dest / p.name).read_bytes() == p.read_bytes() for p in src.glob("*.py"))


def query(pg_dsn, sql):
    with psycopg2.connect(**pg_dsn) as conn, conn.cursor() as cur:
        cur.execute(sql)
        return cur.fetchall()


def test_classic_psycopg2_project_runs_unmodified(tmp_path, pg_dsn, s3, bucket):
    n_songs, n_next = upload_sparkify(s3, bucket)
    project = copy_project(PSYCOPG2_PROJECT, tmp_path / "project", {
        "LOG_DATA": f"s3://{bucket}/log_data", "LOG_JSONPATH": f"s3://{bucket}/log_json_path.json",
        "SONG_DATA": f"s3://{bucket}/song_data"})
    assert scripts_unchanged(PSYCOPG2_PROJECT, project)
    cfg = dwhkit_config(tmp_path, pg_dsn)
    secret = configparser.ConfigParser()
    secret.read(project / "dwh.cfg")
    password = secret["CLUSTER"]["DB_PASSWORD"]

    first = dwh_exec(["exec", "--config", str(cfg), "--", "python", "create_tables.py"], project, pg_dsn)
    assert first.returncode == 0, first.stderr
    assert "tables created" in first.stdout
    second = dwh_exec(["-v", "exec", "--config", str(cfg), "python", "etl.py"], project, pg_dsn)
    assert second.returncode == 0, second.stderr
    assert f"songplays: {n_next}" in second.stdout, second.stdout + second.stderr
    # -v: the child says where each connection went; the script's password is never shown
    assert "psycopg2 connection to sparkify-dwh.c0ffee123abc.us-west-2.redshift.amazonaws.com routed to" \
        in second.stderr
    for out in (first.stdout, first.stderr, second.stdout, second.stderr):
        assert password not in out

    assert query(pg_dsn, "SELECT COUNT(*) FROM staging_events") == [(120,)]
    assert query(pg_dsn, "SELECT COUNT(*) FROM staging_songs") == [(n_songs,)]
    assert query(pg_dsn, "SELECT COUNT(*), MIN(songplay_id) FROM fact_songplay") == [(n_next, 1)]
    assert query(pg_dsn, "SELECT COUNT(*) FROM dim_artist") == [(12,)]
    assert query(pg_dsn, "SELECT COUNT(*) FROM dim_song WHERE year IS NULL") == [(6,)]  # year 0 → NULL
    assert query(pg_dsn, "SELECT COUNT(*) FROM dim_time") == \
        query(pg_dsn, "SELECT COUNT(DISTINCT start_time) FROM fact_songplay")
    # epoch milliseconds → timestamps on the second
    assert query(pg_dsn, "SELECT MIN(start_time)::text FROM fact_songplay")[0][0].startswith("2018-11-0")


def test_classic_redshift_connector_project_runs_unmodified_in_child_processes(tmp_path, pg_dsn, s3, bucket):
    n_songs, _ = upload_sparkify(s3, bucket)
    project = copy_project(RC_PROJECT, tmp_path / "project", {"song_data": f"s3://{bucket}/song_data"})
    assert scripts_unchanged(RC_PROJECT, project)
    cfg = dwhkit_config(tmp_path, pg_dsn)
    run = dwh_exec(["exec", "--config", str(cfg), "--", "python", "run_all.py"], project, pg_dsn)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "created 4 tables" in run.stdout
    assert f"artists: 12 songs: {n_songs}" in run.stdout, run.stdout
    assert "Placeholder-Rc-Pw-51e0" not in run.stdout + run.stderr
    assert query(pg_dsn, "SELECT COUNT(*) FROM genre_tags") == [(3,)]
    assert query(pg_dsn, "SELECT COUNT(*) FROM songs WHERE year IS NULL") == [(6,)]


def test_exec_module_pytest_and_other_hosts(tmp_path, pg_dsn):
    """`dwh exec -m pytest`: tests that connect to a cluster get dwhkit; the test session's own
    Postgres, reached directly, is a real psycopg2 connection."""
    d = pg_dsn
    (tmp_path / "test_inner.py").write_text(
        "import psycopg2\n\n"
        "def test_cluster_is_routed():\n"
        "    conn = psycopg2.connect(host='c.abc.us-east-1.redshift.amazonaws.com', dbname='dev',\n"
        "                            user='u', password='p', port=5439)\n"
        "    cur = conn.cursor()\n"
        "    cur.execute('SELECT NVL(NULL, 7)')\n"
        "    assert cur.fetchone() == (7,) and type(conn).__name__ == 'Psycopg2Connection'\n\n"
        "def test_names_bound_by_from_import():\n"
        "    from psycopg2 import connect as pg_connect\n"
        "    from sqlalchemy import create_engine, text\n"
        "    conn = pg_connect('host=c.abc.us-east-1.redshift.amazonaws.com dbname=dev user=u password=p')\n"
        "    assert type(conn).__name__ == 'Psycopg2Connection'\n"
        "    engine = create_engine('redshift+redshift_connector://u:p@c.abc.us-east-1.redshift.amazonaws.com/dev')\n"
        "    with engine.connect() as c:\n"
        "        assert c.execute(text('SELECT DECODE(1, 1, :x)'), {'x': 'one'}).scalar() == 'one'\n\n"
        "def test_plain_postgres_is_untouched():\n"
        f"    conn = psycopg2.connect(host={d['host']!r}, port={d['port']}, dbname={d['dbname']!r},\n"
        f"                            user={d['user']!r}, password={d['password']!r})\n"
        "    assert type(conn) is psycopg2.extensions.connection\n"
        "    conn.close()\n")
    cfg = dwhkit_config(tmp_path, pg_dsn)
    run = dwh_exec(["exec", "--config", str(cfg), "-m", "pytest", "-q", "-p", "no:cacheprovider",
                    "test_inner.py"], tmp_path, pg_dsn)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "3 passed" in run.stdout


def test_an_existing_sitecustomize_and_pythonpath_are_kept(tmp_path, pg_dsn):
    theirs = tmp_path / "their_site"
    theirs.mkdir()
    (theirs / "sitecustomize.py").write_text("import builtins\nbuiltins.THEIR_HOOK_RAN = True\n")
    (theirs / "their_helper.py").write_text("VALUE = 42\n")
    probe = ("import builtins, psycopg2, their_helper\n"
             "print(getattr(builtins, 'THEIR_HOOK_RAN', False), their_helper.VALUE,\n"
             "      hasattr(psycopg2.connect, '__dwhkit_original__'))\n")
    run = dwh_exec(["exec", "--config", str(dwhkit_config(tmp_path, pg_dsn)), "python", "-c", probe], tmp_path,
                   pg_dsn, extra_env={"PYTHONPATH": str(theirs)})
    assert run.returncode == 0, run.stderr
    assert run.stdout.split() == ["True", "42", "True"]


def test_exit_codes_pass_through(tmp_path, pg_dsn):
    run = dwh_exec(["exec", "--config", str(dwhkit_config(tmp_path, pg_dsn)), "python", "-c",
                    "import sys; sys.exit(3)"], tmp_path, pg_dsn)
    assert run.returncode == 3
    missing = dwh_exec(["exec", "--config", str(dwhkit_config(tmp_path, pg_dsn)), "no-such-program-xyz"],
                       tmp_path, pg_dsn)
    assert missing.returncode == 2 and "no-such-program-xyz" in missing.stderr


# ---- which dwhkit config the patch uses (no server needed) -------------------------------------
def test_a_classic_dwh_cfg_means_the_embedded_target_beside_it(tmp_path):
    """The project's own dwh.cfg names a cluster in [CLUSTER] and has no [TARGET]: dwhkit reads it
    as its default embedded target, data under the project folder; the cluster's password is in
    no printable form of the config."""
    project = copy_project(PSYCOPG2_PROJECT, tmp_path / "p", {})
    config, path = resolve_config(None, env={}, cwd=project)
    assert path == project / "dwh.cfg"
    assert config.target_type == "embedded"
    assert config.resolve(config.embedded_data_dir) == project / ".dwhkit" / "pg"
    assert "Placeholder-Pw-9d41c" not in repr(config)


def test_config_order_and_a_redshift_target_refused(tmp_path):
    from dwhkit.errors import ConfigError

    other = tmp_path / "local.cfg"
    other.write_text("[TARGET]\ntype = postgres\n[CLUSTER]\nhost = db.internal\n")
    (tmp_path / "dwh.cfg").write_text("[CLUSTER]\nhost = x.redshift.amazonaws.com\n")
    assert resolve_config(None, env={"DWH_CONFIG": str(other)}, cwd=tmp_path)[1] == other
    assert resolve_config(str(other), env={}, cwd=tmp_path)[0].target_type == "postgres"
    rs = tmp_path / "rs.cfg"
    rs.write_text("[TARGET]\ntype = redshift\n[CLUSTER]\nhost = x.redshift.amazonaws.com\n")
    with pytest.raises(ConfigError, match="routes Redshift connections to a local target"):
        resolve_config(str(rs), env={}, cwd=tmp_path)


def test_child_environment_and_command_line(tmp_path):
    env = child_environment(tmp_path / "dwh.cfg", env={"PYTHONPATH": "/a:/b"}, cwd=tmp_path)
    parts = env["PYTHONPATH"].split(os.pathsep)
    assert (Path(parts[0]) / "sitecustomize.py").is_file() and parts[1:] == ["/a", "/b"]
    assert env["DWH_PATCH_CONFIG"] == str(tmp_path / "dwh.cfg")
    no_file = child_environment(None, env={}, cwd=tmp_path)
    assert no_file["DWH_EMBEDDED_DATA_DIR"] == str(tmp_path / ".dwhkit" / "pg")
    assert command_line(None, ["--", "python", "etl.py"]) == [sys.executable, "etl.py"]
    assert command_line("pytest", ["-q"]) == [sys.executable, "-m", "pytest", "-q"]
    assert command_line(None, ["bash", "-c", "true"]) == ["bash", "-c", "true"]


def test_with_no_dwhkit_config_the_project_runs_on_the_embedded_target_beside_it(tmp_path):
    """The headline flow: in a project folder with only its own dwh.cfg, `dwh exec python
    create_tables.py` builds the tables in dwhkit's embedded Postgres under the project folder."""
    import dwhkit
    from dwhkit.config import load_config
    from dwhkit.targets.embedded import EmbeddedServer

    project = copy_project(PSYCOPG2_PROJECT, tmp_path / "project", {})
    os.chmod(tmp_path, 0o755)
    config = load_config(project / "dwh.cfg")
    server = EmbeddedServer(config.resolve(config.embedded_data_dir), port=config.embedded_port)
    env = {k: v for k, v in os.environ.items() if not k.startswith("DWH_")}
    try:
        run = subprocess.run([sys.executable, "-m", "dwhkit.cli", "exec", "python", "create_tables.py"],
                             cwd=project, env=env, capture_output=True, text=True, timeout=300)
        assert run.returncode == 0, run.stdout + run.stderr
        assert "tables created" in run.stdout
        conn = dwhkit.connect(config)
        cur = conn.cursor()
        cur.execute("SELECT COUNT(*) FROM information_schema.tables WHERE table_name IN "
                    "('staging_events', 'staging_songs', 'fact_songplay', 'dim_user', 'dim_song', 'dim_artist', "
                    "'dim_time')")
        assert cur.fetchone() == (7,)
        conn.close()
    finally:
        server.destroy()


def test_a_python_without_dwhkit_still_runs_the_command(tmp_path, pg_dsn):
    """The hook never stops a program: a Python that cannot import dwhkit says so and runs unpatched."""
    other = Path("/usr/bin/python3")
    if not other.exists() or subprocess.run([str(other), "-c", "import dwhkit"], cwd=tmp_path,
                                            capture_output=True).returncode == 0:
        pytest.skip("needs a second Python without dwhkit")
    run = dwh_exec(["exec", "--config", str(dwhkit_config(tmp_path, pg_dsn)), str(other), "-c", "print('ran')"],
                   tmp_path, pg_dsn)
    assert run.returncode == 0 and run.stdout.strip() == "ran"
    assert "dwhkit cannot be imported" in run.stderr and "unpatched" in run.stderr
