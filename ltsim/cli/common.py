"""What every command shares: the consoles, how bad input is reported (exit 2), option checks."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

from ltsim.errors import InputError

MAX_REPS = 1_000_000
MAX_WORKERS = 1024

out = Console()
err = Console(stderr=True)

ScenarioArg = Annotated[
    Path,
    typer.Argument(help="Scenario YAML file, e.g. scenarios/asker/base.yaml. It may 'extends:' another file."),
]


def fail(exc: InputError, action: str) -> typer.Exit:
    """Print every problem of ``exc`` (file, line or row, field, found, expected); return the exit-2 to raise."""
    n = len(exc.problems)
    err.print(f"[bold red]Cannot {action}:[/] {n} problem{'s' if n != 1 else ''} in the input")
    for problem in exc.problems:
        err.print(f"  • {problem}", markup=False, highlight=False, soft_wrap=True)
    err.print("Nothing was written.", style="dim")
    return typer.Exit(code=2)


def check_lang(lang: str) -> str:
    """Refuse an unknown report language before any work (exit 2); the languages are the report's own."""
    from ltsim.report.i18n import LANGS

    if lang not in LANGS:
        raise typer.BadParameter(f"found {lang!r}; expected nb (bokmål) or en", param_hint="--lang")
    return lang


def check_range(value: float | None, option: str, lo: float, hi: float | None = None, whole: bool = True) -> None:
    """Refuse an option value out of its range, saying what was found and what is expected (exit 2)."""
    if value is None or (value >= lo and (hi is None or value <= hi)):
        return
    noun = "a whole number" if whole else "a number"
    expected = f"{noun} from {lo:g} to {hi:g}" if hi is not None else f"{noun} ≥ {lo:g}"
    raise typer.BadParameter(f"found {value:g}; expected {expected}", param_hint=option)


def check_monte_carlo(seed: int | None, reps: int, workers: int | None) -> None:
    """Refuse --seed, --reps or --workers out of range (exit 2)."""
    check_range(seed, "--seed", 0, 2**63 - 1)
    check_range(reps, "--reps", 1, MAX_REPS)
    check_range(workers, "--workers", 1, MAX_WORKERS)


def check_target(target: Path, action: str, batch: bool = False) -> Path:
    """Refuse an output folder ltsim may not replace, before any work (exit 2); return it absolute.

    A run folder, or with ``batch`` a batch folder (see :mod:`ltsim.io.folders`).
    """
    from ltsim.io.folders import check_batch_target, check_run_target

    try:
        return check_batch_target(target) if batch else check_run_target(target)
    except InputError as exc:
        raise fail(exc, action) from None


def years_text(years: list[int]) -> str:
    """2025, 2027–2030, 2044: consecutive years as ranges."""
    runs: list[list[int]] = []
    for y in sorted(years):
        if runs and y == runs[-1][-1] + 1:
            runs[-1].append(y)
        else:
            runs.append([y])
    return ", ".join(f"{r[0]}–{r[-1]}" if len(r) > 1 else str(r[0]) for r in runs)


def write_tested(
    run: Any,
    target: Path,
    seed: int,
    reps: int,
    workers: int | None,
    timings: dict[str, float],
    extras: dict[str, str],
    report_lang: str | None,
    what: str,
    action: str,
) -> tuple[Path, Any]:
    """Test ``run``'s plan with ``reps`` Monte Carlo replications (if > 1), then write its run folder.

    Returns the folder and the Monte Carlo result (None without one); bad output targets exit 2 naming ``action``.
    """
    import time

    from ltsim.results import write_run

    mc = None
    if reps > 1:
        from ltsim.montecarlo import run_montecarlo

        tick = time.perf_counter()
        with err.status(f"testing {what}: {reps} Monte Carlo replications …"):
            mc = run_montecarlo(run.scenario, run.population.persons, reps, seed, workers)
        timings["montecarlo"] = time.perf_counter() - tick
    try:
        folder = write_run(run, target, seed, timings, extras=extras, montecarlo=mc, report_lang=report_lang)
    except InputError as exc:
        raise fail(exc, action) from None
    return folder, mc


def load_for_decision(
    scenario: Path,
    out_dir: Path | None,
    suffix: str,
    action: str,
    sections: tuple[str, ...],
    options: tuple[str, str, float | None, float | None, int | None, int, int | None],
) -> tuple[Any, Path]:
    """The options of ``optimize``/``plan`` checked, the scenario loaded, its target folder and sections checked.

    ``sections``: the top-level keys the command needs (each exit 2, all named together, when missing);
    the run folder defaults to ``results/<name>-<suffix>``. ``options``: solver, language, time limit,
    gap, seed, replications and workers, checked in that order before any work.
    """
    import ltsim.optimize as opt_module
    from ltsim.errors import Problem
    from ltsim.optimize.replay import table_cache
    from ltsim.scenario import load_scenario

    solver, lang, time_limit, gap, seed, reps, workers = options
    if solver not in opt_module.SOLVERS:
        raise typer.BadParameter(f"found {solver!r}; expected highs or cbc", param_hint="--solver")
    check_lang(lang)
    check_range(time_limit, "--time-limit", 0.1, whole=False)
    check_range(gap, "--gap", 0.0, 1.0, whole=False)
    check_monte_carlo(seed, reps, workers)
    try:
        sc = load_scenario(scenario, cache=table_cache())  # the replays' tables: the first replay reads none
    except InputError as exc:
        raise fail(exc, action) from None
    target = check_target(out_dir if out_dir is not None else Path("results") / f"{sc.name}-{suffix}", action)
    missing = [name for name in sections if getattr(sc.config, name) is None]
    if missing:
        names = [f"'{name}:'" for name in sections]
        expected = "the sections " + ", ".join(names[:-1]) + " and " + names[-1]
        raise fail(InputError(Problem(expected, file=str(scenario), field=", ".join(missing), found="missing")), action)
    return sc, target
