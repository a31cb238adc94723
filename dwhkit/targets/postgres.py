"""Any PostgreSQL server: Redshift SQL is translated, COPY/UNLOAD emulated against S3."""
from __future__ import annotations

import contextlib
import logging
from urllib.parse import quote

import psycopg2

from ..compat.translate import to_postgres
from ..errors import PipelineError, TargetConnectError
from ..identifiers import quote_ident
from . import pg_bulk
from .base import Target
from .postgres_executor import PostgresExecutor
from .schema_snapshot import snapshot
from .scratch import scratch_databases

log = logging.getLogger("dwhkit")

# dwhkit's emulated system tables (stl_load_errors, …) live in their own schema, found by
# unqualified name like Redshift's system tables.
SYSTEM_SCHEMA = "dwhkit_system"


# Every session as Redshift runs it: UTC; floats printed as Redshift prints them (REAL with 6 and
# DOUBLE PRECISION with 15 significant digits, Postgres's extra_float_digits=0 — the corpus row for
# REAL, from https://docs.aws.amazon.com/redshift/latest/dg/r_Examples_with_numeric_types201.html); and no JIT
# compilation, which Redshift does not have and which cost 1-3 s per heavy statement here.
SESSION_OPTIONS = "-c timezone=UTC -c extra_float_digits=0 -c jit=off"


class PostgresTarget(Target):
    name = "postgres"
    emulates_copy = True

    def __init__(self, host: str, port: int, dbname: str, user: str, password: str = "", schema: str = "public",
                 sslmode: str | None = None):
        """``sslmode``: libpq's ([CLUSTER] sslmode); None leaves libpq's default (prefer)."""
        self._params = {"host": host, "port": port, "dbname": dbname, "user": user}
        if sslmode:
            self._params["sslmode"] = sslmode
        self._password = password
        self.schema = schema

    # -- connections -----------------------------------------------------------------------
    def connect_raw(self):
        # A warehouse outside public sees only its own schema (and the system views): an unqualified
        # name can never fall through to another warehouse's table of the same name.
        search_path = f"{quote_ident(self.schema)},{SYSTEM_SCHEMA}"
        try:
            conn = psycopg2.connect(**self._params, password=self._password or None,
                                    options=f"-c search_path={search_path} {SESSION_OPTIONS}",
                                    application_name="dwhkit", connect_timeout=15)
        except psycopg2.OperationalError as exc:
            # The driver's message can echo connection parameters; keep the password out of it.
            message = str(exc).strip()
            if self._password:
                message = message.replace(self._password, "***")
            raise TargetConnectError(f"cannot connect to {self.describe()}: {message}") from None
        pg_bulk.ensure_system_objects(conn)
        conn.commit()
        return conn

    def executor(self, raw_conn, lock=None) -> PostgresExecutor:
        return PostgresExecutor(raw_conn, self.connect_raw, lock)

    def native_sql(self, statement: str) -> list[str]:
        return to_postgres(statement)

    def create_engine(self, **kwargs):
        """On this target's own connections (search path, system views), whatever the pool."""
        import sqlalchemy

        return sqlalchemy.create_engine("postgresql+psycopg2://", creator=self.connect_raw, **kwargs)

    def scratch_databases(self, config, *roles: str):
        return scratch_databases(self, config, *roles)

    def schema_snapshot(self) -> dict:
        conn = self.connect_raw()
        try:
            return snapshot(conn)
        finally:
            conn.close()

    # -- `dwh serve` ------------------------------------------------------------------------
    def sibling(self, dbname: str) -> "PostgresTarget":
        from .pg_admin import create_database_if_missing

        create_database_if_missing(self.connect_raw, dbname)
        p = self._params
        ssl = {"sslmode": p["sslmode"]} if "sslmode" in p else {}
        return PostgresTarget(p["host"], p["port"], dbname, p["user"], self._password, schema=self.schema, **ssl)

    def bulk_in_wire_session(self, session, cmd):
        from .pg_wire_session import run_bulk

        return run_bulk(session, cmd, self.connect_raw)

    # -- the run lock ----------------------------------------------------------------------
    @contextlib.contextmanager
    def run_lock(self, key: str, wait: bool = True):
        """A session-level advisory lock on a connection of its own, held for the block.

        A second holder waits (saying so) or, with wait=False, stops with a clear message.
        Closing the session releases the lock, even when the process dies."""
        conn = self.connect_raw()
        conn.autocommit = True
        try:
            with conn.cursor() as cur:
                cur.execute("SELECT pg_try_advisory_lock(hashtext(%s))", (key,))
                if not cur.fetchone()[0]:
                    if not wait:
                        raise PipelineError("another ETL run is loading this warehouse; try again when it ends")
                    log.warning("another ETL run is loading this warehouse; waiting for it to finish…")
                    cur.execute("SELECT pg_advisory_lock(hashtext(%s))", (key,))
            yield
        finally:
            with contextlib.suppress(Exception):
                conn.close()

    # -- what it is ------------------------------------------------------------------------
    def describe(self) -> str:
        p = self._params
        return f"{self.name} {p['user']}@{p['host']}:{p['port']}/{p['dbname']}"

    def url(self, with_password: bool = True) -> str:
        p = self._params
        auth = quote(p["user"])
        if self._password:
            auth += ":" + (quote(self._password, safe="") if with_password else "***")
        query = f"?sslmode={p['sslmode']}" if "sslmode" in p else ""
        return f"postgresql://{auth}@{p['host']}:{p['port']}/{quote(p['dbname'])}{query}"
