"""ltsim serve without a browser: levers → overrides (pure), the API, bad input, the saved variant round trip."""

from __future__ import annotations

import csv
import time
from pathlib import Path

import numpy as np
import pytest
import yaml
from starlette.testclient import TestClient
from typer.testing import CliRunner

from ltsim import pipeline
from ltsim.cli import app as cli_app
from ltsim.errors import InputError
from ltsim.scenario import TableCache, load_scenario
from ltsim.scenario.tables import table_reader
from ltsim.serve import levers as lv
from ltsim.serve import overrides as ov
from ltsim.serve.app import ServeState, create_app

ASKER = Path(__file__).resolve().parent.parent / "scenarios" / "asker"
BASE = ASKER / "base.yaml"


@pytest.fixture(scope="module")
def opened() -> lv.Opened:
    return lv.open_scenario(BASE)


@pytest.fixture(scope="module")
def rekkefolge() -> lv.Opened:
    return lv.open_scenario(ASKER / "rekkefolge.yaml")


@pytest.fixture(scope="module")
def state(tmp_path_factory: pytest.TempPathFactory) -> ServeState:
    return ServeState(BASE, tmp_path_factory.mktemp("variants"))


@pytest.fixture(scope="module")
def client(state: ServeState) -> TestClient:
    return TestClient(create_app(state), base_url="http://127.0.0.1")


def post(client: TestClient, url: str, body: dict) -> object:
    return client.post(url, json=body)


def line_of(file: Path, source: str) -> str:
    """The text of the line a lever's source (``file:line``) points at."""
    name, line = source.rsplit(" ← ", 1)[1].rsplit(":", 1)
    return (file.parent / name).read_text(encoding="utf-8").splitlines()[int(line) - 1]


# ---------------------------------------------------------------------- levers (pure)


def test_levers_carry_value_and_source(opened: lv.Opened) -> None:
    by_key = {lever.key: lever for lever in lv.levers(opened)}
    assert by_key["fertility_scale"].value == 1.0
    assert line_of(BASE, by_key["fertility_scale"].source).strip() == "scale: 1.0"
    assert by_key["debt_ratio_ceiling"].value == 1.0
    assert line_of(BASE, by_key["debt_ratio_ceiling"].source).strip().startswith("debt_ratio_ceiling: 1.0")
    school = by_key["start_year.skole_ny_sentrumsskole"]
    assert school.value == 2025 and school.info["earliest_start"] == 2024  # projects.csv: planned 2025
    assert by_key["measure.school_merge_south"].value is False
    # every development of the programme has a pace and a delay lever
    developments = {d[0] for d in opened.scenario.population.developments}
    assert {k.split(".", 1)[1] for k in by_key if k.startswith("housing_pace.")} == developments
    assert "sequencing" not in by_key  # base.yaml has no sequencing rules


def test_no_change_no_overrides(opened: lv.Opened) -> None:
    assert ov.overrides(opened, lv.defaults(opened)) == {}
    assert ov.apply(opened, {}) is opened.scenario


def test_levers_write_only_the_changed_keys(opened: lv.Opened) -> None:
    over = ov.overrides(
        opened,
        {
            "fertility_scale": 1.1,
            "in_migration_scale": 0.9,
            "interest_shift_pct_points": 1.0,
            "interest_shift_from_year": 2025,
            "debt_ratio_ceiling": 1.05,
            "savings_mnok_per_year": 100,
            "savings_from_year": 2026,
            "measure.school_merge_south": True,
            "start_year.skole_ny_sentrumsskole": 2027,
        },
    )
    # base.yaml: interest 4.2 % in 2024, 4.0 % 2025-2027 (held); +1 point from 2025
    rate = {2024: 0.042, 2025: 0.05, 2026: 0.05, 2027: 0.05}
    assert over == {
        "population": {"fertility": {"scale": 1.1}, "migration": {"in_scale": 0.9}},
        "projects": {"defer": {"skole_ny_sentrumsskole": 2}},
        "capacity": {"active_measures": ["school_merge_south"]},
        "finance": {
            "debt": {"interest_rate": rate},
            "start_loans": {"interest_rate": rate},
            "expenses": {"savings_mnok": {2024: 0, 2026: 100}},
        },
        "optimize": {"debt_ratio_ceiling": 1.05},
    }


