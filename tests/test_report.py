"""Reports: the workbook reads back as the CSV tables, the HTML report is self-contained and complete."""

from __future__ import annotations

import base64
import gzip
import json
import re
from pathlib import Path

import pandas as pd
import pytest
from conftest import projects_config, write_tiny_projects
from report_fixtures import add_finance
from typer.testing import CliRunner

from ltsim.cli import app
from ltsim.report import RunFolder, build_report, compare_report
from ltsim.report.excel import PLAN_SHEET
from ltsim.report.html import assumptions
from ltsim.report.i18n import fmt_num, fmt_pct, fmt_share

NBSP = "\u00a0"


def run_folder(tmp: Path, reps: int = 1, finance: bool = False, name: str = "run") -> Path:
    cfg = projects_config()
    if reps > 1:
        cfg["projects"]["mode"] = "stochastic"
        cfg["projects"]["uncertainty"] = {
            "regulation": {"dist": "triangular", "low": 0, "mode": 3, "high": 18},
            "cost": {"dist": "triangular", "low": 0.95, "mode": 1.05, "high": 1.5},
        }
    path = write_tiny_projects(tmp / f"scenario-{name}", cfg)
    out = tmp / name
    args = ["run", str(path), "--out", str(out), "--quiet"]
    if reps > 1:
        args += ["--reps", str(reps), "--workers", "1"]
    res = CliRunner().invoke(app, args)
    assert res.exit_code == 0, res.output
    if finance:
        add_finance(out)
    return out


@pytest.fixture(scope="module")
def mc_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = run_folder(tmp_path_factory.mktemp("report"), reps=20, finance=True)
    build_report(out)
    return out


def test_norwegian_number_format():
    assert fmt_num(1234567.891, 1, "nb") == f"1{NBSP}234{NBSP}567,9"
    assert fmt_num(-1234.5, 0, "nb") == f"\u22121{NBSP}234"
    assert fmt_num(1234567.891, 1, "en") == "1,234,567.9"
    assert fmt_pct(1.75, 2, "nb") == f"1,75{NBSP}%"
    assert fmt_share(0.178, 1, "en") == "17.8%"
    assert fmt_num(float("nan")) == "–"
    assert fmt_num(-0.01, 0, "nb") == "0"


def test_workbook_reads_back_as_the_csv_tables(mc_run: Path):
    sheets = pd.read_excel(mc_run / "workbook.xlsx", sheet_name=None)
    csvs = sorted(mc_run.glob("*.csv"))
    assert {"finance", "kpi", "shortfall_probability", "replications"} <= {p.stem for p in csvs}
    for csv in csvs:
        expected = pd.read_csv(csv)
        got = sheets[csv.stem]
        pd.testing.assert_frame_equal(got, expected, check_dtype=False, obj=csv.name)
    assert PLAN_SHEET in sheets and "Innhold" in sheets


def test_workbook_economic_plan_sums_spend(mc_run: Path):
    from openpyxl import load_workbook

    wb = load_workbook(mc_run / "workbook.xlsx")
    ws = wb[PLAN_SHEET]
    assert ws.freeze_panes == "D7"
    values = [[c.value for c in row] for row in ws.iter_rows()]
    assert not any(isinstance(v, str) and v.startswith("=") for row in values for v in row), "no formulas"
    total = next(row for row in values if row[0] == "Sum investeringer")
    fin = pd.read_csv(mc_run / "finance.csv")
    gross = fin[fin.item == "gross_investment_mnok"].value.sum()
    assert total[-1] == pytest.approx(gross, abs=1e-3)  # catalogue + the rest of the model's investments
    # this finance.csv is a stand-in with a few items: the statutory layout names what it lacks
    note = next(row[0] for row in values if isinstance(row[0], str) and row[0].startswith("Oppstillingen"))
    assert "transfer_from_operations_mnok" in note
    assert wb["population"].freeze_panes == "A2"


