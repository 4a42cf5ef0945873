"""The browser view's ASGI app (Starlette): one opened scenario in memory, lever changes rerun the pipeline.

Routes (JSON unless said):

- ``GET /`` the page (``static/index.html``); ``GET /static/…`` its script, style sheet and the plotly
  bundle (served gzip-encoded from :mod:`ltsim.report`'s package data: nothing from the network);
- ``GET /api/state`` the scenario, its levers (value, source, bounds) and the saved scenario's figures;
- ``POST /api/update`` ``{"values": {lever: value}}`` → the figures of the scenario with those levers and
  their difference to the saved scenario; bad input → 422 ``{"errors": [message, …]}`` with the CLI's
  messages (the server never fails on it);
- ``POST /api/save`` ``{"name", "values"}`` → writes ``<save_dir>/<name>.yaml``, a variant that
  ``extends:`` the opened file with only the changed keys (never replaces a file);
- ``POST /api/compare`` ``{"folder"}`` → the figures of a run folder written by ``ltsim run``, to compare;
- ``POST /api/optimize`` and ``POST /api/montecarlo`` start a job in a background thread;
  ``GET /api/jobs/<id>`` its progress and, when done, its result.

Every computation goes through :mod:`ltsim.serve.levers` (the loader the CLI uses) and
:func:`ltsim.pipeline.run`; one lock keeps one computation at a time on the shared table cache.
"""

from __future__ import annotations

import itertools
import threading
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.middleware import Middleware
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.routing import Route

from ltsim import pipeline
from ltsim.errors import InputError, Problem, show
from ltsim.serve import levers as lv
from ltsim.serve import overrides as ov
from ltsim.serve.views import difference, folder_view, run_view

STATIC = Path(__file__).parent / "static"
PLOTLY_BUNDLE = Path(__file__).parent.parent / "report" / "static" / "plotly-cartesian.min.js.gz"
STATIC_TYPES = {".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8"}
MAX_BODY_BYTES = 1_000_000
MAX_REPS = 2000
NAME_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$"


@dataclass
class Job:
    """A background computation: progress (done of total; total 0 = unknown), then a result or an error."""

    kind: str
    total: int
    done: int = 0
    result: dict[str, Any] | None = None
    errors: list[str] = field(default_factory=list)
    finished: bool = False
    started_s: float = field(default_factory=time.perf_counter)
    seconds: float | None = None

    def as_json(self) -> dict[str, Any]:
        """Progress and outcome for the page."""
        return {
            "kind": self.kind,
            "total": self.total,
            "done": self.done,
            "finished": self.finished,
            "result": self.result,
            "errors": self.errors,
            "seconds": self.seconds,
        }


