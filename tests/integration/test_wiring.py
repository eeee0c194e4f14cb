"""The shop as the composition root builds it: every command has its one handler."""

from __future__ import annotations

import dataclasses

import pytest

from modules.payments.contracts import RequestPayment
from shared.messaging import RoutingError
from shared.settings import Settings
from shop import bootstrap as bootstrap_module
from shop.bootstrap import Shop, bootstrap
from shop.modules import MODULES


def test_each_command_the_checkout_sends_has_exactly_one_handler(shop: Shop) -> None:
    sent = {command for module in MODULES for command in module.sends}

    assert {command.message_type for command in sent} == {
        "payments.RequestPayment",
        "payments.DiscardPayment",
        "shipments.ShipOrder",
    }
    for command in sent:
        [handler] = shop.subscriptions.for_type(command.message_type)
        assert handler.name.split(".", 1)[0] == command.message_type.split(".", 1)[0]


def test_the_shop_is_not_built_when_a_sent_command_lost_its_handler(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    without_request_payment = tuple(
        dataclasses.replace(
            module,
            routes={kind: h for kind, h in module.routes.items() if kind is not RequestPayment},
        )
        for module in MODULES
    )
    monkeypatch.setattr(bootstrap_module, "MODULES", without_request_payment)

    with pytest.raises(RoutingError, match=r"handled by no module: payments\.RequestPayment"):
        bootstrap(settings)


def test_the_shop_is_not_built_when_two_modules_handle_the_same_command(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    payments = next(module for module in MODULES if module.name == "payments")
    twice = (*MODULES, dataclasses.replace(payments, route_handlers=()))
    monkeypatch.setattr(bootstrap_module, "MODULES", twice)

    with pytest.raises(RoutingError, match="second handler of payments"):
        bootstrap(settings)
