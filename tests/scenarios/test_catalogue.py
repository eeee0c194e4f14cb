"""Every scenario of the workshop agrees with the status its catalogue records.

A scenario marked ``open`` must still show its debt (its invariant does not hold),
and one marked ``fixed`` must hold: a step that fixes a scenario flips its status in
the same commit, and a silent regression of a fixed scenario fails here.
"""

from __future__ import annotations

import pytest

from shop.workshop.scenarios import Scenario, catalogue, run

SCENARIOS = catalogue()


def test_the_catalogue_names_a_scenario_folder_for_every_entry() -> None:
    assert SCENARIOS, "the catalogue is empty"
    for scenario in SCENARIOS:
        assert (scenario.folder / "scenario.py").is_file(), scenario.folder
        assert (scenario.folder / "README.md").is_file(), scenario.folder


@pytest.mark.parametrize("scenario", SCENARIOS, ids=[scenario.name for scenario in SCENARIOS])
def test_the_scenario_agrees_with_its_recorded_status(
    scenario: Scenario, database_url: str
) -> None:
    result = run(scenario, database_url)

    figures = ", ".join(str(figure) for figure in result.outcome.figures)
    assert result.agrees, (
        f"scenario {scenario.name} is recorded as {scenario.status!r} but its invariant "
        f"{'held' if result.outcome.held else 'did not hold'}: {figures}"
    )