def test_interest_shift_from_a_later_year_keeps_the_earlier_path(opened: lv.Opened) -> None:
    over = ov.overrides(opened, {"interest_shift_pct_points": -0.5, "interest_shift_from_year": 2030})
    assert over["finance"]["debt"]["interest_rate"] == {2024: 0.042, 2025: 0.04, 2026: 0.04, 2027: 0.04, 2030: 0.035}
    rates = ov.apply(opened, over).config.finance.debt.interest_rate.at(np.arange(2028, 2032))
    assert rates.tolist() == pytest.approx([0.04, 0.04, 0.035, 0.035])


def test_levers_equal_the_variants_written_by_hand(opened: lv.Opened, rekkefolge: lv.Opened) -> None:
    """A lever setting runs to the same figures as the scenario file that says the same thing."""
    cases = [
        (rekkefolge, {"start_year.skole_ny_sentrumsskole": 2027}, ASKER / "rekkefolge-school-delay.yaml"),
        (opened, {"measure.school_merge_south": True}, ASKER / "school-merge-south.yaml"),
        (opened, {"interest_shift_pct_points": 2.0, "interest_shift_from_year": 2025}, ASKER / "interest-stress.yaml"),
    ]
    for base, values, file in cases:
        mine = pipeline.run(ov.apply(base, ov.overrides(base, values)))
        theirs = pipeline.run(load_scenario(file))
        assert np.array_equal(mine.population.persons, theirs.population.persons), file.name
        for a, b in zip(mine.services, theirs.services, strict=True):
            assert np.array_equal(a.gap, b.gap), file.name
        assert [r.value for r in mine.kpis] == [r.value for r in theirs.kpis], file.name


def test_housing_pace_caps_the_yearly_release(opened: lv.Opened) -> None:
    """Half the pace: at most half the planned average a year; nothing released that was not planned; it ends later."""
    dev = "asker_sentrum_transformasjon"
    total, first, last, per_year = lv.development_totals(opened.scenario)[dev]
    assert total == pytest.approx(per_year * (last - first + 1))  # built every year of its span
    over = ov.overrides(opened, {f"housing_pace.{dev}": 0.5})
    assert over == {
        "population": {"housing": {"conditions": {dev: {"max_dwellings_per_year": round(per_year / 2, 1)}}}}
    }
    result = pipeline.run(ov.apply(opened, over))
    d = result.housing.developments.index(dev)
    released = result.housing.released[d].sum(axis=0)
    assert released.max() <= per_year / 2 + 1e-9
    assert released.sum() <= total + 1e-9
    years = result.population.years[:-1]
    assert years[np.flatnonzero(released > 0)[-1]] > last


def test_sequencing_off_equals_no_rules(opened: lv.Opened, rekkefolge: lv.Opened) -> None:
    """Sequencing rules off: the rekkefølge scenario runs to the base scenario's population."""
    over = ov.overrides(rekkefolge, {"sequencing": False})
    off = pipeline.run(ov.apply(rekkefolge, over))
    base = pipeline.run(opened.scenario)
    assert np.allclose(off.population.persons, base.population.persons, rtol=0, atol=1e-9)


def test_bad_values_are_refused_with_the_schema_message(opened: lv.Opened) -> None:
    with pytest.raises(InputError) as exc:
        ov.apply(opened, ov.overrides(opened, {"fertility_scale": 200}))
    assert [ov.message(p, opened) for p in exc.value.problems] == [
        "population.fertility.scale: found 200; expected a number ≥ 0 and ≤ 100 (a multiplier)"
    ]
    for values, expected in [
        ({"fertility_scale": "abc"}, "fertility_scale: found 'abc'; expected a number"),
        ({"no_such_lever": 1}, "no_such_lever: found 1; expected a lever of this scenario"),
        ({"start_year.skole_ny_sentrumsskole": 2026.5}, "expected a whole number"),
        ({"measure.school_merge_south": 1}, "expected true or false"),
        ({"housing_pace.honsjordet_apartment": 1.5}, "expected a pace from 0 to 1"),
    ]:
        with pytest.raises(InputError) as exc:
            ov.overrides(opened, values)
        assert expected in ov.message(exc.value.problems[0], opened)


