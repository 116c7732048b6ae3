"""Order detail views (being built)."""

from django.http import HttpRequest, HttpResponse


def order_detail(request: HttpRequest, order_id: int) -> HttpResponse:
    return HttpResponse("order detail")


def order_patch(request: HttpRequest, order_id: int) -> HttpResponse:
    return HttpResponse("order patch")


def order_comments(request: HttpRequest, order_id: int) -> HttpResponse:
    return HttpResponse("order comments")


def order_comment_create(request: HttpRequest, order_id: int) -> HttpResponse:
    return HttpResponse("order comment")


def order_field_create(request: HttpRequest, order_id: int) -> HttpResponse:
    return HttpResponse("order field")
