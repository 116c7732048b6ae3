from django.http import HttpRequest

from relaydash.accounts.permissions import Capabilities, user_role


def permissions(request: HttpRequest) -> dict[str, object]:
    return {"can": Capabilities(request.user), "user_role": user_role(request.user)}
