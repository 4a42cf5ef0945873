"""Build Asker's finance inputs: the recurring investment pots, the ``finance:`` section and two variants.

Run ``python scenarios/asker/build_finance.py`` (writes ``data/recurring_investments.csv``,
``data/finance_fragment.yaml``, ``hp2024.yaml`` and ``interest-stress.yaml`` next to base.yaml) or
``... --out DIR`` (the same files under DIR, ``data/`` included). ``--summary`` prints the
calibration figures used in FINANCE.md.

Reads only ``data/sources/`` (``finance/`` = copies of the shared case data, see SOURCES.md there;
``projects/projects.csv`` = the plan's investment table) and is deterministic: rows in source order,
fixed number formats, no randomness. Every assumption and its source is in ``FINANCE.md``.

Method in short (NOK million, fixed 2024 prices; plan = Handlingsprogram 2024-2027, doc 002)
-----------------------------------------------------------------------------------------
* Revenue: the plan's sum driftsinntekter 2024 (9,653.092) × population index × real growth per
  inhabitant; the real growth 2025-2027 is the plan's revenue growth beyond its own 1.3 %/yr
  population assumption, 0 after 2027.
* Expenses excl. depreciation: the plan's 2024 level (9,433.629 − 572.107) less the facility
  operating costs the catalogue already adds in 2024; omstilling beyond 2024's 120 (50/20/20) as
  efficiency; the plan's non-demographic cost changes 2025-2027 as ``other_mnok`` (held after 2027);
  demography from users × unit cost (KOSTRA net costs per inhabitant, Kloppedalen's operating funds).
* Financial items: interest income, dividends, other financial gains and the finance costs booked in
  the service areas from the plan's central table (2024-2027, held after); start loans and the energy
  fund modelled; the book value of depreciable assets is the one at which the § 14-18 minimum closes
  the plan's 2024 net operating result (74.469) with the model's interest at the budget rate: the stated
  debt plus half a year on the plan's 2024 borrowing (the one fitted value of the operating side).
* hp2024.yaml: the plan's expense path exactly, its grants, sales, VAT compensation and transfers.
"""

from __future__ import annotations

import argparse
import csv
import io
import sys
from dataclasses import dataclass
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
SRC = HERE / "data" / "sources"
FACTS = SRC / "finance" / "asker_facts_finance.yaml"
OPENING = SRC / "finance" / "opening_balance.yaml"
PROJECTS = SRC / "projects" / "projects.csv"

FIRST, LAST = 2024, 2043  # budget (flow) years of base.yaml's horizon 2024-2044
PLAN = (2024, 2025, 2026, 2027)  # the økonomiplan years
PLAN_DETAIL_LAST = 2033  # the investment table runs to 2033 (2028-2033 "foreløpige prognoser")
HOLD_FROM = (2028, 2033)  # recurring pots after 2033: the average of these years, held flat
PLAN_POPULATION_GROWTH = 0.013  # HP 002 L4566-4569: "forventet befolkningsvekst på 1,3 prosent"
DEFAULT_VAT = 0.2  # 25 % VAT on the net = 20 % of gross (norwegian_rules.md); as build_projects.py
POPULATION_DRIVEN_SHARE = 0.5  # share of the expense base that follows the population (FINANCE.md §4; assumption)
ENERGY_FUND_BUDGET_RETURN = 80.0  # HP 002 L130, L5126-5127: 80 mill of the allocations are the energy fund's
LONG_RUN_ENERGY_RETURN = 0.03  # HP 002 L4969-4970: expected real return 3 %
OPENING_DEBT_LIFE = 21  # ≈ book value ÷ depreciation (used only if the book value ran out)
STARTLAN_TERMS = range(15, 31)  # grid for the start-loan fit; 30 yr = the usual maximum term of startlån (assumed)
DRAWDOWN_SHARE = 0.5  # loans drawn 1 July (debt.drawdown and start_loans.drawdown: mid; an assumption)
CARE_PROJECTS_STAFFED_BY_UNIT_COST = ("eldre_heldogn_kloppedalen",)  # see FINANCE.md §4 (double count)
KOSTRA_TO_2024 = (1.045, 1.043)  # kommunal deflator 2023 4.5 %, 2024 4.3 % (HP 002 L109-114)

