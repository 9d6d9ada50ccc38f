"""The webhook channel: a signed JSON POST to an address staff typed in, never into the desk's own network.

A webhook address that leads to 127.0.0.1, 10.0.0.0/8, a cloud's metadata address or any other
address that is not on the public internet would let whoever can register a webhook make the desk
talk to its own database, cache or admin services. The name is resolved once and every address it
gives is checked before any connection is opened, so not even a refused or accepted connection tells
an inside port's state (a blind port scan); the desk then connects to those checked addresses only,
and checks the address the connection actually reached before a byte is sent, so a name that resolves
differently a second later (DNS rebinding) gains nothing.
"""

import http.client
import ipaddress
import socket
import urllib.error
import urllib.request
from dataclasses import dataclass

from django.conf import settings

from .transport import TransportError

# IPv6 addresses that carry an IPv4 address a gateway or the host's own stack connects to: they are
# as public as the IPv4 address inside them (64:ff9b::127.0.0.1 reaches the NAT64 gateway's loopback).
NAT64 = ipaddress.IPv6Network("64:ff9b::/96")
NAT64_LOCAL = ipaddress.IPv6Network("64:ff9b:1::/48")  # RFC 8215: a prefix of /48 to /96 inside it
IPV4_COMPATIBLE = ipaddress.IPv6Network("::/96")  # ::a.b.c.d, deprecated, still routed by some stacks


class PrivateAddress(OSError):
    """The address is not on the public internet."""


def _rfc6052_ipv4(ip: ipaddress.IPv6Address, prefix: int) -> ipaddress.IPv4Address | None:
    """The IPv4 address RFC 6052 places after a NAT64 prefix of this length, if the address is so made
    (bits 64 to 71 zero, nothing after the IPv4 address)."""
    octets = ip.packed
    if prefix == 96:
        return ipaddress.IPv4Address(octets[12:])
    start = prefix // 8
    v4 = (octets[start:8] + octets[9 : 9 + 4 - (8 - start)])[:4]
    end = 9 + 4 - (8 - start)
    if octets[8] != 0 or any(octets[end:]):
        return None
    return ipaddress.IPv4Address(v4)


def embedded_ipv4(ip: ipaddress.IPv6Address) -> list[ipaddress.IPv4Address] | None:
    """The IPv4 addresses an IPv6 address may stand for (None: it carries none). A local-use NAT64
    address may be read in several ways; each of them must be public."""
    if ip.ipv4_mapped:
        return [ip.ipv4_mapped]
    if ip.sixtofour:
        return [ip.sixtofour]
    if ip in NAT64 or ip in IPV4_COMPATIBLE:
        return [ipaddress.IPv4Address(ip.packed[12:])]
    if ip in NAT64_LOCAL:
        return [v4 for prefix in (48, 56, 64, 96) if (v4 := _rfc6052_ipv4(ip, prefix)) is not None]
    return None


def is_public(address: str) -> bool:
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return False
    if ip.version == 6 and (inside := embedded_ipv4(ip)) is not None:
        return bool(inside) and all(is_public(str(v4)) for v4 in inside)
    return ip.is_global and not ip.is_multicast


def _refuse(address: str) -> PrivateAddress:
    return PrivateAddress(f"the address leads into a private network ({address}), not to the internet")


def _connect_public(address, timeout=socket._GLOBAL_DEFAULT_TIMEOUT, source_address=None, **kwargs):
    if settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES:
        return socket.create_connection(address, timeout, source_address, **kwargs)
    host, port = address
    found = socket.getaddrinfo(host, port, 0, socket.SOCK_STREAM)
    # Every address of the name, before any connection: one inside address refuses the name as a whole.
    for *_, sockaddr in found:
        if not is_public(sockaddr[0]):
            raise _refuse(sockaddr[0])
    error: OSError = OSError(f"no address for {host}")
    for family, kind, proto, _, sockaddr in found:  # the addresses checked above, not the name again
        sock = socket.socket(family, kind, proto)
        try:
            if timeout is not socket._GLOBAL_DEFAULT_TIMEOUT:
                sock.settimeout(timeout)
            if source_address:
                sock.bind(source_address)
            sock.connect(sockaddr)
        except OSError as refused:
            sock.close()
            error = refused
            continue
        peer = sock.getpeername()[0]
        if not is_public(peer):  # and the address actually reached, before a byte goes
            sock.close()
            raise _refuse(peer)
        return sock
    raise error


class _PublicOnly:
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Checked as the socket connects, so for HTTPS before the TLS handshake: nothing, not even the
        # server's name, goes out first.
        self._create_connection = _connect_public


class _PublicHTTPConnection(_PublicOnly, http.client.HTTPConnection):
    pass


class _PublicHTTPSConnection(_PublicOnly, http.client.HTTPSConnection):
    pass


class PublicHTTPHandler(urllib.request.HTTPHandler):
    def http_open(self, req):
        return self.do_open(_PublicHTTPConnection, req)


class PublicHTTPSHandler(urllib.request.HTTPSHandler):
    def https_open(self, req):
        return self.do_open(_PublicHTTPSConnection, req, context=self._context)


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    # A receiver that moved must be registered again: a signed POST is not replayed to wherever a 3xx says.
    def redirect_request(self, *args, **kwargs):
        return None


@dataclass(frozen=True)
class WebhookRequest:
    """What one POST carries: the JSON body and its headers (the event, the delivery id, the signature)."""

    body: bytes
    headers: dict


class WebhookTransport:
    """POSTs to public addresses only, without following redirects; any answer but 2xx is a failure
    worth retrying (the receiver may be down for a while)."""

    def send(self, request: WebhookRequest, *, to: str) -> str:
        if not to.startswith(("http://", "https://")):
            raise TransportError("the address is not http(s)", permanent=True)
        headers = {"Content-Type": "application/json", "User-Agent": "uadesk-webhooks/1", **request.headers}
        post = urllib.request.Request(to, data=request.body, method="POST", headers=headers)  # noqa: S310
        opener = urllib.request.build_opener(_NoRedirects, PublicHTTPHandler, PublicHTTPSHandler)
        try:
            with opener.open(post, timeout=settings.WEBHOOK_TIMEOUT_SECONDS) as response:
                response.read(1024)
                return f"HTTP {response.status}"
        except urllib.error.HTTPError as error:
            raise TransportError(f"HTTP {error.code} {error.reason}") from None
        except (OSError, ValueError, http.client.HTTPException) as error:  # refused, timed out, not HTTP
            reason = str(getattr(error, "reason", None) or error) or type(error).__name__
            raise TransportError(reason) from None
