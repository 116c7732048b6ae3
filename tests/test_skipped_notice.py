"""The one notice for records relay sent that could not be read (templates/_skipped_notice.html)."""

import pytest
from django.template.loader import render_to_string
from django.utils import translation

from relaydash.relay.records import Skipped


def skipped(operation: str, count: int) -> list[Skipped]:
    return [
        Skipped(operation=operation, record_id=str(n), field="$.title", reason="Expected `str`")
        for n in range(count)
    ]


def notice(*groups: list[Skipped], language: str = "en") -> str:
    with translation.override(language):
        every = [entry for group in groups for entry in group]
        return " ".join(render_to_string("_skipped_notice.html", {"skipped": every}).split())


@pytest.mark.parametrize(
    ("operation", "one", "many", "ein", "viele"),
    [
        ("GetOrders", "1 order relay", "3 orders relay", "1 Auftrag, den", "3 Aufträge, die"),
        ("GetCustomers", "1 customer relay", "3 customers relay", "1 Kunde, den", "3 Kunden, die"),
        (
            "GetProperties",
            "1 property relay",
            "3 properties relay",
            "1 Liegenschaft, die",
            "3 Liegenschaften, die",
        ),
        ("GetOrderComments", "1 comment relay", "3 comments relay", "1 Kommentar, den", "3 Kommentare, die"),
    ],
)
def test_one_sentence_per_kind_in_english_and_german(
    operation: str, one: str, many: str, ein: str, viele: str
) -> None:
    assert f"{one} sent could not be read" in notice(skipped(operation, 1))
    assert f"{many} sent could not be read" in notice(skipped(operation, 3))
    assert f"{ein} relay gesendet hat, konnte nicht gelesen werden" in notice(
        skipped(operation, 1), language="de"
    )
    assert f"{viele} relay gesendet hat, konnten nicht gelesen werden" in notice(
        skipped(operation, 3), language="de"
    )


def test_kinds_are_counted_apart_and_nothing_skipped_shows_nothing() -> None:
    text = notice(skipped("GetOrders", 2), skipped("GetCustomers", 1), skipped("GetOrders", 1))
    assert "3 orders relay sent could not be read" in text
    assert "1 customer relay sent could not be read" in text
    assert 'role="status"' in text
    assert notice([]) == ""
