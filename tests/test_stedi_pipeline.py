"""The STEDI warehouse end to end on a real Postgres: landing → trusted → curated → star schema."""
from __future__ import annotations

import pytest

from dwhkit import app
from dwhkit.connection import Connection

from .conftest import STEDI_DATA


def table_counts(report: dict) -> dict[str, int]:
    return {t["table"]: t["rows"] for t in report["tables"]}


def assert_reconciles(report: dict) -> None:
    """Every landing row is accounted for: the outcomes of each flow sum to its source table, and
    what moved on is what the next table holds, so the counts add up from landing to curated."""
    counts = table_counts(report)
    sources = {"customer: landing → trusted": "staging_customer",
               "accelerometer: landing → trusted": "staging_accelerometer",
               "step trainer: landing → trusted": "staging_step_trainer",
               "customer: trusted → curated": "customer_trusted",
               "step trainer: trusted → machine learning": "step_trainer_trusted"}
    flows = {f["flow"]: f["outcomes"] for f in report["reconciliation"]}
    for flow, table in sources.items():
        assert sum(flows[flow].values()) == counts[table], (flow, flows[flow], counts[table])
    moved = {flow: outcomes.get("moved on", 0) for flow, outcomes in flows.items()}
    assert moved["customer: landing → trusted"] == counts["customer_trusted"]
    assert moved["accelerometer: landing → trusted"] == counts["accelerometer_trusted"]
    assert moved["step trainer: landing → trusted"] == counts["step_trainer_trusted"]
    assert moved["customer: trusted → curated"] == counts["customer_curated"]
    assert [f for f in flows if f.startswith("consent scope in force: ")], flows


def run_twice(config, lake):
    app.create_tables(config)
    first = app.run_etl(config, lake=str(lake))
    second = app.run_etl(config, lake=str(lake))
    return first, second


def test_sample_end_to_end_and_rerun(dwh_config, stedi_sample):
    first, second = run_twice(dwh_config, stedi_sample)
    failed = [c for c in first["checks"] if not c["passed"]]
    assert not failed, failed
    counts = table_counts(first)
    assert table_counts(second) == counts  # rerun: identical counts, no duplicate dimension rows
    for table in ("staging_customer", "customer_trusted", "accelerometer_trusted", "step_trainer_trusted",
                  "dim_customer", "fact_accelerometer_reading", "machine_learning_curated"):
        assert counts[table] > 0, table
    assert counts["dim_customer"] == counts["customer_trusted"]
    assert_reconciles(first)
    outcomes = {f["flow"]: f["outcomes"] for f in first["reconciliation"]}
    # the sample's planted defects each surface under their rule
    assert outcomes["accelerometer: landing → trusted"]["reading of an unknown customer"] == 12
    assert outcomes["accelerometer: landing → trusted"]["duplicate"] > 0
    # readings before consent are kept under the default scope, and counted
    assert outcomes["consent scope in force: customer"][
        "accelerometer readings before consent, kept (from_consent_date would drop them)"] > 0
    assert outcomes["step trainer: landing → trusted"]["malformed record"] == 1
    assert outcomes["customer: landing → trusted"]["superseded by a newer record of the same customer"] == 6


def test_sample_keeps_dimension_keys_on_rerun(dwh_config, stedi_sample):
    app.create_tables(dwh_config)
    app.run_etl(dwh_config, lake=str(stedi_sample))
    conn = dwh_config_connect(dwh_config)
    cur = conn.cursor()
    cur.execute("SELECT email, customer_key FROM dim_customer ORDER BY email")
    before = cur.fetchall()
    conn.commit()
    app.run_etl(dwh_config, lake=str(stedi_sample))
    cur.execute("SELECT email, customer_key FROM dim_customer ORDER BY email")
    assert cur.fetchall() == before
    conn.close()


def dwh_config_connect(config) -> Connection:
    from dwhkit.targets import get_target

    return get_target(config).connect()