# The 40 LØPENDE pots: asset category (ASSET_CATEGORIES of ltsim/schema.py, lives from forskrift § 3-4)
# and VAT compensation share (blank = the scenario default 0.2). 0 for VAR/selvkost (ordinary VAT
# deduction), grants to others (kirkelig fellesråd claims its own compensation), lending and land.
POTS: dict[str, tuple[str, float | None]] = {
    "digital_satsing_skolene": ("it_equipment", None),
    "ikt_investeringer": ("it_equipment", None),
    "oppvekst_inventar_utstyr": ("machinery", None),
    "oppvekst_koordineringspott_bygg": ("school", None),
    "velferd_inventar_utstyr": ("machinery", None),
    "velferd_koordineringspott_bygg": ("care_housing", None),
    "asker_drift_maskinpark": ("machinery", None),
    "brannforebygging_formalsbygg": ("technical_installations", None),
    "eiendomsutvikling_grunnerverv": ("land", 0.0),
    "klimatiltak": ("technical_installations", None),
    "klimatiltak_enok": ("technical_installations", None),
    "klimatiltak_mobilitet_formalsbygg": ("technical_installations", None),
    "klimatiltak_mobilitet_samfunn": ("technical_installations", None),
    "koordineringspott_administrasjonsbygg": ("administration", None),
    "koordineringspott_flom_klimatilpasning": ("roads", None),
    "samferdsel_sykkelstrategi": ("roads", None),
    "samferdsel_veilys": ("technical_installations", None),
    "samferdsel_parkering": ("roads", None),
    "samferdsel_trafikksikring": ("roads", None),
    "samferdsel_utbedring_veier": ("roads", None),
    "stikkledninger_rehab": ("technical_installations", None),
    "tettstedsutvikling": ("roads", None),
    "turveier_friomrader": ("sports", None),
    "universell_utforming": ("technical_installations", None),
    "var_miljotiltak_yggeset_follestad": ("water_sewage", 0.0),
    "var_rehab_vann_avlop": ("water_sewage", 0.0),
    "var_utbygging_vann_avlop": ("water_sewage", 0.0),
    "forskuttering_spillemidler": ("land", 0.0),
    "idrett_inventar_utstyr": ("machinery", None),
    "idrett_temaplan_fysisk_aktivitet": ("sports", None),
    "kirke_kirkelige_investeringer": ("church_cemetery", 0.0),
    "kirke_tiltak_gravferd": ("church_cemetery", 0.0),
    "koordineringspott_friluft": ("sports", None),
    "koordineringspott_idrettsbygg": ("sports", None),
    "koordineringspott_kulturarenaer": ("culture", None),
    "koordineringspott_kulturminnebygg": ("culture", None),
    "kultur_inventar_kulturlokaler": ("machinery", None),
    "kultur_kunst_offentlig_rom": ("land", None),
    "kulturskolen_instrumenter": ("machinery", None),
    "led_belysning_anlegg": ("technical_installations", None),
}
# catalogue VAT rules of build_projects.py (PROJECTS.md §6), used to reproduce the plan's VAT line
PROJECT_VAT_OVERRIDES = {"omradeutvikling_hon_landas": 0.1}


def num(x: float) -> str:
    """Fixed number format: at most 6 decimals, no trailing zeros."""
    s = f"{x:.6f}".rstrip("0").rstrip(".")
    return "0" if s in ("-0", "") else s


def read_facts() -> dict[str, dict]:
    """The facts copied from shared/data/asker/facts.yaml, by key."""
    data = yaml.safe_load(FACTS.read_text(encoding="utf-8"))
    return {f["key"]: f["value"] for f in data["facts"]}


def by_year(value: dict, scale: float = 1e-3) -> dict[int, float]:
    """The budget years 2024-2027 of a facts entry (1000 NOK → NOK million by default)."""
    return {y: float(value[y]) * scale for y in PLAN}


def read_projects() -> list[dict[str, str]]:
    """The plan's investment table (52 projects and 40 recurring pots)."""
    with PROJECTS.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


# --------------------------------------------------------------------------------------------- pots


def recurring_rows(rows: list[dict[str, str]]) -> list[list[str]]:
    """id, name, category, year, spend_mnok, vat_compensation_share for 2024-2043 (see module doc)."""
    pots = [r for r in rows if r["recurring"] == "true"]
    ids = [r["id"] for r in pots]
    if sorted(ids) != sorted(POTS):
        raise SystemExit(f"recurring pots in the source differ from POTS: {sorted(set(ids) ^ set(POTS))}")
    out = []
    for r in pots:
        category, vat = POTS[r["id"]]
        plan = {y: float(r[f"spend_{y}"] or 0.0) for y in range(FIRST, PLAN_DETAIL_LAST + 1)}
        later = sum(plan[y] for y in range(HOLD_FROM[0], HOLD_FROM[1] + 1)) / (HOLD_FROM[1] - HOLD_FROM[0] + 1)
        for y in range(FIRST, LAST + 1):
            spend = plan[y] if y <= PLAN_DETAIL_LAST else later
            out.append([r["id"], r["name_no"], category, str(y), num(spend), "" if vat is None else num(vat)])
    return out


