"""What every page shares: how relay failures reach people, and the htmx partial rule.

Pages (orders, directory) import this; it imports only the relay errors and the display
rule for relay's text.
"""

import datetime as dt
from collections.abc import Callable
from typing import Any, Final

from django.core import signing
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _
from django_htmx.middleware import HtmxDetails

from relaydash.display.text import without_bidi_controls
from relaydash.relay.errors import (
    BadResponse,
    NotFound,
    NotSaved,
    OutcomeUnknown,
    RelayError,
    TimedOut,
    Unauthorized,
    Unavailable,
    ValidationFailed,
)


class HtmxHttpRequest(HttpRequest):
    """The request type views annotate: HtmxMiddleware adds `htmx` to every request."""

    htmx: HtmxDetails


# Reads and writes share these sentences; a write that was not done adds NOTHING_CHANGED
# (a read changes nothing, so saying so there would only confuse).
RELAY_UNAVAILABLE = _("relay cannot be reached right now. Please try again in a moment.")
RELAY_FAILED = _("relay answered with an error (HTTP %(status)s). Please try again in a moment.")
RELAY_TIMED_OUT = _("relay did not answer in time. Please try again.")
RELAY_UNAUTHORIZED = _("relay refused the company's API key. Please tell your administrator.")
RELAY_BAD_RESPONSE = _("relay sent an answer relaydash does not understand. Please try again later.")
NOTHING_CHANGED = _("Nothing was changed.")
RELAY_NOT_FOUND = _("relay does not know this record (any more).")
RELAY_REJECTED = _("relay rejected the input: %(message)s")
# A write whose answer was lost, after relaydash looked in relay (see relay.outcomes).
WRITE_UNKNOWN = _(
    "relay may have saved this: its answer was lost, and relay could not be asked whether it did. "
    "What you sent is still in the form. When you send it again, relaydash first looks in relay "
    "and sends it only if relay does not have it."
)
WRITE_NOT_SAVED = _(
    "relay's answer was lost, so relaydash looked in relay: it does not have this. Nothing was "
    "saved; sending it again is safe."
)
# The hidden field that marks a form sent again after an unknown outcome.
RETRY_FIELD: Final = "retry_of"
_RETRY_SALT: Final = "relaydash.web.retry"


def reload_requested(request: HttpRequest) -> bool:
    """True when the person pressed reload: the browser then sends `Cache-Control:
    max-age=0` (or `no-cache` for a hard reload). Pages answer it with relay's current
    data instead of a kept answer, so reloading always shows what relay has now."""
    value = request.headers.get("Cache-Control", "").lower()
    directives = {part.strip().replace(" ", "") for part in value.split(",")}
    pragma = request.headers.get("Pragma", "").lower()
    return bool(directives & {"no-cache", "max-age=0", "no-store"}) or "no-cache" in pragma


def relay_error_message(error: RelayError, *, write: bool = False) -> str:
    """The sentence a person sees for a relay failure: what happened and what to do.

    relay failing (it answered 5xx) is told apart from relay out of reach and from relay
    too slow. With `write` (the failure of a write, which is then not done) the sentence
    says that nothing was changed; an unknown outcome never does.
    """
    if isinstance(error, OutcomeUnknown):
        return str(WRITE_UNKNOWN)
    if isinstance(error, NotSaved):
        return str(WRITE_NOT_SAVED)
    if isinstance(error, ValidationFailed):
        # relay's own words: untrusted text, so no direction control may reorder the page.
        return str(RELAY_REJECTED % {"message": without_bidi_controls(error.message)})
    if isinstance(error, NotFound):
        return str(RELAY_NOT_FOUND)
    if isinstance(error, Unauthorized):
        text = str(RELAY_UNAUTHORIZED)
    elif isinstance(error, BadResponse):
        text = str(RELAY_BAD_RESPONSE)
    elif isinstance(error, TimedOut):
        text = str(RELAY_TIMED_OUT)
    elif error.status is not None:
        text = str(RELAY_FAILED % {"status": error.status})
    else:
        text = str(RELAY_UNAVAILABLE)
    return f"{text} {NOTHING_CHANGED}" if write else text


