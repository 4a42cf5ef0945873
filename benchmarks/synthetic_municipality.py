"""A synthetic large municipality for the scale benchmarks (issue 21): 100 areas, 50 school zones, 400 projects,
300 housing developments, 40 years.

    python benchmarks/synthetic_municipality.py OUT_DIR [--areas 100] [--zones 50] [--projects 400]
        [--developments 300] [--years 40] [--seed 21]

writes ``OUT_DIR/scenario.yaml`` (and ``OUT_DIR/stochastic.yaml``, the same with drawn delays and overruns)
with its tables under ``OUT_DIR/data``. Its figures mean nothing; its shape is a large Norwegian
municipality's. The rate tables (mortality, fertility, out-migration, in-migration profiles, persons per
new dwelling) and the finance section are Asker's (``scenarios/asker``); everything with areas, zones,
facilities, projects and developments is drawn here from ``--seed``:

- each area starts from one of Asker's 12 areas' age structure (same persons), with Asker's in-migration
  level per area;
- primary school zones hold ``areas / zones`` areas each (two by default), lower-secondary zones two primary
  zones' areas, kindergartens are planned by area and 24-hour care for the whole municipality;
- every zone has schools and every area kindergartens sized to about its children in the base year;
- projects: new schools, kindergartens and care homes in random zones (and buildings without places:
  roads, culture, water) with Asker's cost, phase lengths and uncertainty; planned starts spread over the
  first 25 years; one in ten waits for an earlier project of its zone, pairs share an exclusive group;
- developments: 2–8 years of 30–150 dwellings of one type each, spread over the first 30 years;
- the finance section of Asker, with every NOK amount scaled by the population ratio.

Same arguments, same files (byte for byte).
"""

from __future__ import annotations

import argparse
import csv
import shutil
import sys
from pathlib import Path
from typing import Any

import numpy as np
import yaml

ROOT = Path(__file__).resolve().parents[1]
ASKER = ROOT / "scenarios" / "asker"
RATE_TABLES = (
    "mortality.csv",
    "fertility.csv",
    "out_migration_rates.csv",
    "in_migration_profiles.csv",
    "new_dwelling_occupancy.csv",
)
PLACE_SERVICES = {  # service: (category, places of a new build, gross cost [NOK million per place])
    "kindergarten": ("kindergarten", (72, 144), 2.4),
    "primary_school": ("school", (300, 700), 1.1),
    "lower_secondary": ("school", (300, 600), 1.2),
    "care_24h": ("nursing_home", (48, 120), 4.0),
}
OTHER_CATEGORIES = ("roads", "culture", "sports", "water_sewage", "administration", "church_cemetery")