def pot_totals(rec: list[list[str]]) -> dict[int, tuple[float, float]]:
    """Total spend and VAT compensation of the pots per year."""
    tot: dict[int, list[float]] = {}
    for _id, _name, _cat, y, spend, vat in rec:
        t = tot.setdefault(int(y), [0.0, 0.0])
        t[0] += float(spend)
        t[1] += float(spend) * (DEFAULT_VAT if vat == "" else float(vat))
    return {y: (a, b) for y, (a, b) in tot.items()}


def project_vat(rows: list[dict[str, str]]) -> dict[int, float]:
    """VAT compensation of the catalogue's plan spend 2024-2027 under build_projects.py's rules."""
    out = dict.fromkeys(PLAN, 0.0)
    for r in rows:
        if r["recurring"] == "true":
            continue
        if r["id"] in PROJECT_VAT_OVERRIDES:
            share = PROJECT_VAT_OVERRIDES[r["id"]]
        elif r["var_selvkost"] == "true" or r["budget_class"] == "tilskudd_til_andres_investeringer":
            share = 0.0
        else:
            share = DEFAULT_VAT
        for y in PLAN:
            out[y] += float(r[f"spend_{y}"] or 0.0) * share
    return out


def facility_costs(rows: list[dict[str, str]]) -> tuple[dict[int, float], dict[int, float]]:
    """Operating costs the catalogue adds per year (all, and those of care projects costed by users).

    The catalogue's ``operating_cost_mnok_per_year`` is the source's last budget-year figure (opex_2027),
    in service from the completion year (first_year_operating_share 1), as build_projects.py sets it.
    """
    total = dict.fromkeys(PLAN, 0.0)
    care = dict.fromkeys(PLAN, 0.0)
    for r in rows:
        if r["recurring"] == "true" or not r["opex_2027"].strip():
            continue
        cost, done = float(r["opex_2027"]), int(r["completion_year"])
        for y in PLAN:
            if y >= done:
                total[y] += cost
                if r["id"] in CARE_PROJECTS_STAFFED_BY_UNIT_COST:
                    care[y] += cost
    return total, care


# --------------------------------------------------------------------------------------------- loans


def annuity_instalments(balance: float, rates: list[float], term: int) -> tuple[list[float], list[float]]:
    """Instalment and interest per year of a loan drawn before the first rate (re-amortised yearly)."""
    inst, interest = [], []
    for k, r in enumerate(rates):
        n = max(term - k, 1)
        pay = balance * (r / ((1 + r) ** n - 1) if r else 1 / n) if n > 1 else balance
        interest.append(r * balance)
        inst.append(pay)
        balance -= pay
    return inst, interest


def startlan(rates: list[float], new: float, opening: float, remaining: int, term: int) -> tuple[list, list]:
    """Received instalments and interest on the relending receivables over ``rates`` (model conventions)."""
    n = len(rates)
    received, interest = [0.0] * n, [0.0] * n
    cohorts = [(0, opening, remaining)] + [(t + 1, new, term) for t in range(n - 1)]
    for start, principal, life in cohorts:
        inst, intr = annuity_instalments(principal, rates[start:], life)
        for k in range(len(inst)):
            received[start + k] += inst[k]
            interest[start + k] += intr[k]
    return received, interest


# --------------------------------------------------------------------------------------------- build


@dataclass
class Calibration:
    """Every derived input (NOK million; years as keys)."""

    facts: dict
    opening: dict
    rates: dict[int, float]
    revenue: dict[int, float]
    expenses: dict[int, float]
    depreciation: dict[int, float]
    ndr: dict[int, float]
    net_finance_cost: dict[int, float]
    real_growth: dict[int, float]
    efficiency_new: dict[int, float]
    facility: dict[int, float]
    care_facility: dict[int, float]
    plan_demography: dict[int, float]
    other_base: dict[int, float]
    other_hp: dict[int, float]
    expense_base: float
    interest_income: dict[int, float]
    sl_remaining: int
    sl_term: int
    sl_received: list[float]
    sl_interest: list[float]
    energy_rates: dict[int, float]
    implied_instalment_2024: float
    book_value: float
    dep_decline_years: float
    sales: dict[int, float]
    grants: dict[int, float]
    vat_plan: dict[int, float]
    vat_model: dict[int, float]
    transfer: dict[int, float]
    other_lending: dict[int, float]
    unit_costs: dict[str, float]
    unit_cost_notes: dict[str, str]


