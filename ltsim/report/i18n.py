"""Labels in Norwegian (bokmål) and English, and number formatting for reports.

``nb`` formats numbers the Norwegian way: a (no-break) space between thousands, a decimal comma and
the minus sign U+2212 (``−1 234,5``); ``en`` uses ``-1,234.5``. Percentages carry a space before the
sign in ``nb`` (``1,8 %``), as Norwegian typography does.
"""

from __future__ import annotations

import math
from typing import Any

from ltsim.report.labels import BACKTEST_LABELS, OPTIMISED_LABELS, PLAN_LABELS

LANGS: tuple[str, ...] = ("nb", "en")
NBSP = "\u00a0"

PLOTLY_SEPARATORS: dict[str, str] = {"nb": ", ", "en": ".,"}
"""Plotly's ``layout.separators``: decimal mark, then thousands separator."""

LABELS: dict[str, dict[str, str]] = {
    # page and sections
    "report": {"nb": "Rapport", "en": "Report"},
    "summary": {"nb": "Sammendrag", "en": "Summary"},
    "population": {"nb": "Befolkning", "en": "Population"},
    "services": {"nb": "Behov og kapasitet", "en": "Demand and capacity"},
    "projects": {"nb": "Investeringsprosjekter", "en": "Investment projects"},
    "finance": {"nb": "Økonomi", "en": "Finance"},
    "assumptions": {"nb": "Forutsetninger", "en": "Assumptions"},
    "about": {"nb": "Om kjøringen", "en": "About this run"},
    "contents": {"nb": "Innhold", "en": "Contents"},
    "scenario": {"nb": "Scenario", "en": "Scenario"},
    "horizon": {"nb": "Periode", "en": "Horizon"},
    "seed": {"nb": "Frø (seed)", "en": "Seed"},
    "replications": {"nb": "Replikasjoner (Monte Carlo)", "en": "Replications (Monte Carlo)"},
    "created": {"nb": "Kjørt", "en": "Run at"},
    "version": {"nb": "ltsim-versjon", "en": "ltsim version"},
    "hash": {"nb": "Scenario-hash", "en": "Scenario hash"},
    "git": {"nb": "Git-revisjon", "en": "Git revision"},
    "generated_by": {"nb": "Laget av ltsim", "en": "Made by ltsim"},
    # key figures
    "persons": {"nb": "Innbyggere", "en": "Population"},
    "growth_per_year": {"nb": "Vekst per år", "en": "Growth per year"},
    "share_67": {"nb": "Andel 67 år og eldre", "en": "Share aged 67+"},
    "share_80": {"nb": "Andel 80 år og eldre", "en": "Share aged 80+"},
    "total_investment": {"nb": "Sum investeringer", "en": "Total investment"},
    "n_projects": {"nb": "Prosjekter", "en": "Projects"},
    "built": {"nb": "bygges", "en": "built"},
    "delayed": {"nb": "Forsinket", "en": "Delayed"},
    "deferred": {"nb": "Utsatt", "en": "Deferred"},
    "project_years": {"nb": "prosjektår", "en": "project-years"},
    "housing_moved": {"nb": "Boligfelt flyttet (optimert)", "en": "Housing developments moved (optimised)"},
    "dwelling_years": {"nb": "boligår", "en": "dwelling-years"},
    "mnok": {"nb": "mill. kr", "en": "NOK million"},
    "mnok_fixed": {"nb": "mill. kr, faste priser", "en": "NOK million, fixed prices"},
    "places": {"nb": "plasser", "en": "places"},
    "place_years": {"nb": "plassår", "en": "place-years"},
    "worst_school": {"nb": "Største skolemangel", "en": "Worst school shortfall"},
    "worst_school_none": {
        "nb": "Ingen skolekrets mangler plasser i perioden.",
        "en": "No school zone is short of places in the period.",
    },
    "places_short_in": {"nb": "plasser mangler i", "en": "places short in"},
    "debt_ratio_vs_ceiling": {"nb": "Gjeldsgrad mot handlingsregel", "en": "Debt ratio against the fiscal rule"},
    "debt_ratio_max": {"nb": "Høyeste gjeldsgrad", "en": "Highest debt ratio"},
    "ceiling": {"nb": "tak (rød over)", "en": "ceiling (red above)"},
    "target": {"nb": "mål (grønn under)", "en": "target (green below)"},
    "floor": {"nb": "gulv (rød under)", "en": "floor (red below)"},
    "target_above": {"nb": "mål (grønn over)", "en": "target (green above)"},
    "rules_default_note": {
        "nb": "Scenarioet oppgir ingen handlingsregler, så nøkkeltallene vises uten rødt/gult/grønt.",
        "en": "The scenario states no fiscal rules, so the key figures are shown without red/yellow/green.",
    },
    "traffic_lights": {"nb": "Handlingsregler per år", "en": "Fiscal rules by year"},
    "traffic_lights_p": {
        "nb": "Handlingsregler per år: sannsynlighet for rødt (%)",
        "en": "Fiscal rules by year: probability of red (%)",
    },
    "lights_p_caption": {
        "nb": "Andel av {n} replikasjoner der regelen er rød; rød celle: minst 50 %, gul: minst 10 %.",
        "en": "Share of {n} replications in which the rule is red; red cell: at least 50 %, yellow: at least 10 %.",
    },
    "mc_note": {
        "nb": "Monte Carlo med {n} replikasjoner: tallene er medianen med P10–P90 (80 % av replikasjonene), "
        "ikke én enkelt trekning.",
        "en": "Monte Carlo with {n} replications: figures are the median with P10–P90 (80 % of the replications), "
        "not one draw.",
    },
    "p_over_ceiling": {"nb": "P(over taket minst ett år)", "en": "P(above the ceiling in some year)"},
    "population_band_caption": {
        "nb": "Befolkningen varierer mellom replikasjonene bare der boligbygging venter på prosjekter (rekkefølgekrav).",
        "en": "The population varies between replications only where housing waits for projects (sequencing rules).",
    },
    "worst_gaps": {"nb": "De tre største kapasitetsgapene", "en": "The three largest capacity gaps"},
    "no_gaps": {"nb": "Ingen tjeneste mangler plasser i perioden.", "en": "No service is short of places."},
    "service": {"nb": "Tjeneste", "en": "Service"},
    "zone": {"nb": "Sone / krets", "en": "Zone"},
    "peak_shortfall": {"nb": "Største mangel (plasser)", "en": "Peak shortfall (places)"},
    "peak_year": {"nb": "År", "en": "Year"},
    "place_years_short": {"nb": "Plassår i underskudd", "en": "Place-years short"},
    "year": {"nb": "År", "en": "Year"},
    "value": {"nb": "Verdi", "en": "Value"},
    "finance_missing": {
        "nb": "Økonomimodellen er ikke med i denne kjøringen (finance.csv og kpi.csv mangler).",
        "en": "The finance model is not part of this run (finance.csv and kpi.csv are missing).",
    },
    "projects_missing": {
        "nb": "Scenarioet har ingen investeringsprosjekter (projects.csv mangler).",
        "en": "The scenario has no investment projects (projects.csv is missing).",
    },
    "services_missing": {
        "nb": "Scenarioet har ingen tjenester med kapasitet (capacity.csv mangler).",
        "en": "The scenario declares no services with capacity (capacity.csv is missing).",
    },
    # population
    "pyramid": {"nb": "Alderspyramide", "en": "Population pyramid"},
    "female": {"nb": "Kvinner", "en": "Women"},
    "male": {"nb": "Menn", "en": "Men"},
    "age": {"nb": "Alder", "en": "Age"},
    "growth_by_area": {"nb": "Vekst per planområde", "en": "Growth by planning area"},
    "growth_pct": {"nb": "Vekst i perioden (%)", "en": "Growth over the period (%)"},
    "elderly": {"nb": "Eldre: 67+ og 80+", "en": "Older people: 67+ and 80+"},
    "housing": {"nb": "Boligbygging", "en": "Housing"},
    "housing_title": {
        "nb": "Nye boliger per år: planlagt og ferdigstilt",
        "en": "New dwellings per year: planned and completed",
    },
    "dwellings": {"nb": "boliger", "en": "dwellings"},
    "dwellings_planned": {"nb": "Planlagt", "en": "Planned"},
    "dwellings_released": {"nb": "Ferdigstilt (frigitt)", "en": "Completed (released)"},
    "dwellings_held_back": {"nb": "Holdt tilbake (kø)", "en": "Held back (queue)"},
    "housing_caption": {
        "nb": "Rekkefølgekrav holder boliger tilbake til skolen eller plassene er på plass; det som holdes tilbake, venter i kø.",
        "en": "Sequencing rules hold dwellings back until the school or the places are in place; what is held back waits in a queue.",
    },
    "development": {"nb": "Utbyggingsområde", "en": "Development"},
    "housing_moved_title": {"nb": "Boligfelt flyttet av optimeringen", "en": "Housing moved by the optimiser"},
    "housing_moved_caption": {
        "nb": "Hvert felt flyttet alene: endring i elevplasser som trengs (barneskole, plassår over perioden; "
        "negativt = færre) og i brutto driftsinntekter (mill. kr over perioden).",
        "en": "Each development moved on its own: change in primary-school places needed (place-years over the "
        "period; negative = fewer) and in gross operating revenue (NOK million over the period).",
    },
    "dwellings_total": {"nb": "Boliger", "en": "Dwellings"},
    "deferrals_title": {"nb": "Prosjekter flyttet av optimeringen", "en": "Projects moved by the optimiser"},
    "optimised_for": {
        "nb": "Optimert for gjeldstak (netto lånegjeld / brutto driftsinntekter)",
        "en": "Optimised for a debt ceiling (net debt / gross operating revenue) of",
    },
    "unmet_optimal": {"nb": "Plassår med mangel", "en": "Place-years short"},
    "plan_as_written": {"nb": "planen som vedtatt:", "en": "the plan as written:"},
    "ceiling_binds": {"nb": "Taket binder i", "en": "The ceiling binds in"},
    "one_point_worth": {
        "nb": "Ett prosentpoeng høyere tak er verdt",
        "en": "One more percentage point of ceiling is worth",
    },
    "confidence_line": {
        "nb": "Gjeldsgraden holdes under taket med sannsynlighet",
        "en": "Debt ratio kept under the ceiling with probability",
    },
    "runs": {"nb": "kjøringer", "en": "runs"},
    "lowest": {"nb": "laveste", "en": "lowest"},
    "effects_caption": {
        "nb": "Hvert valg alene, alt annet som optimert: plassår med mangel det legger til (negativt = sparer), "
        "og mest handlingsrom under gjeldstaket det frigjør og bruker opp (mill. kr, år).",
        "en": "Each choice alone, all else as optimised: the place-years short it adds (negative = saves), and the "
        "most headroom under the debt ceiling it frees and uses up (NOK million, year).",
    },
    "effect_places": {"nb": "Plassår mangel", "en": "Place-years short"},
    "effect_gained": {"nb": "Frigjør (år)", "en": "Frees (year)"},
    "effect_lost": {"nb": "Bruker opp (år)", "en": "Uses up (year)"},
    "first_planned": {"nb": "Første år, plan", "en": "First year, plan"},
    "first_chosen": {"nb": "Første år, valgt", "en": "First year, chosen"},
    "years_moved": {"nb": "År flyttet", "en": "Years moved"},
    "school_places_change": {"nb": "Elevplasser (plassår)", "en": "School places (place-years)"},
    "revenue_change": {"nb": "Driftsinntekter (mill. kr)", "en": "Revenue (NOK million)"},
    "first_release": {"nb": "Første ferdigstilling", "en": "First completion"},
    "held_end": {"nb": "Holdt tilbake ved slutten", "en": "Held back at the end"},
    "binding": {"nb": "Bindende krav", "en": "Binding rule"},
    "no_conditions": {
        "nb": "Ingen rekkefølgekrav holder boliger tilbake i dette scenarioet.",
        "en": "No sequencing rule holds dwellings back in this scenario.",
    },
    "aged_67": {"nb": "67 år og eldre", "en": "Aged 67+"},
    "aged_80": {"nb": "80 år og eldre", "en": "Aged 80+"},
    "area": {"nb": "Planområde", "en": "Planning area"},
    # services
    "demand_places": {"nb": "Behov (kommunale plasser)", "en": "Demand (municipal places)"},
    "usable_capacity": {"nb": "Brukbar kapasitet", "en": "Usable capacity"},
    "short": {"nb": "Mangel", "en": "Short"},
    "svc_caption": {
        "nb": "Blå linje: behov; grått felt: brukbar kapasitet (kapasitet × fyllingsgrad); rødt felt: plasser som mangler.",
        "en": "Blue line: demand; grey area: usable capacity (capacity × target utilisation); red area: places short.",
    },
    "prob_short": {"nb": "Sannsynlighet for mangel", "en": "Probability of a shortfall"},
    "svc_caption_mc": {
        "nb": "Monte Carlo: grått felt er median brukbar kapasitet, stiplet bånd P10–P90 over replikasjonene; "
        "rødt felt: plasser som mangler ved median kapasitet.",
        "en": "Monte Carlo: the grey area is the median usable capacity, the dotted band P10–P90 over the "
        "replications; red area: places short at the median capacity.",
    },
    "prob_caption": {
        "nb": "Andel av Monte Carlo-replikasjonene der sonen mangler plasser (kun soner med risiko).",
        "en": "Share of Monte Carlo replications in which the zone is short of places (zones at risk only).",
    },
    # projects
    "gantt": {"nb": "Tidsplan: planlagt og simulert", "en": "Timeline: planned and simulated"},
    "planned": {"nb": "Planlagt", "en": "Planned"},
    "simulated": {"nb": "Simulert", "en": "Simulated"},
    "optimised": {"nb": "Optimalisert", "en": "Optimised"},
    "p10_p90": {"nb": "Ferdig P10–P90", "en": "Completion P10–P90"},
    "gantt_caption": {
        "nb": "Stolpene går fra byggestart til året prosjektet er i drift.",
        "en": "Bars run from the start year to the first year in service.",
    },
    "spend_by_year": {"nb": "Investeringsutgift per år", "en": "Investment spend per year"},
    "project": {"nb": "Prosjekt", "en": "Project"},
    "capacity_places": {"nb": "Plasser", "en": "Places"},
    "start_year": {"nb": "Start", "en": "Start"},
    "completion_year": {"nb": "I drift", "en": "In service"},
    "planned_completion_year": {"nb": "I drift (plan)", "en": "In service (plan)"},
    "delay_years": {"nb": "Forsinkelse (år)", "en": "Delay (years)"},
    "cost_mnok": {"nb": "Kostnad (mill. kr)", "en": "Cost (NOK million)"},
    "probability_late": {"nb": "P(forsinket)", "en": "P(late)"},
    "not_built": {"nb": "bygges ikke", "en": "not built"},
    # finance
    "net_debt": {"nb": "Netto lånegjeld", "en": "Net debt"},
    "debt": {"nb": "Lånegjeld", "en": "Debt"},
    "ndr": {"nb": "Netto driftsresultat", "en": "Net operating result"},
    "fund": {"nb": "Disposisjonsfond", "en": "Disposition fund"},
    "interest": {"nb": "Renter", "en": "Interest"},
    "instalments": {"nb": "Avdrag", "en": "Instalments"},
    "capital_costs": {"nb": "Renter og avdrag", "en": "Interest and instalments"},
    "revenue": {"nb": "Brutto driftsinntekter", "en": "Gross operating revenue"},
    "pct_of_revenue": {"nb": "% av brutto driftsinntekter", "en": "% of gross operating revenue"},
    # assumptions
    "parameter": {"nb": "Parameter", "en": "Parameter"},
    "this_scenario": {"nb": "Dette scenarioet", "en": "This scenario"},
    "base_value": {"nb": "Grunnlag (base)", "en": "Base"},
    "source": {"nb": "Kilde", "en": "Source"},
    "differs_from": {"nb": "Forskjeller fra grunnlaget", "en": "Differences from the base"},
    "all_parameters": {"nb": "Alle parametere", "en": "All parameters"},
    "no_base": {
        "nb": "Scenarioet bygger ikke på et annet scenario (eller grunnlagsfilen finnes ikke lenger): alle parametere vises.",
        "en": "The scenario extends no other scenario (or its base file is gone): all parameters are listed.",
    },
    "not_set": {"nb": "(ikke satt)", "en": "(not set)"},
    # compare
    "comparison": {"nb": "Sammenligning av scenarioer", "en": "Scenario comparison"},
    "key_figures": {"nb": "Nøkkeltall", "en": "Key figures"},
    "sort_hint": {"nb": "Klikk på en kolonneoverskrift for å sortere.", "en": "Click a column header to sort."},
    "population_over_time": {"nb": "Innbyggere over tid", "en": "Population over time"},
    "debt_ratio_over_time": {"nb": "Gjeldsgrad over tid", "en": "Debt ratio over time"},
    "scenarios": {"nb": "scenarioer", "en": "scenarios"},
    "last_year": {"nb": "siste år", "en": "last year"},
    "reference": {"nb": "Referanse", "en": "Reference"},
    "reference_is": {
        "nb": "Referansescenario (forskjeller regnes mot dette)",
        "en": "Reference (differences are against it)",
    },
    "filter": {"nb": "Filter", "en": "Filter"},
    "all": {"nb": "alle", "en": "all"},
    "showing": {"nb": "Viser", "en": "Showing"},
    "of": {"nb": "av", "en": "of"},
    "show_delta": {"nb": "Vis forskjell fra referansen", "en": "Show the difference from the reference"},
    "small_multiples": {"nb": "Nøkkeltall per scenario", "en": "Key figures by scenario"},
    "multiples_caption": {
        "nb": "Ett punkt per scenario; rader etter {first}, farge etter {second}. Referansen er en svart ruter. "
        "Hold musen over et punkt for å se scenarioet. Nøkkeltall som er like i alle scenarioene, står bare i tabellen.",
        "en": "One dot per scenario; rows by {first}, colour by {second}. The reference is a black diamond. "
        "Hover over a dot to see the scenario. Figures equal in every scenario are in the table only.",
    },
    # excel
    "economic_plan": {"nb": "Økonomiplan", "en": "Economic plan"},
    "investments": {"nb": "Investeringer", "en": "Investments"},
    "sum_investments": {"nb": "Sum investeringer", "en": "Total investments"},
    "financing": {"nb": "Finansiering", "en": "Financing"},
    "sum_financing": {"nb": "Sum finansiering", "en": "Total financing"},
    "plan_period": {"nb": "Økonomiplanperioden", "en": "Economic plan period"},
    "long_term": {"nb": "Langsiktig", "en": "Long term"},
    "sum": {"nb": "Sum", "en": "Total"},
    "sheet": {"nb": "Ark", "en": "Sheet"},
    "column": {"nb": "Kolonne", "en": "Column"},
    "unit": {"nb": "Enhet", "en": "Unit"},
    "meaning": {"nb": "Betydning", "en": "Meaning"},
    "file": {"nb": "Fil", "en": "File"},
    "rows": {"nb": "Rader", "en": "Rows"},
}

