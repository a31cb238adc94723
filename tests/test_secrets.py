"""Secrets never leak: a database password, AWS keys and a session token are planted, runs are
made to fail in several ways, and every output is searched for them — stdout, stderr, log
records, exception text and tracebacks, repr of config objects, stl_load_errors, dwhkit_etl_log."""
from __future__ import annotations

import logging
import os
import subprocess
import sys
import traceback
from pathlib import Path

import psycopg2
import pytest

from dwhkit import app
from dwhkit.config import load_config
from dwhkit.copy.grammar import parse_copy
from dwhkit.errors import DwhError
from dwhkit.pipeline import Step, record_run, run_step
from dwhkit.targets import get_target

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "pw-Planted-7f3a9c-Secret"
KEY_ID = "AKIAPLANTED7F3A9C0001"
SECRET_KEY = "planted/Secret+Access+Key+7f3a9c0002xyz"
TOKEN = "PlantedSessionToken7f3a9c0003//abc=="
SECRETS = (PASSWORD, KEY_ID, SECRET_KEY, TOKEN)


def assert_clean(*texts, where=""):
    for text in texts:
        for secret in SECRETS:
            assert secret not in str(text), f"{where}: {secret!r} leaked in {str(text)[:500]!r}"
            if "/" in secret or "+" in secret:         # URL-quoted forms too
                from urllib.parse import quote
                assert quote(secret, safe="") not in str(text), where


def everything_about(exc: BaseException) -> str:
    return "".join(traceback.format_exception(type(exc), exc, exc.__traceback__)) + repr(exc)


def db_dump(dsn) -> str:
    conn = psycopg2.connect(**dsn)
    out = []
    with conn.cursor() as cur:
        for table in ("dwhkit_system.stl_load_errors", "dwhkit_system.stl_load_commits", "dwhkit_etl_log"):
            cur.execute("SELECT to_regclass(%s)", (table,))
            if cur.fetchone()[0]:
                cur.execute(f"SELECT * FROM {table}")
                out.append(repr(cur.fetchall()))
    conn.close()
    return "\n".join(out)


def cfg_file(tmp_path, c) -> Path:
    cfg = tmp_path / "dwh.cfg"
    cfg.write_text(f"[TARGET]\ntype = postgres\n[CLUSTER]\nhost = {c.host}\nport = {c.port}\n"
                   f"db_name = {c.db_name}\ndb_user = {c.db_user}\n")
    return cfg


def test_config_objects_never_show_the_password(tmp_path):
    cfg = tmp_path / "dwh.cfg"
    cfg.write_text("[TARGET]\ntype = postgres\n[CLUSTER]\nhost = db.example\n")
    config = load_config(cfg, env={"DWH_CLUSTER_DB_PASSWORD": PASSWORD})
    assert str(config.cluster.db_password) == PASSWORD           # it is there to be used…
    target = get_target(config)
    assert_clean(repr(config), str(config), repr(config.cluster), str(config.cluster),
                 repr(config.cluster.db_password), f"{config!r} {config.cluster!r}", repr(target),
                 target.describe(), target.url(with_password=False), where="repr")   # …and never shown


def test_bad_password_cli_and_library(dwh_config, tmp_path, caplog):
    c = dwh_config.cluster
    cfg = cfg_file(tmp_path, c)
    env = {**os.environ, "DWH_CLUSTER_DB_PASSWORD": PASSWORD, "PYTHONPATH": str(ROOT)}
    for command in (["create-tables"], ["etl", "--lake", str(tmp_path)], ["report"], ["-v", "etl", "--lake", str(tmp_path)]):
        proc = subprocess.run([sys.executable, "-m", "dwhkit.cli", "--config", str(cfg), *command], cwd=tmp_path,
                              env=env, capture_output=True, text=True, timeout=60)
        assert proc.returncode == 2, proc.stderr
        assert "password authentication failed" in proc.stderr or "cannot connect" in proc.stderr
        assert_clean(proc.stdout, proc.stderr, where=f"cli {command}")
    caplog.set_level(logging.DEBUG)
    bad = load_config(cfg, env={"DWH_CLUSTER_DB_PASSWORD": PASSWORD})
    with pytest.raises(DwhError) as err:
        app.run_etl(bad, lake=str(tmp_path))
    assert_clean(everything_about(err.value), caplog.text, where="library")


