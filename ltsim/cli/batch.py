"""``ltsim batch``: every combination of a batch's axes, side by side."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from ltsim.cli.common import MAX_WORKERS, check_range, check_target, err, fail, out
from ltsim.errors import InputError


def batch(
    batch_file: Annotated[Path, typer.Argument(help="Batch YAML: a base scenario and axes of variation (see README).")],
    out_dir: Annotated[
        Path | None,
        typer.Option(
            "--out",
            "-o",
            help="Batch folder (default: results/<batch name>): new, empty or an earlier ltsim batch folder.",
        ),
    ] = None,
    list_only: Annotated[bool, typer.Option("--list", help="Only list the scenarios the batch expands to.")] = False,
    workers: Annotated[int | None, typer.Option("--workers", help="Local processes (default: all cores).")] = None,
    dask: Annotated[
        str | None,
        typer.Option(
            "--dask", help="Run on an existing Dask cluster: scheduler address (tcp://host:8786) or scheduler file."
        ),
    ] = None,
) -> None:
    """Run every combination of a batch's axes and compare them.

    Each scenario gets its own run folder (as `ltsim run` writes it) under the batch folder, which
    also holds summary.csv (scenario × key figure × year), comparison.csv (one row per scenario,
    the reference first: the base as declared, or the batch's reference:; with differences from
    it), comparison.html (the same side by side, filterable by axis, with small multiples) and
    batch.json (status and errors). Prints the best and worst scenario by each headline figure.
    Rerunning skips scenarios already completed with the same resolved scenario; a failing scenario
    is recorded and the rest go on (exit code 1 if any failed).
    """
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    from ltsim.batch import load_batch, run_batch

    check_range(workers, "--workers", 1, MAX_WORKERS)
    try:
        spec = load_batch(batch_file)
    except InputError as exc:
        raise fail(exc, f"load batch {batch_file}") from None
    if list_only:
        table = Table(title=f"Batch {spec.spec.name}: {len(spec.scenarios)} scenarios", title_justify="left")
        table.add_column("#", justify="right")
        table.add_column("scenario")
        for axis in spec.axis_names:
            table.add_column(axis)
        for i, item in enumerate(spec.scenarios, 1):
            table.add_row(str(i), item.key, *(item.values[a] for a in spec.axis_names))
        out.print(table)
        return
    default = Path("results") / spec.spec.name
    target = check_target(out_dir if out_dir is not None else default, f"run batch {batch_file}", batch=True)
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
    )
    counts = {"ok": 0, "skipped": 0, "failed": 0}
    with Progress(*columns, console=err, transient=True) as progress:
        task = progress.add_task(f"batch {spec.spec.name}", total=len(spec.scenarios))

        def advance(outcome: object) -> None:
            counts[outcome.status] += 1  # type: ignore[attr-defined]
            progress.advance(task)

        result = run_batch(spec, target, workers=workers, dask=dask, progress=advance)
    page = None
    if result.unchanged and (result.out_dir / "comparison.html").is_file():
        page = result.out_dir / "comparison.html"  # nothing ran: the page is of these very folders
    elif counts["ok"] + counts["skipped"]:
        from ltsim.report import compare_report

        page = compare_report([result.out_dir], result.out_dir / "comparison.html")
    out.print(
        f"Batch [bold]{spec.spec.name}[/]: {counts['ok']} run, {counts['skipped']} already complete, "
        f"{counts['failed']} failed → [bold]{result.out_dir}[/]"
    )
    if page is not None:
        _print_headline(result.out_dir, spec.reference.key, stored=result.unchanged)
        out.print(f"Comparison: [bold]{page}[/] (open it in a browser); one row per scenario in comparison.csv")
    for outcome in result.outcomes:
        if outcome.status == "failed":
            err.print(f"  • {outcome.key}: {outcome.error}", markup=False, highlight=False, soft_wrap=True)
    if counts["failed"]:
        raise typer.Exit(code=1)


def _print_headline(folder: Path, reference: str, stored: bool = False) -> None:
    """The best and worst scenario by each headline figure of comparison.csv, beside the reference's value.

    With ``stored`` (a rerun that ran nothing) the ranking batch.json holds for that very comparison.csv.
    """
    import json

    from rich.markup import escape

    from ltsim.keyfigures import better, headline
    from ltsim.report.i18n import figure_label

    comparison = folder / "comparison.csv"
    if not comparison.is_file():
        return
    kept = json.loads((folder / "batch.json").read_text(encoding="utf-8")).get("headline") if stored else None
    if kept is not None and kept.get("reference") == reference:
        rows, n = kept["rows"], kept["scenarios"]
    else:
        import pandas as pd

        frame = pd.read_csv(comparison)
        rows, n = headline(frame, reference), len(frame)
    if not rows:
        out.print("Every scenario has the same headline figures.")
        return
    table = Table(
        title=f"Headline: best and worst of {n} scenarios (reference {reference})",
        title_justify="left",
        caption="↓ lower is better, ↑ higher is better",
        caption_justify="left",
    )
    for col in ("key figure", "reference", "best", "", "worst", ""):
        table.add_column(col, justify="right" if col in ("reference", "") else "left")

    def num(key: str, value: float | None) -> str:
        if value is None:
            return "–"
        return f"{value:,.1f} %" if key.endswith("_pct") and not key.startswith("years_red_") else f"{value:,.0f}"

    def who(name: str, ties: int) -> str:
        return escape(name) + (f" [dim](+{ties} tied)[/]" if ties else "")

    for r in rows:
        arrow = "↑" if better(r["figure"]) > 0 else "↓"
        table.add_row(
            f"{escape(figure_label(r['figure'], 'en'))} {arrow}",
            num(r["figure"], r["reference"]),
            who(r["best"], r["best_ties"]),
            num(r["figure"], r["best_value"]),
            who(r["worst"], r["worst_ties"]),
            num(r["figure"], r["worst_value"]),
        )
    out.print(table)
