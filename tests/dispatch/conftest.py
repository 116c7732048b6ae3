import pytest


@pytest.fixture(autouse=True)
def _english(settings: object) -> None:
    """These tests read English pages (German has its own test: tests/test_translations.py);
    the clients send no Accept-Language, so the site's default language decides."""
    settings.LANGUAGE_CODE = "en"  # type: ignore[attr-defined]
