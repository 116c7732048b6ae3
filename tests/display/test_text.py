"""relay's text on a page: bidirectional controls cannot reorder what follows."""

import pytest
from django.template import Context, Template

from relaydash.display.text import BIDI_CONTROLS, isolated, without_bidi_controls

SPOOFED = "Rechnung \u202efdp.exe"


def test_a_right_to_left_override_cannot_hide_the_real_extension() -> None:
    assert without_bidi_controls(SPOOFED) == "Rechnung fdp.exe"
    assert isolated(SPOOFED) == "<bdi>Rechnung fdp.exe</bdi>"


@pytest.mark.parametrize("control", list(BIDI_CONTROLS))
def test_every_bidi_control_is_removed(control: str) -> None:
    assert without_bidi_controls(f"a{control}b") == "ab"


def test_every_listed_control_is_covered() -> None:
    expected = {chr(c) for c in [*range(0x202A, 0x202F), *range(0x2066, 0x206A), 0x200E, 0x200F, 0x061C]}
    assert set(BIDI_CONTROLS) == expected


def test_text_is_escaped_and_right_to_left_letters_are_kept() -> None:
    assert isolated('<b>"x"</b>') == "<bdi>&lt;b&gt;&quot;x&quot;&lt;/b&gt;</bdi>"
    assert isolated("שלום 12") == "<bdi>שלום 12</bdi>"


@pytest.mark.parametrize("empty", [None, "", "\u202e"])
def test_empty_text_gives_nothing_so_default_applies(empty: str | None) -> None:
    rendered = Template('{% load display_tags %}{{ v|relay_text|default:"–" }}').render(Context({"v": empty}))
    assert rendered == "–"


def test_filters_in_templates() -> None:
    template = Template('{% load display_tags %}{{ v|relay_text }}|<a title="{{ v|relay_plain }}">')
    assert template.render(Context({"v": SPOOFED + "<"})) == (
        '<bdi>Rechnung fdp.exe&lt;</bdi>|<a title="Rechnung fdp.exe&lt;">'
    )
