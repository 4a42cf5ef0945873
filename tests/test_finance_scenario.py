"""Finance through the scenario and pipeline: wiring to population, demand and projects; bad input."""

from __future__ import annotations

import copy
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import finance_config, write_csv, write_tiny_finance

from ltsim import pipeline
from ltsim.errors import InputError
from ltsim.results import write_run
from ltsim.scenario import load_scenario


def run(path: Path) -> pipeline.RunResult:
    return pipeline.run(load_scenario(path))


def test_revenue_follows_population_and_real_growth(tmp_path: Path):
    res = run(write_tiny_finance(tmp_path))
    total = res.population.totals()[:-1]
    expected = 1000.0 * 1.01 ** np.arange(5) * total / total[0]
    assert res.finance.revenue_mnok == pytest.approx(expected)


def test_investments_are_project_spend_plus_recurring_budgets(tmp_path: Path):
    res = run(write_tiny_finance(tmp_path))
    spend = res.projects.spend_mnok.sum(axis=0) + 5.0
    assert res.finance.gross_investment_mnok == pytest.approx(spend)
    f = res.finance
    assert f.gross_investment_mnok == pytest.approx(
        f.vat_compensation_mnok + f.grants_mnok + f.own_financing_mnok + f.borrowing_mnok
    )
    assert f.vat_compensation_mnok == pytest.approx(0.2 * spend)


def test_husbanken_grant_in_the_completion_year(tmp_path: Path):
    """care_a: 20 places, cost 120, cap 3.9/place → min(78, 120) · 0.55 = 42.9 in 2027 (year index 3)."""
    res = run(write_tiny_finance(tmp_path))
    assert res.finance.grants_mnok.tolist() == pytest.approx([0, 0, 0, 42.9, 0])


def test_demography_cost_uses_users_from_demand(tmp_path: Path):
    res = run(write_tiny_finance(tmp_path))
    users = {s.service.id: s.demand.users[:-1].sum(axis=1) for s in res.services}
    expected = 0.12 * (users["primary_school"] - users["primary_school"][0]) + 1.0 * (
        users["care_24h"] - users["care_24h"][0]
    )
    assert res.finance.demography_cost_mnok == pytest.approx(expected)


def test_run_folder_has_finance_and_kpi_tables(tmp_path: Path):
    folder = write_run(run(write_tiny_finance(tmp_path / "s")), tmp_path / "run", seed=1)
    fin = pd.read_csv(folder / "finance.csv").pivot(index="year", columns="item", values="value")
    assert np.allclose(
        fin.debt_closing_mnok, fin.debt_opening_mnok + fin.borrowing_mnok - fin.instalments_mnok, atol=1e-5
    )
    assert fin.debt_opening_mnok.iloc[0] == pytest.approx(800)
    # interest on the opening debt plus half a year on 2024's borrowing (drawn 1 July, the default)
    assert fin.interest_mnok.iloc[0] == pytest.approx(800 * 0.042 + 0.042 * 0.5 * fin.borrowing_mnok.iloc[0])
    assert fin.borrowing_mnok.iloc[0] > 0
    kpi = pd.read_csv(folder / "kpi.csv")
    assert set(kpi.kpi) == {"net_operating_result_pct", "debt_ratio_pct", "disposition_fund_pct", "own_financing_pct"}
    assert set(kpi.status) <= {"green", "yellow", "red", "n/a"}
    ratio = kpi[(kpi.kpi == "debt_ratio_pct") & (kpi.year == 2024)].value.iloc[0]
    assert ratio == pytest.approx(100 * fin.net_debt_mnok.iloc[0] / fin.revenue_mnok.iloc[0], rel=1e-6)
    nominal = pd.read_csv(folder / "finance_nominal.csv").pivot(index="year", columns="item", values="value")
    deflator = 0.6 * 0.049 + 0.4 * 0.034  # 4.3 %
    assert nominal.revenue_mnok.iloc[2] == pytest.approx(fin.revenue_mnok.iloc[2] * (1 + deflator) ** 2, rel=1e-6)


# ----------------------------------------------------------------------- bad input


def problems(tmp_path: Path, change) -> list[str]:
    cfg = copy.deepcopy(finance_config())
    change(cfg["finance"])
    with pytest.raises(InputError) as info:
        load_scenario(write_tiny_finance(tmp_path, cfg))
    return [str(p) for p in info.value.problems]


