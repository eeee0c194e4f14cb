"""The ``shop`` console script: the operations entry point."""

from __future__ import annotations

import argparse
import logging
import signal
import sys
import threading
from collections.abc import Sequence
from typing import Any

from shared.settings import Settings
from shared.web.auth import Role
from shop.workshop.cli import add_workshop_commands


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    arguments = parser.parse_args(argv)
    settings = Settings()
    logging.basicConfig(
        level=settings.log_level.upper(),
        format="%(asctime)s %(levelname)s %(name)s %(message)s",
    )
    result: int = arguments.run(settings, arguments)
    return result


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

    add_workshop_commands(commands)
    return parser


def _serve(settings: Settings, arguments: argparse.Namespace) -> int:
    import uvicorn

    from shop import migrate
    from shop.app import create_app
    from shop.bootstrap import bootstrap

    if "public_base_url" not in settings.model_fields_set:
        # The sandbox provider posts its webhooks to this very server.
        host = "127.0.0.1" if arguments.host in ("0.0.0.0", "::") else arguments.host  # noqa: S104
        settings = settings.model_copy(
            update={"public_base_url": f"http://{host}:{arguments.port}"}
        )
    if settings.is_dev:
        # A laptop starts from nothing; production migrates once, before any web process.
        migrate.upgrade(settings.database_url)
    shop = bootstrap(settings)
    if settings.is_dev:
        shop.seed()
    options: dict[str, Any] = {
        "host": arguments.host,
        "port": arguments.port,
        "log_level": settings.log_level.lower(),
        "access_log": False,
    }
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


def _worker(settings: Settings, _: argparse.Namespace) -> int:
    from shop.bootstrap import bootstrap

    shop = bootstrap(settings)
    stopping = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stopping.set())
    shop.start_background_workers()
    logging.getLogger(__name__).info("worker running; Ctrl-C to stop")
    stopping.wait()
    shop.close()
    return 0


def _db_upgrade(settings: Settings, arguments: argparse.Namespace) -> int:
    from shop import migrate

    migrate.upgrade(settings.database_url, arguments.revision)
    return 0


def _seed(settings: Settings, _: argparse.Namespace) -> int:
    from shop.bootstrap import bootstrap

    shop = bootstrap(settings)
    try:
        shop.seed()
    finally:
        shop.close()
    return 0


def _token(settings: Settings, arguments: argparse.Namespace) -> int:
    from shop.bootstrap import bootstrap

    shop = bootstrap(settings)
    try:
        role = Role.ADMIN if arguments.admin else Role.CUSTOMER
        print(shop.tokens.mint(arguments.customer, role))
    except ValueError as error:
        print(f"shop token: {error}", file=sys.stderr)
        return 2
    finally:
        shop.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
