"""The package, specified as given events / when command / then events."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import pytest

from modules.shipments.domain.package import (
    InvalidOutOfStockReport,
    InvalidPackageItems,
    Package,
    PackageAlreadyDecided,
    PackageItem,
    PackageStatus,
)
from tests.specification import Fact, given_aggregate

PACKAGE_ID = UUID("5a1f4c1e-0000-4000-8000-0000000000b1")
ORDER_ID = UUID("5a1f4c1e-0000-4000-8000-000000000001")
BEANS = PackageItem("espresso-beans-1kg", 2)
MUG = PackageItem("ceramic-mug", 1)
KETTLE = PackageItem("gooseneck-kettle", 1)


# --- the vocabulary of the specifications ---------------------------------------------------


def lines(*items: PackageItem) -> list[dict[str, Any]]:
    return [{"product_id": item.product_id, "quantity": item.quantity} for item in items]


def requested(*items: PackageItem) -> Fact:
    return Fact(
        Package.Requested, {"order_id": ORDER_ID, "customer_id": "alice", "items": lines(*items)}
    )


def sent(*items: PackageItem) -> Fact:
    return Fact(
        Package.Sent, {"order_id": ORDER_ID, "customer_id": "alice", "items": lines(*items)}
    )


def out_of_stock(*product_ids: str) -> Fact:
    return Fact(
        Package.ProductsOutOfStock,
        {"order_id": ORDER_ID, "customer_id": "alice", "product_ids": list(product_ids)},
    )


def state_of(package: Package) -> tuple[object, ...]:
    return package.version, package.status, package.items, package.missing_product_ids


given = given_aggregate(Package, PACKAGE_ID, state_of)


class TestRequestingAPackage:
    def test_when_requested_then_the_order_and_its_products_are_recorded(self) -> None:
        (
            given()
            .when(lambda: Package.request(ORDER_ID, "alice", [BEANS, MUG]))
            .then(requested(BEANS, MUG))
        )

    def test_given_the_requested_event_then_the_package_holds_its_products(self) -> None:
        package = given(requested(BEANS, MUG)).aggregate

        assert package.status is PackageStatus.REQUESTED
        assert package.order_id == ORDER_ID
        assert package.customer_id == "alice"
        assert package.items == (BEANS, MUG)
        assert package.missing_product_ids == ()
        assert package.version == 1

    def test_the_same_product_on_two_lines_adds_up(self) -> None:
        package = given(requested(MUG, BEANS, PackageItem("ceramic-mug", 3))).aggregate

        assert package.quantities == {"ceramic-mug": 4, "espresso-beans-1kg": 2}

    def test_a_package_without_products_is_refused(self) -> None:
        (
            given()
            .when(lambda: Package.request(ORDER_ID, "alice", []))
            .then_refused(InvalidPackageItems, "at least one product")
        )

    @pytest.mark.parametrize("quantity", [0, -1])
    def test_a_product_without_a_positive_quantity_is_refused(self, quantity: int) -> None:
        items = [BEANS, PackageItem("ceramic-mug", quantity)]

        (
            given()
            .when(lambda: Package.request(ORDER_ID, "alice", items))
            .then_refused(InvalidPackageItems, "quantity of at least 1")
        )


class TestSendingAPackage:
    def test_when_sent_then_every_product_leaves_the_warehouse(self) -> None:
        (given(requested(BEANS, MUG)).when(lambda package: package.send()).then(sent(BEANS, MUG)))

    def test_given_the_sent_event_then_the_package_is_sent(self) -> None:
        package = given(requested(BEANS), sent(BEANS)).aggregate

        assert package.status is PackageStatus.SENT
        assert package.items == (BEANS,)
        assert package.version == 2

    def test_a_package_with_products_out_of_stock_cannot_be_sent(self) -> None:
        (
            given(requested(BEANS, MUG), out_of_stock("ceramic-mug"))
            .when(lambda package: package.send())
            .then_refused(PackageAlreadyDecided, "out of stock")
        )


class TestReportingProductsOutOfStock:
    def test_when_products_are_missing_then_they_are_recorded(self) -> None:
        (
            given(requested(BEANS, MUG, KETTLE))
            .when(lambda package: package.report_out_of_stock(["gooseneck-kettle", "ceramic-mug"]))
            .then(out_of_stock("gooseneck-kettle", "ceramic-mug"))
        )

    def test_given_the_out_of_stock_event_then_the_missing_products_are_known(self) -> None:
        package = given(requested(BEANS, MUG), out_of_stock("ceramic-mug")).aggregate

        assert package.status is PackageStatus.OUT_OF_STOCK
        assert package.missing_product_ids == ("ceramic-mug",)
        assert package.version == 2

    def test_a_report_naming_no_product_is_refused(self) -> None:
        (
            given(requested(BEANS))
            .when(lambda package: package.report_out_of_stock([]))
            .then_refused(InvalidOutOfStockReport, "at least one product")
        )

    def test_a_product_that_is_not_in_the_package_cannot_be_missing_from_it(self) -> None:
        (
            given(requested(BEANS))
            .when(
                lambda package: package.report_out_of_stock(["espresso-beans-1kg", "french-press"])
            )
            .then_refused(InvalidOutOfStockReport, "french-press")
        )

    def test_the_products_of_a_sent_package_cannot_be_out_of_stock(self) -> None:
        (
            given(requested(BEANS), sent(BEANS))
            .when(lambda package: package.report_out_of_stock(["espresso-beans-1kg"]))
            .then_refused(PackageAlreadyDecided, "was sent")
        )
