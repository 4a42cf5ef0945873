"""Import population figures saved from Statistics Norway (SSB) as JSON-stat 2.0.

Reads a file saved from SSB's PxWebApi (table 07459: population by municipality, sex and
single year of age; table 13600: projections by variant), never the network. Its shape is
checked first (``id``, ``size``, ``dimension`` and ``value`` agree, every value is a number or null);
then it is turned into the tidy CSV tables a scenario uses:

* ``population_<year>.csv`` — ``area, age, sex, persons`` (the layout of
  ``scenarios/asker/data/population_2024.csv``: 3 decimals, rows by area, sex, age);
* ``control_totals_<variant>.csv`` — ``year, persons`` per projection variant.

Dimensions are found by their ids or labels (Region/kommune, Kjonn, Alder, Tid,
ContentsCode, a variant dimension such as "Alternativ"); totals (all ages, both sexes) are
dropped. Municipality codes that changed in 2020 and 2024 are mapped through a code table
(``ltsim/data/municipality_codes.csv``), so a history can be summed across a merger.
Every problem is an :class:`~ltsim.errors.InputError` naming the file and what was found.
"""

from __future__ import annotations

import csv
import json
import math
import os
import re
import shutil
import tempfile
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ltsim.errors import InputError, Problem, show
from ltsim.io.files import decode_utf8, read_regular_file
from ltsim.io.tables import Column, read_table

CODE_TABLE = Path(__file__).resolve().parents[1] / "data" / "municipality_codes.csv"
SEXES = ("female", "male")
IDENTIFIER = r"^[a-z0-9][a-z0-9_]*$"
VARIANT_RE = re.compile(r"\b([LMHK0]{4})\b")
PERSONS_CONTENTS = ("personer", "folkemengde", "persons", "population", "befolkning")
MAX_JSON_BYTES = 200 * 1024 * 1024
"""Largest JSON-stat file read: table 07459 for every municipality and year is about 30 MB."""
MAX_CELLS = 20_000_000
"""Largest JSON-stat grid (product of the dimension sizes) held in memory as float64 (160 MB)."""
MAX_CSV_BYTES = 20 * 1024 * 1024
"""Largest --areas or --codes CSV file read (the built-in code table is a few kB)."""


# --------------------------------------------------------------------------- code table


@dataclass(frozen=True, slots=True)
class CodeTable:
    """Municipality code changes: each old code's successor and the current names."""

    successor: Mapping[str, str]  # old code → the code that replaced it
    valid_from: Mapping[str, int]  # old code → first year of its successor
    names: Mapping[str, str]  # new code → name
    file: str = ""

    def current(self, code: str) -> str:
        """The code today: follow the chain of changes (0220 → 3025 → 3203)."""
        seen = {code}
        while code in self.successor:
            code = self.successor[code]
            if code in seen:  # a cycle in the table; stop rather than loop
                break
            seen.add(code)
        return code

    def history(self, code: str) -> list[str]:
        """Every code that ends in ``code``, ``code`` first then older ones, sorted."""
        return sorted((c for c in self.successor if self.current(c) == code), reverse=True)


def _read_csv(file: Path, columns: Sequence[Column], key: Sequence[str], option: str) -> Any:
    """``read_table`` for a CSV named on the command line, refusing what it cannot read as an InputError.

    The file must be a UTF-8 text file of sensible size (an SSB download saved as Latin-1, a binary file
    or an empty file is named here rather than failing deep inside the CSV reader).
    """
    name = str(file)
    if file.is_dir():
        raise InputError(Problem("a CSV file", file=name, field=option, found="a folder"))
    if file.is_file():
        size = file.stat().st_size
        if size > MAX_CSV_BYTES:
            raise InputError(
                Problem(
                    f"a CSV file of at most {MAX_CSV_BYTES // 2**20} MB", file=name, field=option, found=_size(size)
                )
            )
        raw = file.read_bytes()
        if not raw.strip():
            raise InputError(
                Problem(
                    "a header row naming the columns " + ", ".join(c.name for c in columns),
                    file=name,
                    line=1,
                    found="an empty file",
                    row=True,
                )
            )
        if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
            raise InputError(Problem("a CSV file in UTF-8", file=name, field=option, found="a UTF-16 text file"))
        if b"\0" in raw:
            raise InputError(Problem("a CSV text file", file=name, field=option, found="a binary file (NUL bytes)"))
        try:
            raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise InputError(
                Problem(
                    "a CSV file in UTF-8 (save it as 'CSV UTF-8'; SSB's Latin-1 downloads must be converted)",
                    file=name,
                    line=raw.count(b"\n", 0, exc.start) + 1,
                    found=f"byte 0x{raw[exc.start]:02x} that is not UTF-8",
                    row=True,
                )
            ) from None
    try:
        return read_table(file, columns, key=key)
    except (csv.Error, UnicodeError, OSError) as exc:
        raise InputError(Problem("a readable CSV file", file=name, field=option, found=show(str(exc), 100))) from None


def _size(n: int) -> str:
    return f"{n / 2**20:,.1f} MB" if n >= 2**20 else f"{n:,} bytes"


