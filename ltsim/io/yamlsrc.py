"""YAML with a source map: every value remembers the file and line it came from.

A scenario may ``extends:`` another file. Files are merged deeply (mappings merge key by
key; lists, scalars and dated values ``{year: value}`` replace, a dated value with
``merge: true`` is laid year by year over the base's), and the source map follows the
merge, so an error in a merged value still names the file and line where the value was written.

This is where YAML input is first checked, once, for every reader (scenarios, the files they
extend, batch files):

- a YAML file is a regular file (not a folder, device or pipe) of at most
  :data:`MAX_YAML_BYTES` (20 MB), in UTF-8;
- only plain values: text, numbers, ``true``/``false``, lists and mappings, with no tags
  (``!!python/name:…``, ``!!binary``, ``!custom`` …); dates stay text (YAML 1.2 style);
- every number is finite (``.nan`` and ``.inf`` are refused with their line);
- anchors (``&``) and aliases (``*``) may not expand the file beyond :data:`MAX_VALUES`
  values, nor nest deeper than :data:`MAX_DEPTH` levels (no "billion laughs").

Every refusal is an :class:`~ltsim.errors.InputError` naming the file and, where there is
one, the line.
"""

from __future__ import annotations

import math
import re
from pathlib import Path
from typing import Any

import yaml

from ltsim.errors import InputError, Problem, show
from ltsim.io.files import decode_utf8, read_regular_file, resolve_path

Path_ = tuple[str | int, ...]
Origin = tuple[Path, int]  # file, 1-based line
SourceMap = dict[Path_, Origin]

MAX_YAML_BYTES = 20 * 1024 * 1024  # a YAML file of more is refused unread
MAX_VALUES = 100_000  # values (after aliases are expanded) one YAML file may hold
MAX_DEPTH = 64  # levels of nested lists and mappings

_BOOL_TAG = "tag:yaml.org,2002:bool"
_TIMESTAMP_TAG = "tag:yaml.org,2002:timestamp"
_PLAIN_TAGS = frozenset(f"tag:yaml.org,2002:{kind}" for kind in ("str", "int", "float", "bool", "null", "seq", "map"))


class _Loader(yaml.SafeLoader):
    """Safe loader with YAML 1.2 style scalars: only true/false are booleans and dates stay text.

    So ``no`` is the text "no", and ``source: 2024-02-30`` is a text, not a failed date.
    """


try:
    from yaml._yaml import CParser as _CParser
except ImportError:  # PyYAML without libyaml: the pure-Python loader above
    _CParser = None

if _CParser is not None:

    class _CLoader(_CParser, yaml.constructor.SafeConstructor, yaml.resolver.Resolver):  # type: ignore[misc]
        """:class:`_Loader` with libyaml's scanner and parser (about 10× faster on a scenario).

        Nodes are composed by PyYAML's own (Python) composer, so anchors, aliases, marks and the
        nesting limit behave as with the pure-Python loader; libyaml refuses flow nesting beyond
        1,000 levels itself.
        """

        def __init__(self, stream: str) -> None:
            _CParser.__init__(self, stream)
            yaml.constructor.SafeConstructor.__init__(self)
            yaml.resolver.Resolver.__init__(self)
            self.anchors: dict[str, yaml.Node] = {}

        get_single_node = yaml.composer.Composer.get_single_node
        compose_document = yaml.composer.Composer.compose_document
        compose_node = yaml.composer.Composer.compose_node
        compose_scalar_node = yaml.composer.Composer.compose_scalar_node
        compose_sequence_node = yaml.composer.Composer.compose_sequence_node
        compose_mapping_node = yaml.composer.Composer.compose_mapping_node


