"""Webhook addresses: an inside address is refused before any connection (no blind port scan for whoever
registers webhooks), and an IPv6 address is as public as the IPv4 address it carries."""

import socket

import pytest

from uadesk.delivery.transport import TransportError
from uadesk.delivery.webhook import WebhookRequest, WebhookTransport, is_public

pytestmark = pytest.mark.django_db


@pytest.fixture
def listener():
    """A TCP port on loopback that nobody accepts on: a connection to it waits in its queue, so whether
    anything connected is known afterwards, without waiting for anything."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(8)
    sock.setblocking(False)
    yield sock
    sock.close()


def connected(sock) -> bool:
    try:
        conn, _ = sock.accept()
    except BlockingIOError:
        return False
    conn.close()
    return True


def post(url: str) -> tuple[int | None, str]:
    """The webhook channel's POST: the HTTP status it got, or None and the error."""
    try:
        answer = WebhookTransport().send(WebhookRequest(b"{}", {}), to=url)
    except TransportError as error:
        return None, str(error)
    return int(answer.split()[1]), ""


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]  # free again once closed: nothing listens there


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost"])
def test_an_inside_address_is_refused_before_any_connection(listener, settings, host):
    settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = False
    port = listener.getsockname()[1]
    status, error = post(f"http://{host}:{port}/hook")
    assert status is None and "private network" in error
    assert not connected(listener)
    # An open port and a closed one answer alike: the error tells nothing of what listens inside.
    assert post(f"http://{host}:{closed_port()}/hook") == (status, error)


def test_https_is_refused_before_any_connection_too(listener, settings):
    settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = False
    status, error = post(f"https://127.0.0.1:{listener.getsockname()[1]}/hook")
    assert status is None and "private network" in error
    assert not connected(listener)


def test_an_allowed_inside_receiver_is_still_reached(listener, settings):
    settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = True
    settings.WEBHOOK_TIMEOUT_SECONDS = 0.5  # nobody answers: the POST times out after connecting
    post(f"http://127.0.0.1:{listener.getsockname()[1]}/hook")
    assert connected(listener)


@pytest.mark.parametrize(
    ("address", "public"),
    [
        # NAT64 (RFC 6052): the gateway connects to the IPv4 address inside.
        ("64:ff9b::7f00:1", False), ("64:ff9b::127.0.0.1", False), ("64:ff9b::a9fe:a9fe", False),
        ("64:ff9b::10.0.0.1", False), ("64:ff9b::192.168.1.1", False), ("64:ff9b::100.64.0.1", False),
        ("64:ff9b::808:808", True), ("64:ff9b::93.184.216.34", True),
        # Local-use NAT64 (RFC 8215), its IPv4 address at any of the places RFC 6052 allows.
        ("64:ff9b:1::127.0.0.1", False), ("64:ff9b:1:7f00:0:100::", False), ("64:ff9b:1::a9fe:a9fe", False),
        ("64:ff9b:1::808:808", True),
        # IPv4-compatible (::a.b.c.d) and IPv4-mapped (::ffff:a.b.c.d).
        ("::127.0.0.1", False), ("::7f00:1", False), ("::169.254.169.254", False), ("::10.1.2.3", False),
        ("::8.8.8.8", True), ("::ffff:169.254.169.254", False), ("::ffff:10.0.0.1", False),
        ("::ffff:8.8.8.8", True),
        # 6to4 (2002::/16): the relay's way to the IPv4 address inside.
        ("2002:7f00:1::1", False), ("2002:a9fe:a9fe::", False), ("2002:808:808::1", True),
        ("::1", False), ("::", False), ("2606:4700::1111", True),
    ],
)  # fmt: skip
def test_an_ipv6_address_is_as_public_as_the_ipv4_address_inside_it(address, public):
    assert is_public(address) is public
