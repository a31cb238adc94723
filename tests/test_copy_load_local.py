"""FROM 'file:///…' on Postgres targets: S3's prefix semantics over a local folder."""
from __future__ import annotations

import gzip

import pytest

from dwhkit.copy.grammar import parse_copy
from dwhkit.copy.loader import run_copy
from dwhkit.errors import CopyError


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
