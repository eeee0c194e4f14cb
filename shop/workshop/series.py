"""The refactoring series: one step per scenario, each stored as a patch, applied in order.

Step N is ``scenarios/NN_slug/solution.patch``: one commit in git's mail format (its
message says why, then the diff), applied with ``git am -3`` on top of ``main`` and
steps 1..N-1. The series is the catalogue's scenarios in order, up to the first one
with no patch yet: steps are contiguous from 01.

What this module offers, each as a method of :class:`Workshop`:

- :meth:`~Workshop.branch_with_steps`: a branch with steps 1..N applied (exercise
  N+1's starting point, or step N's reference solution);
- :meth:`~Workshop.verify`: every step applied in turn in a temporary worktree; after
  each, exactly its own scenario flips from ``open`` to ``fixed`` and the fast tests
  pass; then the whole suite runs on the final state;
- :meth:`~Workshop.refresh` and :meth:`~Workshop.export`: the maintainer's tools to
  replay the series onto a new ``main`` and to write the patches from commits.

Git is only driven through :mod:`shop.workshop.git`. The user's work tree is changed
only by the commands that say so: a branch switch after ``start``/``solution``, and
the patch files that ``export`` and ``refresh`` write.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
import time
import tomllib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from shop.workshop.git import Git, GitError

CATALOGUE = "scenarios/catalog.toml"
PATCH_NAME = "solution.patch"
REFRESH_BRANCH = "workshop/refresh"


class SeriesError(Exception):
    """A command cannot do what was asked; the message says why and what to do instead."""


# --- the series as stored -----------------------------------------------------------------


@dataclass(frozen=True)
class Step:
    """A catalogue scenario seen as a step of the series."""

    number: str
    slug: str
    title: str
    status: str
    scenarios: Path
    # Read once: a series outlives the temporary worktree it was read from.
    has_patch: bool

    @property
    def name(self) -> str:
        return f"{self.number}_{self.slug}"

    @property
    def folder(self) -> Path:
        return self.scenarios / self.name

    @property
    def patch(self) -> Path:
        return self.folder / PATCH_NAME

    @property
    def patch_path(self) -> str:
        """The patch's path relative to the repository's root."""
        return f"scenarios/{self.name}/{PATCH_NAME}"

    def subject(self) -> str | None:
        """The patch's commit subject (its ``Subject:`` header, unfolded), if it has one."""
        if not self.has_patch:
            return None
        header = self.patch.read_text(encoding="utf-8").split("\n\n", 1)[0]
        match = re.search(r"^Subject: (.*(?:\n[ \t].*)*)", header, re.MULTILINE)
        if match is None:
            return None
        subject = re.sub(r"\n[ \t]", " ", match.group(1))
        return re.sub(r"^\[PATCH[^\]]*\] ", "", subject)


@dataclass(frozen=True)
class Series:
    """The catalogue's steps, split where the first missing patch ends the series."""

    catalogue: tuple[Step, ...]

    @property
    def steps(self) -> tuple[Step, ...]:
        """The steps of the series: those with a patch, contiguous from the first."""
        steps = []
        for step in self.catalogue:
            if not step.has_patch:
                break
            steps.append(step)
        return tuple(steps)

    @property
    def first_missing(self) -> Step | None:
        """The step that ends the series: the first catalogue scenario with no patch."""
        return next((step for step in self.catalogue if not step.has_patch), None)

    @property
    def stranded(self) -> tuple[Step, ...]:
        """Patches after the end of the series: they cannot apply until the gap is filled."""
        return tuple(step for step in self.catalogue[len(self.steps) :] if step.has_patch)

    def step(self, number: int) -> Step:
        """The catalogue's step ``number`` (1-based). Raises :class:`SeriesError`."""
        if not 1 <= number <= len(self.catalogue):
            msg = f"no step {number:02d}: the catalogue has steps 01 to {len(self.catalogue):02d}"
            raise SeriesError(msg)
        return self.catalogue[number - 1]

    def first(self, count: int) -> tuple[Step, ...]:
        """Steps 1..count, each with its patch. Raises :class:`SeriesError` if one is missing."""
        if count > len(self.steps):
            missing = self.catalogue[len(self.steps)]
            msg = (
                f"step {missing.number} ({missing.title}) has no {PATCH_NAME} yet: "
                f"the series stops at step {len(self.steps):02d}"
            )
            raise SeriesError(msg)
        return self.steps[:count]


