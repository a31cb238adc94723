"""The ETL report: rows per table, rejected rows, seconds, where every row went, and checks."""
from __future__ import annotations

import json

from .identifiers import quote_ident
from .quality import run_checks
from .warehouse import Warehouse


def build_report(conn, warehouse: Warehouse, run_id: str | None = None) -> dict:
    """Read the warehouse as it is now plus the step log of ``run_id`` (default: the last run)."""
    cur = conn.cursor()
    steps = _step_log(cur, warehouse.name, run_id)
    by_table = {s["table"]: s for s in steps if s["table"]}
    tables = []
    for name, zone, _ in warehouse.tables:
        cur.execute(f"SELECT COUNT(*) FROM {quote_ident(name)}")
        step = by_table.get(name, {})
        tables.append({"table": name, "zone": zone, "rows": int(cur.fetchone()[0]),
                       "rejected": step.get("rows_rejected"), "seconds": step.get("seconds")})
    reconciliation = []
    for flow, sql in warehouse.reconciliation:
        cur.execute(sql)
        reconciliation.append({"flow": flow, "outcomes": {str(o): int(n) for o, n in cur.fetchall()}})
    checks = [{"check": r.name, "violations": r.violations, "passed": r.passed}
              for r in run_checks(cur, warehouse.checks)]
    conn.commit()
    cur.close()
    return {"warehouse": warehouse.name, "run_id": steps[0]["run_id"] if steps else None,
            "steps": [{k: s[k] for k in ("step", "zone", "seconds")} for s in steps],
            "total_seconds": round(sum(s["seconds"] or 0 for s in steps), 3),
            "tables": tables, "reconciliation": reconciliation, "checks": checks,
            "passed": all(c["passed"] for c in checks)}


def _step_log(cur, warehouse: str, run_id: str | None) -> list[dict]:
    cur.execute("SELECT COUNT(*) FROM information_schema.tables WHERE table_name = 'dwhkit_etl_log'")
    if not cur.fetchone()[0]:
        return []
    if run_id is None:
        cur.execute("SELECT run_id FROM dwhkit_etl_log WHERE warehouse = %s ORDER BY finished_at DESC LIMIT 1",
                    (warehouse,))
        row = cur.fetchone()
        if row is None:
            return []
        run_id = row[0]
    cur.execute("SELECT run_id, step, zone, table_name, rows_loaded, rows_rejected, seconds FROM dwhkit_etl_log "
                "WHERE run_id = %s ORDER BY finished_at, step", (run_id,))
    cols = ["run_id", "step", "zone", "table", "rows_loaded", "rows_rejected", "seconds"]
    return [dict(zip(cols, row)) for row in cur.fetchall()]


def to_json(report: dict) -> str:
    return json.dumps(report, indent=2, default=str)


def render(report: dict, console=None) -> None:
    """Print the report as tables (rich), for people."""
    from rich.console import Console
    from rich.table import Table

    console = console or Console()
    t = Table(title=f"{report['warehouse']} warehouse", title_justify="left")
    for col in ("table", "zone", "rows", "rejected", "seconds"):
        t.add_column(col, justify="right" if col in ("rows", "rejected", "seconds") else "left")
    for row in report["tables"]:
        t.add_row(row["table"], row["zone"], f"{row['rows']:,}",
                  "" if row["rejected"] is None else f"{row['rejected']:,}",
                  "" if row["seconds"] is None else f"{row['seconds']:.2f}")
    console.print(t)
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
