"""``shop scenarios compare``: the scenario suite of two git refs, side by side.

Each ref is checked out in a temporary worktree and runs its own scenarios with its
own code: ``python -m shop.cli scenarios run --json`` with this interpreter (and so
this virtual environment's dependencies), the worktree as working directory and
first on ``PYTHONPATH``, ahead of the editable install of this checkout.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from shop.workshop.git import Git, GitError
from shop.workshop.report import FigureReport, ScenarioReport, from_json
from shop.workshop.series import worktree_environment


class CompareError(Exception):
    """A ref could not be run; the message says which and why."""


@dataclass(frozen=True)
class Side:
    """One ref's run: the ref as given, its commit, and its scenarios' reports."""

    ref: str
    commit: str
    reports: tuple[ScenarioReport, ...]


@dataclass(frozen=True)
class Row:
    """A line of the comparison: a scenario (``figure`` is ``None``) or one of its figures."""

    number: str
    title: str
    figure: str | None
    left: ScenarioReport | FigureReport | None
    right: ScenarioReport | FigureReport | None


# Runs one ref's suite in its worktree; returns what the run printed on stdout.
SuiteRunner = Callable[[Path, str | None], str]


def run_suite_in(worktree: Path, database_url: str | None) -> str:
    """Runs the worktree's ``shop scenarios run --json``; returns its JSON. Raises
    :class:`CompareError` when it printed none (its exit status 1 only says that a
    scenario disagrees with its catalogue: the JSON says which)."""
    command = [sys.executable, "-m", "shop.cli", "scenarios", "run", "--json"]
    if database_url:
        command += ["--database-url", database_url]
    completed = subprocess.run(  # noqa: S603 - this interpreter, with fixed arguments
        command,
        cwd=worktree,
        env=worktree_environment(worktree),
        capture_output=True,
        text=True,
        check=False,
    )
    if completed.returncode not in (0, 1) or not completed.stdout.strip():
        tail = "\n".join(completed.stderr.strip().splitlines()[-15:])
        msg = f"`shop scenarios run --json` failed ({completed.returncode}):\n{tail}"
        if "invalid choice: 'scenarios'" in completed.stderr:
            msg += "\nthis ref predates `shop scenarios`: compare refs that have it"
        raise CompareError(msg)
    return completed.stdout


def compare(
    root: Path,
    refs: tuple[str, str],
    database_url: str | None = None,
    run_suite: SuiteRunner = run_suite_in,
    on_ref: Callable[[str, str], None] = lambda ref, commit: None,
) -> tuple[Side, Side]:
    """Runs the scenarios of both refs of the repository at ``root``, one after the
    other, each in a temporary worktree removed afterwards (failures included).
    ``on_ref`` hears each ref and its commit as its run starts. Raises
    :class:`CompareError`."""
    git = Git(root)
    commits = []
    for ref in refs:
        try:
            commits.append(git.commit_of(ref))
        except GitError as error:
            msg = f"{ref} names no commit"
            raise CompareError(msg) from error
    sides = []
    for ref, commit in zip(refs, commits, strict=True):
        on_ref(ref, commit)
        with git.temporary_worktree(commit, prefix="shop-compare-") as worktree:
            try:
                output = run_suite(worktree.folder, database_url)
            except CompareError as error:
                msg = f"{ref} ({commit[:12]}): {error}"
                raise CompareError(msg) from error
        try:
            reports = from_json(output)
        except ValueError as error:
            msg = (
                f"{ref}: its scenario run printed no report ({error});"
                " is it older than `shop scenarios run --json`?"
            )
            raise CompareError(msg) from error
        sides.append(Side(ref, commit, tuple(reports)))
    return sides[0], sides[1]


def rows(left: Side, right: Side) -> list[Row]:
    """The comparison's lines: each scenario of either side (in the left's order, then the
    right's new ones), followed by its figures matched by name (likewise ordered)."""
    by_number_left = {report.number: report for report in left.reports}
    by_number_right = {report.number: report for report in right.reports}
    numbers = list(by_number_left) + [n for n in by_number_right if n not in by_number_left]
    lines = []
    for number in numbers:
        a, b = by_number_left.get(number), by_number_right.get(number)
        known = a if a is not None else b
        assert known is not None  # the number came from one side or the other
        title = known.title
        lines.append(Row(number, title, None, a, b))
        figures_a = {figure.name: figure for figure in (a.figures if a else ())}
        figures_b = {figure.name: figure for figure in (b.figures if b else ())}
        names = list(figures_a) + [name for name in figures_b if name not in figures_a]
        lines += [
            Row(number, title, name, figures_a.get(name), figures_b.get(name)) for name in names
        ]
    return lines
