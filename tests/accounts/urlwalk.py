"""Every URL pattern of the project, with a concrete sample URL for each.

Used by the URL walk (everything needs login) and by the role checks, which find the
guarded views here instead of in a list that would go stale as pages are added.
"""

import re
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.converters import IntConverter, UUIDConverter
from django.utils.regex_helper import normalize

from relaydash.accounts.permissions import Action


@dataclass(frozen=True)
class Route:
    name: str  # "namespace:name", or the regex when the pattern has no name
    url: str
    callback: Callable[..., Any]

    @property
    def namespace(self) -> str:
        return self.name.rpartition(":")[0]

    @property
    def required_action(self) -> Action | None:
        """The action `require()` guards this view with (function or class-based)."""
        action = getattr(self.callback, "required_action", None)
        view_class = getattr(self.callback, "view_class", None)
        if action is None and view_class is not None:
            action = getattr(view_class.dispatch, "required_action", None)
        return action

    @property
    def public(self) -> bool:
        return getattr(self.callback, "login_required", True) is False


def _bare(regex: str) -> str:
    return re.sub(r"(\\Z|\$)$", "", regex.removeprefix("^"))


def _sample(converter: Any) -> str:
    if isinstance(converter, IntConverter):
        return "1"
    if isinstance(converter, UUIDConverter):
        return str(uuid.UUID(int=1))
    return "sample"


def _walk(
    patterns: list[URLPattern | URLResolver], regex: str, namespace: str, converters: dict[str, Any]
) -> Iterator[Route]:
    for pattern in patterns:
        here = regex + _bare(pattern.pattern.regex.pattern)
        found = {**converters, **getattr(pattern.pattern, "converters", {})}
        if isinstance(pattern, URLResolver):
            inner = (
                f"{namespace}:{pattern.namespace}" if namespace and pattern.namespace else pattern.namespace
            )
            yield from _walk(pattern.url_patterns, here, inner or namespace, found)
            continue
        template, params = normalize(here)[0]
        url = "/" + template % {param: _sample(found.get(param)) for param in params}
        name = f"{namespace}:{pattern.name}" if namespace and pattern.name else (pattern.name or here)
        yield Route(name=name, url=url, callback=pattern.callback)


def all_routes() -> list[Route]:
    return list(_walk(get_resolver().url_patterns, "", "", {}))


def guarded_routes() -> list[Route]:
    return [route for route in all_routes() if route.required_action is not None]