class ServeState:
    """The opened scenario, the saved scenario's figures, and the jobs started from the page."""

    def __init__(self, scenario_file: Path, save_dir: Path | None = None, lang: str = "nb") -> None:
        self.opened = lv.open_scenario(scenario_file)
        self.save_dir = (save_dir if save_dir is not None else self.opened.file.parent).resolve()
        self.lang = lang
        self.levers = lv.levers(self.opened)
        self.defaults = {lever.key: lever.value for lever in self.levers}
        self.lock = threading.Lock()
        self.saved_view = self._view(self.opened.scenario, self.defaults)
        self.jobs: dict[str, Job] = {}
        self._ids = itertools.count(1)

    # ------------------------------------------------------------------ computing

    def _view(self, scenario: Any, values: dict[str, Any]) -> dict[str, Any]:
        result = pipeline.run(scenario)
        return run_view(result, float(values.get("debt_ratio_ceiling", 1.0)))

    def scenario_for(self, values: dict[str, Any]) -> tuple[Any, dict[str, Any]]:
        """The scenario with the lever ``values`` and the overrides they make; InputError on bad input."""
        over = ov.overrides(self.opened, values, self.levers)
        with self.lock:
            return ov.apply(self.opened, over), over

    def update(self, values: dict[str, Any]) -> dict[str, Any]:
        """Figures of the scenario with ``values``, and their difference to the saved scenario."""
        tick = time.perf_counter()
        scenario, over = self.scenario_for(values)
        with self.lock:
            view = self._view(scenario, {**self.defaults, **values})
        return {
            "view": view,
            "difference": difference(view["summary"], self.saved_view["summary"]),
            "overrides": over,
            "compute_ms": round((time.perf_counter() - tick) * 1000.0, 2),
        }

    def errors(self, exc: InputError) -> list[str]:
        """The problems of ``exc`` as the CLI prints them (see :func:`ltsim.serve.overrides.message`)."""
        return [ov.message(p, self.opened) for p in exc.problems]

    def save(self, name: Any, values: dict[str, Any]) -> Path:
        """Write the variant ``<save_dir>/<name>.yaml``; InputError if the name, the levers or the file are bad."""
        import re

        if not isinstance(name, str) or not re.fullmatch(NAME_PATTERN, name) or len(name) > 80:
            raise InputError(
                Problem(
                    "a scenario name of letters, digits, '_', '.', '-' (at most 80)", field="name", found=show(name)
                )
            )
        _, over = self.scenario_for(values)  # refuses what the CLI would refuse
        target = self.save_dir / f"{name}.yaml"
        if target.exists():
            raise InputError(
                Problem("a name no file in the folder has yet", file=str(target), found="an existing file")
            )
        text = ov.variant_yaml(self.opened, name, over, target)
        try:
            with target.open("x", encoding="utf-8") as fh:
                fh.write(text)
        except OSError as exc:
            raise InputError(Problem("a folder ltsim may write to", file=str(target), found=show(str(exc)))) from None
        return target

    def compare(self, folder: Any) -> dict[str, Any]:
        """The figures of a run folder (``ltsim run``'s), checked as ``ltsim report`` checks it, to compare."""
        from ltsim.report import RunFolder

        if not isinstance(folder, str) or not folder.strip():
            raise InputError(
                Problem("the path of a run folder written by ltsim run", field="folder", found=show(folder))
            )
        path = Path(folder.strip()).expanduser()  # relative: to the folder ltsim serve was started in
        view = folder_view(RunFolder(path), float(self.defaults.get("debt_ratio_ceiling", 1.0)))
        return {"view": view, "difference": difference(view["summary"], self.saved_view["summary"])}

    # ------------------------------------------------------------------ jobs

    def start(self, kind: str, total: int, work: Any) -> str:
        """Run ``work(job)`` in a background thread; return the job's id (one job of a kind at a time)."""
        if any(j.kind == kind and not j.finished for j in self.jobs.values()):
            raise InputError(Problem(f"the running {kind} job to finish first", field=kind, found="one still running"))
        job_id = f"{kind}-{next(self._ids)}"
        job = Job(kind=kind, total=total)
        self.jobs[job_id] = job

        def target() -> None:
            try:
                job.result = work(job)
            except InputError as exc:
                job.errors = self.errors(exc)
            except Exception as exc:  # a failure is reported on the page, never kills the server
                job.errors = [f"{type(exc).__name__}: {exc}"]
                traceback.print_exc()
            job.seconds = round(time.perf_counter() - job.started_s, 3)
            job.finished = True

        threading.Thread(target=target, name=job_id, daemon=True).start()
        return job_id

    def optimize_job(self, values: dict[str, Any]) -> str:
        """Start ``ltsim optimize`` on the current levers (checked first, so bad input fails the request)."""
        scenario, _ = self.scenario_for(values)

        def work(job: Job) -> dict[str, Any]:
            from ltsim.optimize import optimize

            result = optimize(scenario)  # builds its own scenarios; the shared table cache is not touched
            answer = result.answer
            return {
                "moves": [
                    {k: v for k, v in m.items() if k in ("kind", "project", "name", "from", "to", "years", "why")}
                    for m in answer["moves"]
                ],
                "place_years_short_plan": answer.get("place_years_short_plan"),
                "place_years_short_optimized": answer.get("place_years_short_optimized"),
                "plan_debt_ratio_pct": answer.get("plan_debt_ratio_pct"),
                "optimized_debt_ratio_pct": answer.get("optimized_debt_ratio_pct"),
                "years": answer.get("years"),
                "ceiling_pct": answer.get("ceiling_pct"),
            }

        return self.start("optimize", 0, work)

    def montecarlo_job(self, values: dict[str, Any], reps: int) -> str:
        """Start ``reps`` Monte Carlo replications of the project programme on the current levers."""
        scenario, _ = self.scenario_for(values)
        if scenario.projects is None:
            raise InputError(
                Problem("a 'projects:' section (Monte Carlo varies the project programme)", field="projects")
            )

        def work(job: Job) -> dict[str, Any]:
            from ltsim.montecarlo import run_montecarlo

            def progress(n: int) -> None:
                job.done += n

            with self.lock:
                base = pipeline.run(scenario)
            mc = run_montecarlo(
                scenario, base.population.persons, reps, scenario.config.seed, workers=1, progress=progress
            )
            return montecarlo_bands(mc, base)

        return self.start("montecarlo", reps, work)