FIGURE_LABELS: dict[str, dict[str, str]] = {
    "population_start": {"nb": "Innbyggere (start)", "en": "Population (start)"},
    "population_end": {"nb": "Innbyggere (slutt)", "en": "Population (end)"},
    "population_growth_pct_year": {"nb": "Befolkningsvekst per år", "en": "Population growth per year"},
    "debt_ratio_max_pct": {"nb": "Høyeste gjeldsgrad", "en": "Highest debt ratio"},
    "debt_ratio_last_pct": {"nb": "Gjeldsgrad siste år", "en": "Debt ratio, last year"},
    "net_operating_result_min_pct": {"nb": "Laveste netto driftsresultat", "en": "Lowest net operating result"},
    "total_investment_mnok": {"nb": "Sum investeringer (mill. kr)", "en": "Total investment (NOK million)"},
    "projects_delayed": {"nb": "Prosjekter forsinket", "en": "Projects delayed"},
    "delay_years_total": {"nb": "Forsinkelse (prosjektår)", "en": "Delay (project-years)"},
    "optimised_deferrals": {"nb": "Prosjekter flyttet (optimert)", "en": "Projects moved (optimised)"},
    "optimised_deferral_years": {
        "nb": "Utsettelse (prosjektår, optimert)",
        "en": "Deferral (project-years, optimised)",
    },
    "optimised_housing_moves": {"nb": "Boligfelt flyttet (optimert)", "en": "Housing moved (optimised)"},
    "optimised_housing_dwelling_years": {"nb": "Boliger flyttet (boligår)", "en": "Housing moved (dwelling-years)"},
    # per service: "{service}: …"
    "place_years_short": {"nb": "plassår i underskudd", "en": "place-years short"},
    "peak_shortfall": {"nb": "største mangel (plasser)", "en": "peak shortfall (places)"},
    "idle_place_years": {"nb": "ledige plassår", "en": "idle place-years"},
    "idle_places_last_year": {"nb": "ledige plasser siste år", "en": "idle places, last year"},
    # per fiscal rule: "{rule}: …"
    "years_red": {"nb": "år røde", "en": "years red"},
}
"""Labels of the headline figures of :mod:`ltsim.keyfigures` (see :func:`figure_label`)."""

