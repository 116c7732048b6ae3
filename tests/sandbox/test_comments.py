"""GetOrderComments and CreateOrderComment: multipart, attachments, relay's file limits."""

from collections.abc import Callable
from datetime import datetime
from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from relaydash.sandbox.models import Attachment, Comment, Order
from tests.sandbox.conftest import BASE, Api

pytestmark = pytest.mark.django_db

MakeOrder = Callable[..., Order]
MiB = 1024 * 1024


def test_get_order_comments_is_a_bare_array_oldest_first(api: Api, make_order: MakeOrder) -> None:
    order = make_order()
    Comment.objects.create(
        order=order, text="Später", author="B", created_at=datetime.fromisoformat("2026-11-05T10:00:00Z")
    )
    response = api.get(f"/orders/{order.pk}/comments")
    assert response.status_code == 200
    comments = response.json()
    assert [c["text"] for c in comments] == ["Termin vereinbart.", "Später"]
    assert set(comments[0]) == {"id", "text", "orderId", "author", "attachments", "createdAt"}
    assert comments[0]["attachments"][0]["name"] == "Protokoll.pdf"
    assert comments[1]["attachments"] == []


def test_create_order_comment_turns_files_into_attachments(api: Api, make_order: MakeOrder) -> None:
    order = make_order()
    files = [
        SimpleUploadedFile("Schaden.png", b"\x89PNG...", content_type="image/png"),
        SimpleUploadedFile("Angebot.pdf", b"%PDF-1.7", content_type="application/octet-stream"),
        SimpleUploadedFile("notiz", b"text", content_type=""),
    ]
    response = api.multipart(
        f"/orders/{order.pk}/comments", {"text": "Fotos anbei.", "authorName": "Jana Wolf", "files": files}
    )
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"id"}
    comments = api.get(f"/orders/{order.pk}/comments").json()
    new = comments[-1]
    assert new["id"] == body["id"]
    assert (new["text"], new["author"], new["orderId"]) == ("Fotos anbei.", "Jana Wolf", order.pk)
    assert [(a["name"], a["itemType"]) for a in new["attachments"]] == [
        ("Schaden.png", "image/png"),
        ("Angebot.pdf", "application/pdf"),
        ("notiz", "application/octet-stream"),
    ]
    assert datetime.fromisoformat(new["attachments"][0]["updatedAt"]) == datetime.fromisoformat(
        new["createdAt"]
    )
    order_attachments = api.get(f"/orders/{order.pk}").json()["attachments"]
    assert [a["name"] for a in order_attachments] == ["Foto.jpg"], "comment files stay on the comment"


def test_attachments_keep_no_file_contents() -> None:
    assert {field.name for field in Attachment._meta.get_fields()} == {
        "id", "order", "comment", "name", "item_type", "updated_at"
    }  # fmt: skip


def test_create_order_comment_without_files(api: Api, make_order: MakeOrder) -> None:
    order = make_order()
    response = api.multipart(f"/orders/{order.pk}/comments", {"text": "Erledigt.", "authorName": "Uwe"})
    assert response.status_code == 200
    assert api.get(f"/orders/{order.pk}/comments").json()[-1]["attachments"] == []


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"authorName": "Uwe"}, "text is required"),
        ({"text": "Hallo"}, "authorName is required"),
        ({"text": "  ", "authorName": "Uwe"}, "text must not be empty"),
        ({"text": "Hallo", "authorName": ""}, "authorName must not be empty"),
        (
            {"text": "Hallo", "authorName": "Uwe", "files": "not a file"},
            "files must be sent as file parts with a filename",
        ),
    ],
)
def test_create_order_comment_validates(
    api: Api, make_order: MakeOrder, data: dict[str, str], message: str
) -> None:
    order = make_order()
    response = api.multipart(f"/orders/{order.pk}/comments", data)
    assert response.status_code == 400
    assert response.json() == {"message": message}
    assert Comment.objects.filter(order=order).count() == 1


def test_create_order_comment_needs_multipart(api: Api, make_order: MakeOrder) -> None:
    order = make_order()
    response = api.post(f"/orders/{order.pk}/comments", {"text": "Hallo", "authorName": "Uwe"})
    assert response.status_code == 400
    assert response.json() == {"message": "request body must be multipart/form-data"}


def test_a_broken_multipart_body_is_a_400(api: Api, make_order: MakeOrder) -> None:
    order = make_order()
    response = api.client.post(
        f"{BASE}/orders/{order.pk}/comments", b"garbage", content_type="multipart/form-data"
    )
    assert response.status_code == 400
    assert response.json() == {"message": "request body could not be parsed"}


