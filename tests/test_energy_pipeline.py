"""The energy warehouse end to end on a real Postgres: COPY from the generated lake, the star
schema, the marts, reconciliation to the last watt-hour, checks, and identical reruns."""
from __future__ import annotations

from pathlib import Path

import pytest

from dwhkit import app
from dwhkit.app import target_for
from dwhkit.warehouses.energy import lake
from dwhkit.warehouses.energy.sample import generate_sample

from .conftest import SHARED

REFERENCE = SHARED / "data" / "smart_meters"
real = pytest.mark.skipif(not (REFERENCE / lake.HOUSEHOLDS).exists(), reason="../shared/data/smart_meters is not here")

# Each flow's landing table (its outcomes must add up to that table's rows).
FLOW_SOURCE = {
    "readings: landing → facts": "staging_reading",
    "households: landing → dimension": "staging_household",
    "hourly weather: landing → dimension": "staging_weather_hourly",
    "daily weather: landing → weather dimension": "staging_weather_daily",
    "bank holidays: landing → time dimension": "staging_bank_holiday",
    "tariff signals: landing → time dimension": "staging_tariff",
    "anomaly labels: landing → evaluation": "staging_anomaly_label",
}


@pytest.fixture(scope="session")
def energy_sample(tmp_path_factory) -> Path:
    """The default sample: real reference tables when ../shared is here, else synthetic ones."""
    return generate_sample(tmp_path_factory.mktemp("energy-sample"))


@pytest.fixture(scope="session")
def energy_synthetic(tmp_path_factory) -> Path:
    """What a fresh clone gets: every reference table synthesised (smaller, to stay quick)."""
    return generate_sample(tmp_path_factory.mktemp("energy-synthetic"), households=24, days=21, reference=None)


def counts_of(report: dict) -> dict[str, int]:
    return {t["table"]: t["rows"] for t in report["tables"]}


def flows_of(report: dict) -> dict[str, dict[str, int]]:
    return {f["flow"]: f["outcomes"] for f in report["reconciliation"]}


def data_lines(lake_dir: Path, pattern: str) -> int:
    """Records after each file's header, as COPY … IGNOREHEADER 1 sees them (a CR inside quotes
    does not end a record, so count LFs only)."""
    return sum(p.read_bytes().count(b"\n") - 1 for p in sorted(lake_dir.glob(pattern)))


def query(config, sql: str) -> list[tuple]:
    conn = target_for(config.with_overrides(warehouse="energy")).connect()  # the energy schema
    try:
        cur = conn.cursor()
        cur.execute(sql)
        rows = cur.fetchall()
        conn.commit()
        return rows
    finally:
        conn.close()


def assert_accounts_for_every_row(report: dict) -> None:
    counts, flows = counts_of(report), flows_of(report)
    for flow, table in FLOW_SOURCE.items():
        assert sum(flows[flow].values()) == counts[table], (flow, flows[flow], counts[table])
    assert flows["readings: landing → facts"]["moved on"] == counts["fact_consumption"]
    assert flows["households: landing → dimension"]["moved on"] == counts["dim_household"]
    assert flows["hourly weather: landing → dimension"]["moved on"] == counts["dim_weather"]
    assert all(c["passed"] for c in report["checks"]), [c for c in report["checks"] if not c["passed"]]


def run_twice(config, lake_dir: Path) -> tuple[dict, dict]:
    app.create_tables(config, warehouse="energy")
    first = app.run_etl(config, warehouse="energy", lake=str(lake_dir))
    second = app.run_etl(config, warehouse="energy", lake=str(lake_dir))
    return first, second