def montecarlo_bands(mc: Any, base: Any) -> dict[str, Any]:
    """P10, P50 and P90 per year over the replications: debt ratio [%], netto driftsresultat [%], places short."""
    out: dict[str, Any] = {"reps": int(mc.reps), "years": [int(y) for y in base.population.years]}
    if mc.kpi_values is not None:
        out["finance_years"] = [int(y) for y in base.finance.years]
        for name in ("debt_ratio_pct", "net_operating_result_pct"):
            k = mc.kpi_names.index(name)
            p10, p50, p90 = np.percentile(mc.kpi_values[:, k, :], (10, 50, 90), axis=0)
            red = mc.kpi_red[:, k, :].mean(axis=0)
            out[name] = {
                "p10": _round(p10),
                "p50": _round(p50),
                "p90": _round(p90),
                "probability_red": _round(red),
            }
    if mc.short:
        total = sum(s.sum(axis=2) for s in mc.short)  # [R, Y] places short over all services and zones
        p10, p50, p90 = np.percentile(total, (10, 50, 90), axis=0)
        out["short_total"] = {"p10": _round(p10), "p50": _round(p50), "p90": _round(p90)}
    return out


def _round(values: np.ndarray, digits: int = 3) -> list[float]:
    return [round(float(v), digits) for v in values]


# ---------------------------------------------------------------------- the app


async def _body(request: Request) -> dict[str, Any]:
    """The request's JSON object; InputError when it is not one (or too large)."""
    import json

    raw = await request.body()
    if len(raw) > MAX_BODY_BYTES:
        raise InputError(Problem(f"a request of at most {MAX_BODY_BYTES:,} bytes", found=f"{len(raw):,} bytes"))
    try:
        data = json.loads(raw or b"{}")
    except ValueError:
        raise InputError(Problem("a JSON object", found="text that is not JSON")) from None
    if not isinstance(data, dict):
        raise InputError(Problem("a JSON object", found=type(data).__name__))
    values = data.get("values", {})
    if not isinstance(values, dict):
        raise InputError(Problem("a mapping of lever → value", field="values", found=type(values).__name__))
    return data


