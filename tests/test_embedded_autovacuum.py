"""The embedded server reclaims deleted rows and refreshes statistics in the background within
seconds, as Redshift's automatic vacuum delete and automatic analyze do ("Analyzing tables":
https://docs.aws.amazon.com/redshift/latest/dg/t_Analyzing_tables.html); Postgres's default
(autovacuum looks once a minute) would leave an ETL that empties and reloads its tables reading
every earlier run's dead rows."""
from __future__ import annotations

import time


def _wait_for(conn, column: str, timeout: float = 20.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with conn.cursor() as cur:
            cur.execute(f"SELECT {column} FROM pg_stat_user_tables WHERE relname = 'reloaded'")
            value = cur.fetchone()[0]
        conn.rollback()
        if value is not None:
            return value
        time.sleep(0.2)
    return None


def test_a_reloaded_table_is_analyzed_and_vacuumed_within_seconds(pg_conn):
    with pg_conn.cursor() as cur:
        cur.execute("CREATE TABLE reloaded (id int, label varchar(8))")
        cur.execute("INSERT INTO reloaded SELECT i, 'v' || (i % 5) FROM generate_series(1, 5000) i")
    pg_conn.commit()
    assert _wait_for(pg_conn, "last_autoanalyze") is not None
    with pg_conn.cursor() as cur:
        cur.execute("DELETE FROM reloaded")
        cur.execute("INSERT INTO reloaded SELECT i, 'w' FROM generate_series(1, 5000) i")
    pg_conn.commit()
    assert _wait_for(pg_conn, "last_autovacuum") is not None
    with pg_conn.cursor() as cur:
        cur.execute("SELECT n_dead_tup FROM pg_stat_user_tables WHERE relname = 'reloaded'")
        assert cur.fetchone()[0] < 5000
