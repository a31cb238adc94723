"""The ETL report: rows per table, rejected rows, seconds, where every row went, and checks."""
from __future__ import annotations

import json
import logging
import queue
import threading
from typing import Callable

from .identifiers import quote_ident
from .quality import distinct_queries, results_of
from .warehouses import Warehouse


HISTORY_RUNS = 20
log = logging.getLogger("dwhkit")


def build_report(conn, warehouse: Warehouse, run_id: str | None = None, target: str | None = None,
                 open_session: Callable[[], object] | None = None) -> dict:
    """Read the warehouse as it is now plus the step log of ``run_id`` (default: the last run that
    finished). ``header`` says when that run finished, the lake it read, the target (``target``:
    its secret-free description) and whether a later attempt failed; ``history`` lists the latest
    runs, newest first. Each figure appears once: step seconds in ``steps``, table rows in ``tables``.

    ``open_session`` (a callable returning a new connection to the same warehouse) lets the
    read-only queries — row counts, reconciliation, checks — run on two sessions at once (see
    _answers); without it they run one after another on ``conn``."""
    cur = conn.cursor()
    has_log = conn.catalog.columns("dwhkit_etl_log") is not None
    history = _history(cur, warehouse.name) if has_log else []
    if run_id is None:
        run_id = next((h["run_id"] for h in history if h["status"] == "ok"), None)
    steps = _step_log(cur, run_id) if has_log and run_id else []
    by_table = {s["table"]: s for s in steps if s["table"]}
    rows = iter(_answers(conn, report_queries(warehouse), open_session))
    reconciliation = [{"flow": flow, "outcomes": {str(o): int(n) for o, n in next(rows)}}
                      for flow, _sql in warehouse.reconciliation]
    check_rows = {sql: next(rows)[0] for sql in distinct_queries(warehouse.checks)}
    checks = [{"check": r.name, "violations": r.violations, "passed": r.passed}
              for r in results_of(warehouse.checks, check_rows)]
    tables = []
    for table in warehouse.tables:
        step = by_table.get(table.name, {})
        tables.append({"table": table.name, "zone": table.zone, "rows": int(next(rows)[0][0]),
                       "rejected": step.get("rows_rejected"), "seconds": step.get("seconds")})
    conn.commit()
    cur.close()
    reported = next((h for h in history if h["run_id"] == run_id), None)
    latest = history[0] if history else None
    header = {"finished_at": reported["finished_at"] if reported else None,
              "lake": reported["lake"] if reported else None,
              "target": target,
              "latest_failed": ({k: latest[k] for k in ("step", "error", "finished_at")}
                                if latest is not None and latest["status"] == "failed" else None)}
    return {"warehouse": warehouse.name, "run_id": run_id if steps else None, "header": header,
            "steps": [{k: s[k] for k in ("step", "zone", "seconds")} for s in steps],
            "total_seconds": round(sum(s["seconds"] or 0 for s in steps), 3),
            "tables": tables, "reconciliation": reconciliation, "checks": checks,
            "history": [{k: h[k] for k in ("run_id", "finished_at", "status", "step", "error", "seconds",
                                            "rows_loaded")} for h in history],
            "passed": all(c["passed"] for c in checks)}


def report_queries(warehouse: Warehouse) -> list[str]:
    """The report's read-only queries: reconciliation, checks (each shared query once), row counts —
    the heaviest first (reconciliation re-reads the landing data), so two sessions end together."""
    return ([sql for _flow, sql in warehouse.reconciliation] + distinct_queries(warehouse.checks)
            + [f"SELECT COUNT(*) FROM {quote_ident(t.name)}" for t in warehouse.tables])


def _answers(conn, queries: list[str], open_session) -> list[list[tuple]]:
    """Every query's rows, in order. With ``open_session``, a second session takes queries from the
    same queue as ``conn``: the report's queries are read-only and independent, and each waits on
    the server, so two take about half the time on a server with two cores or more. Each statement
    sees the data committed when it starts, as it does one after another (READ COMMITTED); the
    ETL's run lock keeps dwhkit's own writers out. A second session that cannot be opened (a
    connection limit) leaves the work to ``conn``: the report does not need it."""
    answers: list = [None] * len(queries)
    todo: queue.SimpleQueue = queue.SimpleQueue()
    for item in enumerate(queries):
        todo.put(item)
    failures: list[BaseException] = []

    def drain(session) -> None:
        cur = session.cursor()
        try:
            while not failures:
                try:
                    index, sql = todo.get_nowait()
                except queue.Empty:
                    return
                cur.execute(sql)
                answers[index] = cur.fetchall()
        except BaseException as exc:  # raised below, in the caller's thread
            failures.append(exc)
        finally:
            cur.close()

    helper = None
    if open_session is not None and len(queries) > 1:
        def second() -> None:
            try:
                session = open_session()
            except Exception as exc:  # noqa: BLE001 - conn answers everything instead
                log.debug("report: no second session (%s); one session answers", type(exc).__name__)
                return
            try:
                drain(session)
                session.commit()
            finally:
                session.close()
        helper = threading.Thread(target=second, name="dwhkit-report", daemon=True)
        helper.start()
    drain(conn)
    if helper is not None:
        helper.join()
    if failures:
        raise failures[0]
    return answers


