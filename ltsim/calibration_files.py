"""The files ``ltsim calibrate`` writes: calibration.csv, fit.csv, holdout.csv and calibrated.yaml (+ its profiles).

``calibrated.yaml`` is a scenario variant that ``extends:`` the calibrated scenario by a relative path
and carries only the fitted values (:class:`ltsim.calibrate.Calibration`).
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import yaml

from ltsim import stages
from ltsim.calibrate import Calibration
from ltsim.models.population import SEXES
from ltsim.scenario import Scenario
from ltsim.timeseries import YearSeries


def _scaled(series: YearSeries, factor: float) -> object:
    """A year series × factor, in the plain form a YAML file takes."""
    return YearSeries(tuple((y, round(v * factor, 6)) for y, v in series.points), series.method).to_json()


def output_files(scenario: Scenario, result: Calibration, out_dir: Path, observed_file: str) -> dict[str, str]:
    """The files ``ltsim calibrate`` writes: calibration.csv, fit.csv, calibrated.yaml (+ its profile table)."""
    fit = result.fit
    lines = ["parameter,start,fitted,std_error,jackknife_se,unit,held_at_zero"]
    units = {"out_scale": "multiplier", "fertility_scale": "multiplier"}
    units.update({f"out_scale:{a}": "multiplier" for a in scenario.area_ids})
    units.update({f"fertility_scale:{a}": "multiplier" for a in scenario.area_ids})
    in_unit = "per resident a year" if result.in_rate is not None else "persons a year"
    for i, name in enumerate(fit.names):
        unit = units.get(name, in_unit)
        held = "yes" if name in fit.fixed_at_zero else "no"
        lines.append(
            f"{name},{fit.start[i]:.6g},{fit.theta[i]:.6g},{fit.std_error[i]:.3g},{fit.jackknife_se[i]:.3g},{unit},{held}"
        )
    for ev in (result.births, result.deaths):
        if ev is not None:
            lines.append(f"{ev.name},1,{ev.scale:.6g},{ev.std_error:.3g},{ev.jackknife_se:.3g},multiplier,no")
    for area, rate in (result.in_rate or {}).items():
        lines.append(f"in_rate:{area},,{rate:.6g},,,per resident a year,no")
    for area, level in result.in_level.items():
        unit = f"persons a year ({result.years[-1]})" if result.in_rate is not None else "persons a year"
        lines.append(f"in_level:{area},,{level:.6g},,,{unit},no")
    lines.append(f"tfr,,{result.tfr:.4f},,,children per woman,no")
    base_by_area = stages.fertility_area_scale(scenario)
    for a, area in enumerate(scenario.area_ids):
        if area in result.fertility_scale_by_area:
            level = result.fertility_scale_by_area[area] * (1.0 if base_by_area is None else float(base_by_area[a]))
            lines.append(f"tfr:{area},,{result.tfr * level:.4f},,,children per woman,no")
    n_years = len(result.years) - 1
    stats = [
        ("observed_file", observed_file),
        ("history", f"{result.years[0]}-{result.years[-1]}"),
        ("flows", str(n_years)),
        ("ignored_after_until", " ".join(map(str, result.dropped_years)) or "none"),
        ("compared", "age and sex" if result.by_sex else "age (both sexes; sex split by the base population's ratio)"),
        ("cells", str(fit.n)),
        ("parameters", str(len(fit.names))),
        ("rmse_persons", f"{np.sqrt(fit.rss / fit.n):.4f}"),
        ("rmse_persons_scenario_values", f"{np.sqrt(fit.rss_start / fit.n):.4f}"),
        ("r_squared", f"{1 - fit.rss / fit.tss:.6f}" if fit.tss > 0 else "nan"),
        ("condition_number", f"{fit.condition:.4g}"),
    ]
    if result.sex_split != "base":
        stats.append(("sex_split", result.sex_split))
    if result.in_bands != "services":
        stats.append(("in_bands", f"{result.in_bands} year{'s' if result.in_bands != '1' else ''}"))
    if result.in_rate is not None:
        stats.append(("in_migration", "per resident of the area on 1 January (in_rate)"))
    if result.holdout is not None:
        h = result.holdout
        total = [r for r in h.rows if r[1] == "total"]
        groups = [r for r in h.rows if r[1] != "total" and r[5] == r[5]]
        last = [r for r in groups if r[0] == h.rows[-1][0]]
        stats.append(("holdout_fitted", f"{h.fitted[0]}-{h.fitted[1]}"))
        stats.append(("holdout_checked", f"{h.rows[0][0]}-{h.rows[-1][0]}"))
        stats.append(("holdout_mape_groups_last_year", f"{np.mean([abs(r[5]) for r in last]):.4f}"))
        stats.append(("holdout_mape_groups", f"{np.mean([abs(r[5]) for r in groups]):.4f}"))
        stats.append(("holdout_total_error_pct_last_year", f"{total[-1][5]:.4f}"))
    for ev in (result.births, result.deaths):
        if ev is None:
            continue
        kind = "births" if ev.name == "fertility_scale" else "deaths"
        stats.append((f"{kind}_years", " ".join(map(str, (result.event_years or {})[kind]))))
        stats.append((f"{kind}_rmse", f"{ev.rmse:.4f}"))
        stats.append((f"{kind}_rmse_scenario_values", f"{ev.rmse_start:.4f}"))
        for year, e, o in zip(
            (result.event_years or {})[kind], ev.expected.sum(axis=1), ev.observed.sum(axis=1), strict=True
        ):
            stats.append((f"{kind}_{year}", f"observed {o:.0f}, fitted {ev.scale * e:.1f}, scenario's {e:.1f}"))
    for t in range(n_years):
        year = int(result.years[t])
        stats.append((f"net_error_{year}_{year + 1}", f"{fit.residual_by_year[t]:.2f}"))
        stats.append((f"net_error_{year}_{year + 1}_scenario_values", f"{fit.residual_by_year_start[t]:.2f}"))
    for i, a in enumerate(fit.names):
        for j in range(i + 1, len(fit.names)):
            stats.append((f"correlation:{a}|{fit.names[j]}", f"{fit.correlation[i, j]:.4f}"))
    files = {
        "calibration.csv": "\n".join(lines) + "\n",
        "fit.csv": "statistic,value\n" + "".join(f"{k},{_csv_cell(v)}\n" for k, v in stats),
    }
    if result.holdout is not None:
        rows = ["year,age_group,projected,observed,error,error_pct"]
        rows += [
            f"{y},{g},{p:.1f},{o:.0f},{e:.1f},{pct:.2f}" if pct == pct else f"{y},{g},{p:.1f},{o:.0f},{e:.1f},"
            for y, g, p, o, e, pct in result.holdout.rows
        ]
        files["holdout.csv"] = "\n".join(rows) + "\n"
    files.update(_variant(scenario, result, out_dir))
    return files


def _csv_cell(text: str) -> str:
    return f'"{text}"' if any(c in text for c in ',"') else text


def _variant(scenario: Scenario, result: Calibration, out_dir: Path) -> dict[str, str]:
    cfg = scenario.config.population
    mig = cfg.migration
    migration: dict[str, object] = {
        "in_persons": {a: round(v, 3) for a, v in result.in_level.items()},
        "in_scale": 1.0,
    }
    if result.in_rate is not None:  # in-migration as a rate: no count, the rate per resident
        migration["in_persons"] = dict.fromkeys(result.in_rate, 0.0)
        migration["in_rate"] = {a: round(v, 9) for a, v in result.in_rate.items()}
    if "out_scale" in result.fit.names:
        migration["out_scale"] = _scaled(mig.out_scale, result.out_scale)
    if result.out_scale_by_area:
        migration["out_rate_scale_by_area"] = {
            a: round(mig.out_rate_scale_by_area.get(a, 1.0) * v, 6) for a, v in result.out_scale_by_area.items()
        }
    fertility: dict[str, object] = {"scale": _scaled(cfg.fertility.scale, result.fertility_scale)}
    if result.fertility_scale_by_area:
        before = cfg.fertility.scale_by_area or {}
        fertility["scale_by_area"] = {
            a: round(before.get(a, 1.0) * v, 6) for a, v in result.fertility_scale_by_area.items()
        }
    files: dict[str, str] = {}
    if result.in_profile:
        rows = ["profile,age,sex,share"]
        names = {a: f"calibrated_{a}" for a in result.in_profile}
        for area, shares in result.in_profile.items():
            rounded = np.round(shares, 12)
            big = np.unravel_index(np.argmax(rounded), rounded.shape)
            rounded[big] += 1.0 - rounded.sum()
            for s, sex in enumerate(SEXES):
                for age in range(shares.shape[1]):
                    rows.append(f"{names[area]},{age},{sex},{rounded[s, age]:.12f}")
        files["in_profiles_calibrated.csv"] = "\n".join(rows) + "\n"
        migration["in_profiles"] = "in_profiles_calibrated.csv"
        migration["in_profile"] = names[scenario.area_ids[0]]
        migration["in_profile_by_area"] = names
    extends = os.path.relpath(scenario.file, out_dir.resolve())
    fit = result.fit
    doc = {
        "extends": extends,
        "name": (scenario.name + "-calibrated")[:80],
        "description": (
            f"{scenario.name} with {', '.join(result.fitted)} fitted by ltsim calibrate to observed "
            f"population {result.years[0]}-{result.years[-1]} (RMSE {np.sqrt(fit.rss / fit.n):.2f} persons per "
            f"cell against {np.sqrt(fit.rss_start / fit.n):.2f} with the scenario's own values); see calibration.csv"
        ),
        "population": {
            "fertility": fertility,
            "migration": migration,
        },
    }
    if result.deaths is not None:
        doc["population"]["mortality"] = {"scale": _scaled(cfg.mortality.scale, result.mortality_scale)}  # type: ignore[index]
    header = (
        "# Written by ltsim calibrate: the scenario it extends, with the fitted values (calibration.csv, fit.csv).\n"
    )
    files["calibrated.yaml"] = header + yaml.safe_dump(doc, sort_keys=False, allow_unicode=True, width=110)
    return files
