"""Run folders for the report tests: the tiny scenario with projects (Monte Carlo) plus a finance table."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd


def add_finance(run: Path) -> None:
    """Write plausible ``finance.csv`` and ``kpi.csv`` for the years of ``run`` (until the finance model writes them)."""
    years = np.sort(pd.read_csv(run / "population.csv", usecols=["year"]).year.unique())[:-1]
    n = len(years)
    revenue = 9650 * 1.012 ** np.arange(n)
    invest = np.linspace(1400, 900, n)
    vat, grants, own = invest * 0.15, np.full(n, 10.0), invest * 0.25
    borrowing = invest - vat - grants - own
    instalments = 380 + 12 * np.arange(n)
    debt = 8800 + np.cumsum(borrowing - instalments)
    ndr = revenue * (0.022 - 0.002 * np.arange(n))
    fund = 1500 + np.cumsum(ndr - 180)
    items = {
        "revenue_mnok": revenue,
        "gross_investment_mnok": invest,
        "vat_compensation_mnok": vat,
        "grants_mnok": grants,
        "own_financing_mnok": own,
        "borrowing_mnok": borrowing,
        "instalments_mnok": instalments,
        "interest_mnok": debt * 0.04,
        "debt_closing_mnok": debt,
        "net_debt_mnok": debt,
        "ndr_mnok": ndr,
        "fund_mnok": fund,
    }
    rows = [(int(y), k, float(v[i])) for k, v in items.items() for i, y in enumerate(years)]
    pd.DataFrame(rows, columns=["year", "item", "value"]).to_csv(run / "finance.csv", index=False, float_format="%.3f")
    kpis = {
        "net_operating_result_pct": (100 * ndr / revenue, "higher", 1.75, 3.0),
        "debt_ratio_pct": (100 * debt / revenue, "lower", 100.0, 80.0),
        "disposition_fund_pct": (100 * fund / revenue, "higher", 5.0, 10.0),
    }
    out = []
    for name, (values, direction, red, green) in kpis.items():
        for y, x in zip(years, values, strict=True):
            if direction == "higher":
                status = "red" if x < red else ("green" if x > green else "yellow")
            else:
                status = "red" if x > red else ("green" if x < green else "yellow")
            out.append((int(y), name, round(float(x), 3), "percent", status))
    pd.DataFrame(out, columns=["year", "kpi", "value", "unit", "status"]).to_csv(run / "kpi.csv", index=False)
