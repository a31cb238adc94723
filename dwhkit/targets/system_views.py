"""Redshift's system views that users query, emulated on Postgres targets.

svv_table_info and pg_table_def read the table design (DISTSTYLE, DISTKEY, SORTKEY, ENCODE) that
the translator keeps in each table's comment (dwhkit.compat.ddl.table_design), and Postgres's
catalog for the rest. Like Redshift's, they list user tables only.
"""
from __future__ import annotations

VIEWS_VERSION = 2

_DESIGN = "(CASE WHEN obj_description(c.oid, 'pg_class') LIKE 'dwhkit:design:%%' " \
          "THEN substr(obj_description(c.oid, 'pg_class'), 15)::jsonb END)"

DDL = [
    "CREATE SCHEMA IF NOT EXISTS dwhkit_system",
    # r_TRUNC_date: TRUNC(timestamp) is a DATE on Redshift; Postgres's trunc() takes numbers only,
    # so an overload on the search path resolves it (the numeric ones still win for numbers).
    "CREATE OR REPLACE FUNCTION dwhkit_system.trunc(timestamp) RETURNS date "
    "LANGUAGE sql IMMUTABLE STRICT AS 'SELECT $1::date'",
    "CREATE OR REPLACE FUNCTION dwhkit_system.trunc(timestamptz) RETURNS date "
    "LANGUAGE sql STABLE STRICT AS 'SELECT ($1 AT TIME ZONE ''UTC'')::date'",
    f"""
CREATE OR REPLACE VIEW dwhkit_system.svv_table_info AS
SELECT current_database()::text AS database,
       n.nspname::text AS schema,
       c.oid::int AS table_id,
       c.relname::text AS "table",
       CASE WHEN d.design -> 'encode' <> '{{}}'::jsonb THEN 'Y' ELSE 'N' END::char(1) AS encoded,
       CASE WHEN d.design ->> 'diststyle' = 'KEY' THEN 'KEY(' || (d.design ->> 'distkey') || ')'
            ELSE COALESCE(d.design ->> 'diststyle', 'AUTO') END::text AS diststyle,
       (d.design -> 'sortkey' ->> 0)::text AS sortkey1,
       (SELECT max(a.atttypmod - 4) FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attnum > 0
          AND NOT a.attisdropped AND a.atttypid = 'varchar'::regtype)::int AS max_varchar,
       COALESCE(jsonb_array_length(d.design -> 'sortkey'), 0)::int AS sortkey_num,
       (pg_total_relation_size(c.oid) / 1048576)::bigint AS size,
       GREATEST(c.reltuples, 0)::numeric(38, 0) AS tbl_rows,
       GREATEST(c.reltuples, 0)::numeric(38, 0) AS estimated_visible_rows,
       CASE WHEN d.design IS NULL THEN NULL ELSE (d.design ->> 'sortkey_type') END::text AS sortkey_type,
       CASE WHEN (d.design ->> 'backup') = 'false' THEN 'N' ELSE 'Y' END::char(1) AS backup
FROM pg_class c
JOIN pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN LATERAL (SELECT {_DESIGN} AS design) d ON TRUE
WHERE c.relkind IN ('r', 'p')
  AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'dwhkit_system')
  AND n.nspname NOT LIKE 'pg_toast%%'
""",
    f"""
CREATE OR REPLACE VIEW dwhkit_system.pg_table_def AS
SELECT n.nspname::name AS schemaname,
       c.relname::name AS tablename,
       a.attname::name AS "column",
       format_type(a.atttypid, a.atttypmod)::text AS type,
       COALESCE(d.design -> 'encode' ->> a.attname, 'none')::char(16) AS encoding,
       (d.design ->> 'distkey') IS NOT DISTINCT FROM a.attname::text AS distkey,
       COALESCE((SELECT (k.ord)::int * CASE WHEN d.design ->> 'sortkey_type' = 'interleaved' THEN -1 ELSE 1 END
                 FROM jsonb_array_elements_text(d.design -> 'sortkey') WITH ORDINALITY AS k(col, ord)
                 WHERE k.col = a.attname::text), 0) AS sortkey,
       a.attnotnull AS notnull
FROM pg_class c
JOIN pg_namespace n ON n.oid = c.relnamespace
JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
LEFT JOIN LATERAL (SELECT {_DESIGN} AS design) d ON TRUE
WHERE c.relkind IN ('r', 'p')
  AND n.nspname = ANY (current_schemas(false))
  AND n.nspname <> 'dwhkit_system'
""",
]


def ensure_system_views(conn) -> None:
    """Create or refresh the views once per database (a comment on the schema records the version)."""
    with conn.cursor() as cur:
        cur.execute("SELECT obj_description(to_regnamespace('dwhkit_system'), 'pg_namespace')")
        row = cur.fetchone()
        if row and row[0] == f"dwhkit system views v{VIEWS_VERSION}":
            return
        cur.execute("SELECT pg_advisory_xact_lock(hashtext('dwhkit system views'))")
        for sql in DDL:
            cur.execute(sql)
        cur.execute(f"COMMENT ON SCHEMA dwhkit_system IS 'dwhkit system views v{VIEWS_VERSION}'")
