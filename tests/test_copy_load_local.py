"""FROM 'file:///…' on Postgres targets: S3's prefix semantics over a local folder."""
from __future__ import annotations

import gzip
import json

import pytest

from dwhkit.copy.grammar import parse_copy
from dwhkit.targets.pg_sink import run_copy
from dwhkit.errors import CopyError

from .copyhelpers import ddl, put, rows


def test_local_prefix_matches_like_s3_and_loads_gzip(pg_conn, tmp_path):
    (tmp_path / "x_folder").mkdir()
    (tmp_path / "x.1").write_text('{"a": 1}\n')
    (tmp_path / "x.bak").write_text('{"a": 2}\n')
    (tmp_path / "x_folder" / "part").write_text('{"a": 3}\n')
    (tmp_path / "y.1").write_text('{"a": 99}\n')
    with pg_conn.cursor() as cur:
        cur.execute("CREATE TABLE t (a int)")
    result = run_copy(pg_conn, parse_copy(f"COPY t FROM '{tmp_path.as_uri()}/x' IAM_ROLE default JSON 'auto'"))
    assert result.rows_loaded == 3
    assert [f.rsplit("/", 1)[-1] for f in result.files] == ["x.1", "x.bak", "part"]
    gz = tmp_path / "z.json.gz"
    gz.write_bytes(gzip.compress(b'{"a": 7}\n{"a": 8}\n'))
    run_copy(pg_conn, parse_copy(f"COPY t FROM '{gz.as_uri()}' IAM_ROLE default JSON 'auto' GZIP"))
    with pg_conn.cursor() as cur:
        cur.execute("SELECT array_agg(a ORDER BY a) FROM t")
        assert cur.fetchone()[0] == [1, 2, 3, 7, 8]


def test_bad_local_record_names_file_line_and_column(pg_conn, tmp_path):
    (tmp_path / "d.json").write_text('{"a": 1}\n{"a": "abc"}\n')
    with pg_conn.cursor() as cur:
        cur.execute("CREATE TABLE t (a int)")
    pg_conn.commit()
    with pytest.raises(CopyError) as err:
        run_copy(pg_conn, parse_copy(f"COPY t FROM '{tmp_path.as_uri()}/d' IAM_ROLE default JSON 'auto'"))
    assert f"{(tmp_path / 'd.json').as_uri()}, line 2, column a" in str(err.value)
    pg_conn.rollback()
    with pg_conn.cursor() as cur:
        cur.execute("SELECT COUNT(*) FROM t")
        assert cur.fetchone()[0] == 0


def test_missing_local_prefix_is_a_clear_error(pg_conn, tmp_path):
    with pg_conn.cursor() as cur:
        cur.execute("CREATE TABLE t (a int)")
    with pytest.raises(CopyError, match="does not exist"):
        run_copy(pg_conn, parse_copy(f"COPY t FROM '{tmp_path.as_uri()}/nothing-' IAM_ROLE default JSON 'auto'"))


def _manifest(*entries) -> str:
    return json.dumps({"entries": [{"url": u, "mandatory": m} for u, m in entries]})


def test_manifest_on_a_local_lake_lists_local_files(pg_conn, tmp_path):
    """MANIFEST through the same Source as FROM: a manifest file on disk listing file:// URLs
    (duplicates load twice, a missing optional entry is skipped, as with S3 manifests)."""
    (tmp_path / "a.json").write_text('{"a": 1}\n')
    (tmp_path / "b.json").write_text('{"a": 2}\n{"a": 3}\n')
    a, b, gone = ((tmp_path / n).as_uri() for n in ("a.json", "b.json", "gone.json"))
    (tmp_path / "load.manifest").write_text(_manifest((a, True), (b, True), (a, False), (gone, False)))
    ddl(pg_conn, "CREATE TABLE t (a int)")
    result = run_copy(pg_conn, parse_copy(f"COPY t FROM '{(tmp_path / 'load.manifest').as_uri()}' "
                                          "IAM_ROLE default JSON 'auto' MANIFEST"))
    assert result.rows_loaded == 4
    assert result.files == [a, b, a]
    assert rows(pg_conn, "SELECT array_agg(a ORDER BY a) FROM t") == [([1, 1, 2, 3],)]


