"""What every operation shares: the Bearer key, methods, unknown paths, bad bodies."""

import json

import pytest
from django.test import Client

from tests.sandbox.conftest import BASE, Api

pytestmark = pytest.mark.django_db

ENDPOINTS = [
    ("post", "/addresses"),
    ("post", "/customers"),
    ("get", "/customers"),
    ("post", "/properties"),
    ("get", "/properties?limit=1&offset=0"),
    ("get", "/properties/1"),
    ("get", "/orders"),
    ("get", "/orders/1"),
    ("patch", "/orders/1"),
    ("get", "/orders/1/comments"),
    ("post", "/orders/1/comments"),
    ("post", "/order-fields"),
]


@pytest.mark.parametrize(("method", "path"), ENDPOINTS)
@pytest.mark.parametrize(
    "header", [None, "Bearer wrong-key", "Basic dGVzdDp0ZXN0", "Bearer", "test-sandbox-key"]
)
def test_every_operation_needs_the_bearer_key(method: str, path: str, header: str | None) -> None:
    client = Client(headers={"Authorization": header} if header else {})
    response = getattr(client, method)(BASE + path)
    assert response.status_code == 401
    assert response["Content-Type"] == "application/json"
    assert response["WWW-Authenticate"] == "Bearer"
    assert response.json() == {"message": "missing or invalid API key"}


def test_the_key_is_compared_in_full(api: Api, settings: object) -> None:
    client = Client(headers={"Authorization": "Bearer test-sandbox-key-and-more"})
    assert client.get(BASE + "/orders").status_code == 401
    assert api.get("/orders").status_code == 200


@pytest.mark.parametrize(
    ("method", "path", "allow"),
    [
        ("put", "/addresses", "POST"),
        ("get", "/addresses", "POST"),
        ("delete", "/customers", "GET, POST"),
        ("post", "/orders", "GET"),
        ("delete", "/orders/1", "GET, PATCH"),
        ("patch", "/orders/1/comments", "GET, POST"),
        ("get", "/order-fields", "POST"),
        ("put", "/properties/1", "GET"),
    ],
)
def test_a_wrong_method_is_a_json_405(api: Api, method: str, path: str, allow: str) -> None:
    response = getattr(api.client, method)(BASE + path)
    assert response.status_code == 405
    assert response["Allow"] == allow
    assert response.json()["message"] == f"method {method.upper()} is not allowed here"


@pytest.mark.parametrize("path", ["/nothing", "/orders/1/2", "/orders/", "/", "/addresses/"])
def test_an_unknown_path_is_a_json_404(api: Api, path: str) -> None:
    response = api.client.get(BASE + path)
    assert response.status_code == 404
    assert response.json()["message"].startswith("no such endpoint")


def test_an_unknown_path_still_needs_the_key() -> None:
    assert Client().get(BASE + "/nothing").status_code == 401


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"", "request body must be a JSON object"),
        (b"   ", "request body must be a JSON object"),
        (b"{not json", "request body is not valid JSON"),
        (b"\xff\xfe", "request body is not valid JSON"),
        (b"[" * 100_000, "request body is not valid JSON"),
        (b"[]", "request body must be a JSON object"),
        (b'"text"', "request body must be a JSON object"),
        (b"42", "request body must be a JSON object"),
        (b"null", "request body must be a JSON object"),
    ],
)
@pytest.mark.parametrize("path", ["/addresses", "/customers", "/properties", "/order-fields"])
def test_a_body_that_is_not_a_json_object_is_a_400(api: Api, path: str, body: bytes, message: str) -> None:
    response = api.post(path, body)
    assert response.status_code == 400
    assert response.json() == {"message": message}


def test_a_json_body_over_the_upload_limit_is_a_413(api: Api, settings: object) -> None:
    body = json.dumps({"streetAddress": "x" * (6 * 1024 * 1024)})
    response = api.post("/addresses", body)
    assert response.status_code == 413
    assert response.json() == {"message": "request body is too large"}


def test_responses_are_compact_json(api: Api) -> None:
    response = api.get("/customers")
    assert response["Content-Type"] == "application/json"
    assert response.content == b'{"customers":[]}'
