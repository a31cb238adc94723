"""Throwaway databases on a Postgres target's server, for checks that build a schema for real.

Why in targets/: creating and dropping databases, and pointing a config at one of them, is
Postgres's business (Redshift users do not get to do it from dwhkit)."""
from __future__ import annotations

import contextlib
import time
import uuid
from dataclasses import replace

import psycopg2

from ..config import ClusterConfig, Config, Secret

DROP_ATTEMPTS = 20


@contextlib.contextmanager
def scratch_databases(target, config: Config, *roles: str):
    """{role: Config} of fresh databases on ``target``'s server, each with the same warehouse
    selected, dropped afterwards."""
    admin = target.connect_raw()
    admin.autocommit = True
    info = admin.info
    base = f"dwhkit_check_{uuid.uuid4().hex[:10]}"
    names = {role: f"{base}_{role}" for role in roles}

    def scratch(dbname: str) -> Config:
        cluster = ClusterConfig(host=info.host, port=info.port, db_name=dbname, db_user=info.user,
                                db_password=Secret(info.password or ""))
        return replace(config, target_type="postgres", cluster=cluster)

    try:
        with admin.cursor() as cur:
            for name in names.values():
                cur.execute(f'CREATE DATABASE "{name}"')
        yield {role: scratch(name) for role, name in names.items()}
    finally:
        try:
            for name in names.values():
                drop_database(admin, name)
        finally:
            admin.close()


def drop_database(admin, name: str) -> None:
    """DROP DATABASE … WITH (FORCE), retried: a role without superuser (dwhkit's own user on the
    embedded server) may not end an autovacuum worker that is visiting the fresh database
    ("must be a member of the role whose process is being terminated"); the worker soon leaves.
    The embedded server's autovacuum looks every second, so the tests drop their databases here too."""
    for attempt in range(1, DROP_ATTEMPTS + 1):
        try:
            with admin.cursor() as cur:
                cur.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            return
        except psycopg2.Error as exc:
            busy = "pg_signal_backend" in str(exc) or "being accessed by other users" in str(exc)
            if not busy or attempt == DROP_ATTEMPTS:
                raise
            time.sleep(0.1 * attempt)
