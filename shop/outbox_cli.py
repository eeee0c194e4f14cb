"""``shop outbox``: the relay's state for an operator, a script, or a container health check.

    shop outbox            lease holder, backlog, oldest waiting messages, what holds it back
    shop outbox --json     the same, as one JSON object
    shop outbox --check    one line; exit 0 when healthy, 1 when not

``--check`` is the ``worker`` container's health check. It fails when the database
does not answer, when no worker holds the relay's lease (nobody delivers), when a
committed message has waited longer than ``SHOP_RELAY_STALL_SECONDS``, or, when
``SHOP_WORKER_HEARTBEAT_FILE`` is set, when this container's relay loop has not
turned for that long (a hung handler, a dead thread).
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from shared.background import Heartbeat
from shared.relay import RelayStatus
from shared.settings import Settings

HEALTHY, UNHEALTHY = 0, 1


def add_outbox_command(commands: Any) -> None:
    """Registers ``shop outbox`` on the CLI's subcommands (an argparse subparsers object)."""
    outbox = commands.add_parser(
        "outbox", help="the relay: lease holder, backlog, what holds delivery back"
    )
    outbox.add_argument("--json", action="store_true", help="print one JSON object")
    outbox.add_argument(
        "--check",
        action="store_true",
        help="health check: exit 1 if the relay is stalled, unled, or this worker's loop is stuck",
    )
    outbox.set_defaults(run=run_outbox)


@dataclass(frozen=True)
class Verdict:
    """The health check's answer: healthy or not, and why not, one reason a line."""

    problems: tuple[str, ...]

    @property
    def healthy(self) -> bool:
        return not self.problems


def judge(
    status: RelayStatus, heartbeat_age_seconds: float | None, *, heartbeat_expected: bool
) -> Verdict:
    """Decides health from a status and the age of this worker's heartbeat (seconds)."""
    problems: list[str] = []
    if not status.lease.held:
        problems.append(f"no worker holds the lease of relay {status.relay_name}")
    if status.stalled:
        problems.append(
            f"relay {status.relay_name} stalled: a message has waited"
            f" {status.oldest_waiting_seconds:.0f}s"
            f" (threshold {status.stall_threshold_seconds:.0f}s){_held_back_by(status)}"
        )
    if heartbeat_expected:
        if heartbeat_age_seconds is None:
            problems.append("this worker's relay loop has not started")
        elif heartbeat_age_seconds > status.stall_threshold_seconds:
            problems.append(
                f"this worker's relay loop has not turned for {heartbeat_age_seconds:.0f}s"
            )
    return Verdict(tuple(problems))


def run_outbox(settings: Settings, arguments: argparse.Namespace) -> int:
    from shop.bootstrap import bootstrap
    from shop.migrate import require_current_schema

    try:
        require_current_schema(settings.database_url)
        shop = bootstrap(settings)
        try:
            status = shop.relay_status()
        finally:
            shop.close()
    except Exception as error:
        # One line, whatever went wrong underneath: this is read in a terminal or a probe log.
        reason = (str(error).strip().splitlines() or [type(error).__name__])[0]
        print(f"unhealthy: could not read the relay's state: {reason}", file=sys.stderr)
        return UNHEALTHY
    heartbeat_file = settings.worker_heartbeat_file
    heartbeat_age = Heartbeat(heartbeat_file).age_seconds() if heartbeat_file else None
    verdict = judge(status, heartbeat_age, heartbeat_expected=heartbeat_file is not None)
    if arguments.json:
        document = {**_jsonable(asdict(status)), "stalled": status.stalled}
        if arguments.check:
            document["healthy"] = verdict.healthy
            document["problems"] = list(verdict.problems)
        print(json.dumps(document, indent=2))
    elif arguments.check and verdict.healthy:
        print(f"ok: {_summary(status)}")
    elif arguments.check:
        print(f"unhealthy: {'; '.join(verdict.problems)}")
    else:
        print(_report(status))
    if arguments.check and not verdict.healthy:
        return UNHEALTHY
    return HEALTHY


def _summary(status: RelayStatus) -> str:
    holder = status.lease.holder if status.lease.held else "nobody"
    return f"relay {status.relay_name} led by {holder}, backlog {status.backlog}"


def _held_back_by(status: RelayStatus) -> str:
    blocker = status.blocker
    if blocker is None:
        return ""
    age = "unknown time" if blocker.age_seconds is None else f"{blocker.age_seconds:.0f}s"
    return (
        f"; held back by pid {blocker.pid} in database {blocker.database}"
        f" ({blocker.state or 'state hidden'}, transaction open for {age})"
    )


def _report(status: RelayStatus) -> str:
    lease = status.lease
    if lease.held and lease.holder is not None:
        since = f", since {lease.taken_at:%Y-%m-%d %H:%M:%S %Z}" if lease.taken_at else ""
        leader = f"held by {lease.holder} (epoch {lease.epoch}{since})"
    elif lease.held:
        leader = "held, holder not recorded yet"
    else:
        leader = "not held: no worker delivers"
    oldest = (
        "nothing waits"
        if status.oldest_waiting_seconds is None
        else f"{status.oldest_waiting_seconds:.0f}s"
        f" (stall threshold {status.stall_threshold_seconds:.0f}s)"
    )
    state = "stalled" if status.stalled else ("delivering" if status.backlog else "idle")
    lines = [
        f"relay {status.relay_name}: {state}",
        f"  lease    {leader}",
        f"  backlog  {status.backlog} committed messages waiting, {status.held_back} held back",
        f"  oldest   {oldest}",
    ]
    if status.blocker is not None:
        lines.append(f"  blocker {_held_back_by(status).removeprefix(';')}")
    if status.oldest_waiting:
        lines.append("  oldest waiting messages:")
        lines.extend(
            f"    {message.recorded_at:%Y-%m-%d %H:%M:%S}  {message.age_seconds:>6.0f}s"
            f"  {message.message_type}  {message.message_id}  from {message.source}"
            + ("  [held back]" if message.held_back else "")
            for message in status.oldest_waiting
        )
    return "\n".join(lines)


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _jsonable(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(item) for item in value]
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, UUID):
        return str(value)
    return value
