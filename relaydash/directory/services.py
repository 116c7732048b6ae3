"""The back office's writes to relay: customers, properties, addresses.

Each function sends one relay operation inside `audit_write`, so the trail records who did
it (relay's API key is the company's), what was asked and how relay answered. They raise
relay's typed errors unchanged; the views show them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import msgspec
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

from relaydash.accounts.audit import audit_write
from relaydash.relay.client import RelayClient
from relaydash.relay.records import AddressInput, CustomerCreated, CustomerInput, PropertyInput

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
) -> CustomerCreated:
    """CreateCustomer. With `casavi_account_id` the customer is connected to that casavi
    tenant; relay echoes what was sent (with the new id when none was given)."""
    with audit_write(
        actor=actor,
        operation="CreateCustomer",
        target_type="customer",
        target_id=customer.id,
        summary={"customer": _plain(customer), "casaviAccountId": casavi_account_id},
    ) as note:
        created = client.create_customer(customer, casavi_account_id=casavi_account_id)
        note.target_id = created.customer.id
        note.after = _plain(created)
    return created


def property_save(
    *,
    client: RelayClient,
    actor: Actor,
    item: PropertyInput,
    casavi_account_id: int,
    before: Any = None,
) -> PropertyInput:
    """CreateProperties with one item: creates the property (no `id`) or replaces the
    fields of property `id` (relay's upsert). Returns relay's echo, with the id."""
    with audit_write(
        actor=actor,
        operation="CreateProperties",
        target_type="property",
        target_id=item.id,
        summary={"properties": [_plain(item)], "casaviAccountId": casavi_account_id},
        before=before,
    ) as note:
        echoed = client.create_properties([item], casavi_account_id=casavi_account_id)
        saved = echoed[0] if echoed else item
        note.target_id = saved.id
        note.after = _plain(saved)
    return saved


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
    """CreateAddress: returns relay's new address id."""
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
