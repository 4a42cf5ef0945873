"""The economic plan in the budget layout (issue 18, item 5): the statutory overviews balance every year.

Expected numbers are invariants of the forskrift's overviews (stated per test) or published plan figures
(Handlingsprogram 2024-2027, doc 002, line numbers as in scenarios/asker/FINANCE.md).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from test_finance import make, one_project

from ltsim import pipeline
from ltsim.models import finance as fm
from ltsim.report.budget import overviews
from ltsim.scenario import load_scenario

ASKER = Path(__file__).resolve().parents[1] / "scenarios" / "asker"
UNCOVERED = "Fremført til inndekning i senere år (udekket beløp)"
DEFICIT = "Fremført til inndekning i senere år (merforbruk)"


def _wide(result: fm.FinanceResult):
    return fm.table(result).pivot_table(index="year", columns="item", values="value", aggfunc="sum")


@pytest.fixture(scope="module")
def hp2024() -> tuple[fm.FinanceResult, tuple]:
    run = pipeline.run(load_scenario(ASKER / "hp2024.yaml"))
    assert run.finance is not None
    return run.finance, overviews(_wide(run.finance))


def test_investment_overview_balances_every_year(hp2024: tuple):
    """§ 5-5: sum investeringsinntekter + sum overføring fra drift og netto avsetninger = sum
    investeringsutgifter + netto utgifter videreutlån, i.e. udekket 0, in each of the 20 years."""
    result, (_, investment, _) = hp2024
    assert len(investment.line(UNCOVERED).values) == len(result.years) == 20
    np.testing.assert_allclose(investment.line(UNCOVERED).values, 0.0, atol=1e-6)


def test_investments_include_the_recurring_budgets(hp2024: tuple):
    """Gross investment 2024-2027 is the plan's 1,693.875 / 1,614.3 / 1,691.6 / 1,066.5 (L5198),
    catalogue and LØPENDE pots together; the pots alone are 615.25 in 2024 (PROJECTS.md §10-11), which
    the sheet summing only the catalogue's spend left out."""
    result, (_, investment, _) = hp2024
    total = investment.line("Sum investeringsutgifter").values
    np.testing.assert_allclose(total[:4], [1693.875, 1614.3, 1691.6, 1066.5], atol=1e-6)
    np.testing.assert_allclose(total, result.gross_investment_mnok)


def test_operating_overviews_close_to_the_model_ndr(hp2024: tuple):
    """§ 5-4 and § 5-6: brutto driftsresultat + netto finansutgifter + motpost avskrivninger = the model's
    netto driftsresultat (computed on its own in the model), and fremført = −uncovered deficit."""
    result, (drift, _, economic) = hp2024
    for overview in (drift, economic):
        closed = (
            overview.line("Brutto driftsresultat").values
            + overview.line("Netto finansutgifter").values
            + overview.line("Motpost avskrivninger").values
        )
        np.testing.assert_allclose(closed, result.ndr_mnok, atol=1e-6)
        np.testing.assert_allclose(overview.line(DEFICIT).values, -result.uncovered_deficit_mnok, atol=1e-6)
    # the plan's brutto driftsresultat 2024: 9,653.092 − 9,433.629 = 219.463 (L11634-11690)
    assert drift.line("Brutto driftsresultat").values[0] == pytest.approx(219.463, abs=1e-3)


def test_investment_fund_moves_balance():
    """A grant of 100 against spend of 40 in 2024 leaves 60 in the unbound investment fund (avsetning −60),
    used in 2025 against spend of 80 (bruk +60, borrowing 20): udekket 0 both years (hand calculation)."""
    inputs = make(2, projects=one_project(2, [40.0, 80.0], completion=2025, life=40, grants=[100.0, 0.0]))
    result = fm.simulate(inputs)
    _, investment, _ = overviews(_wide(result))
    fund = "Netto avsetninger til eller bruk av ubundet investeringsfond (bruk +, avsetning −)"
    np.testing.assert_allclose(investment.line(fund).values, [-60.0, 60.0])
    np.testing.assert_allclose(investment.line("Bruk av lån").values, [0.0, 20.0])
    np.testing.assert_allclose(investment.line(UNCOVERED).values, 0.0, atol=1e-9)


def test_missing_items_are_named():
    """A finance table without the items the overviews need fails naming them, not with zeros."""
    import pandas as pd

    with pytest.raises(KeyError, match="gross_investment_mnok"):
        overviews(pd.DataFrame({"revenue_mnok": [1.0]}, index=[2024]))


def test_workbook_economic_plan_is_the_budget_layout(tmp_path: Path):
    """The Økonomiplan sheet of an Asker hp2024 run: every year 2024-2043 as a column, the § 5-5 lines
    balance per year (sum inntekter + sum overføring og avsetninger − sum utgifter − netto videreutlån
    = udekket = 0), and the investments by project plus the recurring budgets sum to § 5-5's total."""
    from openpyxl import load_workbook

    from ltsim.report import RunFolder
    from ltsim.report.excel import PLAN_SHEET, workbook_bytes
    from ltsim.results import write_run

    scenario = load_scenario(ASKER / "hp2024.yaml")
    folder = write_run(pipeline.run(scenario), tmp_path / "run", scenario.config.seed)
    (tmp_path / "wb.xlsx").write_bytes(workbook_bytes(RunFolder(folder)))
    ws = load_workbook(tmp_path / "wb.xlsx")[PLAN_SHEET]
    values = [[c.value for c in row] for row in ws.iter_rows()]
    header = values[5]
    assert header[3:23] == [str(y) for y in range(2024, 2044)]
    rows = {
        row[0]: np.array(row[3:23], dtype=float) for row in values if isinstance(row[0], str) and row[3] is not None
    }
    balance = (
        rows["Sum investeringsinntekter"]
        + rows["Sum overføring fra drift og netto avsetninger"]
        - rows["Sum investeringsutgifter"]
        - rows["Netto utgifter videreutlån"]
    )
    np.testing.assert_allclose(balance, 0.0, atol=1e-5)
    np.testing.assert_allclose(rows[UNCOVERED], 0.0, atol=1e-5)
    np.testing.assert_allclose(rows["Sum investeringer"], rows["Sum investeringsutgifter"], atol=1e-5)
    assert rows["Årlige investeringsrammer (løpende)"][0] == pytest.approx(615.25, abs=1e-3)  # PROJECTS.md §10-11