def test_create_order_comment_on_an_unknown_order_is_a_404(api: Api) -> None:
    response = api.multipart("/orders/5555/comments", {"text": "Hallo", "authorName": "Uwe"})
    assert response.status_code == 404
    assert response.json() == {"message": "order 5555 not found"}


def test_eleven_files_are_a_413(api: Api, make_order: MakeOrder) -> None:
    order = make_order()
    files = [SimpleUploadedFile(f"f{n}.txt", b"x", content_type="text/plain") for n in range(11)]
    response = api.multipart(
        f"/orders/{order.pk}/comments", {"text": "Viele", "authorName": "Uwe", "files": files}
    )
    assert response.status_code == 413
    assert response.json() == {"message": "at most 10 files per comment"}
    assert Comment.objects.filter(order=order).count() == 1


def test_ten_files_are_fine(api: Api, make_order: MakeOrder) -> None:
    order = make_order()
    files = [SimpleUploadedFile(f"f{n}.txt", b"x", content_type="text/plain") for n in range(10)]
    response = api.multipart(
        f"/orders/{order.pk}/comments", {"text": "Zehn", "authorName": "Uwe", "files": files}
    )
    assert response.status_code == 200
    assert len(api.get(f"/orders/{order.pk}/comments").json()[-1]["attachments"]) == 10


def test_a_content_length_over_the_limit_is_refused_before_reading(api: Api, make_order: MakeOrder) -> None:
    order = make_order()
    response = api.client.post(
        f"{BASE}/orders/{order.pk}/comments",
        b"--x--\r\n",
        content_type="multipart/form-data; boundary=x",
        CONTENT_LENGTH=str(200 * MiB),
    )
    assert response.status_code == 413
    assert response.json() == {"message": "files exceed 100 MiB in total"}


class ZeroFileBody:
    """A multipart body with one file of `size` zero bytes, produced as it is read, so
    the test sends over 100 MiB without ever holding it in memory."""

    def __init__(self, size: int) -> None:
        head = (
            b'--b\r\nContent-Disposition: form-data; name="text"\r\n\r\nGross\r\n'
            b'--b\r\nContent-Disposition: form-data; name="authorName"\r\n\r\nUwe\r\n'
            b'--b\r\nContent-Disposition: form-data; name="files"; filename="big.bin"\r\n'
            b"Content-Type: application/octet-stream\r\n\r\n"
        )
        self.parts = [BytesIO(head), None, BytesIO(b"\r\n--b--\r\n")]
        self.zeros = size
        self.length = len(head) + size + len(b"\r\n--b--\r\n")

    def read(self, size: int = -1) -> bytes:
        out = bytearray()
        want = self.length if size is None or size < 0 else size
        while len(out) < want and self.parts:
            part = self.parts[0]
            if part is None:
                take = min(self.zeros, want - len(out))
                out += bytes(take)
                self.zeros -= take
                if not self.zeros:
                    self.parts.pop(0)
            else:
                chunk = part.read(want - len(out))
                if not chunk:
                    self.parts.pop(0)
                out += chunk
        return bytes(out)

    def readline(self, size: int = -1) -> bytes:
        return self.read(size)


def test_files_over_100_mib_in_total_are_a_413_while_streaming(api: Api, make_order: MakeOrder) -> None:
    order = make_order()
    body = ZeroFileBody(100 * MiB + 1)
    response = api.client.generic(
        "POST",
        f"{BASE}/orders/{order.pk}/comments",
        **{
            "wsgi.input": body,
            "CONTENT_LENGTH": str(body.length),
            "CONTENT_TYPE": "multipart/form-data; boundary=b",
        },
    )
    assert response.status_code == 413
    assert response.json() == {"message": "files exceed 100 MiB in total"}
    assert Comment.objects.filter(order=order).count() == 1


def test_a_file_of_exactly_100_mib_is_accepted(api: Api, make_order: MakeOrder) -> None:
    order = make_order()
    body = ZeroFileBody(100 * MiB)
    response = api.client.generic(
        "POST",
        f"{BASE}/orders/{order.pk}/comments",
        **{
            "wsgi.input": body,
            "CONTENT_LENGTH": str(body.length),
            "CONTENT_TYPE": "multipart/form-data; boundary=b",
        },
    )
    assert response.status_code == 200
    attachment = Attachment.objects.get(comment_id=response.json()["id"])
    assert (attachment.name, attachment.item_type) == ("big.bin", "application/octet-stream")


def test_a_garbled_content_length_is_not_a_500(api: Api, make_order: MakeOrder) -> None:
    order = make_order()
    response = api.client.post(
        f"{BASE}/orders/{order.pk}/comments",
        b"--x--\r\n",
        content_type="multipart/form-data; boundary=x",
        CONTENT_LENGTH="lots",
    )
    assert response.status_code == 400