SERVICE_NAMES: dict[str, dict[str, str]] = {
    "kindergarten": {"nb": "Barnehage", "en": "Kindergarten"},
    "primary_school": {"nb": "Barneskole", "en": "Primary school"},
    "lower_secondary": {"nb": "Ungdomsskole", "en": "Lower secondary school"},
    "care_24h": {"nb": "Heldøgns omsorg", "en": "24-hour care"},
}

SCHOOL_SERVICES: tuple[str, ...] = ("primary_school", "lower_secondary")

KPI_NAMES: dict[str, dict[str, str]] = {
    "net_operating_result_pct": {"nb": "Netto driftsresultat", "en": "Net operating result"},
    "debt_ratio_pct": {"nb": "Gjeldsgrad (netto lånegjeld)", "en": "Debt ratio (net debt)"},
    "disposition_fund_pct": {"nb": "Disposisjonsfond", "en": "Disposition fund"},
    "own_financing_pct": {"nb": "Egenfinansiering av investeringer", "en": "Own financing of investments"},
}

STATUS_NAMES: dict[str, dict[str, str]] = {
    "green": {"nb": "grønn", "en": "green"},
    "yellow": {"nb": "gul", "en": "yellow"},
    "red": {"nb": "rød", "en": "red"},
    "n/a": {"nb": "–", "en": "–"},
}

