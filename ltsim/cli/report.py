"""``ltsim report``: rebuild the report of a run folder or the comparison of a batch folder."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ltsim.cli.common import check_lang, err, fail, out
from ltsim.errors import InputError


def report_command(
    folder: Annotated[Path, typer.Argument(help="A run folder (from ltsim run) or a batch folder (from ltsim batch).")],
    lang: Annotated[str, typer.Option("--lang", help="Language: nb (bokmål) or en.")] = "nb",
) -> None:
    """Rebuild report.html and workbook.xlsx from a run folder, or comparison.html from a batch folder."""
    from ltsim.report import build_report, compare_report

    check_lang(lang)
    try:
        if (folder / "manifest.json").is_file():
            html, xlsx = build_report(folder, lang=lang)
            out.print(f"Wrote [bold]{html}[/] and [bold]{xlsx}[/]")
            return
        if (folder / "batch.json").is_file():
            html = compare_report([folder], folder / "comparison.html", lang=lang)
            out.print(f"Wrote [bold]{html}[/]")
            return
    except InputError as exc:
        raise fail(exc, f"report {folder}") from None
    err.print(f"[bold red]Cannot report:[/] {folder} has neither manifest.json (a run) nor batch.json (a batch)")
    raise typer.Exit(code=2)
