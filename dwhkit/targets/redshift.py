"""Amazon Redshift: statements pass through verbatim; the cluster runs COPY/UNLOAD itself."""
from __future__ import annotations

from urllib.parse import quote

from .base import Target
from .postgres import TargetConnectError


class RedshiftTarget(Target):
    name = "redshift"
    translates = False

    def __init__(self, host: str, port: int, dbname: str, user: str, password: str = "", schema: str = "public"):
        self._params = {"host": host, "port": port, "database": dbname, "user": user}
        self._password = password
        self.schema = schema

    def connect_raw(self):
        conn = self._connect_driver()
        if self.schema != "public":
            from ..identifiers import quote_ident

            cur = conn.cursor()
            cur.execute(f"SET search_path TO {quote_ident(self.schema)}")
            cur.close()
        return conn

    def _connect_driver(self):
        """redshift_connector when installed (pip install dwhkit[redshift]), else psycopg2 over SSL."""
        try:
            import redshift_connector  # type: ignore
        except ImportError:
            redshift_connector = None
        try:
            if redshift_connector is not None:
                return redshift_connector.connect(**self._params, password=self._password)
            import psycopg2

            p = self._params
            return psycopg2.connect(host=p["host"], port=p["port"], dbname=p["database"], user=p["user"],
                                    password=self._password, sslmode="require", connect_timeout=15)
        except Exception as exc:  # the drivers raise different types; keep secrets out of the message
            message = str(exc).replace(self._password, "***") if self._password else str(exc)
            raise TargetConnectError(f"cannot connect to {self.describe()}: {message}") from None

    def describe(self) -> str:
        p = self._params
        return f"redshift {p['user']}@{p['host']}:{p['port']}/{p['database']}"

    def url(self, with_password: bool = True) -> str:
        p = self._params
        auth = quote(p["user"]) + (":" + (quote(self._password, safe="") if with_password else "***")
                                   if self._password else "")
        return f"redshift+psycopg2://{auth}@{p['host']}:{p['port']}/{quote(p['database'])}"
