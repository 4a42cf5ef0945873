"""The Excel workbook of one run folder (openpyxl): contents, an economic plan sheet and one sheet per table.

The "Økonomiplan" sheet is the plan in the budget layout of budsjett- og regnskapsforskriften
(§ 5-4, § 5-5, § 5-6; :mod:`ltsim.report.budget`) for every year of the horizon.

Every CSV table of the run folder becomes a sheet of the same name with the CSV's header in row 1
(frozen, filtered, with the unit as a note) and its values as numbers, text and booleans, so
``pandas.read_excel(sheet_name=NAME)`` gives back the CSV table. No formulas: every sum on the
"Økonomiplan" sheet is a value, so nothing needs recalculating when the file is opened.

Large tables (population.csv has ~50,000 rows) are written by streaming the sheet XML directly: openpyxl
writes the header and the first data row (which fixes the styles of each column) and the remaining
rows are generated as XML with the same styles and put into the file, which is ~10× faster than
openpyxl's cell objects and keeps the report within its time budget (:mod:`ltsim.report.sheetxml`).
"""

from __future__ import annotations

from copy import copy
from pathlib import Path
from typing import Any

import numpy as np

from ltsim.io.excel import set_value
from ltsim.report import RunFolder
from ltsim.report.budget import REQUIRED_ITEMS, STOCKS, missing_items, overviews, text
from ltsim.report.i18n import COLUMN_INFO, kpi_name, t
from ltsim.report.optimised import answer_sheet
from ltsim.report.sheetxml import patch_workbook, stored

PLAN_SHEET = "Økonomiplan"
CONTENTS_SHEET = {"nb": "Innhold", "en": "Contents"}
PLAN_YEARS = 4
"""Years of the economic plan period (handlingsprogram / økonomiplan: four years)."""

FMT_YEAR = "0"
FMT_INT = "#,##0"
FMT_ONE = "#,##0.0"
FMT_THREE = "#,##0.000"
FMT_SHARE = "0.0%"
HEADER_FILL = "DCE6F1"
STATUS_FILL = {"green": "C8E6C9", "yellow": "FFECB3", "red": "F5B7B1"}


def column_format(name: str, dtype: Any) -> str | None:
    """Number format of a results-contract column from its name and dtype (None: general)."""
    if dtype.kind not in "iuf":
        return None
    if name in ("year", "age", "rep", "planned_start") or name.endswith("_year") or "_year_p" in name:
        return FMT_YEAR
    if name.startswith("probability") or name in ("utilisation",) or name.endswith("_share") or name.endswith("_rate"):
        return FMT_SHARE
    if name.endswith("_mnok") or "_mnok_" in name or name == "value":
        return FMT_ONE
    if name == "delay_years":
        return FMT_YEAR
    if dtype.kind in "iu":
        return FMT_INT
    return FMT_ONE


def _put(ws: Any, row: int, column: int, value: Any) -> Any:
    """Put a value into a cell of ``ws``: a text is stored as text, never as a formula (see ``set_value``)."""
    return set_value(ws.cell(row=row, column=column), value)


def _column_letter(i: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(i)


# ------------------------------------------------------------------------------------------- sheets


def _header(ws: Any, names: list[str], row: int = 1) -> None:
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side

    fill = PatternFill("solid", fgColor=HEADER_FILL)
    bottom = Border(bottom=Side(style="thin", color="7F7F7F"))
    for j, name in enumerate(names, start=1):
        cell = _put(ws, row, j, name)
        cell.font = Font(bold=True)
        cell.fill = fill
        cell.border = bottom
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=False)


def _table_sheet(wb: Any, title: str, frame: Any, lang: str) -> None:
    from openpyxl.comments import Comment

    ws = wb.create_sheet(title)
    names = [str(c) for c in frame.columns]
    _header(ws, names)
    for j, name in enumerate(names, start=1):
        info = COLUMN_INFO.get(name)
        if info:
            unit, meaning = info[0][lang], info[1][lang]
            text = f"{meaning}" + (f" [{unit}]" if unit else "")
            ws.cell(row=1, column=j).comment = Comment(text, "ltsim", width=260, height=60)
    if len(frame):
        first = frame.iloc[0]
        for j, name in enumerate(names, start=1):
            v = first.iloc[j - 1]
            v = None if v is None or (isinstance(v, float) and v != v) or v is np.nan else v
            if isinstance(v, np.generic):
                v = v.item()
            if v is not None and not isinstance(v, (bool, int, float, str)):
                v = None if str(v) in ("<NA>", "nan") else str(v)
            cell = _put(ws, 2, j, v)
            fmt = column_format(name, frame[name].dtype)
            if fmt:
                cell.number_format = fmt
    ws.freeze_panes = "A2"
    last = _column_letter(max(len(names), 1))
    ws.auto_filter.ref = f"A1:{last}{len(frame) + 1}"
    sample = frame.head(200)
    for j, name in enumerate(names, start=1):
        width = len(name) + 3
        if len(sample) and sample[name].dtype.kind == "O":
            width = max(width, min(48, int(sample[name].astype(str).str.len().max()) + 2))
        ws.column_dimensions[_column_letter(j)].width = max(9, min(width, 50))


