"""The workshop commands' implementations (``shop scenarios …``, ``shop workshop …``).

:mod:`shop.workshop.cli` registers them and imports this module only when one runs:
rich and the shop itself load then, not in every process that reads the console script.
Tables and progress go through rich: results on stdout, progress and messages on
stderr, so that ``--json`` output stays clean.
"""

from __future__ import annotations

import argparse
import logging
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING

from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

if TYPE_CHECKING:
    from shared.settings import Settings
    from shop.workshop.compare import Side
    from shop.workshop.report import ScenarioReport
    from shop.workshop.series import Check, Exported, Series, Step

EXIT_OK = 0
EXIT_FAILED = 1  # a scenario disagrees, a check failed, a refresh stopped at a conflict
EXIT_REFUSED = 2  # the command cannot do what was asked (argparse's status for bad usage)
FAILED_OUTPUT_LINES = 60


@contextmanager
def _quiet_logs(verbose: bool) -> Iterator[None]:
    """Scenarios drive a whole shop: its INFO lines (each HTTP request, each delivery)
    would bury the progress display. Warnings and errors still show."""
    if verbose:
        yield
        return
    previous = logging.root.manager.disable
    logging.disable(logging.INFO)
    try:
        yield
    finally:
        logging.disable(previous)


def _out() -> Console:
    return Console(highlight=False)


def _err() -> Console:
    return Console(stderr=True, highlight=False)


# --- shop scenarios ---------------------------------------------------------------------------


def scenarios_list(_: Settings, __: argparse.Namespace) -> int:
    with _quiet_logs(verbose=False):  # importing the shop announces Alembic's plugins
        from shop.workshop.scenarios import catalogue

    table = Table("scenario", "title", "status", "invariant", title="scenarios/catalog.toml")
    for scenario in catalogue():
        table.add_row(scenario.number, scenario.title, scenario.status, scenario.invariant)
    _out().print(table)
    return EXIT_OK


def scenarios_run(_: Settings, arguments: argparse.Namespace) -> int:
    with _quiet_logs(arguments.verbose):
        from shared.database import is_postgresql
        from shop.workshop.report import ScenarioReport, to_json
        from shop.workshop.scenarios import catalogue, run_in_fresh_database, select

    try:
        selected = select(catalogue(), arguments.numbers)
    except ValueError as error:
        _err().print(f"shop scenarios run: {escape(str(error))}")
        return EXIT_REFUSED
    # Like run_in_fresh_database: a URL that names no PostgreSQL server means SQLite.
    postgresql = bool(arguments.database_url) and is_postgresql(arguments.database_url)
    database = "postgresql" if postgresql else "sqlite"
    reports: list[ScenarioReport] = []
    progress = Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total}"),
        TimeElapsedColumn(),
        console=_err(),
        transient=True,
    )
    with _quiet_logs(arguments.verbose), progress:
        task = progress.add_task("scenarios", total=len(selected))
        for scenario in selected:
            progress.update(task, description=f"{scenario.number} {scenario.title} ({database})")
            started = time.perf_counter()
            try:
                reports.append(
                    ScenarioReport.of(run_in_fresh_database(scenario, arguments.database_url))
                )
            except Exception as error:  # one broken scenario must not hide the others' results
                # A warning, so that it shows through the quieted logs: its traceback is
                # what fixing the scenario needs.
                logging.getLogger(__name__).warning(
                    "scenario %s failed", scenario.name, exc_info=True
                )
                reports.append(
                    ScenarioReport.of_error(scenario, error, time.perf_counter() - started)
                )
            progress.advance(task)
    if arguments.json:
        print(to_json(reports, database))
    else:
        _print_results(reports, database)
    return EXIT_OK if all(report.agrees for report in reports) else EXIT_FAILED


