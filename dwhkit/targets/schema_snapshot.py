"""What a schema is, read from pg_catalog (not from DDL text): the model check compares two.

Why in targets/: the questions are Postgres's catalog's; ``dwh migrate check`` builds both
schemas on scratch Postgres databases and compares what this returns (dwhkit.migrate.diff_snapshots).
"""
from __future__ import annotations

_USER_SCHEMAS = """
n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_toast%'
AND n.nspname NOT LIKE 'pg\\_temp\\_%'"""

_RELATIONS = f"""
SELECT c.oid, n.nspname, c.relname, c.relkind,
       CASE WHEN c.relkind IN ('v', 'm') THEN pg_get_viewdef(c.oid) END
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind IN ('r', 'p', 'v', 'm') AND {_USER_SCHEMAS}
  AND c.relname <> 'alembic_version'  -- each warehouse's, in its own schema
"""

_COLUMNS = """
SELECT a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull,
       pg_get_expr(d.adbin, d.adrelid), a.attidentity, a.attgenerated,
       s.seqtypid::regtype::text, s.seqstart, s.seqincrement, s.seqmin, s.seqmax, s.seqcycle
FROM pg_attribute a
LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
LEFT JOIN pg_sequence s ON s.seqrelid = pg_get_serial_sequence(a.attrelid::regclass::text, a.attname)::regclass
WHERE a.attrelid = %s AND a.attnum > 0 AND NOT a.attisdropped
ORDER BY a.attnum
"""

_CONSTRAINTS = "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = %s"
_INDEXES = "SELECT c.relname, pg_get_indexdef(i.indexrelid) FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid WHERE i.indrelid = %s"


def snapshot(conn) -> dict:
    """{"schema.table": {kind, view, columns: [(name, {type, nullable, default, identity…})],
    constraints, indexes}} for every user relation (the alembic_version tables left out)."""
    out: dict = {}
    with conn.cursor() as cur:
        cur.execute(_RELATIONS)
        for oid, schema, name, kind, view in cur.fetchall():
            with conn.cursor() as c2:
                c2.execute(_COLUMNS, (oid,))
                columns = []
                for (col, type_, notnull, default, identity, generated,
                     seqtype, start, incr, smin, smax, cycle) in c2.fetchall():
                    attrs = {"type": type_, "nullable": not notnull, "default": default,
                             "identity": {"a": "ALWAYS", "d": "BY DEFAULT"}.get(identity),
                             "generated": generated or None}
                    if identity:
                        attrs["sequence"] = (seqtype, start, incr, smin, smax, cycle)
                    columns.append((col, attrs))
                c2.execute(_CONSTRAINTS, (oid,))
                constraints = dict(c2.fetchall())
                c2.execute(_INDEXES, (oid,))
                indexes = dict(c2.fetchall())
            out[f"{schema}.{name}"] = {"kind": kind, "view": view, "columns": columns,
                                       "constraints": constraints, "indexes": indexes}
    return out
