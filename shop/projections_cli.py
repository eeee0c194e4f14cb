"""``shop projections``: the asynchronous read models, for an operator.

    shop projections list            each projection's position, lag and last move
    shop projections rebuild NAME    empty its read model and replay every event into it

A rebuild shows a progress bar on stderr and prints, at the end, the events it
replayed and how many a second. It waits for a worker's run of the projection to
end (at most 30 seconds), then holds the projection's lease until it is done, so
that no worker applies events meanwhile. An unknown name is one line and exit 1.
"""

from __future__ import annotations

import argparse
import logging
from typing import TYPE_CHECKING, Any

# Like shop.cli, nothing but the standard library at the top: every `shop` command
# imports this module to build its parser.
if TYPE_CHECKING:
    from shared.projections import ProjectionRunner, ProjectionStatus, RebuildReport
    from shared.settings import Settings
    from shop.bootstrap import Shop

EXIT_FAILED = 1
logger = logging.getLogger(__name__)


def add_projections_commands(commands: Any) -> None:
    """Registers ``shop projections`` on the CLI's subcommands (an argparse subparsers object)."""
    projections = commands.add_parser(
        "projections", help="asynchronous read models: their position, and rebuilding one"
    ).add_subparsers(required=True, metavar="COMMAND")
    listing = projections.add_parser("list", help="each projection's position and lag")
    listing.set_defaults(run=run_list)
    rebuild = projections.add_parser(
        "rebuild", help="empty a projection's read model and replay every event into it"
    )
    rebuild.add_argument("name", metavar="NAME", help="as `shop projections list` names it")
    rebuild.set_defaults(run=run_rebuild)


def projections_of(shop: Shop) -> dict[str, ProjectionRunner]:
    """Every module's projections, by name."""
    from shop.modules import MODULES

    return {
        runner.name: runner
        for module in MODULES
        for runner in module.projections(shop.contexts[module.name])
    }


def run_list(settings: Settings, _: argparse.Namespace) -> int:
    from shop.bootstrap import bootstrap
    from shop.migrate import require_current_schema

    require_current_schema(settings.database_url)
    shop = bootstrap(settings)
    try:
        statuses = [runner.status() for runner in projections_of(shop).values()]
    finally:
        shop.close()
    print(_table(statuses))
    return 0


def _table(statuses: list[ProjectionStatus]) -> str:
    rows = [("NAME", "POSITION", "LAG", "UPDATED")]
    rows.extend(
        (
            status.name,
            str(status.position),
            str(status.lag),
            f"{status.updated_at:%Y-%m-%d %H:%M:%S %Z}" if status.updated_at else "never",
        )
        for status in statuses
    )
    widths = [max(len(row[column]) for row in rows) for column in range(len(rows[0]))]
    return "\n".join(
        f"{name:<{widths[0]}}  {position:>{widths[1]}}  {lag:>{widths[2]}}  {updated}".rstrip()
        for name, position, lag, updated in rows
    )


def run_rebuild(settings: Settings, arguments: argparse.Namespace) -> int:
    from shared.projections import ProjectionBusy
    from shop.bootstrap import bootstrap
    from shop.migrate import require_current_schema

    require_current_schema(settings.database_url)
    shop = bootstrap(settings)
    try:
        runners = projections_of(shop)
        runner = runners.get(arguments.name)
        if runner is None:
            logger.error(
                "shop projections rebuild: no projection named %r (known: %s)",
                arguments.name[:100],
                ", ".join(sorted(runners)) or "none",
            )
            return EXIT_FAILED
        try:
            report = _rebuild_with_a_progress_bar(runner)
        except ProjectionBusy as busy:
            logger.error("shop projections rebuild: %s", busy)
            return EXIT_FAILED
    finally:
        shop.close()
    print(
        f"rebuilt {report.name}: {report.events} events replayed in {report.seconds:.1f}s"
        f" ({report.events_per_second:.0f} events/s)"
    )
    return 0


def _rebuild_with_a_progress_bar(runner: ProjectionRunner) -> RebuildReport:
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        ProgressColumn,
        Task,
        TextColumn,
        TimeElapsedColumn,
    )
    from rich.text import Text

    class EventsPerSecond(ProgressColumn):
        def render(self, task: Task) -> Text:
            speed = task.finished_speed or task.speed
            return Text("" if speed is None else f"{speed:.0f} events/s")

    # On stderr: stdout holds the result alone.
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        EventsPerSecond(),
        TimeElapsedColumn(),
        console=Console(stderr=True),
    ) as progress:
        task = progress.add_task(f"rebuilding {runner.name}", total=None)

        def advance(done: int, total: int) -> None:
            progress.update(task, completed=done, total=total)

        return runner.rebuild(on_progress=advance)
