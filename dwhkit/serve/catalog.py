"""Catalog objects Redshift clients ask for on connect and introspection that dwhkit's system
views (targets/system_views.py) do not already provide, installed into ``dwhkit_system`` (on every
endpoint session's search path) when the server starts.

* ``version()`` — Redshift's string; the proxy sends ``version()`` here (rewrite.py). Drivers and
  dialects parse it for the "8.0.2" (r_VERSION).
* ``svv_tables`` / ``svv_columns`` / ``svv_all_*`` — Redshift's unified table and column lists
  (r_SVV_TABLES, r_SVV_COLUMNS, r_SVV_ALL_TABLES, r_SVV_ALL_COLUMNS), from information_schema.
* ``svv_external_*`` and ``pg_get_late_binding_view_cols()`` — empty: no Spectrum, no late binding.

Redshift keeps these in pg_catalog, and drivers sometimes qualify them so; the proxy sends
``pg_catalog.<name>`` of an emulated object here (rewrite.py).
"""
from __future__ import annotations

from ..compat import helpers

REDSHIFT_VERSION = ("PostgreSQL 8.0.2 on i686-pc-linux-gnu, compiled by GCC gcc (GCC) 3.4.2 20041017 "
                    "(Red Hat 3.4.2-6.fc3), Redshift 1.0.0 (dwhkit dwh serve)")

