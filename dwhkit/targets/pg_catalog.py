"""A COPY target table's columns, read from Postgres's catalog into ``dwhkit.copy.convert.Table``.

Why a module of its own: the loader needs names, types, lengths, NOT NULL, IDENTITY and generated
flags, and must not know where they come from; this is the one place that reads them here.
"""
from __future__ import annotations

from ..copy.convert import Column, Table
from ..errors import CopyError
from ..identifiers import quote_catalog_name

_RELATION = ("SELECT c.oid, n.nspname, c.relname, c.relkind FROM pg_class c "
             "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = to_regclass(%s)")
_COLUMNS = """
    SELECT a.attname, t.typname, format_type(a.atttypid, a.atttypmod), a.atttypmod,
           a.attnotnull, a.atthasdef, a.attidentity, a.attgenerated, t.typtype, bt.typname
    FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid
    LEFT JOIN pg_type bt ON bt.oid = t.typbasetype
    WHERE a.attrelid = %s AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum"""


def describe_table(conn, schema: str | None, table: str) -> Table:
    """The target's columns in order; an unqualified name follows the search_path. The name is
    quoted as given (the COPY grammar has already folded what Redshift folds)."""
    ref = f"{quote_catalog_name(schema)}.{quote_catalog_name(table)}" if schema else quote_catalog_name(table)
    with conn.cursor() as cur:
        cur.execute(_RELATION, (ref,))
        row = cur.fetchone()
        if row is None:
            raise CopyError(f"relation \"{table if not schema else schema + '.' + table}\" does not exist")
        oid, nsp, rel, kind = row
        if kind not in ("r", "p"):
            raise CopyError(f"COPY target {nsp}.{rel} is not a table")
        cur.execute(_COLUMNS, (oid,))
        cols = tuple(_column(*r) for r in cur.fetchall())
    return Table(oid, nsp, rel, cols)


def _column(name, typname, text, typmod, notnull, hasdef, ident, gen, typtype, basetype) -> Column:
    if typtype == "d" and basetype:     # a domain: convert as its base type
        typname = basetype
    length = precision = scale = None
    if typname in ("varchar", "bpchar") and typmod > 4:
        length = typmod - 4
    elif typname == "numeric" and typmod > 4:
        precision, scale = ((typmod - 4) >> 16) & 0xFFFF, (typmod - 4) & 0xFFFF
    return Column(name, typname, text, length, precision, scale, bool(notnull), bool(hasdef), ident or "", bool(gen))
