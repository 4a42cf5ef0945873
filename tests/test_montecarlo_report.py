"""Monte Carlo shown as distributions (issue 20, item 3): the summary, the traffic lights, the charts and the
console give the median and P10–P90 over the replications, never one replication.
"""

from __future__ import annotations

import html as htmllib
import json
import re
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import finance_config, write_tiny_finance
from test_report_browser import CHROMIUM, check_rendered
from typer.testing import CliRunner

from ltsim.cli import app
from ltsim.report import build_report
from ltsim.report.i18n import NBSP

REPS = 20


def stochastic_finance(root: Path) -> Path:
    cfg = finance_config()
    cfg["projects"]["mode"] = "stochastic"
    cfg["projects"]["uncertainty"] = {
        "regulation": {"dist": "triangular", "low": 0, "mode": 6, "high": 30},
        "cost": {"dist": "triangular", "low": 0.95, "mode": 1.1, "high": 1.8},
    }
    return write_tiny_finance(root, cfg)


@pytest.fixture(scope="module")
def mc(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    root = tmp_path_factory.mktemp("mc")
    out = root / "run"
    res = CliRunner().invoke(
        app,
        ["run", str(stochastic_finance(root / "s")), "--out", str(out), "--reps", str(REPS), "--workers", "1"],
        env={"COLUMNS": "200"},
    )
    assert res.exit_code == 0, res.output
    return out, res.output


def page(folder: Path) -> str:
    return (folder / "report.html").read_text(encoding="utf-8")


def test_tables_hold_the_distributions(mc: tuple[Path, str]):
    folder, _ = mc
    sp = pd.read_csv(folder / "shortfall_probability.csv")
    assert (sp.short_places_p10 <= sp.short_places_p50 + 1e-9).all()
    assert (sp.short_places_p50 <= sp.short_places_p90 + 1e-9).all()
    # without sequencing rules demand is the same in every replication and short = max(demand − usable, 0)
    # is convex and falls as usable rises: the median shortfall lies between the shortfall at the median
    # capacity (equal where the median is one replication's) and the shortfall at the P10 capacity
    demand = pd.read_csv(folder / "capacity.csv").set_index(["year", "zone", "service"]).demand
    q = sp.set_index(["year", "zone", "service"])
    dem = demand.reindex(q.index)
    at_median = (dem - q.usable_capacity_p50).clip(lower=0)
    at_p10 = (dem - q.usable_capacity_p10).clip(lower=0)
    assert (q.short_places_p50 >= at_median - 2e-3).all() and (q.short_places_p50 <= at_p10 + 2e-3).all()
    assert (q.usable_capacity_p10 < q.usable_capacity_p90 - 1).any()  # the capacity does vary between replications
    assert (q.usable_capacity_p10 <= q.usable_capacity_p90 + 1e-9).all()
    # the population does not vary without sequencing rules: every percentile is population.csv's total
    pop = pd.read_csv(folder / "population_percentiles.csv").set_index("year")
    totals = pd.read_csv(folder / "population.csv").groupby("year").persons.sum()
    assert (pop.persons_p10 == pop.persons_p90).all()
    cells = len(pd.read_csv(folder / "population.csv")) // len(totals)  # each cell written to 3 decimals
    assert np.allclose(pop.persons_p50.to_numpy(), totals.reindex(pop.index).to_numpy(), rtol=0, atol=cells * 5e-4)


def test_summary_is_the_median_and_band_not_one_replication(mc: tuple[Path, str]):
    folder, _ = mc
    html = page(folder)
    rep = pd.read_csv(folder / "replications.csv")
    p10, p50, p90 = np.percentile(rep.debt_ratio_max_pct, (10, 50, 90))
    alert = html[html.index('id="alert-debt"') :][:900]
    assert "(median)" in alert and f"{p50:.1f}".replace(".", ",") + f"{NBSP}%" in alert
    assert f"P10–P90 {p10:.1f}{NBSP}%–{p90:.1f}{NBSP}%".replace(".", ",") in alert
    share = (rep.years_red_debt_ratio_pct > 0).mean()
    assert f"{share * 100:.0f}{NBSP}%" in alert
    assert f"Monte Carlo med {REPS} replikasjoner" in html
    figs = json.loads(
        re.search(r'<script id="ltsim-figures" type="application/json">(.*?)</script>', html, re.S).group(1)
    )
    grid = [tr.get("name") or "" for tr in figs["fig-svc-primary_school"]["data"]]
    assert any(n.endswith("P10–P90") for n in grid)  # the zone grids draw the capacity band
    names = [tr.get("name") for tr in figs["fig-debt-ratio"]["data"]]
    assert "P10–P90" in names and any(n and n.endswith("median") for n in names)
    kp = pd.read_csv(folder / "kpi_probability.csv")
    debt = kp[kp.kpi == "debt_ratio_pct"].sort_values("year")
    median = next(tr for tr in figs["fig-debt-ratio"]["data"] if (tr.get("name") or "").endswith("median"))
    assert np.allclose(median["y"], debt.value_p50.round(2).to_numpy())


def test_traffic_lights_give_the_probability_of_red_per_rule_and_year(mc: tuple[Path, str]):
    folder, _ = mc
    html = page(folder)
    table = html[html.index('id="traffic-lights"') :]
    table = table[: table.index("</table>")]
    assert "sannsynlighet for rødt" in html[html.index('id="traffic-lights"') - 600 : html.index('id="traffic-lights"')]
    kp = pd.read_csv(folder / "kpi_probability.csv")
    debt = kp[kp.kpi == "debt_ratio_pct"].sort_values("year").probability_red.to_numpy()
    row = next(r for r in table.split("<tr>") if "Gjeldsgrad" in r)
    cells = re.findall(r'<td class="c (\w+)" title="\w+">(\d*)</td>', row)
    assert [int(v) for _, v in cells] == [round(p * 100) for p in debt]
    for (status, _), p in zip(cells, debt, strict=True):
        assert status == ("red" if p >= 0.5 else "yellow" if p >= 0.1 else "green")


def test_headline_percentiles_by_hand(mc: tuple[Path, str], tmp_path: Path):
    """Ten replications with highest debt ratios 101…110 % and the debt rule red in 7 of them: median 105.5 %,
    P10 101.9 % and P90 109.1 % (linear interpolation between order statistics), P(red in some year) 70 %."""
    folder = tmp_path / "run"
    shutil.copytree(mc[0], folder)
    rep = pd.read_csv(folder / "replications.csv").head(10)
    rep["debt_ratio_max_pct"] = np.arange(101.0, 111.0)
    rep["years_red_debt_ratio_pct"] = [0, 0, 0, 1, 2, 3, 1, 1, 4, 2]
    rep.to_csv(folder / "replications.csv", index=False)
    build_report(folder, lang="en")
    alert = htmllib.unescape(page(folder)[page(folder).index('id="alert-debt"') :][:900])
    assert "105.5%" in alert and "P10–P90 101.9%–109.1%" in alert and "70%" in alert


def test_console_gives_probabilities_not_one_draw(mc: tuple[Path, str]):
    _, output = mc
    assert f"Fiscal rules: probability red over {REPS} replications" in output
    assert f"Worst capacity gaps over {REPS} replications" in output or "No zone is short" in output
    assert "first red" not in output  # the single replication's table is not printed
    assert "Probability that a fiscal rule is red" not in output  # once, in the summary


@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not on PATH (apt-get install chromium)")
def test_monte_carlo_report_renders_in_chromium(mc: tuple[Path, str], tmp_path: Path):
    check_rendered(mc[0] / "report.html", tmp_path, tmp_path / "mc.png")
