"""Routing tables: who receives which message, and the checks made while the shop is built."""

from __future__ import annotations

from typing import Any, ClassVar
from uuid import UUID, uuid4

import pytest

from shared.messaging import Command, IntegrationEvent, RoutingError, Subscriptions
from tests.specification import delivered


class PostNotice(Command):
    message_type: ClassVar[str] = "board.PostNotice"

    notice_id: UUID
    text: str


class NoticePosted(IntegrationEvent):
    message_type: ClassVar[str] = "board.Notice.Posted"

    notice_id: UUID


class Received:
    """A module's handlers and context, recording what they were given."""

    def __init__(self) -> None:
        self.messages: list[tuple[str, Any, object]] = []

    def post_notice(self, command: PostNotice, context: object) -> None:
        self.messages.append(("post_notice", command, context))

    def archive_notice(self, event: NoticePosted, context: object) -> None:
        self.messages.append(("archive_notice", event, context))


def test_a_handler_receives_the_message_parsed_with_its_contract_and_its_module_context() -> None:
    received, context = Received(), object()
    subscriptions = Subscriptions()
    subscriptions.route("board", {PostNotice: received.post_notice}, context)
    command = PostNotice(notice_id=uuid4(), text="closed on Monday")

    [subscription] = subscriptions.for_type("board.PostNotice")
    subscription.handler(delivered(command))

    assert subscription.name == "board.post_notice"
    assert received.messages == [("post_notice", command, context)]


def test_an_event_reaches_every_module_that_subscribes() -> None:
    board, archive = Received(), Received()
    subscriptions = Subscriptions()
    subscriptions.route("board", {NoticePosted: board.archive_notice}, "board context")
    subscriptions.route("archive", {NoticePosted: archive.archive_notice}, "archive context")
    event = NoticePosted(notice_id=uuid4())

    for subscription in subscriptions.for_type(NoticePosted.message_type):
        subscription.handler(delivered(event, extra={"originator_version": 1}))

    assert [name for name, *_ in board.messages + archive.messages] == ["archive_notice"] * 2
    assert [context for *_, context in board.messages + archive.messages] == [
        "board context",
        "archive context",
    ]


def test_a_command_has_one_handler_only() -> None:
    subscriptions = Subscriptions()
    subscriptions.route("board", {PostNotice: Received().post_notice}, None)

    with pytest.raises(RoutingError, match=r"second handler of board\.PostNotice"):
        subscriptions.route("board", {PostNotice: Received().archive_notice}, None)


def test_a_command_is_handled_by_the_module_that_owns_its_schema() -> None:
    with pytest.raises(RoutingError, match="a command of the board module"):
        Subscriptions().route("archive", {PostNotice: Received().post_notice}, None)


def test_a_command_cannot_be_subscribed_to_as_an_event() -> None:
    subscriptions = Subscriptions()
    subscriptions.route("board", {PostNotice: Received().post_notice}, None)

    with pytest.raises(RoutingError, match="which is a command"):
        subscriptions.subscribe("board.PostNotice", lambda _: None, name="spy.on_post")


def test_a_command_sent_but_handled_by_no_module_stops_the_build() -> None:
    subscriptions = Subscriptions()
    subscriptions.route("archive", {NoticePosted: Received().archive_notice}, None)

    with pytest.raises(RoutingError, match=r"handled by no module: board\.PostNotice"):
        subscriptions.check_handled([PostNotice])


def test_every_command_sent_with_its_handler_passes_the_check() -> None:
    subscriptions = Subscriptions()
    subscriptions.route("board", {PostNotice: Received().post_notice}, None)

    subscriptions.check_handled([PostNotice])
