"""WSGI entry point (gunicorn relaydash.wsgi)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "relaydash.settings")
application = get_wsgi_application()
