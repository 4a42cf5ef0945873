"""The batch comparison (issue 20, items 1 and 2): one row per scenario, deltas against the declared base,
labels in both languages, small multiples that stay readable with many scenarios, and the console headline.
"""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pandas as pd
import pytest
from test_batch import write_batch
from test_report_browser import CHROMIUM, FLAGS, check_rendered, chromium
from typer.testing import CliRunner

from ltsim.batch import load_batch, run_batch
from ltsim.cli import app
from ltsim.errors import InputError
from ltsim.report import compare_report
from ltsim.report.compare import Entry
from ltsim.report.figures.common import Figures
from ltsim.report.figures.compare import fig_multiples
from ltsim.report.i18n import LANGS, figure_label

# the base's axis value second on its axis: the declared base is not the first combination
AXES = {
    "pop": {"low": "base/low.yaml", "base": {}},
    "mortality": {"faster": {"population": {"mortality": {"improvement": 0.03}}}, "plan": {}},
}
BASE = "pop=base,mortality=plan"


@pytest.fixture(scope="module")
def batch_out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("cmp")
    run_batch(load_batch(write_batch(root, axes=AXES, exclude=[])), root / "out", workers=1)
    return root / "out"


def table_rows(html: str) -> list[str]:
    body = html[html.index('id="comparison-table"') :]
    return re.findall(r"<tr[^>]*data-values=\"[^\"]*\"[^>]*>.*?</tr>", body[: body.index("</table>")], re.S)


def test_the_declared_base_is_the_reference_first_row_and_zero_delta(batch_out: Path):
    assert json.loads((batch_out / "batch.json").read_text())["base_scenario"] == BASE
    comp = pd.read_csv(batch_out / "comparison.csv")
    assert comp.scenario.tolist() == [
        BASE,
        "pop=low,mortality=faster",
        "pop=low,mortality=plan",
        "pop=base,mortality=faster",
    ]
    deltas = [c for c in comp.columns if c.startswith("delta_")]
    assert deltas and (comp.loc[0, deltas].abs() < 1e-12).all()
    for i in range(1, 4):  # every delta is the row's value less the reference's
        for col in ("population_end", "place_years_short_primary_school"):
            assert comp.loc[i, f"delta_{col}"] == pytest.approx(comp.loc[i, col] - comp.loc[0, col], abs=1e-6)
    low = comp.set_index("scenario").loc["pop=low,mortality=plan"]
    assert low.delta_population_end < 0  # half the in-migration


def test_reference_may_be_named_and_must_be_a_combination_that_runs(tmp_path: Path):
    batch = load_batch(write_batch(tmp_path, axes=AXES, exclude=[], reference={"pop": "low", "mortality": "plan"}))
    assert batch.reference.key == "pop=low,mortality=plan"
    bad = write_batch(
        tmp_path / "b",
        axes=AXES,
        exclude=[{"pop": "low", "mortality": "plan"}],
        reference={"pop": "low", "mortality": "plan"},
    )
    with pytest.raises(InputError) as info:
        load_batch(bad)
    text = str(info.value)
    assert (
        "batch.yaml" in text
        and "reference: found {pop: low, mortality: plan}" in text
        and "pop one of low, base" in text
    )


def test_comparison_page_has_one_row_per_scenario_with_axis_columns(batch_out: Path, tmp_path: Path):
    comp = pd.read_csv(batch_out / "comparison.csv")
    for lang in LANGS:
        html = compare_report([batch_out], tmp_path / f"c-{lang}.html", lang=lang).read_text(encoding="utf-8")
        rows = table_rows(html)
        assert len(rows) == 4 and f"4 {'scenarioer' if lang == 'nb' else 'scenarios'}" in html
        assert [re.search(r"<b>([^<]+)</b>", r).group(1) for r in rows] == comp.scenario.tolist()
        assert [re.search(r'data-values="([^"]*)"', r).group(1) for r in rows][:2] == ["base|plan", "low|faster"]
        assert 'class="ref"' in rows[0] and 'class="ref"' not in "".join(rows[1:])
        heads = re.findall(r'<th class="num" data-figure="([^"]+)">([^<]+)</th>', html)
        assert heads and all("_" not in label for _, label in heads)  # labels, never raw keys
        assert dict(heads)["place_years_short_primary_school"] == figure_label("place_years_short_primary_school", lang)
        assert dict(heads)["population_end"] == ("Innbyggere (slutt)" if lang == "nb" else "Population (end)")
    # the value and difference shown for pop=low,mortality=plan are those comparison.csv holds (en format)
    row = next(r for r in table_rows(html) if "pop=low,mortality=plan" in r)
    low = comp.set_index("scenario").loc["pop=low,mortality=plan"]
    cell = re.search(r'data-v="([^"]+)" data-d="([^"]+)"', row)  # the first figure: population at the end
    assert cell.group(1) == f"{low.population_end:,.0f}"
    assert cell.group(2) == f"{low.delta_population_end:+,.0f}"