def calibrate(rows: list[dict[str, str]], rec: list[list[str]]) -> Calibration:
    """Derive the finance inputs from the plan (method in the module docstring and FINANCE.md)."""
    f = read_facts()
    opening = yaml.safe_load(OPENING.read_text(encoding="utf-8"))
    rates = {y: float(v) / 100 for y, v in f["budsjettrente"].items()}
    revenue = by_year(f["sum_driftsinntekter_by_year"])
    dep = by_year(f["avskrivninger"])
    expenses = {y: by_year(f["sum_driftsutgifter_by_year"])[y] - dep[y] for y in PLAN}
    ndr = by_year(f["netto_driftsresultat_amount"])
    bdr = {y: revenue[y] - by_year(f["sum_driftsutgifter_by_year"])[y] for y in PLAN}
    nfc = {y: bdr[y] + dep[y] - ndr[y] for y in PLAN}  # net finance costs incl. instalments
    real_growth = {y: revenue[y] / revenue[y - 1] / (1 + PLAN_POPULATION_GROWTH) - 1 for y in PLAN[1:]}
    omst = by_year(f["omstilling_total_by_year"])
    efficiency_new = {PLAN[0]: 0.0, **{y: omst[y] - omst[y - 1] for y in PLAN[1:]}}
    eff_cum = {y: omst[y] - omst[PLAN[0]] for y in PLAN}
    facility, care_facility = facility_costs(rows)
    od, vd = f["oppvekst_demografijustering"], f["velferd_demografijustering"]
    demog = {y: sum(float(v[y]) for v in (*od.values(), *vd.values())) / 1e3 for y in PLAN}
    # the catalogue offsets the operating cost of projects staffed by the unit costs (build_projects.py,
    # operating_offset_mnok_per_year = -cost), so the model's facility line is net of them
    net_facility = {y: facility[y] - care_facility[y] for y in PLAN}
    expense_base = expenses[PLAN[0]] - net_facility[PLAN[0]]
    other_base, other_hp = {}, {}
    for y in PLAN:
        plan_change = expenses[y] - expenses[PLAN[0]] + eff_cum[y]  # before omstilling
        other_base[y] = plan_change - (facility[y] - facility[PLAN[0]]) - (demog[y] - demog[PLAN[0]])
        other_hp[y] = expenses[y] - expense_base - net_facility[y] + eff_cum[y]

    # start loans: remaining life of the opening receivables and term of new loans that reproduce the
    # plan's instalments on relending (paid = received) 2024-2027 with annuities at the budget rate
    sl_plan = by_year(f["startlan_avdrag_videreutlan"])
    debt_sl = float(opening["startlan_debt_end_2023_mnok"])
    new_sl = float(opening["startlan_new_per_year_max_mnok"])
    plan_rates = [rates[y] for y in PLAN]
    best = None
    for remaining in STARTLAN_TERMS:
        for term in STARTLAN_TERMS:
            got, _ = startlan(plan_rates, new_sl, debt_sl, remaining, term)
            err = sum((g - sl_plan[y]) ** 2 for g, y in zip(got, PLAN, strict=True))
            if best is None or err < best[0] - 1e-12:
                best = (err, remaining, term)
    assert best is not None
    _, sl_remaining, sl_term = best
    sl_received, sl_interest = startlan(plan_rates, new_sl, debt_sl, sl_remaining, sl_term)

    # other financial income (net): interest income (incl. start-loan interest: modelled, so deducted),
    # dividends, gains other than the energy fund's budgeted return, less finance costs in the service areas
    rente, utb = by_year(f["renteinntekter"]), by_year(f["utbytte"])
    gev, fin_tj = (
        by_year(f["gevinster_finansielle_omlopsmidler_budget"]),
        by_year(f["finansutgifter_i_tjenesteomraadene"]),
    )
    # the model's start-loan interest received: the loans of earlier years, and half a year on the year's
    # new lending (drawn mid-year, DRAWDOWN_SHARE), as ltsim/models/finance/startloans.py books it
    sl_interest = [v + rates[y] * DRAWDOWN_SHARE * new_sl for v, y in zip(sl_interest, PLAN, strict=True)]
    interest_income = {
        y: rente[y] + utb[y] + gev[y] - ENERGY_FUND_BUDGET_RETURN - fin_tj[y] - sl_interest[i]
        for i, y in enumerate(PLAN)
    }
    energy = float(f["energifond_size"]) * 1e3
    energy_rates = {y: ENERGY_FUND_BUDGET_RETURN / (energy + ENERGY_FUND_BUDGET_RETURN * i) for i, y in enumerate(PLAN)}
    energy_rates[PLAN[-1] + 1] = LONG_RUN_ENERGY_RETURN

    sales = by_year(f["salg_av_varige_driftsmidler"])
    grants = by_year(f["tilskudd_fra_andre_investering"])
    vat_plan = by_year(f["mva_kompensasjon_investering"])
    transfer = by_year(f["overforing_fra_drift_til_investering"])
    gross_plan = by_year(f["sum_investeringsutgifter_by_year"])
    # the plan's bruk av lån: its investments less VAT compensation, grants, sales and the transfer (L5198-5243)
    plan_borrowing = {y: gross_plan[y] - vat_plan[y] - grants[y] - sales[y] - transfer[y] for y in PLAN}

    # § 14-18: the instalment that closes the plan's 2024 net operating result, paid as the minimum; the
    # interest is the model's (opening debt + half a year on the plan's 2024 borrowing)
    debt = float(opening["investment_debt_end_2023_mnok"])
    y0 = PLAN[0]
    modelled = (
        rates[y0] * (debt + DRAWDOWN_SHARE * plan_borrowing[y0])  # interest on the investment debt
        + rates[y0] * (debt_sl + DRAWDOWN_SHARE * new_sl)  # start-loan interest paid (Husbanken) ...
        - sl_interest[0]  # ... and received (margin 0)
        - interest_income[y0]
        - ENERGY_FUND_BUDGET_RETURN
    )
    implied = nfc[y0] - modelled
    book_value = debt * dep[y0] / implied
    decline = 2 * book_value / dep[y0]  # uniform vintages: depreciation falls linearly to 0 over 2·BV/dep

    sales[PLAN[-1] + 1] = float(f["salg_av_varige_driftsmidler"]["baseline_per_year_mnok"])
    pv, pt = project_vat(rows), pot_totals(rec)
    vat_model = {y: pv[y] + pt[y][1] for y in PLAN}
    lend = by_year(f["utlan_egne_midler"])
    other_lending, acc = {}, 0.0
    for y in PLAN:
        acc += lend[y]
        other_lending[y] = acc

    # unit costs per user (NOK million, 2024 prices): KOSTRA 2022 net cost per inhabitant of the age group
    # ÷ coverage of that age group (users = children in kindergarten, pupils), × the deflators 2023, 2024
    infl = KOSTRA_TO_2024[0] * KOSTRA_TO_2024[1]
    bhg_cov = (2 * 0.883 + 3 * 0.971) / 5  # base.yaml coverage 1-2 and 3-5 (HP L6738-6747), equal cohorts
    school_cov = (7 * 0.97 + 3 * 0.96) / 10  # base.yaml coverage 6-12 and 13-15
    bhg = float(f["netto_driftsutgifter_barnehage_per_innbygger_1_5"][2022]) / bhg_cov * infl / 1e6
    school = float(f["netto_driftsutgifter_grunnskole_per_innbygger_6_15"][2022]) / school_cov * infl / 1e6
    klopp = f["operating_funds_new_heldogn_places"]["Kloppedalen_100_places"][2027] / 1e3 / 100
    unit_costs = {
        "kindergarten": round(bhg, 4),
        "primary_school": round(school, 4),
        "lower_secondary": round(school, 4),
        "care_24h": round(klopp, 4),
    }
    notes = {
        "kindergarten": f"178,493 NOK/inhabitant 1-5 (KOSTRA 2022) / coverage {bhg_cov:.4f} x {infl:.4f}",
        "primary_school": f"125,791 NOK/inhabitant 6-15 (KOSTRA 2022) / coverage {school_cov:.3f} x {infl:.4f}",
        "lower_secondary": "as primary_school (KOSTRA gives 6-15 only)",
        "care_24h": "Kloppedalen: 74.5 mill operating funds 2027 / 100 places",
    }
    return Calibration(
        facts=f,
        opening=opening,
        rates=rates,
        revenue=revenue,
        expenses=expenses,
        depreciation=dep,
        ndr=ndr,
        net_finance_cost=nfc,
        real_growth=real_growth,
        efficiency_new=efficiency_new,
        facility=facility,
        care_facility=care_facility,
        plan_demography=demog,
        other_base=other_base,
        other_hp=other_hp,
        expense_base=expense_base,
        interest_income=interest_income,
        sl_remaining=sl_remaining,
        sl_term=sl_term,
        sl_received=sl_received,
        sl_interest=sl_interest,
        energy_rates=energy_rates,
        implied_instalment_2024=implied,
        book_value=book_value,
        dep_decline_years=decline,
        sales=sales,
        grants=grants,
        vat_plan=vat_plan,
        vat_model=vat_model,
        transfer=transfer,
        other_lending=other_lending,
        unit_costs=unit_costs,
        unit_cost_notes=notes,
    )


