"""Shared fixtures: one real embedded Postgres per test session (a fresh database per test)
and one moto S3 server in server mode on 127.0.0.1 (reached over HTTP through boto3)."""
from __future__ import annotations

import os
import tempfile
import time
import uuid
from pathlib import Path

import psycopg2
import pytest

from dwhkit.targets.embedded import EmbeddedServer

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
STEDI_DATA = SHARED / "data" / "stedi"


@pytest.fixture(scope="session")
def pg_embedded_server(request):
    """A throwaway embedded Postgres for the whole test session. When a test failed, the end of
    its server log is kept (printed in the summary, saved under /tmp): a backend crash or a lost
    connection is only explained there, and the server's folder goes with the session."""
    root = Path(tempfile.mkdtemp(prefix="dwhkit-test-pg-", dir="/tmp"))
    os.chmod(root, 0o755)
    server = EmbeddedServer(root / "pg")
    server.start()
    yield server
    if request.session.testsfailed:
        _keep_server_log(request.config, server.log_file)
    server.destroy()
    import shutil
    shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="session")
def pg_server(pg_embedded_server):
    """The session server's connection facts (``.dsn(dbname)``, ``.host``, ``.port``, …)."""
    return pg_embedded_server.start()


def _keep_server_log(config, log_file: Path, lines: int = 80) -> None:
    try:
        text = log_file.read_text(errors="replace")
    except OSError:
        return
    kept = Path(tempfile.mkdtemp(prefix="dwhkit-test-server-log-", dir="/tmp")) / "server.log"
    kept.write_text(text)
    config.stash[SERVER_LOG] = (kept, text.splitlines()[-lines:])


SERVER_LOG = pytest.StashKey[tuple]()


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    kept = config.stash.get(SERVER_LOG, None)
    if kept is None:
        return
    path, tail = kept
    terminalreporter.section(f"end of the test Postgres server's log (whole log kept in {path})")
    for line in tail:
        terminalreporter.line(line)


@pytest.fixture
def pg_dsn(pg_server):
    """Connection parameters of a brand-new, empty database, dropped after the test."""
    name = f"t_{uuid.uuid4().hex[:12]}"
    admin = psycopg2.connect(**pg_server.dsn("postgres"))
    admin.autocommit = True
    with admin.cursor() as cur:
        cur.execute(f'CREATE DATABASE "{name}"')
    yield pg_server.dsn(name)
    # The test role is not a superuser: FORCE cannot end an autovacuum worker that happens to be
    # on the database ("must be a member of the role…"); it ends in a moment, so try again.
    for attempt in range(20):
        try:
            with admin.cursor() as cur:
                cur.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            break
        except psycopg2.Error:
            if attempt == 19:
                raise
            time.sleep(0.25)
    admin.close()


@pytest.fixture
def pg_conn(pg_dsn):
    """A plain psycopg2 connection to the fresh test database."""
    conn = psycopg2.connect(**pg_dsn)
    yield conn
    conn.close()


@pytest.fixture(scope="session")
def s3_endpoint():
    """moto in server mode on loopback; boto3 finds it through AWS_ENDPOINT_URL_S3."""
    from moto.server import ThreadedMotoServer

    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    url = f"http://127.0.0.1:{port}"
    saved = {k: os.environ.get(k) for k in
             ("AWS_ENDPOINT_URL_S3", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_DEFAULT_REGION",
              "AWS_SESSION_TOKEN", "AWS_PROFILE")}
    os.environ.update({"AWS_ENDPOINT_URL_S3": url, "AWS_ACCESS_KEY_ID": "testing",
                       "AWS_SECRET_ACCESS_KEY": "testing", "AWS_DEFAULT_REGION": "us-east-1"})
    os.environ.pop("AWS_SESSION_TOKEN", None)
    os.environ.pop("AWS_PROFILE", None)
    yield url
    server.stop()
    for k, v in saved.items():
        if v is None:
            os.environ.pop(k, None)
        else:
            os.environ[k] = v


@pytest.fixture
def s3(s3_endpoint):
    """A boto3 S3 client against the local server."""
    import boto3
    return boto3.client("s3", region_name="us-east-1")


@pytest.fixture
def bucket(s3):
    """A fresh, empty bucket name per test."""
    name = f"test-{uuid.uuid4().hex[:16]}"
    s3.create_bucket(Bucket=name)
    return name


@pytest.fixture
def dwh_config(pg_dsn, tmp_path):
    """A dwhkit Config whose target is the fresh test database (type = postgres)."""
    from dwhkit.config import ClusterConfig, Config, Secret

    cfg_file = tmp_path / "dwh.cfg"
    cfg_file.write_text("[TARGET]\ntype = postgres\n")
    return Config(path=cfg_file, target_type="postgres",
                  cluster=ClusterConfig(host=pg_dsn["host"], port=pg_dsn["port"], db_name=pg_dsn["dbname"],
                                        db_user=pg_dsn["user"], db_password=Secret(pg_dsn["password"])))


@pytest.fixture(scope="session")
def stedi_sample(tmp_path_factory):
    """The generated STEDI sample (deterministic), written once per session."""
    from dwhkit.warehouses.stedi.sample import generate_sample

    return generate_sample(tmp_path_factory.mktemp("stedi-sample"))


def run_notebook(name: str, config, tmp_path, monkeypatch) -> list[dict]:
    """Execute a notebook of the repo against ``config``'s database; return every cell output.

    The kernel reaches the database the way a user's notebook does: dwhkit.connect() reading
    $DWH_CONFIG, with the password from DWH_CLUSTER_DB_PASSWORD (never written to a file)."""
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    c = config.cluster
    cfg = tmp_path / "nb.cfg"
    cfg.write_text(f"[TARGET]\ntype = postgres\n[CLUSTER]\nhost = {c.host}\nport = {c.port}\n"
                   f"db_name = {c.db_name}\ndb_user = {c.db_user}\n")
    monkeypatch.setenv("DWH_CONFIG", str(cfg))
    monkeypatch.setenv("DWH_CLUSTER_DB_PASSWORD", str(c.db_password))
    nb = nbformat.read(ROOT / name, as_version=4)
    nbclient.NotebookClient(nb, timeout=180, kernel_name="python3",
                            resources={"metadata": {"path": str(tmp_path)}}).execute()
    return [o for cell in nb.cells if cell.cell_type == "code" for o in cell.get("outputs", [])]


def notebook_text(outputs) -> str:
    return "".join(str(o.get("data", {}).get("text/plain", "")) + o.get("text", "") for o in outputs)