STATEMENTS = (
    "CREATE SCHEMA IF NOT EXISTS dwhkit_system",
    # Column compression encodings (c_Compression_encodings), numbered as attencodingtype here;
    # format_encoding(n) names them, as Redshift's function does.
    "CREATE OR REPLACE FUNCTION dwhkit_system.encodings() RETURNS text[] LANGUAGE sql IMMUTABLE "
    "AS $$ SELECT ARRAY['none', 'raw', 'az64', 'bytedict', 'delta', 'delta32k', 'lzo', 'mostly8', 'mostly16', "
    "'mostly32', 'runlength', 'text255', 'text32k', 'zstd']::text[] $$",
    "CREATE OR REPLACE FUNCTION dwhkit_system.format_encoding(integer) RETURNS text LANGUAGE sql IMMUTABLE "
    "AS $$ SELECT COALESCE((dwhkit_system.encodings())[$1 + 1], 'none') $$",
    "CREATE OR REPLACE FUNCTION dwhkit_system.version() RETURNS text LANGUAGE sql IMMUTABLE "
    "AS $$ SELECT %(version)s::text $$",
    """CREATE OR REPLACE VIEW dwhkit_system.svv_tables AS
       SELECT table_catalog::text AS table_catalog, table_schema::text AS table_schema,
              table_name::text AS table_name,
              CASE table_type WHEN 'BASE TABLE' THEN 'BASE TABLE' ELSE table_type END::text AS table_type,
              obj_description(format('%%I.%%I', table_schema, table_name)::regclass, 'pg_class')::text AS remarks
         FROM information_schema.tables
        WHERE table_schema NOT IN ('pg_catalog', 'information_schema')""",
    # r_SVV_COLUMNS, column for column (redshift_connector's get_columns reads domain_name).
    """CREATE OR REPLACE VIEW dwhkit_system.svv_columns AS
       SELECT table_catalog::text AS table_catalog, table_schema::text AS table_schema,
              table_name::text AS table_name, column_name::text AS column_name,
              ordinal_position::int AS ordinal_position, column_default::text AS column_default,
              is_nullable::text AS is_nullable,
              CASE data_type WHEN 'character varying' THEN 'character varying' ELSE data_type END::text AS data_type,
              character_maximum_length::int AS character_maximum_length,
              numeric_precision::int AS numeric_precision, numeric_precision_radix::int AS numeric_precision_radix,
              numeric_scale::int AS numeric_scale, datetime_precision::int AS datetime_precision,
              interval_type::text AS interval_type, interval_precision::text AS interval_precision,
              character_set_catalog::text AS character_set_catalog, character_set_schema::text AS character_set_schema,
              character_set_name::text AS character_set_name, collation_catalog::text AS collation_catalog,
              collation_schema::text AS collation_schema, collation_name::text AS collation_name,
              domain_name::text AS domain_name, NULL::text AS remarks
         FROM information_schema.columns
        WHERE table_schema NOT IN ('pg_catalog', 'information_schema')""",
    # r_SVV_ALL_TABLES / r_SVV_ALL_COLUMNS: local objects only (no datashares, no external schemas).
    """CREATE OR REPLACE VIEW dwhkit_system.svv_all_tables AS
       SELECT table_catalog AS database_name, table_schema AS schema_name, table_name, table_type,
              NULL::text AS table_acl, remarks
         FROM dwhkit_system.svv_tables""",
    """CREATE OR REPLACE VIEW dwhkit_system.svv_all_columns AS
       SELECT table_catalog AS database_name, table_schema AS schema_name, table_name, column_name,
              ordinal_position, column_default, is_nullable, data_type, character_maximum_length,
              numeric_precision, numeric_scale, remarks
         FROM dwhkit_system.svv_columns""",
    # Spectrum (external schemas and tables) is not emulated: the views exist and are empty, so a
    # driver's "is this schema external?" question gets Redshift's answer for a cluster without any.
    """CREATE OR REPLACE VIEW dwhkit_system.svv_external_schemas AS
       SELECT NULL::oid AS esoid, NULL::int AS eskind, NULL::name AS schemaname, NULL::int AS esowner,
              NULL::text AS databasename, NULL::text AS esoptions WHERE false""",
    """CREATE OR REPLACE VIEW dwhkit_system.svv_external_tables AS
       SELECT NULL::text AS redshift_database_name, NULL::name AS schemaname, NULL::name AS tablename,
              NULL::text AS location, NULL::text AS input_format, NULL::text AS output_format,
              NULL::text AS serialization_lib, NULL::text AS serde_parameters, NULL::int AS compressed,
              NULL::text AS parameters, NULL::text AS tabletype WHERE false""",
    """CREATE OR REPLACE VIEW dwhkit_system.svv_external_columns AS
       SELECT NULL::text AS redshift_database_name, NULL::name AS schemaname, NULL::name AS tablename,
              NULL::name AS columnname, NULL::text AS external_type, NULL::int AS columnnum,
              NULL::int AS part_key, NULL::text AS is_nullable WHERE false""",
    # r_PG_CLASS_INFO: pg_class plus the distribution style (sqlalchemy-redshift reads reldiststyle,
    # which the proxy sends here); dwhkit records a table's design in its comment (compat/ddl.py).
    """CREATE OR REPLACE VIEW dwhkit_system.pg_class_info AS
       SELECT c.*,
              CASE upper(substring(obj_description(c.oid, 'pg_class') from '"diststyle": *"([A-Za-z]+)"'))
                WHEN 'EVEN' THEN 0 WHEN 'KEY' THEN 1 WHEN 'ALL' THEN 8 ELSE CASE WHEN c.relkind = 'r' THEN 11 END
              END::int AS reldiststyle,
              CASE upper(substring(obj_description(c.oid, 'pg_class') from '"diststyle": *"([A-Za-z]+)"'))
                WHEN 'EVEN' THEN 0 WHEN 'KEY' THEN 1 WHEN 'ALL' THEN 8 ELSE CASE WHEN c.relkind = 'r' THEN 11 END
              END::int AS releffectivediststyle,
              NULL::timestamp AS relcreationtime
         FROM pg_catalog.pg_class c""",
    # Redshift's pg_attribute also has attisdistkey, attsortkeyord and attencodingtype (the
    # sqlalchemy-redshift dialect reads them, and pg_attrdef.adsrc, gone from Postgres 12): views
    # with those columns, read from the design dwhkit records in the table's comment.
    """CREATE OR REPLACE VIEW dwhkit_system.pg_attribute_info AS
       SELECT a.attrelid, a.attname, a.atttypid, a.attstattarget, a.attlen, a.attnum, a.attndims,
              a.attcacheoff, a.atttypmod, a.attbyval, a.attalign, a.attstorage, a.attcompression,
              a.attnotnull, a.atthasdef, a.atthasmissing, a.attidentity, a.attgenerated, a.attisdropped,
              a.attislocal, a.attinhcount, a.attcollation, a.attacl, a.attoptions, a.attfdwoptions,
              COALESCE(array_position(dwhkit_system.encodings(), lower(d.design->'encode'->>a.attname::text)),
                       1)::int - 1 AS attencodingtype,
              COALESCE(d.design->>'distkey' = a.attname::text, false) AS attisdistkey,
              COALESCE((SELECT e.i FROM jsonb_array_elements_text(d.design->'sortkey') WITH ORDINALITY e(k, i)
                         WHERE e.k = a.attname::text), 0)::int
                * CASE WHEN d.design->>'sortkey_type' = 'interleaved' THEN -1 ELSE 1 END AS attsortkeyord
         FROM pg_catalog.pg_attribute a
         LEFT JOIN LATERAL (
              SELECT CASE WHEN c.description LIKE 'dwhkit:design:{%%'
                          THEN substr(c.description, length('dwhkit:design:') + 1)::jsonb END AS design
                FROM pg_catalog.pg_description c
               WHERE c.objoid = a.attrelid AND c.classoid = 'pg_catalog.pg_class'::regclass AND c.objsubid = 0
         ) d ON true""",
    """CREATE OR REPLACE VIEW dwhkit_system.pg_attrdef_info AS
       SELECT ad.*, pg_catalog.pg_get_expr(ad.adbin, ad.adrelid) AS adsrc FROM pg_catalog.pg_attrdef ad""",
    # r_PG_PROC_INFO: pg_proc with the function's oid as prooid.
    """CREATE OR REPLACE VIEW dwhkit_system.pg_proc_info AS
       SELECT p.oid AS prooid, p.* FROM pg_catalog.pg_proc p""",
    # Late-binding views (CREATE VIEW … WITH NO SCHEMA BINDING) are plain views here: none to list.
    """CREATE OR REPLACE FUNCTION dwhkit_system.pg_get_late_binding_view_cols() RETURNS SETOF record
       LANGUAGE sql STABLE AS $$ SELECT NULL::name, NULL::name, NULL::name, NULL::text, NULL::int WHERE false $$""",
)


