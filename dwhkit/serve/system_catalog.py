"""The columns of the system relations (pg_catalog, information_schema, dwhkit_system), for the
translator's name resolution.

Why: drivers' catalog queries lean on Redshift's lateral aliases (``n.nspname AS table_schem …
WHERE table_schem LIKE $1`` in redshift_connector, ``AND schema = 'public'`` in sqlalchemy-redshift).
The translator inlines such an alias only when it knows the FROM relations have no column of that
name (compat/catalog.py's protocol). System relations never change while the server runs, so one
snapshot taken at start answers for them, with no round trip per statement; user tables get None
("not known"), which leaves the translation as it is without a catalog.
"""
from __future__ import annotations

SYSTEM_SCHEMAS = ("pg_catalog", "information_schema", "dwhkit_system")


class SystemCatalog:
    def __init__(self, relations: dict[tuple[str, str], dict[str, str]]):
        self._relations = relations

    @classmethod
    def load(cls, raw_conn) -> "SystemCatalog":
        relations: dict[tuple[str, str], dict[str, str]] = {}
        with raw_conn.cursor() as cur:
            cur.execute(
                "SELECT n.nspname, c.relname, a.attname, pg_catalog.format_type(a.atttypid, a.atttypmod) "
                "FROM pg_catalog.pg_attribute a JOIN pg_catalog.pg_class c ON c.oid = a.attrelid "
                "JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
                "WHERE n.nspname = ANY(%s) AND a.attnum > 0 AND NOT a.attisdropped AND c.relkind IN ('r', 'v', 'm') "
                "ORDER BY n.nspname, c.relname, a.attnum", (list(SYSTEM_SCHEMAS),))
            for schema, table, column, type_name in cur.fetchall():
                relations.setdefault((schema, table), {})[column.lower()] = type_name
        raw_conn.rollback()
        return cls(relations)

    def columns(self, table: str, schema: str | None = None) -> dict[str, str] | None:
        table = table.lower()
        if schema is not None:
            return self._relations.get((schema.lower(), table))
        # unqualified: pg_catalog is searched first; dwhkit_system is on every session's path
        return self._relations.get(("pg_catalog", table)) or self._relations.get(("dwhkit_system", table))
