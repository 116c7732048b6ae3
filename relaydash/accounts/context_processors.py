from django.http import HttpRequest

from relaydash.accounts.permissions import ROLE_LABELS, Capabilities, user_role


def permissions(request: HttpRequest) -> dict[str, object]:
    """`can` (what the role may do), `user_role` and its translated `user_role_label`."""
    role = user_role(request.user)
    return {
        "can": Capabilities(request.user),
        "user_role": role,
        "user_role_label": ROLE_LABELS[role] if role is not None else "",
    }
