"""Write a run folder per the results contract (DESIGN.md), atomically.

Everything — tables, manifest, and with a language the report and workbook — is written into a
hidden temporary folder beside the target and swapped into place at the end
(:mod:`ltsim.io.folders`), so a failed or interrupted run leaves nothing half-written and an
earlier run folder of the same name is replaced only by a complete one. A target that is not an
earlier ltsim run folder (a user's folder, a file) is refused, never replaced.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import platform
import subprocess
import sys
import time
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np
import yaml

import ltsim
from ltsim.errors import InputError, Problem
from ltsim.models.population import SEXES
from ltsim.pipeline import RunResult

MANIFEST_VERSION = 1
PACKAGES = ("numpy", "pandas", "pydantic", "pyyaml", "simpy", "pulp", "highspy", "typer", "rich")
PERSONS_FORMAT = "%.3f"


def population_frame(result: RunResult) -> Any:
    """``population.csv`` as a DataFrame: year, area, age, sex, persons (1 January)."""
    import pandas as pd

    pop = result.population
    n_ages = pop.persons.shape[-1]
    index = pd.MultiIndex.from_product(
        [pop.years, result.scenario.area_ids, SEXES, np.arange(n_ages)],
        names=["year", "area", "sex", "age"],
    )
    frame = pd.DataFrame({"persons": pop.persons.reshape(-1)}, index=index).reset_index()
    return frame[["year", "area", "age", "sex", "persons"]]


def population_csv(result: RunResult) -> str:
    """The text of ``population.csv``, as ``population_frame(result).to_csv(index=False, float_format="%.3f")``.

    Written with one %-format per row instead of through a DataFrame: about 4× faster, and it needs
    no pandas (a large municipality has millions of rows). Falls back to pandas for what this does not
    write the same way: persons that are not finite, area ids that need CSV quoting.
    """
    pop = result.population
    areas = result.scenario.area_ids
    persons = pop.persons
    if not np.isfinite(persons).all() or any(any(c in a for c in ',"\r\n') or a != a.strip() for a in areas):
        return population_frame(result).to_csv(index=False, float_format=PERSONS_FORMAT)
    n_ages = persons.shape[-1]
    ages = range(n_ages)
    lines = ["year,area,age,sex,persons\n"]
    for y, year in enumerate(pop.years.tolist()):
        for a, area in enumerate(areas):
            for s, sex in enumerate(SEXES):
                row = f"{year},{area.replace('%', '%%')},%d,{sex},{PERSONS_FORMAT}\n"
                lines.append("".join(map(row.__mod__, zip(ages, persons[y, a, s].tolist(), strict=True))))
    return "".join(lines)


def population_change_frame(result: RunResult) -> Any:
    """``population_change.csv``: the flows of each year and area, with the stocks they join.

    ``population_end = population_start + births − deaths + migration_in − migration_out
    + housing_in + control_adjustment`` holds on every row.
    """
    import pandas as pd

    pop = result.population
    stock = pop.persons.sum(axis=(2, 3))
    years = pop.years[:-1]
    areas = result.scenario.area_ids
    grid = pd.MultiIndex.from_product([years, areas], names=["year", "area"])
    columns = {
        "population_start": stock[:-1],
        "births": pop.births,
        "deaths": pop.deaths,
        "migration_in": pop.migration_in,
        "migration_out": pop.migration_out,
        "housing_in": pop.housing_in,
        "control_adjustment": pop.control_adjustment,
        "population_end": stock[1:],
    }
    return pd.DataFrame({k: v.reshape(-1) for k, v in columns.items()}, index=grid).reset_index()


def demand_frame(result: RunResult) -> Any:
    """``demand.csv``: year, zone, service, users, demand (places), demand_municipal (places)."""
    import pandas as pd

    frames = []
    years = result.population.years
    for svc in result.services:
        grid = pd.MultiIndex.from_product([years, svc.zone_ids], names=["year", "zone"])
        frame = pd.DataFrame(
            {
                "users": svc.demand.users.reshape(-1),
                "demand": svc.demand.places.reshape(-1),
                "demand_municipal": svc.demand.municipal_places.reshape(-1),
            },
            index=grid,
        ).reset_index()
        frame.insert(2, "service", svc.service.id)
        frames.append(frame)
    return pd.concat(frames, ignore_index=True)


def capacity_frame(result: RunResult) -> Any:
    """``capacity.csv``: year, zone, service, capacity, usable_capacity, demand, gap, utilisation.

    ``demand`` is the municipal places needed (after the private share); ``gap = demand −
    usable_capacity`` (positive: places short); ``utilisation = demand / capacity``.
    """
    import pandas as pd

    frames = []
    years = result.population.years
    for svc in result.services:
        if svc.capacity is None or svc.usable_capacity is None:
            continue
        grid = pd.MultiIndex.from_product([years, svc.zone_ids], names=["year", "zone"])
        demand = svc.demand.municipal_places
        with np.errstate(divide="ignore", invalid="ignore"):
            utilisation = np.where(svc.capacity > 0, demand / svc.capacity, np.nan)
        frame = pd.DataFrame(
            {
                "capacity": svc.capacity.reshape(-1),
                "usable_capacity": svc.usable_capacity.reshape(-1),
                "demand": demand.reshape(-1),
                "gap": (demand - svc.usable_capacity).reshape(-1),
                "utilisation": utilisation.reshape(-1),
            },
            index=grid,
        ).reset_index()
        frame.insert(2, "service", svc.service.id)
        frames.append(frame)
    return pd.concat(frames, ignore_index=True) if frames else None


def capacity_summary_frame(result: RunResult) -> Any:
    """``capacity_summary.csv``: per service and zone, place-years short, peak shortfall and year, idle places."""
    import pandas as pd

    from ltsim.models.capacity import summarise_gap

    rows = []
    years = result.population.years
    for svc in result.services:
        gap = svc.gap
        if gap is None:
            continue
        for z, zone in enumerate(svc.zone_ids):
            s = summarise_gap(years, gap[:, z])
            rows.append(
                {
                    "service": svc.service.id,
                    "zone": zone,
                    "zone_name": svc.zone_names[z],
                    "place_years_short": s.place_years_short,
                    "peak_shortfall": s.peak_shortfall,
                    "peak_year": s.peak_year,
                    "idle_place_years": s.idle_place_years,
                    "idle_places_first_year": float(max(-gap[0, z], 0.0)),
                    "idle_places_last_year": s.idle_places_last_year,
                }
            )
    if not rows:
        return None
    frame = pd.DataFrame(rows)
    frame["peak_year"] = frame["peak_year"].astype("Int64")
    return frame


def projects_frame(result: RunResult) -> Any:
    """``projects.csv``: when each project starts and is in service, planned and simulated.

    Columns: project, name, service, zone, capacity_places, planned_start, start_year,
    planned_completion_year, completion_year, delay_years, cost_mnok, built.
    """
    import pandas as pd

    from ltsim.models.projects import plan_completion

    data = result.scenario.projects
    run = result.projects
    assert data is not None and run is not None
    base = data.inputs.base_year
    planned = base + np.ceil(plan_completion(data.inputs) - 1e-9).astype(np.int64)
    built = data.inputs.included
    return pd.DataFrame(
        {
            "project": data.ids,
            "name": data.names,
            "service": [s or "" for s in data.services],
            "zone": [z or "" for z in data.zones],
            "capacity_places": data.capacity_places,
            "planned_start": data.planned_start_year,
            "start_year": np.where(built, np.floor(run.start + 1e-9) + base, np.nan),
            "planned_completion_year": np.where(built, planned, np.nan),
            "completion_year": np.where(built, run.completion_year, np.nan),
            "delay_years": np.where(built, run.completion_year - planned, np.nan),
            "cost_mnok": run.cost_mnok,
            "built": built,
        }
    ).astype(
        {"start_year": "Int64", "planned_completion_year": "Int64", "completion_year": "Int64", "delay_years": "Int64"}
    )


def project_spend_frame(result: RunResult) -> Any:
    """``project_spend.csv``: project, year, spend_mnok (gross, fixed prices) — the input to finance."""
    import pandas as pd

    data = result.scenario.projects
    run = result.projects
    assert data is not None and run is not None
    years = result.population.years[:-1]
    grid = pd.MultiIndex.from_product([data.ids, years], names=["project", "year"])
    frame = pd.DataFrame({"spend_mnok": run.spend_mnok.reshape(-1)}, index=grid).reset_index()
    return frame[frame.spend_mnok != 0]


def kpi_frame(result: RunResult) -> Any:
    """``kpi.csv``: year, kpi, value, unit, status (green/yellow/red, or n/a without a rule)."""
    import pandas as pd

    return pd.DataFrame(
        [{"year": r.year, "kpi": r.kpi, "value": r.value, "unit": r.unit, "status": r.status} for r in result.kpis]
    )


def finance_frames(result: RunResult) -> dict[str, Any]:
    """``finance.csv`` (fixed prices) and, with a deflator, ``finance_nominal.csv``: year, item, value [NOK million]."""
    from ltsim.models import finance as fin_model

    assert result.finance is not None
    out = {"finance.csv": fin_model.table(result.finance)}
    spec = result.scenario.config.finance
    if spec is not None and spec.deflator is not None:
        years = result.finance.years
        rate = fin_model.municipal_deflator_rate(
            spec.deflator.wage_growth.at(years), spec.deflator.price_growth.at(years), spec.deflator.wage_share
        )
        index = fin_model.price_index(rate, years, int(years[0]))
        out["finance_nominal.csv"] = fin_model.table(result.finance, index)
    return out


def housing_frame(result: RunResult) -> Any:
    """``housing.csv``: development, area, year, planned, released, held_back, binding_condition.

    ``planned`` is the programme × realisation; ``held_back`` the queue left at the end of the
    year; ``binding_condition`` what limited the year's release (``none`` when all was released).
    """
    import pandas as pd

    from ltsim.models.housing import BINDING_NAMES
    from ltsim.pipeline import planned_housing

    years = result.population.years[:-1]
    if result.housing is not None:
        h = result.housing
        names, areas, planned, released, held, binding = (
            h.developments,
            h.areas,
            h.planned,
            h.released,
            h.held_back,
            h.binding,
        )
    else:
        names, areas, planned = planned_housing(result.scenario)
        released, held = planned, np.zeros_like(planned)
        binding = np.zeros((len(names), len(years)), dtype=np.int64)
    n_years = len(years)
    return pd.DataFrame(
        {
            "development": np.repeat(names, n_years),
            "area": np.repeat(areas, n_years),
            "year": np.tile(years, len(names)),
            "planned": planned.sum(axis=1).reshape(-1),
            "released": released.sum(axis=1).reshape(-1),
            "held_back": held.sum(axis=1).reshape(-1),
            "binding_condition": [BINDING_NAMES[b] for b in binding.reshape(-1)],
        }
    )


def _package_versions() -> dict[str, str]:
    out = {"python": platform.python_version()}
    for name in PACKAGES:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = "not installed"
    return out


def _git_revision() -> str | None:
    root = Path(ltsim.__file__).resolve().parent.parent
    try:
        rev = subprocess.run(
            ["git", "-C", str(root), "rev-parse", "HEAD"],
            capture_output=True,
            text=True,
            timeout=5,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "-C", str(root), "status", "--porcelain", "--untracked-files=no"],
            capture_output=True,
            text=True,
            timeout=5,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None
    return rev + ("+dirty" if dirty else "")


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def write_run(
    result: RunResult,
    out_dir: Path,
    seed: int,
    timings_s: dict[str, float] | None = None,
    montecarlo: Any = None,
    extras: dict[str, str] | None = None,
    report_lang: str | None = None,
) -> Path:
    """Write the run folder ``out_dir``, replacing an earlier one only when complete.

    ``extras`` are further files (name → text) written into the folder with the rest. With
    ``report_lang`` (``nb``/``en``) report.html and workbook.xlsx are built too, inside the staged
    folder, so the folder that lands is complete or does not land at all
    (:func:`ltsim.io.folders.staged_folder`). Raises InputError for a target ltsim may not replace.
    """
    from ltsim.io.folders import check_run_target

    if report_lang is not None:
        from ltsim.report.i18n import check_lang

        check_lang(report_lang)
    out_dir = check_run_target(Path(out_dir))
    try:
        return _write_staged(result, out_dir, seed, timings_s, montecarlo, extras, report_lang)
    except OSError as exc:  # a full disk, a read-only file system: nothing was replaced
        raise InputError(
            Problem(
                "a folder ltsim can write the run folder into (the earlier folder, if any, is unchanged)",
                file="command line",
                field="--out",
                found=f"{out_dir}: {exc.strerror or exc}",
            )
        ) from None


def _write_staged(
    result: RunResult,
    out_dir: Path,
    seed: int,
    timings_s: dict[str, float] | None,
    montecarlo: Any,
    extras: dict[str, str] | None,
    report_lang: str | None,
) -> Path:
    from ltsim.io.folders import staged_folder

    with staged_folder(out_dir) as tmp:
        started = time.perf_counter()
        _write_tables(result, tmp, montecarlo, extras, seed)
        timings = dict(timings_s or {}) | dict(result.timings_s)
        timings["write"] = time.perf_counter() - started
        manifest = _manifest(result, tmp, seed, timings, montecarlo)
        _write_manifest(tmp, manifest)
        if report_lang is not None:
            from ltsim.report import build_report

            started = time.perf_counter()
            build_report(tmp, lang=report_lang, check=False)  # written just now by the code above
            manifest["timings_s"]["report"] = round(time.perf_counter() - started, 6)
            _write_manifest(tmp, manifest)
    return out_dir


def _write_manifest(folder: Path, manifest: dict[str, Any]) -> None:
    (folder / "manifest.json").write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def _write_tables(result: RunResult, tmp: Path, montecarlo: Any, extras: dict[str, str] | None, seed: int) -> None:
    """Every table of the results contract the run has, the extras and scenario.resolved.yaml, into ``tmp``.

    A scenario with chosen builds (``plan.builds``/``plan.closed``) gets the plan's tables
    (:mod:`ltsim.planning.replay`) unless the extras bring them (``ltsim plan`` writes its own).
    """
    with (tmp / "population.csv").open("w", encoding="utf-8") as fh:  # line ends as pandas writes them
        fh.write(population_csv(result))
    population_change_frame(result).to_csv(tmp / "population_change.csv", index=False, float_format=PERSONS_FORMAT)
    if result.scenario.population.developments:
        housing_frame(result).to_csv(tmp / "housing.csv", index=False, float_format=PERSONS_FORMAT)
    if result.services:
        demand_frame(result).to_csv(tmp / "demand.csv", index=False, float_format=PERSONS_FORMAT)
        for name, frame in (
            ("capacity.csv", capacity_frame(result)),
            ("capacity_summary.csv", capacity_summary_frame(result)),
        ):
            if frame is not None:
                frame.to_csv(tmp / name, index=False, float_format=PERSONS_FORMAT)
    if result.projects is not None:
        projects_frame(result).to_csv(tmp / "projects.csv", index=False, float_format=PERSONS_FORMAT)
        project_spend_frame(result).to_csv(tmp / "project_spend.csv", index=False, float_format=PERSONS_FORMAT)
    if result.finance is not None:
        for name, frame in finance_frames(result).items():
            frame.to_csv(tmp / name, index=False, float_format="%.6f")
        kpi_frame(result).to_csv(tmp / "kpi.csv", index=False, float_format="%.4f")
    if montecarlo is not None:
        from ltsim.results_montecarlo import montecarlo_frames

        for name, frame in montecarlo_frames(result, montecarlo, projects_frame(result)).items():
            frame.to_csv(tmp / name, index=False, float_format=PERSONS_FORMAT)
    extras = dict(extras or {})
    plan = result.scenario.config.plan
    if (
        plan is not None
        and (plan.builds or plan.closed)
        and result.finance is not None
        and "plan_builds.csv" not in extras
    ):
        from ltsim.planning.replay import replay_files  # the plan's tables (imports the planning package)

        extras = replay_files(result, seed) | extras
    for name, text in extras.items():
        (tmp / name).write_text(text, encoding="utf-8")
    with (tmp / "scenario.resolved.yaml").open("w", encoding="utf-8") as fh:
        dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)  # libyaml: the same text, 5× faster
        yaml.dump(result.scenario.resolved(), fh, Dumper=dumper, sort_keys=False, allow_unicode=True)


def _manifest(result: RunResult, tmp: Path, seed: int, timings: dict[str, float], montecarlo: Any) -> dict[str, Any]:
    """``manifest.json``: scenario and input hashes, seed, horizon, versions, command, timings, output hashes."""
    scenario = result.scenario
    return {
        "manifest_version": MANIFEST_VERSION,
        "status": "ok",
        "warnings": list(result.warnings),
        "scenario": {
            "name": scenario.name,
            "title": scenario.config.title,
            "file": str(scenario.file),
            "hash": scenario.hash,
            "input_files": {k: {"path": str(p), "sha256": scenario.file_hashes[k]} for k, p in scenario.files.items()},
        },
        "seed": seed,
        "replications": montecarlo.reps if montecarlo is not None else None,
        "horizon": {
            "base_year": int(result.population.years[0]),
            "end_year": int(result.population.years[-1]),
        },
        "ltsim_version": ltsim.__version__,
        "git_revision": _git_revision(),
        "packages": _package_versions(),
        "platform": f"{platform.system()} {platform.machine()}",
        "created_utc": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "command": " ".join([Path(sys.argv[0]).name, *sys.argv[1:]]),
        "timings_s": {k: round(v, 6) for k, v in timings.items()},
        "outputs": {
            p.name: {"sha256": _sha256(p), "bytes": p.stat().st_size}
            for p in sorted(tmp.iterdir())
            if p.suffix == ".csv"
        },
    }