def create_app(state: ServeState, hosts: tuple[str, ...] = ("127.0.0.1", "localhost", "[::1]")) -> Starlette:
    """The Starlette app serving ``state``.

    Requests must name one of ``hosts`` (no DNS rebinding from a web page) and POST a JSON body
    (``Content-Type: application/json``, which a cross-site form cannot send without the browser asking first).
    """

    def refused(exc: InputError) -> JSONResponse:
        return JSONResponse({"errors": state.errors(exc)}, status_code=422)

    async def index(request: Request) -> Response:
        return FileResponse(STATIC / "index.html", media_type="text/html; charset=utf-8")

    async def static(request: Request) -> Response:
        name = request.path_params["name"]
        if name == "plotly.min.js":
            return FileResponse(
                PLOTLY_BUNDLE,
                media_type="text/javascript; charset=utf-8",
                headers={"Content-Encoding": "gzip", "Cache-Control": "max-age=86400"},
            )
        path = STATIC / name
        if name not in {p.name for p in STATIC.iterdir()} or path.suffix not in STATIC_TYPES:
            return JSONResponse({"errors": [f"no such file: {name}"]}, status_code=404)
        return FileResponse(path, media_type=STATIC_TYPES[path.suffix])

    async def api_state(request: Request) -> Response:
        sc = state.opened.scenario
        return JSONResponse(
            {
                "name": sc.name,
                "title": sc.config.title or sc.name,
                "file": str(state.opened.file),
                "save_dir": str(state.save_dir),
                "lang": state.lang,
                "levers": [lever.as_json() for lever in state.levers],
                "saved": state.saved_view,
            }
        )

    async def api_update(request: Request) -> Response:
        try:
            data = await _body(request)
            return JSONResponse(await run_in_threadpool(state.update, data.get("values", {})))
        except InputError as exc:
            return refused(exc)

    async def api_save(request: Request) -> Response:
        try:
            data = await _body(request)
            path = await run_in_threadpool(state.save, data.get("name"), data.get("values", {}))
        except InputError as exc:
            return refused(exc)
        return JSONResponse({"path": str(path), "text": path.read_text(encoding="utf-8")})

    async def api_optimize(request: Request) -> Response:
        try:
            data = await _body(request)
            if state.opened.scenario.config.optimize is None and "debt_ratio_ceiling" not in data.get("values", {}):
                raise InputError(
                    Problem("an 'optimize:' section in the scenario (debt_ratio_ceiling, …)", field="optimize")
                )
            job = await run_in_threadpool(state.optimize_job, data.get("values", {}))
        except InputError as exc:
            return refused(exc)
        return JSONResponse({"job": job})

    async def api_montecarlo(request: Request) -> Response:
        try:
            data = await _body(request)
            reps = data.get("reps", 200)
            if isinstance(reps, bool) or not isinstance(reps, int) or not 2 <= reps <= MAX_REPS:
                raise InputError(
                    Problem(f"a whole number of replications from 2 to {MAX_REPS}", field="reps", found=show(reps))
                )
            job = await run_in_threadpool(state.montecarlo_job, data.get("values", {}), reps)
        except InputError as exc:
            return refused(exc)
        return JSONResponse({"job": job})

    async def api_compare(request: Request) -> Response:
        try:
            data = await _body(request)
            return JSONResponse(await run_in_threadpool(state.compare, data.get("folder")))
        except InputError as exc:
            return refused(exc)

    async def api_job(request: Request) -> Response:
        job = state.jobs.get(request.path_params["job"])
        if job is None:
            return JSONResponse({"errors": ["no such job"]}, status_code=404)
        return JSONResponse(job.as_json())

    async def favicon(request: Request) -> Response:
        return Response(status_code=204)

    routes = [
        Route("/", index),
        Route("/favicon.ico", favicon),
        Route("/static/{name}", static),
        Route("/api/state", api_state),
        Route("/api/update", api_update, methods=["POST"]),
        Route("/api/save", api_save, methods=["POST"]),
        Route("/api/optimize", api_optimize, methods=["POST"]),
        Route("/api/montecarlo", api_montecarlo, methods=["POST"]),
        Route("/api/compare", api_compare, methods=["POST"]),
        Route("/api/jobs/{job}", api_job),
    ]
    return Starlette(
        routes=routes,
        middleware=[Middleware(TrustedHostMiddleware, allowed_hosts=list(hosts)), Middleware(JsonOnlyMiddleware)],
    )


class JsonOnlyMiddleware:
    """Refuse a POST whose body is not declared JSON (415), before the app reads it."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        """ASGI entry point."""
        if scope["type"] == "http" and scope["method"] == "POST":
            headers = dict(scope.get("headers") or [])
            kind = headers.get(b"content-type", b"").split(b";")[0].strip().lower()
            if kind != b"application/json":
                response = JSONResponse({"errors": ["expected a JSON body (Content-Type: application/json)"]}, 415)
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)