# --------------------------------------------------------------------------------------------- YAML


def ymap(values: dict[int, float], linear: bool = False) -> str:
    """``{2024: 1, 2025: 2}`` in flow style."""
    items = ([("method", "linear")] if linear else []) + [(str(y), num(v)) for y, v in values.items()]
    return "{" + ", ".join(f"{k}: {v}" for k, v in items) + "}"


def fragment(c: Calibration) -> str:
    """The ``finance:`` section for base.yaml."""
    d0 = c.depreciation[PLAN[0]]
    dep_end = d0 * max(0.0, 1 - (LAST + 1 - FIRST) / c.dep_decline_years)
    capital = {y: c.sales[y] + (c.grants[y] if y < PLAN[-1] else 0.0) for y in PLAN}
    capital[PLAN[-1] + 1] = c.sales[PLAN[-1] + 1]
    return f"""\
# Asker kommune: the economy (generated by build_finance.py; every figure and its source: FINANCE.md).
# NOK million in fixed 2024 prices; rates and thresholds are fractions. Plan = Handlingsprogram
# 2024-2027 (doc 002); "held" = the last value holds for the rest of the horizon.
finance:
  revenue:
    base_mnok: {num(c.revenue[PLAN[0]])}
    # per inhabitant, beyond the plan's 1.3 %/yr population growth; 0 after 2027
    real_growth: {ymap({PLAN[0]: 0.0, **{y: round(v, 6) for y, v in c.real_growth.items()}, PLAN[-1] + 1: 0.0})}
    source: >-
      HP 002 L11634-11673 sum driftsinntekter 9,653,092 / 9,831,526 / 9,975,979 / 10,129,439 (1000 NOK);
      population growth 1.3 %/yr assumed in the plan (L4566-4569); no age weights (FINANCE.md §3)
  expenses:
    base_mnok: {num(c.expense_base)}
    unit_cost_mnok: {{{", ".join(f"{k}: {num(v)}" for k, v in c.unit_costs.items())}}}
    efficiency_new_mnok: {ymap({**c.efficiency_new, PLAN[-1] + 1: 0.0})}
    # the plan's non-demographic cost changes 2025-2027 (held); Kloppedalen's operating cost, which
    # care_24h users x unit cost already count, is offset on its catalogue row (FINANCE.md §4)
    other_mnok: {ymap(c.other_base)}
    # ASSUMPTION: the base outside the four services costed per user (about 59 %) follows the
    # population for the most part (health, social and technical services, administration): k = 0.5
    population_driven_share: {num(POPULATION_DRIVEN_SHARE)}
    source: >-
      HP 002 L11676-11690 sum driftsutgifter 9,433,629 less avskrivninger 572,107 (L11160) less the
      catalogue's facility costs in service in 2024 (Søndre Borgen helsehus 32.0, Nedre Sem 7.8);
      omstilling 120/170/190/210 cumulative (L4665-4679); unit costs from KOSTRA 2022 net costs per
      inhabitant (L6701-6710) and Kloppedalen's operating funds (L8050-8052)
  investment:
    vat_compensation_share: {num(DEFAULT_VAT)}
    own_financing_share: 0
    own_financing_mnok: {ymap(c.transfer)}
    capital_income_mnok: {ymap(capital)}
    recurring: data/recurring_investments.csv
    husbanken: {{cost_cap_per_place_mnok: 3.9, grant_share: 0.55, timing: completion}}
    source: >-
      transfer from operations 170/100/200/150 (L5243), held; sales 50/302/150/108 then 40/yr
      (L5203, L5298-5301); the plan's grants 2024-2026 (81.84/90.14/79.28, L5202) as capital income,
      2027's 193.0 taken to be Kloppedalen's Husbanken grant, which the model computes; Husbanken
      cost cap and share from norwegian_rules.md (unverified); pots: data/recurring_investments.csv
  debt:
    interest_rate: {ymap(c.rates)}
    instalment_method: minimum
    opening_debt_mnok: {num(float(c.opening["investment_debt_end_2023_mnok"]))}
    opening_debt_remaining_life_years: {OPENING_DEBT_LIFE}
    existing_book_value_mnok: {num(round(c.book_value, 3))}
    existing_depreciation_mnok: {ymap({FIRST: d0, LAST + 1: round(dep_end, 3)}, linear=True)}
    other_lending_mnok: {ymap(c.other_lending)}
    # ASSUMPTION: the plan does not say when in the year loans are drawn; mid-year, first instalment the
    # year after (FINANCE.md §1)
    drawdown: mid
    instalments_from: next_year
    source: >-
      budget rate 4.2 % (2024), 4.0 % (2025-27), held (L210-216, L4985-4989); debt 9.0 bn end 2023
      (shared README, stated input); book value FITTED = debt x depreciation / the instalment that closes
      the plan's 2024 netto driftsresultat ({num(round(c.implied_instalment_2024, 1))} mill, paid as the § 14-18
      minimum, "innenfor kommunelovens krav", L4993-4994) with the model's interest (opening debt + half a
      year on the plan's 2024 borrowing) (FINANCE.md §3); existing depreciation 572.107 (L11160)
      falling linearly to 0 over 2 x book value / depreciation = {c.dep_decline_years:.1f} years (uniform
      vintages); utlån av egne midler (forskuttering spillemidler) 5/5/10/10 (L5195), cumulated
  start_loans:
    borrowing_mnok: {num(float(c.opening["startlan_new_per_year_max_mnok"]))}
    interest_rate: {ymap(c.rates)}
    husbanken_term_years: {c.sl_term}
    borrower_term_years: {c.sl_term}
    opening_debt_mnok: {num(float(c.opening["startlan_debt_end_2023_mnok"]))}
    opening_debt_remaining_life_years: {c.sl_remaining}
    opening_receivables_mnok: {num(float(c.opening["startlan_debt_end_2023_mnok"]))}
    opening_receivables_remaining_life_years: {c.sl_remaining}
    # ASSUMPTION: all of each year's borrowing lent on the same year, nothing unlent on 1 Jan 2024, no early
    # repayments or losses budgeted (the plan's avdrag 48.6-71.5 follow a schedule; the 2022 accounts' 109.5
    # probably include early repayments) (FINANCE.md §1)
    opening_unlent_mnok: 0
    early_repayment_rate: 0
    loss_rate: 0
    margin_rate: 0
    method: annuity
    repay_as_received: true
    drawdown: mid
    instalments_from: next_year
    source: >-
      1.75 bn end 2023 and up to 300 mill/yr (shared README; L5235-5236); terms fitted to the plan's
      avdrag på videreutlån 48.6/56.1/63.7/71.5 (L5237-5238, paid = received); costs user-financed
      (L5311-5312): margin 0; opening receivables = opening debt (stated input, no source for a difference)
  funds:
    disposition_fund_opening_mnok: 1100
    energy_fund_opening_mnok: {num(float(c.facts["energifond_size"]) * 1e3)}
    energy_fund_real_return_rate: {ymap({y: round(v, 6) for y, v in c.energy_rates.items()})}
    energy_fund_retained_share: 1
    include_energy_fund_in_fund_kpi: false
    source: >-
      disposisjonsfond 1.1 bn (L129; excludes the energy fund: 14.8 % of BDI in 2022 = 1.35 bn < the fund
      alone); energy fund 1.6 bn (L4968), budgeted return 80 mill/yr set aside (L130, L5126-5127) to 2027,
      then the expected real return 3 % (L4969-4970), all retained (base capital and real value may not
      be spent, L4490-4493)
  # renteinntekter + utbytte + gains other than the energy fund's 80 - finansutgifter i tjenesteområdene
  # - the modelled start-loan interest received, draw-year half included (L4953-4961, L11171); held after 2027
  interest_income_mnok: {ymap({y: round(v, 3) for y, v in c.interest_income.items()})}
  fiscal_rules:
    - {{kpi: net_operating_result, direction: higher_is_better, red: 0.0175, green: 0.03, source: "K-sak 10/20, HP L4444-4453"}}
    - {{kpi: debt_ratio, direction: lower_is_better, red: 1.0, green: 0.8, source: "HP L4457, L4506-4507"}}
    - {{kpi: disposition_fund, direction: higher_is_better, red: 0.05, green: 0.1, source: "HP L4455, L5122"}}
    - {{kpi: own_financing, direction: higher_is_better, red: 0.5, green: 0.5, green_inclusive: true, source: "HP L299-300"}}
  deflator:
    wage_growth: 0.049
    price_growth: 0.034
    source: HP 002 L109-114 (2024, held; for showing nominal figures only)
  source: build_finance.py from data/sources/finance/ (FINANCE.md)
"""


