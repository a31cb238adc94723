"""A client's own Postgres backend session, reached over the wire by `dwh serve`, seen as the small
part of a psycopg2 connection that the COPY emulation uses (cursor().execute/fetchone/fetchall/
copy_expert, autocommit, cancel, closed).

Why: a COPY sent to the endpoint must run in the client's session — inside its transaction,
seeing its uncommitted tables (dbt creates a table and loads it in one transaction), rolled back
with it. The emulation behind targets/pg_bulk.py takes a driver connection of that session; the
proxy holds a socket instead. So the proxy lends a *backend session* (below) that runs simple
Query messages and COPY FROM STDIN on that socket, and this adapter makes it look like psycopg2:
values are interpolated with psycopg2's own quoting, result text is converted by psycopg2's own
typecasters (by type OID), and a backend error becomes a psycopg2.Error (which the emulation
catches). This module is Postgres-specific, which is why it lives in targets/.

The backend session (dwhkit.serve.session.Session) provides:

* ``run_simple_query(sql)`` → (columns as [(name, type OID)], rows of text or None, command tag,
  error as (message, SQLSTATE) or None);
* ``run_copy_in(sql, data, size)`` → the error as above or None (the data's own exceptions pass);
* ``cancel_backend()``; ``idle``: True outside a transaction block.
"""
from __future__ import annotations

import re
import uuid
from contextlib import contextmanager
from typing import NamedTuple

import psycopg2
import psycopg2.extensions as ext

_PYFORMAT = re.compile(r"%\((\w+)\)s|%s|%%")
NUMERIC_OID, VARHDRSZ = 1700, 4


def _literal(value) -> str:
    adapted = ext.adapt(value)
    if hasattr(adapted, "encoding"):
        adapted.encoding = "utf8"
    quoted = adapted.getquoted()
    return quoted.decode("utf-8") if isinstance(quoted, bytes) else str(quoted)


def interpolate(sql: str, params) -> str:
    """psycopg2's paramstyle (``%s`` / ``%(name)s``, ``%%``) with its quoting."""
    if params is None:
        return sql
    seq = iter(params) if not isinstance(params, dict) else None

    def sub(m: re.Match) -> str:
        if m.group(0) == "%%":
            return "%"
        if m.group(1) is not None:
            return _literal(params[m.group(1)])
        return _literal(next(seq))

    return _PYFORMAT.sub(sub, sql)


class WireError(psycopg2.DatabaseError):
    """An ErrorResponse of the backend session, with its SQLSTATE."""

    def __init__(self, message: str, sqlstate: str = "XX000"):
        super().__init__(message)
        self._sqlstate = sqlstate

    @property
    def pgcode(self) -> str:  # psycopg2's attribute is read-only on its own class
        return self._sqlstate


def _raise_for(error) -> None:
    if error is not None:
        raise WireError(*error)


class WireCursor:
    def __init__(self, conn: "WireConnection"):
        self.conn = conn
        self.rows: list[tuple] = []
        self.description = None
        self.rowcount = -1

    def execute(self, sql: str, params=None) -> None:
        columns, rows, tag, error = self.conn.session.run_simple_query(interpolate(sql, params))
        _raise_for(error)
        self.description = [_Column(name, oid, *_sizes(oid, size, modifier)) for name, oid, size, modifier in columns] \
            or None
        self.rows = [tuple(_cast(v, c[1]) for v, c in zip(row, columns)) for row in rows]
        last = tag.rsplit(" ", 1)[-1] if tag else ""
        self.rowcount = int(last) if last.isdigit() else -1

    def fetchone(self):
        return self.rows.pop(0) if self.rows else None

    def fetchall(self):
        rows, self.rows = self.rows, []
        return rows

    def copy_expert(self, sql: str, file, size: int = 8192) -> None:
        _raise_for(self.conn.session.run_copy_in(sql, file, size))

    def close(self) -> None:
        self.rows = []

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


class _Column(NamedTuple):
    """A result column as psycopg2 describes it (pg_unload.describe reads these fields)."""
    name: str
    type_code: int
    internal_size: int | None
    precision: int | None
    scale: int | None
    display_size: None = None
    null_ok: None = None