def load_code_table(path: Path | None = None) -> CodeTable:
    """Read a code table (``old_code, new_code, valid_from, name[, source]``)."""
    file = CODE_TABLE if path is None else path
    table = _read_csv(
        file,
        [
            Column("old_code", "str", pattern=r"^\d{4}$", expected="a four-digit municipality code"),
            Column("new_code", "str", pattern=r"^\d{4}$", expected="a four-digit municipality code"),
            Column("valid_from", "int", 1838, 2300, expected="the first year of the new code"),
            Column("name", "str", expected="the name of the municipality with the new code"),
        ],
        ["old_code"],
        "--codes",
    )
    old, new = table.columns["old_code"], table.columns["new_code"]
    names = dict(zip(new, table.columns["name"], strict=True))
    return CodeTable(
        successor=dict(zip(old, new, strict=True)),
        valid_from={o: int(y) for o, y in zip(old, table.columns["valid_from"], strict=True)},
        names=names,
        file=str(file),
    )


# --------------------------------------------------------------------------- JSON-stat


@dataclass(frozen=True, slots=True)
class Dimension:
    """One dimension of a JSON-stat dataset: its id, label and categories (codes and labels)."""

    id: str
    label: str
    codes: tuple[str, ...]
    labels: Mapping[str, str]

    def describe(self) -> str:
        """``Alder ('alder', 106 categories)``."""
        n = len(self.codes)
        return f"{self.id} ({self.label!r}, {n} categor{'y' if n == 1 else 'ies'})"


@dataclass(slots=True)
class JsonStat:
    """A parsed JSON-stat 2.0 dataset: dimensions, roles and one value per cell (NaN = missing)."""

    file: str
    label: str
    dimensions: list[Dimension]
    roles: dict[str, list[str]]
    values: np.ndarray  # shape = sizes of the dimensions, in order
    kinds: dict[str, str] = field(default_factory=dict)  # kind → dimension id

    def dim(self, kind: str) -> Dimension | None:
        """The dimension of a kind (region, time, age, sex, contents, variant), or None."""
        did = self.kinds.get(kind)
        return None if did is None else next(d for d in self.dimensions if d.id == did)

    def found(self) -> str:
        """The dimensions, for messages."""
        return "dimensions " + ", ".join(d.describe() for d in self.dimensions)


def _problem(file: str, expected: str, found: str | None = None, field: str | None = None) -> Problem:
    return Problem(expected, file=file, field=field, found=found)


def read_jsonstat(path: Path) -> JsonStat:
    """Parse a JSON-stat 2.0 dataset; values on a dense grid (NaN where missing).

    The document is checked before anything is built from it: its size, encoding and JSON syntax,
    then its shape (``id``, ``size``, ``dimension`` and ``value`` agree with each other, every value
    is a number or null), so a damaged or hostile file is named with what is wrong in it.
    """
    file = str(path)
    data = read_regular_file(path, MAX_JSON_BYTES, "JSON-stat file")
    if not data.strip():
        raise InputError(_problem(file, "a JSON-stat 2.0 document saved from SSB", "an empty file"))
    text = decode_utf8(data, path, "a JSON-stat document")
    try:
        raw = json.loads(text, parse_constant=_no_constant)
    except json.JSONDecodeError as exc:
        raise InputError(
            Problem(
                "a JSON-stat 2.0 document (JSON text; save the response of the query with format json-stat2)",
                file=file,
                line=exc.lineno,
                found=f"invalid JSON: {exc.msg}",
            )
        ) from None
    except RecursionError:
        raise InputError(
            _problem(
                file,
                "a JSON-stat 2.0 document (a few levels of objects and lists)",
                "JSON nested too deeply to read",
            )
        ) from None
    except ValueError as exc:  # NaN, Infinity
        raise InputError(_problem(file, "numbers or null as values (JSON has no NaN or Infinity)", str(exc))) from None
    if not isinstance(raw, dict) or raw.get("class") != "dataset":
        found = (
            "JSON-stat 1.x (a 'dataset' wrapper)"
            if isinstance(raw, dict) and "dataset" in raw
            else (f"class {show(raw.get('class'))}" if isinstance(raw, dict) else f"a JSON {type(raw).__name__}")
        )
        raise InputError(
            _problem(
                file,
                'a JSON-stat 2.0 dataset ("class": "dataset"; ask PxWebApi for json-stat2, not json-stat or csv)',
                found,
            )
        )
    missing = [k for k in ("id", "size", "dimension", "value") if k not in raw]
    if missing:
        raise InputError(_problem(file, "the JSON-stat keys id, size, dimension and value", f"no {', '.join(missing)}"))
    dims, sizes = _dimensions(file, raw)
    values = _values(file, raw["value"], sizes)
    role = raw.get("role")
    if role is not None and not (
        isinstance(role, dict)
        and all(isinstance(v, list) and all(isinstance(x, str) for x in v) for v in role.values())
    ):
        raise InputError(
            _problem(file, "lists of dimension ids under role (time, geo, metric)", _kind(role), field="role")
        )
    label = raw.get("label", "")
    result = JsonStat(
        file=file,
        label=label if isinstance(label, str) else "",
        dimensions=dims,
        roles={k: list(v) for k, v in (role or {}).items()},
        values=values,
    )
    result.kinds = _classify(result)
    return result


