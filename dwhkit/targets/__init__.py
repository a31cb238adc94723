"""Pick the target named in the config: embedded (default), postgres or redshift."""
from __future__ import annotations

from ..config import Config
from .base import Target


def _schema(config: Config) -> str:
    """The configured warehouse's schema, put first on the search path of every connection."""
    from ..errors import ConfigError
    from ..warehouse import get_warehouse

    try:
        return get_warehouse(config.warehouse).schema
    except ConfigError:
        return "public"


def get_target(config: Config) -> Target:
    c = config.cluster
    schema = _schema(config)
    if config.target_type == "redshift":
        from .redshift import RedshiftTarget

        return RedshiftTarget(c.host, c.port, c.db_name, c.db_user, str(c.db_password), schema=schema)
    if config.target_type == "postgres":
        from .postgres import PostgresTarget

        return PostgresTarget(c.host, c.port, c.db_name, c.db_user, str(c.db_password), schema=schema)
    from .embedded import EmbeddedServer
    from .embedded_target import EmbeddedTarget

    return EmbeddedTarget(EmbeddedServer(config.resolve(config.embedded_data_dir), port=config.embedded_port),
                          schema=schema)


__all__ = ["Target", "get_target"]