def test_table_cache_reads_a_file_again_only_when_it_changed(tmp_path: Path) -> None:
    from ltsim.io.tables import Column

    file = tmp_path / "t.csv"
    file.write_text("a\n1\n", encoding="utf-8")
    cache = TableCache()
    read = table_reader({"t": file}, {}, tmp_path / "s.yaml", cache)
    first = read("t", [Column("a", "int")], ["a"])
    assert read("t", [Column("a", "int")], ["a"]) is first
    time.sleep(0.01)
    file.write_text("a\n1\n2\n", encoding="utf-8")
    again = read("t", [Column("a", "int")], ["a"])
    assert again is not first and again.columns["a"].tolist() == [1, 2]
    import hashlib

    assert cache.sha256(file) == hashlib.sha256(b"a\n1\n2\n").hexdigest()


def test_an_update_reads_no_table_again(opened: lv.Opened, monkeypatch: pytest.MonkeyPatch) -> None:
    """After the scenario is opened, lever changes re-validate and rerun without reading or parsing a table."""
    from pathlib import Path as _Path

    import ltsim.scenario.tables as tables

    calls: list[str] = []
    real_read, real_bytes = tables.read_table, _Path.read_bytes
    monkeypatch.setattr(tables, "read_table", lambda file, *a, **k: calls.append(str(file)) or real_read(file, *a, **k))
    monkeypatch.setattr(_Path, "read_bytes", lambda self: calls.append(str(self)) or real_bytes(self))
    for values in ({"fertility_scale": 1.2}, {"interest_shift_pct_points": 1.0}, {"measure.school_merge_south": True}):
        sc = ov.apply(opened, ov.overrides(opened, values))
        pipeline.run(sc)
    assert calls == []


# ---------------------------------------------------------------------- the API


def test_page_and_assets_are_served_offline(client: TestClient) -> None:
    page = client.get("/")
    assert page.status_code == 200
    assert "http://" not in page.text and "https://" not in page.text  # nothing from the network
    js = client.get("/static/app.js")
    assert js.status_code == 200 and "https://" not in js.text
    plotly = client.get("/static/plotly.min.js")
    assert plotly.status_code == 200 and plotly.text.startswith("/**")  # decoded by the client (gzip)
    assert client.get("/static/../app.py").status_code == 404
    assert client.get("/static/app.py").status_code == 404


def test_update_changes_the_figures_and_reports_the_difference(client: TestClient, state: ServeState) -> None:
    saved = client.get("/api/state").json()["saved"]
    res = post(client, "/api/update", {"values": {"savings_mnok_per_year": 200, "savings_from_year": 2026}})
    assert res.status_code == 200
    data = res.json()
    now = data["view"]
    ndr, ndr_saved = (
        now["kpis"]["net_operating_result_pct"]["values"],
        saved["kpis"]["net_operating_result_pct"]["values"],
    )
    years = now["finance_years"]
    # savings raise the net operating result from 2026 on and leave the years before untouched
    assert ndr[: years.index(2026)] == ndr_saved[: years.index(2026)]
    assert all(a > b for a, b in zip(ndr[years.index(2026) :], ndr_saved[years.index(2026) :], strict=True))
    diff = data["difference"]
    assert diff["ndr_min_pct"] == pytest.approx(
        now["summary"]["ndr_min_pct"] - saved["summary"]["ndr_min_pct"], abs=1e-3
    )
    assert diff["persons_end"] == 0  # savings do not move people


def test_bad_input_never_crashes_the_server(client: TestClient) -> None:
    cases = [
        ({"values": {"fertility_scale": 200}}, "population.fertility.scale: found 200"),
        ({"values": {"debt_ratio_ceiling": 7}}, "optimize.debt_ratio_ceiling: found 7; expected a fraction"),
        ({"values": {"interest_shift_pct_points": 100}}, "expected a yearly rate as a fraction between −1 and 1"),
        (
            {"values": {"start_year.bhg_kapasitet_borgen": 2020}},
            "expected a planned start at or after the earliest start 2024",
        ),
        ({"values": {"fertility_scale": None}}, "fertility_scale: found None; expected a number"),
        ({"values": []}, "expected a mapping of lever → value"),
    ]
    for body, expected in cases:
        res = post(client, "/api/update", body)
        assert res.status_code == 422, body
        assert any(expected in m for m in res.json()["errors"]), res.json()
    assert client.post("/api/update", content=b"{", headers={"Content-Type": "application/json"}).status_code == 422
    assert client.post("/api/update", content=b"{}", headers={"Content-Type": "text/plain"}).status_code == 415
    assert TestClient(client.app, base_url="http://evil.example").get("/api/state").status_code == 400
    assert post(client, "/api/update", {"values": {}}).status_code == 200  # still serving


