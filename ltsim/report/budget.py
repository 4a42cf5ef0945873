"""The economic plan in the budget layout: the statutory overviews from ``finance.csv``, every year of the horizon.

Budsjett- og regnskapsforskriften (FOR-2019-06-07-714) prescribes the overviews of an økonomiplan and
årsbudsjett: § 5-4 bevilgningsoversikt drift, § 5-5 bevilgningsoversikt investering and § 5-6 økonomisk
oversikt drift. :func:`overviews` lays the model's items out in them, with the forskrift's line names
(Norwegian) and the lines the model has; lines it does not model (eiendomsskatt, utbytter as such,
investeringer i aksjer …) are left out rather than shown as 0. Signs: amounts positive; ``Netto
finansutgifter`` = finansinntekter − finansutgifter and the fund lines are bruk (+) / avsetning (−), so::

    § 5-4/5-6  netto driftsresultat = brutto driftsresultat + netto finansutgifter + motpost avskrivninger
               fremført (merforbruk) = netto driftsresultat − sum disponeringer            (= −uncovered deficit)
    § 5-5      udekket = sum investeringsinntekter + sum overføring fra drift og netto avsetninger
                         − sum investeringsutgifter − netto utgifter videreutlån           (= 0: in balance)

The investment balance holds because the model finances each year's gross investment (catalogue and
recurring budgets alike) as VAT + grants + capital income + transfer + borrowing + the change in the
unused investment fund (:mod:`ltsim.models.finance.investment`, the fund 0 on 1 January of the first
year). The start loans' net flows (funds borrowed and not lent, instalments received and not paid on)
go to or come from bundne investeringsfond by definition, so that part balances by construction.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

REQUIRED_ITEMS: tuple[str, ...] = (
    "revenue_mnok", "expenses_mnok", "depreciation_mnok", "gross_operating_expenses_mnok",
    "gross_operating_result_mnok", "interest_revenue_mnok", "fund_return_mnok", "energy_fund_return_mnok",
    "interest_expenses_mnok", "instalments_mnok", "startlan_losses_mnok", "ndr_mnok",
    "transfer_from_operations_mnok", "fund_allocation_mnok", "energy_fund_allocation_mnok", "fund_use_mnok",
    "gross_investment_mnok", "vat_compensation_mnok", "grants_mnok", "capital_income_mnok", "borrowing_mnok",
    "investment_fund_mnok", "startlan_lending_mnok", "startlan_borrowing_mnok", "startlan_instalments_mnok",
    "startlan_received_instalments_mnok",
)  # fmt: skip
"""finance.csv items the overviews need (every run of this version writes them)."""


TEXT: dict[str, dict[str, str]] = {
    "budget_layout": {"nb": "budsjettoppstilling etter forskriften", "en": "statutory budget layout"},
    "budget_line": {"nb": "Linje", "en": "Line"},
    "budget_items_missing": {
        "nb": "Oppstillingen etter forskriften trenger disse linjene i finance.csv",
        "en": "The statutory layout needs these items of finance.csv",
    },
    "investments_by_project": {"nb": "Investeringer per prosjekt", "en": "Investments by project"},
    "recurring_investments": {
        "nb": "Årlige investeringsrammer (løpende)",
        "en": "Yearly investment budgets (recurring)",
    },
    "stocks_31_december": {"nb": "Beholdninger 31.12.", "en": "Stocks at 31 December"},
}
"""The workbook's and the report's labels around the overviews (nb, en)."""


STOCKS: dict[str, dict[str, str]] = {
    "debt_closing_mnok": {"nb": "Lånegjeld 31.12.", "en": "Debt at 31 Dec"},
    "net_debt_mnok": {"nb": "Netto lånegjeld", "en": "Net debt"},
    "startlan_debt_mnok": {"nb": "Startlånsgjeld (Husbanken)", "en": "Start-loan debt (Husbanken)"},
    "relending_receivables_mnok": {"nb": "Utlån startlån (fordringer)", "en": "Start-loan receivables"},
    "fund_mnok": {"nb": "Disposisjonsfond", "en": "Disposition fund"},
    "energy_fund_mnok": {"nb": "Energifond", "en": "Energy fund"},
}
"""finance.csv stocks on 31 December shown under the overviews (values only, no sums), with their names."""


def text(key: str, lang: str) -> str:
    """Label ``key`` of :data:`TEXT` in ``lang`` (``nb`` or ``en``)."""
    return TEXT[key][lang]


@dataclass(frozen=True, slots=True)
class Line:
    """One line of an overview: Norwegian (statutory) and English name, values per year [NOK million]."""

    nb: str
    en: str
    values: np.ndarray
    style: str = "item"  # item, sum (a subtotal or result), memo (herav: not added)

    def name(self, lang: str) -> str:
        """The line's name in ``lang`` (``nb`` or ``en``)."""
        return self.nb if lang == "nb" else self.en