def hp2024(c: Calibration) -> str:
    """The variant with the inputs of Handlingsprogram 2024-2027 (its 2024 NDR fitted, the rest predicted)."""
    capital = {y: c.sales[y] + c.grants[y] + c.vat_plan[y] - c.vat_model[y] for y in PLAN}
    capital[PLAN[-1] + 1] = c.sales[PLAN[-1] + 1]
    zero_costs = ", ".join(f"{k}: 0" for k in c.unit_costs)
    return f"""\
# Handlingsprogram 2024-2027 as adopted: the plan's own operating path and financing, for comparing the
# model's debt, debt ratio, NDR and funds with the plan (FINANCE.md §6). Generated by build_finance.py.
# Meant for 2024-2027; from 2028 it holds the 2027 levels (no demography, no Husbanken grants).
extends: base.yaml
name: asker-hp2024
title: Asker kommune – Handlingsprogram 2024–2027, planens forutsetninger
finance:
  expenses:
    # the plan's driftsutgifter excl. avskrivninger 2024-2027 exactly: demography is in the plan's path
    unit_cost_mnok: {{{zero_costs}}}
    population_driven_share: 0
    other_mnok: {ymap({y: round(v, 3) for y, v in c.other_hp.items()})}
  investment:
    # the plan's tilskudd + salg, plus the plan's VAT compensation less the model's (L5201-5203)
    capital_income_mnok: {ymap({y: round(v, 3) for y, v in capital.items()})}
    husbanken: null
"""


