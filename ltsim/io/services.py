"""Load zone systems, services, the facility register and capacity events (tables → arrays).

Called from :func:`ltsim.scenario.load_scenario`, which passes in how to read a table and
how to locate a YAML field, so every error still names the file and line or row.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from ltsim.errors import InputError, Problem, show
from ltsim.io.tables import Column, Table
from ltsim.models import capacity as cap_model
from ltsim.schema import BUILTIN_ZONE_SYSTEMS, MUNICIPALITY_ZONE, PLACES_MAX, ScenarioConfig, number_text

SHARE_TOLERANCE = 1e-6
Loc = tuple[str | int, ...]
ReadTable = Callable[[str, Sequence[Column], Sequence[str]], Table]
MakeProblem = Callable[[Loc, str, str | None], Problem]


@dataclass(frozen=True, slots=True)
class ZoneSystemData:
    """Zones and the share of each planning area's residents in each zone ([A, Z], rows sum to 1)."""

    id: str
    zone_ids: tuple[str, ...]
    zone_names: tuple[str, ...]
    share: np.ndarray


@dataclass(frozen=True, slots=True)
class ServiceData:
    """A service on the model grid: coverage [Y+1, N], weight [N], private share [Y+1]."""

    id: str
    name: str
    zone_system: str
    coverage: np.ndarray
    weight: np.ndarray
    private_share: np.ndarray
    target_utilisation: float


@dataclass(frozen=True, slots=True)
class CapacityData:
    """The facility register and events after the active measures are applied."""

    facility_ids: tuple[str, ...]
    facility_names: tuple[str, ...]
    facility_zones: tuple[str, ...]
    register: cap_model.Register
    events: cap_model.Events
    active_measures: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ServicesData:
    """Everything the demand and capacity models need."""

    zone_systems: dict[str, ZoneSystemData]
    services: tuple[ServiceData, ...]
    capacity: CapacityData | None

    def service_index(self, service_id: str) -> int:
        """Position of a service in :attr:`services`."""
        return [s.id for s in self.services].index(service_id)


def zone_system_file_keys(config: ScenarioConfig) -> list[Loc]:
    """Key paths of every CSV that the services and capacity sections name."""
    locs: list[Loc] = [("zone_systems", i, "mapping") for i in range(len(config.zone_systems))]
    if config.capacity is not None:
        locs.append(("capacity", "facilities"))
        if config.capacity.events is not None:
            locs.append(("capacity", "events"))
        for name, measure in config.capacity.measures.items():
            for field in ("facilities", "events"):
                if getattr(measure, field) is not None:
                    locs.append(("capacity", "measures", name, field))
    return locs


def check_services_config(config: ScenarioConfig, max_age: int, problem: MakeProblem) -> list[Problem]:
    """Cross-field checks of the services and capacity sections (no tables needed)."""
    problems: list[Problem] = []
    systems = [z.id for z in config.zone_systems]
    for i, zs in enumerate(config.zone_systems):
        if zs.id in BUILTIN_ZONE_SYSTEMS:
            problems.append(
                problem(
                    ("zone_systems", i, "id"),
                    f"a name other than the built-in {', '.join(BUILTIN_ZONE_SYSTEMS)}",
                    show(zs.id),
                )
            )
        if zs.id in systems[:i]:
            problems.append(problem(("zone_systems", i, "id"), "each zone system id once", show(zs.id)))
        ids = [z.id for z in zs.zones]
        for j, zone_id in enumerate(ids):
            if zone_id in ids[:j]:
                problems.append(
                    problem(("zone_systems", i, "zones", j, "id"), "each zone id once in a zone system", show(zone_id))
                )
    known = [*BUILTIN_ZONE_SYSTEMS, *systems]
    service_ids = [s.id for s in config.services]
    for i, svc in enumerate(config.services):
        if svc.id in service_ids[:i]:
            problems.append(problem(("services", i, "id"), "each service id once", show(svc.id)))
        if svc.zone_system not in known:
            problems.append(
                problem(
                    ("services", i, "zone_system"),
                    f"a declared zone system ({', '.join(known)})",
                    show(svc.zone_system),
                )
            )
        for field in ("coverage", "place_weight"):
            bands = getattr(svc, field)
            for j, band in enumerate(bands):
                lo, hi = band.ages
                if hi > max_age:
                    problems.append(
                        problem(
                            ("services", i, field, j, "ages"),
                            f"ages within 0–{max_age} (population.max_age)",
                            f"[{lo}, {hi}]",
                        )
                    )
                for k, other in enumerate(bands[:j]):
                    if lo <= other.ages[1] and other.ages[0] <= hi:
                        problems.append(
                            problem(
                                ("services", i, field, j, "ages"),
                                f"age bands that do not overlap ({field}[{k}] covers {other.ages[0]}–{other.ages[1]})",
                                f"[{lo}, {hi}]",
                            )
                        )
    cap = config.capacity
    if cap is not None:
        if not config.services:
            problems.append(
                problem(("capacity",), "services declared under 'services' for the facilities to serve", "no services")
            )
        for j, name in enumerate(cap.active_measures):
            if name not in cap.measures:
                choices = ", ".join(cap.measures) or "none declared"
                problems.append(
                    problem(
                        ("capacity", "active_measures", j),
                        f"a measure declared under capacity.measures ({choices})",
                        show(name),
                    )
                )
    return problems


