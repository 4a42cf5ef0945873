"""Command line: ``ltsim validate|run|optimize|plan|batch|report|serve|calibrate|backtest|import|export``. Exit 0 on success, 2 on bad input.

One module per command group (:mod:`ltsim.cli.run`, :mod:`~ltsim.cli.optimize`, :mod:`~ltsim.cli.plan`, :mod:`~ltsim.cli.batch`,
:mod:`~ltsim.cli.report`, :mod:`~ltsim.cli.serve`, :mod:`~ltsim.cli.history`, :mod:`~ltsim.cli.data`); what they share is in :mod:`ltsim.cli.common`.
They define plain functions; this module registers them on the one Typer app.
"""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from ltsim import __version__
from ltsim.cli import batch, data, history, optimize, plan, report, run, serve
from ltsim.cli.common import out

app = typer.Typer(
    name="ltsim",
    help=(
        "ltsim — long-term investment and capacity planning for Norwegian municipalities.\n\n"
        "From a scenario file (YAML plus CSV tables): population by planning area, age and sex; "
        "school, kindergarten and 24-hour care places needed against capacity by zone; the "
        "investment projects that add capacity (with Monte Carlo of delays and overruns); and the "
        "municipal finance with its fiscal rules — over a 20-year horizon. Batches compare many "
        "scenarios. Start with: ltsim run scenarios/asker/base.yaml"
    ),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _version(value: bool) -> None:
    if value:
        out.print(f"ltsim {__version__}")
        raise typer.Exit()


@app.callback()
def _main(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Show the version and exit."),
    ] = False,
) -> None:
    """Long-term investment and capacity planning for Norwegian municipalities."""


app.command()(run.validate)
app.command()(run.run)
app.command()(batch.batch)
app.command()(optimize.optimize)
app.command()(plan.plan)
app.command("report")(report.report_command)
app.command()(serve.serve)
app.command()(history.calibrate)
app.command()(history.backtest)
app.add_typer(data.import_app, name="import")
app.add_typer(data.export_app, name="export")


def main() -> None:
    """Console-script entry point."""
    app(prog_name="ltsim")


if __name__ == "__main__":
    sys.exit(main())
