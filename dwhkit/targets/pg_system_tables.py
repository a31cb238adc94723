"""Redshift's COPY logs stored in Postgres: dwhkit_system.stl_load_errors / stl_load_commits and
pg_last_copy_id() / pg_last_copy_count().

Why separate tables and a side connection: on Redshift the STL tables are logs, not transactional —
a failed COPY rolls back its rows but its stl_load_errors rows stay. The Postgres sink writes them
through an autocommit side connection when it has one. Column names and types follow Redshift
(§5); CHAR columns are blank-padded as there, so users ``trim()`` them as in the AWS docs. The rows
themselves are shaped in ``dwhkit.copy.stl_rows``.
"""
from __future__ import annotations

from ..copy.stl_rows import COMMIT_COLUMNS, ERROR_COLUMNS

SCHEMA = "dwhkit_system"

DDL = f"""
CREATE SCHEMA IF NOT EXISTS {SCHEMA};
CREATE SEQUENCE IF NOT EXISTS {SCHEMA}.copy_query_id_seq;
CREATE TABLE IF NOT EXISTS {SCHEMA}.stl_load_errors (
    userid integer, slice integer, tbl integer, starttime timestamp, session integer, query integer,
    filename char(256), line_number bigint, colname char(127), type char(10), col_length char(10),
    position integer, raw_line char(1024), raw_field_value char(1024), err_code integer,
    err_reason char(100), is_partial integer, start_offset bigint);
CREATE TABLE IF NOT EXISTS {SCHEMA}.stl_load_commits (
    userid integer, query integer, slice integer, name char(256), filename char(256),
    byte_offset integer, lines_scanned integer, errors integer, curtime timestamp, status integer,
    file_format char(16), is_partial integer, start_offset bigint, copy_job_id bigint);
CREATE OR REPLACE FUNCTION {SCHEMA}.pg_last_copy_id() RETURNS integer LANGUAGE sql STABLE AS
$$ SELECT coalesce(nullif(current_setting('dwhkit.last_copy_id', true), ''), '-1')::integer $$;
CREATE OR REPLACE FUNCTION {SCHEMA}.pg_last_copy_count() RETURNS bigint LANGUAGE sql STABLE AS
$$ SELECT coalesce(nullif(current_setting('dwhkit.last_copy_count', true), ''), '0')::bigint $$;
"""


def ensure_system_tables(conn) -> None:
    """Create the schema, tables, query-id sequence and functions if missing (idempotent, cheap
    when they exist: one catalog lookup)."""
    with conn.cursor() as cur:
        cur.execute("SELECT to_regclass(%s) IS NOT NULL AND to_regclass(%s) IS NOT NULL "
                    "AND to_regprocedure(%s) IS NOT NULL",
                    (f"{SCHEMA}.stl_load_errors", f"{SCHEMA}.stl_load_commits", f"{SCHEMA}.pg_last_copy_count()"))
        if cur.fetchone()[0]:
            return
        cur.execute(f"SELECT pg_advisory_xact_lock(hashtext('{SCHEMA}'))")  # concurrent first COPYs
        cur.execute(DDL)


def write_rows(conn, errors: list[tuple], commits: list[tuple]) -> None:
    """Insert the log rows in one round trip per table."""
    from psycopg2.extras import execute_values

    with conn.cursor() as cur:
        if errors:
            execute_values(cur, f"INSERT INTO {SCHEMA}.stl_load_errors ({', '.join(ERROR_COLUMNS)}) VALUES %s",
                           errors, page_size=1000)
        if commits:
            execute_values(cur, f"INSERT INTO {SCHEMA}.stl_load_commits ({', '.join(COMMIT_COLUMNS)}) VALUES %s",
                           commits, page_size=1000)


def set_last_copy(conn, query_id: int, count: int) -> None:
    """pg_last_copy_id()/pg_last_copy_count() for this session (set outside the COPY's savepoint
    so that a failed COPY is still the 'last' one, as on Redshift)."""
    with conn.cursor() as cur:
        cur.execute("SELECT set_config('dwhkit.last_copy_id', %s, false), "
                    "set_config('dwhkit.last_copy_count', %s, false)", (str(query_id), str(count)))
