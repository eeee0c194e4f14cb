"""The payment read model: each payment as its customer sees it, updated with every change."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.orm import Session

from modules.payments.domain.payment import Payment, PaymentStatus
from modules.payments.infrastructure.tables import payment_views
from shared.database import upsert


@dataclass(frozen=True)
class PaymentView:
    payment_id: UUID
    order_id: UUID
    customer_id: str
    status: PaymentStatus
    amount: Decimal
    currency: str
    provider_reference: str | None
    failure_reason: str | None
    requested_at: datetime
    updated_at: datetime


class PaymentViews:
    def save(self, session: Session, payment: Payment, now: datetime) -> None:
        values = {
            "status": payment.status.value,
            "provider_reference": payment.provider_reference,
            "failure_reason": payment.failure_reason,
            "updated_at": now,
        }
        upsert(
            session,
            payment_views,
            key={"payment_id": payment.id},
            values=values,
            on_insert={
                "order_id": payment.order_id,
                "customer_id": payment.customer_id,
                "amount": payment.amount,
                "currency": payment.currency,
                "requested_at": now,
            },
        )

    def of_order(
        self, session: Session, order_id: UUID, customer_id: str | None = None
    ) -> list[PaymentView]:
        """The order's payments, oldest first: only ``customer_id``'s, unless it is None."""
        query = select(payment_views).where(payment_views.c.order_id == order_id)
        if customer_id is not None:
            query = query.where(payment_views.c.customer_id == customer_id)
        rows = session.execute(
            query.order_by(payment_views.c.requested_at, payment_views.c.payment_id)
        ).all()
        return [_view(row._mapping) for row in rows]

    def pending_of_order(self, session: Session, order_id: UUID) -> list[UUID]:
        return list(
            session.execute(
                select(payment_views.c.payment_id).where(
                    payment_views.c.order_id == order_id,
                    payment_views.c.status == PaymentStatus.REQUESTED.value,
                )
            ).scalars()
        )


def _view(row: Any) -> PaymentView:
    return PaymentView(
        payment_id=row["payment_id"],
        order_id=row["order_id"],
        customer_id=row["customer_id"],
        status=PaymentStatus(row["status"]),
        amount=row["amount"],
        currency=row["currency"],
        provider_reference=row["provider_reference"],
        failure_reason=row["failure_reason"],
        requested_at=row["requested_at"],
        updated_at=row["updated_at"],
    )
