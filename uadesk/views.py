"""Views of the desk as a whole, outside any domain app."""

from django.db import connection
from django.http import HttpResponse


def health(request):
    """For a load balancer or a monitor: 200 when the desk can reach its database."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return HttpResponse("ok\n", content_type="text/plain")
