"""Bad-input corpus: broken, mis-shaped or hostile SSB files and outputs that cannot be written.

Each case writes one bad file (a JSON-stat document, an --areas or --codes CSV) or names a bad --out,
and asserts with :func:`badinput.refused` that ``ltsim import ssb`` exits 2, names the file and what is
expected, and writes nothing.
"""

from __future__ import annotations

import copy
import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from badinput import refused

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "ssb"
BASE = json.loads((FIXTURES / "two_municipalities.json").read_text(encoding="utf-8"))
ARGS = ["--municipality", "3201", "--max-age", "2"]  # the fixture imports cleanly with these


def doc(change: Callable[[dict[str, Any]], Any]) -> Callable[[Path], Path]:
    """A case: the good fixture with ``change`` applied (it edits the document in place)."""

    def make(tmp: Path) -> Path:
        d = copy.deepcopy(BASE)
        change(d)
        path = tmp / "ssb.json"
        path.write_text(json.dumps(d), encoding="utf-8")
        return path

    return make


def raw(data: bytes | str, name: str = "ssb.json") -> Callable[[Path], Path]:
    def make(tmp: Path) -> Path:
        path = tmp / name
        path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
        return path

    return make


def setitem(key: str, value: Any) -> Callable[[dict[str, Any]], None]:
    return lambda d: d.__setitem__(key, value)


def category(dim: str, **change: Any) -> Callable[[dict[str, Any]], None]:
    return lambda d: d["dimension"][dim]["category"].update(change)


def _sparse(tmp: Path) -> Path:
    path = tmp / "huge.json"
    with path.open("wb") as fh:
        fh.truncate(201 * 2**20)  # a sparse file: nothing is really written
    return path


def _folder(tmp: Path) -> Path:
    (tmp / "ssb.json").mkdir()
    return tmp / "ssb.json"


