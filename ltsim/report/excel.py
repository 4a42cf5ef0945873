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
openpyxl's cell objects and keeps the report within its time budget.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterator
from copy import copy
from itertools import chain, repeat
from pathlib import Path
from typing import Any

import numpy as np

from ltsim.io.excel import set_value
from ltsim.report import RunFolder
from ltsim.report.budget import REQUIRED_ITEMS, STOCKS, missing_items, overviews, text
from ltsim.report.i18n import COLUMN_INFO, kpi_name, t
from ltsim.report.optimised import answer_sheet

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


# ------------------------------------------------------------------------------------------- fast rows


def escape(text: str) -> str:
    """``&``, ``<`` and ``>`` as XML entities.

    What ``xml.sax.saxutils.escape`` does, without importing urllib, http and ssl with it (8 ms).

    >>> escape("a < b & c > d")
    'a &lt; b &amp; c &gt; d'
    """
    return text.replace("&", "&amp;").replace(">", "&gt;").replace("<", "&lt;")


ROWS_PER_CHUNK = 50_000
"""Rows of a large sheet generated and compressed at a time (bounds the memory a large table's sheet takes)."""


class SharedStrings:
    """The workbook's shared-string table (``xl/sharedStrings.xml``): each distinct text once, in first-use order.

    A text cell of a large sheet refers to it by index (``<c t="s"><v>7</v></c>``) instead of holding the
    text inline: the area, zone and service ids of the large tables repeat on every row, and the sheet's XML
    of a 830,000-row population table is a third smaller.
    """

    def __init__(self) -> None:
        self.index: dict[str, int] = {}

    def cell(self, text: str, s: str) -> str:
        """The ``<c>`` element of a text cell with style attribute ``s``, its text added to the table."""
        i = self.index.setdefault(text, len(self.index))
        return f'<c{s} t="s"><v>{i}</v></c>'

    def xml(self) -> str:
        """The ``xl/sharedStrings.xml`` part."""
        items = "".join(f'<si><t xml:space="preserve">{escape(text)}</t></si>' for text in self.index)
        return (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            f'<sst xmlns="{_MAIN_NS}" uniqueCount="{len(self.index)}">{items}</sst>'
        )


_MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_STRINGS_PART = "xl/sharedStrings.xml"
_STRINGS_REL = (
    '<Relationship Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" '
    'Target="sharedStrings.xml" Id="{rid}" />'
)
_STRINGS_TYPE = (
    '<Override PartName="/xl/sharedStrings.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml" />'
)


def _column_cells(values: Any, style: str, strings: SharedStrings | None = None) -> list[str]:
    """The ``<c>`` elements of one column, without cell references (a blank is ``<c/>``, keeping its place).

    Whole numbers, booleans and texts are formatted once per distinct value and picked by index (area
    names, sexes, ages and years repeat on every row); floats by ``repr`` (the shortest text that reads
    back as the same number), non-finite ones blank. Texts go into ``strings`` when given, else inline.
    """
    s = f' s="{style}"' if style else ""
    blank = f"<c{s}/>"
    kind = values.dtype.kind
    if kind == "f":
        cell = f"<c{s}><v>%r</v></c>"
        finite = np.isfinite(values)
        out = list(map(cell.__mod__, values.tolist()))
        if not finite.all():
            for i in np.flatnonzero(~finite).tolist():
                out[i] = blank
        return out
    if kind == "b":
        return [f'<c{s} t="b"><v>1</v></c>' if v else f'<c{s} t="b"><v>0</v></c>' for v in values.tolist()]
    import pandas as pd

    try:
        codes, uniques = pd.factorize(values, use_na_sentinel=True)
    except TypeError:  # an unhashable value: each cell on its own
        return [_object_cell(v, s, strings) for v in values.tolist()]
    if kind in "iu":
        texts = [f"<c{s}><v>{v}</v></c>" for v in uniques.tolist()]
    else:
        texts = [_object_cell(v, s, strings) for v in uniques.tolist()]
    table = np.array([*texts, blank], dtype=object)  # code −1 (None, NaN) → the last: blank
    return table[codes].tolist()


