"""Load the project catalogue (one row per project) and the plan's yearly spend.

Called from :func:`ltsim.scenario.load_scenario` with the same table reader and problem
locator as the other sections. The uncertainty of each project (by its category) is laid out
as the arrays of :class:`ltsim.models.projects.Distributions`; drawing from them is the model's
job (:func:`ltsim.models.projects.draw`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from ltsim.errors import InputError, Problem, show
from ltsim.io.services import ServicesData
from ltsim.io.tables import Column, Table
from ltsim.models.projects import LOGNORMAL, NO_DRAW, PHASES, TRIANGULAR, Distributions, ProjectInputs
from ltsim.schema import (
    ASSET_CATEGORIES,
    MNOK_MAX,
    PLACES_MAX,
    LogNormal,
    ScenarioConfig,
    Triangular,
    Uncertainty,
    number_text,
)

Loc = tuple[str | int, ...]
ReadTable = Callable[[str, Sequence[Column], Sequence[str]], Table]
MakeProblem = Callable[[Loc, str, str | None], Problem]
CATEGORY_COLUMN = Column(
    "category",
    "str",
    choices=tuple(ASSET_CATEGORIES),
    expected="an asset category (" + ", ".join(ASSET_CATEGORIES) + ")",
)
SPEND_COLUMN = Column(
    "spend_mnok",
    "float",
    0.0,
    MNOK_MAX,
    expected=f"the year's gross spend in NOK million, ≥ 0 and ≤ {number_text(MNOK_MAX)}",
)
BOOL = {"true": True, "false": False, "yes": True, "no": False, "ja": True, "nei": False}


@dataclass(frozen=True, slots=True)
class ProjectsData:
    """The catalogue: identity, capacity, timing window, finance fields, and the model inputs."""

    ids: tuple[str, ...]
    names: tuple[str, ...]
    categories: tuple[str, ...]
    services: tuple[str | None, ...]
    zones: tuple[str | None, ...]
    facilities: tuple[str | None, ...]
    capacity_places: np.ndarray  # [P] NaN where the project adds no places
    capacity_years: np.ndarray  # [P] years the places stay in use from completion (NaN: permanent)
    mandatory: np.ndarray  # [P] bool
    planned_start_year: np.ndarray  # [P]
    earliest_start_year: np.ndarray  # [P]
    latest_completion_year: np.ndarray  # [P] NaN where none
    exclusive_group: tuple[str | None, ...]
    vat_compensation_share: np.ndarray  # [P] NaN = scenario default
    husbanken_places: np.ndarray  # [P] net new 24-hour places eligible for the investment grant (0 if none)
    operating_cost_mnok_per_year: np.ndarray  # [P] NaN = not given
    operating_offset_mnok_per_year: np.ndarray  # [P] signed, from completion like the cost; NaN = none
    inputs: ProjectInputs
    distributions: Distributions  # of the delays and overruns (drawn by :func:`ltsim.models.projects.draw`)
    stochastic: bool
    housing_deps: tuple[tuple[str, ...], ...] = ()  # per project: developments it waits for

    @property
    def waited_for(self) -> frozenset[str]:
        """Housing developments some project waits for (``depends_on: housing:<development>``)."""
        return frozenset(d for deps in self.housing_deps for d in deps)


def _columns(config: ScenarioConfig, years: np.ndarray) -> list[Column]:
    hi = int(years[-1])
    service_ids = tuple(s.id for s in config.services)
    months = [Column(f"{p}_months", "float", 0.0, 240.0, expected="a duration in months from 0 to 240") for p in PHASES]
    shares = [
        Column(
            f"cost_share_{p}",
            "float",
            0.0,
            1.0,
            required=False,
            expected="a share 0–1 (blank: the scenario's cost_profile)",
        )
        for p in PHASES
    ]
    return [
        Column(
            "id", "str", pattern=r"^[a-z0-9][a-z0-9_]*$", expected="a project id of lower-case letters, digits and '_'"
        ),
        Column("name", "str", expected="a project name"),
        CATEGORY_COLUMN,
        Column(
            "service",
            "str",
            required=False,
            choices=service_ids,
            expected=f"a declared service ({', '.join(service_ids) or 'none declared'}) or blank",
        ),
        Column("zone", "str", required=False, expected="a zone of the service's zone system, or blank"),
        Column(
            "facility",
            "str",
            required=False,
            expected="a facility in the register that the project extends, or blank for a new facility",
        ),
        Column(
            "capacity_places",
            "float",
            -PLACES_MAX,
            PLACES_MAX,
            required=False,
            expected=f"places added (negative: removed), at most {number_text(PLACES_MAX)} in size, or blank if none",
        ),
        Column(
            "capacity_years",
            "int",
            1,
            200,
            required=False,
            expected="the years the places stay in use (1–200: modules, a lease), or blank for permanent",
        ),
        Column(
            "gross_cost_mnok",
            "float",
            0.0,
            MNOK_MAX,
            expected=f"the gross cost in NOK million, ≥ 0 and ≤ {number_text(MNOK_MAX)}",
        ),
        *months,
        *shares,
        Column("earliest_start", "int", 1900, hi, expected=f"a year up to {hi}"),
        Column("planned_start", "int", 1900, hi, expected=f"the plan's start year, up to {hi}"),
        Column("latest_completion", "int", 1900, 2300, required=False, expected="a year, or blank if none"),
        Column("mandatory", "str", choices=tuple(BOOL), expected="true or false"),
        Column("depends_on", "str", required=False, expected="project ids separated by ';', or blank"),
        Column(
            "exclusive_group",
            "str",
            required=False,
            expected="a group name shared by mutually exclusive variants, or blank",
        ),
        Column(
            "vat_compensation_share",
            "float",
            0.0,
            1.0,
            required=False,
            expected="a share of the gross cost 0–1, or blank",
        ),
        Column(
            "husbanken_places",
            "float",
            0.0,
            PLACES_MAX,
            required=False,
            expected=f"net new 24-hour places eligible for Husbanken's grant (0 to {number_text(PLACES_MAX)}), or blank",
        ),
        Column(
            "operating_cost_mnok_per_year",
            "float",
            -MNOK_MAX,
            MNOK_MAX,
            required=False,
            expected=f"yearly operating cost in NOK million, at most {number_text(MNOK_MAX)} in size, or blank",
        ),
        Column(
            "operating_offset_mnok_per_year",
            "float",
            -MNOK_MAX,
            MNOK_MAX,
            required=False,
            expected=(
                "a signed yearly offset to the operating cost from completion in NOK million (e.g. minus the "
                f"staffing a per-user unit cost already counts), at most {number_text(MNOK_MAX)} in size, or blank"
            ),
        ),
    ]


def _distribution(dist: Triangular | LogNormal | None) -> tuple[int, float, float, float]:
    """A distribution as (kind, a, b, c), one entry of :class:`Distributions`."""
    if dist is None:
        return NO_DRAW, 0.0, 0.0, 0.0
    if isinstance(dist, Triangular):
        return TRIANGULAR, dist.low, dist.mode, dist.high
    return LOGNORMAL, dist.median, dist.sigma, 0.0


def _cycle(deps: dict[str, list[str]]) -> list[str] | None:
    """A dependency cycle as a list of ids (first = last), or None."""
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in deps.get(node, []):
            if state.get(nxt) == 1:
                return [*stack[stack.index(nxt) :], nxt]
            if nxt not in state:
                found = visit(nxt)
                if found:
                    return found
        stack.pop()
        state[node] = 2
        return None

    for node in deps:
        if node not in state:
            found = visit(node)
            if found:
                return found
    return None


def load_projects(
    config: ScenarioConfig,
    years: np.ndarray,
    services: ServicesData | None,
    table: ReadTable,
    problem: MakeProblem,
    developments: tuple[str, ...] = (),
    extra_rows: Sequence[dict[str, Any]] = (),
) -> ProjectsData | None:
    """Read and check the catalogue and plan spend; build the simulation inputs.

    With ``services`` None (the services or population have problems of their own) only the catalogue's
    rows are checked, so its problems are reported with theirs; nothing is built.

    ``depends_on`` may name housing developments as ``housing:<development>``: the project then
    starts no earlier than the year the development's first dwellings are completed.
    ``extra_rows``: catalogue rows made from ``plan.builds``/``plan.closed`` (or a plan's candidates),
    checked like the table's own.
    """
    cfg = config.projects
    if cfg is None:
        return None
    base = int(years[0])
    t = table("projects.catalogue", _columns(config, years), ["id"])
    rows = [{k: t.columns[k][r] for k in t.columns} | {"_row": int(t.rows[r])} for r in range(len(t))]
    file = str(t.file)
    problems: list[Problem] = []
    table_ids = {r["id"] for r in rows}
    for extra in extra_rows:
        if extra["id"] in table_ids:
            problems.append(
                Problem(
                    "a plan build or closure whose id is not in the catalogue already",
                    file=file,
                    field="column 'id'",
                    found=show(extra["id"]),
                )
            )
        rows.append({**extra, "_row": 0})
    if problems:
        raise InputError(problems)

    def bad(row: dict[str, Any], column: str, expected: str, found: str | None) -> None:
        problems.append(
            Problem(expected, file=file, line=row["_row"], field=f"column {column!r}", found=found, row=True)
        )

    ids = [r["id"] for r in rows]
    for pid, years_moved in cfg.defer.items():
        if pid not in ids:
            problems.append(problem(("projects", "defer", pid), "a project in the catalogue", show(pid)))
            continue
        row = rows[ids.index(pid)]
        row["planned_start"] += years_moved
        row["_deferred"] = years_moved
    if problems:
        raise InputError(problems)
    if services is None:
        return None
    by_service = {s.id: s for s in services.services}
    cap = services.capacity
    facility_of = (
        {}
        if cap is None
        else {f: (cap.facility_zones[i], cap.register.service[i]) for i, f in enumerate(cap.facility_ids)}
    )
    deps: dict[str, list[str]] = {}
    housing_deps: dict[str, list[str]] = {}
    for row in rows:
        svc, zone, places = row["service"], row["zone"], row["capacity_places"]
        if (svc is None) != (places is None):
            bad(
                row,
                "capacity_places" if svc else "service",
                "a service and capacity_places together (both blank for a project without places)",
                "only one of them",
            )
        if svc is not None:
            system = services.zone_systems[by_service[svc].zone_system]
            if zone is None or zone not in system.zone_ids:
                bad(
                    row,
                    "zone",
                    f"a zone of zone system {system.id!r} ({', '.join(system.zone_ids)})",
                    show(zone) if zone else "a blank cell",
                )
        fac = row["facility"]
        if places is not None and places < 0 and fac is None:
            bad(
                row,
                "facility",
                "the facility whose places the project removes (negative capacity_places)",
                "a blank cell",
            )
        if fac is not None:
            if fac not in facility_of:
                bad(row, "facility", "a facility in the register (capacity.facilities)", show(fac))
            elif svc is not None and (facility_of[fac][0] != zone or services.services[facility_of[fac][1]].id != svc):
                bad(row, "facility", f"a facility of service {svc!r} in zone {zone!r}", show(fac))
        shares = [row[f"cost_share_{p}"] for p in PHASES]
        if any(s is None for s in shares) and not all(s is None for s in shares):
            bad(
                row,
                "cost_share_planning",
                "all four cost shares, or none (then the scenario's cost_profile applies)",
                "some blank",
            )
        elif all(s is not None for s in shares) and abs(sum(shares) - 1.0) > 1e-6:
            bad(row, "cost_share_construction", "cost shares that sum to 1", f"a sum of {sum(shares):g}")
        moved = row.get("_deferred", 0)
        moved_note = f" (after projects.defer moves it {moved:+d} years)" if moved else ""
        if row["planned_start"] < row["earliest_start"]:
            bad(
                row,
                "planned_start",
                f"a planned start at or after the earliest start {row['earliest_start']}",
                f"{row['planned_start']}{moved_note}",
            )
        duration = sum(row[f"{p}_months"] for p in PHASES) / 12
        latest = row["latest_completion"]
        if latest is not None:
            if latest < row["earliest_start"]:
                bad(row, "latest_completion", f"a year at or after earliest_start {row['earliest_start']}", str(latest))
            elif row["earliest_start"] + duration > latest + 1e-9:
                bad(
                    row,
                    "latest_completion",
                    f"a window that fits the {duration:g} years of phases after earliest_start {row['earliest_start']}",
                    f"{latest} (the window is empty)",
                )
            elif row["planned_start"] + duration > latest + 1e-9:
                bad(
                    row,
                    "planned_start",
                    f"a start that lets the {duration:g} years of phases finish by latest_completion {latest}",
                    f"{row['planned_start']}{moved_note}",
                )
        dep_list = [d.strip() for d in (row["depends_on"] or "").split(";") if d.strip()]
        housing = [d.removeprefix("housing:").strip() for d in dep_list if d.startswith("housing:")]
        for dev in housing:
            if dev not in developments:
                bad(row, "depends_on", "housing:<a development of the housing programme>", show(f"housing:{dev}"))
        housing_deps[row["id"]] = [d for d in housing if d in developments]
        dep_list = [d for d in dep_list if not d.startswith("housing:")]
        for d in dep_list:
            if d not in ids:
                bad(row, "depends_on", "ids of projects in the catalogue", show(d))
            elif d == row["id"]:
                bad(row, "depends_on", "other projects (a project cannot wait for itself)", show(d))
        deps[row["id"]] = [d for d in dep_list if d in ids and d != row["id"]]
    if problems:
        raise InputError(problems[:25])
    cycle = _cycle(deps)
    if cycle:
        rows_of = {r["id"]: r["_row"] for r in rows}
        raise InputError(
            Problem(
                "dependencies without a cycle",
                file=file,
                line=rows_of[cycle[0]],
                field="column 'depends_on'",
                found="the cycle " + " → ".join(cycle),
                row=True,
            )
        )

    groups: dict[str, list[str]] = {}
    for row in rows:
        if row["exclusive_group"]:
            groups.setdefault(row["exclusive_group"], []).append(row["id"])
    for group, members in groups.items():
        chosen = cfg.variants.get(group)
        if chosen is None:
            problems.append(
                problem(
                    ("projects", "variants"),
                    f"a choice for exclusive group {group!r} (one of {', '.join(members)})",
                    "no entry",
                )
            )
        elif chosen not in members:
            problems.append(
                problem(
                    ("projects", "variants", group),
                    f"a project of group {group!r} ({', '.join(members)})",
                    show(chosen),
                )
            )
    for group in cfg.variants:
        if group not in groups:
            problems.append(
                problem(
                    ("projects", "variants", group),
                    f"an exclusive_group used in the catalogue ({', '.join(groups) or 'none'})",
                    show(group),
                )
            )
    for category in cfg.uncertainty_by_category:
        if category not in ASSET_CATEGORIES:
            problems.append(
                problem(
                    ("projects", "uncertainty_by_category", category),
                    "an asset category (" + ", ".join(ASSET_CATEGORIES) + ")",
                    show(category),
                )
            )
    if problems:
        raise InputError(problems)
    for j, pid in enumerate(cfg.exclude):
        if pid not in ids:
            problems.append(problem(("projects", "exclude", j), "a project in the catalogue", show(pid)))
        elif rows[ids.index(pid)]["mandatory"] == "true":
            problems.append(problem(("projects", "exclude", j), "a project that is not mandatory", show(pid)))
    if problems:
        raise InputError(problems)
    included = np.array(
        [
            (row["exclusive_group"] is None or cfg.variants.get(row["exclusive_group"]) == row["id"])
            and row["id"] not in cfg.exclude
            for row in rows
        ]
    )
    for row, inc in zip(rows, included, strict=True):
        for d in deps[row["id"]]:
            if inc and not included[ids.index(d)]:
                why = (
                    "excluded in projects.exclude" if d in cfg.exclude else "a variant not chosen in projects.variants"
                )
                bad(row, "depends_on", f"a project that is built ({d!r} is {why})", show(d))
    if problems:
        raise InputError(problems)

    n_years = len(years) - 1
    plan = np.full((len(rows), n_years), np.nan)
    if cfg.plan_spend is not None:
        ps = table(
            "projects.plan_spend",
            [
                Column("project", "str", choices=tuple(ids), expected="a project id from the catalogue"),
                Column("year", "int", base, base + n_years - 1, expected=f"a year from {base} to {base + n_years - 1}"),
                SPEND_COLUMN,
            ],
            ["project", "year"],
        )
        touched = sorted({ids.index(p) for p in ps.columns["project"]})
        plan[touched] = 0.0
        for p, y, v in zip(ps.columns["project"], ps.columns["year"], ps.columns["spend_mnok"], strict=True):
            plan[ids.index(p), y - base] = v

    profile = np.array([cfg.cost_profile[p] for p in PHASES])
    share = np.array(
        [
            [row[f"cost_share_{p}"] for p in PHASES] if row["cost_share_planning"] is not None else profile
            for row in rows
        ],
        dtype=float,
    )
    gross = np.array([row["gross_cost_mnok"] for row in rows])
    inputs = ProjectInputs(
        base_year=base,
        n_years=n_years,
        included=included,
        planned_start=np.array([row["planned_start"] - base for row in rows], dtype=float),
        earliest_start=np.array([row["earliest_start"] - base for row in rows], dtype=float),
        phase_years=np.array([[row[f"{p}_months"] / 12 for p in PHASES] for row in rows]).reshape(-1, len(PHASES)),
        phase_cost_share=share.reshape(-1, len(PHASES)),
        gross_cost_mnok=gross,
        plan_spend_mnok=plan,
        depends_on=tuple(tuple(ids.index(d) for d in deps[i]) for i in ids),
        large=gross >= cfg.large_project_mnok,
        delivery_capacity=cfg.delivery_capacity,
        plan_shift_years=np.array([float(row.get("_deferred", 0)) for row in rows]),
    )

    def spec(category: str) -> Uncertainty:
        return cfg.uncertainty_by_category.get(category, cfg.uncertainty)

    phase = np.array([[_distribution(getattr(spec(row["category"]), p)) for p in PHASES] for row in rows]).reshape(
        -1, len(PHASES), 4
    )
    cost = np.array([_distribution(spec(row["category"]).cost) for row in rows]).reshape(-1, 4)
    distributions = Distributions(
        phase_kind=phase[:, :, 0].astype(np.int64),
        phase_a=phase[:, :, 1],
        phase_b=phase[:, :, 2],
        phase_c=phase[:, :, 3],
        cost_kind=cost[:, 0].astype(np.int64),
        cost_a=cost[:, 1],
        cost_b=cost[:, 2],
        cost_c=cost[:, 3],
    )

    def column(name: str, default: float = np.nan) -> np.ndarray:
        return np.array([default if row[name] is None else row[name] for row in rows], dtype=float)

    return ProjectsData(
        ids=tuple(ids),
        names=tuple(row["name"] for row in rows),
        categories=tuple(row["category"] for row in rows),
        services=tuple(row["service"] for row in rows),
        zones=tuple(row["zone"] for row in rows),
        facilities=tuple(row["facility"] for row in rows),
        capacity_places=column("capacity_places"),
        capacity_years=column("capacity_years"),
        mandatory=np.array([BOOL[row["mandatory"]] for row in rows]),
        planned_start_year=np.array([row["planned_start"] for row in rows]),
        earliest_start_year=np.array([row["earliest_start"] for row in rows]),
        latest_completion_year=column("latest_completion"),
        exclusive_group=tuple(row["exclusive_group"] for row in rows),
        vat_compensation_share=column("vat_compensation_share"),
        husbanken_places=column("husbanken_places", 0.0),
        operating_cost_mnok_per_year=column("operating_cost_mnok_per_year"),
        operating_offset_mnok_per_year=column("operating_offset_mnok_per_year"),
        inputs=inputs,
        distributions=distributions,
        stochastic=cfg.mode == "stochastic",
        housing_deps=tuple(tuple(housing_deps.get(i, ())) for i in ids),
    )
