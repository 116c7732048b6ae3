"""The one rule for a phone number people tap: what goes into a `tel:` link.

People write German numbers many ways ("+49 (0)89 123456", "089/123 456",
"0171-1234567", "(0 30) 12 34 56"). A phone dials only digits and a leading "+"; the
"(0)" written after a country code must go, or "+49 (0)89" dials +49 0 89, which is wrong.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:
    from relaydash.relay.records import Order

# "(0)" after a country code: "+49 (0)89", "+49(0) 89", "0049 (0) 89".
_TRUNK_ZERO: Final = re.compile(r"^(\s*(?:\+|00)\d{1,3})\s*\(\s*0\s*\)")
_NOT_DIGIT: Final = re.compile(r"\D")


def tel_number(value: str | None) -> str:
    """The digits a phone dials, with a leading "+" kept ("" when there are none)."""
    if not value:
        return ""
    text = _TRUNK_ZERO.sub(r"\1", value.strip())
    plus = "+" if text.startswith("+") else ""
    digits = _NOT_DIGIT.sub("", text)
    return f"{plus}{digits}" if digits else ""


def tel_href(value: str | None) -> str:
    """ "tel:+4989123456" for a number as people write it; "" when nothing can be dialled."""
    number = tel_number(value)
    return f"tel:{number}" if number else ""


@dataclass(frozen=True, slots=True)
class QuickCall:
    """Who the one-tap "Call" rings and on which number (as relay sent it)."""

    name: str
    number: str


def order_quick_call(order: Order | None) -> QuickCall | None:
    """The first contact person with a number, for the one-tap "Call" at the door (the
    order page's quick action, My day's stops).

    The mobile comes before the landline: on site people are rarely at their desk. A
    person without a name is called by what they are ("Hausmeister") or the number,
    so the link always says whom it calls.
    """
    for person in order.contact_persons if order is not None else ():
        number = person.mobile or person.telephone
        if number and tel_number(number):
            return QuickCall(name=person.name or person.type or number, number=number)
    return None
