"""The ``shop`` console script: the operations entry point.

Every command logs to stderr in one format, the web server's own lines included;
only results go to stdout: ``shop token``'s token, for a script to capture,
``shop outbox``'s report, and the tables and JSON of ``shop scenarios`` and
``shop workshop``. A command that cannot do its job for a reason outside the code
(invalid settings, a database it cannot reach, a schema not migrated yet) logs one
line saying so and exits non-zero. Only a bug ends in a traceback.
"""

from __future__ import annotations

import argparse
import logging
import logging.config
import signal
import sys
import threading
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

# Nothing but the standard library at the top: with `serve --workers N`, every web
# process imports the console script, and so this module, before it answers
# uvicorn's first health check.
if TYPE_CHECKING:
    from shared.module import Seeded
    from shared.settings import Settings
    from shop.migrate import UpgradeReport

LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s %(message)s"
EXIT_FAILED = 1
EXIT_USAGE = 2  # argparse's status for a command line it refuses; settings alike
EXIT_INTERRUPTED = 130  # the shell's status for a command stopped by Ctrl-C

logger = logging.getLogger(__name__)


def main(argv: Sequence[str] | None = None) -> int:
    """Runs one command; returns its exit status (0 when it did its job)."""
    arguments = _parser().parse_args(argv)
    from shared.settings import Settings, SettingsError

    # Until the settings are read, their log level is not known.
    configure_logging("INFO")
    try:
        settings = Settings()
    except SettingsError as error:
        logger.error("%s", error)
        return EXIT_USAGE
    configure_logging(settings.log_level)
    try:
        result: int = arguments.run(settings, arguments)
    except KeyboardInterrupt:
        return EXIT_INTERRUPTED
    except Exception as error:
        message = _failure_outside_the_code(error, settings)
        if message is None:
            raise  # a bug: its traceback is what a bug report needs
        logger.error("%s", message)
        logger.debug("the error in full", exc_info=error)
        return EXIT_FAILED
    return result


def configure_logging(level: str) -> None:
    logging.config.dictConfig(logging_config(level))


def logging_config(level: str) -> dict[str, Any]:
    """A ``logging.config.dictConfig`` for the CLI and for uvicorn (in each web process).

    Uvicorn's loggers keep no handler of their own and propagate to the root's,
    so that its lines read like the shop's.
    """
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"shop": {"format": LOG_FORMAT}},
        "handlers": {
            "stderr": {
                "class": "logging.StreamHandler",
                "formatter": "shop",
                "stream": "ext://sys.stderr",
            }
        },
        "root": {"level": level, "handlers": ["stderr"]},
        "loggers": {
            **{
                # NOTSET: their level is the root's, whoever set another one before.
                name: {"handlers": [], "propagate": True, "level": "NOTSET"}
                for name in ("uvicorn", "uvicorn.error", "uvicorn.access")
            },
            # At INFO, Alembic announces its plugins and its DDL mode at every start;
            # `shop db upgrade` says what it did instead. Its warnings still show.
            "alembic": {"level": level if level == "DEBUG" else "WARNING"},
        },
    }


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="shop", description="Event-sourced shop operations.")
    commands = parser.add_subparsers(required=True, metavar="COMMAND")

    serve = commands.add_parser("serve", help="migrate, seed and serve the API with a relay thread")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--workers", type=int, default=1, help="web worker processes")
    serve.add_argument("--no-relay", action="store_true", help="serve only; run `shop worker`")
    serve.set_defaults(run=_serve)

    worker = commands.add_parser("worker", help="run the outbox relay only (production)")
    worker.set_defaults(run=_worker)

    from shop.outbox_cli import add_outbox_command

    add_outbox_command(commands)

    db = commands.add_parser("db", help="database schema").add_subparsers(required=True)
    upgrade = db.add_parser("upgrade", help="apply the migrations")
    upgrade.add_argument("revision", nargs="?", default="head")
    upgrade.set_defaults(run=_db_upgrade)

    seed = commands.add_parser("seed", help="add the demo catalogue and stock if missing")
    seed.set_defaults(run=_seed)

    token = commands.add_parser("token", help="mint a bearer token")
    token.add_argument("--customer", required=True, help="customer id (the token's subject)")
    token.add_argument("--admin", action="store_true", help="grant the admin role")
    token.set_defaults(run=_token)

    from shop.workshop.cli import add_workshop_commands  # the standard library only

    add_workshop_commands(commands)

    from shop.console.cli import add_console_commands

    add_console_commands(commands)

    from shop.projections_cli import add_projections_commands

    add_projections_commands(commands)
    return parser


