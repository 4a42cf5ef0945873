"""ltsim serve: start-up time and update latency for 100 lever changes (issue 22: results within 200 ms).

Usage: python benchmarks/bench_serve.py [SCENARIO] [--changes N] [--no-browser]
       (default scenarios/asker/base.yaml, 100 changes)

Three measures, each on a server started as ``ltsim serve --no-browser --port 0`` in a fresh interpreter:

- start-up: from spawning the process to the first answer of ``/api/state`` (imports, loading the
  scenario, the saved scenario's run), median of 3;
- HTTP: N lever changes (fertility, in-migration, interest, a school's start year, a development's
  pace, savings, a structural measure), each laid on the previous ones as in a meeting, posted to
  ``/api/update`` over loopback: the round trip, and the server's own compute time;
- browser: the same kind of changes typed into the page in headless Chromium (Playwright, the system
  ``/usr/bin/chromium``, 1400 × 1000 window): from the input event to the figures on screen drawn
  with the result, and to all five plotly figures and both tables drawn (those below the fold are
  drawn right after), as the page itself measures it. Skipped where Chromium or playwright is missing.

Prints a table and writes benchmarks/results/serve.json. Target: p95 ≤ 200 ms. Nothing is asserted.
"""

from __future__ import annotations

import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results" / "serve.json"
TARGET_MS = 200.0
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"]


def start(scenario: Path) -> tuple[subprocess.Popen[str], str, float]:
    """Spawn ``ltsim serve``; return the process, its URL and the seconds to the first /api/state answer."""
    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    cmd = [sys.executable, "-m", "ltsim", "serve", str(scenario), "--no-browser", "--port", "0"]
    tick = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    assert proc.stdout is not None
    url = None
    for line in proc.stdout:
        found = re.search(r"http://[0-9.]+:[0-9]+/", line)
        if found:
            url = found.group(0)
            break
    if url is None:
        raise SystemExit(f"ltsim serve did not start: exit {proc.wait()}")
    urllib.request.urlopen(url + "api/state", timeout=30).read()
    return proc, url, time.perf_counter() - tick


def stop(proc: subprocess.Popen[str]) -> None:
    """Stop the server started by :func:`start`."""
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()


def changes(state: dict[str, Any], n: int) -> list[tuple[str, Any]]:
    """``n`` lever changes cycling through the kinds a planner turns, each to a new value."""
    keys = {lever["key"]: lever for lever in state["levers"]}
    school = next((k for k in keys if k.startswith("start_year.")), None)
    pace = next((k for k in keys if k.startswith("housing_pace.")), None)
    measure = next((k for k in keys if k.startswith("measure.")), None)
    kinds: list[tuple[str, Any]] = [
        ("fertility_scale", lambda i: round(0.8 + 0.01 * (i % 40), 2)),
        ("in_migration_scale", lambda i: round(0.9 + 0.01 * (i % 20), 2)),
        ("interest_shift_pct_points", lambda i: round(0.25 * (i % 12), 2)),
        ("savings_mnok_per_year", lambda i: 10 * (i % 30)),
    ]
    if school:
        first = int(keys[school]["value"])
        kinds.append((school, lambda i: first + i % 5))
    if pace:
        kinds.append((pace, lambda i: round(0.3 + 0.1 * (i % 8), 1)))
    if measure:
        kinds.append((measure, lambda i: i % 2 == 0))
    return [(kinds[i % len(kinds)][0], kinds[i % len(kinds)][1](i)) for i in range(n)]


def post(url: str, body: dict[str, Any]) -> tuple[float, dict[str, Any]]:
    """Round trip [ms] of one POST and its JSON answer."""
    req = urllib.request.Request(url, json.dumps(body).encode(), headers={"Content-Type": "application/json"})
    tick = time.perf_counter()
    with urllib.request.urlopen(req, timeout=30) as res:
        data = json.loads(res.read())
    return (time.perf_counter() - tick) * 1000.0, data


def percentiles(values: list[float]) -> dict[str, float]:
    """p50, p95 and the largest value, rounded to 0.1."""
    ordered = sorted(values)
    p95 = ordered[min(len(ordered) - 1, max(0, round(0.95 * len(ordered)) - 1))]
    return {
        "p50": round(statistics.median(ordered), 1),
        "p95": round(p95, 1),
        "max": round(ordered[-1], 1),
        "n": len(ordered),
    }


