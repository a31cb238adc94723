"""Catalog reads on a session: which tables a schema holds, a table's columns and their types.

Why here: the translator (Redshift's implicit conversions), the pipeline's schema check and the
report all ask these questions; the SQL that answers them is the engine's, so it lives in targets/.
``columns`` implements dwhkit.compat.catalog.Catalog and is cached per connection: the translator
may ask it for every statement. A miss is never cached (another session may create the table);
the executor calls ``invalidate`` after DDL, ``SET`` (the search path) and rollbacks.
"""
from __future__ import annotations

import contextlib
from typing import ContextManager

from ..identifiers import quote_ident

# information_schema: the same on Postgres and Redshift. It lists the tables and views the
# session's user may use, which is what a schema check needs to know.
_TABLES = "SELECT table_name FROM information_schema.tables WHERE table_schema = %s"

_COLUMNS_INFORMATION_SCHEMA = (
    "SELECT column_name, data_type FROM information_schema.columns "
    "WHERE table_schema = COALESCE(%s, current_schema()) AND table_name = %s ORDER BY ordinal_position")

# Postgres: to_regclass resolves an unqualified name along the search path, as the statement will.
_COLUMNS_PG = (
    "SELECT a.attname, format_type(a.atttypid, a.atttypmod) FROM pg_attribute a "
    "WHERE a.attrelid = to_regclass(%s) AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum")


class SessionCatalog:
    """Catalog reads over one driver connection, through information_schema (any target)."""

    def __init__(self, raw_conn, lock: ContextManager | None = None):
        self._raw = raw_conn
        self._lock = lock if lock is not None else contextlib.nullcontext()
        self._columns: dict[tuple[str | None, str], dict[str, str]] = {}
        self.reads = 0  # queries sent (the cache's effect, visible to tests)

    def _rows(self, sql: str, params: tuple) -> list[tuple]:
        with self._lock:
            self.reads += 1
            cur = self._raw.cursor()
            try:
                cur.execute(sql, params)
                return cur.fetchall()
            finally:
                cur.close()

    def tables(self, schema: str) -> set[str]:
        """The names of the tables and views in ``schema`` (never cached: a schema check reads it once)."""
        return {name for (name,) in self._rows(_TABLES, (schema,))}

    def columns(self, table: str, schema: str | None = None) -> dict[str, str] | None:
        """Column name → type name in table order; None when no such table is visible."""
        # A Redshift identifier folds to lower case (quoted or not, unless the cluster enables
        # case-sensitive identifiers): https://docs.aws.amazon.com/redshift/latest/dg/r_names.html
        schema, table = (schema.lower() if schema else None), table.lower()
        key = (schema, table)
        cached = self._columns.get(key)
        if cached is None:
            rows = self._read_columns(table, schema)
            if not rows:
                return None
            cached = self._columns[key] = {name: type_ for name, type_ in rows}
        return dict(cached)

    def _read_columns(self, table: str, schema: str | None) -> list[tuple]:
        return self._rows(_COLUMNS_INFORMATION_SCHEMA, (schema, table))

    def invalidate(self) -> None:
        self._columns.clear()


class PostgresCatalog(SessionCatalog):
    """On Postgres, columns come from pg_catalog: exact type names, the search path followed."""

    def _read_columns(self, table: str, schema: str | None) -> list[tuple]:
        name = quote_ident(table) if schema is None else f"{quote_ident(schema)}.{quote_ident(table)}"
        return self._rows(_COLUMNS_PG, (name,))
