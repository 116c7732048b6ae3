"""The demo sign-in of `make run`: who is pre-registered at the demo provider.

oidc-provider-mock's sign-in form takes only a subject (used as the email); it cannot
take groups. So the demo provider starts with one ready-made person per role (one click
on its form, with the group RELAYDASH_ROLE_GROUPS maps to that role), and `make run` sets
RELAYDASH_DEFAULT_ROLE so that any other email signs in too, with that role. The login
page lists both, from this table.
"""

from dataclasses import dataclass

from django.conf import settings

from relaydash.accounts.permissions import Role


@dataclass(frozen=True)
class DemoUser:
    email: str
    name: str
    role: Role

    @property
    def groups(self) -> list[str]:
        """The first group mapped to this user's role: what a real provider would send."""
        return [group for role, group in settings.RELAYDASH_ROLE_GROUPS if role == self.role][:1]

    def claims(self) -> dict[str, object]:
        """The claims the demo provider hands out (its users are keyed by email)."""
        return {
            "email": self.email,
            "email_verified": True,
            "name": self.name,
            "preferred_username": self.email.split("@")[0],
            "groups": self.groups,
        }


DEMO_USERS: tuple[DemoUser, ...] = (
    DemoUser("admin@example.com", "Anna Admin", Role.ADMIN),
    DemoUser("office@example.com", "Otto Office", Role.BACKOFFICE),
    DemoUser("field@example.com", "Frieda Field", Role.FIELD),
    DemoUser("field2@example.com", "Fritz Feld", Role.FIELD),
    DemoUser("viewer@example.com", "Viktor Viewer", Role.VIEWER),
)