VIEWS = ("svv_table_info_full", "pg_attribute_info", "pg_attrdef_info", "pg_class_info", "pg_proc_info", "svv_all_tables", "svv_all_columns", "svv_tables", "svv_columns", "svv_external_schemas",
         "svv_external_tables", "svv_external_columns")


# r_SVV_TABLE_INFO columns that dwhkit's svv_table_info (targets/system_views.py) may not have;
# dbt-redshift's catalog (dbt docs generate) reads them. Added as "not measured" values.
TABLE_INFO_COLUMNS = (
    ("sortkey1_enc", "NULL::char(32)"), ("pct_used", "NULL::numeric(10,4)"), ("empty", "0::bigint"),
    ("unsorted", "NULL::numeric(5,2)"), ("stats_off", "0::numeric(5,2)"), ("skew_sortkey1", "NULL::numeric(19,2)"),
    ("skew_rows", "NULL::numeric(19,2)"), ("risk_event", "NULL::text"), ("vacuum_sort_benefit", "NULL::numeric(12,2)"),
    ("create_time", "NULL::timestamp"),
)


def _table_info_full(cur) -> str:
    """svv_table_info with every Redshift column: dwhkit's view, plus whichever it lacks."""
    cur.execute("SELECT attname FROM pg_catalog.pg_attribute WHERE attrelid = 'dwhkit_system.svv_table_info'::regclass "
                "AND attnum > 0 AND NOT attisdropped")
    have = {row[0] for row in cur.fetchall()}
    extra = "".join(f", {expr} AS {name}" for name, expr in TABLE_INFO_COLUMNS if name not in have)
    return f"CREATE VIEW dwhkit_system.svv_table_info_full AS SELECT t.*{extra} FROM dwhkit_system.svv_table_info t"


def install(raw_conn) -> None:
    """Create or refresh the objects, in one transaction, committing on ``raw_conn``.

    The views are dropped first: CREATE OR REPLACE VIEW cannot change a view's columns, and an
    older dwhkit may have made them with fewer."""
    with raw_conn.cursor() as cur:
        cur.execute("CREATE SCHEMA IF NOT EXISTS dwhkit_system")
        for view in VIEWS:
            cur.execute(f"DROP VIEW IF EXISTS dwhkit_system.{view} CASCADE")
        for statement in STATEMENTS:
            cur.execute(statement, {"version": REDSHIFT_VERSION})
        cur.execute(_table_info_full(cur))
        for statement in helpers.definitions("dwhkit_system"):
            cur.execute(statement)
    raw_conn.commit()