def _object_cell(v: Any, s: str, strings: SharedStrings | None = None) -> str:
    """The ``<c>`` element of one value of an object column (``<c/>`` for a blank; a text into ``strings``)."""
    import pandas as pd

    if v is None or (isinstance(v, float) and v != v) or v is pd.NA:
        return f"<c{s}/>"
    if isinstance(v, bool | np.bool_):
        return f'<c{s} t="b"><v>{int(v)}</v></c>'
    if isinstance(v, int | float | np.integer | np.floating):
        v = v.item() if isinstance(v, np.generic) else v
        if isinstance(v, float) and v in (float("inf"), float("-inf")):
            return f"<c{s}/>"
        return f"<c{s}><v>{v!r}</v></c>"
    if strings is not None:
        return strings.cell(str(v), s)
    return f'<c{s} t="inlineStr"><is><t xml:space="preserve">{escape(str(v))}</t></is></c>'


def _sheet_rows(
    frame: Any, styles: list[str], start_row: int, chunk: int = ROWS_PER_CHUNK, strings: SharedStrings | None = None
) -> Iterator[str]:
    """``<row>`` elements for every row of ``frame`` from ``start_row`` on, ``chunk`` rows at a time.

    Rows carry their number, cells only their position (the ``r`` of a ``<c>`` is optional in SpreadsheetML;
    a blank is an empty ``<c/>``). Each column's cells are made by :func:`_column_cells` and the rows are
    joined in one pass: population.csv of a municipality of 100 areas is 830,000 rows. Texts go into
    ``strings`` when given.
    """
    n = len(frame)
    arrays = [_values(frame.iloc[:, j]) for j in range(frame.shape[1])]
    for first in range(0, n, chunk):
        last = min(n, first + chunk)
        columns = [
            _column_cells(a[first:last], styles[j] if j < len(styles) else "", strings) for j, a in enumerate(arrays)
        ]
        opens = map('<row r="%d">'.__mod__, range(start_row + first, start_row + last))
        yield "".join(chain.from_iterable(zip(opens, *columns, repeat("</row>"), strict=False)))


def _values(series: Any) -> Any:
    """A numpy array of a column (nullable ints → float with NaN, nullable booleans → object)."""
    dtype = series.dtype
    if getattr(dtype, "kind", "O") in "biuf" and not hasattr(dtype, "numpy_dtype"):
        return series.to_numpy()
    if hasattr(dtype, "numpy_dtype") and dtype.numpy_dtype.kind in "iuf":
        return series.to_numpy(dtype=float, na_value=np.nan)
    return series.to_numpy(dtype=object)


_ATTR = re.compile(r'(\w+)="([^"]*)"')


def _patch(data: bytes, tables: dict[str, Any]) -> bytes:
    """Replace the rows after the first data row of each sheet in ``tables`` (title → frame).

    Their texts go into a shared-string table (:class:`SharedStrings`, added to the package with its
    relationship and content type) unless the workbook has one already. Every part is compressed here
    (``data`` may be stored uncompressed: it is compressed once).
    """
    src = zipfile.ZipFile(io.BytesIO(data))
    workbook = src.read("xl/workbook.xml").decode("utf-8")
    rels = src.read("xl/_rels/workbook.xml.rels").decode("utf-8")
    targets = {}
    for m in re.finditer(r"<Relationship\b([^>]*)/>", rels):
        a = dict(_ATTR.findall(m.group(1)))
        targets[a.get("Id")] = a.get("Target", "")
    parts = {}
    for m in re.finditer(r"<sheet\b([^>]*)/>", workbook):
        attrs = m.group(1)
        name = re.search(r'name="([^"]*)"', attrs).group(1)  # type: ignore[union-attr]
        rid = re.search(r'r:id="([^"]*)"|\bid="([^"]*)"', attrs)
        rid_v = (rid.group(1) or rid.group(2)) if rid else None
        target = targets.get(rid_v, "")
        target = target.lstrip("/")
        parts[_unescape(name)] = target if target.startswith("xl/") else f"xl/{target}"
    strings = None if _STRINGS_PART in src.namelist() else SharedStrings()
    package = ("xl/_rels/workbook.xml.rels", "[Content_Types].xml")  # written last: they name the strings part
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=4) as dst:
        for info in chain(
            (i for i in src.infolist() if i.filename not in package),
            (i for i in src.infolist() if i.filename in package),
        ):
            raw = src.read(info.filename)
            if strings is not None and strings.index and info.filename in package:
                raw = _naming_strings(info.filename, raw.decode("utf-8")).encode("utf-8")
            title = next((k for k, p in parts.items() if p == info.filename and k in tables), None)
            if title is None:
                if strings is not None and strings.index and info.filename == package[0]:
                    dst.writestr(_STRINGS_PART, strings.xml().encode("utf-8"))
                dst.writestr(info, raw, compress_type=zipfile.ZIP_DEFLATED, compresslevel=4)
                continue
            dst.compresslevel = 1  # a large sheet: 2× faster than level 4, 20 % larger
            with dst.open(info.filename, "w", force_zip64=True) as fh:  # streamed: never the whole sheet at once
                for part in _patch_sheet(raw.decode("utf-8"), tables[title], strings):
                    fh.write(part.encode("utf-8"))
            dst.compresslevel = 4
    return out.getvalue()


