"""Amazon Redshift: statements pass through verbatim; the cluster runs COPY/UNLOAD itself."""
from __future__ import annotations

import gc
import importlib.util
from urllib.parse import quote

from ..errors import ConfigError, TargetConnectError
from ..identifiers import quote_ident
from .base import Outcome, Executor, Target
from .catalog import SessionCatalog

# Redshift accepts only SSL connections unless the cluster's require_ssl is off; libpq's
# "require" is what its JDBC/ODBC defaults amount to. Configurable so the very code that connects
# to a cluster can be exercised against a local Postgres without SSL (see tests/test_targets.py).
# https://docs.aws.amazon.com/redshift/latest/mgmt/connecting-ssl-support.html
DEFAULT_SSLMODE = "require"


class VerbatimExecutor(Executor):
    """Every statement reaches the server as written: Redshift runs Redshift SQL itself."""

    def __init__(self, raw_conn, lock=None):
        self.catalog = SessionCatalog(raw_conn, lock)

    def execute(self, raw_cursor, sql, params=None) -> Outcome:
        raw_cursor.execute(sql, params)
        return Outcome()

    def executemany(self, raw_cursor, sql, seq_of_params) -> None:
        raw_cursor.executemany(sql, seq_of_params)


class RedshiftTarget(Target):
    name = "redshift"
    emulates_copy = False

    def __init__(self, host: str, port: int, dbname: str, user: str, password: str = "", schema: str = "public",
                 sslmode: str = DEFAULT_SSLMODE, driver: str | None = None):
        """``driver``: "redshift_connector" or "psycopg2" (None: redshift_connector when installed)."""
        self._params = {"host": host, "port": port, "database": dbname, "user": user}
        self._password = password
        self.schema = schema
        self.sslmode = sslmode
        self.driver = driver

    def connect_raw(self):
        conn = self._connect_driver()
        if self.schema != "public":
            cur = conn.cursor()
            cur.execute(f"SET search_path TO {quote_ident(self.schema)}")
            cur.close()
            # Committed: both drivers open a transaction for the SET, and a rollback of the
            # caller's first transaction would otherwise take the search path with it.
            conn.commit()
        return conn

    def _driver_name(self) -> str:
        if self.driver is not None:
            return self.driver
        return "redshift_connector" if importlib.util.find_spec("redshift_connector") else "psycopg2"

    def _connect_driver(self):
        """redshift_connector when installed (pip install dwhkit[redshift]), else psycopg2."""
        connect = self._redshift_connector if self._driver_name() == "redshift_connector" else self._psycopg2
        try:
            return connect()
        except TypeError:  # a wrong argument is a bug here, not a connection failure
            raise
        except Exception as exc:  # the drivers (and scramp) raise different types; keep secrets out
            message = " ".join(str(exc).split())
        # Raised here, not inside the except, and after a collection: redshift_connector's failed
        # Connection sits in a reference cycle with its socket open, which the server would hold
        # (blocking DROP DATABASE, counting against connection limits) until its authentication
        # timeout; collecting it closes the socket now.
        gc.collect()
        if self._password:
            message = message.replace(self._password, "***")
        raise TargetConnectError(f"cannot connect to {self.describe()}: {message}")

    def _redshift_connector(self):
        import redshift_connector  # type: ignore

        # redshift_connector has no libpq modes: "disable" turns SSL off, "verify-ca" and
        # "verify-full" pass through, anything else asks for SSL with its default checks.
        ssl = {"ssl": self.sslmode != "disable"}
        if self.sslmode in ("verify-ca", "verify-full"):
            ssl["sslmode"] = self.sslmode
        return redshift_connector.connect(**self._params, password=self._password, timeout=15, **ssl)

    def _psycopg2(self):
        import psycopg2

        p = self._params
        return psycopg2.connect(host=p["host"], port=p["port"], dbname=p["database"], user=p["user"],
                                password=self._password, sslmode=self.sslmode, connect_timeout=15)

    def executor(self, raw_conn, lock=None) -> VerbatimExecutor:
        return VerbatimExecutor(raw_conn, lock)

    def native_sql(self, statement: str) -> list[str]:
        return [statement]

    def create_engine(self, **kwargs):
        """Through SQLAlchemy's Redshift dialect, on this target's own connections (search path)."""
        import sqlalchemy
        from sqlalchemy.exc import NoSuchModuleError

        try:
            return sqlalchemy.create_engine(f"redshift+{self._driver_name()}://", creator=self.connect_raw, **kwargs)
        except NoSuchModuleError:
            raise ConfigError("a SQLAlchemy engine on Redshift needs SQLAlchemy's Redshift dialect "
                              "(pip install sqlalchemy-redshift)") from None

    def describe(self) -> str:
        p = self._params
        return f"redshift {p['user']}@{p['host']}:{p['port']}/{p['database']}"

    def url(self, with_password: bool = True) -> str:
        p = self._params
        auth = quote(p["user"]) + (":" + (quote(self._password, safe="") if with_password else "***")
                                   if self._password else "")
        return f"redshift+psycopg2://{auth}@{p['host']}:{p['port']}/{quote(p['database'])}?sslmode={self.sslmode}"
