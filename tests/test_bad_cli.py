"""Bad-input corpus: command-line options, output paths and batch files.

Each case is refused with exit 2, a message naming the option or file and field and what is
expected, and nothing written or replaced under the case's folder (tests/badinput.py).
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml
from badinput import refused
from conftest import finance_config, write_tiny, write_tiny_finance
from typer.testing import CliRunner

from ltsim.cli import app


def victim(root: Path) -> Path:
    """A user's folder with work in it."""
    folder = root / "victim"
    (folder / "mywork").mkdir(parents=True)
    (folder / "mywork" / "a.txt").write_text("x", encoding="utf-8")
    return folder


def folder_with(root: Path, name: str, files: dict[str, str]) -> str:
    """A folder ``name`` under ``root`` holding ``files`` (name → text); its path."""
    folder = root / name
    folder.mkdir()
    for file, text in files.items():
        (folder / file).write_text(text, encoding="utf-8")
    return str(folder)


def a_file(root: Path, below: str = "") -> str:
    """A user's file ``afile`` (or a path ``below`` it)."""
    (root / "afile").write_text("keep", encoding="utf-8")
    return str(root / "afile" / below) if below else str(root / "afile")


def a_link(root: Path) -> str:
    """A symbolic link to a folder."""
    (root / "target").mkdir()
    os.symlink(root / "target", root / "link")
    return str(root / "link")


# ------------------------------------------------------------------------------------------ output paths

OUT_CASES: dict[str, tuple[Callable[[Path], str], list[str]]] = {
    "user-folder": (lambda r: str(victim(r)), ["victim exists and is not an ltsim run folder", "--out", "expected"]),
    "folder-with-a-file": (
        lambda r: folder_with(r, "notes", {"todo.txt": "keep"}),
        ["notes exists and is not an ltsim run folder", "--out"],
    ),
    "current-folder": (lambda r: ".", ["is the current folder or a folder above it", "--out", "expected"]),
    "parent-folder": (lambda r: "..", ["is the current folder or a folder above it", "--out"]),
    "file": (a_file, ["afile is an existing file", "--out"]),
    "link": (a_link, ["link is a symbolic link", "--out"]),
    "inside-a-file": (lambda r: a_file(r, "run"), ["which is a file, not a folder", "--out"]),
    "corrupt-manifest": (
        lambda r: folder_with(r, "old", {"manifest.json": "{not json"}),
        ["old exists and is not an ltsim run folder", "--out"],
    ),
    "foreign-manifest": (
        lambda r: folder_with(r, "old", {"manifest.json": '{"name": "x"}'}),
        ["not an ltsim run folder", "--out"],
    ),
}


@pytest.mark.parametrize("case", sorted(OUT_CASES))
def test_run_refuses_output_path(tmp_path: Path, case: str) -> None:
    scenario = write_tiny(tmp_path / "s")
    make, mentions = OUT_CASES[case]
    work = tmp_path / "work"
    work.mkdir()
    out = make(work)
    refused(["run", str(scenario), "--out", out, "-q"], mentions=mentions, watch=tmp_path, cwd=work)


@pytest.mark.parametrize("case", ["user-folder", "current-folder", "file", "link"])
def test_optimize_refuses_output_path(tmp_path: Path, case: str) -> None:
    cfg = finance_config()
    cfg["optimize"] = {"debt_ratio_ceiling": 0.95, "max_deferral_years": 2}
    scenario = write_tiny_finance(tmp_path / "s", cfg)
    make, mentions = OUT_CASES[case]
    work = tmp_path / "work"
    work.mkdir()
    refused(["optimize", str(scenario), "--out", make(work)], mentions=mentions, watch=tmp_path, cwd=work)


@pytest.mark.parametrize("case", ["user-folder", "current-folder", "file", "link", "inside-a-file"])
def test_batch_refuses_output_path(tmp_path: Path, case: str) -> None:
    batch = write_batch(tmp_path)
    make, mentions = OUT_CASES[case]
    work = tmp_path / "work"
    work.mkdir()
    mentions = [m.replace("run folder", "batch folder") for m in mentions]
    refused(["batch", str(batch), "--out", make(work)], mentions=mentions, watch=tmp_path, cwd=work)


def test_run_replaces_its_own_run_folder_and_an_empty_one(tmp_path: Path) -> None:
    scenario = write_tiny(tmp_path / "s")
    runner = CliRunner()
    for out in (tmp_path / "run", tmp_path / "run", tmp_path / "empty"):
        out.mkdir(exist_ok=True)
        result = runner.invoke(app, ["run", str(scenario), "--out", str(out), "-q", "--no-report"])
        assert result.exit_code == 0, result.output
        assert json.loads((out / "manifest.json").read_text())["status"] == "ok"


# ------------------------------------------------------------------------------------------ options