def _zone_system(config: ScenarioConfig, system_id: str) -> ZoneSystemData | None:
    areas = config.areas
    n = len(areas)
    if system_id == "areas":
        return ZoneSystemData("areas", tuple(a.id for a in areas), tuple(a.name for a in areas), np.eye(n))
    if system_id == "municipality":
        return ZoneSystemData("municipality", (MUNICIPALITY_ZONE,), ("Hele kommunen",), np.ones((n, 1)))
    return None


def load_services(
    config: ScenarioConfig, years: np.ndarray, max_age: int, table: ReadTable, problem: MakeProblem
) -> ServicesData:
    """Read and check zone mappings, build service arrays, read the register and events."""
    area_ids = tuple(a.id for a in config.areas)
    systems: dict[str, ZoneSystemData] = {}
    for builtin in BUILTIN_ZONE_SYSTEMS:
        data = _zone_system(config, builtin)
        assert data is not None
        systems[builtin] = data
    for i, zs in enumerate(config.zone_systems):
        zone_ids = tuple(z.id for z in zs.zones)
        t = table(
            f"zone_systems.{i}.mapping",
            [
                Column("area", "str", choices=area_ids),
                Column(
                    "zone", "str", choices=zone_ids, expected=f"a zone of zone system {zs.id!r} ({', '.join(zone_ids)})"
                ),
                Column("share", "float", 0.0, 1.0, expected="the share of the area's residents in the zone, 0–1"),
            ],
            ["area", "zone"],
        )
        share = np.zeros((len(area_ids), len(zone_ids)))
        for area, zone, s in zip(t.columns["area"], t.columns["zone"], t.columns["share"], strict=True):
            share[area_ids.index(area), zone_ids.index(zone)] = s
        bad = [
            Problem(
                "shares of each planning area that sum to 1 over its zones (every area must be mapped)",
                file=str(t.file),
                field=f"area {area!r}",
                found=f"a sum of {share[k].sum():.6g}",
                row=True,
            )
            for k, area in enumerate(area_ids)
            if abs(share[k].sum() - 1.0) > SHARE_TOLERANCE
        ]
        if bad:
            raise InputError(bad)
        systems[zs.id] = ZoneSystemData(zs.id, zone_ids, tuple(z.name for z in zs.zones), share)

    n_ages = max_age + 1
    services = []
    for svc in config.services:
        coverage = np.zeros((len(years), n_ages))
        for band in svc.coverage:
            lo, hi = band.ages
            coverage[:, lo : hi + 1] = band.rate.at(years)[:, None]
        weight = np.ones(n_ages)
        for band in svc.place_weight:
            weight[band.ages[0] : band.ages[1] + 1] = band.weight
        services.append(
            ServiceData(
                id=svc.id,
                name=svc.name,
                zone_system=svc.zone_system,
                coverage=coverage,
                weight=weight,
                private_share=svc.private_share.at(years),
                target_utilisation=svc.target_utilisation,
            )
        )
    services_t = tuple(services)
    capacity = _load_capacity(config, years, systems, services_t, table, problem) if config.capacity else None
    return ServicesData(zone_systems=systems, services=services_t, capacity=capacity)


