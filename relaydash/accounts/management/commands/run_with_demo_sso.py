"""`make run`: the demo OpenID Connect provider beside Django's development server.

Starts oidc-provider-mock on the host and port of OIDC_ISSUER (http://localhost:9400 in
`make run`) with one prepared person per role and the order sync worker
(`manage.py sync_orders`) as a child process, then runs `runserver` with the remaining
arguments. The provider and the worker belong to the outer process, so code reloads do
not restart them (and forget nobody's sign-in); the reloaded server process only serves
the dashboard. The worker stops with the server.

It refuses anything but a local issuer with DEBUG and OIDC_DEMO_PROVIDER on: a provider
that signs in anybody must never stand in for a company's.
"""

import logging
import os
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser

from relaydash.accounts.demo import DEMO_USERS

LOCAL_HOSTS = ("localhost", "127.0.0.1")


def demo_provider_app() -> Any:
    """The provider's WSGI app with the demo people registered."""
    import oidc_provider_mock

    users = [oidc_provider_mock.User(sub=person.email, claims=person.claims()) for person in DEMO_USERS]
    return oidc_provider_mock.app(user_claims=users)


class Command(BaseCommand):
    help = "Run the development server with the demo SSO provider (make run)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("addrport", nargs="?", default="", help="Passed to runserver.")
        parser.add_argument("--noreload", action="store_true", help="Passed to runserver.")

    def handle(self, *args: Any, **options: Any) -> None:
        issuer = urlsplit(settings.OIDC_ISSUER)
        if not (settings.DEBUG and settings.OIDC_DEMO_PROVIDER):
            raise CommandError("The demo SSO provider needs DEBUG=true and OIDC_DEMO_PROVIDER=true.")
        if issuer.scheme != "http" or issuer.hostname not in LOCAL_HOSTS or not issuer.port:
            raise CommandError(
                f"OIDC_ISSUER={settings.OIDC_ISSUER!r}: the demo provider only runs at "
                "http://localhost:<port> (make run uses http://localhost:9400)."
            )
        # runserver's autoreloader runs this command again in a child process (RUN_MAIN);
        # the provider already runs in the parent.
        worker: subprocess.Popen[bytes] | None = None
        if os.environ.get("RUN_MAIN") != "true":
            self._start_provider(host=issuer.hostname, port=issuer.port)
            worker = self._start_sync_worker()
        runserver_options: dict[str, Any] = {"use_reloader": not options["noreload"]}
        if options["addrport"]:
            runserver_options["addrport"] = options["addrport"]
        try:
            call_command("runserver", **runserver_options)
        finally:
            if worker is not None:
                worker.terminate()
                worker.wait(timeout=10)

    def _start_sync_worker(self) -> subprocess.Popen[bytes]:
        """The order sync beside the server. relay here is the sandbox this very server
        serves, so the worker retries its first sync until the server answers."""
        manage = Path(sys.argv[0]).resolve()
        command = [
            sys.executable,
            str(manage),
            "sync_orders",
            "--wait-for-relay",
            "120",
            "--stop-with-parent",
        ]
        worker = subprocess.Popen(command)  # noqa: S603 - our own manage.py, no user input
        self.stdout.write(
            self.style.SUCCESS(f"Order sync worker started (every {settings.RELAY_SYNC_SECONDS:g} s)")
        )
        return worker

    def _start_provider(self, *, host: str, port: int) -> None:
        import werkzeug.serving

        # The provider logs every request; the dashboard's own log is what people read.
        logging.getLogger("werkzeug").setLevel(logging.WARNING)
        try:
            server = werkzeug.serving.make_server(host, port, demo_provider_app(), threaded=True)
        except OSError as error:
            raise CommandError(
                f"The demo SSO provider cannot listen on {host}:{port} ({error}). Is another "
                "`make run` still running? Stop it, or choose another port: make run OIDC_PORT=9401"
            ) from error
        threading.Thread(target=server.serve_forever, name="demo-sso-provider", daemon=True).start()
        people = ", ".join(person.email for person in DEMO_USERS)
        self.stdout.write(
            self.style.SUCCESS(f"Demo SSO provider on {settings.OIDC_ISSUER} (prepared people: {people})")
        )
