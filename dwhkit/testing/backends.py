"""Where the plugin's tests run, chosen once per pytest process from ``--redshift-config``.

* no config: a throwaway embedded Postgres started for this process (under a temp folder, never
  the project's own ``.dwhkit/pg``), with one database for this process's tests;
* a config whose ``[TARGET] type`` is ``postgres`` or ``embedded``: one database for this process
  beside the configured one (its user needs CREATEDB), dropped at the end;
* ``type = redshift``: the real cluster — statements verbatim, COPY/UNLOAD by the cluster against
  real S3 — each test in a schema of its own, dropped afterwards.

Why never the user's ``./dwh.cfg`` or ``$DWH_CONFIG`` by default: those may point at a production
cluster, and a test run must not create or drop anything there unless asked to."""
from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
import uuid
from pathlib import Path

from ..config import ClusterConfig, Config, Secret, load_config
from ..errors import ConfigError
from ..identifiers import quote_ident
from ..targets import get_target, target_class
from .isolation import WorkerDatabase, worker_id, worker_suffix
from .local_s3 import LOCAL_IAM_ROLE, MotoServer, S3Bucket, fresh_bucket_name


class LocalBackend:
    """Tests on Postgres: dwhkit translates the Redshift SQL and emulates COPY/UNLOAD."""

    is_cluster = False

    def __init__(self, config: Config | None = None):
        self._base = config
        self._stack = contextlib.ExitStack()
        self._tmp: Path | None = None
        self._worker: WorkerDatabase | None = None
        self._s3: MotoServer | None = None
        self._failure: Exception | None = None
        self.config: Config | None = None

    def start(self) -> "LocalBackend":
        """Nothing yet: the server starts with the first test that needs a database (a test
        that only uses ``redshift_s3`` never starts one)."""
        return self

    def _database(self) -> WorkerDatabase:
        if self._worker is not None:
            return self._worker
        if self._failure is not None:  # one slow, failing start per run, not one per test
            raise RuntimeError(f"the test database could not be set up earlier in this run: {self._failure}")
        try:
            base = self._base if self._base is not None else self._start_embedded()
            role = worker_id()  # scratch_databases adds a random part to the name
            configs = self._stack.enter_context(get_target(base).scratch_databases(base, role))
        except Exception as exc:
            self._failure = exc
            self.close()
            raise
        self.config = configs[role]
        self._worker = WorkerDatabase(get_target(self.config))
        return self._worker

    def _start_embedded(self) -> Config:
        from ..targets.embedded import EmbeddedServer

        # World-traversable: when we are root the server runs as an unprivileged OS user.
        self._tmp = Path(tempfile.mkdtemp(prefix="dwhkit-pytest-"))
        os.chmod(self._tmp, 0o755)
        server = EmbeddedServer(self._tmp / "pg")
        info = server.start()
        self._stack.callback(server.destroy)
        return Config(path=None, target_type="postgres",
                      cluster=ClusterConfig(host=info.host, port=info.port, db_name=info.dbname,
                                            db_user=info.user, db_password=Secret(info.password)))

    def begin(self):
        """An empty database for the next test; returns the target its connections come from."""
        worker = self._database()
        worker.reset()
        return worker.target

    def end(self) -> None:
        """Nothing to undo now: the next ``begin`` empties the database (a failed teardown cannot
        leave the next test a dirty one), and the database goes at the end of the run."""

    def s3(self) -> S3Bucket:
        if self._s3 is None:
            self._s3 = MotoServer().start()
            self._stack.callback(self._s3.stop)
        from ..s3 import client

        s3 = client("us-east-1")
        bucket = fresh_bucket_name()
        s3.create_bucket(Bucket=bucket)
        return S3Bucket(s3, bucket, iam_role=LOCAL_IAM_ROLE)

    def close(self) -> None:
        if self._worker is not None:
            self._worker.close()
        try:
            self._stack.close()
        finally:
            if self._tmp is not None:
                shutil.rmtree(self._tmp, ignore_errors=True)


class ClusterBackend:
    """Tests on a real Redshift cluster: a schema per test (first on the search path), dropped
    afterwards; S3 is the configured ``[S3] lake``, a prefix per test."""

    is_cluster = True

    def __init__(self, config: Config):
        if not config.lake:
            raise ConfigError("a test run on Redshift needs an S3 location for COPY/UNLOAD: set [S3] lake "
                              "(or DWH_S3_LAKE) to s3://bucket/prefix in the --redshift-config file")
        self.config = config
        self._run = f"dwhkit_test_{worker_suffix()}"
        self._schema: str | None = None

    def start(self) -> "ClusterBackend":
        return self

    def begin(self):
        self._schema = f"{self._run}_{uuid.uuid4().hex[:6]}"
        self._admin(f"CREATE SCHEMA {quote_ident(self._schema)}")
        return get_target(self.config, schema=self._schema)

    def end(self) -> None:
        if self._schema is not None:
            self._admin(f"DROP SCHEMA IF EXISTS {quote_ident(self._schema)} CASCADE")
            self._schema = None

    def _admin(self, sql: str) -> None:
        conn = get_target(self.config).connect_raw()
        try:
            conn.autocommit = True
            cur = conn.cursor()
            cur.execute(sql)
            cur.close()
        finally:
            conn.close()

    def s3(self) -> S3Bucket:
        from ..s3 import client, split_url

        bucket, prefix = split_url(self.config.lake.rstrip("/") + "/")
        prefix = f"{prefix}{self._run}/{uuid.uuid4().hex[:8]}/"
        return S3Bucket(client(self.config.s3_region or None), bucket, prefix=prefix,
                        iam_role=self.config.iam_role)

    def close(self) -> None:
        pass


def backend_for(config_path: Path | None):
    """The backend for ``--redshift-config`` (None: a throwaway embedded server)."""
    if config_path is None:
        return LocalBackend()
    config = load_config(config_path)
    if not target_class(config).emulates_copy:  # a real cluster runs COPY/UNLOAD from real S3
        return ClusterBackend(config)
    return LocalBackend(config)