def read_series(root: Path) -> Series:
    """The series of the checkout (or worktree) at ``root``, from its catalogue."""
    scenarios = root / "scenarios"
    entries = parse_catalogue((root / CATALOGUE).read_text(encoding="utf-8"))
    return Series(
        tuple(
            Step(
                entry.number,
                entry.slug,
                entry.title,
                entry.status,
                scenarios,
                has_patch=(scenarios / f"{entry.number}_{entry.slug}" / PATCH_NAME).is_file(),
            )
            for entry in entries
        )
    )


@dataclass(frozen=True)
class CatalogueEntry:
    number: str
    slug: str
    title: str
    status: str


def parse_catalogue(text: str) -> list[CatalogueEntry]:
    """The entries of a ``catalog.toml``'s text, in order. Raises :class:`SeriesError`."""
    try:
        entries = tomllib.loads(text)["scenario"]
        return [
            CatalogueEntry(entry["number"], entry["slug"], entry["title"], entry["status"])
            for entry in entries
        ]
    except (tomllib.TOMLDecodeError, KeyError, TypeError) as error:
        msg = f"{CATALOGUE} cannot be read: {error}"
        raise SeriesError(msg) from error


def status_flip_problems(
    before: Sequence[CatalogueEntry], after: Sequence[CatalogueEntry], number: str
) -> list[str]:
    """What is wrong with a step's change of the catalogue: it must flip its own scenario
    ``number`` from open to fixed and change no other entry. Empty when all is well."""
    old = {entry.number: entry for entry in before}
    new = {entry.number: entry for entry in after}
    problems = []
    if old.keys() != new.keys():
        added, removed = sorted(new.keys() - old.keys()), sorted(old.keys() - new.keys())
        problems.append(f"the catalogue's scenarios changed (added {added}, removed {removed})")
    own_before, own_after = old.get(number), new.get(number)
    if own_before is None or own_after is None:
        problems.append(f"scenario {number} is not in the catalogue")
    elif (own_before.status, own_after.status) != ("open", "fixed"):
        problems.append(
            f"scenario {number} should go from open to fixed, "
            f"not from {own_before.status} to {own_after.status}"
        )
    for other in sorted(old.keys() & new.keys() - {number}):
        if old[other].status != new[other].status:
            problems.append(
                f"scenario {other} changed status ({old[other].status} -> {new[other].status}):"
                f" a step flips only its own scenario"
            )
    return problems


# --- running the tests of a worktree -------------------------------------------------------


@dataclass(frozen=True)
class SuiteRun:
    """A pytest run the verification asks for: its name, arguments, and database URL
    (``None``: the suite's default, SQLite)."""

    name: str
    arguments: tuple[str, ...]
    database_url: str | None = None


@dataclass(frozen=True)
class SuiteOutcome:
    passed: bool
    summary: str
    output: str = ""


SuiteRunner = Callable[[Path, SuiteRun], SuiteOutcome]

FAST_TESTS = ("-q", "-x", "-p", "no:cacheprovider", "tests/unit", "tests/scenarios")
WHOLE_SUITE = ("-q", "-p", "no:cacheprovider")


def worktree_environment(worktree: Path, database_url: str | None = None) -> dict[str, str]:
    """The environment that makes this interpreter import the worktree's code.

    The project is installed in editable mode: its ``.pth`` puts the main checkout on
    ``sys.path``, but after ``PYTHONPATH``, so the worktree's packages win.
    """
    environment = dict(os.environ)
    environment["PYTHONPATH"] = os.pathsep.join(
        [str(worktree), *filter(None, [os.environ.get("PYTHONPATH")])]
    )
    environment.pop("SHOP_TEST_DATABASE_URL", None)
    if database_url:
        environment["SHOP_TEST_DATABASE_URL"] = database_url
    return environment


