"""The client's path table is the project's contract with relay: it must say exactly what
the project's OpenAPI document (relaydash/relay/openapi.yaml) and relay-api.md say."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from relaydash.relay.client import PATHS

OPENAPI = Path(__file__).resolve().parents[2] / "relaydash" / "relay" / "openapi.yaml"
HTTP_METHODS = {"get", "put", "post", "delete", "options", "head", "patch", "trace"}

# The table in /work/shared/relay-api.md ("Operations").
DOCUMENTED = {
    "CreateAddress": ("POST", "/addresses"),
    "CreateCustomer": ("POST", "/customers"),
    "GetCustomers": ("GET", "/customers"),
    "CreateProperties": ("POST", "/properties"),
    "GetProperties": ("GET", "/properties"),
    "GetProperty": ("GET", "/properties/{propertyId}"),
    "GetOrders": ("GET", "/orders"),
    "GetOrder": ("GET", "/orders/{orderId}"),
    "PatchOrder": ("PATCH", "/orders/{orderId}"),
    "GetOrderComments": ("GET", "/orders/{orderId}/comments"),
    "CreateOrderComment": ("POST", "/orders/{orderId}/comments"),
    "CreateOrderField": ("POST", "/order-fields"),
}


def openapi_operations() -> dict[str, tuple[str, str]]:
    document: dict[str, Any] = yaml.safe_load(OPENAPI.read_text(encoding="utf-8"))
    found: dict[str, tuple[str, str]] = {}
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if method not in HTTP_METHODS:
                continue  # "parameters", "summary", ... shared by the path's operations
            operation_id = operation["operationId"]
            assert operation_id not in found, f"operationId {operation_id} used twice"
            found[operation_id] = (method.upper(), path)
    return found


def test_paths_match_the_documented_operations() -> None:
    assert PATHS == DOCUMENTED


def test_paths_match_the_openapi_document() -> None:
    assert OPENAPI.is_file(), f"{OPENAPI} is missing: the OpenAPI document is part of the contract"
    assert openapi_operations() == PATHS


def resolve(document: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    """Follow a local `$ref` ("#/components/parameters/OrderId")."""
    while "$ref" in node:
        target: Any = document
        for part in node["$ref"].removeprefix("#/").split("/"):
            target = target[part]
        node = target
    return node


def test_path_parameters_are_named_as_in_openapi() -> None:
    document: dict[str, Any] = yaml.safe_load(OPENAPI.read_text(encoding="utf-8"))
    for _method, path in PATHS.values():
        item = document["paths"][path]
        parameters = list(item.get("parameters", []))
        for method in HTTP_METHODS & item.keys():
            parameters += item[method].get("parameters", [])
        resolved = [resolve(document, p) for p in parameters]
        declared = {p["name"] for p in resolved if p["in"] == "path"}
        placeholders = {part[1:-1] for part in path.split("/") if part.startswith("{")}
        assert placeholders == declared, path