FINANCE_ITEMS: dict[str, dict[str, str]] = {
    "gross_investment_mnok": {"nb": "Brutto investeringsutgifter", "en": "Gross investment"},
    "vat_compensation_mnok": {"nb": "Momskompensasjon", "en": "VAT compensation"},
    "grants_mnok": {"nb": "Tilskudd", "en": "Grants"},
    "own_financing_mnok": {
        "nb": "Egenfinansiering (fond, kapitalinntekter, overføring fra drift)",
        "en": "Own financing (funds, capital income, transfer from operations)",
    },
    "capital_income_mnok": {"nb": "Salg av anleggsmidler", "en": "Capital income"},
    "transfer_from_operations_mnok": {"nb": "Overføring fra drift", "en": "Transfer from operations"},
    "borrowing_mnok": {"nb": "Bruk av lån", "en": "Borrowing"},
    "net_debt_mnok": {"nb": "Netto lånegjeld", "en": "Net debt"},
    "debt_closing_mnok": {"nb": "Lånegjeld 31.12.", "en": "Debt at 31 Dec"},
    "ndr_mnok": {"nb": "Netto driftsresultat", "en": "Net operating result"},
    "fund_mnok": {"nb": "Disposisjonsfond", "en": "Disposition fund"},
    "interest_mnok": {"nb": "Renteutgifter, investeringsgjeld", "en": "Interest on investment debt"},
    "interest_expenses_mnok": {"nb": "Renteutgifter (inkl. startlån)", "en": "Interest expenses (incl. start loans)"},
    "interest_revenue_mnok": {"nb": "Renteinntekter (inkl. startlån)", "en": "Interest income (incl. start loans)"},
    "own_interest_expenses_mnok": {
        "nb": "Renteutgifter, kommunens egen andel",
        "en": "Interest expenses, the municipality's own share",
    },
    "instalments_mnok": {"nb": "Avdrag", "en": "Instalments"},
    "revenue_mnok": {"nb": "Brutto driftsinntekter", "en": "Gross operating revenue"},
}

