"""The Criteo warehouse end to end on a real Postgres: landing → fact, category dimension, marts;
and the same warehouse fed continuously by a COPY JOB."""
from __future__ import annotations

import pytest

from dwhkit import app
from dwhkit.warehouse import get_warehouse, warehouse_names
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
    assert get_warehouse("criteo").sources[0][0] == "staging_impression"


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