def test_sample_end_to_end_and_rerun(dwh_config, energy_sample):
    first, second = run_twice(dwh_config, energy_sample)
    counts = counts_of(first)
    assert counts_of(second) == counts
    assert_accounts_for_every_row(first)
    assert counts["staging_reading"] == data_lines(energy_sample, f"{lake.READINGS_DIR}/block_*.csv")
    assert counts["staging_household"] == data_lines(energy_sample, lake.HOUSEHOLDS)
    assert counts["staging_anomaly_label"] == data_lines(energy_sample, lake.LABELS) >= 4
    readings = flows_of(first)["readings: landing → facts"]
    assert readings["Null value"] > 0 and readings["duplicate reading"] > 0
    # The kWh that moved on are exactly the facts' kWh, and every landing Wh is accounted for.
    energy = flows_of(first)["energy (Wh): landing → facts"]
    (fact_wh, landing_wh), = query(dwh_config, "SELECT CAST(SUM(energy_kwh) * 1000 AS BIGINT), "
                                                "(SELECT CAST(SUM(energy_kwh_hh) * 1000 AS BIGINT) FROM staging_reading) "
                                                "FROM fact_consumption")
    assert energy["moved on"] == fact_wh
    assert sum(energy.values()) == landing_wh
    assert energy["Null value"] == 0
    # 60 days × 48 half-hours, each with readings; the marts cover what the facts cover.
    assert counts["dim_time"] == counts["mart_demand_halfhourly"] == 60 * 48
    assert counts["mart_daily_consumption"] == counts["mart_household_day_features"]
    (days,), = query(dwh_config, "SELECT COUNT(DISTINCT household_key) FROM fact_consumption")
    assert days == 60
    # Every label reached the evaluation table; holidays in the window are flagged.
    assert flows_of(first)["anomaly labels: landing → evaluation"] == {"moved on": counts["staging_anomaly_label"]}
    (holiday_halfhours,), = query(dwh_config, "SELECT COUNT(*) FROM dim_time WHERE is_bank_holiday")
    assert holiday_halfhours == 3 * 48          # Christmas Day, Boxing Day, New Year's Day
    (tou,), = query(dwh_config, "SELECT COUNT(*) FROM dim_time WHERE tou_tariff = 'High'")
    assert tou > 0


def test_rerun_keeps_surrogate_keys(dwh_config, energy_synthetic):
    app.create_tables(dwh_config, warehouse="energy")
    app.run_etl(dwh_config, warehouse="energy", lake=str(energy_synthetic))
    sql = ("SELECT (SELECT COUNT(*) FROM dim_household), (SELECT MAX(household_key) FROM dim_household), "
           "(SELECT MAX(weather_key) FROM dim_weather), (SELECT SUM(household_key) FROM fact_consumption)")
    before = query(dwh_config, sql)
    app.run_etl(dwh_config, warehouse="energy", lake=str(energy_synthetic))
    assert query(dwh_config, sql) == before


def test_fresh_clone_lake_loads(dwh_config, energy_synthetic):
    first, second = run_twice(dwh_config, energy_synthetic)
    assert counts_of(second) == counts_of(first)
    assert_accounts_for_every_row(first)
    counts = counts_of(first)
    assert counts["dim_household"] == 24 and counts["dim_time"] == 21 * 48
    holidays = flows_of(first)["bank holidays: landing → time dimension"]
    assert holidays.get("moved on (day and month swapped back)", 0) + holidays.get("outside the readings", 0) > 0


def test_from_s3_matches_local(dwh_config, energy_synthetic, s3, bucket):
    for path in energy_synthetic.rglob("*.csv"):
        s3.upload_file(str(path), bucket, f"london/{path.relative_to(energy_synthetic).as_posix()}")
    app.create_tables(dwh_config, warehouse="energy")
    from_s3 = app.run_etl(dwh_config, warehouse="energy", lake=f"s3://{bucket}/london")
    app.create_tables(dwh_config, warehouse="energy")
    from_disk = app.run_etl(dwh_config, warehouse="energy", lake=str(energy_synthetic))
    assert counts_of(from_s3) == counts_of(from_disk)
    assert flows_of(from_s3) == flows_of(from_disk)
    assert from_s3["passed"]


@real
def test_real_reference_tables(dwh_config, energy_sample):
    """The real reference files land whole, and their known defects are handled by rule."""
    app.create_tables(dwh_config, warehouse="energy")
    report = app.run_etl(dwh_config, warehouse="energy", lake=str(energy_sample))
    counts = counts_of(report)
    assert counts["staging_household"] == counts["dim_household"] == 5566
    assert counts["staging_weather_hourly"] == counts["dim_weather"] == 21165
    assert counts["staging_weather_daily"] == 882
    assert counts["staging_bank_holiday"] == 25
    assert counts["staging_tariff"] == 17520
    # Eight published dates had day and month swapped (e.g. 2013-01-04 for Easter Monday, 1 April).
    rows = query(dwh_config, "SELECT COUNT(*) FROM staging_bank_holiday WHERE EXTRACT(day FROM holiday_date) <= 12 "
                             "AND EXTRACT(day FROM holiday_date) <> EXTRACT(month FROM holiday_date)")
    assert rows == [(8,)]
    daily = flows_of(report)["daily weather: landing → weather dimension"]
    assert daily == {"moved on": 882}           # BST days stamped 23:00 the evening before map to one date each
    (groups,), = query(dwh_config, "SELECT COUNT(DISTINCT acorn_group) FROM dim_household")
    assert groups == 5                          # Affluent, Comfortable, Adversity, Unclassified, Unknown
    assert report["passed"]