def relay_error_status(error: RelayError) -> int:
    """The HTTP status a form or part answers with when relay failed: 422 for refused
    input, 404 for an unknown record, 503 when relay is unreachable, 502 otherwise.
    (The pages' scripts show an error status's sentence where the request came from.)"""
    if isinstance(error, ValidationFailed):
        return 422
    if isinstance(error, NotFound):
        return 404
    if isinstance(error, Unavailable):
        return 503
    return 502


def relay_page_status(error: RelayError) -> int:
    """The HTTP status a whole page (or a list's results) answers with when relay failed:
    as `relay_error_status`, except that an answer relay gave with a 2xx status that
    cannot be read is a 200 page saying so. relay and relaydash are both up; the page,
    with its message, is what there is to show, and the client has logged the record
    and field it could not read."""
    if isinstance(error, BadResponse) and error.status is not None and 200 <= error.status < 300:
        return 200
    return relay_error_status(error)


def retry_token(attempted_at: dt.datetime) -> str:
    """The hidden value a form carries after an unknown outcome: when the first attempt
    was made, signed (it decides what counts as done: a forged one must not hide a
    write)."""
    return signing.dumps(attempted_at.isoformat(), salt=_RETRY_SALT)


def retry_of(request: HttpRequest) -> dt.datetime | None:
    """When the first attempt of this form was made, if this POST sends again a write
    whose outcome was unknown (then the service looks in relay before sending)."""
    try:
        value = signing.loads(request.POST.get(RETRY_FIELD, ""), salt=_RETRY_SALT)
        return dt.datetime.fromisoformat(value)
    except (signing.BadSignature, TypeError, ValueError):
        return None


def retry_after(error: RelayError, attempted_at: dt.datetime) -> str:
    """The form's retry mark after a failed write: only an unknown outcome needs one
    (not done, or not found in relay: sending again is safe as it is)."""
    return retry_token(attempted_at) if isinstance(error, OutcomeUnknown) else ""


def wants_partial(request: HttpRequest) -> bool:
    """True for an htmx swap; False for a normal load and for htmx's history restore,
    which must get the whole page (or back/forward would show a bare fragment)."""
    htmx = getattr(request, "htmx", None)
    return htmx is not None and bool(htmx) and not htmx.history_restore_request


# The ONE rule for error answers to htmx: a partial rendered for an htmx request is what
# the page shows, error status or not, and says so with this header; app.js swaps every
# answer carrying it (htmx drops 4xx/5xx otherwise, and the page silently stays as it was).
# An error answer without it (a full error page, the server down) is shown as a failure
# next to the control that asked.
SWAP_ERROR_HEADER: Final = "X-Relaydash-Swap"


def page_or_partial(
    request: HttpRequest,
    template: str,
    partial: str,
    context: dict[str, Any],
    *,
    status: int = 200,
) -> TemplateResponse:
    """Render `template#partial` for htmx swaps and the full page otherwise, with
    `Vary: HX-Request` so no cache serves one for the other. An error status on a
    partial is marked to be swapped (SWAP_ERROR_HEADER)."""
    partial_wanted = wants_partial(request)
    name = f"{template}#{partial}" if partial_wanted else template
    response = TemplateResponse(request, name, context, status=status)
    response["Vary"] = "HX-Request"
    if partial_wanted and status >= 400:
        response[SWAP_ERROR_HEADER] = "1"
    return response


class RelayErrorMiddleware:
    """A safety net: a relay failure no view handled becomes a clear page (503/502/404),
    never a bare 500."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, RelayError):
            return None
        response = TemplateResponse(
            request,
            "relay_error.html",
            {"message": relay_error_message(exception), "error": exception},
            status=relay_page_status(exception),
        )
        return response.render()
