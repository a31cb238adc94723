"""Which connections go to dwhkit, and making them: one Router per patch, on one config.

Why one object: the three patched entry points (psycopg2, redshift_connector, SQLAlchemy) must
agree on the hosts and on the target, and read the config once, lazily — a connection to another
server never fails because dwhkit's config is missing or broken.
"""
from __future__ import annotations

import logging
import threading

from ..errors import ConfigError
from .hosts import is_redshift_host

log = logging.getLogger("dwhkit.patch")

_local = threading.local()  # .inside: dwhkit is connecting itself; never reroute that


class Router:
    """Decides which connections go to dwhkit and makes them, on one config read once."""

    def __init__(self, config=None):
        self._config_arg = config
        self._config = None
        self._lock = threading.Lock()

    @property
    def config(self):
        with self._lock:
            if self._config is None:
                from ..config import Config, load_config
                from ..targets import target_class

                config = self._config_arg
                config = config if isinstance(config, Config) else load_config(config)
                if not target_class(config).emulates_copy:  # a real cluster: nothing local to route to
                    raise ConfigError("dwhkit.patch() routes Redshift connections to a local target, but the "
                                      "dwhkit config's [TARGET] type is redshift; give dwh exec --config a "
                                      "config whose target is embedded or postgres")
                self._config = config
            return self._config

    def routes(self, host) -> bool:
        if getattr(_local, "inside", False) or not host:
            return False
        hosts = [h for h in str(host).split(",") if h.strip()]
        extra = self.config.patch_hosts if self._needs_extra(hosts) else ()
        return any(is_redshift_host(h, extra) for h in hosts)

    def routes_hostless(self) -> bool:
        """A call naming no host but a cluster or workgroup (IAM, Serverless) is Redshift's."""
        return not getattr(_local, "inside", False)

    def _needs_extra(self, hosts) -> bool:
        """Read the config for [PATCH] hosts only when the host is not obviously Redshift's, so a
        connection to another server never fails on a missing or broken dwhkit config."""
        if any(is_redshift_host(h) for h in hosts):
            return False
        try:
            return bool(self.config.patch_hosts)
        except ConfigError:
            return False

    def connect(self, driver: str, host: str):
        """A new dwhkit connection for a script's call to ``driver`` naming ``host``."""
        from ..app import target_for

        config = self.config
        _local.inside = True
        try:
            conn = target_for(config).connect()
        finally:
            _local.inside = False
        log.info("%s connection to %s routed to %s", driver, host, conn.target.describe())
        return conn
