"""The default target: a Postgres server dwhkit starts itself, under the project folder.

Every connection it hands out (dwhkit.connect(), the ETL and its COPY side connections, the
SQLAlchemy engine, `dwh db url`) logs in as the cluster's user role, never as its superuser:
``EmbeddedServer.start()`` returns only that role's credentials (see embedded.py, "Security")."""
from __future__ import annotations

from .embedded import EmbeddedServer
from .postgres import PostgresTarget


class EmbeddedTarget(PostgresTarget):
    name = "embedded"

    def __init__(self, server: EmbeddedServer, schema: str = "public"):
        self.server = server
        self._started = False
        super().__init__("127.0.0.1", 0, "dwh", "dwh", "", schema=schema)

    def _ensure_started(self) -> None:
        if not self._started:
            info = self.server.start()
            self._params = {"host": info.host, "port": info.port, "dbname": info.dbname, "user": info.user}
            self._password = info.password
            self._started = True

    def connect_raw(self):
        self._ensure_started()
        return super().connect_raw()

    def url(self, with_password: bool = True) -> str:
        self._ensure_started()
        return super().url(with_password)

    def describe(self) -> str:
        return f"embedded Postgres under {self.server.root}"
