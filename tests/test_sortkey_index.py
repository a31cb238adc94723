"""SORTKEY on Postgres targets: recorded where Redshift users read it, never built as an index.

Redshift's sort key is the rows' order on disk and the min/max of each block, used to skip blocks
under range-restricted predicates (https://docs.aws.amazon.com/redshift/latest/dg/t_Sorting_data.html);
it is not a lookup structure. B-tree indexes on the warehouses' sort keys were measured (issue 17,
bench/warehouse_etl.py): every step rebuilds its tables with DELETE/INSERT and joins them by
hashing, so the indexes only added upkeep (STEDI's ETL and report about a third slower). So
compat/ddl.py drops SORTKEY from the Postgres DDL and records it in the table's design comment,
which svv_table_info and pg_table_def read back.
"""
from __future__ import annotations

import json
import re

import pytest

import dwhkit
from dwhkit import app
from dwhkit.compat.translate import to_postgres
from dwhkit.warehouses import get_warehouse


def _declared_sortkey(ddl: str) -> list[str]:
    """The sort key a warehouse table declares, as the translator records it."""
    comment = next(s for s in to_postgres(ddl) if "dwhkit:design:" in s)
    design = json.loads(re.search(r"dwhkit:design:(\{.*\})'$", comment).group(1).replace("''", "'"))
    return design["sortkey"]


@pytest.mark.parametrize("sql", [
    "CREATE TABLE t (a INT, b INT) SORTKEY (a)",
    "CREATE TABLE t (a INT SORTKEY, b INT)",
    "CREATE TABLE t (a INT, b INT) COMPOUND SORTKEY (a, b)",
    "CREATE TABLE t (a INT, b INT) INTERLEAVED SORTKEY (a, b)",
])
def test_a_sortkey_translates_to_no_index(sql):
    out = to_postgres(sql)
    assert not [s for s in out if re.search(r"\bINDEX\b", s, re.I)], out
    assert out[0].startswith("CREATE TABLE t") and "SORTKEY" not in out[0].upper()
    assert _declared_sortkey(sql)                                   # recorded, for the system views


@pytest.mark.parametrize("name", ["stedi", "criteo"])
def test_warehouse_sortkeys_are_recorded_and_not_indexed(dwh_config, name):
    wh = get_warehouse(name)
    config = dwh_config.with_overrides(warehouse=name)
    app.create_tables(config, name)
    declared = {t.name: _declared_sortkey(t.ddl) for t in wh.tables}
    assert any(declared.values())                                   # the warehouse does declare sort keys
    conn = dwhkit.connect(config)
    cur = conn.cursor()
    cur.execute('SELECT "table", sortkey1, sortkey_num FROM svv_table_info WHERE "schema" = %s', (wh.schema,))
    seen = {t: (k, n) for t, k, n in cur.fetchall()}
    for table, keys in declared.items():
        if keys:
            assert seen[table] == (keys[0], len(keys)), table
    raw = conn.raw.cursor()
    raw.execute("SELECT tablename, indexname FROM pg_indexes WHERE schemaname = %s", (wh.schema,))
    assert [r for r in raw.fetchall() if r[0] in declared] == []
    conn.close()
