"""The back office's writes to relay: customers, properties, addresses.

Each function sends one relay operation inside `audit_write`, so the trail records who did
it (relay's API key is the company's), what was asked and how relay answered. They raise
relay's typed errors unchanged; the views show them.

When a write's answer was lost (OutcomeUnknown) relay is read for what was sent: a
customer, a property with the same name and ids (and, for an update, the values sent).
Found: done (audit: done after check); not found: NotSaved; unreadable: OutcomeUnknown.
With `retry` the same look runs first and nothing is sent when relay has it. Addresses
cannot be read back from relay: their unknown outcome stays unknown.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import msgspec
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

from relaydash.accounts.audit import audit_write
from relaydash.relay.client import RelayClient
from relaydash.relay.errors import OutcomeUnknown
from relaydash.relay.outcomes import look_after_unknown, look_before_retry
from relaydash.relay.records import (
    AddressInput,
    Customer,
    CustomerCreated,
    CustomerInput,
    Property,
    PropertyInput,
)

# GetProperties pages read when looking for a property relay may have created.
_LOOK_PAGE = 500
# What the audit summary says when a retry found the first attempt done in relay.
RETRY_FOUND = "found in relay; not sent again"

Actor = AbstractBaseUser | AnonymousUser


def _plain(record: msgspec.Struct | None) -> Any:
    """A record as the JSON the audit trail stores (relay's field names)."""
    return None if record is None else msgspec.to_builtins(record)


def customer_create(
    *,
    client: RelayClient,
    actor: Actor,
    customer: CustomerInput,
    casavi_account_id: int | None,
    retry: bool = False,
) -> CustomerCreated:
    """CreateCustomer. With `casavi_account_id` the customer is connected to that casavi
    tenant; relay echoes what was sent (with the new id when none was given)."""
    summary = {"customer": _plain(customer), "casaviAccountId": casavi_account_id}

    def look() -> CustomerCreated | None:
        found = customer_find(client=client, customer=customer)
        return None if found is None else _as_created(customer, found, casavi_account_id)

    if retry and (found := look_before_retry("CreateCustomer", look)) is not None:
        _audit_found(actor, "CreateCustomer", "customer", found.customer.id, summary)
        return found
    with audit_write(
        actor=actor,
        operation="CreateCustomer",
        target_type="customer",
        target_id=customer.id,
        summary=summary,
    ) as note:
        try:
            created = client.create_customer(customer, casavi_account_id=casavi_account_id)
        except OutcomeUnknown as error:
            created = look_after_unknown(error, look)
            note.checked = True
        note.target_id = created.customer.id
        note.after = _plain(created)
    return created


def _audit_found(actor: Actor, operation: str, target_type: str, target_id: str | None, summary: Any) -> None:
    """The trail's entry for a retry that found its first attempt done: nothing sent."""
    with audit_write(
        actor=actor,
        operation=operation,
        target_type=target_type,
        target_id=target_id,
        summary={**summary, "retry": RETRY_FOUND},
    ) as note:
        note.checked = True


def customer_find(*, client: RelayClient, customer: CustomerInput) -> Customer | None:
    """The newest customer in relay with this name and these ids (internal id, and the
    caller's own id, which relay keeps as externalId), else None."""
    wanted = (customer.name, customer.internal_id or None, customer.id or None)
    matches = [
        c for c in client.get_customers() if (c.name, c.internal_id or None, c.external_id or None) == wanted
    ]
    return max(matches, key=lambda c: c.id or 0) if matches else None


def _as_created(sent: CustomerInput, found: Customer, casavi_account_id: int | None) -> CustomerCreated:
    """What relay's echo would have said, from the customer found in relay."""
    echoed_id = sent.id if sent.id is not None else (str(found.id) if found.id is not None else None)
    return CustomerCreated(
        customer=msgspec.structs.replace(sent, id=echoed_id), casavi_account_id=casavi_account_id
    )


def property_save(
    *,
    client: RelayClient,
    actor: Actor,
    item: PropertyInput,
    casavi_account_id: int,
    before: Any = None,
    retry: bool = False,
) -> PropertyInput:
    """CreateProperties with one item: creates the property (no `id`) or replaces the
    fields of property `id` (relay's upsert). Returns relay's echo, with the id."""
    summary = {"properties": [_plain(item)], "casaviAccountId": casavi_account_id}

    def look() -> PropertyInput | None:
        return property_find(client=client, item=item)

    if retry and (found := look_before_retry("CreateProperties", look)) is not None:
        _audit_found(actor, "CreateProperties", "property", found.id, summary)
        return found
    with audit_write(
        actor=actor,
        operation="CreateProperties",
        target_type="property",
        target_id=item.id,
        summary=summary,
        before=before,
    ) as note:
        try:
            echoed = client.create_properties([item], casavi_account_id=casavi_account_id)
            saved = echoed[0] if echoed else item
        except OutcomeUnknown as error:
            saved = look_after_unknown(error, look)
            note.checked = True
        note.target_id = saved.id
        note.after = _plain(saved)
    return saved


def same_property(prop: Property, item: PropertyInput) -> bool:
    """relay's property has what `item` sent: its name, MSC number, external id and
    customer. (relay's read of a property carries no internal id, and a new property's
    address is a new record, so neither is compared.)"""
    if (prop.name, prop.msc_number or None, prop.customer_id) != (
        item.name,
        item.msc_number or None,
        item.customer_id,
    ):
        return False
    external = None if prop.external_id in (None, "") else str(prop.external_id)
    return external == (item.external_id or None)


def property_find(*, client: RelayClient, item: PropertyInput) -> PropertyInput | None:
    """The property relay has for `item` (by id for an update, else the newest with the
    same name and ids), as relay's echo would have given it; None when relay does not
    have it."""
    if item.id is not None and item.id.isdigit():
        prop = client.get_property(int(item.id))
        return item if same_property(prop, item) else None
    found = [p for p in properties_all(client=client) if same_property(p, item)]
    if not found:
        return None
    newest = max(found, key=lambda p: p.id or 0)
    return msgspec.structs.replace(item, id=str(newest.id))


def properties_all(*, client: RelayClient) -> list[Property]:
    """Every property in relay, page by page (GetProperties has no filter)."""
    every: list[Property] = []
    while True:
        page = client.get_properties(limit=_LOOK_PAGE, offset=len(every))
        every.extend(page)
        if len(page) < _LOOK_PAGE:
            return every


def properties_import_batch(
    *,
    client: RelayClient,
    actor: Actor,
    items: Sequence[PropertyInput],
    casavi_account_id: int,
    file_name: str,
    row_numbers: Sequence[int],
) -> list[PropertyInput]:
    """One batch of a property import: one CreateProperties call, one audit entry naming
    the file and its rows (not their contents: the file may be large)."""
    with audit_write(
        actor=actor,
        operation="CreateProperties",
        target_type="property",
        target_id=None,
        summary={
            "import": file_name,
            "rows": len(items),
            "rowNumbers": _ranges(row_numbers),
            "updates": sum(1 for item in items if item.id is not None),
            "casaviAccountId": casavi_account_id,
        },
    ) as note:
        echoed = client.create_properties(items, casavi_account_id=casavi_account_id)
        note.after = {"properties": len(echoed), "ids": [p.id for p in echoed][:500]}
    return echoed


def address_create(*, client: RelayClient, actor: Actor, address: AddressInput) -> int:
    """CreateAddress: returns relay's new address id. relay cannot be asked for
    addresses, so a lost answer stays OutcomeUnknown: the page says to check the id."""
    with audit_write(
        actor=actor,
        operation="CreateAddress",
        target_type="address",
        target_id=None,
        summary={"address": _plain(address)},
    ) as note:
        address_id = client.create_address(address)
        note.target_id = str(address_id)
    return address_id


def _ranges(numbers: Sequence[int]) -> str:
    """ "2-101, 105" — the spreadsheet rows of a batch, short enough for the trail."""
    parts: list[str] = []
    ordered = sorted(numbers)
    start = previous = ordered[0] if ordered else 0
    for number in ordered[1:]:
        if number != previous + 1:
            parts.append(f"{start}-{previous}" if start != previous else str(start))
            start = number
        previous = number
    if ordered:
        parts.append(f"{start}-{previous}" if start != previous else str(start))
    return ", ".join(parts)
