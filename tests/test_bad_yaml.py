"""Bad-input corpus: scenario YAML files (every section, tags, aliases, encodings, numbers out of range).

Each case writes one of the tiny scenarios of tests/conftest.py with one thing broken, and is
refused by ``ltsim validate`` (and, for a share of cases, ``ltsim run``) with exit 2, a message
naming the file, the line, the field and what is expected, and nothing written
(tests/badinput.py).

A case sets one value by key path to a raw YAML text (written as is, so ``.nan``, tags and
aliases reach the loader), or edits the config or the file's text directly.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from badinput import refused
from conftest import (
    finance_config,
    projects_config,
    services_config,
    tiny_config,
    write_tiny,
    write_tiny_finance,
    write_tiny_projects,
    write_tiny_services,
)

from ltsim.io.yamlsrc import dotted

SENTINEL = "SENTINEL_VALUE"
Loc = tuple[str | int, ...]

CONFIGS: dict[str, tuple[Callable[[], dict[str, Any]], Callable[..., Path]]] = {
    "tiny": (tiny_config, write_tiny),
    "services": (services_config, write_tiny_services),
    "projects": (projects_config, write_tiny_projects),
    "finance": (finance_config, write_tiny_finance),
}


def optimize_config() -> dict[str, Any]:
    cfg = finance_config()
    cfg["optimize"] = {"debt_ratio_ceiling": 1.0, "max_deferral_years": 2}
    return cfg


CONFIGS["optimize"] = (optimize_config, write_tiny_finance)


@dataclass(frozen=True)
class Case:
    """One broken scenario.

    ``at``/``raw``: the value at key path ``at`` is written as the raw YAML text ``raw`` (the message
    must name that line and the field, ``field`` if given, else the dotted path). ``edit`` changes the
    config dict; ``text`` changes the written YAML text; ``data`` writes the file's bytes itself.
    """

    config: str = "tiny"
    at: Loc = ()
    raw: str | None = None
    mentions: tuple[str, ...] = ()
    field: str | None = None
    edit: Callable[[dict[str, Any]], None] | None = None
    text: Callable[[str], str] | None = None
    data: Callable[[str], bytes] | None = None
    line: bool = True
    run: bool = False


def _set(cfg: dict[str, Any], loc: Loc, value: Any) -> None:
    node: Any = cfg
    for part in loc[:-1]:
        node = node.setdefault(part, {}) if isinstance(node, dict) else node[part]
    node[loc[-1]] = value


def at(config: str, loc: Loc, raw: str, *mentions: str, field: str | None = None, run: bool = False) -> Case:
    return Case(config=config, at=loc, raw=raw, mentions=mentions, field=field, run=run)


POP = ("population",)
MIG = ("population", "migration")
FIN = ("finance",)
PROJ = ("projects",)
OPT = ("optimize",)
UNC = ("projects", "uncertainty")


def _pop_housing(**over: Any) -> Callable[[dict[str, Any]], None]:
    def edit(cfg: dict[str, Any]) -> None:
        cfg["population"]["housing"]["conditions"] = {"Nordbyen": over}

    return edit


def _bomb(levels: int = 9) -> str:
    lines = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(1, levels):
        lines.append(f"a{i}: &a{i} [" + ",".join([f"*a{i - 1}"] * 9) + "]")
    return "\n".join(lines) + "\n"


def _deep(levels: int) -> str:
    return "name: tiny\nx: " + "[" * levels + "1" + "]" * levels + "\n"


CASES: dict[str, Case] = {
    # ------------------------------------------------------------------ horizon
    "horizon_base_year_text": at("tiny", ("horizon", "base_year"), "abc", "a whole number", run=True),
    "horizon_base_year_nan": at("tiny", ("horizon", "base_year"), ".nan", "a finite number", run=True),
    "horizon_end_before_base": at("tiny", ("horizon", "end_year"), "2020", "a year after base_year"),
    "horizon_end_year_huge_float": at("tiny", ("horizon", "end_year"), "1.0e+308", "a whole number"),
    "horizon_end_year_inf": at("tiny", ("horizon", "end_year"), "-.inf", "a finite number"),
    "horizon_base_year_far_future": at("tiny", ("horizon", "base_year"), "99999", "less than or equal to 2200"),
    "horizon_not_a_mapping": at("tiny", ("horizon",), "[2024, 2029]", "a mapping"),
    # ------------------------------------------------------------------ areas
    "areas_empty": at("tiny", ("areas",), "[]", "at least 1 item"),
    "area_id_pattern": at("tiny", ("areas", 0, "id"), "North Side", "identifier"),
    "area_name_number": at("tiny", ("areas", 1, "name"), ".inf", "a finite number"),
    "area_duplicate_id": at("tiny", ("areas", 1, "id"), "north", "each area id once", run=True),
    "area_not_a_mapping": at("tiny", ("areas", 0), "north", "a mapping"),
    # ------------------------------------------------------------------ population
    "fertility_scale_nan": at("tiny", (*POP, "fertility", "scale"), ".nan", "a finite number", run=True),
    "fertility_scale_inf": at("tiny", (*POP, "fertility", "scale"), ".inf", "a finite number", run=True),
    "fertility_scale_huge": at("tiny", (*POP, "fertility", "scale"), "1.0e+308", "≤ 100", "multiplier", run=True),
    "fertility_scale_negative": at("tiny", (*POP, "fertility", "scale"), "-1", "≥ 0"),
    "fertility_scale_year_nan": at(
        "tiny",
        (*POP, "fertility", "scale"),
        "{2024: 1.0, 2026: .nan}",
        "a finite number",
        field="population.fertility.scale",
    ),
    "sex_ratio_nan": at("tiny", (*POP, "fertility", "sex_ratio_at_birth"), ".nan", "a finite number"),
    "in_persons_nan": at("tiny", (*MIG, "in_persons", "north"), ".nan", "a finite number", run=True),
    "in_persons_neg_inf": at("tiny", (*MIG, "in_persons", "north"), "-.inf", "a finite number"),
    "in_persons_year_inf": at(
        "tiny",
        (*MIG, "in_persons", "south"),
        "{2024: 10, 2026: .inf}",
        "a finite number",
        field="population.migration.in_persons.south",
        run=True,
    ),
    "in_persons_huge": at("tiny", (*MIG, "in_persons", "north"), "1.0e+12", "≤ 10,000,000", "persons"),
    "in_persons_text": at("tiny", (*MIG, "in_persons", "north"), "thirty", "a number"),
    "in_persons_bad_year_key": at("tiny", (*MIG, "in_persons", "south"), "{20x4: 10}", "a year such as 2030"),
    "in_persons_unknown_area": at("tiny", (*MIG, "in_persons", "east"), "5", "a declared area"),
    "in_scale_huge": at("tiny", (*MIG, "in_scale"), "1.0e+300", "multiplier"),
    "out_scale_inf": at("tiny", (*MIG, "out_scale"), ".inf", "a finite number"),
    "out_rate_scale_nan": at("tiny", (*MIG, "out_rate_scale_by_area"), "{north: .nan}", "a finite number"),
    "in_profile_unknown": at("tiny", (*MIG, "in_profile"), "retirees", "a profile in in_profiles.csv"),
    "improvement_year_nan": at(
        "tiny",
        (*POP, "mortality", "improvement"),
        "{2024: .nan}",
        "a finite number",
        field="population.mortality.improvement",
    ),
    "improvement_percent": at("tiny", (*POP, "mortality", "improvement"), "1.5", "write 0.015"),
    "max_age_huge": at("tiny", (*POP, "max_age"), "1.0e+3", "less than or equal to 120"),
    "max_age_fraction": at("tiny", (*POP, "max_age"), "99.5", "a whole number"),
    "realisation_percent": at("tiny", (*POP, "housing", "realisation"), "80", "write 0.8", run=True),
    "realisation_neg_inf": at("tiny", (*POP, "housing", "realisation"), "-.inf", "a finite number"),
    "housing_defer_huge": at("tiny", (*POP, "housing", "defer"), "{Nordbyen: 1000000}", "(years)"),
    "condition_not_before_huge": at(
        "tiny", (*POP, "housing", "conditions"), "{Nordbyen: {not_before: 99999}}", "(a year)"
    ),
    "condition_max_dwellings_inf": at(
        "tiny", (*POP, "housing", "conditions"), "{Nordbyen: {max_dwellings_per_year: .inf}}", "a finite number"
    ),
    "condition_max_dwellings_huge": at(
        "tiny", (*POP, "housing", "conditions"), "{Nordbyen: {max_dwellings_per_year: 1.0e+300}}", "dwellings a year"
    ),
    "population_method_unknown": at("tiny", (*POP, "method"), "markov", "cohort_component"),
    "population_unknown_key": at("tiny", (*POP, "fertility_rate"), "0.05", "one of the keys", field="population"),
    # ------------------------------------------------------------------ services and capacity
    "coverage_rate_nan": at("services", ("services", 0, "coverage", 0, "rate"), ".nan", "a finite number", run=True),
    "coverage_rate_percent": at("services", ("services", 0, "coverage", 0, "rate"), "90", "write 0.9"),
    "coverage_ages_huge": at(
        "services", ("services", 0, "coverage", 0, "ages"), "[6, 1000]", "less than or equal to 120"
    ),
    "place_weight_inf": at("services", ("services", 1, "place_weight", 0, "weight"), ".inf", "a finite number"),
    "target_utilisation_zero": at("services", ("services", 0, "target_utilisation"), "0", "greater than 0"),
    "private_share_huge": at("services", ("services", 1, "private_share"), "1.0e+308", "a fraction between 0 and 1"),
    "service_zone_system_unknown": at("services", ("services", 0, "zone_system"), "wards", "a declared zone system"),
    "zone_id_pattern": at("services", ("zone_systems", 0, "zones", 0, "id"), "Z N", "identifier"),
    "capacity_measures_list": at("services", ("capacity", "measures"), "[merge_south]", "a mapping"),
    "capacity_facilities_number": at("services", ("capacity", "facilities"), "42", "a text"),
    # ------------------------------------------------------------------ projects
    "large_project_inf": at("projects", (*PROJ, "large_project_mnok"), ".inf", "a finite number", run=True),
    "large_project_huge": at("projects", (*PROJ, "large_project_mnok"), "1.0e+300", "1,000,000", "NOK million"),
    "triangular_high_inf": at(
        "projects",
        (*UNC, "construction"),
        "{dist: triangular, low: 0, mode: 2, high: .inf}",
        "a finite number",
        run=True,
    ),
    "triangular_high_huge": at(
        "projects", (*UNC, "construction"), "{dist: triangular, low: 0, mode: 2, high: 1.0e+300}", "extra months"
    ),
    "triangular_order": at(
        "projects", (*UNC, "construction"), "{dist: triangular, low: 5, mode: 2, high: 1}", "low ≤ mode ≤ high"
    ),
    "triangular_cost_negative": at(
        "projects", (*UNC, "cost"), "{dist: triangular, low: -1, mode: 1, high: 2}", "a cost factor from 0"
    ),
    "lognormal_median_zero": at(
        "projects", (*UNC, "cost"), "{dist: lognormal, median: 0, sigma: 0.1}", "greater than 0"
    ),
    "lognormal_median_huge": at(
        "projects", (*UNC, "cost"), "{dist: lognormal, median: 1.0e+6, sigma: 0.1}", "less than or equal to 100"
    ),
    "lognormal_sigma_nan": at("projects", (*UNC, "cost"), "{dist: lognormal, median: 1, sigma: .nan}", "finite"),
    "distribution_unknown": at("projects", (*UNC, "cost"), "{dist: uniform, low: 0, high: 1}", "triangular"),
    "projects_defer_huge": at("projects", (*PROJ, "defer"), "{road: 1000}", "less than or equal to 30"),
    "delivery_capacity_huge": at("projects", (*PROJ, "delivery_capacity"), "1000000000", "less than or equal to 10000"),
    "projects_mode_unknown": at("projects", (*PROJ, "mode"), "random", "deterministic"),
    "cost_profile_sum": at(
        "projects",
        (*PROJ, "cost_profile"),
        "{planning: 0.5, regulation: 0.5, procurement: 0.5, construction: 0.5}",
        "sum to 1",
    ),
    "projects_variant_unknown": at("projects", (*PROJ, "variants", "care"), "care_c", "a project of group"),
    # ------------------------------------------------------------------ finance
    "opening_debt_nan": at("finance", (*FIN, "debt", "opening_debt_mnok"), ".nan", "a finite number", run=True),
    "opening_debt_inf": at("finance", (*FIN, "debt", "opening_debt_mnok"), ".inf", "a finite number"),
    "opening_debt_huge": at(
        "finance", (*FIN, "debt", "opening_debt_mnok"), "1.0e+308", "1,000,000 (NOK million)", run=True
    ),
    "opening_debt_text_nan": at("finance", (*FIN, "debt", "opening_debt_mnok"), "nan", "a finite number"),
    "expenses_other_inf": at("finance", (*FIN, "expenses", "other_mnok"), ".inf", "a finite number", run=True),
    "expenses_other_huge": at("finance", (*FIN, "expenses", "other_mnok"), "-1.0e+308", "NOK million"),
    "revenue_other_year_nan": at(
        "finance",
        (*FIN, "revenue", "other_mnok"),
        "{2024: 0, 2025: .nan}",
        "a finite number",
        field="finance.revenue.other_mnok",
    ),
    "revenue_base_zero": at("finance", (*FIN, "revenue", "base_mnok"), "0", "greater than 0"),
    "revenue_base_huge": at("finance", (*FIN, "revenue", "base_mnok"), "1.0e+300", "NOK million"),
    "expenses_base_1e308": at("finance", (*FIN, "expenses", "base_mnok"), "1.0e+308", "NOK million", run=True),
    "interest_rate_percent": at(
        "finance", (*FIN, "debt", "interest_rate"), "{2024: 4.2}", "write 0.042", field="finance.debt.interest_rate"
    ),
    "interest_rate_nan": at("finance", (*FIN, "debt", "interest_rate"), ".nan", "a finite number"),
    "unit_cost_huge": at("finance", (*FIN, "expenses", "unit_cost_mnok", "care_24h"), "1.0e+9", "per unit"),
    "unit_cost_unknown_service": at(
        "finance", (*FIN, "expenses", "unit_cost_mnok", "dentist"), "0.1", "a declared service"
    ),
    "husbanken_cap_inf": at(
        "finance", (*FIN, "investment", "husbanken", "cost_cap_per_place_mnok"), ".inf", "a finite number"
    ),
    "husbanken_share_percent": at(
        "finance", (*FIN, "investment", "husbanken", "grant_share"), "55", "less than or equal to 1"
    ),
    "depreciation_neg_inf": at("finance", (*FIN, "debt", "existing_depreciation_mnok"), "-.inf", "a finite number"),
    "own_financing_mnok_huge": at("finance", (*FIN, "investment", "own_financing_mnok"), "1.0e+200", "NOK million"),
    "fiscal_rule_percent": Case(
        config="finance",
        edit=lambda c: c["finance"]["fiscal_rules"][0].update(red=1.75),
        mentions=("finance.fiscal_rules[0]", "found red 1.75", "write 0.0175"),
        line=False,
    ),
    "debt_drawdown_unknown": at("finance", (*FIN, "debt", "drawdown"), "midyear", "found 'midyear'", "a month 1–12"),
    "debt_drawdown_year_map": at(
        "finance",
        (*FIN, "debt", "drawdown"),
        "{2024: mid, 2025: 13}",
        "found 13 in year 2025",
        "start, mid, end",
        run=True,
    ),
    "debt_drawdown_starts_late": at("finance", (*FIN, "debt", "drawdown"), "{2026: end}", "a value for the base year"),
    "start_loans_drawdown_month_zero": at("finance", (*FIN, "start_loans", "drawdown"), "0", "a month 1–12"),
    "debt_instalments_from_unknown": at("finance", (*FIN, "debt", "instalments_from"), "later", "next_year"),
    "start_loans_loss_rate_percent": at("finance", (*FIN, "start_loans", "loss_rate"), "2", "write 0.02"),
    "start_loans_early_and_losses_over_all": Case(
        config="finance",
        edit=lambda c: c["finance"]["start_loans"].update(early_repayment_rate=0.7, loss_rate={2024: 0.1, 2026: 0.5}),
        mentions=("finance.start_loans.loss_rate", "early_repayment_rate + loss_rate at most 1", "1.2 in 2026"),
        line=False,
    ),
    "start_loans_lending_beyond_funds": Case(
        config="finance",
        edit=lambda c: c["finance"]["start_loans"].update(borrowing_mnok=30, lending_mnok={2024: 30, 2025: 45}),
        mentions=(
            "finance.start_loans.lending_mnok",
            "within the funds at hand",
            "15.000 NOK million more lent than borrowed by 2025",
        ),
        line=False,
    ),
    "start_loans_borrowing_huge": at("finance", (*FIN, "start_loans", "borrowing_mnok"), "1.0e+300", "NOK million"),
    "fund_opening_nan": at("finance", (*FIN, "funds", "disposition_fund_opening_mnok"), ".nan", "a finite number"),
    "deflator_wage_inf": at("finance", (*FIN, "deflator", "wage_growth"), ".inf", "a finite number"),
    "interest_income_huge": at("finance", (*FIN, "interest_income_mnok"), "1.0e+10", "NOK million"),
    "instalment_method_unknown": at("finance", (*FIN, "debt", "instalment_method"), "balloon", "annuity"),
    # ------------------------------------------------------------------ optimize
    "ceiling_nan": at("optimize", (*OPT, "debt_ratio_ceiling"), ".nan", "a finite number", run=True),
    "ceiling_percent": at("optimize", (*OPT, "debt_ratio_ceiling"), "100", "write 1 for 100 %"),
    "breach_penalty_huge": at("optimize", (*OPT, "breach_penalty"), "1.0e+300", "(a weight)"),
    "confidence_percent": at("optimize", (*OPT, "confidence"), "90", "a probability above 0.5"),
    "unmet_weight_inf": at("optimize", (*OPT, "unmet_weight"), "{care_24h: .inf}", "a finite number"),
    "max_spend_nan": at("optimize", (*OPT, "max_spend_mnok"), ".nan", "a finite number"),
    "max_shortfall_huge": at("optimize", (*OPT, "max_shortfall_places", "primary_school"), "1.0e+308", "(places)"),
    "housing_penalty_inf": at("optimize", (*OPT, "housing"), "{penalty_per_dwelling_year: .inf}", "a finite number"),
    "max_concurrent_huge": at("optimize", (*OPT, "max_concurrent"), "1.0e+9", "less than or equal to 10000"),
    # ------------------------------------------------------------------ tags
    "tag_python_name": at("tiny", ("title",), "!!python/name:os.system", "without tags", "python/name", run=True),
    "tag_python_object": at(
        "tiny", ("title",), "!!python/object/apply:os.system ['echo pwned']", "without tags", run=True
    ),
    "tag_binary": at("tiny", ("title",), "!!binary aGVsbG8=", "without tags", "!!binary"),
    "tag_custom": at("tiny", ("title",), "!secret abc", "without tags", "!secret"),
    "tag_set": at("tiny", ("description",), "!!set {a, b}", "without tags", "!!set"),
    "tag_timestamp_invalid_date": at("tiny", ("description",), "!!timestamp 2024-02-30", "without tags"),
    "tag_float_text": at("tiny", (*MIG, "in_persons", "north"), "!!float abc", "a number for the tag !!float"),
    "tag_int_fraction": at("tiny", ("seed",), "!!int 1.5", "a whole number for the tag !!int"),
    "tag_bool_maybe": at("tiny", ("description",), "!!bool maybe", "true or false"),
    "tag_float_inf_text": at("tiny", (*MIG, "in_persons", "north"), "!!float 1e999", "a finite number"),
    "merge_key": Case(
        config="tiny",
        text=lambda t: t.replace("title: Tiny test scenario", "base: &b {x: 1}\n<<: *b\ntitle: Tiny test scenario"),
        mentions=("a text or whole-number key", "!!merge"),
        line=False,
    ),
    "key_is_a_list": Case(
        config="tiny",
        text=lambda t: t.replace("title: Tiny test scenario", "? [a, b]\n: 1\ntitle: Tiny test scenario"),
        mentions=("a text or whole-number key", "a list", "line 2"),
        line=False,
    ),
    "key_is_a_float": Case(
        config="tiny",
        text=lambda t: t.replace("title: Tiny test scenario", "1.5: x\ntitle: Tiny test scenario"),
        mentions=("a text or whole-number key", "line 2"),
        line=False,
    ),
    # ------------------------------------------------------------------ aliases and nesting
    "alias_billion_laughs": Case(
        data=lambda t: (t + _bomb()).encode(), mentions=("100,000 values", "alias"), line=False, run=True
    ),
    "alias_seven_levels": Case(text=lambda t: t + _bomb(7), mentions=("100,000 values",), line=False),
    "alias_recursive": Case(
        text=lambda t: t + "description: &d [1, *d]\n", mentions=("nested at most 64 deep",), line=False
    ),
    "nesting_too_deep": Case(data=lambda t: _deep(500).encode(), mentions=("nested at most 64 deep",), line=False),
    # ------------------------------------------------------------------ syntax and structure
    "duplicate_key": Case(
        text=lambda t: t.replace("seed: 7", "seed: 7\nseed: 8"), mentions=("each key once", "line 4"), line=False
    ),
    "tab_indentation": Case(
        text=lambda t: t.replace("  base_year: 2024", "\tbase_year: 2024"),
        mentions=("valid YAML", "syntax error"),
        line=False,
    ),
    "unclosed_bracket": Case(
        text=lambda t: t.replace("title: Tiny test scenario", "title: [Tiny"),
        mentions=("valid YAML", "syntax error"),
        line=False,
        run=True,
    ),
    "two_documents": Case(text=lambda t: t + "---\nname: other\n", mentions=("valid YAML",), line=False),
    "top_level_list": Case(
        data=lambda t: b"- name: tiny\n", mentions=("a mapping of scenario keys", "a list"), line=False
    ),
    "top_level_text": Case(
        data=lambda t: b"just some words\n", mentions=("a mapping of scenario keys", "a text"), line=False
    ),
    "empty_file": Case(data=lambda t: b"", mentions=("a value for 'name'",), line=False, run=True),
    "unknown_top_key": at("tiny", ("populaton",), "{}", "did you mean 'population'"),
    "name_with_slash": at("tiny", ("name",), "../../evil", "a name of letters"),
    # ------------------------------------------------------------------ encodings and bytes
    "latin1": Case(
        data=lambda t: t.replace("Tiny test scenario", "Tiny test scenario Ærø").encode("latin-1"),
        mentions=("in UTF-8", "line 2", "0xc6"),
        line=False,
        run=True,
    ),
    "utf16": Case(data=lambda t: t.encode("utf-16"), mentions=("in UTF-8", "line 1"), line=False),
    "control_character": Case(
        data=lambda t: t.replace("Tiny test scenario", "Tiny\x07test").encode(),
        mentions=("control character #x0007", "line 2"),
        line=False,
        run=True,
    ),
    "nul_byte": Case(
        data=lambda t: t.replace("Tiny test scenario", "Tiny\x00test").encode(),
        mentions=("control character #x0000", "line 2"),
        line=False,
    ),
    "non_finite_exponent": at("tiny", (*MIG, "in_persons", "north"), "1.0e+400", "a finite number"),
}


# A value the loader reads as text may still be a number for pydantic ("1e400" → inf): refused too.
CASES["text_exponent_infinite"] = at("finance", (*FIN, "debt", "opening_debt_mnok"), '"1e400"', "a finite number")


def write_case(root: Path, case: Case) -> tuple[Path, int | None]:
    """Write the case's scenario under ``root``; return its path and the line of the broken value."""
    make, write = CONFIGS[case.config]
    cfg = make()
    if case.edit is not None:
        case.edit(cfg)
    if case.raw is not None:
        _set(cfg, case.at, SENTINEL)
    path = write(root, cfg)
    text = path.read_text(encoding="utf-8")
    line = None
    if case.raw is not None:
        line = next(i for i, t in enumerate(text.splitlines(), start=1) if SENTINEL in t)
        text = text.replace(SENTINEL, case.raw)
    if case.text is not None:
        text = case.text(text)
    if case.data is not None:
        path.write_bytes(case.data(text))
    else:
        path.write_text(text, encoding="utf-8")
    return path, line


