"""dwhkit: write a Redshift warehouse once, run it on an embedded Postgres, any Postgres, or Redshift."""
from __future__ import annotations

__version__ = "0.1.0"

# DB-API module globals, as psycopg2's: threads may share the module and connections (a connection
# serialises its statements, a whole emulated COPY counting as one), not cursors.
apilevel = "2.0"
threadsafety = 2
paramstyle = "pyformat"


def connect(config=None, **overrides):
    """A psycopg2-style connection whose cursors accept Redshift SQL.

    With no arguments it reads ./dwh.cfg (or $DWH_CONFIG) and the DWH_* environment. ``config``
    may be a path or a loaded ``Config``."""
    from .config import Config, load_config
    from .targets import get_target

    if not isinstance(config, Config):
        config = load_config(config)
    if overrides:
        config = config.with_overrides(**overrides)
    return get_target(config).connect()


def translate(sql: str) -> str:
    """The Postgres form of a Redshift script (COPY/UNLOAD left as they are: dwhkit emulates them)."""
    from .compat import translate_script

    return translate_script(sql)


def create_engine(config=None, **kwargs):
    """A SQLAlchemy engine for the configured target (plain SQL; no Redshift translation)."""
    import sqlalchemy

    from .config import Config, load_config
    from .targets import get_target

    if not isinstance(config, Config):
        config = load_config(config)
    url = get_target(config).url()
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg2://" + url[len("postgresql://"):]
    return sqlalchemy.create_engine(url, **kwargs)


__all__ = ["connect", "translate", "create_engine", "__version__"]
