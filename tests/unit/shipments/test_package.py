"""The package, specified as given events / when command / then events."""

from __future__ import annotations

from uuid import UUID

import pytest
from eventsourcing.domain import Aggregate

from modules.shipments.domain.package import (
    InvalidOutOfStockReport,
    InvalidPackageItems,
    Package,
    PackageAlreadyDecided,
    PackageItem,
    PackageStatus,
)

ORDER_ID = UUID("5a1f4c1e-0000-4000-8000-000000000001")
BEANS = PackageItem("espresso-beans-1kg", 2)
MUG = PackageItem("ceramic-mug", 1)


def requested(*items: PackageItem) -> list[Aggregate.Event]:
    """The history of a package just requested for alice's order."""
    return list(Package.request(ORDER_ID, "alice", items).collect_events())


def given(events: list[Aggregate.Event]) -> Package:
    package: Package | None = None
    for recorded in events:
        package = recorded.mutate(package)
    assert package is not None
    return package


class TestRequestingAPackage:
    def test_when_requested_then_the_order_and_its_products_are_recorded(self) -> None:
        package = Package.request(ORDER_ID, "alice", [BEANS, MUG])

        [requested] = package.collect_events()
        assert isinstance(requested, Package.Requested)
        assert requested.originator_id == package.id
        assert requested.originator_version == 1
        assert requested.order_id == ORDER_ID
        assert requested.customer_id == "alice"
        assert requested.items == [
            {"product_id": "espresso-beans-1kg", "quantity": 2},
            {"product_id": "ceramic-mug", "quantity": 1},
        ]

    def test_given_the_requested_event_then_the_package_holds_its_products(self) -> None:
        package = given(requested(BEANS, MUG))

        assert package.status is PackageStatus.REQUESTED
        assert package.order_id == ORDER_ID
        assert package.customer_id == "alice"
        assert package.items == (BEANS, MUG)
        assert package.missing_product_ids == ()
        assert package.version == 1

    def test_the_same_product_on_two_lines_adds_up(self) -> None:
        package = given(requested(MUG, BEANS, PackageItem("ceramic-mug", 3)))

        assert package.quantities == {"ceramic-mug": 4, "espresso-beans-1kg": 2}

    def test_a_package_without_products_is_refused(self) -> None:
        with pytest.raises(InvalidPackageItems, match="at least one product"):
            Package.request(ORDER_ID, "alice", [])

    @pytest.mark.parametrize("quantity", [0, -1])
    def test_a_product_without_a_positive_quantity_is_refused(self, quantity: int) -> None:
        with pytest.raises(InvalidPackageItems, match="quantity of at least 1"):
            Package.request(ORDER_ID, "alice", [BEANS, PackageItem("ceramic-mug", quantity)])


class TestSendingAPackage:
    def test_when_sent_then_every_product_leaves_the_warehouse(self) -> None:
        package = given(requested(BEANS, MUG))

        package.send()

        [sent] = package.collect_events()
        assert isinstance(sent, Package.Sent)
        assert sent.originator_id == package.id
        assert sent.originator_version == 2
        assert sent.order_id == ORDER_ID
        assert sent.customer_id == "alice"
        assert sent.items == [
            {"product_id": "espresso-beans-1kg", "quantity": 2},
            {"product_id": "ceramic-mug", "quantity": 1},
        ]

    def test_given_the_sent_event_then_the_package_is_sent(self) -> None:
        history = requested(BEANS)
        package = given(history)
        package.send()

        package = given([*history, *package.collect_events()])

        assert package.status is PackageStatus.SENT
        assert package.items == (BEANS,)
        assert package.version == 2

    def test_a_package_with_products_out_of_stock_cannot_be_sent(self) -> None:
        package = given(requested(BEANS, MUG))
        package.report_out_of_stock(["ceramic-mug"])
        package.collect_events()

        with pytest.raises(PackageAlreadyDecided, match="out of stock"):
            package.send()
        assert package.collect_events() == []
        assert package.status is PackageStatus.OUT_OF_STOCK


class TestReportingProductsOutOfStock:
    def test_when_products_are_missing_then_they_are_recorded(self) -> None:
        package = given(requested(BEANS, MUG, PackageItem("gooseneck-kettle", 1)))

        package.report_out_of_stock(["gooseneck-kettle", "ceramic-mug"])

        [missing] = package.collect_events()
        assert isinstance(missing, Package.ProductsOutOfStock)
        assert missing.originator_id == package.id
        assert missing.originator_version == 2
        assert missing.order_id == ORDER_ID
        assert missing.customer_id == "alice"
        assert missing.product_ids == ["gooseneck-kettle", "ceramic-mug"]

    def test_given_the_out_of_stock_event_then_the_missing_products_are_known(self) -> None:
        history = requested(BEANS, MUG)
        package = given(history)
        package.report_out_of_stock(["ceramic-mug"])

        package = given([*history, *package.collect_events()])

        assert package.status is PackageStatus.OUT_OF_STOCK
        assert package.missing_product_ids == ("ceramic-mug",)
        assert package.version == 2

    def test_a_report_naming_no_product_is_refused(self) -> None:
        package = given(requested(BEANS))

        with pytest.raises(InvalidOutOfStockReport, match="at least one product"):
            package.report_out_of_stock([])
        assert package.collect_events() == []

    def test_a_product_that_is_not_in_the_package_cannot_be_missing_from_it(self) -> None:
        package = given(requested(BEANS))

        with pytest.raises(InvalidOutOfStockReport, match="french-press"):
            package.report_out_of_stock(["espresso-beans-1kg", "french-press"])
        assert package.collect_events() == []

    def test_the_products_of_a_sent_package_cannot_be_out_of_stock(self) -> None:
        package = given(requested(BEANS))
        package.send()
        package.collect_events()

        with pytest.raises(PackageAlreadyDecided, match="was sent"):
            package.report_out_of_stock(["espresso-beans-1kg"])
        assert package.collect_events() == []
        assert package.status is PackageStatus.SENT