DEEP = "[" * 200_000 + "]" * 200_000
JSON_CASES: dict[str, tuple[Callable[[Path], Path], list[str]]] = {
    # name: (make the file, what the message must mention besides the file name and "expected")
    "deeply_nested_list": (raw(DEEP), ["nested too deeply", "a few levels"]),
    "deeply_nested_in_dataset": (
        raw('{"class": "dataset", "id": ' + DEEP + "}"),
        ["nested too deeply", "JSON-stat 2.0 document"],
    ),
    "values_are_strings": (
        doc(lambda d: d.__setitem__("value", [str(v) for v in d["value"]])),
        ["value[0]", "a string", "a number of persons or null"],
    ),
    "value_is_boolean": (doc(lambda d: d["value"].__setitem__(3, True)), ["value[3]", "a boolean", "a number"]),
    "value_is_object_in_list": (doc(lambda d: d["value"].__setitem__(5, {"x": 1})), ["value[5]", "an object"]),
    "value_absurd_number": (doc(lambda d: d["value"].__setitem__(7, 1e300)), ["value[7]", "a number of persons"]),
    "value_nan_literal": (
        raw(json.dumps(BASE).replace('"value": [', '"value": [NaN, ', 1)),
        ["NaN", "numbers or null"],
    ),
    "too_few_values": (doc(lambda d: d["value"].pop()), ["value", "39 values", "40 values (the product of size"]),
    "too_many_values": (doc(lambda d: d["value"].append(1)), ["value", "41 values", "each a number or null"]),
    "value_is_text": (doc(setitem("value", "1,2,3")), ["value", "a string", "40 values"]),
    "value_key_out_of_range": (
        doc(setitem("value", {"0": 1, "400": 2})),
        ["value", "'400'", "positions 0…39"],
    ),
    "size_does_not_match_categories": (
        doc(setitem("size", [2, 2, 4, 1, 2])),
        ["dimension 'Alder'", "5 categories", "as many categories as size gives"],
    ),
    "size_not_a_list": (doc(setitem("size", 40)), ["size", "a number 40", "category counts"]),
    "size_length_differs": (doc(setitem("size", [2, 2, 5, 1])), ["size", "[2, 2, 5, 1]", "5 category counts"]),
    "size_negative": (doc(setitem("size", [2, 2, 5, 1, -2])), ["size", "category counts"]),
    "absurd_sizes": (
        doc(setitem("size", [100_000, 2, 5_000, 1, 200])),
        ["size", "200,000,000,000 cells", "at most 20,000,000 cells"],
    ),
    "id_not_a_list": (doc(setitem("id", "Region")), ["id", "a string 'Region'", "list of dimension ids"]),
    "id_repeated": (
        doc(setitem("id", ["Region", "Kjonn", "Alder", "Kjonn", "Tid"])),
        ["id", "each dimension id once"],
    ),
    "dimension_missing": (doc(lambda d: d["dimension"].pop("Kjonn")), ["dimension 'Kjonn'", "no such dimension"]),
    "dimension_not_an_object": (doc(setitem("dimension", [])), ["dimension", "a list", "an object of dimensions"]),
    "category_missing": (
        doc(lambda d: d["dimension"]["Tid"].pop("category")),
        ["dimension 'Tid'", "no category", "with a category"],
    ),
    "index_positions_wrong": (
        doc(category("Tid", index={"2023": 0, "2024": 2})),
        ["dimension 'Tid': category.index", "[0, 2]", "positions 0…1"],
    ),
    "index_is_number": (doc(category("Tid", index=7)), ["dimension 'Tid': category.index", "a number 7"]),
    "index_repeats_a_code": (
        doc(category("Tid", index=["2024", "2024"])),
        ["dimension 'Tid'", "each category code once"],
    ),
    "labels_not_an_object": (doc(category("Kjonn", label=["menn"])), ["dimension 'Kjonn'", "category labels"]),
    "role_not_lists": (doc(setitem("role", {"time": "Tid"})), ["role", "lists of dimension ids"]),
    "missing_value_key": (doc(lambda d: d.pop("value")), ["no value", "keys id, size, dimension and value"]),
    "a_json_list": (raw("[1, 2, 3]"), ["a JSON list", "JSON-stat 2.0 dataset"]),
    "latin1_file": (raw(json.dumps(BASE, ensure_ascii=False).encode("latin-1")), ["line 1", "not UTF-8", "UTF-8"]),
    "empty_file": (raw(b""), ["an empty file", "JSON-stat 2.0 document"]),
    "blank_file": (raw(b" \n\n\t "), ["an empty file"]),
    "truncated_json": (raw(json.dumps(BASE)[:300]), ["line 1", "invalid JSON"]),
    "binary_file": (raw(bytes(range(256)) * 4), ["not UTF-8"]),
    "absurd_file_size": (_sparse, ["210,763,776 bytes", "at most 200 MB"]),
    "folder": (_folder, ["a folder", "a JSON-stat file"]),
}


@pytest.mark.parametrize("case", list(JSON_CASES))
def test_bad_jsonstat_is_refused(tmp_path: Path, case: str):
    make, mentions = JSON_CASES[case]
    src = make(tmp_path)
    args = ["import", "ssb", str(src), *ARGS, "--out", str(tmp_path / "out")]
    refused(args, mentions=[src.name, *mentions, "expected"], watch=tmp_path)


def test_deep_nesting_leaves_the_interpreter_usable(tmp_path: Path):
    """After a RecursionError is turned into a message, ordinary imports still work."""
    refused(["import", "ssb", str(raw(DEEP)(tmp_path)), "--out", str(tmp_path / "o")], ["nested"], tmp_path)
    from ltsim.io.ssb import import_ssb

    assert import_ssb(FIXTURES / "two_municipalities.json", municipality="3201", max_age=2).persons > 0


# ----------------------------------------------------------------------------- CSV files beside the JSON