def _facility_columns(config: ScenarioConfig, years: np.ndarray) -> list[Column]:
    service_ids = tuple(s.id for s in config.services)
    return [
        Column("id", "str", expected="a facility id", pattern=r"^[a-z0-9][a-z0-9_]*$"),
        Column("name", "str", expected="a facility name"),
        Column("service", "str", choices=service_ids),
        Column("zone", "str", expected="a zone of the service's zone system"),
        Column(
            "capacity_places",
            "float",
            0.0,
            PLACES_MAX,
            expected=f"places > 0 and ≤ {number_text(PLACES_MAX)}",
            lo_open=True,
        ),
        Column(
            "opens", "int", 1800, int(years[-1]), expected=f"the first year with the capacity (up to {int(years[-1])})"
        ),
        Column(
            "closes",
            "int",
            1800,
            3000,
            required=False,
            expected="the first year without the facility, or blank if no closure is planned",
        ),
        Column(
            "target_utilisation",
            "float",
            0.0,
            1.0,
            required=False,
            lo_open=True,
            expected="a fraction above 0 and at most 1, or blank for the service's default",
        ),
    ]


def _event_columns(config: ScenarioConfig, years: np.ndarray) -> list[Column]:
    lo, hi = int(years[0]), int(years[-1])
    return [
        Column("year", "int", lo, hi, expected=f"a year within the horizon {lo}–{hi}"),
        Column("event", "str", choices=cap_model.EVENT_KINDS),
        Column("facility", "str", expected="a facility id from the register"),
        Column(
            "places",
            "float",
            -PLACES_MAX,
            PLACES_MAX,
            required=False,
            expected=f"a number of places from −{number_text(PLACES_MAX)} to {number_text(PLACES_MAX)}"
            " (blank where the event needs none)",
        ),
        Column("to_facility", "str", required=False, expected="the facility that receives a merger (blank otherwise)"),
        Column("to_service", "str", required=False, expected="the new service of a change of use (blank otherwise)"),
    ]


