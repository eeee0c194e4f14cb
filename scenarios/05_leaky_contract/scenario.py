"""05 The leaky contract: other modules read the payments module's private events.

Three customers check out: one pays with ``tok_ok``, one with ``tok_declined``, and
one wants the gooseneck kettle, which is out of stock. The relay and the provider's
webhook sender run until there is nothing left to do. Then every message in the
outbox is held against the public contracts the modules declare (the integration
event and command classes of their ``contracts.py``).

Then the payments team renames a field of two of its private domain events, as any
refactoring inside a module would: ``order_id`` becomes ``purchase_id`` in
``Payment.Succeeded`` and ``Payment.Failed``, with every read of it in the payments
module. The rename is made in a throw-away copy of the source tree, where the same
checkouts run in a process of their own; the messages that copy publishes are then
parsed by each consumer, as the relay would hand them over.

Measured from the system: message types published, those no contract names, payload
fields no contract declares (summed over the types), and the consumers that can no
longer parse what the renamed release publishes.
"""

from __future__ import annotations

import importlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from shared.database import is_postgresql
from shared.messaging import Command, IntegrationEvent, Message
from shop.migrate import PROJECT_ROOT
from shop.modules import MODULES
from shop.workshop.scenarios import Figure, Outcome
from shop.workshop.world import World

INVARIANT = (
    "every published message has a public contract declaring exactly its payload, "
    "and renaming a field of a private domain event breaks no consumer"
)

CHECKOUTS = (
    ("ada", {"espresso-beans-1kg": 1}, "tok_ok"),
    ("grace", {"ceramic-mug": 2}, "tok_declined"),
    ("edsger", {"gooseneck-kettle": 1}, "tok_ok"),
)

# The rename, as an editor's "rename symbol" makes it: the field of the two events, the
# parameter of the method that triggers each, and every read of it in the module.
RENAMED_IN = Path("modules/payments")
RENAME = (
    (
        re.compile(r"(class (?:Succeeded|Failed)\(Aggregate\.Event\):\n\s+)order_id"),
        r"\1purchase_id",
    ),
    (re.compile(r"(def _(?:succeeded|failed)\(self, )order_id"), r"\1purchase_id"),
    (re.compile(r"\b(succeeded|failed)\.order_id\b"), r"\1.purchase_id"),
)
SOURCES = ("alembic.ini", "migrations", "modules", "shared", "shop")
# Payments that took the provider's answer: the renamed module must still do its own job.
ANSWERED = "SELECT count(*) AS answered FROM payments_payment_views WHERE status <> 'requested'"

THE_SAME_CHECKOUTS = """
import json, sys
from shop.migrate import scratch_database
from shop.workshop.world import World

checkouts, server_url, published = json.loads(sys.argv[1]), sys.argv[2] or None, sys.argv[3]
ANSWERED = sys.argv[4]
with scratch_database(server_url, "shop_scenario") as url:
    world = World(url)
    try:
        for customer, items, payment_method in checkouts:
            world.check_out(customer, items, payment_method)
        world.settle()
        rows = world.rows("SELECT message_type, payload FROM outbox_messages ORDER BY id")
        [answered] = world.rows(ANSWERED)
    finally:
        world.close()
with open(published, "w") as file:
    json.dump({"messages": rows, "answered": answered["answered"]}, file)
"""


