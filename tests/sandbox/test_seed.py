"""seed_sandbox: realistic, deterministic German demo data."""

import re
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import timezone

from relaydash.sandbox.models import Attachment, Comment, ContactPerson, Customer, Order, Property
from tests.sandbox.conftest import Api

pytestmark = pytest.mark.django_db


def snapshot(api: Api) -> dict[str, Any]:
    """Everything the API shows, without the database ids (which grow across reseeds)."""

    def strip(value: Any) -> Any:
        if isinstance(value, dict):
            return {
                key: strip(item)
                for key, item in value.items()
                if key not in {"id", "orderId", "addressId", "customerId"}
            }
        if isinstance(value, list):
            return [strip(item) for item in value]
        return value

    return {
        "customers": strip(api.get("/customers").json()),
        "properties": strip(api.get("/properties", limit=1000, offset=0).json()),
        "orders": strip(api.get("/orders").json()),
    }


def test_the_same_seed_gives_the_same_data(api: Api) -> None:
    call_command("seed_sandbox", orders=40, seed=5, verbosity=0)
    first = snapshot(api)
    call_command("seed_sandbox", orders=40, seed=5, verbosity=0)
    assert snapshot(api) == first
    assert Order.objects.count() == 40, "reseeding replaces the data"
    call_command("seed_sandbox", orders=40, seed=6, verbosity=0)
    assert snapshot(api) != first


def test_the_default_demo_is_realistic(api: Api) -> None:
    out = StringIO()
    call_command("seed_sandbox", stdout=out)
    assert "12 customers, 40 properties, 200 orders" in out.getvalue()
    assert Customer.objects.count() == 12
    assert Customer.objects.filter(casavi_tenant_id__isnull=False).exists()
    assert Customer.objects.filter(casavi_tenant_id__isnull=True).exists()
    assert all(
        re.fullmatch(r".*(Hausverwaltung|Immobilienverwaltung).* GmbH", c.name or "")
        for c in Customer.objects.all()
    )
    assert Property.objects.count() == 40
    orders = api.get("/orders").json()
    assert len(orders) == 200
    assert {o["status"] for o in orders} == {"OPEN", "IN_PROGRESS", "FINISHED", "DECLINED", "NULL", "PREPARE"}
    assert {"Reparatur", "Wartung", "Zählerablesung", "Rauchwarnmelderprüfung", "Schadensmeldung"} <= {
        o["type"] for o in orders
    }
    for order in orders:
        assert re.fullmatch(r"[0-9]{5}", order["address"]["postalCode"])
        assert order["address"]["country"] == "DE"
    today = timezone.localdate()
    due = [timezone.localtime(Order.objects.get(pk=o["id"]).due_date).date() for o in orders if o["dueDate"]]
    assert any(day < today for day in due), "some orders are overdue"
    assert any(day == today for day in due), "some orders are due today"
    assert any(day > today for day in due), "some orders are due later"
    assert any(o["followUpDate"] for o in orders)
    assert any(o["internalId"] for o in orders)
    assert any(o["fields"] for o in orders)
    assert any(o["attachments"] for o in orders)
    threads = [len(o["comments"]) for o in orders]
    assert min(threads) == 0
    assert max(threads) == 5
    assert Attachment.objects.filter(comment__isnull=False).exists(), "some comments carry files"
    assert set(ContactPerson.objects.values_list("type", flat=True)) == {
        "Hausmeister",
        "Mieter",
        "Verwaltung",
    }
    contact = ContactPerson.objects.exclude(mobile=None).first()
    assert contact is not None
    assert re.fullmatch(r"01[5-7][0-9] [0-9]+", contact.mobile or "")
    assert Comment.objects.filter(text__contains="Termin").exists()


def test_if_empty_leaves_existing_orders_alone(api: Api) -> None:
    call_command("seed_sandbox", orders=10, seed=1, verbosity=0)
    before = snapshot(api)
    out = StringIO()
    call_command("seed_sandbox", orders=50, seed=2, if_empty=True, stdout=out)
    assert "nothing seeded" in out.getvalue()
    assert snapshot(api) == before


def test_if_empty_seeds_an_empty_sandbox() -> None:
    call_command("seed_sandbox", "--orders", "15", "--if-empty", verbosity=0)
    assert Order.objects.count() == 15
