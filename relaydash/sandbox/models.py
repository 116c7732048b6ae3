"""The sandbox's own copy of relay's data, stored in the project database.

The tables mirror the shapes of relay's API (see /work/shared/relay-api.md), not the
client's records: the sandbox is written from the contract alone so that a mistake in
the client cannot be mirrored here and hide itself. Columns are camelCase-free Django
fields; the views translate them to relay's JSON.

Strings are nullable because relay distinguishes a missing value (JSON null) from an
empty string, and the sandbox must hand back exactly what it was given.
"""

from django.db import models


def nullable_text() -> models.TextField:
    """A text column that keeps JSON null apart from "" (relay returns both)."""
    return models.TextField(null=True, blank=True)


class OrderStatus(models.TextChoices):
    """relay's order status enum. NULL is a real value of the enum, not JSON null."""

    OPEN = "OPEN"
    IN_PROGRESS = "IN_PROGRESS"
    FINISHED = "FINISHED"
    DECLINED = "DECLINED"
    NULL = "NULL"
    PREPARE = "PREPARE"


class Address(models.Model):
    """relay's Address / ApiAddress: created on its own or as part of a customer,
    property or order."""

    street_address = models.TextField()
    postal_code = models.TextField()
    locality = models.TextField()
    country = models.CharField(max_length=2)
    additional_info = nullable_text()
    account_id = models.BigIntegerField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.street_address}, {self.postal_code} {self.locality}"


class Customer(models.Model):
    """A property-management company known to relay, optionally connected to casavi."""

    account_id = models.BigIntegerField(null=True, blank=True)
    casavi_tenant_id = models.BigIntegerField(null=True, blank=True)
    casavi_contact_id = models.BigIntegerField(null=True, blank=True)
    internal_id = nullable_text()
    external_id = nullable_text()
    name = nullable_text()
    status = nullable_text()
    status_updated_at = models.DateTimeField(null=True, blank=True)
    telephone = nullable_text()
    address = models.ForeignKey(Address, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    origin = nullable_text()
    techem_id = nullable_text()
    oasis_id = nullable_text()
    email_address = nullable_text()
    assfinet_id = nullable_text()
    auto_assign_user_id = models.BigIntegerField(null=True, blank=True)

    def __str__(self) -> str:
        return self.name or f"customer {self.pk}"


class Property(models.Model):
    """A building managed by a customer. `customer_id` is a plain number, not a foreign
    key: relay takes whatever customerId the caller sends."""

    name = nullable_text()
    external_id = nullable_text()
    internal_id = nullable_text()
    customer_id = models.BigIntegerField(null=True, blank=True)
    origin = nullable_text()
    address = models.ForeignKey(Address, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    msc_number = nullable_text()
    casavi_account_id = models.BigIntegerField(null=True, blank=True)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        verbose_name_plural = "properties"

    def __str__(self) -> str:
        return self.name or f"property {self.pk}"


class Order(models.Model):
    """An order (Auftrag) a property manager sent to the provider. relay has no API to
    create orders; they come from the seed command or from tests."""

    title = nullable_text()
    status = models.CharField(max_length=11, choices=OrderStatus.choices, default=OrderStatus.OPEN)
    address = models.ForeignKey(Address, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    due_date = models.DateTimeField(null=True, blank=True)
    follow_up_date = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    internal_id = nullable_text()
    is_internal = models.BooleanField(default=False)
    type = nullable_text()
    task_id = nullable_text()
    customer_id = models.BigIntegerField(null=True, blank=True)

    def __str__(self) -> str:
        return self.title or f"order {self.pk}"


class OrderField(models.Model):
    """A free-form name/content pair on an order (CreateOrderField)."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="fields")
    position = models.FloatField()
    name = models.TextField()
    content = models.TextField()

    def __str__(self) -> str:
        return f"{self.name}: {self.content}"


class Comment(models.Model):
    """A comment in an order's thread, shared between provider and property manager."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="comments")
    text = models.TextField()
    author = models.TextField()
    created_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["order", "created_at"])]

    def __str__(self) -> str:
        return f"{self.author}: {self.text[:40]}"


class Attachment(models.Model):
    """Metadata of a file on an order (comment is null) or on one of its comments.

    relay's reference gives attachments no download URL, and the sandbox never keeps
    file contents: only name, MIME type and time are stored.
    """

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="attachments")
    comment = models.ForeignKey(
        Comment, null=True, blank=True, on_delete=models.CASCADE, related_name="attachments"
    )
    name = models.TextField()
    item_type = models.TextField()
    updated_at = models.DateTimeField()

    def __str__(self) -> str:
        return self.name


class ContactPerson(models.Model):
    """Someone to call about an order: Hausmeister, Mieter or Verwaltung."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="contact_persons")
    type = nullable_text()
    name = nullable_text()
    telephone = nullable_text()
    mobile = nullable_text()
    email_address = nullable_text()

    def __str__(self) -> str:
        return self.name or f"contact {self.pk}"
