"""The SQLAlchemy dialect behind a rerouted engine: psycopg2's, over the psycopg2 look-alike.

Why a subclass: the dialect registers type casters (uuid, hstore) on each new DBAPI connection
and asks the server ``SHOW …`` questions while initialising; psycopg2's C functions accept only
its own connections, and ``SHOW`` is no Redshift SQL for dwhkit's translator. Those few calls go
to the real psycopg2 connection underneath; every statement of the application goes through the
look-alike's cursor, translated like any other.
"""
from __future__ import annotations

from sqlalchemy.dialects.postgresql.psycopg2 import PGDialect_psycopg2

NAME = "dwhkit_patch"   # the registry name of this dialect: URL "dwhkit_patch://"


def _raw(dbapi_connection):
    return dbapi_connection.dwh.raw


class PatchedDialect(PGDialect_psycopg2):
    name = "postgresql"
    supports_statement_cache = True

    def on_connect(self):
        setup = super().on_connect()
        if setup is None:
            return None
        return lambda dbapi_connection: setup(_raw(dbapi_connection))

    def _set_backslash_escapes(self, connection):
        raw = _raw(connection.connection.dbapi_connection)
        self._backslash_escapes = raw.get_parameter_status("standard_conforming_strings") == "off"

    def get_isolation_level(self, dbapi_connection):
        with dbapi_connection.dwh.lock, _raw(dbapi_connection).cursor() as cur:
            cur.execute("SHOW TRANSACTION ISOLATION LEVEL")
            return cur.fetchone()[0].upper()

    def get_readonly(self, dbapi_connection):
        return _raw(dbapi_connection).readonly

    def get_deferrable(self, dbapi_connection):
        return _raw(dbapi_connection).deferrable


def register() -> None:
    from sqlalchemy.dialects import registry

    registry.register(NAME, __name__, "PatchedDialect")
