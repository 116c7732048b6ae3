"""Django admin for the admin role: profiles to look at, the audit trail to read.

Both are read-only (a profile may only go with its user). A profile is rewritten from
the provider's claims at every login, so an edit here would be silently undone; the
audit trail is append-only by design.
"""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from relaydash.accounts.models import AuditEntry, Profile


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    list_display = (
        "created_at",
        "user_email",
        "operation",
        "target_type",
        "target_id",
        "outcome",
        "relay_status",
    )
    list_filter = ("outcome", "operation", "target_type")
    search_fields = ("user_email", "user_name", "target_id")
    date_hierarchy = "created_at"


@admin.register(Profile)
class ProfileAdmin(ReadOnlyAdmin):
    """Deletable, so that deleting a user (which takes the profile along) stays possible."""

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return bool(super(ReadOnlyAdmin, self).has_delete_permission(request, obj))

    list_display = ("user", "sub", "role", "preferred_username", "last_login_check")
    list_filter = ("role",)
    search_fields = ("sub", "user__email", "user__username", "preferred_username")
