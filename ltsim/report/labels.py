"""Labels (nb/en) of the report's sections for ``ltsim plan`` and ``ltsim optimize`` (merged into i18n.LABELS)."""

from __future__ import annotations

# the section "needs beyond the programme" (ltsim plan, ltsim/report/figures/plan.py)
PLAN_LABELS: dict[str, dict[str, str]] = {
    "plan_section": {
        "nb": "Investeringsbehov utover handlingsprogrammet",
        "en": "Investment needs beyond the programme",
    },
    "plan_caption": {
        "nb": "Byggene ltsim plan valgte (type, sone, start) under gjeldsgradtaket, med handlingsprogrammets "
        "prosjekter flyttet der det trengs; kostnad og plassår de lukker. Forutsetninger: plan_types.csv og "
        "plan_sites.csv.",
        "en": "The builds ltsim plan chose (type, zone, start) under the debt-ratio ceiling, with the programme's "
        "projects moved where needed; their cost and the place-years they close. Assumptions: plan_types.csv "
        "and plan_sites.csv.",
    },
    "plan_timeline": {"nb": "Valgte bygg: start → i drift", "en": "Chosen builds: start → in service"},
    "plan_debt": {"nb": "Gjeldsgrad med og uten de valgte byggene", "en": "Debt ratio with and without the builds"},
    "plan_with": {"nb": "med planen", "en": "with the plan"},
    "plan_without": {"nb": "uten nye bygg", "en": "without new builds"},
    "plan_investment": {
        "nb": "Investering per år: planen (søyler) og behovet uten tak (linje), mill. kr",
        "en": "Investment per year: the plan (bars) and the need without a ceiling (line), NOK million",
    },
    "plan_needed": {"nb": "behov uten tak", "en": "need without a ceiling"},
    "plan_tradeoff": {
        "nb": "Plassår som mangler ved ulike gjeldsgradtak",
        "en": "Place-years short at each debt-ratio ceiling",
    },
    "plan_closure": {"nb": "nedleggelse", "en": "closure"},
    "plan_found": {
        "nb": "Investeringsbehovet uten tak, finansieringsgapet og avveiingen er funnet av ltsim plan den",
        "en": "The need without a ceiling, the affordability gap and the trade-off were found by ltsim plan on",
    },
    "plan_mip_gap": {"nb": "MIP-gap", "en": "MIP gap"},
    "plan_stale": {
        "nb": "Scenariet er endret siden (tabeller eller innstillinger planen ikke setter): kjør ltsim plan på nytt.",
        "en": "The scenario has changed since (tables or settings the plan does not set): run ltsim plan again.",
    },
    "plan_builds": {"nb": "bygg", "en": "builds"},
    "plan_closures": {"nb": "nedleggelser", "en": "closures"},
    "plan_cost": {"nb": "brutto kostnad", "en": "gross cost"},
    "plan_gap": {"nb": "finansieringsgap (behov − plan)", "en": "affordability gap (need − plan)"},
    "plan_highest": {"nb": "høyeste gjeldsgrad", "en": "highest debt ratio"},
    "plan_start": {"nb": "start", "en": "start"},
    "plan_ready": {"nb": "i drift", "en": "in service"},
    "plan_what": {"nb": "tiltak", "en": "measure"},
    "plan_where": {"nb": "tjeneste / sone", "en": "service / zone"},
    "plan_closed": {"nb": "plassår lukket", "en": "place-years closed"},
    "other": {"nb": "annet", "en": "other"},
    "plan_lever_ndr": {
        "nb": "netto driftsresultat minst (% av inntektene)",
        "en": "net operating result at least (% of revenue)",
    },
    "plan_lever_savings": {"nb": "mer omstilling per år (mill. kr)", "en": "more savings a year (NOK million)"},
    "plan_levers": {"nb": "Hva andre grep gir (ett om gangen)", "en": "What other levers buy (one at a time)"},
    "plan_lever": {"nb": "grep", "en": "lever"},
    "plan_value": {"nb": "verdi", "en": "value"},
    "investment": {"nb": "investering", "en": "investment"},
}

