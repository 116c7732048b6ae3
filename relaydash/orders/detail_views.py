"""The order detail page and its actions: status, due date, internal id, address,
comments and fields.

Each action is a real form that POSTs here and redirects back (works without
JavaScript) and, with htmx, swaps only its own part of the page. A failed action comes
back in its form with what the user entered and a specific message: 422 when the input
was refused (by the form or by relay), 503 when relay is unreachable, 404 when the order
is gone, 409 when someone else changed the order meanwhile (nothing is overwritten).
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any, Final

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.http import Http404, HttpResponse, HttpResponseBadRequest, HttpResponseRedirect
from django.shortcuts import redirect
from django.template.defaultfilters import filesizeformat
from django.template.response import TemplateResponse
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_POST

from relaydash.accounts.permissions import Action, require, user_can
from relaydash.accounts.selectors import audit_entries_for_order
from relaydash.display.phone import order_quick_call
from relaydash.orders import services
from relaydash.orders.detail_selectors import (
    OrderDetail,
    order_detail_get,
    order_fields_get,
    order_live_get,
    with_order,
)
from relaydash.orders.forms import (
    PATCH_FORMS,
    SETTABLE_STATUSES,
    CommentForm,
    CommentUploadLimit,
    OrderFieldForm,
    PatchPart,
    SeenMixin,
    order_from_seen,
    patch_form_for,
    sign_seen,
    unsign_seen,
)
from relaydash.orders.services import OrderChanged, order_changes
from relaydash.orders.status import ORDER_STATUS_LABELS, status_label
from relaydash.relay.client import MAX_COMMENT_BYTES, MAX_COMMENT_FILES, get_client
from relaydash.relay.errors import NotFound, RelayError
from relaydash.relay.records import Comment, Order
from relaydash.web import (
    HtmxHttpRequest,
    page_or_partial,
    relay_error_message,
    relay_error_status,
    relay_page_status,
    reload_requested,
    retry_after,
    retry_of,
)

TEMPLATE: Final = "orders/order_detail.html"
POLL_SECONDS: Final = 30
STATUS_CHOICES: Final = [(s.value, ORDER_STATUS_LABELS[s]) for s in SETTABLE_STATUSES]
PATCH_PARTS: Final = frozenset(part.value for part in PatchPart)
# Marks a 4xx/5xx answer whose body is the form to swap in (order-detail.js lets htmx
# swap those; other error pages are not swapped into a form).
FORM_ANSWER_HEADER: Final = "X-Relaydash-Form"

STATUS_SAVED = _("Status changed to “%(status)s”.")
DUE_DATE_SAVED = _("Due date saved.")
INTERNAL_ID_SAVED = _("Internal ID saved.")
ADDRESS_SAVED = _("Address saved.")
NOTHING_CHANGED = _("Nothing to save: the order already has this value.")
ORDER_CHANGED = _(
    "Someone changed this order while you had it open, so your change was not saved. "
    "Check what changed, then apply your change again or leave the order as it is now."
)
ORDER_CHANGED_ELSEWHERE = _("Details of the order that this page does not edit changed.")
COMMENT_POSTED = _("Comment posted. The property manager can read it.")
FILES_CHOOSE_AGAIN = _("Your files were not sent. Please choose them again before you retry.")
FIELD_ADDED = _("Field “%(name)s” added.")
ORDER_GONE = _("relay does not know this order (any more). It may have been deleted.")
SAVED_NOT_SHOWN = _("relay could not be asked for the updated list; reload the page to see it.")
ONE_PART_AT_A_TIME = _("Change one part of the order at a time.")

_SAVED: Final = {
    PatchPart.DUE_DATE: DUE_DATE_SAVED,
    PatchPart.INTERNAL_ID: INTERNAL_ID_SAVED,
    PatchPart.ADDRESS: ADDRESS_SAVED,
}
# The parts that open a form on demand ("Change due date", "Add a field"): the page
# itself renders none of these forms, which keeps it light for everyone.
EDIT_PARTS: Final = {
    "due_date": Action.ORDER_DUE_DATE,
    "internal_id": Action.ORDER_INTERNAL_ID,
    "address": Action.ORDER_ADDRESS,
    "field": Action.ORDER_FIELD,
}
# Where each part sits on the page, for the redirect after a POST without JavaScript.
ANCHORS: Final = {
    PatchPart.STATUS: "order-status",
    PatchPart.DUE_DATE: "order-due_date",
    PatchPart.INTERNAL_ID: "order-internal_id",
    PatchPart.ADDRESS: "order-address",
    "comment": "comments",
    "field": "fields",
}


def _error_message(error: RelayError) -> str:
    """A write's failure, as its form says it."""
    return str(ORDER_GONE) if isinstance(error, NotFound) else relay_error_message(error, write=True)


