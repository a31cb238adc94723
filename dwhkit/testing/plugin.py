"""dwhkit's pytest plugin, loaded through the ``pytest11`` entry point: fixtures for testing
Redshift SQL locally.

Fixtures: ``redshift`` (a dwhkit DB-API connection on an empty database), ``redshift_engine``
(a SQLAlchemy engine on the same database), ``redshift_s3`` (the S3 its COPY/UNLOAD reach).
Nothing starts until a test asks for one of them, so a test suite that loads the plugin without
using it pays nothing; its fixture and option names all start with ``redshift`` so they cannot
clash with a project's own (dwhkit's suite has ``s3``, ``bucket``, ``pg_server``…).
Disable with ``-p no:dwhkit``.
"""
from __future__ import annotations

from pathlib import Path

import pytest

SCOPES = ("function", "class", "module", "package", "session")
SCHEMA_MARKER = "redshift_schema"


def pytest_addoption(parser):
    group = parser.getgroup("dwhkit", "dwhkit: test Redshift SQL locally")
    group.addoption("--redshift-config", default=None, metavar="PATH",
                    help="dwh.cfg for the tests' target: omitted, a throwaway embedded Postgres; "
                         "type = postgres, a database on that server; type = redshift, the real cluster "
                         "(statements verbatim, real S3 under [S3] lake). ini: redshift_config")
    group.addoption("--redshift-scope", default=None, choices=SCOPES,
                    help="scope of the redshift fixtures: a fresh database per function (default), "
                         "class, module, package or session. ini: redshift_scope")
    group.addoption("--redshift-schema", default=None, metavar="FILE", action="append",
                    help="a SQL file (Redshift SQL) run before each test that uses the redshift "
                         "fixtures; may be repeated. ini: redshift_schema")
    parser.addini("redshift_config", type="paths", default=[],
                  help="dwh.cfg for the tests' target (relative to this ini file)")
    parser.addini("redshift_scope", default="function", help="scope of the redshift fixtures")
    parser.addini("redshift_schema", type="paths", default=[],
                  help="SQL files run before each test that uses the redshift fixtures")


def pytest_configure(config):
    config.addinivalue_line(
        "markers", f"{SCHEMA_MARKER}(*paths): SQL files (relative to the test file) run before the test, "
                   "after any --redshift-schema files")
    scope = _scope_name(config)
    if scope not in SCOPES:
        raise pytest.UsageError(f"redshift_scope must be one of {', '.join(SCOPES)}, not {scope!r}")


def _scope_name(config) -> str:
    return config.getoption("redshift_scope") or config.getini("redshift_scope") or "function"


def _scope(fixture_name, config) -> str:
    return _scope_name(config)


def _config_path(config) -> Path | None:
    given = config.getoption("redshift_config")
    if given:
        return Path(config.invocation_params.dir, given)
    paths = config.getini("redshift_config")
    return Path(paths[0]) if paths else None


def _schema_files(request) -> list[Path]:
    """The option's (or ini's) files, then the markers' from the outermost to the closest."""
    config = request.config
    given = config.getoption("redshift_schema")
    files = ([Path(config.invocation_params.dir, p) for p in given] if given
             else [Path(p) for p in config.getini("redshift_schema")])
    markers = list(request.node.iter_markers(SCHEMA_MARKER))
    base = Path(request.node.path).parent if getattr(request.node, "path", None) else Path.cwd()
    for marker in reversed(markers):
        files += [base / p for p in marker.args]
    return files


@pytest.fixture(scope="session")
def _dwhkit_backend(request):
    """The target this process's tests run on (started on first use, stopped at the end)."""
    from .backends import backend_for

    backend = backend_for(_config_path(request.config)).start()
    yield backend
    backend.close()


@pytest.fixture(scope=_scope)
def _dwhkit_target(request, _dwhkit_backend):
    """An empty database (or, on a cluster, schema) with the schema files applied."""
    target = _dwhkit_backend.begin()
    try:
        files = _schema_files(request)
        if files:
            _apply(target, files)
        yield target
    finally:
        _dwhkit_backend.end()


def _apply(target, files: list[Path]) -> None:
    conn = target.connect()
    try:
        cur = conn.cursor()
        for path in files:
            if not path.is_file():
                raise pytest.UsageError(f"redshift schema file not found: {path}")
            cur.execute(path.read_text(encoding="utf-8"))
        conn.commit()
    finally:
        conn.close()


@pytest.fixture(scope=_scope)
def redshift(_dwhkit_target):
    """A dwhkit DB-API connection (Redshift SQL; COPY/UNLOAD emulated) on this test's database.

    Transactions as psycopg2: commit() or roll back; DDL, COPY and UNLOAD work inside the test.
    Whatever the test creates is gone in the next one."""
    conn = _dwhkit_target.connect()
    # The Redshift target sets the test schema's search_path in a transaction it leaves open; commit
    # it, or the test's first rollback would undo it (and ``autocommit = True`` would be refused).
    conn.commit()
    yield conn
    conn.close()


@pytest.fixture(scope=_scope)
def redshift_engine(_dwhkit_target):
    """A SQLAlchemy engine on the same database as ``redshift`` (plain SQL, not translated)."""
    engine = _dwhkit_target.create_engine()
    yield engine
    engine.dispose()


@pytest.fixture(scope=_scope)
def redshift_s3(_dwhkit_backend):
    """The S3 this test's COPY and UNLOAD reach: ``.bucket``, ``.client`` (boto3), ``.put(key, data)``,
    ``.url(key)`` (s3://…), ``.iam_role`` (for COPY's IAM_ROLE). Locally moto's server on 127.0.0.1
    with a fresh bucket; on a cluster run, real S3 under a prefix of its own, emptied afterwards."""
    s3 = _dwhkit_backend.s3()
    yield s3
    if _dwhkit_backend.is_cluster:
        s3.empty()