def _naming_strings(name: str, xml: str) -> str:
    """The workbook's relationships or the package's content types with the shared-string table added."""
    if name == "[Content_Types].xml":
        return xml.replace("</Types>", _STRINGS_TYPE + "</Types>", 1)
    n = 1
    while f'"rId{n}"' in xml:
        n += 1
    return xml.replace("</Relationships>", _STRINGS_REL.format(rid=f"rId{n}") + "</Relationships>", 1)


def _unescape(text: str) -> str:
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"').replace("&amp;", "&")


def _patch_sheet(xml: str, frame: Any, strings: SharedStrings | None = None) -> Iterator[str]:
    """The sheet's XML in parts: openpyxl's header row, every data row from :func:`_sheet_rows`, the rest."""
    if "<sheetData>" not in xml:
        yield xml
        return
    start = xml.index("<sheetData>") + len("<sheetData>")
    end = xml.index("</sheetData>")
    body = xml[start:end]
    m2 = re.search(r'<row r="2"[^>]*>(.*?)</row>', body, flags=re.S)
    if not m2:
        yield xml
        return
    styles = [""] * frame.shape[1]
    for cm in re.finditer(r"<c\b([^>]*?)/?>", m2.group(1)):
        a = dict(_ATTR.findall(cm.group(1)))
        col = re.match(r"[A-Z]+", a.get("r", ""))
        if col:
            from openpyxl.utils import column_index_from_string

            j = column_index_from_string(col.group(0)) - 1
            if j < len(styles):
                styles[j] = a.get("s", "")
    last = f"{_column_letter(frame.shape[1])}{len(frame) + 1}"
    head = re.sub(r'<dimension ref="[^"]*"\s*/>', f'<dimension ref="A1:{last}"/>', xml[:start], count=1)
    yield head + body[: body.index("</row>") + len("</row>")]
    yield from _sheet_rows(frame, styles, 2, strings=strings)
    yield xml[end:]


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
    return _patch(_stored(wb), {name[:31]: frame for name, frame in tables.items() if len(frame) > 1})


def _stored(wb: Any) -> bytes:
    """``wb.save`` into memory without compressing (:func:`_patch` compresses every part once)."""
    import datetime as dt

    from openpyxl.writer.excel import ExcelWriter

    buf = io.BytesIO()
    wb.properties.modified = dt.datetime.now(tz=dt.UTC).replace(tzinfo=None)  # as save_workbook does
    ExcelWriter(wb, zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED, allowZip64=True)).save()  # closes the archive
    return buf.getvalue()


def write_workbook(run: RunFolder, out: Path, lang: str = "nb") -> Path:
    """Write ``workbook.xlsx`` for the run folder (to a temporary file, then renamed)."""
    from ltsim.io.output import write_files

    out = Path(out)
    return write_files({out.name: workbook_bytes(run, lang)}, out.parent, "workbook")[0]