def run(world: World) -> Outcome:
    for customer, items, payment_method in CHECKOUTS:
        world.check_out(customer, items, payment_method)
    world.settle()
    published = _published(world.rows("SELECT message_type, payload FROM outbox_messages"))

    contracts = _contracts()
    types = sorted({message_type for message_type, _ in published})
    without_contract = [message_type for message_type in types if message_type not in contracts]
    undeclared = {
        (message_type, key)
        for message_type, payload in published
        if message_type in contracts
        for key in payload
        if key not in contracts[message_type].model_fields
    }
    missing = {
        (message_type, name)
        for message_type, payload in published
        if message_type in contracts
        for name in contracts[message_type].model_fields
        if name not in payload
    }
    renamed, answered = _published_after_a_rename(world)
    if answered != world.rows(ANSWERED)[0]["answered"]:
        # The rename broke the payments module itself: its consumers were never put to the test.
        msg = f"the renamed payments module took {answered} of the provider's answers"
        raise RuntimeError(msg)
    broken = _consumers_that_cannot_parse(renamed)

    figures = (
        Figure("messages published", len(published)),
        Figure("message types published", len(types)),
        Figure("published without a schema", len(without_contract)),
        Figure("payload fields no contract declares", len(undeclared)),
        Figure("declared fields missing from payloads", len(missing)),
        Figure("consumers broken by a private rename", len(broken)),
    )
    held = not without_contract and not undeclared and not missing and not broken
    return Outcome(held=held, figures=figures)


def _contracts() -> dict[str, type[Message]]:
    """Every message class the modules declare in their ``contracts``, by message type."""
    contracts: dict[str, type[Message]] = {}
    for module in MODULES:
        declared = vars(importlib.import_module(f"modules.{module.name}.contracts")).values()
        for candidate in [*declared, *module.routes, *module.sends]:
            if (
                isinstance(candidate, type)
                and issubclass(candidate, IntegrationEvent | Command)
                and candidate not in (IntegrationEvent, Command)
            ):
                contracts[candidate.message_type] = candidate
    return contracts


def _consumers_that_cannot_parse(published: Iterable[tuple[str, Mapping[str, Any]]]) -> set[str]:
    """The subscribers and command handlers, by name, that refuse a payload they are sent:
    what the relay's delivery does first is parse it with the consumer's message class."""
    broken: set[str] = set()
    for message_type, payload in published:
        for module in MODULES:
            for message_class, handler in module.routes.items():
                if message_class.message_type != message_type:
                    continue
                try:
                    message_class.model_validate(payload)
                except ValidationError:
                    broken.add(f"{module.name}.{handler.__name__}")
    return broken


def _published_after_a_rename(world: World) -> tuple[list[tuple[str, dict[str, Any]]], int]:
    """The messages the same checkouts publish from a copy of the source tree in which the
    payments module renamed its events' field, run by this interpreter in a process of its
    own, on a database of its own; and how many payments there took the provider's answer."""
    database_url = world.shop.settings.database_url
    server_url = database_url if is_postgresql(database_url) else ""
    with tempfile.TemporaryDirectory(prefix="shop-renamed-") as folder:
        copy = Path(folder) / "source"
        copy.mkdir()
        for name in SOURCES:
            source = PROJECT_ROOT / name
            if source.is_dir():
                ignore = shutil.ignore_patterns("__pycache__")
                shutil.copytree(source, copy / name, ignore=ignore)
            else:
                shutil.copy2(source, copy / name)
        for path in (copy / RENAMED_IN).rglob("*.py"):
            code = path.read_text()
            for pattern, replacement in RENAME:
                code = pattern.sub(replacement, code)
            path.write_text(code)
        output = Path(folder) / "published.json"
        ran = subprocess.run(  # noqa: S603 - this interpreter, our own script
            [
                sys.executable,
                "-c",
                THE_SAME_CHECKOUTS,
                json.dumps(CHECKOUTS),
                server_url,
                str(output),
                ANSWERED,
            ],
            cwd=copy,
            env={**os.environ, "PYTHONPATH": str(copy)},
            check=False,
            capture_output=True,
            text=True,
        )
        if ran.returncode != 0:
            msg = f"the checkouts in the renamed copy failed:\n{ran.stderr}"
            raise RuntimeError(msg)
        result = json.loads(output.read_text())
        return _published(result["messages"]), result["answered"]


def _published(rows: Iterable[Mapping[str, Any]]) -> list[tuple[str, dict[str, Any]]]:
    return [(row["message_type"], json.loads(row["payload"])) for row in rows]
