"""Views of the desk as a whole, outside any domain app."""

from urllib.parse import urlsplit

from django.db import connection
from django.http import HttpResponse
from django.utils import translation
from django.views import i18n
from django.views.decorators.http import require_POST

from uadesk.security import same_site_form


def health(request):
    """For a load balancer or a monitor: 200 when the desk can reach its database."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return HttpResponse("ok\n", content_type="text/plain")


@same_site_form
@require_POST
def language_switch(request):
    """Django's set_language, with the page to go back to read in its own language: Django resolves
    it in the language of the request, which is not the page's, and would send the reader back to the
    page in the language they wanted to leave."""
    page_language = translation.get_language_from_path(urlsplit(request.POST.get("next", "")).path)
    with translation.override(page_language or translation.get_language()):
        return i18n.set_language(request)
