"""Every table of the shop, for the migrations and for the test that checks them."""

from __future__ import annotations

from sqlalchemy import MetaData

# Imported for their side effect: importing the modules registers their tables.
from shared import outbox as _outbox  # noqa: F401
from shared import projections as _projections  # noqa: F401
from shared import relay as _relay  # noqa: F401
from shared.database import metadata
from shared.event_sourcing import events_table
from shop.modules import MODULES


def target_metadata() -> list[MetaData]:
    """The shop's own tables, then the library's event tables (on the library's metadata)."""
    library_metadata = {events_table(module.name).metadata for module in MODULES}
    return [metadata, *library_metadata]
