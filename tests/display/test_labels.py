"""Words for relay's codes, in German and English; unknown codes as relay sent them."""

import pytest
from django.template import Context, Template
from django.utils import translation

from relaydash.display.labels import contact_role_label, customer_status_label, order_type_label, origin_label


@pytest.mark.parametrize(
    ("label", "code", "english", "german"),
    [
        (order_type_label, "METER_READING", "Meter reading", "Zählerablesung"),
        (order_type_label, "repair", "Repair", "Reparatur"),
        (order_type_label, "SMOKE_DETECTOR_CHECK", "Smoke detector check", "Rauchwarnmelderprüfung"),
        (contact_role_label, "OWNER", "Owner", "Eigentümer"),
        (contact_role_label, "TENANT", "Tenant", "Mieter"),
        (customer_status_label, "ACTIVE", "Active", "Aktiv"),
        (customer_status_label, None, "Unknown", "Unbekannt"),
        (origin_label, "API", "relay API", "relay-API"),
    ],
)
def test_known_codes_in_both_languages(label, code, english, german) -> None:  # type: ignore[no-untyped-def]
    with translation.override("en"):
        assert label(code) == english
    with translation.override("de"):
        assert label(code) == german


@pytest.mark.parametrize("label", [order_type_label, contact_role_label, customer_status_label, origin_label])
def test_unknown_codes_are_shown_as_sent(label) -> None:  # type: ignore[no-untyped-def]
    assert label("Zählerablesung Spezial") == "Zählerablesung Spezial"
    assert label("NEW_CODE_2027") == "NEW_CODE_2027"


def test_template_filters() -> None:
    with translation.override("de"):
        rendered = Template("{% load display_tags %}{{ t|order_type }} · {{ r|contact_role }}").render(
            Context({"t": "METER_READING", "r": "OWNER"})
        )
    assert rendered == "Zählerablesung · Eigentümer"
