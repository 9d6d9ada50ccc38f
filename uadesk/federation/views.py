"""The office desk's feed for its sections' desks, and this desk's public key."""

import hashlib
import json

from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpResponse
from django.views.decorators.http import require_GET

from uadesk.api.http import error_response

from . import signing
from .feed import FeedError, feed_limit, feed_page
from .keys import desk_key, desk_public_text
from .models import SectionAccess


def key(request):
    """This desk's public key, for staff of another desk to compare with the one they were given."""
    return HttpResponse(desk_public_text() + "\n", content_type="text/plain; charset=utf-8")


def section_access(request) -> SectionAccess | None:
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    return SectionAccess.authenticate(token.strip()) if scheme.lower() == "bearer" else None


@require_GET
def feed(request):
    access = section_access(request)
    if access is None:
        return error_response(401, "unauthorized", "The token is unknown or revoked.",
                              headers={"WWW-Authenticate": 'Bearer error="invalid_token"'})  # fmt: skip
    if not access.scope_feed:
        return error_response(403, "forbidden", "This token may not read the feed.")
    nonce = request.headers.get("Uadesk-Nonce", "")
    if not 16 <= len(nonce) <= 64 or not nonce.isalnum():
        return error_response(400, "invalid", "Send a fresh Uadesk-Nonce (16 to 64 letters and digits) "
                              "for the answer to be signed over.", "Uadesk-Nonce")  # fmt: skip
    unknown = set(request.GET) - {"since", "limit"}
    if unknown:
        return error_response(400, "invalid", f"Unknown parameter: {sorted(unknown)[0]}.", sorted(unknown)[0])
    try:
        page = feed_page(
            since=request.GET.get("since", ""),
            limit=feed_limit(request.GET.get("limit")),
            absolute=request.build_absolute_uri,
        )
    except FeedError as error:
        return error_response(400, "invalid", str(error), error.field)
    body = json.dumps(page, cls=DjangoJSONEncoder, ensure_ascii=False).encode()
    etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
    # The answer is signed over the request's nonce, so even a 304 proves it is this desk answering now.
    if request.headers.get("If-None-Match") == etag:
        response = HttpResponse(status=304)
        body = b""
    else:
        response = HttpResponse(body, content_type="application/json")
    response["ETag"] = etag
    response["Cache-Control"] = "no-store"
    response[signing.HEADER] = signing.sign(
        desk_key(), method="ANSWER", target=request.get_full_path(), body=body, nonce=nonce
    )
    return response
