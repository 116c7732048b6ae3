"""The one phone rule: what a tel: link dials, for the German spellings people write."""

import pytest
from django.template import Context, Template

from relaydash.display.phone import tel_href


@pytest.mark.parametrize(
    ("written", "href"),
    [
        ("+49 (0)89 123456", "tel:+4989123456"),
        ("+49(0)89-123456", "tel:+4989123456"),
        ("+49 (0) 30 1234 5678", "tel:+493012345678"),
        ("0049 (0)89 123456", "tel:004989123456"),
        ("089/123 456", "tel:089123456"),
        ("0171-1234567", "tel:01711234567"),
        ("+49 171 1234567", "tel:+491711234567"),
        ("(0 30) 12 34 56", "tel:030123456"),
        ("(030) 123 456-78", "tel:03012345678"),
        ("030 / 12 34 56 - 0", "tel:0301234560"),
        ("+49 30 12345-0", "tel:+4930123450"),
        (" +49 160 9876543 ", "tel:+491609876543"),
        ("Tel. 0 89 / 12 34 56", "tel:089123456"),
        ("+43 (0)1 234 5678", "tel:+4312345678"),
    ],
)
def test_tel_href_dials_what_the_number_means(written: str, href: str) -> None:
    assert tel_href(written) == href


@pytest.mark.parametrize("written", ["", None, "keine Angabe", "  "])
def test_no_digits_no_link(written: str | None) -> None:
    assert tel_href(written) == ""


def test_a_zero_in_brackets_inside_a_national_number_is_kept() -> None:
    # Only the "(0)" right after a country code is the trunk prefix people must not dial.
    assert tel_href("(0)89 123456") == "tel:089123456"


def test_order_and_directory_templates_share_the_rule() -> None:
    number = "+49 (0)89 123456"
    for library in ("display_tags", "directory_tags"):
        rendered = Template(f"{{% load {library} %}}{{{{ n|tel_href }}}}").render(Context({"n": number}))
        assert rendered == "tel:+4989123456"
