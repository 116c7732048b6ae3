"""Regenerate the German translation catalogs (`make catalogs`).

Each area app keeps its own catalog beside its code (relaydash/<app>/locale); the project
catalog (locale/) holds the shared layout in templates/ and relaydash/*.py. The test suite
runs `update` on a copy of the sources to prove the committed catalogs cover every string.
"""

import os
import subprocess
import sys
from pathlib import Path

APPS_WITH_CATALOGS = ("orders", "directory", "accounts", "dispatch")
IGNORED = (".venv/*", "tests/*", "bench/*", "scripts/*", "staticfiles/*", "relaydash/sandbox/*")


def catalog_paths(root: Path) -> list[Path]:
    return [root / "locale/de/LC_MESSAGES/django.po"] + [
        root / "relaydash" / app / "locale/de/LC_MESSAGES/django.po" for app in APPS_WITH_CATALOGS
    ]


def update(root: Path) -> None:
    """Run makemessages for the project catalog and each app catalog under `root`."""
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "tests.settings", "PYTHONPATH": str(root)}
    manage = [sys.executable, str(root / "manage.py"), "makemessages", "-l", "de", "--no-obsolete", "-v", "0"]
    ignores = [f"--ignore={pattern}" for pattern in IGNORED]
    ignores += [f"--ignore=relaydash/{app}/*" for app in APPS_WITH_CATALOGS]
    subprocess.run([*manage, *ignores], cwd=root, env=env, check=True)
    for app in APPS_WITH_CATALOGS:
        app_dir = root / "relaydash" / app
        (app_dir / "locale").mkdir(exist_ok=True)
        subprocess.run(manage, cwd=app_dir, env=env, check=True)


if __name__ == "__main__":
    update(Path(__file__).resolve().parent.parent)