def run_pytest(worktree: Path, suite: SuiteRun) -> SuiteOutcome:
    """Runs pytest in the worktree with this interpreter; the outcome quotes pytest's last
    line, and keeps its output to show when it failed."""
    completed = subprocess.run(  # noqa: S603 - this interpreter, with fixed arguments
        [sys.executable, "-m", "pytest", *suite.arguments],
        cwd=worktree,
        env=worktree_environment(worktree, suite.database_url),
        capture_output=True,
        text=True,
        check=False,
    )
    output = completed.stdout + completed.stderr
    lines = [line.strip("= ") for line in completed.stdout.splitlines() if line.strip()]
    # Nothing on stdout: pytest did not start (not installed, say), and stderr says why.
    errors = [line.strip() for line in completed.stderr.splitlines() if line.strip()]
    fallback = errors[-1] if errors else f"pytest exited with status {completed.returncode}"
    summary = lines[-1] if lines else fallback
    return SuiteOutcome(completed.returncode == 0, summary, output)


# --- reports ------------------------------------------------------------------------------


@dataclass
class Check:
    """One verification stage: what it checked, whether it passed, and how long it took."""

    name: str
    passed: bool
    detail: str
    seconds: float
    output: str = ""


@dataclass
class Verification:
    checks: list[Check] = field(default_factory=list)
    series: Series | None = None

    @property
    def passed(self) -> bool:
        return all(check.passed for check in self.checks)


@dataclass(frozen=True)
class Exported:
    step: Step
    changed: bool


@dataclass(frozen=True)
class NewBranch:
    name: str
    commit: str
    steps: tuple[Step, ...]
    switched: bool


class RefreshStopped(SeriesError):
    """``git am`` stopped at a step that no longer applies; the worktree waits there."""

    def __init__(self, step: Step, worktree: Path, output: str) -> None:
        self.step = step
        self.worktree = worktree
        self.output = output
        super().__init__(f"step {step.number} ({step.title}) does not apply any more")


# --- the commands --------------------------------------------------------------------------


