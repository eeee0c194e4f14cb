"""``shop scenarios``: list, run (the real scenario 01), and compare two refs.

Compare runs each ref's own code. To prove it, the test makes two commits off HEAD
(objects only: no branch, no change to this checkout) whose scenario 01 is replaced
by a story that reports which ref it is and where ``shop`` was imported from.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from shop.cli import main
from shop.workshop.compare import compare, rows
from shop.workshop.report import FigureReport, ScenarioReport

PROJECT_ROOT = Path(__file__).resolve().parents[2]


def test_list_shows_the_catalogue(capsys: pytest.CaptureFixture[str]) -> None:
    status = main(["scenarios", "list"])

    output = capsys.readouterr().out
    assert status == 0
    assert "01" in output
    assert "Retries create twins" in output


def test_run_prints_the_measured_figures_as_json(capsys: pytest.CaptureFixture[str]) -> None:
    status = main(["scenarios", "run", "01", "--json"])

    document = json.loads(capsys.readouterr().out)
    assert status == 0, "scenario 01 agrees with its catalogue on this checkout"
    assert document["database"] == "sqlite"
    assert document["agree"] is True
    [scenario] = document["scenarios"]
    assert scenario["number"] == "01"
    assert scenario["error"] is None
    assert scenario["held"] is (scenario["status"] == "fixed")
    figures = {figure["name"]: figure["value"] for figure in scenario["figures"]}
    assert figures["confirmed carts"] == 6
    assert (figures["orders"] == 6) is scenario["held"]


def test_run_refuses_an_unknown_scenario(capsys: pytest.CaptureFixture[str]) -> None:
    status = main(["scenarios", "run", "99"])

    assert status == 2
    assert "no such scenario: 99" in capsys.readouterr().err


STORY = """
from pathlib import Path

import shop
from shop.workshop.scenarios import Figure, Outcome

INVARIANT = "the ref reports itself"


def run(world):
    from_worktree = Path(shop.__file__).resolve().parents[1] == Path.cwd().resolve()
    figures = [
        Figure("ref", {marker}),
        Figure("shop imported from this ref's worktree", int(from_worktree)),
    ]
    if {marker} == 1:
        figures.append(Figure("only on the first ref", 7, "items"))
    return Outcome(held={held}, figures=tuple(figures))
"""

CATALOGUE = """
[[scenario]]
number = "01"
slug = "retries_create_twins"
title = "Retries create twins"
status = "{status}"
"""


def commit_off_head(tmp_path: Path, files: dict[str, str], message: str) -> str:
    """A commit whose parent is HEAD, with ``files`` changed; no ref, index or work tree
    of this checkout is touched (a private index, objects only)."""
    environment = {
        **os.environ,
        "GIT_INDEX_FILE": str(tmp_path / f"index-{len(list(tmp_path.iterdir()))}"),
        "GIT_AUTHOR_NAME": "Test",
        "GIT_AUTHOR_EMAIL": "test@example.com",
        "GIT_COMMITTER_NAME": "Test",
        "GIT_COMMITTER_EMAIL": "test@example.com",
    }

    def git(*arguments: str, stdin: str | None = None) -> str:
        completed = subprocess.run(  # noqa: S603 - a test's own git commands
            ["git", *arguments],  # noqa: S607
            cwd=PROJECT_ROOT,
            env=environment,
            input=stdin,
            capture_output=True,
            text=True,
            check=True,
        )
        return completed.stdout.strip()

    git("read-tree", "HEAD")
    for path, content in files.items():
        blob = git("hash-object", "-w", "--stdin", stdin=content)
        git("update-index", "--add", "--cacheinfo", f"100644,{blob},{path}")
    return git("commit-tree", git("write-tree"), "-p", "HEAD", "-m", message)


def test_compare_runs_each_refs_own_code_and_matches_figures_by_name(tmp_path: Path) -> None:
    refs = tuple(
        commit_off_head(
            tmp_path,
            {
                "scenarios/catalog.toml": CATALOGUE.format(status=status),
                "scenarios/01_retries_create_twins/scenario.py": STORY.format(
                    marker=marker, held=held
                ),
            },
            f"ref {marker}",
        )
        for marker, held, status in ((1, False, "open"), (2, True, "fixed"))
    )
    left, right = compare(PROJECT_ROOT, (refs[0], refs[1]))

    lines = [
        (row.number, row.figure, _shown(row.left), _shown(row.right)) for row in rows(left, right)
    ]
    assert lines == [
        ("01", None, "did not hold", "held"),
        ("01", "ref", "1", "2"),
        ("01", "shop imported from this ref's worktree", "1", "1"),
        ("01", "only on the first ref", "7 items", None),
    ]
    assert all(report.agrees for report in (*left.reports, *right.reports))
    assert not [worktree for worktree in _worktrees() if "shop-compare-" in worktree]


def _worktrees() -> list[str]:
    listing = subprocess.run(
        ["git", "worktree", "list", "--porcelain"],  # noqa: S607
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return [line for line in listing.splitlines() if line.startswith("worktree ")]


def _shown(cell: ScenarioReport | FigureReport | None) -> str | None:
    if isinstance(cell, ScenarioReport):
        return "held" if cell.held else "did not hold"
    return cell.text if cell is not None else None
