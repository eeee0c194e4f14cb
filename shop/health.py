"""Readiness: the database, and the outbox relay's state, for load balancers and operators.

``GET /health`` says the process is alive and reaches its database. ``GET
/health/ready`` adds what the relay is doing: who holds its lease, its backlog,
how long the oldest message has waited, and which transaction holds delivery back.

The route is public (load balancers do not log in), so it says only what is safe to
show anyone: no SQL text, no message contents; a blocking session is named by its
database, pid, state and age, which is what an operator needs to find it.

A web process is ready when it reaches the database. A stalled relay is reported
but does not make the web process unready: taking web processes out of the load
balancer would not move one message. The worker's own health check
(``shop outbox --check``) is what fails on a stall.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from litestar import Response, get
from litestar.datastructures import State
from litestar.status_codes import HTTP_200_OK, HTTP_503_SERVICE_UNAVAILABLE

from shared.relay import RelayStatus
from shop.bootstrap import Shop

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class LeaseHolderReport:
    worker: str
    host: str
    pid: int


@dataclass(frozen=True)
class LeaseReport:
    held: bool
    holder: LeaseHolderReport | None
    epoch: int
    taken_at: datetime | None


@dataclass(frozen=True)
class BlockerReport:
    database: str
    pid: int | None
    state: str | None
    age_seconds: float | None


@dataclass(frozen=True)
class RelayReport:
    stalled: bool
    backlog: int
    held_back: int
    oldest_waiting_seconds: float | None
    stall_threshold_seconds: float
    lease: LeaseReport
    blocker: BlockerReport | None

    @classmethod
    def of(cls, status: RelayStatus) -> RelayReport:
        lease, blocker = status.lease, status.blocker
        return cls(
            stalled=status.stalled,
            backlog=status.backlog,
            held_back=status.held_back,
            oldest_waiting_seconds=status.oldest_waiting_seconds,
            stall_threshold_seconds=status.stall_threshold_seconds,
            lease=LeaseReport(
                held=lease.held,
                holder=None
                if lease.holder is None
                else LeaseHolderReport(lease.holder.worker, lease.holder.host, lease.holder.pid),
                epoch=lease.epoch,
                taken_at=lease.taken_at,
            ),
            blocker=None
            if blocker is None
            else BlockerReport(blocker.database, blocker.pid, blocker.state, blocker.age_seconds),
        )


@dataclass(frozen=True)
class Readiness:
    status: str
    database: str
    relay: RelayReport | None


@get("/health/ready", sync_to_thread=True, tags=["operations"])
def ready(state: State) -> Response[Readiness]:
    """Ready when the database answers; 503 when it does not. Reports the relay's state."""
    shop: Shop = state.shop
    try:
        status = shop.relay_status()
    except Exception:
        # The reason goes to the log, not to an anonymous caller.
        logger.exception("readiness check: the database did not answer")
        return Response(
            Readiness(status="unavailable", database="unreachable", relay=None),
            status_code=HTTP_503_SERVICE_UNAVAILABLE,
        )
    return Response(
        Readiness(status="ready", database="ok", relay=RelayReport.of(status)),
        status_code=HTTP_200_OK,
    )
