"""Translations kept across processes (compat.translation_store): a warehouse's own statements
are translated once and read back by the next process, under a key holding the translating
code's digest, the text and the column types of the tables named; nothing else is written."""
from __future__ import annotations

import json
import stat

import pytest

from dwhkit import app
from dwhkit.compat import translate
from dwhkit.compat.translation_store import TranslationStore, default_path
from dwhkit.targets import get_target

JOIN = "SELECT COUNT(*) FROM t1 JOIN t2 ON t1.a = t2.a"


@pytest.fixture
def conn(dwh_config):
    target = get_target(dwh_config)
    conn = target.connect()
    cur = conn.cursor()
    cur.execute("CREATE TABLE t1 (a VARCHAR(8))")
    cur.execute("CREATE TABLE t2 (a VARCHAR(8))")
    conn.commit()
    yield conn
    conn.close()


def _fresh(path, owned=(JOIN,)):
    return TranslationStore(path, owned)


def _no_translation(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("translated again")
    monkeypatch.setattr(translate, "_translate", refuse)
    monkeypatch.setattr(translate, "_tables", refuse)


def test_a_kept_translation_is_read_back_without_translating(conn, tmp_path, monkeypatch):
    path = tmp_path / "t.json"
    store = _fresh(path)
    first = translate.to_postgres(JOIN, conn.catalog, store)
    store.save()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    _no_translation(monkeypatch)
    assert translate.to_postgres(JOIN, conn.catalog, _fresh(path)) == first


def test_other_column_types_are_translated_again(conn, tmp_path):
    path = tmp_path / "t.json"
    store = _fresh(path)
    as_text = translate.to_postgres(JOIN, conn.catalog, store)
    store.save()
    assert "BPCHAR" in as_text[0]          # Redshift compares VARCHARs without trailing blanks
    cur = conn.cursor()
    cur.execute("ALTER TABLE t1 ALTER COLUMN a TYPE INTEGER USING NULL")
    cur.execute("ALTER TABLE t2 ALTER COLUMN a TYPE INTEGER USING NULL")
    conn.commit()
    as_int = translate.to_postgres(JOIN, conn.catalog, _fresh(path))
    assert "BPCHAR" not in as_int[0]
    cur.execute(as_int[0].replace("COUNT(*)", "COUNT(*) + 0"))   # and it runs
    conn.rollback()


def test_statements_not_owned_are_never_written(conn, tmp_path):
    path = tmp_path / "t.json"
    store = _fresh(path)
    secret = "SELECT COUNT(*) FROM t1 WHERE a = 'personal-value'"
    translate.to_postgres(secret, conn.catalog, store)
    translate.to_postgres(JOIN, conn.catalog, store)
    store.save()
    text = path.read_text()
    assert "personal-value" not in text and "t2" in text


def test_a_file_from_other_code_is_ignored(conn, tmp_path, monkeypatch):
    path = tmp_path / "t.json"
    store = _fresh(path)
    translate.to_postgres(JOIN, conn.catalog, store)
    store.save()
    data = json.loads(path.read_text())
    data["version"] = "another build"
    path.write_text(json.dumps(data))
    assert _fresh(path).tables(JOIN) is None


def test_an_unreadable_or_broken_file_is_no_file(conn, tmp_path):
    path = tmp_path / "t.json"
    path.write_text("{not json")
    path.chmod(0o600)
    store = _fresh(path)
    assert translate.to_postgres(JOIN, conn.catalog, store)
    store.save()                            # replaced by a good one
    assert _fresh(path).tables(JOIN) == ((None, "t1"), (None, "t2"))


def test_off_keeps_nothing(monkeypatch):
    monkeypatch.setenv("DWH_TRANSLATION_CACHE", "off")
    assert default_path() is None


def test_an_etl_run_keeps_its_translations_for_the_next(dwh_config, stedi_sample, tmp_path, monkeypatch):
    path = tmp_path / "etl.json"
    monkeypatch.setenv("DWH_TRANSLATION_CACHE", str(path))
    config = dwh_config.with_overrides(warehouse="stedi")
    app.create_tables(config, "stedi")
    first = app.run_etl(config, "stedi", lake=str(stedi_sample))
    kept = json.loads(path.read_text())["statements"]
    assert len(kept) > 30 and not any("COPY" in sql.split()[0].upper() for sql in kept)
    second = app.run_etl(config, "stedi", lake=str(stedi_sample))
    for key in ("reconciliation", "checks", "passed"):
        assert second[key] == first[key]


def test_a_planted_file_is_never_run(conn, tmp_path):
    """What the file holds is run as SQL: a symlink, or a file others can write, is refused."""
    path = tmp_path / "t.json"
    store = _fresh(path)
    good = translate.to_postgres(JOIN, conn.catalog, store)
    store.save()
    data = json.loads(path.read_text())
    for entry in data["statements"].values():
        entry["out"] = {k: ["DROP TABLE t1"] for k in entry["out"]}
    planted = tmp_path / "planted.json"
    planted.write_text(json.dumps(data))
    path.unlink()
    path.symlink_to(planted)
    assert translate.to_postgres(JOIN, conn.catalog, _fresh(path)) == good
    path.unlink()
    path.write_text(json.dumps(data))
    path.chmod(0o666)
    assert translate.to_postgres(JOIN, conn.catalog, _fresh(path)) == good
    path.chmod(0o600)
    tmp_path.chmod(0o777)
    try:
        assert translate.to_postgres(JOIN, conn.catalog, _fresh(path)) == good
    finally:
        tmp_path.chmod(0o755)