def test_refusal_matches_the_cli_message(client: TestClient, state: ServeState, tmp_path: Path) -> None:
    """The server's message for a lever is the CLI's message for the same value in a variant file."""
    for values in ({"fertility_scale": 200}, {"start_year.bhg_kapasitet_borgen": 2020}):
        served = post(client, "/api/update", {"values": values}).json()["errors"]
        file = tmp_path / "bad.yaml"
        over = ov.overrides(state.opened, values)
        file.write_text(ov.variant_yaml(state.opened, "bad", over, file), encoding="utf-8")
        res = CliRunner().invoke(cli_app, ["validate", str(file)])
        assert res.exit_code == 2
        printed = " ".join(res.output.split())
        for message in served:
            assert " ".join(message.split()) in printed, (message, res.output)


def test_saved_variant_runs_to_the_same_numbers(client: TestClient, state: ServeState, tmp_path: Path) -> None:
    values = {
        "fertility_scale": 1.05,
        "interest_shift_pct_points": 1.0,
        "start_year.skole_ny_sentrumsskole": 2027,
        "housing_pace.honsjordet_apartment": 0.5,
        "savings_mnok_per_year": 50,
    }
    shown = post(client, "/api/update", {"values": values}).json()["view"]
    res = post(client, "/api/save", {"name": "meeting-what-if", "values": values})
    assert res.status_code == 200, res.json()
    path = Path(res.json()["path"])
    assert path == state.save_dir / "meeting-what-if.yaml"
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert (path.parent / doc.pop("extends")).resolve() == BASE.resolve()
    assert doc.pop("name") == "meeting-what-if"
    assert set(doc) == {"population", "projects", "finance"}  # only what the levers changed
    assert doc["projects"] == {"defer": {"skole_ny_sentrumsskole": 2}}
    # a second save under the same name is refused, the file is kept
    again = post(client, "/api/save", {"name": "meeting-what-if", "values": {}})
    assert again.status_code == 422 and "existing file" in again.json()["errors"][0]
    for bad in ("../escape", "line\n", "", None, "x" * 81):
        assert post(client, "/api/save", {"name": bad, "values": {}}).status_code == 422, bad
    assert sorted(p.name for p in state.save_dir.iterdir()) == ["meeting-what-if.yaml"]
    out = tmp_path / "run"
    cli = CliRunner().invoke(cli_app, ["run", str(path), "--out", str(out), "-q", "--no-report"])
    assert cli.exit_code == 0, cli.output
    with (out / "kpi.csv").open(encoding="utf-8") as fh:
        debt = {int(r["year"]): float(r["value"]) for r in csv.DictReader(fh) if r["kpi"] == "debt_ratio_pct"}
    # kpi.csv and the page round differently in the last digit shown
    assert [debt[y] for y in shown["finance_years"]] == pytest.approx(
        shown["kpis"]["debt_ratio_pct"]["values"], abs=1e-3
    )
    assert max(debt.values()) > 100.0 + 1.0  # the setting matters: the saved plan is above its ceiling
    with (out / "capacity.csv").open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    gap_column = "gap" if "gap" in rows[0] else next(c for c in rows[0] if c.startswith("gap"))
    for svc in shown["short"]:
        written = sum(max(float(r[gap_column]), 0.0) for r in rows if r["service"] == svc["id"])
        assert written == pytest.approx(svc["place_years"], abs=0.5), svc["id"]
    # the run folder loaded to compare shows the same headline numbers
    compared = post(client, "/api/compare", {"folder": str(out)}).json()["view"]
    assert compared["name"] == "meeting-what-if"
    for key, tolerance in [("debt_ratio_max_pct", 1e-3), ("ndr_min_pct", 1e-3), ("place_years_short", 0.5)]:
        assert compared["summary"][key] == pytest.approx(shown["summary"][key], abs=tolerance), key
    assert compared["summary"]["persons_end"] == pytest.approx(shown["summary"]["persons_end"], abs=1.0)
    assert compared["summary"]["first_year_over_ceiling"] == shown["summary"]["first_year_over_ceiling"]


