"""A file whose last line has no newline never runs into the next file's first line — on the
fast path (large files streamed in blocks, small ones grouped) and on the exact path alike."""
from __future__ import annotations

import pytest

from dwhkit.copy.grammar import parse_copy
from dwhkit.targets.pg_sink import run_copy


@pytest.mark.parametrize("fastpath", ["1", "0"])
@pytest.mark.parametrize("lines_per_file", [3, 40_000])  # grouped small files; streamed large ones
@pytest.mark.parametrize("fmt", ["DELIMITER '\\036'", "CSV", "JSON 'auto'"])
def test_last_line_without_newline(pg_conn, tmp_path, monkeypatch, fastpath, lines_per_file, fmt):
    monkeypatch.setenv("DWH_COPY_FASTPATH", fastpath)
    expected = []
    for i in range(3):
        rows = [f"{i}-{n}-{'x' * 40}" for n in range(lines_per_file)]
        expected += rows
        body = [f'{{"a": "{r}"}}' if fmt.startswith("JSON") else r for r in rows]
        (tmp_path / f"part-{i}").write_text("\n".join(body))          # no final newline
    with pg_conn.cursor() as cur:
        cur.execute("CREATE TABLE t (a VARCHAR(100))")
    result = run_copy(pg_conn, parse_copy(f"COPY t FROM '{tmp_path.as_uri()}/part-' IAM_ROLE default {fmt}"))
    assert result.rows_loaded == 3 * lines_per_file
    with pg_conn.cursor() as cur:
        cur.execute("SELECT a FROM t")
        assert sorted(r[0] for r in cur.fetchall()) == sorted(expected)
