"""Read and check ``plan:`` — project types, candidate sites, closure candidates — and lay builds out as catalogue rows.

A chosen build (``plan.builds``) or closure (``plan.closed``) becomes one row of the project
catalogue, so ``ltsim run`` simulates it like any other project (phases, spend, capacity from its
completion year, finance); ``ltsim plan`` makes the same rows for every candidate it may choose.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from ltsim.errors import InputError, Problem, show
from ltsim.io.services import ServicesData
from ltsim.io.tables import Column
from ltsim.models import capacity as cap_model
from ltsim.models.projects import PHASES
from ltsim.schema import ASSET_CATEGORIES, MNOK_MAX, MNOK_PER_UNIT_MAX, PLACES_MAX, ScenarioConfig, number_text

Loc = tuple[str | int, ...]
MakeProblem = Callable[[Loc, str, str | None], Problem]
ALTERNATIVES = ("new_build", "extension", "renovation", "modules", "rented")
ID = r"^[a-z0-9][a-z0-9_]*$"
BOOL = {"true": True, "false": False, "yes": True, "no": False, "ja": True, "nei": False}


@dataclass(frozen=True, slots=True)
class ProjectType:
    """A standard project: one module size of one service, its cost, build time and running cost."""

    id: str
    name: str
    service: str
    alternative: str
    category: str
    capacity_places: float
    gross_cost_mnok: float  # fixed + per place × places, incl. VAT
    phase_months: tuple[float, float, float, float]
    capacity_years: float  # NaN: permanent; else the places are in use this many years (modules, rent)
    operating_cost_mnok_per_year: float  # beyond the service's per-user unit costs (FDV, rent); < 0 saves
    vat_compensation_share: float  # NaN: the scenario's default
    husbanken: bool
    source: str

    @property
    def build_years(self) -> float:
        """Planning to completion [years]."""
        return sum(self.phase_months) / 12.0


@dataclass(frozen=True, slots=True)
class Site:
    """Where builds may go: a zone of one service, the types allowed, when, at what land cost, how many."""

    id: str
    service: str
    zone: str
    types: tuple[str, ...]
    earliest_start: int
    land_cost_mnok: float
    max_builds: int
    facility: str | None  # extensions on this site add to this facility
    source: str


@dataclass(frozen=True, slots=True)
class ClosureCandidate:
    """A facility that may close: its places leave the register, its running cost is saved."""

    facility: str
    service: str
    zone: str
    category: str
    earliest_year: int
    cost_mnok: float  # one-off (adapting the receiving facility, moving)
    saving_mnok_per_year: float  # operating cost no longer paid (net of transport and other new costs)
    capacity_places: float
    source: str


@dataclass(frozen=True, slots=True)
class PlanData:
    """The plan's tables, checked."""

    types: dict[str, ProjectType]
    sites: dict[str, Site]
    closures: dict[str, ClosureCandidate]


def _type_columns(service_ids: tuple[str, ...]) -> list[Column]:
    months = [Column(f"{p}_months", "float", 0.0, 240.0, expected="a duration in months from 0 to 240") for p in PHASES]
    return [
        Column("id", "str", pattern=ID, expected="a type id of lower-case letters, digits and '_'"),
        Column("name", "str", expected="a name"),
        Column("service", "str", choices=service_ids, expected=f"a declared service ({', '.join(service_ids)})"),
        Column("alternative", "str", choices=ALTERNATIVES, expected="one of " + ", ".join(ALTERNATIVES)),
        Column(
            "category",
            "str",
            choices=tuple(ASSET_CATEGORIES),
            expected="an asset category (" + ", ".join(ASSET_CATEGORIES) + ")",
        ),
        Column(
            "capacity_places",
            "float",
            0.0,
            PLACES_MAX,
            lo_open=True,
            expected=f"places added, above 0 and at most {number_text(PLACES_MAX)}",
        ),
        Column(
            "cost_mnok_per_place",
            "float",
            0.0,
            MNOK_PER_UNIT_MAX,
            expected=f"gross cost per place in NOK million incl. VAT, 0 to {number_text(MNOK_PER_UNIT_MAX)}",
        ),
        Column(
            "fixed_cost_mnok",
            "float",
            0.0,
            MNOK_MAX,
            expected=f"a fixed cost in NOK million (0 if none), up to {number_text(MNOK_MAX)}",
        ),
        *months,
        Column(
            "capacity_years",
            "int",
            1,
            200,
            required=False,
            expected="the years the places stay in use (1–200; modules, a lease), or blank for permanent",
        ),
        Column(
            "operating_cost_mnok_per_place_year",
            "float",
            -MNOK_PER_UNIT_MAX,
            MNOK_PER_UNIT_MAX,
            expected="running cost per place a year in NOK million beyond the per-user unit costs (0 if none;"
            f" at most {number_text(MNOK_PER_UNIT_MAX)} in size)",
        ),
        Column(
            "vat_compensation_share",
            "float",
            0.0,
            1.0,
            required=False,
            expected="a share of the gross cost 0–1, or blank for the scenario's",
        ),
        Column("husbanken", "str", choices=tuple(BOOL), expected="true or false (Husbanken's investment grant)"),
        Column("source", "str", expected="where the cost and size come from"),
    ]


