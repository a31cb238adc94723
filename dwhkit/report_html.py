"""`dwh report --html FILE`: the report (dwhkit.report.build_report's dict) as one self-contained
page — plotly.js is inlined once, so the page needs no network when it is viewed.

What it shows: the run's header, rows per zone and table, a Sankey diagram of where every landing
row went by rule (the report's ``reconciliation``), the checks, step timings and the run history.
``header`` and ``history`` are rendered when present and skipped when absent (older reports).

Every string that comes from data (table, check, step and rule names, errors, the lake) is
escaped with ``html.escape`` before it reaches the page — in HTML and in the figures' labels,
which plotly renders as (a subset of) HTML too. Figures carry no ``<script>``-breaking text: their
JSON is written by plotly, which escapes ``<``, ``>`` and ``/``.
"""
from __future__ import annotations

import html
import re
from pathlib import Path

import plotly.graph_objects as go
import plotly.offline

__all__ = ["write_html", "render_html", "sankey_links"]

MOVED = "moved on"
_FLOW = re.compile(r"^\s*(?P<entity>.+?)\s*:\s*(?P<src>.+?)\s*(?:→|->)\s*(?P<dst>.+?)\s*$")
_ZONES = ("landing", "trusted", "curated", "star")
_ZONE_COLOURS = {"landing": "#8c9eff", "trusted": "#4db6ac", "curated": "#ffb74d", "star": "#ba68c8"}
_DROPPED_COLOUR = "#e57373"
_CONFIG = {"displaylogo": False, "displayModeBar": False, "responsive": True}


def write_html(report: dict, path) -> None:
    """Write the report page to ``path`` (UTF-8)."""
    Path(path).write_text(render_html(report), encoding="utf-8")