def test_compare_refuses_what_is_not_a_run_folder(client: TestClient, tmp_path: Path) -> None:
    for folder, expected in [
        (str(tmp_path / "nowhere"), "expected a run folder written by ltsim run"),
        (str(tmp_path), "no manifest.json"),
        ("", "expected the path of a run folder"),
    ]:
        res = post(client, "/api/compare", {"folder": folder})
        assert res.status_code == 422
        assert any(expected in m for m in res.json()["errors"]), res.json()


def poll(client: TestClient, job: str, seconds: float = 60) -> dict:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        data = client.get(f"/api/jobs/{job}").json()
        if data["finished"]:
            return data
        time.sleep(0.05)
    raise AssertionError(f"job {job} did not finish in {seconds} s")


def test_montecarlo_runs_in_the_background_with_progress(client: TestClient) -> None:
    res = post(client, "/api/montecarlo", {"values": {}, "reps": 50})
    assert res.status_code == 200
    data = poll(client, res.json()["job"])
    assert data["errors"] == [] and data["done"] == data["total"] == 50
    bands = data["result"]["debt_ratio_pct"]
    assert all(a <= b <= c for a, b, c in zip(bands["p10"], bands["p50"], bands["p90"], strict=True))
    short = data["result"]["short_total"]
    assert len(short["p50"]) == len(data["result"]["years"])
    assert all(a <= b <= c for a, b, c in zip(short["p10"], short["p50"], short["p90"], strict=True))
    assert post(client, "/api/montecarlo", {"values": {}, "reps": 1}).status_code == 422
    assert post(client, "/api/montecarlo", {"values": {"fertility_scale": -1}, "reps": 50}).status_code == 422


def test_optimize_shows_moves_within_the_window(client: TestClient, state: ServeState) -> None:
    res = post(client, "/api/optimize", {"values": {}})
    assert res.status_code == 200
    data = poll(client, res.json()["job"], 120)
    assert data["errors"] == []
    moves = [m for m in data["result"]["moves"] if m["kind"] == "project"]
    assert moves, "Asker's plan breaks its debt ceiling: the optimiser moves projects"
    spec = state.opened.scenario.config.optimize
    for m in moves:
        assert 0 < m["to"] - m["from"] <= spec.max_deferral_years
    # the moves applied as start-year levers are a valid setting
    values = {f"start_year.{m['project']}": m["to"] for m in moves}
    assert post(client, "/api/update", {"values": values}).status_code == 200


def test_closing_a_facility_from_the_plan_closures(tmp_path: Path) -> None:
    """A closure lever (plan.closures lists school_c, 80 places) takes its places out from the year chosen."""
    import sys

    sys.path.insert(0, str(Path(__file__).parent))
    from plan_fixtures import write_tiny_plan

    path = write_tiny_plan(
        tmp_path, plan={"closures": "data/closures.csv"}, closures=[["school_c", "school", 2025, 0.0, 1.0, "test"]]
    )
    opened = lv.open_scenario(path)
    lever = next(lever for lever in lv.levers(opened) if lever.key == "closure.school_c")
    assert lever.value == 0 and lever.info["places"] == 80 and lever.info["earliest_year"] == 2025
    over = ov.overrides(opened, {"closure.school_c": 2026})
    assert over == {"plan": {"closed": [{"facility": "school_c", "year": 2026}]}}
    closed, base = pipeline.run(ov.apply(opened, over)), pipeline.run(opened.scenario)
    school = [s.service.id for s in base.services].index("primary_school")
    lost = base.services[school].capacity.sum(axis=1) - closed.services[school].capacity.sum(axis=1)
    years = base.population.years
    assert lost[years < 2026].tolist() == [0.0] * int((years < 2026).sum())
    assert lost[years >= 2026] == pytest.approx(80.0)
    with pytest.raises(InputError) as exc:
        ov.apply(opened, ov.overrides(opened, {"closure.school_c": 2024}))
    assert "plan.closed[0].year" in ov.message(exc.value.problems[0], opened)


