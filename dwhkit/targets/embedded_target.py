"""The default target: a Postgres server dwhkit starts itself, under the project folder.

Every connection it hands out (dwhkit.connect(), the ETL and its COPY side connections, the
SQLAlchemy engine, `dwh db url`) logs in as the cluster's user role, never as its superuser:
``EmbeddedServer.start()`` returns only that role's credentials (see embedded.py, "Security")."""
from __future__ import annotations

from .embedded import EmbeddedServer
from .postgres import PostgresTarget


class EmbeddedTarget(PostgresTarget):
    name = "embedded"
    manages_server = True

    def __init__(self, server: EmbeddedServer, schema: str = "public"):
        self.server = server
        self._started = False
        super().__init__("127.0.0.1", 0, "dwh", "dwh", "", schema=schema)

    # -- the server's lifecycle (`dwh db`) ---------------------------------------------------
    def start(self):
        """Start the server if it is not running; its connection info (the user role's)."""
        info = self.server.start()
        self._params = {"host": info.host, "port": info.port, "dbname": info.dbname, "user": info.user}
        self._password = info.password
        self._started = True
        return info

    def stop(self) -> bool:
        """Stop the server; False when it was not running."""
        self._started = False
        return self.server.stop()

    def status(self) -> dict:
        return self.server.status()

    def _ensure_started(self) -> None:
        if not self._started:
            self.start()

    def connect_raw(self):
        self._ensure_started()
        return super().connect_raw()

    def url(self, with_password: bool = True) -> str:
        self._ensure_started()
        return super().url(with_password)

    def describe(self) -> str:
        return f"embedded Postgres under {self.server.root}"
