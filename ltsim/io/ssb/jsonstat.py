"""JSON-stat 2.0 datasets: parsing, shape checks, and which dimension is region, time, age, sex, contents, variant."""

from __future__ import annotations

import json
import math
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ltsim.errors import InputError, Problem, show
from ltsim.io.files import decode_utf8, read_regular_file

VARIANT_RE = re.compile(r"\b([LMHK0]{4})\b")
"""A projection variant such as MMMM or LHML (fertility, life expectancy, internal migration, immigration)."""
MAX_JSON_BYTES = 200 * 1024 * 1024
"""Largest JSON-stat file read: table 07459 for every municipality and year is about 30 MB."""
MAX_CELLS = 20_000_000
"""Largest JSON-stat grid (product of the dimension sizes) held in memory as float64 (160 MB)."""


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


def file_problem(file: str, expected: str, found: str | None = None, field: str | None = None) -> Problem:
    """A problem found in ``file`` (``field``: where in the document)."""
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
        raise InputError(file_problem(file, "a JSON-stat 2.0 document saved from SSB", "an empty file"))
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
            file_problem(
                file,
                "a JSON-stat 2.0 document (a few levels of objects and lists)",
                "JSON nested too deeply to read",
            )
        ) from None
    except ValueError as exc:  # NaN, Infinity
        raise InputError(
            file_problem(file, "numbers or null as values (JSON has no NaN or Infinity)", str(exc))
        ) from None
    if not isinstance(raw, dict) or raw.get("class") != "dataset":
        found = (
            "JSON-stat 1.x (a 'dataset' wrapper)"
            if isinstance(raw, dict) and "dataset" in raw
            else (f"class {show(raw.get('class'))}" if isinstance(raw, dict) else f"a JSON {type(raw).__name__}")
        )
        raise InputError(
            file_problem(
                file,
                'a JSON-stat 2.0 dataset ("class": "dataset"; ask PxWebApi for json-stat2, not json-stat or csv)',
                found,
            )
        )
    missing = [k for k in ("id", "size", "dimension", "value") if k not in raw]
    if missing:
        raise InputError(
            file_problem(file, "the JSON-stat keys id, size, dimension and value", f"no {', '.join(missing)}")
        )
    dims, sizes = _dimensions(file, raw)
    values = _values(file, raw["value"], sizes)
    role = raw.get("role")
    if role is not None and not (
        isinstance(role, dict)
        and all(isinstance(v, list) and all(isinstance(x, str) for x in v) for v in role.values())
    ):
        raise InputError(
            file_problem(file, "lists of dimension ids under role (time, geo, metric)", _kind(role), field="role")
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
        raise InputError(file_problem(file, "a list of dimension ids (strings) under id", _kind(ids), field="id"))
    if len(set(ids)) != len(ids):
        raise InputError(file_problem(file, "each dimension id once", ", ".join(map(repr, ids)), field="id"))
    if not isinstance(sizes, list) or len(sizes) != len(ids) or not all(type(n) is int and n >= 0 for n in sizes):
        raise InputError(
            file_problem(
                file,
                f"a list of {len(ids)} category counts under size, one per dimension of id",
                _kind(sizes) if not isinstance(sizes, list) else show(str(sizes), 80),
                field="size",
            )
        )
    if not isinstance(meta, dict):
        raise InputError(file_problem(file, "an object of dimensions under dimension", _kind(meta), field="dimension"))
    cells = math.prod(sizes)
    if cells > MAX_CELLS:
        raise InputError(
            file_problem(
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
                file_problem(
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
            raise InputError(
                file_problem(file, "an object of category labels (code: text)", _kind(labels), field=where)
            )
        if index is None:
            codes = list(labels or {})
        elif isinstance(index, list) and all(isinstance(c, str | int) and not isinstance(c, bool) for c in index):
            codes = [str(c) for c in index]
        elif isinstance(index, dict) and all(type(v) is int for v in index.values()):
            if sorted(index.values()) != list(range(len(index))):
                raise InputError(
                    file_problem(
                        file,
                        f"category positions 0…{len(index) - 1}, each once",
                        show(str(sorted(index.values())), 80),
                        field=f"{where}: category.index",
                    )
                )
            codes = [str(c) for c, _ in sorted(index.items(), key=lambda kv: kv[1])]
        else:
            raise InputError(
                file_problem(
                    file,
                    "category.index as a list of codes or an object code: position",
                    _kind(index),
                    field=f"{where}: category.index",
                )
            )
        if len(set(codes)) != len(codes):
            raise InputError(file_problem(file, "each category code once", "a repeated code", field=where))
        if len(codes) != n:
            raise InputError(
                file_problem(
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
            raise InputError(file_problem(file, expected, f"{len(value):,} values", field="value"))
        pairs: Any = enumerate(value)
    elif isinstance(value, dict):
        pairs = value.items()
    else:
        raise InputError(file_problem(file, expected, _kind(value), field="value"))
    out = np.full(cells, np.nan)
    for key, v in pairs:
        if isinstance(key, str):
            if not key.isdigit() or int(key) >= cells:
                raise InputError(
                    file_problem(file, f"positions 0…{cells - 1} as keys of value", show(key), field="value")
                )
            key = int(key)
        if v is None:
            continue
        if type(v) not in (int, float) or abs(v) > 1e15:
            raise InputError(file_problem(file, "a number of persons or null", _kind(v), field=f"value[{key}]"))
        out[key] = v
    return out.reshape(sizes)


def norm_text(text: str) -> str:
    """Text for matching: lower case, accents dropped, ``ø`` → ``o``, ``æ`` → ``ae``."""
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
        nid, nlabel = norm_text(dim.id), norm_text(dim.label)
        for kind, ids, words in rules:
            if kind in kinds:
                continue
            if nid in ids or any(re.search(rf"\b{w}\b", nlabel) for w in words):
                kinds[kind] = dim.id
                break
    contents = kinds.get("contents")
    if "variant" not in kinds and contents is not None:
        dim = next(d for d in data.dimensions if d.id == contents)
        if any(variant_name(c, dim.labels.get(c, "")) for c in dim.codes):
            kinds["variant"] = contents  # SSB projection tables put the variants in the contents
    return kinds


def variant_name(code: str, label: str) -> str | None:
    """The projection variant (``MMMM``, ``LHML``, …) named in a category's code or label, or None."""
    for text in (code, label):
        m = VARIANT_RE.search(text)
        if m:
            return m.group(1)
    return None
