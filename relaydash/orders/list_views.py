"""The order list (/ and /orders/), its 60-second refresh, and the CSV export.

Everything the list shows is in the URL query, so links can be shared, reload keeps
the view and back/forward works. htmx swaps only the results; a direct load of the same
URL (or a history restore) renders the whole page.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from typing import Any, Final

from django.http import HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from relaydash.accounts.permissions import Action, require
from relaydash.orderindex.sync import SyncStatus, index_ensure_filled
from relaydash.orders.export import CsvDialect, orders_csv
from relaydash.orders.list_forms import INVALID_FILTERS, OrderFilterForm
from relaydash.orders.selectors import (
    DUE_TODAY,
    MINE,
    UNASSIGNED,
    OrderFilters,
    OrderListing,
    SortKey,
    export_orders,
    list_orders,
)
from relaydash.orders.status import ORDER_STATUS_LABELS
from relaydash.relay.client import get_client
from relaydash.web import HtmxHttpRequest, page_or_partial, wants_partial

TEMPLATE: Final = "orders/order_list.html"

ALL_TAB: Final = _("All")
OVERDUE_TAB: Final = _("Overdue")
DUE_TODAY_TAB: Final = _("Due today")
UNASSIGNED_TAB: Final = _("Unassigned")
MINE_TAB: Final = _("Mine")

# The list reads the order index; these say how old it is and why, when relay is down.
RELAY_DOWN_NOTICE: Final = _("relay unreachable since %(since)s; list as of %(as_of)s.")
RELAY_DOWN_EMPTY: Final = _(
    "relay unreachable since %(since)s; the order list has not been filled yet. It fills as soon as "
    "relay answers."
)
FIRST_FILL: Final = _(
    "The order list is being filled from relay for the first time; please try again in a moment."
)
STALE_NOTICE: Final = _(
    "The order list has not been updated since %(as_of)s; the sync with relay may not be running."
)

# ids of elements whose own requests must leave the keyboard focus where it is
# (the search box while typing, the sort select, the background refresh).
_KEEP_FOCUS_TRIGGERS: Final = frozenset({"order-filter", "order-q", "order-sort", "order-refresh"})


@dataclass(frozen=True)
class Tab:
    key: str
    label: str
    count: int
    url: str
    current: bool


@dataclass(frozen=True)
class SortHeader:
    url: str
    aria_sort: str  # "ascending", "descending" or "" (not sorted by this column)
    label: str


def _url(filters: OrderFilters, *, page: int | None = None) -> str:
    query = filters.query(page=page)
    base = reverse("orders:list")
    return f"{base}?{query}" if query else base


def _tabs(filters: OrderFilters, listing: OrderListing) -> list[Tab]:
    """All, the two quick filters (overdue, due today) and one tab per status. A tab
    keeps the search and "more filters" but selects one of status, overdue or due
    today, never two; a hand-made URL with both quick filters marks neither. The
    Unassigned and Mine tabs are the "assigned to" filter's two quick values."""
    person = filters.assigned if filters.assigned.isdigit() else ""
    plain = OrderFilters(
        q=filters.q,
        due_from=filters.due_from,
        due_to=filters.due_to,
        customer=filters.customer,
        type=filters.type,
        assigned=person,
        planned=filters.planned,
        sort=filters.sort,
        me=filters.me,
    )
    counts = listing.counts
    no_status = filters.status is None and filters.assigned in ("", person)
    tabs = [
        Tab(
            "all",
            str(ALL_TAB),
            counts.all,
            _url(plain),
            no_status and not (filters.overdue or filters.due_today),
        ),
        Tab(
            "overdue",
            str(OVERDUE_TAB),
            counts.overdue,
            _url(replace(plain, overdue=True)),
            no_status and filters.overdue and not filters.due_today,
        ),
        Tab(
            "due_today",
            str(DUE_TODAY_TAB),
            counts.due_today,
            _url(replace(plain, due_today=True)),
            no_status and filters.due_today and not filters.overdue,
        ),
    ]
    no_tab = filters.status is None and not (filters.overdue or filters.due_today)
    for key, name, value, count in (
        ("unassigned", UNASSIGNED_TAB, UNASSIGNED, counts.unassigned),
        ("mine", MINE_TAB, MINE, counts.mine),
    ):
        tabs.append(
            Tab(
                key,
                str(name),
                count,
                _url(replace(plain, assigned=value)),
                no_tab and filters.assigned == value,
            )
        )
    for status, label in ORDER_STATUS_LABELS.items():
        tabs.append(
            Tab(
                status.value.lower(),
                str(label),
                counts.by_status.get(status, 0),
                _url(replace(plain, status=status)),
                filters.status == status,
            )
        )
    return tabs


