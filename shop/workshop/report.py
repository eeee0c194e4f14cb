"""What a run of the scenarios reports, as plain data: printed as a table, written as JSON
by ``shop scenarios run --json``, and read back by ``shop scenarios compare``.

The JSON is the contract between two checkouts of the shop (compare runs each ref's
own code): fields are only ever added to it.

    {"database": "sqlite", "agree": false, "scenarios": [
      {"number": "01", "slug": "...", "title": "...", "status": "open",
       "invariant": "...", "held": false, "agrees": true, "seconds": 5.9, "error": null,
       "figures": [{"name": "orders", "value": 12, "unit": "", "text": "12"}, ...]}]}
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from decimal import Decimal
from typing import Any

from shop.workshop.scenarios import Figure, Result, Scenario


@dataclass(frozen=True)
class FigureReport:
    """A measured figure; ``text`` is its value as the scenario formats it, with its unit."""

    name: str
    value: int | float
    unit: str
    text: str

    @classmethod
    def of(cls, figure: Figure) -> FigureReport:
        rendered = str(figure).split(" = ", 1)[1]
        value = float(figure.value) if isinstance(figure.value, Decimal) else figure.value
        return cls(figure.name, value, figure.unit, rendered)


@dataclass(frozen=True)
class ScenarioReport:
    """One scenario's run: ``held`` is ``None`` when the run itself failed (``error``)."""

    number: str
    slug: str
    title: str
    status: str
    invariant: str
    held: bool | None
    agrees: bool
    seconds: float
    figures: tuple[FigureReport, ...]
    error: str | None = None

    @property
    def name(self) -> str:
        return f"{self.number}_{self.slug}"

    @classmethod
    def of(cls, result: Result) -> ScenarioReport:
        scenario = result.scenario
        return cls(
            scenario.number,
            scenario.slug,
            scenario.title,
            scenario.status,
            result.invariant,
            result.outcome.held,
            result.agrees,
            round(result.seconds, 2),
            tuple(FigureReport.of(figure) for figure in result.outcome.figures),
        )

    @classmethod
    def of_error(cls, scenario: Scenario, error: BaseException, seconds: float) -> ScenarioReport:
        """A scenario whose run raised: it agrees with nothing."""
        try:
            invariant = scenario.invariant
        except Exception:  # a scenario that cannot even load reports that as its error
            invariant = ""
        return cls(
            scenario.number,
            scenario.slug,
            scenario.title,
            scenario.status,
            invariant,
            None,
            False,
            round(seconds, 2),
            (),
            f"{type(error).__name__}: {error}",
        )


def to_json(reports: list[ScenarioReport], database: str) -> str:
    """The JSON document of a run (see the module's docstring)."""
    document = {
        "database": database,
        "agree": all(report.agrees for report in reports),
        "scenarios": [asdict(report) for report in reports],
    }
    return json.dumps(document, indent=2)


def from_json(text: str) -> list[ScenarioReport]:
    """The reports of a JSON document written by :func:`to_json`. Raises ``ValueError``
    (``json.JSONDecodeError`` included) when it is not one."""
    document = json.loads(text)
    try:
        return [_scenario(entry) for entry in document["scenarios"]]
    except (KeyError, TypeError) as error:
        msg = f"not a report of `shop scenarios run --json`: {error!r}"
        raise ValueError(msg) from error


def _scenario(entry: dict[str, Any]) -> ScenarioReport:
    figures = tuple(
        FigureReport(figure["name"], figure["value"], figure["unit"], figure["text"])
        for figure in entry["figures"]
    )
    return ScenarioReport(
        entry["number"],
        entry["slug"],
        entry["title"],
        entry["status"],
        entry["invariant"],
        entry["held"],
        entry["agrees"],
        entry["seconds"],
        figures,
        entry.get("error"),
    )