class Workshop:
    """The series of the checkout at ``root``, and the commands on it."""

    def __init__(self, root: Path, run_tests: SuiteRunner | None = None) -> None:
        self.root = root
        self.git = Git(root)
        # Looked up when called, not bound at import: tests of the CLI replace it.
        self.run_tests = run_tests or (lambda worktree, suite: run_pytest(worktree, suite))

    @classmethod
    def here(cls, folder: Path | None = None) -> Workshop:
        """The workshop of the checkout ``folder`` (default: the current one) belongs to."""
        try:
            root = Git(folder or Path.cwd()).toplevel()
        except (GitError, FileNotFoundError) as error:
            msg = f"not in a git checkout of the shop: {error}"
            raise SeriesError(msg) from error
        if not (root / CATALOGUE).is_file():
            msg = f"{root} has no {CATALOGUE}: not a checkout of the shop"
            raise SeriesError(msg)
        return cls(root)

    def series(self) -> Series:
        """The series as this checkout's work tree has it."""
        return read_series(self.root)

    # --- branches for the groups ---------------------------------------------------------

    def branch_with_steps(self, count: int, name: str, *, switch: bool) -> NewBranch:
        """Creates branch ``name`` from HEAD with steps 1..count applied; switches to it if
        asked. Raises :class:`SeriesError` when the work tree is dirty (and would be
        switched), the branch exists, HEAD already has one of the steps, or a step does
        not apply; nothing is left behind then."""
        if switch and self.git.is_dirty():
            msg = "the work tree has uncommitted changes: commit or stash them first"
            raise SeriesError(msg)
        if self.git.branch_exists(name):
            msg = f"branch {name} exists already: delete it (git branch -D {name}) or use --branch"
            raise SeriesError(msg)
        head = self.git.commit_of("HEAD")
        with self.git.temporary_worktree(head) as worktree:
            series = read_series(worktree.folder)
            steps = series.first(count)
            self._refuse_applied(steps)
            for step in steps:
                self._apply(worktree, step)
            commit = worktree.commit_of("HEAD")
        self.git.create_branch(name, commit)
        if switch:
            self.git.switch(name)
        return NewBranch(name, commit, steps, switch)

    @staticmethod
    def _refuse_applied(steps: Sequence[Step]) -> None:
        applied = [step.number for step in steps if step.status != "open"]
        if applied:
            msg = (
                f"HEAD already has step(s) {', '.join(applied)} (their scenarios are fixed): "
                "start from main"
            )
            raise SeriesError(msg)

    @staticmethod
    def _apply(worktree: Git, step: Step) -> None:
        try:
            worktree.apply_patches([step.patch])
        except GitError as error:
            worktree.abort_am()
            msg = f"step {step.number} ({step.title}) does not apply: {error.output}"
            raise SeriesError(msg) from error

    # --- verification --------------------------------------------------------------------

    def verify(
        self,
        postgresql_url: str | None = None,
        on_check: Callable[[Check], None] = lambda _: None,
    ) -> Verification:
        """Applies each step of HEAD's series in turn in a temporary worktree: after each,
        exactly its scenario flips and the fast tests pass; then the whole suite runs on
        the final state, on SQLite and, given a URL, on PostgreSQL. Stops at the first
        step that does not apply or fails. ``on_check`` hears each check as it ends."""
        verification = Verification()

        def record(check: Check) -> bool:
            verification.checks.append(check)
            on_check(check)
            return check.passed

        with self.git.temporary_worktree(self.git.commit_of("HEAD")) as worktree:
            series = verification.series = read_series(worktree.folder)
            for step in series.steps:
                if not record(self._apply_and_check(worktree, step)):
                    return verification
                if not record(self._tests(worktree, f"step {step.number} fast tests", FAST_TESTS)):
                    return verification
            if not series.steps:
                return verification
            record(self._tests(worktree, "final state: whole suite on SQLite", WHOLE_SUITE))
            if postgresql_url:
                record(
                    self._tests(
                        worktree,
                        "final state: whole suite on PostgreSQL",
                        WHOLE_SUITE,
                        postgresql_url,
                    )
                )
        return verification

    def _apply_and_check(self, worktree: Git, step: Step) -> Check:
        started = time.perf_counter()
        name = f"step {step.number} applies, flips only its scenario"
        before = parse_catalogue((worktree.folder / CATALOGUE).read_text(encoding="utf-8"))
        try:
            self._apply(worktree, step)
        except SeriesError as error:
            return Check(name, False, str(error), time.perf_counter() - started)
        after = parse_catalogue((worktree.folder / CATALOGUE).read_text(encoding="utf-8"))
        problems = status_flip_problems(before, after, step.number)
        detail = "; ".join(problems) or f"{step.number} open -> fixed"
        return Check(name, not problems, detail, time.perf_counter() - started)

    def _tests(
        self, worktree: Git, name: str, arguments: tuple[str, ...], database_url: str | None = None
    ) -> Check:
        started = time.perf_counter()
        outcome = self.run_tests(worktree.folder, SuiteRun(name, arguments, database_url))
        return Check(
            name, outcome.passed, outcome.summary, time.perf_counter() - started, outcome.output
        )

    # --- the maintainer's tools ----------------------------------------------------------

    def export(self, branch: str) -> list[Exported]:
        """Writes the commits of ``HEAD..branch``, oldest first, as the patches of steps
        1, 2, … in this work tree. Raises :class:`SeriesError`, having written nothing,
        when HEAD is not an ancestor of the branch, a commit is a merge, there are more
        commits than steps, or a commit does not flip exactly its own step's scenario."""
        try:
            tip = self.git.commit_of(branch)
        except GitError as error:
            msg = f"no branch or commit named {branch}"
            raise SeriesError(msg) from error
        if not self.git.is_ancestor("HEAD", tip):
            msg = f"{branch} is not based on HEAD: rebase it onto HEAD, one commit per step"
            raise SeriesError(msg)
        commits = self.git.commits_between("HEAD", tip)
        series = self.series()
        if not commits:
            msg = f"{branch} has no commit after HEAD"
            raise SeriesError(msg)
        if len(commits) > len(series.catalogue):
            msg = (
                f"{branch} has {len(commits)} commits after HEAD but the catalogue has "
                f"{len(series.catalogue)} steps: one commit per step"
            )
            raise SeriesError(msg)
        problems = []
        for commit, step in zip(commits, series.catalogue, strict=False):
            if self.git.is_merge(commit):
                problems.append(f"{commit[:12]} is a merge; a step is one plain commit")
                continue
            before = self._catalogue_at(f"{commit}^")
            after = self._catalogue_at(commit)
            problems += [
                f"{commit[:12]} ({self.git.subject(commit)}), step {step.number}: {problem}"
                for problem in status_flip_problems(before, after, step.number)
            ]
        if problems:
            raise SeriesError("nothing exported:\n  " + "\n  ".join(problems))
        exported = []
        for commit, step in zip(commits, series.catalogue, strict=False):
            patch = self.git.format_patch(commit)
            old = step.patch.read_text(encoding="utf-8") if step.has_patch else None
            if old != patch:
                step.patch.write_text(patch, encoding="utf-8")
            exported.append(Exported(step, changed=old != patch))
        return exported

    def _catalogue_at(self, commit: str) -> list[CatalogueEntry]:
        text = self.git.show_file(commit, CATALOGUE)
        return parse_catalogue(text) if text is not None else []

    def refresh(self) -> list[Exported]:
        """Replays HEAD's series onto HEAD with ``git am -3`` on branch ``workshop/refresh``
        in a temporary worktree, then exports the replayed commits here. At a conflict,
        raises :class:`RefreshStopped` and leaves the worktree for the maintainer to
        resolve (then :meth:`finish_refresh`). Raises :class:`SeriesError` when a refresh
        is already under way or a patch has uncommitted changes."""
        self._refuse_refresh_under_way()
        series = self.series()
        if not series.steps:
            msg = f"no step has a {PATCH_NAME} yet: nothing to refresh"
            raise SeriesError(msg)
        edited = [step.patch_path for step in series.steps if self._has_changes(step.patch_path)]
        if edited:
            msg = f"uncommitted changes in {', '.join(edited)}: commit or discard them first"
            raise SeriesError(msg)
        head = self.git.commit_of("HEAD")
        # The worktree is the temporary folder itself: removing it leaves nothing behind.
        folder = Path(tempfile.mkdtemp(prefix="shop-workshop-refresh-"))
        worktree = self.git.add_worktree(folder, head, branch=REFRESH_BRANCH)
        steps = read_series(folder).steps
        try:
            # One `git am` for the whole series: after a conflict, `git am --continue`
            # goes on with the steps that follow, as the maintainer expects.
            worktree.apply_patches([step.patch for step in steps])
        except GitError as error:
            applied = len(worktree.commits_between(head, "HEAD"))
            stopped_at = steps[min(applied, len(steps) - 1)]
            raise RefreshStopped(stopped_at, folder, error.output) from error
        return self.finish_refresh()

    def finish_refresh(self) -> list[Exported]:
        """Exports the commits of a finished ``workshop/refresh`` and removes its worktree
        and branch. Raises :class:`SeriesError` when there is no refresh, ``git am`` is
        still stopped in it, or its commits are not one per step of the series."""
        worktree = self.git.worktree_of_branch(REFRESH_BRANCH)
        if worktree is None and not self.git.branch_exists(REFRESH_BRANCH):
            msg = f"no refresh under way (no branch {REFRESH_BRANCH}): run `shop workshop refresh`"
            raise SeriesError(msg)
        if worktree is not None and Git(worktree).am_in_progress():
            msg = (
                f"git am is still stopped in {worktree}: resolve the conflict there "
                "(git add the files, git am --continue), then run this again"
            )
            raise SeriesError(msg)
        expected = len(self.series().steps)
        applied = len(self.git.commits_between("HEAD", REFRESH_BRANCH))
        if applied != expected:
            msg = (
                f"{REFRESH_BRANCH} has {applied} commits after HEAD, the series {expected} steps:"
                " was a step skipped, or HEAD moved? Start again with"
                " `shop workshop refresh --abort`, then `shop workshop refresh`"
            )
            raise SeriesError(msg)
        exported = self.export(REFRESH_BRANCH)
        self.abort_refresh()
        return exported

    def abort_refresh(self) -> None:
        """Removes the refresh's worktree and branch, whatever state they are in."""
        worktree = self.git.worktree_of_branch(REFRESH_BRANCH)
        if worktree is not None:
            self.git.remove_worktree(worktree)
        if self.git.branch_exists(REFRESH_BRANCH):
            self.git.delete_branch(REFRESH_BRANCH)

    def _refuse_refresh_under_way(self) -> None:
        worktree = self.git.worktree_of_branch(REFRESH_BRANCH)
        if worktree is not None or self.git.branch_exists(REFRESH_BRANCH):
            where = f" in {worktree}" if worktree else ""
            msg = (
                f"a refresh is under way{where} (branch {REFRESH_BRANCH}): finish it with "
                "`shop workshop refresh --continue` or drop it with `shop workshop refresh --abort`"
            )
            raise SeriesError(msg)

    def _has_changes(self, path: str) -> bool:
        return bool(self.git.run("status", "--porcelain", "--", path).strip())