COPIES = {
    "keys, missing prefix":
        "COPY t FROM 's3://{bucket}/nothing-here/' ACCESS_KEY_ID '{k}' SECRET_ACCESS_KEY '{s}' "
        "SESSION_TOKEN '{t}' JSON 'auto'",
    "credentials string, bad record":
        "COPY t FROM 's3://{bucket}/data/' CREDENTIALS 'aws_access_key_id={k};aws_secret_access_key={s};token={t}' "
        "JSON 'auto'",
    "credentials string, syntax error after it":
        "COPY t FROM 's3://{bucket}/data/' WITH CREDENTIALS AS 'aws_access_key_id={k};aws_secret_access_key={s}' "
        "JSON 'auto' NOT_AN_OPTION '{s}'",
    "keys, two auth methods":
        "COPY t FROM 's3://{bucket}/data/' IAM_ROLE default ACCESS_KEY_ID '{k}' SECRET_ACCESS_KEY '{s}' JSON 'auto'",
    "keys, unquoted secret":
        "COPY t FROM 's3://{bucket}/data/' ACCESS_KEY_ID '{k}' SECRET_ACCESS_KEY {s} JSON 'auto'",
    "keys, missing bucket":
        "COPY t FROM 's3://no-such-bucket-7f3a9c/x' ACCESS_KEY_ID '{k}' SECRET_ACCESS_KEY '{s}' "
        "SESSION_TOKEN '{t}' JSON 'auto'",
}


@pytest.mark.parametrize("case", list(COPIES))
def test_failing_copies_with_planted_keys(case, dwh_config, pg_dsn, s3, bucket, caplog, capsys):
    s3.put_object(Bucket=bucket, Key="data/a.json", Body=b'{"id": 1}\n{"id": "abc"}\n')
    sql = COPIES[case].format(bucket=bucket, k=KEY_ID, s=SECRET_KEY, t=TOKEN)
    caplog.set_level(logging.INFO)
    caplog.set_level(logging.DEBUG, logger="dwhkit")
    conn = get_target(dwh_config).connect()
    cur = conn.cursor()
    cur.execute("CREATE TABLE t (id int)")
    conn.commit()
    try:
        assert_clean(repr(parse_copy(sql)), where="repr(CopyCommand)")
    except DwhError as exc:                                      # the statement itself is refused
        assert_clean(everything_about(exc), where="parse error")
    with pytest.raises(DwhError) as direct:
        cur.execute(sql)
    conn.rollback()
    with pytest.raises(DwhError) as stepped:                     # and as an ETL step, logged to dwhkit_etl_log
        run_step(conn, Step("load t", "landing", ["DELETE FROM t", sql], table="t"))
    record_run(conn, "stedi", [])
    conn.close()
    out, err = capsys.readouterr()
    assert_clean(everything_about(direct.value), everything_about(stepped.value), caplog.text, out, err,
                 db_dump(pg_dsn), where=case)


def test_successful_copy_with_keys_logs_nothing_secret(dwh_config, pg_dsn, s3, bucket, caplog):
    s3.put_object(Bucket=bucket, Key="data/a.json", Body=b'{"id": 1}\n{"id": "abc"}\n')
    caplog.set_level(logging.DEBUG, logger="dwhkit")
    conn = get_target(dwh_config).connect()
    cur = conn.cursor()
    cur.execute("CREATE TABLE t (id int)")
    result = run_step(conn, Step("load t", "landing", [
        f"COPY t FROM 's3://{bucket}/data/' ACCESS_KEY_ID '{KEY_ID}' SECRET_ACCESS_KEY '{SECRET_KEY}' "
        f"SESSION_TOKEN '{TOKEN}' JSON 'auto' MAXERROR 5"], table="t"))
    assert (result.rows_loaded, result.rows_rejected) == (1, 1)
    record_run(conn, "stedi", [result])
    conn.close()
    assert_clean(repr(result), caplog.text, db_dump(pg_dsn), where="success")
