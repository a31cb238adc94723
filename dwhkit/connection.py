"""A DB-API connection whose cursors accept Redshift SQL: a thin wrapper over its target's executor.

Why: a classic ``etl.py`` loops ``cur.execute(query)`` over ``sql_queries.py``. How a statement
runs (translated with COPY/UNLOAD emulated, or verbatim) is the target's business: each
connection holds the ``Executor`` its target made for it (dwhkit.targets.base), and this module
knows no engine. Changing one import is all a script needs.

Threads: like the Postgres driver (DB-API threadsafety 2), one connection may be shared by threads. Each
``execute`` — a whole emulated COPY or UNLOAD included, which is several statements, a savepoint
and a stream — holds the connection's lock, so statements of different threads run one after
another instead of interleaving on the wire (which lost the connection or hung). They still share
one session and one transaction, as with the driver. Fetching reads the cursor's own client-side
buffer, so it needs no lock; cursors themselves are not shared between threads (DB-API level 2).
"""
from __future__ import annotations

import threading


class Cursor:
    """Delegates to a driver cursor; the connection's executor decides how each statement runs."""

    def __init__(self, connection: "Connection"):
        self.connection = connection
        self._raw = connection.raw.cursor()
        self._rowcount: int | None = None
        self.last_copy = None  # the CopyResult of the last COPY this cursor ran

    # -- execution -------------------------------------------------------------------------
    def execute(self, sql, params=None):
        with self.connection.lock:
            self._rowcount = None
            outcome = self.connection.executor.execute(self._raw, sql, params)
            self._rowcount = outcome.rowcount
            if outcome.ran_copy:
                self.last_copy = outcome.copy
        return None

    def executemany(self, sql, seq_of_params):
        with self.connection.lock:
            self._rowcount = None
            self.connection.executor.executemany(self._raw, sql, seq_of_params)
        return None

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
        self.executor = target.executor(raw, self.lock)

    @property
    def catalog(self):
        """This session's catalog reads (tables of a schema, a table's columns), cached."""
        return self.executor.catalog

    def cursor(self) -> Cursor:
        return Cursor(self)

    def keep_translations(self, store) -> None:
        """Translate the statements ``store`` owns through it: see compat.translation_store."""
        self.executor.keep_translations(store)

    def commit(self):
        with self.lock:
            self.raw.commit()

    def rollback(self):
        with self.lock:
            self.raw.rollback()
            self.executor.rolled_back()

    def close(self):
        with self.lock:
            self.raw.close()

    @property
    def closed(self):
        return self.raw.closed

    @property
    def in_transaction(self) -> bool:
        """Inside a transaction block (statements since the last commit or rollback)."""
        return self.target.in_transaction(self.raw)

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
        # the Postgres driver's rule: leaving the block commits, or rolls back on error; it does not close.
        if exc_type is None:
            self.commit()
        else:
            self.rollback()

    def __repr__(self) -> str:
        return f"<dwhkit.Connection to {self.target.describe()}>"
