"""Posting comments (with files) and the live comment updates, over the sandbox relay:
htmx and plain POST, the upload limits on the server, and relay's failures."""

import html
import re
from collections.abc import Callable
from typing import Any
from urllib.parse import quote

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import translation

from relaydash.accounts.models import AuditEntry
from relaydash.accounts.permissions import Role
from relaydash.orders import forms
from relaydash.orders.detail_views import COMMENT_POSTED, FILES_CHOOSE_AGAIN, ORDER_GONE
from relaydash.orders.forms import (
    COMMENT_FILES_OVER_LIMIT,
    COMMENT_TEXT_REQUIRED,
    COMMENT_TOO_LARGE,
    COMMENT_TOO_MANY_FILES,
    CommentForm,
)
from relaydash.relay.client import MAX_COMMENT_BYTES, RelayClient
from relaydash.relay.records import OrderPatch, OrderStatus
from relaydash.sandbox import faults
from relaydash.web import NOTHING_CHANGED, RELAY_FAILED, RELAY_REJECTED, RELAY_UNAVAILABLE
from tests.orders.detail_support import (
    HTMX,
    detail_url,
    english,
    get,
    pick,
    post,
    seen_of,
)

COMMENT_IDS = re.compile(r'data-comment-id="(\d+)"')


def photo(name: str, size: int = 2048, content_type: str = "image/jpeg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"\xff\xd8" + b"x" * (size - 2), content_type=content_type)


def send(client: Client, order_id: int, data: dict[str, Any], **kwargs: Any) -> Any:
    return post(client, detail_url(order_id, "comments/new"), data, **kwargs)


def test_comment_with_two_files_appears_at_the_top(
    seeded: RelayClient, client_as: Callable[..., Client]
) -> None:
    order = pick(seeded, lambda o: len(o.comments) >= 1)
    field = client_as(Role.FIELD, first_name="Jana", last_name="Schäfer")
    text = "Heizung läuft wieder.\nThermostat getauscht."
    files = [
        photo("vorher.jpg"),
        SimpleUploadedFile("bericht.pdf", b"%PDF-1.4 x", content_type="application/pdf"),
    ]
    response = send(field, order.id, {"text": text, "attachments": files})
    assert response.status_code == 200
    assert response["HX-Trigger"] == "commentPosted"
    body = response.content.decode()
    assert english(COMMENT_POSTED) in body
    # The fresh form comes first, empty; the whole timeline follows out of band.
    assert body.lstrip().startswith('<form id="comment-form"')
    assert (
        '<textarea name="text" id="comment-text"' in body and "Thermostat getauscht.</textarea>" not in body
    )
    timeline = body[body.index('<ol id="comment-list"') :]
    assert 'hx-swap-oob="true"' in timeline[: timeline.index(">")]
    comments = seeded.get_order_comments(order.id)
    newest = max(comments, key=lambda c: c.id or 0)
    assert newest.author == "Jana Schäfer"
    assert newest.text == text
    assert sorted(a.name for a in newest.attachments) == ["bericht.pdf", "vorher.jpg"]
    assert next(int(i) for i in COMMENT_IDS.findall(timeline)) == newest.id
    first = timeline[: timeline.index("</article>")]
    assert "Jana Schäfer" in first and "bericht.pdf" in first and "vorher.jpg" in first


def test_comment_is_audited_with_file_names_and_sizes_only(seeded: RelayClient, backoffice: Client) -> None:
    order = seeded.get_orders()[0]
    send(backoffice, order.id, {"text": "Foto anbei", "attachments": [photo("a.jpg", 3000)]})
    entry = AuditEntry.objects.get(operation="CreateOrderComment", target_id=str(order.id))
    assert entry.outcome == "ok"
    assert entry.summary["files"] == [{"name": "a.jpg", "size": 3000}]
    assert entry.summary["text"] == "Foto anbei"
    assert "xxxx" not in str(entry.summary)


def test_comment_without_javascript_redirects_to_the_timeline(
    seeded: RelayClient, backoffice: Client
) -> None:
    order = seeded.get_orders()[0]
    response = send(backoffice, order.id, {"text": "Ohne JavaScript"}, htmx=False)
    assert response.status_code == 302
    assert response["Location"] == f"/orders/{order.id}/#comments"
    page = get(backoffice, response["Location"]).content.decode()
    assert english(COMMENT_POSTED) in page
    assert "Ohne JavaScript" in page


def test_author_falls_back_to_the_username(seeded: RelayClient, client_as: Callable[..., Client]) -> None:
    order = seeded.get_orders()[0]
    client = client_as(Role.FIELD, username="monteur7", first_name="", last_name="")
    send(client, order.id, {"text": "Erledigt"})
    newest = max(seeded.get_order_comments(order.id), key=lambda c: c.id or 0)
    assert newest.author == "monteur7"


def test_the_form_says_comments_are_shared(seeded: RelayClient, backoffice: Client) -> None:
    page = get(backoffice, detail_url(seeded.get_orders()[0].id)).content.decode()
    assert "Shared with the property manager:" in page
    assert 'aria-describedby="comment-shared"' in page
    assert 'accept="image/*" capture="environment"' in page
    assert "multiple data-file-input" in page


def test_viewer_cannot_comment(seeded: RelayClient, client_as: Callable[..., Client]) -> None:
    order = seeded.get_orders()[0]
    before = len(seeded.get_order_comments(order.id))
    assert send(client_as(Role.VIEWER), order.id, {"text": "Hallo"}).status_code == 403
    assert len(seeded.get_order_comments(order.id)) == before


# --- The same limits on the server as in the browser ------------------------------------------


def test_eleven_files_are_refused_with_a_clear_message(seeded: RelayClient, backoffice: Client) -> None:
    order = seeded.get_orders()[0]
    before = len(seeded.get_order_comments(order.id))
    files = [photo(f"foto{i}.jpg", 100) for i in range(11)]
    response = send(backoffice, order.id, {"text": "Viele Fotos", "attachments": files})
    assert response.status_code == 422
    body = response.content.decode()
    assert english(COMMENT_TOO_MANY_FILES, max=10, count=11) in body
    assert "Viele Fotos</textarea>" in body
    assert english(FILES_CHOOSE_AGAIN) in body
    assert len(seeded.get_order_comments(order.id)) == before
    assert not AuditEntry.objects.exists()


def test_ten_files_are_fine(seeded: RelayClient, backoffice: Client) -> None:
    order = seeded.get_orders()[0]
    files = [photo(f"foto{i}.jpg", 100) for i in range(10)]
    assert send(backoffice, order.id, {"text": "Zehn Fotos", "attachments": files}).status_code == 200
    newest = max(seeded.get_order_comments(order.id), key=lambda c: c.id or 0)
    assert len(newest.attachments) == 10


class _Sized(SimpleUploadedFile):
    """An upload that reports a size without holding the bytes (for the 100 MB rule)."""

    def __init__(self, name: str, size: int) -> None:
        super().__init__(name, b"x", content_type="video/mp4")
        self.size = size


def test_more_than_100_mb_together_is_refused() -> None:
    files = {
        "attachments": [_Sized("a.mp4", MAX_COMMENT_BYTES // 2), _Sized("b.mp4", MAX_COMMENT_BYTES // 2 + 1)]
    }
    form = CommentForm({"text": "Video"}, files)  # type: ignore[arg-type]
    with translation.override("en"):  # no request here sets the language
        assert not form.is_valid()
    assert form.errors["attachments"] == [english(COMMENT_TOO_LARGE, max="100.0\xa0MB", total="100.0\xa0MB")]


def test_exactly_100_mb_is_fine() -> None:
    files = {
        "attachments": [_Sized("a.mp4", MAX_COMMENT_BYTES // 2), _Sized("b.mp4", MAX_COMMENT_BYTES // 2)]
    }
    assert CommentForm({"text": "Video"}, files).is_valid()  # type: ignore[arg-type]


def test_oversized_upload_is_stopped_while_it_arrives(
    seeded: RelayClient, backoffice: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without the browser's check, the server stops storing files past the limit."""
    monkeypatch.setattr(forms, "MAX_COMMENT_BYTES", 64 * 1024)
    order = seeded.get_orders()[0]
    before = len(seeded.get_order_comments(order.id))
    big = SimpleUploadedFile("film.mp4", b"x" * (200 * 1024), content_type="video/mp4")
    response = send(backoffice, order.id, {"text": "Großes Video", "attachments": [big]})
    assert response.status_code == 422
    body = response.content.decode()
    assert english(COMMENT_FILES_OVER_LIMIT, max="64.0\xa0KB") in body
    assert "Großes Video</textarea>" in body
    assert len(seeded.get_order_comments(order.id)) == before


def test_comment_needs_the_csrf_token(seeded: RelayClient, make_user: Callable[..., Any]) -> None:
    order = seeded.get_orders()[0]
    client = Client(enforce_csrf_checks=True)
    client.force_login(make_user(Role.FIELD))
    refused = send(client, order.id, {"text": "Ohne Token"})
    assert refused.status_code == 403
    page = get(client, detail_url(order.id)).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    assert token is not None
    sent = send(client, order.id, {"text": "Mit Token", "csrfmiddlewaretoken": token.group(1)})
    assert sent.status_code == 200
    assert max(seeded.get_order_comments(order.id), key=lambda c: c.id or 0).text == "Mit Token"


def test_empty_comment_is_refused(seeded: RelayClient, backoffice: Client) -> None:
    order = seeded.get_orders()[0]
    response = send(backoffice, order.id, {"text": "  \n "})
    assert response.status_code == 422
    body = response.content.decode()
    assert english(COMMENT_TEXT_REQUIRED) in body
    assert 'aria-invalid="true"' in body


# --- Relay failures: the text stays, and the page says to choose files again -------------------


def test_relay_500_keeps_the_text_and_asks_for_the_files(seeded: RelayClient, backoffice: Client) -> None:
    order = seeded.get_orders()[0]
    before = len(seeded.get_order_comments(order.id))
    faults.fail_next(status=500, operation="CreateOrderComment")
    text = "Wichtig: <bitte> lesen"
    response = send(backoffice, order.id, {"text": text, "attachments": [photo("x.jpg")]})
    assert response.status_code == 503
    assert response["X-Relaydash-Form"] == "error"
    body = response.content.decode()
    assert english(RELAY_FAILED, status=500) in body
    assert english(NOTHING_CHANGED) in body
    assert english(FILES_CHOOSE_AGAIN) in body
    assert "Wichtig: &lt;bitte&gt; lesen</textarea>" in body
    assert ">Try again</button>" in body
    assert len(seeded.get_order_comments(order.id)) == before
    failed = AuditEntry.objects.get(operation="CreateOrderComment")
    assert failed.outcome == "failed" and failed.summary["files"] == [{"name": "x.jpg", "size": 2048}]


def test_relay_refusal_shows_relays_message(seeded: RelayClient, backoffice: Client) -> None:
    order = seeded.get_orders()[0]
    faults.fail_next(status=400, operation="CreateOrderComment", body=b'{"message":"text too long"}')
    response = send(backoffice, order.id, {"text": "Sehr langer Text"})
    assert response.status_code == 422
    body = response.content.decode()
    assert english(RELAY_REJECTED, message="text too long") in body
    assert "Sehr langer Text</textarea>" in body
    assert english(FILES_CHOOSE_AGAIN) not in body  # no files were chosen


def test_relay_down_keeps_the_text(seeded: RelayClient, backoffice: Client, settings: Any) -> None:
    order = seeded.get_orders()[0]
    settings.RELAY_API_URL = "http://127.0.0.1:9/api"
    settings.RELAY_RETRIES = 0
    response = send(backoffice, order.id, {"text": "Offline geschrieben", "attachments": [photo("y.jpg")]})
    assert response.status_code == 503
    body = response.content.decode()
    assert "Offline geschrieben</textarea>" in body and english(FILES_CHOOSE_AGAIN) in body
    # Without JavaScript: the comment form alone, still filled in, since relay cannot be read.
    plain = send(backoffice, order.id, {"text": "Offline geschrieben"}, htmx=False)
    assert plain.status_code == 503
    page = plain.content.decode()
    assert "<html" in page and "Offline geschrieben</textarea>" in page
    assert english(RELAY_UNAVAILABLE) in page


def test_unknown_order_says_not_found(seeded: RelayClient, backoffice: Client) -> None:
    response = send(backoffice, 987654, {"text": "Hallo"})
    assert response.status_code == 404
    body = response.content.decode()
    assert english(ORDER_GONE) in body and "Hallo</textarea>" in body


# --- Live comments --------------------------------------------------------------------------------


def test_poll_returns_only_newer_comments(seeded: RelayClient, backoffice: Client) -> None:
    order = pick(seeded, lambda o: len(o.comments) >= 2)
    newest = max(order.comments, key=lambda c: c.id or 0)
    url = f"{detail_url(order.id, 'comments')}?after={newest.id}"
    nothing = get(backoffice, url, **HTMX)
    assert nothing.status_code == 200
    assert COMMENT_IDS.findall(nothing.content.decode()) == []
    first = seeded.create_order_comment(order.id, text="Neu 1", author_name="Hausverwaltung")
    second = seeded.create_order_comment(order.id, text="Neu 2", author_name="Hausverwaltung")
    response = get(backoffice, url, **HTMX)
    assert [int(i) for i in COMMENT_IDS.findall(response.content.decode())] == [second, first]
    assert response["Cache-Control"] == "no-store"


def test_poll_says_what_changed_in_relay_since_the_page_was_shown(
    seeded: RelayClient, backoffice: Client, settings: Any
) -> None:
    order = pick(seeded, lambda o: o.status is OrderStatus.OPEN)
    seen = seen_of(seeded, order.id, backoffice)["seen_values"]
    url = f"{detail_url(order.id, 'comments')}?after=0&seen={quote(html.unescape(seen))}"
    assert "data-order-changed" not in get(backoffice, url, **HTMX).content.decode()
    # Someone in casavi, not through relaydash: nothing marks the kept answer.
    casavi = RelayClient(base_url=seeded.base_url, api_key=settings.RELAY_API_KEY, retries=0)
    casavi.patch_order(order.id, OrderPatch(status=OrderStatus.IN_PROGRESS, internal_id="HV-77"))
    body = get(backoffice, url, **HTMX).content.decode()
    assert "This order was changed in relay since you opened this page." in body
    assert "Status: Open → <strong>In progress</strong>" in body
    assert "<strong><bdi>HV-77</bdi></strong>" in body
    assert f'href="/orders/{order.id}/"' in body
    # The order page shown next is the current one (the live read was kept).
    assert "HV-77" in get(backoffice, detail_url(order.id)).content.decode()


def test_poll_with_a_forged_snapshot_says_nothing_changed(seeded: RelayClient, backoffice: Client) -> None:
    order = seeded.get_orders()[0]
    url = f"{detail_url(order.id, 'comments')}?seen=not-signed"
    response = get(backoffice, url, **HTMX)
    assert response.status_code == 200
    assert "data-order-changed" not in response.content.decode()


def test_poll_without_htmx_goes_to_the_page(seeded: RelayClient, backoffice: Client) -> None:
    order = seeded.get_orders()[0]
    response = get(backoffice, detail_url(order.id, "comments"))
    assert response.status_code == 302
    assert response["Location"] == f"/orders/{order.id}/#comments"


def test_poll_while_relay_fails_answers_an_empty_error(seeded: RelayClient, backoffice: Client) -> None:
    order = seeded.get_orders()[0]
    faults.fail_next(status=500, operation="GetOrderComments")
    response = get(backoffice, detail_url(order.id, "comments"), **HTMX)
    assert response.status_code == 503
    assert response.content == b""
