"""A psycopg2-shaped connection and cursor over a dwhkit connection.

Why not dwhkit's Connection as it is: scripts written for psycopg2 also call ``copy_expert``,
``mogrify``, ``cursor(cursor_factory=RealDictCursor)``, pass ``psycopg2.sql`` objects or the bytes
``psycopg2.extras.execute_values`` builds, and catch ``psycopg2.Error``. Statements still go
through dwhkit's cursor (translated, COPY/UNLOAD emulated); client-side COPY and ``mogrify`` go to
the real psycopg2 connection underneath, which speaks Postgres's COPY protocol natively.
"""
from __future__ import annotations

import re
from collections import namedtuple

import psycopg2
import psycopg2.extras

from .facade import Refused, as_text, column_names, dbapi_class_name, driver_errors

refuse = Refused(psycopg2, "psycopg2")

# Client-side COPY only: Redshift itself has no COPY FROM STDIN, and its COPY from S3 runs
# through cursor.execute like any statement.
_CLIENT_COPY = re.compile(r"^\s*copy\b.*\b(from\s+stdin|to\s+stdout)\b", re.I | re.S)

# Connection attributes that are the real psycopg2 connection's business (session settings,
# server facts); read and called on it directly.
_DELEGATED = frozenset({
    "encoding", "server_version", "protocol_version", "get_backend_pid", "get_parameter_status",
    "get_dsn_parameters", "get_transaction_status", "info", "notices", "notifies", "status", "dsn",
    "isolation_level", "readonly", "deferrable", "set_client_encoding", "cancel", "reset", "async_",
})
_REFUSED_CONN = {
    "lobject": "Redshift has no large objects",
    "tpc_begin": "Redshift has no two-phase commit", "tpc_prepare": "Redshift has no two-phase commit",
    "tpc_commit": "Redshift has no two-phase commit", "tpc_rollback": "Redshift has no two-phase commit",
    "tpc_recover": "Redshift has no two-phase commit", "xid": "Redshift has no two-phase commit",
    "poll": "asynchronous connections are not emulated", "fileno": "asynchronous connections are not emulated",
    "isexecuting": "asynchronous connections are not emulated",
}


def to_psycopg2_error(exc: BaseException):
    if isinstance(exc, psycopg2.Error):
        return None
    name = dbapi_class_name(exc)
    return getattr(psycopg2, name)(str(exc)) if name else None


class _DictRow(list):
    """psycopg2.extras.DictCursor's rows: by position and by column name."""

    def __init__(self, values, index):
        super().__init__(values)
        self._index = index

    def __getitem__(self, key):
        if isinstance(key, str):
            key = self._index[key]
        return super().__getitem__(key)

    def keys(self):
        return list(self._index)

    def items(self):
        return [(k, self[i]) for k, i in self._index.items()]

    def get(self, key, default=None):
        return self[key] if key in self._index else default


def _row_maker(cursor_factory, description):
    """How a fetched tuple becomes the row the cursor_factory's users expect."""
    names = column_names(description)
    if cursor_factory is None or cursor_factory is psycopg2.extensions.cursor:
        return None
    if issubclass(cursor_factory, psycopg2.extras.RealDictCursor):
        return lambda row: psycopg2.extras.RealDictRow(zip(names, row))
    if issubclass(cursor_factory, psycopg2.extras.DictCursor):
        index = {n: i for i, n in enumerate(names)}
        return lambda row: _DictRow(row, index)
    if issubclass(cursor_factory, psycopg2.extras.NamedTupleCursor):
        Row = namedtuple("Record", names, rename=True)
        return lambda row: Row._make(row)
    raise refuse(f"cursor_factory={cursor_factory.__name__}",
                  "only the default cursor, DictCursor, RealDictCursor and NamedTupleCursor are emulated")


def _check_factory(cursor_factory):
    if cursor_factory is not None and not issubclass(cursor_factory, (
            psycopg2.extras.RealDictCursor, psycopg2.extras.DictCursor, psycopg2.extras.NamedTupleCursor)) \
            and cursor_factory is not psycopg2.extensions.cursor:
        raise refuse(f"cursor_factory={cursor_factory.__name__}",
                      "only the default cursor, DictCursor, RealDictCursor and NamedTupleCursor are emulated")