def _no_constant(name: str) -> float:
    raise ValueError(f"found {name}")


def _kind(value: Any) -> str:
    """A JSON value's type and a glimpse of it, for messages."""
    kinds = {dict: "an object", list: "a list", str: "a string", bool: "a boolean", type(None): "null"}
    kind = next((k for t, k in kinds.items() if type(value) is t), "a number")
    return kind if isinstance(value, dict | list) or value is None else f"{kind} {show(value, 40)}"


def _dimensions(file: str, raw: dict[str, Any]) -> tuple[list[Dimension], list[int]]:
    """The dimensions in ``id`` order and their sizes, checked against ``size`` and each other."""
    ids, sizes, meta = raw["id"], raw["size"], raw["dimension"]
    if not isinstance(ids, list) or not ids or not all(isinstance(i, str) and i for i in ids):
        raise InputError(_problem(file, "a list of dimension ids (strings) under id", _kind(ids), field="id"))
    if len(set(ids)) != len(ids):
        raise InputError(_problem(file, "each dimension id once", ", ".join(map(repr, ids)), field="id"))
    if not isinstance(sizes, list) or len(sizes) != len(ids) or not all(type(n) is int and n >= 0 for n in sizes):
        raise InputError(
            _problem(
                file,
                f"a list of {len(ids)} category counts under size, one per dimension of id",
                _kind(sizes) if not isinstance(sizes, list) else show(str(sizes), 80),
                field="size",
            )
        )
    if not isinstance(meta, dict):
        raise InputError(_problem(file, "an object of dimensions under dimension", _kind(meta), field="dimension"))
    cells = math.prod(sizes)
    if cells > MAX_CELLS:
        raise InputError(
            _problem(
                file,
                f"at most {MAX_CELLS:,} cells (select fewer regions, ages or years in the query)",
                f"sizes {sizes}: {cells:,} cells",
                field="size",
            )
        )
    dims = []
    for did, n in zip(ids, sizes, strict=True):
        where = f"dimension {did!r}"
        d = meta.get(did)
        cat = d.get("category") if isinstance(d, dict) else None
        if not isinstance(cat, dict):
            raise InputError(
                _problem(
                    file,
                    "an object with a category (index and label) for every dimension in id",
                    "no such dimension" if d is None else ("no category" if cat is None else _kind(cat)),
                    field=where,
                )
            )
        index, labels = cat.get("index"), cat.get("label")
        if labels is not None and not (
            isinstance(labels, dict) and all(isinstance(v, str | int | float) for v in labels.values())
        ):
            raise InputError(_problem(file, "an object of category labels (code: text)", _kind(labels), field=where))
        if index is None:
            codes = list(labels or {})
        elif isinstance(index, list) and all(isinstance(c, str | int) and not isinstance(c, bool) for c in index):
            codes = [str(c) for c in index]
        elif isinstance(index, dict) and all(type(v) is int for v in index.values()):
            if sorted(index.values()) != list(range(len(index))):
                raise InputError(
                    _problem(
                        file,
                        f"category positions 0…{len(index) - 1}, each once",
                        show(str(sorted(index.values())), 80),
                        field=f"{where}: category.index",
                    )
                )
            codes = [str(c) for c, _ in sorted(index.items(), key=lambda kv: kv[1])]
        else:
            raise InputError(
                _problem(
                    file,
                    "category.index as a list of codes or an object code: position",
                    _kind(index),
                    field=f"{where}: category.index",
                )
            )
        if len(set(codes)) != len(codes):
            raise InputError(_problem(file, "each category code once", "a repeated code", field=where))
        if len(codes) != n:
            raise InputError(
                _problem(
                    file,
                    f"as many categories as size gives for the dimension ({n})",
                    f"{len(codes)} categories",
                    field=where,
                )
            )
        text = {str(k): str(v) for k, v in (labels or {}).items()}
        name = d.get("label", did)
        dims.append(Dimension(did, name if isinstance(name, str) else did, tuple(codes), text))
    return dims, sizes


def _values(file: str, value: Any, sizes: list[int]) -> np.ndarray:
    """The values on the dense grid of ``sizes`` (row-major, the last dimension fastest); null → NaN."""
    cells = math.prod(sizes)
    expected = f"{cells:,} values (the product of size {sizes}), each a number or null"
    if isinstance(value, list):
        if len(value) != cells:
            raise InputError(_problem(file, expected, f"{len(value):,} values", field="value"))
        pairs: Any = enumerate(value)
    elif isinstance(value, dict):
        pairs = value.items()
    else:
        raise InputError(_problem(file, expected, _kind(value), field="value"))
    out = np.full(cells, np.nan)
    for key, v in pairs:
        if isinstance(key, str):
            if not key.isdigit() or int(key) >= cells:
                raise InputError(_problem(file, f"positions 0…{cells - 1} as keys of value", show(key), field="value"))
            key = int(key)
        if v is None:
            continue
        if type(v) not in (int, float) or abs(v) > 1e15:
            raise InputError(_problem(file, "a number of persons or null", _kind(v), field=f"value[{key}]"))
        out[key] = v
    return out.reshape(sizes)