_Loader.yaml_implicit_resolvers = {
    key: [(tag, regexp) for tag, regexp in resolvers if tag not in (_BOOL_TAG, _TIMESTAMP_TAG)]
    for key, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver(
    _BOOL_TAG,
    re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"),
    list("tTfF"),
)
if _CParser is not None:
    _CLoader.yaml_implicit_resolvers = _Loader.yaml_implicit_resolvers


def _tag_name(tag: str) -> str:
    return "!!" + tag.removeprefix("tag:yaml.org,2002:") if tag.startswith("tag:yaml.org,2002:") else tag


class _Builder:
    """Builds plain values from a composed node tree, recording each value's line, refusing what is not plain."""

    def __init__(self, file: Path, loader: Any) -> None:
        self.file = file
        self.loader = loader
        self.smap: SourceMap = {}
        self.count = 0

    def refuse(self, node: yaml.Node, expected: str, found: str, path: Path_ = ()) -> InputError:
        return InputError(
            Problem(
                expected,
                file=str(self.file),
                line=node.start_mark.line + 1,
                field=_dotted(path) or None,
                found=found,
            )
        )

    def build(self, node: yaml.Node, path: Path_ = ()) -> Any:
        self.count += 1
        if self.count > MAX_VALUES:
            raise self.refuse(
                node,
                f"at most {MAX_VALUES:,} values in a YAML file, counting each use of an alias (*)",
                "more (anchors and aliases that expand without bound?)",
            )
        if len(path) > MAX_DEPTH:
            raise self.refuse(node, f"lists and mappings nested at most {MAX_DEPTH} deep", "deeper nesting", path[:2])
        self.smap[path] = (self.file, node.start_mark.line + 1)
        if node.tag not in _PLAIN_TAGS:
            raise self.refuse(
                node,
                "plain YAML values (text, numbers, true/false, lists, mappings) without tags",
                f"the tag {show(_tag_name(node.tag))}",
                path,
            )
        if isinstance(node, yaml.MappingNode):
            out: dict[Any, Any] = {}
            for key_node, value_node in node.value:
                key = self.key(key_node, path)
                if key in out:
                    raise self.refuse(key_node, "each key once in a mapping", "a duplicate key", (*path, key))
                out[key] = self.build(value_node, (*path, key))
                self.smap[(*path, key)] = (self.file, key_node.start_mark.line + 1)
            return out
        if isinstance(node, yaml.SequenceNode):
            return [self.build(item, (*path, i)) for i, item in enumerate(node.value)]
        return self.scalar(node, path)

    def scalar(self, node: yaml.Node, path: Path_) -> Any:
        try:
            value = self.loader.construct_object(node, deep=True)
        except (ValueError, KeyError, TypeError, OverflowError, yaml.YAMLError):
            kind = {"int": "a whole number", "float": "a number", "bool": "true or false", "null": "null"}
            expected = kind.get(node.tag.rsplit(":", 1)[-1], "a plain value")
            raise self.refuse(node, f"{expected} for the tag {_tag_name(node.tag)}", show(node.value), path) from None
        if isinstance(value, float) and not math.isfinite(value):
            raise self.refuse(
                node, "a finite number (.nan and .inf are not numbers a scenario can use)", show(node.value), path
            )
        return value

    def key(self, node: yaml.Node, path: Path_) -> str | int:
        found = {yaml.MappingNode: "a mapping", yaml.SequenceNode: "a list"}.get(type(node))
        key: Any = None
        if found is None:
            if node.tag not in _PLAIN_TAGS:
                found = f"the tag {show(_tag_name(node.tag))}"
            else:
                key = self.scalar(node, path)
                if not isinstance(key, str | int) or isinstance(key, bool):
                    found = show(key)
        if found is not None:
            raise self.refuse(node, "a text or whole-number key", found, path)
        return key


def load_yaml(file: Path) -> tuple[Any, SourceMap]:
    """Read one YAML file into plain Python values and a map from key path to (file, line)."""
    text = decode_utf8(read_regular_file(file, MAX_YAML_BYTES, "YAML file"), file, "a YAML file")
    loader: Any = None
    try:
        try:
            loader = (_CLoader if _CParser is not None else _Loader)(text)
            node = loader.get_single_node()
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark
            found = f"a syntax error: {show(exc.problem or 'unknown', 100).strip(chr(39))}"
            if exc.context and exc.context_mark is not None and mark is not None and exc.context_mark.line != mark.line:
                found += f" ({exc.context} on line {exc.context_mark.line + 1})"
            raise InputError(
                Problem("valid YAML", file=str(file), line=mark.line + 1 if mark else None, found=found)
            ) from None
        except yaml.reader.ReaderError as exc:
            line = text[: exc.position].count("\n") + 1 if isinstance(exc.position, int) else None
            raise InputError(
                Problem(
                    "YAML text of printable characters (tabs and line breaks allowed)",
                    file=str(file),
                    line=line,
                    found=f"the control character #x{exc.character:04x}"
                    if isinstance(exc.character, int)
                    else "a control character",
                )
            ) from None
        except yaml.YAMLError as exc:
            raise InputError(Problem("valid YAML", file=str(file), found=show(str(exc)))) from None
        except RecursionError:
            raise InputError(
                Problem(f"lists and mappings nested at most {MAX_DEPTH} deep", file=str(file), found="deeper nesting")
            ) from None
        if node is None:
            return {}, {}
        builder = _Builder(file, loader)
        return builder.build(node), builder.smap
    finally:
        if loader is not None:
            loader.dispose()


def _dotted(path: Path_) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) and out else ("." if out else "") + str(part)
    return out


def dotted(path: Path_) -> str:
    """Dotted name of a key path: ``areas[2].id``, ``population.fertility.scale``."""
    return _dotted(path)


MERGE_KEY = "merge"
"""In a dated value, ``merge: true`` lays its years over the base's series instead of replacing it."""


def _is_year_key(key: object) -> bool:
    if isinstance(key, bool):
        return False
    if isinstance(key, int):
        return True
    return isinstance(key, str) and key.strip().isascii() and key.strip().isdigit()


def is_dated(value: object) -> bool:
    """Whether ``value`` is a dated value: a ``{year: value}`` map (``method:`` and ``merge:`` aside).

    >>> is_dated({2024: 0.042, 2030: 0.05}), is_dated({"method": "linear", 2024: 1}), is_dated({"a": 1})
    (True, True, False)
    """
    if not isinstance(value, dict):
        return False
    years = [k for k in value if _is_year_key(k)]
    return bool(years) and all(k in (MERGE_KEY, "method") or _is_year_key(k) for k in value)


