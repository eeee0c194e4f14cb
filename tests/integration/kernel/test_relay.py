"""The relay delivers every committed message, in outbox order, at least once."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import event

from shared.database import create_datastore, engine_of
from shared.messaging import MessageHandler
from shared.outbox import IntegrationMessage
from shared.relay import DeliveryFailed, OutboxRelay
from shop.bootstrap import Shop
from tests.integration.kernel.support import (
    NOTICE_POSTED,
    NOTICE_WITHDRAWN,
    Received,
    await_backlog,
    deliver_until,
    notices,
    post_notice,
)


class PowerCut(Exception):
    """The process dies here."""


class BoardUnavailable(Exception):
    pass


def test_every_subscriber_gets_every_message_in_outbox_order(shop: Shop) -> None:
    log: list[tuple[str, int]] = []

    def subscriber(name: str) -> MessageHandler:
        return lambda message: log.append((name, message.payload["number"]))

    shop.subscriptions.subscribe(NOTICE_POSTED, subscriber("board"), name="board.on_posted")
    shop.subscriptions.subscribe(NOTICE_POSTED, subscriber("archive"), name="archive.on_posted")
    shop.subscriptions.subscribe(NOTICE_WITHDRAWN, subscriber("board"), name="board.on_withdrawn")
    with notices(shop).unit_of_work() as uow:
        uow.publish(NOTICE_POSTED, {"number": 1})
        uow.publish(NOTICE_WITHDRAWN, {"number": 2})
    post_notice(shop, 3)
    await_backlog(shop.relay, 3)

    assert shop.relay.deliver_pending() == 3

    assert log == [("board", 1), ("archive", 1), ("board", 2), ("board", 3), ("archive", 3)]
    assert shop.relay.deliver_pending() == 0


def test_a_message_whose_handler_fails_is_delivered_again(
    shop: Shop,
) -> None:
    received = Received()
    attempts: list[int] = []

    def fails_once(message: IntegrationMessage) -> None:
        attempts.append(message.payload["number"])
        if len(attempts) == 1:
            raise BoardUnavailable
        received(message)

    shop.subscriptions.subscribe(NOTICE_POSTED, fails_once, name="board.on_posted")
    with notices(shop).unit_of_work() as uow:
        first = uow.publish(NOTICE_POSTED, {"number": 1})
        uow.publish(NOTICE_POSTED, {"number": 2})
    await_backlog(shop.relay, 2)

    with pytest.raises(DeliveryFailed) as failure:
        shop.relay.deliver_pending()

    assert failure.value.message.message_id == first
    assert failure.value.subscription.name == "board.on_posted"
    assert isinstance(failure.value.__cause__, BoardUnavailable)

    shop.relay.deliver_pending()

    assert attempts.count(1) == 2
    assert received.payloads("number") == [1, 2]
    assert shop.relay.backlog() == 0


def test_a_crash_between_handling_and_checkpoint_delivers_again_after_restart(
    shop: Shop,
) -> None:
    received = Received()
    shop.subscriptions.subscribe(NOTICE_POSTED, received, name="board.on_posted")
    message_id = post_notice(shop, 1)
    await_backlog(shop.relay, 1)

    def power_cut_on_checkpoint(connection: Any, cursor: Any, statement: str, *_: Any) -> None:
        if "outbox_relay_checkpoints" in statement and not statement.startswith("SELECT"):
            raise PowerCut

    event.listen(engine_of(shop.datastore), "before_cursor_execute", power_cut_on_checkpoint)
    with pytest.raises(PowerCut):
        shop.relay.deliver_pending()
    assert received.message_ids == [message_id]

    # A new process: its own connections, the same database.
    datastore = create_datastore(shop.settings.database_url)
    restarted = OutboxRelay(datastore, shop.subscriptions)
    try:
        assert restarted.deliver_pending() == 1
        assert restarted.deliver_pending() == 0
    finally:
        engine_of(datastore).dispose()

    assert received.message_ids == [message_id, message_id]


def test_a_rolled_back_message_is_never_delivered(shop: Shop) -> None:
    received = Received()
    shop.subscriptions.subscribe(NOTICE_POSTED, received, name="board.on_posted")

    def publish_then_fail() -> None:
        with notices(shop).unit_of_work() as uow:
            uow.publish(NOTICE_POSTED, {"number": 1})
            raise PowerCut

    with pytest.raises(PowerCut):
        publish_then_fail()
    post_notice(shop, 2)
    await_backlog(shop.relay, 1)

    assert shop.relay.deliver_pending() == 1

    assert received.payloads("number") == [2]


def test_messages_committed_while_delivering_are_delivered_too(shop: Shop) -> None:
    received = Received()

    def withdraw(message: IntegrationMessage) -> None:
        received(message)
        with notices(shop).unit_of_work() as uow:
            uow.publish(NOTICE_WITHDRAWN, {"number": message.payload["number"]})

    shop.subscriptions.subscribe(NOTICE_POSTED, withdraw, name="board.on_posted")
    shop.subscriptions.subscribe(NOTICE_WITHDRAWN, received, name="board.on_withdrawn")
    post_notice(shop, 1)
    post_notice(shop, 2)
    await_backlog(shop.relay, 2)

    deliver_until(shop.relay, lambda: len(received.messages) == 4)

    assert [(m.message_type, m.payload["number"]) for m in received.messages] == [
        (NOTICE_POSTED, 1),
        (NOTICE_POSTED, 2),
        (NOTICE_WITHDRAWN, 1),
        (NOTICE_WITHDRAWN, 2),
    ]
    assert shop.relay.deliver_pending() == 0
