"""The adapter boundary: one interface, one implementation per kind of warehouse.

Only this package knows whether it talks to Postgres or Redshift, and which driver it uses. A
``Target`` owns everything engine-specific — connecting, running Redshift SQL on a session
(translated, or verbatim), bulk load and unload, the run lock, catalog reads, the SQLAlchemy
engine — so callers above never branch on the engine: they ask the target, which answers with a
method or an attribute that says what it means (``emulates_copy``, ``manages_server``).
"""
from __future__ import annotations

import contextlib
from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import Any, ContextManager

from ..connection import Connection
from ..errors import ConfigError
from . import driver_errors


@dataclass
class Outcome:
    """What one ``Executor.execute`` leaves for the DB-API cursor besides the driver's own state.

    ``rowcount`` overrides the driver cursor's (a COPY's rows loaded); ``ran_copy`` says a COPY
    (or COPY JOB) ran, whose result is ``copy`` (None for a COPY JOB command without one)."""
    rowcount: int | None = None
    ran_copy: bool = False
    copy: Any = None


class Executor(ABC):
    """How one driver connection runs Redshift SQL; made by ``Target.executor`` per connection.

    ``catalog`` (a dwhkit.compat.catalog.Catalog, plus ``tables(schema)``) reads the session's
    own catalog; it may cache, so the executor invalidates it after statements that change it."""

    catalog: Any

    @abstractmethod
    def execute(self, raw_cursor, sql, params=None) -> Outcome:
        """Run ``sql`` (one statement or a script) on ``raw_cursor``, its results left there."""

    @abstractmethod
    def executemany(self, raw_cursor, sql, seq_of_params) -> None:
        """Run one statement once per parameter set."""

    def rolled_back(self) -> None:
        """The transaction was rolled back: whatever it changed in the catalog is gone too."""
        self.catalog.invalidate()

    def keep_translations(self, store) -> None:
        """Keep the translations of the statements ``store`` owns across processes (a
        compat.translation_store.TranslationStore); an engine that runs Redshift SQL as it is
        translates nothing and ignores it."""


class Target(ABC):
    name: str = "base"
    schema: str = "public"       # the warehouse's schema, first on the search path
    emulates_copy: bool = True   # dwhkit runs COPY/UNLOAD/COPY JOB itself (False: the cluster does)
    manages_server: bool = False  # dwhkit starts and stops the server (`dwh db`)

    @abstractmethod
    def connect_raw(self):
        """A new driver connection, set up for the warehouse (search path, time zone)."""

    @abstractmethod
    def executor(self, raw_conn, lock: ContextManager | None = None) -> Executor:
        """The executor for one driver connection (``lock``: held around catalog reads)."""

    def in_transaction(self, raw_conn) -> bool:
        """Whether one of this target's driver connections is inside a transaction block."""
        return driver_errors.in_transaction(raw_conn)

    @abstractmethod
    def describe(self) -> str:
        """Where this target points, with no secret in it."""

    @abstractmethod
    def url(self, with_password: bool = True) -> str:
        """A URL for other tools (psql, BI); ``with_password=False`` masks the password."""

    @abstractmethod
    def native_sql(self, statement: str) -> list[str]:
        """What this target's server runs for one Redshift statement (outside a session: no catalog)."""

    @abstractmethod
    def create_engine(self, **kwargs):
        """A SQLAlchemy engine on this target's connections (plain SQL; no Redshift translation)."""

    def run_lock(self, key: str, wait: bool = True) -> ContextManager:
        """One holder of ``key`` at a time (one ETL per warehouse); none by default."""
        return contextlib.nullcontext()

    def scratch_databases(self, config, *roles: str) -> ContextManager[dict]:
        """{role: Config} of fresh databases beside this target's, dropped afterwards (the model
        check builds the schema for real); only where dwhkit may create databases."""
        raise ConfigError("comparing with the model builds scratch databases: point dwhkit at a Postgres target "
                          "(the embedded default will do), not at Redshift")

    def schema_snapshot(self) -> dict:
        """Every user relation with its columns, constraints and indexes, as the catalog has them
        (what ``dwh migrate check`` compares); on the targets that build scratch databases."""
        raise ConfigError(f"schema snapshots are read from Postgres's catalog; the target is {self.name}")

    def sibling(self, dbname: str) -> "Target":
        """Database ``dbname`` on this target's server (created when missing), as a target of its
        own with the same login and schema (`dwh serve`'s ``dev``); where dwhkit may create databases."""
        raise ConfigError(f"dwhkit creates databases on Postgres targets only; the target is {self.name}")

    def bulk_in_wire_session(self, session, cmd):
        """Run one parsed COPY or UNLOAD in a client's session that `dwh serve` speaks over the wire
        (targets/pg_wire_session.py says what ``session`` provides); its CopyResult/UnloadResult."""
        raise ConfigError(f"dwh serve emulates COPY and UNLOAD on Postgres targets only; the target is {self.name}")

    def connect(self):
        """A DB-API connection whose cursors accept Redshift SQL."""
        return Connection(self.connect_raw(), self)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.describe()}>"