def _merge_flag(value: dict[Any, Any], over_map: SourceMap, path: Path_) -> bool:
    """The ``merge:`` of a dated value (False when absent); anything but true/false is an InputError."""
    flag = value.get(MERGE_KEY, False)
    if not isinstance(flag, bool):
        file, line = over_map.get((*path, MERGE_KEY), over_map.get(path, (None, None)))
        raise InputError(
            Problem(
                "true (lay these years over the base's series) or false (replace it; the default)",
                file=str(file) if file else None,
                line=line,
                field=_dotted((*path, MERGE_KEY)),
                found=show(flag),
            )
        )
    return flag


def without_merge_keys(value: Any, smap: SourceMap, path: Path_ = ()) -> tuple[Any, SourceMap]:
    """``value`` with the ``merge:`` key of every dated value in it checked and removed (nothing to merge with)."""
    if is_dated(value):
        _merge_flag(value, smap, path)
        if MERGE_KEY in value:
            sub = (*path, MERGE_KEY)
            return {k: v for k, v in value.items() if k != MERGE_KEY}, {p: o for p, o in smap.items() if p != sub}
        return value, smap
    if isinstance(value, dict):
        out = {}
        for key, item in value.items():
            out[key], smap = without_merge_keys(item, smap, (*path, key))
        return out, smap
    if isinstance(value, list):
        items = []
        for i, item in enumerate(value):
            new, smap = without_merge_keys(item, smap, (*path, i))
            items.append(new)
        return items, smap
    return value, smap


def deep_merge(
    base: Any, base_map: SourceMap, over: Any, over_map: SourceMap, path: Path_ = ()
) -> tuple[Any, SourceMap]:
    """Merge ``over`` onto ``base``: mappings merge key by key; lists, scalars and dated values replace.

    A dated value (``{year: value}``, see :func:`is_dated`) replaces the base's whole series, so a
    variant's ``{2024: 0.042, 2030: 0.05}`` means 0.042 for 2024–2029 whatever years the base gave;
    with ``merge: true`` in it, its years are laid over the base's series instead.
    """
    if is_dated(over):
        if _merge_flag(over, over_map, path) and is_dated(base):
            points = {k: v for k, v in over.items() if k != MERGE_KEY}
            merged = {k: v for k, v in base.items() if k != MERGE_KEY}
            for key in points:  # a year written as 2030 and as "2030" is one year
                for old in [k for k in merged if _is_year_key(k) and _is_year_key(key) and int(k) == int(key)]:
                    del merged[old]
            merged.update(points)
            smap = dict(base_map)
            smap.update({p: o for p, o in over_map.items() if p[: len(path)] == path and p != (*path, MERGE_KEY)})
            return merged, smap
        over, over_map = without_merge_keys(over, over_map, path)
    if isinstance(base, dict) and isinstance(over, dict) and not is_dated(over):
        merged = dict(base)
        smap = dict(base_map)
        for key, value in over.items():
            sub = (*path, key)
            if key in base:
                merged[key], smap = deep_merge(base[key], smap, value, over_map, sub)
            else:
                value, over_map = without_merge_keys(value, over_map, sub)
                merged[key] = value
                smap.update({p: o for p, o in over_map.items() if p[: len(sub)] == sub})
        if path in over_map:
            smap.setdefault(path, over_map[path])
        return merged, smap
    # Replacement: drop the base's source entries below this path, take the override's.
    over, over_map = without_merge_keys(over, over_map, path)
    smap = {p: o for p, o in base_map.items() if p[: len(path)] != path or p == path}
    smap.update({p: o for p, o in over_map.items() if p[: len(path)] == path})
    return over, smap


def kind_of(value: object) -> str:
    """What a YAML value is, in words (for a message that must not echo it)."""
    if isinstance(value, bool):
        return "true/false"
    return {dict: "a mapping", list: "a list", str: "a text", int: "a number", float: "a number"}.get(
        type(value), "nothing" if value is None else type(value).__name__
    )


def load_layered(file: Path, _chain: tuple[Path, ...] = ()) -> tuple[dict[str, Any], SourceMap]:
    """Load a scenario file and everything it ``extends:``, merged, with its source map."""
    file = resolve_path(file) or file
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
                found=kind_of(data),
            )
        )
    parent = data.pop("extends", None)
    if parent is None:
        return without_merge_keys(data, smap)
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
    parent_file = resolve_path(file.parent / parent)
    if parent_file is None:
        raise InputError(
            Problem(
                "a path to an existing scenario file (relative to this file)",
                file=str(file),
                line=line,
                field="extends",
                found=show(parent),
            )
        )
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
                found=f"{show(parent)} (no such file: {parent_file})",
            )
        )
    base, base_map = load_layered(parent_file, (*_chain, file))
    return deep_merge(base, base_map, data, smap)
