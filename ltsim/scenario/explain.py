"""Where each value of a layered scenario comes from (``ltsim validate --explain``).

A scenario that ``extends:`` others is merged file by file (see :mod:`ltsim.io.yamlsrc`). For each
value of the merged scenario this lists the value, the file and line that set it, and what the
files below it had written there and it replaced. A dated value ``{year: value}`` is one value:
it replaces the base's whole series, unless it says ``merge: true`` (then each year names its file).
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ltsim.io.files import resolve_path
from ltsim.io.yamlsrc import MERGE_KEY, Path_, SourceMap, dotted, is_dated, load_layered, load_yaml


@dataclass(frozen=True, slots=True)
class Origin:
    """A place in a YAML file (``line`` is 1-based; None where unknown)."""

    file: Path
    line: int | None

    def label(self, root: Path | None = None) -> str:
        """``file:line``, the file relative to ``root`` where it lies below it."""
        name = str(self.file)
        if root is not None:
            with contextlib.suppress(ValueError):
                name = str(self.file.relative_to(root))
        return f"{name}:{self.line}" if self.line else name


@dataclass(frozen=True, slots=True)
class Explained:
    """One resolved value: where it is, what it is, who set it and what it replaced."""

    path: str
    value: Any
    origin: Origin | None
    replaced: tuple[tuple[Origin, Any], ...] = ()  # earlier files' values at this path, nearest first
    merged_from: tuple[tuple[Origin, tuple[str, ...]], ...] = ()  # a merged dated value: file → its years


def extends_chain(top: Path) -> list[Path]:
    """The files of a layered scenario, the root first and ``top`` last (``top`` must load: see load_layered)."""
    chain: list[Path] = []
    file: Path | None = resolve_path(Path(top)) or Path(top)
    while file is not None and file not in chain:
        chain.append(file)
        data, _ = load_yaml(file)
        parent = data.get("extends") if isinstance(data, dict) else None
        file = resolve_path(file.parent / parent) if isinstance(parent, str) else None
    return chain[::-1]


def _leaves(value: Any, path: Path_ = ()) -> list[tuple[Path_, Any]]:
    """Key paths of the values people write: scalars, lists of scalars, dated values, empty mappings."""
    if isinstance(value, dict) and value and not is_dated(value):
        return [leaf for key, item in value.items() for leaf in _leaves(item, (*path, key))]
    if isinstance(value, list) and any(isinstance(v, dict | list) for v in value):
        return [leaf for i, item in enumerate(value) for leaf in _leaves(item, (*path, i))]
    return [(path, value)]


_MISSING = object()


def _at(data: Any, path: Path_) -> Any:
    for key in path:
        inside = isinstance(data, list) and isinstance(key, int) and 0 <= key < len(data)
        if inside or (isinstance(data, dict) and key in data):
            data = data[key]
        else:
            return _MISSING
    return data


def _origin(smap: SourceMap, path: Path_) -> Origin | None:
    for n in range(len(path), -1, -1):
        if path[:n] in smap:
            file, line = smap[path[:n]]
            return Origin(Path(file), line)
    return None


def explain(top: Path) -> list[Explained]:
    """Every value of the scenario ``top`` after merging its ``extends:`` chain, with its origin.

    Raises :class:`~ltsim.errors.InputError` as :func:`~ltsim.io.yamlsrc.load_layered` does.
    """
    merged, smap = load_layered(Path(top))
    layers = []
    for file in extends_chain(Path(top)):
        data, lmap = load_yaml(file)
        layers.append((file, data if isinstance(data, dict) else {}, lmap))
    rows = []
    for path, value in _leaves(merged):
        origin = _origin(smap, path)
        replaced = []
        for file, data, lmap in reversed(layers[: _layer(layers, origin)]):
            old = _at(data, path)
            if old is not _MISSING:
                replaced.append((_origin(lmap, path) or Origin(file, None), _plain(old)))
        merged_from: list[tuple[Origin, tuple[str, ...]]] = []
        if is_dated(value):
            by_file: dict[Path, tuple[Origin, list[str]]] = {}
            for key in sorted((k for k in value if k not in (MERGE_KEY, "method")), key=int):
                o = _origin(smap, (*path, key))
                if o is not None:
                    by_file.setdefault(o.file, (o, []))[1].append(str(key))
            if len(by_file) > 1:
                merged_from = [(o, tuple(years)) for o, years in by_file.values()]
                replaced = []
        rows.append(Explained(dotted(path), _plain(value), origin, tuple(replaced), tuple(merged_from)))
    return rows


def _layer(layers: list[tuple[Path, Any, SourceMap]], origin: Origin | None) -> int:
    """Index of the layer that set a value (the number of layers where unknown)."""
    for i, (file, _, _) in enumerate(layers):
        if origin is not None and file == origin.file:
            return i
    return len(layers)


def _plain(value: Any) -> Any:
    """A dated value with its years in order and without ``merge:``; anything else as it is."""
    if is_dated(value):
        years = sorted((k for k in value if k not in (MERGE_KEY, "method")), key=int)
        out = {"method": value["method"]} if "method" in value else {}
        return {**out, **{int(k): value[k] for k in years}}
    return value


def show_value(value: Any) -> str:
    """A value as one line of YAML flow style: ``0.042``, ``{2024: 0.042, 2030: 0.05}``, ``[a, b]``."""
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {show_value(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(show_value(v) for v in value) + "]"
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