def _plan_sheet(wb: Any, run: RunFolder, lang: str) -> None:
    """The economic plan in the budget layout for every year of the horizon (:mod:`ltsim.report.budget`).

    § 5-4 bevilgningsoversikt drift, § 5-5 bevilgningsoversikt investering (in balance: udekket 0) and
    § 5-6 økonomisk oversikt drift, then the investments per project (the recurring budgets as one line,
    so they add up to § 5-5's investments), the stocks and the fiscal rules.
    """
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side

    ws = wb.create_sheet(PLAN_SHEET)
    bold = Font(bold=True)
    top = Border(top=Side(style="thin", color="000000"))
    styles: dict[Any, Any] = {}  # the number cells' styles (see _numbers)
    set_value(ws["A1"], f"{t('economic_plan', lang)}: {text('budget_layout', lang)}")
    ws["A1"].font = Font(bold=True, size=14)
    set_value(ws["A2"], f"{run.title} ({run.name})")
    set_value(ws["A3"], f"{t('mnok_fixed', lang).capitalize()}")
    ws["A3"].font = Font(italic=True)
    spend, projects, fin, kpi = (
        run.table("project_spend"),
        run.table("projects"),
        run.table("finance"),
        run.table("kpi"),
    )
    wide_fin = (
        fin.pivot_table(index="year", columns="item", values="value", aggfunc="sum")
        if fin is not None and len(fin)
        else None
    )
    year_set: set[int] = set()
    for frame in (spend, fin, kpi):
        if frame is not None and len(frame):
            year_set |= {int(y) for y in frame.year.unique()}
    if not year_set:
        set_value(ws["A5"], t("projects_missing", lang))
        ws.column_dimensions["A"].width = 60
        return
    years = list(range(min(year_set), max(year_set) + 1))  # the whole horizon
    plan = years[:PLAN_YEARS]
    first_col = 4
    ycol = {y: first_col + i for i, y in enumerate(years)}
    sum_plan_col = first_col + len(years)
    sum_all_col = sum_plan_col + 1
    _put(ws, 5, first_col, t("plan_period", lang)).font = bold
    ws.merge_cells(start_row=5, start_column=first_col, end_row=5, end_column=first_col + len(plan) - 1)
    if len(years) > len(plan):
        _put(ws, 5, first_col + len(plan), t("long_term", lang)).font = bold
        ws.merge_cells(
            start_row=5, start_column=first_col + len(plan), end_row=5, end_column=first_col + len(years) - 1
        )
    heads = [text("budget_line", lang), t("service", lang), t("zone", lang), *[str(y) for y in years]]
    heads += [f"{t('sum', lang)} {plan[0]}–{plan[-1]}", f"{t('sum', lang)} {years[0]}–{years[-1]}"]
    _header(ws, heads, row=6)
    for j in range(first_col, sum_all_col + 1):
        ws.cell(row=6, column=j).alignment = Alignment(horizontal="right")
    row = 7
    missing = missing_items(wide_fin) if wide_fin is not None else list(REQUIRED_ITEMS)
    if missing:
        note = (
            t("finance_missing", lang)
            if wide_fin is None
            else f"{text('budget_items_missing', lang)}: {', '.join(missing)}"
        )
        _put(ws, row, 1, note).font = Font(italic=True)
        row += 2
    else:
        assert wide_fin is not None
        for overview in overviews(wide_fin.reindex(years).fillna(0.0)):
            _put(ws, row, 1, overview.title(lang)).font = Font(bold=True, size=12)
            row += 1
            _put(ws, row, 1, overview.note(lang)).font = Font(italic=True)
            row += 1
            for line in overview.lines:
                is_sum = line.style == "sum"
                c = _put(ws, row, 1, ("   " if line.style == "memo" else "") + line.name(lang))
                if is_sum:
                    c.font = bold
                elif line.style == "memo":
                    c.font = Font(italic=True)
                _numbers(
                    ws,
                    row,
                    ycol,
                    years,
                    line.values,
                    sum_plan_col,
                    sum_all_col,
                    len(plan),
                    bold=is_sum,
                    border=top if is_sum else None,
                    styles=styles,
                )
                row += 1
            row += 1
    _put(ws, row, 1, text("investments_by_project", lang)).font = Font(bold=True, size=12)
    row += 1
    totals = np.zeros(len(years))
    if spend is not None and len(spend):
        wide = (
            spend.pivot_table(index="project", columns="year", values="spend_mnok", aggfunc="sum")
            .reindex(columns=years, fill_value=0.0)
            .fillna(0.0)
        )
        order = list(projects.project) if projects is not None else list(wide.index)
        order = [p for p in order if p in wide.index] + [p for p in wide.index if p not in set(order)]
        meta = _project_meta(projects)
        spend_rows = dict(zip(wide.index, wide.to_numpy(float), strict=True))
        for pid in order:
            vals = spend_rows[pid]
            name, service, zone = meta(pid)
            _put(ws, row, 1, str(name))
            _put(ws, row, 2, service if isinstance(service, str) else None)
            _put(ws, row, 3, zone if isinstance(zone, str) else None)
            _numbers(ws, row, ycol, years, vals, sum_plan_col, sum_all_col, len(plan), styles=styles)
            totals += vals
            row += 1
    if wide_fin is not None and "gross_investment_mnok" in wide_fin:
        gross = wide_fin["gross_investment_mnok"].reindex(years).fillna(0.0).to_numpy(float)
        rest = gross - totals  # the finance model's investments beyond the catalogue: the recurring budgets
        if np.any(np.abs(rest) > 1e-6):
            _put(ws, row, 1, text("recurring_investments", lang))
            _numbers(ws, row, ycol, years, rest, sum_plan_col, sum_all_col, len(plan), styles=styles)
            totals = gross
            row += 1
    _put(ws, row, 1, t("sum_investments", lang)).font = bold
    _numbers(ws, row, ycol, years, totals, sum_plan_col, sum_all_col, len(plan), bold=True, border=top, styles=styles)
    row += 2
    stocks = [i for i in STOCKS if wide_fin is not None and i in wide_fin]
    if stocks:
        assert wide_fin is not None
        _put(ws, row, 1, text("stocks_31_december", lang)).font = Font(bold=True, size=12)
        row += 1
        for item in stocks:
            vals = wide_fin[item].reindex(years).to_numpy(float)
            _put(ws, row, 1, STOCKS[item][lang])
            for y, v in zip(years, vals, strict=True):
                if v == v:
                    _put(ws, row, ycol[y], float(v)).number_format = FMT_ONE
            row += 1
        row += 1
    if kpi is not None and len(kpi):
        _put(ws, row, 1, f"{t('traffic_lights', lang)} (%)").font = bold
        row += 1
        for name in dict.fromkeys(kpi.kpi):
            sel = kpi[kpi.kpi == name].set_index("year")
            _put(ws, row, 1, kpi_name(name, lang))
            for y in years:
                if y in sel.index:
                    r = sel.loc[y]
                    c = _put(ws, row, ycol[y], float(r.value) if r.value == r.value else None)
                    c.number_format = "0.0"
                    fill = STATUS_FILL.get(str(r.get("status", "")))
                    if fill:
                        c.fill = PatternFill("solid", fgColor=fill)
            row += 1
    ws.column_dimensions["A"].width = 60
    ws.column_dimensions["B"].width = 16
    ws.column_dimensions["C"].width = 16
    for j in range(first_col, sum_all_col + 1):
        ws.column_dimensions[_column_letter(j)].width = 11 if j < sum_plan_col else 15
    ws.freeze_panes = ws.cell(row=7, column=first_col)
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = "5:6"


