"""Pick the target named in the config: embedded (default), postgres or redshift.

The one place the configured type string becomes an object; everything above asks that object
(or its class, for what it is before anything connects)."""
from __future__ import annotations

from ..config import Config
from .base import Outcome, Executor, Target


def target_class(config: Config) -> type[Target]:
    """The class of the configured target: its attributes (``emulates_copy``, ``manages_server``)
    answer questions about a config without building a target or connecting."""
    if config.target_type == "redshift":
        from .redshift import RedshiftTarget

        return RedshiftTarget
    if config.target_type == "postgres":
        from .postgres import PostgresTarget

        return PostgresTarget
    from .embedded_target import EmbeddedTarget

    return EmbeddedTarget


def get_target(config: Config, schema: str = "public") -> Target:
    """The configured target; ``schema``: the warehouse's, put first on every connection's search
    path (callers that know the warehouse pass it — targets do not read the warehouse registry)."""
    cls = target_class(config)
    c = config.cluster
    if cls.manages_server:
        from .embedded import EmbeddedServer

        return cls(EmbeddedServer(config.resolve(config.embedded_data_dir), port=config.embedded_port),
                   schema=schema)
    ssl = {"sslmode": c.sslmode} if c.sslmode else {}  # else the target's own default
    return cls(c.host, c.port, c.db_name, c.db_user, str(c.db_password), schema=schema, **ssl)


__all__ = ["Outcome", "Executor", "Target", "get_target", "target_class"]
