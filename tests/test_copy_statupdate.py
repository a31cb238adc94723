"""STATUPDATE: a COPY refreshes the table's planner statistics when the table was empty before the
load (the default), always under STATUPDATE ON, never under OFF, and not at all when the load
fails. Documented on "Analyzing tables", new table data:
https://docs.aws.amazon.com/redshift/latest/dg/t_Analyzing_tables.html

Postgres keeps -1 in pg_class.reltuples until a table is first analyzed, and ANALYZE sets it to
the rows it counted (in the same transaction), so reltuples says whether the COPY analyzed."""
from __future__ import annotations

import psycopg2
import pytest

from dwhkit.copy.grammar import parse_copy
from dwhkit.errors import CopyError
from dwhkit.targets.pg_sink import run_copy


def _copy(conn, path, opts=""):
    dsn = conn.get_dsn_parameters()
    dsn["password"] = conn.info.password
    sql = f"COPY t FROM '{path.as_uri()}' IAM_ROLE default CSV {opts}"
    return run_copy(conn, parse_copy(sql), side_conn_factory=lambda: psycopg2.connect(**dsn))


def _reltuples(conn) -> float:
    with conn.cursor() as cur:
        cur.execute("SELECT reltuples FROM pg_class WHERE oid = 't'::regclass")
        return cur.fetchone()[0]


@pytest.fixture
def table(pg_conn, tmp_path):
    with pg_conn.cursor() as cur:
        cur.execute("CREATE TABLE t (id int NOT NULL, label varchar(8))")
    pg_conn.commit()
    data = tmp_path / "rows.csv"
    data.write_text("".join(f"{i},v{i % 7}\n" for i in range(500)))
    return data


def test_default_analyzes_a_table_that_was_empty(pg_conn, table):
    assert _reltuples(pg_conn) == -1
    assert _copy(pg_conn, table).rows_loaded == 500
    pg_conn.commit()
    assert _reltuples(pg_conn) == 500
    with pg_conn.cursor() as cur:
        cur.execute("SELECT n_distinct FROM pg_stats WHERE tablename = 't' AND attname = 'label'")
        assert cur.fetchone()[0] == 7


def test_default_leaves_a_table_that_had_rows(pg_conn, table):
    with pg_conn.cursor() as cur:
        cur.execute("INSERT INTO t VALUES (-1, 'x')")
    pg_conn.commit()
    _copy(pg_conn, table)
    pg_conn.commit()
    assert _reltuples(pg_conn) == -1


def test_on_analyzes_a_table_that_had_rows(pg_conn, table):
    with pg_conn.cursor() as cur:
        cur.execute("INSERT INTO t VALUES (-1, 'x')")
    pg_conn.commit()
    _copy(pg_conn, table, "STATUPDATE ON")
    pg_conn.commit()
    assert _reltuples(pg_conn) == 501


def test_off_never_analyzes(pg_conn, table):
    _copy(pg_conn, table, "STATUPDATE OFF")
    pg_conn.commit()
    assert _reltuples(pg_conn) == -1


def test_a_failed_load_changes_no_statistics(pg_conn, table, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("1,a\nnot a number,b\n")
    with pytest.raises(CopyError):
        _copy(pg_conn, bad, "STATUPDATE ON")
    pg_conn.rollback()
    assert _reltuples(pg_conn) == -1


def test_noload_analyzes_nothing(pg_conn, table):
    _copy(pg_conn, table, "NOLOAD STATUPDATE ON")
    pg_conn.commit()
    assert _reltuples(pg_conn) == -1
