"""``shop events`` and ``shop timeline``: the console's views at the terminal.

    shop events STREAM_ID          one stream's events, oldest first, whichever module has it
    shop timeline ORDER_ID         one checkout's events and messages, in time order
    ... --json                     the same facts as one JSON document on stdout

They print what ``/console`` shows, from the same queries (``shop.console.queries``).
An id that is not one is a usage error (exit 2); an id no stream or order has is
logged as one line (exit 1).
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from typing import TYPE_CHECKING, Any
from uuid import UUID

# Like shop.cli, nothing but the standard library at the top: every `shop` command
# imports this module to build its parser.
if TYPE_CHECKING:
    from shared.settings import Settings
    from shop.console.queries import StreamEvents, Timeline

EXIT_FAILED = 1
logger = logging.getLogger(__name__)


def add_console_commands(commands: Any) -> None:
    """Registers ``events`` and ``timeline`` on the CLI's subcommands (argparse subparsers)."""
    events = commands.add_parser("events", help="one stream's events, decoded, oldest first")
    events.add_argument("stream_id", type=_uuid, metavar="STREAM_ID")
    events.add_argument("--json", action="store_true", help="print one JSON document")
    events.set_defaults(run=run_events)

    timeline = commands.add_parser(
        "timeline", help="one checkout's events and messages across the modules, in time order"
    )
    timeline.add_argument("order_id", type=_uuid, metavar="ORDER_ID")
    timeline.add_argument("--json", action="store_true", help="print one JSON document")
    timeline.set_defaults(run=run_timeline)


def _uuid(text: str) -> UUID:
    try:
        return UUID(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an id: {text[:40]!r}") from None


def run_events(settings: Settings, arguments: argparse.Namespace) -> int:
    from shop.bootstrap import bootstrap
    from shop.console.queries import StreamNotFound, queries_for
    from shop.migrate import require_current_schema

    require_current_schema(settings.database_url)
    shop = bootstrap(settings)
    try:
        queries = queries_for(shop)
        try:
            module = queries.find_stream(arguments.stream_id)
        except StreamNotFound as error:
            logger.error("shop events: %s", error)
            return EXIT_FAILED
        pages = [queries.stream(module, arguments.stream_id)]
        while pages[-1].next_after is not None:
            pages.append(queries.stream(module, arguments.stream_id, after=pages[-1].next_after))
    finally:
        shop.close()
    if arguments.json:
        _print_json(
            {
                "module": module,
                "stream_id": arguments.stream_id,
                "events": [event for page in pages for event in page.events],
            }
        )
    else:
        _print_events(pages)
    return 0


def run_timeline(settings: Settings, arguments: argparse.Namespace) -> int:
    from shop.bootstrap import bootstrap
    from shop.console.queries import OrderNotFound, queries_for
    from shop.migrate import require_current_schema

    require_current_schema(settings.database_url)
    shop = bootstrap(settings)
    try:
        timeline = queries_for(shop).timeline(arguments.order_id)
    except OrderNotFound as error:
        logger.error("shop timeline: %s", error)
        return EXIT_FAILED
    finally:
        shop.close()
    if arguments.json:
        _print_json(timeline)
    else:
        _print_timeline(timeline)
    return 0


def _print_json(document: Any) -> None:
    import pydantic_core

    print(json.dumps(pydantic_core.to_jsonable_python(document), indent=2))


def _print_events(pages: list[StreamEvents]) -> None:
    from rich.table import Table

    first = pages[0]
    table = Table(title=f"{first.module} stream {first.stream_id}", title_justify="left")
    table.add_column("version", justify="right")
    table.add_column("event", style="bold", no_wrap=True)
    table.add_column("time (UTC)", no_wrap=True)
    table.add_column("fields", overflow="fold")
    for event in (event for page in pages for event in page.events):
        table.add_row(
            str(event.version), event.event_type, _moment(event.timestamp), _fields(event.fields)
        )
    _console().print(table)


def _print_timeline(timeline: Timeline) -> None:
    from rich.table import Table

    links = [f"cart {timeline.cart_id}", f"order {timeline.order_id}"]
    links += [f"payment {payment_id}" for payment_id in timeline.payment_ids]
    links += [f"package {package_id}" for package_id in timeline.package_ids]
    table = Table(title=" → ".join(links), title_justify="left")
    table.add_column("time (UTC)", no_wrap=True)
    table.add_column("module", no_wrap=True)
    table.add_column("", style="dim", no_wrap=True)
    table.add_column("what", style="bold", no_wrap=True)
    table.add_column("where", no_wrap=True)
    table.add_column("fields", overflow="fold")
    for entry in timeline.entries:
        where = (
            f"{entry.stream_id} v{entry.version}"
            if entry.stream_id is not None
            else f"message {entry.message_id}"
        )
        table.add_row(
            _moment(entry.at), entry.module, entry.kind, entry.name, where, _fields(entry.fields)
        )
    _console().print(table)


def _console() -> Any:
    from rich.console import Console

    # Piped into a file or a pager, rich would assume 80 columns and squeeze every id.
    return Console(file=sys.stdout, width=None if sys.stdout.isatty() else 200)


def _moment(value: Any) -> str:
    text: str = value.strftime("%Y-%m-%d %H:%M:%S.%f")[:-3]
    return text


def _fields(fields: dict[str, Any]) -> str:
    from rich.markup import escape

    # Field values are data, not markup: a "[bold]" in a customer id must print as typed.
    return escape(
        "\n".join(f"{name}: {json.dumps(value, default=str)}" for name, value in fields.items())
    )
