"""The WSGI entry point for the web server."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "uadesk.settings")
application = get_wsgi_application()