def test_sample_from_s3_matches_local(dwh_config, stedi_sample, s3, bucket):
    for path in stedi_sample.rglob("*.json"):
        s3.upload_file(str(path), bucket, f"landing/{path.relative_to(stedi_sample).as_posix()}")
    app.create_tables(dwh_config)
    from_s3 = app.run_etl(dwh_config, lake=f"s3://{bucket}/landing")
    app.create_tables(dwh_config)
    from_disk = app.run_etl(dwh_config, lake=str(stedi_sample))
    assert table_counts(from_s3) == table_counts(from_disk)
    assert from_s3["passed"]


def test_privacy_no_nonconsenting_email_past_landing(dwh_config, stedi_sample):
    app.create_tables(dwh_config)
    app.run_etl(dwh_config, lake=str(stedi_sample))
    conn = dwh_config_connect(dwh_config)
    cur = conn.cursor()
    cur.execute("""SELECT DISTINCT LOWER(email) FROM staging_customer s
                   WHERE NOT EXISTS (SELECT 1 FROM staging_customer t WHERE LOWER(t.email) = LOWER(s.email)
                                     AND t.sharewithresearchasofdate IS NOT NULL)""")
    never = {r[0] for r in cur.fetchall()}
    assert never  # the sample has customers who never agreed
    for table in ("customer_trusted", "customer_curated", "accelerometer_trusted", "dim_customer",
                  "device_registration_trusted"):
        cur.execute(f"SELECT DISTINCT email FROM {table}")
        assert not never & {r[0] for r in cur.fetchall()}, table
    cur.execute("SELECT column_name FROM information_schema.columns WHERE table_name = 'machine_learning_curated'")
    ml_columns = {r[0] for r in cur.fetchall()}
    assert not ml_columns & {"email", "customer_name", "phone", "birthday", "serial_number"}
    conn.close()


# -- the real STEDI data -------------------------------------------------------------------------
real = pytest.mark.skipif(not STEDI_DATA.exists(), reason="../shared/data/stedi is not here")

V2023_EXPECTED = {
    "staging_customer": 956, "staging_accelerometer": 81273, "staging_step_trainer": 28680,
    "customer_trusted": 482, "dim_customer": 482,
    # consent_scope = customer (the default): every reading of a consenting customer
    "accelerometer_trusted": 40981, "customer_curated": 482, "step_trainer_trusted": 14460,
    "machine_learning_curated": 40981,
}


@real
@pytest.mark.slow
def test_real_v2023(dwh_config):
    first, second = run_twice(dwh_config, STEDI_DATA / "v2023_reduced")
    counts = table_counts(first)
    for table, n in V2023_EXPECTED.items():
        assert counts[table] == n, (table, counts[table])
    assert all(c["passed"] for c in first["checks"]), first["checks"]
    assert table_counts(second) == counts
    assert_reconciles(first)
    scope = {f["flow"]: f["outcomes"] for f in first["reconciliation"]}["consent scope in force: customer"]
    assert scope == {"accelerometer readings before consent, kept (from_consent_date would drop them)": 8956,
                     "step-trainer readings before consent, kept (from_consent_date would drop them)": 3163}


@real
@pytest.mark.slow
def test_real_v2022(dwh_config):
    first, second = run_twice(dwh_config, STEDI_DATA / "v2022_original")
    counts = table_counts(first)
    assert counts["staging_customer"] == 999
    assert counts["staging_accelerometer"] == 25126          # test-accelerometer.json is not matched
    assert counts["staging_step_trainer"] == 239760           # trailing "}," lines land verbatim
    assert counts["customer_trusted"] == 319                  # emails whose latest record consents
    assert all(c["passed"] for c in first["checks"]), first["checks"]
    assert table_counts(second) == counts
    assert_reconciles(first)
    steps = {f["flow"]: f["outcomes"] for f in first["reconciliation"]}["step trainer: landing → trusted"]
    # 7,023 serials, 30 of them registered (by 985 registrations); the one surviving accelerometer
    # file (17 June) shares no instant with any step-trainer reading (15–18 June): none attributable.
    assert steps == {"reading of an unknown device": 209790,
                     "unattributed (no registered customer's readings at that instant)": 29970}
