"""Which of several worker processes runs the relay: a lease, and the proof of holding it.

A lease alone does not stop a relay that lost it without noticing (its connection
was killed, the database restarted) from going on delivering while a standby takes
over. So a lease also offers :meth:`RelayLease.still_held`: a condition the relay
puts into its checkpoint's ``UPDATE``, so that the database itself refuses the
write of a relay that no longer holds the lease (see ``shared/relay.py``).
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import socket
import threading
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Protocol

from eventsourcing_sqlalchemy.datastore import SQLAlchemyDatastore
from sqlalchemy import (
    BigInteger,
    Boolean,
    ColumnElement,
    Connection,
    Integer,
    Select,
    String,
    cast,
    column,
    exists,
    false,
    func,
    select,
    table,
    text,
    true,
)
from sqlalchemy.dialects.postgresql import OID
from sqlalchemy.engine import make_url

from shared.database import engine_of

logger = logging.getLogger(__name__)

_pg_locks = table(
    "pg_locks",
    column("locktype", String()),
    column("database", OID()),
    column("classid", OID()),
    column("objid", OID()),
    column("objsubid", Integer()),
    column("pid", Integer()),
    column("granted", Boolean()),
)
_pg_database = table("pg_database", column("oid", OID()), column("datname", String()))


@dataclass(frozen=True)
class LeaseHolder:
    """Who holds a lease, as an operator looks for it: a worker name, a host and a process."""

    worker: str
    host: str
    pid: int

    @classmethod
    def this_process(cls, worker: str) -> LeaseHolder:
        return cls(worker=worker, host=socket.gethostname(), pid=os.getpid())

    def __str__(self) -> str:
        return f"{self.worker} on {self.host} (pid {self.pid})"


class RelayLease(Protocol):
    """Decides which of several relay processes delivers."""

    def acquire(self) -> bool:
        """Takes the lease, or confirms it is still held; ``False`` if another process has it.

        Once the lease was lost (its connection died), this returns ``False`` once,
        so that the caller notices, before it may take the lease again.
        """
        ...

    def release(self) -> None: ...

    def still_held(self) -> ColumnElement[bool]:
        """A SQL condition, true only while this lease is held, for the checkpoint's write."""
        ...

    def is_held(self) -> bool:
        """Whether some process, this one included, holds the lease now (for status)."""
        ...


class PostgresAdvisoryLease:
    """A session-level advisory lock, held on a dedicated connection.

    PostgreSQL releases it when the holder's connection ends, so a crashed or
    partitioned worker hands over without anyone having to notice. The holder's
    backend pid, remembered when the lock is taken, lets a checkpoint write check in
    ``pg_locks`` that this very session still holds it.

    Safe to share between threads (a worker's loop and a relay run by hand): the one
    connection is used by one thread at a time.
    """

    def __init__(self, datastore: SQLAlchemyDatastore, name: str) -> None:
        self._engine = engine_of(datastore)
        # crc32 is unsigned 32-bit: pg_locks shows it as objid, with classid 0.
        self._key = zlib.crc32(f"shop-relay:{name}".encode())
        self._connection: Connection | None = None
        self._backend_pid: int | None = None
        self._lock = threading.RLock()

    def acquire(self) -> bool:
        with self._lock:
            return self._acquire()

    def release(self) -> None:
        with self._lock:
            self._release()

    def _acquire(self) -> bool:
        if self._connection is not None:
            try:
                self._connection.execute(text("SELECT 1"))
                self._connection.commit()
            except Exception:
                logger.warning("relay lease connection lost; the lease went with it")
                self._release()
                return False
            return True
        connection = self._engine.connect()
        try:
            got = connection.execute(
                text("SELECT pg_try_advisory_lock(:key)"), {"key": self._key}
            ).scalar_one()
            pid = connection.execute(text("SELECT pg_backend_pid()")).scalar_one()
            connection.commit()
        except Exception:
            connection.invalidate()
            connection.close()
            raise
        if got:
            self._connection, self._backend_pid = connection, pid
            return True
        connection.close()
        return False

    def _release(self) -> None:
        connection, self._connection, self._backend_pid = self._connection, None, None
        if connection is None:
            return
        try:
            # A session-level lock outlives the connection's return to the pool: unlock it.
            connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": self._key})
            connection.commit()
        except Exception:
            # The connection is broken, and the lock went with it; never pool it again.
            with contextlib.suppress(Exception):
                connection.invalidate()
        with contextlib.suppress(Exception):
            connection.close()

    def still_held(self) -> ColumnElement[bool]:
        backend_pid = self._backend_pid
        if backend_pid is None:
            return false()
        return exists(
            self._lock_rows().where(_pg_locks.c.pid == backend_pid, _pg_locks.c.granted.is_(True))
        )

    def is_held(self) -> bool:
        with self._engine.connect() as connection:
            held: bool = connection.execute(
                select(exists(self._lock_rows().where(_pg_locks.c.granted.is_(True))))
            ).scalar_one()
        return held

    def _lock_rows(self) -> Select[tuple[int]]:
        this_database = (
            select(_pg_database.c.oid)
            .where(_pg_database.c.datname == func.current_database())
            .scalar_subquery()
        )
        return select(_pg_locks.c.pid).where(
            _pg_locks.c.locktype == "advisory",
            _pg_locks.c.database == this_database,
            _pg_locks.c.classid == cast(0, OID),
            _pg_locks.c.objid == cast(cast(self._key, BigInteger), OID),
            _pg_locks.c.objsubid == 1,
        )


class FileLease:
    """An exclusive lock on a file beside the SQLite database; the OS frees it if we die.

    A process cannot lose an ``flock`` it holds without letting go of it, so
    :meth:`still_held` is simply whether this object holds it.
    """

    def __init__(self, path: Path) -> None:
        self._path = path
        self._file: IO[bytes] | None = None

    def acquire(self) -> bool:
        if self._file is not None:
            return True
        self._path.parent.mkdir(parents=True, exist_ok=True)
        file = self._path.open("ab")
        try:
            fcntl.flock(file.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            file.close()
            return False
        self._file = file
        return True

    def release(self) -> None:
        file, self._file = self._file, None
        if file is not None:
            fcntl.flock(file.fileno(), fcntl.LOCK_UN)
            file.close()

    def still_held(self) -> ColumnElement[bool]:
        return true() if self._file is not None else false()

    def is_held(self) -> bool:
        if self._file is not None:
            return True
        if not self._path.exists():
            return False
        # A lock on a second open file conflicts with every holder, this process's included.
        with self._path.open("ab") as probe:
            try:
                fcntl.flock(probe.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                return True
            fcntl.flock(probe.fileno(), fcntl.LOCK_UN)
            return False


def lease_for(datastore: SQLAlchemyDatastore, relay_name: str) -> RelayLease:
    engine = engine_of(datastore)
    if engine.dialect.name == "postgresql":
        return PostgresAdvisoryLease(datastore, relay_name)
    database = make_url(str(engine.url)).database or "shop.sqlite3"
    return FileLease(Path(f"{database}.relay-{relay_name}.lock"))