def _sort_headers(filters: OrderFilters) -> dict[str, SortHeader]:
    """Column-header links: a click sorts by that column, a second click reverses it."""
    headers = {}
    for key in (SortKey.TITLE, SortKey.DUE):
        current = filters.sort_key is key
        if current and not filters.descending:
            aria, target = "ascending", f"-{key.value}"
        elif current:
            aria, target = "descending", key.value
        else:
            aria, target = "", key.value
        url = _url(replace(filters, sort=target))
        headers[key.value] = SortHeader(url=url, aria_sort=aria, label=key.label)
    return headers


def _page_links(filters: OrderFilters, listing: OrderListing) -> list[dict[str, Any]]:
    page = listing.page
    links: list[dict[str, Any]] = []
    for number in page.paginator.get_elided_page_range(page.number, on_each_side=1, on_ends=1):
        if isinstance(number, int):
            links.append({"number": number, "url": _url(filters, page=number)})
        else:
            links.append({"number": None, "url": ""})
    return links


def _clock(moment: dt.datetime, *, now: dt.datetime) -> str:
    """A time people read at a glance: "09:41" today, with the date on other days."""
    local = timezone.localtime(moment)
    if local.date() == timezone.localtime(now).date():
        return date_format(local, "H:i")
    return date_format(local, "SHORT_DATETIME_FORMAT")


def _sync_context(sync: SyncStatus, *, now: dt.datetime) -> dict[str, Any]:
    """How old the list is ("as of") and, when relay is down or the sync has stopped, a
    dated notice saying so."""
    as_of = _clock(sync.last_success_at, now=now) if sync.last_success_at else ""
    notice = ""
    if sync.failing and sync.failing_since is not None:
        since = _clock(sync.failing_since, now=now)
        if sync.filled:
            notice = str(RELAY_DOWN_NOTICE % {"since": since, "as_of": as_of})
        else:
            notice = str(RELAY_DOWN_EMPTY % {"since": since})
    elif sync.stale(now):
        notice = str(STALE_NOTICE % {"as_of": as_of})
    return {"as_of": as_of, "sync_notice": notice, "skipped": sync.skipped_records()}


def _listing_context(
    request: HtmxHttpRequest, *, form: OrderFilterForm, filters: OrderFilters
) -> tuple[dict[str, Any], int]:
    """Fetch and shape everything the list template needs; (context, HTTP status)."""
    now = timezone.now()
    context: dict[str, Any] = {
        "form": form,
        "filters": filters,
        "list_url": reverse("orders:list"),
        "due_today_value": DUE_TODAY,
        "invalid_filters_intro": INVALID_FILTERS,
        "invalid_fields": form.invalid_fields(),
        "query": filters.query(),
        "reset_url": _url(OrderFilters(sort=filters.sort)),
        "export_url": reverse("orders:export") + (f"?{filters.query()}" if filters.query() else ""),
        "export_comma_url": f"{reverse('orders:export')}?{filters.query(sep='comma')}",
        "now": now,
        "listing": None,
        "relay_error": "",
    }
    sync = index_ensure_filled(client=get_client())
    context.update(_sync_context(sync, now=now))
    if not sync.filled:
        context["relay_error"] = context["sync_notice"] or str(FIRST_FILL)
        context["sync_notice"] = ""
        return context, 503
    listing = list_orders(filters=filters, page=request.GET.get("page"), now=now)
    form.set_choices(customers=listing.customers, types=listing.types)
    page = listing.page
    context.update(
        listing=listing,
        tabs=_tabs(filters, listing),
        sort_headers=_sort_headers(filters),
        page_links=_page_links(filters, listing),
        prev_url=_url(filters, page=page.number - 1) if page.has_previous() else "",
        next_url=_url(filters, page=page.number + 1) if page.has_next() else "",
        page_url=_url(filters, page=page.number),
        shown_ids=",".join(str(row.order.id) for row in listing.rows),
        refresh_url=reverse("orders:list_refresh")
        + "?"
        + filters.query(
            page=page.number,
            shown=",".join(str(row.order.id) for row in listing.rows),
            total=str(listing.matches),
        ),
    )
    return context, 200