def test_cli_serves_on_loopback_and_refuses_bad_input(tmp_path: Path) -> None:
    """``ltsim serve`` prints its URL on 127.0.0.1 and answers; a bad scenario or option is exit 2 as for ltsim run."""
    import json
    import os
    import re
    import subprocess
    import sys
    import urllib.request

    root = Path(__file__).resolve().parent.parent
    env = dict(os.environ, PYTHONPATH=str(root))
    cmd = [
        sys.executable,
        "-m",
        "ltsim",
        "serve",
        str(BASE),
        "--no-browser",
        "--port",
        "0",
        "--save-dir",
        str(tmp_path),
    ]
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        line = proc.stdout.readline()
        url = re.search(r"http://127\.0\.0\.1:\d+/", line)
        assert url, line
        state = json.loads(urllib.request.urlopen(url.group(0) + "api/state", timeout=30).read())
        assert state["name"] == "asker-base" and state["save_dir"] == str(tmp_path.resolve())
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    bad = tmp_path / "bad.yaml"
    bad.write_text(f"extends: {BASE}\nname: bad\npopulation:\n  fertility:\n    scale: 200\n", encoding="utf-8")
    res = CliRunner().invoke(cli_app, ["serve", str(bad), "--no-browser"])
    assert res.exit_code == 2
    assert "line 5: population.fertility.scale: found 200" in " ".join(res.output.split())
    assert CliRunner().invoke(cli_app, ["serve", str(BASE), "--no-browser", "--port", "70000"]).exit_code == 2
    assert CliRunner().invoke(cli_app, ["serve", str(BASE), "--no-browser", "--lang", "de"]).exit_code == 2


def test_one_background_job_of_a_kind_at_a_time(state: ServeState) -> None:
    import threading

    gate = threading.Event()
    first = state.start("montecarlo-test", 1, lambda job: gate.wait(10) and {})
    with pytest.raises(InputError) as exc:
        state.start("montecarlo-test", 1, lambda job: {})
    assert "expected the running montecarlo-test job to finish first" in str(exc.value)
    gate.set()
    end = time.monotonic() + 10
    while not state.jobs[first].finished and time.monotonic() < end:
        time.sleep(0.01)
    assert state.jobs[first].finished
    state.jobs[state.start("montecarlo-test", 1, lambda job: {})]  # free again


def test_housing_pace_keeps_a_lower_cap_of_the_scenario_unless_rules_are_off(tmp_path: Path) -> None:
    """A scenario cap of 10 dwellings a year on honsjordet_terraced (planned about 22 a year) is not loosened
    by a pace of 0.9 (about 19.6 a year); with the sequencing rules off the pace alone holds."""
    dev = "honsjordet_terraced"
    file = tmp_path / "capped.yaml"
    file.write_text(
        f"extends: {ASKER / 'rekkefolge.yaml'}\nname: capped\npopulation:\n  housing:\n    conditions:\n"
        f"      {dev}:\n        max_dwellings_per_year: 10\n",
        encoding="utf-8",
    )
    opened = lv.open_scenario(file)
    per_year = lv.development_totals(opened.scenario)[dev][3]
    assert per_year * 0.9 > 10
    rules = ov.overrides(opened, {f"housing_pace.{dev}": 0.9})["population"]["housing"]["conditions"]
    assert rules == {dev: {"max_dwellings_per_year": 10}}
    off = ov.overrides(opened, {f"housing_pace.{dev}": 0.9, "sequencing": False})
    assert off["population"]["housing"]["conditions"][dev]["max_dwellings_per_year"] == round(per_year * 0.9, 1)


def test_a_population_only_scenario_serves_what_it_has(tiny: Path) -> None:
    """No services, projects or finance: only the population and housing levers; updates work; Monte Carlo and
    Optimise say why not."""
    small = ServeState(tiny)
    assert {lever.key for lever in small.levers} == {
        "fertility_scale",
        "in_migration_scale",
        "housing_pace.Nordbyen",
        "housing_defer.Nordbyen",
    }
    web = TestClient(create_app(small), base_url="http://127.0.0.1")
    data = post(web, "/api/update", {"values": {"fertility_scale": 1.5}}).json()
    assert data["view"]["kpis"] == {} and data["view"]["short"] == []
    assert set(data["view"]["summary"]) == {"persons_end"}  # no figures for what the scenario does not model
    assert data["difference"]["persons_end"] > 0  # more births, more people
    assert post(web, "/api/montecarlo", {"values": {}, "reps": 10}).json()["errors"] == [
        "projects: expected a 'projects:' section (Monte Carlo varies the project programme)"
    ]
    assert "optimize" in post(web, "/api/optimize", {"values": {}}).json()["errors"][0]