class Psycopg2Cursor:
    """cursor.execute/executemany run through dwhkit; copy_* and mogrify use the real driver."""

    def __init__(self, connection: "Psycopg2Connection", name=None, cursor_factory=None):
        self.connection = connection
        self.name = name   # a named (server-side) cursor's rows are fetched client-side: same rows
        self._factory = cursor_factory
        self._cur = connection.dwh.cursor()
        self._rowcount = None
        self._make_row = None
        self.closed = False
        self.query = None
        self.itersize = 2000
        self.withhold = False
        self.scrollable = None

    # -- execution -------------------------------------------------------------------------
    def _text(self, query):
        return as_text(query, self.connection.dwh.raw)

    def execute(self, query, vars=None):
        sql = self._text(query)
        self._rowcount = None
        with driver_errors(to_psycopg2_error):
            self._cur.execute(sql, vars)
        self.query = sql.encode()
        self._make_row = _row_maker(self._factory, self._cur.description) if self._cur.description else None

    def executemany(self, query, vars_list):
        sql = self._text(query)
        self._rowcount = None
        with driver_errors(to_psycopg2_error):
            self._cur.executemany(sql, vars_list)
        self.query = sql.encode()
        self._make_row = None

    def mogrify(self, query, vars=None) -> bytes:
        """The statement with its values bound, as psycopg2 renders it (before translation:
        ``execute`` translates the result like any statement)."""
        dwh = self.connection.dwh
        with dwh.lock, dwh.raw.cursor() as cur:
            return cur.mogrify(self._text(query), vars)

    def copy_expert(self, sql, file, size=8192):
        """Client-side ``COPY … FROM STDIN`` / ``COPY … TO STDOUT`` (Postgres's COPY syntax, as
        psycopg2 sends it), run on the real connection underneath."""
        text = self._text(sql)
        if not _CLIENT_COPY.match(text):
            raise refuse("cursor.copy_expert() of a statement other than COPY … FROM STDIN / TO STDOUT",
                          "a Redshift COPY from S3 runs with cursor.execute()")
        self._raw_copy(lambda cur: cur.copy_expert(text, file, size))

    def copy_from(self, file, table, sep="\t", null="\\N", size=8192, columns=None):
        self._raw_copy(lambda cur: cur.copy_from(file, table, sep=sep, null=null, size=size, columns=columns))

    def copy_to(self, file, table, sep="\t", null="\\N", columns=None):
        self._raw_copy(lambda cur: cur.copy_to(file, table, sep=sep, null=null, columns=columns))

    def _raw_copy(self, run) -> None:
        dwh = self.connection.dwh
        with dwh.lock, dwh.raw.cursor() as cur:
            run(cur)
            self._rowcount = cur.rowcount
            self.query = cur.query

    def callproc(self, procname, parameters=None):
        raise refuse("cursor.callproc()", "Redshift runs a stored procedure with CALL: cursor.execute('CALL …')")

    def scroll(self, value, mode="relative"):
        raise refuse("cursor.scroll()", "rows are read forward only")

    def nextset(self):
        raise refuse("cursor.nextset()", "a statement has one result set")

    def setinputsizes(self, sizes):
        pass

    def setoutputsize(self, size, column=None):
        pass

    # -- results ---------------------------------------------------------------------------
    @property
    def description(self):
        return self._cur.description

    @property
    def rowcount(self) -> int:
        return self._rowcount if self._rowcount is not None else self._cur.rowcount

    @property
    def arraysize(self):
        return self._cur.arraysize

    @arraysize.setter
    def arraysize(self, value):
        self._cur.arraysize = value

    def _shape(self, rows):
        return rows if self._make_row is None else [self._make_row(r) for r in rows]

    def fetchone(self):
        row = self._cur.fetchone()
        return row if row is None or self._make_row is None else self._make_row(row)

    def fetchmany(self, size=None):
        return self._shape(self._cur.fetchmany(size))

    def fetchall(self):
        return self._shape(self._cur.fetchall())

    def __iter__(self):
        for row in self._cur:
            yield row if self._make_row is None else self._make_row(row)

    def close(self):
        if not self.closed:
            self._cur.close()
            self.closed = True

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __getattr__(self, name):
        raise AttributeError(f"psycopg2 cursor.{name} is not emulated by dwhkit.patch()")


class Psycopg2Connection:
    """What ``psycopg2.connect(<a Redshift host>)`` returns under dwhkit.patch()."""

    def __init__(self, dwh, cursor_factory=None):
        _check_factory(cursor_factory)
        self.dwh = dwh                      # the dwhkit.connection.Connection underneath
        self.cursor_factory = cursor_factory

    def cursor(self, name=None, cursor_factory=None, scrollable=None, withhold=False):
        if self.closed:
            raise psycopg2.InterfaceError("connection already closed")
        factory = cursor_factory or self.cursor_factory
        _check_factory(factory)
        return Psycopg2Cursor(self, name=name, cursor_factory=factory)

    def commit(self):
        with driver_errors(to_psycopg2_error):
            self.dwh.commit()

    def rollback(self):
        with driver_errors(to_psycopg2_error):
            self.dwh.rollback()

    def close(self):
        if not self.closed:
            self.dwh.close()

    @property
    def closed(self) -> int:
        return self.dwh.raw.closed

    @property
    def autocommit(self):
        return self.dwh.autocommit

    @autocommit.setter
    def autocommit(self, value):
        self.dwh.autocommit = value

    def set_session(self, isolation_level=None, readonly=None, deferrable=None, autocommit=None):
        with self.dwh.lock:
            self.dwh.raw.set_session(isolation_level=isolation_level, readonly=readonly,
                                     deferrable=deferrable, autocommit=autocommit)

    def set_isolation_level(self, level):
        with self.dwh.lock:
            self.dwh.raw.set_isolation_level(level)

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        # psycopg2: leaving the block commits (rolls back on error) and keeps the connection open
        if exc_type is None:
            self.commit()
        else:
            self.rollback()

    def __getattr__(self, name):
        if name in _DELEGATED:
            return getattr(self.dwh.raw, name)
        if name in _REFUSED_CONN:
            def refused(*args, **kwargs):
                raise refuse(f"connection.{name}()", _REFUSED_CONN[name])
            return refused
        raise AttributeError(f"psycopg2 connection.{name} is not emulated by dwhkit.patch()")

    def __repr__(self) -> str:
        return f"<psycopg2-compatible connection over {self.dwh!r}>"
