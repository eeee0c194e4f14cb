"""How far the relay may read on PostgreSQL: the oldest transaction of *this* database.

Outbox rows carry the id of the transaction that wrote them, and the relay reads
them in ``(tx_id, id)`` order. It may pass a transaction id only once no
transaction with a smaller id can still commit; otherwise a row committed later
would land behind the relay's checkpoint and be skipped.

PostgreSQL's own answer, ``pg_snapshot_xmin(pg_current_snapshot())``, is the
oldest transaction running on the whole *server*: an idle transaction in another
database would hold this shop's delivery back. Only transactions of this
database can write its outbox, so the horizon here is the smaller of

- ``xmax`` of a snapshot: every transaction id below it was already assigned, and
  every later one will be at least as large;
- the id of every transaction of this database still running (``backend_xid`` in
  ``pg_stat_activity``, which PostgreSQL shows to every role) or prepared.

Why this is safe: the snapshot is taken, then ``pg_stat_activity`` is read, and the
outbox is read afterwards in another transaction. A transaction id below the
horizon was assigned before the snapshot and was not running when
``pg_stat_activity`` was read, so it had ended; the later read of the outbox sees
everything it committed. ``pg_stat_activity`` is sampled once per transaction,
which is why the horizon gets a transaction of its own.

``backend_xid`` is 32 bits; outbox rows store 64-bit ids (``pg_current_xact_id()``).
:func:`widen_xid` puts the epoch back, using the snapshot's ``xmax`` as reference:
a running transaction's id is always within 2^31 of it.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import text
from sqlalchemy.orm import Session

XID_SPAN = 1 << 32
HALF_XID_SPAN = 1 << 31

# One statement: its snapshot (hence xmax) is taken when it starts, before it reads
# pg_stat_activity, which is the order the argument above needs. Then every transaction
# of this database that holds an id, with what an operator needs to find it; a role
# without pg_read_all_stats sees state and start as NULL for other roles' sessions,
# but always the transaction ids. Always at least one row, for xmax.
_HORIZON = text(
    """
    WITH snapshot AS (
        SELECT CAST(CAST(pg_snapshot_xmax(pg_current_snapshot()) AS text) AS bigint) AS xmax
    ), running AS (
        SELECT pid, datname, state,
               EXTRACT(EPOCH FROM now() - xact_start) AS transaction_seconds,
               CAST(CAST(backend_xid AS text) AS bigint) AS xid
          FROM pg_stat_activity
         WHERE datname = current_database() AND backend_xid IS NOT NULL
        UNION ALL
        SELECT NULL, database, 'prepared', EXTRACT(EPOCH FROM now() - prepared),
               CAST(CAST(transaction AS text) AS bigint)
          FROM pg_prepared_xacts
         WHERE database = current_database()
    )
    SELECT snapshot.xmax, running.*
      FROM snapshot LEFT JOIN running ON true
    """
)


@dataclass(frozen=True)
class Blocker:
    """A transaction of this database that holds delivery back until it ends.

    ``pid`` is ``None`` for a prepared transaction; ``state`` and ``age_seconds``
    are ``None`` when the shop's role may not see them. No SQL text, on purpose:
    this goes to the health endpoint.
    """

    database: str
    pid: int | None
    state: str | None
    age_seconds: float | None
    transaction_id: int


@dataclass(frozen=True)
class Horizon:
    """Transaction ids below ``position`` have ended; ``blockers`` are the ones still running."""

    position: int
    blockers: tuple[Blocker, ...]

    def holds_back(self, tx_id: int) -> bool:
        return tx_id >= self.position

    def blocker_of(self, tx_id: int) -> Blocker | None:
        """The oldest running transaction that keeps a row of ``tx_id`` from being delivered."""
        return next((b for b in self.blockers if b.transaction_id <= tx_id), None)


def widen_xid(xid: int, reference: int) -> int:
    """The 64-bit id of a running transaction whose 32-bit id is ``xid``.

    ``reference`` is a 64-bit id taken at about the same time (a snapshot's xmax);
    running ids are always within 2^31 of it, which decides the epoch.
    """
    widened = reference - reference % XID_SPAN + xid
    if widened > reference + HALF_XID_SPAN:
        return widened - XID_SPAN
    if widened < reference - HALF_XID_SPAN:
        return widened + XID_SPAN
    return widened


def read_horizon(session: Session) -> Horizon:
    """Reads the horizon in ``session``, which must be a fresh transaction of its own.

    The caller reads the outbox afterwards, in another transaction (see the module's
    docstring for why the order matters).
    """
    rows = session.execute(_HORIZON).all()
    xmax: int = rows[0].xmax
    blockers = sorted(
        (
            Blocker(
                database=row.datname,
                pid=row.pid,
                state=row.state,
                age_seconds=_seconds(row.transaction_seconds),
                transaction_id=widen_xid(row.xid, xmax),
            )
            for row in rows
            if row.xid is not None
        ),
        key=lambda blocker: blocker.transaction_id,
    )
    position = min([xmax, *(blocker.transaction_id for blocker in blockers)])
    return Horizon(position=position, blockers=tuple(blockers))


def _seconds(value: Decimal | None) -> float | None:
    return None if value is None else float(value)
