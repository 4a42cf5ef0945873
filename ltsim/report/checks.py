"""The JSON and YAML files of a run folder checked before the report states what they say.

``manifest.json``, ``scenario.resolved.yaml`` and ``optimize.json``: each is read (:func:`read_json`)
and its parts the report shows are checked for the shapes ltsim writes; problems are collected,
never raised one by one (``RunFolder.check`` raises them together).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ltsim.errors import Problem, show

MAX_YAML_NODES = 1_000_000


def read_json(file: Path, what: str) -> tuple[Any, Problem | None]:
    """A JSON file of a run or batch folder, or the problem that stops it being read."""
    name = str(file)
    expected = f"{what} as JSON (as ltsim writes it; rerun ltsim to write it again)"
    try:
        text = file.read_bytes().decode("utf-8")
    except UnicodeDecodeError as exc:
        return None, Problem(expected, file=name, found=f"a byte 0x{exc.object[exc.start]:02x} that is not UTF-8")
    except OSError as exc:
        return None, Problem(expected, file=name, found=exc.strerror or type(exc).__name__)
    if not text.strip():
        return None, Problem(expected, file=name, found="an empty file")
    try:
        return json.loads(text), None
    except json.JSONDecodeError as exc:
        return None, Problem(expected, file=name, line=exc.lineno, found=f"invalid JSON: {exc.msg}")
    except (RecursionError, ValueError) as exc:
        return None, Problem(expected, file=name, found=f"unreadable JSON ({type(exc).__name__})")


def is_number(value: Any) -> bool:
    """A JSON number (not a boolean)."""
    return isinstance(value, int | float) and not isinstance(value, bool)


def check_manifest(file: Path, man: Any) -> list[Problem]:
    """``manifest.json`` is an object and the parts the report shows have the shapes ltsim writes."""
    name = str(file)
    if not isinstance(man, dict):
        kind = "a list" if isinstance(man, list) else f"a JSON {type(man).__name__}"
        return [Problem("a JSON object (the run's manifest, written by ltsim run)", file=name, found=kind)]
    problems = []
    shapes = {
        "scenario": (dict, "an object (name, title, file, hash)"),
        "horizon": (dict, "an object with base_year and end_year"),
        "created_utc": (str, "a time stamp text"),
        "ltsim_version": (str, "a version text"),
        "git_revision": (str, "a revision text or null"),
        "outputs": ((dict, list), "an object or list of the files written"),
    }
    for key, (kind, expected) in shapes.items():
        value = man.get(key)
        if value is not None and not isinstance(value, kind):
            problems.append(Problem(expected, file=name, field=key, found=show(value)))
    for key in ("seed", "replications"):
        value = man.get(key)
        if value is not None and not is_number(value):
            problems.append(Problem("a whole number or null", file=name, field=key, found=show(value)))
    scenario = man.get("scenario")
    if isinstance(scenario, dict):
        for key in ("name", "title", "file", "hash"):
            value = scenario.get(key)
            if value is not None and not isinstance(value, str):
                problems.append(Problem("a text", file=name, field=f"scenario.{key}", found=show(value)))
    horizon = man.get("horizon")
    if isinstance(horizon, dict):
        for key in ("base_year", "end_year"):
            value = horizon.get(key)
            if value is not None and not (is_number(value) and float(value).is_integer()):
                problems.append(Problem("a year", file=name, field=f"horizon.{key}", found=show(value)))
    return problems


def _count_nodes(value: Any, limit: int) -> int:
    """Nodes of a parsed YAML document (aliases counted each time they are used), stopping past ``limit``."""
    n, stack = 0, [value]
    while stack and n <= limit:
        v = stack.pop()
        n += 1
        if isinstance(v, dict):
            stack.extend(v.values())
            stack.extend(v.keys())
        elif isinstance(v, list):
            stack.extend(v)
    return n


def check_resolved(file: Path, doc: Any) -> list[Problem]:
    """``scenario.resolved.yaml`` is a mapping and the fiscal rules the report applies are numbers."""
    name = str(file)
    if not isinstance(doc, dict):
        return [Problem("a YAML mapping (the resolved scenario)", file=name, found=f"a {type(doc).__name__}")]
    if _count_nodes(doc, MAX_YAML_NODES) > MAX_YAML_NODES:
        return [
            Problem(
                f"a scenario of at most {MAX_YAML_NODES:,} values (aliases expanded)",
                file=name,
                found="more (an alias bomb?)",
            )
        ]
    problems = []
    finance = doc.get("finance")
    rules = finance.get("fiscal_rules") if isinstance(finance, dict) else None
    if rules is not None and not isinstance(rules, list):
        problems.append(Problem("a list of rules", file=name, field="finance.fiscal_rules", found=show(rules)))
    for i, rule in enumerate(rules if isinstance(rules, list) else []):
        if not isinstance(rule, dict):
            continue
        for key in ("red", "green"):
            if key in rule and not is_number(rule[key]):
                problems.append(
                    Problem(
                        "a number (a fraction of the key figure)",
                        file=name,
                        field=f"finance.fiscal_rules[{i}].{key}",
                        found=show(rule[key]),
                    )
                )
    for key in ("services", "areas"):
        value = doc.get(key)
        if value is not None and not isinstance(value, list):
            problems.append(Problem("a list", file=name, field=key, found=show(value)))
    return problems


def check_optimize(file: Path, o: Any) -> list[Problem]:
    """``optimize.json``: the figures the report states about the optimisation."""
    name = str(file)
    if not isinstance(o, dict):
        return [Problem("a JSON object (written by ltsim optimize)", file=name, found=f"a {type(o).__name__}")]
    problems = []
    if not is_number(o.get("debt_ratio_ceiling")):
        problems.append(
            Problem("a number", file=name, field="debt_ratio_ceiling", found=show(o.get("debt_ratio_ceiling")))
        )
    for key in ("solver", "status"):
        if key not in o:
            problems.append(Problem("a text", file=name, field=key, found="nothing"))
    for key in ("optimal", "plan"):
        part = o.get(key)
        if not isinstance(part, dict) or not (
            part.get("unmet_place_years") is None or is_number(part["unmet_place_years"])
        ):
            problems.append(
                Problem("an object with unmet_place_years (a number)", file=name, field=key, found=show(part))
            )
    conf = o.get("confidence")
    if conf is not None and not (
        isinstance(conf, dict)
        and isinstance(conf.get("years"), list)
        and isinstance(conf.get("probability_within_ceiling"), list)
        and len(conf["years"]) == len(conf["probability_within_ceiling"])
        and all(is_number(v) for v in conf["years"] + conf["probability_within_ceiling"])
        and "target" in conf
        and "reps" in conf
    ):
        problems.append(
            Problem(
                "an object with target, reps and lists years and probability_within_ceiling of one length",
                file=name,
                field="confidence",
                found=show(conf),
            )
        )
    binding = o.get("binding_constraints", [])
    if not (isinstance(binding, list) and all(isinstance(b, dict) and "year" in b for b in binding)):
        problems.append(
            Problem("a list of objects with a year", file=name, field="binding_constraints", found=show(binding))
        )
    answer = o.get("answer")
    if answer is not None and not _answer_ok(answer):
        problems.append(
            Problem(
                "an object with ceiling_pct, place-years short, moves, years_over and lists years, "
                "plan_debt_ratio_pct, optimized_debt_ratio_pct and lowest_debt_ratio_pct of one length (numbers)",
                file=name,
                field="answer",
                found=show(answer),
            )
        )
    return problems


ANSWER_PATHS = ("years", "plan_debt_ratio_pct", "optimized_debt_ratio_pct", "lowest_debt_ratio_pct")


def _answer_ok(a: Any) -> bool:
    """``optimize.json``'s answer has the shape ``ltsim.optimize.answer.answer`` writes."""
    if not isinstance(a, dict) or not all(isinstance(a.get(k), list) for k in ANSWER_PATHS):
        return False
    if len({len(a[k]) for k in ANSWER_PATHS}) != 1 or not all(is_number(v) for k in ANSWER_PATHS for v in a[k]):
        return False
    figures = ("ceiling_pct", "place_years_short_plan", "place_years_short_optimized", "place_years_short_added")
    return (
        all(is_number(a.get(k)) for k in figures)
        and isinstance(a.get("moves"), list)
        and all(isinstance(m, dict) and "name" in m and "why" in m for m in a["moves"])
        and isinstance(a.get("years_over"), list)
        and all(isinstance(r, dict) and "year" in r and "why" in r for r in a["years_over"])
    )


