"""SSB JSON-stat import: real Asker figures round-trip exactly; mergers are summed; bad files are named."""

from __future__ import annotations

import csv
import json
from collections import defaultdict
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from ltsim.cli.data import export_app, import_app
from ltsim.errors import InputError
from ltsim.io.ssb import CODE_TABLE, import_ssb, load_code_table, slug

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).resolve().parent / "fixtures" / "ssb"
ASKER_SOURCE = ROOT / "scenarios" / "asker" / "data" / "sources" / "ssb_population_2020_2021_by_age_sex.csv"
ASKER_BASE = ROOT / "scenarios" / "asker" / "data" / "population_2024.csv"


def cli() -> typer.Typer:
    app = typer.Typer()
    app.add_typer(import_app, name="import")
    app.add_typer(export_app, name="export")
    return app


def rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(text.splitlines()))


def problems(*args, **kwargs) -> list[str]:
    with pytest.raises(InputError) as info:
        import_ssb(*args, **kwargs)
    return [str(p) for p in info.value.problems]


def by_age_sex(records: list[dict[str, str]], max_age: int = 100) -> dict[tuple[int, str], float]:
    out: dict[tuple[int, str], float] = defaultdict(float)
    for r in records:
        out[(min(int(r["age"]), max_age), r["sex"])] += float(r["persons"])
    return dict(out)


# ----------------------------------------------------------------------------- the real Asker figures


