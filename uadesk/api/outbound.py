"""Requests the desk makes to addresses staff typed in (webhooks): never into its own network.

A webhook address that leads to 127.0.0.1, 10.0.0.0/8, a cloud's metadata address or any other
address that is not on the public internet would let whoever can register a webhook make the desk
talk to its own database, cache or admin services. The check is made on the address the connection
actually reached, before a byte is sent, so a name that resolves differently a second later (DNS
rebinding) gains nothing.
"""

import http.client
import ipaddress
import socket
import urllib.request

from django.conf import settings


class PrivateAddress(OSError):
    """The address is not on the public internet."""


def is_public(address: str) -> bool:
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return False
    if ip.version == 6 and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def _connect_public(address, timeout=socket._GLOBAL_DEFAULT_TIMEOUT, source_address=None, **kwargs):
    sock = socket.create_connection(address, timeout, source_address, **kwargs)
    peer = sock.getpeername()[0]
    if not settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES and not is_public(peer):
        sock.close()
        raise PrivateAddress(f"the address leads into a private network ({peer}), not to the internet")
    return sock


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
