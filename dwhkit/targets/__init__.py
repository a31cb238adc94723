"""Pick the target named in the config: embedded (default), postgres or redshift."""
from __future__ import annotations

from ..config import Config
from .base import Target


def get_target(config: Config) -> Target:
    c = config.cluster
    if config.target_type == "redshift":
        from .redshift import RedshiftTarget

        return RedshiftTarget(c.host, c.port, c.db_name, c.db_user, str(c.db_password))
    if config.target_type == "postgres":
        from .postgres import PostgresTarget

        return PostgresTarget(c.host, c.port, c.db_name, c.db_user, str(c.db_password))
    from .embedded import EmbeddedServer
    from .embedded_target import EmbeddedTarget

    return EmbeddedTarget(EmbeddedServer(config.resolve(config.embedded_data_dir), port=config.embedded_port))


__all__ = ["Target", "get_target"]
