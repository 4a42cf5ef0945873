"""The backtest page (backtest.html): the report's machinery, the figures of the error table, nb and en, offline.

The hand example is the one of test_backtest.py (ages 0, 3 and 85; 2015 and 2016), whose errors,
percentages, MAPE and bias are worked out there; here they must come out on the page as formatted
numbers. The Asker page is checked against its own CSV files and calibration.csv, and opened in
headless Chromium like report.html (no JavaScript error, every chart drawn).
"""

from __future__ import annotations

import csv
import re
import shutil
from pathlib import Path

import pytest
from test_backtest import hand_example
from typer.testing import CliRunner

from ltsim.backtest import AGE_GROUPS, Backtest, summarise
from ltsim.cli import app
from ltsim.report.backtest import page, read_calibration
from ltsim.scenario import load_scenario

ROOT = Path(__file__).resolve().parents[1]
BACKTEST = ROOT / "scenarios" / "asker" / "backtest"
OBSERVED = BACKTEST / "data" / "ssb_07459_2005_2020_by_age.csv"
CALIBRATED = BACKTEST / "calibrated" / "calibrated.yaml"
NBSP = "\u00a0"


def hand_backtest() -> Backtest:
    rows = hand_example()
    start = [("all", g, 240.0 if g == "total" else 0.0) for g, _, _ in AGE_GROUPS]
    return Backtest(rows=rows, summary=summarise(rows), base_year=2014, start=start, history=[])


