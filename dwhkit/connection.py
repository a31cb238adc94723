"""A psycopg2-style DB-API connection whose cursors accept Redshift SQL.

Why: a classic ``etl.py`` loops ``cur.execute(query)`` over ``sql_queries.py``. On a Postgres
target each statement is translated (sqlglot + transforms) and COPY/UNLOAD are emulated; on
Redshift everything passes through verbatim. Changing one import is all a script needs.

Threads: like psycopg2 (DB-API threadsafety 2), one connection may be shared by threads. Each
``execute`` — a whole emulated COPY or UNLOAD included, which is several statements, a savepoint
and a stream — holds the connection's lock, so statements of different threads run one after
another instead of interleaving on the wire (which lost the connection or hung). They still share
one session and one transaction, as with psycopg2. Fetching reads the cursor's own client-side
buffer, so it needs no lock; cursors themselves are not shared between threads (DB-API level 2).
"""
from __future__ import annotations

import logging
import re
import threading

from .errors import CopyError, UnsupportedError

log = logging.getLogger("dwhkit")

_LEADING_COMMENTS = re.compile(r"^(\s+|--[^\n]*\n?|/\*.*?\*/)*", re.S)


def statement_kind(sql: str) -> str:
    """'copy', 'unload' or 'sql', from the statement's first keyword."""
    body = _LEADING_COMMENTS.sub("", sql, count=1)
    word = re.match(r"[A-Za-z_]+", body)
    first = word.group(0).lower() if word else ""
    return first if first in ("copy", "unload") else "sql"


class Cursor:
    """Delegates to a driver cursor; translates and intercepts on translating targets."""

    def __init__(self, connection: "Connection"):
        self.connection = connection
        self._raw = connection.raw.cursor()
        self._rowcount: int | None = None
        self.last_copy = None  # the CopyResult of the last COPY this cursor ran

    # -- execution -------------------------------------------------------------------------
    def execute(self, sql, params=None):
        with self.connection.lock:
            return self._execute(sql, params)

    def _execute(self, sql, params=None):
        self._rowcount = None
        if not self.connection.translates:
            return self._raw.execute(sql, params)
        from .compat import split_statements, to_postgres

        statements = split_statements(sql) if isinstance(sql, str) else [sql]
        for stmt in statements:
            kind = statement_kind(stmt)
            if kind == "copy":
                self._copy(stmt)
            elif kind == "unload":
                self._unload(stmt)
            else:
                for pg_sql in to_postgres(stmt):
                    # Parameters go to the statements that take them (a translation may add some
                    # that do not, e.g. the COMMENT recording a table's Redshift design).
                    takes = len(statements) == 1 and params is not None and ("%s" in pg_sql or "%(" in pg_sql)
                    self._raw.execute(pg_sql, params if takes else None)
        return None

    def executemany(self, sql, seq_of_params):
        with self.connection.lock:
            return self._executemany(sql, seq_of_params)

    def _executemany(self, sql, seq_of_params):
        if not self.connection.translates:
            return self._raw.executemany(sql, seq_of_params)
        from .compat import to_postgres

        translated = to_postgres(sql)
        if len(translated) != 1:
            raise UnsupportedError("executemany needs a statement that translates to one statement")
        return self._raw.executemany(translated[0], seq_of_params)

    def _copy(self, stmt: str) -> None:
        from .copy.grammar import parse_copy
        from .targets import pg_bulk

        cmd = parse_copy(stmt)
        if cmd.job is not None:  # COPY JOB: the job store/runner; LIST and SHOW leave rows on this cursor
            self.last_copy = pg_bulk.copy_job(self.connection.raw, cmd, self._raw,
                                              self.connection.target.connect_raw)
            self._rowcount = self.last_copy.rows_loaded if self.last_copy is not None else None
            return
        raw = self.connection.raw
        try:
            result = pg_bulk.copy(raw, cmd, self.connection.target.connect_raw)
        except Exception as exc:
            # A session lost mid-COPY (server restart, pg_terminate_backend, network) surfaces from
            # the loader's cleanup as a bare driver error ("connection already closed"); say what
            # happened. The server rolls the open transaction back: nothing was loaded.
            if raw.closed and not isinstance(exc, CopyError):
                cause = exc.__context__ if exc.__context__ is not None else exc
                first = (str(cause).strip().splitlines() or [type(cause).__name__])[0]
                raise CopyError(f"Load into table '{cmd.table}' failed: the database connection was lost "
                                f"during the COPY ({first}); the server rolled the transaction back, "
                                "nothing was loaded") from exc
            raise
        self.last_copy = result
        self._rowcount = result.rows_loaded
        log.info("Load into table '%s' completed, %d record(s) loaded successfully.", cmd.table, result.rows_loaded)
        if result.rows_rejected:
            log.info("Load into table '%s' completed, %d record(s) could not be loaded. "
                     "Check 'stl_load_errors' system table for details.", cmd.table, result.rows_rejected)

    def _unload(self, stmt: str) -> None:
        from .copy.unload_grammar import parse_unload
        from .targets import pg_bulk

        result = pg_bulk.unload(self.connection.raw, parse_unload(stmt), self.connection.target.connect_raw)
        self._rowcount = getattr(result, "rows_unloaded", -1)

    # -- results ---------------------------------------------------------------------------
    @property
    def rowcount(self) -> int:
        return self._rowcount if self._rowcount is not None else self._raw.rowcount

    @property
    def description(self):
        return self._raw.description

    def fetchone(self):
        return self._raw.fetchone()

    def fetchmany(self, size=None):
        return self._raw.fetchmany(size) if size is not None else self._raw.fetchmany()

    def fetchall(self):
        return self._raw.fetchall()

    def __iter__(self):
        return iter(self._raw)

    @property
    def arraysize(self):
        return self._raw.arraysize

    @arraysize.setter
    def arraysize(self, value):
        self._raw.arraysize = value

    def close(self):
        with self.connection.lock:
            self._raw.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


class Connection:
    """Wraps a driver connection; ``raw`` is the driver's own, for what this does not cover."""

    def __init__(self, raw, target):
        self.raw = raw
        self.target = target
        self.lock = threading.RLock()       # held for each statement (see the module docstring)

    @property
    def translates(self) -> bool:
        return self.target.translates

    def cursor(self) -> Cursor:
        return Cursor(self)

    def commit(self):
        with self.lock:
            self.raw.commit()

    def rollback(self):
        with self.lock:
            self.raw.rollback()

    def close(self):
        with self.lock:
            self.raw.close()

    @property
    def closed(self):
        return self.raw.closed

    @property
    def autocommit(self):
        return self.raw.autocommit

    @autocommit.setter
    def autocommit(self, value):
        with self.lock:
            self.raw.autocommit = value

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        # psycopg2's rule: leaving the block commits, or rolls back on error; it does not close.
        if exc_type is None:
            self.commit()
        else:
            self.rollback()

    def __repr__(self) -> str:
        return f"<dwhkit.Connection to {self.target.describe()}>"
