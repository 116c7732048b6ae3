"""The directory's rules over plain records."""

from relaydash.directory.selectors import CustomerSort, filter_customers
from relaydash.relay.records import Customer


def test_names_sort_by_their_visible_text() -> None:
    customers = [
        Customer(id=1, name="  Zeller GmbH"),
        Customer(id=2, name="Ahrens"),
        Customer(id=3, name=" Müller"),
    ]
    assert [c.id for c in filter_customers(customers, sort=CustomerSort.NAME)] == [2, 3, 1]
    assert [c.id for c in filter_customers(customers, sort=CustomerSort.NAME_DESC)] == [1, 3, 2]
