"""The documented production environment (.env.example, README "Deploying") passes
Django's deployment checks and starts without any demo-only package installed."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEMO_ONLY = ("faker", "oidc_provider_mock", "flask", "werkzeug")  # requirements-demo.txt


def documented_environment() -> dict[str, str]:
    """.env.example's settings (the README tells people to copy it) with a generated
    SECRET_KEY, and nothing else from this process's environment but PATH: the test
    settings must not leak in."""
    env = {"PATH": os.environ.get("PATH", "")}
    for line in (ROOT / ".env.example").read_text().splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            name, _, value = line.partition("=")
            env[name] = value
    # The README's step: generate a key (the example leaves it empty on purpose).
    env["SECRET_KEY"] = secrets.token_urlsafe(50)
    env["DJANGO_SETTINGS_MODULE"] = "relaydash.settings"
    return env


def run_python(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=documented_environment(), capture_output=True, text=True
    )


def test_check_deploy_finds_nothing_in_the_documented_environment() -> None:
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=documented_environment(),
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


# Any import of a demo-only package fails, as on a server with requirements.txt only.
_WITHOUT_DEMO_PACKAGES = f"""
import sys
for name in {DEMO_ONLY!r}:
    sys.modules[name] = None
"""


def test_production_starts_without_the_demo_packages() -> None:
    result = run_python(
        _WITHOUT_DEMO_PACKAGES
        + """
from relaydash.wsgi import application
from django.core.management import call_command
from django.urls import get_resolver
call_command("check")
get_resolver().url_patterns  # every view module imported
print("started")
"""
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().endswith("started")


def test_a_demo_command_without_the_demo_packages_says_what_to_install() -> None:
    result = run_python(
        _WITHOUT_DEMO_PACKAGES
        + """
import django
django.setup()
from relaydash.demo_extras import demo_package
try:
    demo_package("faker")
except Exception as error:
    print(type(error).__name__, error)
"""
    )
    assert result.stdout.strip() == (
        "CommandError This command needs the demo extras (faker is not installed): "
        "pip install -r requirements-demo.txt"
    )
