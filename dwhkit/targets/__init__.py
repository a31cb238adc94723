"""Pick the target named in the config: embedded (default), postgres or redshift.

The one place the configured type string becomes an object; everything above asks that object."""
from __future__ import annotations

from ..config import Config
from .base import Outcome, Executor, Target


def get_target(config: Config, schema: str = "public") -> Target:
    """The configured target; ``schema``: the warehouse's, put first on every connection's search
    path (callers that know the warehouse pass it — targets do not read the warehouse registry)."""
    c = config.cluster
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


__all__ = ["Outcome", "Executor", "Target", "get_target"]
