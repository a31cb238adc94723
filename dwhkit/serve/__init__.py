"""`dwh serve`: a local endpoint that speaks the Postgres wire protocol and answers like Redshift.

psql, redshift_connector, JDBC/ODBC, SQLAlchemy's redshift dialect and dbt-redshift connect to it
unmodified; their Redshift SQL is translated, COPY/UNLOAD/COPY JOB are emulated, and everything
runs on the configured Postgres target (the embedded one by default). See session.py for the design.
"""
from __future__ import annotations

import contextlib
import sys
import types
from pathlib import Path
from typing import NamedTuple


class Endpoint(NamedTuple):
    host: str
    port: int


def settings_for(config, **overrides):
    """[SERVE] settings with keyword overrides (None means "keep the configured value")."""
    from .server import ServeSettings

    s = config.serve
    values = {"host": s.host, "port": s.port, "user": s.user, "password": str(s.password),
              "database": s.database, "auth": s.auth}
    values.update({k: v for k, v in overrides.items() if v is not None})
    return ServeSettings(**values)


def tls_folder(config) -> Path:
    """Where the self-signed certificate is kept: beside the embedded server's data."""
    return config.resolve(config.embedded_data_dir).parent / "serve-tls"


def make_server(config=None, *, tls: bool = False, **overrides):
    from ..app import target_for
    from ..config import Config, load_config
    from .server import Server

    if not isinstance(config, Config):
        config = load_config(config)
    context = None
    if tls:
        from .tls import server_context

        context = server_context(tls_folder(config))
    return Server(config, target_for(config), settings_for(config, **overrides), ssl_context=context)


@contextlib.contextmanager
def serve(config=None, *, host: str | None = None, port: int = 0, user: str | None = None,
          password: str | None = None, database: str | None = None, auth: str | None = None,
          tls: bool = False):
    """Run the endpoint in this process for the ``with`` block; yields its (host, port).

    ``port=0`` (the default here) picks a free port; the password defaults to DWH_SERVE_PASSWORD."""
    server = make_server(config, tls=tls, host=host, port=port, user=user, password=password,
                         database=database, auth=auth).start()
    try:
        yield Endpoint(*server.address)
    finally:
        server.stop()


class _CallableModule(types.ModuleType):
    """``dwhkit.serve(...)`` must keep working once this package is imported: importing a
    subpackage rebinds the parent's attribute ``serve`` from the lazy function to the module."""

    def __call__(self, *args, **kwargs):
        return serve(*args, **kwargs)


sys.modules[__name__].__class__ = _CallableModule

__all__ = ["serve", "Endpoint", "make_server"]