def _project_meta(projects: Any) -> Any:
    """``pid -> (name, service, zone)`` from projects.csv (the id itself and blanks for a project it lacks).

    Looked up in dicts built once (one ``.loc`` per project and column took most of a 400-project plan sheet);
    a table with a repeated id keeps the ``.loc`` lookup it had.
    """
    if projects is None:
        return lambda pid: (pid, "", "")
    meta = projects.set_index("project")
    if not meta.index.is_unique:

        def looked_up(pid: Any) -> tuple[Any, Any, Any]:
            if pid not in meta.index:
                return pid, "", ""
            return meta.loc[pid, "name"], meta.loc[pid, "service"], meta.loc[pid, "zone"]

        return looked_up
    columns = {c: dict(zip(projects.project, projects[c], strict=True)) for c in ("name", "service", "zone")}
    return lambda pid: (
        columns["name"].get(pid, pid),
        columns["service"].get(pid, ""),
        columns["zone"].get(pid, ""),
    )


def _numbers(
    ws: Any,
    row: int,
    ycol: dict[int, int],
    years: list[int],
    vals: Any,
    c_plan: int,
    c_all: int,
    n_plan: int,
    bold: bool = False,
    border: Any = None,
    styles: dict[Any, Any] | None = None,
) -> None:
    """One line of numbers: a value per year, the sums of the plan period and of the horizon (bold).

    ``styles`` holds the cell styles made so far on the sheet: the first cell of each kind gets its number
    format, font and border one by one, every later one a copy of that cell's style (the same style ids,
    without building and looking up a font and a border for each of the thousands of cells).
    """
    from openpyxl.styles import Font

    styles = {} if styles is None else styles
    cells = [(ycol[y], round(float(v), 6), bold) for y, v in zip(years, vals, strict=True)]
    cells += [(c_plan, round(float(np.sum(vals[:n_plan])), 6), True), (c_all, round(float(np.sum(vals)), 6), True)]
    keys = {False: (False, border), True: (True, border)}  # the border hashed once per line, not per cell
    for col, v, is_bold in cells:
        c = _put(ws, row, col, v)
        key = keys[is_bold]
        style = styles.get(key)
        if style is not None:
            c._style = copy(style)
            continue
        c.number_format = FMT_ONE
        if is_bold:
            c.font = Font(bold=True)
        if border is not None:
            c.border = border
        styles[key] = copy(c._style)
    if border is not None:
        for col in range(1, 4):
            ws.cell(row=row, column=col).border = border


