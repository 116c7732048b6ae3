"""Fixtures for the sandbox relay's own tests: an authorised test client and orders.

The sandbox has no CreateOrder operation (relay has none), so orders are made directly
in the sandbox's tables here.
"""

import json
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from django.conf import settings
from django.test import Client

from relaydash.sandbox import faults
from relaydash.sandbox.models import Address, Attachment, Comment, ContactPerson, Order, OrderField

BASE = "/sandbox/api/v1"


class Api:
    """A test client that speaks to the sandbox with the right Bearer key."""

    def __init__(self, key: str) -> None:
        self.client = Client(headers={"Authorization": f"Bearer {key}"})

    def get(self, path: str, **params: Any) -> Any:
        return self.client.get(BASE + path, params)

    def post(self, path: str, body: Any) -> Any:
        raw = body if isinstance(body, (str, bytes)) else json.dumps(body)
        return self.client.post(BASE + path, raw, content_type="application/json")

    def patch(self, path: str, body: Any) -> Any:
        raw = body if isinstance(body, (str, bytes)) else json.dumps(body)
        return self.client.patch(BASE + path, raw, content_type="application/json")

    def multipart(self, path: str, data: dict[str, Any]) -> Any:
        return self.client.post(BASE + path, data)


@pytest.fixture
def api(db: None) -> Api:
    return Api(settings.RELAY_SANDBOX_API_KEY)


@pytest.fixture(autouse=True)
def _no_faults() -> Iterator[None]:
    """A queued fault must never leak into the next test."""
    faults.clear()
    yield
    faults.clear()


@pytest.fixture
def make_order(db: None) -> Callable[..., Order]:
    """An order with an address, one field, one attachment, a contact and a comment."""

    def make(**overrides: Any) -> Order:
        address = Address.objects.create(
            street_address="Lindenstraße 12",
            postal_code="10115",
            locality="Berlin",
            country="DE",
            account_id=1,
        )
        values: dict[str, Any] = {
            "title": "Heizung ausgefallen",
            "status": "OPEN",
            "address": address,
            "due_date": datetime(2026, 12, 1, 9, 0, tzinfo=UTC),
            "follow_up_date": None,
            "created_at": datetime(2026, 11, 1, 8, 0, tzinfo=UTC),
            "updated_at": datetime(2026, 11, 2, 8, 0, tzinfo=UTC),
            "internal_id": "AUF-1",
            "is_internal": False,
            "type": "Reparatur",
            "task_id": "TASK-1",
            "customer_id": 3,
        }
        values.update(overrides)
        order = Order.objects.create(**values)
        OrderField.objects.create(order=order, position=1, name="Wohnung", content="EG links")
        Attachment.objects.create(
            order=order, name="Foto.jpg", item_type="image/jpeg", updated_at=values["created_at"]
        )
        ContactPerson.objects.create(
            order=order,
            type="Hausmeister",
            name="Uwe Koch",
            telephone="030 1234567",
            mobile="0171 2345678",
            email_address="uwe.koch@example.de",
        )
        comment = Comment.objects.create(
            order=order, text="Termin vereinbart.", author="Jana Wolf", created_at=values["created_at"]
        )
        Attachment.objects.create(
            order=order, comment=comment, name="Protokoll.pdf", item_type="application/pdf",
            updated_at=values["created_at"],
        )  # fmt: skip
        return order

    return make