def _print_results(reports: list[ScenarioReport], database: str) -> None:
    table = Table(title=f"scenarios on {database}", expand=True)
    table.add_column("scenario", ratio=2)
    table.add_column("invariant", ratio=3)
    table.add_column("figures", ratio=4)
    table.add_column("held", no_wrap=True)
    table.add_column("recorded", no_wrap=True)
    table.add_column("time", justify="right", no_wrap=True)
    for report in reports:
        table.add_row(
            f"{report.number} {escape(report.title)}",
            escape(report.invariant),
            _figures(report),
            _held(report),
            report.status if report.agrees else f"[bold red]{report.status} (disagrees)[/bold red]",
            f"{report.seconds:.1f} s",
        )
    console = _out()
    console.print(table)
    disagreeing = [report.number for report in reports if not report.agrees]
    if disagreeing:
        console.print(
            f"[bold red]{len(disagreeing)} scenario(s) disagree with scenarios/catalog.toml:"
            f" {', '.join(disagreeing)}[/bold red]"
        )
    else:
        console.print("every scenario agrees with scenarios/catalog.toml")


def _figures(report: ScenarioReport) -> Table | str:
    """The figures as a name/value grid, values aligned; the error if the run failed."""
    if report.error is not None:
        return f"[red]{escape(report.error)}[/red]"
    grid = Table.grid(padding=(0, 1), expand=True)
    grid.add_column(ratio=1)
    grid.add_column(justify="right", no_wrap=True)
    for figure in report.figures:
        grid.add_row(escape(figure.name), figure.text)
    return grid


def _held(report: ScenarioReport) -> str:
    if report.held is None:
        return "[red]error[/red]"
    return "[green]held[/green]" if report.held else "[red]did not hold[/red]"


def scenarios_compare(_: Settings, arguments: argparse.Namespace) -> int:
    with _quiet_logs(verbose=False):
        from shop.workshop.compare import CompareError, compare
        from shop.workshop.series import SeriesError, Workshop

    console = _err()
    try:
        root = Workshop.here().root
        with console.status("") as status:

            def announce(ref: str, commit: str) -> None:
                status.update(f"running the scenarios of {ref} ({commit[:12]})")

            left, right = compare(
                root,
                (arguments.refs[0], arguments.refs[1]),
                arguments.database_url,
                on_ref=announce,
            )
    except (CompareError, SeriesError) as error:
        console.print(f"shop scenarios compare: {escape(str(error))}")
        return EXIT_FAILED
    _print_comparison(left, right)
    agree = all(report.agrees for report in (*left.reports, *right.reports))
    return EXIT_OK if agree else EXIT_FAILED


def _print_comparison(left: Side, right: Side) -> None:
    from shop.workshop.compare import rows
    from shop.workshop.report import ScenarioReport

    table = Table(
        "scenario / figure",
        f"{escape(left.ref)} ({left.commit[:8]})",
        f"{escape(right.ref)} ({right.commit[:8]})",
        title="scenarios side by side",
    )
    for row in rows(left, right):
        if row.figure is None:
            table.add_section()
            cells = [
                _verdict(side) if isinstance(side, ScenarioReport) else "—"
                for side in (row.left, row.right)
            ]
            table.add_row(f"[bold]{row.number} {escape(row.title)}[/bold]", *cells)
        else:
            cells = [
                "—" if side is None or isinstance(side, ScenarioReport) else side.text
                for side in (row.left, row.right)
            ]
            changed = cells[0] != cells[1]
            table.add_row(
                f"  {escape(row.figure)}",
                *(f"[yellow]{cell}[/yellow]" if changed else cell for cell in cells),
            )
    console = _out()
    console.print(table)
    for side in (left, right):
        disagreeing = [report.number for report in side.reports if not report.agrees]
        if disagreeing:
            console.print(
                f"[bold red]{escape(side.ref)}: disagrees with its catalogue on"
                f" {', '.join(disagreeing)}[/bold red]"
            )


def _verdict(report: ScenarioReport) -> str:
    recorded = report.status if report.agrees else f"{report.status}, disagrees!"
    return f"{_held(report)} ({recorded})"


# --- shop workshop ----------------------------------------------------------------------------