def _detail_url(order_id: int, anchor: str = "") -> str:
    url = reverse("orders:detail", args=[order_id])
    return f"{url}#{anchor}" if anchor else url


# The order's own URLs the page links, by the name the template uses (`urls.patch`, ...).
_ORDER_URLS: Final = {
    "detail": ("orders:detail", ()),
    "patch": ("orders:patch", ()),
    "comments": ("orders:comments", ()),
    "comment_create": ("orders:comment_create", ()),
    "field_create": ("orders:field_create", ()),
    **{f"part_{part}": ("orders:part", (part,)) for part in EDIT_PARTS},
}
# Stands for the order id while the URLs' shapes are made (no real id is this long).
_URL_ID_MARK: Final = 918_273_645_546_372_819


@lru_cache(maxsize=16)
def _order_url_shapes(script_prefix: str, urlconf: str) -> tuple[str, dict[str, tuple[str, str]]]:
    """The order list's URL, and each order URL split around the order id.

    The page links a dozen URLs of its order; `{% url %}` would run reverse() for each
    on every view. Their shapes depend only on the URLconf and the script prefix (the
    cache key), so reverse() runs once per process and the page only puts the id in.
    """
    mark = str(_URL_ID_MARK)
    shapes: dict[str, tuple[str, str]] = {}
    for key, (name, extra) in _ORDER_URLS.items():
        head, found, tail = reverse(name, urlconf=urlconf, args=[_URL_ID_MARK, *extra]).rpartition(mark)
        if not found:
            raise ImproperlyConfigured(f"The URL {name} has no order id.")
        shapes[key] = (head, tail)
    return reverse("orders:list", urlconf=urlconf), shapes


def _order_urls(order_id: int) -> dict[str, str]:
    """What `{% url ... order_id %}` gives for each of `_ORDER_URLS`, plus `list`."""
    list_url, shapes = _order_url_shapes(get_script_prefix(), get_urlconf() or settings.ROOT_URLCONF)
    urls = {key: f"{head}{order_id}{tail}" for key, (head, tail) in shapes.items()}
    urls["list"] = list_url
    return urls


def _editing(request: HtmxHttpRequest, part: str) -> str:
    """`part` when the user may edit it (from ?edit= on the page), else ""."""
    action = EDIT_PARTS.get(part)
    return part if action is not None and user_can(request.user, action) else ""


def _context(
    request: HtmxHttpRequest,
    order_id: int,
    detail: OrderDetail | None,
    *,
    order: Order | None = None,
    patch_form: SeenMixin | None = None,
    comment_form: CommentForm | None = None,
    field_form: OrderFieldForm | None = None,
    edit_part: str = "",
    **extra: Any,
) -> dict[str, Any]:
    """The page's context; the partials use the parts of it they need.

    `detail` is None when relay could not be read. `order` then stands in for the parts
    (a failed patch shows the order as the user last saw it). Forms exist only for a
    part being edited (`edit_part`) or sent back with errors (`patch_form`, ...).
    """
    order = detail.order if detail is not None else order
    # Every part named, None when not being edited: the template looks each one up.
    patch_forms: dict[str, SeenMixin | None] = dict.fromkeys(PATCH_PARTS)
    if patch_form is not None:
        patch_forms[patch_form.part.value] = patch_form
    elif order is not None and edit_part in PATCH_PARTS:
        patch_forms[edit_part] = patch_form_for(PatchPart(edit_part), order)
    if field_form is None and edit_part == "field":
        field_form = OrderFieldForm(initial={"position": detail.next_field_position if detail else 1})
    context: dict[str, Any] = {
        "order_id": order_id,
        "detail": detail,
        "order": order,
        "customer": detail.customer if detail else None,
        "comments": detail.comments if detail else None,
        "fields": detail.fields if detail else None,
        "quick_call": order_quick_call(order),
        "patch_forms": patch_forms,
        "status_choices": STATUS_CHOICES,
        "status_now": order.status_text if order is not None else None,
        "urls": _order_urls(order_id),
        "seen_updated_at": (order.updated_at or "") if order is not None else "",
        "seen_values": sign_seen(order) if order is not None else "",
        "comment_form": comment_form if comment_form is not None else CommentForm(),
        "field_form": field_form,
        # Numbers for data-* attributes and sentences, as text: not localized per view.
        "max_comment_files": str(MAX_COMMENT_FILES),
        "max_comment_bytes": str(MAX_COMMENT_BYTES),
        "max_comment_size": filesizeformat(MAX_COMMENT_BYTES),
        "poll_seconds": str(POLL_SECONDS),
        "files_again": FILES_CHOOSE_AGAIN,
        "audit_entries": audit_entries_for_order(order_id=order_id),
        # What the template asks about on every view, set so that asking is cheap; the
        # views that need them pass other values in `extra`.
        "page_error": "",
        "retry_of": "",
        "active_part": "",
        "focus_part": "",
        "oob": False,
    }
    context.update(extra)
    return context


