"""Resuming a batch: which scenario folders already hold what a rerun would write.

Two checks. :func:`complete` compares a loaded scenario's hash (and seed, replications, decision)
with what its folder records — exact, but it needs the scenario loaded and validated. A rerun first
tries :func:`quick_complete`, which needs no scenario: the folder's :func:`fingerprint` (the merged
scenario data, the YAML files it came from, seed, replications, decision and the code that resolves
a scenario) and the sha256 of every input table the folder's manifest lists. What it cannot clear
goes to :func:`complete`; when it clears everything, :func:`summary_on_disk` says whether the
batch's summary tables are already of these very folders.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

_CODE_HASH: list[str] = []


def complete(
    folder: Path, scenario_hash: str, seed: int, reps: int, optimize: bool = False, plan: bool = False
) -> bool:
    """Whether ``folder`` holds a completed run of the scenario with this hash, seed, replications and decision."""
    manifest = folder / "manifest.json"
    marker = folder / "batch_scenario.json"
    if not manifest.is_file() or not marker.is_file():
        return False
    try:
        data = json.loads(manifest.read_text(encoding="utf-8"))
        made = json.loads(marker.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        return False
    if (
        made.get("scenario_hash") != scenario_hash
        or made.get("optimized") != optimize
        or made.get("planned", False) != plan
    ):
        return False
    want_reps = reps if reps > 1 else None
    return data.get("status") == "ok" and data.get("seed") == seed and data.get("replications") == want_reps


def _resolution_code_hash() -> str:
    """sha256 of the code that turns scenario data into a scenario hash (ltsim/schema, ltsim/scenario)."""
    if not _CODE_HASH:
        root = Path(__file__).resolve().parent
        digest = hashlib.sha256()
        for file in sorted([*(root / "schema").glob("*.py"), *(root / "scenario").glob("*.py")]):
            digest.update(file.name.encode() + b"\0" + file.read_bytes())
        _CODE_HASH.append(digest.hexdigest())
    return _CODE_HASH[0]


def fingerprint(
    raw: dict[str, Any], smap: dict[Any, Any], seed: int | None, reps: int, optimize: bool, plan: bool
) -> str:
    """The sha256 of a batch scenario before it is validated.

    Of its merged data ``raw`` (in file order), the YAML files its source map ``smap`` names, the batch's
    seed, replications and decision, and the code that resolves it. Equal fingerprints and unchanged input
    tables give the same resolved scenario, so a rerun can see that a folder is complete without loading
    the scenario (:func:`quick_complete`).
    """
    sources = sorted({str(Path(file).resolve()) for file in {origin[0] for origin in smap.values()}})
    data = json.dumps(
        {"raw": raw, "sources": sources, "seed": seed, "reps": reps, "optimize": optimize, "plan": plan},
        default=str,
        ensure_ascii=False,
    )
    return hashlib.sha256((data + _resolution_code_hash()).encode("utf-8")).hexdigest()


def quick_complete(folder: Path, print_: str, file_hashes: dict[str, str | None]) -> str | None:
    """The scenario hash of a folder completed earlier with the same fingerprint and unchanged input tables.

    None when anything differs or cannot be read: the scenario then goes to the batch's worker, which loads
    it and compares the resolved scenario's hash (:func:`complete`). ``file_hashes`` caches each input
    table's sha256 over the scenarios of a batch (they share most tables).
    """
    try:
        made = json.loads((folder / "batch_scenario.json").read_text(encoding="utf-8"))
        if made.get("fingerprint") != print_:
            return None
        manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
        if manifest.get("status") != "ok":
            return None
        for entry in manifest["scenario"]["input_files"].values():
            path = entry["path"]
            if path not in file_hashes:
                try:
                    file_hashes[path] = hashlib.sha256(Path(path).read_bytes()).hexdigest()
                except OSError:
                    file_hashes[path] = None
            if file_hashes[path] != entry["sha256"]:
                return None
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None
    digest = made.get("scenario_hash")
    return digest if isinstance(digest, str) else None


def summary_on_disk(out_dir: Path, reference: str, outcomes: tuple[Any, ...]) -> dict[str, Path] | None:
    """The summary tables of an earlier complete run of the batch with the same scenarios and hashes, or None.

    ``outcomes`` are the batch's outcomes in scenario order (``key``, ``scenario_hash``), all skipped.
    """
    try:
        done = json.loads((out_dir / "batch.json").read_text(encoding="utf-8"))
        earlier = [(s["scenario"], s["status"], s["hash"]) for s in done["scenarios"]]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    same = (
        done.get("status") == "complete"
        and done.get("base_scenario") == reference
        and len(earlier) == len(outcomes)
        and [(k, h) for k, status, h in earlier if status in ("ok", "skipped")]
        == [(o.key, o.scenario_hash) for o in outcomes]
    )
    files = {
        "summary": out_dir / "summary.csv",
        "comparison": out_dir / "comparison.csv",
        "batch": out_dir / "batch.json",
    }
    return files if same and all(f.is_file() for f in files.values()) else None