OPTION_CASES: dict[str, tuple[list[str], list[str]]] = {
    "run-lang": (["run", "{s}", "--lang", "de"], ["--lang", "'de'", "expected nb"]),
    "run-lang-empty": (["run", "{s}", "--lang", ""], ["--lang", "expected nb"]),
    "run-reps-0": (["run", "{s}", "--reps", "0"], ["--reps", "0"]),
    "run-reps-text": (["run", "{s}", "--reps", "many"], ["--reps", "integer"]),
    "run-seed-negative": (["run", "{s}", "--seed", "-1"], ["--seed", "-1"]),
    "run-workers-0": (["run", "{s}", "--workers", "0"], ["--workers", "0"]),
    "run-unknown-option": (["run", "{s}", "--fast"], ["--fast"]),
    "run-reps-without-projects": (
        ["run", "{s}", "--reps", "5", "--out", "{o}"],
        ["scenario.yaml", "projects", "expected a 'projects:' section"],
    ),
    "run-missing-scenario": (["run", "{d}/nope.yaml"], ["nope.yaml", "expected an existing YAML file"]),
    "optimize-lang": (["optimize", "{f}", "--lang", "de"], ["--lang", "expected nb"]),
    "optimize-solver": (["optimize", "{f}", "--solver", "gurobi"], ["--solver", "'gurobi'", "expected highs or cbc"]),
    "optimize-gap": (["optimize", "{f}", "--gap", "2"], ["--gap", "2"]),
    "optimize-time-limit": (["optimize", "{f}", "--time-limit", "0"], ["--time-limit", "0"]),
    "optimize-reps-0": (["optimize", "{f}", "--reps", "0"], ["--reps", "0"]),
    "optimize-without-section": (["optimize", "{f}"], ["scenario.yaml", "optimize", "expected the sections"]),
    "report-lang": (["report", "{d}", "--lang", "de"], ["--lang", "expected nb"]),
    "report-empty-folder": (["report", "{d}/empty"], ["empty", "neither manifest.json"]),
    "report-missing-folder": (["report", "{d}/nowhere"], ["nowhere", "neither manifest.json"]),
    "report-a-file": (["report", "{f}"], ["scenario.yaml", "neither manifest.json"]),
    "batch-workers-0": (["batch", "{d}/nope.yaml", "--workers", "0"], ["--workers", "0"]),
    "batch-missing-file": (["batch", "{d}/nope.yaml"], ["nope.yaml", "expected an existing YAML file"]),
    "validate-no-argument": (["validate"], ["missing argument"]),
    "unknown-command": (["simulate"], ["no such command", "simulate"]),
}


@pytest.mark.parametrize("case", sorted(OPTION_CASES))
def test_bad_option(tmp_path: Path, case: str) -> None:
    args, mentions = OPTION_CASES[case]
    scenario = write_tiny(tmp_path / "s")
    finance = write_tiny_finance(tmp_path / "f")
    (tmp_path / "empty").mkdir()
    fill = {"{s}": str(scenario), "{f}": str(finance), "{d}": str(tmp_path), "{o}": str(tmp_path / "out")}
    argv = []
    for a in args:
        for k, v in fill.items():
            a = a.replace(k, v)
        argv.append(a)
    refused(argv, mentions=mentions, watch=tmp_path, cwd=tmp_path)


# ------------------------------------------------------------------------------------------ batch files


def write_batch(root: Path, **over: object) -> Path:
    """A two-axis batch over the tiny scenario; ``over`` replaces top-level keys (None removes one)."""
    write_tiny(root / "s")
    spec: dict[str, object] = {
        "name": "bad",
        "base": "s/scenario.yaml",
        "axes": {"growth": {"low": {"population": {"fertility": {"scale": 0.9}}}, "base": {}}},
    }
    for k, v in over.items():
        if v is None:
            spec.pop(k, None)
        else:
            spec[k] = v
    path = root / "batch.yaml"
    path.write_text(yaml.safe_dump(spec, sort_keys=False), encoding="utf-8")
    return path


def _list_variant(root: Path) -> dict:
    (root / "variant.yaml").write_text("- a\n- b\n", encoding="utf-8")
    return {"growth": {"listy": "variant.yaml", "base": {}}}


def _text_variant(root: Path) -> dict:
    (root / "variant.yaml").write_text("just text\n", encoding="utf-8")
    return {"growth": {"texty": "variant.yaml"}}