def _sizes(oid: int, size: int, modifier: int) -> tuple[int | None, int | None, int | None]:
    """(internal_size, precision, scale) from the row description's type length and modifier,
    decoded as psycopg2 decodes them: a varlena's declared length, numeric's precision and scale."""
    if size != -1:
        return size, None, None
    if oid == NUMERIC_OID:
        if modifier < VARHDRSZ:
            return -1, None, None
        return -1, ((modifier - VARHDRSZ) >> 16) & 0xFFFF, (modifier - VARHDRSZ) & 0xFFFF
    return (modifier - VARHDRSZ if modifier >= VARHDRSZ else -1), None, None


def _cast(value: str | None, oid: int):
    if value is None:
        return None
    caster = ext.string_types.get(oid)
    return caster(value, None) if caster is not None else value


class WireConnection:
    def __init__(self, session):
        self.session = session
        # outside a transaction block the load must be a transaction of its own (as under autocommit)
        self.autocommit = session.idle
        self.closed = 0

    def cursor(self, *args, **kwargs) -> WireCursor:
        return WireCursor(self)

    def cancel(self) -> None:
        self.session.cancel_backend()

    def commit(self) -> None:
        self.cursor().execute("COMMIT")

    def rollback(self) -> None:
        self.cursor().execute("ROLLBACK")


# -- COPY and UNLOAD in the client's session -------------------------------------------------------
def run_bulk(session, cmd, connect_raw):
    """Run one parsed COPY or UNLOAD in ``session``; ``connect_raw``: the target's side connections
    (stl rows that survive a rollback). Returns the CopyResult or UnloadResult."""
    from ..copy.unload import run_unload
    from ..copy.options import UnloadCommand
    from . import pg_bulk

    if isinstance(cmd, UnloadCommand):
        return run_unload(WireUnloadQuery(session), cmd)
    return pg_bulk.copy(WireConnection(session), cmd, connect_raw)


class WireUnloadQuery:
    """The UnloadQuery (copy/unload.py) of an UNLOAD in the client's session: it reads what the
    client's transaction sees, its uncommitted rows included, as Redshift's UNLOAD does.

    The same query and result as pg_unload.PostgresUnloadQuery (its translation and column
    description are reused); rows come through a cursor DECLAREd in a savepoint (or a
    transaction of its own outside a block) and FETCHed in batches, values as Postgres prints
    them, the ``native_oids`` types converted by psycopg2's typecasters."""

    def __init__(self, session):
        self.session = session
        self.conn = WireConnection(session)

    def prepare(self, query: str):
        from .pg_unload import postgres_select

        return postgres_select(query)

    def _run(self, sql: str):
        from ..errors import CopyError

        columns, rows, _, error = self.session.run_simple_query(sql)
        if error is not None:
            raise CopyError(f"UNLOAD failed: {error[0]}")
        return columns, rows

    @contextmanager
    def _isolated(self):
        own_txn = self.session.idle
        self._run("BEGIN" if own_txn else "SAVEPOINT dwhkit_unload")
        try:
            yield
        except BaseException:
            self.session.run_simple_query("ROLLBACK" if own_txn else
                                          "ROLLBACK TO SAVEPOINT dwhkit_unload; RELEASE SAVEPOINT dwhkit_unload")
            raise
        self._run("COMMIT" if own_txn else "RELEASE SAVEPOINT dwhkit_unload")

    @contextmanager
    def rows(self, prepared, partition_by, native_oids, batch_rows: int):
        from .pg_unload import _partition_sql, describe

        setup, select = prepared
        cursor = f"dwhkit_unload_{uuid.uuid4().hex[:12]}"
        with self._isolated():
            for stmt in setup:
                self._run(stmt)
            self._run(f"DECLARE {cursor} NO SCROLL CURSOR FOR "
                      + (_partition_sql(select, partition_by) if partition_by else select))
            fetch = f"FETCH FORWARD {int(batch_rows)} FROM {cursor}"
            columns, first = self._run(fetch)  # a FETCH describes its columns, rows or none
            native = frozenset(native_oids)
            oids = [c[1] for c in columns]

            def converted(rows):
                return [tuple(_cast(v, oid) if oid in native else v for v, oid in zip(row, oids)) for row in rows]

            def batches():
                batch = first
                while batch:
                    yield converted(batch)
                    batch = self._run(fetch)[1]

            description = [_Column(name, oid, *_sizes(oid, size, modifier)) for name, oid, size, modifier in columns]
            ncols = len(description) - (1 + len(partition_by) if partition_by else 0)
            yield describe(self.conn, description[:ncols]), batches()
            self._run(f"CLOSE {cursor}")