# the optimised plan's answer, first in its report (ltsim optimize, ltsim.optimize.answer)
OPTIMISED_LABELS: dict[str, dict[str, str]] = {
    "optimised_plan": {"nb": "Optimert plan", "en": "Optimised plan"},
    "answer_title": {
        "nb": "Svaret: planen som vedtatt mot den optimerte",
        "en": "The answer: the plan as written vs optimised",
    },
    "answer_lead": {
        "nb": "Denne rapporten viser den optimerte planen: ltsim optimize har flyttet {n} prosjekter for å holde "
        "gjeldsgraden under taket på {ceiling}. Planen som vedtatt er over taket i {plan_over} år, den optimerte i "
        "{opt_over}; den optimerte planen gir {added} flere plassår som mangler ({plan_short} → {opt_short}).",
        "en": "This report shows the optimised plan: ltsim optimize moved {n} projects to keep the debt ratio under "
        "its ceiling of {ceiling}. The plan as written is over the ceiling in {plan_over} years, the optimised plan in "
        "{opt_over}; the optimised plan adds {added} place-years short ({plan_short} → {opt_short}).",
    },
    "answer_chart": {
        "nb": "Gjeldsgrad: planen som vedtatt og den optimerte (% av brutto driftsinntekter)",
        "en": "Debt ratio: the plan as written and optimised (% of gross operating revenue)",
    },
    "plan_written": {"nb": "planen som vedtatt", "en": "plan as written"},
    "plan_optimised": {"nb": "optimert plan", "en": "optimised plan"},
    "lowest_reachable": {
        "nb": "lavest noen plan kan nå",
        "en": "lowest any schedule reaches",
    },
    "moves_title": {"nb": "Flyttingene", "en": "The moves"},
    "moves_caption": {
        "nb": "Hvert prosjekt optimeringen flyttet: fra → til (startår), og hvorfor: hva flyttingen alene frigjør "
        "under taket, eller plassene den gir tidligere.",
        "en": "Each project the optimiser moved: from → to (start year), and why: what the move on its own frees "
        "under the ceiling, or the places it gives sooner.",
    },
    "from_to": {"nb": "fra → til", "en": "from → to"},
    "why": {"nb": "hvorfor", "en": "why"},
    "not_planned": {"nb": "ikke i planen", "en": "not planned"},
    "why_frees_headroom": {
        "nb": "frigjør {mnok} mill. kr under taket i {year}",
        "en": "frees NOK {mnok} million under the ceiling in {year}",
    },
    "why_costs_places": {"nb": "; koster {n} plassår", "en": "; costs {n} place-years short"},
    "why_fewer_short": {"nb": "{n} færre plassår som mangler", "en": "{n} fewer place-years short"},
    "why_tie": {
        "nb": "koster og frigjør ingenting alene (en av like gode planer)",
        "en": "neither costs nor frees anything on its own (one of equally good schedules)",
    },
    "over_title": {"nb": "År over taket, og hvorfor", "en": "Years over the ceiling, and why"},
    "why_debt_drawn": {
        "nb": "kan ikke rettes: årets gjeld er allerede tatt opp (ingen plan kommer under {lowest})",
        "en": "cannot be fixed: the year's debt is already drawn (no schedule brings it below {lowest})",
    },
    "why_fixed_debt": {
        "nb": "kan ikke rettes: lån som er tatt opp og prosjekter som ikke kan flyttes holder den på minst {lowest}",
        "en": "cannot be fixed: loans drawn and projects that cannot move keep it at {lowest} or more",
    },
    "why_trade_off": {
        "nb": "kunne holdes (lavest mulig {lowest}), men det koster mer enn bruddet",
        "en": "could be held (lowest reachable {lowest}), but holding it costs more than the breach",
    },
    "no_moves": {
        "nb": "Ingen flyttinger: planen som vedtatt er optimal.",
        "en": "No moves: the plan as written is optimal.",
    },
}

