"""Interrupted runs: SIGKILL and SIGINT at several moments of run, optimize and batch.

Each case writes a complete run folder first, then runs the same command again in a subprocess
that is killed at a chosen moment (tests/fault_driver.py), and checks that

- the earlier complete folder is byte-identical (or, killed after the swap, the new one is complete);
- the next run to the same folder leaves no ``.NAME.tmp-PID`` / ``.NAME.old-PID`` leftovers.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml
from badinput import snapshot
from conftest import finance_config, write_tiny_finance

ROOT = Path(__file__).resolve().parent.parent
DRIVER = ROOT / "tests" / "fault_driver.py"
LTSIM = [sys.executable, "-m", "ltsim"]


def ltsim(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*LTSIM, *args], cwd=cwd, capture_output=True, text=True, timeout=300)


def killed(moment: str, sig: str, *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(DRIVER), moment, sig, *args], cwd=cwd, capture_output=True, text=True, timeout=300
    )


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.parent.iterdir() if p.name.startswith(f".{folder.name}."))


def optimize_config() -> dict:
    cfg = finance_config()
    cfg["optimize"] = {"debt_ratio_ceiling": 0.95, "max_deferral_years": 2}
    return cfg


@pytest.fixture(scope="module")
def earlier(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, dict[str, str]]:
    """A scenario and a complete run folder of it (with report), and that folder's snapshot."""
    root = tmp_path_factory.mktemp("faults")
    scenario = write_tiny_finance(root / "s")
    out = root / "run"
    done = ltsim("run", str(scenario), "--out", str(out), "-q", cwd=root)
    assert done.returncode == 0, done.stderr
    assert (out / "report.html").is_file() and (out / "workbook.xlsx").is_file()
    return scenario, out, snapshot(out)


@pytest.mark.parametrize(
    ("moment", "sig"),
    [
        ("pipeline", "KILL"),
        ("tables", "KILL"),
        ("report", "KILL"),
        ("swap", "KILL"),
        ("tables", "INT"),
        ("report", "INT"),
        ("between-renames", "INT"),
    ],
)
def test_interrupted_run_leaves_earlier_folder(tmp_path: Path, earlier, moment: str, sig: str) -> None:
    scenario, first, before = earlier
    out = tmp_path / "run"
    subprocess.run(["cp", "-a", str(first), str(out)], check=True)
    proc = killed(moment, sig, "run", str(scenario), "--out", str(out), "--seed", "3", "-q", cwd=tmp_path)
    expected_rc = -signal.SIGKILL if sig == "KILL" else 130  # SIGINT: KeyboardInterrupt, exit 128 + 2
    assert proc.returncode == expected_rc, proc.stderr
    assert snapshot(out) == before, "the earlier run folder changed"
    if sig == "INT":
        assert leftovers(out) == [], "an interrupted run cleans up after itself"
    again = ltsim("run", str(scenario), "--out", str(out), "--seed", "3", "-q", cwd=tmp_path)
    assert again.returncode == 0, again.stderr
    assert leftovers(out) == []
    assert json.loads((out / "manifest.json").read_text())["seed"] == 3
    assert (out / "report.html").is_file() and (out / "workbook.xlsx").is_file()


def test_killed_after_swap_leaves_new_folder_and_next_run_cleans(tmp_path: Path, earlier) -> None:
    scenario, first, _ = earlier
    out = tmp_path / "run"
    subprocess.run(["cp", "-a", str(first), str(out)], check=True)
    proc = killed("after-swap", "KILL", "run", str(scenario), "--out", str(out), "--seed", "5", "-q", cwd=tmp_path)
    assert proc.returncode == -signal.SIGKILL
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["seed"] == 5 and (out / "report.html").is_file(), "the new folder landed whole"
    assert len(leftovers(out)) == 1, "the earlier folder, swapped aside, is still there until the next run"
    assert ltsim("run", str(scenario), "--out", str(out), "-q", "--no-report", cwd=tmp_path).returncode == 0
    assert leftovers(out) == []