def _serve(settings: Settings, arguments: argparse.Namespace) -> int:
    import uvicorn

    from shop import migrate
    from shop.app import create_app
    from shop.bootstrap import bootstrap

    address = _address(arguments.host, arguments.port)
    if "public_base_url" not in settings.model_fields_set:
        # The sandbox provider posts its webhooks to this very server.
        settings = settings.model_copy(update={"public_base_url": address})
    if settings.is_dev:
        # A laptop starts from nothing; production migrates once, before any web process.
        _log_upgrade(migrate.upgrade(settings.database_url))
    else:
        migrate.require_current_schema(settings.database_url)
    shop = bootstrap(settings)
    if settings.is_dev:
        _log_seeded(shop.seed())
    options: dict[str, Any] = {
        "host": arguments.host,
        "port": arguments.port,
        "log_config": logging_config(settings.log_level),
        # The shop logs each request itself (shared.web.logging), with its duration.
        "access_log": False,
    }
    logger.info("starting the shop at %s (API docs at %s/docs)", address, address)
    run_background_workers = not arguments.no_relay
    if arguments.workers == 1:
        # One process: commits wake the relay in-process, with no polling delay.
        uvicorn.run(create_app(shop, run_background_workers=run_background_workers), **options)
        return 0
    # Several web processes, each built by the factory; the background workers run once, here.
    if run_background_workers:
        shop.start_background_workers()
    try:
        uvicorn.run("shop.asgi:app", factory=True, workers=arguments.workers, **options)
    finally:
        shop.close()
    return 0


def _address(host: str, port: int) -> str:
    """The URL a browser on this machine opens for a server bound to ``host``."""
    if host in ("0.0.0.0", "::", ""):  # noqa: S104 (every interface includes the loopback)
        host = "127.0.0.1"
    elif ":" in host:
        host = f"[{host}]"
    return f"http://{host}:{port}"


def _worker(settings: Settings, _: argparse.Namespace) -> int:
    from shop import migrate
    from shop.bootstrap import bootstrap

    migrate.require_current_schema(settings.database_url)
    shop = bootstrap(settings)
    stopping = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stopping.set())
    shop.start_background_workers()
    logger.info("worker running; Ctrl-C to stop")
    stopping.wait()
    shop.close()
    return 0


def _db_upgrade(settings: Settings, arguments: argparse.Namespace) -> int:
    from shop import migrate

    _log_upgrade(migrate.upgrade(settings.database_url, arguments.revision))
    return 0


def _log_upgrade(report: UpgradeReport) -> None:
    if report.applied:
        count = len(report.applied)
        logger.info(
            "database at revision %s (applied %d migration%s: %s)",
            report.revision,
            count,
            "" if count == 1 else "s",
            ", ".join(f"{step.revision} {step.description}" for step in report.applied),
        )
    else:
        logger.info("database at revision %s (already up to date)", report.revision)


def _seed(settings: Settings, _: argparse.Namespace) -> int:
    from shop import migrate
    from shop.bootstrap import bootstrap

    migrate.require_current_schema(settings.database_url)
    shop = bootstrap(settings)
    try:
        _log_seeded(shop.seed())
    finally:
        shop.close()
    return 0


def _log_seeded(seeded: Sequence[Seeded]) -> None:
    logger.info("seeded: %s", "; ".join(str(part) for part in seeded) or "nothing to seed")


def _token(settings: Settings, arguments: argparse.Namespace) -> int:
    from shared.web.auth import Role
    from shop.bootstrap import bootstrap

    shop = bootstrap(settings)
    try:
        role = Role.ADMIN if arguments.admin else Role.CUSTOMER
        print(shop.tokens.mint(arguments.customer, role))
    except ValueError as error:
        logger.error("shop token: %s", error)
        return EXIT_USAGE
    finally:
        shop.close()
    return 0


def _failure_outside_the_code(error: Exception, settings: Settings) -> str | None:
    """One line for an error the operator can fix, or None for a bug."""
    import eventsourcing.persistence
    import sqlalchemy.exc
    from alembic.util import CommandError
    from sqlalchemy.engine import make_url

    from shop.migrate import SchemaNotReady

    if isinstance(error, SchemaNotReady):
        return str(error)
    if isinstance(error, CommandError):
        # Alembic's answer to an unknown revision, already one sentence.
        return f"migrations: {error}"
    # What a database that is down, unreachable, locked or out of connections raises,
    # before and after eventsourcing wraps SQLAlchemy's errors in its own.
    if isinstance(
        error,
        sqlalchemy.exc.OperationalError
        | sqlalchemy.exc.InterfaceError
        | eventsourcing.persistence.OperationalError
        | eventsourcing.persistence.InterfaceError,
    ):
        url = make_url(settings.database_url).render_as_string(hide_password=True)
        return f"database {url}: {_driver_message(error)}"
    if isinstance(error, OSError):
        # A SQLite file's folder that cannot be made, a file that cannot be opened.
        return str(error)
    return None


def _driver_message(error: BaseException) -> str:
    """The first line of the innermost cause: the driver's own words, without SQLAlchemy's."""
    while error.__cause__ is not None:
        error = error.__cause__
    lines = str(error).strip().splitlines()
    return lines[0] if lines else type(error).__name__


if __name__ == "__main__":
    sys.exit(main())
