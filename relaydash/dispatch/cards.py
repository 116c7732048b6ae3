"""The week board's order card, as HTML, in one function.

A board shows hundreds of cards (30 people × 7 days, 600 orders and more); through the
template engine the cards cost several times the rest of the page, so a card is built
here, every value escaped exactly as autoescaping would (html.escape), and the template
keeps the page's structure. Words come in `labels`, translated once per page.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Mapping
from typing import Any

from django.utils.formats import date_format
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

from relaydash.dispatch.selectors import Stop
from relaydash.display.text import isolated, without_bidi_controls


def card_labels() -> dict[str, str]:
    """The card's words in the current language."""
    return {
        "move": gettext("Move"),
        "overdue": gettext("overdue"),
        "done": gettext("done"),
        "gone": gettext("gone: relay no longer returns it"),
        "untitled": gettext("Order without title"),
        "order": gettext("Order"),
        "no_day": gettext("%(name)s, no day yet"),
        "nobody": gettext("%(day)s, nobody yet"),
    }


def _esc(value: object) -> str:
    """Django's `escape` without its SafeString wrapper (the same html.escape)."""
    return html.escape(str(value))


def _partly(stop: Stop, labels: Mapping[str, str]) -> str:
    """On an unplanned card: the half of the plan it has (a person, or a day)."""
    plan = stop.assignment
    person = getattr(plan, "person", None)
    if plan is None:
        return ""
    if person is not None and plan.day is None:
        text = labels["no_day"] % {"name": person.get_full_name() or person.email}
    elif plan.day is not None and person is None:
        text = labels["nobody"] % {"day": date_format(plan.day, "SHORT_DATE_FORMAT")}
    else:
        return ""
    return f'<span class="board-card__meta">{_esc(text)}</span>'


def card_html(
    stop: Stop, *, labels: Mapping[str, str], week_query: str, moved_id: int | None, unplanned: bool = False
) -> str:
    """One card, every value escaped: title (a link to the order), number, city, time
    window, status, and "overdue" / "done" / "gone" in words, with the "Move" link (the
    keyboard's and the no-JavaScript way)."""
    classes = "board-card"
    if stop.overdue:
        classes += " board-card--overdue"
    if stop.finished:
        classes += " board-card--finished"
    if stop.gone:
        classes += " board-card--gone"
    if stop.order_id == moved_id:
        classes += " board-card--moved"
    key = _esc(stop.key)
    hidden_title = _esc(without_bidi_controls(stop.title or stop.key))
    if stop.gone:
        body = (
            f'<span class="board-card__title">{_esc(labels["order"])} {key}</span>'
            f' <strong class="board-card__flag">{_esc(labels["gone"])}</strong>'
        )
    else:
        meta = f'<span class="mono">{key}</span>'
        if stop.city:
            meta += f" · {isolated(stop.city)}"
        if stop.window:
            meta += f' · <span class="board-card__window">{_esc(stop.window)}</span>'
        state = f'<span class="{_esc(stop.status_class)}">{_esc(stop.status_label)}</span>'
        if stop.overdue:
            state += f' <strong class="board-card__flag">{_esc(labels["overdue"])}</strong>'
        if stop.finished:
            state += f' <span class="board-card__flag">✓ {_esc(labels["done"])}</span>'
        body = (
            f'<a class="board-card__title" href="{_esc(stop.url)}">'
            f"{isolated(stop.title) if stop.title else _esc(labels['untitled'])}</a>"
            f'<span class="board-card__meta">{meta}</span><span class="board-card__state">{state}</span>'
            f"{_partly(stop, labels) if unplanned else ''}"
        )
    return (
        f'<li class="{classes}" id="card-{key}" data-order="{key}" data-version="{stop.version:d}">{body}'
        f'<a class="board-card__move btn-link" href="?{_esc(week_query)}&amp;move={key}#board-plan"'
        " data-move>"
        f'{_esc(labels["move"])}<span class="visually-hidden"> {hidden_title}</span></a></li>'
    )


def cards_html(stops: Iterable[Stop], **options: Any) -> SafeString:
    """The cards of one cell (or of the unplanned column), in order."""
    return mark_safe("".join(card_html(stop, **options) for stop in stops))