# the backtest page (ltsim backtest, ltsim/report/backtest.py)
BACKTEST_LABELS: dict[str, dict[str, str]] = {
    "bt_title": {"nb": "Tilbakeprøving", "en": "Backtest"},
    "bt_meta": {
        "nb": "framskrevet fra 1. januar {base}, sammenlignet med observert {first}–{last}",
        "en": "projected from 1 January {base}, compared with observed {first}–{last}",
    },
    "bt_summary": {"nb": "Sammendrag", "en": "Summary"},
    "bt_over_time": {"nb": "Framskrevet mot observert", "en": "Projected against observed"},
    "bt_errors": {"nb": "Avvik per år og aldersgruppe", "en": "Errors by year and age group"},
    "bt_accuracy": {"nb": "Treffsikkerhet per aldersgruppe", "en": "Accuracy by age group"},
    "bt_method": {"nb": "Metode", "en": "Method"},
    "bt_calibration": {"nb": "Kalibrering", "en": "Calibration"},
    "bt_total_error": {"nb": "Avvik i folketallet {year}", "en": "Error in the population {year}"},
    "bt_mape_total": {"nb": "MAPE, folketallet", "en": "MAPE, population"},
    "bt_worst": {"nb": "Største MAPE (aldersgruppe)", "en": "Largest MAPE (age group)"},
    "bt_observed_total": {"nb": "Observert {year}", "en": "Observed {year}"},
    "bt_projected": {"nb": "framskrevet", "en": "projected"},
    "bt_observed": {"nb": "observert", "en": "observed"},
    "bt_observed_before": {"nb": "observert, til og med basisåret", "en": "observed, up to the base year"},
    "bt_error_pct_chart": {
        "nb": "Avvik i prosent per aldersgruppe (framskrevet − observert)",
        "en": "Error in per cent by age group (projected − observed)",
    },
    "bt_error_pct": {"nb": "avvik %", "en": "error %"},
    "bt_error": {"nb": "avvik", "en": "error"},
    "bt_year": {"nb": "år", "en": "year"},
    "bt_area": {"nb": "område", "en": "area"},
    "bt_age_group": {"nb": "aldersgruppe", "en": "age group"},
    "bt_years": {"nb": "år sammenlignet", "en": "years compared"},
    "bt_mape": {"nb": "MAPE %", "en": "MAPE %"},
    "bt_bias": {"nb": "skjevhet %", "en": "bias %"},
    "bt_max": {"nb": "største |avvik| %", "en": "largest |error| %"},
    "bt_total": {"nb": "i alt", "en": "total"},
    "bt_whole": {"nb": "hele kommunen", "en": "the whole municipality"},
    "bt_ages": {"nb": "{g} år", "en": "ages {g}"},
    "bt_matrix_caption": {
        "nb": "Avvik i prosent av observert (framskrevet − observert) for {area}. Farge: grønn under 2,5 %, gul "
        "2,5–7,5 %, rød over 7,5 % i absoluttverdi. Hold pekeren over en celle for tallene.",
        "en": "Error in per cent of observed (projected − observed) for {area}. Colour: green below 2.5 %, amber "
        "2.5–7.5 %, red above 7.5 % in absolute value. Hover a cell for the figures.",
    },
    "bt_detail": {"nb": "Alle år, områder og aldersgrupper", "en": "Every year, area and age group"},
    "bt_accuracy_caption": {
        "nb": "MAPE: gjennomsnittlig absolutt avvik i prosent over årene; skjevhet: gjennomsnittlig avvik i prosent "
        "(negativ: framskrivingen er for lav).",
        "en": "MAPE: mean absolute percentage error over the years; bias: mean percentage error (negative: the "
        "projection is too low).",
    },
    "bt_method_text": {
        "nb": "Befolkningen er framskrevet med scenarioets rater fra den observerte befolkningen 1. januar {base} "
        "(kohort-komponentmodellen, samme som ltsim run) og summert i aldersgruppene tjenestene bruker. For hvert "
        "senere år i den observerte filen: avvik = framskrevet − observert; avvik % = 100 · avvik / observert; "
        "MAPE = gjennomsnittet av |avvik %| over årene; skjevhet = gjennomsnittet av avvik %. Slik rapporterer "
        "SSBs og GLAs etterprøvinger treffsikkerhet (Keilman, Journal of Official Statistics 13, 1997).",
        "en": "The population is projected with the scenario's rates from the observed population of 1 January "
        "{base} (the cohort-component model, as in ltsim run) and summed into the age groups services use. For "
        "each later year of the observed file: error = projected − observed; error % = 100 · error / observed; "
        "MAPE = mean of |error %| over the years; bias = mean of error %. This is how the accuracy reviews of "
        "Statistics Norway and the GLA report it (Keilman, Journal of Official Statistics 13, 1997).",
    },
    "bt_observed_file": {"nb": "Observert", "en": "Observed"},
    "bt_scenario_file": {"nb": "Scenariofil", "en": "Scenario file"},
    "bt_cal_text": {
        "nb": "Scenarioet er kalibrert av ltsim calibrate på observert befolkning {history} ({flows} ettårige "
        "kohortendringer); senere år ble aldri lest ({ignored}). Hver kohortendring sammenlignes med en ettårig "
        "framskriving fra den observerte bestanden; parameterne er funnet med minste kvadraters metode "
        "(residualmetoden for nettoflytting, Preston, Heuveline og Guillot, Demography, 2001, kap. 6).",
        "en": "The scenario was calibrated by ltsim calibrate on the observed population {history} ({flows} "
        "one-year cohort changes); later years were never read ({ignored}). Each cohort change is compared with a "
        "one-year projection from the observed stock; the parameters are found by least squares (the residual "
        "method of net migration, Preston, Heuveline and Guillot, Demography, 2001, ch. 6).",
    },
    "bt_no_calibration": {
        "nb": "Ingen kalibrering funnet ved scenariofilen (calibration.csv og fit.csv): scenarioets egne verdier.",
        "en": "No calibration found beside the scenario file (calibration.csv and fit.csv): the scenario's own values.",
    },
    "bt_parameter": {"nb": "parameter", "en": "parameter"},
    "bt_start": {"nb": "scenarioets verdi", "en": "scenario's value"},
    "bt_fitted": {"nb": "tilpasset", "en": "fitted"},
    "bt_se": {"nb": "standardfeil", "en": "standard error"},
    "bt_jackknife": {"nb": "utelat-ett-år-spredning", "en": "leave-one-year-out spread"},
    "bt_unit": {"nb": "enhet", "en": "unit"},
    "bt_fit_stats": {"nb": "Tilpasningen", "en": "The fit"},
    "bt_statistic": {"nb": "størrelse", "en": "statistic"},
    "bt_value": {"nb": "verdi", "en": "value"},
    "bt_ignored_none": {"nb": "ingen senere år i filen", "en": "no later years in the file"},
    "bt_n_parameters": {"nb": "{n} parametere", "en": "{n} parameters"},
    "bt_in_bands": {"nb": "innflyttere per aldersgruppe", "en": "in-migrants by age band"},
}
"""Labels of the backtest page; ``{…}`` fields are filled by :mod:`ltsim.report.backtest`."""

