"""Photos made small in the browser before a comment is sent (issue 14): a phone's
12-megapixel photo arrives in relay at most 2048 px on the long edge, under 1 MB and
upright; "send originals" and a page without JavaScript send it byte for byte; other
files are never touched. Chromium through Playwright against the sandbox, which is told
to keep the files it receives (RELAY_SANDBOX_KEEP_FILES_DIR)."""

import hashlib
import io
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from PIL import Image, ImageOps
from playwright.sync_api import Browser, Page, expect

from relaydash.accounts.permissions import Role
from relaydash.relay.client import RelayClient
from relaydash.relay.records import Order
from relaydash.sandbox.models import Attachment
from relaydash.sandbox.uploads import kept_file_path
from tests.orders.test_browser_detail import open_order, visit
from tests.photos import HEIGHT, MARKER, ORIENTATION_TAG, WIDTH, phone_photo

pytestmark = pytest.mark.browser

PDF = b"%PDF-1.4\n" + bytes(range(256)) * 40 + b"\n%%EOF\n"
LONG_EDGE = 2048
ONE_MB = 1_000_000


@pytest.fixture
def browser_context_args(browser_context_args: dict[str, Any]) -> dict[str, Any]:
    """English words, whatever the machine's locale (German is tested by the catalog)."""
    return {**browser_context_args, "locale": "en-US"}


@pytest.fixture
def kept(settings: Any, tmp_path: Path) -> Path:
    """The sandbox keeps the files of new comments (in this test's folder)."""
    settings.RELAY_SANDBOX_KEEP_FILES_DIR = str(tmp_path)
    return tmp_path


@pytest.fixture
def original() -> bytes:
    return phone_photo()


@pytest.fixture
def order(
    seeded: RelayClient, kept: Path, live_server: Any, page: Page, sign_in: Callable[..., Any]
) -> Order:
    """A field worker on an open order's page, with the sandbox keeping what arrives."""
    order = open_order(seeded)
    sign_in(page, Role.FIELD)
    visit(page, live_server, order)
    return order


def camera(name: str, content: bytes, mime: str = "image/jpeg") -> dict[str, Any]:
    return {"name": name, "mimeType": mime, "buffer": content}


def arrived(seeded: RelayClient, order_id: int) -> dict[str, bytes]:
    """The files of the order's newest comment as the sandbox stored them, by name."""
    newest = max(seeded.get_order_comments(order_id), key=lambda c: c.id or 0)
    attachments = Attachment.objects.filter(comment_id=newest.id).order_by("id")
    return {a.name: kept_file_path(a.pk).read_bytes() for a in attachments}


def shown_bytes(text: str) -> float:
    """The size the selection shows ("812.3 KB", "2.7 MB") in bytes."""
    match = re.match(r"([\d.,]+)\s([KMG]?B)", text)
    assert match, text
    number = float(match.group(1).replace(",", ""))
    return number * {"B": 1, "KB": 1024, "MB": 1024**2, "GB": 1024**3}[match.group(2)]


def is_red(pixel: tuple[int, ...]) -> bool:
    red, green, blue = pixel[:3]
    return red > 200 and green < 80 and blue < 80


def post(page: Page) -> None:
    page.get_by_role("button", name="Post comment").click()
    expect(page.locator("#comment-form [role=status]")).to_contain_text("Comment posted.", timeout=30_000)


def test_a_phone_photo_arrives_small_and_upright(
    seeded: RelayClient, order: Order, original: bytes, page: Page
) -> None:
    workers: list[str] = []
    page.on("worker", lambda worker: workers.append(worker.url))
    refused: list[str] = []
    page.on("console", lambda m: "Content Security Policy" in m.text and refused.append(m.text))
    page.get_by_label("Comment", exact=True).fill("Rauchmelder getauscht.")
    page.locator("#comment-camera").set_input_files([camera("IMG_0412.jpg", original)])
    page.locator("#comment-files").set_input_files([camera("Prüfprotokoll.pdf", PDF, "application/pdf")])
    items = page.locator("[data-file-list] li")
    expect(items).to_have_count(2)
    expect(page.locator("[data-file-list]")).to_have_attribute("aria-busy", "false", timeout=60_000)
    photo_size = items.nth(0).locator(".chosen-file__size")
    expect(photo_size).to_have_text(re.compile(r"^[\d.]+\sKB, made smaller \(original 2\.7\sMB\)$"))
    expect(items.nth(1).locator(".chosen-file__size")).to_have_text(re.compile(r"^10\sKB$"))
    # The thumbnail is of the small photo, upright: portrait, at most 2048 px.
    thumb = items.nth(0).locator("img")
    width, height = thumb.evaluate("img => [img.naturalWidth, img.naturalHeight]")
    assert (width, height) == (1536, 2048)
    shown = shown_bytes(photo_size.text_content() or "")
    post(page)

    files = arrived(seeded, order.id or 0)
    assert sorted(files) == ["IMG_0412.jpg", "Prüfprotokoll.pdf"]
    assert files["Prüfprotokoll.pdf"] == PDF
    sent = files["IMG_0412.jpg"]
    assert len(sent) <= ONE_MB
    assert abs(shown - len(sent)) <= 0.05 * 1024 + 1  # the size shown is of what was sent
    image = Image.open(io.BytesIO(sent))
    assert image.format == "JPEG"
    assert image.getexif().get(ORIENTATION_TAG, 1) == 1  # nothing left for a viewer to turn
    # Stored 4000 × 3000 with "turn 90° clockwise": upright it is portrait, 1536 × 2048.
    assert image.size == (round(HEIGHT * LONG_EDGE / WIDTH), LONG_EDGE)
    upright_original = ImageOps.exif_transpose(Image.open(io.BytesIO(original)))
    assert is_red(upright_original.getpixel((HEIGHT - 10, 10)))  # the marker, top right
    scale = LONG_EDGE / WIDTH
    inside = int(MARKER * scale) // 2
    rgb = image.convert("RGB")
    assert is_red(rgb.getpixel((image.width - inside, inside)))
    assert not is_red(rgb.getpixel((inside, inside)))
    assert not is_red(rgb.getpixel((image.width - inside, image.height - inside)))
    # Made small in a web worker, under the page's Content-Security-Policy as it is.
    assert any(url.startswith("blob:") for url in workers), workers
    assert refused == []


