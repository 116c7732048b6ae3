"""Order list views (being built)."""

from django.http import HttpRequest, HttpResponse


def order_list(request: HttpRequest) -> HttpResponse:
    return HttpResponse("order list")


def order_export(request: HttpRequest) -> HttpResponse:
    return HttpResponse("order export")
