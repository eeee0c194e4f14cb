"""``shop scenarios …`` and ``shop workshop …``: the workshop's commands.

    shop scenarios list                          the catalogue and each scenario's status
    shop scenarios run [NN…] [--json]            run them, each in a fresh database
    shop scenarios compare REF_A REF_B           both refs' runs, side by side
    shop workshop list                           the steps of the series and their patches
    shop workshop start N | solution N           a branch with steps 1..N-1 | 1..N applied
    shop workshop verify                         every step applied and tested in turn
    shop workshop refresh [--continue|--abort]   replay the series onto HEAD, re-export it
    shop workshop export --from BRANCH           write the patches from BRANCH's commits

Only the standard library is imported here: the console script loads this module in
every process (each web worker of ``shop serve --workers N`` included); the commands
themselves, in :mod:`shop.workshop.commands`, are imported when one runs. None of
them needs the shop's settings; they take their database from ``--database-url``.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from shared.settings import Settings

Handler = Callable[["Settings", argparse.Namespace], int]


def add_workshop_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Registers ``shop scenarios`` and ``shop workshop`` on the CLI's subcommands."""
    _add_scenarios(commands)
    _add_workshop(commands)


def _add_scenarios(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    scenarios = commands.add_parser(
        "scenarios", help="the workshop's production stories: list, run, compare two refs"
    ).add_subparsers(required=True, metavar="COMMAND")

    listing = scenarios.add_parser("list", help="the catalogue: scenarios and their status")
    listing.set_defaults(run=_command("scenarios_list"))

    run = scenarios.add_parser(
        "run",
        help="run scenarios, each in a fresh database; exit 1 if one disagrees with the catalogue",
    )
    run.add_argument("numbers", nargs="*", metavar="NN", help="scenarios to run (default: all)")
    _database_url_option(run)
    run.add_argument("--json", action="store_true", help="print the results as one JSON object")
    run.add_argument("--verbose", action="store_true", help="show the shop's INFO logs")
    run.set_defaults(run=_command("scenarios_run"))

    compare = scenarios.add_parser(
        "compare", help="run the scenarios of two git refs and print them side by side"
    )
    compare.add_argument("refs", nargs=2, metavar="REF", help="a branch, tag or commit")
    _database_url_option(compare)
    compare.set_defaults(run=_command("scenarios_compare"))


def _add_workshop(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    workshop = commands.add_parser(
        "workshop", help="the refactoring series: exercise branches, verification, patches"
    ).add_subparsers(required=True, metavar="COMMAND")

    listing = workshop.add_parser("list", help="the steps, their patches and status here")
    listing.set_defaults(run=_command("workshop_list"))

    for name, help_text in (
        ("start", "branch workshop/NN-start: HEAD with steps 1..N-1 (exercise N's start)"),
        ("solution", "branch workshop/NN-solution: HEAD with steps 1..N (step N's reference)"),
    ):
        command = workshop.add_parser(name, help=help_text)
        command.add_argument("number", type=int, metavar="N")
        command.add_argument("--branch", help=f"the branch's name (default workshop/NN-{name})")
        command.add_argument(
            "--no-switch", action="store_true", help="create the branch but stay where you are"
        )
        command.set_defaults(run=_command("workshop_branch"), kind=name)

    verify = workshop.add_parser(
        "verify", help="apply each step to HEAD (as committed) in a temporary worktree; test each"
    )
    verify.add_argument(
        "--database-url",
        default=os.environ.get("SHOP_TEST_DATABASE_URL"),
        help="a PostgreSQL URL: the final state's suite runs there too "
        "(default: $SHOP_TEST_DATABASE_URL)",
    )
    verify.set_defaults(run=_command("workshop_verify"))

    refresh = workshop.add_parser(
        "refresh", help="maintainers: replay the series onto HEAD and re-export its patches"
    )
    ending = refresh.add_mutually_exclusive_group()
    ending.add_argument(
        "--continue",
        dest="finish",
        action="store_true",
        help="after resolving a conflict: export the replayed series",
    )
    ending.add_argument("--abort", action="store_true", help="drop the refresh under way")
    refresh.set_defaults(run=_command("workshop_refresh"))

    export = workshop.add_parser(
        "export", help="maintainers: write the patches from a branch's commits after HEAD"
    )
    export.add_argument(
        "--from", dest="branch", required=True, help="one commit per step, in order, on HEAD"
    )
    export.set_defaults(run=_command("workshop_export"))


def _database_url_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--database-url",
        help="a PostgreSQL server URL: each scenario gets a new database there "
        "(default: a temporary SQLite file per scenario)",
    )


def _command(name: str) -> Handler:
    """The handler ``name`` of :mod:`shop.workshop.commands`, imported when it runs."""

    def run(settings: Settings, arguments: argparse.Namespace) -> int:
        from shop.workshop import commands

        handler: Handler = getattr(commands, name)
        return handler(settings, arguments)

    return run
