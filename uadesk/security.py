"""Middleware Django does not have: the Permissions-Policy header, and refusing forms in other charsets."""

from django.conf import settings
from django.http import HttpResponseBadRequest
from django.views.defaults import ERROR_PAGE_TEMPLATE


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
