"""/metrics: the desk's figures in the Prometheus text format, for a token or an allowed network."""

import hmac
import ipaddress

from django.conf import settings
from django.http import HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from uadesk.ratelimit import client_address

from .figures import exposition, figures_all


def allowed(request) -> bool:
    """A scraper shows the token, or comes from an allowed network (the client's address as the rate
    limits find it, through TRUSTED_PROXY_COUNT proxies of our own)."""
    if settings.METRICS_TOKEN:
        scheme, _, token = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() == "bearer" and hmac.compare_digest(
            token.strip().encode(), settings.METRICS_TOKEN.encode()
        ):
            return True
    try:
        address = ipaddress.ip_address(client_address(request))
    except ValueError:
        return False
    if address.version == 6 and address.ipv4_mapped:
        address = address.ipv4_mapped
    return any(address in ipaddress.ip_network(net) for net in settings.METRICS_ALLOWED_NETWORKS)


@require_GET
@never_cache
def metrics(request):
    if not allowed(request):
        return HttpResponse("forbidden\n", status=403, content_type="text/plain; charset=utf-8")
    return HttpResponse(exposition(figures_all()), content_type="text/plain; version=0.0.4; charset=utf-8")
