"""A throwaway git repository shaped like the shop's, for the series tools.

It has a catalogue of three scenarios, all ``open`` on ``main``, and a file that
the steps change (``shop.txt``, one line per feature). Git runs with no user or
system configuration and fixed dates, so that every run makes the same commits.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

SCENARIOS = (
    ("01", "twins", "Retries create twins"),
    ("02", "poison", "One bad message stops the shop"),
    ("03", "deadlines", "Waiting forever for the bank"),
)
# One line per debt, far enough apart that each step's diff has a context of its own.
FILLER = [f"(unrelated line {n})" for n in range(6)]
SHOP_LINES = [
    "checkout: random order ids",
    *FILLER,
    "relay: retries forever",
    *FILLER,
    "payments: no deadline",
]
FEATURE_LINES = {"01": 0, "02": 7, "03": 14}


@pytest.fixture(autouse=True)
def isolated_git(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(tmp_path / "no-gitconfig"))
    for role in ("AUTHOR", "COMMITTER"):
        monkeypatch.setenv(f"GIT_{role}_NAME", "Workshop Maintainer")
        monkeypatch.setenv(f"GIT_{role}_EMAIL", "maintainer@example.com")
        monkeypatch.setenv(f"GIT_{role}_DATE", "2026-11-30T10:00:00+00:00")


@dataclass
class Repository:
    """A checkout in a temporary folder, and the git commands a test needs on it."""

    root: Path

    def git(self, *arguments: str) -> str:
        completed = subprocess.run(  # noqa: S603 - a test's own git commands
            ["git", *arguments],  # noqa: S607
            cwd=self.root,
            capture_output=True,
            text=True,
            check=True,
        )
        return completed.stdout.strip()

    def write(self, path: str, content: str) -> None:
        file = self.root / path
        file.parent.mkdir(parents=True, exist_ok=True)
        file.write_text(content, encoding="utf-8")

    def read(self, path: str) -> str:
        return (self.root / path).read_text(encoding="utf-8")

    def commit(self, message: str) -> str:
        self.git("add", "--all")
        self.git("commit", "--quiet", "-m", message)
        return self.git("rev-parse", "HEAD")

    def catalogue(self, statuses: dict[str, str] | None = None) -> str:
        """A catalog.toml with every scenario open but those ``statuses`` names."""
        statuses = statuses or {}
        entries = [
            f'[[scenario]]\nnumber = "{number}"\nslug = "{slug}"\ntitle = "{title}"\n'
            f'status = "{statuses.get(number, "open")}"\n'
            for number, slug, title in SCENARIOS
        ]
        return "# the catalogue\n\n" + "\n".join(entries)

    def flip(self, number: str) -> None:
        """Marks scenario ``number`` fixed, keeping the others' statuses."""
        text = self.read("scenarios/catalog.toml")
        marker = f'number = "{number}"'
        head, tail = text.split(marker, 1)
        self.write(
            "scenarios/catalog.toml",
            head + marker + tail.replace('status = "open"', 'status = "fixed"', 1),
        )

    def fix(self, index: int, line: str) -> None:
        """Changes line ``index`` of shop.txt (see FEATURE_LINES): what a step does to code."""
        lines = self.read("shop.txt").splitlines()
        lines[index] = line
        self.write("shop.txt", "\n".join(lines) + "\n")

    def step_commit(self, number: str, line: str, why: str) -> str:
        """One step: fixes its line of shop.txt and flips its scenario."""
        self.fix(FEATURE_LINES[number], line)
        self.flip(number)
        return self.commit(f"Step {number}: {line}\n\n{why}")

    def statuses_at(self, ref: str) -> dict[str, str]:
        text = self.git("show", f"{ref}:scenarios/catalog.toml")
        statuses = {}
        number = ""
        for line in text.splitlines():
            if line.startswith("number = "):
                number = line.split('"')[1]
            elif line.startswith("status = "):
                statuses[number] = line.split('"')[1]
        return statuses

    def worktrees(self) -> list[str]:
        return [
            line
            for line in self.git("worktree", "list", "--porcelain").splitlines()
            if line.startswith("worktree ")
        ]


@pytest.fixture
def repository(tmp_path: Path) -> Iterator[Repository]:
    """``main``: three open scenarios and ``shop.txt``; nothing else."""
    repository = Repository(tmp_path / "shop")
    repository.root.mkdir()
    repository.git("init", "--quiet", "--initial-branch=main")
    repository.write("scenarios/catalog.toml", repository.catalogue())
    for number, slug, title in SCENARIOS:
        repository.write(f"scenarios/{number}_{slug}/README.md", f"# {number} {title}\n")
    repository.write("shop.txt", "\n".join(SHOP_LINES) + "\n")
    repository.commit("The first production release")
    yield repository
    # A test that failed half-way may leave a refresh's worktree in the system's temp folder.
    for line in repository.worktrees()[1:]:
        shutil.rmtree(line.removeprefix("worktree "), ignore_errors=True)


@pytest.fixture
def with_series(repository: Repository) -> Repository:
    """``main`` with steps 01 and 02 stored as patches (03 has none yet), exported from a
    branch ``reference`` the way a maintainer creates the series."""
    repository.git("switch", "--quiet", "-c", "reference")
    repository.step_commit("01", "checkout: order ids from their cart", "Because retries.")
    repository.step_commit("02", "relay: parks poison messages", "Because one bad message.")
    repository.git("switch", "--quiet", "main")
    from shop.workshop.series import Workshop

    Workshop(repository.root).export("reference")
    repository.commit("The series: steps 01 and 02")
    return repository
