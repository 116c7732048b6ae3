"""The demo-only packages (requirements-demo.txt), imported only by the commands that use them.

Production installs requirements.txt alone, so nothing a server imports at startup may
need the demo OpenID Connect provider or Faker. The demo commands import them through
`demo_package`, which turns a missing package into a message saying what to install.
"""

import importlib
from types import ModuleType

from django.core.management.base import CommandError


def demo_package(name: str) -> ModuleType:
    """Import the demo-only package `name`, or stop the command with what to install."""
    try:
        return importlib.import_module(name)
    except ImportError as error:
        raise CommandError(
            f"This command needs the demo extras ({name} is not installed): "
            "pip install -r requirements-demo.txt"
        ) from error
