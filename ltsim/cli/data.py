"""Command line for bringing your own data: ``ltsim import ssb|projects``, ``ltsim export projects``.

Registered in :mod:`ltsim.cli` as the ``import`` and ``export`` groups. Exit 0 on success, 2 on bad input (with
every problem printed and nothing written).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated

import typer

from ltsim.cli.common import fail, out
from ltsim.errors import InputError, Problem

import_app = typer.Typer(
    help="Import data you already have: population from Statistics Norway (JSON-stat), projects from Excel.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
export_app = typer.Typer(
    help="Export scenario tables for editing in Excel.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


@import_app.command("ssb")
def import_ssb(
    file: Annotated[
        Path,
        typer.Argument(help="JSON-stat 2.0 file saved from SSB's PxWebApi (table 07459, or 13600 for projections)."),
    ],
    out_dir: Annotated[Path, typer.Option("--out", "-o", help="Folder to write the CSV tables into.")],
    municipality: Annotated[
        str | None,
        typer.Option(
            "--municipality",
            "-m",
            help="Municipality code, e.g. 3203 (default: the only one in the file). Old codes (0220, 3025) "
            "are mapped to today's code and summed.",
        ),
    ] = None,
    year: Annotated[
        int | None, typer.Option("--year", help="Base year of the population (default: the latest in the file).")
    ] = None,
    max_age: Annotated[
        int,
        typer.Option(
            "--max-age", min=1, max=120, help="Last age class, open (100 = 100+); older ages are added to it."
        ),
    ] = 100,
    areas: Annotated[
        Path | None,
        typer.Option(
            "--areas",
            help="CSV 'area,share' splitting the municipality into planning areas (shares sum to 1). "
            "Default: one area named after the municipality.",
        ),
    ] = None,
    area: Annotated[
        str | None, typer.Option("--area", help="Id of the single planning area (default: from the name, e.g. asker).")
    ] = None,
    from_year: Annotated[
        int | None,
        typer.Option(
            "--from-year", help="Projections: first year of the control totals (use the scenario's base_year + 1)."
        ),
    ] = None,
    to_year: Annotated[
        int | None,
        typer.Option("--to-year", help="Projections: last year of the control totals (the scenario's end_year)."),
    ] = None,
    codes: Annotated[
        Path | None,
        typer.Option(
            "--codes", help="Your own code table (old_code,new_code,valid_from,name) instead of the built-in one."
        ),
    ] = None,
) -> None:
    """Turn a population table saved from Statistics Norway into scenario CSV files.

    Writes population_<year>.csv (area, age, sex, persons — the scenario's
    population.base) from table 07459, or control_totals_<variant>.csv (year, persons —
    population.control_totals) for each variant (MMMM, LLML, HHMH, …) of a projection
    table such as 13600. Never uses the network: save the file from SSB first (see
    docs/import.md for the exact query).
    """
    from ltsim.io.output import check_output, write_files
    from ltsim.io.ssb import import_ssb as run_import

    try:
        check_output(out_dir, "--out", folder=True)
        if area is not None and re.fullmatch(r"[a-z0-9][a-z0-9_]*", area) is None:
            raise InputError(
                Problem(
                    "an area id of lower-case letters, digits and '_'",
                    file="command line",
                    field="--area",
                    found=repr(area),
                )
            )
        result = run_import(
            file,
            municipality=municipality,
            year=year,
            max_age=max_age,
            area_shares=areas,
            area_id=area,
            from_year=from_year,
            to_year=to_year,
            codes_file=codes,
        )
        paths = write_files(result.files, out_dir)
    except InputError as exc:
        raise fail(exc, f"import {file}") from None
    codes_note = f" (from {', '.join(result.codes)})" if result.codes and result.codes != (result.municipality,) else ""
    if result.year is not None:
        what = f"{result.persons:,.0f} persons on 1 January {result.year}"
    else:
        what = f"projection variants {', '.join(result.variants)}"
    out.print(f"[green]✓[/] {result.municipality} {result.name}{codes_note}: {what}", soft_wrap=True)
    for path in paths:
        out.print(f"  wrote {path}", soft_wrap=True, highlight=False)


@import_app.command("projects")
def import_projects(
    workbook: Annotated[Path, typer.Argument(help="Excel workbook (.xlsx), one row per project, headers in row 1.")],
    out_file: Annotated[Path, typer.Option("--out", "-o", help="Catalogue CSV to write, e.g. data/projects.csv.")],
    sheet: Annotated[str | None, typer.Option("--sheet", help="Sheet to read (default: the first).")] = None,
) -> None:
    """Read a project list from Excel and write the scenario's project catalogue (CSV).

    Headers may be English (id, name, gross_cost_mnok, …) or Norwegian (prosjekt-id, navn,
    brutto kostnad (mill. kr), …). Every cell is checked; a blank cell stays unknown,
    never zero. Errors name the sheet, the row and the column.
    """
    from ltsim.io.excel import import_projects as run_import
    from ltsim.io.output import check_output

    try:
        check_output(out_file, "--out")
        catalogue = run_import(workbook, out_file, sheet)
    except InputError as exc:
        raise fail(exc, f"import {workbook}") from None
    out.print(
        f"[green]✓[/] {len(catalogue.rows)} projects, {len(catalogue.columns)} columns → {out_file}",
        soft_wrap=True,
    )


@export_app.command("projects")
def export_projects(
    catalogue: Annotated[Path, typer.Argument(help="The scenario's project catalogue CSV, e.g. data/projects.csv.")],
    out_file: Annotated[Path, typer.Option("--out", "-o", help="Workbook to write (.xlsx).")],
    lang: Annotated[str, typer.Option("--lang", help="Language of the headers: nb (Norwegian) or en.")] = "nb",
    all_columns: Annotated[
        bool, typer.Option("--all-columns", help="Also write the optional columns the catalogue does not use yet.")
    ] = False,
) -> None:
    """Write the project catalogue as an Excel workbook for a finance officer to edit.

    Header row frozen, units in the headers, a second sheet ('Les meg' / 'Read me')
    explaining every column. Import it again with `ltsim import projects`; an unchanged
    workbook gives back the same CSV.
    """
    from ltsim.io.excel import export_projects as run_export
    from ltsim.io.output import check_output

    try:
        if lang not in ("nb", "en"):
            raise InputError(Problem("nb or en", file="command line", field="--lang", found=repr(lang)))
        check_output(out_file, "--out")
        result = run_export(catalogue, out_file, lang, all_columns)
    except InputError as exc:
        raise fail(exc, f"export {catalogue}") from None
    out.print(f"[green]✓[/] {len(result.rows)} projects → {out_file}", soft_wrap=True)