def _site_columns(service_ids: tuple[str, ...], base: int, hi: int) -> list[Column]:
    return [
        Column("id", "str", pattern=ID, expected="a site id of lower-case letters, digits and '_'"),
        Column("service", "str", choices=service_ids, expected=f"a declared service ({', '.join(service_ids)})"),
        Column("zone", "str", expected="a zone of the service's zone system"),
        Column("types", "str", expected="project type ids separated by spaces"),
        Column("earliest_start", "int", base, hi, expected=f"a year from {base} to {hi}"),
        Column(
            "land_cost_mnok",
            "float",
            0.0,
            MNOK_MAX,
            expected=f"land cost in NOK million (0 for land the municipality owns), up to {number_text(MNOK_MAX)}",
        ),
        Column("max_builds", "int", 1, 100, expected="how many builds the site takes, 1 to 100"),
        Column("max_places", "float", 0.0, PLACES_MAX, required=False, expected="the most places the site takes"),
        Column("facility", "str", required=False, expected="the facility an extension adds to, or blank"),
        Column("source", "str", expected="where the site comes from"),
    ]


def _closure_columns(base: int, hi: int) -> list[Column]:
    return [
        Column("facility", "str", expected="a facility in the register"),
        Column(
            "category",
            "str",
            choices=tuple(ASSET_CATEGORIES),
            expected="the asset category of the one-off cost (" + ", ".join(ASSET_CATEGORIES) + ")",
        ),
        Column("earliest_year", "int", base, hi, expected=f"a year from {base} to {hi}"),
        Column("cost_mnok", "float", 0.0, MNOK_MAX, expected="one-off cost in NOK million (0 if none)"),
        Column(
            "saving_mnok_per_year",
            "float",
            -MNOK_MAX,
            MNOK_MAX,
            expected="operating cost saved a year in NOK million, net of new costs such as transport",
        ),
        Column("source", "str", expected="where the saving comes from"),
    ]