# unit and meaning of each results-contract column, for the workbook's contents sheet and header notes
COLUMN_INFO: dict[str, tuple[dict[str, str], dict[str, str]]] = {}


def _col(names: str, unit_nb: str, unit_en: str, nb: str, en: str) -> None:
    for name in names.split():
        COLUMN_INFO[name] = ({"nb": unit_nb, "en": unit_en}, {"nb": nb, "en": en})


_col("year", "år", "year", "kalenderår (bestand 1. januar, strømmer i løpet av året)", "calendar year")
_col("area", "", "", "planområde", "planning area")
_col("zone", "", "", "tjenestesone / krets", "service zone")
_col("zone_name", "", "", "navn på sone", "zone name")
_col("service", "", "", "tjeneste", "service")
_col("age", "år", "years", "alder 1. januar (100 = 100+)", "age on 1 January (100 = 100+)")
_col("sex", "", "", "kjønn", "sex")
_col("persons", "personer", "persons", "innbyggere 1. januar", "residents on 1 January")
_col(
    "population_start births deaths migration_in migration_out housing_in control_adjustment population_end",
    "personer",
    "persons",
    "befolkningsregnskap per år og område",
    "population accounts per year and area",
)
_col("users", "brukere", "users", "brukere av tjenesten", "users of the service")
_col("demand demand_municipal", "plasser", "places", "plassbehov (kommunalt etter privat andel)", "places needed")
_col(
    "capacity usable_capacity gap",
    "plasser",
    "places",
    "kapasitet, brukbar kapasitet, gap = behov − brukbar",
    "capacity, usable, gap = demand − usable",
)
_col("utilisation", "andel", "fraction", "fyllingsgrad = behov / kapasitet", "utilisation = demand / capacity")
_col("place_years_short idle_place_years", "plassår", "place-years", "sum over år", "sum over years")
_col(
    "peak_shortfall idle_places_first_year idle_places_last_year capacity_places",
    "plasser",
    "places",
    "plasser",
    "places",
)
_col("peak_year planned_start start_year planned_completion_year completion_year", "år", "year", "år", "year")
_col(
    "completion_year_p10 completion_year_p50 completion_year_p90",
    "år",
    "year",
    "persentil av ferdigår",
    "percentile of completion year",
)
_col("delay_years", "år", "years", "forsinkelse mot plan", "delay against the plan")
_col(
    "cost_mnok cost_mnok_p10 cost_mnok_p50 cost_mnok_p90 spend_mnok total_cost_mnok spend_in_horizon_mnok value",
    "mill. kr",
    "NOK million",
    "faste priser",
    "fixed prices",
)
_col("probability_late probability_short", "andel", "fraction", "sannsynlighet", "probability")
_col(
    "expected_short_places short_places_p10 short_places_p50 short_places_p90",
    "plasser",
    "places",
    "manglende plasser (middel, persentiler over replikasjoner)",
    "places short (mean, percentiles over replications)",
)
_col(
    "persons_p10 persons_p50 persons_p90",
    "personer",
    "persons",
    "innbyggere 1. januar, persentil over replikasjoner",
    "residents on 1 January, percentile over replications",
)
_col("built", "sann/usann", "true/false", "bygges i scenarioet", "built in the scenario")
_col("rep", "", "", "replikasjon", "replication")
_col("project", "", "", "prosjekt-id", "project id")
_col("name", "", "", "navn", "name")
_col("item", "", "", "post (verdi i mill. kr)", "item (value in NOK million)")
_col("kpi", "", "", "nøkkeltall", "key figure")
_col("unit", "", "", "enhet", "unit")
_col("status", "", "", "handlingsregel: green/yellow/red", "fiscal rule: green/yellow/red")


