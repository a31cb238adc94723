"""Any PostgreSQL server: Redshift SQL is translated, COPY/UNLOAD emulated against S3."""
from __future__ import annotations

from urllib.parse import quote

import psycopg2

from ..errors import DwhError
from ..identifiers import quote_ident
from .base import Target

# dwhkit's emulated system tables (stl_load_errors, …) live in their own schema, found by
# unqualified name like Redshift's system tables.
SEARCH_PATH = "public,dwhkit_system"


class TargetConnectError(DwhError):
    """The warehouse could not be reached."""


class PostgresTarget(Target):
    name = "postgres"
    translates = True

    def __init__(self, host: str, port: int, dbname: str, user: str, password: str = "", schema: str = "public"):
        self._params = {"host": host, "port": port, "dbname": dbname, "user": user}
        self._password = password
        self.schema = schema

    def connect_raw(self):
        # A warehouse outside public sees only its own schema (and the system views): an unqualified
        # name can never fall through to another warehouse's table of the same name.
        search_path = SEARCH_PATH if self.schema == "public" else f"{quote_ident(self.schema)},dwhkit_system"
        try:
            conn = psycopg2.connect(**self._params, password=self._password or None,
                                    options=f"-c search_path={search_path} -c timezone=UTC",
                                    application_name="dwhkit", connect_timeout=15)
        except psycopg2.OperationalError as exc:
            # The driver's message can echo connection parameters; keep the password out of it.
            message = str(exc).strip()
            if self._password:
                message = message.replace(self._password, "***")
            raise TargetConnectError(f"cannot connect to {self.describe()}: {message}") from None
        from .pg_bulk import ensure_system_objects

        ensure_system_objects(conn)
        conn.commit()
        return conn

    def describe(self) -> str:
        p = self._params
        return f"{self.name} {p['user']}@{p['host']}:{p['port']}/{p['dbname']}"

    def url(self, with_password: bool = True) -> str:
        p = self._params
        auth = quote(p["user"])
        if self._password:
            auth += ":" + (quote(self._password, safe="") if with_password else "***")
        return f"postgresql://{auth}@{p['host']}:{p['port']}/{quote(p['dbname'])}"

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.describe()}>"