BATCH_CASES: dict[str, tuple[Callable[[Path], dict], list[str]]] = {
    "unknown-key": (lambda r: {"runs": 3}, ["batch.yaml", "runs", "expected one of the keys"]),
    "no-base": (lambda r: {"base": None}, ["batch.yaml", "base", "nothing"]),
    "no-axes": (lambda r: {"axes": None}, ["batch.yaml", "axes"]),
    "axes-empty": (lambda r: {"axes": {}}, ["batch.yaml", "axes"]),
    "axes-a-list": (lambda r: {"axes": ["growth"]}, ["batch.yaml", "axes", "expected"]),
    "axis-without-values": (lambda r: {"axes": {"growth": {}}}, ["batch.yaml", "axes.growth", "at least one value"]),
    "axis-bad-name": (lambda r: {"axes": {"gr owth": {"a": {}}}}, ["batch.yaml", "axes.gr owth", "an axis name"]),
    "value-bad-name": (lambda r: {"axes": {"growth": {"a/b": {}}}}, ["batch.yaml", "axes.growth.a/b", "a value name"]),
    "variant-missing": (
        lambda r: {"axes": {"growth": {"x": "missing.yaml"}}},
        ["batch.yaml", "axes.growth.x", "no such file"],
    ),
    "variant-a-list": (lambda r: {"axes": _list_variant(r)}, ["variant.yaml", "line 1", "a mapping", "a list"]),
    "variant-a-text": (lambda r: {"axes": _text_variant(r)}, ["variant.yaml", "line 1", "a mapping", "a text"]),
    "base-missing": (lambda r: {"base": "nowhere.yaml"}, ["nowhere.yaml", "expected an existing YAML file"]),
    "reps-0": (lambda r: {"reps": 0}, ["batch.yaml", "reps", "greater than or equal to 1"]),
    "reps-text": (lambda r: {"reps": "many"}, ["batch.yaml", "reps", "'many'"]),
    "seed-negative": (lambda r: {"seed": -1}, ["batch.yaml", "seed", "greater than or equal to 0"]),
    "name-bad": (lambda r: {"name": "my batch!"}, ["batch.yaml", "name", "pattern"]),
    "name-too-long": (lambda r: {"name": "b" * 81}, ["batch.yaml", "name", "at most 80"]),
    "optimize-text": (lambda r: {"optimize": "yes please"}, ["batch.yaml", "optimize", "boolean"]),
    "exclude-unknown-axis": (
        lambda r: {"exclude": [{"size": "big"}]},
        ["batch.yaml", "exclude[0].size", "axis values that exist"],
    ),
    "exclude-unknown-value": (
        lambda r: {"exclude": [{"growth": "high"}]},
        ["batch.yaml", "exclude[0].growth", "'high'"],
    ),
    "exclude-everything": (
        lambda r: {"exclude": [{"growth": "low"}, {"growth": "base"}]},
        ["batch.yaml", "exclude", "at least one combination", "every one of the 2 combinations excluded"],
    ),
    "combination-too-long": (
        lambda r: {"axes": {"a" * 70: {"v" * 70: {}}, "b" * 70: {"w" * 70: {}}}},
        ["batch.yaml", "axes", "at most 200 bytes"],
    ),
}


@pytest.mark.parametrize("case", sorted(BATCH_CASES))
def test_bad_batch_file(tmp_path: Path, case: str) -> None:
    make, mentions = BATCH_CASES[case]
    batch = write_batch(tmp_path, **make(tmp_path))
    refused(["batch", str(batch), "--out", str(tmp_path / "out")], mentions=mentions, watch=tmp_path)


@pytest.mark.parametrize("text", ["- a list\n- of things\n", "42\n", "name: [unclosed\n"])
def test_batch_file_not_a_mapping(tmp_path: Path, text: str) -> None:
    batch = tmp_path / "batch.yaml"
    batch.write_text(text, encoding="utf-8")
    refused(["batch", str(batch), "--list"], mentions=["batch.yaml", "expected"], watch=tmp_path)


def test_long_generated_scenario_names_are_cut_not_failed(tmp_path: Path) -> None:
    """Axis and value names that make the scenario name exceed 80 characters still run (the name is cut with a
    digest, so two combinations never share one)."""
    from ltsim.batch import load_batch

    axes = {"fertility-assumption": {f"scenario-{i}-with-a-long-name": {} for i in range(2)}, "x" * 30: {"y" * 20: {}}}
    batch = load_batch(write_batch(tmp_path, axes=axes))
    names = [s.raw["name"] for s in batch.scenarios]
    assert all(len(n) <= 80 for n in names) and len(set(names)) == 2
    result = CliRunner().invoke(app, ["batch", str(tmp_path / "batch.yaml"), "--out", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    assert "2 run" in " ".join(result.output.split())


def test_full_disk_while_writing_leaves_the_earlier_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """An OSError while the run folder is staged (a full disk, a read-only file system) is exit 2 naming the folder
    and the cause; the earlier complete folder is unchanged and no temporary folder is left."""
    import errno

    import ltsim.results

    scenario = write_tiny(tmp_path / "s")
    out = tmp_path / "run"
    assert CliRunner().invoke(app, ["run", str(scenario), "--out", str(out), "-q", "--no-report"]).exit_code == 0

    def full(*args: object, **kwargs: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(ltsim.results, "_write_tables", full)
    refused(
        ["run", str(scenario), "--out", str(out), "-q"],
        mentions=["--out", "run: No space left on device", "the earlier folder, if any, is unchanged"],
        watch=tmp_path,
    )
