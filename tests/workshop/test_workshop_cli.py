"""``shop workshop``: what the commands print and their exit statuses, on the throwaway
repository of conftest.py (the commands work on the checkout they run in)."""

from __future__ import annotations

from pathlib import Path

import pytest

from shop.cli import main
from shop.workshop import series
from shop.workshop.series import SuiteOutcome, SuiteRun
from tests.workshop.conftest import FEATURE_LINES, Repository


@pytest.fixture(autouse=True)
def wide_output(monkeypatch: pytest.MonkeyPatch) -> None:
    # rich wraps to the terminal's width; a test reads whole lines.
    monkeypatch.setenv("COLUMNS", "200")


def test_list_shows_each_step_its_patch_and_where_the_series_ends(
    with_series: Repository, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(with_series.root)

    status = main(["workshop", "list"])

    rows = [line for line in capsys.readouterr().out.splitlines() if line.startswith("│ 0")]
    assert status == 0
    assert [row.split("│")[1:5] for row in rows] == [
        [" 01   ", " Retries create twins           ", " yes            ", " open        "],
        [" 02   ", " One bad message stops the shop ", " yes            ", " open        "],
        [" 03   ", " Waiting forever for the bank   ", " not yet        ", " open        "],
    ]
    assert "the series ends here" in rows[2]


def test_start_creates_the_branch_and_says_what_to_do_next(
    with_series: Repository, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(with_series.root)

    status = main(["workshop", "start", "2"])

    message = capsys.readouterr().err
    assert status == 0
    assert "created branch workshop/02-start" in message
    assert "HEAD with step 01 applied (exercise 02, One bad message stops the shop)" in message
    assert "shop scenarios run 02" in message
    assert with_series.git("branch", "--show-current") == "workshop/02-start"


def test_a_refused_command_says_why_and_exits_2(
    with_series: Repository, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(with_series.root)

    status = main(["workshop", "solution", "3"])

    assert status == 2
    assert "step 03 (Waiting forever for the bank) has no solution.patch yet" in (
        capsys.readouterr().err
    )


def test_refresh_at_a_conflict_prints_what_to_do(
    with_series: Repository, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    with_series.fix(FEATURE_LINES["01"], "checkout: random order ids, logged")
    with_series.commit("Main changes the line step 01 fixes")
    monkeypatch.chdir(with_series.root)

    status = main(["workshop", "refresh"])

    message = capsys.readouterr().err
    assert status == 1
    assert "step 01 (Retries create twins) does not apply onto HEAD any more" in message
    worktree = next(
        line.strip() for line in message.splitlines() if "shop-workshop-refresh-" in line
    )
    for instruction in (
        f"cd {worktree}",
        "git add FILES && git am --continue",
        "shop workshop refresh --continue",
        "shop workshop export --from workshop/refresh",
        "shop workshop refresh --abort",
    ):
        assert instruction in message
    assert main(["workshop", "refresh", "--abort"]) == 0
    assert len(with_series.worktrees()) == 1


def test_verify_prints_each_check_and_a_summary(
    with_series: Repository, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def fake_pytest(worktree: Path, suite: SuiteRun) -> SuiteOutcome:
        if suite.name == "step 02 fast tests":
            return SuiteOutcome(False, "1 failed in 0.1s", "E   assert twins == 0")
        return SuiteOutcome(True, "9 passed in 0.1s")

    monkeypatch.setattr(series, "run_pytest", fake_pytest)
    monkeypatch.chdir(with_series.root)

    status = main(["workshop", "verify", "--database-url", "sqlite:///ignored.sqlite3"])

    output = capsys.readouterr().out
    assert status == 1
    assert "ok     step 01 applies, flips only its scenario: 01 open -> fixed" in output
    assert "FAILED step 02 fast tests: 1 failed in 0.1s" in output
    assert "the series: steps 01 to 02" in output
    assert "step 03 (Waiting forever for the bank) has no patch yet" in output
    # The verification stopped at step 02: the final state never ran, on either engine.
    assert "the final state ran on SQLite only" not in output
    assert "E   assert twins == 0" in output
