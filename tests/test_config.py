"""dwh.cfg + DWH_* environment → frozen config; secrets never in repr."""
from __future__ import annotations

import pytest

from dwhkit.config import load_config
from dwhkit.errors import ConfigError

from .conftest import ROOT


def test_committed_template_has_no_secret_and_defaults_to_embedded():
    cfg = load_config(ROOT / "dwh.cfg", env={})
    assert cfg.target_type == "embedded"
    assert cfg.cluster.db_password == ""
    assert "db_password =\n" in (ROOT / "dwh.cfg").read_text()


def test_every_key_can_be_overridden_from_the_environment(tmp_path):
    env = {"DWH_TARGET_TYPE": "postgres", "DWH_CLUSTER_HOST": "db.example", "DWH_CLUSTER_PORT": "6543",
           "DWH_CLUSTER_DB_PASSWORD": "s3cr3t-planted", "DWH_S3_LAKE": "s3://b/p", "DWH_IAM_ROLE_ARN": "arn:x"}
    cfg = load_config(ROOT / "dwh.cfg", env=env)
    assert (cfg.target_type, cfg.cluster.host, cfg.cluster.port) == ("postgres", "db.example", 6543)
    assert cfg.cluster.db_password == "s3cr3t-planted"
    assert (cfg.lake, cfg.iam_role) == ("s3://b/p", "arn:x")
    assert "s3cr3t-planted" not in repr(cfg) and "s3cr3t-planted" not in str(cfg)


def test_dwh_config_env_picks_another_file(tmp_path):
    other = tmp_path / "other.cfg"
    other.write_text("[TARGET]\nwarehouse = stedi\n[S3]\nlake = s3://other/lake\n")
    cfg = load_config(env={"DWH_CONFIG": str(other)})
    assert cfg.lake == "s3://other/lake" and cfg.path == other.resolve()


@pytest.mark.parametrize("text, message", [
    ("[TARGET]\ntype = oracle\n", "type must be one of"),
    ("[TARGET]\ntype = postgres\n", "host is required"),
    ("[CLUSTER]\nport = fifty\n", "whole number"),
    ("[CLUSTER]\nsslmode = maybe\n", "sslmode must be one of"),
    ("[TARGET\n", "dwh.cfg"),
])
def test_bad_config_gets_a_clear_error(tmp_path, text, message):
    path = tmp_path / "dwh.cfg"
    path.write_text(text)
    with pytest.raises(ConfigError, match=message):
        load_config(path, env={})


def test_missing_config_file_is_named(tmp_path):
    with pytest.raises(ConfigError, match="nope.cfg"):
        load_config(tmp_path / "nope.cfg", env={})
