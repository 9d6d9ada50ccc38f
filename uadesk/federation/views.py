"""The office desk's feed for its sections' desks, and this desk's public key."""

from django.http import HttpResponse

from .keys import desk_public_text


def key(request):
    """This desk's public key, for staff of another desk to compare with the one they were given."""
    return HttpResponse(desk_public_text() + "\n", content_type="text/plain; charset=utf-8")


def feed(request):
    raise NotImplementedError