def render_html(report: dict) -> str:
    esc = _esc
    warehouse = report.get("warehouse") or "warehouse"
    checks = report.get("checks") or []
    passed = all(c.get("passed") for c in checks) if checks else report.get("passed")
    title = f"dwhkit report — {warehouse}"
    sections = [
        _header(report),
        _section("Rows per zone", _figure(_zone_figure(report.get("tables") or []), "fig-zones")
                 + _tables_table(report.get("tables") or [])),
        _section("Where every landing row went", _flow_section(report.get("reconciliation") or [])),
        _section("Checks", _checks_table(report.get("checks") or [])),
        _section("Step timings", _figure(_steps_figure(report.get("steps") or []), "fig-steps")
                 + _steps_table(report)),
    ]
    if report.get("history"):
        sections.append(_section("Run history", _history_table(report["history"])))
    status = ("all checks passed" if passed else "some checks failed") if passed is not None else ""
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{esc(title)}</title>
<style>{_CSS}</style>
<script type="text/javascript">{plotly.offline.get_plotlyjs()}</script>
</head>
<body>
<h1>{esc(title)} <span class="badge {'ok' if passed else 'fail'}" id="status">{esc(status)}</span></h1>
{''.join(sections)}
</body>
</html>
"""


# -------------------------------------------------------------------------------------------
# the flow (Sankey)
# -------------------------------------------------------------------------------------------


def sankey_links(reconciliation: list[dict]) -> tuple[list[str], list[str], list[tuple[int, int, int]], list[str]]:
    """(node labels, node zones, (source, target, rows) links, flows that are not movements).

    A flow named ``entity: from → to`` sends its ``moved on`` rows to the node ``entity · to``
    (so trusted → curated chains on from landing → trusted) and every other outcome to a node
    of its own, the rule that stopped those rows. Flows without an arrow (notes such as the
    consent scope in force) are returned by name, for the table."""
    labels: list[str] = []
    zones: list[str] = []
    index: dict[tuple, int] = {}
    links: list[tuple[int, int, int]] = []
    notes: list[str] = []

    def node(key: tuple, label: str, zone: str) -> int:
        if key not in index:
            index[key] = len(labels)
            labels.append(label)
            zones.append(zone)
        return index[key]

    for flow in reconciliation:
        m = _FLOW.match(str(flow.get("flow", "")))
        if not m:
            notes.append(str(flow.get("flow", "")))
            continue
        entity, src, dst = m.group("entity"), m.group("src"), m.group("dst")
        source = node(("stage", entity, src), f"{entity} · {src}", _zone_of(src))
        for outcome, rows in (flow.get("outcomes") or {}).items():
            if not rows:
                continue
            if outcome == MOVED:
                target = node(("stage", entity, dst), f"{entity} · {dst}", _zone_of(dst))
            else:
                target = node(("dropped", entity, src, outcome), f"{entity}: {outcome}", "dropped")
            links.append((source, target, int(rows)))
    return labels, zones, links, notes


def _zone_of(stage: str) -> str:
    stage = stage.lower()
    return next((z for z in _ZONES if z in stage), "curated")


def _flow_section(reconciliation: list[dict]) -> str:
    labels, zones, links, notes = sankey_links(reconciliation)
    parts = []
    if links:
        colours = [_ZONE_COLOURS.get(z, _DROPPED_COLOUR) for z in zones]
        inflow, outflow = [0] * len(labels), [0] * len(labels)
        for s, t, v in links:
            outflow[s] += v
            inflow[t] += v
        shown = [f"{_esc(label)} ({max(i, o):,})" for label, i, o in zip(labels, inflow, outflow)]
        fig = go.Figure(go.Sankey(
            arrangement="snap",
            node={"label": shown, "color": colours, "pad": 14, "thickness": 16,
                  "hovertemplate": "%{label}<br>%{value:,} rows<extra></extra>"},
            link={"source": [s for s, _, _ in links], "target": [t for _, t, _ in links],
                  "value": [v for _, _, v in links],
                  "color": ["rgba(229,115,115,0.35)" if zones[t] == "dropped" else "rgba(120,144,156,0.3)"
                            for _, t, _ in links],
                  "hovertemplate": "%{source.label} → %{target.label}<br>%{value:,} rows<extra></extra>"},
        ))
        fig.update_layout(height=max(420, 28 * len(labels)), margin={"l": 10, "r": 10, "t": 10, "b": 10},
                          font={"size": 12})
        parts.append(_figure(fig, "fig-flow"))
    else:
        parts.append("<p class='muted'>No row flows in this report.</p>")
    rows = []
    for flow in reconciliation:
        name = str(flow.get("flow", ""))
        for outcome, n in (flow.get("outcomes") or {}).items():
            cls = "" if outcome == MOVED or name in notes else " class='dropped'"
            rows.append(f"<tr{cls}><td>{_esc(name)}</td><td>{_esc(outcome)}</td><td class='num'>{_num(n)}</td></tr>")
    if rows:
        parts.append(_table(("flow", "outcome", "rows"), rows, "flow-table"))
    return "".join(parts)


# -------------------------------------------------------------------------------------------
# the other sections
# -------------------------------------------------------------------------------------------


def _header(report: dict) -> str:
    header = report.get("header") or {}
    items = [("run", report.get("run_id")), ("finished at", header.get("finished_at")),
             ("lake", header.get("lake") or report.get("lake")), ("target", header.get("target")),
             ("total seconds", report.get("total_seconds"))]
    dl = "".join(f"<dt>{_esc(k)}</dt><dd>{_esc(v)}</dd>" for k, v in items if v not in (None, ""))
    failed = header.get("latest_failed")
    alert = ""
    if failed:
        alert = (f"<div class='alert' id='latest-failed'>A later run failed at step <b>{_esc(failed.get('step'))}</b>"
                 f" ({_esc(failed.get('finished_at'))}): {_esc(failed.get('error'))}. "
                 "The figures below are from the last successful run.</div>")
    return f"<section id='header'><dl>{dl}</dl>{alert}</section>"


def _zone_figure(tables: list[dict]) -> go.Figure | None:
    if not tables:
        return None
    fig = go.Figure()
    zones = [z for z in _ZONES if any(t.get("zone") == z for t in tables)]
    zones += sorted({str(t.get("zone")) for t in tables} - set(zones))
    for t in tables:
        fig.add_bar(name=_esc(t.get("table")), x=[_esc(t.get("zone"))], y=[t.get("rows") or 0],
                    marker_color=_ZONE_COLOURS.get(t.get("zone"), "#90a4ae"), marker_line_color="white",
                    marker_line_width=1, text=[_esc(t.get("table"))], textposition="inside",
                    hovertemplate=f"{_esc(t.get('table'))}: %{{y:,}} rows<extra></extra>")
    fig.update_layout(barmode="stack", showlegend=False, height=380, yaxis_title="rows",
                      xaxis={"categoryorder": "array", "categoryarray": [_esc(z) for z in zones]},
                      margin={"l": 60, "r": 10, "t": 10, "b": 40})
    return fig


def _tables_table(tables: list[dict]) -> str:
    rows = [f"<tr><td>{_esc(t.get('zone'))}</td><td>{_esc(t.get('table'))}</td><td class='num'>{_num(t.get('rows'))}</td>"
            f"<td class='num'>{_num(t.get('rejected'))}</td></tr>" for t in tables]
    return _table(("zone", "table", "rows", "rejected at load"), rows, "tables-table") if rows else ""


def _checks_table(checks: list[dict]) -> str:
    if not checks:
        return "<p class='muted'>No checks in this report.</p>"
    failed = sum(1 for c in checks if not c.get("passed"))
    rows = [f"<tr class='{'ok' if c.get('passed') else 'fail'}'><td><span class='badge {'ok' if c.get('passed') else 'fail'}'>"
            f"{'passed' if c.get('passed') else 'FAILED'}</span></td><td>{_esc(c.get('check'))}</td>"
            f"<td class='num'>{_num(c.get('violations'))}</td></tr>"
            for c in sorted(checks, key=lambda c: bool(c.get("passed")))]
    summary = f"<p>{len(checks) - failed} of {len(checks)} checks passed.</p>"
    return summary + _table(("result", "check", "violations"), rows, "checks-table")


def _steps_figure(steps: list[dict]) -> go.Figure | None:
    if not steps:
        return None
    steps = steps[::-1]  # plotly draws the first category at the bottom; the first step goes on top
    names = [_esc(s.get("step")) for s in steps]
    fig = go.Figure(go.Bar(x=[s.get("seconds") or 0 for s in steps], y=names, orientation="h",
                           marker_color=[_ZONE_COLOURS.get(s.get("zone"), "#90a4ae") for s in steps],
                           hovertemplate="%{y}: %{x:.2f} s<extra></extra>"))
    longest = max(len(n) for n in names)
    fig.update_layout(height=max(240, 34 * len(steps) + 60), xaxis_title="seconds",
                      margin={"l": min(400, 12 + 7 * longest), "r": 10, "t": 10, "b": 50})
    return fig


def _steps_table(report: dict) -> str:
    steps = report.get("steps") or []
    rows = [f"<tr><td>{_esc(s.get('step'))}</td><td>{_esc(s.get('zone'))}</td>"
            f"<td class='num'>{_seconds(s.get('seconds'))}</td></tr>" for s in steps]
    if not rows:
        return "<p class='muted'>No step log for this report (no run recorded yet).</p>"
    rows.append(f"<tr class='total'><td>total</td><td></td><td class='num'>{_seconds(report.get('total_seconds'))}</td></tr>")
    return _table(("step", "zone", "seconds"), rows, "steps-table")


def _history_table(history: list[dict]) -> str:
    rows = []
    for h in history:
        ok = h.get("status") == "ok"
        rows.append(f"<tr class='{'ok' if ok else 'fail'}'><td>{_esc(h.get('finished_at'))}</td>"
                    f"<td><span class='badge {'ok' if ok else 'fail'}'>{_esc(h.get('status'))}</span></td>"
                    f"<td class='num'>{_num(h.get('rows_loaded'))}</td><td class='num'>{_seconds(h.get('seconds'))}</td>"
                    f"<td>{_esc(h.get('step'))}</td><td>{_esc(h.get('error'))}</td>"
                    f"<td class='mono'>{_esc(h.get('run_id'))}</td></tr>")
    return _table(("finished at", "status", "rows loaded", "seconds", "failed step", "error", "run"), rows,
                  "history-table")


# -------------------------------------------------------------------------------------------
# helpers
# -------------------------------------------------------------------------------------------


def _esc(value) -> str:
    return "" if value is None else html.escape(str(value), quote=True)


def _num(value) -> str:
    return "" if value is None else (f"{value:,}" if isinstance(value, int) else _esc(value))


def _seconds(value) -> str:
    return "" if value is None else f"{float(value):.2f}"


def _section(title: str, body: str) -> str:
    anchor = re.sub(r"[^a-z]+", "-", title.lower()).strip("-")
    return f"<section id='{anchor}'><h2>{_esc(title)}</h2>{body}</section>"


def _table(head: tuple[str, ...], rows: list[str], table_id: str) -> str:
    th = "".join(f"<th>{_esc(h)}</th>" for h in head)
    return f"<table id='{table_id}'><thead><tr>{th}</tr></thead><tbody>{''.join(rows)}</tbody></table>"


def _figure(fig: go.Figure | None, div_id: str) -> str:
    if fig is None:
        return ""
    fig.update_layout(template="plotly_white", paper_bgcolor="white")
    return fig.to_html(full_html=False, include_plotlyjs=False, div_id=div_id, config=_CONFIG)


_CSS = """
body { font-family: system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif; margin: 24px auto; max-width: 1300px;
       color: #263238; padding: 0 16px; }
h1 { font-size: 1.6em; margin-bottom: 8px; }
h2 { font-size: 1.2em; border-bottom: 1px solid #cfd8dc; padding-bottom: 4px; margin-top: 32px; }
dl { display: grid; grid-template-columns: max-content 1fr; gap: 2px 16px; margin: 0; }
dt { color: #607d8b; } dd { margin: 0; word-break: break-all; }
table { border-collapse: collapse; width: 100%; margin-top: 12px; font-size: 0.92em; }
th, td { text-align: left; padding: 4px 8px; border-bottom: 1px solid #eceff1; vertical-align: top; }
th { background: #f5f7f8; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
td.mono { font-family: ui-monospace, monospace; font-size: 0.85em; color: #607d8b; }
tr.fail td { background: #ffebee; } tr.dropped td { color: #b71c1c; } tr.total td { font-weight: bold; }
.badge { display: inline-block; border-radius: 10px; padding: 1px 10px; font-size: 0.8em; color: white; }
.badge.ok { background: #43a047; } .badge.fail { background: #e53935; }
h1 .badge { font-size: 0.5em; vertical-align: middle; }
.alert { margin-top: 12px; padding: 8px 12px; background: #fff3e0; border-left: 4px solid #fb8c00; }
.muted { color: #90a4ae; }
"""