def _write_csv(path: Path, header: list[str], rows: list[list[Any]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(header)
        w.writerows(rows)


def _scale_mnok(value: Any, factor: float, key: str = "") -> Any:
    """``value`` with every NOK amount (keys ending in ``_mnok``, including year maps) multiplied by ``factor``."""
    if isinstance(value, dict):
        if key.endswith("_mnok") and key not in ("unit_cost_mnok",):
            return {
                k: (v * factor if isinstance(v, int | float) and not isinstance(v, bool) else v)
                for k, v in value.items()
            }
        return {k: _scale_mnok(v, factor, str(k)) for k, v in value.items()}
    if key.endswith("_mnok") and isinstance(value, int | float) and not isinstance(value, bool):
        return round(value * factor, 6)
    return value


def generate(
    out: Path,
    n_areas: int = 100,
    n_zones: int = 50,
    n_projects: int = 400,
    n_developments: int = 300,
    n_years: int = 40,
    seed: int = 21,
) -> Path:
    """Write the synthetic municipality into ``out``; return the path of its scenario YAML."""
    rng = np.random.default_rng(seed)
    data = out / "data"
    data.mkdir(parents=True, exist_ok=True)
    asker = yaml.safe_load((ASKER / "base.yaml").read_text(encoding="utf-8"))
    base_year = int(asker["horizon"]["base_year"])
    end_year = base_year + n_years
    for name in RATE_TABLES:
        shutil.copyfile(ASKER / "data" / name, data / name)

    # areas and their base population: area i is a copy of Asker's area i mod 12
    asker_areas = [a["id"] for a in asker["areas"]]
    areas = [f"a{i:03d}" for i in range(n_areas)]
    like = {a: asker_areas[i % len(asker_areas)] for i, a in enumerate(areas)}
    base: dict[str, list[list[Any]]] = {a: [] for a in asker_areas}
    with (ASKER / "data" / "population_2024.csv").open(encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        for row in reader:
            base[row["area"]].append([row["age"], row["sex"], row["persons"]])
    _write_csv(
        data / "population.csv",
        ["area", "age", "sex", "persons"],
        [[a, *r] for a in areas for r in base[like[a]]],
    )
    persons = {a: sum(float(r[2]) for r in base[like[a]]) for a in areas}
    children = {a: sum(float(r[2]) for r in base[like[a]] if 1 <= int(r[0]) <= 15) for a in areas}
    factor = sum(persons.values()) / sum(sum(float(r[2]) for r in rows) for rows in base.values())

    # zones: primary zone z holds areas z·k … z·k + k − 1; a lower-secondary zone two primary zones
    per_zone = max(1, n_areas // n_zones)
    primary = {a: f"p{min(i // per_zone, n_zones - 1):02d}" for i, a in enumerate(areas)}
    lower = {a: f"u{int(primary[a][1:]) // 2:02d}" for a in areas}
    primary_zones = sorted(set(primary.values()))
    lower_zones = sorted(set(lower.values()))
    _write_csv(data / "zones_primary.csv", ["area", "zone", "share"], [[a, primary[a], 1.0] for a in areas])
    _write_csv(data / "zones_lower_secondary.csv", ["area", "zone", "share"], [[a, lower[a], 1.0] for a in areas])

    # facilities sized to about the base year's children (plus or minus 15 %)
    facilities: list[list[Any]] = []

    def add_facility(fid: str, service: str, zone: str, places: float) -> None:
        facilities.append([fid, fid.replace("_", " ").title(), service, zone, round(places), 2000, "", ""])

    for a in areas:
        kids = children[a]
        for k in range(2):
            add_facility(f"bhg_{a}_{k}", "kindergarten", a, max(20.0, kids * 0.3 / 2 * rng.uniform(0.85, 1.15)))
    for z in primary_zones:
        kids = sum(children[a] for a in areas if primary[a] == z) * 7 / 15
        add_facility(f"bs_{z}", "primary_school", z, max(50.0, kids * rng.uniform(0.85, 1.15)))
    for z in lower_zones:
        kids = sum(children[a] for a in areas if lower[a] == z) * 3 / 15
        add_facility(f"us_{z}", "lower_secondary", z, max(50.0, kids * rng.uniform(0.85, 1.15)))
    for k in range(max(1, n_areas // 8)):
        add_facility(f"care_{k:02d}", "care_24h", "kommune", 70 * factor * 12 / n_areas * 8)
    _write_csv(
        data / "facilities.csv",
        ["id", "name", "service", "zone", "capacity_places", "opens", "closes", "target_utilisation"],
        facilities,
    )
    _write_csv(data / "capacity_events.csv", ["year", "event", "facility", "places", "to_facility", "to_service"], [])

    # projects
    zone_of = {
        "kindergarten": areas,
        "primary_school": primary_zones,
        "lower_secondary": lower_zones,
        "care_24h": ["kommune"],
    }
    services = list(PLACE_SERVICES)
    rows: list[list[Any]] = []
    by_cell: dict[tuple[str, str], list[str]] = {}
    last_start = base_year + min(25, n_years - 6)
    for p in range(n_projects):
        pid = f"prj_{p:03d}"
        start = int(rng.integers(base_year, last_start + 1))
        months = [
            int(rng.integers(0, 13)),
            int(rng.integers(0, 19)),
            int(rng.integers(3, 10)),
            int(rng.integers(12, 31)),
        ]
        if start == base_year:
            months[:2] = [0, 0]
        depends = exclusive = ""
        if rng.random() < 0.75:
            service = services[int(rng.choice(len(services), p=[0.4, 0.3, 0.15, 0.15]))]
            category, (lo, hi), per_place = PLACE_SERVICES[service]
            zone = str(rng.choice(zone_of[service]))
            places = int(rng.integers(lo, hi + 1)) // 6 * 6
            cost = round(places * per_place * rng.uniform(0.8, 1.25), 1)
            earlier = by_cell.get((service, zone), [])
            if earlier and rng.random() < 0.3:
                depends = earlier[-1]
            by_cell.setdefault((service, zone), []).append(pid)
        else:
            category = str(rng.choice(OTHER_CATEGORIES))
            service = zone = ""
            places = ""
            cost = round(float(rng.lognormal(np.log(60), 0.8)), 1)
        head = [pid, f"Prosjekt {p}", category, service, zone, places, cost]
        rows.append([*head, *months, base_year, start, "", "false", depends, exclusive])
    # pairs of alternatives: every 40th place project and the next one of the same service share a group
    for i in range(0, len(rows) - 1, 40):
        if rows[i][3] and rows[i][3] == rows[i + 1][3] and not rows[i + 1][-2] and not rows[i][-2]:
            rows[i][-1] = rows[i + 1][-1] = f"alt_{i:03d}"
    header = [
        "id",
        "name",
        "category",
        "service",
        "zone",
        "capacity_places",
        "gross_cost_mnok",
        "planning_months",
        "regulation_months",
        "procurement_months",
        "construction_months",
        "earliest_start",
        "planned_start",
        "latest_completion",
        "mandatory",
        "depends_on",
        "exclusive_group",
    ]
    _write_csv(data / "projects.csv", header, rows)
    variants = {r[-1]: r[0] for r in rows if r[-1]}

    # housing developments
    types = sorted({r["dwelling_type"] for r in csv.DictReader((ASKER / "data" / "housing_programme.csv").open())})
    housing = []
    for d in range(n_developments):
        area = areas[int(rng.integers(n_areas))]
        first = int(rng.integers(base_year, base_year + min(30, n_years - 1)))
        kind = types[int(rng.integers(len(types)))]
        for year in range(first, min(end_year, first + int(rng.integers(2, 9)))):
            housing.append([f"dev_{d:03d}", area, year, float(rng.integers(30, 151)), kind])
    _write_csv(data / "housing.csv", ["development", "area", "year", "dwellings", "dwelling_type"], housing)

    # finance: Asker's, every NOK amount scaled by the population ratio; recurring budgets likewise
    finance = _scale_mnok(asker["finance"], factor)
    recurring = []
    with (ASKER / "data" / "recurring_investments.csv").open(encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        fields = list(reader.fieldnames or [])
        for row in reader:
            row["spend_mnok"] = f"{float(row['spend_mnok']) * factor:.3f}"
            recurring.append([row[f] for f in fields])
    _write_csv(data / "recurring_investments.csv", fields, recurring)
    finance["investment"]["recurring"] = "data/recurring_investments.csv"
    finance.pop("source", None)

    migration = asker["population"]["migration"]
    scenario = {
        "name": f"synthetic-{n_areas}x{n_projects}x{n_years}",
        "title": f"Syntetisk kommune: {n_areas} områder, {n_zones} skolekretser, {n_projects} prosjekter, "
        f"{n_developments} utbygginger, {n_years} år",
        "seed": seed,
        "horizon": {"base_year": base_year, "end_year": end_year},
        "areas": [{"id": a, "name": f"Område {i}"} for i, a in enumerate(areas)],
        "population": {
            "max_age": asker["population"]["max_age"],
            "base": "data/population.csv",
            "mortality": {**asker["population"]["mortality"], "rates": "data/mortality.csv"},
            "fertility": {**asker["population"]["fertility"], "rates": "data/fertility.csv"},
            "migration": {
                "out_rates": "data/out_migration_rates.csv",
                "in_profiles": "data/in_migration_profiles.csv",
                "in_profile": migration["in_profile"],
                "in_persons": {a: migration["in_persons"][like[a]] for a in areas},
            },
            "housing": {
                "programme": "data/housing.csv",
                "occupancy": "data/new_dwelling_occupancy.csv",
                "realisation": 1.0,
            },
        },
        "zone_systems": [
            {
                "id": "primary",
                "name": "Barneskolekretser",
                "zones": [{"id": z, "name": f"Barneskolekrets {z}"} for z in primary_zones],
                "mapping": "data/zones_primary.csv",
            },
            {
                "id": "lower_secondary",
                "name": "Ungdomsskolekretser",
                "zones": [{"id": z, "name": f"Ungdomsskolekrets {z}"} for z in lower_zones],
                "mapping": "data/zones_lower_secondary.csv",
            },
        ],
        "services": asker["services"],
        "capacity": {"facilities": "data/facilities.csv", "events": "data/capacity_events.csv"},
        "projects": {
            **{
                k: v for k, v in asker["projects"].items() if k not in ("catalogue", "plan_spend", "variants", "source")
            },
            "catalogue": "data/projects.csv",
            "delivery_capacity": max(11, round(11 * factor)),
            **({"variants": variants} if variants else {}),
        },
        "finance": finance,
    }
    for item in scenario["population"].values():
        if isinstance(item, dict):
            item.pop("source", None)
    path = out / "scenario.yaml"
    path.write_text(
        f"# Written by benchmarks/synthetic_municipality.py (seed {seed}); see its docstring.\n"
        + yaml.safe_dump(scenario, sort_keys=False, allow_unicode=True, width=120),
        encoding="utf-8",
    )
    (out / "stochastic.yaml").write_text(
        f"extends: scenario.yaml\nname: {scenario['name']}-stochastic\nprojects:\n  mode: stochastic\n",
        encoding="utf-8",
    )
    return path


def main(argv: list[str] | None = None) -> None:
    """Command line: write the synthetic municipality and print the path of its scenario."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--areas", type=int, default=100)
    parser.add_argument("--zones", type=int, default=50)
    parser.add_argument("--projects", type=int, default=400)
    parser.add_argument("--developments", type=int, default=300)
    parser.add_argument("--years", type=int, default=40)
    parser.add_argument("--seed", type=int, default=21)
    a = parser.parse_args(argv)
    print(generate(a.out, a.areas, a.zones, a.projects, a.developments, a.years, a.seed))


if __name__ == "__main__":
    sys.exit(main())
