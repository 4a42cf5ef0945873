"""Report generation for the Asker run: time of build_report (HTML + workbook) and the size of report.html.

Usage: python benchmarks/bench_report.py [SCENARIO] [--reps N]   (default scenarios/asker/base.yaml)
Prints one line per measure and, last, a JSON line (``benchmarks/run.py`` runs this script in a fresh
interpreter and reads that line). Target: ≤ 3 s for the first call, imports of the report modules
excluded (they are timed separately as ``import_s``).
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET_S = 3.0


def measure(scenario: Path, reps: str | None = None) -> dict[str, object]:
    """Run the scenario once (subprocess, no report), then time the report on its run folder."""
    tick = time.perf_counter()
    from ltsim.report import RunFolder, build_report
    from ltsim.report.compare import compare_report
    from ltsim.report.excel import write_workbook
    from ltsim.report.html import write_html

    t_import = time.perf_counter() - tick

    with tempfile.TemporaryDirectory() as tmp:
        run = Path(tmp) / "run"
        cmd = [sys.executable, "-m", "ltsim", "run", str(scenario), "--out", str(run), "--quiet"]
        if reps:
            cmd += ["--reps", reps]
        subprocess.run(cmd, check=True, cwd=ROOT, capture_output=True)
        for f in ("report.html", "workbook.xlsx"):
            (run / f).unlink(missing_ok=True)
        times = []
        for _ in range(3):
            tick = time.perf_counter()
            html, xlsx = build_report(run)
            times.append(time.perf_counter() - tick)
        folder = RunFolder(run)
        tick = time.perf_counter()
        write_html(folder, run / "report.html")
        t_html = time.perf_counter() - tick
        tick = time.perf_counter()
        write_workbook(folder, run / "workbook.xlsx")
        t_xlsx = time.perf_counter() - tick
        tick = time.perf_counter()
        compare_report([run, run], Path(tmp) / "compare.html")
        t_cmp = time.perf_counter() - tick
        return {
            "scenario": str(scenario),
            "reps": int(reps) if reps else 1,
            "import_s": round(t_import, 3),
            "report_s_first": round(times[0], 3),
            "report_s_median": round(sorted(times)[1], 3),
            "report_s_best": round(min(times), 3),
            "html_s": round(t_html, 3),
            "workbook_s": round(t_xlsx, 3),
            "compare_s": round(t_cmp, 3),
            "report_html_bytes": html.stat().st_size,
            "workbook_bytes": xlsx.stat().st_size,
        }


def main() -> None:
    args = sys.argv[1:]
    reps = None
    if "--reps" in args:
        i = args.index("--reps")
        reps = args[i + 1]
        del args[i : i + 2]
    scenario = Path(args[0]) if args else ROOT / "scenarios" / "asker" / "base.yaml"
    result = measure(scenario, reps)
    print(f"report (html + workbook), first call: {result['report_s_first']:.3f} s  (target ≤ {TARGET_S:g} s)")
    print(f"report (html + workbook), best of 3:  {result['report_s_best']:.3f} s")
    print(f"  imports of ltsim.report: {result['import_s']:.3f} s")
    print(
        f"  html: {result['html_s']:.3f} s   workbook: {result['workbook_s']:.3f} s"
        f"   compare (2 runs): {result['compare_s']:.3f} s"
    )
    print(
        f"report.html: {result['report_html_bytes'] / 1e6:.2f} MB"
        f"   workbook.xlsx: {result['workbook_bytes'] / 1e6:.2f} MB"
    )
    print(json.dumps(result))


if __name__ == "__main__":
    main()