def _norm(text: str) -> str:
    text = unicodedata.normalize("NFKD", text.lower()).replace("ø", "o").replace("æ", "ae")
    return "".join(ch for ch in text if not unicodedata.combining(ch))


def _classify(data: JsonStat) -> dict[str, str]:
    """Which dimension is the region, time, age, sex, contents and variant — by id, label and role."""
    rules: list[tuple[str, tuple[str, ...], tuple[str, ...]]] = [
        # kind, ids, label words
        ("time", ("tid", "time", "year", "ar"), ("ar", "year", "tid", "time")),
        ("region", ("region", "kommune", "kommunenr", "municipality", "komm"), ("region", "kommune", "municipality")),
        ("age", ("alder", "age"), ("alder", "age")),
        ("sex", ("kjonn", "sex", "kjoenn", "gender"), ("kjonn", "sex", "gender")),
        ("variant", ("alternativ", "variant", "framskriving", "projection", "alt"), ("alternativ", "variant")),
        ("contents", ("contentscode", "contents", "statistikkvariabel"), ("statistikkvariabel", "contents")),
    ]
    kinds: dict[str, str] = {}
    role_kind = {"time": "time", "geo": "region", "metric": "contents"}
    for role, ids in data.roles.items():
        if role in role_kind and ids:
            kinds[role_kind[role]] = ids[0]
    for dim in data.dimensions:
        if dim.id in kinds.values():
            continue
        nid, nlabel = _norm(dim.id), _norm(dim.label)
        for kind, ids, words in rules:
            if kind in kinds:
                continue
            if nid in ids or any(re.search(rf"\b{w}\b", nlabel) for w in words):
                kinds[kind] = dim.id
                break
    contents = kinds.get("contents")
    if "variant" not in kinds and contents is not None:
        dim = next(d for d in data.dimensions if d.id == contents)
        if any(_variant_name(c, dim.labels.get(c, "")) for c in dim.codes):
            kinds["variant"] = contents  # SSB projection tables put the variants in the contents
    return kinds


def _variant_name(code: str, label: str) -> str | None:
    for text in (code, label):
        m = VARIANT_RE.search(text)
        if m:
            return m.group(1)
    return None


# --------------------------------------------------------------------------- categories


TOTAL_WORDS = ("i alt", "alle aldre", "total", "all ages", "begge kjonn", "both sexes", "alle")


def _is_total(code: str, label: str) -> bool:
    c, lab = code.strip().upper(), _norm(label)
    return c in {"999", "999D", "TOT", "TOTAL", "T", "0T", "00-105+"} or any(w in lab for w in TOTAL_WORDS)


def _age_of(code: str, label: str) -> tuple[int, bool] | None:
    """(age, open) for a single-year age: ``"007"`` → (7, False), ``"105+"`` → (105, True)."""
    m = re.fullmatch(r"\s*(\d{1,3})\s*(\+?)\s*", code)
    if m:
        return int(m.group(1)), bool(m.group(2))
    m = re.fullmatch(r"\s*(\d{1,3})\s*(år|years?|yrs?)?\s*(\+|eller eldre|or older|and over)?\s*", label.lower())
    if m:
        return int(m.group(1)), bool(m.group(3))
    return None


def _sex_of(code: str, label: str) -> str | None:
    c, lab = code.strip().upper(), _norm(label).strip()
    if c in {"1", "M"} or lab in {"menn", "mann", "male", "males", "men", "gutter", "boys"}:
        return "male"
    if c in {"2", "K", "F"} or lab in {"kvinner", "kvinne", "female", "females", "women", "jenter", "girls"}:
        return "female"
    return None


def _clean_code(code: str) -> str:
    code = code.strip()
    return code[2:] if code.upper().startswith("K-") else code


def _clean_name(label: str, code: str) -> str:
    name = re.sub(r"^\s*(K-)?\d{4}\s*", "", label)
    name = re.sub(r"\s*\([^)]*\d{4}[^)]*\)\s*$", "", name)  # "Asker (2020-2023)", "Asker (-2019)"
    return name.strip() or code


def slug(name: str) -> str:
    """An area id from a name: ``"Nordre Follo"`` → ``nordre_follo``, ``"Bærum"`` → ``baerum``."""
    text = re.sub(r"[^a-z0-9]+", "_", _norm(name).replace("å", "a")).strip("_")
    return text if text and re.fullmatch(IDENTIFIER, text) else "area_" + text


# --------------------------------------------------------------------------- import


@dataclass(frozen=True, slots=True)
class SsbResult:
    """What an import produced: the files (name → text) and a few facts for the summary."""

    files: dict[str, str]
    municipality: str
    name: str
    codes: tuple[str, ...]  # the codes in the file summed into ``municipality``
    year: int | None
    persons: float
    variants: tuple[str, ...] = ()


def _fmt(value: float) -> str:
    text = f"{value:.3f}"
    return "0.000" if float(text) == 0.0 else text