def test_asker_jsonstat_fixture_is_what_the_script_builds():
    import importlib.util

    spec = importlib.util.spec_from_file_location("make_asker", FIXTURES / "make_asker_jsonstat.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert (FIXTURES / "asker_07459_2020_2021.json").read_text(encoding="utf-8") == module.dump(module.build())


@pytest.mark.parametrize("year, total", [(2021, 94915), (2020, 94441)])
def test_asker_imports_to_exactly_the_ssb_persons(year: int, total: int):
    result = import_ssb(FIXTURES / "asker_07459_2020_2021.json", year=None if year == 2021 else year)
    assert (result.municipality, result.name, result.codes, result.year) == ("3203", "Asker", ("3025",), year)
    text = result.files[f"population_{year}.csv"]
    got = rows(text)
    with ASKER_SOURCE.open(newline="", encoding="utf-8") as fh:
        expected = by_age_sex([r for r in csv.DictReader(fh) if int(r["year"]) == year])  # 100–105 → 100+
    assert by_age_sex(got) == expected
    assert sum(expected.values()) == total == result.persons
    # the exact layout of the Asker example's base population: header, order, 3 decimals
    assert text.splitlines()[0] == "area,age,sex,persons"
    assert text.splitlines()[1] == ("asker,0,female,445.000" if year == 2021 else "asker,0,female,448.000")
    assert [(r["sex"], int(r["age"])) for r in got] == [(s, a) for s in ("female", "male") for a in range(101)]
    assert all(r["area"] == "asker" and r["persons"].endswith(".000") for r in got)


def test_asker_example_base_population_round_trips_by_age(tmp_path: Path):
    """JSON-stat of the example's own 2024 base (summed over areas) imports to the same totals by age and sex."""
    with ASKER_BASE.open(newline="", encoding="utf-8") as fh:
        base = list(csv.DictReader(fh))
    totals = by_age_sex(base)
    doc = json.loads((FIXTURES / "asker_07459_2020_2021.json").read_text(encoding="utf-8"))
    ages = [f"{a:03d}" if a < 100 else "100+" for a in range(101)]
    doc["size"] = [1, 2, 101, 1, 1]
    doc["dimension"]["Region"]["category"] = {"index": {"3203": 0}, "label": {"3203": "Asker"}}
    doc["dimension"]["Alder"]["category"] = {"index": {a: i for i, a in enumerate(ages)}}
    doc["dimension"]["Tid"]["category"] = {"index": {"2024": 0}}
    doc["value"] = [round(totals[(a, s)], 3) for s in ("male", "female") for a in range(101)]
    (tmp_path / "asker_2024.json").write_text(json.dumps(doc), encoding="utf-8")
    result = import_ssb(tmp_path / "asker_2024.json")
    imported = by_age_sex(rows(result.files["population_2024.csv"]))
    assert imported.keys() == totals.keys()
    assert all(abs(imported[k] - totals[k]) < 5e-4 for k in totals)
    assert round(sum(imported.values()), 3) == 97800


def test_area_shares_split_and_keep_totals_exactly(tmp_path: Path):
    (tmp_path / "areas.csv").write_text("area,share\nvest,0.3333\nost,0.6667\n", encoding="utf-8")
    result = import_ssb(FIXTURES / "asker_07459_2020_2021.json", area_shares=tmp_path / "areas.csv")
    got = rows(result.files["population_2021.csv"])
    assert {r["area"] for r in got} == {"vest", "ost"}
    whole = by_age_sex(rows(import_ssb(FIXTURES / "asker_07459_2020_2021.json").files["population_2021.csv"]))
    assert {k: round(v, 3) for k, v in by_age_sex(got).items()} == whole
    vest = sum(float(r["persons"]) for r in got if r["area"] == "vest")
    assert vest == pytest.approx(94915 * 0.3333, abs=1)
    (tmp_path / "bad.csv").write_text("area,share\nvest,0.3\nost,0.6\n", encoding="utf-8")
    (msg,) = problems(FIXTURES / "asker_07459_2020_2021.json", area_shares=tmp_path / "bad.csv")
    assert "bad.csv: found a sum of 0.9 over 2 areas; expected area shares that sum to 1" in msg


# ----------------------------------------------------------------------------- small hand-written files


def test_choose_a_municipality_year_and_max_age():
    (msg,) = problems(FIXTURES / "two_municipalities.json", max_age=3)
    assert "dimension 'Region': found 2 municipalities: 3203 Asker; 3201 Bærum" in msg
    result = import_ssb(FIXTURES / "two_municipalities.json", municipality="3201", max_age=2)
    assert (result.name, result.year) == ("Bærum", 2024)  # the latest year
    got = rows(result.files["population_2024.csv"])
    # ages 2 and 3 are summed into the open class 2+; the total category '999D' is dropped
    assert [(r["area"], r["age"], r["sex"], r["persons"]) for r in got] == [
        ("baerum", "0", "female", "150.000"),
        ("baerum", "1", "female", "151.000"),
        ("baerum", "2", "female", "305.000"),
        ("baerum", "0", "male", "120.000"),
        ("baerum", "1", "male", "121.000"),
        ("baerum", "2", "male", "245.000"),
    ]
    old = import_ssb(FIXTURES / "two_municipalities.json", municipality="0219", max_age=3, year=2023)
    assert (old.municipality, old.persons) == ("3201", 1012)  # Bærum's code before 2020 maps to 3201


def test_unknown_municipality_code_is_an_error():
    (msg,) = problems(FIXTURES / "two_municipalities.json", municipality="9999", max_age=3)
    assert "two_municipalities.json: dimension 'Region': found --municipality '9999'" in msg
    assert "expected a municipality code in the file" in msg and "3203 Asker; 3201 Bærum" in msg
    (msg,) = problems(FIXTURES / "two_municipalities.json", municipality="0220", max_age=3, year=2022)
    assert "found --year 2022; expected a year with figures for municipality 3203: 2023–2024" in msg


def test_history_is_summed_across_the_merger():
    f = FIXTURES / "merger_history.json"
    y2019 = import_ssb(f, max_age=2, year=2019)
    assert (y2019.municipality, y2019.codes) == ("3203", ("0220", "0627", "0628"))
    # 0220 + 0627 + 0628 with factors 1, 2, 3: men aged 0 = 6, women +100 each
    assert rows(y2019.files["population_2019.csv"])[0] == {
        "area": "asker",
        "age": "0",
        "sex": "female",
        "persons": "306.000",
    }
    y2020 = import_ssb(f, max_age=2, year=2020)
    assert y2020.codes == ("3025",) and y2020.persons == 420
    latest = import_ssb(f, max_age=2)
    assert (latest.year, latest.codes, latest.persons) == (2024, ("3203",), 540)


def test_code_table_maps_the_asker_merger():
    codes = load_code_table()
    assert [codes.current(c) for c in ("0220", "0627", "0628", "3025", "3203")] == ["3203"] * 5
    assert codes.history("3203") == ["3025", "0628", "0627", "0220"]
    assert codes.current("0213") == codes.current("0217") == "3207"  # Ski + Oppegård → Nordre Follo
    assert CODE_TABLE.is_file()
    assert slug("Nordre Follo") == "nordre_follo" and slug("Bærum") == "baerum" and slug("Ås") == "as"


def test_projection_gives_control_totals_per_variant(tmp_path: Path):
    result = import_ssb(FIXTURES / "projection_13600.json", from_year=2025)
    assert result.variants == ("MMMM", "LLML", "HHMH")
    assert result.files["control_totals_MMMM.csv"] == "year,persons\n2025,816.000\n2026,876.000\n"
    assert result.files["control_totals_HHMH.csv"] == "year,persons\n2025,882.000\n2026,1002.000\n"
    # the same with the variant in a dimension of its own ("Alternativ")
    doc = json.loads((FIXTURES / "projection_13600.json").read_text(encoding="utf-8"))
    variants = doc["dimension"].pop("ContentsCode")
    doc["dimension"]["Alternativ"] = {
        "label": "alternativ",
        "category": {
            "index": {"1": 0, "2": 1, "3": 2},
            "label": dict(zip("123", variants["category"]["label"].values(), strict=True)),
        },
    }
    doc["dimension"]["ContentsCode"] = {"label": "statistikkvariabel", "category": {"index": {"Personer": 0}}}
    doc["id"] = ["Region", "Kjonn", "Alder", "Alternativ", "Tid", "ContentsCode"]
    doc["size"] = [1, 2, 3, 3, 3, 1]
    (tmp_path / "alt.json").write_text(json.dumps(doc), encoding="utf-8")
    other = import_ssb(tmp_path / "alt.json", from_year=2025)
    assert other.files == result.files


# ----------------------------------------------------------------------------- bad files


def test_file_without_an_age_dimension_is_named():
    (msg,) = problems(FIXTURES / "no_age.json")
    assert msg.startswith(str(FIXTURES / "no_age.json") + ": found dimensions Region ('region', 1 category), Kjonn")
    assert "expected an age dimension (Alder" in msg


def test_missing_ages_and_open_class_below_max_age():
    (msg,) = problems(FIXTURES / "two_municipalities.json", municipality="3203", max_age=5)
    assert "dimension 'Alder': found no ages 4–5; expected every single age 0…5" in msg
    (msg,) = problems(FIXTURES / "merger_history.json", max_age=4)
    assert "found an open age class 2+; expected single ages up to at least --max-age 4" in msg


def test_not_jsonstat2(tmp_path: Path):
    (tmp_path / "v1.json").write_text('{"dataset": {"dimension": {}}}', encoding="utf-8")
    (msg,) = problems(tmp_path / "v1.json")
    assert "found JSON-stat 1.x" in msg and "expected a JSON-stat 2.0 dataset" in msg
    (tmp_path / "broken.json").write_text('{"class": "dataset",\n "id": [}', encoding="utf-8")
    (msg,) = problems(tmp_path / "broken.json")
    assert "broken.json, line 2: found invalid JSON" in msg


# ----------------------------------------------------------------------------- command line


def test_cli_import_ssb_writes_the_tables(tmp_path: Path):
    res = CliRunner().invoke(
        cli(), ["import", "ssb", str(FIXTURES / "asker_07459_2020_2021.json"), "--out", str(tmp_path)]
    )
    assert res.exit_code == 0, res.output
    assert "3203 Asker (from 3025): 94,915 persons on 1 January 2021" in res.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["population_2021.csv"]
    res = CliRunner().invoke(
        cli(), ["import", "ssb", str(FIXTURES / "projection_13600.json"), "-o", str(tmp_path / "p")]
    )
    assert res.exit_code == 0, res.output
    assert sorted(p.name for p in (tmp_path / "p").iterdir()) == [
        "control_totals_HHMH.csv",
        "control_totals_LLML.csv",
        "control_totals_MMMM.csv",
    ]


@pytest.mark.parametrize(
    "args, message",
    [
        (["no_age.json"], "expected an age dimension"),
        (["two_municipalities.json", "--municipality", "9999", "--max-age", "3"], "found --municipality '9999'"),
        (["two_municipalities.json", "--area", "Asker Sentrum"], "--area: found 'Asker Sentrum'"),
    ],
)
def test_cli_bad_input_exits_2_and_writes_nothing(tmp_path: Path, args: list[str], message: str):
    out = tmp_path / "out"
    res = CliRunner().invoke(cli(), ["import", "ssb", str(FIXTURES / args[0]), *args[1:], "--out", str(out)])
    assert res.exit_code == 2
    assert message in res.output and "Nothing was written." in res.output
    assert not out.exists()