def _history(cur, warehouse: str) -> list[dict]:
    """One row per run, newest first: a run failed when one of its steps did (and names it)."""
    cur.execute("SELECT run_id, MAX(finished_at) AS finished_at, "
                "MAX(CASE WHEN status = 'failed' THEN 1 ELSE 0 END) AS failed, "
                "MAX(CASE WHEN status = 'failed' THEN step END) AS failed_step, "
                "MAX(CASE WHEN status = 'failed' THEN error END) AS failed_error, "
                "SUM(seconds) AS seconds, SUM(rows_loaded) AS rows_loaded, MAX(lake) AS lake "
                "FROM dwhkit_etl_log WHERE warehouse = %s GROUP BY run_id ORDER BY 2 DESC LIMIT " + str(HISTORY_RUNS),
                (warehouse,))
    return [{"run_id": run_id, "finished_at": finished_at, "status": "failed" if failed else "ok",
             "step": step, "error": error, "seconds": None if seconds is None else round(float(seconds), 3),
             "rows_loaded": None if rows is None else int(rows), "lake": lake}
            for run_id, finished_at, failed, step, error, seconds, rows, lake in cur.fetchall()]


def _step_log(cur, run_id: str) -> list[dict]:
    cur.execute("SELECT run_id, step, zone, table_name, rows_loaded, rows_rejected, seconds FROM dwhkit_etl_log "
                "WHERE run_id = %s ORDER BY finished_at, step", (run_id,))
    cols = ["run_id", "step", "zone", "table", "rows_loaded", "rows_rejected", "seconds"]
    return [dict(zip(cols, row)) for row in cur.fetchall()]


def to_json(report: dict) -> str:
    return json.dumps(report, indent=2, default=str)


def console_for(file=None):
    """A rich Console that writes escape codes only to a terminal: a pipe or a file gets plain
    text, even when the environment asks for colour (FORCE_COLOR) — redirected output is data."""
    import sys

    from rich.console import Console

    file = file or sys.stdout
    try:
        tty = file.isatty()
    except (AttributeError, ValueError):
        tty = False
    return Console(file=file, force_terminal=None if tty else False, no_color=not tty or None,
                   highlight=tty, width=None if tty else 120)


def _when(value) -> str:
    return "" if value is None else str(value)[:19]


def render(report: dict, console=None) -> None:
    """Print the report as tables (rich), for people. Each figure once: rows in the table list,
    seconds in the step list, runs before this one in the history."""
    from rich.markup import escape
    from rich.table import Table

    console = console or console_for()
    header = report.get("header") or {}
    console.print(f"[b]{report['warehouse']} warehouse[/b]"
                  + (f" — run finished {_when(header.get('finished_at'))} UTC" if header.get("finished_at")
                     else " — no finished ETL run logged"))
    if header.get("lake"):
        console.print(f"lake: {escape(str(header['lake']))}")
    if header.get("target"):
        console.print(f"target: {escape(str(header['target']))}")
    failed = header.get("latest_failed")
    if failed:
        console.print(f"[red]the latest attempt failed[/red] at {_when(failed['finished_at'])} UTC, "
                      f"step '{escape(str(failed['step']))}': {escape(str(failed['error']))}", highlight=False)
    t = Table(title="tables", title_justify="left")
    for col in ("table", "zone", "rows", "rejected"):
        t.add_column(col, justify="right" if col in ("rows", "rejected") else "left")
    for row in report["tables"]:
        t.add_row(row["table"], row["zone"], f"{row['rows']:,}",
                  "" if row["rejected"] is None else f"{row['rejected']:,}")
    console.print(t)
    if report["steps"]:
        s = Table(title="steps", title_justify="left")
        s.add_column("step")
        s.add_column("seconds", justify="right")
        for step in report["steps"]:
            s.add_row(step["step"], f"{step['seconds']:.2f}")
        s.add_row("[b]total[/b]", f"[b]{report['total_seconds']:.2f}[/b]")
        console.print(s)
    r = Table(title="where every row went", title_justify="left")
    r.add_column("flow")
    r.add_column("outcome")
    r.add_column("rows", justify="right")
    for flow in report["reconciliation"]:
        for i, (outcome, n) in enumerate(flow["outcomes"].items()):
            r.add_row(flow["flow"] if i == 0 else "", outcome, f"{n:,}")
    console.print(r)
    c = Table(title="checks", title_justify="left")
    c.add_column("check")
    c.add_column("result")
    for chk in report["checks"]:
        c.add_row(chk["check"], "[green]pass[/green]" if chk["passed"] else f"[red]FAIL ({chk['violations']})[/red]")
    console.print(c)
    earlier = [h for h in report.get("history", []) if h["run_id"] != report.get("run_id")]
    if earlier:
        h = Table(title="other runs (newest first)", title_justify="left")
        for col in ("finished (UTC)", "status", "seconds", "rows loaded", "failed step"):
            h.add_column(col, justify="right" if col in ("seconds", "rows loaded") else "left")
        for run in earlier:
            h.add_row(_when(run["finished_at"]), "ok" if run["status"] == "ok" else "[red]failed[/red]",
                      "" if run["seconds"] is None else f"{run['seconds']:.2f}",
                      "" if run["rows_loaded"] is None else f"{run['rows_loaded']:,}",
                      "" if run["status"] == "ok" else escape(f"{run['step']}: {run['error']}"))
        console.print(h)
