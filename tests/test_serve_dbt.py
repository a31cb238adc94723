"""dbt-redshift, unmodified, builds a project of its own against `dwh serve`: seeds, a view, a table
and an incremental model, generic tests, a snapshot, and `dbt docs generate`."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

import dwhkit
from tests.test_serve import PASSWORD, connect, serve_config, serve_db  # noqa: F401 - module fixtures

pytestmark = pytest.mark.slow  # a dbt run takes tens of seconds on 2 cores
PROJECT = Path(__file__).parent / "serve_dbt_project"
import dbt.adapters.redshift  # noqa: F401  (a test extra: its absence is a failure, not a skip)


def _dbt_executable() -> str:
    found = shutil.which("dbt", path=os.path.dirname(sys.executable)) or shutil.which("dbt")
    if not found:
        pytest.skip("the dbt command is not installed (pip install dbt-redshift)")
    return found


@pytest.fixture(scope="module")
def dbt_endpoint(serve_config):  # noqa: F811
    with dwhkit.serve(serve_config, password=PASSWORD, auth="md5") as ep:
        yield ep


def test_dbt_redshift_project(dbt_endpoint, tmp_path):
    schema = f"dbt_{uuid.uuid4().hex[:8]}"
    env = {**os.environ, "SERVE_HOST": dbt_endpoint.host, "SERVE_PORT": str(dbt_endpoint.port),
           "DWH_SERVE_PASSWORD": PASSWORD, "SERVE_SCHEMA": schema, "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
           "DBT_LOG_PATH": str(tmp_path / "logs"), "DO_NOT_TRACK": "1"}
    target = tmp_path / "target"

    def dbt(*args: str) -> str:
        proc = subprocess.run([_dbt_executable(), *args, "--profiles-dir", str(PROJECT), "--project-dir",
                               str(PROJECT), "--target-path", str(target)], env=env, capture_output=True,
                              text=True, timeout=600)
        assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-2000:]
        assert PASSWORD not in proc.stdout + proc.stderr
        return proc.stdout

    out = dbt("build")
    assert "PASS=13" in out and "ERROR=0" in out  # 2 seeds, 3 models, 1 snapshot, 7 generic tests
    conn = connect(dbt_endpoint)
    try:
        with conn.cursor() as cur:
            cur.execute(f"SELECT customer_id, orders, total FROM {schema}.customer_totals ORDER BY 1")
            assert [(a, b, str(c)) for a, b, c in cur.fetchall()] == [(1, 2, "19.75"), (2, 1, "99.99"),
                                                                    (3, 1, "1.00")]
            cur.execute("SELECT table_type FROM information_schema.tables WHERE table_schema = %s "
                        "AND table_name = 'stg_orders'", (schema,))
            assert cur.fetchone() == ("VIEW",)
            # a second run takes the incremental path and the snapshot's update path; nothing doubles
            cur.execute(f"INSERT INTO {schema}.orders VALUES (14, 2, 5.00, '2024-02-01 08:00:00')")
            cur.execute(f"UPDATE {schema}.customers SET tier = 'gold', updated_at = '2024-02-01' "
                        "WHERE customer_id = 3")
        conn.commit()
        out = dbt("build", "--exclude", "resource_type:seed")
        assert "ERROR=0" in out
        with conn.cursor() as cur:
            cur.execute(f"SELECT COUNT(*), COUNT(DISTINCT order_id) FROM {schema}.orders_incremental")
            assert cur.fetchone() == (5, 5)
            cur.execute(f"SELECT COUNT(*), COUNT(dbt_valid_to) FROM {schema}.customers_snapshot WHERE customer_id = 3")
            assert cur.fetchone() == (2, 1)
        conn.rollback()
    finally:
        conn.close()

    dbt("docs", "generate")
    catalog = json.loads((target / "catalog.json").read_text())
    assert not catalog.get("errors")
    node = catalog["nodes"]["model.serve_shop.customer_totals"]
    assert node["metadata"]["database"] == "dev" and node["metadata"]["schema"] == schema
    assert list(node["columns"]) == ["customer_id", "name", "tier", "orders", "total"]
    assert "snapshot.serve_shop.customers_snapshot" in catalog["nodes"]