def test_rate_written_as_percent(tmp_path: Path):
    (msg,) = problems(tmp_path, lambda f: f["debt"].update(interest_rate={2024: 4.2, 2025: 0.04}))
    assert (
        "finance.debt.interest_rate.2024: found 4.2 in year 2024; expected a yearly rate as a fraction between −1 and 1 (write 0.042 for 4.2 %)"
        in msg
    )


def test_negative_debt(tmp_path: Path):
    (msg,) = problems(tmp_path, lambda f: f["debt"].update(opening_debt_mnok=-5))
    assert "finance.debt.opening_debt_mnok: found -5" in msg and "greater than or equal to 0" in msg


def test_threshold_written_as_percent_and_out_of_order(tmp_path: Path):
    (msg,) = problems(tmp_path, lambda f: f["fiscal_rules"][0].update(red=1.75, green=3))
    assert (
        "finance.fiscal_rules[0]: found red 1.75; expected a fraction between -1 and 1 (write 0.0175 for 1.75 %)" in msg
    )
    (msg,) = problems(tmp_path, lambda f: f["fiscal_rules"][1].update(red=0.8, green=1.0))
    assert "found red 0.8 below green 1; expected red ≥ green when lower is better" in msg


def test_unknown_asset_category_in_recurring_budgets(tmp_path: Path):
    cfg = finance_config()
    path = write_tiny_finance(tmp_path, cfg)
    (tmp_path / "data" / "recurring.csv").write_text("id,name,category,year,spend_mnok\nit,IKT,computers,2024,5\n")
    with pytest.raises(InputError) as info:
        load_scenario(path)
    (msg,) = [str(p) for p in info.value.problems]
    assert "recurring.csv, row 2: column 'category': found 'computers'; expected an asset category" in msg


def test_unit_cost_for_an_unknown_service_and_duplicate_rule(tmp_path: Path):
    def change(f):
        f["expenses"]["unit_cost_mnok"]["school"] = 0.1
        f["fiscal_rules"].append(dict(f["fiscal_rules"][0]))

    msgs = problems(tmp_path, change)
    assert any("finance.expenses.unit_cost_mnok.school: found 'school'; expected a declared service" in m for m in msgs)
    assert any(
        "finance.fiscal_rules[4].kpi: found 'net_operating_result'; expected one rule per key figure" in m for m in msgs
    )


def test_part_of_the_expense_base_follows_the_population(tmp_path: Path):
    cfg = finance_config()
    cfg["finance"]["expenses"]["population_driven_share"] = 0.5
    res = run(write_tiny_finance(tmp_path / "a", cfg))
    plain = run(write_tiny_finance(tmp_path / "b"))
    total = res.population.totals()[:-1]
    expected = 900.0 * 0.5 * (total / total[0] - 1.0)
    assert res.finance.expenses_mnok - plain.finance.expenses_mnok == pytest.approx(expected)


def test_zero_book_value_is_a_warning_not_a_blank(tmp_path: Path):
    """Existing assets written off in 2 years (1200 at 600/yr) while only land is bought (100 a year, borrowed:
    land is not depreciable) and nothing is built (spend on a project under construction would be in the book
    value): from 2026 the book value is 0 with debt outstanding, so § 14-18 does not apply; the run says so
    and finance.csv has a value in every cell."""
    cfg = finance_config()
    cfg["finance"]["debt"]["existing_depreciation_mnok"] = 600.0
    cfg["finance"]["investment"].pop("husbanken")
    cfg.pop("projects")
    path = write_tiny_finance(tmp_path / "s", cfg)
    write_csv(
        tmp_path / "s" / "data" / "recurring.csv",
        ["id", "name", "category", "year", "spend_mnok"],
        [["tomt", "Tomter", "land", y, 100.0] for y in range(2024, 2029)],
    )
    res = run(path)
    flagged = res.finance.years[res.finance.minimum_not_applicable].tolist()
    assert flagged and flagged[0] == 2026
    assert any("§ 14-18 minimum instalment does not apply" in w and "2026" in w for w in res.warnings)
    folder = write_run(res, tmp_path / "run", seed=1)
    assert not pd.read_csv(folder / "finance.csv")["value"].isna().any()
