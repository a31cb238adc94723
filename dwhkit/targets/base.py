"""The adapter boundary: one interface, one implementation per kind of warehouse.

Only this package knows whether it talks to Postgres or Redshift. A target hands out raw
DB-API connections and says whether statements must be translated (Postgres) or sent
verbatim (Redshift); everything above works through ``dwhkit.connection.Connection``.
"""
from __future__ import annotations

from abc import ABC, abstractmethod


class Target(ABC):
    name: str = "base"
    translates: bool = True  # Redshift SQL must be translated and COPY/UNLOAD emulated
    schema: str = "public"   # the warehouse's schema, first on the search path

    @abstractmethod
    def connect_raw(self):
        """A new raw DB-API connection (psycopg2 for Postgres targets)."""

    @abstractmethod
    def describe(self) -> str:
        """Where this target points, with no secret in it."""

    def url(self, with_password: bool = True) -> str:  # pragma: no cover - per target
        raise NotImplementedError

    def connect(self):
        """A DB-API connection whose cursors accept Redshift SQL."""
        from ..connection import Connection

        return Connection(self.connect_raw(), self)
