"""Route an unmodified Redshift script's connections to dwhkit: ``dwhkit.patch()`` and ``dwh exec``.

Why: thousands of projects call ``psycopg2.connect(host=<cluster>…)``, Amazon's
``redshift_connector.connect(…)`` or ``sqlalchemy.create_engine("postgresql+psycopg2://…@<cluster>…")``
directly. While patched, those calls return dwhkit connections on the configured local target
when the host is Redshift's (see hosts.py) and reach the real driver otherwise. The script's own
credentials (its dwh.cfg's password) are read past and never stored or logged.

Two ways in: ``with dwhkit.patch(): …`` in-process, and ``start()`` — the whole process, from
its first line, as ``dwh exec`` arranges through a sitecustomize hook (exec.py).

  router.py       which hosts are rerouted; makes the dwhkit connections
  entrypoints.py  the patched psycopg2.connect / redshift_connector.connect / create_engine
  install.py      patch() for a block, start() for a process
  psycopg2_facade.py, redshift_connector_facade.py, sqlalchemy_dialect.py   what the scripts get back
  params.py       any DB-API paramstyle → psycopg2's
  exec.py         `dwh exec`; _hook/sitecustomize.py, the start-up hook it installs
"""
from __future__ import annotations

from .hosts import is_redshift_host
from .install import CONFIG_ENV, patch, start
from .router import Router

__all__ = ["patch", "start", "Router", "CONFIG_ENV", "is_redshift_host"]
