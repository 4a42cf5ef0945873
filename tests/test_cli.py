"""The command line: exit codes, what is printed where, and the run folder it writes."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import tiny_config, write_tiny
from typer.testing import CliRunner

from ltsim.cli import app

ROOT = Path(__file__).resolve().parent.parent
RUN_FILES = {
    "manifest.json",
    "population.csv",
    "population_change.csv",
    "housing.csv",
    "scenario.resolved.yaml",
    "report.html",
    "workbook.xlsx",
}


def flat(text: str) -> str:
    """Output with line wrapping undone (rich wraps long lines at the console width)."""
    return " ".join(text.split())


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture
def bad(tmp_path: Path) -> Path:
    """A tiny scenario with a percentage where a fraction is expected."""
    cfg = tiny_config()
    cfg["population"]["housing"]["realisation"] = 80
    return write_tiny(tmp_path, cfg)


def realisation_line(path: Path) -> int:
    lines = path.read_text(encoding="utf-8").splitlines()
    return next(i for i, line in enumerate(lines, start=1) if line.strip().startswith("realisation:"))


# --------------------------------------------------------------------------- validate


def test_validate_good_scenario(runner: CliRunner, tiny: Path) -> None:
    result = runner.invoke(app, ["validate", str(tiny)])
    assert result.exit_code == 0, result.output
    out = flat(result.stdout)
    assert "scenario tiny," in out
    assert "2 areas" in out and "2024–2029" in out
    assert result.stderr == ""


def test_validate_bad_scenario_exits_2_and_reports_to_stderr(runner: CliRunner, bad: Path) -> None:
    result = runner.invoke(app, ["validate", str(bad)])
    assert result.exit_code == 2, result.output
    err = flat(result.stderr)
    assert "1 problem in the input" in err
    assert f"scenario.yaml, line {realisation_line(bad)}: population.housing.realisation: found 80;" in err
    assert "write 0.8 for 80 %" in err
    assert "Nothing was written." in err
    assert "scenario tiny," not in flat(result.stdout)


def test_validate_reports_every_problem_in_a_csv(runner: CliRunner, tiny: Path) -> None:
    base = tiny.parent / "data" / "base.csv"
    lines = base.read_text(encoding="utf-8").splitlines()
    lines[1] = lines[1].rsplit(",", 1)[0] + ","  # row 2: blank persons
    lines[2] = lines[2].rsplit(",", 1)[0] + ",lots"  # row 3: text
    base.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = runner.invoke(app, ["validate", str(tiny)])
    assert result.exit_code == 2
    err = flat(result.stderr)
    assert "2 problems in the input" in err
    assert "base.csv, row 2: column 'persons': found a blank cell" in err
    assert "base.csv, row 3: column 'persons': found 'lots'" in err


def test_validate_missing_scenario_file(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(app, ["validate", str(tmp_path / "nope.yaml")])
    assert result.exit_code == 2
    assert "nope.yaml: found no such file; expected an existing YAML file" in flat(result.stderr)


# --------------------------------------------------------------------------- run


def test_run_bad_scenario_writes_nothing(runner: CliRunner, bad: Path, tmp_path: Path) -> None:
    target = tmp_path / "runs" / "bad"
    result = runner.invoke(app, ["run", str(bad), "--out", str(target)])
    assert result.exit_code == 2, result.output
    assert "Nothing was written." in flat(result.stderr)
    assert not target.exists()
    assert not list(tmp_path.glob("**/.bad.tmp-*"))


def test_run_writes_the_run_folder(runner: CliRunner, tiny: Path, tmp_path: Path) -> None:
    target = tmp_path / "runs" / "tiny"
    result = runner.invoke(app, ["run", str(tiny), "--out", str(target), "--quiet"])
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == str(target.resolve())
    assert {p.name for p in target.iterdir()} == RUN_FILES
    assert [p.name for p in target.parent.iterdir()] == ["tiny"]  # no .tiny.tmp-* / .tiny.old-* left
    manifest = json.loads((target / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["status"] == "ok"
    assert manifest["scenario"]["name"] == "tiny"
    assert manifest["seed"] == 7  # the scenario's own seed
    header = (target / "population.csv").read_text(encoding="utf-8").splitlines()[0]
    assert header == "year,area,age,sex,persons"


def test_run_prints_a_summary(runner: CliRunner, tiny: Path, tmp_path: Path) -> None:
    result = runner.invoke(app, ["run", str(tiny), "--out", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    out = flat(result.stdout)
    assert "Run folder:" in out and "Nord" in out and "Sør" in out


def test_rerun_replaces_the_run_folder(runner: CliRunner, tiny: Path, tmp_path: Path) -> None:
    target = tmp_path / "out"
    assert runner.invoke(app, ["run", str(tiny), "--out", str(target), "-q"]).exit_code == 0
    (target / "stale.txt").write_text("from an earlier run", encoding="utf-8")
    result = runner.invoke(app, ["run", str(tiny), "--out", str(target), "-q", "--seed", "3"])
    assert result.exit_code == 0, result.output
    assert {p.name for p in target.iterdir()} == RUN_FILES
    assert json.loads((target / "manifest.json").read_text(encoding="utf-8"))["seed"] == 3
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_seed_option_is_recorded(runner: CliRunner, tiny: Path, tmp_path: Path) -> None:
    target = tmp_path / "seeded"
    result = runner.invoke(app, ["run", str(tiny), "--out", str(target), "--seed", "5", "-q"])
    assert result.exit_code == 0, result.output
    assert json.loads((target / "manifest.json").read_text(encoding="utf-8"))["seed"] == 5


def test_negative_seed_is_a_usage_error(runner: CliRunner, tiny: Path, tmp_path: Path) -> None:
    target = tmp_path / "neg"
    result = runner.invoke(app, ["run", str(tiny), "--out", str(target), "--seed", "-1"])
    assert result.exit_code == 2
    assert not target.exists()


def test_same_scenario_and_seed_give_identical_outputs(runner: CliRunner, tiny: Path, tmp_path: Path) -> None:
    a, b = tmp_path / "a", tmp_path / "b"
    for target in (a, b):
        result = runner.invoke(app, ["run", str(tiny), "--out", str(target), "--seed", "11", "-q"])
        assert result.exit_code == 0, result.output
    for name in ("population.csv", "population_change.csv"):
        data = (a / name).read_bytes()
        assert data.count(b"\n") > 10
        assert data == (b / name).read_bytes(), name


# --------------------------------------------------------------------------- help


@pytest.mark.parametrize("args", [["--help"], ["run", "--help"], ["validate", "--help"]])
def test_help(runner: CliRunner, args: list[str]) -> None:
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    text = flat(result.stdout)
    if args == ["--help"]:
        assert "validate" in text and "run" in text
        assert "scenario file (YAML plus CSV tables)" in text
    else:
        usage = re.search(r"Usage: ltsim (\w+) \[OPTIONS\] \W*scenario\b", text, re.IGNORECASE)
        assert usage is not None and usage.group(1) == args[0], text
        assert "Scenario YAML file" in text
    if args[0] == "run":
        assert "--out" in text and "--seed" in text


# --------------------------------------------------------------------------- a real process


def _command() -> list[str]:
    script = Path(sys.executable).parent / "ltsim"
    if script.exists():
        return [str(script)]
    return [sys.executable, str(ROOT / "cli.py")]


def test_real_process_exit_codes(bad: Path, tmp_path: Path) -> None:
    target = tmp_path / "out"
    failed = subprocess.run(
        [*_command(), "run", str(bad), "--out", str(target)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert failed.returncode == 2, failed.stderr
    assert "Nothing was written." in failed.stderr
    assert "population.housing.realisation" in failed.stderr
    assert not target.exists()

    good = write_tiny(tmp_path / "good")
    ok = subprocess.run(
        [sys.executable, str(ROOT / "cli.py"), "validate", str(good)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        cwd=ROOT,
    )
    assert ok.returncode == 0, ok.stderr
    assert "scenario tiny," in flat(ok.stdout)
