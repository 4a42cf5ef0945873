"""Report generation for the Asker run: time of build_report (HTML + workbook) and the size of report.html.

Usage: python benchmarks/bench_report.py [SCENARIO] [--reps N]   (default scenarios/asker/base.yaml)
Prints one line per measure and a JSON line (for make bench). Target: ≤ 3 s.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    args = sys.argv[1:]
    reps = None
    if "--reps" in args:
        i = args.index("--reps")
        reps = args[i + 1]
        del args[i : i + 2]
    scenario = Path(args[0]) if args else ROOT / "scenarios" / "asker" / "base.yaml"
    from ltsim.report import RunFolder, build_report
    from ltsim.report.compare import compare_report
    from ltsim.report.excel import write_workbook
    from ltsim.report.html import write_html

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
        result = {
            "scenario": str(scenario),
            "report_s_first": round(times[0], 3),
            "report_s_best": round(min(times), 3),
            "html_s": round(t_html, 3),
            "workbook_s": round(t_xlsx, 3),
            "compare_s": round(t_cmp, 3),
            "report_html_bytes": html.stat().st_size,
            "workbook_bytes": xlsx.stat().st_size,
        }
    print(f"report (html + workbook), first call: {result['report_s_first']:.3f} s  (target ≤ 3 s)")
    print(f"report (html + workbook), best of 3:  {result['report_s_best']:.3f} s")
    print(f"  html: {t_html:.3f} s   workbook: {t_xlsx:.3f} s   compare (2 runs): {t_cmp:.3f} s")
    print(
        f"report.html: {result['report_html_bytes'] / 1e6:.2f} MB   workbook.xlsx: {result['workbook_bytes'] / 1e6:.2f} MB"
    )
    print(json.dumps(result))


if __name__ == "__main__":
    main()
