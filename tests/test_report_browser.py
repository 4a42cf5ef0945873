"""Open report.html in headless Chromium: no JavaScript error, every chart drawn, a screenshot saved.

Skipped when ``chromium`` is not on PATH (``.ci/run`` installs it with apt).
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from report_fixtures import add_finance
from test_report import run_folder

from ltsim.report import build_report, compare_report

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="chromium is not on PATH (apt-get install chromium)")
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
    "--virtual-time-budget=8000",
]


def chromium(html: Path, tmp: Path, *args: str) -> subprocess.CompletedProcess[str]:
    profile = tmp / "profile"
    profile.mkdir(exist_ok=True)
    cmd = [CHROMIUM, *FLAGS, f"--user-data-dir={profile}", *args, html.resolve().as_uri()]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=90, check=False)


def check_rendered(html: Path, tmp: Path, shot: Path) -> None:
    res = chromium(html, tmp, "--dump-dom")
    dom = res.stdout
    assert dom, res.stderr[-2000:]
    errors = re.search(r'<pre id="ltsim-errors"[^>]*>(.*?)</pre>', dom, re.S)
    assert errors is not None
    assert json.loads(errors.group(1).replace("&quot;", '"')) == [], errors.group(1)
    status = re.search(r'<div id="ltsim-status"[^>]*>(.*?)</div>', dom).group(1)
    n = html.read_text(encoding="utf-8").count('class="plot"')
    assert status == f"rendered {n}/{n}", status
    for fig_id in re.findall(r'<div id="([^"]+)" class="plot[^"]*"', html.read_text(encoding="utf-8")):
        block = dom[dom.index(f'id="{fig_id}"') :][:20000]
        assert 'class="main-svg"' in block, f"{fig_id} was not drawn"
        assert "<path" in block or "<rect" in block, f"{fig_id} is empty"
    res = chromium(html, tmp, f"--screenshot={shot}", "--window-size=1400,2000")
    assert shot.is_file() and shot.stat().st_size > 20_000, res.stderr[-2000:]


def test_run_report_renders_without_errors(tmp_path: Path):
    out = run_folder(tmp_path, reps=10)
    add_finance(out)
    html, _ = build_report(out)
    shot = tmp_path / "report.png"
    check_rendered(html, tmp_path, shot)
    shutil.copy(shot, "/tmp/report_screenshot.png")


def test_compare_report_renders_without_errors(tmp_path: Path):
    a = run_folder(tmp_path, name="a")
    b = run_folder(tmp_path, name="b")
    add_finance(b)
    out = compare_report([a, b], tmp_path / "compare.html", lang="en")
    check_rendered(out, tmp_path, tmp_path / "compare.png")
