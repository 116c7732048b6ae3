"""Who does which order when. relay has no assignment, so it lives here, beside the
order index, keyed on relay's order id.

No foreign key to the index on purpose: the index drops orders relay no longer returns,
and an assignment must outlive that (the board and My day show such an order as gone
instead of losing it silently).
"""

from django.conf import settings
from django.db import models


class Assignment(models.Model):
    """One order's person (or none), planned day and optional time window ("Termin")."""

    order_id = models.BigIntegerField(unique=True)
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="assignments"
    )
    day = models.DateField(null=True, blank=True)
    starts = models.TimeField(null=True, blank=True)
    ends = models.TimeField(null=True, blank=True)
    # The order of stops within the person's day, as they arranged it (My day).
    position = models.PositiveIntegerField(default=0)
    # Grows with every change: a form carries the version it was drawn from, so a second
    # person moving the same order sees that it moved meanwhile instead of overwriting it.
    version = models.PositiveIntegerField(default=0)
    changed_at = models.DateTimeField(auto_now=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        indexes = [models.Index(fields=["person", "day"]), models.Index(fields=["day"])]

    def __str__(self) -> str:
        return f"order {self.order_id}: {self.person_id or '-'} {self.day or '-'}"