def _form_failed(
    request: HtmxHttpRequest,
    order_id: int,
    partial: str,
    *,
    status: int,
    active_part: str,
    **context_args: Any,
) -> TemplateResponse:
    """A form coming back with what the user entered and why it failed.

    With htmx only the form's part is swapped. Without JavaScript the whole page is
    shown with that form filled in, or only that form when relay cannot be read.
    """
    detail = None
    if not request.htmx:
        try:
            detail = order_detail_get(client=get_client(), order_id=order_id)
        except RelayError:
            detail = None
    context = _context(
        request, order_id, detail, active_part=active_part, anchor=ANCHORS[active_part], **context_args
    )
    response = page_or_partial(request, TEMPLATE, partial, context, status=status)
    response[FORM_ANSWER_HEADER] = "error"
    return response


@require_GET
@require(Action.VIEW)
def order_detail(request: HtmxHttpRequest, order_id: int) -> HttpResponse:
    try:
        detail = order_detail_get(client=get_client(), order_id=order_id, fresh=reload_requested(request))
    except NotFound as error:
        raise Http404(str(ORDER_GONE)) from error
    except RelayError as error:
        context = _context(request, order_id, None, page_error=relay_error_message(error))
        return TemplateResponse(request, TEMPLATE, context, status=relay_page_status(error))
    edit_part = _editing(request, request.GET.get("edit", ""))
    return TemplateResponse(request, TEMPLATE, _context(request, order_id, detail, edit_part=edit_part))


@require_GET
@require(Action.VIEW)
def order_part(request: HtmxHttpRequest, order_id: int, part: str) -> HttpResponse:
    """One editable part, as a form (`?edit=1`) or as it reads (after "Cancel"), with
    the order's current values. Without htmx: the page with that part open."""
    if part not in EDIT_PARTS:
        raise Http404(str(ORDER_GONE))
    editing = request.GET.get("edit") == "1"
    if editing and not _editing(request, part):
        raise PermissionDenied
    if not request.htmx:
        query = f"?edit={part}" if editing else ""
        return HttpResponseRedirect(f"{reverse('orders:detail', args=[order_id])}{query}#order-{part}")
    try:
        detail = order_detail_get(client=get_client(), order_id=order_id, with_customer=False)
    except NotFound as error:
        raise Http404(str(ORDER_GONE)) from error
    except RelayError as error:
        # order-detail.js shows this sentence next to the link that asked.
        message = relay_error_message(error)
        return HttpResponse(
            message, status=relay_error_status(error), content_type="text/plain; charset=utf-8"
        )
    context = _context(request, order_id, detail, edit_part=part if editing else "", active_part=part)
    if editing:
        _focus_first_field(context["field_form"] if part == "field" else context["patch_forms"][part])
    else:
        context["focus_part"] = part
    return page_or_partial(request, TEMPLATE, "patch_part_any", context)


def _focus_first_field(form: Any) -> None:
    """Land the keyboard in the form that just opened (app.js focuses this mark)."""
    first = next(field for field in form.fields.values() if not field.widget.is_hidden)
    first.widget.attrs["data-focus-after-swap"] = ""


def _posted_part(request: HtmxHttpRequest) -> PatchPart:
    """The part a patch changes. Every part whose fields appear in the POST needs its
    own permission, whatever `part` says: a field worker posting a due date gets 403.
    ValueError when the POST names no part or several."""
    posted = {part for part in PatchPart if part.keys & request.POST.keys()}
    named = request.POST.get("part", "")
    if named in PATCH_PARTS:
        posted.add(PatchPart(named))
    for part in posted:
        if not user_can(request.user, part.action):
            raise PermissionDenied
    if len(posted) != 1:
        raise ValueError("a patch changes exactly one part")
    return posted.pop()


