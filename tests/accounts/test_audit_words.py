"""The audit page speaks the pages' words: labels, formatted dates, values, no JSON."""

from collections.abc import Callable
from typing import Any

from django.test import Client
from django.urls import reverse
from django.utils import translation

from relaydash.accounts.audit import Operation, Target, audit_write
from relaydash.accounts.permissions import Role


def _write(actor: Any, **arguments: Any) -> None:
    with audit_write(actor=actor, **arguments):
        pass


def test_an_order_patch_reads_like_the_order_page(make_user: Callable[..., Any]) -> None:
    office = make_user(Role.ADMIN, username="olga", email="olga@example.com")
    _write(
        office,
        operation=Operation.PATCH_ORDER,
        target_type=Target.ORDER,
        target_id=7,
        summary={"fields": ["status", "due_date"], "title": "Heizung \u202efdp.exe"},
        before={"status": "OPEN", "due_date": "2026-12-02"},
        after={"status": "PREPARE", "due_date": "2026-12-03T09:30:00+01:00"},
    )
    client = Client()
    client.force_login(office)
    with translation.override("de"):
        html = client.get(reverse("accounts:audit"), HTTP_ACCEPT_LANGUAGE="de").content.decode()
    assert '<span class="audit-changes__field">Fälligkeit</span>' in html
    assert "<del><bdi>02.12.2026</bdi></del>" in html  # a day, no made-up time
    assert "<ins><bdi>03.12.2026 09:30</bdi></ins>" in html
    assert "<del><bdi>Offen</bdi></del>" in html and "<ins><bdi>In Vorbereitung</bdi></ins>" in html
    assert "<dt>Geändert</dt><dd><bdi>Status, Fälligkeit</bdi></dd>" in html
    assert "<dt>Titel</dt><dd><bdi>Heizung fdp.exe</bdi></dd>" in html  # the override is gone
    assert "due_date" not in html and "2026-12-03T09:30" not in html
    assert "\u202e" not in html


def test_a_created_customer_reads_as_labels_not_json(
    client_as: Callable[..., Client], make_user: Any
) -> None:
    office = make_user(Role.BACKOFFICE, username="otto", email="otto@example.com")
    customer = {
        "name": "Hausverwaltung Kühn",
        "telephone": "+49 (0)89 123456",
        "address": {
            "streetAddress": "Hauptstraße 5",
            "postalCode": "10115",
            "locality": "Berlin",
            "country": "DE",
        },
    }
    _write(
        office,
        operation=Operation.CREATE_CUSTOMER,
        target_type=Target.CUSTOMER,
        target_id=55,
        summary={"customer": customer, "casaviAccountId": None},
        after={"customer": {**customer, "id": "55"}, "casaviAccountId": 3},
    )
    with translation.override("en"):
        html = (
            client_as(Role.ADMIN).get(reverse("accounts:audit"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
        )
    assert (
        "Name: Hausverwaltung Kühn; Phone: +49 (0)89 123456; Address: Hauptstraße 5, 10115 Berlin, Germany"
        in html
    )
    assert "casavi account" in html
    assert "{" not in html.split('<table class="data-table audit-table">')[1].split("</table>")[0]
    assert "streetAddress" not in html and "casaviAccountId" not in html