def workshop_list(_: Settings, __: argparse.Namespace) -> int:
    from shop.workshop.series import PATCH_NAME, SeriesError, Workshop

    try:
        series = Workshop.here().series()
    except SeriesError as error:
        _err().print(f"shop workshop list: {escape(str(error))}")
        return EXIT_REFUSED
    in_series = {step.number for step in series.steps}
    rows = []
    for step in series.catalogue:
        if step.number in in_series:
            note = ""
        elif step is series.first_missing:
            note = "the series ends here"
        else:
            gap = series.first_missing.number if series.first_missing else "?"
            note = f"not in the series: step {gap} has no patch"
        patch = "yes" if step.has_patch else "[dim]not yet[/dim]"
        rows.append((step.number, step.title, patch, step.status, note))
    # The last column only says where the series ends, when it ends before the catalogue.
    notes = any(row[-1] for row in rows)
    columns = ("step", "title", PATCH_NAME, "status here", *(("",) if notes else ()))
    table = Table(*columns, title="the refactoring series")
    for row in rows:
        table.add_row(*(row if notes else row[:-1]))
    _out().print(table)
    return EXIT_OK


def workshop_branch(_: Settings, arguments: argparse.Namespace) -> int:
    from shop.workshop.series import SeriesError, Workshop

    kind: str = arguments.kind
    console = _err()
    try:
        workshop = Workshop.here()
        step = workshop.series().step(arguments.number)
        name = arguments.branch or f"workshop/{step.number}-{kind}"
        count = arguments.number - 1 if kind == "start" else arguments.number
        with console.status(f"applying {count} step(s) in a temporary worktree"):
            branch = workshop.branch_with_steps(count, name, switch=not arguments.no_switch)
    except SeriesError as error:
        console.print(f"shop workshop {kind}: {escape(str(error))}")
        return EXIT_REFUSED
    applied = _step_range(branch.steps) if branch.steps else "no step"
    what = (
        f"exercise {step.number}, {step.title}"
        if kind == "start"
        else f"the reference solution of step {step.number}, {step.title}"
    )
    console.print(
        f"created branch {branch.name} at {branch.commit[:12]}:"
        f" HEAD with {applied} applied ({what})"
    )
    if branch.switched:
        console.print(f"switched to {branch.name}")
    else:
        console.print(f"switch to it with: git switch {branch.name}")
    if kind == "start":
        console.print(
            f"read scenarios/{step.name}/README.md, then: shop scenarios run {step.number}"
        )
    return EXIT_OK


def workshop_verify(_: Settings, arguments: argparse.Namespace) -> int:
    from shared.database import is_postgresql
    from shop.workshop.series import SeriesError, Workshop

    console = _out()
    started = time.perf_counter()
    # SHOP_TEST_DATABASE_URL may name SQLite: the final state runs on SQLite anyway.
    url: str | None = arguments.database_url
    database_url = url if url and is_postgresql(url) else None

    def show(check: Check) -> None:
        mark = "[green]ok[/green]    " if check.passed else "[red]FAILED[/red]"
        console.print(
            f"{mark} {escape(check.name)}: {escape(check.detail)} ({check.seconds:.1f} s)"
        )

    try:
        verification = Workshop.here().verify(database_url, on_check=show)
    except SeriesError as error:
        _err().print(f"shop workshop verify: {escape(str(error))}")
        return EXIT_REFUSED
    if verification.series is not None:
        # The series of HEAD as committed: the one verified, whatever the work tree holds.
        _describe_series(console, verification.series)
        if not verification.series.steps:
            console.print("no step to verify")
            return EXIT_OK
    if not database_url and verification.passed:
        console.print(
            "[yellow]no PostgreSQL URL (--database-url or SHOP_TEST_DATABASE_URL):"
            " the final state ran on SQLite only[/yellow]"
        )
    table = Table("check", "result", "time", title="workshop verify")
    for check in verification.checks:
        table.add_row(
            check.name,
            "[green]ok[/green]" if check.passed else "[red]FAILED[/red]",
            f"{check.seconds:.1f} s",
        )
    table.add_row("[bold]total[/bold]", "", f"{time.perf_counter() - started:.1f} s")
    console.print(table)
    failed = [check for check in verification.checks if not check.passed]
    for check in failed:
        if check.output:
            tail = "\n".join(check.output.rstrip().splitlines()[-FAILED_OUTPUT_LINES:])
            console.print(f"[bold red]{escape(check.name)}[/bold red] (last lines):")
            console.print(escape(tail))
    return EXIT_FAILED if failed else EXIT_OK