def _load_capacity(
    config: ScenarioConfig,
    years: np.ndarray,
    systems: dict[str, ZoneSystemData],
    services: tuple[ServiceData, ...],
    table: ReadTable,
    problem: MakeProblem,
) -> CapacityData:
    cap = config.capacity
    assert cap is not None
    service_ids = tuple(s.id for s in services)
    by_id = {s.id: s for s in services}
    fac_cols = _facility_columns(config, years)
    ev_cols = _event_columns(config, years)

    rows: list[dict[str, Any]] = []
    problems: list[Problem] = []

    def read_facilities(key: str) -> None:
        t = table(key, fac_cols, ["id"])
        for r in range(len(t)):
            rec = {c.name: t.columns[c.name][r] for c in fac_cols}
            rec["_where"] = (str(t.file), int(t.rows[r]))
            rows.append(rec)

    read_facilities("capacity.facilities")
    event_sets: list[tuple[str | None, Table]] = []
    if cap.events is not None:
        event_sets.append((None, table("capacity.events", ev_cols, [])))
    for name, measure in cap.measures.items():
        if measure.facilities is not None:
            before = len(rows)
            read_facilities(f"capacity.measures.{name}.facilities")
            for rec in rows[before:]:
                rec["_measure"] = name
        if measure.events is not None:
            event_sets.append((name, table(f"capacity.measures.{name}.events", ev_cols, [])))

    def row_problem(where: tuple[str, int], column: str, expected: str, found: str | None) -> Problem:
        return Problem(expected, file=where[0], line=where[1], field=f"column {column!r}", found=found, row=True)

    seen: dict[str, tuple[str, int]] = {}
    for rec in rows:
        fid = rec["id"]
        if fid in seen:
            problems.append(
                row_problem(
                    rec["_where"],
                    "id",
                    f"each facility id once (also in {seen[fid][0]}, row {seen[fid][1]})",
                    show(fid),
                )
            )
        seen.setdefault(fid, rec["_where"])
        system = systems.get(by_id[rec["service"]].zone_system)
        if system is not None and rec["zone"] not in system.zone_ids:
            problems.append(
                row_problem(
                    rec["_where"],
                    "zone",
                    f"a zone of zone system {system.id!r} used by {rec['service']!r} ({', '.join(system.zone_ids)})",
                    show(rec["zone"]),
                )
            )
        closes = rec["closes"]
        if closes is not None and closes <= rec["opens"]:
            problems.append(
                row_problem(
                    rec["_where"], "closes", f"a closing year after the opening year {rec['opens']}", str(closes)
                )
            )
    if problems:
        raise InputError(problems)

    active = set(cap.active_measures)
    index_all = {rec["id"]: k for k, rec in enumerate(rows)}
    events: list[tuple[int, int, Table, int, str | None]] = []  # (year, order, table, row, measure)
    order = 0
    for measure, t in event_sets:
        for r in range(len(t)):
            events.append((int(t.columns["year"][r]), order, t, r, measure))
            order += 1
    events.sort(key=lambda e: (e[0], e[1]))

    def check_events(measure_on: set[str | None]) -> None:
        """Replay events in year order, checking each against the facility's state."""
        present = {rec["id"] for rec in rows if rec.get("_measure") in measure_on}
        opens = {rec["id"]: rec["opens"] for rec in rows}
        closed = {rec["id"]: (rec["closes"] if rec["closes"] is not None else cap_model.NEVER) for rec in rows}
        places = {rec["id"]: rec["capacity_places"] for rec in rows}
        service = {rec["id"]: rec["service"] for rec in rows}
        zone = {rec["id"]: rec["zone"] for rec in rows}
        for year, _, t, r, measure in events:
            if measure not in measure_on:
                continue
            where = (str(t.file), int(t.rows[r]))
            kind = t.columns["event"][r]
            fid = t.columns["facility"][r]
            n = t.columns["places"][r]
            to_f = t.columns["to_facility"][r]
            to_s = t.columns["to_service"][r]
            if to_f is not None and kind != "merger":
                problems.append(
                    row_problem(
                        where, "to_facility", f"a blank cell (only a merger names one, not {kind!r})", show(to_f)
                    )
                )
                continue
            if to_s is not None and kind != "change_of_use":
                problems.append(
                    row_problem(
                        where, "to_service", f"a blank cell (only a change_of_use names one, not {kind!r})", show(to_s)
                    )
                )
                continue
            if fid not in present:
                problems.append(
                    row_problem(
                        where, "facility", "a facility in the register (or in this measure's facilities)", show(fid)
                    )
                )
                continue
            if year < opens[fid]:
                what = "a closure" if kind == "closure" else f"a {kind.replace('_', ' ')}"
                problems.append(
                    row_problem(where, "year", f"{what} in or after the year {fid!r} opens ({opens[fid]})", str(year))
                )
                continue
            if year >= closed[fid]:
                problems.append(
                    row_problem(where, "year", f"an event before {fid!r} closes ({closed[fid]})", str(year))
                )
                continue
            if kind == "extension":
                if n is None:
                    problems.append(
                        row_problem(where, "places", "the change in places for an extension", "a blank cell")
                    )
                    continue
                places[fid] += n
                if places[fid] < 0:
                    problems.append(
                        row_problem(
                            where,
                            "places",
                            f"a reduction no larger than the {places[fid] - n:g} places {fid!r} has",
                            f"{n:g}",
                        )
                    )
            elif kind == "closure":
                closed[fid] = year
            elif kind == "merger":
                if to_f is None:
                    problems.append(
                        row_problem(where, "to_facility", "the facility that receives the merger", "a blank cell")
                    )
                    continue
                if to_f not in present or to_f == fid:
                    problems.append(row_problem(where, "to_facility", "another facility in the register", show(to_f)))
                    continue
                if not opens[to_f] <= year < closed[to_f]:
                    state = f"opens {opens[to_f]}" if year < opens[to_f] else f"closes {closed[to_f]}"
                    problems.append(
                        row_problem(
                            where, "to_facility", f"a facility that is open in {year} ({to_f!r} {state})", show(to_f)
                        )
                    )
                    continue
                if service[to_f] != service[fid]:
                    problems.append(
                        row_problem(
                            where,
                            "to_facility",
                            f"a facility of the same service ({service[fid]!r})",
                            f"{to_f!r} ({service[to_f]!r})",
                        )
                    )
                    continue
                places[to_f] += places[fid]
                closed[fid] = year
            elif kind == "change_of_use":
                if to_s is None or to_s not in service_ids:
                    problems.append(
                        row_problem(
                            where,
                            "to_service",
                            f"a declared service ({', '.join(service_ids)})",
                            show(to_s) if to_s else "a blank cell",
                        )
                    )
                    continue
                system = systems[by_id[to_s].zone_system]
                if zone[fid] not in system.zone_ids:
                    problems.append(
                        row_problem(
                            where,
                            "to_service",
                            f"a service whose zone system has the facility's zone {zone[fid]!r}",
                            show(to_s),
                        )
                    )
                    continue
                service[fid] = to_s
                if n is not None:
                    places[fid] = n

    check_events({None})
    for name in cap.measures:
        check_events({None, name})
    if problems:
        unique = {str(p): p for p in problems}  # a base-plan problem shows once, not once per measure
        raise InputError(list(unique.values())[:25])

    on = {None} | active
    kept = [rec for rec in rows if rec.get("_measure") in on]
    ids = tuple(rec["id"] for rec in kept)
    register = cap_model.Register(
        capacity_places=np.array([rec["capacity_places"] for rec in kept], dtype=np.float64),
        opens=np.array([rec["opens"] for rec in kept], dtype=np.int64),
        closes=np.array(
            [rec["closes"] if rec["closes"] is not None else cap_model.NEVER for rec in kept], dtype=np.int64
        ),
        service=np.array([service_ids.index(rec["service"]) for rec in kept], dtype=np.int64),
        utilisation=np.array(
            [
                rec["target_utilisation"]
                if rec["target_utilisation"] is not None
                else by_id[rec["service"]].target_utilisation
                for rec in kept
            ]
        ),
    )
    chosen = [e for e in events if e[4] in on]
    cols: dict[str, list[Any]] = {k: [] for k in ("year", "kind", "facility", "places", "to_facility", "to_service")}
    for year, _, t, r, _m in chosen:
        cols["year"].append(year)
        cols["kind"].append(cap_model.EVENT_KINDS.index(t.columns["event"][r]))
        cols["facility"].append(ids.index(t.columns["facility"][r]))
        n = t.columns["places"][r]
        cols["places"].append(np.nan if n is None else n)
        to_f = t.columns["to_facility"][r]
        cols["to_facility"].append(ids.index(to_f) if to_f else -1)
        to_s = t.columns["to_service"][r]
        cols["to_service"].append(service_ids.index(to_s) if to_s else -1)
    events_arr = cap_model.Events(
        year=np.array(cols["year"], dtype=np.int64),
        kind=np.array(cols["kind"], dtype=np.int64),
        facility=np.array(cols["facility"], dtype=np.int64),
        places=np.array(cols["places"], dtype=np.float64),
        to_facility=np.array(cols["to_facility"], dtype=np.int64),
        to_service=np.array(cols["to_service"], dtype=np.int64),
    )
    del index_all
    return CapacityData(
        facility_ids=ids,
        facility_names=tuple(rec["name"] for rec in kept),
        facility_zones=tuple(rec["zone"] for rec in kept),
        register=register,
        events=events_arr,
        active_measures=tuple(cap.active_measures),
    )
