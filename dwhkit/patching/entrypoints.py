"""The patched entry points: psycopg2.connect, redshift_connector.connect, sqlalchemy.create_engine.

Each wraps the function it replaces (kept as ``__dwhkit_original__``) and asks the Router whether
the call names a Redshift host; if not, the original runs with the same arguments.
"""
from __future__ import annotations

import os

from .router import Router


def real_function(func):
    """The driver's own function under any number of patches."""
    while hasattr(func, "__dwhkit_original__"):
        func = func.__dwhkit_original__
    return func


def _psycopg2_host(dsn, kwargs):
    host = kwargs.get("host") or kwargs.get("hostaddr")
    if host is None and dsn:
        import psycopg2.extensions

        try:
            params = psycopg2.extensions.parse_dsn(dsn)
        except Exception:
            return None  # the real driver reports a malformed DSN
        host = params.get("host") or params.get("hostaddr")
    # libpq's own fallback when the call names no host
    return host if host is not None else (os.environ.get("PGHOST") or os.environ.get("PGHOSTADDR"))


def _patched_psycopg2_connect(router: Router, original):
    def connect(dsn=None, connection_factory=None, cursor_factory=None, **kwargs):
        host = _psycopg2_host(dsn, kwargs)
        if not router.routes(host):
            return original(dsn, connection_factory=connection_factory, cursor_factory=cursor_factory, **kwargs)
        from .facade import driver_errors
        from .psycopg2_facade import Psycopg2Connection, refuse, to_psycopg2_error

        if connection_factory is not None:
            raise refuse("connect(connection_factory=…)", "the connection is dwhkit's")
        if kwargs.get("async_") or kwargs.get("async"):
            raise refuse("connect(async_=True)", "asynchronous connections are not emulated")
        with driver_errors(to_psycopg2_error):
            return Psycopg2Connection(router.connect("psycopg2", host), cursor_factory=cursor_factory)

    connect.__dwhkit_original__ = original
    connect.__doc__ = original.__doc__
    return connect


def _redshift_connector_is_redshift(router: Router, kwargs) -> tuple[bool, str]:
    host = kwargs.get("host")
    if host:
        return router.routes(host), host
    # IAM with a cluster identifier, or a Serverless workgroup: no host, but Redshift all the same
    name = kwargs.get("cluster_identifier") or kwargs.get("serverless_work_group")
    if name or kwargs.get("is_serverless"):
        return router.routes_hostless(), str(name or "serverless")
    return False, ""


def _patched_redshift_connector_connect(router: Router, original):
    def connect(*args, **kwargs):
        routed, host = _redshift_connector_is_redshift(router, kwargs)
        if args or not routed:
            return original(*args, **kwargs)
        from .facade import driver_errors
        from .redshift_connector_facade import RedshiftConnectorConnection, to_redshift_connector_error

        with driver_errors(to_redshift_connector_error):
            return RedshiftConnectorConnection(router.connect("redshift_connector", host))

    connect.__dwhkit_original__ = original
    connect.__doc__ = original.__doc__
    return connect


# SQLAlchemy URLs whose engines are rerouted when their host is Redshift's.
SQLALCHEMY_URLS = {("postgresql", ""), ("postgresql", "psycopg2"), ("redshift", ""), ("redshift", "psycopg2"),
                   ("redshift", "redshift_connector")}


def _patched_create_engine(router: Router, original):
    def create_engine(url, **kwargs):
        from sqlalchemy.engine import make_url

        try:
            u = make_url(url)
        except Exception:
            return original(url, **kwargs)
        backend, _, driver = u.drivername.partition("+")
        if (backend, driver) not in SQLALCHEMY_URLS or not router.routes(u.host):
            return original(url, **kwargs)
        from .facade import driver_errors
        from .psycopg2_facade import Psycopg2Connection, to_psycopg2_error
        from .sqlalchemy_dialect import NAME, register

        register()
        kwargs.pop("connect_args", None)  # the script's credentials: dwhkit's target has its own
        host = u.host

        def creator():
            with driver_errors(to_psycopg2_error):
                return Psycopg2Connection(router.connect("sqlalchemy", host))

        return original(f"{NAME}://", creator=creator, **kwargs)

    create_engine.__dwhkit_original__ = original
    create_engine.__doc__ = original.__doc__
    return create_engine


# module → [(owner module, attribute, patch factory)]
PATCHES = {
    "psycopg2": [("psycopg2", "connect", _patched_psycopg2_connect)],
    "redshift_connector": [("redshift_connector", "connect", _patched_redshift_connector_connect)],
    "sqlalchemy": [("sqlalchemy", "create_engine", _patched_create_engine),
                   ("sqlalchemy.engine", "create_engine", _patched_create_engine),
                   ("sqlalchemy.engine.create", "create_engine", _patched_create_engine)],
}
