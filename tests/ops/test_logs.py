"""Log lines carry the request they belong to: its id (also a response header, taken from
the proxy when sane), the signed-in user and the relay operation."""

import io
import json
import logging
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.test import Client

from relaydash.accounts.permissions import Role
from relaydash.ops.logs import JsonFormatter, RequestContextFilter, logging_config
from relaydash.relay.client import RelayClient


@pytest.fixture
def json_lines() -> Iterator[Callable[[], list[dict[str, Any]]]]:
    """What the JSON handler of production writes, for the relaydash loggers."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(RequestContextFilter())
    logger = logging.getLogger("relaydash")
    logger.addHandler(handler)
    try:
        yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    finally:
        logger.removeHandler(handler)


def test_a_relay_call_is_logged_with_request_id_user_and_operation(
    seeded: RelayClient, client_as: Callable[..., Client], json_lines: Callable[[], list[dict[str, Any]]]
) -> None:
    client = client_as(Role.BACKOFFICE, username="erika")
    order = seeded.get_orders()[0]
    response = client.get(f"/orders/{order.id}/")
    assert response.status_code == 200
    request_id = response["X-Request-ID"]
    assert len(request_id) == 32
    lines = {line.get("relay_operation"): line for line in json_lines()}
    # GetCustomers is read beside GetOrder, in another thread: the same request's line.
    assert {lines[op]["request_id"] for op in ("GetOrder", "GetCustomers")} == {request_id}
    assert {lines[op]["user"] for op in ("GetOrder", "GetCustomers")} == {"erika"}
    line = lines["GetOrder"]
    assert line["level"] == "INFO" and line["logger"] == "relaydash.relay"
    assert line["message"].startswith("relay GetOrder GET -> 200 in ")
    assert line["time"].endswith("+00:00")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("incoming", "kept"),
    [("req-7f3a.42:b_9", True), ("", False), ("a b", False), ("x" * 129, False), ("id\nforged", False)],
)
def test_the_proxy_request_id_is_kept_only_when_sane(incoming: str, kept: bool) -> None:
    response = Client().get("/login/", headers={"X-Request-ID": incoming})
    assert (response["X-Request-ID"] == incoming) is kept
    assert response["X-Request-ID"].isalnum() or kept


def test_plain_is_the_default_and_json_is_one_object_per_line() -> None:
    plain = logging_config(log_format="plain", level="INFO")["formatters"]["relaydash"]
    assert plain["format"].startswith("%(asctime)s %(levelname)s %(name)s [%(request_id)s]")
    record = logging.LogRecord("relaydash.x", logging.ERROR, __file__, 1, "broke: %s", ("why",), None)
    RequestContextFilter().filter(record)
    line = JsonFormatter().format(record)
    assert "\n" not in line
    assert json.loads(line) | {"time": "t"} == {
        "time": "t",
        "level": "ERROR",
        "logger": "relaydash.x",
        "message": "broke: why",
        "request_id": "",
        "user": "",
    }
