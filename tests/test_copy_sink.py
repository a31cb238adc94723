"""copy/ is engine-free: the loader runs against any CopySink, and imports no driver.

The sink here keeps everything in memory (a real, if tiny, implementation of the protocol — no
database is mocked: there is none). It proves the seam is narrow enough for another engine (the
serve endpoint's wire protocol) and pins what crosses it: COPY data blocks, stl rows, the order
begin → describe → write/log → commit | abort → close.
"""
from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from dwhkit.copy.convert import Column, Table
from dwhkit.copy.grammar import parse_copy
from dwhkit.copy.loader import run_copy
from dwhkit.copy.sink import LoadIds
from dwhkit.errors import LoadError

COPY_DIR = Path(__file__).resolve().parent.parent / "dwhkit" / "copy"


def _col(name, typname, text):
    return Column(name, typname, text, None, None, None, False, False, "", False)


class MemorySink:
    """A CopySink that stores COPY data and log rows in lists."""

    durable_log = False

    def __init__(self):
        self.calls: list[str] = []
        self.data: list[tuple[str, bytes]] = []
        self.logged: list[tuple] = []
        self.last = None

    def begin(self):
        self.calls.append("begin")
        return LoadIds(41, 7)

    def describe_table(self, schema, name):
        self.calls.append("describe")
        return Table(1234, "public", name, (_col("a", "int4", "integer"), _col("b", "varchar", "character varying")))

    def write(self, table, columns, fmt, data):
        self.calls.append("write")
        chunks = iter(lambda: data.read(1 << 16), b"")
        self.data.append((fmt.kind, b"".join(chunks)))

    def interrupt(self):
        pass

    def log(self, errors, commits):
        self.logged += errors + commits

    def was_empty(self, table):
        self.calls.append("was_empty")
        return True

    def update_statistics(self, table):
        self.calls.append("statistics")

    def commit(self, ids, rows_loaded):
        self.calls.append("commit")
        self.last = (ids.query_id, rows_loaded)

    def abort(self, ids, errors, commits):
        self.calls.append("abort")
        self.data.clear()
        self.logged += errors + commits
        self.last = (ids.query_id, 0)

    def close(self, failed=False):
        self.calls.append("close")


def test_exact_path_writes_text_blocks_and_logs_through_the_sink(tmp_path, monkeypatch):
    monkeypatch.setenv("DWH_COPY_PARSE_THREADS", "1")
    (tmp_path / "d.json").write_text('{"a": 1, "b": "x\\ty"}\n{"a": "bad", "b": "z"}\n{"a": 3}\n')
    sink = MemorySink()
    res = run_copy(sink, parse_copy(f"COPY t FROM '{tmp_path.as_uri()}/d' IAM_ROLE default "
                                    "JSON 'auto' MAXERROR 1"))
    assert (res.rows_loaded, res.rows_rejected, res.query_id) == (2, 1, 41)
    # the table was empty (MemorySink.is_empty): STATUPDATE's default refreshes its statistics
    assert sink.calls[:2] == ["begin", "describe"]
    assert sink.calls[-4:] == ["was_empty", "statistics", "commit", "close"]
    text = b"".join(d for _, d in sink.data)
    # the fast path may take a block whole (csv) or the exact path converts it (text): either way
    # both good records arrive, and the bad one does not
    assert text.count(b"\n") == 2 and b"bad" not in text
    errors = [r for r in sink.logged if len(r) == 18]
    commits = [r for r in sink.logged if len(r) == 14]
    assert [(e[5], e[4], e[7], e[8].strip(), e[14]) for e in errors] == [(41, 7, 2, "a", 1207)]
    assert [(c[1], c[6], c[7]) for c in commits] == [(41, 3, 1)]
    assert sink.last == (41, 2)


def test_past_maxerror_the_sink_aborts_and_keeps_the_log_rows(tmp_path):
    (tmp_path / "d.csv").write_text("1,a\nx,b\ny,c\n")
    sink = MemorySink()
    with pytest.raises(LoadError, match="MAXERROR 1"):
        run_copy(sink, parse_copy(f"COPY t FROM '{tmp_path.as_uri()}/d' IAM_ROLE default CSV MAXERROR 1"))
    assert sink.calls[-2:] == ["abort", "close"] and "commit" not in sink.calls
    assert "statistics" not in sink.calls
    assert sink.data == [] and sink.last == (41, 0)
    assert [r[7] for r in sink.logged if len(r) == 18] == [2, 3]      # both rejected lines, kept


def test_copy_package_names_no_driver_or_engine_sql():
    """Issue 11: only dwhkit/targets/ knows the engine (docstrings say "driver")."""
    banned = re.compile(r"psycopg2|pg_advisory|pg_backend_pid|pg_catalog|copy_expert|"
                        r"get_transaction_status|register_type")
    hits = [f"{p.relative_to(COPY_DIR)}:{i}" for p in sorted(COPY_DIR.rglob("*.py"))
            for i, line in enumerate(p.read_text().splitlines(), 1) if banned.search(line)]
    assert hits == []
    code = ("import sys, dwhkit.copy.loader, dwhkit.copy.jobs, dwhkit.copy.unload; "
            "bad = [m for m in sys.modules if m.split('.')[0] == 'psycopg2' or m.startswith('dwhkit.targets')]; "
            "print(', '.join(bad))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == ""