def _csv(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    return "".join(",".join(r) + "\n" for r in [header, *rows])


def _pick_municipality(data: JsonStat, codes: CodeTable, wanted: str | None) -> tuple[str, str, list[int]]:
    """The target municipality (current code), its name and the region indices summed into it."""
    region = data.dim("region")
    if region is None:
        if wanted is not None:
            raise InputError(
                _problem(
                    data.file,
                    f"a region dimension (Region/kommune) containing municipality {wanted}",
                    data.found(),
                )
            )
        return "", _clean_name(data.label, ""), []
    groups: dict[str, list[int]] = {}
    for i, code in enumerate(region.codes):
        if _is_total(code, region.labels.get(code, "")) and not re.fullmatch(r"\d{4}", _clean_code(code)):
            continue
        groups.setdefault(codes.current(_clean_code(code)), []).append(i)

    def listing() -> str:
        parts = []
        for cur, members in groups.items():
            olds = [_clean_code(region.codes[i]) for i in members if _clean_code(region.codes[i]) != cur]
            name = codes.names.get(cur) or _clean_name(region.labels.get(region.codes[members[0]], ""), cur)
            parts.append(f"{cur} {name}" + (f" (from {', '.join(olds)})" if olds else ""))
        return "; ".join(parts)

    if wanted is None:
        if len(groups) != 1:
            raise InputError(
                _problem(
                    data.file,
                    "one municipality in the file, or --municipality CODE to choose one",
                    f"{len(groups)} municipalities: {listing()}",
                    field=f"dimension {region.id!r}",
                )
            )
        target = next(iter(groups))
    else:
        target = codes.current(_clean_code(wanted))
        if target not in groups:
            note = f" ({wanted} is {target} today)" if target != _clean_code(wanted) else ""
            raise InputError(
                _problem(
                    data.file,
                    f"a municipality code in the file, or an old code that the code table maps to one: {listing()}",
                    f"--municipality {show(wanted)}{note}",
                    field=f"dimension {region.id!r}",
                )
            )
    members = groups[target]
    own = [i for i in members if _clean_code(region.codes[i]) == target]
    label_from = own[0] if own else members[0]
    name = codes.names.get(target) or _clean_name(region.labels.get(region.codes[label_from], ""), target)
    return target, name, members


def _select(data: JsonStat, kind: str, keep: Sequence[int]) -> None:
    """Reduce the values to the given categories of one dimension (in place)."""
    dim = data.dim(kind)
    assert dim is not None
    axis = data.dimensions.index(dim)
    data.values = np.take(data.values, list(keep), axis=axis)
    new = Dimension(dim.id, dim.label, tuple(dim.codes[i] for i in keep), dim.labels)
    data.dimensions[axis] = new


def _contents(data: JsonStat) -> None:
    """Keep the one contents category that counts persons (or the only one)."""
    dim = data.dim("contents")
    if dim is None or len(dim.codes) == 1 or data.kinds.get("variant") == dim.id:
        return
    hits = [
        i for i, c in enumerate(dim.codes) if any(w in _norm(c + " " + dim.labels.get(c, "")) for w in PERSONS_CONTENTS)
    ]
    if len(hits) != 1:
        raise InputError(
            _problem(
                data.file,
                "one statistic, the number of persons (e.g. ContentsCode 'Personer1')",
                ", ".join(f"{c!r} ({dim.labels.get(c, '')})" for c in dim.codes),
                field=f"dimension {dim.id!r}",
            )
        )
    _select(data, "contents", hits)


def _years(data: JsonStat) -> list[int]:
    dim = data.dim("time")
    if dim is None:
        raise InputError(_problem(data.file, "a time dimension (Tid) with years", data.found()))
    years = []
    for code in dim.codes:
        m = re.fullmatch(r"\s*(\d{4})\s*", code)
        if m is None:
            raise InputError(
                _problem(
                    data.file, "years such as '2024' in the time dimension", show(code), field=f"dimension {dim.id!r}"
                )
            )
        years.append(int(m.group(1)))
    return years


def _collapse_others(data: JsonStat) -> None:
    """Any other dimension must have one category (an eliminated or fixed variable)."""
    known = set(data.kinds.values())
    for dim in data.dimensions:
        if dim.id not in known and len(dim.codes) > 1:
            raise InputError(
                _problem(
                    data.file,
                    "only the dimensions region, sex, age, time, contents and (for projections) variant; "
                    "any other with a single category",
                    f"dimension {dim.describe()} with categories {', '.join(dim.codes[:6])}",
                )
            )


def _age_axis(data: JsonStat, max_age: int, required: bool) -> tuple[list[int] | None, int]:
    """For each age category its target age (None = a total, dropped); and the open class found."""
    dim = data.dim("age")
    if dim is None:
        if required:
            raise InputError(
                _problem(
                    data.file,
                    "an age dimension (Alder, single years of age '000'…'105+'); save table 07459 with every age",
                    data.found(),
                )
            )
        return None, -1
    target: list[int | None] = []
    open_at = -1
    bad = []
    for code in dim.codes:
        label = dim.labels.get(code, "")
        age = _age_of(code, label)
        if age is None:
            if _is_total(code, label):
                target.append(None)
                continue
            bad.append(f"{code!r} ({label})" if label and label != code else repr(code))
            target.append(None)
            continue
        if age[1]:
            open_at = age[0]
        target.append(min(age[0], max_age))
    if bad:
        raise InputError(
            _problem(
                data.file,
                "single years of age ('000', '001', …, '105+'; totals such as '999D' are dropped)",
                "age categories " + ", ".join(bad[:8]) + (f" and {len(bad) - 8} more" if len(bad) > 8 else ""),
                field=f"dimension {dim.id!r}",
            )
        )
    return target, open_at  # type: ignore[return-value]


def import_ssb(
    path: Path,
    municipality: str | None = None,
    year: int | None = None,
    max_age: int = 100,
    area_shares: Path | None = None,
    area_id: str | None = None,
    from_year: int | None = None,
    to_year: int | None = None,
    codes_file: Path | None = None,
) -> SsbResult:
    """Read an SSB JSON-stat file and build the scenario tables (nothing is written here).

    A file with a projection variant (a dimension such as 'Alternativ', or variants like
    MMMM in the contents) gives ``control_totals_<variant>.csv`` for the years
    ``from_year``…``to_year``; any other file gives ``population_<year>.csv`` for ``year``
    (default: the latest year with figures).
    """
    data = read_jsonstat(path)
    codes = load_code_table(codes_file)
    target, name, members = _pick_municipality(data, codes, municipality)
    projection = data.dim("variant") is not None or any(w in _norm(data.label) for w in ("framskr", "projected"))
    age_target, open_at = _age_axis(data, max_age, required=not projection)
    if data.dim("sex") is None and not projection:
        raise InputError(
            _problem(data.file, "a sex dimension (Kjonn: 1 = male, 2 = female) for the base population", data.found())
        )
    _contents(data)
    _collapse_others(data)
    years = _years(data)
    region = data.dim("region")
    if region is not None:
        _select(data, "region", members)
        region = data.dim("region")
    if projection:
        return _control_totals(data, target, name, years, age_target, from_year, to_year)
    return _population(data, codes, target, name, years, year, max_age, age_target, open_at, area_shares, area_id)


def _axes(data: JsonStat) -> dict[str, int]:
    return {kind: data.dimensions.index(d) for kind in data.kinds if (d := data.dim(kind)) is not None}


def _population(
    data: JsonStat,
    codes: CodeTable,
    target: str,
    name: str,
    years: list[int],
    year: int | None,
    max_age: int,
    age_target: list[int | None] | None,
    open_at: int,
    area_shares: Path | None,
    area_id: str | None,
) -> SsbResult:
    assert age_target is not None
    ax = _axes(data)
    sex_dim = data.dim("sex")
    assert sex_dim is not None
    sex_of = [_sex_of(c, sex_dim.labels.get(c, "")) for c in sex_dim.codes]
    if not {"female", "male"} <= set(sex_of):
        raise InputError(
            _problem(
                data.file,
                "both sexes in the sex dimension (1 = male, 2 = female)",
                ", ".join(f"{c!r} ({sex_dim.labels.get(c, '')})" for c in sex_dim.codes),
                field=f"dimension {sex_dim.id!r}",
            )
        )
    ages_here = sorted({a for a in age_target if a is not None})
    if open_at >= 0 and open_at < max_age:
        raise InputError(
            _problem(
                data.file,
                f"single ages up to at least --max-age {max_age} (or a lower --max-age)",
                f"an open age class {open_at}+",
                field=f"dimension {data.dim('age').id!r}",  # type: ignore[union-attr]
            )
        )
    missing_ages = [a for a in range(max_age + 1) if a not in ages_here]
    if missing_ages:
        raise InputError(
            _problem(
                data.file,
                f"every single age 0…{max_age} (save the table with all ages, or lower --max-age)",
                f"no ages {_ranges(missing_ages)}",
                field=f"dimension {data.dim('age').id!r}",  # type: ignore[union-attr]
            )
        )
    # Move the axes to a known order: time, region (or none), sex, age.
    vals = data.values
    order = [ax["time"], *([ax["region"]] if "region" in ax else []), ax["sex"], ax["age"]]
    rest = [i for i in range(vals.ndim) if i not in order]
    vals = np.transpose(vals, order + rest).reshape(vals.shape[order[0]], -1, len(sex_of), len(age_target))
    # vals[t, region, sex_cat, age_cat] (other axes have one category each)
    sex_idx = [sex_of.index("female"), sex_of.index("male")]
    age_cats = [i for i, a in enumerate(age_target) if a is not None]
    cells = vals[:, :, sex_idx][:, :, :, age_cats]  # [T, R, 2, ages]
    have = ~np.isnan(cells).all(axis=(2, 3))  # [T, R]: the region has figures that year
    with_data = [years[t] for t in range(len(years)) if have[t].any()]
    if not with_data:
        raise InputError(_problem(data.file, f"figures for municipality {target}", "only missing values ('.', '..')"))
    chosen = max(with_data) if year is None else year
    if chosen not in with_data:
        raise InputError(
            _problem(
                data.file,
                f"a year with figures for municipality {target}: {_ranges(sorted(with_data))}",
                f"--year {chosen}",
                field=f"dimension {data.dim('time').id!r}",  # type: ignore[union-attr]
            )
        )
    t = years.index(chosen)
    region = data.dim("region")
    contributing = [r for r in range(cells.shape[1]) if have[t, r]]
    if region is not None:
        used = [_clean_code(region.codes[r]) for r in contributing]
        for a in used:
            for b in used:
                if a != b and codes.current(a) == target and b in _chain(codes, a):
                    raise InputError(
                        _problem(
                            data.file,
                            f"figures for {chosen} under one code of the merger, not both an old code and its successor",
                            f"both {a} and {b} have figures for {chosen}",
                            field=f"dimension {region.id!r}",
                        )
                    )
    block = cells[t][contributing]  # [R', 2, ages]
    gaps = np.argwhere(np.isnan(block))
    if len(gaps):
        r, s, a = gaps[0]
        code = _clean_code(region.codes[contributing[r]]) if region is not None else target
        raise InputError(
            _problem(
                data.file,
                "a number of persons in every age and sex cell of the base year",
                f"{len(gaps)} missing values, the first: region {code}, {SEXES[s]}, age category "
                f"{data.dim('age').codes[age_cats[a]]!r}, {chosen}",  # type: ignore[union-attr]
            )
        )
    grid = np.zeros((2, max_age + 1))
    for j, cat in enumerate(age_cats):
        grid[:, age_target[cat]] += block[:, :, j].sum(axis=0)  # type: ignore[index]
    areas = _areas(area_shares, area_id or slug(name))
    rows = []
    for area, milli in _split(grid, areas):
        for s, sex in enumerate(SEXES):
            for age in range(max_age + 1):
                rows.append([area, str(age), sex, _fmt(milli[s, age] / 1000)])
    used_codes = tuple(sorted({_clean_code(region.codes[r]) for r in contributing})) if region is not None else ()
    return SsbResult(
        files={f"population_{chosen}.csv": _csv(["area", "age", "sex", "persons"], rows)},
        municipality=target,
        name=name,
        codes=used_codes,
        year=chosen,
        persons=float(grid.sum()),
    )


def _chain(codes: CodeTable, code: str) -> set[str]:
    """The successors of ``code`` (not the code itself)."""
    out = set()
    while code in codes.successor and codes.successor[code] not in out:
        code = codes.successor[code]
        out.add(code)
    return out


def _ranges(values: Sequence[int]) -> str:
    parts: list[str] = []
    start = prev = None
    for v in [*values, None]:
        if v is not None and prev is not None and v == prev + 1:
            prev = v
            continue
        if start is not None:
            parts.append(str(start) if start == prev else f"{start}–{prev}")
        start = prev = v
    return ", ".join(parts)


def _areas(path: Path | None, default: str) -> list[tuple[str, float]]:
    if path is None:
        return [(default, 1.0)]
    table = _read_csv(
        path,
        [
            Column(
                "area", "str", pattern=IDENTIFIER, expected="a planning area id of lower-case letters, digits and '_'"
            ),
            Column("share", "float", 0.0, 1.0, expected="the area's share of the population, 0–1"),
        ],
        ["area"],
        "--areas",
    )
    shares = table.columns["share"]
    total = float(np.sum(shares))
    if len(table) == 0 or abs(total - 1.0) > 1e-6:
        raise InputError(
            Problem("area shares that sum to 1", file=str(path), found=f"a sum of {total:g} over {len(table)} areas")
        )
    return list(zip(table.columns["area"], (float(s) for s in shares), strict=True))  # type: ignore[arg-type]


def _split(grid: np.ndarray, areas: list[tuple[str, float]]) -> list[tuple[str, np.ndarray]]:
    """Split persons (rounded to thousandths) by area shares; each cell's parts add up exactly.

    Largest remainder: each area gets floor(total × share) thousandths, the leftover
    thousandths go to the largest remainders (ties: the first area), so the totals by age
    and sex are those of the file.
    """
    total = np.rint(grid * 1000).astype(np.int64)
    if len(areas) == 1:
        return [(areas[0][0], total.astype(float))]
    shares = np.array([s for _, s in areas])
    exact = total[None] * shares[:, None, None]
    base = np.floor(exact + 1e-9).astype(np.int64)
    left = total - base.sum(axis=0)
    rem = exact - base
    order = np.argsort(-rem, axis=0, kind="stable")
    rank = np.argsort(order, axis=0, kind="stable")
    base += rank < left[None]
    return [(a, base[i].astype(float)) for i, (a, _) in enumerate(areas)]


def _control_totals(
    data: JsonStat,
    target: str,
    name: str,
    years: list[int],
    age_target: list[int | None] | None,
    from_year: int | None,
    to_year: int | None,
) -> SsbResult:
    ax = _axes(data)
    vals = data.values
    # Drop total categories of age and sex when single categories are there (never add a total to its parts).
    for kind, keep in (("age", None), ("sex", None)):
        dim = data.dim(kind)
        if dim is None:
            continue
        if kind == "age":
            keep = [i for i, a in enumerate(age_target or []) if a is not None]
        else:
            keep = [i for i, c in enumerate(dim.codes) if _sex_of(c, dim.labels.get(c, ""))]
        if not keep:  # only totals: use them
            keep = list(range(len(dim.codes)))
        vals = np.take(vals, keep, axis=ax[kind])
    variant = data.dim("variant")
    time_axis = ax["time"]
    if variant is None:
        names = ["projection"]
        per_variant = [vals]
    else:
        v_axis = ax["variant"]
        names = [_variant_name(c, variant.labels.get(c, "")) or slug(c) for c in variant.codes]
        per_variant = [np.take(vals, [i], axis=v_axis) for i in range(len(variant.codes))]
    if len(set(names)) != len(names):
        raise InputError(
            _problem(data.file, "distinct projection variants", ", ".join(names), field=f"dimension {variant.id!r}")  # type: ignore[union-attr]
        )
    lo = from_year if from_year is not None else min(years)
    hi = to_year if to_year is not None else max(years)
    picked = [i for i, y in enumerate(years) if lo <= y <= hi]
    if not picked:
        raise InputError(
            _problem(
                data.file,
                f"years from {lo} to {hi} in the file",
                f"years {_ranges(sorted(years))}",
                field=f"dimension {data.dim('time').id!r}",  # type: ignore[union-attr]
            )
        )
    files: dict[str, str] = {}
    for vname, block in zip(names, per_variant, strict=True):
        rows = []
        for i in picked:
            cell = np.take(block, [i], axis=time_axis)
            if np.isnan(cell).all():
                raise InputError(
                    _problem(
                        data.file,
                        f"a projected population for every year {lo}–{hi}",
                        f"no figures for {years[i]}, variant {vname}",
                    )
                )
            total = float(np.nansum(cell))
            rows.append([str(years[i]), _fmt(total)])
        files[f"control_totals_{vname}.csv"] = _csv(["year", "persons"], rows)
    return SsbResult(
        files=files,
        municipality=target,
        name=name,
        codes=(),
        year=None,
        persons=math.nan,
        variants=tuple(names),
    )


# --------------------------------------------------------------------------- writing


def output_problem(path: Path, option: str, folder: bool) -> Problem | None:
    """What is wrong with ``path`` as an output (a file, or with ``folder`` a folder to write into); None if fine.

    Refused: a folder where a file is to be written (or a file where a folder is expected), a parent that
    is a file, and a parent folder that cannot be written to. Checked before any work is done, so the user
    hears about a wrong ``--out`` at once; the write itself also turns an OS error into an InputError.
    """
    name = str(path)
    if folder and path.exists() and not path.is_dir():
        return Problem("a folder to write the tables into", file=name, field=option, found="an existing file")
    if not folder and path.is_dir():
        return Problem("a file name to write (not a folder)", file=name, field=option, found="an existing folder")
    if not folder and path.exists() and not path.is_file():
        return Problem("a regular file to write", file=name, field=option, found="a special file (a device or pipe)")
    parent = path if folder else path.parent
    while not parent.exists():
        if parent.is_symlink():  # a dangling link
            return Problem("a path to a folder", file=name, field=option, found=f"a broken link {parent}")
        parent = parent.parent
    if not parent.is_dir():
        return Problem("a path whose parents are folders", file=name, field=option, found=f"{parent} is a file")
    if not os.access(parent, os.W_OK | os.X_OK):
        return Problem("a folder you can write to", file=name, field=option, found=f"{parent} is read-only")
    return None


def check_output(path: Path, option: str = "--out", folder: bool = False) -> None:
    """Raise an InputError when ``path`` cannot be an output (see :func:`output_problem`)."""
    problem = output_problem(path, option, folder)
    if problem is not None:
        raise InputError(problem)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_files(files: Mapping[str, str | bytes], out_dir: Path, option: str = "--out") -> list[Path]:
    """Write several files into a folder: each to a temporary file first, then all renamed.

    Called only after every check has passed. The folder and each target are checked first (a target
    that is a folder is refused); a failure while writing removes the temporary files and any folder
    created here, and is reported as an InputError naming the folder, so a folder never holds half a
    file. Files get the permissions of a normal new file (the umask), not the temporary file's 0600.
    """
    check_output(out_dir, option, folder=True)
    for name in files:
        target = out_dir / name
        problem = output_problem(target, option, folder=False) if target.exists() else None
        if problem is not None:
            raise InputError(problem)
    created = out_dir
    while not created.parent.exists():
        created = created.parent
    made = not out_dir.exists()
    temps: list[tuple[str, Path]] = []
    mode = 0o666 & ~_umask()
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        for name, content in files.items():
            fd, tmp = tempfile.mkstemp(prefix=f".{name}.", suffix=".tmp", dir=out_dir)
            temps.append((name, Path(tmp)))
            with os.fdopen(fd, "wb") as fh:
                fh.write(content.encode("utf-8") if isinstance(content, str) else content)
            os.chmod(tmp, mode)
        paths = []
        for name, tmp in temps:
            os.replace(tmp, out_dir / name)
            paths.append(out_dir / name)
        temps = []
        return paths
    except OSError as exc:
        if made and created.exists():
            shutil.rmtree(created, ignore_errors=True)
        raise InputError(
            Problem(
                "a folder where the files can be written",
                file=str(out_dir / next(iter(files))) if len(files) == 1 else str(out_dir),
                field=option,
                found=f"{exc.strerror or type(exc).__name__}" + (f": {exc.filename}" if exc.filename else ""),
            )
        ) from None
    finally:
        for _, tmp in temps:
            tmp.unlink(missing_ok=True)