def interest_stress() -> str:
    """The +2 percentage point interest stress test from 2025."""
    return """\
# Stress test: the interest rate on investment debt and start loans 2 percentage points above the
# budget rate from 2025 (4.2 % in 2024, 6.0 % from 2025). Interest income is not raised with it.
# Generated by build_finance.py.
extends: base.yaml
name: asker-interest-stress
title: Asker kommune – renteøkning +2 prosentpoeng fra 2025
finance:
  debt:
    interest_rate: {2024: 0.042, 2025: 0.06, 2026: 0.06, 2027: 0.06}
  start_loans:
    interest_rate: {2024: 0.042, 2025: 0.06, 2026: 0.06, 2027: 0.06}
"""


def csv_text(rows: list[list[str]]) -> str:
    """recurring_investments.csv as text."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["id", "name", "category", "year", "spend_mnok", "vat_compensation_share"])
    w.writerows(rows)
    return buf.getvalue()


def summary(c: Calibration, rec: list[list[str]]) -> str:
    """The calibration figures quoted in FINANCE.md."""
    pt = pot_totals(rec)
    lines = ["year  revenue  expenses  dep  NDR  net_fin_cost  facility  other_base  other_hp  int_income  sl_recv"]
    for i, y in enumerate(PLAN):
        lines.append(
            f"{y} {c.revenue[y]:9.3f} {c.expenses[y]:9.3f} {c.depreciation[y]:7.3f} {c.ndr[y]:8.3f} "
            f"{c.net_finance_cost[y]:8.3f} {c.facility[y]:6.1f} {c.other_base[y]:8.3f} {c.other_hp[y]:8.3f} "
            f"{c.interest_income[y]:8.3f} {c.sl_received[i]:6.2f}"
        )
    lines.append(f"real growth per inhabitant: {c.real_growth}")
    lines.append(f"plan demography (rel. 2024 frame): {c.plan_demography}")
    lines.append(f"start loans: remaining {c.sl_remaining}, term {c.sl_term}, interest {c.sl_interest}")
    lines.append(f"implied instalment 2024: {c.implied_instalment_2024:.3f}; book value {c.book_value:.3f}")
    lines.append(f"depreciation decline years: {c.dep_decline_years:.2f}")
    lines.append(f"VAT plan {c.vat_plan}; model {c.vat_model}")
    lines.append("pots per year: " + ", ".join(f"{y}: {pt[y][0]:.3f}" for y in sorted(pt)))
    lines.append(f"unit costs: {c.unit_costs} ({c.unit_cost_notes})")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Command line: write the files (or print the summary)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=HERE, help="folder to write (default: scenarios/asker)")
    parser.add_argument("--summary", action="store_true", help="print the calibration figures")
    args = parser.parse_args(argv)
    rows = read_projects()
    rec = recurring_rows(rows)
    c = calibrate(rows, rec)
    if args.summary:
        print(summary(c, rec))
        return 0
    out: Path = args.out
    (out / "data").mkdir(parents=True, exist_ok=True)
    files = {
        out / "data" / "recurring_investments.csv": csv_text(rec),
        out / "data" / "finance_fragment.yaml": fragment(c),
        out / "hp2024.yaml": hp2024(c),
        out / "interest-stress.yaml": interest_stress(),
    }
    for path, text in files.items():
        path.write_text(text, encoding="utf-8")
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