def test_html_is_self_contained_with_every_section(mc_run: Path):
    html = (mc_run / "report.html").read_text(encoding="utf-8")
    assert not re.search(r"<script[^>]+src=", html), "no external scripts"
    assert not re.search(r"<link[^>]+href=\"?https?:", html), "no external stylesheets or fonts"
    assert html.count("Plotly.newPlot") == 1  # one loader; plotly.js embedded once
    assert len(re.findall(r"plotly\.js v\d", html)) <= 1
    for section in ("summary", "population", "services", "projects", "finance", "assumptions"):
        assert f'id="{section}"' in html
    figs = json.loads(
        re.search(r'<script id="ltsim-figures" type="application/json">(.*?)</script>', html, re.S).group(1)
    )
    for fig_id in (
        "fig-debt-ratio",
        "fig-pyramid",
        "fig-gantt",
        "fig-net-debt",
        "fig-ndr",
        "fig-fund",
        "fig-capital-costs",
    ):
        assert fig_id in figs and figs[fig_id]["data"], fig_id
        assert f'id="{fig_id}"' in html
    assert figs["fig-pyramid"]["layout"]["separators"] == ", "
    assert 'id="traffic-lights"' in html and 'class="c red"' in html
    gantt = figs["fig-gantt"]["data"]
    assert any(tr.get("name") == "Ferdig P10–P90" for tr in gantt)
    # plotly.js is the cartesian bundle, embedded gzip-compressed: every trace type drawn must be in it
    assert {tr["type"] for f in figs.values() for tr in f["data"]} <= CARTESIAN_TRACES
    packed = re.search(r'<script id="ltsim-plotly"[^>]*>(.*?)</script>', html, re.S).group(1)
    js = gzip.decompress(base64.b64decode(packed)).decode("utf-8")
    assert js.startswith("/**\n* plotly.js (cartesian - minified) v4.1.1") and len(html.encode()) < 1_500_000


CARTESIAN_TRACES = {"bar", "box", "contour", "heatmap", "histogram", "histogram2d", "histogram2dcontour", "image"}
CARTESIAN_TRACES |= {"pie", "scatter", "scatterternary", "violin"}  # plotly.js-cartesian-dist-min's trace modules


def test_without_finance_or_projects_the_sections_say_so(tmp_path: Path):
    out = run_folder(tmp_path)
    for f in ("projects.csv", "project_spend.csv"):
        (out / f).unlink()
    html_path, xlsx = build_report(out, lang="en")
    html = html_path.read_text(encoding="utf-8")
    assert "The finance model is not part of this run" in html
    assert "The scenario has no investment projects" in html
    sheets = pd.read_excel(xlsx, sheet_name=None)
    assert "finance" not in sheets and "Contents" in sheets


def test_assumptions_show_what_differs_from_the_base(tmp_path: Path):
    base = write_tiny_projects(tmp_path / "sc")
    variant = base.parent / "variant.yaml"
    variant.write_text(
        "extends: scenario.yaml\nname: tiny-variant\nprojects:\n  delivery_capacity: 1\n  source: planning meeting 3 May\n",
        encoding="utf-8",
    )
    out = tmp_path / "run"
    res = CliRunner().invoke(app, ["run", str(variant), "--out", str(out), "--quiet"])
    assert res.exit_code == 0, res.output
    a = assumptions(RunFolder(out), "en")
    rows = {r["path"]: r for r in a["diff"]}
    assert rows["projects.delivery_capacity"]["value"] == "1"
    assert rows["projects.delivery_capacity"]["source"] == "planning meeting 3 May"
    assert "population.base" not in rows
    assert a["all"]


def test_compare_report_of_several_runs_and_a_summary(tmp_path: Path, mc_run: Path):
    other = run_folder(tmp_path, name="plain")
    summary = tmp_path / "summary.csv"
    pd.DataFrame({"scenario": ["tiny", "extra"], "kpi": ["debt_ratio_pct"] * 2, "value": [90.0, 101.5]}).to_csv(
        summary, index=False
    )
    out = compare_report([mc_run, other, summary], tmp_path / "compare.html", lang="nb")
    html = out.read_text(encoding="utf-8")
    assert 'id="comparison-table"' in html and "sortable" in html
    assert "extra" in html and "Gjeldsgrad (netto lånegjeld) (siste år)" in html
    # one row per scenario: both runs are scenario "tiny", told apart by folder; so the summary's "tiny" and
    # "extra" are rows of their own
    body = html[html.index('id="comparison-table"') :]
    body = body[: body.index("</table>")]
    assert re.findall(r"<td[^>]*><b>([^<]+)</b>", body) == ["tiny (run)", "tiny (plain)", "tiny", "extra"]
    assert "4 scenarioer" in html
    figs = json.loads(
        re.search(r'<script id="ltsim-figures" type="application/json">(.*?)</script>', html, re.S).group(1)
    )
    assert "fig-cmp-population" in figs and "fig-cmp-debt" in figs


def test_housing_section_lists_what_sequencing_rules_hold_back(tmp_path):
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).parent))
    from conftest import projects_config, write_tiny_projects

    from ltsim import pipeline
    from ltsim.report import build_report
    from ltsim.results import write_run
    from ltsim.scenario import load_scenario

    cfg = projects_config()
    cfg["population"]["housing"]["conditions"] = {"Nordbyen": {"after_projects": ["school_ext"]}}
    folder = write_run(pipeline.run(load_scenario(write_tiny_projects(tmp_path / "s", cfg))), tmp_path / "run", seed=1)
    html, _ = build_report(folder)
    text = html.read_text(encoding="utf-8")
    assert 'id="housing"' in text and 'id="housing-table"' in text
    assert "Nordbyen" in text and "after_project" in text