def _contents_sheet(wb: Any, run: RunFolder, lang: str, tables: dict[str, Any]) -> None:
    from openpyxl.styles import Font

    ws = wb.create_sheet(CONTENTS_SHEET[lang], 0)
    set_value(ws["A1"], f"{run.title}")
    ws["A1"].font = Font(bold=True, size=14)
    man = run.manifest
    facts = [
        (t("scenario", lang), run.name),
        (t("hash", lang), man.get("scenario", {}).get("hash", "")),
        (t("seed", lang), man.get("seed")),
        (t("replications", lang), man.get("replications")),
        (t("version", lang), man.get("ltsim_version")),
        (t("created", lang), man.get("created_utc")),
    ]
    row = 3
    for k, v in facts:
        _put(ws, row, 1, k).font = Font(bold=True)
        _put(ws, row, 2, v)
        row += 1
    row += 1
    _header(ws, [t("sheet", lang), t("file", lang), t("rows", lang), t("meaning", lang)], row=row)
    row += 1
    _put(ws, row, 1, PLAN_SHEET)
    _put(ws, row, 4, f"{t('investments', lang)}, {t('financing', lang).lower()} ({t('mnok_fixed', lang)})")
    row += 1
    for name, frame in tables.items():
        _put(ws, row, 1, name)
        _put(ws, row, 2, f"{name}.csv")
        _put(ws, row, 3, len(frame)).number_format = FMT_INT
        row += 1
    row += 1
    _header(ws, [t("sheet", lang), t("column", lang), t("unit", lang), t("meaning", lang)], row=row)
    row += 1
    for name, frame in tables.items():
        for col in frame.columns:
            info = COLUMN_INFO.get(str(col))
            _put(ws, row, 1, name)
            _put(ws, row, 2, str(col))
            if info:
                _put(ws, row, 3, info[0][lang])
                _put(ws, row, 4, info[1][lang])
            row += 1
    for col, width in zip("ABCD", (26, 30, 14, 70), strict=True):
        ws.column_dimensions[col].width = width


def workbook_bytes(run: RunFolder, lang: str = "nb") -> bytes:
    """The workbook of the run folder as the bytes of an .xlsx file."""
    from openpyxl import Workbook

    wb = Workbook()
    wb.remove(wb.active)
    tables = {name: run.table(name) for name in run.table_names()}
    tables = {k: v for k, v in tables.items() if v is not None}
    _plan_sheet(wb, run, lang)
    for name, frame in tables.items():
        _table_sheet(wb, name[:31], frame, lang)
    _contents_sheet(wb, run, lang, tables)
    answer_sheet(wb, run, lang)  # an optimised plan opens on its answer
    return patch_workbook(stored(wb), {name[:31]: frame for name, frame in tables.items() if len(frame) > 1})


def write_workbook(run: RunFolder, out: Path, lang: str = "nb") -> Path:
    """Write ``workbook.xlsx`` for the run folder (to a temporary file, then renamed)."""
    from ltsim.io.output import write_files

    out = Path(out)
    return write_files({out.name: workbook_bytes(run, lang)}, out.parent, "workbook")[0]