BACKTEST_PARAMETERS: dict[str, dict[str, str]] = {
    "fertility_scale": {"nb": "fruktbarhetsnivå (multiplikator)", "en": "fertility level (multiplier)"},
    "mortality_scale": {"nb": "dødelighetsnivå (multiplikator)", "en": "mortality level (multiplier)"},
    "out_scale": {"nb": "utflyttingsnivå (multiplikator)", "en": "out-migration level (multiplier)"},
    "tfr": {"nb": "samlet fruktbarhet (SFT)", "en": "total fertility rate (TFR)"},
    "in": {"nb": "innflyttere {band} år per år, {area}", "en": "in-migrants aged {band} a year, {area}"},
    "in_level": {"nb": "innflyttere per år i alt, {area}", "en": "in-migrants a year in all, {area}"},
    "in_rate": {"nb": "innflyttere per innbygger per år, {area}", "en": "in-migrants per resident a year, {area}"},
    "out_scale_area": {"nb": "utflyttingsnivå, {area}", "en": "out-migration level, {area}"},
    "fertility_scale_area": {"nb": "fruktbarhetsnivå, {area}", "en": "fertility level, {area}"},
    "tfr_area": {"nb": "samlet fruktbarhet (SFT), {area}", "en": "total fertility rate (TFR), {area}"},
}
"""Names of calibration.csv's parameters (``in:<area>:<band>``, ``in_level:<area>``, ``out_scale:<area>``)."""

BACKTEST_STATISTICS: dict[str, dict[str, str]] = {
    "observed_file": {"nb": "observert fil", "en": "observed file"},
    "history": {"nb": "historikk brukt", "en": "history used"},
    "flows": {"nb": "ettårige kohortendringer", "en": "one-year cohort changes"},
    "ignored_after_until": {"nb": "år etter --until, ikke lest", "en": "years after --until, not read"},
    "compared": {"nb": "sammenlignet", "en": "compared"},
    "cells": {"nb": "celler (år × alder [× kjønn])", "en": "cells (year × age [× sex])"},
    "parameters": {"nb": "parametere", "en": "parameters"},
    "rmse_persons": {"nb": "RMSE per celle, personer", "en": "RMSE per cell, persons"},
    "rmse_persons_scenario_values": {
        "nb": "RMSE per celle med scenarioets egne verdier",
        "en": "RMSE per cell with the scenario's own values",
    },
    "r_squared": {"nb": "R² for kohortendringene", "en": "R² of the cohort changes"},
    "condition_number": {"nb": "kondisjonstall", "en": "condition number"},
    "sex_split": {"nb": "kjønnsfordeling", "en": "sex split"},
    "in_bands": {"nb": "aldersgrupper for innflytting", "en": "age bands of in-migration"},
    "in_migration": {"nb": "innflytting", "en": "in-migration"},
    "holdout_fitted": {"nb": "kontroll: tilpasset på", "en": "holdout: fitted on"},
    "holdout_checked": {"nb": "kontroll: framskrevet og sammenlignet", "en": "holdout: projected and compared"},
    "holdout_mape_groups_last_year": {
        "nb": "kontroll: MAPE over aldersgruppene siste år, %",
        "en": "holdout: MAPE over the age groups in the last year, %",
    },
    "holdout_mape_groups": {
        "nb": "kontroll: MAPE over aldersgrupper og år, %",
        "en": "holdout: MAPE over the age groups and years, %",
    },
    "holdout_total_error_pct_last_year": {
        "nb": "kontroll: avvik i folketallet siste år, %",
        "en": "holdout: error in the population in the last year, %",
    },
    "net_error": {"nb": "nettoavvik {years}, personer", "en": "net error {years}, persons"},
    "net_error_start": {
        "nb": "nettoavvik {years} med scenarioets verdier",
        "en": "net error {years} with the scenario's values",
    },
}
"""Names of fit.csv's statistics (``net_error_<y>_<y+1>`` and ``…_scenario_values`` by year)."""
