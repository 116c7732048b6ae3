"""Countries for address forms: ISO 3166-1 alpha-2 codes with names in the user's language.

relay takes `country` only as an officially assigned alpha-2 code, so the form offers
exactly those 249 codes (kept as a literal set: the list changes about once a decade, and
Babel's territory table also holds codes relay refuses, such as EU, XK or 419). The names
come from Babel's CLDR data, so a German user picks "Österreich" and an English one
"Austria", sorted the way people of that language expect.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache

from babel import Locale, UnknownLocaleError
from django.utils.translation import get_language

DEFAULT_COUNTRY = "DE"

# fmt: off
ISO_3166_ALPHA2: frozenset[str] = frozenset({
    "AD", "AE", "AF", "AG", "AI", "AL", "AM", "AO", "AQ", "AR", "AS", "AT", "AU", "AW", "AX", "AZ",
    "BA", "BB", "BD", "BE", "BF", "BG", "BH", "BI", "BJ", "BL", "BM", "BN", "BO", "BQ", "BR", "BS",
    "BT", "BV", "BW", "BY", "BZ",
    "CA", "CC", "CD", "CF", "CG", "CH", "CI", "CK", "CL", "CM", "CN", "CO", "CR", "CU", "CV", "CW",
    "CX", "CY", "CZ",
    "DE", "DJ", "DK", "DM", "DO", "DZ",
    "EC", "EE", "EG", "EH", "ER", "ES", "ET",
    "FI", "FJ", "FK", "FM", "FO", "FR",
    "GA", "GB", "GD", "GE", "GF", "GG", "GH", "GI", "GL", "GM", "GN", "GP", "GQ", "GR", "GS", "GT",
    "GU", "GW", "GY",
    "HK", "HM", "HN", "HR", "HT", "HU",
    "ID", "IE", "IL", "IM", "IN", "IO", "IQ", "IR", "IS", "IT",
    "JE", "JM", "JO", "JP",
    "KE", "KG", "KH", "KI", "KM", "KN", "KP", "KR", "KW", "KY", "KZ",
    "LA", "LB", "LC", "LI", "LK", "LR", "LS", "LT", "LU", "LV", "LY",
    "MA", "MC", "MD", "ME", "MF", "MG", "MH", "MK", "ML", "MM", "MN", "MO", "MP", "MQ", "MR", "MS",
    "MT", "MU", "MV", "MW", "MX", "MY", "MZ",
    "NA", "NC", "NE", "NF", "NG", "NI", "NL", "NO", "NP", "NR", "NU", "NZ",
    "OM",
    "PA", "PE", "PF", "PG", "PH", "PK", "PL", "PM", "PN", "PR", "PS", "PT", "PW", "PY",
    "QA",
    "RE", "RO", "RS", "RU", "RW",
    "SA", "SB", "SC", "SD", "SE", "SG", "SH", "SI", "SJ", "SK", "SL", "SM", "SN", "SO", "SR", "SS",
    "ST", "SV", "SX", "SY", "SZ",
    "TC", "TD", "TF", "TG", "TH", "TJ", "TK", "TL", "TM", "TN", "TO", "TR", "TT", "TV", "TW", "TZ",
    "UA", "UG", "UM", "US", "UY", "UZ",
    "VA", "VC", "VE", "VG", "VI", "VN", "VU",
    "WF", "WS",
    "YE", "YT",
    "ZA", "ZM", "ZW",
})
# fmt: on


def _locale(language: str | None) -> Locale:
    try:
        return Locale.parse((language or "de").replace("-", "_"))
    except (UnknownLocaleError, ValueError):
        return Locale.parse("en")


def _sort_key(name: str) -> str:
    # "Österreich" belongs with the O's, not after Z: drop accents, ignore case.
    decomposed = unicodedata.normalize("NFKD", name)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


@lru_cache(maxsize=16)
def _choices_for(language: str) -> tuple[tuple[str, str], ...]:
    territories = _locale(language).territories
    named = [(code, territories.get(code, code)) for code in ISO_3166_ALPHA2]
    return tuple(sorted(named, key=lambda item: _sort_key(item[1])))


def country_choices() -> tuple[tuple[str, str], ...]:
    """(code, name) pairs for a select, named and sorted in the active language."""
    return _choices_for(get_language() or "de")


def country_name(code: str | None) -> str:
    """The name of `code` in the active language; unknown codes are shown as sent."""
    if not code:
        return ""
    return _locale(get_language()).territories.get(code.upper(), code)


@lru_cache(maxsize=1)
def _codes_by_name() -> dict[str, str]:
    names: dict[str, str] = {}
    for language in ("en", "de"):
        territories = _locale(language).territories
        for code in ISO_3166_ALPHA2:
            if code in territories:
                names.setdefault(_sort_key(territories[code]), code)
    return names


def country_code_for_name(name: str) -> str | None:
    """The code for a German or English country name ("Deutschland", "germany"), as
    people type them into spreadsheets; None when the name is not known."""
    return _codes_by_name().get(_sort_key(name.strip()))
