"""The COPY sink for Postgres over psycopg2: ``COPY … FROM STDIN`` inside a savepoint.

Why this shape: the load runs inside a SAVEPOINT (under autocommit, a transaction of its own), so
a failed COPY leaves the table exactly as it was and does not kill the caller's transaction
(Redshift's COPY is all-or-nothing). stl rows go through an autocommit side connection when there
is one (they survive a rollback, as Redshift's logs do), else through the session itself.
Driver errors leave here as CopyError.
"""
from __future__ import annotations

import contextlib

import psycopg2

from ..copy.sink import BlockFormat, LoadIds
from ..errors import CopyError
from ..identifiers import quote_catalog_name
from . import pg_catalog, pg_system_tables as stl

_SAVEPOINT = "dwhkit_copy"
STATUPDATE_TARGET = 10      # the statistics target of STATUPDATE's ANALYZE (see update_statistics)


def _qualified(table) -> str:
    return f"{quote_catalog_name(table.schema)}.{quote_catalog_name(table.name)}"


def copy_statement(table, columns, fmt: BlockFormat) -> str:
    """``COPY … FROM STDIN`` reading ``fmt``; names are the catalog's, quoted as stored."""
    q = quote_catalog_name
    head = f"COPY {q(table.schema)}.{q(table.name)} ({', '.join(q(c.name) for c in columns)}) FROM STDIN"
    if fmt.kind == "text":
        return head
    if fmt.kind == "bin":
        return head + " WITH (FORMAT binary)"
    delim = f"DELIMITER E'\\x{fmt.delimiter[0]:02x}'"
    if fmt.kind == "pgtext":
        return f"{head} WITH (FORMAT text, {delim}, NULL '')"
    if fmt.kind == "csv":
        keep = f", FORCE_NOT_NULL ({', '.join(q(n) for n in fmt.not_null)})" if fmt.not_null else ""
        return f"{head} WITH (FORMAT csv, {delim}, QUOTE E'\\x01', NULL ''{keep})"
    raise ValueError(f"unknown COPY data kind {fmt.kind!r}")


class PostgresCopySink:
    """A ``CopySink`` on one psycopg2 connection (the session running the COPY) and an optional
    factory of side connections for the stl rows."""

    def __init__(self, conn, side_conn_factory=None):
        self.conn = conn
        self._side_factory = side_conn_factory
        self.side = None
        self.durable_log = side_conn_factory is not None
        # Under autocommit the COPY runs in a transaction of its own, so a COPY reported as failed
        # never leaves rows behind; otherwise in a savepoint of the caller's transaction.
        self._own_txn = bool(conn.autocommit)
        self._table_name = ""
        self._was_empty: bool | None = None

    def begin(self) -> LoadIds:
        if self._side_factory is not None:
            self.side = self._side_factory()
            self.side.autocommit = True
            stl.ensure_system_tables(self.side)
        with self.conn.cursor() as cur:
            if self._own_txn:
                cur.execute("BEGIN")
            if self.side is None:
                stl.ensure_system_tables(self.conn)
            cur.execute(f"SELECT nextval('{stl.SCHEMA}.copy_query_id_seq'), pg_backend_pid()")
            query_id, session = cur.fetchone()
            cur.execute(f"SAVEPOINT {_SAVEPOINT}")
        return LoadIds(query_id, session)

    def describe_table(self, schema, name):
        self._table_name = name
        with self._driver_errors():
            return pg_catalog.describe_table(self.conn, schema, name)

    def write(self, table, columns, fmt: BlockFormat, data) -> None:
        sql = copy_statement(table, columns, fmt)
        with self._driver_errors(), self.conn.cursor() as cur:
            if self._was_empty is None:     # here, in the sending thread: see CopySink.was_empty
                cur.execute(f"SELECT NOT EXISTS (SELECT 1 FROM {_qualified(table)})")
                self._was_empty = bool(cur.fetchone()[0])
            cur.copy_expert(sql, data, size=1 << 20)

    def interrupt(self) -> None:
        try:
            self.conn.cancel()           # the statement in progress stops at the server
        except Exception:  # noqa: BLE001 - the connection may be gone already
            pass

    def log(self, errors, commits) -> None:
        if errors or commits:
            with self._driver_errors():
                stl.write_rows(self.side if self.side is not None else self.conn, errors, commits)

    def was_empty(self, table) -> bool:
        return bool(self._was_empty)

    def update_statistics(self, table) -> None:
        # A sample of 3,000 rows (statistics target 10, for this ANALYZE only): the table's size
        # and each column's spread, roughly, which is what turns the plans of the queries after a
        # first load from sorts into hash joins; Postgres's default sample (30,000 rows)
        # took 0.9 s on the 40-column Criteo staging table, this one 0.08 s. Postgres's ANALYZE
        # warns and skips a table the session does not own, as a default STATUPDATE should; it
        # runs inside the load's savepoint, so a failed COPY keeps the old statistics.
        with self._driver_errors(), self.conn.cursor() as cur:
            cur.execute("SELECT current_setting('default_statistics_target'), "
                        "set_config('default_statistics_target', %s, true)", (str(STATUPDATE_TARGET),))
            previous = cur.fetchone()[0]
            cur.execute(f"ANALYZE {_qualified(table)}")
            cur.execute("SELECT set_config('default_statistics_target', %s, true)", (previous,))

    def commit(self, ids: LoadIds, rows_loaded: int) -> None:
        with self._driver_errors():
            stl.set_last_copy(self.conn, ids.query_id, rows_loaded)
            with self.conn.cursor() as cur:
                cur.execute(f"RELEASE SAVEPOINT {_SAVEPOINT}")
            if self._own_txn:
                self.conn.cursor().execute("COMMIT")

    def abort(self, ids: LoadIds, errors, commits) -> None:
        with self._driver_errors():
            with self.conn.cursor() as cur:
                cur.execute(f"ROLLBACK TO SAVEPOINT {_SAVEPOINT}")
                cur.execute(f"RELEASE SAVEPOINT {_SAVEPOINT}")
            self.log(errors, commits)        # outside the savepoint: kept
            stl.set_last_copy(self.conn, ids.query_id, 0)
            if self._own_txn:
                self.conn.cursor().execute("COMMIT")

    def close(self, failed: bool = False) -> None:
        try:
            if failed and self._own_txn and self.conn.closed == 0:
                with contextlib.suppress(Exception):     # the original error matters more
                    self.conn.cursor().execute("ROLLBACK")
        finally:
            if self.side is not None:
                self.side.close()
                self.side = None

    @contextlib.contextmanager
    def _driver_errors(self):
        try:
            yield
        except psycopg2.Error as exc:
            raise CopyError(f"Load into table '{self._table_name}' failed: {exc}".strip()) from exc


def run_copy(conn, cmd, *, side_conn_factory=None, source=None):
    """Run one parsed COPY in ``conn``'s session (a psycopg2 connection); ``side_conn_factory``
    opens the connection stl rows go through (they then survive a rollback); ``source``: where
    the bytes come from, when not the Source FROM's URL picks."""
    from ..copy.loader import run_copy as load

    return load(PostgresCopySink(conn, side_conn_factory), cmd, source=source)
