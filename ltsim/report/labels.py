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
