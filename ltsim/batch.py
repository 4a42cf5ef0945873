"""Batches: a base scenario × axes of variation → many run folders and one comparison.

A batch file::

    name: school-structure
    base: ../base.yaml                   # relative to the batch file
    axes:                                # the cross product of the axes' values is run
      pop:
        low: ../low-growth.yaml          # a variant file: its own keys are laid over the base
        base: {}                         # an empty override: the base as it is
      measure:
        none: {}
        merge-south: {capacity: {active_measures: [school_merge_south]}}
    exclude:                             # combinations not to run
      - {pop: low, measure: merge-south}
    reference: {pop: base, measure: none}  # optional: what comparison.csv's delta_* are against;
                                         # default: the base as declared (each axis at its {} value)
    reps: 1                              # Monte Carlo replications per scenario (1 = plan only)
    optimize: false                      # true: sequence each scenario's projects first (ltsim optimize)
    plan: false                          # true: plan each scenario first (ltsim plan: builds, closures, timing)
    seed: 2024                           # optional; default: each scenario's own seed

Overrides are laid over the base in axis order (mappings merge key by key; lists, values and
dated values ``{year: value}`` replace, unless a dated value says ``merge: true`` — as ``extends:``). A variant file's ``extends:`` line is ignored: the batch's base is
the base. Each scenario is written to ``<out>/<axis=value,…>/`` exactly as ``ltsim run``
writes it. A rerun skips every scenario whose folder already holds a completed run of the same
resolved scenario (same hash, same seed and replications); a failing scenario is recorded with
its error and the others go on. The summary is built from the run folders, so it is the same
whether a scenario was computed now or earlier. A folder is first checked without loading its
scenario (:func:`ltsim.resume.fingerprint`: the merged data, the YAML files, seed, replications, decision and
the code that resolves a scenario; and the sha256 of every input table in its manifest); only the
scenarios that check cannot clear go to a worker, and a rerun with nothing to run starts no pool
and keeps the summary tables and comparison.html it finds (they are of the same folders).

Execution: a local process pool (all cores by default) or an existing Dask distributed cluster
(``dask=address`` or a scheduler file) — the same task function either way.
"""

from __future__ import annotations

import hashlib
import io
import itertools
import json
import os
import re
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from ltsim.errors import InputError, Problem, show
from ltsim.io.files import resolve_path
from ltsim.io.output import write_files
from ltsim.io.yamlsrc import SourceMap, deep_merge, load_layered, load_yaml
from ltsim.resume import complete, fingerprint, quick_complete, summary_on_disk

AXIS_NAME = r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$"


