"""UNLOAD's query on Postgres over psycopg2: the Redshift SELECT translated, run through a
server-side cursor in batches, values as Postgres prints them.

Why here: copy/unload.py decides where rows go (slices, partitions, files, manifest); how they
are fetched is the engine's business. The query runs inside a SAVEPOINT (or a transaction of its
own on an autocommit connection), so a failing UNLOAD never kills the caller's transaction; a
named cursor keeps memory at one batch however large the result.
"""
from __future__ import annotations

import uuid
from contextlib import contextmanager

import psycopg2
import psycopg2.extensions as ext

from ..copy import unload_writers as w
from ..copy.unload import check_select
from ..errors import CopyError, TranslateError
from ..identifiers import quote_catalog_name


def postgres_select(query: str) -> tuple[list[str], str]:
    """The UNLOAD query as Postgres SQL: (setup statements, the SELECT). Refuses an outer LIMIT
    with Redshift's advice. The setup statements are compat's helper preludes (DO blocks), which
    cannot go inside ``DECLARE … CURSOR``."""
    from ..compat import split_statements, to_postgres

    check_select(query)
    translated = to_postgres(query)
    if len(translated) != 1:
        raise TranslateError(f"the UNLOAD query translated to {len(translated)} statements, expected one SELECT")
    parts = split_statements(translated[0])
    return parts[:-1], parts[-1]


def _partition_sql(select: str, names) -> str:
    """The SELECT with a row position and each partition value as text appended, ordered so one
    partition's rows come together in the query's order."""
    texts = ", ".join(f"CAST(s.{quote_catalog_name(n)} AS text)" for n in names)
    order = ", ".join(f"s.{quote_catalog_name(n)}" for n in names)
    return (f"SELECT s.*, {texts} FROM (SELECT q.*, row_number() OVER () AS __dwhkit_ord "
            f"FROM ({select}) AS q) AS s ORDER BY {order}, s.__dwhkit_ord")


def _text_caster(conn, keep_native=frozenset()):
    """A psycopg2 typecaster returning Postgres' text output unchanged for every type but
    ``keep_native``: values are then written exactly as Postgres prints them."""
    with conn.cursor() as cur:
        cur.execute("SELECT oid::int FROM pg_type")
        oids = tuple(o for (o,) in cur.fetchall() if o not in keep_native)
    return ext.new_type(oids, "DWHKIT_UNLOAD_TEXT", lambda value, cur: value)


def describe(conn, description) -> list[w.OutColumn]:
    """OutColumns for the cursor's result: base type names come from ``format_type``."""
    oids = sorted({d.type_code for d in description})
    with conn.cursor() as cur:
        cur.execute("SELECT oid::int, format_type(oid, NULL) FROM pg_type WHERE oid = ANY(%s::oid[])", (oids,))
        names = dict(cur.fetchall())
    cols = []
    for d in description:
        length = d.internal_size if d.type_code in w.CHAR_OIDS and d.internal_size and d.internal_size > 0 else None
        prec = d.precision if d.type_code == w.NUMERIC and d.precision and d.precision > 0 else None
        scale = d.scale if prec is not None else None
        cols.append(w.OutColumn(d.name, d.type_code, names.get(d.type_code, "unknown"), length, prec, scale))
    return cols


@contextmanager
def _isolated(conn):
    """The caller's transaction survives a failed UNLOAD: a SAVEPOINT inside an open transaction,
    or a transaction of our own on an autocommit connection (named cursors need a transaction).
    The query sees the caller's uncommitted rows, as a statement in that transaction would."""
    own_txn = bool(conn.autocommit)
    if own_txn:
        conn.autocommit = False
    else:
        with conn.cursor() as cur:
            cur.execute("SAVEPOINT dwhkit_unload")
    try:
        yield
    except BaseException:
        _rollback(conn, own_txn)
        raise
    else:
        if own_txn:
            conn.commit()
        else:
            with conn.cursor() as cur:
                cur.execute("RELEASE SAVEPOINT dwhkit_unload")
    finally:
        if own_txn and not conn.closed:
            conn.autocommit = True


def _rollback(conn, own_txn: bool) -> None:
    if conn.closed:
        return
    try:
        if own_txn:
            conn.rollback()
        else:
            with conn.cursor() as cur:
                cur.execute("ROLLBACK TO SAVEPOINT dwhkit_unload")
                cur.execute("RELEASE SAVEPOINT dwhkit_unload")
    except Exception:  # noqa: BLE001 - the original error matters more
        pass


class PostgresUnloadQuery:
    """The ``UnloadQuery`` of one UNLOAD on a psycopg2 connection (see copy/unload.py)."""

    def __init__(self, conn):
        self.conn = conn

    def prepare(self, query: str):
        return postgres_select(query)

    @contextmanager
    def rows(self, prepared, partition_by, native_oids, batch_rows: int):
        setup, select = prepared
        conn = self.conn
        try:
            with _isolated(conn):
                with conn.cursor() as cur:
                    for stmt in setup:
                        cur.execute(stmt)
                caster = _text_caster(conn, native_oids)
                cur = conn.cursor(name=f"dwhkit_unload_{uuid.uuid4().hex[:12]}")
                ext.register_type(caster, cur)
                try:
                    cur.execute(_partition_sql(select, partition_by) if partition_by else select)
                    first = cur.fetchmany(batch_rows)
                    ncols = len(cur.description) - (1 + len(partition_by) if partition_by else 0)
                    yield describe(conn, cur.description[:ncols]), _batches(cur, first, batch_rows)
                finally:
                    cur.close()
        except psycopg2.Error as exc:
            raise CopyError(f"UNLOAD failed: {str(exc).strip()}") from exc


def _batches(cur, first, batch_rows):
    batch = first
    while batch:
        yield batch
        batch = cur.fetchmany(batch_rows)


def run_unload(conn, cmd, *, side_conn_factory=None, s3_client=None, **kw):
    """Run one parsed UNLOAD on ``conn`` (a psycopg2 connection); see dwhkit.copy.unload.
    ``side_conn_factory`` is accepted for symmetry with run_copy (UNLOAD logs no rows yet)."""
    from ..copy.unload import run_unload as unload

    return unload(PostgresUnloadQuery(conn), cmd, s3_client=s3_client, **kw)