def test_local_manifest_missing_mandatory_file_or_naming_s3_fails(pg_conn, tmp_path):
    ddl(pg_conn, "CREATE TABLE t (a int)")
    m = tmp_path / "m"
    m.write_text(_manifest(((tmp_path / "gone.json").as_uri(), True)))
    with pytest.raises(CopyError, match=r"mandatory file .*gone\.json was not found \(1212\)"):
        run_copy(pg_conn, parse_copy(f"COPY t FROM '{m.as_uri()}' IAM_ROLE default JSON 'auto' MANIFEST"))
    pg_conn.rollback()
    m.write_text(_manifest(("s3://some-bucket/a.json", True)))
    with pytest.raises(CopyError, match="not on the manifest's file system"):
        run_copy(pg_conn, parse_copy(f"COPY t FROM '{m.as_uri()}' IAM_ROLE default JSON 'auto' MANIFEST"))
    pg_conn.rollback()
    with pytest.raises(CopyError, match=r"Manifest file is not found \(8001\)"):
        run_copy(pg_conn, parse_copy(f"COPY t FROM '{tmp_path.as_uri()}/nope' IAM_ROLE default JSON 'auto' MANIFEST"))


def test_manifest_in_s3_lists_s3_objects(pg_conn, s3, bucket):
    put(s3, bucket, "d/one.json", '{"a": 10}\n')
    put(s3, bucket, "d/two.json", '{"a": 20}\n')
    put(s3, bucket, "m/load.manifest", _manifest((f"s3://{bucket}/d/two.json", True),
                                                 (f"s3://{bucket}/d/one.json", True),
                                                 (f"s3://{bucket}/d/missing.json", False)))
    ddl(pg_conn, "CREATE TABLE t (a int)")
    result = run_copy(pg_conn, parse_copy(f"COPY t FROM 's3://{bucket}/m/load.manifest' IAM_ROLE default "
                                          "JSON 'auto' MANIFEST"))
    assert result.files == [f"s3://{bucket}/d/two.json", f"s3://{bucket}/d/one.json"]
    assert rows(pg_conn, "SELECT array_agg(a ORDER BY a) FROM t") == [([10, 20],)]


def test_a_file_copy_never_builds_an_s3_client(pg_conn, tmp_path, monkeypatch):
    """The Source is chosen once from the URL: file:// never touches boto3 (the shared-client
    cache is emptied so a client built by an earlier test cannot hide a construction)."""
    import boto3
    import boto3.session

    from dwhkit.copy import sources

    def refuse(*args, **kwargs):
        raise AssertionError("a boto3 client was built for a file:// COPY")

    monkeypatch.setattr(boto3, "client", refuse)
    monkeypatch.setattr(boto3.session.Session, "client", refuse)
    monkeypatch.setattr(sources, "_CLIENTS", {})
    (tmp_path / "p.csv").write_text("1\n2\n")
    (tmp_path / "m").write_text(_manifest(((tmp_path / "p.csv").as_uri(), True)))
    ddl(pg_conn, "CREATE TABLE t (a int)")
    assert run_copy(pg_conn, parse_copy(f"COPY t FROM '{tmp_path.as_uri()}/p' IAM_ROLE default CSV")).rows_loaded == 2
    assert run_copy(pg_conn, parse_copy(f"COPY t FROM '{(tmp_path / 'm').as_uri()}' IAM_ROLE default "
                                        "CSV MANIFEST")).rows_loaded == 2
    assert rows(pg_conn, "SELECT COUNT(*) FROM t") == [(4,)]