_TAG = "tag:yaml.org,2002:"
_SCALAR_TAGS = frozenset(_TAG + k for k in ("int", "float", "bool", "null"))


class _NotPlainError(Exception):
    """A node :func:`load_plain_yaml` leaves to the safe loader (a tag, a merge key, an unhashable key)."""


def load_plain_yaml(text: str) -> Any:
    """``yaml.load(text, Loader=CSafeLoader)``, faster for the plain YAML ltsim writes (scenario.resolved.yaml).

    libyaml composes the nodes; mappings, lists and texts are built here directly and numbers, booleans and
    nulls by the safe loader's own constructors, each node once (aliases share it, as with the safe loader).
    A document with anything else — another tag, a merge key (``<<``), an unhashable key — is built by the
    safe loader itself, so the value (or the error) is always the safe loader's. About twice as fast: a
    comparison of 100 run folders reads 100 resolved scenarios.
    """
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        try:
            return _plain(node, loader, {})
        except _NotPlainError:
            return loader.construct_document(node)
    finally:
        loader.dispose()


def _plain(node: Any, loader: Any, built: dict[int, Any]) -> Any:
    """The value of ``node`` (see :func:`load_plain_yaml`); raises _NotPlainError for what it leaves to the loader."""
    import yaml

    if id(node) in built:
        return built[id(node)]
    tag = node.tag
    if isinstance(node, yaml.ScalarNode):
        if tag == _TAG + "str":
            value = node.value
        elif tag in _SCALAR_TAGS:
            value = loader.yaml_constructors[tag](loader, node)
        else:
            raise _NotPlainError
        built[id(node)] = value
        return value
    if isinstance(node, yaml.SequenceNode) and tag == _TAG + "seq":
        items: list[Any] = []
        built[id(node)] = items
        items.extend(_plain(item, loader, built) for item in node.value)
        return items
    if isinstance(node, yaml.MappingNode) and tag == _TAG + "map":
        mapping: dict[Any, Any] = {}
        built[id(node)] = mapping
        for key_node, value_node in node.value:
            if key_node.tag not in (_TAG + "str", *_SCALAR_TAGS):
                raise _NotPlainError  # merge keys, tagged or complex keys
            mapping[_plain(key_node, loader, built)] = _plain(value_node, loader, built)
        return mapping
    raise _NotPlainError