def test_small_multiples_stay_readable_with_a_hundred_scenarios():
    """100 scenarios (4 × 25): every panel has one row per value of the first axis, no scenario name on an axis."""
    axes = {"pop": ["a", "b", "c", "d"], "measure": [f"m{i}" for i in range(25)]}
    entries = [
        Entry(f"pop={p},measure={m}", {"pop": p, "measure": m}, {"x_pct": i * 1.5 + j}, reference=(i, j) == (0, 0))
        for i, p in enumerate(axes["pop"])
        for j, m in enumerate(axes["measure"])
    ]
    cols = [{"id": "x_pct", "label": "x", "kind": "pct1", "shown": [str(e.figures["x_pct"]) for e in entries]}]
    figs = Figures("en")
    ids = fig_multiples(figs, entries, cols, axes, "en")
    spec = figs.specs[ids[0]]
    assert spec["layout"]["yaxis"]["ticktext"] == ["a", "b", "c", "d"]
    assert spec["layout"]["height"] == 46 + 26 * 4  # the same for 4 or 400 scenarios
    points = [(x, y) for trace in spec["data"] for x, y in zip(trace["x"], trace["y"], strict=True)]
    assert len(points) == 100 and len(set(points)) == 100  # no two dots on top of each other
    assert len(spec["data"]) == 25  # one trace (colour) per value of the second axis
    diamonds = [s for trace in spec["data"] for s in trace["marker"]["symbol"] if s == "diamond"]
    assert diamonds == ["diamond"]


def test_batch_console_prints_the_headline_and_where_the_page_is(tmp_path: Path):
    path = write_batch(tmp_path, axes=AXES, exclude=[])
    res = CliRunner().invoke(
        app, ["batch", str(path), "--out", str(tmp_path / "out"), "--workers", "1"], env={"COLUMNS": "250"}
    )
    assert res.exit_code == 0, res.output
    assert f"Headline: best and worst of 4 scenarios (reference {BASE})" in res.output
    assert f"Comparison: {tmp_path / 'out' / 'comparison.html'}" in res.output
    comp = pd.read_csv(tmp_path / "out" / "comparison.csv").set_index("scenario")
    col = "place_years_short_primary_school"
    line = next(x for x in res.output.splitlines() if "Primary school: place-years short" in x)
    cells = [c.strip() for c in line.strip("│ ").split("│")]
    ref, best, best_value, worst, worst_value = cells[1:6]
    assert ref == f"{comp.loc[BASE, col]:,.0f}"
    assert best.split(" ")[0] == comp[col].idxmin() and best_value == f"{comp[col].min():,.0f}"
    assert (
        worst.split(" ")[0] in set(comp.index[comp[col] == comp[col].max()])
        and worst_value == f"{comp[col].max():,.0f}"
    )


@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not on PATH (apt-get install chromium)")
def test_comparison_page_renders_and_filters_by_axis_in_chromium(batch_out: Path, tmp_path: Path):
    page = compare_report([batch_out], tmp_path / "comparison.html", lang="nb")
    check_rendered(page, tmp_path, tmp_path / "comparison.png")
    dom = chromium(page.with_name("comparison.html"), tmp_path, "--dump-dom").stdout
    assert "Viser 4 av 4" in dom
    linked = tmp_path / "linked.html"
    linked.write_text(page.read_text(encoding="utf-8"), encoding="utf-8")
    res = subprocess.run(
        [
            CHROMIUM,
            *FLAGS,
            f"--user-data-dir={tmp_path / 'profile'}",
            "--dump-dom",
            linked.resolve().as_uri() + "#pop=low",
        ],
        capture_output=True,
        text=True,
        timeout=90,
        check=False,
    )
    rows = re.findall(r"<tr[^>]*data-values=\"([^\"]*)\"[^>]*>", res.stdout)
    hidden = re.findall(r"<tr[^>]*data-values=\"([^\"]*)\"[^>]*style=\"display: none;\"", res.stdout)
    assert len(rows) == 4 and sorted(hidden) == ["base|faster", "base|plan"], res.stdout[-3000:]
    assert "Viser 2 av 4" in res.stdout
