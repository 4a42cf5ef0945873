"""ltsim serve in headless Chromium (Playwright driving the system browser): levers, figures, save, keyboard, offline.

Skipped with a reason where /usr/bin/chromium or the playwright package is missing (no browser is downloaded).
"""

from __future__ import annotations

import csv
import shutil
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from test_report_browser import FLAGS as REPORT_FLAGS
from typer.testing import CliRunner

from ltsim.cli import app as cli_app

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
if not Path(CHROMIUM).is_file():
    pytest.skip(f"no Chromium at {CHROMIUM}", allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")

# the report tests' Chromium flags, less those Playwright sets itself (headless) or that stop time (virtual time)
FLAGS = [f for f in REPORT_FLAGS if f != "--headless" and not f.startswith("--virtual-time-budget")]
BASE = Path(__file__).resolve().parent.parent / "scenarios" / "asker" / "base.yaml"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """The app on a free 127.0.0.1 port in a thread; stopped at teardown."""
    import uvicorn

    from ltsim.serve.app import ServeState, create_app

    save_dir = tmp_path_factory.mktemp("variants")
    app = create_app(ServeState(BASE, save_dir))
    srv = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning", access_log=False))
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    end = time.monotonic() + 20
    while not srv.started:
        assert time.monotonic() < end, "the server did not start"
        time.sleep(0.02)
    port = srv.servers[0].sockets[0].getsockname()[1]
    yield f"http://127.0.0.1:{port}", save_dir
    srv.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield b
        b.close()


@pytest.fixture()
def page(browser: object, server: tuple[str, Path]) -> Iterator[object]:
    """A fresh page on the app; records every request and script error."""
    url, _ = server
    pg = browser.new_page(viewport={"width": 1400, "height": 1000})  # type: ignore[attr-defined]
    pg.requests = []
    pg.errors = []
    pg.on("request", lambda r: pg.requests.append(r.url))
    pg.on("pageerror", lambda e: pg.errors.append(str(e)))
    pg.goto(url + "/")
    wait_updates(pg, 1)
    yield pg
    assert pg.errors == []
    pg.close()


def wait_updates(pg: object, n: int) -> None:
    pg.wait_for_function(f"Number(document.body.dataset.updates || 0) >= {n}", timeout=15000)  # type: ignore[attr-defined]


def updates(pg: object) -> int:
    return int(pg.evaluate("Number(document.body.dataset.updates)"))  # type: ignore[attr-defined]


def debt_figure(pg: object) -> list[float]:
    return pg.evaluate("document.getElementById('fig-debt').data[0].y")  # type: ignore[attr-defined]


def ndr_figure(pg: object, trace: int = 0) -> list[float]:
    return pg.evaluate(f"document.getElementById('fig-ndr').data[{trace}].y")  # type: ignore[attr-defined]


def test_a_lever_changes_the_figure_and_the_difference(page: object, server: tuple[str, Path]) -> None:
    before = ndr_figure(page)
    assert before == ndr_figure(page, 1)  # nothing changed yet: now = saved
    n = updates(page)
    page.fill("#lever-interest_shift_pct_points", "2")
    wait_updates(page, n + 1)
    after = ndr_figure(page)
    assert after[0] == before[0]  # the change starts in 2025
    assert all(a < b for a, b in zip(after[1:], before[1:], strict=True))  # more interest → lower NDR
    assert ndr_figure(page, 1) == before  # the saved scenario's line stays
    change = page.inner_text('#summary td[data-key="ndr_min_pct"]')
    assert change.startswith("−") or change.startswith("-")
    assert all(u.startswith(server[0]) for u in page.requests), "the page asked the network for something"


def test_bad_input_is_refused_in_the_form(page: object) -> None:
    n = updates(page)
    page.fill("#lever-fertility_scale", "300")
    wait_updates(page, n + 1)
    box = page.locator("#errors")
    assert box.is_visible()
    assert "population.fertility.scale: found 300; expected a number ≥ 0 and ≤ 100 (a multiplier)" in box.inner_text()
    assert page.get_attribute("#lever-fertility_scale", "aria-invalid") == "true"
    page.fill("#lever-fertility_scale", "1.1")
    wait_updates(page, n + 2)
    assert not box.is_visible()
    assert page.get_attribute("#lever-fertility_scale", "aria-invalid") is None


def test_keyboard_and_language(page: object) -> None:
    page.keyboard.press("Tab")  # the skip link first
    assert page.evaluate("document.activeElement.className") == "skip"
    page.focus("#lever-savings_mnok_per_year")
    n = updates(page)
    for _ in range(5):
        page.keyboard.press("ArrowUp")  # 5 steps of 10 NOK million
    assert page.input_value("#lever-savings_mnok_per_year") == "50"
    page.wait_for_function(
        f"Number(document.body.dataset.updates) > {n} && window.ltsim.last.overrides.finance"
        " && window.ltsim.last.overrides.finance.expenses.savings_mnok['2026'] === 50"
    )
    assert page.inner_text("#levers-title") == "Spaker"
    page.click("#lang")
    assert page.get_attribute("html", "lang") == "en"
    assert page.inner_text("#levers-title") == "Levers"
    assert page.input_value("#lever-savings_mnok_per_year") == "50"  # the setting survives the language change


def test_saved_variant_runs_with_the_cli_to_the_same_numbers(
    page: object, server: tuple[str, Path], tmp_path: Path
) -> None:
    n = updates(page)
    page.fill("#lever-interest_shift_pct_points", "1")
    wait_updates(page, n + 1)
    page.click("summary:has-text('Investeringsprosjekter')")
    page.fill("#lever-start_year_skole_ny_sentrumsskole", "2028")
    wait_updates(page, n + 2)
    shown = debt_figure(page)
    years = page.evaluate("document.getElementById('fig-debt').data[0].x")
    page.fill("#variant-name", "browser-variant")
    page.click("#save")
    page.wait_for_function("document.getElementById('save-out').innerText.includes('browser-variant.yaml')")
    file = server[1] / "browser-variant.yaml"
    assert "skole_ny_sentrumsskole: 3" in file.read_text(encoding="utf-8")  # planned 2025 → 2028
    out = tmp_path / "run"
    res = CliRunner().invoke(cli_app, ["run", str(file), "--out", str(out), "-q", "--no-report"])
    assert res.exit_code == 0, res.output
    with (out / "kpi.csv").open(encoding="utf-8") as fh:
        debt = {int(r["year"]): float(r["value"]) for r in csv.DictReader(fh) if r["kpi"] == "debt_ratio_pct"}
    assert [debt[y] for y in years] == pytest.approx(shown, abs=1e-3)
    # the run folder, loaded to compare: a third line on the figure and a column with the same numbers
    page.fill("#compare-folder", str(out))
    page.click("#compare")
    page.wait_for_selector('td[data-compared="debt_ratio_max_pct"]')
    now = page.inner_text("#summary tbody tr:first-child td:nth-child(2)")
    assert page.inner_text('td[data-compared="debt_ratio_max_pct"]') == now
    compared = page.evaluate("document.getElementById('fig-debt').data.find((t) => t.line.dash === 'dot').y")
    assert compared == pytest.approx(shown, abs=1e-3)


def test_montecarlo_and_optimise_from_the_page(page: object) -> None:
    page.fill("#reps", "50")
    page.click("#montecarlo")
    page.wait_for_function("document.getElementById('mc-out').innerText.startsWith('50 ')", timeout=30000)
    assert page.evaluate("document.getElementById('mc-progress').value") == 50
    # the bands are drawn after the text: wait for both figures (under load the text came first)
    page.wait_for_function(
        "['fig-mc', 'fig-mc-short'].every((id) => (document.getElementById(id).data || []).length > 0)", timeout=30000
    )
    assert page.evaluate("document.getElementById('fig-mc').data.length") == 4
    assert "Sannsynlighet rød (gjeldsgrad)" in page.inner_text("#mc-out")
    band = page.evaluate("document.getElementById('fig-mc-short').data.map((t) => t.y)")
    assert all(lo <= mid <= hi for hi, lo, mid in zip(*band, strict=True))  # P10 ≤ median ≤ P90 of places short
    before = max(debt_figure(page))
    page.click("#optimize")
    page.wait_for_selector("#apply-moves", timeout=60000)
    n = updates(page)
    page.click("#apply-moves")
    wait_updates(page, n + 1)
    assert max(debt_figure(page)) < before  # the optimiser's moves lower the peak debt ratio


def test_timeline_moves_a_start_year_by_keyboard_and_by_drag(page: object) -> None:
    page.focus("#bar-skole_ny_sentrumsskole")
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")  # planned 2025 → 2027
    page.wait_for_function(
        "window.ltsim.last.overrides.projects && window.ltsim.last.overrides.projects.defer.skole_ny_sentrumsskole === 2"
    )
    assert page.input_value("#lever-start_year_skole_ny_sentrumsskole") == "2027"  # the form follows the bar
    assert page.inner_text("#bar-skole_ny_sentrumsskole") == "2027"
    bar = page.locator("#bar-bhg_ny_hon_landas").bounding_box()
    year_px = page.locator("#timeline .tl-track").nth(1).bounding_box()["width"] / 21
    page.mouse.move(bar["x"] + 4, bar["y"] + 4)
    page.mouse.down()
    page.mouse.move(bar["x"] + 4 + 3 * year_px, bar["y"] + 4, steps=6)
    page.mouse.up()
    page.wait_for_function(
        "window.ltsim.last.overrides.projects && window.ltsim.last.overrides.projects.defer.bhg_ny_hon_landas === 3"
    )
    assert page.input_value("#lever-start_year_bhg_ny_hon_landas") == "2029"  # planned 2026, dragged 3 years
    # before its earliest start: refused in the form with the loader's message
    page.focus("#bar-bhg_kapasitet_borgen")
    page.keyboard.press("ArrowLeft")
    page.keyboard.press("ArrowLeft")  # planned 2025, earliest 2024
    page.wait_for_function("!document.getElementById('errors').hidden")
    assert "expected a planned start at or after the earliest start 2024" in page.inner_text("#errors")


def test_heat_map_shows_places_short_or_the_change(page: object) -> None:
    n = updates(page)
    page.fill("#lever-fertility_scale", "1.3")
    wait_updates(page, n + 1)
    page.select_option("#service", "kindergarten")
    now = page.evaluate("document.getElementById('fig-short').data[0].z")
    assert min(min(row) for row in now) >= 0  # places short, never negative
    page.select_option("#short-mode", "diff")
    change = page.evaluate("document.getElementById('fig-short').data[0].z")
    saved = page.evaluate("window.ltsim.state.saved.short.find((s) => s.id === 'kindergarten').short")
    expected = [
        [round((a or 0) - (b or 0), 1) for a, b in zip(r, s, strict=True)] for r, s in zip(now, saved, strict=True)
    ]
    assert change == expected
    assert max(max(row) for row in change) > 0  # more children: more kindergarten places short somewhere
