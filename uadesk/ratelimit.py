"""Rate limits per address and per network, counted in the shared cache; addresses are stored only hashed."""

import ipaddress
import time

from django.conf import settings
from django.core.cache import cache
from django.utils.crypto import salted_hmac


def client_address(request) -> str:
    """The supporter's address: REMOTE_ADDR, or the one our own proxies put in X-Forwarded-For."""
    forwarded = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if a.strip()]
    if settings.TRUSTED_PROXY_COUNT and len(forwarded) >= settings.TRUSTED_PROXY_COUNT:
        return forwarded[-settings.TRUSTED_PROXY_COUNT]
    return request.META.get("REMOTE_ADDR", "")


def network_of(address: str) -> str:
    """The /24 of an IPv4 address, the /48 of an IPv6 one: what one household or office usually has."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address
    prefix = 24 if ip.version == 4 else 48
    return str(ipaddress.ip_network(f"{ip}/{prefix}", strict=False))


def allow(scope: str, key: str, *, limit: int, window: int) -> bool:
    """Counts one more event for `key` in this window; False once the limit is passed."""
    if limit <= 0:
        return True
    slot = int(time.time() // window)
    hashed = salted_hmac("uadesk.ratelimit", key, algorithm="sha256").hexdigest()[:32]
    cache_key = f"rl:{scope}:{hashed}:{slot}"
    cache.add(cache_key, 0, timeout=window + 60)
    try:
        count = cache.incr(cache_key)
    except ValueError:  # expired between add and incr
        cache.set(cache_key, 1, timeout=window + 60)
        count = 1
    return count <= limit


def allow_request(request, scope: str, *, per_address: int, per_network: int, window: int = 3600) -> bool:
    """Both the supporter's address and their network must be under their limits."""
    address = client_address(request)
    if not allow(f"{scope}:address", address, limit=per_address, window=window):
        return False
    # Only when there is a limit: working out the network is most of the cost of a check.
    return per_network <= 0 or allow(
        f"{scope}:network", network_of(address), limit=per_network, window=window
    )
