"""German is the default language: every catalog must be complete and current."""

import shutil
import sys
from pathlib import Path

import polib
import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))

import catalogs  # noqa: E402


def _live_entries(path: Path) -> list[polib.POEntry]:
    return [entry for entry in polib.pofile(str(path)) if not entry.obsolete]


@pytest.mark.parametrize("path", catalogs.catalog_paths(ROOT), ids=lambda p: str(p.relative_to(ROOT)))
def test_german_catalog_has_no_untranslated_or_fuzzy_entry(path: Path) -> None:
    assert path.is_file(), f"missing German catalog {path}"
    catalog = polib.pofile(str(path))
    untranslated = [entry.msgid for entry in catalog.untranslated_entries()]
    fuzzy = [entry.msgid for entry in catalog.fuzzy_entries()]
    assert untranslated == [], f"untranslated in {path}: {untranslated}"
    assert fuzzy == [], f"fuzzy in {path}: {fuzzy}"


def test_catalogs_cover_every_translatable_string(tmp_path: Path) -> None:
    """Re-extract the strings from a copy of the sources: nothing may be missing from the
    committed catalogs (a new string without a German translation fails here)."""
    copy = tmp_path / "src"
    copy.mkdir()
    for name in ("relaydash", "templates", "locale", "tests", "manage.py"):
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, copy / name, ignore=shutil.ignore_patterns("__pycache__", "*.mo"))
        else:
            shutil.copy2(source, copy / name)
    catalogs.update(copy)
    pairs = zip(catalogs.catalog_paths(ROOT), catalogs.catalog_paths(copy), strict=True)
    for committed, regenerated in pairs:
        have = {(e.msgctxt, e.msgid) for e in _live_entries(committed)}
        need = {(e.msgctxt, e.msgid) for e in _live_entries(regenerated)}
        missing = sorted(msgid for _, msgid in need - have)
        assert missing == [], f"{committed.relative_to(ROOT)} lacks: {missing}"