@require_POST
@require(Action.ORDER_STATUS)
def order_patch(request: HtmxHttpRequest, order_id: int) -> HttpResponse:
    """PatchOrder for one part, refused with a conflict notice when the order changed
    since the user loaded it."""
    try:
        part = _posted_part(request)
    except ValueError:
        return HttpResponseBadRequest(str(ONE_PART_AT_A_TIME))
    form = PATCH_FORMS[part](request.POST)
    partial = "patch_result"
    if not form.is_valid():
        return _form_failed(
            request,
            order_id,
            partial,
            status=422,
            active_part=part.value,
            order=order_from_seen(form, order_id),
            patch_form=form,
        )
    client = get_client()
    since = retry_of(request)
    try:
        result = services.order_patch(
            client=client,
            actor=request.user,
            order_id=order_id,
            changes=form.to_patch(),
            seen_updated_at=form.cleaned_data["seen_updated_at"],
            seen=form.seen(),
            retry=since is not None,
        )
    except OrderChanged as changed:
        current = changed.current
        changes = order_changes(seen=form.seen(), current=current)
        # The user's values against the order as it is now: one click applies them.
        again = {"seen_updated_at": current.updated_at or "", "seen_values": sign_seen(current)}
        reapply = PATCH_FORMS[part]({**request.POST.dict(), **again})
        context = _context(
            request,
            order_id,
            with_order(current),
            active_part=part.value,
            anchor=ANCHORS[part],
            conflict=True,
            conflict_message=ORDER_CHANGED,
            changed_elsewhere=ORDER_CHANGED_ELSEWHERE,
            changes=changes,
            changed_parts={change.field for change in changes},
            reapply_form=reapply,
            reapply_value=form.wanted(),
        )
        response = page_or_partial(request, TEMPLATE, partial, context, status=409)
        response[FORM_ANSWER_HEADER] = "conflict"
        return response
    except RelayError as error:
        return _form_failed(
            request,
            order_id,
            partial,
            status=relay_error_status(error),
            active_part=part.value,
            order=order_from_seen(form, order_id),
            patch_form=form,
            form_error=_error_message(error),
            retry_of=retry_after(error, since or timezone.now()),
        )

    if not result.changed:
        note = str(NOTHING_CHANGED)
    elif part is PatchPart.STATUS:
        note = str(STATUS_SAVED % {"status": status_label(result.order)})
    else:
        note = str(_SAVED[part])
    if not request.htmx:
        messages.success(request, note)
        return redirect(_detail_url(order_id, ANCHORS[part]))
    # A patch relay confirmed is not read back (two relay calls): the page's snapshot
    # says its own patch moved updatedAt on (services.order_patch).
    own_patch_from = (result.order.updated_at or "") if result.local else ""
    context = _context(
        request,
        order_id,
        with_order(result.order),
        active_part=part.value,
        saved_note=note,
        seen_values=sign_seen(result.order, own_patch_from=own_patch_from),
    )
    response = page_or_partial(request, TEMPLATE, partial, context)
    response["HX-Trigger"] = "orderPatched"
    return response


@require_GET
@require(Action.VIEW)
def order_comments(request: HtmxHttpRequest, order_id: int) -> HttpResponse:
    """The page's live update: comments newer than `?after=<comment id>`, newest first,
    and, with `?seen=<the page's signed snapshot>`, a notice listing what changed in
    relay since the page was shown (status, due date, internal id, address), so nobody
    works on from an outdated status. Without htmx this is the detail page's comments."""
    if not request.htmx:
        return HttpResponseRedirect(_detail_url(order_id, "comments"))
    raw_after = request.GET.get("after", "")
    after_id = int(raw_after) if raw_after.isascii() and raw_after.isdigit() else None
    seen = unsign_seen(request.GET.get("seen", ""))
    try:
        live = order_live_get(
            client=get_client(), order_id=order_id, after_id=after_id, with_order=bool(seen)
        )
    except NotFound as error:
        raise Http404(str(ORDER_GONE)) from error
    except RelayError as error:
        # The page keeps what it shows and asks again at the next tick.
        return HttpResponse(status=relay_error_status(error))
    changes = order_changes(seen=seen, current=live.order) if live.order is not None else []
    context = {
        "comments": live.comments,
        "order_id": order_id,
        "changes": changes,
        "urls": _order_urls(order_id),
    }
    response = page_or_partial(request, TEMPLATE, "live_update", context)
    response["Cache-Control"] = "no-store"
    return response


