"""Who people are (keyed on the identity provider's `sub`) and what they did."""

from typing import Any

from django.conf import settings
from django.db import models


class Profile(models.Model):
    """SSO identity of a user. `sub` is the stable key: emails and names change."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile")
    sub = models.CharField(max_length=255, unique=True, null=True, blank=True)
    role = models.CharField(max_length=20, blank=True)
    groups = models.JSONField(default=list, blank=True)
    # The provider's short login name (`preferred_username`), for people to recognise.
    preferred_username = models.CharField(max_length=255, blank=True)
    # When the provider last confirmed this person (login or session renewal).
    last_login_check = models.DateTimeField(null=True, blank=True)
    # The back office hides people who left: they are no longer offered for planning,
    # and what they did stays on record. (Access is the provider's to take away.)
    hidden = models.BooleanField(default=False)

    def __str__(self) -> str:
        return f"{self.user} ({self.role or '-'})"


class AuditEntryQuerySet(models.QuerySet["AuditEntry"]):
    def update(self, **kwargs: Any) -> int:
        raise PermissionError("Audit entries are append-only.")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise PermissionError("Audit entries are append-only.")


class AuditEntry(models.Model):
    """One write relaydash sent to relay: who, when, what, and how it ended.

    Append-only: saving an existing entry or deleting one raises, so nothing in the
    app can rewrite history.
    """

    class Outcome(models.TextChoices):
        # done: relay answered as documented; failed: not done (refused, or never sent);
        # unknown: relay may have done it (its answer was lost and relay could not be
        # read); checked: the answer was lost, and reading relay found it done.
        OK = "ok", "ok"
        FAILED = "failed", "failed"
        UNKNOWN = "unknown", "unknown"
        CHECKED = "checked", "checked"

    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    user_email = models.CharField(max_length=254, blank=True)
    user_name = models.CharField(max_length=255, blank=True)
    operation = models.CharField(max_length=40, db_index=True)
    target_type = models.CharField(max_length=20, blank=True)
    target_id = models.CharField(max_length=64, blank=True, db_index=True)
    summary = models.JSONField(default=dict, blank=True)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)
    outcome = models.CharField(max_length=10, choices=Outcome.choices)
    relay_status = models.IntegerField(null=True, blank=True)
    relay_message = models.TextField(blank=True)

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "audit entries"

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.user_email or '-'} {self.operation} {self.target_id}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise PermissionError("Audit entries are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise PermissionError("Audit entries are append-only.")