def _describe_series(console: Console, series: Series) -> None:
    steps = series.steps
    if steps:
        console.print(f"the series: {_step_range(steps)}")
    missing = series.first_missing
    if missing is not None:
        console.print(
            f"step {missing.number} ({missing.title}) has no patch yet: the series ends before it"
        )
    for step in series.stranded:
        console.print(
            f"[yellow]step {step.number} has a patch but follows the gap: not verified[/yellow]"
        )


def workshop_refresh(_: Settings, arguments: argparse.Namespace) -> int:
    from shop.workshop.series import RefreshStopped, SeriesError, Workshop

    console = _err()
    try:
        workshop = Workshop.here()
        if arguments.abort:
            workshop.abort_refresh()
            console.print("the refresh was dropped: its worktree and branch are gone")
            return EXIT_OK
        if arguments.finish:
            exported = workshop.finish_refresh()
        else:
            with console.status("replaying the series onto HEAD (git am -3)"):
                exported = workshop.refresh()
    except RefreshStopped as stopped:
        console.print(
            f"[bold red]step {stopped.step.number} ({escape(stopped.step.title)}) does not apply "
            "onto HEAD any more[/bold red]; git am stopped in:\n"
            f"  {stopped.worktree}\n\n"
            f"{escape(stopped.output)}\n\n"
            "To go on:\n"
            f"  cd {stopped.worktree}\n"
            "  git status                       # the files in conflict\n"
            "  (edit them, keep the step's intent; run its tests)\n"
            "  git add FILES && git am --continue\n"
            "  (repeat if a later step stops too)\n"
            f"  cd {workshop.root}\n"
            "  shop workshop refresh --continue  # exports the patches, removes the worktree\n"
            "Or export by hand: shop workshop export --from workshop/refresh\n"
            "To give up: shop workshop refresh --abort"
        )
        return EXIT_FAILED
    except SeriesError as error:
        console.print(f"shop workshop refresh: {escape(str(error))}")
        return EXIT_REFUSED
    _report_exported(console, exported)
    return EXIT_OK


def workshop_export(_: Settings, arguments: argparse.Namespace) -> int:
    from shop.workshop.series import SeriesError, Workshop

    console = _err()
    try:
        workshop = Workshop.here()
        exported = workshop.export(arguments.branch)
    except SeriesError as error:
        console.print(f"shop workshop export: {escape(str(error))}")
        return EXIT_REFUSED
    _report_exported(console, exported)
    later = [step.number for step in workshop.series().catalogue[len(exported) :] if step.has_patch]
    if later:
        console.print(
            f"[yellow]steps {', '.join(later)} keep their patches:"
            f" they were not on {escape(arguments.branch)}[/yellow]"
        )
    return EXIT_OK


def _report_exported(console: Console, exported: list[Exported]) -> None:
    for item in exported:
        state = "rewritten" if item.changed else "unchanged"
        console.print(f"{state:9} {item.step.patch_path}")
    if any(item.changed for item in exported):
        console.print("review with `git diff scenarios/`, commit, then run `shop workshop verify`")
    else:
        console.print("every patch is unchanged")


def _step_range(steps: Sequence[Step]) -> str:
    """``step 01`` or ``steps 01 to 04``."""
    if len(steps) == 1:
        return f"step {steps[0].number}"
    return f"steps {steps[0].number} to {steps[-1].number}"