def check_lang(lang: str) -> str:
    """Return ``lang`` if supported, else raise ValueError naming the choices."""
    if lang not in LANGS:
        raise ValueError(f"unknown language {lang!r}; expected one of {', '.join(LANGS)}")
    return lang


def t(key: str, lang: str) -> str:
    """The label ``key`` in ``lang`` (the key itself if unknown)."""
    entry = LABELS.get(key)
    return entry[lang] if entry else key


def service_name(service_id: str, lang: str, fallback: str | None = None) -> str:
    """Display name of a service: the scenario's own name in ``nb`` when given, else the built-in label."""
    if lang == "nb" and fallback:
        return fallback
    entry = SERVICE_NAMES.get(service_id)
    if entry:
        return entry[lang]
    return fallback or service_id.replace("_", " ").capitalize()


def kpi_name(kpi: str, lang: str) -> str:
    """Display name of a key figure."""
    entry = KPI_NAMES.get(kpi)
    return entry[lang] if entry else kpi.replace("_", " ")


def figure_label(key: str, lang: str, services: dict[str, str] | None = None) -> str:
    """Label of a headline figure (:mod:`ltsim.keyfigures`) in ``lang``.

    ``place_years_short_primary_school`` → "Barneskole: plassår i underskudd"; ``years_red_debt_ratio_pct``
    → "Gjeldsgrad (netto lånegjeld): år røde". ``services`` maps service ids to the scenario's own names. An unknown key is shown with spaces.
    """
    entry = FIGURE_LABELS.get(key)
    if entry:
        return entry[lang]
    for stem in ("place_years_short", "peak_shortfall", "idle_places_last_year", "idle_place_years"):
        if key.startswith(stem + "_"):
            sid = key.removeprefix(stem + "_")
            name = (services or {}).get(sid) or service_name(sid, lang)
            return f"{name}: {FIGURE_LABELS[stem][lang]}"
    if key.startswith("years_red_"):
        return f"{kpi_name(key.removeprefix('years_red_'), lang)}: {FIGURE_LABELS['years_red'][lang]}"
    return kpi_name(key, lang)


