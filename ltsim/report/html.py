"""The HTML report of one run folder: one self-contained file (plotly.js embedded once, no CDN, no fonts).

:func:`run_context` assembles what the page shows, section by section, from the numbers of
:mod:`ltsim.report.data`, the figures of :mod:`ltsim.report.figures` and the assumptions table of
:mod:`ltsim.report.assumptions`; :func:`render` fills a jinja2 template with it.

Figures are plain plotly JSON specs (``{"data": [...], "layout": {...}}``) rendered by a small inline
loader, which also records JavaScript errors in ``window.__ltsimErrors`` and in the hidden element
``#ltsim-errors`` (the browser test reads it) and the number of figures drawn in ``#ltsim-status``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ltsim.report import RunFolder, uncertainty
from ltsim.report.assumptions import assumptions
from ltsim.report.data import (
    RunData,
    debt_headline,
    deferral_rows,
    finance_table,
    housing_moves,
    housing_per_year,
    housing_rows,
    is_school,
    optimisation_summary,
    population_numbers,
    project_numbers,
    project_rows,
    service_shortfall,
    traffic_lights,
    worst_gaps,
)
from ltsim.report.figures.capacity import fig_service_grid, fig_shortfall_probability, fig_zone_gap
from ltsim.report.figures.common import Figures
from ltsim.report.figures.finance import FINANCE_CHARTS, fig_debt_ratio
from ltsim.report.figures.housing import fig_housing
from ltsim.report.figures.plan import plan_section
from ltsim.report.figures.population import fig_area_growth, fig_elderly, fig_pyramid
from ltsim.report.figures.projects import fig_gantt, fig_spend
from ltsim.report.i18n import fmt_num, fmt_pct, fmt_share, t
from ltsim.report.optimised import answer_section

TEMPLATES = Path(__file__).parent / "templates"

__all__ = ["assumptions", "render", "run_context", "write_html"]


def _bytecode_cache() -> Any:
    """The templates compiled once per machine, or None where that folder is not writable.

    ``$XDG_CACHE_HOME/ltsim/jinja2`` (else ``~/.cache/…``), keyed by each template's source, so an
    edited template is compiled again: saves about 0.25 s per report.
    """
    import os

    import jinja2

    root = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "ltsim" / "jinja2"
    try:
        root.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None
    return jinja2.FileSystemBytecodeCache(str(root)) if os.access(root, os.W_OK) else None


def _env() -> Any:
    import jinja2

    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES)),
        autoescape=jinja2.select_autoescape(["html", "j2"], default=True),
        trim_blocks=True,
        lstrip_blocks=True,
        bytecode_cache=_bytecode_cache(),
    )


PLOTLY_BUNDLE = Path(__file__).parent / "static" / "plotly-cartesian.min.js.gz"
_plotly_cache: list[str] = []


def plotly_js() -> str:
    """plotly.js (cartesian bundle, see static/README.md), gzip-compressed, as base64 (embedded once per report).

    The page unpacks it with ``DecompressionStream``; 0.66 MB instead of 4.8 MB for the full bundle.
    """
    if not _plotly_cache:
        import base64

        _plotly_cache.append(base64.b64encode(PLOTLY_BUNDLE.read_bytes()).decode("ascii"))
    return _plotly_cache[0]


def render(template: str, lang: str, fig_titles: dict[str, str] | None = None, **context: Any) -> str:
    """Render a template with the common context (labels, formatters, plotly bundle, ``plot(id)``)."""
    from markupsafe import Markup, escape

    env = _env()
    titles = fig_titles or {}

    def plot(fig_id: str | None) -> Any:
        if not fig_id:
            return ""
        heading = titles.get(fig_id, "")
        head = f'<div class="fig-title">{escape(heading)}</div>' if heading else ""
        return Markup(f'<figure class="fig">{head}<div id="{escape(fig_id)}" class="plot"></div></figure>')

    env.globals.update(
        t=lambda key: t(key, lang),
        num=lambda v, d=0, sign=False: fmt_num(v, d, lang, sign),
        pct=lambda v, d=1, sign=False: fmt_pct(v, d, lang, sign),
        share=lambda v, d=1, sign=False: fmt_share(v, d, lang, sign),
        lang=lang,
        plot=plot,
        plotly_js=plotly_js(),
    )
    return env.get_template(template).render(**context)


def _housing(figs: Figures, d: RunData) -> dict[str, Any] | None:
    """The housing section: its figure, the developments held back and those the optimiser moved."""
    per_year = housing_per_year(d.run)
    if per_year is None:
        return None
    return {
        "fig": fig_housing(figs, d.lang, per_year),
        "rows": housing_rows(d.run),
        "moved": housing_moves(d.run),
        "total_planned": float(per_year.planned.sum()),
        "total_released": float(per_year.released.sum()),
    }


def _services(figs: Figures, d: RunData) -> list[dict[str, Any]]:
    """The capacity section: per service its shortfall, its zone grid and (Monte Carlo) shortfall chances."""
    cap = d.run.table("capacity")
    if cap is None:
        return []
    services = []
    for sid in dict.fromkeys(cap.service):
        name = d.service_names.get(sid, sid)
        services.append(
            {
                "id": sid,
                "name": name,
                "fig": fig_service_grid(figs, d, sid, f"fig-svc-{sid}"),
                "fig_prob": fig_shortfall_probability(figs, d, sid, name, f"fig-prob-{sid}"),
                **service_shortfall(d.run, sid),
            }
        )
    return services


def run_context(run: RunFolder, lang: str) -> dict[str, Any]:
    """Everything the run template shows (figures are added in page order: their JSON follows it)."""
    figs = Figures(lang)
    d = RunData(run, lang)
    base, end = d.years
    man = run.manifest
    ctx: dict[str, Any] = {"run": run, "base_year": base, "end_year": end, "manifest": man}
    # summary: an optimised plan's answer first (its chart is the page's first)
    ctx["answer"] = answer_section(figs, run, lang)
    ctx["pop"] = population_numbers(run)
    ctx["gaps"] = worst_gaps(d, 3)
    school = worst_gaps(d, 1, schools_only=True)
    ctx["school"] = school[0] if school else None
    cap = run.table("capacity")
    ctx["has_schools"] = cap is not None and any(is_school(s) for s in cap.service.unique())
    # with Monte Carlo every headline is a distribution over the replications (ltsim.report.uncertainty)
    ctx["mc_head"] = uncertainty.headline(d)
    ctx["mc_school"] = uncertainty.worst_school(d) if ctx["mc_head"] else None
    ctx["fig_debt"] = (uncertainty.fig_debt_band(figs, d) if ctx["mc_head"] else None) or fig_debt_ratio(figs, d)
    ctx["fig_school"] = None
    if ctx["mc_school"]:
        ctx["fig_school"] = uncertainty.fig_gap_band(figs, d, ctx["mc_school"])
    elif ctx["school"] and not ctx["mc_head"]:
        s = ctx["school"]
        heading = f"{t('worst_school', lang)}: {s['service']} – {s['zone']}"
        ctx["fig_school"] = fig_zone_gap(figs, d, s["service_id"], s["zone_id"], heading, "fig-worst-school")
    ctx["mc_gaps"] = uncertainty.worst_gaps(d, 3) if ctx["mc_head"] else []
    ctx["debt"] = debt_headline(d)
    ctx["lights"] = (uncertainty.lights(d) if ctx["mc_head"] else None) or traffic_lights(d)
    ctx["projects"] = project_numbers(run)
    ctx["has_finance"] = run.has("finance") or run.has("kpi")
    # sections
    ctx["fig_pyramid"] = fig_pyramid(figs, d)
    ctx["fig_population_band"] = uncertainty.fig_population_band(figs, d) if ctx["mc_head"] else None
    ctx["fig_area_growth"] = fig_area_growth(figs, d)
    ctx["fig_elderly"] = fig_elderly(figs, lang, ctx["pop"])
    ctx["housing"] = _housing(figs, d)
    ctx["deferrals"] = deferral_rows(run)
    ctx["optimisation"] = optimisation_summary(run)
    ctx["services"] = _services(figs, d)
    ctx["fig_gantt"] = fig_gantt(figs, d)
    ctx["fig_spend"] = fig_spend(figs, d)
    ctx["project_rows"] = project_rows(d)
    ctx["plan"] = plan_section(figs, d)
    charts = FINANCE_CHARTS if ctx["has_finance"] else ()
    ctx["finance_figs"] = [fig_id for fig_id in (chart(figs, d) for chart in charts) if fig_id is not None]
    ctx["finance_table"] = finance_table(d)
    ctx["assumptions"] = assumptions(run, lang)
    ctx["figures_json"] = figs.json()
    ctx["fig_titles"] = figs.titles
    ctx["n_figures"] = len(figs.specs)
    ctx["mc"] = man.get("replications")
    return ctx


def write_html(run: RunFolder, out: Path, lang: str = "nb") -> Path:
    """Render the run report to ``out`` (written to a temporary file and renamed)."""
    html = render("run.html.j2", lang, **run_context(run, lang))
    out = Path(out)
    tmp = out.with_name(f".{out.name}.tmp")
    tmp.write_text(html, encoding="utf-8")
    tmp.replace(out)
    return out