def load_plan(config: ScenarioConfig, services: ServicesData, table: Any, problem: MakeProblem) -> PlanData | None:
    """Read ``plan.types``, ``plan.sites`` and ``plan.closures``; check them against services, zones and facilities."""
    spec = config.plan
    if spec is None:
        return None
    base, end = config.horizon.base_year, config.horizon.end_year
    service_ids = tuple(s.id for s in config.services)
    problems: list[Problem] = []

    tt = table("plan.types", _type_columns(service_ids), ["id"])
    types: dict[str, ProjectType] = {}
    for r in range(len(tt)):
        c = {k: v[r] for k, v in tt.columns.items()}
        places = float(c["capacity_places"])
        types[c["id"]] = ProjectType(
            id=c["id"],
            name=c["name"],
            service=c["service"],
            alternative=c["alternative"],
            category=c["category"],
            capacity_places=places,
            gross_cost_mnok=float(c["fixed_cost_mnok"]) + float(c["cost_mnok_per_place"]) * places,
            phase_months=tuple(float(c[f"{p}_months"]) for p in PHASES),  # type: ignore[arg-type]
            capacity_years=np.nan if c["capacity_years"] is None else float(c["capacity_years"]),
            operating_cost_mnok_per_year=float(c["operating_cost_mnok_per_place_year"]) * places,
            vat_compensation_share=np.nan
            if c["vat_compensation_share"] is None
            else float(c["vat_compensation_share"]),
            husbanken=BOOL[c["husbanken"]],
            source=c["source"],
        )
        if types[c["id"]].gross_cost_mnok > MNOK_MAX:
            problems.append(
                Problem(
                    f"a gross cost (fixed + per place × places) up to {number_text(MNOK_MAX)} NOK million",
                    file=str(tt.file),
                    line=int(tt.rows[r]),
                    field="column 'cost_mnok_per_place'",
                    found=f"{types[c['id']].gross_cost_mnok:g}",
                    row=True,
                )
            )

    st = table("plan.sites", _site_columns(service_ids, base, end - 1), ["id"])
    by_service = {s.id: s for s in services.services}
    cap = services.capacity
    sites: dict[str, Site] = {}
    for r in range(len(st)):
        c = {k: v[r] for k, v in st.columns.items()}

        def bad(column: str, expected: str, found: str, c: dict[str, Any] = c, r: int = r) -> None:
            problems.append(
                Problem(
                    expected, file=str(st.file), line=int(st.rows[r]), field=f"column {column!r}", found=found, row=True
                )
            )

        svc = by_service[c["service"]]
        system = services.zone_systems[svc.zone_system]
        if c["zone"] not in system.zone_ids:
            bad("zone", f"a zone of zone system {system.id!r} ({', '.join(system.zone_ids)})", show(c["zone"]))
        allowed = tuple(c["types"].split())
        for t in allowed:
            if t not in types:
                bad("types", f"project types from plan.types ({', '.join(types) or 'none'})", show(t))
            elif types[t].service != c["service"]:
                bad("types", f"types of service {c['service']!r}", f"{t!r}, a type of {types[t].service!r}")
            elif c["max_places"] is not None and types[t].capacity_places > c["max_places"] + 1e-9:
                bad(
                    "types",
                    f"types that fit the site's max_places {c['max_places']:g}",
                    f"{t!r} with {types[t].capacity_places:g} places",
                )
        if not allowed:
            bad("types", "at least one project type", "none")
        fac = c["facility"]
        if fac is not None:
            if cap is None or fac not in cap.facility_ids:
                bad("facility", "a facility in the register (capacity.facilities)", show(fac))
            else:
                i = cap.facility_ids.index(fac)
                if cap.facility_zones[i] != c["zone"] or services.services[cap.register.service[i]].id != c["service"]:
                    bad("facility", f"a facility of service {c['service']!r} in zone {c['zone']!r}", show(fac))
        sites[c["id"]] = Site(
            id=c["id"],
            service=c["service"],
            zone=c["zone"],
            types=allowed,
            earliest_start=int(c["earliest_start"]),
            land_cost_mnok=float(c["land_cost_mnok"]),
            max_builds=int(c["max_builds"]),
            facility=fac,
            source=c["source"],
        )

    closures: dict[str, ClosureCandidate] = {}
    if spec.closures is not None:
        ct = table("plan.closures", _closure_columns(base, end - 1), ["facility"])
        years = np.arange(base, end + 1)
        led = None if cap is None else cap_model.ledger(cap.register, cap.events, years)
        for r in range(len(ct)):
            c = {k: v[r] for k, v in ct.columns.items()}

            def bad_c(column: str, expected: str, found: str, r: int = r) -> None:
                problems.append(
                    Problem(
                        expected,
                        file=str(ct.file),
                        line=int(ct.rows[r]),
                        field=f"column {column!r}",
                        found=found,
                        row=True,
                    )
                )

            fac = c["facility"]
            if cap is None or led is None or fac not in cap.facility_ids:
                bad_c("facility", "a facility in the register (capacity.facilities)", show(fac))
                continue
            i = cap.facility_ids.index(fac)
            u = int(c["earliest_year"]) - base
            later = led.places[i, u:]
            if not later.size or later[0] <= 0:
                bad_c("earliest_year", f"a year in which {fac!r} is open", str(c["earliest_year"]))
                continue
            if np.any(np.abs(later - later[0]) > 1e-9) or np.any(led.service[i, u:] != led.service[i, u]):
                bad_c(
                    "facility",
                    f"a facility whose places stay the same from earliest_year {c['earliest_year']} on",
                    f"{fac!r}, whose capacity events change it later",
                )
                continue
            closures[fac] = ClosureCandidate(
                facility=fac,
                service=services.services[int(led.service[i, u])].id,
                zone=cap.facility_zones[i],
                category=c["category"],
                earliest_year=int(c["earliest_year"]),
                cost_mnok=float(c["cost_mnok"]),
                saving_mnok_per_year=float(c["saving_mnok_per_year"]),
                capacity_places=float(later[0]),
                source=c["source"],
            )

    for service in spec.shortfall_cost_mnok_per_place_year:
        if service not in service_ids:
            problems.append(
                problem(("plan", "shortfall_cost_mnok_per_place_year", service), "a declared service", show(service))
            )
    for i, service in enumerate(spec.no_shortfall):
        if service not in service_ids:
            problems.append(problem(("plan", "no_shortfall", i), "a declared service", show(service)))
    for service in spec.min_utilisation:
        if service not in service_ids:
            problems.append(problem(("plan", "min_utilisation", service), "a declared service", show(service)))
    for i, limit in enumerate(spec.build_limits):
        if limit.service not in service_ids:
            problems.append(problem(("plan", "build_limits", i, "service"), "a declared service", show(limit.service)))
        elif limit.zone is not None:
            zones = services.zone_systems[by_service[limit.service].zone_system].zone_ids
            if limit.zone not in zones:
                problems.append(
                    problem(("plan", "build_limits", i, "zone"), f"a zone of {limit.service}", show(limit.zone))
                )
    for i, b in enumerate(spec.builds):
        site = sites.get(b.site)
        if site is None:
            problems.append(problem(("plan", "builds", i, "site"), "a site from plan.sites", show(b.site)))
        elif b.type not in site.types:
            problems.append(
                problem(("plan", "builds", i, "type"), f"a type the site allows ({' '.join(site.types)})", show(b.type))
            )
        elif b.start_year < site.earliest_start:
            problems.append(
                problem(
                    ("plan", "builds", i, "start_year"),
                    f"a year at or after the site's earliest start {site.earliest_start}",
                    str(b.start_year),
                )
            )
    for i, closure in enumerate(spec.closed):
        cand = closures.get(closure.facility)
        if cand is None:
            problems.append(
                problem(("plan", "closed", i, "facility"), "a facility listed in plan.closures", show(closure.facility))
            )
        elif closure.year < cand.earliest_year:
            problems.append(
                problem(
                    ("plan", "closed", i, "year"),
                    f"a year at or after its earliest_year {cand.earliest_year}",
                    str(closure.year),
                )
            )
    if problems:
        raise InputError(problems)
    return PlanData(types=types, sites=sites, closures=closures)