def cell(html: str, table_id: str) -> list[list[str]]:
    """The text of each row's cells of the table ``table_id`` (tags stripped)."""
    body = html[html.index(f'id="{table_id}"') :]
    body = body[: body.index("</table>")]
    rows = re.findall(r"<tr>(.*?)</tr>", body, re.S)
    return [
        [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", r, re.S)] for r in rows
    ]


def test_hand_example_on_the_page_in_both_languages() -> None:
    sc = load_scenario(CALIBRATED)
    nb = page(sc, hand_backtest(), "hand", "nb")
    matrix = cell(nb, "error-matrix")
    assert matrix[0][0] == "år" and matrix[0][1] == "0 år" and matrix[0][-1] == "i alt"
    # 2015: age 0 +10 %, 1–5 −10 %, 80+ +25 %, total +10/240 = +4.2 %; nobody aged 6–12: no percentage
    assert matrix[1][:3] == ["2015", f"+10,0{NBSP}%", f"\u221210,0{NBSP}%"]
    assert matrix[1][3] == "–"
    assert matrix[1][9] == f"+25,0{NBSP}%" and matrix[1][10] == f"+4,2{NBSP}%"
    accuracy = {(r[1]): r[2:] for r in cell(nb, "accuracy-table")[1:]}
    # age 0: +10 % then −5 % → MAPE 7.5, bias +2.5, largest 10
    assert accuracy["0 år"] == ["2", f"7,5{NBSP}%", f"+2,5{NBSP}%", f"10,0{NBSP}%"]
    assert "6–12 år" not in accuracy
    detail = cell(nb, "error-table")
    assert ["2015", "hele kommunen", "80+ år", "50", "40", "+10", f"+25,0{NBSP}%"] in detail
    assert "Ingen kalibrering funnet" in nb  # no calibration given
    en = page(sc, hand_backtest(), "hand", "en")
    assert '<html lang="en">' in en and "Errors by year and age group" in en
    assert ["2015", "the whole municipality", "ages 80+", "50", "40", "+10", "+25.0%"] in cell(en, "error-table")
    assert cell(en, "error-matrix")[2][1] == "-5.0%"  # 2016, age 0: 95 against 100


def test_asker_page_states_the_figures_and_the_calibration(tmp_path: Path) -> None:
    out = tmp_path / "bt"
    res = CliRunner().invoke(app, ["backtest", str(CALIBRATED), "--observed", str(OBSERVED), "--out", str(out)])
    assert res.exit_code == 0, res.output
    html = (out / "backtest.html").read_text(encoding="utf-8")
    assert '<html lang="nb">' in html and "Tilbakeprøving" in html
    assert not re.search(r"""(src|href)=["']https?:""", html), "the page must work offline"
    assert 'data-encoding="gzip+base64"' in html  # the report's embedded plotly bundle
    assert html.count('class="plot"') == len(AGE_GROUPS) + 1  # one chart per group and the error chart
    with (out / "backtest.csv").open(encoding="utf-8") as fh:
        rows = {(int(r["year"]), r["age_group"]): r for r in csv.DictReader(fh)}
    last = rows[(2020, "total")]
    card = re.search(r'id="card-total-error".*?class="val">(.*?)<', html, re.S).group(1)
    assert card == f"{float(last['error_pct']):+.1f}".replace(".", ",").replace("-", "\u2212") + f"{NBSP}%"
    observed = re.search(r'id="card-observed".*?class="val">(.*?)<', html, re.S).group(1)
    assert observed == f"{int(last['observed']):,}".replace(",", NBSP) == f"94{NBSP}441"  # SSB 07459, 2020
    # the calibration beside the scenario: every parameter of calibration.csv, the fit statistics
    cal = read_calibration(CALIBRATED.parent)
    assert cal is not None
    table = cell(html, "calibration-table")
    bands = cell(html, "bands-table")  # in-migrants by age band (single ages: folded away in <details>)
    assert len(table) - 1 + len(bands) - 1 == len(cal.parameters)
    assert len(bands) - 1 == sum(p["parameter"].startswith("in:") for p in cal.parameters)
    rate = next(r for r in table if r[0].startswith("innflyttere per innbygger per år"))
    assert rate[5] == "per resident a year"
    tfr = next(r for r in table if r[0] == "samlet fruktbarhet (SFT)")
    fitted = float(next(p["fitted"] for p in cal.parameters if p["parameter"] == "tfr"))
    assert tfr[2] == f"{fitted:.3f}".replace(".", ",")
    stats = {r[0]: r[1] for r in cell(html, "fit-table")[1:]}
    assert stats["historikk brukt"] == cal.statistics["history"]
    assert "2011 2012" in cal.statistics["ignored_after_until"] and "2011, 2012" in html


def test_bad_calibration_file_names_file_row_and_field(tmp_path: Path) -> None:
    folder = tmp_path / "cal"
    folder.mkdir()
    shutil.copy(CALIBRATED.parent / "fit.csv", folder / "fit.csv")
    text = (CALIBRATED.parent / "calibration.csv").read_text(encoding="utf-8").splitlines()
    text[2] = text[2].replace(text[2].split(",")[2], "many", 1)  # row 3: the fitted value is not a number
    (folder / "calibration.csv").write_text("\n".join(text) + "\n", encoding="utf-8")
    args = ["backtest", str(CALIBRATED), "--observed", str(OBSERVED), "--out", str(tmp_path / "o")]
    res = CliRunner().invoke(app, [*args, "--calibration", str(folder)])
    assert res.exit_code == 2
    assert "calibration.csv" in res.output and "row 3" in res.output and "fitted" in res.output
    res = CliRunner().invoke(app, [*args, "--calibration", str(tmp_path)])  # no calibration there
    assert res.exit_code == 2 and "--calibration" in res.output
    res = CliRunner().invoke(app, [*args, "--lang", "de"])
    assert res.exit_code == 2 and "--lang" in res.output


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not on PATH (apt-get install chromium)")
@pytest.mark.parametrize("lang", ["nb", "en"])
def test_backtest_page_renders_without_errors(tmp_path: Path, lang: str) -> None:
    from test_report_browser import check_rendered

    out = tmp_path / "bt"
    args = ["backtest", str(CALIBRATED), "--observed", str(OBSERVED), "--out", str(out), "--lang", lang]
    res = CliRunner().invoke(app, args)
    assert res.exit_code == 0, res.output
    check_rendered(out / "backtest.html", tmp_path, tmp_path / "backtest.png")
