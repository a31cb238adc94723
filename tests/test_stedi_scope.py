"""[STEDI] consent_scope: `customer` (default: every reading of a consenting customer, as the
STEDI documents state) or `from_consent_date` (only readings taken at or after the consent)."""
from __future__ import annotations

import pytest

from dwhkit.config import load_config
from dwhkit.errors import ConfigError
from dwhkit.warehouses.stedi import WAREHOUSE

from .test_stedi_lake import (BASE, customer, failed_checks, outcomes, reading, report_of, rows, run, step,
                              write_lake)


def test_default_scope_is_customer(tmp_path):
    cfg = tmp_path / "dwh.cfg"
    cfg.write_text("[TARGET]\ntype = embedded\n")
    assert load_config(cfg, env={}).stedi_consent_scope == "customer"


def test_scope_from_file_and_environment(tmp_path):
    cfg = tmp_path / "dwh.cfg"
    cfg.write_text("[STEDI]\nconsent_scope = from_consent_date\n")
    assert load_config(cfg, env={}).stedi_consent_scope == "from_consent_date"
    env = {"DWH_STEDI_CONSENT_SCOPE": "customer"}
    assert load_config(cfg, env=env).stedi_consent_scope == "customer"
    assert load_config(tmp_path / "dwh.cfg", env={"DWH_STEDI_CONSENT_SCOPE": "From_Consent_Date"}
                       ).stedi_consent_scope == "from_consent_date"


@pytest.mark.parametrize("value", ["everything", "from consent date", "0"])
def test_invalid_scope_is_a_config_error(tmp_path, value):
    cfg = tmp_path / "dwh.cfg"
    cfg.write_text("[TARGET]\ntype = embedded\n")
    with pytest.raises(ConfigError, match=r"\[STEDI\] consent_scope must be one of customer, from_consent_date"):
        load_config(cfg, env={"DWH_STEDI_CONSENT_SCOPE": value})


def test_bind_follows_the_config(dwh_config):
    assert WAREHOUSE.bind(dwh_config).consent_scope == "customer"
    strict = WAREHOUSE.bind(dwh_config.with_overrides(stedi_consent_scope="from_consent_date"))
    assert strict.consent_scope == "from_consent_date"
    assert strict.transform_steps != WAREHOUSE.transform_steps
    with pytest.raises(ValueError):
        WAREHOUSE.with_scope("everything")


def lake(tmp_path):
    """Ann consents at BASE; she has readings (and a step trainer) before and after."""
    return write_lake(tmp_path / "lake",
                      [customer("ann@x.io", serial="s-ann", consent=BASE)],
                      [reading("ann@x.io", BASE + k * 1000) for k in (-2, -1, 0, 1)],
                      [step("s-ann", BASE + k * 1000) for k in (-2, -1, 0, 1)])


def test_customer_scope_keeps_every_reading_and_says_what_the_strict_scope_would_drop(dwh_config, tmp_path):
    report = run(dwh_config, lake(tmp_path))
    assert not failed_checks(report)
    assert rows(dwh_config, "SELECT COUNT(*) FROM accelerometer_trusted") == [(4,)]
    assert rows(dwh_config, "SELECT COUNT(*) FROM step_trainer_trusted") == [(4,)]
    assert rows(dwh_config, "SELECT COUNT(*) FROM machine_learning_curated") == [(4,)]
    assert outcomes(report, "consent scope in force: customer") == {
        "accelerometer readings before consent, kept (from_consent_date would drop them)": 2,
        "step-trainer readings before consent, kept (from_consent_date would drop them)": 2}


def test_from_consent_date_scope_drops_earlier_readings(dwh_config, tmp_path):
    report = run(dwh_config, lake(tmp_path), scope="from_consent_date")
    assert not failed_checks(report)
    assert rows(dwh_config, "SELECT MIN(reading_ms), COUNT(*) FROM accelerometer_trusted") == [(BASE, 2)]
    assert rows(dwh_config, "SELECT MIN(reading_ms), COUNT(*) FROM step_trainer_trusted") == [(BASE, 2)]
    assert rows(dwh_config, "SELECT COUNT(*) FROM machine_learning_curated") == [(2,)]
    assert outcomes(report, "accelerometer: landing → trusted")["taken before research consent"] == 2
    assert outcomes(report, "step trainer: landing → trusted")["taken before research consent"] == 2
    assert outcomes(report, "consent scope in force: from_consent_date") == {
        "accelerometer readings before consent, dropped": 2,
        "step-trainer readings before consent, dropped": 2}


def test_from_consent_date_checks_catch_an_early_reading(dwh_config, tmp_path):
    run(dwh_config, lake(tmp_path), scope="from_consent_date")
    rows(dwh_config, "INSERT INTO accelerometer_trusted (email, reading_ms, reading_at) "
                     "VALUES ('ann@x.io', %s, TIMESTAMP 'epoch' + %s * INTERVAL '1 millisecond')",
         (BASE - 5000, BASE - 5000))
    assert "privacy: no reading taken before its customer's consent" in failed_checks(
        report_of(dwh_config, scope="from_consent_date"))


def test_app_runs_the_configured_scope(dwh_config, tmp_path):
    """DWH_STEDI_CONSENT_SCOPE → load_config → app.run_etl, as `python etl.py` runs it."""
    from dwhkit import app

    strict = dwh_config.with_overrides(stedi_consent_scope="from_consent_date")
    app.create_tables(strict)
    report = app.run_etl(strict, lake=str(lake(tmp_path)))
    assert "consent scope in force: from_consent_date" in {f["flow"] for f in report["reconciliation"]}
