"""Creating a database beside a Postgres target's own, on the same server.

Why here: it needs the driver (its identifier quoting, its DuplicateDatabase error) and
Postgres's catalog, and only targets/ knows either. `dwh serve` asks for it through
``PostgresTarget.sibling`` (Redshift's ``dev`` database, see serve/server.py)."""
from __future__ import annotations

import psycopg2
from psycopg2 import sql


def create_database_if_missing(connect_raw, name: str) -> bool:
    """Create database ``name`` unless it exists; True when this call created it.

    ``connect_raw``: the target's factory of driver connections (CREATE DATABASE cannot run in a
    transaction, so the connection is switched to autocommit)."""
    conn = connect_raw()
    try:
        conn.autocommit = True
        with conn.cursor() as cur:
            cur.execute("SELECT 1 FROM pg_catalog.pg_database WHERE datname = %s", (name,))
            if cur.fetchone() is not None:
                return False
            try:
                cur.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
            except psycopg2.errors.DuplicateDatabase:
                return False  # another process made it meanwhile
            return True
    finally:
        conn.close()
