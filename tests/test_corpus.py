"""The documented conformance corpus (tests/corpus): one test per documented behaviour, run on the
real embedded server through dwhkit.connect(). Rows listed in tests/corpus/known.py are expected
to fail (xfail strict): a fix makes them XPASS, which fails the run until the row is unmarked.
One database for the whole corpus and one connection per category keep the run short."""
from __future__ import annotations

import uuid

import psycopg2
import pytest

from dwhkit.targets.scratch import drop_database
from tests.corpus import all_cases
from tests.corpus.known import KNOWN
from tests.corpus.run import open_category, run_case

CASES = all_cases()


def _param(case):
    marks = [pytest.mark.xfail(strict=True, reason=KNOWN[case.id])] if case.id in KNOWN else []
    return pytest.param(case, id=case.id, marks=marks)


@pytest.fixture(scope="module")
def corpus_connect(pg_server, s3_endpoint, tmp_path_factory):
    """A connect() to one database made for the corpus, dropped at the end. The COPY examples read
    their documented data files from the local S3 server (``s3_endpoint``)."""
    import dwhkit
    from dwhkit.config import ClusterConfig, Config, Secret

    name = f"corpus_{uuid.uuid4().hex[:10]}"
    admin = psycopg2.connect(**pg_server.dsn("postgres"))
    admin.autocommit = True
    with admin.cursor() as cur:
        cur.execute(f'CREATE DATABASE "{name}"')
    dsn = pg_server.dsn(name)
    cfg = tmp_path_factory.mktemp("corpus") / "dwh.cfg"
    cfg.write_text("[TARGET]\ntype = postgres\n")
    config = Config(path=cfg, target_type="postgres",
                    cluster=ClusterConfig(host=dsn["host"], port=dsn["port"], db_name=dsn["dbname"],
                                          db_user=dsn["user"], db_password=Secret(dsn["password"])))
    yield lambda: dwhkit.connect(config)
    drop_database(admin, name)
    admin.close()


@pytest.fixture(scope="module")
def category_connection(corpus_connect):
    """The open connection of a category (its schema and setup made on first use)."""
    opened = {}

    def get(category):
        if category not in opened:
            opened[category] = open_category(corpus_connect, category)
        return opened[category]

    yield get
    for conn in opened.values():
        conn.close()


@pytest.mark.parametrize("case", [_param(c) for c in CASES])
def test_documented_behaviour(case, category_connection):
    outcome = run_case(category_connection(case.category), case)
    assert outcome.passed, f"{case.url}: {outcome.detail}" + (f" (note: {case.note})" if case.note else "")


def test_corpus_is_large_enough():
    # issue 12: at least 400 documented behaviours, each naming its page
    assert len(CASES) >= 400
    assert all(c.page and c.sql for c in CASES)


def test_known_failures_name_existing_rows():
    # a stale entry (renamed or removed row) would silently stop meaning anything
    assert set(KNOWN) <= {c.id for c in CASES}
