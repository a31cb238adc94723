"""Per-test isolation: one database per pytest process, emptied between tests.

Why this scheme (numbers from ``bench/plugin_overhead.py`` on 2 shared cores, see the README):
a database per test from a template costs a CREATE + DROP DATABASE each time (FILE_COPY forces a
checkpoint; WAL_LOG copies every block through the WAL), and a schema per test leaves whatever a
test creates elsewhere — another schema, rows in dwhkit's emulated system tables — visible to the
next one. Emptying the worker's own database (drop every user schema, recreate ``public``, empty
``stl_load_errors``/``stl_load_commits``, restart the COPY query ids) undoes all of it, and costs a
single round trip that does nothing when a test created nothing.

What it does not undo: objects that live in the cluster rather than a database (roles, other
databases); dwhkit's own role may not create roles, so tests cannot make them on a local server.
"""
from __future__ import annotations

import contextlib
import os
import uuid

# One statement, one round trip. Schemas that only Postgres or dwhkit own are kept; dwhkit_system's
# log tables are emptied. AMBIG: on Redshift the STL tables are the cluster's log history, kept
# across sessions (https://docs.aws.amazon.com/redshift/latest/dg/c_intro_STL_tables.html), so a
# real cluster would show the last test's COPY errors; we decide a test must not see them (each test
# starts as on a fresh cluster) — tests/test_pytest_plugin.py::test_reset_empties_everything_a_test_leaves.
# Sessions still connected to the database (a connection the test opened
# itself and left in a transaction) are ended first, or their locks would block the DROP.
RESET_SQL = r"""
DO $reset$
DECLARE s record;
BEGIN
  PERFORM pg_terminate_backend(pid) FROM pg_stat_activity
    WHERE datname = current_database() AND pid <> pg_backend_pid() AND usename = current_user;
  FOR s IN SELECT oid, nspname FROM pg_namespace
           WHERE nspname NOT LIKE 'pg\_%' AND nspname NOT IN ('information_schema', 'dwhkit_system')
  LOOP
    IF s.nspname <> 'public' OR EXISTS (SELECT 1 FROM pg_class WHERE relnamespace = s.oid)
                             OR EXISTS (SELECT 1 FROM pg_proc WHERE pronamespace = s.oid)
                             OR EXISTS (SELECT 1 FROM pg_type WHERE typnamespace = s.oid) THEN
      EXECUTE format('DROP SCHEMA %I CASCADE', s.nspname);
    END IF;
  END LOOP;
  IF to_regnamespace('public') IS NULL THEN
    CREATE SCHEMA public;
  END IF;
  IF to_regclass('dwhkit_system.stl_load_errors') IS NOT NULL THEN
    IF EXISTS (SELECT 1 FROM dwhkit_system.stl_load_errors)
       OR EXISTS (SELECT 1 FROM dwhkit_system.stl_load_commits) THEN
      TRUNCATE dwhkit_system.stl_load_errors, dwhkit_system.stl_load_commits;
    END IF;
    ALTER SEQUENCE dwhkit_system.copy_query_id_seq RESTART;
  END IF;
END
$reset$;
"""


def worker_id() -> str:
    """This pytest process's name among its xdist siblings (gw0, gw1, …), or "main"."""
    return os.environ.get("PYTEST_XDIST_WORKER", "main")


def worker_suffix() -> str:
    """A name part unique to this pytest process: its worker id plus a random part, so two test
    runs against one shared server never meet."""
    return f"{worker_id()}_{uuid.uuid4().hex[:8]}"


class WorkerDatabase:
    """The database this pytest process's tests run in, on a Postgres target, reset between tests.

    ``target`` is a dwhkit Postgres target pointing at the database (made by
    ``Target.scratch_databases``); the reset runs on a connection of its own, kept open."""

    def __init__(self, target):
        self.target = target
        self._admin = None

    def reset(self) -> None:
        if self._admin is None or self._admin.closed:
            self._admin = self.target.connect_raw()
            self._admin.autocommit = True
        with self._admin.cursor() as cur:
            cur.execute(RESET_SQL)

    def close(self) -> None:
        if self._admin is not None:
            with contextlib.suppress(Exception):
                self._admin.close()