@csrf_exempt  # checked below, once the upload limit is in place (Django's documented way)
@require_POST
@require(Action.ORDER_COMMENT)
def order_comment_create(request: HtmxHttpRequest, order_id: int) -> HttpResponse:
    """CreateOrderComment as the signed-in person, with up to 10 files (100 MB).

    The upload limit must be installed before anything reads the body, and the CSRF
    check reads it: so the check runs here, after the limit, not in the middleware.
    """
    limit = CommentUploadLimit(request)
    request.upload_handlers.insert(0, limit)
    return _comment_create(request, order_id, limit)


@csrf_protect
def _comment_create(request: HtmxHttpRequest, order_id: int, limit: CommentUploadLimit) -> HttpResponse:
    form = CommentForm(request.POST, request.FILES, upload_stopped=limit.stopped)
    files_lost = bool(request.FILES) or limit.stopped
    partial = "comment_result"
    if not form.is_valid():
        return _form_failed(
            request,
            order_id,
            partial,
            status=422,
            active_part="comment",
            comment_form=form,
            files_lost=files_lost,
        )
    client = get_client()
    since = retry_of(request)
    attempted_at = since or timezone.now()
    try:
        services.order_comment_create(
            client=client,
            actor=request.user,
            order_id=order_id,
            text=form.cleaned_data["text"],
            files=form.cleaned_data["attachments"],
            attempted_at=attempted_at,
            retry=since is not None,
        )
    except RelayError as error:
        return _form_failed(
            request,
            order_id,
            partial,
            status=relay_error_status(error),
            active_part="comment",
            comment_form=form,
            files_lost=files_lost,
            form_error=_error_message(error),
            retry_of=retry_after(error, attempted_at),
        )
    if not request.htmx:
        messages.success(request, str(COMMENT_POSTED))
        return redirect(_detail_url(order_id, "comments"))
    comments: list[Comment] | None
    try:
        live = order_live_get(client=client, order_id=order_id)
        comments, skipped = live.comments, live.skipped
    except RelayError:
        comments, skipped = None, ()
    note = str(COMMENT_POSTED) if comments is not None else f"{COMMENT_POSTED} {SAVED_NOT_SHOWN}"
    context = _context(
        request,
        order_id,
        None,
        active_part="comment",
        saved_note=note,
        comments=comments,
        comments_skipped=skipped,
    )
    response = page_or_partial(request, TEMPLATE, partial, context)
    response["HX-Trigger"] = "commentPosted"
    return response


@require_POST
@require(Action.ORDER_FIELD)
def order_field_create(request: HtmxHttpRequest, order_id: int) -> HttpResponse:
    """CreateOrderField at the chosen position (the form suggests the next free one)."""
    form = OrderFieldForm(request.POST)
    partial = "field_result"
    if not form.is_valid():
        return _form_failed(request, order_id, partial, status=422, active_part="field", field_form=form)
    client = get_client()
    data = form.cleaned_data
    since = retry_of(request)
    try:
        services.order_field_create(
            client=client,
            actor=request.user,
            order_id=order_id,
            name=data["name"],
            content=data["content"],
            position=data["position"],
            retry=since is not None,
        )
    except RelayError as error:
        return _form_failed(
            request,
            order_id,
            partial,
            status=relay_error_status(error),
            active_part="field",
            field_form=form,
            form_error=_error_message(error),
            retry_of=retry_after(error, since or timezone.now()),
        )
    note = str(FIELD_ADDED % {"name": data["name"]})
    if not request.htmx:
        messages.success(request, note)
        return redirect(_detail_url(order_id, "fields"))
    try:
        fields, next_position = order_fields_get(client=client, order_id=order_id)
    except RelayError:
        fields, next_position = None, data["position"] + 1
    context = _context(
        request,
        order_id,
        None,
        active_part="field",
        saved_note=note if fields is not None else f"{note} {SAVED_NOT_SHOWN}",
        fields=fields,
        field_form=OrderFieldForm(initial={"position": next_position}),
    )
    response = page_or_partial(request, TEMPLATE, partial, context)
    response["HX-Trigger"] = "fieldAdded"
    return response
