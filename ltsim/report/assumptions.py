"""The assumptions section: every parameter of the resolved scenario, with its source.

When the run's scenario ``extends:`` a base, the parameters its own file sets are compared with the base
file, and those that differ are listed first.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ltsim.report import RunFolder
from ltsim.report.i18n import t


def _flatten(obj: Any, prefix: str = "") -> dict[str, Any]:
    """Dotted paths → leaf values; lists of mappings with ``id`` are keyed by id, lists of scalars are leaves."""
    out: dict[str, Any] = {}
    if isinstance(obj, dict):
        for k, v in obj.items():
            out.update(_flatten(v, f"{prefix}.{k}" if prefix else str(k)))
    elif isinstance(obj, list) and obj and all(isinstance(x, dict) for x in obj):
        for i, x in enumerate(obj):
            key = x.get("id", i) if isinstance(x, dict) else i
            out.update(_flatten(x, f"{prefix}[{key}]"))
    else:
        out[prefix] = obj
    return out


def _sources(resolved: dict[str, Any]) -> dict[str, str]:
    """Section path → its ``source:`` text."""
    return {
        k.removesuffix(".source").removesuffix("source"): str(v)
        for k, v in _flatten(resolved).items()
        if k == "source" or k.endswith(".source")
    }


def _source_for(path: str, sources: dict[str, str]) -> str:
    parts = path
    while True:
        if parts in sources:
            return sources[parts]
        if not parts:
            return ""
        cut = max(parts.rfind("."), parts.rfind("["))
        parts = parts[:cut] if cut > 0 else ""


def _show(value: Any, lang: str, base_dir: Path | None = None) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, (int, float)):
        text = f"{value:,}" if isinstance(value, int) else f"{value:,.10g}"
        return text.replace(",", "\u00a0").replace(".", ",").replace("-", "\u2212") if lang == "nb" else text
    if isinstance(value, list):
        return ", ".join(_show(v, lang, base_dir) for v in value) or "[]"
    if isinstance(value, dict):
        return ", ".join(f"{k}: {_show(v, lang, base_dir)}" for k, v in value.items())
    text = str(value)
    if text.endswith((".csv", ".yaml", ".yml")):
        path = Path(text)
        if not path.is_absolute() and base_dir is not None:
            path = (base_dir / path).resolve()
        return "/".join(path.parts[-2:])
    return text


def _same(a: Any, b: Any, base_dir: Path | None) -> bool:
    """Whether a resolved value equals a raw base value (relative paths resolved against the base file)."""
    if isinstance(a, str) and isinstance(b, str) and a.endswith((".csv", ".yaml", ".yml")):
        pb = Path(b) if Path(b).is_absolute() or base_dir is None else (base_dir / b).resolve()
        return Path(a).resolve() == pb
    if isinstance(a, (int, float)) and isinstance(b, (int, float)) and not isinstance(a, bool):
        return float(a) == float(b)
    return a == b


def _base_file(run: RunFolder) -> tuple[Path | None, dict[str, Any] | None]:
    """The scenario file of the run and the raw overrides it lays on its base (when it ``extends:`` one)."""
    import yaml

    file = run.manifest.get("scenario", {}).get("file")
    if not file:
        return None, None
    path = Path(file)
    if not path.is_file():
        return None, None
    try:
        raw = yaml.load(path.read_text(encoding="utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except (OSError, yaml.YAMLError):
        return None, None
    if not isinstance(raw, dict) or not isinstance(raw.get("extends"), str):
        return None, None
    base = (path.parent / raw["extends"]).resolve()
    return (base if base.is_file() else None), raw


def assumptions(run: RunFolder, lang: str) -> dict[str, Any]:
    """The assumptions table: what differs from the base (when the scenario extends one) and all parameters."""
    resolved = run.resolved
    flat = {k: v for k, v in _flatten(resolved).items() if not (k == "source" or k.endswith(".source"))}
    sources = _sources(resolved)
    rows_all = [{"path": k, "value": _show(v, lang), "source": _source_for(k, sources)} for k, v in flat.items()]
    diff_rows: list[dict[str, Any]] | None = None
    base_name = None
    base_path, raw = _base_file(run)
    if base_path is not None and raw is not None:
        try:
            from ltsim.io.yamlsrc import load_layered

            base_raw, _ = load_layered(base_path)
        except Exception:  # the base cannot be read any more: show all parameters
            base_raw = None
        if base_raw is not None:
            base_name = base_raw.get("name") or base_path.stem
            base_flat = _flatten(base_raw)
            over = {k: v for k, v in _flatten({k: v for k, v in raw.items() if k != "extends"}).items()}
            diff_rows = []
            for key in over:
                if key == "source" or key.endswith(".source"):
                    continue
                value = flat.get(key, over[key])
                if key in base_flat and _same(value, base_flat[key], base_path.parent):
                    continue
                diff_rows.append(
                    {
                        "path": key,
                        "value": _show(value, lang),
                        "base": _show(base_flat[key], lang, base_path.parent)
                        if key in base_flat
                        else t("not_set", lang),
                        "source": _source_for(key, sources),
                    }
                )
    return {
        "diff": diff_rows,
        "all": rows_all,
        "base_name": base_name,
        "base_file": str(base_path) if base_path else None,
    }
