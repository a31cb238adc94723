"""Criteo's report reads the fact's 26-way unpivot once instead of three times: the cell
reconciliation counts from one scan of the fact and from dim_category, and the reference and
frequency checks share one query (the cells aggregated by value, set against dim_category). Here
each rewrite is pitted against the straightforward formulation it replaced, on the ETL's result
and on a warehouse with planted defects, on a real Postgres."""
from __future__ import annotations

import pytest

from dwhkit import app
from dwhkit.targets import get_target
from dwhkit.warehouses.criteo import checks
from dwhkit.warehouses.criteo.sample import CAT_FEATURES, generate_sample
from dwhkit.warehouses.criteo.sql import CATEGORY_CELLS, MIN_SUPPORT, all_category_counts

ROWS = 5_000

# The formulations the rewrites replaced: every cell unpivoted and aggregated, then classified.
UNPIVOTED_RECONCILIATION = f"""
SELECT CASE WHEN u.value IS NULL THEN 'missing'
            WHEN d.impressions < {MIN_SUPPORT} THEN 'rare value (pooled)'
            ELSE 'moved on' END AS outcome, SUM(u.impressions)
FROM ({all_category_counts()}) u
LEFT JOIN dim_category d ON d.feature = u.feature AND d.value = u.value
GROUP BY 1 ORDER BY 1
"""
CELL_REFERENCE = f"""
SELECT COUNT(*) FROM ({CATEGORY_CELLS}) c
WHERE c.value IS NOT NULL
  AND NOT EXISTS (SELECT 1 FROM dim_category d WHERE d.feature = c.feature AND d.value = c.value)
"""
COUNTED_FREQUENCIES = f"""
SELECT COUNT(*) FROM dim_category d
FULL OUTER JOIN ({all_category_counts(where_not_null=True)}) c
  ON c.feature = d.feature AND c.value = d.value
WHERE d.feature IS NULL OR c.feature IS NULL OR d.impressions <> c.impressions OR d.clicks <> c.clicks
"""


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    return generate_sample(tmp_path_factory.mktemp("criteo-rewrite"), rows=ROWS, parts=2)


@pytest.fixture
def loaded(dwh_config, sample):
    config = dwh_config.with_overrides(warehouse="criteo")
    app.create_tables(config, "criteo")
    report = app.run_etl(config, "criteo", lake=str(sample))
    conn = get_target(config, schema="criteo").connect()
    yield conn, report
    conn.close()


def rows(conn, sql):
    cur = conn.cursor()
    cur.execute(sql)
    return [tuple(int(v) if not isinstance(v, str) else v for v in r) for r in cur.fetchall()]


def reconciliation(conn):
    return rows(conn, dict(checks.RECONCILIATION)["category cells: fact → mart"])


def check_count(conn, name):
    check = next(c for c in checks.CHECKS if c.name == name)
    return rows(conn, check.sql)[0][check.column]


def reference(conn):
    return check_count(conn, "reference: every fact category value is in dim_category")


def frequencies(conn):
    return check_count(conn, "dim_category: frequencies match the fact")


def test_the_two_checks_share_one_query():
    shared = [c for c in checks.CHECKS if c.sql == checks.DIMENSION_AGREEMENT]
    assert sorted(c.column for c in shared) == [0, 1]


def test_the_rewrites_agree_with_the_unpivot_on_the_etl_result(loaded):
    conn, report = loaded
    assert report["passed"]
    got = reconciliation(conn)
    assert got == rows(conn, UNPIVOTED_RECONCILIATION)
    assert {o for o, _ in got} == {"missing", "rare value (pooled)", "moved on"}   # the sample has all three
    assert sum(n for _, n in got) == len(CAT_FEATURES) * ROWS
    assert reference(conn) == rows(conn, CELL_REFERENCE)[0][0] == 0
    assert frequencies(conn) == rows(conn, COUNTED_FREQUENCIES)[0][0] == 0


def test_the_rewrites_agree_with_the_unpivot_on_a_broken_dimension(loaded):
    """Values dropped from dim_category (a rare one and a frequent one) and an impression whose
    values are nowhere in it: the reference check counts the same orphan cells as before, and the
    reconciliation still classifies every cell as the unpivot did."""
    conn, _ = loaded
    cur = conn.cursor()
    for op in ("<", ">="):
        cur.execute(f"DELETE FROM dim_category WHERE category_key = (SELECT MIN(category_key) FROM dim_category "
                    f"WHERE feature = 'C3' AND impressions {op} {MIN_SUPPORT})")
        assert cur.rowcount == 1
    columns = ", ".join(c.lower() for c in CAT_FEATURES)
    values = ", ".join(f"'zz{i:06d}'" for i in range(len(CAT_FEATURES)))
    cur.execute(f"INSERT INTO fact_impression (impression_id, label, {columns}) VALUES (999999999, 1, {values})")
    conn.commit()
    orphans = reference(conn)
    assert orphans == rows(conn, CELL_REFERENCE)[0][0]
    assert orphans > len(CAT_FEATURES) + MIN_SUPPORT          # the new row's 26 cells and the dropped values'
    # the new row's 26 values, which dim_category lacks, and the 2 values dropped from it
    assert frequencies(conn) == rows(conn, COUNTED_FREQUENCIES)[0][0] == len(CAT_FEATURES) + 2
    got = reconciliation(conn)
    assert got == rows(conn, UNPIVOTED_RECONCILIATION)
    assert sum(n for _, n in got) == len(CAT_FEATURES) * (ROWS + 1)