@require_GET
@require(Action.VIEW)
def order_list(request: HtmxHttpRequest) -> TemplateResponse:
    """The order list. A full page on direct loads and history restores; only the
    results (plus out-of-band tab counts and the result count) for htmx swaps."""
    form = OrderFilterForm(request.GET, me=request.user.pk)
    filters = form.filters()
    context, status = _listing_context(request, form=form, filters=filters)
    partial = wants_partial(request)
    context["oob"] = partial
    context["announce"] = partial
    context["focus_results"] = partial and request.htmx.trigger not in _KEEP_FOCUS_TRIGGERS
    response = page_or_partial(request, TEMPLATE, "results", context, status=status)
    if partial and context["listing"] is not None:
        # Push the short canonical URL, not the form's every empty field, and only when
        # it is a new place (the "show" button reloads the current one).
        same_place = request.htmx.current_url == request.build_absolute_uri(context["page_url"])
        response["HX-Push-Url"] = "false" if same_place else context["page_url"]
    return response


@require_GET
@require(Action.VIEW)
def order_list_refresh(request: HtmxHttpRequest) -> HttpResponse:
    """The 60-second refresh. If the current page would show the same orders in the same
    places, the rows are swapped in place (new statuses, comments, due states) and the
    counts updated; if not, the rows stay put under the user's finger and a
    "N new orders — show" notice appears instead. Opened directly (not by htmx) it
    leads to the list it refreshes, never to a bare fragment."""
    if not wants_partial(request):
        params = request.GET.copy()
        for name in ("shown", "total"):
            params.pop(name, None)
        query = params.urlencode()
        return redirect(reverse("orders:list") + (f"?{query}" if query else ""))
    form = OrderFilterForm(request.GET, me=request.user.pk)
    filters = form.filters()
    context, status = _listing_context(request, form=form, filters=filters)
    context["oob"] = True
    context["focus_results"] = False
    listing: OrderListing | None = context["listing"]
    if listing is None:
        response = TemplateResponse(request, f"{TEMPLATE}#refresh_failed", context)
        response["HX-Reswap"] = "none"
        response["Vary"] = "HX-Request"
        return response
    shown = [part for part in request.GET.get("shown", "").split(",") if part]
    now_shown = [str(row.order.id) for row in listing.rows]
    if shown == now_shown:
        context["announce"] = request.GET.get("total") != str(listing.matches)
        response = TemplateResponse(request, f"{TEMPLATE}#results", context, status=status)
    else:
        context["new_count"] = len(set(now_shown) - set(shown))
        response = TemplateResponse(request, f"{TEMPLATE}#refresh_changed", context)
        response["HX-Reswap"] = "none"
    response["Vary"] = "HX-Request"
    return response


@require_GET
@require(Action.VIEW)
def order_export(request: HtmxHttpRequest) -> HttpResponse:
    """CSV of every order matching the list's query (not just one page), Excel-ready:
    UTF-8 with BOM; semicolons by default (what German Excel splits on), commas with
    `?sep=comma`."""
    filters = OrderFilterForm(request.GET, me=request.user.pk).filters()
    dialect = CsvDialect.COMMA if request.GET.get("sep") == "comma" else CsvDialect.SEMICOLON
    now = timezone.now()
    sync = index_ensure_filled(client=get_client())
    if not sync.filled:
        message = _sync_context(sync, now=now)["sync_notice"] or str(FIRST_FILL)
        return TemplateResponse(request, "relay_error.html", {"message": message}, status=503)
    rows = export_orders(filters=filters, now=now)
    response = HttpResponse(orders_csv(rows=rows, dialect=dialect), content_type="text/csv; charset=utf-8")
    stamp = timezone.localtime(now).strftime("%Y-%m-%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="orders-{stamp}.csv"'
    return response
