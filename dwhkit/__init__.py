"""dwhkit: write a Redshift warehouse once, run it on an embedded Postgres, any Postgres, or Redshift."""
from __future__ import annotations

__version__ = "0.1.0"

# DB-API module globals, as the Postgres driver's: threads may share the module and connections (a connection
# serialises its statements, a whole emulated COPY counting as one), not cursors.
apilevel = "2.0"
threadsafety = 2
paramstyle = "pyformat"


def connect(config=None, **overrides):
    """A DB-API connection (pyformat parameters) whose cursors accept Redshift SQL.

    With no arguments it reads ./dwh.cfg (or $DWH_CONFIG) and the DWH_* environment. ``config``
    may be a path or a loaded ``Config``."""
    from .app import target_for
    from .config import Config, load_config

    if not isinstance(config, Config):
        config = load_config(config)
    if overrides:
        config = config.with_overrides(**overrides)
    return target_for(config).connect()


def translate(sql: str) -> str:
    """The Postgres form of a Redshift script (COPY/UNLOAD left as they are: dwhkit emulates them)."""
    from .compat import translate_script

    return translate_script(sql)


def create_engine(config=None, **kwargs):
    """A SQLAlchemy engine for the configured target (plain SQL; no Redshift translation), on the
    same connections as ``connect`` (the warehouse's schema first on the search path)."""
    from .app import target_for
    from .config import Config, load_config

    if not isinstance(config, Config):
        config = load_config(config)
    return target_for(config).create_engine(**kwargs)


def patch(config=None, targets=()):
    """A context manager: psycopg2, redshift_connector and SQLAlchemy connections to Redshift hosts
    become dwhkit connections on ``config``'s target, so an unmodified script runs locally.
    ``targets``: "module.name" bindings made by ``from psycopg2 import connect`` (dwhkit.patching)."""
    from .patching import patch as _patch

    return _patch(config, targets)


def serve(config=None, **kwargs):
    """`dwh serve` in this process: a context manager yielding its (host, port) (dwhkit.serve)."""
    from .serve import serve as _serve

    return _serve(config, **kwargs)


__all__ = ["connect", "translate", "create_engine", "patch", "serve", "__version__"]