@pytest.mark.parametrize("name", list(CASES))
def test_bad_scenario_yaml_is_refused(tmp_path: Path, name: str) -> None:
    case = CASES[name]
    path, line = write_case(tmp_path, case)
    mentions = [path.name, *case.mentions, "expected"]
    if case.raw is not None:
        mentions.append(case.field or dotted(case.at))
        if case.line:
            mentions.append(f"line {line}")
    refused(["validate", str(path)], mentions=mentions, watch=tmp_path)
    if case.run:
        refused(["run", str(path), "--out", str(tmp_path / "out"), "--no-report"], mentions=mentions, watch=tmp_path)


# --------------------------------------------------------------------------- the file itself


def test_a_folder_instead_of_a_scenario_is_refused(tmp_path: Path) -> None:
    write_tiny(tmp_path)
    for cmd in (["validate", str(tmp_path)], ["run", str(tmp_path), "--out", str(tmp_path / "out"), "--no-report"]):
        refused(cmd, mentions=[tmp_path.name, "a YAML file, not a folder", "expected"], watch=tmp_path)


def test_a_missing_scenario_is_refused(tmp_path: Path) -> None:
    refused(["validate", str(tmp_path / "nope.yaml")], mentions=["nope.yaml", "no such file", "expected"])


def test_a_special_file_as_scenario_is_refused(tmp_path: Path) -> None:
    import os

    (tmp_path / "pipes").mkdir()
    (tmp_path / "work").mkdir()
    fifo = tmp_path / "pipes" / "pipe.yaml"
    os.mkfifo(fifo)  # reading it would block: it must be refused before it is opened
    refused(["validate", str(fifo)], mentions=["pipe.yaml", "a special file", "expected"], watch=tmp_path / "work")


