"""The order page with records relay sent that cannot be read (issue #9): the customer
block and the comments after posting say so instead of hiding it."""

from collections.abc import Callable

from django.core.cache import cache
from django.test import Client

from relaydash.accounts.permissions import Role
from relaydash.relay.client import RelayClient
from relaydash.sandbox import faults
from tests.orders.detail_support import detail_url, get, pick, post


def test_a_customer_relay_sent_unreadably_is_unavailable_not_missing(
    seeded: RelayClient, backoffice: Client
) -> None:
    first_customer = seeded.get_customers()[0]
    order = pick(seeded, lambda o: o.customer_id == first_customer.id)
    faults.mutate_answers(variant="one-unreadable", operations=["GetCustomers"])
    cache.clear()  # the list read above is kept; the page must read the rewritten one
    response = get(backoffice, detail_url(order.id))
    assert response.status_code == 200
    page = response.content.decode()
    assert "The customer could not be loaded from relay right now." in page
    assert "relay does not list customer" not in page


def test_comments_after_posting_name_the_ones_relay_sent_unreadably(
    seeded: RelayClient, client_as: Callable[..., Client]
) -> None:
    order = pick(seeded, lambda o: len(o.comments) >= 2)
    faults.mutate_answers(variant="one-unreadable", operations=["GetOrderComments"])
    field = client_as(Role.FIELD)
    response = post(field, detail_url(order.id, "comments/new"), {"text": "Erledigt."})
    assert response.status_code == 200
    timeline = response.content.decode().split('<ol id="comment-list"', 1)[1]
    assert "1 comment relay sent could not be read" in timeline
    assert timeline.count('<li class="timeline__item"') == len(order.comments)  # one new, one left out
