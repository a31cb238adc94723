"""`dwh report --html`: one self-contained page, checked in a real headless browser (Debian's
chromium) on the report of a real STEDI run on the generated sample."""
from __future__ import annotations

import html
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from dwhkit import app
from dwhkit.errors import DwhError
from dwhkit.report_html import render_html, sankey_links, write_html

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
needs_browser = pytest.mark.skipif(
    CHROMIUM is None and not os.environ.get("CI"),
    reason="chromium is not installed (apt-get install chromium); it is required when CI is set")

HOSTILE = "<img src=x onerror=alert(1)> & </script><script>alert(2)</script>"


def _browser(page: Path, tmp_path: Path, *args: str) -> str:
    """Run headless chromium on ``page`` with the network off (the page must need none)."""
    assert CHROMIUM, "chromium is required in CI (apt-get install chromium)"
    profile = tmp_path / "chromium-profile"
    out = subprocess.run(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         f"--user-data-dir={profile}", "--proxy-server=127.0.0.1:9", "--proxy-bypass-list=<-loopback>",
         "--virtual-time-budget=10000", *args, page.as_uri()],
        capture_output=True, text=True, timeout=180)
    assert out.returncode == 0, out.stderr[-2000:]
    return out.stdout


@pytest.fixture
def stedi_report(dwh_config, stedi_sample, tmp_path):
    """The report of a successful STEDI run followed by a failed one (an empty lake)."""
    app.create_tables(dwh_config)
    app.run_etl(dwh_config, lake=str(stedi_sample))
    empty = tmp_path / "empty-lake"
    empty.mkdir()
    with pytest.raises(DwhError):
        app.run_etl(dwh_config, lake=str(empty))
    return app.report(dwh_config)


@needs_browser
def test_report_page_renders_in_a_browser(stedi_report, tmp_path):
    report = stedi_report
    assert report["header"]["latest_failed"] and len(report["history"]) == 2
    # a hostile name in every kind of string the page shows
    report["checks"].append({"check": HOSTILE, "violations": 3, "passed": False})
    report["reconciliation"][0]["outcomes"][HOSTILE] = 1
    report["history"][0]["error"] = HOSTILE
    page = tmp_path / "report.html"
    write_html(report, page)

    text = page.read_text(encoding="utf-8")
    # self-contained: no script, stylesheet or image fetched from anywhere
    assert not re.search(r"<(script|img|link|iframe)\b[^>]*\b(src|href)\s*=", text, re.I)
    assert "<img src=x" not in text and HOSTILE not in text

    dom = _browser(page, tmp_path, "--dump-dom")
    # the Sankey is drawn: one SVG node per stage/rule and one link per (flow, outcome)
    labels, _, links, notes = sankey_links(report["reconciliation"])
    assert len(re.findall(r'<g class="sankey-node"', dom)) == len(labels)
    assert len(re.findall(r'class="sankey-link"', dom)) == len(links)
    assert "consent scope in force: customer" in notes or not notes
    for label in ("customer · landing", "customer · trusted", "step trainer · machine learning",
                  "accelerometer: reading of an unknown customer"):
        assert f">{html.escape(label, quote=False)} (" in dom, label
    # each figure is drawn inside its own div (ids are unique: plotly draws into the first match)
    for fig in ("fig-zones", "fig-flow", "fig-steps"):
        assert len(re.findall(rf'id="{fig}"', dom)) == 1
        assert re.search(rf'<div id="{fig}"[^>]*>\s*<div class="plot-container plotly"[^>]*>', dom), fig
    ours = re.findall(r'\bid="([a-z][a-z-]*)"', dom)  # the page's own ids (plotly's carry digits)
    assert "fig-steps" in ours and len(set(ours)) == len(ours), ours
    assert len(re.findall(r'class="point"', dom)) >= len(report["tables"])
    for t in report["tables"]:
        assert f"<td>{t['table']}</td>" in dom
    for c in report["checks"][:-1]:
        assert f"<td>{html.escape(c['check'], quote=False)}</td>" in dom
    for s in report["steps"]:
        assert f"<td>{html.escape(s['step'], quote=False)}</td>" in dom
    assert 'id="latest-failed"' in dom and 'id="history-table"' in dom
    assert dom.count("badge fail") >= 2  # the hostile check and the failed run
    # the hostile strings are text, never markup, in the tables and in the figure
    assert "<img" not in dom and "alert(2)</script>" not in dom
    assert html.escape(HOSTILE, quote=False) in dom

    shot = tmp_path / "report.png"
    _browser(page, tmp_path, f"--screenshot={shot}", "--window-size=1400,2000")
    assert shot.stat().st_size > 20_000
    if os.environ.get("DWH_TEST_ARTIFACTS"):  # CI keeps the screenshot for people to look at
        keep = Path(os.environ["DWH_TEST_ARTIFACTS"])
        keep.mkdir(parents=True, exist_ok=True)
        shutil.copy(shot, keep / "report.png")
        shutil.copy(page, keep / "report.html")


def test_sankey_follows_rows_through_the_zones():
    labels, zones, links, notes = sankey_links([
        {"flow": "customer: landing → trusted", "outcomes": {"moved on": 5, "no consent": 2, "empty": 0}},
        {"flow": "customer: trusted → curated", "outcomes": {"moved on": 4, "no readings": 1}},
        {"flow": "consent scope in force: customer", "outcomes": {"kept": 3}},
    ])
    assert labels == ["customer · landing", "customer · trusted", "customer: no consent", "customer · curated",
                      "customer: no readings"]
    assert zones == ["landing", "trusted", "dropped", "curated", "dropped"]
    assert links == [(0, 1, 5), (0, 2, 2), (1, 3, 4), (1, 4, 1)]
    assert notes == ["consent scope in force: customer"]


def test_older_reports_without_header_or_history_render():
    page = render_html({"warehouse": "w", "steps": [], "tables": [{"table": "t", "zone": "landing", "rows": 1}],
                        "reconciliation": [], "checks": [], "passed": True})
    assert "<td>t</td>" in page and "history-table" not in page and "latest-failed" not in page