def test_a_huge_scenario_is_refused_unread(tmp_path: Path) -> None:
    path = write_tiny(tmp_path)
    with path.open("ab") as fh:
        fh.truncate(21 * 2**20)  # sparse: no 21 MB written
    refused(["validate", str(path)], mentions=["scenario.yaml", "at most 20 MB", "expected"], watch=tmp_path)


def test_extends_a_folder_or_a_device_is_refused(tmp_path: Path) -> None:
    write_tiny(tmp_path)
    (tmp_path / "sub").mkdir()
    for target in ("sub", "/dev/zero"):
        variant = tmp_path / "variant.yaml"
        variant.write_text(f"# variant\nextends: {target}\nname: v\n", encoding="utf-8")
        refused(
            ["validate", str(variant)],
            mentions=["variant.yaml", "line 2", "extends", "an existing scenario file", "expected"],
            watch=None,
        )


def test_extends_with_a_nul_character_is_refused(tmp_path: Path) -> None:
    variant = tmp_path / "variant.yaml"
    variant.write_text('extends: "a\\0b.yaml"\nname: v\n', encoding="utf-8")
    refused(["validate", str(variant)], mentions=["variant.yaml", "line 1", "extends", "expected"], watch=tmp_path)


def test_an_extended_file_with_a_bad_byte_names_that_file(tmp_path: Path) -> None:
    base = write_tiny(tmp_path)
    base.write_bytes(base.read_bytes().replace(b"Tiny test scenario", b"Tiny \xff"))
    variant = tmp_path / "variant.yaml"
    variant.write_text("extends: scenario.yaml\nname: v\n", encoding="utf-8")
    refused(["validate", str(variant)], mentions=["scenario.yaml", "line 2", "in UTF-8", "0xff"], watch=tmp_path)


# --------------------------------------------------------------------------- what is not refused


def test_a_date_like_text_stays_text(tmp_path: Path) -> None:
    """``source: 2024-02-30`` (not a date) is a text, as in YAML 1.2, not a failed date."""
    from ltsim.scenario import load_scenario

    cfg = tiny_config()
    cfg["population"]["source"] = "SENTINEL"
    cfg["description"] = "SENTINEL"
    path = write_tiny(tmp_path, cfg)
    path.write_text(path.read_text(encoding="utf-8").replace("SENTINEL", "2024-02-30"), encoding="utf-8")
    sc = load_scenario(path)
    assert sc.config.description == "2024-02-30" and sc.config.population.source == "2024-02-30"


def test_messages_never_echo_more_than_a_short_printable_excerpt(tmp_path: Path) -> None:
    cfg = tiny_config()
    cfg["population"]["migration"]["in_persons"]["north"] = "x" * 5000 + "\x1b[2J"
    path = write_tiny(tmp_path, cfg)
    out = refused(["validate", str(path)], mentions=["scenario.yaml", "in_persons.north", "expected"], watch=tmp_path)
    assert "x" * 61 not in out and "\x1b" not in out


def test_corpus_size() -> None:
    assert len(CASES) >= 100
