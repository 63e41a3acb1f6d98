"""WSGI entry point (``credstack serve`` runs it under waitress; any WSGI server works)."""

from __future__ import annotations

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "credstack.settings")
application = get_wsgi_application()