def test_send_originals_sends_the_photo_byte_for_byte(
    seeded: RelayClient, order: Order, original: bytes, page: Page
) -> None:
    page.get_by_label("Comment", exact=True).fill("Zählerstand, jedes Detail zählt.")
    page.locator("#comment-camera").set_input_files([camera("IMG_0413.jpg", original)])
    size = page.locator("[data-file-list] li .chosen-file__size")
    expect(size).to_contain_text("made smaller", timeout=60_000)
    page.get_by_label("Send photos in full size (originals)").check()
    expect(size).to_have_text(re.compile(r"^2\.7\sMB$"))
    expect(page.locator("[data-file-summary]")).to_contain_text("1 of 10 files chosen, 2.7")
    post(page)

    files = arrived(seeded, order.id or 0)
    assert list(files) == ["IMG_0413.jpg"]
    assert hashlib.sha256(files["IMG_0413.jpg"]).hexdigest() == hashlib.sha256(original).hexdigest()
    # The next comment starts with small photos again.
    expect(page.get_by_label("Send photos in full size (originals)")).not_to_be_checked()


def test_send_tapped_while_the_photos_are_made_small_waits_for_them(
    seeded: RelayClient, order: Order, original: bytes, page: Page
) -> None:
    page.get_by_label("Comment", exact=True).fill("Gleich senden")
    page.locator("#comment-files").set_input_files(
        [camera("IMG_0415.jpg", original), camera("IMG_0416.jpg", original)]
    )
    post(page)
    files = arrived(seeded, order.id or 0)
    assert sorted(files) == ["IMG_0415.jpg", "IMG_0416.jpg"]
    for sent in files.values():
        assert len(sent) <= ONE_MB
        assert Image.open(io.BytesIO(sent)).size == (1536, 2048)


def test_a_photo_the_browser_cannot_read_is_sent_as_it_is(
    seeded: RelayClient, order: Order, page: Page
) -> None:
    broken = b"\xff\xd8\xff\xe0" + b"\x00" * 64
    page.get_by_label("Comment", exact=True).fill("Foto kaputt?")
    page.locator("#comment-camera").set_input_files([camera("kaputt.jpg", broken)])
    expect(page.locator("[data-file-list] li .chosen-file__size")).to_have_text(
        "68\u00a0B \u2013 could not be made smaller, the original is sent", timeout=60_000
    )
    post(page)
    assert arrived(seeded, order.id or 0) == {"kaputt.jpg": broken}


def test_without_javascript_the_original_is_sent(
    seeded: RelayClient,
    kept: Path,
    original: bytes,
    live_server: Any,
    browser: Browser,
    sign_in: Callable[..., Any],
) -> None:
    order = open_order(seeded)
    context = browser.new_context(java_script_enabled=False, locale="en-US")
    sign_in(context, Role.FIELD)
    page = context.new_page()
    visit(page, live_server, order)
    expect(page.get_by_label("Send photos in full size (originals)")).to_be_hidden()
    page.get_by_label("Comment", exact=True).fill("Ohne JavaScript, mit Foto")
    page.locator("#comment-camera").set_input_files([camera("IMG_0414.jpg", original)])
    page.get_by_role("button", name="Post comment").click()
    expect(page.locator(".messages")).to_contain_text("Comment posted.")
    assert arrived(seeded, order.id or 0) == {"IMG_0414.jpg": original}
    context.close()