def build_id(site: str, type_id: str, start_year: int) -> str:
    """The catalogue id of a chosen build."""
    return f"plan_{site}_{type_id}_{start_year}"


def closure_id(facility: str) -> str:
    """The catalogue id of a chosen closure."""
    return f"close_{facility}"


def build_row(plan: PlanData, site_id: str, type_id: str, pid: str, earliest: int, planned: int) -> dict[str, Any]:
    """A catalogue row for ``type_id`` on ``site_id``: cost + land, the type's phases, places in the site's zone."""
    site, kind = plan.sites[site_id], plan.types[type_id]
    extends = site.facility if kind.alternative in ("extension", "renovation") else None
    return {
        "id": pid,
        "name": f"{kind.name} ({site.id})",
        "category": kind.category,
        "service": site.service,
        "zone": site.zone,
        "facility": extends,
        "capacity_places": kind.capacity_places,
        "capacity_years": None if np.isnan(kind.capacity_years) else int(kind.capacity_years),
        "gross_cost_mnok": kind.gross_cost_mnok + site.land_cost_mnok,
        **{f"{p}_months": m for p, m in zip(PHASES, kind.phase_months, strict=True)},
        **{f"cost_share_{p}": None for p in PHASES},
        "earliest_start": earliest,
        "planned_start": planned,
        "latest_completion": None,
        "mandatory": "false",
        "depends_on": None,
        "exclusive_group": None,
        "vat_compensation_share": None if np.isnan(kind.vat_compensation_share) else kind.vat_compensation_share,
        "husbanken_places": kind.capacity_places if kind.husbanken else None,
        "operating_cost_mnok_per_year": kind.operating_cost_mnok_per_year,
        "operating_offset_mnok_per_year": None,  # a type's cost is beyond the unit costs: nothing to offset
    }


def closure_row(plan: PlanData, facility: str, pid: str, earliest: int, planned: int) -> dict[str, Any]:
    """A catalogue row closing ``facility`` from ``planned``: its places removed, its saving as a negative running cost."""
    c = plan.closures[facility]
    return {
        "id": pid,
        "name": f"Nedleggelse {facility}",
        "category": c.category,
        "service": c.service,
        "zone": c.zone,
        "facility": facility,
        "capacity_places": -c.capacity_places,
        "capacity_years": None,
        "gross_cost_mnok": c.cost_mnok,
        **{f"{p}_months": 0.0 for p in PHASES},
        **{f"cost_share_{p}": None for p in PHASES},
        "earliest_start": earliest,
        "planned_start": planned,
        "latest_completion": None,
        "mandatory": "false",
        "depends_on": None,
        "exclusive_group": None,
        "vat_compensation_share": None,
        "husbanken_places": None,
        "operating_cost_mnok_per_year": -c.saving_mnok_per_year,
        "operating_offset_mnok_per_year": None,
    }


def chosen_rows(config: ScenarioConfig, plan: PlanData | None) -> list[dict[str, Any]]:
    """Catalogue rows for ``plan.builds`` and ``plan.closed`` (each at its chosen year)."""
    if plan is None or config.plan is None:
        return []
    rows = [
        build_row(plan, b.site, b.type, build_id(b.site, b.type, b.start_year), b.start_year, b.start_year)
        for b in config.plan.builds
    ]
    rows += [closure_row(plan, c.facility, closure_id(c.facility), c.year, c.year) for c in config.plan.closed]
    return rows
