"""Scenarios: production stories that measure one design debt each, and their catalogue.

``scenarios/catalog.toml`` lists them, each with the status it has on this branch:
``open`` (the debt is there: the invariant does not hold) or ``fixed`` (its step of
the refactoring series has been applied: it holds). ``scenarios/NN_slug/scenario.py``
tells the story; it defines ``INVARIANT`` (what should hold, in one sentence) and
``run(world) -> Outcome``, and measures its figures from the system itself.

Each scenario runs in a fresh database: a SQLite file in a temporary folder, or a new
database on the PostgreSQL server named by a URL, dropped afterwards.
"""

from __future__ import annotations

import importlib.util
import time
import tomllib
from contextlib import AbstractContextManager
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from types import ModuleType
from typing import Literal

from shop.migrate import PROJECT_ROOT, scratch_database
from shop.workshop.world import World

SCENARIOS_FOLDER = PROJECT_ROOT / "scenarios"
Status = Literal["open", "fixed"]


@dataclass(frozen=True)
class Figure:
    """One measured number: what it counts, its value, and its unit (empty for a count)."""

    name: str
    value: int | float | Decimal
    unit: str = ""

    def __str__(self) -> str:
        value = f"{self.value:.2f}" if isinstance(self.value, float) else str(self.value)
        return f"{self.name} = {value}{' ' + self.unit if self.unit else ''}"


@dataclass(frozen=True)
class Outcome:
    """What a run measured, and whether the scenario's invariant held."""

    held: bool
    figures: tuple[Figure, ...]


@dataclass(frozen=True)
class Scenario:
    """A scenario of the catalogue, and the status recorded for it on this branch."""

    number: str
    slug: str
    title: str
    status: Status
    folder: Path

    @property
    def name(self) -> str:
        return f"{self.number}_{self.slug}"

    @property
    def story(self) -> ModuleType:
        """The scenario's ``scenario.py``, loaded by path (its folder is no package)."""
        path = self.folder / "scenario.py"
        spec = importlib.util.spec_from_file_location(f"scenarios.{self.name}", path)
        assert spec is not None
        assert spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return module

    @property
    def invariant(self) -> str:
        invariant: str = self.story.INVARIANT
        return invariant


@dataclass(frozen=True)
class Result:
    scenario: Scenario
    invariant: str
    outcome: Outcome
    seconds: float

    @property
    def agrees(self) -> bool:
        """Whether the run agrees with the catalogue: open ones fail, fixed ones hold."""
        return self.outcome.held == (self.scenario.status == "fixed")


def catalogue(folder: Path = SCENARIOS_FOLDER) -> list[Scenario]:
    """Every scenario of ``catalog.toml``, in order. Raises ``ValueError`` on a bad entry."""
    with (folder / "catalog.toml").open("rb") as file:
        entries = tomllib.load(file)["scenario"]
    scenarios = []
    for entry in entries:
        status = entry["status"]
        if status not in ("open", "fixed"):
            msg = f"scenario {entry['number']}: status must be 'open' or 'fixed', not {status!r}"
            raise ValueError(msg)
        number, slug = entry["number"], entry["slug"]
        scenarios.append(
            Scenario(number, slug, entry["title"], status, folder / f"{number}_{slug}")
        )
    return scenarios


def select(scenarios: list[Scenario], numbers: list[str]) -> list[Scenario]:
    """The scenarios named by number (``1`` or ``01``); all of them when none is named."""
    if not numbers:
        return scenarios
    wanted = {number.zfill(2) for number in numbers}
    unknown = wanted - {scenario.number for scenario in scenarios}
    if unknown:
        msg = f"no such scenario: {', '.join(sorted(unknown))}"
        raise ValueError(msg)
    return [scenario for scenario in scenarios if scenario.number in wanted]


def run(scenario: Scenario, database_url: str) -> Result:
    """Runs the scenario's story in a world on ``database_url``, migrated and empty."""
    story = scenario.story
    started = time.perf_counter()
    world = World(database_url)
    try:
        outcome: Outcome = story.run(world)
    finally:
        world.close()
    return Result(scenario, story.INVARIANT, outcome, time.perf_counter() - started)


def run_in_fresh_database(scenario: Scenario, server_url: str | None = None) -> Result:
    """Runs the scenario in a database of its own, made for it and removed after it."""
    with fresh_database(server_url) as database_url:
        return run(scenario, database_url)


def fresh_database(server_url: str | None) -> AbstractContextManager[str]:
    """A migrated, empty database: a temporary SQLite file, or a new PostgreSQL database."""
    return scratch_database(server_url, "shop_scenario")