class BatchFile(BaseModel):
    """Schema of a batch file."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(pattern=AXIS_NAME, max_length=80)
    title: str | None = None
    base: str
    axes: dict[str, dict[str, str | dict[str, Any]]] = Field(min_length=1)
    exclude: list[dict[str, str]] = Field(default_factory=list)
    reference: dict[str, str] | None = None
    reps: int = Field(default=1, ge=1, le=100_000)
    seed: int | None = Field(default=None, ge=0)
    optimize: bool = False
    plan: bool = False
    source: str | None = None

    @model_validator(mode="after")
    def _one_decision(self) -> BatchFile:
        if self.optimize and self.plan:
            raise ValueError(
                "found optimize: true and plan: true; expected at most one (a plan sequences the projects too)"
            )
        return self


@dataclass(frozen=True, slots=True)
class BatchScenario:
    """One combination: its folder name, the value of each axis, and the merged scenario data."""

    key: str
    values: dict[str, str]
    raw: dict[str, Any]
    smap: SourceMap


@dataclass(frozen=True, slots=True)
class Batch:
    """A loaded batch: its file, settings and expanded scenarios (base combination first)."""

    file: Path
    spec: BatchFile
    scenarios: tuple[BatchScenario, ...]
    reference_index: int = 0

    @property
    def axis_names(self) -> tuple[str, ...]:
        """The axes in file order."""
        return tuple(self.spec.axes)

    @property
    def reference(self) -> BatchScenario:
        """The scenario the differences are against.

        ``reference:`` of the batch file, else the base as declared (every axis at an empty override
        ``{}``), else the first combination.
        """
        return self.scenarios[self.reference_index]


@dataclass(frozen=True, slots=True)
class Outcome:
    """What happened to one scenario of a batch."""

    key: str
    status: str  # "ok", "skipped" (already complete) or "failed"
    seconds: float
    scenario_hash: str | None = None
    error: str | None = None


@dataclass(frozen=True, slots=True)
class BatchResult:
    """Outcomes in scenario order and where the summary tables are."""

    out_dir: Path
    outcomes: tuple[Outcome, ...]
    files: dict[str, Path] = field(default_factory=dict)
    unchanged: bool = False  # nothing ran and the summary tables on disk are of these very folders


# --------------------------------------------------------------------------------------- loading


def load_batch(path: str | Path) -> Batch:
    """Read a batch file and expand its axes into scenarios (raises InputError on bad input)."""
    file = Path(path).resolve()
    raw, smap = load_yaml(file)

    def where(loc: tuple[str | int, ...]) -> int | None:
        for n in range(len(loc), -1, -1):
            if tuple(loc[:n]) in smap:
                return smap[tuple(loc[:n])][1]
        return None

    try:
        spec = BatchFile.model_validate(raw)
    except ValidationError as exc:
        problems = []
        for err in exc.errors(include_url=False):
            loc = tuple(err["loc"])
            found = "nothing" if err["type"] == "missing" else show(err.get("input"))
            expected = err["msg"].removeprefix("Input should be ").removeprefix("Value error, ")
            if err["type"] == "extra_forbidden":
                expected = "one of the keys " + ", ".join(BatchFile.model_fields)
                found = f"unknown key {loc[-1]!r}"
            problems.append(
                Problem(expected, file=str(file), line=where(loc), field=".".join(map(str, loc)), found=found)
            )
        raise InputError(problems) from None

    base_raw, base_smap = load_layered(resolve_path(file.parent / spec.base) or file.parent / spec.base)
    problems: list[Problem] = []
    layers: dict[str, list[tuple[str, dict[str, Any], SourceMap]]] = {}
    for axis, values in spec.axes.items():
        if not values:
            problems.append(
                Problem(
                    "at least one value", file=str(file), line=where(("axes", axis)), field=f"axes.{axis}", found="none"
                )
            )
        if re.fullmatch(AXIS_NAME, axis) is None:
            problems.append(
                Problem(
                    "an axis name of letters, digits, '.', '-' and '_'",
                    file=str(file),
                    line=where(("axes", axis)),
                    field=f"axes.{axis}",
                    found=show(axis),
                )
            )
        layers[axis] = []
        for value, override in values.items():
            if re.fullmatch(AXIS_NAME, value) is None:
                problems.append(
                    Problem(
                        "a value name of letters, digits, '.', '-' and '_'",
                        file=str(file),
                        line=where(("axes", axis, value)),
                        field=f"axes.{axis}.{value}",
                        found=show(value),
                    )
                )
                continue
            if isinstance(override, str):
                variant = resolve_path(file.parent / override) or file.parent / override
                if not variant.is_file():
                    problems.append(
                        Problem(
                            "an existing scenario file (relative to the batch file)",
                            file=str(file),
                            line=where(("axes", axis, value)),
                            field=f"axes.{axis}.{value}",
                            found=f"{override!r} (no such file)",
                        )
                    )
                    continue
                data, vmap = load_yaml(variant)
                if data is None:
                    data = {}
                if not isinstance(data, dict):
                    problems.append(
                        Problem(
                            "a scenario variant: a mapping of scenario keys at the top level",
                            file=str(variant),
                            line=1,
                            found=f"a {_yaml_kind(data)} (named by {file.name}, axes.{axis}.{value})",
                        )
                    )
                    continue
                data = dict(data)
                data.pop("extends", None)
                data.pop("name", None)
                vmap = {p: o for p, o in vmap.items() if not p or p[0] not in ("extends", "name")}
                layers[axis].append((value, data, vmap))
            else:
                prefix = ("axes", axis, value)
                vmap = {p[len(prefix) :]: o for p, o in smap.items() if p[: len(prefix)] == prefix}
                layers[axis].append((value, dict(override), vmap))
    for i, combo in enumerate(spec.exclude):
        for axis, value in combo.items():
            if axis not in spec.axes or value not in spec.axes[axis]:
                problems.append(
                    Problem(
                        f"axis values that exist ({axis!r} has {', '.join(spec.axes.get(axis, {})) or 'no such axis'})",
                        file=str(file),
                        line=where(("exclude", i)),
                        field=f"exclude[{i}].{axis}",
                        found=show(value),
                    )
                )
    if problems:
        raise InputError(problems)

    scenarios = []
    too_long: list[str] = []
    for combo in itertools.product(*(layers[a] for a in spec.axes)):
        values = {axis: choice[0] for axis, choice in zip(spec.axes, combo, strict=True)}
        if any(all(values.get(k) == v for k, v in ex.items()) for ex in spec.exclude):
            continue
        merged, mmap = base_raw, base_smap
        for _, data, vmap in combo:
            merged, mmap = deep_merge(merged, mmap, data, vmap)
        key = ",".join(f"{a}={v}" for a, v in values.items())
        if len(key.encode()) > MAX_KEY_BYTES:
            too_long.append(key)
        merged = dict(merged)
        merged["name"] = scenario_name(spec.name, values)
        scenarios.append(BatchScenario(key=key, values=values, raw=merged, smap=mmap))
    if too_long:
        raise InputError(
            Problem(
                f"axis and value names whose combination 'axis=value,…' names a folder of at most {MAX_KEY_BYTES} "
                "bytes (shorten the axis or value names)",
                file=str(file),
                line=where(("axes",)),
                field="axes",
                found=f"{len(too_long)} combination(s) too long, e.g. {show(too_long[0], 80)}",
            )
        )
    if not scenarios:
        raise InputError(
            Problem(
                "at least one combination of the axes left to run",
                file=str(file),
                line=where(("exclude",)),
                field="exclude",
                found=f"every one of the {len(list(itertools.product(*spec.axes.values())))} combinations excluded",
            )
        )
    return Batch(
        file=file, spec=spec, scenarios=tuple(scenarios), reference_index=_reference(file, spec, scenarios, where)
    )


def _reference(
    file: Path, spec: BatchFile, scenarios: list[BatchScenario], where: Callable[[tuple[str | int, ...]], int | None]
) -> int:
    """Index of the reference scenario (see :attr:`Batch.reference`); a ``reference:`` not run is an InputError."""
    if spec.reference is None:
        # the base as declared: on every axis the (first) value that changes nothing
        wanted = {a: next((v for v, over in values.items() if over == {}), None) for a, values in spec.axes.items()}
    else:
        wanted = dict(spec.reference)
    for i, item in enumerate(scenarios):
        if item.values == wanted:
            return i
    if spec.reference is None:
        return 0
    raise InputError(
        Problem(
            "one value of every axis, naming a combination the batch runs (not excluded): "
            + "; ".join(f"{a} one of {', '.join(values)}" for a, values in spec.axes.items()),
            file=str(file),
            line=where(("reference",)),
            field="reference",
            found="{" + ", ".join(f"{a}: {v}" for a, v in wanted.items()) + "}",
        )
    )


MAX_KEY_BYTES = 200  # a scenario's folder name; file systems allow 255
MAX_NAME = 80  # ScenarioConfig.name


def scenario_name(batch_name: str, values: dict[str, str]) -> str:
    """The scenario name of one combination: ``batch.axis-value_axis-value``.

    Cut to the scenario name limit (80) with an 8-character digest of the full name, so two long
    combinations never share a name.
    """
    full = f"{batch_name}." + "_".join(f"{a}-{v}" for a, v in values.items())
    if len(full) <= MAX_NAME:
        return full
    digest = hashlib.sha256(full.encode()).hexdigest()[:8]
    return f"{full[: MAX_NAME - 9].rstrip('.-_')}-{digest}"


def _yaml_kind(value: object) -> str:
    return {list: "list", str: "text", int: "number", float: "number", bool: "true/false"}.get(type(value), "value")


# --------------------------------------------------------------------------------------- running


_TABLE_CACHE: list[Any] = []


def _worker_tables() -> Any:
    """The tables this worker process has read for earlier scenarios of the batch (a TableCache)."""
    if not _TABLE_CACHE:
        from ltsim.scenario import TableCache

        _TABLE_CACHE.append(TableCache())
    return _TABLE_CACHE[0]


def run_one(
    item: BatchScenario,
    batch_file: str,
    out_dir: str,
    reps: int,
    seed: int | None,
    optimize: bool = False,
    plan: bool = False,
) -> Outcome:
    """Run one scenario of a batch into ``out_dir/<key>`` unless that folder already holds it.

    With ``optimize`` the scenario's deferrable projects are first sequenced by ``ltsim optimize``
    and the folder holds the optimised plan (with schedule.csv and optimize.json); with ``plan`` it
    is planned by ``ltsim plan`` (builds, closures, timing; the plan_*.csv files and plan.json).
    """
    from ltsim import pipeline
    from ltsim.results import write_run
    from ltsim.scenario import scenario_from_data

    started = time.perf_counter()
    folder = Path(out_dir) / item.key
    try:
        scenario = scenario_from_data(item.raw, item.smap, Path(batch_file), cache=_worker_tables())
        used_seed = scenario.config.seed if seed is None else seed
        if complete(folder, scenario.hash, used_seed, reps, optimize, plan):
            return Outcome(item.key, "skipped", time.perf_counter() - started, scenario.hash)
        marker = {
            "scenario_hash": scenario.hash,
            "optimized": optimize,
            "planned": plan,
            "fingerprint": fingerprint(item.raw, item.smap, seed, reps, optimize, plan),
        }
        extras: dict[str, str] = {"batch_scenario.json": json.dumps(marker)}
        if plan:
            from ltsim.planning import plan as make_plan
            from ltsim.planning.files import plan_files

            planned = make_plan(scenario, time_limit=20.0, gap=0.005)
            extras.update(plan_files(planned))
            result = planned.planned
        elif optimize:
            from ltsim.optimize import optimize as run_optimizer
            from ltsim.optimize.files import optimize_files

            opt = run_optimizer(scenario, workers=1)  # the batch already runs scenarios in parallel
            extras.update(optimize_files(opt))
            result = opt.optimized
        else:
            result = pipeline.run(scenario, seed=used_seed)
        mc = None
        if reps > 1 and scenario.projects is not None:
            from ltsim.montecarlo import run_montecarlo

            # of what the folder holds: the optimised plan where the batch optimises
            mc = run_montecarlo(result.scenario, result.population.persons, reps, used_seed, workers=1)
        write_run(result, folder, used_seed, {}, montecarlo=mc, extras=extras)
        return Outcome(item.key, "ok", time.perf_counter() - started, scenario.hash)
    except InputError as exc:
        return Outcome(item.key, "failed", time.perf_counter() - started, None, "\n".join(str(p) for p in exc.problems))
    except Exception as exc:
        detail = "".join(traceback.format_exception_only(type(exc), exc)).strip()
        return Outcome(item.key, "failed", time.perf_counter() - started, None, detail)


def run_batch(
    batch: Batch,
    out_dir: Path,
    workers: int | None = None,
    dask: str | None = None,
    progress: Callable[[Outcome], None] | None = None,
) -> BatchResult:
    """Run every scenario (skipping completed ones) and write the summary tables into ``out_dir``.

    ``dask`` is a scheduler address (``tcp://host:8786``) or the path of a scheduler file.
    """
    from ltsim.io.folders import check_batch_target, clean_leftovers

    out_dir = check_batch_target(Path(out_dir))
    out_dir.mkdir(parents=True, exist_ok=True)
    clean_leftovers(out_dir, every=True)  # of scenarios a killed batch was writing
    if not (out_dir / "batch.json").is_file():  # marks the folder as a batch folder at once, so a killed batch resumes
        marker = {"batch": batch.spec.name, "file": str(batch.file), "status": "running"}
        write_files({"batch.json": _json_text(marker)}, out_dir)
    args = (str(batch.file), str(out_dir), batch.spec.reps, batch.spec.seed, batch.spec.optimize, batch.spec.plan)
    started = time.perf_counter()
    outcomes: dict[str, Outcome] = {}
    file_hashes: dict[str, str | None] = {}
    decision = (batch.spec.reps, batch.spec.optimize, batch.spec.plan)
    pending = []
    for item in batch.scenarios:  # completed earlier, as far as can be seen without loading the scenario
        tick = time.perf_counter()
        digest = quick_complete(
            out_dir / item.key, fingerprint(item.raw, item.smap, batch.spec.seed, *decision), file_hashes
        )
        if digest is None:
            pending.append(item)
            continue
        outcomes[item.key] = Outcome(item.key, "skipped", time.perf_counter() - tick, digest)
        if progress:
            progress(outcomes[item.key])
    if not pending:
        pass  # nothing to run: no pool, no cluster
    elif dask:
        from distributed import Client, as_completed

        client = Client(scheduler_file=dask) if Path(dask).is_file() else Client(dask)
        try:
            futures = client.map(run_one, pending, *[[a] * len(pending) for a in args], pure=False)
            for future in as_completed(futures):
                outcome = future.result()
                outcomes[outcome.key] = outcome
                if progress:
                    progress(outcome)
        finally:
            client.close()
    else:
        workers = min(workers or os.cpu_count() or 1, len(pending))
        if workers == 1:
            for item in pending:
                outcome = run_one(item, *args)
                outcomes[item.key] = outcome
                if progress:
                    progress(outcome)
        else:
            from concurrent.futures import ProcessPoolExecutor
            from concurrent.futures import as_completed as done

            from ltsim.parallel import watch_parent

            with ProcessPoolExecutor(max_workers=workers, initializer=watch_parent, initargs=(os.getpid(),)) as pool:
                futures = [pool.submit(run_one, item, *args) for item in pending]
                for future in done(futures):
                    outcome = future.result()
                    outcomes[outcome.key] = outcome
                    if progress:
                        progress(outcome)
    ordered = tuple(outcomes[s.key] for s in batch.scenarios)
    files = summary_on_disk(out_dir, batch.reference.key, ordered) if not pending else None
    if files is not None:  # a rerun that ran nothing: the tables already are of these folders
        return BatchResult(out_dir=out_dir, outcomes=ordered, files=files, unchanged=True)
    files = write_summary(batch, out_dir, ordered, time.perf_counter() - started)
    return BatchResult(out_dir=out_dir, outcomes=ordered, files=files)


# --------------------------------------------------------------------------------------- summary


def scenario_figures(folder: Path) -> tuple[dict[str, float], list[tuple[str, int | None, float]]]:
    """Headline figures of one run folder, and its long rows (kpi, year, value) for summary.csv."""
    from ltsim.keyfigures import csv_tables, key_figures

    return key_figures(csv_tables(folder))


def write_summary(batch: Batch, out_dir: Path, outcomes: tuple[Outcome, ...], seconds: float) -> dict[str, Path]:
    """Write the batch's tables from its run folders.

    ``summary.csv`` (scenario × kpi × year), ``comparison.csv`` (one row per scenario, deltas from
    the base combination) and ``batch.json`` (every scenario's status and error).
    """
    import pandas as pd

    axes = batch.axis_names
    long_rows = []
    wide_rows = []
    for item, outcome in zip(batch.scenarios, outcomes, strict=True):
        if outcome.status == "failed":
            continue
        head, rows = scenario_figures(out_dir / item.key)
        for kpi, year, value in rows:
            long_rows.append({"scenario": item.key, **item.values, "kpi": kpi, "year": year, "value": value})
        wide_rows.append({"scenario": item.key, **item.values, **head})
    texts: dict[str, str] = {}
    ranked: list[dict[str, Any]] | None = None
    if long_rows:
        summary = pd.DataFrame(long_rows)
        summary["year"] = summary["year"].astype("Int64")
        texts["summary.csv"] = summary.to_csv(index=False, float_format="%.10g")
        wide = pd.DataFrame(wide_rows)
        figures = [c for c in wide.columns if c not in ("scenario", *axes)]
        base_key = batch.reference.key
        if base_key in set(wide.scenario):
            # the reference first, then the batch's own order (axis order): a table to read, not a ranking
            wide = pd.concat([wide[wide.scenario == base_key], wide[wide.scenario != base_key]], ignore_index=True)
            base = wide.iloc[0]
            for col in figures:
                wide[f"delta_{col}"] = wide[col] - float(base[col])
        texts["comparison.csv"] = wide.to_csv(index=False, float_format="%.10g")
        from ltsim.keyfigures import headline

        # the console's headline, ranked on comparison.csv as written (a rerun that runs nothing prints it from here)
        ranked = headline(pd.read_csv(io.StringIO(texts["comparison.csv"])), base_key)
    manifest = {
        "batch": batch.spec.name,
        "file": str(batch.file),
        "status": "complete",
        "axes": {a: list(v) for a, v in batch.spec.axes.items()},
        "base_scenario": batch.reference.key,
        "base_values": batch.reference.values,
        "reps": batch.spec.reps,
        "seed": batch.spec.seed,
        "seconds": round(seconds, 3),
        "scenarios": [
            {
                "scenario": o.key,
                "status": o.status,
                "hash": o.scenario_hash,
                "seconds": round(o.seconds, 3),
                "error": o.error,
            }
            for o in outcomes
        ],
    }
    if ranked is not None:
        manifest["headline"] = {"scenarios": len(wide_rows), "reference": batch.reference.key, "rows": ranked}
    texts["batch.json"] = _json_text(manifest)
    write_files(texts, out_dir)  # each to a temporary file, then all renamed: never half a table
    names = {"summary.csv": "summary", "comparison.csv": "comparison", "batch.json": "batch"}
    return {names[n]: out_dir / n for n in texts}


def _json_text(data: dict[str, Any]) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
