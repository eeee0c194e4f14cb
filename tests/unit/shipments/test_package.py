"""The package, specified as given events / when command / then events."""

from __future__ import annotations

from uuid import UUID, uuid4

import pytest

from modules.shipments.domain.package import Package, PackageItem, PackageStatus
from shared.errors import InvalidRequest

ORDER_ID = UUID("5a1f4c1e-0000-4000-8000-000000000001")
BEANS = PackageItem("espresso-beans-1kg", 2)
MUG = PackageItem("ceramic-mug", 1)


def replayed(*events: Package.Sent | Package.ProductsOutOfStock) -> Package:
    package: Package | None = None
    for recorded in events:
        package = recorded.mutate(package)
    assert package is not None
    return package


class TestSendingAPackage:
    def test_when_every_product_is_in_stock_then_the_package_is_sent(self) -> None:
        package = Package.send(ORDER_ID, "alice", [BEANS, MUG])

        [sent] = package.collect_events()
        assert isinstance(sent, Package.Sent)
        assert sent.originator_id == package.id
        assert sent.originator_version == 1
        assert sent.order_id == ORDER_ID
        assert sent.customer_id == "alice"
        assert sent.items == [
            {"product_id": "espresso-beans-1kg", "quantity": 2},
            {"product_id": "ceramic-mug", "quantity": 1},
        ]

    def test_each_package_gets_its_own_id(self) -> None:
        first = Package.send(ORDER_ID, "alice", [BEANS])
        second = Package.send(ORDER_ID, "alice", [BEANS])

        assert first.id != second.id

    def test_given_the_sent_event_then_the_package_holds_its_items(self) -> None:
        [sent] = Package.send(ORDER_ID, "alice", [BEANS, MUG]).collect_events()
        assert isinstance(sent, Package.Sent)

        package = replayed(sent)

        assert package.status is PackageStatus.SENT
        assert package.order_id == ORDER_ID
        assert package.customer_id == "alice"
        assert package.items == (BEANS, MUG)
        assert package.missing_product_ids == ()
        assert package.version == 1

    def test_a_package_without_products_is_refused(self) -> None:
        with pytest.raises(InvalidRequest, match="at least one product"):
            Package.send(ORDER_ID, "alice", [])

    @pytest.mark.parametrize("quantity", [0, -1])
    def test_a_product_without_a_positive_quantity_is_refused(self, quantity: int) -> None:
        with pytest.raises(InvalidRequest, match="quantity of at least 1"):
            Package.send(ORDER_ID, "alice", [BEANS, PackageItem("ceramic-mug", quantity)])


class TestReportingProductsOutOfStock:
    def test_when_products_are_missing_then_they_are_recorded(self) -> None:
        package = Package.report_out_of_stock(
            ORDER_ID, "alice", ["gooseneck-kettle", "ceramic-mug"]
        )

        [missing] = package.collect_events()
        assert isinstance(missing, Package.ProductsOutOfStock)
        assert missing.originator_id == package.id
        assert missing.order_id == ORDER_ID
        assert missing.customer_id == "alice"
        assert missing.product_ids == ["gooseneck-kettle", "ceramic-mug"]

    def test_given_the_out_of_stock_event_then_nothing_is_in_the_package(self) -> None:
        [missing] = Package.report_out_of_stock(
            ORDER_ID, "alice", ["gooseneck-kettle"]
        ).collect_events()
        assert isinstance(missing, Package.ProductsOutOfStock)

        package = replayed(missing)

        assert package.status is PackageStatus.OUT_OF_STOCK
        assert package.order_id == ORDER_ID
        assert package.items == ()
        assert package.missing_product_ids == ("gooseneck-kettle",)

    def test_a_report_naming_no_product_is_refused(self) -> None:
        with pytest.raises(InvalidRequest, match="at least one product"):
            Package.report_out_of_stock(ORDER_ID, "alice", [])


def test_a_package_is_only_made_by_sending_it_or_reporting_missing_products() -> None:
    with pytest.raises(TypeError):
        Package(uuid4(), "alice")
