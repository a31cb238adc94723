"""The client's own backend session, seen as the small part of a psycopg2 connection that dwhkit's
COPY emulation uses (cursor().execute/fetchone/fetchall/copy_expert, autocommit, cancel, closed).

Why: a COPY must run in the client's session — inside its transaction, seeing its uncommitted
tables (dbt creates a table and loads it in one transaction), rolled back with it. dwhkit's one
door to the emulation (targets/pg_bulk.copy) takes a driver connection of that session; the proxy
holds a socket, so this adapter speaks the protocol on that socket for it: simple Query messages,
rows converted by psycopg2's own typecasters (by type OID), COPY FROM STDIN as CopyData messages.
Values are interpolated the way psycopg2 does it (its adapters quote them), never spliced raw.
"""
from __future__ import annotations

import re

import psycopg2
import psycopg2.extensions as ext

from . import wire

_PYFORMAT = re.compile(r"%\((\w+)\)s|%s|%%")


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
    """An ErrorResponse of the backend session (the emulation catches psycopg2.Error)."""


class WireCursor:
    def __init__(self, conn: "WireConnection"):
        self.conn = conn
        self.rows: list[tuple] = []
        self.description = None
        self.rowcount = -1

    def execute(self, sql: str, params=None) -> None:
        columns, self.rows, tag = self.conn.session.internal_query(interpolate(sql, params))
        self.description = [(name, oid, None, None, None, None, None) for name, oid in columns] or None
        self.rows = [tuple(_cast(v, oid) for v, (_, oid) in zip(row, columns)) for row in self.rows]
        last = tag.rsplit(" ", 1)[-1] if tag else ""
        self.rowcount = int(last) if last.isdigit() else -1

    def fetchone(self):
        return self.rows.pop(0) if self.rows else None

    def fetchall(self):
        rows, self.rows = self.rows, []
        return rows

    def copy_expert(self, sql: str, file, size: int = 8192) -> None:
        self.conn.session.internal_copy_in(sql, file, size)

    def close(self) -> None:
        self.rows = []

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def _cast(value: str | None, oid: int):
    if value is None:
        return None
    caster = ext.string_types.get(oid)
    return caster(value, None) if caster is not None else value


class WireConnection:
    def __init__(self, session):
        self.session = session
        # outside a transaction block the load must be a transaction of its own (as under autocommit)
        self.autocommit = session.status == b"I"
        self.closed = 0

    def cursor(self, *args, **kwargs) -> WireCursor:
        return WireCursor(self)

    def cancel(self) -> None:
        self.session.cancel_backend()

    def commit(self) -> None:
        self.cursor().execute("COMMIT")

    def rollback(self) -> None:
        self.cursor().execute("ROLLBACK")


def error_text(raw: bytes) -> tuple[str, str]:
    f = wire.fields(raw[5:-1])
    return f.get("M", "error"), f.get("C", "XX000")
