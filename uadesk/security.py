"""What Django does not have: the Permissions-Policy header, refusing forms in other charsets, and
refusing an anonymous form posted from another site without a CSRF token."""

import functools
import logging

from django.conf import settings
from django.http import HttpResponseBadRequest
from django.views.csrf import csrf_failure
from django.views.decorators.csrf import csrf_exempt
from django.views.defaults import ERROR_PAGE_TEMPLATE

log = logging.getLogger("django.security.csrf")


class PermissionsPolicyMiddleware:
    """Denies every feature in settings.PERMISSIONS_POLICY; a view that set the header keeps its own."""

    def __init__(self, get_response):
        self.get_response = get_response
        # "camera=()" grants camera to no origin, not even ours: no page of the desk asks for it.
        self.header = ", ".join(f"{feature}=()" for feature in settings.PERMISSIONS_POLICY)

    def __call__(self, request):
        response = self.get_response(request)
        if self.header:
            response.headers.setdefault("Permissions-Policy", self.header)
        return response


class FormCharsetMiddleware:
    """Refuses a form post declared in another character set than UTF-8, before anything reads it.

    Django refuses such a form when it is read, but reads it again while making the error page (the
    CSRF check of the error view), which fails once more and ends in an empty 500. Browsers send
    forms in UTF-8, the charset of our pages; anything else is a script."""

    FORMS = ("application/x-www-form-urlencoded", "multipart/form-data")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        charset = request.content_params.get("charset") if request.content_type in self.FORMS else None
        if charset is not None and charset.strip().lower() != "utf-8":
            return HttpResponseBadRequest(ERROR_PAGE_TEMPLATE % {"title": "Bad Request (400)", "details": ""})
        return self.get_response(request)


def same_site_form(view):
    """For an anonymous form on the pages kept for every visitor (uadesk/pagecache.py): the language
    switch and the reminder. Their pages carry no CSRF token, so a visitor who only reads gets no cookie
    at all, and a kept page costs no secret drawn for each newcomer (docs/benchmarks.md, "Action page").

    Neither form acts for anyone signed in, or changes what a person has: a language, or a reminder to
    an address anyone may type. What a token would stop is a page on another site making its readers'
    browsers post the form, many addresses at once past the rate limits. Browsers say where a post comes
    from (Sec-Fetch-Site, else Origin), and one from another site is refused. A post with neither header,
    from an old browser or a script, is taken, as the form takes one from anyone."""

    @functools.wraps(view)
    def checked(request, *args, **kwargs):
        if request.method == "POST" and not _from_this_site(request):
            log.warning("Forbidden (a form posted from another site): %s", request.path)
            return csrf_failure(request, reason="This form was posted from another site.")
        return view(request, *args, **kwargs)

    return csrf_exempt(checked)


def _from_this_site(request) -> bool:
    if (fetch_site := request.headers.get("Sec-Fetch-Site")) is not None:
        return fetch_site in ("same-origin", "none")  # "none": typed, or from a bookmark
    if (origin := request.headers.get("Origin")) is None:
        return True
    scheme = "https" if request.is_secure() else "http"
    return origin == f"{scheme}://{request.get_host()}" or origin in settings.CSRF_TRUSTED_ORIGINS
