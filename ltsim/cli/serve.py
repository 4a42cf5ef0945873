"""``ltsim serve``: the what-if view in the browser (a local web app on the loopback interface)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ltsim.cli.common import ScenarioArg, check_lang, check_range, err, fail, out
from ltsim.errors import InputError


def serve(
    scenario: ScenarioArg,
    port: Annotated[int, typer.Option("--port", help="TCP port (0: any free port).")] = 8050,
    host: Annotated[
        str,
        typer.Option(
            "--host",
            help="Interface to listen on. Default 127.0.0.1: only this machine can connect. Anything else lets "
            "others on the network turn the levers and save variants; give it only where that is meant.",
        ),
    ] = "127.0.0.1",
    save_dir: Annotated[
        Path | None,
        typer.Option("--save-dir", help="Folder for saved variants (default: the scenario file's folder)."),
    ] = None,
    lang: Annotated[str, typer.Option("--lang", help="Page language at start: nb (bokmål) or en.")] = "nb",
    browser: Annotated[
        bool, typer.Option("--browser/--no-browser", help="Open the page in the default browser (default: yes).")
    ] = True,
) -> None:
    """Open a scenario in the browser and turn its levers: results update as you type.

    Levers: fertility and in-migration level; building pace and delay per housing
    development; sequencing rules on/off; the start year of each catalogue project
    (typed, or a bar dragged on the timeline); structural measures and closures;
    the interest rate (a change from a year); the debt-ratio ceiling; more savings
    a year. Each change reruns the pipeline (a few tens of ms for Asker) and shows
    the debt ratio against the ceiling, netto driftsresultat, the disposition fund,
    places short per service and zone and population by age group, with the
    change against the saved scenario. Optimise runs ltsim optimize on the current
    levers; Monte Carlo runs replications in the background. Save as variant
    writes a YAML file that extends the opened file with only the changed keys,
    for ltsim run; Compare loads a run folder. Everything is served from the
    package (no network). Stop with Ctrl+C.
    """
    import webbrowser

    import uvicorn

    from ltsim.serve.app import ServeState, create_app

    check_lang(lang)
    check_range(port, "--port", 0, 65535)
    if save_dir is not None and not save_dir.is_dir():
        raise typer.BadParameter(f"found {str(save_dir)!r}; expected an existing folder", param_hint="--save-dir")
    try:
        state = ServeState(scenario, save_dir, lang)
    except InputError as exc:
        raise fail(exc, f"serve {scenario}") from None
    # on loopback only requests naming this machine are answered (no DNS rebinding); a host given on purpose
    # is reached under names ltsim cannot know (the machine's address, a DNS name), so any name is answered
    loopback = host in ("127.0.0.1", "localhost", "::1")
    hosts = ("127.0.0.1", "localhost", "[::1]") if loopback else ("*",)
    app = create_app(state, hosts)
    config = uvicorn.Config(app, host=host, port=port, log_level="warning", access_log=False)
    server = uvicorn.Server(config)

    def announce() -> None:
        bound = server.servers[0].sockets[0].getsockname()[1] if server.servers else port
        shown = "127.0.0.1" if host in ("127.0.0.1", "0.0.0.0") else (f"[{host}]" if ":" in host else host)
        url = f"http://{shown}:{bound}/"
        out.print(f"ltsim serve: {state.opened.scenario.name} on [bold]{url}[/] (Ctrl+C stops)", soft_wrap=True)
        if not loopback:
            err.print(f"[yellow]Note:[/] listening on {host}: others on the network can reach this page.")
        if browser:
            webbrowser.open(url)

    original = server.startup

    async def startup(sockets: object = None) -> None:
        await original(sockets=sockets)  # type: ignore[arg-type]
        if server.started:
            announce()

    server.startup = startup  # type: ignore[method-assign]
    server.run()