def measure_http(url: str, n: int) -> dict[str, Any]:
    """N cumulative lever changes posted to /api/update."""
    state = json.loads(urllib.request.urlopen(url + "api/state").read())
    values: dict[str, Any] = {}
    round_trip, compute = [], []
    for key, value in changes(state, n):
        values[key] = value
        ms, data = post(url + "api/update", {"values": values})
        round_trip.append(ms)
        compute.append(data["compute_ms"])
    return {"round_trip_ms": percentiles(round_trip), "server_compute_ms": percentiles(compute)}


def measure_browser(url: str, n: int) -> dict[str, Any] | None:
    """N lever changes typed into the page; the page's own input → drawn latencies."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        return None
    if not Path(CHROMIUM).is_file():
        return None
    state = json.loads(urllib.request.urlopen(url + "api/state").read())
    numeric = [(k, v) for k, v in changes(state, n * 2) if not isinstance(v, bool)][:n]
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        tick = time.perf_counter()
        page.goto(url)
        page.wait_for_function("Number(document.body.dataset.updates || 0) >= 1", timeout=30000)
        first_page_s = time.perf_counter() - tick
        page.evaluate("document.querySelectorAll('details').forEach((d) => (d.open = true))")
        for key, value in numeric:
            done = len(page.evaluate("window.ltsim.latencies_ms"))
            selector = "#lever-" + re.sub(r"[^A-Za-z0-9_-]", "_", key)
            page.fill(selector, str(value))
            page.wait_for_function(f"window.ltsim.latencies_ms.length > {done}", timeout=30000)
        page.wait_for_function(f"window.ltsim.latencies_all_ms.length >= {len(numeric)}", timeout=30000)
        visible = page.evaluate("window.ltsim.latencies_ms")
        everything = page.evaluate("window.ltsim.latencies_all_ms")
        browser.close()
    return {
        "first_page_s": round(first_page_s, 3),
        "input_to_visible_drawn_ms": percentiles(visible),
        "input_to_all_drawn_ms": percentiles(everything),
    }


def main() -> None:
    args = sys.argv[1:]
    n = 100
    if "--changes" in args:
        i = args.index("--changes")
        n = int(args[i + 1])
        del args[i : i + 2]
    browser = "--no-browser" not in args
    args = [a for a in args if a != "--no-browser"]
    scenario = Path(args[0]) if args else ROOT / "scenarios" / "asker" / "base.yaml"
    startups = []
    for _ in range(3):
        proc, url, seconds = start(scenario)
        startups.append(seconds)
        stop(proc)
    proc, url, _ = start(scenario)
    try:
        http = measure_http(url, n)
        page = measure_browser(url, n) if browser else None
    finally:
        stop(proc)
    result = {
        "scenario": str(scenario),
        "changes": n,
        "startup_s": {"median": round(statistics.median(startups), 3), "all": [round(s, 3) for s in startups]},
        "http": http,
        "browser": page,
        "target_ms": TARGET_MS,
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "load_average": os.getloadavg() if hasattr(os, "getloadavg") else None,
    }
    rows = [
        ("update, HTTP round trip", http["round_trip_ms"]),
        ("update, server compute", http["server_compute_ms"]),
    ]
    if page is not None:
        rows.append(("update, input → figures on screen drawn", page["input_to_visible_drawn_ms"]))
        rows.append(("update, input → all 5 figures drawn", page["input_to_all_drawn_ms"]))
    print(f"ltsim serve on {scenario.name}: {n} lever changes")
    print(f"start-up (spawn → first answer), median of 3: {result['startup_s']['median']:.2f} s")
    if page is not None:
        print(f"first page drawn in Chromium: {page['first_page_s']:.2f} s")
    print(f"{'measure':<42} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}  target p95 ≤ {TARGET_MS:g} ms")
    for name, p in rows:
        ok = "ok" if p["p95"] <= TARGET_MS else "over"
        print(f"{name:<42} {p['p50']:>8.1f} {p['p95']:>8.1f} {p['max']:>8.1f}  {ok}")
    if page is None and browser:
        print("(browser row skipped: no Chromium at /usr/bin/chromium or no playwright)")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {RESULTS.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
