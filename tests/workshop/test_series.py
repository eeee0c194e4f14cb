"""The refactoring series' tools, on a throwaway repository (see conftest.py).

The real test suite never runs here: verification takes a fake test runner that
records what it was asked to run.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from shop.workshop.series import (
    REFRESH_BRANCH,
    CatalogueEntry,
    RefreshStopped,
    SeriesError,
    SuiteOutcome,
    SuiteRun,
    Workshop,
    status_flip_problems,
)
from tests.workshop.conftest import FEATURE_LINES, Repository


class RecordingRunner:
    """A test runner that passes (or fails the runs named in ``failing``) and remembers
    each run, with the state of the worktree it ran in."""

    def __init__(self, failing: tuple[str, ...] = ()) -> None:
        self.failing = failing
        self.runs: list[tuple[str, str | None, str]] = []

    def __call__(self, worktree: Path, suite: SuiteRun) -> SuiteOutcome:
        lines = (worktree / "shop.txt").read_text(encoding="utf-8").splitlines()
        debts = " | ".join(lines[FEATURE_LINES[number]] for number in ("01", "02"))
        self.runs.append((suite.name, suite.database_url, debts))
        if suite.name in self.failing:
            return SuiteOutcome(False, "1 failed, 3 passed in 0.1s", "E   assert 1 == 2")
        return SuiteOutcome(True, "4 passed in 0.1s")


def entries(**statuses: str) -> list[CatalogueEntry]:
    return [
        CatalogueEntry(number.removeprefix("s"), "slug", "title", status)
        for number, status in statuses.items()
    ]


# --- what a step may change in the catalogue ------------------------------------------------


def test_a_step_flips_its_own_scenario_from_open_to_fixed() -> None:
    before = entries(s01="fixed", s02="open", s03="open")
    after = entries(s01="fixed", s02="fixed", s03="open")

    assert status_flip_problems(before, after, "02") == []


def test_a_step_that_leaves_its_scenario_open_is_refused() -> None:
    before = entries(s01="open", s02="open")

    problems = status_flip_problems(before, before, "01")

    assert problems == ["scenario 01 should go from open to fixed, not from open to open"]


def test_a_step_that_flips_another_scenario_too_is_refused() -> None:
    before = entries(s01="open", s02="open")
    after = entries(s01="fixed", s02="fixed")

    problems = status_flip_problems(before, after, "01")

    assert problems == [
        "scenario 02 changed status (open -> fixed): a step flips only its own scenario"
    ]


def test_a_step_that_adds_or_removes_scenarios_is_refused() -> None:
    before = entries(s01="open", s02="open")
    after = entries(s01="fixed")

    assert status_flip_problems(before, after, "01") == [
        "the catalogue's scenarios changed (added [], removed ['02'])"
    ]


# --- the series as stored ---------------------------------------------------------------------


def test_the_series_runs_up_to_the_first_step_without_a_patch(with_series: Repository) -> None:
    series = Workshop(with_series.root).series()

    assert [step.number for step in series.steps] == ["01", "02"]
    assert series.first_missing is not None
    assert series.first_missing.number == "03"
    assert series.stranded == ()
    assert series.steps[0].subject() == "Step 01: checkout: order ids from their cart"
    assert [step.status for step in series.catalogue] == ["open", "open", "open"]


def test_a_patch_after_a_gap_is_not_part_of_the_series(with_series: Repository) -> None:
    with_series.git("rm", "--quiet", "scenarios/01_twins/solution.patch")
    with_series.commit("Step 01 is being rewritten")

    series = Workshop(with_series.root).series()

    assert series.steps == ()
    assert [step.number for step in series.stranded] == ["02"]


def test_asking_beyond_the_series_names_the_missing_step(with_series: Repository) -> None:
    series = Workshop(with_series.root).series()

    with pytest.raises(SeriesError, match=r"step 03 .* has no solution\.patch yet"):
        series.first(3)
    with pytest.raises(SeriesError, match="no step 04: the catalogue has steps 01 to 03"):
        series.step(4)


# --- export: how the series is written --------------------------------------------------------


def test_export_writes_one_patch_per_commit_in_gits_mail_format(with_series: Repository) -> None:
    patch = with_series.read("scenarios/01_twins/solution.patch")

    assert patch.startswith("From 0000000000000000000000000000000000000000 ")
    assert "Subject: [PATCH] Step 01: checkout: order ids from their cart" in patch
    assert "Because retries." in patch
    assert "+checkout: order ids from their cart" in patch
    assert '+status = "fixed"' in patch
    assert "\n-- \n" not in patch, "no signature with git's version"
    index_lines = [line for line in patch.splitlines() if line.startswith("index ")]
    assert index_lines
    assert all(len(line.split()[1].split("..")[0]) == 40 for line in index_lines)


def test_export_is_reproducible(repository: Repository, monkeypatch: pytest.MonkeyPatch) -> None:
    # The same steps committed again, later, by someone else: new commit ids, same patches.
    patches = []
    for attempt, date in enumerate(("2026-11-30T10:00:00+00:00", "2027-01-15T08:30:00+01:00")):
        monkeypatch.setenv("GIT_COMMITTER_DATE", date)
        monkeypatch.setenv("GIT_COMMITTER_NAME", f"Maintainer {attempt}")
        repository.git("switch", "--quiet", "-c", f"reference-{attempt}", "main")
        repository.step_commit("01", "checkout: order ids from their cart", "Because retries.")
        repository.git("switch", "--quiet", "main")
        exported = Workshop(repository.root).export(f"reference-{attempt}")
        assert [item.changed for item in exported] == [attempt == 0]
        patches.append(repository.read("scenarios/01_twins/solution.patch"))
        if attempt == 0:
            repository.commit("The series")

    assert patches[0] == patches[1]


def test_export_refuses_a_commit_that_does_not_flip_its_own_scenario(
    repository: Repository,
) -> None:
    repository.git("switch", "--quiet", "-c", "misordered")
    repository.step_commit("02", "relay: parks poison messages", "Step 02 first, by mistake.")
    repository.git("switch", "--quiet", "main")

    with pytest.raises(SeriesError, match="nothing exported") as refused:
        Workshop(repository.root).export("misordered")

    message = str(refused.value)
    assert "step 01: scenario 01 should go from open to fixed" in message
    assert "scenario 02 changed status" in message
    assert not (repository.root / "scenarios/01_twins/solution.patch").exists()


def test_export_refuses_a_branch_not_based_on_head(with_series: Repository) -> None:
    with_series.write("shop.txt", "main moved on\n")
    with_series.commit("Main moves on")

    with pytest.raises(SeriesError, match="not based on HEAD"):
        Workshop(with_series.root).export("reference")


# --- start and solution: branches for the groups ----------------------------------------------


def test_start_n_is_head_with_the_steps_before_n(with_series: Repository) -> None:
    workshop = Workshop(with_series.root)

    branch = workshop.branch_with_steps(1, "workshop/02-start", switch=True)

    assert [step.number for step in branch.steps] == ["01"]
    assert with_series.git("branch", "--show-current") == "workshop/02-start"
    assert with_series.statuses_at("HEAD") == {"01": "fixed", "02": "open", "03": "open"}
    assert with_series.git("log", "-1", "--format=%s%n%n%b") == (
        "Step 01: checkout: order ids from their cart\n\nBecause retries."
    )
    assert with_series.git("rev-parse", "HEAD~1") == with_series.git("rev-parse", "main")
    assert len(with_series.worktrees()) == 1


def test_solution_n_has_the_steps_up_to_n_and_leaves_the_work_tree_alone_if_asked(
    with_series: Repository,
) -> None:
    branch = Workshop(with_series.root).branch_with_steps(2, "workshop/02-solution", switch=False)

    assert with_series.git("branch", "--show-current") == "main"
    assert with_series.statuses_at(branch.name) == {"01": "fixed", "02": "fixed", "03": "open"}
    assert with_series.read("shop.txt").startswith("checkout: random order ids")


def test_start_of_the_first_exercise_is_head_itself(with_series: Repository) -> None:
    branch = Workshop(with_series.root).branch_with_steps(0, "workshop/01-start", switch=False)

    assert branch.commit == with_series.git("rev-parse", "main")


def test_start_refuses_a_dirty_work_tree(with_series: Repository) -> None:
    with_series.write("shop.txt", "work in progress\n")

    with pytest.raises(SeriesError, match="uncommitted changes"):
        Workshop(with_series.root).branch_with_steps(1, "workshop/02-start", switch=True)

    assert "workshop/02-start" not in with_series.git("branch")


def test_start_refuses_an_existing_branch(with_series: Repository) -> None:
    with_series.git("branch", "workshop/02-start")

    with pytest.raises(SeriesError, match=r"exists already.*git branch -D workshop/02-start"):
        Workshop(with_series.root).branch_with_steps(1, "workshop/02-start", switch=True)


def test_start_refuses_a_head_that_has_the_steps_already(with_series: Repository) -> None:
    workshop = Workshop(with_series.root)
    workshop.branch_with_steps(1, "workshop/02-start", switch=True)

    with pytest.raises(SeriesError, match=r"already has step.*01.*start from main"):
        workshop.branch_with_steps(1, "again", switch=False)

    assert len(with_series.worktrees()) == 1


def test_a_step_applies_with_no_git_identity_configured(
    with_series: Repository, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A workshop laptop fresh out of the box: git am still needs a committer.
    for variable in ("GIT_COMMITTER_NAME", "GIT_COMMITTER_EMAIL"):
        monkeypatch.delenv(variable)
    monkeypatch.setenv("EMAIL", "")

    branch = Workshop(with_series.root).branch_with_steps(2, "workshop/02-solution", switch=False)

    assert with_series.git("log", "-1", "--format=%an / %cn", branch.name) == (
        "Workshop Maintainer / shop workshop"
    )


# --- verify -----------------------------------------------------------------------------------


def test_verify_applies_each_step_then_tests_the_final_state(with_series: Repository) -> None:
    runner = RecordingRunner()
    workshop = Workshop(with_series.root, run_tests=runner)

    verification = workshop.verify("postgresql+psycopg://postgres@localhost/postgres")

    assert verification.passed
    assert verification.series is not None
    assert [step.number for step in verification.series.steps] == ["01", "02"]
    assert [check.name for check in verification.checks] == [
        "step 01 applies, flips only its scenario",
        "step 01 fast tests",
        "step 02 applies, flips only its scenario",
        "step 02 fast tests",
        "final state: whole suite on SQLite",
        "final state: whole suite on PostgreSQL",
    ]
    # Each run saw the worktree with exactly the steps applied so far.
    after_01 = "checkout: order ids from their cart | relay: retries forever"
    after_02 = "checkout: order ids from their cart | relay: parks poison messages"
    postgresql = "postgresql+psycopg://postgres@localhost/postgres"
    assert runner.runs == [
        ("step 01 fast tests", None, after_01),
        ("step 02 fast tests", None, after_02),
        ("final state: whole suite on SQLite", None, after_02),
        ("final state: whole suite on PostgreSQL", postgresql, after_02),
    ]
    assert with_series.read("shop.txt").startswith("checkout: random order ids")
    assert len(with_series.worktrees()) == 1


def test_verify_stops_at_failing_tests(with_series: Repository) -> None:
    runner = RecordingRunner(failing=("step 01 fast tests",))

    verification = Workshop(with_series.root, run_tests=runner).verify()

    assert not verification.passed
    assert [(check.name, check.passed) for check in verification.checks] == [
        ("step 01 applies, flips only its scenario", True),
        ("step 01 fast tests", False),
    ]
    assert verification.checks[-1].output == "E   assert 1 == 2"


def test_verify_catches_a_step_that_flips_the_wrong_scenario(repository: Repository) -> None:
    # A hand-edited patch escapes export's check; verify is the net.
    repository.git("switch", "--quiet", "-c", "wrong")
    repository.step_commit("02", "relay: parks poison messages", "Filed as step 01 by mistake.")
    patch = repository.git("format-patch", "--stdout", "-1", "HEAD")
    repository.git("switch", "--quiet", "main")
    repository.write("scenarios/01_twins/solution.patch", patch + "\n")
    repository.commit("A wrong step 01")
    runner = RecordingRunner()

    verification = Workshop(repository.root, run_tests=runner).verify()

    assert not verification.passed
    [check] = verification.checks
    assert "scenario 01 should go from open to fixed, not from open to open" in check.detail
    assert "scenario 02 changed status (open -> fixed)" in check.detail
    assert runner.runs == []


def test_verify_reports_a_step_that_does_not_apply(with_series: Repository) -> None:
    with_series.fix(FEATURE_LINES["02"], "relay: someone changed this line on main")
    with_series.commit("Main changes what step 02 changes")

    verification = Workshop(with_series.root, run_tests=RecordingRunner()).verify()

    assert not verification.passed
    assert verification.checks[-1].name == "step 02 applies, flips only its scenario"
    assert (
        "step 02 (One bad message stops the shop) does not apply" in verification.checks[-1].detail
    )
    assert len(with_series.worktrees()) == 1


def test_verify_of_an_empty_series_checks_nothing(repository: Repository) -> None:
    runner = RecordingRunner()

    verification = Workshop(repository.root, run_tests=runner).verify()

    assert verification.passed
    assert verification.checks == []
    assert runner.runs == []


# --- refresh: the maintainer's loop -----------------------------------------------------------


def test_refresh_after_an_unrelated_change_rewrites_nothing(with_series: Repository) -> None:
    with_series.write("docs.txt", "main moved on elsewhere\n")
    with_series.commit("Main moves on elsewhere")

    exported = Workshop(with_series.root).refresh()

    assert [(item.step.number, item.changed) for item in exported] == [("01", False), ("02", False)]
    assert with_series.git("status", "--porcelain") == ""
    assert REFRESH_BRANCH not in with_series.git("branch")
    assert len(with_series.worktrees()) == 1


def test_refresh_rewrites_the_patch_whose_context_moved(with_series: Repository) -> None:
    lines = with_series.read("shop.txt").splitlines()
    lines.insert(FEATURE_LINES["02"] - 3, "(a line main added)")
    with_series.write("shop.txt", "\n".join(lines) + "\n")
    with_series.commit("Main adds a line between the debts")

    exported = Workshop(with_series.root).refresh()

    # Step 01's diff reads the same; step 02's hunk moved one line down.
    assert [(item.step.number, item.changed) for item in exported] == [("01", True), ("02", True)]
    assert "@@ -6,7 +6,7 @@" in with_series.read("scenarios/02_poison/solution.patch")
    verification = Workshop(with_series.root, run_tests=RecordingRunner()).verify()
    assert verification.passed


def test_refresh_stops_at_a_conflict_and_continues_once_resolved(with_series: Repository) -> None:
    with_series.fix(FEATURE_LINES["01"], "checkout: random order ids, logged")
    with_series.commit("Main changes the line step 01 fixes")
    workshop = Workshop(with_series.root)

    with pytest.raises(RefreshStopped) as stopped:
        workshop.refresh()

    assert stopped.value.step.number == "01"
    worktree = stopped.value.worktree
    assert worktree.is_dir()
    assert str(worktree) in "\n".join(with_series.worktrees())
    with pytest.raises(SeriesError, match="git am is still stopped"):
        workshop.finish_refresh()
    with pytest.raises(SeriesError, match="a refresh is under way"):
        workshop.refresh()

    # The maintainer resolves the conflict in the worktree, as the instructions say.
    resolved = Repository(worktree)
    resolved.write(
        "shop.txt",
        "checkout: order ids from their cart, logged\n"
        + "\n".join(with_series.read("shop.txt").splitlines()[1:])
        + "\n",
    )
    resolved.git("add", "shop.txt")
    resolved.git("-c", "core.editor=true", "am", "--continue")
    exported = workshop.finish_refresh()

    assert [(item.step.number, item.changed) for item in exported] == [("01", True), ("02", True)]
    assert "+checkout: order ids from their cart, logged" in with_series.read(
        "scenarios/01_twins/solution.patch"
    )
    assert not worktree.exists()
    assert REFRESH_BRANCH not in with_series.git("branch")


def test_refresh_abort_drops_the_worktree_and_branch(with_series: Repository) -> None:
    with_series.fix(FEATURE_LINES["01"], "checkout: random order ids, logged")
    with_series.commit("Main changes the line step 01 fixes")
    workshop = Workshop(with_series.root)
    with pytest.raises(RefreshStopped) as stopped:
        workshop.refresh()

    workshop.abort_refresh()

    assert not stopped.value.worktree.exists()
    assert REFRESH_BRANCH not in with_series.git("branch")
    assert len(with_series.worktrees()) == 1


def test_refresh_refuses_uncommitted_patches(with_series: Repository) -> None:
    with_series.write("scenarios/01_twins/solution.patch", "edited by hand\n")

    with pytest.raises(SeriesError, match="uncommitted changes in scenarios/01_twins"):
        Workshop(with_series.root).refresh()
