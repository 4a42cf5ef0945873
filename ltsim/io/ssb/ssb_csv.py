"""SSB CSV downloads (semicolon-separated, Norwegian headers) read as a :class:`JsonStat` dataset.

Statistikkbanken saves a table as CSV with ``;`` between cells, a title line or two above the
header, one column per dimension (``region``, ``kjønn``, ``alder``, ``år``, ``statistikkvariabel``)
and the figures in the last column (long layout), or one figure column per year and statistic
such as ``Personer 2005`` (wide layout). Cells look like ``"0220 Asker (-2019)"``, ``"Menn"``,
``"95 år"``, ``"105 år eller eldre"``; ``.`` and ``..`` are missing figures. The file may be UTF-8
(with or without a byte-order mark) or Latin-1 (SSB's older downloads).

The categories become a dense grid exactly as a JSON-stat document would give them, so the same
dimension readers (:mod:`ltsim.io.ssb.dimensions`) pick the municipality, ages, sexes and years.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import numpy as np

from ltsim.errors import InputError, Problem, show
from ltsim.io.files import read_regular_file
from ltsim.io.ssb.jsonstat import MAX_CELLS, Dimension, JsonStat, _classify

MAX_CSV_BYTES = 200 * 1024 * 1024
"""Largest SSB CSV file read (07459 for every municipality and a few years is well below)."""
MISSING = {".", "..", "...", ":", ""}
"""SSB's symbols for a figure that is missing, not applicable or confidential (``-``, nothing to report, is 0)."""
YEAR_IN_HEADER = re.compile(r"^(.*?)\s*\b((?:18|19|20|21)\d\d)\s*$")


def looks_like_ssb_csv(text: str) -> bool:
    """Whether the text is a semicolon-separated SSB download (a header line with two or more ``;``)."""
    return any(line.count(";") >= 2 for line in text.splitlines()[:5])


def decode(data: bytes) -> str:
    """UTF-8 (a byte-order mark is dropped) or, failing that, Latin-1 as SSB's older downloads are."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def read_ssb_csv(path: Path, text: str | None = None) -> JsonStat:
    """Parse an SSB CSV download into a dense :class:`JsonStat` (NaN where a figure is missing)."""
    file = str(path)
    if text is None:
        text = decode(read_regular_file(path, MAX_CSV_BYTES, "SSB CSV file"))
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=";"))
    head = next((i for i, r in enumerate(rows) if len(r) >= 3 and all(c.strip() for c in r)), None)
    if head is None:
        raise InputError(
            Problem(
                "an SSB CSV download: a header row of dimension names separated by ';' "
                "(region;kjønn;alder;år;statistikkvariabel;…)",
                file=file,
                found="no such row in the first lines",
            )
        )
    header = [h.strip() for h in rows[head]]
    year_cols = [i for i, h in enumerate(header) if YEAR_IN_HEADER.match(h)]
    wide = len(year_cols) >= 1 and year_cols == list(range(year_cols[0], len(header)))
    dim_cols = year_cols[0] if wide else len(header) - 1
    if dim_cols < 1:
        raise InputError(
            Problem("at least one dimension column before the figures", file=file, line=head + 1, found=str(header))
        )
    names = header[:dim_cols] + (["år", "statistikkvariabel"] if wide else [])
    categories: list[dict[str, int]] = [{} for _ in names]
    cells: list[tuple[tuple[str, ...], float]] = []
    for n, row in enumerate(rows[head + 1 :], start=head + 2):
        if not any(c.strip() for c in row):
            continue
        if len(row) != len(header):
            raise InputError(
                Problem(
                    f"{len(header)} cells separated by ';', as in the header",
                    file=file,
                    line=n,
                    found=f"{len(row)} cells",
                    row=True,
                )
            )
        keys = [c.strip() for c in row[:dim_cols]]
        figures = (
            [(header[i], row[i]) for i in year_cols] if wide else [("", row[-1])]
        )  # (column header, cell) per figure
        for col, cell in figures:
            full = keys
            if wide:
                m = YEAR_IN_HEADER.match(col)
                assert m is not None
                full = [*keys, m.group(2), m.group(1).strip() or "value"]
            value = _figure(cell, file, n, col or header[-1])
            for d, key in enumerate(full):
                categories[d].setdefault(key, len(categories[d]))
            cells.append((tuple(full), value))
    sizes = [len(c) for c in categories]
    if not cells:
        raise InputError(Problem("rows of figures below the header", file=file, line=head + 1, found="none"))
    total = int(np.prod(sizes))
    if total > MAX_CELLS:
        raise InputError(Problem(f"at most {MAX_CELLS:,} cells", file=file, found=f"{total:,}"))
    values = np.full(sizes, np.nan)
    for key, value in cells:
        values[tuple(categories[d][k] for d, k in enumerate(key))] = value
    dims = []
    for name, cats in zip(names, categories, strict=True):
        codes = list(cats)
        code_of = {c: _code(name, c) for c in codes}
        if len(set(code_of.values())) != len(codes):
            code_of = {c: c for c in codes}
        dims.append(Dimension(name, name, tuple(code_of[c] for c in codes), {code_of[c]: c for c in codes}))
    data = JsonStat(
        file=file, label=rows[0][0].strip() if rows and rows[0] else "", dimensions=dims, roles={}, values=values
    )
    data.kinds = _classify(data)
    return data


def _code(dimension: str, category: str) -> str:
    """A region's municipality code: ``"0220 Asker (-2019)"`` → ``"0220"``; other categories are their own code."""
    if dimension.strip().lower() in {"region", "kommune"}:
        m = re.match(r"^\s*(?:K-)?(\d{4})\b", category)
        if m:
            return m.group(1)
    return category


def _figure(cell: str, file: str, line: int, column: str) -> float:
    """A figure: a whole or decimal number (space or non-breaking space as thousands separator); NaN if missing."""
    text = cell.strip().replace("\u00a0", "").replace(" ", "")
    if text in MISSING:
        return np.nan
    if text == "-":
        return 0.0
    if re.fullmatch(r"[+-]?\d+(?:[.,]\d+)?", text) is None:
        raise InputError(
            Problem(
                "a number of persons, or '.' / '..' for a missing figure",
                file=file,
                line=line,
                field=f"column {show(column)}",
                found=show(cell),
                row=True,
            )
        )
    return float(text.replace(",", "."))