CSV_CASES: dict[str, tuple[str, bytes, list[str]]] = {
    # name: (option, content, mentions)
    "areas_latin1": (
        "--areas",
        "area,share\nøst,0.5\nvest,0.5\n".encode("latin-1"),
        ["row 2", "not UTF-8", "CSV UTF-8"],
    ),
    "areas_empty": ("--areas", b"", ["row 1", "an empty file", "area, share"]),
    "areas_nul": ("--areas", b"area,share\n\0\0\0\n", ["--areas", "binary file", "a CSV text file"]),
    "areas_huge_field": (
        "--areas",
        b"area,share\n" + b"a" * 200_000 + b",1\n",
        ["field larger"],
    ),
    "codes_latin1": (
        "--codes",
        "old_code,new_code,valid_from,name\n0219,3024,2020,Bærum\n".encode("latin-1"),
        ["row 2", "not UTF-8"],
    ),
    "codes_utf16": (
        "--codes",
        "old_code,new_code,valid_from,name\n".encode("utf-16"),
        ["--codes", "a UTF-16 text file", "in UTF-8"],
    ),
}


@pytest.mark.parametrize("case", list(CSV_CASES))
def test_bad_csv_beside_the_json_is_refused(tmp_path: Path, case: str):
    option, content, mentions = CSV_CASES[case]
    src = tmp_path / "table.csv"
    src.write_bytes(content)
    args = ["import", "ssb", str(FIXTURES / "two_municipalities.json"), *ARGS, option, str(src)]
    refused([*args, "--out", str(tmp_path / "out")], mentions=["table.csv", *mentions, "expected"], watch=tmp_path)


def test_areas_that_is_a_folder_is_refused(tmp_path: Path):
    (tmp_path / "areas.csv").mkdir()
    args = ["import", "ssb", str(FIXTURES / "two_municipalities.json"), *ARGS, "--areas", str(tmp_path / "areas.csv")]
    refused([*args, "--out", str(tmp_path / "o")], ["areas.csv", "--areas", "a folder", "expected a CSV"], tmp_path)


# ----------------------------------------------------------------------------- outputs


def _file(tmp: Path) -> Path:
    (tmp / "out").write_text("not a folder", encoding="utf-8")
    return tmp / "out"


def _parent_file(tmp: Path) -> Path:
    (tmp / "plain.txt").write_text("x", encoding="utf-8")
    return tmp / "plain.txt" / "tables"


def _target_is_folder(tmp: Path) -> Path:
    (tmp / "out" / "population_2024.csv").mkdir(parents=True)
    return tmp / "out"


OUT_CASES = {
    "out_is_a_file": (_file, ["an existing file", "a folder to write the tables into"]),
    "out_parent_is_a_file": (_parent_file, ["plain.txt is a file", "parents are folders"]),
    "out_target_is_a_folder": (_target_is_folder, ["population_2024.csv", "an existing folder", "a file name"]),
    "out_in_sysfs": (lambda t: Path("/sys/ltsim-tables"), ["/sys", "--out"]),
}


@pytest.mark.parametrize("case", list(OUT_CASES))
def test_output_folder_that_cannot_be_written_is_refused(tmp_path: Path, case: str):
    if case == "out_in_sysfs" and not Path("/sys/kernel").is_dir():
        pytest.skip("no sysfs here")
    make, mentions = OUT_CASES[case]
    out = make(tmp_path)
    args = ["import", "ssb", str(FIXTURES / "two_municipalities.json"), *ARGS, "--out", str(out)]
    refused(args, mentions=[out.name, "--out", *mentions, "expected"], watch=tmp_path)


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write into a read-only folder")
def test_read_only_output_folder_is_refused(tmp_path: Path):
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o555)
    try:
        args = ["import", "ssb", str(FIXTURES / "two_municipalities.json"), *ARGS, "--out", str(locked / "t")]
        refused(args, mentions=["locked", "read-only", "expected"], watch=tmp_path)
    finally:
        locked.chmod(0o755)


def test_good_file_still_imports(tmp_path: Path):
    from typer.testing import CliRunner

    from ltsim.cli import app

    res = CliRunner().invoke(
        app, ["import", "ssb", str(FIXTURES / "two_municipalities.json"), *ARGS, "--out", str(tmp_path / "a" / "b")]
    )
    assert res.exit_code == 0, res.output
    assert [p.name for p in (tmp_path / "a" / "b").iterdir()] == ["population_2024.csv"]
