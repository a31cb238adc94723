"""The Criteo warehouse end to end on a real Postgres: landing → fact, category dimension, marts;
and the same warehouse fed continuously by a COPY JOB."""
from __future__ import annotations

import pytest

from dwhkit import app
from dwhkit.warehouses import get_warehouse, warehouse_names
from dwhkit.warehouses.criteo.sample import CAT_FEATURES, generate_sample

from .test_copy_job import JOB, connect, job_sql, scalar

ROWS = 20_000


@pytest.fixture
def criteo_config(dwh_config):
    """The test database with the criteo warehouse selected: its schema is on the search path."""
    return dwh_config.with_overrides(warehouse="criteo")


@pytest.fixture(scope="module")
def criteo_sample(tmp_path_factory):
    return generate_sample(tmp_path_factory.mktemp("criteo-sample"), rows=ROWS, parts=4)


def counts(report):
    return {t["table"]: t["rows"] for t in report["tables"]}


def test_discovered():
    assert "criteo" in warehouse_names()
    assert get_warehouse("criteo").landings[0].table == "staging_impression"


def test_end_to_end_and_rerun(criteo_config, criteo_sample):
    app.create_tables(criteo_config, "criteo")
    first = app.run_etl(criteo_config, "criteo", lake=str(criteo_sample))
    assert first["passed"], [c for c in first["checks"] if not c["passed"]]
    c = counts(first)
    assert c["staging_impression"] == c["fact_impression"] == ROWS
    assert c["dim_category"] > 10_000 and c["mart_ctr_by_category"] > 26 and c["mart_ctr_by_int_bucket"] > 13
    flows = {f["flow"]: f["outcomes"] for f in first["reconciliation"]}
    assert sum(flows["impressions: landing → fact"].values()) == c["staging_impression"]
    assert flows["impressions: landing → fact"]["moved on"] == c["fact_impression"]
    assert sum(flows["category cells: fact → mart"].values()) == len(CAT_FEATURES) * c["fact_impression"]
    conn = connect(criteo_config)
    keys = "SELECT feature, value, category_key FROM dim_category ORDER BY 1, 2"
    cur = conn.cursor()
    cur.execute(keys)
    before = cur.fetchall()
    second = app.run_etl(criteo_config, "criteo", lake=str(criteo_sample))
    assert counts(second) == c and second["passed"]
    cur.execute(keys)
    assert cur.fetchall() == before                          # dimension keys survive a rerun
    # marts agree with the fact table computed directly
    base = scalar(conn, "SELECT AVG(label::float) FROM fact_impression")
    assert 0.2 < base < 0.3
    cur.execute("SELECT impressions, clicks FROM mart_ctr_by_category WHERE feature = 'C9' ORDER BY impressions DESC")
    top = cur.fetchone()
    cur.execute("SELECT COUNT(*), SUM(label) FROM fact_impression WHERE c9 = "
                "(SELECT c9 FROM fact_impression GROUP BY c9 ORDER BY COUNT(*) DESC LIMIT 1)")
    assert cur.fetchone() == top
    conn.close()


def test_bad_labels_are_reconciled(criteo_config, criteo_sample):
    app.create_tables(criteo_config, "criteo")
    app.run_etl(criteo_config, "criteo", lake=str(criteo_sample))
    conn = connect(criteo_config)
    conn.cursor().execute("INSERT INTO staging_impression (label) VALUES (NULL), (2)")
    conn.close()
    rep = app.report(criteo_config, "criteo")     # landing changed, star not yet rebuilt
    flows = {f["flow"]: f["outcomes"] for f in rep["reconciliation"]}
    assert flows["impressions: landing → fact"] == {"label not 0 or 1": 1, "moved on": ROWS, "no label": 1}


def test_fed_by_a_copy_job_matches_a_plain_load(criteo_config, s3, bucket, tmp_path, criteo_sample):
    """Continuous ingestion into the same warehouse: job-loaded files + refresh = a full ETL."""
    from dwhkit import ingest

    app.create_tables(criteo_config, "criteo")
    conn = connect(criteo_config)
    conn.cursor().execute(job_sql(bucket))
    for path in sorted((criteo_sample / "impressions").glob("*.gz")):
        s3.upload_file(str(path), bucket, f"impressions/{path.name}")
    stats = ingest.follow(criteo_config, job=JOB, once=True,
                          refresh=ingest.refresh_warehouse(get_warehouse("criteo")))
    assert stats.files == 4 and stats.rows == ROWS
    fed = counts(app.report(criteo_config, "criteo"))
    full = counts(app.run_etl(criteo_config, "criteo", lake=f"s3://{bucket}"))
    assert fed == full
    conn.close()


def test_category_merge_follows_changed_data(criteo_config, criteo_sample, tmp_path):
    """The set-based merge against data that changes between runs: values that vanish are
    deleted, survivors keep their keys and get fresh counts, values that come back are new rows
    with new keys; the checks (dim_category's counts equal the fact's) pass after every run."""
    import shutil

    half = tmp_path / "half"
    (half / "impressions").mkdir(parents=True)
    for path in sorted((criteo_sample / "impressions").glob("*.gz"))[:2]:
        shutil.copy(path, half / "impressions" / path.name)
    keys = "SELECT feature, value, category_key, impressions FROM dim_category"

    def dim(conn):
        cur = conn.cursor()
        cur.execute(keys)
        return {(f, v): (k, n) for f, v, k, n in cur.fetchall()}

    app.create_tables(criteo_config, "criteo")
    assert app.run_etl(criteo_config, "criteo", lake=str(criteo_sample))["passed"]
    conn = connect(criteo_config)
    full = dim(conn)
    report = app.run_etl(criteo_config, "criteo", lake=str(half))
    assert report["passed"], [c for c in report["checks"] if not c["passed"]]
    fewer = dim(conn)
    assert counts(report)["fact_impression"] == ROWS // 2
    assert set(fewer) < set(full)                                   # vanished values deleted
    assert all(fewer[fv][0] == full[fv][0] for fv in fewer)         # survivors keep their keys
    assert any(fewer[fv][1] < full[fv][1] for fv in fewer)          # … with refreshed counts
    again = app.run_etl(criteo_config, "criteo", lake=str(criteo_sample))
    assert again["passed"] and counts(again)["dim_category"] == len(full)
    back = dim(conn)
    assert all(back[fv] == (fewer[fv][0], full[fv][1]) for fv in fewer)
    returned = set(full) - set(fewer)
    assert min(back[fv][0] for fv in returned) > max(k for k, _ in full.values())   # new keys
    conn.close()