def test_killed_between_renames_next_run_puts_earlier_folder_back(tmp_path: Path, earlier) -> None:
    """Where the one-step swap is unavailable, a kill between the two renames is repaired by the next run."""
    scenario, first, before = earlier
    out = tmp_path / "run"
    subprocess.run(["cp", "-a", str(first), str(out)], check=True)
    proc = killed("between-renames", "KILL", "run", str(scenario), "--out", str(out), "-q", cwd=tmp_path)
    assert proc.returncode == -signal.SIGKILL
    assert not out.exists() and len(leftovers(out)) == 2  # .run.old-PID (earlier) and .run.tmp-PID (new)
    # Any ltsim write to the same folder first repairs: the earlier folder returns, the staged one goes.
    bad = ltsim("run", str(scenario), "--out", str(out), "--lang", "de", cwd=tmp_path)
    assert bad.returncode == 2  # refused before any work: the repair waits for a real write
    from ltsim.io.folders import clean_leftovers

    clean_leftovers(out)
    assert snapshot(out) == before and leftovers(out) == []


@pytest.mark.parametrize(("moment", "sig"), [("report", "KILL"), ("swap", "INT")])
def test_interrupted_optimize_leaves_earlier_folder(tmp_path: Path, moment: str, sig: str) -> None:
    scenario = write_tiny_finance(tmp_path / "s", optimize_config())
    out = tmp_path / "opt"
    assert ltsim("optimize", str(scenario), "--out", str(out), cwd=tmp_path).returncode == 0
    before = snapshot(out)
    proc = killed(moment, sig, "optimize", str(scenario), "--out", str(out), "--lang", "en", cwd=tmp_path)
    assert proc.returncode != 0
    assert snapshot(out) == before
    assert ltsim("optimize", str(scenario), "--out", str(out), "--no-report", cwd=tmp_path).returncode == 0
    assert leftovers(out) == [] and (out / "schedule.csv").is_file()


def _children(pid: int) -> set[int]:
    out: set[int] = set()
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            out |= {int(c) for c in (task / "children").read_text().split()}
        except OSError:
            continue
    return out


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="needs Linux /proc to find the pool's workers")
def test_killed_batch_stops_its_workers_and_resumes(tmp_path: Path) -> None:
    scenario = write_tiny_finance(tmp_path / "s")
    batch = tmp_path / "batch.yaml"
    batch.write_text(
        yaml.safe_dump(
            {
                "name": "faults",
                "base": "s/scenario.yaml",
                "axes": {
                    "growth": {f"g{i}": {"population": {"fertility": {"scale": 1 + i / 100}}} for i in range(6)},
                    "interest": {"low": {}, "high": {"finance": {"debt": {"interest_rate": 0.06}}}},
                },
            }
        ),
        encoding="utf-8",
    )
    assert scenario.is_file()
    out = tmp_path / "out"
    proc = subprocess.Popen(
        [*LTSIM, "batch", str(batch), "--out", str(out), "--workers", "2"],
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 120
    workers: set[int] = set()
    while time.monotonic() < deadline:
        workers |= _children(proc.pid)
        done = [p for p in out.glob("*") if (p / "manifest.json").is_file()] if out.is_dir() else []
        if done and workers:
            break
        time.sleep(0.05)
    assert workers, "the batch started no worker processes"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and any(_alive(w) for w in workers):
        time.sleep(0.1)
    assert not any(_alive(w) for w in workers), "pool workers outlived the killed batch"
    again = ltsim("batch", str(batch), "--out", str(out), "--workers", "2", cwd=tmp_path)
    assert again.returncode == 0, again.stderr
    assert "already complete" in again.stdout
    assert len([p for p in out.iterdir() if (p / "manifest.json").is_file()]) == 12
    assert not [p.name for p in out.iterdir() if p.name.startswith(".")], "leftover temporary folders"
    status = json.loads((out / "batch.json").read_text())
    assert {s["status"] for s in status["scenarios"]} <= {"ok", "skipped"}
