"""The order index: relaydash's own copy of what relay's GetOrders says, one row per order.

relay's GetOrders has no filters, no paging and no change feed: it returns every order
with every comment. Lists, tab counts, search, sort, paging, the CSV export and the
customer page's orders read this table instead (the ORM does the filtering), and one sync
worker (`manage.py sync_orders`) keeps it fresh. The row keeps exactly what those pages
need, relay's texts as relay sent them (so the pages apply the same rules they applied to
relay's records) and parsed copies of the dates to filter and sort on.

The primary key is relay's order id, so other tables (the assignment work) can refer to
an order by the id relay and the order page use. Orders relay no longer returns are
deleted here; a table that must outlive them keeps the plain id, not a cascading key.
"""

from __future__ import annotations

from django.db import models

from relaydash.relay.records import Address, ContactPerson, Order


class IndexedOrder(models.Model):
    """One order as the order list, its counts, search and the CSV export need it."""

    id = models.BigIntegerField(primary_key=True)  # relay's order id
    title = models.TextField(blank=True, default="")
    # relay's status text as sent ("" when none): tabs filter on it, labels come from it.
    status = models.TextField(blank=True, default="", db_index=True)
    # relay's date texts as sent, and the parsed instants (null when missing or unreadable).
    due_date = models.TextField(blank=True, default="")
    due = models.DateTimeField(null=True, db_index=True)  # when it becomes overdue
    due_day = models.DateField(null=True)  # the local day it is due on
    created_at = models.TextField(blank=True, default="")
    created = models.DateTimeField(null=True, db_index=True)
    updated_at = models.TextField(blank=True, default="")
    updated = models.DateTimeField(null=True, db_index=True)
    internal_id = models.TextField(blank=True, default="")
    type = models.TextField(blank=True, default="", db_index=True)
    # The title case-folded for sorting; null when there is no title, so that the
    # database sorts it last in both directions (NULLS LAST), as the list always did.
    title_key = models.CharField(max_length=255, null=True, db_index=True)  # noqa: DJ001
    has_address = models.BooleanField(default=False)
    street_address = models.TextField(blank=True, default="")
    postal_code = models.TextField(blank=True, default="")
    locality = models.TextField(blank=True, default="")
    country = models.TextField(blank=True, default="")
    additional_info = models.TextField(blank=True, default="")
    customer_id = models.BigIntegerField(null=True, db_index=True)
    customer_name = models.TextField(blank=True, default="")
    contact_names = models.TextField(blank=True, default="")  # one name a line
    # Whom the one-tap "Call" on My day rings (display.phone.order_quick_call).
    call_name = models.TextField(blank=True, default="")
    call_number = models.TextField(blank=True, default="")
    comment_count = models.PositiveIntegerField(default=0)
    last_comment_at = models.TextField(blank=True, default="")  # as relay sent it
    # Everything the free-text search looks at, case-folded (see rows.search_text).
    search_text = models.TextField(blank=True, default="")
    # Hash of every value above: the sync writes a row only when it differs.
    content_hash = models.CharField(max_length=32)
    # When this row was last written (by the sync or by a write through relaydash).
    indexed_at = models.DateTimeField()

    class Meta:
        indexes = [
            # The list's tab counts (status and due date of every order) and its usual
            # page (one status, by due date) are read from this index alone.
            models.Index(fields=["status", "due"], name="orderindex_status_due"),
        ]

    def __str__(self) -> str:
        return f"{self.id} {self.title}"

    def as_order(self) -> Order:
        """The row as the client's Order record (without fields, attachments and comment
        texts), so the list, the export and the customer page keep using the rules they
        use for relay's records (status labels, due state, date parsing)."""
        address = (
            Address(
                street_address=self.street_address or None,
                postal_code=self.postal_code or None,
                locality=self.locality or None,
                country=self.country or None,
                additional_info=self.additional_info or None,
            )
            if self.has_address
            else None
        )
        return Order(
            id=self.id,
            title=self.title or None,
            status_text=self.status or None,
            address=address,
            due_date=self.due_date or None,
            created_at=self.created_at or None,
            updated_at=self.updated_at or None,
            internal_id=self.internal_id or None,
            type=self.type or None,
            contact_persons=tuple(ContactPerson(name=name) for name in self.contact_names.splitlines()),
            customer_id=self.customer_id,
        )


class IndexedCustomer(models.Model):
    """relay's customers as the list's customer filter and search need them (id and name)."""

    id = models.BigIntegerField(primary_key=True)  # relay's customer id
    name = models.TextField(blank=True, default="")

    def __str__(self) -> str:
        return self.name


class SyncState(models.Model):
    """The one row that says how the sync stands (pk 1), and the lock's lease where the
    database has no advisory locks (SQLite): a worker takes the lease with one
    conditional UPDATE, which the database runs atomically."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    last_started_at = models.DateTimeField(null=True)
    last_success_at = models.DateTimeField(null=True)  # when the last good GetOrders was asked
    last_error = models.TextField(blank=True, default="")  # empty after a good sync
    failing_since = models.DateTimeField(null=True)  # first failed attempt since the last good one
    orders = models.PositiveIntegerField(default=0)
    written = models.PositiveIntegerField(default=0)  # rows written or removed by the last sync
    skipped = models.PositiveIntegerField(default=0)  # orders the last sync could not index
    skipped_detail = models.JSONField(default=list)  # [{"record_id": ..., "reason": ...}]
    duration_ms = models.PositiveIntegerField(default=0)
    lease_holder = models.TextField(blank=True, default="")
    lease_until = models.DateTimeField(null=True)

    def __str__(self) -> str:
        return f"order sync: last success {self.last_success_at}, last error {self.last_error!r}"
