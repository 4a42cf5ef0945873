"""YAML with a source map: every value remembers the file and line it came from.

A scenario may ``extends:`` another file. Files are merged deeply (mappings merge key by
key, lists and scalars replace), and the source map follows the merge, so an error in a
merged value still names the file and line where the value was written.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from ltsim.errors import InputError, Problem, show

Path_ = tuple[str | int, ...]
Origin = tuple[Path, int]  # file, 1-based line
SourceMap = dict[Path_, Origin]

_BOOL_TAG = "tag:yaml.org,2002:bool"


class _Loader(yaml.SafeLoader):
    """Safe loader that only treats true/false as booleans (YAML 1.2 style, so ``no`` stays text)."""


_Loader.yaml_implicit_resolvers = {
    key: [(tag, regexp) for tag, regexp in resolvers if tag != _BOOL_TAG]
    for key, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver(
    _BOOL_TAG,
    re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"),
    list("tTfF"),
)


def _construct(node: yaml.Node, file: Path, path: Path_, smap: SourceMap, loader: _Loader) -> Any:
    smap[path] = (file, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        out: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = loader.construct_object(key_node, deep=True)
            if not isinstance(key, str | int) or isinstance(key, bool):
                raise InputError(
                    Problem(
                        "a text or whole-number key",
                        file=str(file),
                        line=key_node.start_mark.line + 1,
                        found=show(key),
                    )
                )
            if key in out:
                raise InputError(
                    Problem(
                        "each key once in a mapping",
                        file=str(file),
                        line=key_node.start_mark.line + 1,
                        field=_dotted((*path, key)),
                        found="a duplicate key",
                    )
                )
            smap[(*path, key)] = (file, key_node.start_mark.line + 1)
            out[key] = _construct(value_node, file, (*path, key), smap, loader)
            smap[(*path, key)] = (file, key_node.start_mark.line + 1)
        return out
    if isinstance(node, yaml.SequenceNode):
        return [_construct(item, file, (*path, i), smap, loader) for i, item in enumerate(node.value)]
    return loader.construct_object(node, deep=True)


def load_yaml(file: Path) -> tuple[Any, SourceMap]:
    """Read one YAML file into plain Python values and a map from key path to (file, line)."""
    try:
        text = file.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError(Problem("an existing YAML file", file=str(file), found="no such file")) from None
    except UnicodeDecodeError as exc:
        raise InputError(Problem("UTF-8 text", file=str(file), found=str(exc))) from None
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        found = f"a syntax error: {exc.problem}"
        if exc.context and exc.context_mark is not None and mark is not None and exc.context_mark.line != mark.line:
            found += f" ({exc.context} on line {exc.context_mark.line + 1})"
        raise InputError(
            Problem(
                "valid YAML",
                file=str(file),
                line=mark.line + 1 if mark else None,
                found=found,
            )
        ) from None
    finally:
        loader.dispose()
    smap: SourceMap = {}
    if node is None:
        return {}, smap
    return _construct(node, file, (), smap, loader), smap


def _dotted(path: Path_) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) and out else ("." if out else "") + str(part)
    return out


def dotted(path: Path_) -> str:
    """Dotted name of a key path: ``areas[2].id``, ``population.fertility.scale``."""
    return _dotted(path)


def deep_merge(
    base: Any, base_map: SourceMap, over: Any, over_map: SourceMap, path: Path_ = ()
) -> tuple[Any, SourceMap]:
    """Merge ``over`` onto ``base``: mappings merge key by key; lists and scalars replace."""
    if isinstance(base, dict) and isinstance(over, dict):
        merged = dict(base)
        smap = dict(base_map)
        for key, value in over.items():
            sub = (*path, key)
            if key in base:
                merged[key], smap = deep_merge(base[key], smap, value, over_map, sub)
            else:
                merged[key] = value
                smap.update({p: o for p, o in over_map.items() if p[: len(sub)] == sub})
        if path in over_map:
            smap.setdefault(path, over_map[path])
        return merged, smap
    # Replacement: drop the base's source entries below this path, take the override's.
    smap = {p: o for p, o in base_map.items() if p[: len(path)] != path or p == path}
    smap.update({p: o for p, o in over_map.items() if p[: len(path)] == path})
    return over, smap


def load_layered(file: Path, _chain: tuple[Path, ...] = ()) -> tuple[dict[str, Any], SourceMap]:
    """Load a scenario file and everything it ``extends:``, merged, with its source map."""
    file = file.resolve()
    if file in _chain:
        cycle = " → ".join(str(p) for p in (*_chain, file))
        raise InputError(Problem("a chain of extends without a cycle", file=str(file), found=cycle))
    data, smap = load_yaml(file)
    if not isinstance(data, dict):
        raise InputError(
            Problem(
                "a mapping of scenario keys at the top level",
                file=str(file),
                line=1,
                found=type(data).__name__,
            )
        )
    parent = data.pop("extends", None)
    if parent is None:
        return data, smap
    line = smap.get(("extends",), (file, None))[1]
    if not isinstance(parent, str):
        raise InputError(
            Problem(
                "a path to the scenario file this one extends",
                file=str(file),
                line=line,
                field="extends",
                found=show(parent),
            )
        )
    smap = {p: o for p, o in smap.items() if not p or p[0] != "extends"}
    parent_file = (file.parent / parent).resolve()
    if parent_file in (*_chain, file):
        cycle = " → ".join(str(p) for p in (*_chain, file, parent_file))
        raise InputError(
            Problem(
                "a chain of extends without a cycle",
                file=str(file),
                line=line,
                field="extends",
                found=f"a cycle {cycle}",
            )
        )
    if not parent_file.is_file():
        raise InputError(
            Problem(
                "an existing scenario file (relative to this file)",
                file=str(file),
                line=line,
                field="extends",
                found=f"{parent!r} (no such file: {parent_file})",
            )
        )
    base, base_map = load_layered(parent_file, (*_chain, file))
    return deep_merge(base, base_map, data, smap)
