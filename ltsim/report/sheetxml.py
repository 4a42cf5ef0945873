"""The workbook's large sheets as raw SpreadsheetML, streamed into the file (see :mod:`ltsim.report.excel`).

openpyxl writes each large sheet's header and first data row (which fix the styles of each column);
:func:`patch_workbook` replaces the rest of the sheet by rows generated here, ~10× faster than openpyxl's
cell objects, 50,000 rows at a time, with the texts in a shared-string table.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterator
from itertools import chain, repeat
from typing import Any

import numpy as np


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


def patch_workbook(data: bytes, tables: dict[str, Any]) -> bytes:
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
    from openpyxl.utils import column_index_from_string, get_column_letter

    styles = [""] * frame.shape[1]
    for cm in re.finditer(r"<c\b([^>]*?)/?>", m2.group(1)):
        a = dict(_ATTR.findall(cm.group(1)))
        col = re.match(r"[A-Z]+", a.get("r", ""))
        if col:
            j = column_index_from_string(col.group(0)) - 1
            if j < len(styles):
                styles[j] = a.get("s", "")
    last = f"{get_column_letter(frame.shape[1])}{len(frame) + 1}"
    head = re.sub(r'<dimension ref="[^"]*"\s*/>', f'<dimension ref="A1:{last}"/>', xml[:start], count=1)
    yield head + body[: body.index("</row>") + len("</row>")]
    yield from _sheet_rows(frame, styles, 2, strings=strings)
    yield xml[end:]


def stored(wb: Any) -> bytes:
    """``wb.save`` into memory without compressing (:func:`patch_workbook` compresses every part once)."""
    import datetime as dt

    from openpyxl.writer.excel import ExcelWriter

    buf = io.BytesIO()
    wb.properties.modified = dt.datetime.now(tz=dt.UTC).replace(tzinfo=None)  # as save_workbook does
    ExcelWriter(wb, zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED, allowZip64=True)).save()  # closes the archive
    return buf.getvalue()