@dataclass(frozen=True, slots=True)
class Overview:
    """One statutory overview: title, a note on how the model fills it, and its lines."""

    nb: str
    en: str
    note_nb: str
    note_en: str
    lines: tuple[Line, ...]

    def title(self, lang: str) -> str:
        """The overview's title in ``lang``."""
        return self.nb if lang == "nb" else self.en

    def note(self, lang: str) -> str:
        """The note in ``lang``."""
        return self.note_nb if lang == "nb" else self.note_en

    def line(self, nb: str) -> Line:
        """The line named ``nb`` (KeyError if absent)."""
        for line in self.lines:
            if line.nb == nb:
                return line
        raise KeyError(nb)


def missing_items(wide: Any) -> list[str]:
    """The :data:`REQUIRED_ITEMS` absent from ``wide`` (finance.csv with one column per item)."""
    return [i for i in REQUIRED_ITEMS if i not in wide]


def _fund_change(stock: np.ndarray) -> np.ndarray:
    """Yearly change of a 31 December stock that is 0 on 1 January of the first year."""
    return np.diff(np.concatenate(([0.0], stock)))


def overviews(wide: Any) -> tuple[Overview, Overview, Overview]:
    """§ 5-4, § 5-5 and § 5-6 for every year of ``wide`` (index years, one column per finance.csv item).

    Raises KeyError naming the items missing (see :func:`missing_items`).
    """
    missing = missing_items(wide)
    if missing:
        raise KeyError(f"finance.csv lacks {', '.join(missing)}")

    def v(item: str) -> np.ndarray:
        return wide[item].to_numpy(dtype=np.float64)

    def opt(item: str) -> np.ndarray:  # lines added after REQUIRED_ITEMS (older run folders lack them)
        return v(item) if item in wide else np.zeros(len(wide))

    revenue, expenses, dep = v("revenue_mnok"), v("expenses_mnok"), v("depreciation_mnok")
    interest_income = v("interest_revenue_mnok") + v("fund_return_mnok")
    gains = v("energy_fund_return_mnok")
    interest, instalments, losses = v("interest_expenses_mnok"), v("instalments_mnok"), v("startlan_losses_mnok")
    net_finance = interest_income + gains - interest - instalments - losses
    ndr = v("ndr_mnok")
    transfer = v("transfer_from_operations_mnok")
    fund_net = v("fund_use_mnok") - v("fund_allocation_mnok") - v("energy_fund_allocation_mnok")
    dispositions = transfer - fund_net
    finance_lines = (
        Line("Renteinntekter", "Interest income", interest_income),
        Line("Gevinster og tap på finansielle omløpsmidler", "Gains and losses on financial current assets", gains),
        Line("Renteutgifter", "Interest expenses", interest),
        Line("Avdrag på lån", "Instalments", instalments),
        *([Line("Tap på videreutlån", "Losses on start loans", losses)] if np.any(losses) else []),
        Line("Netto finansutgifter", "Net financial expenses", net_finance, "sum"),
        Line("Motpost avskrivninger", "Depreciation reversed", dep),
        Line("Netto driftsresultat", "Net operating result", ndr, "sum"),
        Line("Overføring til investering", "Transfer to investment", transfer),
        Line(
            "Netto avsetninger til eller bruk av disposisjonsfond (bruk +, avsetning −)",
            "Net use (+) of or allocation (−) to disposition funds",
            fund_net,
        ),
        Line(
            "Sum disponeringer eller dekning av netto driftsresultat",
            "Total dispositions of the net operating result",
            dispositions,
            "sum",
        ),
        Line(
            "Fremført til inndekning i senere år (merforbruk)",
            "Carried forward to be covered later (deficit)",
            ndr - dispositions,
            "sum",
        ),
    )
    drift = Overview(
        "Bevilgningsoversikt drift (budsjett- og regnskapsforskriften § 5-4)",
        "Operating appropriations (budsjett- og regnskapsforskriften § 5-4)",
        "Modellen skiller ikke generelle driftsinntekter fra inntekter i tjenestene: linjen for generelle "
        "driftsinntekter er sum driftsinntekter, og bevilgningene er driftsutgiftene ekskl. avskrivninger "
        "(brutto); brutto driftsresultat blir det samme. Energifondet er et disposisjonsfond.",
        "The model does not separate general revenue from the services' revenue: general revenue is total "
        "operating revenue and the appropriations are the expenses excl. depreciation (gross); the gross "
        "operating result is the same. The energy fund is a disposition fund.",
        (
            Line("Sum generelle driftsinntekter", "Total general operating revenue", revenue, "sum"),
            Line("Sum bevilgninger drift, netto", "Total operating appropriations, net", expenses),
            Line("Avskrivninger", "Depreciation", dep),
            Line("Sum netto driftsutgifter", "Total net operating expenses", expenses + dep, "sum"),
            Line("Brutto driftsresultat", "Gross operating result", revenue - expenses - dep, "sum"),
            *finance_lines,
        ),
    )
    economic = Overview(
        "Økonomisk oversikt drift (budsjett- og regnskapsforskriften § 5-6)",
        "Operating statement (budsjett- og regnskapsforskriften § 5-6)",
        "Modellen fordeler ikke inntekter og utgifter på arter; «herav»-linjene er modellens kostnadsdrivere "
        "(endring fra første år der det står det).",
        "The model does not split revenue and expenses by type; the 'of which' lines are the model's cost "
        "drivers (change from the first year where stated).",
        (
            Line("Sum driftsinntekter", "Total operating revenue", revenue, "sum"),
            Line("Driftsutgifter ekskl. avskrivninger", "Operating expenses excl. depreciation", expenses),
            Line(
                "herav demografi (brukere × enhetskostnad, endring fra første år)",
                "of which demography (users × unit cost, change from the first year)",
                opt("demography_cost_mnok"),
                "memo",
            ),
            Line(
                "herav drift av nye formålsbygg",
                "of which running costs of new facilities",
                opt("facility_operating_cost_mnok"),
                "memo",
            ),
            Line(
                "herav korreksjon for drift som enhetskostnadene dekker",
                "of which offset for running costs the unit costs cover",
                opt("facility_operating_offset_mnok"),
                "memo",
            ),
            Line(
                "herav innsparinger og omstilling (−)",
                "of which savings and efficiency (−)",
                -(opt("savings_mnok") + opt("efficiency_mnok")),
                "memo",
            ),
            Line("Avskrivninger", "Depreciation", dep),
            Line("Sum driftsutgifter", "Total operating expenses", v("gross_operating_expenses_mnok"), "sum"),
            Line("Brutto driftsresultat", "Gross operating result", v("gross_operating_result_mnok"), "sum"),
            *finance_lines,
        ),
    )
    gross = v("gross_investment_mnok")
    income = v("vat_compensation_mnok") + v("grants_mnok") + v("capital_income_mnok") + v("borrowing_mnok")
    relend = (
        v("startlan_lending_mnok")
        - v("startlan_borrowing_mnok")
        + v("startlan_instalments_mnok")
        - v("startlan_received_instalments_mnok")
    )
    unbound = -_fund_change(v("investment_fund_mnok"))
    bound = relend  # unlent funds and instalments received but not paid on: bundne investeringsfond (bruk +)
    financing = transfer + unbound + bound
    investment = Overview(
        "Bevilgningsoversikt investering (budsjett- og regnskapsforskriften § 5-5)",
        "Investment appropriations (budsjett- og regnskapsforskriften § 5-5)",
        "Investeringene er alle prosjekter og årlige investeringsrammer (løpende). Bundne investeringsfond: "
        "startlånsmidler lånt og ikke lånt ut, og mottatte avdrag ikke betalt videre. Udekket = 0 hvert år.",
        "Investments are every project and the yearly budgets (recurring). Bound investment funds: start-loan "
        "funds borrowed and not lent, and instalments received and not paid on. Uncovered = 0 every year.",
        (
            Line("Investeringer i varige driftsmidler", "Investment in fixed assets", gross),
            Line("Sum investeringsutgifter", "Total investment expenditure", gross, "sum"),
            Line("Kompensasjon for merverdiavgift", "VAT compensation", v("vat_compensation_mnok")),
            Line("Tilskudd fra andre", "Grants from others", v("grants_mnok")),
            Line("Salg av varige driftsmidler", "Sale of fixed assets (capital income)", v("capital_income_mnok")),
            Line("Bruk av lån", "Borrowing", v("borrowing_mnok")),
            Line("Sum investeringsinntekter", "Total investment income", income, "sum"),
            Line("Videreutlån", "Start loans lent", v("startlan_lending_mnok")),
            Line("Bruk av lån til videreutlån", "Borrowing for start loans", v("startlan_borrowing_mnok")),
            Line("Avdrag på lån til videreutlån", "Instalments on start-loan debt", v("startlan_instalments_mnok")),
            Line(
                "Mottatte avdrag på videreutlån",
                "Start-loan instalments received",
                v("startlan_received_instalments_mnok"),
            ),
            Line("Netto utgifter videreutlån", "Net start-loan expenditure", relend, "sum"),
            Line("Overføring fra drift", "Transfer from operations", transfer),
            Line(
                "Netto avsetninger til eller bruk av bundne investeringsfond (bruk +, avsetning −)",
                "Net use (+) of or allocation (−) to bound investment funds",
                bound,
            ),
            Line(
                "Netto avsetninger til eller bruk av ubundet investeringsfond (bruk +, avsetning −)",
                "Net use (+) of or allocation (−) to the unbound investment fund",
                unbound,
            ),
            Line(
                "Sum overføring fra drift og netto avsetninger",
                "Total transfer from operations and net fund movements",
                financing,
                "sum",
            ),
            Line(
                "Fremført til inndekning i senere år (udekket beløp)",
                "Carried forward to be covered later (uncovered)",
                income + financing - gross - relend,
                "sum",
            ),
        ),
    )
    return drift, investment, economic