def item_name(item: str, lang: str) -> str:
    """Display name of a ``finance.csv`` item."""
    entry = FINANCE_ITEMS.get(item)
    return entry[lang] if entry else item.removesuffix("_mnok").replace("_", " ")


def fmt_num(value: Any, decimals: int = 0, lang: str = "nb", sign: bool = False) -> str:
    r"""Format a number: ``nb`` → ``12 345,6`` (no-break space, decimal comma, U+2212 minus); ``en`` → ``12,345.6``.

    >>> fmt_num(-1234567.891, 1, "nb")
    '−1\xa0234\xa0567,9'
    >>> fmt_num(1234.5, 1, "en")
    '1,234.5'
    >>> fmt_num(float("nan"))
    '–'
    """
    if value is None:
        return "–"
    try:
        x = float(value)
    except (TypeError, ValueError):
        return str(value)
    if not math.isfinite(x):
        return "–"
    if round(x, decimals) == 0:
        x = 0.0
    text = f"{x:{'+' if sign else ''},.{decimals}f}"
    if lang == "nb":
        text = text.replace(",", NBSP).replace(".", ",").replace("-", "\u2212")
    return text


def fmt_pct(value: Any, decimals: int = 1, lang: str = "nb", sign: bool = False) -> str:
    """Format a value already in percent: ``nb`` → ``1,8 %``, ``en`` → ``1.8%``."""
    text = fmt_num(value, decimals, lang, sign)
    if text == "–":
        return text
    return f"{text}{NBSP}%" if lang == "nb" else f"{text}%"


def fmt_share(value: Any, decimals: int = 1, lang: str = "nb", sign: bool = False) -> str:
    """Format a fraction as a percentage (0.178 → ``17,8 %``)."""
    try:
        x = float(value) * 100.0
    except (TypeError, ValueError):
        return str(value)
    return fmt_pct(x, decimals, lang, sign)


def d3_format(decimals: int = 0) -> str:
    """A d3 number format with thousands grouping (plotly applies ``layout.separators``)."""
    return f",.{decimals}f"


# the plan section (ltsim plan) and the optimised plan's answer (ltsim optimize)
LABELS.update(PLAN_LABELS)
LABELS.update(OPTIMISED_LABELS)
LABELS.update(BACKTEST_LABELS)
